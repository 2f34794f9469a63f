"""Coordinate-attention ablation: two training runs under the same budget, one with and one
without coordinate attention, compared on the held-out validation pairs after every epoch.

    make ablation        # or, by hand, per seed:
    python -m training.train --refine-labels --augment strong --max-epochs 6 --seed 0 --out .cache/ablation/with-ca-0
    python -m training.train --refine-labels --augment strong --max-epochs 6 --seed 0 --no-attention --out .cache/ablation/without-ca-0
    python -m training.ablation --with-ca .cache/ablation/with-ca-0/last.pt --without-ca .cache/ablation/without-ca-0/last.pt --out FILE

Writes the results file (``--out``) from the checkpoints themselves: per seed, the best and the
last epoch's figures of each arm and their difference.
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


def _history_table(runs: dict) -> list:
    lines = ["| epoch | " + " | ".join(f"{label} top-1 | {label} FPR95" for label in runs) + " |", "|---|" + "---|---|" * len(runs)]
    histories = [checkpoint["state"]["history"] for checkpoint in runs.values()]
    for epoch in range(max(len(h) for h in histories)):
        cells = []
        for history in histories:
            record = history[epoch] if epoch < len(history) else None
            cells += [f"{record['top1_accuracy']:.3f}", f"{record['fpr95']:.4f}"] if record else ["-", "-"]
        lines.append(f"| {epoch + 1} | " + " | ".join(cells) + " |")
    return lines


def _row(name: str, values: list, signed: bool = False) -> str:
    """A table row: the figure per seed, then their mean."""
    form = "+.4f" if signed else ".4f"
    return f"| {name} | " + " | ".join(format(v, form) for v in values) + f" | {format(sum(values) / len(values), form)} |"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--with-ca", nargs="+", required=True, help="checkpoints trained with coordinate attention, one per seed")
    parser.add_argument("--without-ca", nargs="+", required=True, help="the same runs with --no-attention, in the same order")
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--note", default="", help="a sentence on how the runs were made (e.g. concurrently, one thread each)")
    args = parser.parse_args(argv)
    if len(args.with_ca) != len(args.without_ca):
        parser.error("give as many runs without coordinate attention as with it")
    load = lambda path: torch.load(path, map_location="cpu", weights_only=True)  # noqa: E731
    pairs = [{"with CA": load(a), "without CA": load(b)} for a, b in zip(args.with_ca, args.without_ca)]
    lines = ["# Ablation: coordinate attention", "",
             f"Date {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPU cores. {args.note}".strip(), "",
             "Per seed, the two runs share data split, labels, augmentation, seed, steps and epochs; only `--no-attention`",
             "differs. Validation on the held-out pairs after each epoch: top-1 = the true SAR patch is the nearest of the",
             "block (chance 1/block), FPR95 = false-positive rate at the distance that accepts 95% of true pairs (lower is better).", ""]
    for label in ("with CA", "without CA"):
        checkpoint = pairs[0][label]
        lines.append(f"- **{label}**: `python -m training.train {command_arguments(checkpoint['config']['training'])}`"
                     f"{' (and the other seeds)' if len(pairs) > 1 else ''}, {parameters(checkpoint['state_dict']):,} parameters, "
                     f"{checkpoint['state']['elapsed_s'] / 60:.1f} min")
    lines += ["", "| | " + " | ".join(f"seed {run['with CA']['config']['training']['seed']}" for run in pairs) + " | mean |",
              "|---|" + "---|" * (len(pairs) + 1)]
    for which, epoch, pick in (("best", "that epoch", lambda state: state["best"]),
                               ("last epoch", "the last epoch", lambda state: state["history"][-1])):
        figures = {label: [pick(run[label]["state"]) for run in pairs] for label in ("with CA", "without CA")}
        for label, records in figures.items():
            lines.append(_row(f"{label}: {which} FPR95", [r["fpr95"] for r in records]))
            lines.append(_row(f"{label}: top-1 at {epoch}", [r["top1_accuracy"] for r in records]))
        differences = [a["fpr95"] - b["fpr95"] for a, b in zip(figures["with CA"], figures["without CA"])]
        lines.append(_row(f"difference, {which} FPR95: with CA - without (negative: CA ahead)", differences, signed=True))
    for run in pairs:
        lines += ["", f"### seed {run['with CA']['config']['training']['seed']}", ""] + _history_table(run)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
