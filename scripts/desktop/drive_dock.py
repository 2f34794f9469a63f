"""Runs inside the real QGIS desktop (``qgis --code``): loads the bundled sample, opens the
plugin's dock from its toolbar action, runs the registration task from the dock, writes the
outputs, saves and reads the project again and opens the tie points written, and records what
happened in $DESKTOP_CHECK_OUT/status.json. The shell script around it
takes the screenshots when status.json says so, then touches ``screenshot.done`` and QGIS quits.

Phases in status.json: "running" (task in progress: screenshot of the task manager), "ready"
(all done: final screenshot), "failed" (an exception in this script; see "error")."""
import json
import os
import traceback

from osgeo import gdal
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.utils import iface, plugins

OUT = os.environ["DESKTOP_CHECK_OUT"]
SAMPLE = os.path.join(os.environ["DESKTOP_CHECK_PLUGIN_DIR"], "resources", "sample")
PLUGIN = "sar_optical_registration"
STATUS = {"phase": "starting", "progress": [], "stages": [], "messages": []}
KEEP = []  # Python references that must outlive this script's execution (timers, callbacks)


def save(**values):
    STATUS.update(values)
    with open(os.path.join(OUT, "status.json.tmp"), "w") as handle:
        json.dump(STATUS, handle, indent=1, default=str)
    os.replace(os.path.join(OUT, "status.json.tmp"), os.path.join(OUT, "status.json"))


def guarded(function):
    def run(*args):
        try:
            function(*args)
        except Exception:  # noqa: BLE001 -- recorded for the test, never a dialog
            save(phase="failed", error=traceback.format_exc())
    return run


def later(milliseconds, function):
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(guarded(function))
    timer.start(milliseconds)
    KEEP.append(timer)


def message_bar_texts():
    return [f"{item.title()}: {item.text()}" for item in iface.messageBar().items()]


@guarded
def start():
    window = iface.mainWindow()
    window.setGeometry(0, 0, 1600, 1000)
    optical = iface.addRasterLayer(os.path.join(SAMPLE, "optical.tif"), "optical (Sentinel-2)")
    sar = iface.addRasterLayer(os.path.join(SAMPLE, "sar.tif"), "sar (Sentinel-1 VH)")
    launcher = plugins[PLUGIN].dock_controller
    launcher.action.trigger()  # what a click on the toolbar button does
    controller = launcher.controller
    dock = controller.dock
    save(plugin_loaded=True, dock_visible=dock.isVisible(), dock_area=int(window.dockWidgetArea(dock)),
         run_button_text=dock.run_button.text())
    dock.optical_input.set_layer(optical)
    dock.sar_input.set_layer(sar)
    dock.warped_file.setFilePath(os.path.join(OUT, "sar_registered.tif"))
    dock.points_file.setFilePath(os.path.join(OUT, "tie_points.points"))
    dock.geopackage_file.setFilePath(os.path.join(OUT, "tie_points.gpkg"))
    dock.report_file.setFilePath(os.path.join(OUT, "report.html"))
    dock.overwrite_check.setChecked(True)
    dock.self_check_check.setChecked(True)  # what a user who wants the result checked ticks
    dock.run_button.click()
    task = controller.task
    save(task_started=task is not None, task_in_manager=task is not None and task in QgsApplication.taskManager().tasks())
    if task is None:
        save(phase="ready", messages=message_bar_texts())
        return

    def progressed(value):
        STATUS["progress"].append(round(value, 1))
        if task.stage and (not STATUS["stages"] or STATUS["stages"][-1] != task.stage):
            STATUS["stages"].append(task.stage)
        if task.stage == "descriptors" and STATUS["phase"] == "starting":
            save(phase="running", active_tasks=QgsApplication.taskManager().countActiveTasks())

    task.progressChanged.connect(progressed)
    task.done.connect(lambda finished: later(100, lambda: registered(controller, finished)))


def registered(controller, task):
    save(phase="registered", task_succeeded=task.succeeded, task_error=str(task.error or ""), messages=message_bar_texts())
    if not task.succeeded:
        later(1500, finish)
        return
    result = controller.result
    save(tie_points=len(result.tie_points), used=int(result.tie_points.enabled.sum()), rmse_px=result.fit.rmse,
         sar_to_optical=result.fit.sar_to_optical.tolist(), self_check_px=result.self_check_px,
         summary=controller.dock.summary_label.text())
    add_a_tie_point(controller)
    untick_and_tick_a_point(controller)
    compare_transforms(controller)
    controller.dock.table.selectRow(0)
    write = controller.write_outputs()
    write.done.connect(lambda finished: later(100, lambda: written(controller, finished)))


def add_a_tie_point(controller):
    """What a surveyor does with a point the matcher missed: adds it in the optical layer (QGIS
    fills in its id), types its SAR position into sar_x, sar_y, and presses the dock's Re-fit."""
    import numpy as np
    from qgis.core import QgsGeometry, QgsPointXY, QgsVectorLayerUtils
    from sar_optical_registration.plugin.core.raster_io import pixel_to_map

    layer = controller.layers.layer("optical")
    optical_xy = np.array([400.0, 380.0])
    sar_xy = (np.linalg.inv(controller.result.fit.sar_to_optical) @ [*optical_xy, 1.0])[:2]
    x, y = pixel_to_map(controller.layers.frame("optical")[0], optical_xy[None])[0]
    layer.startEditing()
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
    feature["sar_x"], feature["sar_y"] = float(sar_xy[0]), float(sar_xy[1])
    layer.addFeature(feature)
    controller.dock.refit_button.click()
    tie = controller.result.tie_points
    save(added_point_id=feature["id"], tie_points_after_adding=len(tie), used_after_adding=int(tie.enabled.sum()),
         table_rows=controller.dock.table_model.rowCount(),
         added_point_used=bool(tie.enabled[-1]) and int(tie.ids[-1]) == int(feature["id"]), summary_after_adding=controller.dock.summary_label.text())


def untick_and_tick_a_point(controller):
    """What a surveyor does with the worst point: clicks its Used box in the dock's table (sorted by
    residual), reads the new fit, and ticks it again."""
    from sar_optical_registration.plugin.gui.points_table import RESIDUAL, USED

    table, proxy = controller.dock.table, controller.dock.table_proxy
    table.sortByColumn(RESIDUAL, Qt.DescendingOrder)
    used_rows = [row for row in range(proxy.rowCount()) if proxy.index(row, USED).data(Qt.CheckStateRole) == Qt.Checked]
    index = proxy.index(used_rows[0], USED)  # the used point with the largest residual
    QgsProject.instance().setDirty(False)  # as just saved: the untick alone must mark it changed
    proxy.setData(index, Qt.Unchecked, Qt.CheckStateRole)  # what a click on the box does
    unticked = controller.result.tie_points
    save(used_after_unticking=int(unticked.enabled.sum()), rmse_after_unticking=controller.result.fit.rmse,
         project_dirty_after_unticking=QgsProject.instance().isDirty())
    proxy.setData(proxy.index(used_rows[0], USED), Qt.Checked, Qt.CheckStateRole)
    save(used_after_ticking=int(controller.result.tie_points.enabled.sum()), rmse_after_ticking=controller.result.fit.rmse)
    # the same from the keyboard: Space on the selected row, as QGIS delivers the key (its shortcuts asked first)
    from qgis.PyQt.QtTest import QTest

    table.selectRow(used_rows[0])
    table.setFocus()
    QTest.keyClick(table, Qt.Key_Space)
    used_after_space = int(controller.result.tie_points.enabled.sum())
    QTest.keyClick(table, Qt.Key_Space)
    save(used_after_space=used_after_space, used_after_space_again=int(controller.result.tie_points.enabled.sum()))
    table.sortByColumn(USED, Qt.DescendingOrder)


def compare_transforms(controller):
    """What a surveyor does to choose a transform: picks the thin-plate spline in the dock (fitted
    again at once), reads its left-out RMSE beside its RMSE of 0, sorts by the Left out column, and
    goes back to the affine transform."""
    from sar_optical_registration.plugin.gui.points_table import ID, LEFT_OUT

    combo, before = controller.dock.transform_combo, controller.result.fit
    combo.setCurrentIndex(combo.findData("tps"))
    spline = controller.result.fit
    controller.dock.table.sortByColumn(LEFT_OUT, Qt.DescendingOrder)
    save(spline_model=spline.model, spline_rmse=spline.rmse, spline_left_out_rmse=spline.left_out_rmse,
         affine_left_out_rmse=before.left_out_rmse, spline_summary=controller.dock.summary_label.text(),
         spline_worst_left_out=[int(controller.dock.table_proxy.index(0, ID).data()), float(controller.dock.table_proxy.index(0, LEFT_OUT).data())])
    combo.setCurrentIndex(combo.findData("affine"))
    save(back_to_affine=controller.result.fit.model == "affine" and abs(controller.result.fit.rmse - before.rmse) < 1e-9)


def written(controller, task):
    warped_path = os.path.join(OUT, "sar_registered.tif")
    save(write_succeeded=task.succeeded, write_error=str(task.error or ""), written=task.result)
    layers = QgsProject.instance().mapLayers().values()
    warped = [layer for layer in layers if isinstance(layer, QgsRasterLayer) and layer.source() == warped_path]
    if warped:
        warped[0].renderer().setOpacity(0.65)
        iface.layerTreeView().refreshLayerSymbology(warped[0].id())
        output, optical = gdal.Open(warped_path), gdal.Open(os.path.join(SAMPLE, "optical.tif"))
        save(output_layer_added=warped[0].isValid(),
             output_georeferenced=output.GetGeoTransform() == optical.GetGeoTransform() and output.GetProjection() == optical.GetProjection())
    if task.succeeded:
        later(500, lambda: next_session(controller))
    else:
        later(3000, finish)


def next_session(controller):
    """What a surveyor does the next day: the project saved, the plugin unloaded and loaded again
    (a new session's dock), the project read again (the plugin kept the points of the dock's memory
    layers in it, which QGIS alone brings back empty) and the dock opened: it takes them up. Then
    its Open tie points with the GeoPackage written above, on no raster chosen: the GeoPackage
    names its rasters, the project's layers."""
    import numpy as np
    import qgis.utils

    before = controller.result
    project = QgsProject.instance()
    path = os.path.join(OUT, "project.qgz")
    saved = project.write(path)
    reloaded = qgis.utils.unloadPlugin(PLUGIN) and qgis.utils.loadPlugin(PLUGIN) and qgis.utils.startPlugin(PLUGIN)
    project.clear()
    read = project.read(path)
    launcher = plugins[PLUGIN].dock_controller
    launcher.action.trigger()  # the dock opened again
    controller = launcher.controller
    kept = controller.result
    save(project_saved=saved, plugin_reloaded=bool(reloaded), project_read=read, reopened_tie_point_features={
        layer.name(): layer.featureCount() for layer in project.mapLayers().values() if layer.name().startswith("Tie points")},
         kept_tie_points=len(kept.tie_points) if kept else None, kept_used=int(kept.tie_points.enabled.sum()) if kept else None,
         kept_fit_px=float(np.abs(kept.fit.sar_to_optical - before.fit.sar_to_optical).max()) if kept else None,
         messages_after_reading=message_bar_texts())
    dock = controller.dock
    dock.optical_input.set_layer(None)
    dock.sar_input.set_layer(None)
    from sar_optical_registration.plugin.gui import controller as controller_module

    ask = controller_module.QFileDialog.getOpenFileName
    controller_module.QFileDialog.getOpenFileName = lambda *args, **kwargs: (os.path.join(OUT, "tie_points.gpkg"), "")
    try:
        dock.open_points_button.click()  # the file dialog answered as a user would
    finally:
        controller_module.QFileDialog.getOpenFileName = ask
    opened = controller.result
    layer = controller.layers.layer("optical") if controller.layers else None
    save(opened_tie_points=len(opened.tie_points), opened_used=int(opened.tie_points.enabled.sum()),
         opened_layer_features=layer.featureCount() if layer else 0,
         opened_rasters=[(raster_input.combo.currentLayer() or QgsRasterLayer()).name() for raster_input in (dock.optical_input, dock.sar_input)],
         opened_fit_px=float(np.abs(opened.fit.sar_to_optical - before.fit.sar_to_optical).max()) if opened is not kept else None,
         summary_after_opening=dock.summary_label.text(), messages_after_opening=message_bar_texts())
    iface.mapCanvas().zoomToFullExtent()
    iface.mapCanvas().refresh()
    later(2500, finish)


def columns_in_view(table):
    """The table's column headers (one line each) that lie whole within its visible width."""
    model = table.model()
    return [" ".join(model.headerData(column, Qt.Horizontal).split()) for column in range(model.columnCount())
            if table.columnViewportPosition(column) + table.columnWidth(column) <= table.viewport().width()]


def finish():
    layers = QgsProject.instance().mapLayers().values()
    dock = plugins[PLUGIN].dock_controller.controller.dock
    save(table_columns_in_view=columns_in_view(dock.table), dock_tab=dock.tabs.tabText(dock.tabs.currentIndex()),
         table_rows_in_view=dock.table.viewport().height() // dock.table.verticalHeader().defaultSectionSize(),
         layers=[{"name": layer.name(), "kind": "vector" if isinstance(layer, QgsVectorLayer) else "raster",
                  "features": layer.featureCount() if isinstance(layer, QgsVectorLayer) else None} for layer in layers],
         messages=message_bar_texts(), phase="ready")
    later(500, wait_for_screenshot)


def wait_for_screenshot():
    if not os.path.exists(os.path.join(OUT, "screenshot.done")):
        later(300, wait_for_screenshot)
        return
    import qgis.utils

    save(closing=closing_check())
    save(unloaded=qgis.utils.unloadPlugin(PLUGIN))
    QgsProject.instance().setDirty(False)
    QgsApplication.exit(0)


def dialogs_shown(action):
    """The texts of the dialogs QGIS shows while ``action`` runs, each answered Cancel (or No) as it
    appears, so that nothing is closed that a user would keep."""
    from qgis.PyQt.QtWidgets import QApplication, QMessageBox

    shown = []

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            return
        shown.append(dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle())
        buttons = [dialog.button(kind) for kind in (QMessageBox.Cancel, QMessageBox.No)] if isinstance(dialog, QMessageBox) else []
        button = next((button for button in buttons if button is not None), None)
        button.click() if button is not None else dialog.reject()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(200)
    try:
        action()
    finally:
        timer.stop()
    return shown


def closing_check():
    """What QGIS asks when a user closes the project (File > New, which asks as closing QGIS does): after
    an edit committed to the tie points, whether to save the project (the plugin keeps them in it), not
    that the temporary layers will lose their points; once it is saved, nothing."""
    project = QgsProject.instance()
    controller = plugins[PLUGIN].dock_controller.controller
    optical = controller.layers.layer("optical")
    # QGIS also warns of files in the system's temporary folder (a checkout under /tmp puts the sample and the outputs
    # there): those rasters are removed first, so that what QGIS asks about is the dock's tie points alone
    project.removeMapLayers([layer.id() for layer in project.mapLayers().values() if layer.providerType() != "memory" and layer.isTemporary()])
    saved = project.write()
    feature = next(optical.getFeatures())
    edited = optical.startEditing() and optical.deleteFeature(feature.id()) and optical.commitChanges()
    after_edit = dialogs_shown(lambda: iface.newProject(True))
    kept = optical.id() in project.mapLayers()
    saved_again = project.write()
    after_saving = dialogs_shown(lambda: iface.newProject(True))
    return {"saved": saved, "edited": edited, "dialogs_after_an_edit": after_edit, "project_kept_after_cancel": kept,
            "saved_again": saved_again, "dialogs_after_saving": after_saving, "closed": not project.mapLayers()}


save(phase="starting")
later(1000, start)  # let the main window finish appearing
