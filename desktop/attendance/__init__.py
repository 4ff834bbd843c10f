"""The Attendance view: scheduled against actual, corrections and sign-off."""
