"""Client side of replication: pushes the outbox and pulls the change feed."""
