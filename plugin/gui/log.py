"""Forwards the plugin's ``logging`` records (core and GUI) to the QGIS log panel, so the core
keeps using plain ``logging.getLogger(__name__)``."""
from __future__ import annotations

import logging

from qgis.core import Qgis, QgsMessageLog

LOG_TAG = "SAR-Optical Registration"
# The plugin package's top logger: "plugin" in tests, "<folder>.plugin" inside QGIS.
PLUGIN_LOGGER = __name__.rsplit(".gui", 1)[0]


def _level(record_level: int) -> Qgis.MessageLevel:
    if record_level >= logging.ERROR:
        return Qgis.Critical
    if record_level >= logging.WARNING:
        return Qgis.Warning
    return Qgis.Info


class QgisLogHandler(logging.Handler):
    """A logging handler writing to QgsMessageLog (thread-safe: QGIS queues the message)."""

    def __init__(self, tag: str = LOG_TAG, level: int = logging.INFO):
        super().__init__(level)
        self.tag = tag
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            QgsMessageLog.logMessage(self.format(record), self.tag, _level(record.levelno), notifyUser=False)
        except Exception:  # noqa: BLE001 -- a log handler must never raise
            self.handleError(record)


def install_log_handler(logger_name: str = PLUGIN_LOGGER) -> QgisLogHandler:
    logger = logging.getLogger(logger_name)
    handler = QgisLogHandler()
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def remove_log_handler(handler: QgisLogHandler, logger_name: str = PLUGIN_LOGGER) -> None:
    logging.getLogger(logger_name).removeHandler(handler)
