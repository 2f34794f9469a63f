"""Descriptor training gives the same weights for the same command: the learning rate follows a
cosine over steps, not over seconds, so a slow or busy machine does not change a run, and a run
stopped by its time cap and continued ends where an unbroken one does. Small synthetic patch sets
stand in for the data folder; the training loop, network, loss and checkpoints are the real ones."""
import numpy as np
import pytest
import torch

from training import checkpoints, train as descriptor_training
from training.checkpoints import exit_unless_finished, schedule_progress


def synthetic_patches(count: int, window: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    optical = rng.integers(0, 256, (count, window, window), dtype=np.uint8)
    sar = np.clip(optical.astype(int) + rng.integers(-40, 40, optical.shape), 0, 255).astype(np.uint8)
    return {"optical": optical, "sar": sar, "xy": rng.uniform(0, 300, (count, 2)).astype(np.float32), "image_id": np.arange(count) % 4}


@pytest.fixture
def tiny_data(monkeypatch):
    train_set, validation_set = synthetic_patches(96, 48, 1), synthetic_patches(512, 48, 2)
    monkeypatch.setattr(descriptor_training, "patch_sets", lambda args: ([], [], train_set, validation_set, []))


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
    monkeypatch.setattr(checkpoints.time, "perf_counter", lambda: float(next(clock)))
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
    # the same command again, cap and all (what `make train` does when it is run again): each run
    # gets its own cap, so it goes on, where a cap on the total time trained would stop it at once
    resumed = run(tmp_path / "resumed", "--minutes", "1e-6")
    assert resumed["state"]["epoch"] == 2
    assert resumed["state"]["elapsed_s"] > stopped["state"]["elapsed_s"]  # the record keeps the total
    assert_same_weights(unbroken["state_dict"], resumed["state_dict"])
    exit_unless_finished(arguments(tmp_path / "resumed"), "best.pt", resumed["state"]["epoch"])  # finished: returns


def test_a_later_phase_resumed_keeps_the_record_of_the_phase_before(tiny_data, tmp_path):
    run(tmp_path / "first")
    # the next phase starts from the first's best epoch, which need not be its last
    initial = torch.load(tmp_path / "first" / "best.pt", map_location="cpu", weights_only=True)
    stopped = run(tmp_path / "second", "--init", str(tmp_path / "first" / "best.pt"), "--minutes", "1e-6")
    resumed = run(tmp_path / "second", "--init", str(tmp_path / "first" / "best.pt"))
    assert stopped["state"]["epoch"] == 1 and resumed["state"]["epoch"] == 2
    for checkpoint in (stopped, resumed):  # the model card's "Earlier phase" comes from this record
        earlier = checkpoint["config"]["earlier_phase"]
        assert earlier["checkpoint"] == str(tmp_path / "first" / "best.pt") and earlier["epochs"] == initial["state"]["epoch"]
        assert earlier["best"] == initial["state"]["best"]


@pytest.fixture
def tiny_labelled_pairs(monkeypatch):
    """Two synthetic pairs per group in place of the data folder's labelled pairs."""
    from training import train_features
    from training.feature_samples import LabelledPair

    def labelled(name, seed):
        rng = np.random.default_rng(seed)
        optical = rng.random((192, 192)).astype(np.float32)
        xy = rng.uniform(64, 128, (20, 2))
        offset = np.where(rng.random((20, 1)) < 0.5, rng.uniform(-1, 1, (20, 2)), np.nan)
        return LabelledPair(name, optical, np.clip(optical + rng.normal(0, 0.1, optical.shape), 0, 1).astype(np.float32), xy, offset)

    pairs = [labelled(f"{group}/pair-{i}", seed) for seed, (group, i) in enumerate([(g, i) for g in ("3mos", "s1s2") for i in (0, 1)])]
    monkeypatch.setattr(train_features, "list_pairs", lambda data: (pairs, pairs))
    monkeypatch.setattr(train_features, "split_calibration", lambda train_pairs: (train_pairs, []))
    monkeypatch.setattr(train_features, "leave_out_shared_ground", lambda pairs, held_out: (pairs, []))  # no footprints here
    monkeypatch.setattr(train_features, "load_labelled_pairs", lambda chosen, cache: chosen)
    return train_features


def test_the_feature_network_resumed_ends_where_an_unbroken_run_does(tiny_labelled_pairs, tmp_path):
    def run_features(out, *extra):
        tiny_labelled_pairs.train(tiny_labelled_pairs.parse_args(
            ["--out", str(out), "--batch-size", "4", "--steps-per-epoch", "2", "--max-epochs", "2",
             "--validation-samples", "8", "--width", "8", "--seed", "5", *extra]))
        return torch.load(out / "last.pt", map_location="cpu", weights_only=True)

    unbroken = run_features(tmp_path / "unbroken")
    assert unbroken["state"]["epoch"] == 2 and unbroken["config"]["kind"] == "features"
    assert set(unbroken["state"]["history"][0]) >= {"epoch", "train_loss", "loss", "hit_2px", "elapsed_s"}
    assert run_features(tmp_path / "resumed", "--minutes", "1e-6")["state"]["epoch"] == 1
    resumed = run_features(tmp_path / "resumed", "--minutes", "1e-6")  # the same command again
    assert resumed["state"]["epoch"] == 2
    assert_same_weights(unbroken["state_dict"], resumed["state_dict"])
    assert [h["train_loss"] for h in unbroken["state"]["history"]] == [h["train_loss"] for h in resumed["state"]["history"]]


def test_asking_for_cuda_without_a_gpu_stops_with_the_reason(tmp_path, monkeypatch):
    """A training run asked for CUDA on a machine without one must not quietly train for hours on
    the CPU: it stops before any work, says why, and how to run anyway."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as stopped:
        checkpoints.start_run(arguments(tmp_path, "--device", "cuda"))
    assert "No CUDA GPU" in str(stopped.value) and "'cpu'" in str(stopped.value)
    assert checkpoints.start_run(arguments(tmp_path, "--device", "auto")).type == "cpu"
    assert checkpoints.start_run(arguments(tmp_path, "--device", "cpu")).type == "cpu"
