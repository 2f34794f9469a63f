"""Scores trained descriptor checkpoints on one set of held-out windows, so that runs trained on
different window sets (another patch size, keypoints taken another way) are compared on the same
ground: the validation pairs' windows as ``training.train`` cuts them with the options given here
(``--cache``, ``--keypoint-window``), each checkpoint at its own patch size.

    python -m training.revalidate --data ../shared/data --cache .cache/patches CHECKPOINT [...] [--out FILE.md]

One row per checkpoint: top-1 of 512 and FPR95 (``training.train.validate``); printed, and with
``--out`` written as a results file with the command, commit, machine and date.
"""
from __future__ import annotations

import argparse
import datetime
import logging
import platform
import sys

import torch

from plugin.core.model_files import build_network
from plugin.core.network import DFFCANet
from .export import commit_at_start as commit
from .patch_pairs import list_pairs
from .train import parse_args as train_arguments, patch_set, validate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--cache", default=".cache/patches")
    parser.add_argument("--keypoint-window", type=int, default=train_arguments([]).keypoint_window,
                        help="as training.train's (its default)")
    parser.add_argument("--out", default=None, help="a Markdown results file to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _, validation_pairs = list_pairs(args.data)
    rows = []
    for path in args.checkpoints:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        patch_size = int(checkpoint["config"]["network"]["patch_size"])
        options = train_arguments(["--data", args.data, "--cache", args.cache, "--refine-labels", "--patch-size", str(patch_size),
                                   "--keypoint-window", str(args.keypoint_window)])
        windows = patch_set(options, validation_pairs, "val")
        metrics = validate(build_network(DFFCANet, checkpoint), windows, patch_size, torch.device("cpu"))
        rows.append(f"| `{path}` | {patch_size} | {len(windows['xy'])} | {metrics['top1_accuracy']:.4f} | {metrics['fpr95']:.4f} |")
        print(rows[-1], flush=True)
    if args.out:
        command = " ".join(sys.argv[1:] if argv is None else argv)
        lines = ["# Descriptor checkpoints on one set of held-out windows", "",
                 f"Command: `python -m training.revalidate {command}`  ",
                 f"Commit: {commit()}; machine: {platform.machine()}, no GPU used; date: {datetime.date.today()}.", "",
                 "The validation pairs' windows as `training.train` cuts them with this cache and keypoint window, each checkpoint "
                 "at its own patch size; a fixed, seeded subset of 4096, in blocks of 512: top-1 = the true SAR patch is the "
                 "nearest of the block, FPR95 = false-positive rate at the distance that accepts 95% of true pairs (lower is better; "
                 "chance 0.95).", "", "| checkpoint | patch px | windows | top-1 | FPR95 |", "|---|---|---|---|---|", *rows]
        with open(args.out, "w") as handle:
            handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
