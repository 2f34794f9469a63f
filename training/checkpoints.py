"""What every training run here shares: its schedule's command-line options, resuming from
``last.pt``, the learning rate's cosine decay over a fixed number of steps, the epoch loop under a
time cap, and closing an epoch (its record, ``best.pt`` when it improved, and ``last.pt`` with the
optimizer so that a rerun continues)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Callable, Optional, Tuple

import numpy as np
import torch

from plugin.core import cpu_settings
from plugin.core.descriptor import resolve_device
from plugin.core.errors import RegistrationError

LOGGER = logging.getLogger("training")


def checkpoint_paths(out: str) -> Tuple[str, str]:
    """(last, best) checkpoint paths in ``out`` (created)."""
    os.makedirs(out, exist_ok=True)
    return os.path.join(out, "last.pt"), os.path.join(out, "best.pt")


def add_schedule_arguments(parser: argparse.ArgumentParser, out: str, cache: str, minutes: float, max_epochs: int,
                           steps_per_epoch: int, batch_size: int, lr: float) -> None:
    """The options every training command has: where data, checkpoints and caches are, its
    schedule, the device and the seed."""
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=out)
    parser.add_argument("--cache", default=cache)
    parser.add_argument("--minutes", type=float, default=minutes,
                        help="this command's time cap (validation included): training stops there, and the same command run again continues with a cap of its own; the learning rate does not depend on it")
    parser.add_argument("--max-epochs", type=int, default=max_epochs)
    parser.add_argument("--schedule-epochs", type=float, default=None,
                        help="epochs over which the learning rate's cosine runs (default: --max-epochs); counted in steps, so every machine gives the same rates")
    parser.add_argument("--steps-per-epoch", type=int, default=steps_per_epoch)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--lr", type=float, default=lr, help="the cosine's starting rate")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)


def start_run(args) -> torch.device:
    """What every training command does first: fills in the cosine's horizon (``--schedule-epochs``,
    default ``--max-epochs``; recorded in the checkpoint's command), seeds torch, and returns the
    device by the engine's own rule (``auto``: CUDA when present; ``cuda`` without a GPU stops the
    run with the reason, rather than training for hours on the CPU unasked)."""
    args.schedule_epochs = args.schedule_epochs or args.max_epochs
    torch.manual_seed(args.seed)
    try:
        return resolve_device(args.device)
    except RegistrationError as error:
        raise SystemExit(f"error: {error}") from None


def resume(last_path: str, network: torch.nn.Module, optimizer: torch.optim.Optimizer) -> Tuple[dict, Optional[dict]]:
    """The training state of ``last_path`` (weights and optimizer loaded) and the config it was saved
    with; or a fresh state and None."""
    if not os.path.exists(last_path):
        return {"epoch": 0, "elapsed_s": 0.0, "history": [], "best": None}, None
    resumed = torch.load(last_path, map_location="cpu", weights_only=True)
    network.load_state_dict(resumed["state_dict"])
    optimizer.load_state_dict(resumed["optimizer"])
    LOGGER.info("resumed at epoch %d (%.0f s trained)", resumed["state"]["epoch"], resumed["state"]["elapsed_s"])
    return resumed["state"], resumed["config"]


def refuse_another_split(resumed_config: Optional[dict], config: dict, out: str) -> None:
    """A run continues only on the pairs it began on: resumed on another split (the data, or the
    rule that splits it, changed), its weights would mix the two. Stops with what to do."""
    if resumed_config is not None and resumed_config.get("split") != config["split"]:
        raise SystemExit(f"error: {out} holds a run begun on other training or validation pairs than these "
                         "(the data or its split changed): delete that folder, or give another --out, to start afresh")


def schedule_progress(epoch: int, step: int, steps_per_epoch: int, schedule_epochs: float) -> float:
    """How far through its cosine the learning rate is at ``step`` of ``epoch`` (both from 0): the
    steps taken over ``schedule_epochs`` epochs' worth. Counted in steps, never in seconds, so the
    same command gives the same rates on a fast machine, a slow one, or one shared with another
    job (when the clock drove it, a run's rates depended on how busy the machine was)."""
    return (epoch * steps_per_epoch + step) / (schedule_epochs * steps_per_epoch)


def set_cosine_rate(optimizer: torch.optim.Optimizer, base_rate: float, progress: float) -> None:
    """Cosine decay from ``base_rate`` to 2% of it as ``progress`` (``schedule_progress``) goes 0 -> 1."""
    for group in optimizer.param_groups:
        group["lr"] = float(base_rate * (0.02 + 0.98 * 0.5 * (1.0 + np.cos(np.pi * min(1.0, progress)))))


def close_epoch(state: dict, record: dict, improved: bool, config: dict, network, optimizer, last_path: str, best_path: str) -> None:
    """Records the epoch, saves ``best.pt`` when ``improved`` and always ``last.pt``."""
    state["history"].append(record)
    checkpoint = {"config": config, "state_dict": network.state_dict(), "state": state}
    if improved:
        state["best"] = record
        torch.save(checkpoint, best_path)
    torch.save({**checkpoint, "optimizer": optimizer.state_dict()}, last_path)


def run_epochs(args, state: dict, network, optimizer, batch_loss: Callable, validate: Callable[[], dict],
               improved: Callable[[dict, dict], bool], loss_key: str, log_format: str, config: dict,
               last_path: str, best_path: str) -> Tuple[str, int]:
    """Trains epoch after epoch until ``args.max_epochs`` or until this command has run for
    ``args.minutes`` (a rerun of the same command continues from ``state`` with a cap of its own). Each step: the cosine rate, ``batch_loss(rng)`` (the loss of one
    batch drawn with ``rng``), one optimizer step. Each epoch: ``validate()``, a record with the mean
    training loss under ``loss_key`` and the metrics, logged with ``log_format``, and
    ``close_epoch`` (``best.pt`` when ``improved(metrics, best record or None)``). Returns the best
    checkpoint's path and the epochs trained so far."""
    budget = args.minutes * 60.0
    invocation_started = time.perf_counter()  # the cap is this command's: a rerun gets its own (the record keeps the total)
    while time.perf_counter() - invocation_started < budget and state["epoch"] < args.max_epochs:
        rng = np.random.default_rng([args.seed, state["epoch"]])  # per epoch: a resumed run draws what an unbroken one would
        started = time.perf_counter()
        network.train()
        losses = []
        for step in range(args.steps_per_epoch):
            set_cosine_rate(optimizer, args.lr, schedule_progress(state["epoch"], step, args.steps_per_epoch, args.schedule_epochs))
            loss = batch_loss(rng)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        metrics = validate()
        state["epoch"] += 1
        state["elapsed_s"] += time.perf_counter() - started
        record = {"epoch": state["epoch"], loss_key: float(np.mean(losses)), "elapsed_s": round(state["elapsed_s"], 1), **metrics}
        LOGGER.info(log_format, record)
        close_epoch(state, record, improved(metrics, state["best"]), config, network, optimizer, last_path, best_path)
    return best_path, state["epoch"]


def run_command(parse_args: Callable, train: Callable) -> None:
    """A training command's ``__main__``: logs, keeps freed memory for reuse (the process does
    nothing but train: ``cpu_settings.keep_freed_memory``), trains as the command line asks, and
    ends as ``exit_unless_finished`` says."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if cpu_settings.keep_freed_memory():
        LOGGER.info("freed memory is kept for reuse (glibc: large blocks from the heap, never given back)")
    arguments = parse_args()
    exit_unless_finished(arguments, *train(arguments))


def exit_unless_finished(args, best_path: str, epochs: int) -> None:
    """Ends a training command: prints the best checkpoint, and exits with status 3 when the time
    cap stopped the run (after ``epochs``) before its epoch cap, so that ``make train`` stops there
    instead of starting the next phase from an unfinished one (running it again continues the same run)."""
    print(best_path)
    if epochs < args.max_epochs:
        LOGGER.error("stopped by the %g-minute time cap after %d of %d epochs: run the same command again to continue",
                     args.minutes, epochs, args.max_epochs)
        sys.exit(3)
