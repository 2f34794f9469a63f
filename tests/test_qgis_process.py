"""The provider from the shell: ``qgis_process`` with the plugin installed in a throw-away QGIS
profile (QGIS_CUSTOM_CONFIG_PATH and HOME in a temporary folder; the user's profile is untouched).

Debian's wrapper /usr/bin/qgis_process passes --noversioncheck, which qgis_process rejects, so
the binary qgis_process.bin is run directly when it exists.
"""
import json
import os
import shutil
import subprocess
import sysconfig

import numpy as np
import pytest
from osgeo import gdal, osr

from plugin.core import TiePoints, outputs
from plugin.core.pipeline import result_from_tie_points
from tests.conftest import ROOT, sar_bordered_by_a_fill
from tests.gui_fixtures import sample  # noqa: F401 (the sample, copied)

PLUGIN_NAME = "sar_optical_registration"
QGIS_PROCESS = "/usr/bin/qgis_process.bin" if os.path.exists("/usr/bin/qgis_process.bin") else shutil.which("qgis_process")
pytestmark = pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process is not installed")


@pytest.fixture(scope="module")
def qgis_env(tmp_path_factory):
    """Environment of a qgis_process that sees the venv's packages and a fresh profile with the
    plugin (a link to this repository) enabled through ``qgis_process plugins enable``."""
    base = tmp_path_factory.mktemp("qgis_profile")
    plugins = base / "config" / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    os.symlink(ROOT, plugins / PLUGIN_NAME)
    env = dict(os.environ, HOME=str(base), QGIS_CUSTOM_CONFIG_PATH=str(base / "config"), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(base), PYTHONPATH=sysconfig.get_paths()["purelib"], PROJ_DATA=os.environ.get("PROJ_DATA", "/usr/share/proj"))
    enabled = subprocess.run([QGIS_PROCESS, "plugins", "enable", PLUGIN_NAME], env=env, capture_output=True, text=True, timeout=300)
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    return env


def qgis_process(env, *args, timeout=600):
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=timeout)


def json_results(done):
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout[done.stdout.index("{"):])["results"]


def epsg_of(path):
    srs = osr.SpatialReference(wkt=gdal.Open(path).GetProjection())
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


def test_algorithms_are_listed(qgis_env):
    listed = qgis_process(qgis_env, "list").stdout
    assert "saropticalregistration:registersartooptical" in listed and "saropticalregistration:warpfromtiepoints" in listed


def test_help_shows_the_parameters(qgis_env):
    shown = qgis_process(qgis_env, "help", "saropticalregistration:registersartooptical").stdout
    for name in ("OPTICAL", "SAR", "TRANSFORM", "DEVICE", "OUTPUT", "TIE_POINTS", "POINTS_FILE", "REPORT", "poly2"):
        assert name in shown


def test_warp_from_points_file(qgis_env, sample, tmp_path):
    sar_xy = np.random.default_rng(0).uniform(40, 700, (25, 2))
    tie_points = TiePoints(sar_xy + (17, -11), sar_xy, np.zeros(25), [""] * 25, np.ones(25, bool))
    points = outputs.write_points_file(result_from_tie_points(sample["optical"], sample["sar"], tie_points, "affine"), str(tmp_path / "t.points"))
    done = qgis_process(qgis_env, "--json", "run", "saropticalregistration:warpfromtiepoints", "--",
                        f"OPTICAL={sample['optical']}", f"SAR={sample['sar']}", f"POINTS_INPUT={points}", "TRANSFORM=poly1",
                        f"OUTPUT={tmp_path / 'warped.tif'}", f"TIE_POINTS={tmp_path / 'tp.gpkg'}")
    results = json_results(done)
    assert results["TIE_POINTS_USED"] == 25 and results["RMSE"] < 1e-3
    assert epsg_of(results["OUTPUT"]) == "3395" and os.path.exists(tmp_path / "tp.gpkg")


def test_a_spline_through_a_point_off_by_6_px_has_rmse_0_and_its_left_out_rmse_shows_the_point(qgis_env, sample, tmp_path):
    """What a surveyor scripting a thin-plate spline reads back: its RMSE says nothing, its left-out
    RMSE (each point against the spline without it and its neighbours) does."""
    sar_xy = np.random.default_rng(2).uniform(40, 700, (25, 2))
    tie_points = TiePoints(sar_xy + (17, -11), sar_xy, np.zeros(25), [""] * 25, np.ones(25, bool))
    tie_points.optical_xy[7] += (6.0, 0.0)
    points = outputs.write_points_file(result_from_tie_points(sample["optical"], sample["sar"], tie_points, "affine"), str(tmp_path / "t.points"))
    done = qgis_process(qgis_env, "--json", "run", "saropticalregistration:warpfromtiepoints", "--",
                        f"OPTICAL={sample['optical']}", f"SAR={sample['sar']}", f"POINTS_INPUT={points}", "TRANSFORM=tps",
                        f"OUTPUT={tmp_path / 'warped.tif'}")
    results = json_results(done)
    assert results["TIE_POINTS_USED"] == 25 and results["RMSE"] < 1e-6
    assert 0.5 < results["LEFT_OUT_RMSE"] < 6.0


def test_warp_a_tie_point_geopackage_on_the_rasters_it_records(qgis_env, sample, tmp_path):
    """What a script re-warping a batch of edited GeoPackages runs: no raster given."""
    sar_xy = np.random.default_rng(1).uniform(40, 700, (25, 2))
    tie_points = TiePoints(sar_xy + (17, -11), sar_xy, np.zeros(25), [""] * 25, np.ones(25, bool))
    saved = outputs.write_geopackage(result_from_tie_points(sample["optical"], sample["sar"], tie_points, "affine"), str(tmp_path / "t.gpkg"))
    done = qgis_process(qgis_env, "--json", "run", "saropticalregistration:warpfromtiepoints", "--",
                        f"TIE_POINT_LAYER={saved}", f"OUTPUT={tmp_path / 'warped.tif'}")
    results = json_results(done)
    assert results["TIE_POINTS_USED"] == 25 and results["RMSE"] < 1e-3 and epsg_of(results["OUTPUT"]) == "3395"


def test_register_bad_input_fails_with_a_fix(qgis_env, sample, tmp_path):
    done = qgis_process(qgis_env, "run", "saropticalregistration:registersartooptical", "--", f"OPTICAL={sample['optical']}",
                        f"SAR={sample['sar']}", "OPTICAL_BANDS=7", "DEVICE=cpu", f"OUTPUT={tmp_path / 'o.tif'}")
    assert done.returncode != 0 and "band 7 does not exist" in done.stdout + done.stderr
    assert not os.path.exists(tmp_path / "o.tif")


def test_register_the_sample(qgis_env, sample, tmp_path):
    """The README's command line (needs the trained model)."""
    done = qgis_process(qgis_env, "--json", "run", "saropticalregistration:registersartooptical", "--",
                        f"OPTICAL={sample['optical']}", f"SAR={sample['sar']}", "TRANSFORM=affine",
                        f"OUTPUT={tmp_path / 'sar_registered.tif'}", f"TIE_POINTS={tmp_path / 'tie_points.gpkg'}",
                        f"POINTS_FILE={tmp_path / 'tie_points.points'}", f"REPORT={tmp_path / 'report.html'}")
    results = json_results(done)
    assert 8 <= results["TIE_POINTS_USED"] <= results["CANDIDATES"] and results["RMSE"] < 2.0
    assert epsg_of(str(tmp_path / "sar_registered.tif")) == "3395"
    assert all(os.path.exists(tmp_path / n) for n in ("tie_points.gpkg", "tie_points.points", "report.html"))


def test_the_engines_warnings_are_in_qgis_process_output(qgis_env, sample, tmp_path):
    """A SAR bordered by -9999 that it does not declare as nodata: the engine's warning is among
    the algorithm's messages (before, Python printed it to stderr apart from them, if at all)."""
    bordered = sar_bordered_by_a_fill(sample["sar"], tmp_path / "sar_bordered.tif")
    done = qgis_process(qgis_env, "run", "saropticalregistration:registersartooptical", "--", f"OPTICAL={sample['optical']}",
                        f"SAR={bordered}", "DEVICE=cpu", f"OUTPUT={tmp_path / 'o.tif'}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "WARNING:\tband 1 of" in done.stdout and "36480 pixels of -9999, a conventional fill, are read as nodata" in done.stdout, done.stdout
