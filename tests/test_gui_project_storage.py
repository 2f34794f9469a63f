"""The dock's tie points kept in the QGIS project: saved and read again, the layers come back with
their points and the user's edits (QGIS alone brings memory layers back empty), and the dock takes
them up as its result again, ready to Re-fit and Write."""
import numpy as np
import pytest
from qgis.core import Qgis, QgsGeometry, QgsPointXY, QgsProject

from plugin.core.raster_io import pixel_to_map
from tests.gui_fixtures import (SAMPLE_SHIFT, add_point, controller, iface, messages, sample, sample_layers,  # noqa: F401
                                synthetic_result)
from tests.test_gui_layers import features_by_id
from tests.test_gui_open_tie_points import tie_point_layers
from tests.test_gui_outputs import write


@pytest.fixture
def storage(iface):
    from plugin.gui.project_storage import ProjectStorage

    made = ProjectStorage(QgsProject.instance())  # what the plugin connects when it loads
    yield made
    made.disconnect()


def saved_and_read_again(controller, path):
    """The project written, then read in a new session: the dock has no result of its own."""
    project = QgsProject.instance()
    assert project.write(str(path))
    controller.result = controller.layers = None
    project.clear()
    assert project.read(str(path))


def test_tie_points_and_their_edits_come_back_with_the_project(controller, storage, synthetic_result, qtbot, tmp_path, iface):
    controller._show_result(synthetic_result)
    optical, sar = controller.layers.layer("optical"), controller.layers.layer("sar")
    assert optical.startEditing()
    optical.changeAttributeValue(features_by_id(optical)[5].id(), optical.fields().indexOf("enabled"), 0)
    assert optical.commitChanges()
    sar_xy = np.array([250.0, 420.0])
    add_point(optical, controller.layers.frame("optical")[0], sar_xy + SAMPLE_SHIFT, sar_x=float(sar_xy[0]), sar_y=float(sar_xy[1]))  # id 40
    optical.deleteFeature(features_by_id(optical)[3].id())  # left in the edit buffer: written as shown
    assert sar.startEditing()
    moved = synthetic_result.tie_points.sar_xy[7] + [1.5, 0.0]
    x, y = pixel_to_map(controller.layers.frame("sar")[0], moved[None])[0]
    sar.changeGeometry(features_by_id(sar)[7].id(), QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
    assert sar.commitChanges()

    saved_and_read_again(controller, tmp_path / "project.qgz")
    assert controller.result is not None, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    tie = controller.result.tie_points
    by_id = {int(point_id): index for index, point_id in enumerate(tie.ids)}
    assert sorted(by_id) == [i for i in range(41) if i != 3]  # 3 deleted (in one layer), 40 added
    assert not tie.enabled[by_id[5]] and tie.enabled[by_id[40]] and tie.enabled.sum() == 35
    np.testing.assert_allclose(tie.sar_xy[by_id[7]], moved, atol=1e-6)  # moved in the SAR-side layer
    np.testing.assert_allclose(tie.sar_xy[by_id[40]], sar_xy, atol=1e-6)
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [40, 40]
    assert controller.dock.table_model.rowCount() == 40 and controller.dock.write_button.isEnabled()
    assert any("Tie points kept in the project: 35 of 40 matches used" in m for m in messages(iface, Qgis.Info))
    assert controller.dock.sar_input.path() == synthetic_result.sar.path
    # Re-fit and Write as after a run
    assert controller.refit()
    assert write(controller, qtbot, warped=str(tmp_path / "again.tif")).succeeded


def test_layers_kept_by_an_earlier_version_get_their_residuals_in_metres(controller, storage, synthetic_result, tmp_path, iface):
    """Layers saved before the layers had ``residual_m`` come back without it: the dock adds the
    field when it takes them up, and fills it as for layers it makes."""
    controller._show_result(synthetic_result)
    for layer in tie_point_layers():  # as an earlier version made them
        assert layer.dataProvider().deleteAttributes([layer.fields().indexOf("residual_m")])
        layer.updateFields()
    saved_and_read_again(controller, tmp_path / "project.qgz")
    assert controller.result is not None, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    metres = dict(zip(controller.layers.state.ids.tolist(), controller.layers.state.metres))
    for layer in tie_point_layers():
        assert "residual_m" in layer.fields().names()
        values = {feature["id"]: feature["residual_m"] for feature in layer.getFeatures()}
        assert len(values) == 40 and all(value == pytest.approx(metres[point_id], abs=1e-9) for point_id, value in values.items())


def test_a_dock_opened_after_the_project_was_read_takes_the_tie_points(iface, qtbot, storage, synthetic_result, tmp_path):
    """QGIS opened with a project: the dock is made later, when its button is pressed."""
    from plugin.gui.controller import DockController
    from plugin.gui.settings import clear_settings
    from tests.gui_fixtures import TEST_SETTINGS

    clear_settings(TEST_SETTINGS)
    first = DockController(iface, settings_group=TEST_SETTINGS)
    first._show_result(synthetic_result)
    saved_and_read_again(first, tmp_path / "project.qgz")
    first.result = first.layers = None  # only the dock made next counts here
    first.unload()
    later = DockController(iface, settings_group=TEST_SETTINGS)
    try:
        assert later.result is not None and len(later.result.tie_points) == 40
        assert later.layers.layer("optical") is not None and later.layers.layer("optical").featureCount() == 40
    finally:
        later.unload()
        clear_settings(TEST_SETTINGS)


def test_without_the_storage_the_project_brings_the_layers_back_empty(controller, synthetic_result, tmp_path):
    """What QGIS does by itself, which the storage is there for (and what remove_empty_shells tidies)."""
    controller._show_result(synthetic_result)
    saved_and_read_again(controller, tmp_path / "project.qgz")
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [0, 0] and controller.result is None


def test_a_project_whose_rasters_are_gone_keeps_its_points_and_the_dock_takes_them_once_a_raster_is_added(
        controller, storage, synthetic_result, sample, tmp_path, iface):
    """The points stay to see; the dock says which raster it misses and how to bring it, and takes
    the tie points up when a raster of that file name is added to the project."""
    import dataclasses
    import os
    import shutil

    from qgis.core import QgsRasterLayer

    moved_sar = str(tmp_path / "sar.tif")
    shutil.copy(sample["sar"], moved_sar)
    controller._show_result(dataclasses.replace(synthetic_result, sar=dataclasses.replace(synthetic_result.sar, path=moved_sar)))
    os.remove(moved_sar)
    iface.messageBar().clearWidgets()
    saved_and_read_again(controller, tmp_path / "project.qgz")
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [40, 40] and controller.result is None
    warnings = messages(iface, Qgis.Warning)
    assert len(warnings) == 1 and f"'{moved_sar}' (SAR)" in warnings[0] and "' (optical)" not in warnings[0], warnings

    QgsProject.instance().addMapLayer(QgsRasterLayer(sample["optical"], "another raster"))  # not the one missing: still waiting
    assert controller.result is None and len(messages(iface, Qgis.Warning)) == 1
    found_elsewhere = tmp_path / "found" / "sar.tif"
    found_elsewhere.parent.mkdir()
    shutil.copy(sample["sar"], found_elsewhere)
    QgsProject.instance().addMapLayer(QgsRasterLayer(str(found_elsewhere), "sar"))
    assert controller.result is not None and len(controller.result.tie_points) == 40
    assert controller.result.sar.path == str(found_elsewhere)
    assert any("Tie points kept in the project" in m for m in messages(iface, Qgis.Info))


def test_a_project_moved_with_its_rasters_finds_them_by_name(controller, storage, synthetic_result, sample, tmp_path, iface):
    """A project folder copied to another place or machine: QGIS finds its raster layers relative to
    the project, and the tie points, which record the old paths, go with the project's layers of
    those names."""
    import dataclasses
    import shutil

    from qgis.core import QgsRasterLayer

    first = tmp_path / "survey"
    first.mkdir()
    paths = {key: shutil.copy(sample[key], first) for key in ("optical", "sar")}
    QgsProject.instance().addMapLayers([QgsRasterLayer(paths["optical"], "optical", "gdal"), QgsRasterLayer(paths["sar"], "sar", "gdal")])
    controller._show_result(dataclasses.replace(
        synthetic_result, optical=dataclasses.replace(synthetic_result.optical, path=paths["optical"]),
        sar=dataclasses.replace(synthetic_result.sar, path=paths["sar"])))
    assert QgsProject.instance().write(str(first / "project.qgz"))
    controller.result = controller.layers = None  # a new session
    QgsProject.instance().clear()
    moved = shutil.move(str(first), str(tmp_path / "elsewhere"))
    assert QgsProject.instance().read(f"{moved}/project.qgz")
    assert controller.result is not None, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    assert controller.result.sar.path == f"{moved}/sar.tif" and controller.dock.sar_input.combo.currentLayer().name() == "sar"
    assert len(controller.result.tie_points) == 40


def test_qgis_asks_to_save_the_project_instead_of_warning_that_the_points_will_be_lost(controller, storage, synthetic_result, tmp_path):
    """QGIS warns on closing a project whose memory layers hold features that they will be lost,
    unless a layer says otherwise (``skipMemoryLayersCheck``), and committed edits to a memory
    layer do not mark the project changed. The plugin keeps the points with the project, so the
    layers say so, and the project is marked changed when their points are, so QGIS asks to save it."""
    from plugin.gui.project_storage import QGIS_SKIP_MEMORY_CHECK

    project = QgsProject.instance()
    project.setDirty(False)
    controller._show_result(synthetic_result)
    assert project.isDirty()  # new tie points
    layers = tie_point_layers()
    assert len(layers) == 2 and all(int(layer.customProperty(QGIS_SKIP_MEMORY_CHECK, 0)) == 1 for layer in layers)
    path = str(tmp_path / "project.qgz")
    assert project.write(path) and not project.isDirty()
    optical, sar = controller.layers.layer("optical"), controller.layers.layer("sar")
    assert optical.startEditing()
    optical.changeAttributeValue(features_by_id(optical)[5].id(), optical.fields().indexOf("enabled"), 0)
    assert not project.isDirty()  # in the edit buffer: QGIS itself asks about edits in progress
    assert optical.commitChanges() and project.isDirty()
    assert project.write(path) and not project.isDirty()
    assert sar.startEditing() and sar.deleteFeature(features_by_id(sar)[7].id()) and sar.commitChanges()
    assert project.isDirty()

    saved_and_read_again(controller, path)  # the layers read back, and the dock's taking them up, change nothing
    assert controller.result is not None and not project.isDirty()
    layers = tie_point_layers()
    assert all(int(layer.customProperty(QGIS_SKIP_MEMORY_CHECK, 0)) == 1 for layer in layers)
    optical = controller.layers.layer("optical")
    assert optical.startEditing() and optical.deleteFeature(features_by_id(optical)[9].id()) and optical.commitChanges()
    assert project.isDirty()

    storage.disconnect()  # the plugin unloaded: nothing keeps the points any more, so QGIS warns again
    assert all(layer.customProperty(QGIS_SKIP_MEMORY_CHECK) is None for layer in tie_point_layers())
    project.setDirty(False)
    assert optical.startEditing() and optical.deleteFeature(features_by_id(optical)[11].id()) and optical.commitChanges()
    assert not project.isDirty()
