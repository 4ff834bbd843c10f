"""One router per concern; :mod:`server.app` mounts them under ``/v1``."""
