"""Coordinate-attention ablation: two training runs under the same budget, one with and one
without coordinate attention, compared on the held-out validation pairs after every epoch.

    make ablation        # or, by hand:
    python -m training.train --augment strong --max-epochs 5 --out .cache/ablation/with-ca
    python -m training.train --augment strong --max-epochs 5 --no-attention --out .cache/ablation/without-ca
    python -m training.ablation .cache/ablation/with-ca/last.pt .cache/ablation/without-ca/last.pt

Writes benchmarks/results/ablation-coordinate-attention.md from the checkpoints themselves.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform

import torch

from .export import command_arguments

OUT = os.path.join("benchmarks", "results", "ablation-coordinate-attention.md")


def parameters(state_dict) -> int:
    return sum(v.numel() for k, v in state_dict.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("with_attention")
    parser.add_argument("without_attention")
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--note", default="", help="a sentence on how the runs were made (e.g. concurrently, one thread each)")
    args = parser.parse_args(argv)
    runs = {label: torch.load(path, map_location="cpu", weights_only=True)
            for label, path in (("with CA", args.with_attention), ("without CA", args.without_attention))}
    lines = ["# Ablation: coordinate attention", "",
             f"Date {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPU cores. {args.note}".strip(), "",
             "Same data split, augmentation, seed, steps and epochs; only `--no-attention` differs. Validation on the",
             "held-out pairs after each epoch: top-1 = the true SAR patch is the nearest of the block (chance 1/block),",
             "FPR95 = false-positive rate at the distance that accepts 95% of true pairs (lower is better).", ""]
    for label, checkpoint in runs.items():
        lines.append(f"- **{label}**: `python -m training.train {command_arguments(checkpoint['config']['training'])}`, "
                     f"{parameters(checkpoint['state_dict']):,} parameters, {checkpoint['state']['elapsed_s'] / 60:.1f} min")
    lines += ["", "| epoch | " + " | ".join(f"{label} top-1 | {label} FPR95" for label in runs) + " |",
              "|---|" + "---|---|" * len(runs)]
    histories = [checkpoint["state"]["history"] for checkpoint in runs.values()]
    for epoch in range(max(len(h) for h in histories)):
        cells = []
        for history in histories:
            record = history[epoch] if epoch < len(history) else None
            cells += [f"{record['top1_accuracy']:.3f}", f"{record['fpr95']:.4f}"] if record else ["-", "-"]
        lines.append(f"| {epoch + 1} | " + " | ".join(cells) + " |")
    best = {label: checkpoint["state"]["best"] for label, checkpoint in runs.items()}
    lines += ["", "Best epoch (lowest FPR95): " + "; ".join(
        f"{label}: epoch {b['epoch']}, top-1 {b['top1_accuracy']:.3f}, FPR95 {b['fpr95']:.4f}" for label, b in best.items()), ""]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
