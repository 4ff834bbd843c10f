"""The People page: employees and the departments they are grouped in."""
