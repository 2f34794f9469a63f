"""Do the method's keypoints repeat across optical and SAR? A diagnosis of the method's pipeline
(``--matcher method``), whose matches can only be right where a SAR keypoint lies at the true
position of an optical one, whatever the descriptor.

    python -m benchmarks.keypoint_repeatability --data ../shared/data --out benchmarks/results/keypoint-repeatability.md

On every validation pair as it is in the data (co-registered), with the images read and
normalised as the engine reads them, 500 keypoints per image unless `--keypoints` says otherwise (the method's matcher takes 500):
repeatability = the share of optical keypoints (those whose true position lies on the SAR) that
have a SAR keypoint within 3 px of it. Detectors: FAST on phase congruency (the method), FAST on
intensity (the usual detector, for comparison), and chance: the same number of SAR points drawn
uniformly over the SAR (mean of 5 draws), which any detector must beat to help. The true position
is taken two ways: the data's own alignment (identity; off by a median 2-7 px depending on the
sensor, ``label-offsets.md``) and the engine's own fit of the pair (where it registers it), which
takes that offset out.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
from collections import defaultdict

import numpy as np
from scipy.spatial import cKDTree

from plugin.core import RegistrationError, RegistrationOptions, register, transforms
from plugin.core.keypoints import detect_keypoints, fast_keypoints
from plugin.core.pipeline import read_inputs
from training.export import commit_at_start as git_commit

from .cases import make_cases, write_case_files

KEYPOINTS = 500  # per image: the method's matcher takes options.max_keypoints (500 by default)
RADIUS_PX = 3.0
CHANCE_DRAWS = 5
DETECTORS = ("phase congruency + FAST", "intensity + FAST", "chance")


def repeatability(optical_xy: np.ndarray, sar_xy: np.ndarray, optical_to_sar: np.ndarray, sar_valid: np.ndarray) -> float:
    """Share of the optical points whose true SAR position lies on the SAR and has a SAR point within 3 px."""
    if not len(optical_xy) or not len(sar_xy):
        return float("nan")
    true_xy = transforms.apply(optical_to_sar, optical_xy.astype(float))
    column, row = np.rint(true_xy).astype(int).T
    height, width = sar_valid.shape
    inside = (column >= 0) & (column < width) & (row >= 0) & (row < height)
    inside[inside] = sar_valid[row[inside], column[inside]]
    if not inside.any():
        return float("nan")
    distance, _ = cKDTree(sar_xy).query(true_xy[inside])
    return float(np.mean(distance <= RADIUS_PX))


def random_points(valid: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    rows, columns = np.nonzero(valid)
    chosen = rng.choice(len(rows), min(count, len(rows)), replace=False)
    return np.stack([columns[chosen], rows[chosen]], axis=1).astype(float)


def measure_pair(case, keypoints: int = KEYPOINTS) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        optical_path, sar_path = write_case_files(case, directory, unwarped=True)
        optical, sar, optical_image, sar_image = read_inputs(optical_path, sar_path)  # as the engine sees them
        optical_valid, sar_valid = optical.valid, sar.valid
        try:
            fit = register(optical_path, sar_path, RegistrationOptions()).fit.sar_to_optical
        except RegistrationError:
            fit = None
    points = {
        "phase congruency + FAST": (detect_keypoints(optical_image, optical_valid, keypoints).xy,
                                    detect_keypoints(sar_image, sar_valid, keypoints).xy),
        "intensity + FAST": (fast_keypoints(_to_uint8(optical_image), optical_valid, keypoints).xy,
                             fast_keypoints(_to_uint8(sar_image), sar_valid, keypoints).xy),
    }
    rng = np.random.default_rng(0)
    optical_pc, sar_pc = points["phase congruency + FAST"]
    row = {"case": case.name, "sensor": case.sensor, "registered": fit is not None,
           "keypoints": (len(optical_pc), len(sar_pc))}
    truths = {"data": np.eye(3)} | ({"engine": np.linalg.inv(fit)} if fit is not None else {})
    for truth, optical_to_sar in truths.items():
        for detector, (optical_xy, sar_xy) in points.items():
            row[(truth, detector)] = repeatability(optical_xy, sar_xy, optical_to_sar, sar_valid)
        row[(truth, "chance")] = float(np.nanmean([repeatability(optical_pc, random_points(sar_valid, len(sar_pc), rng), optical_to_sar, sar_valid)
                                                   for _ in range(CHANCE_DRAWS)]))
    return row


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _cells(rows, truth) -> str:
    values = {d: [r[(truth, d)] for r in rows if (truth, d) in r and np.isfinite(r[(truth, d)])] for d in DETECTORS}
    return " | ".join(f"{np.mean(values[d]):.3f}" if values[d] else "-" for d in DETECTORS)


def report(rows, command: str, keypoints: int = KEYPOINTS) -> str:
    by_sensor = defaultdict(list)
    for row in rows:
        by_sensor[row["sensor"]].append(row)
    groups = [("all", rows)] + sorted(by_sensor.items())
    lines = ["# Keypoint repeatability across optical and SAR (validation pairs)", "",
             f"Command: `{command}`  ",
             f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; date: {datetime.date.today()}.", "",
             __doc__.split("\n\n", 2)[2].strip(), "",
             f"Mean over pairs of the repeatability within {RADIUS_PX:g} px ({keypoints} keypoints per image). "
             "Columns per truth: " + ", ".join(DETECTORS) + ".", "",
             "| SAR sensor | pairs | data's alignment: " + " | ".join(DETECTORS) + " | pairs the engine registers | engine's fit: "
             + " | ".join(DETECTORS) + " |", "|---|---|" + "---|" * len(DETECTORS) + "---|" + "---|" * len(DETECTORS)]
    for name, members in groups:
        registered = [r for r in members if r["registered"]]
        lines.append(f"| {name} | {len(members)} | {_cells(members, 'data')} | {len(registered)} | {_cells(registered, 'engine')} |")
    lines += ["", "## Per pair", "", "| pair | keypoints optical, SAR | data's alignment: " + " | ".join(DETECTORS)
              + " | engine's fit: " + " | ".join(DETECTORS) + " |", "|---|---|" + "---|" * (2 * len(DETECTORS))]
    for row in rows:
        cells = [f"{row[(t, d)]:.3f}" if (t, d) in row and np.isfinite(row[(t, d)]) else "-" for t in ("data", "engine") for d in DETECTORS]
        lines.append(f"| {row['case']} | {row['keypoints'][0]}, {row['keypoints'][1]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--keypoints", type=int, default=KEYPOINTS, help="per image (the strongest, spread evenly)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N validation pairs (0 = all)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "keypoint-repeatability.md"))
    args = parser.parse_args(argv)
    rows = []
    for case in make_cases(args.data, "georeferenced", limit=args.limit):
        rows.append(measure_pair(case, args.keypoints))
        print(case.name, {k if isinstance(k, str) else "/".join(k): v for k, v in rows[-1].items() if k not in ("case", "sensor")}, flush=True)
    command = "python -m benchmarks.keypoint_repeatability " + " ".join(sys.argv[1:] if argv is None else argv)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(report(rows, command.strip(), args.keypoints))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
