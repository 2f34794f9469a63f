"""The registration QgsTask from the dock: progress per stage, cancel, result, error paths."""
import time

import numpy as np
import pytest
from qgis.core import Qgis, QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer

from plugin.core import RegistrationError, RegistrationOptions
from plugin.gui.log import install_log_handler, remove_log_handler
from plugin.gui.task import RegistrationTask
from tests.conftest import grid_error, write_tif
from tests.gui_fixtures import controller, iface, messages, run_in_dock, sample_layers, sample  # noqa: F401

STAGES = ("read", "coarse alignment", "keypoints", "search", "matching", "done")


class FakeExtractor:
    model_name, device = "fake", "cpu"


def run_task(qtbot, task, timeout_s=120, while_running=None):
    with qtbot.waitSignal(task.done, timeout=timeout_s * 1000):
        QgsApplication.taskManager().addTask(task)
        if while_running is not None:
            while_running(task)
    return task


def scripted_register(optical, sar, options, progress, extractor):
    for index, stage in enumerate(STAGES):
        assert progress(stage, index / (len(STAGES) - 1)) is not False
    return "a result"


def test_task_reports_every_stage(qtbot):
    task = RegistrationTask("optical.tif", "sar.tif", RegistrationOptions(), FakeExtractor(), scripted_register)
    seen = []
    task.progressChanged.connect(lambda value: seen.append((value, task.stage)))
    run_task(qtbot, task)
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == 100)
    assert task.succeeded and task.result == "a result" and task.error is None
    assert [round(value) for value, _ in seen[:5]] == [20, 40, 60, 80, 100]  # 0 is no change


def test_task_stores_the_exception_instead_of_raising(qtbot):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("inside the engine")

    task = run_task(qtbot, RegistrationTask("a.tif", "b.tif", RegistrationOptions(), FakeExtractor(), broken))
    assert isinstance(task.error, ZeroDivisionError) and not task.succeeded


def select_sample(controller, sample_layers):
    optical, sar = sample_layers
    controller.dock.optical_input.set_layer(optical)
    controller.dock.sar_input.set_layer(sar)
    controller.dock.device_combo.setCurrentIndex(controller.dock.device_combo.findData("cpu"))


def test_real_task_shows_progress_per_stage(controller, sample_layers, qtbot, iface):
    select_sample(controller, sample_layers)
    task = controller.run()
    assert task is not None and controller.dock.cancel_button.isEnabled() and not controller.dock.run_button.isEnabled()
    progress, labels = [], set()
    task.progressChanged.connect(lambda value: (progress.append(value), labels.add(controller.dock.stage_label.text())))
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    assert progress == sorted(progress) and progress[-1] >= 75  # through the search stage at least
    assert {"Finding keypoints", "Searching rotation, scale and shift"} <= labels
    assert controller.dock.run_button.isEnabled() and not controller.dock.cancel_button.isEnabled()
    # With a well-trained model this is a success; with a weak one a RegistrationError in the message bar.
    assert task.succeeded or isinstance(task.error, RegistrationError)
    if not task.succeeded:
        assert "could not be registered" in " ".join(messages(iface, Qgis.Warning))


def test_cancel_stops_promptly_and_cleanly(controller, sample_layers, qtbot, iface):
    select_sample(controller, sample_layers)
    task = controller.run()
    cancelled_at = []

    def cancel_during_search(value):
        if task.stage == "search" and not cancelled_at:
            cancelled_at.append(time.perf_counter())
            controller.dock.cancel_button.click()

    task.progressChanged.connect(cancel_during_search)
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    assert cancelled_at, "the task never reached the search stage"
    assert time.perf_counter() - cancelled_at[0] < 3.0
    assert "Cancelled" in " ".join(messages(iface, Qgis.Info))
    assert not messages(iface, Qgis.Warning) and not messages(iface, Qgis.Critical)
    assert controller.result is None and controller.dock.run_button.isEnabled()
    assert not [layer for layer in QgsProject.instance().mapLayers().values() if isinstance(layer, QgsVectorLayer)]


def test_user_error_is_a_warning_with_the_fix(controller, sample, qtbot, iface, tmp_path):
    flat = write_tif(tmp_path / "flat_sar.tif", np.full((200, 200), 5, np.float32))
    controller.dock.optical_input.set_path(sample["optical"])
    controller.dock.sar_input.set_path(flat)
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=120_000):
        pass
    assert isinstance(task.error, RegistrationError) and "holds one value (5)" in task.error.message and task.error.fix
    assert messages(iface, Qgis.Warning) == [f"SAR-Optical Registration:{task.error.message} {task.error.fix}"]
    assert not messages(iface, Qgis.Critical) and controller.result is None


def test_bug_is_a_short_message_and_a_logged_traceback(controller, sample_layers, qtbot, iface, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("unexpected")

    monkeypatch.setattr("plugin.gui.task.register", broken)
    logged = []

    def record(message, tag, level):
        logged.append((message, tag, level))

    # QGIS's message log outlives the test (and is written from task threads): connected only while it runs
    QgsApplication.messageLog().messageReceived.connect(record)
    handler = install_log_handler()  # as the plugin does when QGIS loads it
    try:
        select_sample(controller, sample_layers)
        task = controller.run()
        with qtbot.waitSignal(task.done, timeout=120_000):
            pass
    finally:
        remove_log_handler(handler)
        QgsApplication.messageLog().messageReceived.disconnect(record)
    critical = " ".join(messages(iface, Qgis.Critical))
    assert "This is a bug" in critical and "KeyError" in critical
    assert any("Traceback" in message and tag == "SAR-Optical Registration" for message, tag, _ in logged)


def test_success_path_without_the_network(controller, sample_layers, sample, qtbot, iface, monkeypatch, tmp_path):
    """The dock's whole success path, with the engine replaced by the known truth."""
    from osgeo import gdal

    from plugin.core.pipeline import result_from_tie_points
    from tests.gui_fixtures import sample_tie_points

    def known_truth(optical, sar, options, progress, extractor):
        for index, stage in enumerate(STAGES):
            progress(stage, index / 5)
        return result_from_tie_points(optical, sar, sample_tie_points(), options.warp_model)

    monkeypatch.setattr("plugin.gui.task.register", known_truth)
    select_sample(controller, sample_layers)
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=60_000):
        pass
    assert task.succeeded and controller.layers.exist() and controller.dock.refit_button.isEnabled()
    assert "36 of 40 matches used" in " ".join(messages(iface, Qgis.Success))
    assert np.allclose(controller.result.fit.sar_to_optical, sample["truth"], atol=1e-6)
    output = str(tmp_path / "registered.tif")
    controller.dock.warped_file.setFilePath(output)
    with qtbot.waitSignal(controller.write_outputs().done, timeout=60_000):
        pass
    assert gdal.Open(output).GetGeoTransform() == gdal.Open(sample["optical"]).GetGeoTransform()
    assert [layer.source() for layer in QgsProject.instance().mapLayers().values() if isinstance(layer, QgsRasterLayer)].count(output) == 1


def test_a_result_brings_the_tie_points_tab_to_the_front_and_a_refused_run_does_not(controller, sample_layers, qtbot, monkeypatch):
    """After a run the surveyor's next step is in the table; a run refused afterwards (from the
    Registration tab) leaves the dock there, with the settings to change, and the earlier result."""
    from plugin.core.pipeline import result_from_tie_points
    from plugin.gui.dock import REGISTRATION_TAB, TIE_POINTS_TAB
    from tests.gui_fixtures import sample_tie_points

    answers = [lambda optical, sar, options: result_from_tie_points(optical, sar, sample_tie_points(), options.warp_model)]

    def refused(*_):
        raise RegistrationError("The SAR raster holds one value.", "Choose another band.")

    monkeypatch.setattr("plugin.gui.task.register", lambda optical, sar, options, progress, extractor: answers.pop(0)(optical, sar, options))
    select_sample(controller, sample_layers)
    dock = controller.dock
    assert dock.tabs.currentIndex() == REGISTRATION_TAB
    with qtbot.waitSignal(controller.run().done, timeout=60_000):
        pass
    assert controller.result is not None and dock.tabs.currentIndex() == TIE_POINTS_TAB
    first = controller.result
    dock.tabs.setCurrentIndex(REGISTRATION_TAB)
    answers.append(refused)
    with qtbot.waitSignal(controller.run().done, timeout=60_000):
        pass
    assert controller.result is first and dock.tabs.currentIndex() == REGISTRATION_TAB and dock.refit_button.isEnabled()


def test_a_result_matched_with_the_georeferencing_ignored_says_so(controller, sample_layers, qtbot, monkeypatch):
    """Advanced > Ignore the georeferencing is kept between sessions: each result it shapes says so in
    its summary; a run without it does not."""
    from plugin.core.pipeline import result_from_tie_points
    from tests.gui_fixtures import sample_tie_points

    options_seen = []

    def known_truth(optical, sar, options, progress, extractor):
        options_seen.append(options.use_georeferencing)
        return result_from_tie_points(optical, sar, sample_tie_points(), options.warp_model)

    monkeypatch.setattr("plugin.gui.task.register", known_truth)
    select_sample(controller, sample_layers)
    for ignored in (True, False):
        controller.dock.ignore_georeferencing_check.setChecked(ignored)
        with qtbot.waitSignal(controller.run().done, timeout=60_000):
            pass
        assert ("The georeferencing was ignored" in controller.dock.summary_label.text()) == ignored
    assert options_seen == [False, True]


def test_the_engines_warnings_reach_the_message_bar(controller, sample, qtbot, iface, tmp_path):
    """A SAR on a site's local grid with the optical in World Mercator: registered without its
    georeferencing, and the engine warns of it from the task's thread. The warning reached QGIS's
    log panel only; the user looks at the message bar."""
    from osgeo import gdal

    on_grid = str(tmp_path / "sar_site.tif")
    gdal.Translate(on_grid, sample["sar"], outputSRS='LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]')
    task = run_in_dock(controller, qtbot, sample["optical"], on_grid)
    assert task.succeeded, task.error
    notes = [text for text in messages(iface, Qgis.Warning) if "Note: The rasters' georeferencing is not used" in text]
    assert len(notes) == 1 and "from the CRS 'site grid' to 'WGS 84 / World Mercator'" in notes[0], messages(iface, Qgis.Warning)


def test_sample_registers_and_writes_a_georeferenced_output(controller, sample_layers, sample, qtbot, iface, tmp_path):
    """The success path on the bundled sample (needs the trained model)."""
    from osgeo import gdal

    select_sample(controller, sample_layers)
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    assert task.succeeded, " ".join(messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical))
    assert controller.layers.exist() and controller.dock.table_model.rowCount() == len(controller.result.tie_points)
    rms, largest = grid_error(controller.result.fit.sar_to_optical, sample["truth"], 800, 760)
    assert rms < 1.5 and largest < 3.0
    from plugin.core.ground import rmse_m
    from tests.test_ground import sample_pixel_m

    metres = rmse_m(controller.result)
    assert metres == pytest.approx(controller.result.fit.rmse * sample_pixel_m(sample), rel=0.01)
    assert f"RMSE {controller.result.fit.rmse:.2f} px, {metres:.1f} m on the ground" in controller.dock.summary_label.text()
    left_out = controller.result.fit.left_out_rmse  # each point against the fit without it and its neighbours, in pixels and on the ground
    assert controller.result.fit.rmse < left_out < controller.result.fit.rmse + 0.5
    assert f"Left-out RMSE: {left_out:.2f} px, {left_out * sample_pixel_m(sample):.1f} m on the ground." in controller.dock.summary_label.text()
    output = str(tmp_path / "sar_registered.tif")
    controller.dock.warped_file.setFilePath(output)
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    warped = gdal.Open(output)
    optical = gdal.Open(sample["optical"])
    assert warped.GetGeoTransform() == optical.GetGeoTransform() and warped.GetProjection() == optical.GetProjection()
    added = [layer for layer in QgsProject.instance().mapLayers().values() if isinstance(layer, QgsRasterLayer) and layer.source() == output]
    assert len(added) == 1 and added[0].isValid()


def test_a_failed_self_check_is_a_warning_that_stays(controller, sample_layers, qtbot, iface, monkeypatch):
    """The real engine with the self-check on; moved by 250 px, the georeferenced sample cannot be found
    again within the search radius (100 px), so the check fails and the dock says so (needs the trained model)."""
    from plugin.core import pipeline

    monkeypatch.setattr(pipeline, "SELF_CHECK_WARP", (0.0, 1.0, (250.0, 0.0)))
    select_sample(controller, sample_layers)
    controller.dock.self_check_check.setChecked(True)
    controller.dock.matcher_combo.setCurrentIndex(controller.dock.matcher_combo.findData("structural"))
    labels = set()
    task = controller.run()
    task.progressChanged.connect(lambda value: labels.add(controller.dock.stage_label.text()))
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    controller.dock.self_check_check.setChecked(False)
    controller.dock.matcher_combo.setCurrentIndex(controller.dock.matcher_combo.findData("auto"))
    assert task.succeeded and controller.result.self_check_failed
    warnings = " ".join(messages(iface, Qgis.Warning))
    assert "Self-check FAILED" in warnings and "Inspect the tie points" in warnings
    assert "Self-check FAILED" in controller.dock.summary_label.text()
    assert "Self-check: registering again with the SAR moved slightly" in labels


def test_unloading_the_plugin_while_a_registration_runs(controller, sample_layers, qtbot, monkeypatch):
    """Disabling or reloading the plugin mid-run cancels the task; its last progress signal must
    not reach the dock that is gone (a Python error in QGIS, which pytest-qt fails the test on)."""
    import plugin.core.descriptor as descriptor
    import plugin.gui.task as task_module
    from plugin.core import RegistrationCancelled

    def slow_register(optical, sar, options, progress=None, extractor=None):
        for step in range(500):  # like the engine: reports, and stops when told
            if progress("search", step / 500) is False:
                raise RegistrationCancelled("cancelled during the search")
            time.sleep(0.02)
        return None

    monkeypatch.setattr(task_module, "register", slow_register)
    monkeypatch.setattr(descriptor, "DescriptorExtractor", lambda *args: FakeExtractor())
    select_sample(controller, sample_layers)
    task = controller.run()
    ended = []
    task.taskTerminated.connect(lambda: ended.append("cancelled"))
    task.taskCompleted.connect(lambda: ended.append("completed"))
    qtbot.waitUntil(lambda: controller.dock.progress_bar.value() > 2, timeout=10_000)
    controller.unload()
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)  # the task's last signals are delivered here
    qtbot.wait(300)
    assert ended == ["cancelled"]
