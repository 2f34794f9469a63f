"""The dock: widgets, raster inputs, settings that persist, the toolbar action."""
import os

from qgis.core import Qgis, QgsProject, QgsSettings, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from plugin.gui.settings import DockSettings, clear_settings, load_settings, save_settings
from tests.gui_fixtures import TEST_SETTINGS, controller, iface, messages, sample_layers, sample  # noqa: F401


def test_dock_is_added_to_the_main_window(controller, iface):
    dock = controller.dock
    assert iface.mainWindow().dockWidgetArea(dock) == Qt.RightDockWidgetArea
    assert dock.transform_combo.count() == 6 and dock.transform_combo.currentData() == "affine"
    assert dock.device_combo.currentData() == "auto"
    assert not dock.run_button.isHidden() and not dock.cancel_button.isEnabled()
    assert not dock.refit_button.isEnabled() and not dock.write_button.isEnabled()


def test_device_combo_says_what_was_found(controller):
    import torch

    combo = controller.dock.device_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["auto", "cpu", "cuda"]
    gpu_item = combo.model().item(2)
    assert gpu_item.isEnabled() == torch.cuda.is_available()
    assert ("GPU" in combo.itemText(0)) if torch.cuda.is_available() else ("no GPU" in combo.itemText(0))


def test_layer_combos_list_only_rasters(controller, sample_layers):
    vector = QgsVectorLayer("Point?crs=EPSG:4326", "points", "memory")
    QgsProject.instance().addMapLayer(vector)
    combo = controller.dock.optical_input.combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert any(name.startswith("optical") for name in names) and any(name.startswith("sar") for name in names)
    assert not any(name.startswith("points") for name in names)


def test_raster_input_gives_path_and_bands(controller, sample_layers, sample):
    optical, sar = sample_layers
    inputs = controller.dock.optical_input
    inputs.set_layer(optical)
    assert os.path.samefile(inputs.path(), sample["optical"])
    assert inputs.bands.count() == 1 + 3 and inputs.bands_choice() is None
    inputs.bands.setCurrentIndex(2)
    assert inputs.bands_choice() == (2,)
    inputs.set_layer(None)
    assert inputs.path() == ""


def test_browsed_file_is_an_extra_item(controller, sample):
    inputs = controller.dock.sar_input
    inputs.set_path(sample["sar"])
    assert inputs.path() == sample["sar"] and inputs.combo.currentLayer() is None
    assert inputs.bands.count() == 2


def test_settings_persist_between_sessions(iface, controller):
    from plugin.gui.controller import DockController

    dock = controller.dock
    dock.transform_combo.setCurrentIndex(dock.transform_combo.findData("poly2"))
    dock.device_combo.setCurrentIndex(dock.device_combo.findData("cpu"))
    dock.max_keypoints_spin.setValue(3500)
    dock.search_radius_spin.setValue(250.0)
    dock.mutual_check.setChecked(False)
    dock.matcher_combo.setCurrentIndex(dock.matcher_combo.findData("method"))
    dock.features_combo.setCurrentIndex(dock.features_combo.findData("cfog"))
    dock.self_check_check.setChecked(True)
    dock.ignore_georeferencing_check.setChecked(True)
    saved = load_settings(TEST_SETTINGS)  # saved on every change
    assert (saved.warp_model, saved.device, saved.max_keypoints, saved.search_radius, saved.mutual, saved.matcher, saved.features,
            saved.self_check, saved.ignore_georeferencing) == ("poly2", "cpu", 3500, 250.0, False, "method", "cfog", True, True)
    dock.advanced_box.setCollapsed(False)
    dock.outputs_box.setCollapsed(True)
    controller.unload()  # and when QGIS closes
    saved = load_settings(TEST_SETTINGS)
    assert saved.advanced_open and not saved.outputs_open
    second = DockController(iface, settings_group=TEST_SETTINGS)
    try:
        restored = second.dock.settings()
        assert restored == saved
        options = restored.to_options()
        assert (options.warp_model, options.max_keypoints, options.mutual, options.features, options.self_check, options.use_georeferencing) == \
            ("poly2", 3500, False, "cfog", True, False)
    finally:
        second.unload()


def test_the_tie_point_table_has_a_tab_of_its_own_and_the_outputs_fold(controller, qtbot):
    """The dock on a laptop's screen (430 x 800 px): with the settings above it, the table had room
    for four or five rows. On its own tab, shown once there is a result, it has most of the dock's
    height; folding the Outputs (kept folded in the next session) gives it theirs too."""
    from plugin.gui.dock import REGISTRATION_TAB, TIE_POINTS_TAB

    dock = controller.dock
    dock.setFloating(True)
    dock.resize(430, 800)
    dock.show()
    qtbot.waitExposed(dock)
    assert dock.tabs.currentIndex() == REGISTRATION_TAB and dock.run_button.isVisible()
    dock.show_tie_points()
    assert dock.tabs.currentIndex() == TIE_POINTS_TAB and dock.table.isVisible() and dock.write_button.isVisible()
    rows = lambda: dock.table.viewport().height() // dock.table.verticalHeader().defaultSectionSize()  # noqa: E731
    qtbot.waitUntil(lambda: rows() >= 10)
    assert not dock.outputs_box.isCollapsed()  # open by default
    before = dock.table.height()
    dock.outputs_box.setCollapsed(True)
    qtbot.waitUntil(lambda: dock.table.height() >= before + 200)  # the group's fields and button
    assert rows() >= 18 and not load_settings(TEST_SETTINGS).outputs_open


def test_defaults_match_the_engine():
    from plugin.core import RegistrationOptions

    defaults = DockSettings().to_options()
    assert defaults == RegistrationOptions()


def test_the_automatic_grid_step_reads_as_such_and_a_chosen_one_is_kept(controller):
    spin = controller.dock.grid_step_spin
    assert spin.value() == 0 and spin.text() == "automatic"
    spin.setValue(12)
    assert controller.dock.settings().to_options().grid_step == 12


def test_the_old_default_grid_step_saved_before_it_became_automatic_reads_as_automatic():
    store = QgsSettings()
    clear_settings(TEST_SETTINGS)
    try:
        store.setValue(f"{TEST_SETTINGS}/grid_step", 8)  # what every save wrote before settings had a version
        store.setValue(f"{TEST_SETTINGS}/max_keypoints", 800)
        old = load_settings(TEST_SETTINGS)
        assert (old.grid_step, old.max_keypoints) == (0, 800)
        save_settings(DockSettings(grid_step=8), TEST_SETTINGS)  # chosen since: kept
        assert load_settings(TEST_SETTINGS).grid_step == 8
    finally:
        clear_settings(TEST_SETTINGS)


def test_run_without_inputs_explains_what_to_do(controller, iface):
    assert controller.run() is None
    warning = " ".join(messages(iface, Qgis.Warning))
    assert "Choose an optical and a SAR raster" in warning
    assert not controller.dock.cancel_button.isEnabled()


def test_same_file_twice_is_refused(controller, iface, sample):
    controller.dock.optical_input.set_path(sample["sar"])
    controller.dock.sar_input.set_path(sample["sar"])
    assert controller.run() is None
    assert "same file" in " ".join(messages(iface, Qgis.Warning))


def test_toolbar_action_opens_and_closes_the_dock(iface):
    from plugin.gui.launcher import DockLauncher

    launcher = DockLauncher(iface)
    launcher.init_gui()
    iface.mainWindow().show()
    try:
        launcher.action.trigger()
        assert launcher.controller is not None and launcher.controller.dock.isUserVisible()
        assert launcher.action.isChecked()
        launcher.action.trigger()
        assert not launcher.controller.dock.isUserVisible() and not launcher.action.isChecked()
    finally:
        launcher.unload()
        iface.mainWindow().hide()
    assert launcher.controller is None and launcher.action is None


def test_missing_dependency_is_a_message_not_a_crash(iface, monkeypatch):
    import builtins

    from plugin.gui.launcher import DockLauncher

    real_import = builtins.__import__

    def no_controller(name, *args, **kwargs):
        if name == "controller" or name.endswith(".controller"):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return real_import(name, *args, **kwargs)

    launcher = DockLauncher(iface)
    launcher.init_gui()
    monkeypatch.setattr(builtins, "__import__", no_controller)
    try:
        launcher.action.trigger()
    finally:
        monkeypatch.undo()
        launcher.unload()
    assert "torch" in " ".join(messages(iface, Qgis.Critical))
