"""How results and errors reach the user: the message bar for what they can fix, the log panel
for the traceback of anything else (a bug)."""
from __future__ import annotations

import logging
import traceback
from typing import Optional

from qgis.core import Qgis

from .i18n import tr

LOGGER = logging.getLogger(__name__)
MESSAGE_SECONDS = 10


def title() -> str:
    return tr("SAR-Optical Registration")


def show_error(iface, error: BaseException, action: Optional[str] = None) -> None:
    """RegistrationError: a warning with its message and fix. Cancelled: an info line. Anything
    else: a short "bug" message, and the traceback in the QGIS log panel."""
    from ..core import RegistrationCancelled, RegistrationError  # imported late: the core imports PyTorch

    bar = iface.messageBar()
    if isinstance(error, RegistrationCancelled):
        bar.pushMessage(title(), tr("Cancelled; nothing was written."), level=Qgis.Info, duration=MESSAGE_SECONDS)
        return
    if isinstance(error, RegistrationError):
        text = error.translated(tr)  # the engine's English templates, in QGIS's language where translated
        bar.pushMessage(title(), text, level=Qgis.Warning, duration=0)
        LOGGER.warning("%s", text)
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    LOGGER.error("%s failed with an unexpected error (a bug):\n%s", action or "the plugin", details)
    bar.pushMessage(
        title(),
        tr("Something went wrong ({error}). This is a bug: please report it with the details from the "
           "log panel (View > Panels > Log Messages).").format(error=f"{type(error).__name__}: {error}"),
        level=Qgis.Critical,
        duration=0,
    )


def show_success(iface, text: str) -> None:
    iface.messageBar().pushMessage(title(), text, level=Qgis.Success, duration=MESSAGE_SECONDS)


def show_info(iface, text: str) -> None:
    iface.messageBar().pushMessage(title(), text, level=Qgis.Info, duration=MESSAGE_SECONDS)


def show_warning(iface, text: str) -> None:
    """A result the user should look at before using it: stays until closed."""
    iface.messageBar().pushMessage(title(), text, level=Qgis.Warning, duration=0)
