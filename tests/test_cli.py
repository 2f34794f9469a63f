import json
import os
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal, ogr

from tests.conftest import ROOT
from tests.test_ground import sample_pixel_m
from tests.test_processing import report_tie_points


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "plugin", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_register_writes_every_output(sample, tmp_path):
    out = {k: str(tmp_path / n) for k, n in (("tif", "warped.tif"), ("points", "t.points"), ("gpkg", "t.gpkg"), ("json", "m.json"),
                                               ("report", "report.html"))}
    done = run_cli("register", sample["optical"], sample["sar"], "-o", out["tif"], "--points", out["points"], "--gpkg", out["gpkg"],
                   "--matches-json", out["json"], "--device", "cpu", "--transform", "poly2", "--self-check", "--report", out["report"])
    assert done.returncode == 0, done.stderr
    assert all(os.path.exists(p) for p in out.values())
    report = json.load(open(out["json"]))
    assert set(report) >= {"optical_xy", "sar_xy", "inlier", "transform", "timing_s"}
    assert report["transform"]["model"] == "poly2" and np.array(report["transform"]["sar_to_optical"]).shape == (3, 3)
    assert report["self_check"]["passed"] and 0 <= report["self_check"]["moved_px"] < 3.0
    assert len(report["optical_xy"]) == len(report["sar_xy"]) == len(report["inlier"])
    # Inlier pairs obey the truth in the input files' own pixel grids (OpenCV convention).
    optical, sar = np.array(report["optical_xy"]), np.array(report["sar_xy"])
    inlier = np.array(report["inlier"])
    offset = optical[inlier] - sar[inlier]
    np.testing.assert_allclose(np.median(offset, axis=0), sample["truth"][:2, 2], atol=1.0)
    written = gdal.Open(out["tif"])
    assert written.RasterXSize == gdal.Open(sample["optical"]).RasterXSize and written.GetRasterBand(1).GetOverviewCount() == 2
    assert "tie points" in done.stdout
    # the fit's RMSE also on the ground: the sample's 10 m World Mercator pixels are 8.3 m there
    assert report["rmse_m"] == pytest.approx(report["rmse_px"] * sample_pixel_m(sample), rel=0.01)
    assert f"fit RMSE {report['rmse_px']:.2f} px ({report['rmse_m']:.1f} m on the ground)" in done.stdout
    # and each tie point against the fit without it and its neighbours: a little more than the fit's own RMSE on the sample
    assert report["rmse_px"] < report["left_out_rmse_px"] < report["rmse_px"] + 0.3
    assert report["left_out_rmse_m"] == pytest.approx(report["left_out_rmse_px"] * sample_pixel_m(sample), rel=0.01)
    assert (f"{report['left_out_rmse_px']:.2f} px ({report['left_out_rmse_m']:.1f} m on the ground) with each point and its neighbours left out"
            in done.stdout)
    # the HTML report: the fit, the files written with it, every tie point with its residual
    page = open(out["report"], encoding="utf-8").read()
    assert f"Fit RMSE (metres on the ground)</th><td>{report['rmse_m']:.3f}" in page and "Self-check" in page
    assert f"Left-out RMSE (metres on the ground)</th><td>{report['left_out_rmse_m']:.3f}" in page
    assert all(f"<td>{out[kind]}</td>" in page for kind in ("tif", "points", "gpkg", "json"))
    assert len(report_tie_points(page)) == len(report["inlier"])
    assert "self-check passed: with the SAR moved slightly, the fit moved by 0." in done.stdout


def test_register_writes_no_overviews_when_told_not_to(sample, tmp_path):
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(tmp_path / "warped.tif"), "--device", "cpu", "--no-overviews")
    assert done.returncode == 0, done.stderr
    assert gdal.Open(str(tmp_path / "warped.tif")).GetRasterBand(1).GetOverviewCount() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("missing.tif", "{sar}"), "does not exist"),
        (("{readme}", "{sar}"), "not a raster"),
        (("{optical}", "{sar}", "--optical-bands", "7"), "band 7 does not exist"),
        (("{optical}", "{sar}", "--device", "cuda"), "No CUDA GPU"),
        (("{optical}", "{optical}"), "is one of the input rasters"),
        (("{optical}", "{optical}"), "are the same image"),
        (("{optical}", "{sar}"), "written as a GeoTIFF, but"),
        (("{optical}", "{sar}", "--min-inliers", "2"), "Use at least 3"),
    ],
)
def test_bad_input_gives_one_clear_line(sample, tmp_path, args, message):
    if message == "No CUDA GPU":
        import torch

        if torch.cuda.is_available():
            pytest.skip("a GPU is present")
    names = {"sar": sample["sar"], "optical": sample["optical"], "readme": os.path.join(ROOT, "README.md")}
    args = [a.format(**names) for a in args]
    output = {"is one of the input rasters": sample["optical"], "written as a GeoTIFF, but": str(tmp_path / "out.png")}.get(message, str(tmp_path / "out.tif"))
    done = run_cli("register", *args, "-o", output, "--overwrite")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert message in lines[-1] and lines[-1].startswith("error: ") and "Traceback" not in done.stderr


def test_pairs_that_do_not_match_fail_cleanly(sample, tmp_path):
    noise = np.random.default_rng(0).integers(0, 255, (760, 800)).astype(np.uint8)
    ds = gdal.GetDriverByName("GTiff").CreateCopy(str(tmp_path / "noise.tif"), gdal.Open(sample["sar"]))
    ds.GetRasterBand(1).WriteArray(noise)
    ds = None
    done = run_cli("register", sample["optical"], str(tmp_path / "noise.tif"), "-o", str(tmp_path / "o.tif"))
    assert done.returncode == 2 and "could not be registered" in done.stderr
    assert not os.path.exists(tmp_path / "o.tif")


def test_a_pair_with_fewer_agreeing_tie_points_than_asked_for_is_refused(sample, tmp_path):
    """--min-inliers reaches the engine: the sample registers with a few hundred tie points, not with 600 asked for."""
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(tmp_path / "o.tif"), "--min-inliers", "600")
    assert done.returncode == 2 and "could not be registered" in done.stderr and "at least 600 are needed" in done.stderr, done.stderr
    assert not os.path.exists(tmp_path / "o.tif")


def test_a_sar_whose_georeferencing_is_far_off_registers_with_it_ignored(sample, tmp_path):
    """The SAR's georeferencing 5 km off (about 500 px, five times the search radius): refused, with
    the advice to ignore it; with --ignore-georeferencing the whole image is searched, and the fit
    is the sample's truth (the outputs on the optical raster's grid, as always)."""
    import json

    from tests.conftest import grid_error, sar_moved_on_the_map

    far = sar_moved_on_the_map(sample["sar"], tmp_path / "sar_far.tif", 5000.0, -1500.0)
    args = ("register", sample["optical"], far, "-o", str(tmp_path / "o.tif"), "--device", "cpu",
            "--matches-json", str(tmp_path / "m.json"))
    refused = run_cli(*args)
    assert refused.returncode == 2 and "could not be registered" in refused.stderr and "--ignore-georeferencing" in refused.stderr, refused.stderr
    done = run_cli(*args, "--ignore-georeferencing")
    assert done.returncode == 0, done.stderr
    matrix = np.array(json.load(open(tmp_path / "m.json"))["transform"]["sar_to_optical"])
    rms, largest = grid_error(matrix, sample["truth"], 800, 760)
    assert rms < 1.5 and largest < 3.0
    assert gdal.Open(str(tmp_path / "o.tif")).GetGeoTransform() == gdal.Open(sample["optical"]).GetGeoTransform()


def test_outputs_are_checked_before_the_registration(sample, tmp_path):
    """A taken name among the outputs is refused before the registration runs, so no other output
    is written first (the warped GeoTIFF was, and the same command then failed on it)."""
    taken = tmp_path / "taken.points"
    taken.write_text("keep me")
    warped = tmp_path / "warped.tif"
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(warped), "--points", str(taken), "--device", "cpu")
    assert done.returncode == 2 and "already exists" in done.stderr.strip().splitlines()[-1]
    assert not warped.exists() and taken.read_text() == "keep me"
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(tmp_path / "no" / "folder.tif"), "--device", "cpu")
    assert done.returncode == 2 and "does not exist" in done.stderr and "tie points" not in done.stdout
    project = tmp_path / "project.gpkg"  # a GeoPackage with a layer of its own: overwriting would keep it, and the refusal says so
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(project))
    dataset.CreateLayer("roads", None, ogr.wkbPoint)
    dataset = None
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(warped), "--gpkg", str(project), "--device", "cpu")
    assert done.returncode == 2 and "'tie_points' is then added or replaced, and its 1 other layer(s) are kept" in done.stderr
    assert not warped.exists() and "tie points" not in done.stdout
    # A folder as the output: with --overwrite it was registered, then could not be written ("Is a directory").
    (tmp_path / "folder.tif").mkdir()
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(tmp_path / "folder.tif"), "--overwrite", "--device", "cpu")
    assert done.returncode == 2 and "is a folder, not a file" in done.stderr and "tie points" not in done.stdout


def test_two_outputs_of_one_name_are_refused(sample, tmp_path):
    """With --overwrite, the .points file replaced the GeoTIFF just written, and the command said it wrote both."""
    same = tmp_path / "out.tif"
    done = run_cli("register", sample["optical"], sample["sar"], "-o", str(same), "--points", str(same), "--overwrite", "--device", "cpu")
    assert done.returncode == 2 and "registered SAR (-o) and the points file (--points) are both" in done.stderr
    assert not same.exists() and "tie points" not in done.stdout

