"""Tie-point layers from a result, the user's edits, and Re-fit (no network: known tie points
on the sample, optical = SAR + SAMPLE_SHIFT, the sample's truth)."""
import numpy as np
import pytest
from qgis.core import (Qgis, QgsCategorizedSymbolRenderer, QgsExpression, QgsExpressionContext, QgsExpressionContextUtils, QgsGeometry, QgsPointXY, QgsProject)
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.core import NULL

from plugin.core.outputs import PIXEL_SPACE_GEOTRANSFORM
from plugin.core.raster_io import pixel_to_map
from plugin.gui.layers import TiePointLayers
from plugin.gui.points_table import ID, LEFT_OUT, RESIDUAL, RESIDUAL_M, USED
from tests.gui_fixtures import SAMPLE_SHIFT, add_point, controller, iface, messages, synthetic_result, sample  # noqa: F401

TRUTH = np.array([[1, 0, SAMPLE_SHIFT[0]], [0, 1, SAMPLE_SHIFT[1]], [0, 0, 1]])


@pytest.fixture
def shown(controller, synthetic_result):
    controller._show_result(synthetic_result)
    return controller


def features_by_id(layer):
    return {feature["id"]: feature for feature in layer.getFeatures()}


def set_enabled(layer, point_id, value):
    feature = features_by_id(layer)[point_id]
    assert layer.isEditable() or layer.startEditing()
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("enabled"), value)
    assert layer.commitChanges()


def test_layers_are_added_with_attributes_and_positions(shown, synthetic_result):
    optical, sar = shown.layers.layer("optical"), shown.layers.layer("sar")
    assert optical.featureCount() == sar.featureCount() == len(synthetic_result.tie_points) == 40
    assert [f.name() for f in optical.fields()] == ["id", "optical_x", "optical_y", "sar_x", "sar_y", "distance", "enabled",
                                                    "rejected_by", "dx", "dy", "residual", "residual_m", "left_out"]
    assert optical.crs().authid() == "EPSG:3395" and sar.crs().authid() == "EPSG:3395"  # the sample SAR is georeferenced
    group = QgsProject.instance().layerTreeRoot().findLayer(optical.id()).parent()
    assert group.name() == "Registration of sar.tif" and {child.layerId() for child in group.children()} == {optical.id(), sar.id()}
    assert group.findLayer(optical.id()).isVisible() and not group.findLayer(sar.id()).isVisible()
    tie = synthetic_result.tie_points
    expected_optical = pixel_to_map(synthetic_result.optical.geotransform, tie.optical_xy)
    expected_sar = pixel_to_map(synthetic_result.sar.geotransform, tie.sar_xy)
    for point_id, feature in features_by_id(optical).items():
        point = feature.geometry().asPoint()
        assert np.allclose([point.x(), point.y()], expected_optical[point_id])
        assert feature["enabled"] == int(tie.enabled[point_id]) and feature["rejected_by"] == tie.rejected_by[point_id]
        assert np.isclose(feature["residual"], np.hypot(*synthetic_result.fit.residuals[point_id]))
    for point_id, feature in features_by_id(sar).items():
        point = feature.geometry().asPoint()
        assert np.allclose([point.x(), point.y()], expected_sar[point_id])


def test_kept_and_rejected_points_look_different(shown):
    layer = shown.layers.layer("optical")
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    categories = renderer.categories()  # keep the copies alive: each owns its symbol
    symbols = {category.value(): category.symbol() for category in categories}
    assert {"kept", "ransac", "template", "mutual", "adaptive_threshold", "user", "other", "added"} == set(symbols)
    assert symbols["kept"].color() != symbols["ransac"].color() and symbols["kept"].color() != symbols["user"].color()
    expression = QgsExpression(renderer.classAttribute())
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    status = {}
    for feature in layer.getFeatures():
        context.setFeature(feature)
        status[feature["id"]] = expression.evaluate(context)
    assert {status[i] for i in range(36)} == {"kept"} and {status[i] for i in range(36, 40)} == {"ransac"}


def rendered(layer, centre, half_width, size=200):
    """The layer drawn alone over a square of ``half_width`` map units around ``centre``."""
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings, QgsRectangle
    from qgis.PyQt.QtCore import QSize

    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(size, size))
    settings.setExtent(QgsRectangle(centre[0] - half_width, centre[1] - half_width, centre[0] + half_width, centre[1] + half_width))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    return np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(size)] for y in range(size)])


def test_a_kept_point_shows_its_residual_as_a_line_towards_where_the_fit_puts_it(controller, synthetic_result):
    """Point 0 measured 1.5 optical px east of the truth: the fit puts it about 1.46 px west of
    where it lies, and its line, 20 times longer, runs about 29 optical px west on the optical
    layer. The other kept points fit within 0.05 px: dots without a visible line."""
    import dataclasses

    from plugin.core import fit_tie_points
    from plugin.gui.style import RESIDUAL_COLOUR

    tie = synthetic_result.tie_points
    moved = dataclasses.replace(tie, optical_xy=tie.optical_xy + np.where(np.arange(len(tie))[:, None] == 0, [1.5, 0.0], 0.0))
    controller._show_result(dataclasses.replace(synthetic_result, tie_points=moved, fit=fit_tie_points(moved, "affine")))
    dx, dy = controller.result.fit.residuals[0]
    assert -1.5 < dx < -1.4 and abs(dy) < 0.1
    geotransform = controller.layers.frame("optical")[0]
    centre = pixel_to_map(geotransform, moved.optical_xy[:1])[0]
    image = rendered(controller.layers.layer("optical"), centre, 50 * abs(geotransform[1]))  # 2 image px per optical px
    colour = np.array([int(RESIDUAL_COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
    line = np.abs(image.astype(int) - colour).sum(axis=2) < 60
    rows, columns = np.nonzero(line)
    assert len(columns) > 20, "no residual line drawn"
    assert columns.min() < 100 - 2 * 25 and columns.max() < 100 + 8  # west of the point, about 58 image px long
    assert np.abs(rows - 100).max() < 8  # along its row
    sar_image = rendered(controller.layers.layer("sar"), pixel_to_map(controller.layers.frame("sar")[0], moved.sar_xy[:1])[0],
                         50 * abs(geotransform[1]))
    assert not (np.abs(sar_image.astype(int) - colour).sum(axis=2) < 60).any()  # residuals are optical pixels: none on the SAR side


def point_status(layer, point_id):
    expression = QgsExpression(layer.renderer().classAttribute())
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setFeature(features_by_id(layer)[point_id])
    return expression.evaluate(context)


def test_an_added_point_looks_added_until_a_fit_uses_it(shown):
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    add_point(optical_layer, shown.layers.frame("optical")[0], (300.0, 200.0))  # id 40
    add_point(optical_layer, shown.layers.frame("optical")[0], (320.0, 200.0))  # id 41: no partner
    add_point(sar_layer, shown.layers.frame("sar")[0], np.array([300.0, 200.0]) - SAMPLE_SHIFT)  # id 40
    assert point_status(optical_layer, 40) == point_status(sar_layer, 40) == point_status(optical_layer, 41) == "added"
    assert shown.refit()
    assert point_status(optical_layer, 40) == point_status(sar_layer, 40) == "kept"
    assert point_status(optical_layer, 41) == "added"


def test_summary_and_table(shown, sample):
    from tests.test_ground import sample_pixel_m

    assert "36 of 40" in shown.dock.summary_label.text() and "RMSE 0.00" in shown.dock.summary_label.text()
    model = shown.dock.table_model
    assert model.rowCount() == 40 and model.columnCount() == 9
    assert [model.headerData(column, Qt.Horizontal) for column in (RESIDUAL, RESIDUAL_M)] == ["Residual\n(px)", "Residual\n(m)"]  # the unit below: narrow columns
    assert shown.dock.refit_button.isEnabled() and shown.dock.write_button.isEnabled()
    proxy = shown.dock.table_proxy
    shown.dock.table.sortByColumn(RESIDUAL, Qt.DescendingOrder)
    largest = proxy.index(0, ID).data()
    assert int(largest) >= 36  # outliers have the largest residuals
    # each residual on the ground too: the sample's 10 m World Mercator pixels are 8.3 m there
    pixels, metres = (np.array([float(proxy.index(row, column).data(Qt.UserRole)) for row in range(4)]) for column in (RESIDUAL, RESIDUAL_M))
    assert pixels.min() > 1.0
    np.testing.assert_allclose(metres, pixels * sample_pixel_m(sample), rtol=0.01)
    assert proxy.index(0, RESIDUAL_M).data() == f"{metres[0]:.2f}"


def test_both_layers_give_each_residual_in_metres_as_the_table_does(shown, sample):
    """What the identify tool and the attribute table show for a point: its residual on the ground too
    (the field the GeoPackage has), the table's value, also after a Re-fit."""
    from tests.test_ground import sample_pixel_m

    for refit in (False, True):
        if refit:
            set_enabled(shown.layers.layer("optical"), 0, 0)
            assert shown.refit()
        table = {int(shown.dock.table_model.index(row, ID).data()): shown.dock.table_model.index(row, RESIDUAL_M).data(Qt.UserRole)
                 for row in range(shown.dock.table_model.rowCount())}
        for side in ("optical", "sar"):
            features = features_by_id(shown.layers.layer(side))
            assert len(features) == 40
            for point_id, feature in features.items():
                assert feature["residual_m"] == pytest.approx(table[point_id], abs=1e-9)
                assert feature["residual_m"] == pytest.approx(feature["residual"] * sample_pixel_m(sample), rel=0.01, abs=1e-6)
    assert features_by_id(shown.layers.layer("optical"))[0]["enabled"] == 0


def test_unticking_used_in_the_table_leaves_the_point_out_of_the_fit_at_once(shown):
    model, optical = shown.dock.table_model, shown.layers.layer("optical")
    assert model.flags(model.index(3, USED)) & Qt.ItemIsUserCheckable and not model.flags(model.index(3, RESIDUAL)) & Qt.ItemIsUserCheckable
    assert model.index(3, USED).data(Qt.CheckStateRole) == Qt.Checked and "36 of 40" in shown.dock.summary_label.text()
    assert "Untick a point" in model.headerData(USED, Qt.Horizontal, Qt.ToolTipRole)
    shown.dock.table.sortByColumn(RESIDUAL, Qt.DescendingOrder)
    shown.dock.table.selectRow(30)
    point_id = shown.selected_point_id()
    assert model.setData(model.index(3, USED), Qt.Unchecked, Qt.CheckStateRole)  # what a click on the box does
    assert shown.selected_point_id() == point_id  # the row the surveyor was on stays selected after the fit
    assert features_by_id(optical)[3]["enabled"] == 0 and not optical.isEditable()  # saved in the layer, left as found
    assert model.index(3, USED).data(Qt.CheckStateRole) == Qt.Unchecked and not shown.result.tie_points.enabled[3]
    assert "35 of 40" in shown.dock.summary_label.text()
    assert model.setData(model.index(3, USED), Qt.Checked, Qt.CheckStateRole)
    assert features_by_id(optical)[3]["enabled"] == 1 and "36 of 40" in shown.dock.summary_label.text()
    shown.dock.set_running(True)  # as Re-fit, not while a task runs
    assert not model.flags(model.index(3, USED)) & Qt.ItemIsUserCheckable
    assert not model.setData(model.index(3, USED), Qt.Unchecked, Qt.CheckStateRole) and features_by_id(optical)[3]["enabled"] == 1
    shown.dock.set_running(False)
    assert model.flags(model.index(3, USED)) & Qt.ItemIsUserCheckable


def test_space_ticks_and_unticks_the_selected_points_used_box(shown, qtbot):
    """The surveyor's keyboard loop: sorted by residual, the arrow keys down the rows, Space to leave
    the selected point out (and in again)."""
    from qgis.PyQt.QtTest import QTest

    table, optical = shown.dock.table, shown.layers.layer("optical")
    table.sortByColumn(RESIDUAL, Qt.DescendingOrder)
    table.selectRow(3)  # the last of the four outliers, which the fit does not use
    QTest.keyClick(table, Qt.Key_Down)  # the used point with the largest residual
    point_id = shown.selected_point_id()
    assert point_id is not None and features_by_id(optical)[point_id]["enabled"] == 1
    QTest.keyClick(table, Qt.Key_Space)
    assert features_by_id(optical)[point_id]["enabled"] == 0 and "35 of 40" in shown.dock.summary_label.text()
    assert shown.selected_point_id() == point_id  # still on it
    QTest.keyClick(table, Qt.Key_Space)
    assert features_by_id(optical)[point_id]["enabled"] == 1 and "36 of 40" in shown.dock.summary_label.text()
    shown.dock.set_running(True)  # the boxes rest while a task runs
    QTest.keyClick(table, Qt.Key_Space)
    assert features_by_id(optical)[point_id]["enabled"] == 1
    shown.dock.set_running(False)


def test_unticking_a_point_the_fit_needs_is_refused_and_undone(shown, iface):
    optical = shown.layers.layer("optical")
    optical.startEditing()
    for point_id in range(3, 36):  # three points left in the affine fit
        optical.changeAttributeValue(shown.layers.feature_id("optical", point_id), optical.fields().indexOf("enabled"), 0)
    assert optical.commitChanges() and shown.refit()
    model = shown.dock.table_model
    model.setData(model.index(0, USED), Qt.Unchecked, Qt.CheckStateRole)
    assert features_by_id(optical)[0]["enabled"] == 1 and not optical.isEditable()  # undone
    assert shown.result.tie_points.enabled[0] and model.index(0, USED).data(Qt.CheckStateRole) == Qt.Checked
    assert any("needs at least 3" in text for text in messages(iface, Qgis.Warning)), messages(iface, Qgis.Warning)


def test_a_tie_point_selected_on_the_map_selects_its_row_in_the_table(shown):
    shown.dock.table.sortByColumn(RESIDUAL, Qt.DescendingOrder)
    for side, point_id in (("optical", 7), ("sar", 12), ("optical", 38)):
        layer = shown.layers.layer(side)
        layer.selectByIds([shown.layers.feature_id(side, point_id)])
        assert shown.selected_point_id() == point_id
    layer = shown.layers.layer("optical")
    shown.unload()  # the layers stay in the project without the dock: selecting there reaches nothing
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # the dock is gone
    layer.selectByIds([shown.layers.feature_id("optical", 3)])


def test_the_tables_residuals_in_metres_are_empty_for_an_optical_raster_without_a_crs(controller, synthetic_result):
    from dataclasses import replace

    controller._show_result(replace(synthetic_result, optical=replace(synthetic_result.optical, crs_wkt=None)))
    model = controller.dock.table_model
    assert model.rowCount() == 40 and model.index(0, RESIDUAL).data() != ""
    assert all(model.index(row, RESIDUAL_M).data() == "" for row in range(40))
    assert all(feature["residual_m"] is None or feature.attribute("residual_m") == NULL
               for feature in controller.layers.layer("optical").getFeatures())


def test_ungeoreferenced_sar_is_in_pixel_space(synthetic_result, iface):
    from dataclasses import replace

    sar = replace(synthetic_result.sar, geotransform=None, crs_wkt=None)
    layers = TiePointLayers(synthetic_result.optical, sar)
    _, sar_layer = layers.create(synthetic_result.tie_points, synthetic_result.fit)
    assert not sar_layer.crs().isValid()
    point = features_by_id(sar_layer)[0].geometry().asPoint()
    x, y = synthetic_result.tie_points.sar_xy[0]
    assert np.allclose([point.x(), point.y()], pixel_to_map(PIXEL_SPACE_GEOTRANSFORM, np.array([[x, y]]))[0])
    assert np.isclose(point.y(), -(y + 0.5))


def test_refit_after_enabling_an_outlier_and_disabling_it_again(shown, iface):
    optical = shown.layers.layer("optical")
    set_enabled(optical, 37, 1)  # enable an outlier: the fit gets worse
    assert shown.refit()
    assert shown.result.fit.rmse > 1.0 and bool(shown.result.tie_points.enabled[37])
    sar = shown.layers.layer("sar")
    assert features_by_id(sar)[37]["enabled"] == 1 and features_by_id(sar)[37]["rejected_by"] == ""
    set_enabled(sar, 37, 0)  # ...and disable it in the other layer
    assert shown.refit()
    assert shown.result.fit.rmse < 1e-6
    assert np.allclose(shown.result.fit.sar_to_optical, TRUTH, atol=1e-6)
    assert features_by_id(optical)[37]["rejected_by"] == "user"
    assert "Re-fitted" in " ".join(messages(iface, Qgis.Success))


def test_refit_after_deleting_and_moving_points(shown):
    sar = shown.layers.layer("sar")
    assert sar.startEditing()
    sar.deleteFeature(features_by_id(sar)[3].id())
    assert sar.commitChanges()
    optical = shown.layers.layer("optical")
    moved = features_by_id(optical)[5]
    point = moved.geometry().asPoint()
    pixel = abs(shown.result.optical.geotransform[1])
    assert optical.startEditing()  # left in edit mode: Re-fit commits the edits
    optical.changeGeometry(moved.id(), QgsGeometry.fromPointXY(QgsPointXY(point.x() + 10 * pixel, point.y())))
    assert shown.refit()
    assert optical.featureCount() == sar.featureCount() == 39 and 3 not in features_by_id(optical)
    index = list(shown.layers.state.ids).index(5)
    assert np.isclose(shown.result.tie_points.optical_xy[index, 0], shown.result.tie_points.sar_xy[index, 0] + SAMPLE_SHIFT[0] + 10, atol=1e-6)
    residual = features_by_id(optical)[5]["residual"]
    assert residual > 8  # the moved point no longer agrees with the others
    assert shown.dock.table_model.rowCount() == 39


def test_a_spline_passes_through_a_moved_point_and_the_summary_says_what_leaving_it_out_shows(shown):
    """A thin-plate spline's residuals are zero at every point it is fitted to (as the warp written
    with it): the table shows that, and the summary's left-out RMSE shows the moved point."""
    shown.dock.transform_combo.setCurrentIndex(shown.dock.transform_combo.findData("tps"))  # fitted again at once, as Re-fit
    assert shown.result.fit.model == "tps" and "(Thin plate spline)" in shown.dock.summary_label.text()
    assert "RMSE 0.00 px" in shown.dock.summary_label.text() and "Left-out RMSE: 0.00 px" in shown.dock.summary_label.text()
    optical = shown.layers.layer("optical")
    moved = features_by_id(optical)[5]
    point = moved.geometry().asPoint()
    assert optical.startEditing()
    optical.changeGeometry(moved.id(), QgsGeometry.fromPointXY(QgsPointXY(point.x() + 6 * abs(shown.result.optical.geotransform[1]), point.y())))
    assert shown.refit()
    assert features_by_id(optical)[5]["residual"] < 1e-6 and shown.result.fit.rmse < 1e-6
    left_out = shown.result.fit.left_out_rmse
    assert 0.5 < left_out < 6.0 and f"Left-out RMSE: {left_out:.2f} px" in shown.dock.summary_label.text()
    assert "RMSE 0.00 px" in shown.dock.summary_label.text()
    # the point is found by its residual against the fit without it and its neighbours: in the table, sorted, and in both layers
    shown.dock.table.sortByColumn(LEFT_OUT, Qt.DescendingOrder)
    assert int(shown.dock.table_proxy.index(0, ID).data()) == 5 and float(shown.dock.table_proxy.index(0, LEFT_OUT).data()) > 3.0
    assert shown.dock.table_proxy.index(0, RESIDUAL).data() == "0.00"
    assert features_by_id(optical)[5]["left_out"] > 3.0 and features_by_id(shown.layers.layer("sar"))[5]["left_out"] > 3.0
    assert features_by_id(optical)[37]["left_out"] == NULL  # a point not used has none


def test_another_transform_chosen_is_fitted_at_once_unless_a_task_runs(shown, iface):
    shown.dock.transform_combo.setCurrentIndex(shown.dock.transform_combo.findData("poly2"))
    assert shown.result.fit.model == "poly2" and "(Polynomial, order 2)" in shown.dock.summary_label.text()
    assert "Re-fitted" in " ".join(messages(iface, Qgis.Success))
    shown.task = object()  # a run going on: its result comes with the transform it started with
    shown.dock.transform_combo.setCurrentIndex(shown.dock.transform_combo.findData("homography"))
    shown.task = None
    assert shown.result.fit.model == "poly2"


def test_refit_with_too_few_points_is_a_warning(shown, iface):
    shown.dock.transform_combo.setCurrentIndex(shown.dock.transform_combo.findData("poly3"))
    optical = shown.layers.layer("optical")
    assert optical.startEditing()
    for feature in list(optical.getFeatures())[:32]:
        optical.deleteFeature(feature.id())
    assert optical.commitChanges()
    assert not shown.refit()
    assert "needs at least 10" in " ".join(messages(iface, Qgis.Warning))


def test_refit_after_layers_were_removed(shown, iface):
    """With the SAR-side layer removed, the edits in the optical one still count (Write used the
    last fit and ignored them, with a success message); with both removed, Re-fit says so."""
    QgsProject.instance().removeMapLayer(shown.layers.layer_ids["sar"])
    optical = shown.layers.layer("optical")
    assert shown.result.tie_points.enabled.sum() == 36
    for point_id in range(10):
        set_enabled(optical, point_id, 0)
    assert shown.refit()
    assert shown.result.tie_points.enabled.sum() == 26 and np.allclose(shown.result.fit.sar_to_optical, TRUTH, atol=1e-6)
    QgsProject.instance().removeMapLayer(shown.layers.layer_ids["optical"])
    assert not shown.refit()
    assert "no longer in the project" in " ".join(messages(iface, Qgis.Warning))


def test_zoom_to_point(shown, iface):
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(shown.layers.layer("optical").crs())
    shown.dock.table.selectRow(0)
    point_id = shown.selected_point_id()
    shown.zoom_to_selected()
    feature = features_by_id(shown.layers.layer("optical"))[point_id]
    assert canvas.extent().contains(feature.geometry().asPoint())
    assert min(canvas.extent().width(), canvas.extent().height()) < 200 * abs(shown.result.optical.geotransform[1])
    assert shown.layers.layer("optical").selectedFeatureIds() == [feature.id()]


def test_a_point_added_in_both_layers_is_a_tie_point(shown, iface):
    """A surveyor measures a tie point the matcher missed: one point in each layer, which QGIS
    numbers alike; Re-fit uses it, writes its residual to both layers, and keeps it."""
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    sar_xy = np.array([400.5, 300.25])
    added = add_point(optical_layer, shown.layers.frame("optical")[0], sar_xy + SAMPLE_SHIFT + [6, 0])  # 6 px off the truth
    partner = add_point(sar_layer, shown.layers.frame("sar")[0], sar_xy)
    assert added["id"] == partner["id"] == 40 and added["enabled"] == partner["enabled"] == 1
    assert shown.refit()
    tie_points, ids = shown.result.tie_points, list(shown.layers.state.ids)
    assert len(tie_points) == 41 and ids[-1] == 40 and bool(tie_points.enabled[-1]) and np.isnan(tie_points.distance[-1])
    assert np.allclose(tie_points.sar_xy[-1], sar_xy, atol=1e-6)
    assert np.allclose(tie_points.optical_xy[-1], sar_xy + SAMPLE_SHIFT + [6, 0], atol=1e-6)
    assert shown.result.fit.rmse > 0.5  # the point off the truth counts in the fit
    for layer in (optical_layer, sar_layer):
        assert layer.featureCount() == 41 and features_by_id(layer)[40]["residual"] > 4
    assert shown.dock.table_model.rowCount() == 41
    residual = features_by_id(optical_layer)[40]["residual"]
    assert float(shown.dock.table_model.index(40, RESIDUAL_M).data()) == pytest.approx(residual * 8.33, rel=0.01)  # the sample's pixel on the ground
    assert not messages(iface, Qgis.Warning)
    set_enabled(sar_layer, 40, 0)  # and it can be left out again like any other
    assert shown.refit()
    assert not shown.result.tie_points.enabled[-1] and shown.result.fit.rmse < 1e-6
    assert features_by_id(optical_layer)[40]["rejected_by"] == "user"


def test_a_point_added_without_a_partner_is_kept_and_named(shown, iface):
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    add_point(optical_layer, shown.layers.frame("optical")[0], (300.0, 200.0))  # id 40, nothing in the SAR layer
    add_point(sar_layer, shown.layers.frame("sar")[0], (100.0, 100.0), id=None)  # the id cleared
    before = shown.result.fit.sar_to_optical.copy()
    assert shown.refit()
    assert len(shown.result.tie_points) == 40 and np.allclose(shown.result.fit.sar_to_optical, before)
    assert optical_layer.featureCount() == 41 and sar_layer.featureCount() == 41  # nothing the user added is lost
    warning = " ".join(messages(iface, Qgis.Warning))
    assert "2 added point(s) not used (id 40 in the optical layer, one without an id in the SAR layer)" in warning
    add_point(sar_layer, shown.layers.frame("sar")[0], (300.0 - SAMPLE_SHIFT[0], 200.0 - SAMPLE_SHIFT[1]), id=40)
    assert shown.refit()  # the partner added: used
    assert len(shown.result.tie_points) == 41 and shown.result.fit.rmse < 1e-6


def test_two_points_with_one_id_are_refused(shown, iface):
    """A pasted copy of a point carries its id: which one the user meant cannot be told, so
    Re-fit says so and changes nothing."""
    optical_layer = shown.layers.layer("optical")
    add_point(optical_layer, shown.layers.frame("optical")[0], (500.0, 500.0), id=5)
    before = shown.result.tie_points.optical_xy.copy()
    assert not shown.refit()
    assert "Several points in the optical tie-point layer have the same id (5)" in " ".join(messages(iface, Qgis.Warning))
    assert np.array_equal(shown.result.tie_points.optical_xy, before) and optical_layer.featureCount() == 41


def set_fields(layer, point_id, **values):
    feature = features_by_id(layer)[point_id]
    assert layer.isEditable() or layer.startEditing()
    for name, value in values.items():
        assert layer.changeAttributeValue(feature.id(), layer.fields().indexOf(name), value)


def test_positions_typed_into_the_fields_count(shown):
    """A surveyor types a measured position into the attribute table instead of dragging the
    point: optical_x/optical_y and sar_x/sar_y (each raster's pixels) of either layer count, and
    both layers' points move there."""
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    tie = shown.result.tie_points
    index5, index6 = list(shown.layers.state.ids).index(5), list(shown.layers.state.ids).index(6)
    sar5, optical6 = tie.sar_xy[index5].copy(), tie.optical_xy[index6].copy()
    set_fields(optical_layer, 5, sar_x=float(sar5[0] + 10))  # the SAR position, typed in the optical layer
    set_fields(sar_layer, 6, optical_y=float(optical6[1] - 12))  # the optical position, typed in the SAR layer
    assert shown.refit()
    tie = shown.result.tie_points
    assert np.allclose(tie.sar_xy[index5], sar5 + [10, 0], atol=1e-9)
    assert np.allclose(tie.optical_xy[index6], optical6 + [0, -12], atol=1e-9)
    assert features_by_id(optical_layer)[5]["residual"] > 8 and features_by_id(sar_layer)[6]["residual"] > 10
    sar_point = features_by_id(sar_layer)[5].geometry().asPoint()
    assert np.allclose([sar_point.x(), sar_point.y()], pixel_to_map(shown.layers.frame("sar")[0], tie.sar_xy[[index5]])[0])
    assert features_by_id(sar_layer)[5]["sar_x"] == pytest.approx(sar5[0] + 10)


def test_a_point_added_in_one_layer_with_the_other_position_typed(shown, iface):
    """One point in the optical layer, its SAR position typed into sar_x and sar_y: a tie point,
    which the SAR layer then shows too."""
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    sar_xy = np.array([250.0, 420.0])
    add_point(optical_layer, shown.layers.frame("optical")[0], sar_xy + SAMPLE_SHIFT, sar_x=float(sar_xy[0]), sar_y=float(sar_xy[1]))
    assert shown.refit()
    assert len(shown.result.tie_points) == 41 and np.allclose(shown.result.tie_points.sar_xy[-1], sar_xy)
    assert shown.result.fit.rmse < 1e-6 and not messages(iface, Qgis.Warning)
    assert sar_layer.featureCount() == 41
    point = features_by_id(sar_layer)[40].geometry().asPoint()
    assert np.allclose([point.x(), point.y()], pixel_to_map(shown.layers.frame("sar")[0], sar_xy[None])[0])


def test_a_position_changed_in_two_places_that_disagree_is_refused(shown, iface):
    optical_layer, sar_layer = shown.layers.layer("optical"), shown.layers.layer("sar")
    index = list(shown.layers.state.ids).index(7)
    sar7 = shown.result.tie_points.sar_xy[index].copy()
    moved = features_by_id(sar_layer)[7]
    point = moved.geometry().asPoint()
    assert sar_layer.startEditing()
    sar_layer.changeGeometry(moved.id(), QgsGeometry.fromPointXY(QgsPointXY(point.x() + 3 * abs(shown.layers.frame("sar")[0][1]), point.y())))
    set_fields(optical_layer, 7, sar_x=float(sar7[0] - 5))
    assert not shown.refit()
    warning = " ".join(messages(iface, Qgis.Warning))
    assert "Tie point 7: its SAR position was set in two places that disagree" in warning
    assert "the point in the SAR layer" in warning and "the fields sar_x, sar_y in the optical layer" in warning
    assert np.allclose(shown.result.tie_points.sar_xy[index], sar7)


def test_a_deleted_id_field_is_named(shown, iface):
    """The ids pair the two layers' points: without the field, Re-fit says what is missing
    instead of failing with an unexpected error; a deleted 'enabled' field only loses that flag."""
    sar_layer = shown.layers.layer("sar")
    assert sar_layer.startEditing()
    assert sar_layer.deleteAttribute(sar_layer.fields().indexOf("enabled"))
    assert shown.refit()
    assert sar_layer.deleteAttribute(sar_layer.fields().indexOf("id"))
    assert not shown.refit()
    warning = " ".join(messages(iface, Qgis.Warning))
    assert "The SAR tie-point layer has no field 'id' any more" in warning and "unexpected" not in warning.lower()


def test_the_self_check_is_said_to_predate_the_users_edits(controller, synthetic_result):
    """The self-check re-matches the pair; it says nothing of tie points the user changed since."""
    synthetic_result.self_check_px = 0.8
    controller._show_result(synthetic_result)
    note = "your edits since are not checked"
    assert "Self-check passed" in controller.dock.summary_label.text() and note not in controller.dock.summary_label.text()
    assert controller.refit()  # nothing edited: the matched fit again
    assert note not in controller.dock.summary_label.text()
    set_enabled(controller.layers.layer("optical"), 37, 1)
    assert controller.refit()
    assert "Self-check passed" in controller.dock.summary_label.text() and note in controller.dock.summary_label.text()
    set_enabled(controller.layers.layer("optical"), 37, 0)  # the edit undone: the matched fit again
    assert controller.refit()
    assert note not in controller.dock.summary_label.text()


def test_tie_points_of_a_sar_scene_read_in_part_lie_on_the_scene_and_re_fit_to_the_same_transform(controller, sample, tmp_path):
    """A SAR scene much larger than the optical raster is matched in a part of it; its layer's
    points lie where the scene shows them, and a Re-fit from the layers gives the matched transform back."""
    from plugin.core import RegistrationOptions, register
    from plugin.core.raster_io import map_to_pixel
    from plugin.gui.controller import same_fit
    from tests.conftest import sar_scene_around_the_sample

    scene, _ = sar_scene_around_the_sample(sample, tmp_path / "scene.tif")
    result = register(sample["optical"], scene, RegistrationOptions(device="cpu"))
    controller._show_result(result)
    sar_layer = controller.layers.layer("sar")
    for feature in list(sar_layer.getFeatures())[:20]:
        point = feature.geometry().asPoint()
        pixel = map_to_pixel(result.sar.geotransform, np.array([[point.x(), point.y()]]))[0]
        assert np.allclose(pixel, result.tie_points.sar_xy[feature["id"]], atol=1e-6) and pixel[0] > 1800  # the sample's part of the scene
    assert controller.refit()
    assert same_fit(controller.result.fit, result.fit)
