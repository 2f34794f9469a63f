"""The dock's Open tie points: tie points saved earlier (the dock's GeoPackage, a project's
GeoPackage, a Georeferencer .points file) come back as the editable layers, on the rasters chosen
in the dock, and the refusals. The dock's layers live in memory, so this is how a user carries
edited tie points from one QGIS session to the next."""
import dataclasses
import os

import numpy as np
import pytest
from osgeo import gdal, ogr
from qgis.core import Qgis, QgsProject

from plugin.core import outputs
from plugin.core.tie_point_files import recorded_rasters
from tests.gui_fixtures import (SAMPLE_SHIFT, add_point, controller, iface, messages, sample, sample_layers,  # noqa: F401
                                synthetic_result)
from tests.test_gui_outputs import write


@pytest.fixture
def chosen(controller, sample_layers):
    """The dock with the sample chosen as the optical and the SAR raster, and no result yet."""
    optical, sar = sample_layers
    controller.dock.optical_input.set_layer(optical)
    controller.dock.sar_input.set_layer(sar)
    return controller


def tie_point_layers():
    return [layer for layer in QgsProject.instance().mapLayers().values() if layer.name().startswith("Tie points")]


def warnings(iface):
    return " ".join(messages(iface, Qgis.Warning))


def test_edited_tie_points_written_as_geopackage_open_again_with_their_edits(chosen, synthetic_result, qtbot, tmp_path, iface):
    """One session: points deleted, disabled and added, the GeoPackage written. The next: the same
    points, ids, flags and fit, ready to edit and write again."""
    chosen._show_result(synthetic_result)
    optical = chosen.layers.layer("optical")
    assert optical.startEditing()
    for feature in list(optical.getFeatures()):
        if feature["id"] == 3:
            optical.deleteFeature(feature.id())
        elif feature["id"] == 5:
            optical.changeAttributeValue(feature.id(), optical.fields().indexOf("enabled"), 0)
    sar_xy = np.array([250.0, 420.0])
    add_point(optical, chosen.layers.frame("optical")[0], sar_xy + SAMPLE_SHIFT, sar_x=float(sar_xy[0]), sar_y=float(sar_xy[1]))
    saved = str(tmp_path / "tie.gpkg")
    assert write(chosen, qtbot, geopackage=saved).succeeded
    before = chosen.result
    # QGIS closed: the memory layers and the dock's result are gone
    QgsProject.instance().removeMapLayers([layer.id() for layer in tie_point_layers()])
    chosen.result = chosen.layers = None

    assert chosen.open_tie_points(saved)
    opened = chosen.result.tie_points
    assert list(opened.ids) == list(before.tie_points.ids) and 3 not in opened.ids and 40 in opened.ids
    np.testing.assert_allclose(opened.sar_xy, before.tie_points.sar_xy, atol=1e-9)
    np.testing.assert_allclose(opened.optical_xy, before.tie_points.optical_xy, atol=1e-6)
    assert list(opened.enabled) == list(before.tie_points.enabled) and not opened.enabled[list(opened.ids).index(5)]
    np.testing.assert_allclose(chosen.result.fit.sar_to_optical, before.fit.sar_to_optical, atol=1e-6)
    assert {layer.featureCount() for layer in tie_point_layers()} == {40}
    assert chosen.dock.table_model.rowCount() == 40 and chosen.dock.write_button.isEnabled()
    assert "Opened tie.gpkg: 35 of 40 matches used" in " ".join(messages(iface, Qgis.Success))

    # and they edit and write as after a run: point 40 disabled, the GeoPackage written again over the opened one
    optical = chosen.layers.layer("optical")
    assert optical.startEditing()
    optical.changeAttributeValue(chosen.layers.feature_id("optical", 40), optical.fields().indexOf("enabled"), 0)
    warped = str(tmp_path / "warped.tif")
    assert write(chosen, qtbot, warped=warped, geopackage=saved, overwrite=True).succeeded
    assert chosen.result.tie_points.enabled.sum() == 34 and gdal.Open(warped).RasterXSize == 768
    source = ogr.Open(saved)
    assert sorted(f.GetField("id") for f in source.GetLayer(0) if f.GetField("enabled")) == [
        i for i in range(40) if i not in (3, 5) and i < 36]


def test_a_project_read_again_gets_its_empty_tie_point_layers_replaced(chosen, synthetic_result, tmp_path):
    """QGIS reads a saved project back with the dock's memory layers empty; opening the tie
    points again replaces those shells and their group instead of showing them beside the new
    layers. Layers that hold points (an earlier run of this session) stay."""
    chosen._show_result(synthetic_result)
    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    project = QgsProject.instance()
    assert project.write(str(tmp_path / "project.qgz"))
    project.clear()
    assert project.read(str(tmp_path / "project.qgz"))
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [0, 0]  # what QGIS keeps of a memory layer
    project.layerTreeRoot().addGroup("my empty group")

    def groups():  # name -> how many, of the groups that hold layers; and the names of all
        nodes = [node for node in project.layerTreeRoot().children() if node.nodeType() == 0]
        return [node.name() for node in nodes if node.children()], [node.name() for node in nodes]

    read_back = groups()
    assert chosen.open_tie_points(saved)
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [40, 40]
    assert groups()[0] == read_back[0] == ["Registration of sar.tif"]  # the shells' group went, the new one came
    assert len(groups()[1]) == len(read_back[1]) and "my empty group" in groups()[1]  # and no other group
    assert chosen.open_tie_points(saved)
    assert sorted(layer.featureCount() for layer in tie_point_layers()) == [40] * 4


def test_a_georeferencer_points_file_opens(chosen, synthetic_result, tmp_path, iface):
    saved = outputs.write_points_file(synthetic_result, str(tmp_path / "tie.points"))
    assert chosen.open_tie_points(saved)
    assert len(chosen.result.tie_points) == 40 and chosen.result.tie_points.enabled.sum() == 36
    assert chosen.result.fit.rmse < 1e-6  # the sample's known shift, exactly
    np.testing.assert_allclose(chosen.result.fit.sar_to_optical[:2, 2], SAMPLE_SHIFT, atol=1e-6)
    assert len(tie_point_layers()) == 2


def test_the_tie_points_of_a_project_geopackage_are_found_among_its_layers(chosen, synthetic_result, tmp_path):
    project = str(tmp_path / "project.gpkg")
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(project)
    dataset.CreateLayer("roads", None, ogr.wkbLineString)
    dataset = None
    outputs.write_geopackage(synthetic_result, project, overwrite=True)
    assert chosen.open_tie_points(project) and len(chosen.result.tie_points) == 40


def test_the_button_asks_for_the_file(chosen, synthetic_result, tmp_path, monkeypatch):
    from plugin.gui import controller as controller_module

    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    answers = iter([("", ""), (saved, "")])  # the dialog closed without a file, then a file chosen
    monkeypatch.setattr(controller_module.QFileDialog, "getOpenFileName", lambda *args, **kwargs: next(answers))
    chosen.dock.open_points_button.click()
    assert chosen.result is None and not tie_point_layers()
    chosen.dock.open_points_button.click()
    assert chosen.result is not None and len(tie_point_layers()) == 2


def test_the_rasters_a_geopackage_was_written_for_are_chosen(controller, sample_layers, synthetic_result, tmp_path, iface):
    """A GeoPackage records the rasters its tie points were measured on: opened in a dock with
    none chosen, it chooses them, the project's layers where it has them."""
    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    assert recorded_rasters(saved) == (os.path.abspath(synthetic_result.optical.path), os.path.abspath(synthetic_result.sar.path))
    assert controller.open_tie_points(saved) and len(controller.result.tie_points) == 40
    assert controller.dock.optical_input.combo.currentLayer() is sample_layers[0]
    assert controller.dock.sar_input.combo.currentLayer() is sample_layers[1]
    assert not warnings(iface)


def test_a_raster_not_in_the_project_is_chosen_as_a_file(controller, synthetic_result, tmp_path):
    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    assert controller.open_tie_points(saved)
    assert controller.dock.sar_input.path() == os.path.abspath(synthetic_result.sar.path)


@pytest.mark.parametrize("record", ["none", "moved"])
def test_opening_needs_the_two_rasters_where_the_file_names_none_that_exists(controller, synthetic_result, tmp_path, iface, record):
    saved = (outputs.write_points_file(synthetic_result, str(tmp_path / "tie.points")) if record == "none" else
             outputs.write_geopackage(dataclasses.replace(synthetic_result, sar=dataclasses.replace(
                 synthetic_result.sar, path=str(tmp_path / "gone" / "sar.tif"))), str(tmp_path / "tie.gpkg")))
    from plugin.gui.dock import REGISTRATION_TAB, TIE_POINTS_TAB

    controller.dock.show_tie_points()  # where Open tie points is
    assert not controller.open_tie_points(saved)
    assert "Choose the optical and the SAR raster the tie points were measured on first." in warnings(iface)
    assert controller.dock.tabs.currentIndex() == REGISTRATION_TAB  # where the two lists are
    assert controller.result is None and not tie_point_layers()


def test_a_chosen_raster_other_than_the_recorded_one_is_named(chosen, synthetic_result, tmp_path, iface):
    """The same scene under another name (a copy, a second processing) is allowed, with a warning
    that names both: only the user knows whether it is the raster the points were measured on."""
    copy = str(tmp_path / "sar_copy.tif")
    gdal.Translate(copy, synthetic_result.sar.path)
    chosen.dock.sar_input.set_path(copy)
    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    assert chosen.open_tie_points(saved)
    said = warnings(iface)
    assert f"The tie points were written for '{os.path.abspath(synthetic_result.sar.path)}' and are shown on '{copy}'." in said
    assert said.count("The tie points were written for") == 1  # the optical is the recorded one


def test_tie_points_of_another_sar_raster_are_refused(chosen, synthetic_result, tmp_path, iface):
    clip = str(tmp_path / "clip.tif")
    gdal.Translate(clip, synthetic_result.sar.path, srcWin=[0, 0, 300, 300])
    chosen.dock.sar_input.set_path(clip)
    saved = outputs.write_geopackage(synthetic_result, str(tmp_path / "tie.gpkg"))
    assert not chosen.open_tie_points(saved)
    assert "of the 36 enabled tie points lie outside the SAR raster 'clip.tif' (300 x 300 px)" in warnings(iface)
    assert chosen.result is None and not tie_point_layers()


@pytest.mark.parametrize("what", ["no tie-point layer", "not a file"])
def test_a_file_without_tie_points_is_refused_with_what_to_choose(chosen, tmp_path, iface, what):
    path = str(tmp_path / "roads.gpkg")
    if what == "no tie-point layer":
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        dataset.CreateLayer("roads", None, ogr.wkbLineString)
        dataset = None
        said = "holds no tie-point layer (a point layer with the fields 'sar_x' and 'sar_y')"
    else:
        said = "does not exist"
    assert not chosen.open_tie_points(path)
    assert said in warnings(iface) and chosen.result is None and not tie_point_layers()
