"""Does the split-half agreement of a fit tell a user which results to check?

    python -m benchmarks.fit_stability --pairs calibration --tier hard --out benchmarks/results/fit-stability-calibration-hard.md

For every pair the engine registers: its fit's split-half agreement (``split_half_px``:
the tie points cut in two at their median column, and again at their median row, each half fitted
on its own; the largest distance at the SAR image's corners between the two halves' fits), the
fit's corner error against the truth, and its self-consistency (as ``benchmarks.run``: against the
engine's fit for the pair as it is, composed with the known warp). Then, per threshold, how many
results would be flagged, and how many of the flagged and of the unflagged are self-consistent.
The split-half figure needs no truth, so a user gets it for every registration.

And per tie point, against the run on the pair as it is (both runs locate the same optical
keypoints; ``tie_point_agreement``): the share of the tie points either run keeps that both keep,
and how far apart the two runs put the SAR position of a tie point both keep. That tells whether
a fit that disagrees with itself located its points differently or chose different ones.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys

import numpy as np

from plugin.core import transforms
from training.export import commit_at_start as git_commit

from .cases import add_case_arguments, measure_each, register_with_reference, study_cases
from .metrics import CORRECT_PX, consistency_px
from .results_file import write_results

THRESHOLDS_PX = (3.0, 4.0, 5.0, 6.0, 8.0)


def split_half_px(sar_xy: np.ndarray, optical_xy: np.ndarray, model: str, width: int, height: int) -> float:
    """How far the fit's own tie points disagree with each other: the tie points are cut in two at
    their median SAR column, and again at their median row; each half is fitted (least squares,
    ``model``) on its own, and the figure is the largest distance between two halves' fits at the
    corners of the width x height SAR image, in optical pixels. NaN when a half has too few points.

    Why: a fit can have a small RMSE and still be unsure where the image's corners go, when the
    tie points cover only part of the image or when the images do not differ by one ``model``
    transform (terrain, a pair that is itself misaligned in places). Then the halves disagree:
    ``benchmarks/results/fit-stability-*.md`` measures how well this flags results that are not
    self-consistent (too weakly to warn users with it)."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    corners, worst = transforms.image_corners(width, height), 0.0
    for axis in (0, 1):
        low = sar_xy[:, axis] < np.median(sar_xy[:, axis]) if len(sar_xy) else np.zeros(0, bool)
        halves = (low, ~low)
        if min(int(h.sum()) for h in halves) < 2 * transforms.MINIMUM_POINTS[model]:
            return float("nan")
        fits = [transforms.fit_least_squares(sar_xy[h], optical_xy[h], model) for h in halves]
        worst = max(worst, float(np.linalg.norm(transforms.apply(fits[0], corners) - transforms.apply(fits[1], corners), axis=1).max()))
    return worst


def tie_point_agreement(warped_tie, as_it_is_tie, warp: np.ndarray):
    """(share of the tie points either run keeps that both keep, median distance in SAR pixels
    between the two runs' SAR positions for those, or NaN when none). ``warp`` maps the pair's SAR
    as it is onto the warped SAR; tie points are paired by their optical keypoint."""
    index = {tuple(np.round(xy, 3)): i for i, xy in enumerate(as_it_is_tie.optical_xy)}
    pairs = [(i, index.get(tuple(np.round(xy, 3)))) for i, xy in enumerate(warped_tie.optical_xy)]
    pairs = np.array([(i, j) for i, j in pairs if j is not None], int).reshape(-1, 2)
    enabled_warped, enabled_as_is = warped_tie.enabled[pairs[:, 0]], as_it_is_tie.enabled[pairs[:, 1]]
    both, either = enabled_warped & enabled_as_is, enabled_warped | enabled_as_is
    if not both.any():
        return 0.0, float("nan")
    back = transforms.apply(np.linalg.inv(warp), warped_tie.sar_xy[pairs[both, 0]])
    distance = np.linalg.norm(back - as_it_is_tie.sar_xy[pairs[both, 1]], axis=1)
    return float(both.sum() / either.sum()), float(np.median(distance))


def measure(case) -> dict:
    height, width = case.sar.shape
    result, reference = register_with_reference(case)
    if result is None:
        return {"registered": False}
    fit = result.fit.sar_to_optical
    tie = result.tie_points
    sar_xy, optical_xy = tie.sar_xy[tie.enabled], tie.optical_xy[tie.enabled]
    split = split_half_px(sar_xy, optical_xy, transforms.ransac_model_for(result.fit.model), width, height)
    consistency, agreeing, kept_by_both, apart = None, None, None, None
    if reference is not None:
        kept_by_both, apart = tie_point_agreement(tie, reference.tie_points, np.linalg.inv(case.sar_to_optical))
        consistency = consistency_px(fit, reference.fit.sar_to_optical, case.sar_to_optical, width, height)
        consistent_fit = reference.fit.sar_to_optical @ case.sar_to_optical  # what the fit would be if it agreed with itself
        agreeing = float(np.mean(np.linalg.norm(transforms.residuals(consistent_fit, sar_xy, optical_xy), axis=1) <= CORRECT_PX))
    return {"registered": True, "split_half_px": split, "error_px": transforms.corner_error(fit, case.sar_to_optical, width, height),
            "consistency_px": consistency, "tie_points": int(tie.enabled.sum()), "agreeing": agreeing,
            "kept_by_both": kept_by_both, "apart_px": apart}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_case_arguments(parser, "calibration pairs choose the threshold; validation pairs (the benchmark's) only report")
    parser.add_argument("--out", required=True, help="markdown file to write")
    args = parser.parse_args(argv)
    cases = study_cases(args)
    rows = measure_each(cases, measure)
    registered = {name: row for name, row in rows.items() if row["registered"]}
    judged = {name: row for name, row in registered.items() if row["consistency_px"] is not None}
    lines = [f"# Split-half agreement of the fit against self-consistency ({args.pairs} pairs, {args.tier} tier)", "",
             f"Command: `python -m benchmarks.fit_stability {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}. "
             f"{len(cases)} pairs, {len(registered)} registered, {len(judged)} of them also registered as they are "
             "(needed for self-consistency).", "",
             "Flagged: split-half agreement above the threshold. Consistent: self-consistent within 3 px.", "",
             "| threshold px | flagged | flagged and not consistent | not flagged and consistent | not flagged and not consistent |",
             "|---|---|---|---|---|"]
    bad = {n for n, r in judged.items() if r["consistency_px"] > CORRECT_PX}
    for threshold in THRESHOLDS_PX:
        flagged = {n for n, r in judged.items() if r["split_half_px"] > threshold}
        unflagged = set(judged) - flagged
        lines.append(f"| {threshold:g} | {len(flagged)}/{len(judged)} | {len(flagged & bad)}/{len(flagged)} | "
                     f"{len(unflagged - bad)}/{len(unflagged)} | {len(unflagged & bad)}/{len(unflagged)} |")
    lines += ["", "Per pair. Agreeing: the share of the fit's tie points within 3 px of the self-consistent fit (the fit for the pair as "
              "it is, composed with the known warp): near 1 where the fit uses the same matches a self-consistent fit would. Kept by both: "
              "of the tie points either run (the warped pair's, the pair's as it is) keeps, the share both keep; apart: the median "
              "distance between the two runs' SAR positions of those, in SAR pixels.", "",
              "| pair | tie points | split-half px | self-consistency px | agreeing | kept by both | apart px | corner error against the truth px |",
              "|---|---|---|---|---|---|---|---|"]
    for name, row in rows.items():
        if not row["registered"]:
            lines.append(f"| {name} | refused | - | - | - | - | - | - |")
            continue
        consistency = "-" if row["consistency_px"] is None else f"{row['consistency_px']:.1f}"
        agreeing = "-" if row["agreeing"] is None else f"{row['agreeing']:.2f}"
        both = "-" if row["kept_by_both"] is None else f"{row['kept_by_both']:.2f}"
        apart = "-" if row["apart_px"] is None else f"{row['apart_px']:.2f}"
        lines.append(f"| {name} | {row['tie_points']} | {row['split_half_px']:.1f} | {consistency} | {agreeing} | {both} | {apart} | "
                     f"{row['error_px']:.1f} |")
    write_results(args.out, lines)
    print("\n".join(lines[:8 + len(THRESHOLDS_PX)]))


if __name__ == "__main__":
    main()
