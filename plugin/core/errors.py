"""The one exception family for problems a user can fix (bad input, no overlap, too few matches).

Anything else that escapes the core is a bug: front ends show a short message and log the
traceback.
"""
from __future__ import annotations


class RegistrationError(Exception):
    """A problem with the user's input or data, with what to do about it.

    ``message`` says what is wrong in words a GIS analyst uses; ``fix`` says what to do.
    """

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip()


class RegistrationCancelled(Exception):
    """The user cancelled the run; no output was written."""
