"""The engine's self-check: register again with the SAR moved by a known small warp, and compare."""
import numpy as np
import pytest

from plugin.core import RegistrationOptions, pipeline, register, transforms
from plugin.core.raster_io import Raster


def test_fits_apart_is_zero_when_the_moved_run_agrees_and_measures_the_disagreement():
    fit = np.array([[1.01, 0.02, 30.0], [-0.01, 0.99, -12.0], [0.0, 0.0, 1.0]])
    warp = pipeline.self_check_warp(800, 760)
    agreeing = fit @ np.linalg.inv(warp)  # the fit of the moved SAR, if it found the same ground
    assert pipeline.fits_apart(fit, agreeing, warp, 800, 760) < 1e-9
    shifted = np.array([[1.0, 0.0, 4.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ agreeing  # 4 px off in x everywhere
    assert pipeline.fits_apart(fit, shifted, warp, 800, 760) == pytest.approx(4.0)


def test_the_moved_sar_shows_each_pixel_where_the_warp_puts_it():
    rows, cols = 120, 160
    data = np.zeros((rows, cols), np.float32)
    data[40:44, 60:64] = 100.0  # a bright block centred on (61.5, 41.5)
    valid = np.ones((rows, cols), bool)
    sar = Raster("sar.tif", data, valid, None, None, "Float32", (1,))
    warp = pipeline.self_check_warp(cols, rows)
    moved, image = pipeline.moved_sar(sar, data / 100.0, warp)
    ys, xs = np.nonzero(moved.data > 50)
    expected = transforms.apply(warp, np.array([[61.5, 41.5]]))[0]
    assert np.hypot(xs.mean() - expected[0], ys.mean() - expected[1]) < 0.5
    assert np.array_equal(image > 0.5, moved.data > 50)
    # the footprint moved too, less a margin where resampling mixed in the outside
    ys, xs = np.nonzero(moved.valid)
    back = transforms.apply(np.linalg.inv(warp), np.stack([xs, ys], axis=1).astype(float))
    assert back.min() >= 1.0 and (back[:, 0] <= cols - 2).all() and (back[:, 1] <= rows - 2).all()
    assert not moved.valid[0, 0] and moved.valid[rows // 2, cols // 2]
    assert sar.data[41, 61] == 100.0 and sar.valid.all()  # the input raster is left as it was


@pytest.fixture(scope="module")
def checked(sample):
    steps = []
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu", self_check=True),
                      progress=lambda stage, fraction: steps.append((stage, fraction)) or True)
    return result, steps


def test_a_good_registration_passes_its_self_check_and_reports_the_stage(checked):
    result, steps = checked
    assert 0.0 <= result.self_check_px < pipeline.SELF_CHECK_PX and not result.self_check_failed
    assert "self-check" in result.timing_s
    fractions = [fraction for _, fraction in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    during = [fraction for stage, fraction in steps if stage == "self-check"]
    assert during and during[-1] - during[0] > 0.2  # the bar moves while the second run works, not only at its end


def test_the_self_check_runs_only_when_asked_for(sample):
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"))
    assert result.self_check_px is None and not result.self_check_failed and "self-check" not in result.timing_s


def test_a_second_run_that_is_refused_fails_the_self_check(sample, monkeypatch):
    # Moved by 250 px, the georeferenced sample is outside the search radius (100 px): the second run is
    # refused, and a result that cannot be found again is not to be trusted.
    monkeypatch.setattr(pipeline, "SELF_CHECK_WARP", (0.0, 1.0, (250.0, 0.0)))
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu", self_check=True, matcher="structural"))
    assert result.self_check_px == float("inf") and result.self_check_failed
    assert result.tie_points.enabled.sum() >= 30  # the first run's result is still there, for the user to inspect


def test_the_move_stays_within_the_search_range_the_user_chose():
    narrow = RegistrationOptions(max_rotation=2.0, max_scale=1.01)
    linear = pipeline.self_check_warp(800, 760, narrow)[:2, :2]
    assert np.degrees(np.arctan2(linear[1, 0], linear[0, 0])) == pytest.approx(1.0)
    assert np.sqrt(abs(np.linalg.det(linear))) == pytest.approx(np.sqrt(1.01))
    default = pipeline.self_check_warp(800, 760, RegistrationOptions())
    assert np.allclose(default, pipeline.self_check_warp(800, 760))  # the defaults leave room for the whole move
