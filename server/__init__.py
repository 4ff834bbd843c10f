"""The reference central API: the wire contract of DESIGN.md over core's rules."""
