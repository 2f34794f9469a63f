"""How precise are the engine's tie points, and what keeps their RMSE above 1 px?

    python -m benchmarks.match_precision --pairs calibration --tier georeferenced --out benchmarks/results/match-precision-calibration-georeferenced.md

The benchmark's RMSE of correct matches is judged by the data's truth, which is itself 2-7 px
off (``label-offsets.md``), and the truth-free one (``metrics.own_reference_rmse``) by the
engine's own affine estimate for the pair as it is. Either way the figure mixes two things: how
exactly each template match is located, and how far the two images are from being one affine
transform apart (terrain, SAR geometry, pairs misaligned in places). This study separates them
on the pairs the engine registers self-consistently (the only ones where its own estimate is a
reference): per pair, the RMSE of the tie points within 3 px of

- the truth (the benchmark's figure), and the engine's estimate for the pair as it is composed
  with the known warp (own reference);
- the engine's own fit (its in-sample residual);
- least-squares polynomials of degree 1 (affine), 2 and 3 from the optical to the SAR pixel,
  each judged on tie points it was not fitted to (5-fold cross-validation, seeded): what a
  smoother-than-affine ground would leave as each match's own error. (The same polynomials as
  ``--model poly2``/``poly3``, which GDAL fits to the tie points when it warps the output.)

If the cross-validated RMSE falls well below the affine's as the degree rises, much of the 1 px
lies in the affine model, not in the matches. It reports; nothing in the engine is set from it.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from collections import defaultdict

import numpy as np

from training.export import commit_at_start as git_commit

from .cases import add_case_arguments, measure_each, register_with_reference, study_cases
from .metrics import CORRECT_PX, consistency_px, correct_rmse, match_errors, own_reference_rmse

DEGREES = (1, 2, 3)
FOLDS = 5


def _monomials(xy: np.ndarray, degree: int, centre: np.ndarray, scale: float) -> np.ndarray:
    """N x terms: every x^i y^j with i + j <= degree, of coordinates centred and scaled to about +-1."""
    x, y = ((xy - centre) / scale).T
    return np.stack([x ** i * y ** j for i in range(degree + 1) for j in range(degree + 1 - i)], axis=1)


def cross_validated_errors(optical_xy: np.ndarray, sar_xy: np.ndarray, degree: int, folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """Per tie point: the distance, in SAR pixels, between its SAR position and where a
    least-squares polynomial of ``degree`` (optical -> SAR pixel) puts it, the polynomial fitted to
    the other folds' tie points only. NaN for all when there are too few tie points."""
    optical_xy, sar_xy = np.asarray(optical_xy, np.float64), np.asarray(sar_xy, np.float64)
    terms = (degree + 1) * (degree + 2) // 2
    errors = np.full(len(optical_xy), np.nan)
    if len(optical_xy) < 2 * terms * folds // (folds - 1):
        return errors
    centre = optical_xy.mean(axis=0)
    scale = max(float(np.abs(optical_xy - centre).max()), 1.0)
    order = np.random.default_rng(seed).permutation(len(optical_xy))
    for fold in range(folds):
        held_out = order[fold::folds]
        fitted = np.setdiff1d(order, held_out)
        coefficients, *_ = np.linalg.lstsq(_monomials(optical_xy[fitted], degree, centre, scale), sar_xy[fitted], rcond=None)
        predicted = _monomials(optical_xy[held_out], degree, centre, scale) @ coefficients
        errors[held_out] = np.linalg.norm(predicted - sar_xy[held_out], axis=1)
    return errors


def measure(case) -> dict:
    height, width = case.sar.shape
    result, reference = register_with_reference(case)
    if result is None:
        return {"registered": False}
    tie = result.tie_points
    optical_xy, sar_xy = tie.optical_xy[tie.enabled], tie.sar_xy[tie.enabled]
    own = None if reference is None else reference.fit.sar_to_optical
    consistency = consistency_px(result.fit.sar_to_optical, own, case.sar_to_optical, width, height)
    row = {"registered": True, "sensor": case.sensor, "tie_points": len(optical_xy), "consistency_px": consistency,
           "truth": correct_rmse(match_errors(optical_xy, sar_xy, case.sar_to_optical)),
           "own_reference": own_reference_rmse(optical_xy, sar_xy, own, case.sar_to_optical),
           "own_fit": correct_rmse(match_errors(optical_xy, sar_xy, result.fit.sar_to_optical))}
    errors = {degree: cross_validated_errors(optical_xy, sar_xy, degree) for degree in DEGREES}
    row.update({f"poly{degree}": correct_rmse(e) for degree, e in errors.items()})  # None where too few tie points (all NaN)
    highest = errors[DEGREES[-1]]
    row["highest_degree_median"] = None if np.isnan(highest).all() else float(np.median(highest))
    return row


COLUMNS = ("truth", "own_reference", "own_fit") + tuple(f"poly{d}" for d in DEGREES)
HEADINGS = ("truth", "own reference", "own fit", "affine, cross-validated", "degree 2, cross-validated", "degree 3, cross-validated")


def _mean(rows, key) -> str:
    values = [r[key] for r in rows if r[key] is not None]
    return "-" if not values else f"{np.mean(values):.2f}"


def report(rows: dict, title: str, command: str) -> str:
    registered = {n: r for n, r in rows.items() if r["registered"]}
    consistent = {n: r for n, r in registered.items() if r["consistency_px"] is not None and r["consistency_px"] <= CORRECT_PX}
    lines = [title, "", f"Command: `{command}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}. "
             f"{len(rows)} pairs, {len(registered)} registered, {len(consistent)} self-consistent (the figures below are over these).", "",
             "RMSE in SAR pixels of the tie points within 3 px of each reference (`benchmarks/match_precision.py` says what each is).", "",
             "| sensor | pairs | " + " | ".join(HEADINGS) + f" | median error, degree {DEGREES[-1]} |", "|---|---|" + "---|" * (len(COLUMNS) + 1)]
    by_sensor = defaultdict(list)
    for row in consistent.values():
        by_sensor[row["sensor"]].append(row)
    for sensor, members in [("all", list(consistent.values()))] + sorted(by_sensor.items()):
        lines.append(f"| {sensor} | {len(members)} | " + " | ".join(_mean(members, k) for k in COLUMNS) + f" | {_mean(members, 'highest_degree_median')} |")
    lines += ["", "Per pair (- where refused, or where the pair as it is was refused: no own reference).", "",
              "| pair | tie points | self-consistency px | " + " | ".join(HEADINGS) + " |", "|---|---|---|" + "---|" * len(COLUMNS)]
    for name, row in rows.items():
        if not row["registered"]:
            lines.append(f"| {name} | refused | - | " + " | ".join("-" for _ in COLUMNS) + " |")
            continue
        cells = ["-" if row[k] is None else f"{row[k]:.2f}" for k in COLUMNS]
        consistency = "-" if row["consistency_px"] is None else f"{row['consistency_px']:.1f}"
        lines.append(f"| {name} | {row['tie_points']} | {consistency} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_case_arguments(parser)
    parser.add_argument("--out", required=True, help="markdown file to write")
    args = parser.parse_args(argv)
    rows = measure_each(study_cases(args), measure)
    command = "python -m benchmarks.match_precision " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(rows, f"# Tie-point precision: matches against the truth, the engine's own fits and smoother models "
                        f"({args.pairs} pairs, {args.tier} tier)", command)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as handle:
        handle.write(text)
    print(text.split("\n\nPer pair")[0])


if __name__ == "__main__":
    main()
