"""The registered SAR's overviews: what they cost to write and what they save QGIS when it draws.

    python -m benchmarks.overviews --data ../shared/data --size 10980 --out benchmarks/results

Builds the ``size`` px mosaic scene of ``benchmarks.large_scene`` (a Sentinel-2 tile's size by
default), registers its 8-bit SAR once, and writes the registered SAR with and without overviews
(``outputs.write_warped_sar``; "without" is the same code with no overview levels), as it is and
as a two-band Float32 dB raster (the 8-bit band scaled to -25..0 dB twice, NaN outside: the layout of
a dual-polarisation Sentinel-1 product; the same fit). Each output is then drawn whole by QGIS
(``QgsMapRendererParallelJob``, 1600 x 1000 px, the layer's own CRS), in a fresh process, three
times: the first draw reads the file, the next ones find its blocks in GDAL's cache where they fit
(GDAL_CACHEMAX, by default 5% of the memory), as they would while a user pans and zooms. Then again
with the cache of a machine with 8 GB of memory (``--small-cache``, 400 MiB).
Writes overviews.md (or ``--name``.md) with the command, commit, machine and date.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from osgeo import gdal

from benchmarks.large_scene import write_scene
from plugin.core import RegistrationOptions, outputs, register
from plugin.core.pipeline import result_from_tie_points
from training.export import commit_at_start as git_commit

DRAW_SCRIPT = """
import sys, time
from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRasterLayer
from qgis.PyQt.QtCore import QSize
app = QgsApplication([], False)
app.initQgis()
layer = QgsRasterLayer(sys.argv[1], "registered")
assert layer.isValid()
seconds = []
for _ in range(3):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setOutputSize(QSize(1600, 1000))
    settings.setExtent(layer.extent())
    settings.setDestinationCrs(layer.crs())
    started = time.perf_counter()
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    seconds.append(time.perf_counter() - started)
print(" ".join(f"{s:.2f}" for s in seconds), layer.dataProvider().hasPyramids())
"""


def dual_polarisation_db(sar: str, path: str) -> str:
    """``sar`` (8 bit, 0 = no data) as two Float32 bands in dB, NaN outside."""
    source = gdal.Open(sar)
    values = source.ReadAsArray().astype(np.float32)
    decibels = np.where(values > 0, values / 255 * 25 - 25, np.nan).astype(np.float32)
    target = gdal.GetDriverByName("GTiff").Create(path, source.RasterXSize, source.RasterYSize, 2, gdal.GDT_Float32,
                                                  ["COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=IF_SAFER"])
    target.SetGeoTransform(source.GetGeoTransform())
    target.SetProjection(source.GetProjection())
    for index in (1, 2):
        target.GetRasterBand(index).SetNoDataValue(float("nan"))
        target.GetRasterBand(index).WriteArray(decibels)
    target = None
    return path


def draw_seconds(path: str, cache_mib: int = 0):
    """([seconds of three whole draws], QGIS sees pyramids) in a fresh QGIS process, with GDAL's
    block cache at ``cache_mib`` (0: GDAL's default)."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    environment.pop("GDAL_CACHEMAX", None)
    if cache_mib:
        environment["GDAL_CACHEMAX"] = str(cache_mib)
    done = subprocess.run([sys.executable, "-c", DRAW_SCRIPT, path], capture_output=True, text=True, env=environment, check=True)
    *seconds, pyramids = done.stdout.split()[-4:]
    return [float(s) for s in seconds], pyramids == "True"


def write_timed(result, path: str, overviews: bool) -> float:
    levels = outputs.overview_levels
    if not overviews:
        outputs.overview_levels = lambda width, height, min_size=outputs.OVERVIEW_MIN_SIZE: []
    try:
        started = time.perf_counter()
        outputs.write_warped_sar(result, path, overwrite=True)
        return time.perf_counter() - started
    finally:
        outputs.overview_levels = levels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--size", type=int, default=10980, help="the mosaic scene's size in px")
    parser.add_argument("--repeats", type=int, default=2, help="writes of each output, to show the spread")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--name", default="overviews")
    parser.add_argument("--small-cache", type=int, default=400, help="MiB of GDAL's cache for the second set of draws")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        optical, sar = write_scene(args.data, args.size, folder)
        result = register(optical, sar, RegistrationOptions())
        print(f"registered: {int(result.tie_points.enabled.sum())} tie points, RMSE {result.fit.rmse:.2f} px", flush=True)
        decibels = dual_polarisation_db(sar, os.path.join(folder, "sar-db.tif"))
        for label, registered in (("8-bit, 1 band", result),
                                  ("Float32 dB, 2 bands", result_from_tie_points(optical, decibels, result.tie_points, "affine"))):
            for overviews in (False, True):
                path = os.path.join(folder, f"registered-{len(rows)}.tif")
                seconds = [write_timed(registered, path, overviews) for _ in range(args.repeats)]
                draws, pyramids = draw_seconds(path)
                row = {"sar": label, "overviews": overviews, "write_s": seconds, "mib": os.path.getsize(path) / 2**20,
                       "draw_s": draws, "small_cache_draw_s": draw_seconds(path, args.small_cache)[0], "pyramids": pyramids}
                rows.append(row)
                print(row, flush=True)
                os.remove(path)
    write_report(rows, os.path.join(args.out, args.name + ".md"), args.size, args.small_cache)


def write_report(rows, path: str, size: int, small_cache: int) -> None:
    levels = ", ".join(str(level) for level in outputs.overview_levels(size, size))
    lines = [
        "# The registered SAR's overviews: cost and use",
        "",
        f"Command: `python -m benchmarks.overviews {' '.join(sys.argv[1:])}`  ",
        f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB of memory; date: {datetime.date.today()}.",
        "",
        f"The registered SAR of the {size} x {size} px mosaic scene (`benchmarks.large_scene`), written by "
        f"`outputs.write_warped_sar` with its overviews (factors {levels}, averaged, DEFLATE) and without, then drawn whole by "
        "QGIS 1600 x 1000 px in a fresh process, three times (the first reads the file; the next find what fits of it in "
        "GDAL's block cache). The Float32 output is the 8-bit SAR as two dB bands (see the module's docstring), warped "
        "by the same fit.",
        "",
        f"| SAR | overviews | write s | file MiB | QGIS draws, whole raster (s) | the same, GDAL cache {small_cache} MiB (s) | QGIS sees pyramids |",
        "|---|---|---|---|---|---|---|",
    ]
    listed = lambda seconds, digits: ", ".join(f"{s:.{digits}f}" for s in seconds)  # noqa: E731
    for row in rows:
        lines.append(f"| {row['sar']} | {'yes' if row['overviews'] else 'no'} | {listed(row['write_s'], 1)} | {row['mib']:.0f} | "
                     f"{listed(row['draw_s'], 2)} | {listed(row['small_cache_draw_s'], 2)} | {'yes' if row['pyramids'] else 'no'} |")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
