"""Every user-visible string of the dock goes through tr() and has a German translation, and the
compiled .qm loads with the QGIS locale."""
import os
import shutil
import subprocess
import sys

import pytest
from qgis.core import QgsSettings

from plugin.gui.i18n import install_translator, qgis_language, remove_translator, tr, translation_file
from tests.gui_fixtures import TEST_SETTINGS, iface  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import update_translations  # noqa: E402


def test_every_string_is_translated():
    assert update_translations.check() == 0


def test_compiled_translation_is_up_to_date(tmp_path):
    if shutil.which("lrelease") is None:
        pytest.skip("lrelease (qttools5-dev-tools) is not installed")
    source = os.path.join(ROOT, "i18n", "sar_optical_registration_de.ts")
    subprocess.run(["lrelease", "-silent", source, "-qm", str(tmp_path / "de.qm")], check=True)
    with open(tmp_path / "de.qm", "rb") as fresh, open(translation_file("de"), "rb") as shipped:
        assert fresh.read() == shipped.read(), "run: make translations"


def test_german_translation_loads():
    translator = install_translator("de")
    try:
        assert translator is not None
        assert tr("Run") == "Ausführen" and tr("Tie points") == "Passpunkte"
    finally:
        remove_translator(translator)
    assert tr("Run") == "Run"
    assert install_translator("xx") is None  # no file: English


@pytest.fixture
def german_qgis():
    settings = QgsSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "de_DE")
    yield
    for key, value in saved.items():
        settings.remove(key) if value is None else settings.setValue(key, value)


def test_follows_the_qgis_locale_and_translates_the_dock(german_qgis, iface):
    assert qgis_language() == "de"
    translator = install_translator()
    try:
        from plugin.gui.controller import DockController

        controller = DockController(iface, settings_group=TEST_SETTINGS)
        try:
            assert controller.dock.run_button.text() == "Ausführen"
            assert controller.dock.windowTitle() == "SAR-Optik-Registrierung"
        finally:
            controller.unload()
    finally:
        remove_translator(translator)
