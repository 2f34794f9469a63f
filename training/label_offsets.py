"""How far off "co-registered" is: the SAR - optical offsets that label refinement measured at the
training and validation keypoints (``patch_pairs.measured_offsets``), per dataset and SAR sensor.

    python -m training.label_offsets --data ../shared/data --out benchmarks/results/label-offsets.md

Uses (or builds, a few minutes) the refined patch sets that ``training.train --refine-labels``
caches. The offsets are the engine's own CFOG template measurements, so they say how far the
data's identity truth is from the images' structure, not how accurate the engine is.
"""
from __future__ import annotations

import argparse
import datetime
import os

import numpy as np

from .export import commit_at_start as commit
from .patch_pairs import REFINE_RADIUS_PX, REFINE_SEARCH_PX, REFINE_TEMPLATE_RADIUS
from .train import parse_args as train_arguments, patch_sets


def group_of(name: str) -> str:
    return name.split("/")[1].split("_")[0] if name.startswith("3mos") else "Sentinel-1 (s1s2)"


def rows(pairs, patches) -> list:
    groups = np.array([group_of(p.name) for p in pairs])[patches["image_id"]]
    table = []
    for group in sorted(set(groups)):
        offsets = patches["offset"][groups == group].astype(np.float64)
        per_pair = [np.median(patches["offset"][patches["image_id"] == i], axis=0)
                    for i in np.unique(patches["image_id"][groups == group])]
        length = np.hypot(*offsets.T)
        table.append((group, len(per_pair), len(offsets), np.median(offsets, axis=0), np.median(length), np.percentile(length, 90),
                      np.median(np.hypot(*np.array(per_pair).T))))
    return table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "label-offsets.md"))
    args = parser.parse_args(argv)
    train, validation, train_set, validation_set, _ = patch_sets(train_arguments(["--data", args.data, "--refine-labels"]))
    template = 2 * REFINE_TEMPLATE_RADIUS + 1
    lines = ["# Measured offsets between the SAR and optical images of the data's pairs", "",
             f"Command: `python -m training.label_offsets --data {args.data} --out {args.out}`  ",
             f"Commit: {commit()}; date: {datetime.date.today()}.", "",
             "Offset = where the SAR shows an optical keypoint's ground minus the keypoint, measured by CFOG template",
             f"matching ({template} px templates, +-{REFINE_SEARCH_PX} px, distinct minima only) and smoothed as the median within {REFINE_RADIUS_PX} px",
             "(`training/patch_pairs.py`), rounded to whole pixels as the windows are cut. Keypoints without a",
             "consistent measurement are left out (featureless water, desert, ice). These are the labels",
             "`--refine-labels` trains on.", ""]
    for role, pairs, patches in (("training", train, train_set), ("validation", validation, validation_set)):
        lines += [f"## {role} pairs", "", "| SAR sensor | pairs measured | keypoints | median offset (dx, dy) px | median length px | 90th percentile px | median of per-pair medians px |",
                  "|---|---|---|---|---|---|---|"]
        for group, count, points, median, length, p90, pair_median in rows(pairs, patches):
            lines.append(f"| {group} | {count} | {points} | ({median[0]:+.1f}, {median[1]:+.1f}) | {length:.1f} | {p90:.1f} | {pair_median:.1f} |")
        lines.append("")
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as handle:
        handle.write("\n".join(lines))
    print(args.out)


if __name__ == "__main__":
    main()
