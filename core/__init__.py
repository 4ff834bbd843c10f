"""ShiftDesk's domain: the local store, its models and every business rule.

Nothing here imports Qt or an HTTP library; the desktop, the sync client and the
server all call these functions so that they cannot disagree about a rule.
"""

__version__ = "0.1.0"
