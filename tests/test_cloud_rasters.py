"""Rasters read over HTTP, as GDAL reads a cloud-optimised GeoTIFF (/vsicurl/), from a server on this
machine that answers byte ranges as cloud storage does and counts the requests it gets (the
benchmark's, ``benchmarks.cloud.serve``)."""
import json
import os
import shutil
import socket
import threading

import numpy as np
import pytest
from osgeo import gdal

from benchmarks.cloud import serve
from plugin.core import RegistrationError, RegistrationOptions, raster_io, register
from plugin.core.raster_io import on_network, raster_stem, read_raster
from tests.gui_fixtures import controller, iface, messages  # noqa: F401
from tests.test_cli import run_cli
from tests.test_processing import REGISTER, processing, provider  # noqa: F401
from tests.test_qgis_process import QGIS_PROCESS, json_results, qgis_env, qgis_process  # noqa: F401


@pytest.fixture
def served(tmp_path, sample, monkeypatch):
    """The bundled sample's rasters at an http:// address; yields (url of the folder, the server: its
    ``requests`` as (method, path, range), ``fail_from``, the first byte it refuses to send, and
    ``fail_once``: each range is refused the first time it is asked for)."""
    folder = tmp_path / "bucket"
    folder.mkdir()
    for role in ("optical", "sar"):
        shutil.copy(sample[role], folder / f"{role}.tif")
    server = serve(str(folder))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    gdal.SetConfigOption("GDAL_HTTP_TIMEOUT", "20")
    gdal.VSICurlClearCache()
    try:
        yield server.url, server
    finally:
        gdal.SetConfigOption("GDAL_HTTP_TIMEOUT", None)
        gdal.VSICurlClearCache()
        server.shutdown()
        server.server_close()


def test_network_names_are_told_from_files():
    assert on_network("/vsicurl/https://example.com/a.tif") and on_network("/vsis3/bucket/a.tif")
    assert on_network("https://example.com/a.tif") and on_network("/vsizip//vsicurl/https://example.com/a.zip/a.tif")
    assert on_network("/vsizip/{/vsis3/bucket/a.zip}/a.tif") and on_network("/vsicurl?url=https%3A%2F%2Fexample.com%2Fa.tif")
    assert not on_network("/data/vsicurl/a.tif") and not on_network("/vsizip/a.zip/a.tif") and not on_network("C:/data/a.tif")


@pytest.mark.parametrize("name", ["/data/sar.tif", "/vsizip//data/s1.zip/sar.tif", "GPKG:/data/rasters.gpkg:sar", "C:\\data\\sar.tiff",
                                  "https://example.com/s1/sar.tif?X-Amz-Signature=a/b", "/vsis3/bucket/s1/sar.tif"])
def test_an_output_is_named_after_the_raster_not_its_folder_or_query(name):
    assert raster_stem(name) == "sar"


@pytest.mark.parametrize("as_vrt", [False, True], ids=["url", "vrt-of-url"])
def test_a_cloud_geotiff_is_read_in_a_few_requests(served, sample, tmp_path, as_vrt):
    """GDAL 3.6 decoding on several threads fetched each of the sample's 256 strips with a request
    of its own (4.3 s at 30 ms a request); a plain read fetches them in a few merged requests. A VRT
    file of the URL (what QGIS 3.22's Processing can load) is read the same way."""
    url, server = served
    requests = server.requests
    name = f"/vsicurl/{url}/optical.tif"
    if as_vrt:
        name = gdal.Translate(str(tmp_path / "optical.vrt"), name, format="VRT").GetDescription()
        requests.clear()
    raster = read_raster(name, "optical")
    np.testing.assert_array_equal(raster.data, read_raster(sample["optical"], "optical").data)
    fetched = [path for method, path, _ in requests if method == "GET" and path.endswith(".tif")]
    assert 1 <= len(fetched) <= 4, fetched


def test_a_pair_of_cloud_geotiffs_registers_from_the_command_line_as_the_files_do(served, sample, tmp_path):
    """Before, the check that no output replaces an input listed each cloud raster's files, and GDAL
    looked for 44 possible sidecars of each with a request apiece; the reads took 335 requests."""
    url, server = served
    requests = server.requests
    out = tmp_path / "out"
    out.mkdir()
    done = run_cli("register", f"/vsicurl/{url}/optical.tif", f"/vsicurl/{url}/sar.tif", "-o", str(out / "sar_registered.tif"),
                   "--gpkg", str(out / "tie.gpkg"), "--matches-json", str(out / "matches.json"))
    assert done.returncode == 0, done.stderr
    local = register(sample["optical"], sample["sar"], RegistrationOptions())
    remote = np.array(json.loads((out / "matches.json").read_text())["transform"]["sar_to_optical"])
    np.testing.assert_allclose(remote, local.fit.sar_to_optical, atol=1e-6)
    assert gdal.Info(str(out / "sar_registered.tif"), format="json")["size"] == [768, 768]
    gets = [path for method, path, _ in requests if method == "GET"]
    heads = [path for method, path, _ in requests if method == "HEAD"]
    assert len(gets) <= 12 and len(heads) <= 60, (gets, heads)


def test_layers_added_from_urls_register_in_the_dock(served, controller, iface, qtbot, tmp_path):
    """What a user does in QGIS: Add Raster Layer > Protocol (HTTP), then Run and Write in the dock."""
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    url, server = served
    requests = server.requests
    layers = [QgsRasterLayer(f"/vsicurl/{url}/{role}.tif", role, "gdal") for role in ("optical", "sar")]
    assert all(layer.isValid() for layer in layers)
    QgsProject.instance().addMapLayers(layers)
    controller.dock.optical_input.set_layer(layers[0])
    controller.dock.sar_input.set_layer(layers[1])
    controller.dock.device_combo.setCurrentIndex(controller.dock.device_combo.findData("cpu"))
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    assert task.succeeded, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    assert controller.dock.warped_file.filePath().endswith(os.sep + "sar_registered.tif")  # named after the SAR layer, not its URL
    controller.dock.warped_file.setFilePath(str(tmp_path / "sar_registered.tif"))
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    assert gdal.Info(str(tmp_path / "sar_registered.tif"), format="json")["size"] == [768, 768]
    # QGIS samples each layer to stretch its colours (16 requests for the optical here); the reads
    # on several threads took 257 more
    assert len([path for method, path, _ in requests if method == "GET"]) <= 60


@pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process is not installed")
def test_qgis_process_registers_cloud_rasters_through_vrt_files(served, qgis_env, tmp_path):
    """QGIS 3.22's Processing loads files on disk only: a URL is refused by QGIS itself, and a VRT file
    of it is the way in (the README says so). Read as the URL is, in a few requests."""
    url, server = served
    requests = server.requests
    env = dict(qgis_env, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")  # made before this test's own setting
    refused = qgis_process(env, "run", "saropticalregistration:registersartooptical", "--", f"OPTICAL=/vsicurl/{url}/optical.tif",
                           f"SAR=/vsicurl/{url}/sar.tif", f"OUTPUT={tmp_path / 'refused.tif'}")
    assert refused.returncode != 0 and "not found" in refused.stdout + refused.stderr
    vrts = {role: gdal.Translate(str(tmp_path / f"{role}.vrt"), f"/vsicurl/{url}/{role}.tif", format="VRT").GetDescription()
            for role in ("optical", "sar")}
    requests.clear()
    results = json_results(qgis_process(env, "--json", "run", "saropticalregistration:registersartooptical", "--",
                                        f"OPTICAL={vrts['optical']}", f"SAR={vrts['sar']}", f"OUTPUT={tmp_path / 'sar_registered.tif'}"))
    assert results["TIE_POINTS_USED"] > 300 and results["RMSE"] < 1.0
    assert gdal.Info(str(tmp_path / "sar_registered.tif"), format="json")["size"] == [768, 768]
    assert len([path for method, path, _ in requests if method == "GET"]) <= 60, requests


def test_a_cloud_raster_that_cannot_be_fetched_is_explained_with_what_to_check(served, sample, tmp_path):
    """A missing object or a server that does not answer was 'not a raster GDAL can read', with the
    advice to convert it with gdal_translate."""
    url, server = served
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    unanswered = f"/vsicurl/http://127.0.0.1:{closed.getsockname()[1]}/sar.tif"
    closed.close()
    for name, detail in ((f"/vsicurl/{url}/missing.tif", "404"), (unanswered, "connect")):
        done = run_cli("register", sample["optical"], name, "-o", str(tmp_path / "sar_registered.tif"))
        assert done.returncode == 2 and "could not be read as a raster over the network" in done.stderr, done.stderr
        assert detail in done.stderr and "network connection" in done.stderr and "gdal_translate" not in done.stderr
    (tmp_path / "bucket" / "page.tif").write_text("<html>not a raster</html>")
    done = run_cli("register", sample["optical"], f"/vsicurl/{url}/page.tif", "-o", str(tmp_path / "sar_registered.tif"))
    assert done.returncode == 2 and "not recognized as a supported file format" in done.stderr and "that it is a raster" in done.stderr
    assert not (tmp_path / "sar_registered.tif").exists()


def test_a_cloud_raster_whose_server_fails_part_of_the_way_says_to_try_again(served, sample, tmp_path, monkeypatch):
    url, server = served
    server.fail_from = 16384  # the header arrives, the pixels do not
    monkeypatch.setenv("GDAL_HTTP_RETRY_DELAY", "0.1")  # retried all the same, sooner
    done = run_cli("register", sample["optical"], f"/vsicurl/{url}/sar.tif", "-o", str(tmp_path / "sar_registered.tif"))
    assert done.returncode == 2 and "could not be read" in done.stderr and "try again" in done.stderr, done.stderr
    assert "interrupted download or copy" not in done.stderr and not (tmp_path / "sar_registered.tif").exists()


def test_a_server_that_fails_for_a_moment_is_asked_again(served, sample, tmp_path, monkeypatch):
    """Each range is refused once (HTTP 503, as a busy bucket answers). GDAL 3.6 retries nothing by
    default, and the registration failed; the engine has GDAL retry such failures."""
    url, server = served
    server.fail_once = True
    monkeypatch.setenv("GDAL_HTTP_RETRY_DELAY", "0.1")  # the user's delay is kept; the retries are the engine's
    out = tmp_path / "sar_registered.tif"
    done = run_cli("register", f"/vsicurl/{url}/optical.tif", f"/vsicurl/{url}/sar.tif", "-o", str(out), "--matches-json", str(tmp_path / "m.json"))
    assert done.returncode == 0, done.stderr
    assert sum(server.failed.values()) >= 4 and gdal.Info(str(out), format="json")["size"] == [768, 768]
    assert sum(json.loads((tmp_path / "m.json").read_text())["inlier"]) > 300


def test_the_benchmark_reports_what_each_case_fetched(tmp_path):
    from argparse import Namespace

    from benchmarks.cloud import fetched_bytes, write_report

    assert fetched_bytes([("GET", "/a.tif", "bytes=0-16383"), ("HEAD", "/a.tif.aux.xml", None), ("GET", "/a.tif", "bytes=16384-16483")]) == 16484
    rows = [{"layout": "cloud-optimised GeoTIFF", "case": "/vsicurl/ URLs", "seconds": 5.99, "get": 5, "head": 46, "megabytes": 1.76, "tie_points": 375},
            {"layout": "cloud-optimised GeoTIFF", "case": "files on disk", "error": "error: something"}]
    write_report(rows, str(tmp_path / "cloud.md"), Namespace(runs=3, delay=0.03))
    text = (tmp_path / "cloud.md").read_text()
    assert "| cloud-optimised GeoTIFF | /vsicurl/ URLs | 5.99 | 5 | 46 | 1.76 | 375 |" in text
    assert "failed: error: something" in text and "waits 30 ms" in text and "Commit:" in text


def test_an_output_in_cloud_storage_is_refused_at_once_with_the_way_to_get_it_there(sample, tmp_path):
    """It was "The output folder '/vsis3/bucket' does not exist. Create it first", after nothing."""
    for name in ("/vsis3/bucket/sar_registered.tif", "/vsimem/sar_registered.tif"):
        done = run_cli("register", sample["optical"], sample["sar"], "-o", name)
        assert done.returncode == 2 and "not a file on disk" in done.stderr and "gdal_translate -of COG" in done.stderr, done.stderr
        assert "coarse alignment" not in done.stderr  # refused before the registration
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(tmp_path / "out.tif"), "--gpkg", "/vsis3/bucket/tie.gpkg")
    assert done.returncode == 2 and "not a file on disk" in done.stderr and not (tmp_path / "out.tif").exists()


def test_the_toolbox_registers_project_layers_added_from_urls(served, processing, tmp_path):
    """In QGIS's own Processing toolbox a layer added from a URL is a project layer, which Processing
    takes (a URL typed as text it refuses: see the qgis_process test)."""
    from qgis.core import QgsProject, QgsRasterLayer

    url, server = served
    layers = [QgsRasterLayer(f"/vsicurl/{url}/{role}.tif", role, "gdal") for role in ("optical", "sar")]
    QgsProject.instance().addMapLayers(layers)
    try:
        results = processing.run(REGISTER, {"OPTICAL": layers[0], "SAR": layers[1], "OUTPUT": str(tmp_path / "sar_registered.tif")})
    finally:
        QgsProject.instance().removeMapLayers([layer.id() for layer in layers])
    assert results["TIE_POINTS_USED"] > 300 and results["RMSE"] < 1.0
    assert gdal.Info(results["OUTPUT"], format="json")["size"] == [768, 768]
    assert len([path for method, path, _ in server.requests if method == "GET"]) <= 60


def test_the_network_settings_are_the_engines_where_the_user_set_none(monkeypatch):
    monkeypatch.setenv("GDAL_HTTP_MAX_RETRY", "7")
    for key, _ in raster_io.NETWORK_SETTINGS:
        if key != "GDAL_HTTP_MAX_RETRY":
            monkeypatch.delenv(key, raising=False)
    with raster_io.network_settings():
        assert gdal.GetConfigOption("GDAL_HTTP_MAX_RETRY") == "7"  # the user's
        assert gdal.GetConfigOption("GDAL_HTTP_LOW_SPEED_TIME") == "30" and gdal.GetConfigOption("GDAL_HTTP_CONNECTTIMEOUT") == "30"
        seen = []
        thread = threading.Thread(target=lambda: seen.append(gdal.GetConfigOption("GDAL_HTTP_LOW_SPEED_TIME")))
        thread.start()
        thread.join()
        assert seen == [None]  # this thread's alone: QGIS's other threads keep their own
    assert gdal.GetConfigOption("GDAL_HTTP_LOW_SPEED_TIME") is None


def test_a_server_that_stops_answering_fails_the_read_instead_of_hanging_it(monkeypatch):
    """A server that accepts the connection and never answers hung the registration for good: no
    Cancel, Ctrl-C or SIGTERM reaches a read blocked in GDAL. The engine's stall limit (30 s; 2 s
    here) ends it with the reason."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(raster_io, "NETWORK_SETTINGS", tuple((key, "2" if key == "GDAL_HTTP_LOW_SPEED_TIME" else value)
                                                              for key, value in raster_io.NETWORK_SETTINGS))
    outcome = []

    def read():
        try:
            read_raster(f"/vsicurl/http://127.0.0.1:{listening.getsockname()[1]}/sar.tif", "sar")
        except RegistrationError as error:
            outcome.append(str(error))

    gdal.VSICurlClearCache()
    reader = threading.Thread(target=read, daemon=True)  # left behind, blocked, where the read hangs
    reader.start()
    reader.join(60)
    listening.close()
    assert outcome and "could not be read as a raster over the network" in outcome[0] and "too slow" in outcome[0], outcome
