"""The one exception family for problems a user can fix (bad input, no overlap, too few matches).

Anything else that escapes the core is a bug: front ends show a short message and log the
traceback.
"""
from __future__ import annotations

from typing import Callable


def _same(text: str) -> str:
    return text


def template(text: str) -> str:
    """Marks ``text`` as an error's message or fix template kept aside (in a table) for
    ``scripts/update_translations.py`` to collect; returns it as it is."""
    return text


class RegistrationError(Exception):
    """A problem with the user's input or data, with what to do about it.

    ``message`` says what is wrong in words a GIS analyst uses; ``fix`` says what to do. Both may
    be templates whose ``{name}`` fields ``values`` fill (a literal brace doubled, as for
    ``str.format``): ``str(error)`` is the English text, ``translated(tr)`` the text in the user's
    language, each template translated before it is filled (a value that is itself a RegistrationError,
    a cause, gives its message in that language, and a text value marked ``template`` its
    translation). ``scripts/update_translations.py`` collects the literal templates of the engine's
    errors as it collects the dock's strings.
    """

    def __init__(self, message: str, fix: str = "", **values):
        self.templates = (message, fix)
        self.values = values
        self.message, self.fix = self.translated_parts()
        super().__init__(self.message)

    def translated_parts(self, tr: Callable[[str], str] = _same):
        """(message, fix) in the language of ``tr`` (QGIS's translate; English without it)."""
        values = {name: value.translated_parts(tr)[0] if isinstance(value, RegistrationError) else  # a cause: its message
                  tr(value) if isinstance(value, str) and tr is not _same else value  # a template(...) value; a path stays as it is
                  for name, value in self.values.items()}
        return tuple("" if not template else tr(template).format(**values) if values else tr(template) for template in self.templates)

    def translated(self, tr: Callable[[str], str] = _same) -> str:
        """The message and the fix in the language of ``tr``, as one text."""
        return " ".join(part for part in self.translated_parts(tr) if part)

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip()


class MessageOf:
    """A RegistrationError's message as an argument of a logged warning: written as the English
    message in the log, and in QGIS's language where ``warnings_heard`` translates the warning."""

    def __init__(self, error: RegistrationError):
        self.error = error

    def __str__(self) -> str:
        return self.error.message


class RegistrationCancelled(Exception):
    """The user cancelled the run; no output was written."""
