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


def test_the_engines_refusal_reaches_the_dock_in_german(german_qgis, iface, qtbot, sample, tmp_path):
    """The engine is Qt-free and speaks English; its errors are templates the dock translates: a SAR
    whose georeferencing puts it 50 km away is refused in German, the option to ignore the
    georeferencing named as the German dock names it, the paths as they are."""
    from qgis.core import Qgis

    from tests.conftest import sar_moved_on_the_map
    from tests.gui_fixtures import clear_settings, messages, run_in_dock

    far = sar_moved_on_the_map(sample["sar"], tmp_path / "sar_far.tif", 50_000.0, 0.0)
    translator = install_translator()
    try:
        from plugin.gui.controller import DockController

        clear_settings(TEST_SETTINGS)
        controller = DockController(iface, settings_group=TEST_SETTINGS)
        try:
            assert not run_in_dock(controller, qtbot, sample["optical"], far).succeeded
            shown = " ".join(messages(iface, Qgis.Warning))
            assert f"Das SAR-Raster '{far}' und das optische Raster '{sample['optical']}' überlappen sich nicht" in shown, shown
            assert "(--ignore-georeferencing; in QGIS: Georeferenzierung nicht verwenden)" in shown
        finally:
            controller.unload()
            clear_settings(TEST_SETTINGS)
    finally:
        remove_translator(translator)


def test_the_toolboxs_refusal_is_in_german(german_qgis, tmp_path):
    from qgis.core import QgsProcessingException

    from plugin.core.outputs import check_output
    from plugin.processing.common import user_errors

    existing = tmp_path / "report.html"
    existing.write_text("")
    translator = install_translator()
    try:
        with pytest.raises(QgsProcessingException, match="Die Ausgabe '.*report.html' existiert bereits. Wählen Sie einen anderen Namen"):
            with user_errors():
                check_output(str(existing), (), overwrite=False)
    finally:
        remove_translator(translator)


def test_the_engines_warnings_are_heard_in_german(german_qgis, sample, tmp_path):
    """What the dock's message bar and the toolbox's log show of the engine's warnings: their
    format translated (the catalogue has them), the values as they are."""
    from plugin.core.raster_io import read_raster
    from plugin.core.warnings_heard import warnings_heard
    from tests.conftest import sar_bordered_by_a_fill

    bordered = sar_bordered_by_a_fill(sample["sar"], tmp_path / "sar_fill.tif")
    translator = install_translator()
    try:
        with warnings_heard(translate=tr) as heard:
            read_raster(bordered, "sar")
    finally:
        remove_translator(translator)
    assert heard == [f"Band 1 von {bordered} gibt keinen NoData-Wert an: seine 36480 Pixel mit -9999, einem üblichen Füllwert, "
                     "werden als NoData gelesen"]


def test_a_report_written_in_german_qgis_gives_the_engines_warnings_in_german(german_qgis, sample, tmp_path):
    """The report a surveyor files from the dock or the toolbox: its Note rows in QGIS's language;
    the result keeps them in English too, for the matches JSON and the command line."""
    from plugin.core import RegistrationOptions, register
    from plugin.core.report import report_rows
    from tests.conftest import sar_bordered_by_a_fill

    bordered = sar_bordered_by_a_fill(sample["sar"], tmp_path / "sar_fill.tif")
    result = register(sample["optical"], bordered, RegistrationOptions(device="cpu"))
    assert result.warnings == (f"band 1 of {bordered} declares no nodata value: its 36480 pixels of -9999, a conventional fill, are "
                               "read as nodata",)
    translator = install_translator()
    try:
        rows = dict(report_rows(result, tr=tr))
    finally:
        remove_translator(translator)
    assert rows["Hinweis"] == (f"Band 1 von {bordered} gibt keinen NoData-Wert an: seine 36480 Pixel mit -9999, einem üblichen "
                                   "Füllwert, werden als NoData gelesen")
