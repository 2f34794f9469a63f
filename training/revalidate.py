"""Scores trained descriptor checkpoints on one set of held-out windows, so that runs trained on
different window sets (another patch size, keypoints taken another way) are compared on the same
ground: the validation pairs' windows as ``training.train`` cuts them with the options given here
(``--cache``, ``--keypoint-window``), each checkpoint at its own patch size.

    python -m training.revalidate --data ../shared/data --cache .cache/patches CHECKPOINT [...]

Prints one line per checkpoint: top-1 of 512 and FPR95 (``training.train.validate``).
"""
from __future__ import annotations

import argparse
import logging
import sys

import torch

from plugin.core.model_files import build_network
from plugin.core.network import DFFCANet
from .patch_pairs import list_pairs
from .train import parse_args as train_arguments, patch_set, validate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--cache", default=".cache/patches")
    parser.add_argument("--keypoint-window", type=int, default=96)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _, validation_pairs = list_pairs(args.data)
    for path in args.checkpoints:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        patch_size = int(checkpoint["config"]["network"]["patch_size"])
        options = train_arguments(["--data", args.data, "--cache", args.cache, "--refine-labels", "--patch-size", str(patch_size),
                                   "--keypoint-window", str(args.keypoint_window)])
        windows = patch_set(options, validation_pairs, "val")
        metrics = validate(build_network(DFFCANet, checkpoint), windows, patch_size, torch.device("cpu"))
        print(f"{path}: patch {patch_size} px, {len(windows['xy'])} windows: top-1 {metrics['top1_accuracy']:.4f}, "
              f"FPR95 {metrics['fpr95']:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
