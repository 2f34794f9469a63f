"""Descriptor training gives the same weights for the same command: the learning rate follows a
cosine over steps, not over seconds, so a slow or busy machine does not change a run, and a run
stopped by its time cap and continued ends where an unbroken one does. Small synthetic patch sets
stand in for the data folder; the training loop, network, loss and checkpoints are the real ones."""
import numpy as np
import pytest
import torch

from training import train as descriptor_training
from training.checkpoints import exit_unless_finished, schedule_progress


def synthetic_patches(count: int, window: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    optical = rng.integers(0, 256, (count, window, window), dtype=np.uint8)
    sar = np.clip(optical.astype(int) + rng.integers(-40, 40, optical.shape), 0, 255).astype(np.uint8)
    return {"optical": optical, "sar": sar, "xy": rng.uniform(0, 300, (count, 2)).astype(np.float32), "image_id": np.arange(count) % 4}


@pytest.fixture
def tiny_data(monkeypatch):
    train_set, validation_set = synthetic_patches(96, 48, 1), synthetic_patches(512, 48, 2)
    monkeypatch.setattr(descriptor_training, "patch_sets", lambda args: ([], [], train_set, validation_set))


def arguments(out, *extra):
    return descriptor_training.parse_args(["--out", str(out), "--patch-size", "32", "--batch-size", "16",
                                           "--steps-per-epoch", "3", "--max-epochs", "2", "--seed", "3", *extra])


def run(out, *extra):
    descriptor_training.train(arguments(out, *extra))
    return torch.load(out / "last.pt", map_location="cpu", weights_only=True)


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_the_learning_rate_is_counted_in_steps():
    assert schedule_progress(0, 0, 100, 6) == 0.0
    assert schedule_progress(2, 50, 100, 5) == pytest.approx(0.5)
    assert schedule_progress(6, 0, 100, 6) == pytest.approx(1.0)


def test_same_command_same_weights_on_a_slow_machine(tiny_data, tmp_path, monkeypatch):
    first = run(tmp_path / "first")
    clock = iter(range(0, 10**9, 1000))  # every reading of the clock 1000 s after the last
    monkeypatch.setattr(descriptor_training.time, "perf_counter", lambda: float(next(clock)))
    slow = run(tmp_path / "slow")
    assert_same_weights(first["state_dict"], slow["state_dict"])
    assert [h["loss"] for h in first["state"]["history"]] == [h["loss"] for h in slow["state"]["history"]]
    assert slow["state"]["elapsed_s"] > first["state"]["elapsed_s"]
    assert first["state"]["epoch"] == 2
    assert first["config"]["training"]["schedule_epochs"] == 2  # the horizon, recorded in the command


def test_a_run_stopped_by_its_time_cap_continues_where_it_stopped(tiny_data, tmp_path):
    unbroken = run(tmp_path / "unbroken")
    stopped = run(tmp_path / "resumed", "--minutes", "1e-6")
    assert stopped["state"]["epoch"] == 1
    with pytest.raises(SystemExit) as stopped_early:  # so that make does not start the next phase from it
        exit_unless_finished(arguments(tmp_path / "resumed", "--minutes", "1e-6"), "best.pt", stopped["state"]["epoch"])
    assert stopped_early.value.code == 3
    resumed = run(tmp_path / "resumed")
    assert resumed["state"]["epoch"] == 2
    assert_same_weights(unbroken["state_dict"], resumed["state_dict"])
    exit_unless_finished(arguments(tmp_path / "resumed"), "best.pt", resumed["state"]["epoch"])  # finished: returns
