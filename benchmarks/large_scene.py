"""Large scenes: time and peak memory of one registration as the image grows, with OpenCV SIFT +
RANSAC on the same images in the same run.

    python -m benchmarks.large_scene --data ../shared/data --sizes 2048,4096,6144 --out benchmarks/results
    python -m benchmarks.large_scene --data ../shared/data --scene los-angeles --name large-scene-los-angeles

Each scene is a mosaic of the Sentinel-1/2 pairs of ``s1s2-california`` (1024 px each, taken in
order and repeated as needed), written as GeoTIFFs in UTM 11N with the SAR's georeferencing off by
(+25, -17) px, as a user's scene would be before registration. The mosaic's tiles come from
different places, so its seams are not ground a real scene has, and each tile carries its own
pair's misalignment (0-6 px, varying from tile to tile): what it measures is how time and memory
grow with the image, not accuracy (the corner error is against the pairs' own alignment, good only
to several pixels, see shared/data/README.md).

``--scene los-angeles`` is real, contiguous ground instead: 15 of the pairs were cut side by side
from one Sentinel-2 tile (T11SLT) and one Sentinel-1 scene, 3 x 5 of them over Los Angeles, so
they join into one 3072 x 5120 px scene whose SAR is aligned as those products are (Sentinel-1 GRD
is not terrain-corrected: a few px in the hills, see shared/data/README.md). Its corner error
measures the fit, not the mosaic's seams. These are training pairs of the dense feature network.

Every registration runs in its own process (``python -m plugin register``, as a user or a batch
script would run it) so that its peak resident memory is its own (``os.wait4``); SIFT likewise.
Writes large-scene.md (or ``--name``.md) with the command, commit, machine and date.
"""
from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from typing import Optional

import cv2
import numpy as np
from osgeo import gdal, osr

from plugin.core import transforms
from plugin.core.similarity_search import similarity_about
from training.export import commit_at_start as git_commit

from .results_file import write_results

SAR_OFFSET_PX = (25, -17)  # where the SAR's georeferencing puts it, off from the truth
PIXEL_M = 10.0


LOS_ANGELES = (("048", "049", "050"), ("061", "062", "063"), ("074", "075", "076"), ("087", "088", "089"), ("100", "101", "102"))


def sar_warp(size, rotation_deg: float, scale: float) -> np.ndarray:
    """3 x 3 SAR pixel -> optical pixel of a scene of ``size`` px (or (width, height)) whose SAR is
    turned by ``rotation_deg`` and scaled by ``scale`` about its centre (the identity by default):
    the truth the fit is compared with."""
    width, height = (size, size) if np.isscalar(size) else size
    return similarity_about(rotation_deg, scale, np.array([(width - 1) / 2, (height - 1) / 2]))


def clip_origin(size, clip: int):
    """(column, row) of the pixel of a scene of ``size`` px (or (width, height)) where a ``clip`` x
    ``clip`` px raster starts: a third of the way across and a quarter of the way down, off the
    scene's centre (about which the search turns), inside the scene."""
    width, height = (size, size) if np.isscalar(size) else size
    return min(width // 3, width - clip), min(height // 4, height - clip)


def mosaic(data: str, size: int):
    """(3 x size x size optical, size x size SAR) uint8: the S1/S2 pairs in order, repeated as needed."""
    optical_files = sorted(glob.glob(os.path.join(data, "s1s2-california", "opt", "*.png")))
    if not optical_files:
        raise SystemExit(f"no Sentinel-1/2 pairs under {data}/s1s2-california")
    tiles = -(-size // 1024)
    optical, sar = _joined([[optical_files[(row * tiles + col) % len(optical_files)] for col in range(tiles)] for row in range(tiles)])
    return optical[:, :size, :size], sar[:size, :size]


def _joined(grid):
    """(3 x H x W optical RGB, H x W SAR) uint8 of the 1024 px S1/S2 pairs whose optical files are
    ``grid`` (rows of paths), side by side as the grid lays them out."""
    rows, cols = len(grid), len(grid[0])
    optical = np.zeros((3, rows * 1024, cols * 1024), np.uint8)
    sar = np.zeros((rows * 1024, cols * 1024), np.uint8)
    for row, paths in enumerate(grid):
        for col, path in enumerate(paths):
            window = (slice(row * 1024, (row + 1) * 1024), slice(col * 1024, (col + 1) * 1024))
            optical[(slice(None),) + window] = cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1].transpose(2, 0, 1)
            sar[window] = cv2.imread(path.replace(os.sep + "opt" + os.sep, os.sep + "sar" + os.sep), cv2.IMREAD_GRAYSCALE)
    return optical, sar


def los_angeles(data: str):
    """(3 x 5120 x 3072 optical, 5120 x 3072 SAR) uint8: the ``LOS_ANGELES`` pairs joined as they lie
    on the ground. Checked against the data's metadata: each pair's upper-left corner is the
    block's plus its column and row times a pair's width, from one Sentinel-2 and one Sentinel-1 product."""
    folder = os.path.join(data, "s1s2-california")
    with open(os.path.join(folder, "metadata.json")) as handle:
        fragments = {entry["fragment_filename"]: entry for entry in json.load(handle)}
    first = fragments[LOS_ANGELES[0][0] + ".png"]
    (left, top), (right, _) = first["corners_EPSG:3395"][:2]
    width_m = right - left
    products = set()
    for row, names in enumerate(LOS_ANGELES):
        for col, name in enumerate(names):
            entry = fragments[name + ".png"]
            corner = np.array(entry["corners_EPSG:3395"][0])
            if not np.allclose(corner, [left + col * width_m, top - row * width_m], atol=0.01 * width_m):
                raise SystemExit(f"pair {name} does not lie at column {col}, row {row} of the Los Angeles block")
            products.add((entry["opt_tile_name"], entry["sar_tile_name"]))
    if len(products) != 1:
        raise SystemExit(f"the Los Angeles pairs come from {len(products)} pairs of products, not one")
    return _joined([[os.path.join(folder, "opt", name + ".png") for name in names] for names in LOS_ANGELES])


def write_scene(data: str, size: int, folder: str, warp: Optional[np.ndarray] = None, sar_clip: int = 0):
    """(optical path, SAR path) of a ``size`` x ``size`` px mosaic of the S1/S2 pairs; the SAR
    resampled so that its pixel p shows the optical pixel ``warp`` p when ``warp`` is given.
    ``sar_clip``: the SAR raster is only the ``sar_clip`` px square from ``clip_origin`` (its
    georeferencing moved with it), as a SAR scene that covers part of an optical tile."""
    optical, sar = mosaic(data, size)
    return write_rasters(optical, sar, folder, str(size), warp, clip_origin(size, sar_clip) if sar_clip else None, sar_clip)


def write_rasters(optical: np.ndarray, sar: np.ndarray, folder: str, name: str, warp: Optional[np.ndarray] = None,
                  clip_at=None, clip: int = 0, clipped: str = "sar"):
    """(optical path, SAR path): GeoTIFFs in UTM 11N of a scene, the SAR's georeferencing off by
    ``SAR_OFFSET_PX``; the SAR resampled by ``warp`` first when given (its pixel p shows the optical
    pixel ``warp`` p), and the ``clipped`` raster ("sar" or "optical") cut to the ``clip`` px square
    from ``clip_at`` (column, row) when given."""
    rows, cols = sar.shape
    if warp is not None:
        sar = cv2.warpAffine(sar, warp[:2], (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(32611)
    origin = (500000.0, 4200000.0)
    paths = []
    x0, y0 = clip_at or (0, 0)
    window = (slice(y0, y0 + clip), slice(x0, x0 + clip)) if clip_at else (slice(None), slice(None))
    if clipped == "sar":
        scene = (("optical", optical, (0, 0)), ("sar", sar[None, window[0], window[1]], (SAR_OFFSET_PX[0] + x0, SAR_OFFSET_PX[1] + y0)))
    else:
        scene = (("optical", optical[:, window[0], window[1]], (x0, y0)), ("sar", sar[None], SAR_OFFSET_PX))
    for kind, array, (dx, dy) in scene:
        path = os.path.join(folder, f"{kind}-{name}.tif")
        rows, cols = array.shape[1:]
        dataset = gdal.GetDriverByName("GTiff").Create(path, cols, rows, len(array), gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
        dataset.SetGeoTransform((origin[0] + dx * PIXEL_M, PIXEL_M, 0.0, origin[1] - dy * PIXEL_M, 0.0, -PIXEL_M))
        dataset.SetProjection(crs.ExportToWkt())
        for band, values in enumerate(array, start=1):
            dataset.GetRasterBand(band).WriteArray(values)
        dataset = None
        paths.append(path)
    return tuple(paths)


def peak_of(command):
    """Runs ``command`` in a child and returns (seconds, peak resident memory in GiB, return code, stderr).
    Linux counts this process's own peak when it started the child into the child's peak (the
    high-water mark survives exec), so the figure is exact only from a small process: ``main``
    builds each scene in memory before it measures, so its peaks are upper bounds by up to the
    driver's own peak (not yet separated out)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait for it again
    return time.perf_counter() - started, usage.ru_maxrss / 2**20, child.returncode, stderr  # ru_maxrss: KiB


def corner_px(fit: np.ndarray, truth: np.ndarray, sar_width: int, sar_height: int, optical_clip: int = 0) -> float:
    """How far ``fit`` puts the corners from ``truth`` (SAR pixel -> optical pixel): at the SAR
    raster's corners, or, when the optical raster is a clip of the scene, at the optical raster's
    corners in SAR pixels (the SAR scene's far corners are not what was registered); nan without a fit."""
    if not np.isfinite(fit).all():
        return float("nan")
    if optical_clip:
        return transforms.corner_error(np.linalg.inv(fit), np.linalg.inv(truth), optical_clip, optical_clip)
    return transforms.corner_error(fit, truth, sar_width, sar_height)


def _last_line(stderr: str, code: int) -> str:
    """What a failed child said last, or how it ended: a child the system killed (its
    out-of-memory killer sends signal 9) says nothing."""
    if stderr.strip():
        return stderr.strip().splitlines()[-1]
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


SIFT_SCRIPT = """
import sys, numpy as np
from osgeo import gdal
from benchmarks.peers import match_with
optical = gdal.Open(sys.argv[1]).ReadAsArray().astype(np.float32).mean(axis=0) / 255.0
sar = gdal.Open(sys.argv[2]).ReadAsArray().astype(np.float32) / 255.0
_, _, fit, _ = match_with("sift", optical, sar, np.ones(sar.shape, bool))
np.save(sys.argv[3], np.full((3, 3), np.nan) if fit is None else fit)
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--scene", choices=("mosaic", "los-angeles"), default="mosaic",
                        help="mosaics of the pairs, one per size (--sizes), or the real 3072 x 5120 px Los Angeles scene")
    parser.add_argument("--sizes", default="2048,4096,6144", help="mosaic sizes in px, comma-separated")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--name", default="large-scene")
    parser.add_argument("--sar-rotation", type=float, default=0.0, help="degrees the SAR is turned by about its centre (the truth)")
    parser.add_argument("--sar-scale", type=float, default=1.0, help="and scaled by")
    parser.add_argument("--sar-clip", type=int, default=0,
                        help="the SAR raster is only a square of this many px of the scene (clip_origin), 0: the whole scene")
    parser.add_argument("--optical-clip", type=int, default=0,
                        help="the optical raster is only a square of this many px of the scene (clip_origin; an area of interest), "
                             "the SAR the whole scene")
    args = parser.parse_args(argv)
    if args.sar_clip and args.optical_clip:
        parser.error("clip one raster, not both")
    sizes = [int(size) for size in args.sizes.split(",")] if args.scene == "mosaic" else [None]
    turned = (args.sar_rotation, args.sar_scale) != (0.0, 1.0)  # else the SAR is written as it is
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            optical, sar = mosaic(args.data, size) if size else los_angeles(args.data)
            height, width = sar.shape
            truth = sar_warp((width, height), args.sar_rotation, args.sar_scale)
            clip = args.sar_clip or args.optical_clip
            clip_at = clip_origin((width, height), clip) if clip else None
            optical, sar = write_rasters(optical, sar, folder, str(size or args.scene), truth if turned else None, clip_at, clip,
                                         "optical" if args.optical_clip else "sar")
            sar_width, sar_height = (args.sar_clip, args.sar_clip) if args.sar_clip else (width, height)
            if args.sar_clip:  # the SAR raster's pixel p is the scene's SAR pixel p + its origin
                truth = truth @ np.array([[1.0, 0, clip_at[0]], [0, 1, clip_at[1]], [0, 0, 1]])
            if args.optical_clip:  # the optical raster's pixel p is the scene's p + its origin
                truth = np.array([[1.0, 0, -clip_at[0]], [0, 1, -clip_at[1]], [0, 0, 1]]) @ truth
            output, report = os.path.join(folder, f"registered-{size}.tif"), os.path.join(folder, f"matches-{size}.json")
            seconds, peak, code, stderr = peak_of([sys.executable, "-m", "plugin", "register", optical, sar, "-o", output,
                                                   "--matches-json", report, "--overwrite"])
            row = {"scene": f"{width} x {height}" + ("" if size else f" ({args.scene})"), "megapixels": width * height / 1e6,
                   "seconds": seconds, "peak_gib": peak, "ok": code == 0}
            if code == 0:
                with open(report) as handle:
                    matches = json.load(handle)
                fit = np.array(matches["transform"]["sar_to_optical"])
                # the truth: the scene's rasters share their pixel grid but for the SAR's warp (the georeferencing is what is off)
                row.update(stages=matches["timing_s"], tie_points=int(sum(matches["inlier"])),
                           corner_px=corner_px(fit, truth, sar_width, sar_height, args.optical_clip))
            else:
                row["error"] = _last_line(stderr, code)
            sift_fit = os.path.join(folder, "sift-fit.npy")
            sift_seconds, sift_peak, sift_code, sift_stderr = peak_of([sys.executable, "-c", SIFT_SCRIPT, optical, sar, sift_fit])
            row.update(sift_seconds=sift_seconds, sift_peak_gib=sift_peak, sift_ok=sift_code == 0)
            if sift_code != 0:
                row["sift_error"] = _last_line(sift_stderr, sift_code)
            else:  # nan when RANSAC found no transform
                row["sift_corner_px"] = corner_px(np.load(sift_fit), truth, sar_width, sar_height, args.optical_clip)
            rows.append(row)
            print(row, flush=True)
            for path in (optical, sar, output):
                if os.path.exists(path):
                    os.remove(path)
    warped = (f" The SAR is turned by {args.sar_rotation:g} degrees and scaled by {args.sar_scale:g} about its centre, "
              "which the corner error counts as part of the truth." if turned else "")
    if args.optical_clip:
        warped += (f" The optical raster covers only a {args.optical_clip} x {args.optical_clip} px part of each scene (an area of "
                   "interest), from a third of the way across and a quarter down (its georeferencing moved with it); the SAR is the "
                   "whole scene. The corner error is at the optical raster's corners, in SAR pixels.")
    if args.sar_clip:
        warped += (f" The SAR raster covers only a {args.sar_clip} x {args.sar_clip} px part of each scene, from a third of the way "
                   "across and a quarter down (its georeferencing moved with it); the corner error is at its corners.")
    write_report(rows, os.path.join(args.out, args.name + ".md"), warped, args.scene)


SCENES = {
    "mosaic": "The scenes are mosaics of the Sentinel-1/2 pairs (see the module's docstring); corner error: against the pairs' "
              "own alignment, which is good to several pixels only.",
    "los-angeles": "The scene is real, contiguous ground: 3 x 5 Sentinel-1/2 pairs cut side by side from one Sentinel-2 tile and one "
                   "Sentinel-1 scene over Los Angeles (see the module's docstring); corner error: against the products' own alignment "
                   "(Sentinel-1 GRD is not terrain-corrected, so a few px in the hills). These are training pairs of the dense feature network.",
}


def write_report(rows, path, note: str = "", scene: str = "mosaic"):
    command = "python -m benchmarks.large_scene " + " ".join(sys.argv[1:])
    lines = [
        "# Large scenes: time and peak memory",
        "",
        f"Command: `{command}`  ",
        f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB of memory; date: {datetime.date.today()}.",
        "",
        "One registration per scene, read -> warped GeoTIFF, each in its own process (`python -m plugin register`, defaults); "
        "peak: the process's peak resident memory; seconds include starting Python and loading the libraries (a few seconds). SIFT: OpenCV SIFT + ratio test + RANSAC on the same two images "
        "(reading included), also in its own process. " + SCENES[scene] + note,
        "",
        "| scene px | megapixels | seconds | peak GiB | tie points | corner error px | stages (s) | SIFT seconds | SIFT peak GiB | time / SIFT | SIFT corner error px |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["ok"]:
            stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in row["stages"].items())
            result = f"{row['tie_points']} | {row['corner_px']:.1f} | {stages}"
        else:
            result = f"refused: {row['error']} | - | -"
        sift = f"{row['sift_seconds']:.1f} | {row['sift_peak_gib']:.2f}" if row["sift_ok"] else \
            f"failed after {row['sift_seconds']:.1f} s: {row.get('sift_error', '')} | {row['sift_peak_gib']:.2f}"
        ratio = f"{row['seconds'] / row['sift_seconds']:.1f}x" if row["sift_ok"] else "-"
        sift_error = f"{row['sift_corner_px']:.1f}" if np.isfinite(row.get("sift_corner_px", np.nan)) else "no fit" if row["sift_ok"] else "-"
        lines.append(f"| {row['scene']} | {row['megapixels']:.1f} | {row['seconds']:.1f} | {row['peak_gib']:.2f} | {result} | {sift} | {ratio} | {sift_error} |")
    write_results(path, lines)
    print(path)


if __name__ == "__main__":
    main()
