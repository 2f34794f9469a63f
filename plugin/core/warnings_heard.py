"""The engine's warnings of one run, for the front ends that do not show Python's log: the dock
(its message bar) and the Processing algorithms (their log, which qgis_process prints). The engine
keeps using plain ``logging.getLogger(__name__)``; the command line shows the log as it is."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Callable, Iterator, List, Optional

# The plugin package's top logger ("plugin" in tests, "<folder>.plugin" inside QGIS): the engine's and the batch's records
PLUGIN_LOGGER = __name__.rsplit(".core", 1)[0]


class _Heard(logging.Handler):
    """Keeps the text of the warnings logged in one thread (the run's: another run's, in another
    thread, is not its concern), each once (a warning logged again, for the self-check's second run,
    say, adds nothing)."""

    def __init__(self, into: List[str], tell: Optional[Callable[[str], None]]):
        super().__init__(logging.WARNING)
        self.into, self.tell = into, tell
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            text = record.getMessage()
            if text in self.into:
                return
            self.into.append(text)
            if self.tell is not None:
                self.tell(text)
        except Exception:  # noqa: BLE001 -- a log handler must never raise
            self.handleError(record)


@contextlib.contextmanager
def warnings_heard(tell: Optional[Callable[[str], None]] = None) -> Iterator[List[str]]:
    """The list the warnings the plugin logs in this thread are added to while the block runs, each
    once, in the order they came; each is also given to ``tell`` when it first comes (a Processing log)."""
    heard: List[str] = []
    handler = _Heard(heard, tell)
    logger = logging.getLogger(PLUGIN_LOGGER)
    logger.addHandler(handler)
    try:
        yield heard
    finally:
        logger.removeHandler(handler)
