"""The reference central API that sites sync with; it reuses core's rules."""
