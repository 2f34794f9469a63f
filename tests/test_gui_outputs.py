"""Writing the result from the dock: the warped SAR GeoTIFF (georeferenced in the optical grid,
added to the project), the .points file and the GeoPackage; and the refusals."""
import os

import cv2
import numpy as np
import pytest
from osgeo import gdal, ogr
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer

from tests.gui_fixtures import SAMPLE_SHIFT, add_point, controller, iface, messages, synthetic_result, sample  # noqa: F401


@pytest.fixture
def shown(controller, synthetic_result):
    controller._show_result(synthetic_result)
    return controller


def write(controller, qtbot, warped="", points="", geopackage="", overwrite=False, report=""):
    dock = controller.dock
    dock.warped_file.setFilePath(warped)
    dock.points_file.setFilePath(points)
    dock.geopackage_file.setFilePath(geopackage)
    dock.report_file.setFilePath(report)
    dock.overwrite_check.setChecked(overwrite)
    task = controller.write_outputs()
    if task is not None:
        with qtbot.waitSignal(task.done, timeout=120_000):
            pass
    return task


def raster_layers_showing(path):
    return [layer for layer in QgsProject.instance().mapLayers().values() if isinstance(layer, QgsRasterLayer) and layer.source() == path]


def test_a_result_suggests_an_output_that_is_not_an_input(shown, synthetic_result):
    suggested = shown.dock.warped_file.filePath()
    assert suggested.endswith("sar_registered.tif") and suggested not in (synthetic_result.optical.path, synthetic_result.sar.path)


def test_an_existing_output_is_not_proposed_again(shown, synthetic_result, tmp_path):
    taken = tmp_path / "taken.tif"
    taken.write_bytes(b"")
    shown.dock.warped_file.setFilePath(str(taken))
    shown._show_result(synthetic_result)
    assert shown.dock.warped_file.filePath() == str(tmp_path / "sar_registered.tif")


def test_writes_georeferenced_warped_sar_and_tie_points(shown, qtbot, tmp_path, sample, iface):
    warped, points, geopackage = (str(tmp_path / name) for name in ("warped.tif", "tie.points", "tie.gpkg"))
    task = write(shown, qtbot, warped, points, geopackage)
    assert task.succeeded and [kind for kind, _ in task.result] == ["warped", "points", "geopackage"]
    output, optical = gdal.Open(warped), gdal.Open(sample["optical"])
    assert output.GetGeoTransform() == optical.GetGeoTransform() and output.GetProjection() == optical.GetProjection()
    assert (output.RasterXSize, output.RasterYSize) == (768, 768)
    # The known shift: warped pixel p shows SAR pixel p - SAMPLE_SHIFT.
    sar = gdal.Open(sample["sar"]).ReadAsArray().astype(np.float32)
    shift = np.float32([[1, 0, SAMPLE_SHIFT[0]], [0, 1, SAMPLE_SHIFT[1]]])
    expected = cv2.warpAffine(sar, shift, (768, 768), flags=cv2.INTER_LINEAR)[100:600, 100:600]
    inside = output.ReadAsArray().astype(float)[100:600, 100:600]
    assert np.corrcoef(inside.ravel(), expected.ravel())[0, 1] > 0.98
    assert len(raster_layers_showing(warped)) == 1 and raster_layers_showing(warped)[0].isValid()
    assert raster_layers_showing(warped)[0].dataProvider().hasPyramids()  # QGIS draws it zoomed out from its overviews
    assert len(open(points).read().splitlines()) == 2 + 40  # the CRS line, the header
    # QGIS reads the CRS line as the Georeferencer does (without it: the project's CRS) and finds the optical's.
    crs_line = open(points).readline().rstrip("\n")
    assert QgsCoordinateReferenceSystem(crs_line.replace("#CRS: ", "")) == QgsCoordinateReferenceSystem.fromWkt(optical.GetProjection())
    assert ogr.Open(geopackage).GetLayer(0).GetFeatureCount() == 40
    assert "Wrote" in " ".join(messages(iface, Qgis.Success))


def test_writes_what_the_layers_show(shown, qtbot, tmp_path):
    """Edits and the chosen transform apply to the outputs even without pressing Re-fit."""
    optical = shown.layers.layer("optical")
    assert optical.startEditing()
    for feature in list(optical.getFeatures())[:30]:
        optical.deleteFeature(feature.id())
    assert optical.commitChanges()
    shown.dock.transform_combo.setCurrentIndex(shown.dock.transform_combo.findData("homography"))
    points = str(tmp_path / "edited.points")
    assert write(shown, qtbot, points=points).succeeded
    assert len(open(points).read().splitlines()) == 2 + 10
    assert shown.result.fit.model == "homography" and shown.dock.table_model.rowCount() == 10


def test_writes_the_points_the_user_added(shown, qtbot, tmp_path, iface):
    """A tie point added in the optical layer with its SAR position typed in is written to the
    .points file and the GeoPackage, even without pressing Re-fit; one with no SAR position is
    named in a warning and left out. The GeoPackage keeps the layers' ids (point 3 deleted)."""
    optical = shown.layers.layer("optical")
    assert optical.startEditing()
    optical.deleteFeature(next(feature.id() for feature in optical.getFeatures() if feature["id"] == 3))
    sar_xy = np.array([250.0, 420.0])
    add_point(optical, shown.layers.frame("optical")[0], sar_xy + SAMPLE_SHIFT, sar_x=float(sar_xy[0]), sar_y=float(sar_xy[1]))
    add_point(optical, shown.layers.frame("optical")[0], (100.0, 100.0))
    points, geopackage = str(tmp_path / "added.points"), str(tmp_path / "added.gpkg")
    assert write(shown, qtbot, points=points, geopackage=geopackage).succeeded
    assert len(open(points).read().splitlines()) == 2 + 40
    source = ogr.Open(geopackage)  # kept: its layer lives only as long as it does
    written = {feature.GetField("id"): (feature.GetField("sar_x"), feature.GetField("sar_y"), feature.GetField("enabled"))
               for feature in source.GetLayer(0)}
    assert sorted(written) == [i for i in range(41) if i != 3] and written[40] == (250.0, 420.0, 1)
    assert "1 added point(s) not used (id 41 in the optical layer)" in " ".join(messages(iface, Qgis.Warning))


def test_writes_a_report_of_the_fit_and_every_tie_point_as_the_layers_show_them(shown, qtbot, tmp_path, iface):
    """The report a surveyor files: the RMSE in optical pixels and on the ground, the files written
    with it, and every tie point with its residual, the user's edits included. An existing report is
    replaced only with Overwrite on."""
    from plugin.core.ground import rmse_m
    from tests.test_processing import report_tie_points

    optical = shown.layers.layer("optical")
    assert optical.startEditing()
    optical.changeAttributeValue(next(f.id() for f in optical.getFeatures() if f["id"] == 5), optical.fields().indexOf("enabled"), 0)
    assert optical.commitChanges()
    warped, report = str(tmp_path / "warped.tif"), str(tmp_path / "report.html")
    assert write(shown, qtbot, warped=warped, report=report).succeeded
    page = open(report, encoding="utf-8").read()
    assert f"<th align='left'>Registered SAR</th><td>{warped}</td>" in page
    assert f"Fit RMSE (optical pixels)</th><td>{shown.result.fit.rmse:.3f}" in page
    assert f"Fit RMSE (metres on the ground)</th><td>{rmse_m(shown.result):.3f}" in page
    points = {int(row["Id"]): row for row in report_tie_points(page)}
    assert sorted(points) == list(range(40)) and sum(row["Used"] == "yes" for row in points.values()) == 35
    assert points[5]["Used"] == "no" and points[5]["Rejected by"] == "you"
    assert points[5]["Left out (px)"] == "" and all(float(row["Left out (px)"]) < 0.01 for row in points.values() if row["Used"] == "yes")
    assert any(f"Wrote {warped}, {report}." in message for message in messages(iface, Qgis.Success))
    # written again without Overwrite: refused, the report left as it was
    assert not write(shown, qtbot, report=report).succeeded and "already exists" in " ".join(messages(iface, Qgis.Warning))
    assert open(report, encoding="utf-8").read() == page


def test_existing_output_needs_overwrite(shown, qtbot, tmp_path, iface):
    warped = str(tmp_path / "warped.tif")
    open(warped, "w").close()
    task = write(shown, qtbot, warped)
    assert not task.succeeded and "already exists" in " ".join(messages(iface, Qgis.Warning))
    assert os.path.getsize(warped) == 0
    assert write(shown, qtbot, warped, overwrite=True).succeeded
    assert gdal.Open(warped).RasterXSize == 768
    assert write(shown, qtbot, warped, overwrite=True).succeeded  # again: the layer is reloaded, not added twice
    assert len(raster_layers_showing(warped)) == 1


def test_an_input_is_never_overwritten(shown, qtbot, tmp_path, iface, synthetic_result):
    before = open(synthetic_result.sar.path, "rb").read()
    task = write(shown, qtbot, synthetic_result.sar.path, overwrite=True)
    assert not task.succeeded and "is one of the input rasters" in " ".join(messages(iface, Qgis.Warning))
    assert open(synthetic_result.sar.path, "rb").read() == before


def test_two_outputs_of_one_name_are_refused(shown, qtbot, tmp_path, iface):
    """With overwrite on, the tie points would replace the GeoTIFF just written, and both be reported written."""
    same = str(tmp_path / "out.tif")
    assert write(shown, qtbot, warped=same, points=same, overwrite=True) is None
    assert "would replace the other" in " ".join(messages(iface, Qgis.Warning))
    assert not os.path.exists(same)
    assert write(shown, qtbot, geopackage=same, report=same, overwrite=True) is None
    assert "The outputs 'GeoPackage' and 'Report' are both" in " ".join(messages(iface, Qgis.Warning))
    assert not os.path.exists(same)


def test_no_output_chosen(shown, qtbot, iface):
    assert write(shown, qtbot) is None
    assert "No output file is chosen" in " ".join(messages(iface, Qgis.Warning))


def test_nothing_to_write_before_a_run(controller, qtbot, iface, tmp_path):
    assert write(controller, qtbot, str(tmp_path / "x.tif")) is None
    assert "no registration result" in " ".join(messages(iface, Qgis.Warning))


def test_the_docks_cancel_during_the_warp_writes_nothing(shown, qtbot, tmp_path, iface, monkeypatch):
    """The dock's Cancel, pressed while the SAR is warped (seconds on a Sentinel-2 tile), stops the
    warp: no file, no half-written one, and the user is told that nothing was written."""
    import threading
    import time

    from plugin.core import outputs

    write_warped, heard, warping = outputs.write_warped_sar, [], threading.Event()

    def a_warp_that_lasts_until_cancelled(result, path, overwrite=False, progress=None, grid="optical"):
        warping.set()
        deadline = time.monotonic() + 30
        while not shown.write_task.isCanceled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return write_warped(result, path, overwrite=overwrite, progress=lambda fraction: heard.append(fraction) or progress(fraction), grid=grid)

    monkeypatch.setattr(outputs, "write_warped_sar", a_warp_that_lasts_until_cancelled)
    warped, points = str(tmp_path / "warped.tif"), str(tmp_path / "tie.points")
    dock = shown.dock
    dock.warped_file.setFilePath(warped)
    dock.points_file.setFilePath(points)
    dock.geopackage_file.setFilePath("")
    task = shown.write_outputs()
    assert dock.cancel_button.isEnabled() and not dock.write_button.isEnabled()
    qtbot.waitUntil(warping.is_set, timeout=30_000)
    with qtbot.waitSignal(task.done, timeout=60_000):
        dock.cancel_button.click()
    assert heard and not task.succeeded
    assert sorted(os.listdir(tmp_path)) == []
    assert "Cancelled; nothing was written." in " ".join(messages(iface, Qgis.Info))
    assert not dock.cancel_button.isEnabled() and dock.write_button.isEnabled()


def test_cancelled_after_the_warp_names_what_was_written(shown, qtbot, tmp_path, iface, monkeypatch):
    """Cancel pressed once the warp is done stops before the next file, and the user is told which
    file was written (it is shown), not that nothing was."""
    from plugin.core import outputs

    write_warped = outputs.write_warped_sar

    def warp_while_the_user_cancels(result, path, overwrite=False, progress=None, grid="optical"):
        written = write_warped(result, path, overwrite=overwrite, grid=grid)
        shown.write_task.cancel()
        return written

    monkeypatch.setattr(outputs, "write_warped_sar", warp_while_the_user_cancels)
    warped, points = str(tmp_path / "warped.tif"), str(tmp_path / "tie.points")
    task = write(shown, qtbot, warped, points)
    assert os.path.exists(warped) and not os.path.exists(points)
    said = " ".join(messages(iface, Qgis.Info))
    assert f"Cancelled after writing {warped}" in said and "nothing was written" not in said
    assert len(raster_layers_showing(warped)) == 1 and task.stopped_early


def test_a_sar_layer_from_a_geopackage_table(controller, sample, tmp_path):
    """Two rasters in one GeoPackage: the dock gives the engine the table's GDAL name, not the bare
    file (which GDAL cannot read with two tables in it), and proposes the output beside the file."""
    geopackage = str(tmp_path / "scenes.gpkg")
    for table in ("optical", "sar"):
        dataset = gdal.Open(sample[table])
        x, width, _, y, _, height = dataset.GetGeoTransform()  # north up: a GeoPackage holds no rotated grid
        gdal.Translate(geopackage, dataset, format="GPKG", creationOptions=[f"RASTER_TABLE={table}", "APPEND_SUBDATASET=YES"],
                       outputBounds=[x, y, x + dataset.RasterXSize * width, y + dataset.RasterYSize * height])
    layer = QgsRasterLayer(f"GPKG:{geopackage}:sar", "sar", "gdal")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    controller.dock.sar_input.set_layer(layer)
    assert controller.dock.sar_input.path() == f"GPKG:{geopackage}:sar"
    assert len(controller.dock.sar_input.bands.itemText(1)) > 0  # its band list was read
    controller.dock.warped_file.setFilePath("")
    controller._suggest_output(controller.dock.sar_input.path())
    assert controller.dock.warped_file.filePath() == str(tmp_path / "sar_registered.tif")
