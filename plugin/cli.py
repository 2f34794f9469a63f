"""Command line: ``python -m plugin register OPTICAL SAR -o WARPED.tif [options]``, ``warp TIE_POINTS -o WARPED.tif``
(again from edited tie points) and ``batch``."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from typing import List, Optional, Tuple

from .core import RegistrationCancelled, RegistrationError, RegistrationOptions, outputs, register
from .core.dense_features import FEATURES
from .core.ground import rmse_text
from .core.report import write_report
from .core.pipeline import AUTO_GRID_STEPS, AUTO_GRID_TILE, DESCRIPTOR_QUERIES, MATCHERS, SELF_CHECK_PX
from .core.transforms import WARP_MODELS
from .core.web_reference import is_xyz_template, optical_reference


class ProgressBar:
    """A one-line progress bar on stderr (quiet when stderr is not a terminal, except stage names)."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width = stream, width
        self.interactive = stream.isatty()
        self.last_stage = None
        self.started = time.perf_counter()

    def __call__(self, stage: str, fraction: float) -> bool:
        if self.interactive:
            filled = int(round(fraction * self.width))
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction * 100:5.1f}% {stage:<18}")
            if stage == "done":
                self.stream.write("\n")
            self.stream.flush()
        elif stage != self.last_stage:
            self.stream.write(f"{time.perf_counter() - self.started:6.1f}s {stage}\n")
        self.last_stage = stage
        return True


def parse_bands(text: Optional[str]):
    if not text:
        return None
    try:
        return tuple(int(b) for b in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bands must be numbers separated by commas, e.g. 1 or 4,3,2; got {text!r}")


def add_matching_options(parser: argparse.ArgumentParser) -> None:
    defaults = RegistrationOptions()
    parser.add_argument("--transform", default=defaults.warp_model, choices=WARP_MODELS, help="model of the output warp (default: %(default)s)")
    parser.add_argument("--device", default=defaults.device, choices=("auto", "cpu", "cuda"), help="where the networks, phase congruency, the search and template matching run (default: %(default)s)")
    parser.add_argument("--model", default=None, help="descriptor weights by name (models/manifest.json; default: the manifest's default)")
    parser.add_argument("--max-keypoints", type=int, default=defaults.max_keypoints,
                        help=f"tie points looked for, per image (default: %(default)s; the network's matchers query at least {DESCRIPTOR_QUERIES})")
    parser.add_argument("--matcher", default=defaults.matcher, choices=MATCHERS,
                        help="auto: structural search, then the network if the search is refused; structural: the search alone; "
                             "guided: the network on a dense SAR grid; method: keypoints in both images, as in the paper. "
                             "All but method refine every point by template matching (default: %(default)s)")
    parser.add_argument("--grid-step", type=int, default=defaults.grid_step, help="grid step of the network's SAR candidates (the guided matcher and auto's fallback), px; "
                             f"0: automatic, {AUTO_GRID_STEPS[0]} px, or {AUTO_GRID_STEPS[1]} px where auto falls back on the network on an image larger "
                             f"than {AUTO_GRID_TILE} x {AUTO_GRID_TILE} px (default: %(default)s)")
    parser.add_argument("--max-rotation", type=float, default=defaults.max_rotation, help="degrees the structural search tries without georeferencing (default: %(default)s)")
    parser.add_argument("--max-scale", type=float, default=defaults.max_scale, help="scale factor it tries, 1/x..x (default: %(default)s)")
    parser.add_argument("--template-radius", type=int, default=defaults.template_radius, help="fine matching's template half-size, px (default: %(default)s; at most 1/8 of the optical image's shorter side)")
    parser.add_argument("--features", default=defaults.features, choices=FEATURES,
                        help="what fine matching compares: the learned dense features, or hand-made CFOG (default: %(default)s)")
    parser.add_argument("--feature-model", default=None, help="dense feature weights by name (models/manifest.json; default: the manifest's default)")
    parser.add_argument("--search-radius", type=float, default=defaults.search_radius, help="pixels around the position predicted by georeferencing (default: %(default)s)")
    parser.add_argument("--ignore-georeferencing", action="store_true",
                        help="search the whole image, as for rasters without georeferencing: for a raster whose georeferencing is "
                             "wrong, or further off than any search radius (slower; no mirrored image found)")
    parser.add_argument("--no-mutual", action="store_true", help="do not require mutual nearest neighbours (the method's plain NN)")
    parser.add_argument("--ransac-threshold", type=float, default=defaults.ransac_threshold, help="pixels (default: %(default)s)")
    parser.add_argument("--min-inliers", type=int, default=defaults.min_inliers,
                        help="matches that must agree on one transform, or the pair is refused; the first check counts them once per "
                             "template-sized cell of the image, the last counts the tie points kept (default: %(default)s, at least 3)")
    parser.add_argument("--optical-bands", type=parse_bands, default=None, help="e.g. 4,3,2 for luminance of R,G,B bands, or 1 (default: RGB luminance or band 1)")
    parser.add_argument("--sar-band", type=parse_bands, default=None, help="SAR band (default: 1)")
    parser.add_argument("--sar-scale", default="auto", choices=("auto", "linear", "db", "display"), help="SAR value scale (default: guessed)")
    parser.add_argument("--self-check", action="store_true",
                        help="register again with the SAR moved by a known small rotation and shift, and warn when the two fits "
                             f"differ by more than {SELF_CHECK_PX:g} px at the corners (up to twice the time)")


def options_from(args) -> RegistrationOptions:
    return RegistrationOptions(
        warp_model=args.transform, device=args.device, model=args.model, max_keypoints=args.max_keypoints,
        matcher=args.matcher, grid_step=args.grid_step, max_rotation=args.max_rotation, max_scale=args.max_scale,
        template_radius=args.template_radius, features=args.features, feature_model=args.feature_model,
        search_radius=args.search_radius, use_georeferencing=not args.ignore_georeferencing, mutual=not args.no_mutual, ransac_threshold=args.ransac_threshold, min_inliers=args.min_inliers,
        optical_bands=args.optical_bands, sar_bands=args.sar_band, sar_scale=args.sar_scale, self_check=args.self_check,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plugin", description="Register SAR rasters to optical rasters.")
    commands = parser.add_subparsers(dest="command", required=True)
    reg = commands.add_parser("register", help="register one SAR raster to one optical raster")
    reg.add_argument("optical", help="optical raster (the reference; any GDAL format), or an XYZ tile URL "
                                     "(https://server/{z}/{x}/{y}.png: fetched over the georeferenced SAR)")
    reg.add_argument("sar", help="SAR raster to register")
    reg.add_argument("-o", "--output", required=True, help="warped SAR GeoTIFF, in the optical raster's grid and CRS, with overviews")
    reg.add_argument("--points", help="also write tie points as a QGIS Georeferencer .points file")
    reg.add_argument("--gpkg", help="also write tie points as a GeoPackage point layer")
    reg.add_argument("--matches-json", help="also write matches, transform and timings as JSON")
    reg.add_argument("--report", help="also write an HTML report: the fit's RMSE (pixels and metres on the ground) and every tie point "
                                      "with its residual")
    reg.add_argument("--overwrite", action="store_true", help="replace output files that already exist (never an input)")
    add_output_options(reg)
    reg.add_argument("-v", "--verbose", action="store_true")
    add_matching_options(reg)
    warp = commands.add_parser(
        "warp", help="warp the SAR again from tie points (edited or not), without matching",
        description="Fits the transform on the enabled tie points of a GeoPackage that register, batch, the dock or the toolbox "
                    "wrote (edited in QGIS or not; its other layers are left alone), or of a Georeferencer .points file, and "
                    "writes the registered SAR again. No network runs.")
    warp.add_argument("tie_points", metavar="TIE_POINTS", help="the tie-point GeoPackage (its layer tie_points) or a .points file")
    warp.add_argument("-o", "--output", required=True, help="warped SAR GeoTIFF")
    warp.add_argument("--optical", help="optical raster, or an XYZ tile URL (fetched over the SAR again); default: the one the GeoPackage records")
    warp.add_argument("--sar", help="SAR raster; default: the one the GeoPackage records")
    warp.add_argument("--transform", default=RegistrationOptions().warp_model, choices=WARP_MODELS, help="model of the warp (default: %(default)s)")
    warp.add_argument("--points", help="also write the tie points and their new residuals as a Georeferencer .points file")
    warp.add_argument("--gpkg", help="also write them as a GeoPackage point layer (not over TIE_POINTS)")
    warp.add_argument("--report", help="also write an HTML report of the fit and every tie point with its residual")
    warp.add_argument("--overwrite", action="store_true", help="replace output files that already exist (never an input)")
    add_output_options(warp)
    warp.add_argument("-v", "--verbose", action="store_true")
    bat = commands.add_parser(
        "batch", usage="python -m plugin batch (PAIRS.csv | OPTICAL_DIR SAR_DIR) OUTDIR [options]",
        help="register many pairs: a CSV of optical,SAR[,output] rows, or two folders of rasters matched by file name",
        description="Registers every pair with one loaded network, keeps going past failing pairs, and writes "
                    "OUTDIR/batch_summary.csv and .json. Rerunning skips the pairs already registered.",
    )
    bat.add_argument("inputs", nargs="+", metavar="PAIRS.csv | OPTICAL_DIR SAR_DIR", help="a CSV of optical,SAR[,output] rows (paths relative to the CSV; outputs relative to OUTDIR), or two folders")
    bat.add_argument("outdir", metavar="OUTDIR", help="folder for the registered rasters (default name: <SAR name>_registered.tif) and the summary")
    bat.add_argument("--points", action="store_true", help="also write each pair's tie points as a Georeferencer .points file beside its output")
    bat.add_argument("--gpkg", action="store_true", help="also write each pair's tie points as a GeoPackage beside its output")
    bat.add_argument("--matches-json", action="store_true", help="also write each pair's matches as JSON beside its output")
    bat.add_argument("--report", action="store_true", help="also write each pair's HTML report (fit and residuals) beside its output")
    bat.add_argument("--threads", type=int, default=None, help="CPU threads (default: $OMP_NUM_THREADS, else every available core)")
    bat.add_argument("-v", "--verbose", action="store_true")
    add_output_options(bat)
    add_matching_options(bat)
    return parser


def add_output_options(parser) -> None:
    parser.add_argument("--output-grid", default="optical", choices=outputs.OUTPUT_GRIDS,
                        help="grid of the registered SAR: the optical raster's (its CRS and pixels; default), or 'sar': north up in the "
                             "SAR raster's own CRS at its own pixel size (for a web map reference in web Mercator, say)")
    parser.add_argument("--no-overviews", action="store_true",
                        help="write the registered SAR without overviews: a quarter smaller and written faster, but drawn slowly "
                             "zoomed out (QGIS then offers to build them)")


def warped_sar_settings(args) -> dict:
    """How the command line's options ask ``outputs.write_warped_sar`` to write the registered SAR."""
    return {"grid": args.output_grid, "overviews": not args.no_overviews}


def run_register(args) -> int:
    # Every output is checked before the registration, which can take minutes: a name that is
    # taken, an input, or a missing folder is refused first, and never after some files were written.
    outputs.check_geotiff_name(args.output)
    outputs.check_distinct_outputs([("registered SAR (-o)", args.output), ("points file (--points)", args.points),
                                    ("GeoPackage (--gpkg)", args.gpkg), ("match report (--matches-json)", args.matches_json),
                                    ("report (--report)", args.report)])
    for path in filter(None, (args.output, args.points, args.matches_json, args.report)):
        outputs.check_output(path, (args.optical, args.sar), args.overwrite)
    if args.gpkg:
        outputs.check_geopackage(args.gpkg, (args.optical, args.sar), args.overwrite)
    options = options_from(args)
    with optical_reference(args.optical, args.sar, options) as optical:  # an XYZ URL: fetched over the SAR, for this run
        result = register(optical, args.sar, options, progress=ProgressBar())
        started = time.perf_counter()
        outputs.write_warped_sar(result, args.output, args.overwrite, **warped_sar_settings(args))
        if args.points:
            outputs.write_points_file(result, args.points, args.overwrite)
        if args.gpkg:  # recording the URL, not the file fetched from it, for warp
            outputs.write_geopackage(result, args.gpkg, args.overwrite, recorded=(args.optical, args.sar))
        result.timing_s["output"] = time.perf_counter() - started
        if args.matches_json:
            outputs.write_matches_json(result, args.matches_json, args.overwrite)
        if args.report:
            write_report(result, args.report, args.overwrite, written_with(args), named=(args.optical, args.sar))
    kept = int(result.tie_points.enabled.sum())
    print(f"{kept} tie points of {len(result.tie_points)} candidates, {result.fit.model} fit RMSE {rmse_text(result)}, "
          f"{sum(result.timing_s.values()):.1f} s on {result.device}; wrote {args.output}")
    if result.self_check_px is not None:
        print(self_check_message(result))
    return 0


def written_with(args) -> list:
    """The files a command wrote besides its report, as the report names them."""
    named = (("registered SAR", "output"), ("points file", "points"), ("GeoPackage", "gpkg"), ("match report", "matches_json"))
    return [(label, getattr(args, name, None)) for label, name in named if getattr(args, name, None)]


def self_check_message(result) -> str:
    """What the self-check found (``result.self_check_px``), for a person reading the terminal."""
    if not result.self_check_failed:
        return f"self-check passed: with the SAR moved slightly, the fit moved by {result.self_check_px:.1f} px at the corners"
    if result.self_check_px == float("inf"):
        found = "the images could not be registered again"
    else:
        found = f"the fit moved by {result.self_check_px:.1f} px at the corners (more than {SELF_CHECK_PX:g} px)"
    return f"self-check FAILED: with the SAR moved slightly, {found}; inspect the tie points and the warped SAR before using this result"


def warp_rasters(args) -> Tuple[str, str]:
    """The optical and the SAR raster of ``warp``: as given, else as the tie-point GeoPackage
    records them; a recorded one that no longer exists is named, with the option that gives it."""
    from .core.tie_point_files import recorded_rasters

    recorded = recorded_rasters(args.tie_points)
    chosen = []
    for given, written, what, option in zip((args.optical, args.sar), recorded, ("optical", "SAR"), ("--optical", "--sar")):
        if given:
            chosen.append(given)
        elif not written:
            raise RegistrationError(f"'{args.tie_points}' does not say which {what} raster its tie points were measured on.",
                                    f"Give it with {option}.")
        elif not (os.path.exists(written) or is_xyz_template(written)):  # a URL register was given: fetched again
            raise RegistrationError(f"The {what} raster '{args.tie_points}' was written for, '{written}', does not exist (moved or removed).",
                                    f"Give it with {option}.")
        else:
            chosen.append(written)
    return chosen[0], chosen[1]


def run_warp(args) -> int:
    from .core.pipeline import raster_info, result_from_tie_points
    from .core.tie_point_files import read_tie_point_file

    if not os.path.isfile(args.tie_points):
        raise RegistrationError(f"The tie-point file '{args.tie_points}' does not exist.", "Give the GeoPackage or .points file of the tie points.")
    optical, sar = warp_rasters(args)
    inputs = (optical, sar)
    outputs.check_geotiff_name(args.output)
    outputs.check_distinct_outputs([("registered SAR (-o)", args.output), ("points file (--points)", args.points), ("GeoPackage (--gpkg)", args.gpkg),
                                    ("report (--report)", args.report)])
    for path in filter(None, (args.output, args.points, args.gpkg, args.report)):  # a user's edits are never written over
        if outputs.is_an_input(os.path.abspath(path), (args.tie_points,)):
            raise RegistrationError(f"The output '{path}' is the tie-point file read ('{args.tie_points}'): writing it would replace "
                                    "the tie points in it.", "Give the output another file name.")
    for path in filter(None, (args.output, args.points, args.report)):
        outputs.check_output(path, inputs, args.overwrite)
    if args.gpkg:
        outputs.check_geopackage(args.gpkg, inputs, args.overwrite)
    with optical_reference(optical, sar, RegistrationOptions()) as reference:  # an XYZ URL: fetched over the SAR again, on the same grid
        result = result_from_tie_points(reference, sar, read_tie_point_file(args.tie_points, raster_info(reference), sar), args.transform)
        outputs.write_warped_sar(result, args.output, args.overwrite, **warped_sar_settings(args))
        if args.points:
            outputs.write_points_file(result, args.points, args.overwrite)
        if args.gpkg:
            outputs.write_geopackage(result, args.gpkg, args.overwrite)
        if args.report:
            write_report(result, args.report, args.overwrite, written_with(args), named=(optical, sar))
    print(f"{int(result.tie_points.enabled.sum())} of {len(result.tie_points)} tie points used, {result.fit.model} fit RMSE "
          f"{rmse_text(result)}; wrote {args.output}")
    return 0


def run_batch(args) -> int:
    from .batch import run_batch_command

    return run_batch_command(args, options_from(args), warped_sar_settings(args))


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's time limit, ``kill``), raised where the program is, so that what an
    interruption cleans up is cleaned up too: no half-written output is left, and a batch writes
    its summary (the default action ended the process on the spot)."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return {"register": run_register, "warp": run_warp, "batch": run_batch}[args.command](args)
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except RegistrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RegistrationCancelled:
        print("cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
