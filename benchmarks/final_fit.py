"""How the final fit was chosen: fine matching's last RANSAC as it is, and locally optimised
(``transforms.refine_inliers``), on the warped *calibration* pairs (never the validation pairs the
benchmark reports), judged without ground truth.

    python -m benchmarks.final_fit --data ../shared/data --out benchmarks/results

Per pair and variant the engine registers the warped pair (estimate E) and the pair as it is in
the data (estimate D); the pair is self-consistent when E puts the image corners within 3 px of
D composed with the known warp (as in ``benchmarks.run``). On these pairs the truth itself is off
by a few pixels, so agreement with itself is the firmer figure; the corner error against the
truth is listed too. Writes final-fit.md.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile

import numpy as np

from plugin.core import RegistrationError, pipeline, register, transforms
from training.export import commit as git_commit

from .cases import TIERS, calibration_cases, write_case_files

VARIANTS = {"RANSAC": False, "RANSAC, locally optimised": True}  # -> pipeline.REFINE_FINAL_FIT
CONSISTENT_PX = 3.0


def _fit(optical: str, sar: str):
    try:
        return register(optical, sar).fit.sar_to_optical
    except RegistrationError:
        return None


def study_case(case) -> dict:
    height, width = case.sar.shape
    row = {"pair": case.name, "tier": case.tier}
    with tempfile.TemporaryDirectory() as directory:
        warped = write_case_files(case, os.path.join(directory, "warped"))
        unwarped = write_case_files(case, os.path.join(directory, "unwarped"), unwarped=True)
        for name, refine in VARIANTS.items():
            pipeline.REFINE_FINAL_FIT = refine
            estimate, reference = _fit(*warped), _fit(*unwarped)
            error = None if estimate is None else transforms.corner_error(estimate, case.sar_to_optical, width, height)
            consistency = None if estimate is None or reference is None else \
                transforms.corner_error(estimate, reference @ case.sar_to_optical, width, height)
            row[name] = (error, consistency)
    pipeline.REFINE_FINAL_FIT = True
    return row


def _cell(value) -> str:
    return "refused" if value is None else f"{value:.2f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--tiers", nargs="+", default=list(TIERS), choices=TIERS)
    args = parser.parse_args(argv)
    rows = []
    for tier in args.tiers:
        for case in calibration_cases(args.data, tier):
            rows.append(study_case(case))
            print(f"{tier:14s} {case.name:28s} " + " | ".join(f"{n}: error {_cell(e)} consistency {_cell(c)}" for n, (e, c) in
                                                             ((n, rows[-1][n]) for n in VARIANTS)), flush=True)
    lines = ["# Final fit: RANSAC as it is, and locally optimised", "",
             f"Command: `python -m benchmarks.final_fit {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}. "
             "Calibration pairs only (3MOS k = 2, every 6th S1/S2 training pair), warps seeded apart from the benchmark's.", "",
             f"Self-consistent: the estimate for the warped pair within {CONSISTENT_PX:g} px at the corners of the estimate for the "
             "pair as it is, composed with the known warp (no ground truth needed). Medians over the pairs every variant "
             "registered (both runs).", "",
             "| tier | variant | registered | self-consistent | median consistency px | median corner error vs truth px |", "|---|---|---|---|---|---|"]
    for tier in args.tiers:
        group = [r for r in rows if r["tier"] == tier]
        common = [r for r in group if all(r[n][1] is not None for n in VARIANTS)]
        for name in VARIANTS:
            registered = sum(r[name][0] is not None for r in group)
            consistent = sum(r[name][1] is not None and r[name][1] <= CONSISTENT_PX for r in group)
            median_c = np.median([r[name][1] for r in common]) if common else float("nan")
            median_e = np.median([r[name][0] for r in common]) if common else float("nan")
            lines.append(f"| {tier} | {name} | {registered}/{len(group)} | {consistent}/{len(group)} | {median_c:.2f} | {median_e:.2f} |")
    lines += ["", "| tier | pair | " + " | ".join(f"{n}: error px | {n}: consistency px" for n in VARIANTS) + " |",
              "|---|---|" + "---|---|" * len(VARIANTS)]
    for r in rows:
        lines.append(f"| {r['tier']} | {r['pair']} | " + " | ".join(f"{_cell(r[n][0])} | {_cell(r[n][1])}" for n in VARIANTS) + " |")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "final-fit.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines[:8 + 2 * len(args.tiers)]))


if __name__ == "__main__":
    main()
