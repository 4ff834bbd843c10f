"""The PySide6 application: windows, Qt models over core queries, undo commands."""
