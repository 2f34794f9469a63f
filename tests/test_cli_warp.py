"""``python -m plugin warp``: the registered SAR written again from tie points (a GeoPackage
edited after register or batch, or a .points file), without matching, and its refusals."""
import os
import shutil

import cv2
import numpy as np
import pytest
from osgeo import gdal, ogr

from plugin.core import outputs
from plugin.core.pipeline import raster_info, result_from_tie_points
from plugin.core.tie_point_files import read_tie_point_file
from tests.conftest import SAMPLE_SHIFT
from tests.test_cli import run_cli
from tests.test_tie_point_files import tie_points


@pytest.fixture
def saved(sample, tmp_path):
    """A tie-point GeoPackage as register writes it for the sample (3 outliers disabled), with one
    more point disabled by hand, and the rasters it records."""
    result = result_from_tie_points(sample["optical"], sample["sar"], tie_points(), "affine")
    path = outputs.write_geopackage(result, str(tmp_path / "tie.gpkg"))
    dataset = ogr.Open(path, update=1)
    layer = dataset.GetLayerByName("tie_points")
    for feature in layer:
        if feature.GetField("id") == 10:
            feature.SetField("enabled", 0)
            layer.SetFeature(feature)
    dataset = None
    return path


def test_warp_writes_the_edited_tie_points_on_the_rasters_the_file_records(saved, sample, tmp_path):
    out, points, again = str(tmp_path / "warped.tif"), str(tmp_path / "new.points"), str(tmp_path / "new.gpkg")
    report = str(tmp_path / "report.html")
    done = run_cli("warp", saved, "-o", out, "--transform", "poly2", "--points", points, "--gpkg", again, "--report", report)
    assert done.returncode == 0, done.stderr
    assert "26 of 30 tie points used, poly2 fit RMSE 0.00 px" in done.stdout
    from tests.test_processing import report_tie_points

    rows = report_tie_points(open(report, encoding="utf-8").read())
    assert len(rows) == 30 and sum(row["Used"] == "yes" for row in rows) == 26
    assert next(row for row in rows if row["Id"] == "10")["Rejected by"] == "you"  # disabled in the GeoPackage
    warped, optical = gdal.Open(out), gdal.Open(sample["optical"])
    assert warped.GetGeoTransform() == optical.GetGeoTransform() and warped.GetProjection() == optical.GetProjection()
    assert warped.GetRasterBand(1).GetOverviewCount() == 2
    # the sample's known shift: warped pixel p shows SAR pixel p - SAMPLE_SHIFT
    sar = gdal.Open(sample["sar"]).ReadAsArray().astype(np.float32)
    shift = np.float32([[1, 0, SAMPLE_SHIFT[0]], [0, 1, SAMPLE_SHIFT[1]]])
    expected = cv2.warpAffine(sar, shift, (768, 768), flags=cv2.INTER_LINEAR)[100:600, 100:600]
    assert np.corrcoef(warped.ReadAsArray().astype(float)[100:600, 100:600].ravel(), expected.ravel())[0, 1] > 0.98
    read = read_tie_point_file(points, raster_info(sample["optical"]), sample["sar"])
    assert read.enabled.sum() == 26 and len(read) == 30
    source = ogr.Open(again)
    assert sorted(f.GetField("id") for f in source.GetLayer(0) if not f.GetField("enabled")) == [10, 37, 38, 39]


def test_warp_takes_the_rasters_given_over_the_recorded_ones(saved, sample, tmp_path):
    """The rasters moved: the recorded SAR is gone, and is named with the option that gives it."""
    moved = tmp_path / "moved"
    moved.mkdir()
    copies = {key: shutil.copy(sample[key], moved) for key in ("optical", "sar")}
    result = result_from_tie_points(copies["optical"], copies["sar"], tie_points(), "affine")
    recorded = outputs.write_geopackage(result, str(tmp_path / "moved.gpkg"))
    os.remove(copies["sar"])
    done = run_cli("warp", recorded, "-o", str(tmp_path / "w.tif"))
    assert done.returncode == 2 and "The SAR raster" in done.stderr and f"'{copies['sar']}', does not exist" in done.stderr
    assert "Give it with --sar." in done.stderr and not os.path.exists(tmp_path / "w.tif")
    done = run_cli("warp", recorded, "-o", str(tmp_path / "w.tif"), "--sar", sample["sar"])
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("case, said", [
    ("points file", "does not say which optical raster its tie points were measured on. Give it with --optical."),
    ("over the tie points", "is the tie-point file read"),
    ("missing", "does not exist"),
    ("another SAR", "of the 26 enabled tie points lie outside the SAR raster 'clip.tif' (300 x 300 px)"),
])
def test_warp_refuses_with_one_clear_line(saved, sample, tmp_path, case, said):
    out = str(tmp_path / "w.tif")
    if case == "points file":
        args = [outputs.write_points_file(result_from_tie_points(sample["optical"], sample["sar"], tie_points(), "affine"),
                                          str(tmp_path / "t.points")), "-o", out]
    elif case == "over the tie points":
        args = [saved, "-o", out, "--gpkg", saved, "--overwrite"]
    elif case == "missing":
        args = [str(tmp_path / "gone.gpkg"), "-o", out]
    else:
        clip = str(tmp_path / "clip.tif")
        gdal.Translate(clip, sample["sar"], srcWin=[0, 0, 300, 300])
        args = [saved, "-o", out, "--sar", clip]
    before = open(saved, "rb").read()
    done = run_cli("warp", *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert said in done.stderr.strip().splitlines()[-1]
    assert not os.path.exists(out) and open(saved, "rb").read() == before
