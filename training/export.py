"""Exports a training checkpoint into models/: weights (config + state dict + training record),
the manifest entry with its sha256, and a model card generated from the checkpoint.

    python -m training.export .cache/train/dffca-v2/best.pt --name dffca-v2 --default
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import subprocess

import torch

from plugin.core.model_files import KINDS, MANIFEST, MODELS_DIR, sha256_of
from .feature_samples import TEMPLATE_PX


def commit() -> str:
    """The checkout's commit, for results files and model cards, marked when tracked files other
    than Markdown (results and docs, which a study itself may have rewritten) differ from it: a
    figure measured with code, settings or weights that were never committed cannot be reproduced
    from the commit alone. A copy of the checkout without git (the lent GPU machine's) reports
    ``SOURCE_COMMIT`` from the environment, marked as told rather than read."""
    def git(*args: str) -> str:
        return subprocess.check_output(["git", *args], text=True, stderr=subprocess.DEVNULL).strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = git("diff", "HEAD", "--name-only").splitlines()
    except (OSError, subprocess.CalledProcessError):
        told = os.environ.get("SOURCE_COMMIT")
        return f"{told} (as told to a copy without git)" if told else "unknown"
    return f"{head} with uncommitted changes" if any(not path.endswith(".md") for path in changed) else head


def commit_at_start() -> str:
    """``commit()`` as it read when this process first imported this module: the code a study or
    benchmark ran, for its results file, even when the checkout moves on while it runs (read at
    the end, a run's file named a commit made while it ran)."""
    return _COMMIT_AT_START


def command_arguments(training: dict) -> str:
    flags = {"no_attention": "--no-attention", "refine_labels": "--refine-labels"}
    parts = [f"--{k.replace('_', '-')} {v}" for k, v in training.items() if not isinstance(v, bool) and v is not None and k != "init"]
    parts += [flag for key, flag in flags.items() if training.get(key)]
    return " ".join(parts)


# Training pairs that show ground of a held-out pair, as measured when the rule that leaves them out
# was made (training.patch_pairs.leave_out_shared_ground): for the cards of models trained before.
SHOWS_HELD_OUT_GROUND_BEFORE = {"3mos/GF3_rural_1": "half of validation tile GF3_rural_4's ground",
                                "s1s2/102.png": "3% of validation pair s1s2/199's"}
SHOWS_CALIBRATION_GROUND_BEFORE = {"s1s2/050.png": "14% of calibration pair s1s2/139's", "s1s2/076.png": "3% of calibration pair s1s2/175's",
                                   "s1s2/089.png": "14% of calibration pair s1s2/175's"}

def held_out_ground(split: dict) -> str:
    """What the card says about training pairs that show ground of a held-out pair."""
    if "left_out" not in split:  # trained before such pairs were left out (training.patch_pairs.leave_out_shared_ground)
        measured = dict(SHOWS_HELD_OUT_GROUND_BEFORE, **(SHOWS_CALIBRATION_GROUND_BEFORE if "calibration" in split else {}))
        found = [f"{name} ({what})" for name, what in measured.items() if name in split["train"]]
        return ("Trained before pairs that show held-out ground were left out; among its training pairs: "
                + "; ".join(found) + ".") if found else ""
    left = split["left_out"]
    return (f"Left out, as they show ground of a held-out pair: {', '.join(left)}." if left
            else "No training pair shows ground of a held-out pair.")


def model_card(name: str, checkpoint: dict, extra: str, notes: str = "") -> str:
    config, state = checkpoint["config"], checkpoint["state"]
    training, split = config["training"], config["split"]
    best = state["best"]
    history = "\n".join(
        f"| {h['epoch']} | {h['loss']:.4f} | {h['top1_accuracy']:.3f} | {h['fpr95']:.4f} | {h['elapsed_s']:.0f} |" for h in state["history"]
    )
    arguments = command_arguments(training)
    earlier = config.get("earlier_phase")
    phases = ""
    while earlier:
        best_then = earlier["best"]
        phases = (f"- **Earlier phase** (its best weights initialised the next): `python -m training.train {command_arguments(earlier['training'])}`"
                  f"{'' if 'augment' in earlier['training'] else ' (augmentation: strong)'}, {earlier['epochs']} epochs, "
                  f"{earlier['elapsed_s'] / 60:.1f} min; its best epoch {best_then['epoch']}: top-1 {best_then['top1_accuracy']:.3f}, "
                  f"FPR95 {best_then['fpr95']:.4f}.\n") + phases
        earlier = earlier.get("earlier")
    if training.get("refine_labels"):
        labels = ("  Labels: the pairs are co-registered only to a few pixels (shared/data/README.md), so each\n"
                  "  SAR window is cut at the offset the pair's own CFOG template matches measure around its keypoint\n"
                  "  (`training/patch_pairs.py`, `--refine-labels`); keypoints where no consistent offset could be measured\n"
                  "  are left out. Validation uses the same refined labels, so its figures are not comparable with\n"
                  "  those of a model validated on identity labels.")
    else:
        labels = ("  The pairs are taken as aligned (identity); they are off by a few pixels in places\n"
                  "  (see shared/data/README.md), which is label noise this model was trained with (`--refine-labels` not used).")
    return f"""# Model card: `{name}`

Generated by `python -m training.export` from the checkpoint itself; do not edit by hand.

- **Network**: DFFCA (MobileNetV2 inverted residuals per Table 1 of He et al. 2024, coordinate
  attention: {config['network']['coordinate_attention']}, conv + BN to {config['network']['descriptor_dim']}-d, L2-normalised),
  patch {config['network']['patch_size']} x {config['network']['patch_size']} px, one network shared by both modalities.
- **Loss**: HardNet (hardest in-batch negative in both directions, margin 1, distance sqrt(2 - 2 o.s));
  patches of one image whose centres are closer than {config['training'].get('exclusion', 8.0):g} px are never each other's negative
  (other places nearby are: each batch is drawn from a few neighbourhoods on purpose).
- **Data**: `shared/data` -- s1s2-california (Copernicus Sentinel-1 VH / Sentinel-2 RGB, 2020) and 3MOS
  samples (GF-3, RCM, RADARSAT-2, Sentinel-1, TerraSAR-X with optical). Train: {len(split['train'])} pairs;
  validation: {len(split['validation'])} pairs (s1s2: the last 10 by name; 3MOS: k = 3, 4). {held_out_ground(split)}
  Patches are cut at FAST-on-phase-congruency keypoints of both images (the engine's own detector).
{labels}
- **Augmentation** (presets in `training/augment.py`): SAR-side random rotation, scale and shift
  ("strong": +-6 deg, +-8%, +-1.5 px, gamma speckle of 1-5 looks on 70% of SAR patches; "mild":
  +-3 deg, +-4%, +-1 px, 4-10 looks on 30%); random gamma/contrast on both; shared flips and
  90-degree turns. Batches are {training.get('groups', 4)} local groups (one image region each), so the hardest
  in-batch negative is another place nearby.
{phases}- **Command** (last phase): `python -m training.train {arguments}` then `python -m training.export`; `make train` runs every phase.
- **Budget**: {state['epoch']} epochs x {training['steps_per_epoch']} steps x {training['batch_size']} pairs,
  {state['elapsed_s'] / 60:.1f} min of training on {extra}.
- **Best epoch** (lowest validation FPR95): epoch {best['epoch']}: top-1 accuracy {best['top1_accuracy']:.3f}
  among {best['block']} candidates, FPR at 95% recall {best['fpr95']:.4f}, on {best['pairs']} held-out patch pairs.

## Validation per epoch
Top-1: the true SAR patch is the nearest of {best['block']} (blocks of one or a few images, so the
negatives include overlapping neighbours: a hard, conservative figure). FPR95: false-positive rate
at the distance that accepts 95% of true pairs.

| epoch | train loss | top-1 | FPR95 | train time (s) |
|---|---|---|---|---|
{history}
{notes}"""


def feature_model_card(name: str, checkpoint: dict, extra: str, notes: str = "") -> str:
    """The card of a dense feature network (``training/train_features.py``)."""
    config, state = checkpoint["config"], checkpoint["state"]
    training, split, network = config["training"], config["split"], config["network"]
    best = state["best"]
    history = "\n".join(f"| {h['epoch']} | {h['train_loss']:.3f} | {h['loss']:.3f} | {h['hit_2px']:.3f} | {h['hit_2px_measured']:.3f} | {h['elapsed_s']:.0f} |"
                        for h in state["history"])
    return f"""# Model card: `{name}`

Generated by `python -m training.export` from the checkpoint itself; do not edit by hand.

- **Network**: dense feature network (`plugin/core/feature_network.py`): one branch per sensor, each a small
  U-shape of MobileNetV2 inverted-residual blocks (full, 1/2 and 1/4 resolution) giving {network['feature_dim']} unit-length
  features per pixel (width {network['width']}); intensities are standardised over a 31 px neighbourhood first.
- **Job**: the engine's fine stage matches templates of these features (their size is the engine's `--template-radius`)
  within a few pixels of a coarse position (instead of CFOG); they are trained for exactly that, on {TEMPLATE_PX} px templates.
- **Loss**: cross-entropy of the softmax (learnt temperature) of the template scores over every shift within +-12 px,
  against a Gaussian at the true shift (sigma 1 px where the pair's offset was measured, 2.5 px where not).
- **Data**: `shared/data` -- s1s2-california (Copernicus Sentinel-1 VH / Sentinel-2 RGB, 2020) and 3MOS samples
  (GF-3, RCM, RADARSAT-2, Sentinel-1, TerraSAR-X with optical). Trained on {len(split['train'])} pairs; **not** on the
  {len(split['calibration'])} calibration pairs (3MOS k = 2 and every 6th S1/S2 training pair: the engine's thresholds for
  these features are set there) nor on the {len(split['validation'])} validation pairs (s1s2: the last 10 by name; 3MOS: k = 3, 4).
  {held_out_ground(split)}
  Samples are centred on FAST-on-phase-congruency keypoints of the optical image (3 in 4) or anywhere, 65% from 3MOS.
- **Labels**: the pairs are co-registered only to a few pixels, so each sample's shift is the offset the pair's own CFOG
  template matches measure around it (`training/patch_pairs.measured_offsets`), or the identity where none could be measured.
- **Augmentation** (`training/feature_samples.py`): one rotation (+-10 deg, 1 in 5 any angle), scale 0.8-1.25, flips and
  90-degree turns shared by both crops; gamma speckle (1-6 looks) on half the SAR crops, random gamma/contrast, blur.
- **Command**: `python -m training.train_features {command_arguments(training)}` then `python -m training.export`
  (`make train-features`).
- **Budget**: {state['epoch']} epochs x {training['steps_per_epoch']} steps x {training['batch_size']} samples,
  {state['elapsed_s'] / 60:.1f} min of training on {extra}.
- **Best epoch** (highest validation hit rate): epoch {best['epoch']}: the best-scoring shift lies within 2 px of the
  label for {best['hit_2px']:.3f} of {best['samples']} fixed validation samples ({best['hit_2px_measured']:.3f} where the label was measured).

## Validation per epoch

| epoch | train loss | validation loss | hit@2px | hit@2px (measured labels) | train time (s) |
|---|---|---|---|---|---|
{history}
{notes}"""


@contextlib.contextmanager
def manifest_lock(models_dir: str = MODELS_DIR):
    """Holds an exclusive lock on ``models/`` while the manifest is read and rewritten: ``make
    train`` trains (and so exports) both networks at the same time, and two unlocked exports
    could each write back a manifest that lacks the other's entry."""
    handle = os.open(models_dir, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def update_manifest(name: str, path: str, kind: str, default: bool, models_dir: str = MODELS_DIR) -> None:
    """Adds (or replaces) ``name``'s entry with the file's sha256; makes it its kind's default
    when asked or when that kind has none."""
    manifest_path = os.path.join(models_dir, MANIFEST)
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {"models": {}}
    manifest["models"][name] = {"file": os.path.basename(path), "sha256": sha256_of(path), "card": f"{name}.md", "kind": kind}
    default_key = KINDS[kind]
    if default or manifest.get(default_key) not in manifest["models"]:
        manifest[default_key] = name
    with open(manifest_path, "w") as handle:
        json.dump(manifest, handle, indent=1)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("--name", required=True)
    parser.add_argument("--default", action="store_true", help="make it the manifest's default model of its kind")
    parser.add_argument("--machine", default=f"{platform.machine()}, {os.cpu_count()} CPU cores")
    parser.add_argument("--notes", help="a Markdown file appended to the card (what was tried and not shipped, and why)")
    args = parser.parse_args(argv)
    notes = "\n" + open(args.notes).read() if args.notes else ""
    checkpoint = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
    shipped = {"config": checkpoint["config"], "state_dict": checkpoint["state_dict"], "state": checkpoint["state"], "commit": commit()}
    path = os.path.join(MODELS_DIR, f"{args.name}.pt")
    torch.save(shipped, path)
    kind = checkpoint["config"].get("kind", "descriptor")
    with manifest_lock():
        update_manifest(args.name, path, kind, args.default)
    card = feature_model_card if kind == "features" else model_card
    with open(os.path.join(MODELS_DIR, f"{args.name}.md"), "w") as handle:
        handle.write(card(args.name, shipped, args.machine, notes))
    print(path)


_COMMIT_AT_START = commit()

if __name__ == "__main__":
    main()
