"""Translation: one context for every user-visible string, and the QTranslator that loads
``i18n/sar_optical_registration_<lang>.qm`` for the QGIS user interface language."""
from __future__ import annotations

import os
from typing import Optional

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

CONTEXT = "SarOpticalRegistration"
I18N_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "i18n")
FILE_PREFIX = "sar_optical_registration_"


def tr(text: str) -> str:
    """Translates ``text``; ``scripts/update_translations.py`` collects the literal arguments."""
    return QCoreApplication.translate(CONTEXT, text)


def qgis_language() -> str:
    """The two-letter language of the QGIS user interface ("en" when unknown)."""
    settings = QgsSettings()
    if settings.value("locale/overrideFlag", False, type=bool):
        locale = settings.value("locale/userLocale", "", type=str)
    else:
        locale = QgsApplication.locale() or settings.value("locale/userLocale", "", type=str)
    return (locale or "en")[:2].lower()


def translation_file(language: str, directory: str = I18N_DIR) -> Optional[str]:
    path = os.path.join(directory, f"{FILE_PREFIX}{language}.qm")
    return path if os.path.exists(path) else None


def install_translator(language: Optional[str] = None) -> Optional[QTranslator]:
    """Loads and installs the translation for ``language`` (default: QGIS's). Returns the
    translator to pass to ``remove_translator`` on unload, or None when there is none."""
    path = translation_file(language or qgis_language())
    if path is None:
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: Optional[QTranslator]) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
