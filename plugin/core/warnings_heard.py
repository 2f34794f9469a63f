"""The engine's warnings of one run, for the front ends that do not show Python's log: the dock
(its message bar) and the Processing algorithms (their log, which qgis_process prints). The engine
keeps using plain ``logging.getLogger(__name__)``; the command line shows the log as it is."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Callable, Iterator, List, Optional, Tuple

from .errors import MessageOf

# The plugin package's top logger ("plugin" in tests, "<folder>.plugin" inside QGIS): the engine's and the batch's records
PLUGIN_LOGGER = __name__.rsplit(".core", 1)[0]


Translate = Callable[[str], str]


def translated(form: str, args: tuple, translate: Translate) -> str:
    """A logged warning (its format and arguments) with its format translated (the engine's warnings
    are collected for translation as its errors are) and a cause (``MessageOf``) given in that language."""
    args = tuple(arg.error.translated_parts(translate)[0] if isinstance(arg, MessageOf) else arg for arg in args)
    return translate(form) % args if args else translate(form)


class HeardWarnings(list):
    """The warnings' texts, as logged or translated, and (``forms``) each one's format and
    arguments, to give it in another language later (``translated``): the report a dock writes."""

    def __init__(self):
        super().__init__()
        self.forms: List[Tuple[str, tuple]] = []


class _Heard(logging.Handler):
    """Keeps the text of the warnings logged in one thread (the run's: another run's, in another
    thread, is not its concern), each once (a warning logged again, for the self-check's second run,
    say, adds nothing)."""

    def __init__(self, into: HeardWarnings, tell: Optional[Callable[[str], None]], translate: Optional[Translate]):
        super().__init__(logging.WARNING)
        self.into, self.tell, self.translate = into, tell, translate
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            form, args = str(record.msg), record.args if isinstance(record.args, tuple) else ()
            text = record.getMessage() if self.translate is None else translated(form, args, self.translate)
            if text in self.into:
                return
            self.into.append(text)
            self.into.forms.append((form, args))
            if self.tell is not None:
                self.tell(text)
        except Exception:  # noqa: BLE001 -- a log handler must never raise
            self.handleError(record)


@contextlib.contextmanager
def warnings_heard(tell: Optional[Callable[[str], None]] = None, translate: Optional[Translate] = None) -> Iterator[HeardWarnings]:
    """The list the warnings the plugin logs in this thread are added to while the block runs, each
    once, in the order they came; each is also given to ``tell`` when it first comes (a Processing log).
    ``translate``: QGIS's translation of the warnings' formats (the dock and the toolbox show them)."""
    heard = HeardWarnings()
    handler = _Heard(heard, tell, translate)
    logger = logging.getLogger(PLUGIN_LOGGER)
    logger.addHandler(handler)
    try:
        yield heard
    finally:
        logger.removeHandler(handler)
