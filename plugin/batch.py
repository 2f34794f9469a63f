"""Batch registration: many optical/SAR pairs, one loaded network, a summary a rerun resumes from.

    python -m plugin batch PAIRS.csv OUTDIR             # rows: optical,SAR[,output]
    python -m plugin batch OPTICAL_DIR SAR_DIR OUTDIR   # files matched by name

Every pair is registered in turn with the same ``DescriptorExtractor``; a pair that fails is
recorded and the batch goes on. After each pair ``OUTDIR/batch_summary.csv`` and ``.json`` are
rewritten (status, error, matches, RMSE, time per pair), so an interrupted batch keeps what it
did; a rerun skips every pair whose summary row says "ok" and whose output still exists.
Qt-free: this module uses only the core.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional

from .core import RegistrationCancelled, RegistrationError, RegistrationOptions, outputs, register
from .core.cpu_settings import engine_settings
from .core.ground import left_out_rmse_m, rmse_m, rmse_words
from .core.report import write_report
from .core.raster_io import GDAL_NAME, raster_stem
from .core.warnings_heard import warnings_heard
from .core.web_reference import optical_reference

LOGGER = logging.getLogger(__name__)
SUMMARY_CSV = "batch_summary.csv"
SUMMARY_JSON = "batch_summary.json"
RASTER_EXTENSIONS = (".tif", ".tiff", ".jp2", ".img", ".vrt", ".png", ".jpg", ".nc", ".h5")
# --points, --gpkg, --matches-json: each pair's file beside its output, (extension, writer, what it is).
EXTRA_OUTPUTS = {"points": (".points", outputs.write_points_file, "points file"),
                 "gpkg": (".gpkg", outputs.write_geopackage, "GeoPackage"),
                 "matches_json": (".json", outputs.write_matches_json, "match report"),
                 "report": (".html", write_report, "report")}


@dataclass
class Pair:
    optical: str
    sar: str
    output: str


@dataclass
class PairResult:
    """One row of the summary."""

    optical: str
    sar: str
    output: str
    status: str = "pending"  # ok | failed (a problem with the data) | error (a bug: see the log) | pending
    error: str = ""
    matches: Optional[int] = None  # tie points used for the fit
    candidates: Optional[int] = None
    rmse_px: Optional[float] = None
    rmse_m: Optional[float] = None  # on the ground; empty when the optical raster has no CRS
    left_out_rmse_px: Optional[float] = None  # each tie point used against the fit without it and its neighbours (empty: too few points)
    left_out_rmse_m: Optional[float] = None  # the same on the ground; empty when the optical raster has no CRS
    self_check_px: Optional[float] = None  # with --self-check: how far the fit moved with the SAR moved slightly (empty: the second run was refused)
    self_check: str = ""  # with --self-check: passed | FAILED
    time_s: Optional[float] = None
    device: str = ""
    warnings: str = ""  # what the engine warned of on this pair (a fill read as nodata, georeferencing not used), " | " between


class BatchProgress:
    """Overall progress on stderr: a one-line bar on a terminal, else one line per pair. Also the
    engine's progress callback for the pair being registered (never cancels)."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.stream, self.width = max(1, total), stream or sys.stderr, width
        self.interactive = self.stream.isatty()
        self.index, self.name = 0, ""

    def start(self, index: int, name: str) -> None:
        self.index, self.name = index, os.path.basename(name)
        self("", 0.0)

    def __call__(self, stage: str, fraction: float) -> bool:
        if self.interactive:
            overall = (self.index + fraction) / self.total
            filled = int(round(overall * self.width))
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {overall * 100:5.1f}% "
                              f"pair {self.index + 1}/{self.total} {self.name[:30]} {stage:<18}")
            self.stream.flush()
        return True

    def finish(self, index: int, row: "PairResult", skipped: bool = False) -> None:
        if skipped:
            outcome = "done before, skipped"
        elif row.status == "ok":
            outcome = f"ok, {row.matches} tie points, RMSE {rmse_words(row.rmse_px, row.rmse_m)}, {row.time_s:.1f} s on {row.device}"
            if row.self_check:
                outcome += f", self-check {row.self_check}"
        else:
            outcome = f"{row.status}: {row.error}"
        prefix = "\r" + " " * (self.width + 80) + "\r" if self.interactive else ""
        self.stream.write(f"{prefix}[{index + 1}/{self.total}] {os.path.basename(row.sar)}: {outcome}\n")
        self.stream.flush()


def _default_output(outdir: str, sar: str, taken: set) -> str:
    stem = raster_stem(sar)
    candidate, number = os.path.join(outdir, f"{stem}_registered.tif"), 2
    while candidate in taken:
        candidate, number = os.path.join(outdir, f"{stem}_registered_{number}.tif"), number + 1
    return candidate


def _finish_pairs(rows: List[tuple], outdir: str, where: str) -> List[Pair]:
    """(optical, sar, output or "") -> Pairs with absolute paths and unique outputs."""
    pairs, taken = [], set()
    for optical, sar, output in rows:
        output = os.path.abspath(os.path.join(outdir, output)) if output else _default_output(os.path.abspath(outdir), sar, taken)
        if output in taken:
            raise RegistrationError(f"Two pairs in {where} write the same output '{output}'.", "Give each pair its own output name.")
        outputs.check_geotiff_name(output)  # before the batch starts, not after a pair's registration
        taken.add(output)
        pairs.append(Pair(optical, sar, output))
    if not pairs:
        raise RegistrationError(f"{where} holds no pairs to register.", "List optical,SAR rows in the CSV, or use folders with files of the same names.")
    return pairs


def _input_name(base: str, cell: str) -> str:
    """A CSV's raster: a path relative to the CSV's folder, or a name GDAL opens as it is (an
    https:// or /vsicurl/ URL, GPKG:x.gpkg:table) unless a file of that name lies beside the CSV."""
    beside = os.path.join(base, cell)
    return cell if GDAL_NAME.match(cell) and not os.path.exists(beside) else beside


def pairs_from_csv(path: str, outdir: str) -> List[Pair]:
    """Rows ``optical,SAR[,output]`` (an optional header names the columns; lines starting with #
    are comments). Input paths are relative to the CSV's folder, outputs to OUTDIR."""
    if not os.path.isfile(path):
        raise RegistrationError(f"The pairs file '{path}' does not exist.", "Give a CSV of optical,SAR[,output] rows, or two folders.")
    base = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        lines = [(n, [cell.strip() for cell in row]) for n, row in enumerate(rows, 1) if row and any(row) and not row[0].lstrip().startswith("#")]
    except (UnicodeDecodeError, csv.Error) as error:
        raise RegistrationError(f"'{path}' is not a CSV file of text in UTF-8 ({error}).",
                                "Give a CSV of optical,SAR[,output] rows saved as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet), or two folders.") from None
    columns = ["optical", "sar", "output"]
    # A header names the columns, in any order; a first row that names either role is one.
    if lines and {"optical", "sar"} & {cell.lower() for cell in lines[0][1]}:
        columns = [cell.lower() for cell in lines.pop(0)[1]]
        if not {"optical", "sar"} <= set(columns):
            raise RegistrationError(f"The header of '{path}' must name the columns optical and sar (and optionally output).", "Fix the first line.")
    rows = []
    for number, cells in lines:
        record = dict(zip(columns, cells))
        if not record.get("optical") or not record.get("sar"):
            raise RegistrationError(f"Line {number} of '{path}' does not give an optical and a SAR raster.", "Each row needs optical,SAR[,output].")
        rows.append((_input_name(base, record["optical"]), _input_name(base, record["sar"]), record.get("output", "")))
    return _finish_pairs(rows, outdir, f"'{path}'")


def _delimiter(text: str) -> str:
    """A comma, or the semicolon or tab that spreadsheets in some languages save CSV with: the
    first of them in the first line that is not a comment and holds any."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            for delimiter in (",", ";", "\t"):
                if delimiter in line:
                    return delimiter
            break
    return ","


def _rasters_by_name(folder: str) -> Dict[str, str]:
    if not os.path.isdir(folder):
        raise RegistrationError(f"The folder '{folder}' does not exist.", "Check the path.")
    names = sorted(n for n in os.listdir(folder) if os.path.splitext(n)[1].lower() in RASTER_EXTENSIONS)
    by_name: Dict[str, List[str]] = {}
    for name in names:
        by_name.setdefault(os.path.splitext(name)[0].lower(), []).append(name)
    for stem, same in by_name.items():
        if len(same) > 1:  # one would be dropped without a word
            raise RegistrationError(f"The folder '{folder}' holds {len(same)} rasters named '{stem}' ({', '.join(same)}); folders are paired by name.",
                                    "Keep one of them in the folder, or list the pairs in a CSV.")
    return {stem: os.path.abspath(os.path.join(folder, same[0])) for stem, same in by_name.items()}


def pairs_from_folders(optical_dir: str, sar_dir: str, outdir: str) -> List[Pair]:
    """Pairs of rasters with the same file name (without extension, ignoring case) in both folders."""
    if os.path.isdir(optical_dir) and os.path.isdir(sar_dir) and os.path.samefile(optical_dir, sar_dir):
        raise RegistrationError(f"The optical and the SAR folder are both '{optical_dir}': every raster would be paired with itself.",
                                "Put the optical and the SAR rasters in two folders, with the same file names, or list the pairs in a CSV.")
    optical, sar = _rasters_by_name(optical_dir), _rasters_by_name(sar_dir)
    for name in sorted(set(optical) ^ set(sar)):
        LOGGER.warning("no partner for %s: skipped", optical.get(name) or sar.get(name))
    rows = [(optical[name], sar[name], "") for name in sorted(set(optical) & set(sar))]
    return _finish_pairs(rows, outdir, f"the folders '{optical_dir}' and '{sar_dir}'")


def read_summary(outdir: str) -> Dict[tuple, dict]:
    """Rows of an earlier run's summary, keyed by (optical, SAR, output); empty when there is none."""
    path = os.path.join(outdir, SUMMARY_JSON)
    try:
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle)["pairs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {(row.get("optical"), row.get("sar"), row.get("output")): row for row in rows if isinstance(row, dict)}


def write_summary(outdir: str, rows: List[PairResult], options: RegistrationOptions) -> None:
    """Rewrites the CSV and JSON summaries (each as every output is written, ``outputs.safe_output``:
    a temporary file renamed into place, and a clear error when the disk is full)."""
    records = [asdict(row) for row in rows]
    counts = {status: sum(r["status"] == status for r in records) for status in ("ok", "failed", "error", "pending")}
    document = {"counts": dict(counts, total=len(records)), "options": asdict(options), "pairs": records}
    for name, write in ((SUMMARY_JSON, lambda h: json.dump(document, h, indent=1)), (SUMMARY_CSV, lambda h: _write_csv(h, records))):
        with outputs.safe_output(os.path.join(outdir, name), (), overwrite=True) as temporary:
            with open(temporary, "w", newline="", encoding="utf-8") as handle:
                write(handle)


def _write_csv(handle, records: List[dict]) -> None:
    writer = csv.DictWriter(handle, fieldnames=list(PairResult.__dataclass_fields__))
    writer.writeheader()
    writer.writerows(records)


def configure_threads(threads: Optional[int] = None) -> int:
    """One process, one pair at a time: PyTorch, OpenCV, GDAL and the engine's own threads use
    every core we may run on (or ``threads``, or $OMP_NUM_THREADS), with no nested inter-op pool
    to oversubscribe them."""
    import cv2
    import torch

    from .core import parallel

    count = max(1, threads or int(os.environ.get("OMP_NUM_THREADS") or 0) or parallel.available_cores())
    parallel.set_limit(count)  # the engine's thread pools and GDAL's reads, warps and writes
    torch.set_num_threads(count)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already started in this process
        pass
    cv2.setNumThreads(count)
    return count


def _already_done(pair: Pair, previous: Dict[tuple, dict]) -> Optional[PairResult]:
    row = previous.get((pair.optical, pair.sar, pair.output))
    if not row or row.get("status") != "ok" or not os.path.exists(pair.output):
        return None
    return PairResult(**{k: row.get(k, field.default) for k, field in PairResult.__dataclass_fields__.items()})  # a column added since: its default


def pair_outputs(pair: Pair, extras=()) -> List[tuple]:
    """(what it is, path) of every file ``register_pair`` writes for ``pair``."""
    stem = os.path.splitext(pair.output)[0]
    return [("registered SAR", pair.output)] + [(EXTRA_OUTPUTS[name][2], stem + EXTRA_OUTPUTS[name][0]) for name in extras]


def check_batch_outputs(pairs: List[Pair], outdir: str, extras=()) -> None:
    """Before the first pair: a RegistrationError when two files the batch writes are one (two
    pairs' 'a.tif' and 'a.tiff' share 'a.points'; a pair's 'batch_summary.json' is the summary), or
    when one is another pair's optical or SAR raster, which a later pair would replace after an
    earlier one had read it. (Each writer refuses its own pair's inputs.)"""
    named = [(f"batch summary '{name}'", os.path.join(outdir, name)) for name in (SUMMARY_JSON, SUMMARY_CSV)]
    for number, pair in enumerate(pairs, 1):
        named += [(f"{what} of pair {number}", path) for what, path in pair_outputs(pair, extras)]
    outputs.check_distinct_outputs(named)
    inputs = {outputs.file_key(path): f"{role} raster of pair {number}"
              for number, pair in enumerate(pairs, 1) for role, path in (("optical", pair.optical), ("SAR", pair.sar))}
    for what, path in named:
        role = inputs.get(outputs.file_key(path))
        if role:
            raise RegistrationError(f"The {what}, '{path}', is the {role}: writing it would replace that input.",
                                    "Write the outputs to another folder, or give the pair another output name.")


def register_pair(pair: Pair, options: RegistrationOptions, extractor, progress, extras=(), written: Optional[dict] = None) -> PairResult:
    """Registers one pair and writes its outputs (replacing old ones; never an input), the warped SAR as
    ``written`` asks (keyword arguments of ``outputs.write_warped_sar``: grid, overviews)."""
    started = time.perf_counter()
    row = PairResult(pair.optical, pair.sar, pair.output)
    with optical_reference(pair.optical, pair.sar, options) as optical:  # an XYZ URL: fetched over the SAR, for this pair
        result = register(optical, pair.sar, options, progress=progress, extractor=extractor)
        outputs.write_warped_sar(result, pair.output, overwrite=True, **(written or {}))
        files = pair_outputs(pair, extras)
        for name, (_, path) in zip(extras, files[1:]):
            recorded = {"recorded": (pair.optical, pair.sar)} if name == "gpkg" else {}  # an XYZ URL, not the file fetched from it
            if name == "report":  # naming the pair's other files, and its inputs as given
                recorded = {"written": [(label, other) for label, other in files if other != path], "named": (pair.optical, pair.sar)}
            EXTRA_OUTPUTS[name][1](result, path, overwrite=True, **recorded)
    row.status, row.device = "ok", result.device
    row.matches, row.candidates = int(result.tie_points.enabled.sum()), len(result.tie_points)
    row.rmse_px, row.time_s = round(float(result.fit.rmse), 4), round(time.perf_counter() - started, 2)
    metres = rmse_m(result)
    row.rmse_m = None if metres is None else round(metres, 3)
    row.left_out_rmse_px = None if result.fit.left_out_rmse is None else round(result.fit.left_out_rmse, 4)
    left_out_m = left_out_rmse_m(result)
    row.left_out_rmse_m = None if left_out_m is None else round(left_out_m, 3)
    if result.self_check_px is not None:
        row.self_check_px = round(float(result.self_check_px), 2) if math.isfinite(result.self_check_px) else None
        row.self_check = "FAILED" if result.self_check_failed else "passed"
    return row


def run_batch(pairs: List[Pair], outdir: str, options: RegistrationOptions, extras=(),
              progress: Optional[BatchProgress] = None, make_extractor: Optional[Callable] = None,
              written: Optional[dict] = None) -> List[PairResult]:
    """Registers every pair not done before, each warped SAR written as ``written`` asks (``register_pair``);
    returns the summary rows (also written to OUTDIR).
    The network is loaded once, when the first pair needs it, and the engine's CPU settings
    (``core.cpu_settings``) hold for the whole batch. RegistrationError on one pair is
    recorded as "failed", any other exception as "error" (with its traceback in the log)."""
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise RegistrationError(f"The output folder '{outdir}' is a file.", "Choose a folder for the registered rasters and the summary.")
    options.check()
    check_batch_outputs(pairs, outdir, extras)
    os.makedirs(outdir, exist_ok=True)
    progress = progress or BatchProgress(len(pairs))
    previous = read_summary(outdir)
    rows = [_already_done(pair, previous) or PairResult(pair.optical, pair.sar, pair.output) for pair in pairs]
    extractor = None
    # One scope for the whole batch: the memory one pair freed is reused by the next (cpu_settings).
    with engine_settings():
        try:
            for index, pair in enumerate(pairs):
                progress.start(index, pair.sar)
                if rows[index].status == "ok":
                    progress.finish(index, rows[index], skipped=True)
                    continue
                if extractor is None:  # a model that cannot be loaded stops the batch (RegistrationError)
                    from .core.descriptor import DescriptorExtractor

                    extractor = (make_extractor or DescriptorExtractor)(options.model, options.device)
                started = time.perf_counter()
                try:
                    with warnings_heard() as heard:  # also printed as they come (the command line's log)
                        rows[index] = register_pair(pair, options, extractor, progress, extras, written)
                except RegistrationError as error:
                    rows[index].status, rows[index].error = "failed", str(error)
                except (RegistrationCancelled, KeyboardInterrupt):
                    raise
                except Exception as error:  # a bug: record it, log the traceback, go on with the next pair
                    LOGGER.exception("unexpected error on %s", pair.sar)
                    rows[index].status, rows[index].error = "error", f"{type(error).__name__}: {error}"
                rows[index].warnings = " | ".join(heard)
                if rows[index].status != "ok":
                    rows[index].time_s = round(time.perf_counter() - started, 2)
                progress.finish(index, rows[index])
                write_summary(outdir, rows, options)
        finally:
            write_summary(outdir, rows, options)
    return rows


def run_batch_command(args, options: RegistrationOptions, written: Optional[dict] = None) -> int:
    """``python -m plugin batch``: 0 when every pair is registered, 1 when some failed; each warped SAR
    written as ``written`` asks (``register_pair``)."""
    if len(args.inputs) == 1:
        pairs = pairs_from_csv(args.inputs[0], args.outdir)
    elif len(args.inputs) == 2:
        pairs = pairs_from_folders(args.inputs[0], args.inputs[1], args.outdir)
    else:
        raise RegistrationError("batch takes PAIRS.csv OUTDIR, or OPTICAL_DIR SAR_DIR OUTDIR.", "Check the command line.")
    threads = configure_threads(args.threads)
    LOGGER.info("%d pairs, %d CPU threads", len(pairs), threads)
    extras = [name for name in EXTRA_OUTPUTS if getattr(args, name, False)]
    rows = run_batch(pairs, args.outdir, options, extras, written=written)
    done = sum(row.status == "ok" for row in rows)
    print(f"{done} of {len(rows)} pairs registered, {len(rows) - done} failed; summary: {os.path.join(args.outdir, SUMMARY_CSV)}")
    return 0 if done == len(rows) else 1
