"""The Schedule view: the supervisor's roster grid and the gestures that edit it."""
