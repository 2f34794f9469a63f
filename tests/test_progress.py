"""Overall progress: planned stages fill the bar exactly, a changed plan (the search refused, the
network next) shares what is left, the bar never goes back, and cancelling raises."""
import pytest

from plugin.core.errors import RegistrationCancelled
from plugin.core.progress import FINISH_SHARE, Progress

WEIGHTS = {"a": 1.0, "b": 3.0, "c": 1.0, "d": 2.0}


def recorder():
    seen = []
    return seen, lambda stage, fraction: seen.append((stage, fraction)) or True


def test_planned_stages_fill_the_bar_by_weight():
    seen, callback = recorder()
    steps = Progress(callback, WEIGHTS, stages=("a", "b", "c"))
    for name in ("a", "b", "c"):
        steps.stage(name)
        steps.update(1.0)
    steps.finish()
    scale = 1 - FINISH_SHARE  # the rest is the finishing work's, so that "done" still moves the bar
    assert [f for s, f in seen] == pytest.approx([0.0, 0.2 * scale, 0.2 * scale, 0.8 * scale, 0.8 * scale, scale, 1.0])


def test_a_changed_plan_shares_what_is_left_without_going_back():
    seen, callback = recorder()
    steps = Progress(callback, WEIGHTS, stages=("a", "b"))
    steps.stage("a")
    steps.update(1.0)
    steps.stage("b")
    steps.update(0.5)  # b fails half way ...
    steps.expect(("d", "c"))  # ... and two other stages follow it
    for name in ("d", "c"):
        steps.stage(name)
        steps.update(1.0)
    steps.finish()
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and max(fractions) == pytest.approx(1.0)
    scale = 1 - FINISH_SHARE
    b_reached = (0.25 + 0.5 * 0.75) * scale
    left = scale - b_reached  # d and c share it, 2:1
    assert [f for s, f in seen if s == "d"] == pytest.approx([b_reached, b_reached + 2 / 3 * left])
    assert [f for s, f in seen if s == "c"][-1] == pytest.approx(scale) and seen[-1] == ("done", 1.0)


def test_unplanned_stages_stay_within_the_bar():
    seen, callback = recorder()
    steps = Progress(callback, WEIGHTS)
    for name in ("b", "d", "a"):
        steps.stage(name)
        steps.update(1.0)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and max(fractions) <= 1.0


def test_cancelling_raises_in_the_stage_it_happened():
    steps = Progress(lambda stage, fraction: fraction < 0.5, WEIGHTS, stages=("a", "b"))
    steps.stage("a")
    with pytest.raises(RegistrationCancelled, match="during b"):
        steps.stage("b")
        steps.update(0.5)
