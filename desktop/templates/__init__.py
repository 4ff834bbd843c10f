"""The Templates view: keep shift templates and apply them to people."""
