"""Progress reporting and cancellation, with no dependency on Qt.

The core calls ``progress.stage(name)`` when a stage starts and ``progress.update(fraction)``
inside long loops. A front end passes a plain callback ``report(stage, fraction) -> bool`` whose
return value answers "go on?": returning False cancels the run at the next check.
"""
from __future__ import annotations

import time
from typing import Callable, Dict, Optional, Sequence

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
    "self-check": 0.5,  # the search and fine matching again, with the SAR moved (RegistrationOptions.self_check)
    "output": 0.05,
}
FINISH_SHARE = 0.02  # of the bar, kept for the work after the last stage (the fit): "done" always moves it


class Progress:
    """Turns per-stage fractions into an overall fraction and records each stage's time.

    ``stages``: the stages the run expects, in order. Each stage, when it starts, gets the share
    of the rest of the bar that its weight has among itself and the stages still expected, so the
    bar never goes back and reaches 1 at the end of the last one. When the plan changes (the
    structural search refused, the network tried next), ``expect`` names the stages that now
    follow and they share what is left of the bar."""

    def __init__(self, callback: Optional[ProgressCallback] = None, weights: Dict[str, float] = STAGE_WEIGHTS,
                 stages: Sequence[str] = ()):
        self._callback = callback
        self._weights = weights
        self._expected = list(stages)
        self._start = 0.0  # overall fraction where the current stage began
        self._span = 0.0  # share of the bar the current stage fills
        self._fraction = 0.0  # how far into the current stage the last update was
        self._stage: Optional[str] = None
        self._stage_start = 0.0
        self.timing_s: Dict[str, float] = {}

    def stage(self, name: str) -> None:
        self._finish_stage()
        planned = name in self._expected
        if planned:
            self._expected.remove(name)
        weight = self._weights.get(name, 0.0)
        rest = weight + sum(self._weights.get(s, 0.0) for s in self._expected)
        left = max(0.0, 1.0 - FINISH_SHARE - self._start)
        if planned or self._expected:
            self._span = left * weight / rest if rest > 0 else 0.0
        else:  # no plan: by weight, within what is left
            self._span = min(weight, left)
        self._stage, self._stage_start = name, time.perf_counter()
        self.update(0.0)

    def expect(self, stages: Sequence[str]) -> None:
        """The plan changed: the current stage ends where it got to, and ``stages`` follow it."""
        self._span *= self._fraction
        self._expected = list(stages)

    def update(self, fraction: float) -> None:
        """Reports progress inside the current stage (0..1) and raises if the user cancelled."""
        if self._stage is None:
            return
        self._fraction = max(0.0, min(1.0, fraction))
        if self._callback is None:
            return
        overall = min(1.0, self._start + self._span * self._fraction)
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
            self._start = min(1.0, self._start + self._span)
