"""Trains the dense feature network (``plugin/core/feature_network.py``) for the engine's fine
template stage: template scores on its features must peak where the SAR shows the optical
template's ground (``loss.template_matching_loss``).

    python -m training.train_features --data ../shared/data --max-epochs 18 --out .cache/train/features

Trains on the training pairs less the calibration pairs (``patch_pairs.split_calibration``: never
seen here, used to set the engine's thresholds for these features) and less those that show ground
of a calibration or validation pair (``patch_pairs.leave_out_shared_ground``); validates after every epoch
on the held-out validation pairs (fixed, seeded samples) and keeps the best checkpoint.
Epoch-bounded, with a time cap, and resumable (run again with the same --out to continue); uses
CUDA when present. The learning rate follows a cosine over steps, never over seconds.
"""
from __future__ import annotations

import argparse
import logging
import os
from typing import Tuple

import numpy as np
import torch

from plugin.core.feature_network import DenseFeatureNet
from .feature_samples import KNOWN_SIGMA_PX, TEMPLATE_PX, load_labelled_pairs, sample_batch
from .checkpoints import add_schedule_arguments, checkpoint_paths, refuse_another_split, resume, run_command, run_epochs, start_run
from .loss import template_matching_loss, template_scores
from .patch_pairs import leave_out_shared_ground, list_pairs, split_calibration

LOGGER = logging.getLogger("training")
GROUP_WEIGHTS = {"3mos": 0.65, "s1s2": 0.35}  # 3MOS holds five SAR sensors in small tiles: the harder, more varied half


def by_group(labelled):
    groups = {}
    for pair in labelled:
        groups.setdefault(pair.name.split("/")[0], []).append(pair)
    return groups


def to_tensor(array: np.ndarray, device) -> torch.Tensor:
    tensor = torch.from_numpy(np.ascontiguousarray(array))[:, None].to(device)
    return tensor.contiguous(memory_format=torch.channels_last) if device.type == "cpu" else tensor


def scores_of(network: DenseFeatureNet, optical: np.ndarray, sar: np.ndarray, device) -> torch.Tensor:
    return template_scores(network.optical(to_tensor(optical, device)), network.sar(to_tensor(sar, device)), TEMPLATE_PX)


def hit_rate(scores: torch.Tensor, labels: torch.Tensor, within: float = 2.0) -> torch.Tensor:
    """Per sample: does the best placement lie within ``within`` px of the label?"""
    size = scores.shape[-1]
    best = scores.reshape(len(scores), -1).argmax(dim=1)
    return torch.hypot((best % size).float() - labels[:, 0], (best // size).float() - labels[:, 1]) <= within


def validate(network: DenseFeatureNet, samples, device, batch: int = 64) -> dict:
    network.eval()
    losses, hits, known = [], [], []
    with torch.inference_mode():
        for start in range(0, len(samples[0]), batch):
            optical, sar, labels = (part[start : start + batch] for part in samples)
            labels = torch.from_numpy(labels).float().to(device)
            scores = scores_of(network, optical, sar, device)
            losses.append(template_matching_loss(scores, labels, network.log_temperature.exp()).item() * len(labels))
            hits.append(hit_rate(scores, labels).cpu())
            known.append((labels[:, 2] == KNOWN_SIGMA_PX).cpu())
    hits, known = torch.cat(hits), torch.cat(known)
    return {"loss": float(np.sum(losses) / len(hits)), "hit_2px": float(hits.float().mean()),
            "hit_2px_measured": float(hits[known].float().mean()) if known.any() else float("nan"), "samples": int(len(hits))}


def train(args) -> Tuple[str, int]:
    """Trains as ``args`` say; returns the best checkpoint's path and the epochs trained so far."""
    device = start_run(args)
    train_pairs, validation_pairs = list_pairs(args.data)
    fit_pairs, calibration_pairs = split_calibration(train_pairs)
    fit_pairs, left_out = leave_out_shared_ground(fit_pairs, validation_pairs + calibration_pairs)
    fit = by_group(load_labelled_pairs(fit_pairs, args.cache))
    validation = by_group(load_labelled_pairs(validation_pairs, args.cache))
    validation_samples = sample_batch(validation, GROUP_WEIGHTS, args.validation_samples, np.random.default_rng(12345), augment=False)
    LOGGER.info("fit pairs %d, calibration pairs %d (not used), validation pairs %d", len(fit_pairs), len(calibration_pairs), len(validation_pairs))
    network_conf = {"feature_dim": args.feature_dim, "width": args.width}
    network = DenseFeatureNet(**network_conf).to(device)
    if device.type == "cpu":
        network = network.to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=1e-4)
    last_path, best_path = checkpoint_paths(args.out)
    state, resumed_config = resume(last_path, network, optimizer)
    config = {
        "kind": "features",
        "network": network_conf,
        "training": {k: v for k, v in vars(args).items() if k not in ("out", "cache", "data")},
        "split": {"train": [p.name for p in fit_pairs], "calibration": [p.name for p in calibration_pairs],
                  "validation": [p.name for p in validation_pairs], "left_out": left_out},
    }
    refuse_another_split(resumed_config, config, args.out)

    def batch_loss(rng):
        optical, sar, labels = sample_batch(fit, GROUP_WEIGHTS, args.batch_size, rng)
        scores = scores_of(network, optical, sar, device)
        return template_matching_loss(scores, torch.from_numpy(labels).float().to(device), network.log_temperature.exp())

    return run_epochs(args, state, network, optimizer, batch_loss,
                      validate=lambda: validate(network, validation_samples, device),
                      improved=lambda metrics, best: best is None or metrics["hit_2px"] > best["hit_2px"], loss_key="train_loss",
                      log_format="epoch %(epoch)d loss %(train_loss).3f val loss %(loss).3f hit@2px %(hit_2px).3f "
                                 "(measured labels %(hit_2px_measured).3f) (%(elapsed_s).0f s)",
                      config=config, last_path=last_path, best_path=best_path)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_schedule_arguments(parser, out=os.path.join(".cache", "train", "features"), cache=os.path.join(".cache", "feature-labels"),
                           minutes=60.0, max_epochs=18, steps_per_epoch=400, batch_size=24, lr=3e-3)
    parser.add_argument("--validation-samples", type=int, default=768)
    parser.add_argument("--feature-dim", type=int, default=8)
    parser.add_argument("--width", type=int, default=16)
    return parser.parse_args(argv)


if __name__ == "__main__":
    run_command(parse_args, train)
