"""Trains the DFFCA descriptor with the HardNet loss on co-registered optical/SAR pairs.

    python -m training.train --data ../shared/data --max-epochs 7 --out .cache/train/run

Epoch-bounded, with a time cap, and resumable (run again with the same --out to continue); uses
CUDA when present. The learning rate follows a cosine over steps, never over seconds, so a run's
rates do not depend on the machine's speed.
Validates on the held-out pairs after every epoch and keeps the best checkpoint; ``training.export``
writes the best weights into ``models/`` with the manifest entry and model card.
"""
from __future__ import annotations

import argparse
import logging
import os
from typing import Tuple

import numpy as np
import torch

from plugin.core.network import DFFCANet
from .augment import augment_pair, centre_crop
from .checkpoints import add_schedule_arguments, checkpoint_paths, refuse_another_split, resume, run_command, run_epochs, start_run
from .loss import hardnet_loss, pair_distances
from .patch_pairs import build_patch_set, leave_out_shared_ground, list_pairs

LOGGER = logging.getLogger("training")


def near_duplicates(image_id: np.ndarray, xy: np.ndarray, radius: float) -> torch.Tensor:
    """B x B: True where two samples are the same place of the same image (closer than
    ``radius`` px, within the labels' noise), so they must not serve as each other's negative."""
    same = image_id[:, None] == image_id[None, :]
    near = np.abs(xy[:, None, :] - xy[None, :, :]).max(axis=2) < radius
    return torch.from_numpy(same & near)


def local_groups(patches: dict, batch_size: int, groups: int, neighbourhood: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``groups`` groups of windows, each from one image and within ``neighbourhood``
    px of a random centre. Matching searches a radius around a predicted position, so the
    negatives that matter are other places of the same image nearby: putting them in one batch
    makes HardNet's hardest in-batch negative a local one."""
    if "_by_image" not in patches:
        order = np.argsort(patches["image_id"], kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(patches["image_id"][order])) + 1, len(order)]
        patches["_by_image"] = [order[a:b] for a, b in zip(starts[:-1], starts[1:])]
    per_group = batch_size // groups
    chosen = []
    for _ in range(groups):
        members = patches["_by_image"][rng.integers(len(patches["_by_image"]))]
        centre = patches["xy"][members[rng.integers(len(members))]]
        near = members[np.abs(patches["xy"][members] - centre).max(axis=1) < neighbourhood]
        pool = near if len(near) >= per_group else members
        chosen.append(rng.choice(pool, min(per_group, len(pool)), replace=False))
    return np.concatenate(chosen)


def sample_batch(patches: dict, batch_size: int, patch_size: int, rng: np.random.Generator, groups: int = 4, neighbourhood: int = 160, augment: str = "mild", exclusion: float = 8.0):
    index = local_groups(patches, batch_size, groups, neighbourhood, rng)
    pairs = [augment_pair(patches["optical"][i], patches["sar"][i], patch_size, rng, augment) for i in index]
    optical = torch.from_numpy(np.stack([p[0] for p in pairs]))[:, None].contiguous(memory_format=torch.channels_last)
    sar = torch.from_numpy(np.stack([p[1] for p in pairs]))[:, None].contiguous(memory_format=torch.channels_last)
    return optical, sar, near_duplicates(patches["image_id"][index], patches["xy"][index], exclusion)


def describe(network: DFFCANet, patches: np.ndarray, patch_size: int, device) -> torch.Tensor:
    out = []
    with torch.inference_mode():
        for start in range(0, len(patches), 256):
            crop = np.stack([centre_crop(w, patch_size) for w in patches[start : start + 256]]).astype(np.float32) / 255.0
            out.append(network(torch.from_numpy(crop)[:, None].to(device)).cpu())
    return torch.cat(out)


def validate(network: DFFCANet, patches: dict, patch_size: int, device, block: int = 512, limit: int = 4096) -> dict:
    """Patch-level figures on held-out pairs (a fixed, seeded subset of ``limit``), in blocks of
    ``block`` correspondences: top-1 accuracy (the true SAR patch is the nearest of ``block``)
    and FPR at 95% recall."""
    network.eval()
    chosen = np.sort(np.random.default_rng(0).permutation(len(patches["xy"]))[:limit])
    optical = describe(network, patches["optical"][chosen], patch_size, device)
    sar = describe(network, patches["sar"][chosen], patch_size, device)
    order = np.arange(len(optical))
    top1, fpr95 = [], []
    for start in range(0, len(order) - block + 1, block):
        chosen = torch.from_numpy(order[start : start + block])
        distances = pair_distances(optical[chosen], sar[chosen])
        top1.append((distances.argmin(dim=1) == torch.arange(block)).float().mean().item())
        positive = distances.diagonal()
        negative = distances[~torch.eye(block, dtype=torch.bool)]
        threshold = torch.quantile(positive, 0.95)
        fpr95.append((negative <= threshold).float().mean().item())
    return {"top1_accuracy": float(np.mean(top1)), "fpr95": float(np.mean(fpr95)), "pairs": int(len(optical)), "block": block}


def patch_set(args, pairs, split: str) -> dict:
    """The window set of ``pairs`` as ``args`` asks: windows 1.5 x the patch (room for
    augmentation) at the keypoints where a ``--keypoint-window`` fits, cached per window size,
    keypoints and labels under ``args.cache`` (``split``: the file's suffix)."""
    window = int(np.ceil(args.patch_size * 1.5 / 2) * 2)
    shared = f"-k{args.keypoint_window}" if args.keypoint_window != window else ""
    cache = os.path.join(args.cache, f"patches-w{window}{shared}" + ("-refined" if args.refine_labels else ""))
    return build_patch_set(pairs, window, args.per_image, f"{cache}-{split}.npz", args.refine_labels, args.keypoint_window)


def patch_sets(args):
    """(training pairs, validation pairs, their window sets, the names of the training pairs left
    out as they show held-out ground) as ``args`` asks (``patch_set``, ``leave_out_shared_ground``)."""
    train_pairs, validation_pairs = list_pairs(args.data)
    train_pairs, left_out = leave_out_shared_ground(train_pairs, validation_pairs)
    return train_pairs, validation_pairs, patch_set(args, train_pairs, "train"), patch_set(args, validation_pairs, "val"), left_out


def train(args) -> Tuple[str, int]:
    """Trains as ``args`` say; returns the best checkpoint's path and the epochs trained so far."""
    device = start_run(args)
    train_pairs, validation_pairs, train_set, validation_set, left_out = patch_sets(args)
    LOGGER.info("train windows %d from %d pairs; validation %d from %d pairs", len(train_set["xy"]), len(train_pairs), len(validation_set["xy"]), len(validation_pairs))
    network_conf = {"patch_size": args.patch_size, "coordinate_attention": not args.no_attention, "descriptor_dim": 256}
    # channels_last halves the time of a training step on the CPU (measured: 1.7 s -> 0.9 s).
    network = DFFCANet(**network_conf).to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=1e-4)
    last_path, best_path = checkpoint_paths(args.out)
    state, resumed_config = resume(last_path, network, optimizer)
    earlier_phase = None
    if resumed_config is not None:  # resumed: the phase it continues keeps its record of the phase before
        earlier_phase = resumed_config["earlier_phase"]
    elif args.init:
        initial = torch.load(args.init, map_location="cpu", weights_only=True)
        network.load_state_dict(initial["state_dict"])
        earlier_phase = {"checkpoint": args.init, "training": initial["config"]["training"], "epochs": initial["state"]["epoch"],
                         "elapsed_s": initial["state"]["elapsed_s"], "best": initial["state"]["best"],
                         "earlier": initial["config"].get("earlier_phase")}
        LOGGER.info("initialised from %s (epoch %d)", args.init, initial["state"]["epoch"])
    config = {
        "network": network_conf,
        "earlier_phase": earlier_phase,
        "training": {k: v for k, v in vars(args).items() if k not in ("out", "cache", "data")},
        "split": {"train": [p.name for p in train_pairs], "validation": [p.name for p in validation_pairs],
                  "left_out": left_out},
    }
    refuse_another_split(resumed_config, config, args.out)

    def batch_loss(rng):
        optical, sar, excluded = sample_batch(train_set, args.batch_size, args.patch_size, rng, args.groups, augment=args.augment, exclusion=args.exclusion)
        return hardnet_loss(network(optical.to(device)), network(sar.to(device)), excluded=excluded.to(device))

    return run_epochs(args, state, network, optimizer, batch_loss,
                      validate=lambda: validate(network, validation_set, args.patch_size, device),
                      improved=lambda metrics, best: best is None or metrics["fpr95"] < best["fpr95"], loss_key="loss",
                      log_format="epoch %(epoch)d loss %(loss).4f val top1 %(top1_accuracy).3f fpr95 %(fpr95).4f (%(elapsed_s).0f s)",
                      config=config, last_path=last_path, best_path=best_path)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_schedule_arguments(parser, out=os.path.join(".cache", "train", "dffca"), cache=os.path.join(".cache", "patches"),
                           minutes=70.0, max_epochs=7, steps_per_epoch=100, batch_size=128, lr=2e-3)
    parser.add_argument("--patch-size", type=int, default=64)
    parser.add_argument("--keypoint-window", type=int, default=96,
                        help="px: keypoints are taken where a window this wide fits in the image (the 64 px patch's window), "
                             "so every patch size trains and validates at the same keypoints; a larger window is zero past "
                             "the edge, as the engine pads")
    parser.add_argument("--groups", type=int, default=4, help="local groups per batch (one image region each)")
    parser.add_argument("--exclusion", type=float, default=8.0,
                        help="px: windows of one image closer than this are never each other's negative (label noise)")
    parser.add_argument("--augment", default="mild", choices=("mild", "strong"), help="augmentation preset (training/augment.py)")
    parser.add_argument("--init", default=None, help="start from the weights of this checkpoint (a previous phase)")
    parser.add_argument("--per-image", type=int, default=300, help="keypoints per image and modality for windows")
    parser.add_argument("--refine-labels", action="store_true",
                        help="cut each SAR window at the pair's locally measured offset, not at the same pixel (training/patch_pairs.py)")
    parser.add_argument("--no-attention", action="store_true", help="ablation: no coordinate attention")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run_command(parse_args, train)
