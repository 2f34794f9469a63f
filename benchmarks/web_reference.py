"""A web basemap as the reference: the validation pairs of the georeferenced tier registered against
their optical GeoTIFF, and against the same optical raster served as XYZ tiles (web Mercator, 256 px,
each tile warped straight from the GeoTIFF, as a basemap server holds them) from a server on this
machine, fetched over the SAR by the command line's route (``web_reference.fetch_xyz``: the zoom
level nearest the SAR's pixel, on its tiles' grid; the dock's route places the tiles identically).

    python -m benchmarks.web_reference --data ../shared/data --out benchmarks/results

Both are judged against each case's truth at the SAR image's corners, in the optical GeoTIFF's
pixels (the tiles' fit is carried there through map coordinates), so the difference is what the
tiles cost: reprojection to web Mercator and the zoom level's pixel size. Writes web-reference.md
with the command, commit, machine and date. The tile writer also serves the tests
(``tests/test_web_maps.py``).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time

import numpy as np
from osgeo import gdal, osr

from benchmarks.cases import make_cases, write_case_files
from benchmarks.cloud import serve
from benchmarks.run import TOLERANCE_PX
from plugin.core import RegistrationError, RegistrationOptions, register
from plugin.core.descriptor import DescriptorExtractor
from plugin.core.raster_io import map_to_pixel, pixel_to_map
from plugin.core.transforms import apply, image_corners
from plugin.core.web_reference import WEB_MERCATOR_HALF_WIDTH, fetch_xyz, nearest_xyz_zoom
from training.export import commit_at_start as git_commit


def write_tiles(raster: str, folder: str, zooms, rows_from_south: bool = False) -> None:
    """``raster`` cut into XYZ tiles as a basemap server holds them: ``folder/z/x/y.png``, RGBA,
    each tile warped straight from the raster (no pyramid); rows numbered from the south, as TMS
    servers do, with ``rows_from_south``. No .aux.xml files beside them."""
    edge = WEB_MERCATOR_HALF_WIDTH
    previous = gdal.GetConfigOption("GDAL_PAM_ENABLED")
    gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")
    try:
        source = gdal.Open(raster)
        outline = gdal.Warp("", source, format="VRT", dstSRS="EPSG:3857")
        left, step, _, top, _, step_y = outline.GetGeoTransform()
        right, bottom = left + outline.RasterXSize * step, top + outline.RasterYSize * step_y
        for zoom in zooms:
            size = 2 * edge / 2**zoom
            for x in range(int((left + edge) // size), int((right + edge) // size) + 1):
                for y in range(int((edge - top) // size), int((edge - bottom) // size) + 1):
                    bounds = (-edge + x * size, edge - (y + 1) * size, -edge + (x + 1) * size, edge - y * size)
                    tile = gdal.Warp("", source, format="MEM", dstSRS="EPSG:3857", outputBounds=bounds, width=256, height=256,
                                     resampleAlg="bilinear", dstAlpha=True)
                    os.makedirs(os.path.join(folder, str(zoom), str(x)), exist_ok=True)
                    row = 2**zoom - 1 - y if rows_from_south else y
                    gdal.Translate(os.path.join(folder, str(zoom), str(x), f"{row}.png"), tile, format="PNG", options=["-co", "WORLDFILE=NO"])
                    tile = None
    finally:
        gdal.SetConfigOption("GDAL_PAM_ENABLED", previous)


def in_optical_pixels(result, optical_path: str, sar_xy: np.ndarray) -> np.ndarray:
    """Where ``result``'s fit puts SAR pixels ``sar_xy``, in the pixels of the optical GeoTIFF at
    ``optical_path`` (through map coordinates: the result's reference may be another grid and CRS)."""
    optical = gdal.Open(optical_path)
    source, target = osr.SpatialReference(wkt=result.optical.crs_wkt), osr.SpatialReference(wkt=optical.GetProjection())
    for reference in (source, target):
        reference.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    in_map = pixel_to_map(result.optical.geotransform, apply(result.fit.sar_to_optical, sar_xy))
    moved = np.array(osr.CoordinateTransformation(source, target).TransformPoints(in_map.tolist()))[:, :2]
    return map_to_pixel(optical.GetGeoTransform(), moved)


def measure(case, extractor, options, directory: str) -> dict:
    """Corner errors (px; inf where refused), tie points and seconds for the case against its optical
    GeoTIFF and against its tiles."""
    optical, sar = write_case_files(case, directory)
    height, width = case.sar.shape
    corners = image_corners(width, height)
    truth = apply(case.sar_to_optical, corners)
    row = {"case": case.name, "dataset": case.dataset, "sensor": case.sensor}
    tiles = os.path.join(directory, "tiles")
    write_tiles(optical, tiles, [nearest_xyz_zoom(sar, options)])  # the level fetch_xyz asks for first
    server = serve(tiles)
    try:
        for route in ("file", "tiles"):
            started = time.perf_counter()
            try:
                reference = optical if route == "file" else fetch_xyz(server.url + "/{z}/{x}/{y}.png", sar, options,
                                                                       os.path.join(directory, "reference.tif"))
                result = register(reference, sar, options, extractor=extractor)
            except RegistrationError as error:
                row[route] = {"error_px": float("inf"), "tie_points": 0, "seconds": time.perf_counter() - started, "refused": str(error)[:90]}
                continue
            placed = in_optical_pixels(result, optical, corners)
            row[route] = {"error_px": float(np.linalg.norm(placed - truth, axis=1).max()), "tie_points": int(result.tie_points.enabled.sum()),
                          "seconds": time.perf_counter() - started}
    finally:
        server.shutdown()
        server.server_close()
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases (a quick look)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)  # before the run, not after it: a folder that did not exist lost the figures
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    options = RegistrationOptions()
    extractor = DescriptorExtractor(options.model, options.device)
    rows = []
    for case in make_cases(args.data, "georeferenced", limit=args.limit):
        with tempfile.TemporaryDirectory() as directory:
            rows.append(measure(case, extractor, options, directory))
        print(rows[-1], flush=True)
    write_report(rows, os.path.join(args.out, "web-reference.md"))
    return 0


def write_report(rows, path: str) -> None:
    command = "python -m benchmarks.web_reference " + " ".join(sys.argv[1:])
    lines = ["# A web basemap as the reference: the validation pairs against their optical GeoTIFF and against its XYZ tiles", "",
             f"Command: `{command}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; GDAL {gdal.__version__}; "
             f"date: {datetime.date.today()}.", "",
             "Georeferenced tier (the benchmark's seeded warps). Corner error: the largest distance at the SAR image's corners "
             "between where the fit and the truth put them, in the optical GeoTIFF's pixels. Tolerance: the data's (s1s2 10 px, "
             "3MOS 5 px). Seconds: registration, and for the tiles also fetching them from the local server.", "",
             "| pairs | reference | registered | within 3 px | within tolerance | median corner error px (registered) | median tie points | median s |",
             "|---|---|---|---|---|---|---|---|"]
    groups = [("all", rows)] + [(name, [row for row in rows if row["dataset"] == name]) for name in ("3mos", "s1s2")]
    for name, members in filter(lambda group: group[1], groups):
        for route in ("file", "tiles"):
            errors = np.array([row[route]["error_px"] for row in members])
            tolerance = np.array([TOLERANCE_PX[row["dataset"]] for row in members])
            registered = np.isfinite(errors)
            lines.append(f"| {name} ({len(members)}) | {'optical GeoTIFF' if route == 'file' else 'its XYZ tiles'} | {registered.sum()} | "
                         f"{(errors <= 3).sum()} | {(errors <= tolerance).sum()} | "
                         f"{np.median(errors[registered]) if registered.any() else float('nan'):.2f} | "
                         f"{np.median([row[route]['tie_points'] for row in members]):.0f} | "
                         f"{np.median([row[route]['seconds'] for row in members]):.2f} |")
    lines += ["", "## Per pair", "", "| pair | sensor | file: corner px | tiles: corner px | file: tie points | tiles: tie points | "
              "tiles refused: why |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['case']} | {row['sensor']} | {row['file']['error_px']:.2f} | {row['tiles']['error_px']:.2f} | "
                     f"{row['file']['tie_points']} | {row['tiles']['tie_points']} | {row['tiles'].get('refused', '')} |")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
