"""Does the engine's self-check (``RegistrationOptions.self_check``) flag the results that are far
from the truth?

    python -m benchmarks.self_check --pairs calibration --tier hard --out benchmarks/results/self-check-calibration-hard.md

Per pair the engine registers with the self-check on: the fit's corner error against the truth,
the data's tolerance (``benchmarks.run.TOLERANCE_PX``: the pairs themselves are off by several
pixels), and the self-check's figure (how far apart the fit and the fit for the SAR moved by
``pipeline.SELF_CHECK_WARP`` put the corners; inf when the second run was refused). Then how many
results it flags at ``pipeline.SELF_CHECK_PX``, and how many of the flagged and of the unflagged are
beyond the tolerance. The threshold is the benchmark's own 3 px of self-consistency, not tuned here.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile

from plugin.core import RegistrationOptions, pipeline, transforms
from training.export import commit_at_start as git_commit

from .cases import add_case_arguments, measure_each, register_case, study_cases
from .results_file import write_results
from .run import TOLERANCE_PX


def measure(case) -> dict:
    height, width = case.sar.shape
    with tempfile.TemporaryDirectory() as directory:
        result = register_case(case, directory, RegistrationOptions(self_check=True))
    if result is None:
        return {"registered": False}
    return {"registered": True, "error_px": transforms.corner_error(result.fit.sar_to_optical, case.sar_to_optical, width, height),
            "tolerance_px": TOLERANCE_PX[case.dataset], "check_px": result.self_check_px, "flagged": result.self_check_failed}


def summary_row(label: str, rows: list) -> str:
    flagged = [r for r in rows if r["flagged"]]
    unflagged = [r for r in rows if not r["flagged"]]
    beyond = lambda group: sum(r["error_px"] > r["tolerance_px"] for r in group)  # noqa: E731
    return (f"| {label} | {len(rows)} | {len(flagged)} | {beyond(flagged)}/{len(flagged)} | {beyond(unflagged)}/{len(unflagged)} | "
            f"{beyond(rows)} | {max((r['error_px'] for r in unflagged), default=float('nan')):.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_case_arguments(parser)
    parser.add_argument("--out", required=True, help="markdown file to write")
    parser.add_argument("--warp", help="ANGLE,SCALE,DX,DY: the self-check's move instead of pipeline.SELF_CHECK_WARP "
                                       "(to compare settings on calibration pairs)")
    args = parser.parse_args(argv)
    if args.warp:
        angle, scale, dx, dy = (float(v) for v in args.warp.split(","))
        pipeline.SELF_CHECK_WARP = (angle, scale, (dx, dy))
    cases = study_cases(args)
    rows = measure_each(cases, lambda case: dict(measure(case), dataset=case.dataset))
    registered = [r for r in rows.values() if r["registered"]]
    lines = [f"# The engine's self-check against the truth ({args.pairs} pairs, {args.tier} tier)", "",
             f"Command: `python -m benchmarks.self_check {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}. "
             f"{len(cases)} pairs, {len(registered)} registered. Self-check: the SAR moved by {pipeline.SELF_CHECK_WARP[0]:g} degrees, "
             f"scale {pipeline.SELF_CHECK_WARP[1]:g}, shift {pipeline.SELF_CHECK_WARP[2]} px and registered again; flagged when the two "
             f"fits put a corner more than {pipeline.SELF_CHECK_PX:g} px apart, or the second run is refused.", "",
             "Beyond tolerance: a corner farther from the truth than the data supports (5 px on 3MOS, 10 px on S1/S2).", "",
             "| pairs | registered | flagged | flagged and beyond tolerance | not flagged and beyond tolerance | beyond tolerance | "
             "largest error not flagged px |", "|---|---|---|---|---|---|---|",
             summary_row("all", registered)]
    for dataset in sorted({r["dataset"] for r in registered}):
        lines.append(summary_row(dataset, [r for r in registered if r["dataset"] == dataset]))
    lines += ["", "| pair | corner error px | tolerance px | self-check px | flagged |", "|---|---|---|---|---|"]
    for name, row in rows.items():
        if not row["registered"]:
            lines.append(f"| {name} | refused | - | - | - |")
            continue
        lines.append(f"| {name} | {row['error_px']:.1f} | {row['tolerance_px']:g} | {row['check_px']:.1f} | {'yes' if row['flagged'] else ''} |")
    write_results(args.out, lines)
    print("\n".join(lines[:12]))


if __name__ == "__main__":
    main()
