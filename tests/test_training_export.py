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
