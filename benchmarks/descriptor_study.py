"""Trained descriptor runs compared in the method's own matching pipeline: each checkpoint is put
in the engine as its descriptor and matches the held-out validation pairs the way the paper does
(FAST on phase congruency in both images, mutual nearest neighbours, the adaptive threshold,
RANSAC; ``--matcher method``), under the benchmark's seeded warps. So a training choice (coordinate
attention, patch size, negatives) is judged by NCM, CMR, RMSE and success, not only by patch
retrieval (the validation figures each checkpoint carries).

    make ablation        # coordinate attention: trains the runs, then
    python -m benchmarks.descriptor_study --data ../shared/data \\
        --arm "with CA" .cache/ablation-refined/with-ca-{0,1,2,3}/last.pt \\
        --arm "without CA" .cache/ablation-refined/without-ca-{0,1,2,3}/last.pt \\
        --title "coordinate attention" --out benchmarks/results/ablation-coordinate-attention-matching.md

Each ``--arm`` is a label and one checkpoint per seed; every arm gives its seeds in the same order,
and each arm is compared with the first, seed by seed, on the same cases.
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
import torch

from plugin.core import RegistrationOptions
from plugin.core.descriptor import DescriptorExtractor
from training.export import command_arguments
from training.export import commit_at_start as git_commit

from .cases import TIERS, make_cases, register_case
from .metrics import case_figures
from .results_file import write_results
from .run import TOLERANCE_PX


def _matches(case, extractor, options, directory):
    """(putative matches: optical xy, SAR xy), (RANSAC's inliers: optical xy, SAR xy), fit or None."""
    result = register_case(case, directory, options, extractor=extractor)
    if result is None:
        empty = (np.zeros((0, 2)), np.zeros((0, 2)))
        return empty, empty, None
    points = result.tie_points
    putative = np.array([reason in ("", "ransac") for reason in points.rejected_by], bool)
    return ((points.optical_xy[putative], points.sar_xy[putative]), (points.optical_xy[points.enabled], points.sar_xy[points.enabled]),
            result.fit.sar_to_optical)


def evaluate(extractors: dict, data: str, tiers, matcher: str, device: str, limit: int = 0) -> list:
    """One row per (arm, seed index, tier, case) of ``extractors`` ({(arm, seed index): DescriptorExtractor}):
    the benchmark's per-case figures for RANSAC's inliers, and the NCM of the putative matches (those
    RANSAC was given). Seconds include writing the case's GeoTIFFs (the tables do not show them)."""
    rows = []
    for tier in tiers:
        # Fewer inliers than the engine asks for (8) are kept, so that every checkpoint's matches count, as in the paper.
        options = RegistrationOptions(device=device, matcher=matcher, min_inliers=3)
        for case in make_cases(data, tier, limit=limit):
            height, width = case.sar.shape
            truth, tolerance = case.sar_to_optical, TOLERANCE_PX[case.dataset]
            for (arm, seed), extractor in extractors.items():
                started = time.perf_counter()
                with tempfile.TemporaryDirectory() as directory:
                    putative, inliers, matrix = _matches(case, extractor, options, directory)
                seconds = time.perf_counter() - started
                figures = case_figures(*inliers, matrix, truth, width, height, 0, seconds, tolerance)
                before = case_figures(*putative, None, truth, width, height, 0, seconds, tolerance)
                rows.append({"arm": arm, "seed": seed, "tier": tier, "case": case.name, "sensor": case.sensor, **figures,
                             "putative": before["returned"], "putative_ncm": before["ncm"]})
            print(f"{tier:13s} {case.name:28s} " + " ".join(f"{r['arm']}/{r['seed']} {r['putative_ncm']}/{r['ncm']}"
                                                           for r in rows[-len(extractors):]), flush=True)
    return rows


def _mean(rows, key):
    values = [r[key] for r in rows if r[key] is not None]
    return float(np.mean(values)) if values else float("nan")


def summary_lines(rows, arms, seeds: int) -> list:
    lines = ["| tier | arm | seed | putative matches | putative NCM | NCM (RANSAC's inliers) | CMR | RMSE of correct matches px | "
             "registered within tolerance | success@3px |", "|---|---|---|---|---|---|---|---|---|---|"]
    for tier in dict.fromkeys(r["tier"] for r in rows):
        for arm in arms:
            for seed in list(range(seeds)) + (["all"] if seeds > 1 else []):
                members = [r for r in rows if r["tier"] == tier and r["arm"] == arm and (seed == "all" or r["seed"] == seed)]
                lines.append(f"| {tier} | {arm} | {seed} | {_mean(members, 'putative'):.1f} | {_mean(members, 'putative_ncm'):.2f} | "
                             f"{_mean(members, 'ncm'):.2f} | {_mean(members, 'cmr'):.3f} | {_mean(members, 'rmse_px'):.2f} | "
                             f"{sum(r['success_tolerance'] for r in members)}/{len(members)} | "
                             f"{sum(r['success_3px'] for r in members)}/{len(members)} |")
    return lines


def paired_lines(rows, arms, seeds: int) -> list:
    """Each arm against the first, seed by seed, pair by pair on the same cases."""
    base = arms[0]
    lines = [f"| tier | arm | seed | figure | arm - {base} (mean per pair) | pairs where it is higher: arm / {base} / equal |",
             "|---|---|---|---|---|---|"]
    for tier in dict.fromkeys(r["tier"] for r in rows):
        for arm in arms[1:]:
            for key, label in (("putative_ncm", "putative NCM"), ("ncm", "NCM")):
                for seed in range(seeds):
                    value = {a: {r["case"]: r[key] for r in rows if r["tier"] == tier and r["seed"] == seed and r["arm"] == a} for a in (arm, base)}
                    difference = np.array([value[arm][c] - value[base][c] for c in sorted(value[base])], float)
                    lines.append(f"| {tier} | {arm} | {seed} | {label} | {difference.mean():+.2f} | {int((difference > 0).sum())} / "
                                 f"{int((difference < 0).sum())} / {int((difference == 0).sum())} |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--arm", nargs="+", action="append", required=True, metavar=("LABEL", "CHECKPOINT"),
                        help="a label and its checkpoints, one per seed (training/train.py's last.pt or best.pt)")
    parser.add_argument("--title", default="descriptor runs", help="what the arms differ in, for the results file's title")
    parser.add_argument("--tiers", nargs="+", default=["georeferenced"], choices=TIERS)
    parser.add_argument("--matcher", default="method", choices=("method", "guided"))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limit", type=int, default=0, help="only the first N validation pairs (a quick look; 0 = all)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if any(len(arm) < 2 for arm in args.arm) or len({len(arm) for arm in args.arm}) != 1:
        parser.error("give each --arm a label and the same number of checkpoints (one per seed)")
    arms = [arm[0] for arm in args.arm]
    seeds = len(args.arm[0]) - 1
    checkpoints = {(arm[0], seed): path for arm in args.arm for seed, path in enumerate(arm[1:])}
    torch.set_num_threads(os.cpu_count() or 1)
    loaded = {key: torch.load(path, map_location="cpu", weights_only=True) for key, path in checkpoints.items()}
    extractors = {key: DescriptorExtractor(checkpoints[key], args.device, checkpoint=checkpoint) for key, checkpoint in loaded.items()}
    rows = evaluate(extractors, args.data, args.tiers, args.matcher, args.device, args.limit)
    trained = {key: checkpoint["state"]["history"] for key, checkpoint in loaded.items()}
    lines = [f"# Descriptor runs in the method's matching pipeline: {args.title}", "",
             f"Command: `python -m benchmarks.descriptor_study {' '.join(sys.argv[1:] if argv is None else argv)}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
             f"{'GPU' if torch.cuda.is_available() else 'no GPU'}; date: {datetime.date.today()}.", "",
             f"Each checkpoint is the engine's descriptor, with `--matcher {args.matcher}`, on the validation pairs (never "
             "trained on) under the benchmark's seeded warps. `method` is the paper's pipeline: FAST on phase congruency in "
             "both images, mutual nearest neighbours within the search radius, the adaptive threshold, RANSAC. The engine's "
             "refusal below 8 inliers is lowered to 3 here, so that every checkpoint's matches count. `guided` is the "
             "engine's network matcher (the descriptor on a dense SAR grid gives a similarity, then the fine stage's "
             "template matching), where the descriptor decides whether the pair is found at all. Putative matches: those "
             "RANSAC is given (`method`: what the mutual check and the adaptive threshold keep; `guided`: the fine stage's "
             "template matches); NCM: matches whose SAR point lies within 3 px of the "
             "truth (putative NCM before RANSAC; NCM among RANSAC's inliers, as the paper counts it); CMR = NCM / RANSAC's "
             "inliers; registered: all four corners within the data's tolerance (S1/S2 10 px, 3MOS 5 px); success: within "
             "3 px.", "",
             "Checkpoints (epochs trained; the validation figures of their last epoch: top-1 of 512, FPR95; how each was trained):", ""]
    lines += [f"- {arm}, seed {seed}: `{path}` ({len(trained[(arm, seed)])} epochs; top-1 {trained[(arm, seed)][-1]['top1_accuracy']:.3f}, "
              f"FPR95 {trained[(arm, seed)][-1]['fpr95']:.4f}): "
              f"`python -m training.train {command_arguments(loaded[(arm, seed)]['config']['training'])}`"
              for (arm, seed), path in checkpoints.items()]
    lines += ["", "## Per arm and seed", ""] + summary_lines(rows, arms, seeds)
    if len(arms) > 1:
        lines += ["", f"## Pair by pair, against {arms[0]}", ""] + paired_lines(rows, arms, seeds)
    write_results(args.out, lines)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
