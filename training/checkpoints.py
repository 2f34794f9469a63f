"""What every training run here shares: resuming from ``last.pt``, the learning rate's cosine
decay over a fixed number of steps, and closing an epoch (its record, ``best.pt`` when it improved, and
``last.pt`` with the optimizer so that a rerun continues)."""
from __future__ import annotations

import logging
import os
import sys
from typing import Tuple

import numpy as np
import torch

LOGGER = logging.getLogger("training")


def checkpoint_paths(out: str) -> Tuple[str, str]:
    """(last, best) checkpoint paths in ``out`` (created)."""
    os.makedirs(out, exist_ok=True)
    return os.path.join(out, "last.pt"), os.path.join(out, "best.pt")


def resume(last_path: str, network: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """The training state of ``last_path`` (weights and optimizer loaded), or a fresh one."""
    if not os.path.exists(last_path):
        return {"epoch": 0, "elapsed_s": 0.0, "history": [], "best": None}
    resumed = torch.load(last_path, map_location="cpu", weights_only=True)
    network.load_state_dict(resumed["state_dict"])
    optimizer.load_state_dict(resumed["optimizer"])
    LOGGER.info("resumed at epoch %d (%.0f s trained)", resumed["state"]["epoch"], resumed["state"]["elapsed_s"])
    return resumed["state"]


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


def exit_unless_finished(args, best_path: str, epochs: int) -> None:
    """Ends a training command: prints the best checkpoint, and exits with status 3 when the time
    cap stopped the run (after ``epochs``) before its epoch cap, so that ``make train`` stops there
    instead of starting the next phase from an unfinished one (running it again continues the same run)."""
    print(best_path)
    if epochs < args.max_epochs:
        LOGGER.error("stopped by the %g-minute time cap after %d of %d epochs: run the same command again to continue",
                     args.minutes, epochs, args.max_epochs)
        sys.exit(3)
