"""The large-scene benchmark's own parts: the scene it writes and how it measures memory."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from osgeo import gdal

from benchmarks import large_scene
from tests.conftest import ROOT


def test_peak_memory_of_a_child_process_is_measured():
    # Measured from a fresh, small process, as the benchmark does: Linux carries the memory a
    # process had before it started the command into the command's own peak, and this test
    # process's peak depends on which tests ran before it.
    allocate = "import numpy as np; a = np.ones(400 * 2**20 // 8); print(a.sum())"
    measure = f"import sys; from benchmarks import large_scene; print(*large_scene.peak_of([sys.executable, '-c', {allocate!r}])[:3])"
    out = subprocess.run([sys.executable, "-c", measure], capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    seconds, peak_gib, code = float(out[0]), float(out[1]), int(out[2])
    assert code == 0 and seconds > 0
    assert 0.39 <= peak_gib < 1.5, peak_gib  # the 400 MiB array and Python itself


def test_a_failing_child_reports_its_exit_status():
    _, _, code, stderr = large_scene.peak_of([sys.executable, "-c", "import sys; sys.exit('no such raster')"])
    assert code == 1 and "no such raster" in stderr


def fake_pairs(folder, count: int, seed: int) -> None:
    """``count`` random 1024 px S1/S2 "pairs" in the data's layout under ``folder``."""
    rng = np.random.default_rng(seed)
    for kind in ("opt", "sar"):
        os.makedirs(folder / "s1s2-california" / kind)
    for index in range(count):
        image = (rng.random((1024, 1024, 3)) * 255).astype(np.uint8)
        cv2.imwrite(str(folder / "s1s2-california" / "opt" / f"{index:03d}.png"), image)
        cv2.imwrite(str(folder / "s1s2-california" / "sar" / f"{index:03d}.png"), image[:, :, 0])


def test_scene_is_a_georeferenced_mosaic_with_the_sar_offset(tmp_path):
    fake_pairs(tmp_path, 2, seed=0)
    optical, sar = large_scene.write_scene(str(tmp_path), 1536, str(tmp_path))
    optical, sar = gdal.Open(optical), gdal.Open(sar)
    assert (optical.RasterXSize, optical.RasterYSize, optical.RasterCount) == (1536, 1536, 3)
    assert (sar.RasterXSize, sar.RasterYSize, sar.RasterCount) == (1536, 1536, 1)
    # tiles repeat in order: the second row starts with the first pair again (two pairs, 2 x 2 tiles)
    assert np.array_equal(sar.ReadAsArray()[1024:, :512], sar.ReadAsArray()[:512, :512])
    optical_origin, sar_origin = optical.GetGeoTransform(), sar.GetGeoTransform()
    dx, dy = large_scene.SAR_OFFSET_PX
    assert np.isclose(sar_origin[0] - optical_origin[0], dx * large_scene.PIXEL_M)
    assert np.isclose(sar_origin[3] - optical_origin[3], -dy * large_scene.PIXEL_M)
    assert "32611" in optical.GetProjection() or "UTM zone 11N" in optical.GetProjection()


def test_scene_sar_can_carry_a_known_warp_that_the_corner_error_counts_as_truth(tmp_path):
    fake_pairs(tmp_path, 1, seed=1)
    plain = gdal.Open(large_scene.write_scene(str(tmp_path), 1024, str(tmp_path))[1]).ReadAsArray()
    shift = np.array([[1.0, 0, 2], [0, 1, 3], [0, 0, 1]])  # SAR pixel (x, y) shows optical pixel (x + 2, y + 3)
    moved = gdal.Open(large_scene.write_scene(str(tmp_path), 1024, str(tmp_path), shift)[1]).ReadAsArray()
    assert np.array_equal(moved[:-3, :-2], plain[3:, 2:])
    np.testing.assert_allclose(large_scene.sar_warp(1024, 0.0, 1.0), np.eye(3), atol=1e-12)
    turned = large_scene.sar_warp(1001, 90.0, 2.0)
    np.testing.assert_allclose(turned @ [500.0, 500.0, 1.0], [500.0, 500.0, 1.0], atol=1e-9)  # about the centre
    np.testing.assert_allclose(turned[:2, :2], [[0, -2], [2, 0]], atol=1e-12)


def test_scene_sar_can_cover_only_part_of_the_scene(tmp_path):
    fake_pairs(tmp_path, 1, seed=2)
    whole = gdal.Open(large_scene.write_scene(str(tmp_path), 1024, str(tmp_path))[1])
    whole_pixels, whole_origin = whole.ReadAsArray(), whole.GetGeoTransform()
    clipped = gdal.Open(large_scene.write_scene(str(tmp_path), 1024, str(tmp_path), sar_clip=300)[1])
    x0, y0 = large_scene.clip_origin(1024, 300)
    assert (x0, y0) == (341, 256) and (clipped.RasterXSize, clipped.RasterYSize) == (300, 300)
    assert np.array_equal(clipped.ReadAsArray(), whole_pixels[y0 : y0 + 300, x0 : x0 + 300])
    origin = clipped.GetGeoTransform()  # the same ground as before: the georeferencing moved with the window
    assert np.isclose(origin[0], whole_origin[0] + x0 * large_scene.PIXEL_M) and np.isclose(origin[3], whole_origin[3] - y0 * large_scene.PIXEL_M)
    assert large_scene.clip_origin(1024, 1000) == (24, 24)  # kept inside the scene


def test_scene_optical_can_be_an_area_of_interest_in_the_sar_scene(tmp_path):
    fake_pairs(tmp_path, 1, seed=3)
    optical, sar = large_scene.mosaic(str(tmp_path), 1024)
    x0, y0 = large_scene.clip_origin(1024, 300)
    clipped, whole = (gdal.Open(path) for path in large_scene.write_rasters(optical, sar, str(tmp_path), "aoi", None, (x0, y0), 300, "optical"))
    assert (clipped.RasterXSize, clipped.RasterYSize, whole.RasterXSize) == (300, 300, 1024)
    assert np.array_equal(clipped.ReadAsArray(), optical[:, y0:y0 + 300, x0:x0 + 300])
    origin, sar_origin = clipped.GetGeoTransform(), whole.GetGeoTransform()  # the optical clip keeps its ground
    assert np.isclose(origin[0], sar_origin[0] + (x0 - large_scene.SAR_OFFSET_PX[0]) * large_scene.PIXEL_M)
    # its corner error is at the optical raster's corners, in SAR pixels: a fit off by a turn about the
    # clip's centre is off there by what the turn moves the clip's corners, not the scene's far ones
    truth = np.array([[1.0, 0, -x0], [0, 1, -y0], [0, 0, 1]])
    turn = np.array([[np.cos(0.01), -np.sin(0.01), 0], [np.sin(0.01), np.cos(0.01), 0], [0, 0, 1]])
    about = np.array([[1.0, 0, 149.5], [0, 1, 149.5], [0, 0, 1]])
    fit = about @ turn @ np.linalg.inv(about) @ truth
    assert np.isclose(large_scene.corner_px(fit, truth, 1024, 1024, optical_clip=300), 2 * np.sin(0.005) * np.hypot(149.5, 149.5))
    assert np.isnan(large_scene.corner_px(np.full((3, 3), np.nan), truth, 1024, 1024, optical_clip=300))


def test_los_angeles_scene_joins_the_pairs_where_the_metadata_puts_them(tmp_path):
    """The real scene is the ``LOS_ANGELES`` pairs side by side, each where its corners say; a pair
    that does not lie there, or one from another product, stops the benchmark instead of making a
    scene with seams."""
    import json

    names = [name for row in large_scene.LOS_ANGELES for name in row]
    for kind in ("opt", "sar"):
        os.makedirs(tmp_path / "s1s2-california" / kind)
    for index, name in enumerate(names):  # each pair a flat image of its own value
        cv2.imwrite(str(tmp_path / "s1s2-california" / "opt" / f"{name}.png"), np.full((1024, 1024, 3), index, np.uint8))
        cv2.imwrite(str(tmp_path / "s1s2-california" / "sar" / f"{name}.png"), np.full((1024, 1024), 100 + index, np.uint8))
    width = 10240.0

    def metadata(shift_of=None, product_of=None):
        entries = []
        for row, row_names in enumerate(large_scene.LOS_ANGELES):
            for col, name in enumerate(row_names):
                left, top = -13e6 + col * width + (width / 2 if name == shift_of else 0.0), 4e6 - row * width
                entries.append({"fragment_filename": f"{name}.png", "corners_EPSG:3395": [[left, top], [left + width, top]],
                                "opt_tile_name": "S2" + ("b" if name == product_of else "a"), "sar_tile_name": "S1"})
        with open(tmp_path / "s1s2-california" / "metadata.json", "w") as handle:
            json.dump(entries, handle)

    metadata()
    optical, sar = large_scene.los_angeles(str(tmp_path))
    assert optical.shape == (3, 5120, 3072) and sar.shape == (5120, 3072)
    assert sar[4 * 1024 + 5, 2 * 1024 + 5] == 100 + names.index(large_scene.LOS_ANGELES[4][2])  # bottom right
    assert optical[0, 1024 + 5, 5] == names.index(large_scene.LOS_ANGELES[1][0])
    for broken in ({"shift_of": "062"}, {"product_of": "075"}):
        metadata(**broken)
        with pytest.raises(SystemExit):
            large_scene.los_angeles(str(tmp_path))
