"""How far around a tie point the left-out RMSE must leave points out to judge the transforms.

    python -m benchmarks.left_out_radius --data ../shared/data --out benchmarks/results/left-out-radius.md

Each case is registered once (defaults); then, for each transform the dock offers, its fit RMSE,
its left-out RMSE (``warp_residuals.left_out_residuals``: each tie point against the model fitted
without the points within the radius of it) at several radii, and its error against the case's
truth: the RMS distance, over a 40 x 40 grid of the SAR image, between where the model and the
truth put each grid point. A radius serves when the transform with the lowest left-out RMSE is
the one closest to the truth. Cases: the bundled sample (truth: ``resources/sample/truth.json``)
and the calibration pairs of the georeferenced tier (truth: the benchmark's known warp).

Both truths are affine (the data's pairs are co-registered to a few pixels, the sample's truth is
a shift): the study shows which radius keeps a freer model from looking better than it is where
the true misalignment is (nearly) affine; it cannot show what a spline gains where the ground
bends.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
from typing import Dict, Optional

import numpy as np

from benchmarks.cases import calibration_cases, register_case
from benchmarks.results_file import write_results
from plugin.core import RegistrationError, RegistrationOptions, register, transforms, warp_residuals
from plugin.core.pipeline import fit_tie_points
from training.export import commit_at_start as git_commit

MODELS = ("affine", "homography", "poly2", "poly3", "tps")
RADII = (0.0, 48.0, 96.0, 150.0)
SAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "sample")


def truth_error(result, model: str, truth: np.ndarray) -> float:
    """RMS distance over a 40 x 40 grid of the SAR image between ``model`` fitted to the result's
    enabled tie points and ``truth`` (SAR -> optical pixels)."""
    tie = result.tie_points
    enabled = np.asarray(tie.enabled, bool)
    xs, ys = np.meshgrid(np.linspace(0, result.sar.width - 1, 40), np.linspace(0, result.sar.height - 1, 40))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    matrix = transforms.fit_least_squares(tie.sar_xy[enabled], tie.optical_xy[enabled], transforms.ransac_model_for(model))
    residuals = warp_residuals.model_residuals(model, matrix, np.vstack([tie.sar_xy[enabled], grid]),
                                               np.vstack([tie.optical_xy[enabled], transforms.apply(truth, grid)]),
                                               np.r_[np.ones(int(enabled.sum()), bool), np.zeros(len(grid), bool)])
    return transforms.rms(residuals[int(enabled.sum()):])


def measure(result, truth: np.ndarray) -> Optional[Dict[str, dict]]:
    """Per model: fit RMSE, left-out RMSE per radius, error against the truth."""
    tie = result.tie_points
    rows = {}
    for model in MODELS:
        try:
            fit = fit_tie_points(tie, model)
        except RegistrationError:
            return None
        left_out = {}
        for radius in RADII:
            figures = warp_residuals.left_out_residuals(model, tie.sar_xy, tie.optical_xy, tie.enabled, radius)
            finite = None if figures is None else figures[np.isfinite(figures[:, 0])]
            left_out[radius] = None if finite is None or not len(finite) else transforms.rms(finite)
        rows[model] = {"fit": fit.rmse, "left_out": left_out, "truth": truth_error(result, model, truth)}
    return rows


def picks(rows: Dict[str, dict], radius: float) -> str:
    scored = {model: row["left_out"][radius] for model, row in rows.items() if row["left_out"][radius] is not None}
    return min(scored, key=scored.get) if scored else ""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "left-out-radius.md"))
    args = parser.parse_args(argv)
    measured, refused = {}, []
    sample = register(os.path.join(SAMPLE, "optical.tif"), os.path.join(SAMPLE, "sar.tif"), RegistrationOptions(device="cpu"))
    with open(os.path.join(SAMPLE, "truth.json")) as handle:
        measured["bundled sample"] = measure(sample, np.array(json.load(handle)["sar_to_optical"], float))
    with tempfile.TemporaryDirectory() as directory:
        for case in calibration_cases(args.data, "georeferenced"):
            result = register_case(case, directory, RegistrationOptions(device="cpu"))
            if result is not None:
                measured[case.name] = measure(result, case.sar_to_optical)
            else:
                refused.append(case.name)
            print(case.name, "refused" if result is None else "measured", flush=True)
    cases = {name: rows for name, rows in measured.items() if rows is not None}
    lines = ["# The left-out RMSE's radius: which transform it picks, against the truth", "",
             f"Command: `python -m benchmarks.left_out_radius {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}.", "",
             f"Cases: the bundled sample and the calibration pairs of the georeferenced tier that the engine registered and fitted "
             f"with every transform: {len(cases)} cases, the sample and {len(cases) - 1} of {len(measured) - 1 + len(refused)} pairs "
             f"({len(refused)} refused by the engine, {len(measured) - len(cases)} refused by a transform); each registered once "
             "with the defaults. Per case and transform: "
             "the fit RMSE, the left-out RMSE at each radius (each tie point against the transform fitted without the points "
             "within the radius of it; 0: leave-one-out) and the error against the truth (RMS over a 40 x 40 grid of the SAR image). "
             "Both truths are affine, so the study shows whether a radius keeps a freer transform from looking better than it is.", "",
             "## Which transform each radius picks (lowest left-out RMSE)", "",
             "| radius px | picks the transform closest to the truth | picks the spline | its error against the truth, mean px | "
             "the closest transform's, mean px |", "|---|---|---|---|---|"]
    best = {name: min(rows, key=lambda model: rows[model]["truth"]) for name, rows in cases.items()}
    for radius in RADII:
        chosen = {name: picks(rows, radius) for name, rows in cases.items()}
        right = sum(chosen[name] == best[name] for name in cases)
        lines.append(f"| {radius:g} | {right} of {len(cases)} | {sum(model == 'tps' for model in chosen.values())} | "
                     f"{np.mean([cases[name][chosen[name]]['truth'] for name in cases]):.2f} | "
                     f"{np.mean([cases[name][best[name]]['truth'] for name in cases]):.2f} |")
    lines += ["", "## Mean over the cases, per transform (px)", "",
              "| transform | fit RMSE | " + " | ".join(f"left out, {radius:g} px" for radius in RADII) + " | against the truth |",
              "|---|---|" + "---|" * len(RADII) + "---|"]
    for model in MODELS:
        values = [np.mean([cases[name][model]["left_out"][radius] for name in cases if cases[name][model]["left_out"][radius] is not None])
                  for radius in RADII]
        lines.append(f"| {model} | {np.mean([rows[model]['fit'] for rows in cases.values()]):.2f} | "
                     + " | ".join(f"{value:.2f}" for value in values) + f" | {np.mean([rows[model]['truth'] for rows in cases.values()]):.2f} |")
    if "bundled sample" in cases:
        rows = cases["bundled sample"]
        lines += ["", "## The bundled sample (px)", "", "| transform | fit RMSE | " + " | ".join(f"left out, {radius:g} px" for radius in RADII)
                  + " | against the truth |", "|---|---|" + "---|" * len(RADII) + "---|"]
        lines += [f"| {model} | {rows[model]['fit']:.2f} | " + " | ".join(f"{rows[model]['left_out'][radius]:.2f}" for radius in RADII)
                  + f" | {rows[model]['truth']:.2f} |" for model in MODELS]
    write_results(args.out, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
