"""How engine settings were chosen: the whole engine (GeoTIFFs in, fit out) on warped *training*
pairs (never the validation pairs the benchmark reports), once per variant of the options.

    python -m benchmarks.options_study --tier georeferenced --variant max_keypoints=500 \\
        --variant max_keypoints=1000 --variant max_keypoints=2000 --out benchmarks/results/keypoints.md

Per variant: pairs registered, the corner error of the fit against the truth (on the pairs every
variant registered, so the figures compare like with like), and seconds per pair, read -> fit
(also over the refused pairs alone: what a refusal costs, the network's fallback included).
On 3MOS the truth itself is off by a few pixels (shared/data/README.md), so small differences in
corner error are within the data's own noise; the counts and the times are the firmer figures.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import importlib
import os
import platform
import sys
import tempfile
import time

import numpy as np

from plugin.core import RegistrationOptions, transforms
from training.export import commit_at_start as git_commit

from .acceptance import WRONG_PX  # a registered pair this far off at a corner counts as wrong
from .cases import TIERS, calibration_cases, make_cases, register_case, training_cases
from .metrics import consistency_px
from .results_file import write_results
from .run import TOLERANCE_PX


def _split_parts(text: str):
    """``a=1,b=(2,3)`` -> ["a=1", "b=(2,3)"]: commas inside brackets belong to the value."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def _constant(key: str):
    """``module.NAME`` -> (the module ``plugin.core.<module>``, "NAME")."""
    module, _, name = key.rpartition(".")
    return importlib.import_module(f"plugin.core.{module}"), name


def parse_variant(text: str) -> dict:
    """``key=value[,key=value]`` -> RegistrationOptions keyword arguments (values as Python
    literals). A key ``module.NAME`` sets an engine constant in ``plugin.core.<module>`` instead
    (e.g. ``pipeline.TEMPLATE_SEARCH_PX=(10,6)``), for settings that are not options; it must exist,
    and only works for constants read when the engine runs (not ones bound as default arguments)."""
    variant = {}
    for part in _split_parts(text):
        key, _, value = (item.strip() for item in part.partition("="))
        if "." in key:
            module, name = _constant(key)
            if not hasattr(module, name):
                raise SystemExit(f"unknown engine constant '{key}'")
        elif not hasattr(RegistrationOptions(), key):
            raise SystemExit(f"unknown option '{key}'")
        try:
            variant[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            variant[key] = value
    return variant


@contextlib.contextmanager
def engine_constants(variant: dict):
    """Sets the variant's ``module.NAME`` engine constants for the time of the block, then restores them."""
    saved = []
    try:
        for key, value in variant.items():
            if "." in key:
                module, name = _constant(key)
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, value)
        yield {key: value for key, value in variant.items() if "." not in key}
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


def _fit(case, options, directory, unwarped=False):
    result = register_case(case, directory, options, unwarped)
    return None if result is None else result.fit.sar_to_optical


def run_variant(cases, variant: dict, consistency: bool = False):
    """Per case: the corner error against the truth, and with ``consistency`` the truth-free
    self-consistency of ``benchmarks.run`` (the estimate for the warped pair against the same
    options' estimate for the pair as it is, composed with the known warp; None when either is refused)."""
    with engine_constants(variant) as option_values:
        return _run_cases(cases, RegistrationOptions(**option_values), consistency)


def _run_cases(cases, options, consistency: bool):
    rows = {}
    for case in cases:
        height, width = case.sar.shape
        with tempfile.TemporaryDirectory() as directory:
            start = time.perf_counter()
            fit = _fit(case, options, directory)
            seconds = time.perf_counter() - start
            error = None if fit is None else transforms.corner_error(fit, case.sar_to_optical, width, height)
            reference = _fit(case, options, directory, unwarped=True) if consistency and fit is not None else None
            consistent = consistency_px(fit, reference, case.sar_to_optical, width, height)
            rows[case.name] = {"error": error, "seconds": seconds, "size": max(height, width),
                               "tolerance": TOLERANCE_PX[case.dataset], "consistency": consistent}
    return rows


def _median(seconds: list) -> str:
    return f"{np.median(seconds):.2f}" if seconds else "-"


def _cell(row: dict, consistency: bool) -> str:
    """A pair's corner error, with its self-consistency in brackets when measured; - where refused."""
    if row["error"] is None:
        return "-"
    if not consistency:
        return f"{row['error']:.1f}"
    return f"{row['error']:.1f} ({'-' if row['consistency'] is None else format(row['consistency'], '.1f')})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--tier", choices=TIERS, default="georeferenced")
    parser.add_argument("--variant", action="append", required=True, help="key=value[,key=value]: RegistrationOptions to set, or module.NAME=value: an engine constant "
                             "in plugin.core.<module> (one the engine reads when it runs, not a default argument)")
    parser.add_argument("--s1s2-every", type=int, default=6)
    parser.add_argument("--pairs", choices=("training", "calibration", "validation"), default="training",
                        help="training pairs choose settings; calibration pairs (never seen by the dense feature network) choose "
                             "settings that involve it; validation pairs (the benchmark's cases) only compare finished models")
    parser.add_argument("--out", required=True, help="markdown file to write")
    parser.add_argument("--consistency", action="store_true",
                        help="also register each pair as it is in the data and report self-consistency within 3 px (as benchmarks.run; "
                             "about twice the time)")
    args = parser.parse_args(argv)
    variants = [(text, parse_variant(text)) for text in args.variant]
    if args.pairs == "training":
        cases = list(training_cases(args.data, args.tier, args.s1s2_every))
        which = f"{len(cases)} training pairs (all 3MOS k = 0-2, every {args.s1s2_every}th S1/S2)"
    elif args.pairs == "calibration":
        cases = list(calibration_cases(args.data, args.tier))
        which = f"{len(cases)} calibration pairs (3MOS k = 2, every 6th S1/S2 training pair; the dense feature network never saw them)"
    else:
        cases = list(make_cases(args.data, args.tier))
        which = f"the benchmark's {len(cases)} validation pairs and warps"
    results = {}
    for text, variant in variants:
        results[text] = run_variant(cases, variant, args.consistency)
        print(f"{text}: {sum(r['error'] is not None for r in results[text].values())}/{len(cases)} registered", flush=True)
    common = [c.name for c in cases if all(results[t][c.name]["error"] is not None for t, _ in variants)]
    lines = [f"# Engine options compared on {args.pairs} pairs", "",
             f"Command: `python -m benchmarks.options_study {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}. "
             f"Tier {args.tier}; {which}; corner errors over the {len(common)} pairs every variant registered; "
             f"within tolerance: of all pairs, corners within {TOLERANCE_PX['3mos']:g} px (3MOS) or {TOLERANCE_PX['s1s2']:g} px (S1/S2) of the truth.", "",
             f"Wrong: registered with a corner more than {WRONG_PX:g} px from the truth (a result a user would have to catch).", "",
             "| variant | registered | within tolerance | wrong | corner error median px | mean px | <= 5 px | > 10 px | median s (all) | median s (1024 px pairs) | median s (refused) |"
             + (" self-consistent@3px |" if args.consistency else ""),
             "|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if args.consistency else "")]
    for text, _ in variants:
        rows = results[text]
        errors = np.array([rows[name]["error"] for name in common])
        large = [r["seconds"] for r in rows.values() if r["size"] >= 1024]
        refused = [r["seconds"] for r in rows.values() if r["error"] is None]
        registered = sum(r["error"] is not None for r in rows.values())
        within = sum(r["error"] is not None and r["error"] <= r["tolerance"] for r in rows.values())
        wrong = sum(r["error"] is not None and r["error"] > WRONG_PX for r in rows.values())
        lines.append(f"| {text} | {registered}/{len(cases)} | {within}/{len(cases)} | {wrong} | {np.median(errors):.2f} | {errors.mean():.2f} | {int((errors <= 5).sum())} | "
                     f"{int((errors > 10).sum())} | {np.median([r['seconds'] for r in rows.values()]):.2f} | "
                     f"{_median(large)} | {_median(refused)} |"
                     + (f" {sum(r['consistency'] is not None and r['consistency'] <= 3 for r in rows.values())}/{len(cases)} |"
                        if args.consistency else ""))
    summary = len(lines)
    lines += ["", "Per pair: corner error against the truth in px, or - where refused"
              + (" (in brackets: self-consistency in px, - where the pair as it is was refused)." if args.consistency else "."), "",
              "| pair | " + " | ".join(text for text, _ in variants) + " |", "|---|" + "---|" * len(variants)]
    for case in cases:
        cells = (_cell(results[text][case.name], args.consistency) for text, _ in variants)
        lines.append(f"| {case.name} | " + " | ".join(cells) + " |")
    write_results(args.out, lines)
    print("\n".join(lines[:summary]))


if __name__ == "__main__":
    main()
