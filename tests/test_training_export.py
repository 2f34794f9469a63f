"""``make train`` exports both networks at about the same time: the manifest must keep both."""
import json
import multiprocessing
import os

from plugin.core.model_files import MANIFEST
from training.export import manifest_lock, update_manifest


def _export_many(models_dir: str, prefix: str, kind: str, count: int, start) -> None:
    start.wait()  # both processes write at the same time
    weights = os.path.join(models_dir, f"{prefix}.pt")
    with open(weights, "wb") as handle:
        handle.write(prefix.encode())
    for index in range(count):
        with manifest_lock(models_dir):
            update_manifest(f"{prefix}-{index}", weights, kind, default=False, models_dir=models_dir)


def test_concurrent_exports_keep_every_entry(tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    runs = [context.Process(target=_export_many, args=(str(tmp_path), prefix, kind, 200, start))
            for prefix, kind in (("descriptor", "descriptor"), ("dense", "features"))]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)
        assert run.exitcode == 0
    manifest = json.load(open(tmp_path / MANIFEST))
    assert sorted(manifest["models"]) == sorted([f"descriptor-{i}" for i in range(200)] + [f"dense-{i}" for i in range(200)])
    assert manifest["models"]["dense-7"]["kind"] == "features"
    assert manifest["default"] == "descriptor-0" and manifest["default_features"] == "dense-0"  # the first of each kind


def test_the_card_says_which_training_pairs_show_held_out_ground():
    """A card must not call its validation pairs never trained on when a training pair shows
    their ground: older checkpoints name the pairs measured, newer ones what was left out."""
    from training.export import held_out_ground

    older = {"train": ["3mos/GF3_rural_1", "s1s2/050.png", "3mos/RCM_city_0"], "validation": ["3mos/GF3_rural_4"]}
    assert "3mos/GF3_rural_1 (half of validation tile GF3_rural_4's ground)" in held_out_ground(older)
    assert "050" not in held_out_ground(older)  # calibration ground matters only where calibration is held out
    assert "s1s2/050.png" in held_out_ground(dict(older, calibration=["s1s2/139.png"]))
    assert held_out_ground(dict(older, left_out=["3mos/GF3_rural_1"])) == "Left out, as they show ground of a held-out pair: 3mos/GF3_rural_1."
    assert held_out_ground(dict(older, left_out=[])) == "No training pair shows ground of a held-out pair."
