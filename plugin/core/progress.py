"""Progress reporting and cancellation, with no dependency on Qt.

The core calls ``progress.stage(name)`` when a stage starts and ``progress.update(fraction)``
inside long loops. A front end passes a plain callback ``report(stage, fraction) -> bool`` whose
return value answers "go on?": returning False cancels the run at the next check.
"""
from __future__ import annotations

import time
from typing import Callable, Dict, Optional

from .errors import RegistrationCancelled

ProgressCallback = Callable[[str, float], bool]

# Rough share of total run time per stage on a CPU, so that the overall bar moves evenly.
STAGE_WEIGHTS = {
    "read": 0.05,
    "coarse alignment": 0.05,
    "keypoints": 0.15,
    "search": 0.25,  # structural search (matchers auto, structural)
    "descriptors": 0.5,  # the network (guided, method, and auto when the search is refused)
    "matching": 0.3,
    "output": 0.05,
}


class Progress:
    """Turns per-stage fractions into an overall fraction and records each stage's time."""

    def __init__(self, callback: Optional[ProgressCallback] = None, weights: Dict[str, float] = STAGE_WEIGHTS):
        self._callback = callback
        self._weights = weights
        self._done = 0.0
        self._stage: Optional[str] = None
        self._stage_start = 0.0
        self.timing_s: Dict[str, float] = {}

    def stage(self, name: str) -> None:
        self._finish_stage()
        self._stage, self._stage_start = name, time.perf_counter()
        self.update(0.0)

    def update(self, fraction: float) -> None:
        """Reports progress inside the current stage (0..1) and raises if the user cancelled."""
        if self._callback is None or self._stage is None:
            return
        weight = self._weights.get(self._stage, 0.0)
        overall = min(1.0, self._done + weight * max(0.0, min(1.0, fraction)))
        if self._callback(self._stage, overall) is False:
            raise RegistrationCancelled(f"cancelled during {self._stage}")

    def finish(self) -> Dict[str, float]:
        self._finish_stage()
        self._stage = None
        if self._callback is not None:
            self._callback("done", 1.0)
        return self.timing_s

    def _finish_stage(self) -> None:
        if self._stage is not None:
            elapsed = time.perf_counter() - self._stage_start
            self.timing_s[self._stage] = self.timing_s.get(self._stage, 0.0) + elapsed
            self._done += self._weights.get(self._stage, 0.0)
