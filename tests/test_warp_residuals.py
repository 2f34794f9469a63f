"""The residuals a fit reports are those of the transform the SAR is written with, and each
enabled tie point's left-out residual is its residual against the fit to the points farther than
LEFT_OUT_RADIUS_PX from it (its neighbours share its errors)."""
import numpy as np
import pytest
from osgeo import gdal
from scipy.interpolate import RBFInterpolator

from plugin.core import transforms, warp_residuals
from plugin.core.errors import RegistrationError
from plugin.core.pipeline import TiePoints, fit_tie_points
from plugin.core.raster_io import map_to_pixel, pixel_to_map

OPTICAL_GT = (440000.0, 10.0, 0.0, 3730000.0, 0.0, -10.0)
GDAL_METHODS = {"affine": ["METHOD=GCP_POLYNOMIAL", "MAX_GCP_ORDER=1"], "poly2": ["METHOD=GCP_POLYNOMIAL", "MAX_GCP_ORDER=2"],
                "poly3": ["METHOD=GCP_POLYNOMIAL", "MAX_GCP_ORDER=3"], "tps": ["METHOD=GCP_TPS"]}


def bent_tie_points(count=80, seed=3, disabled=(5, 40)):
    """Tie points between a SAR and an optical raster that are not one affine transform apart (a
    gentle bend, as terrain gives), measured to about half a pixel; two of them not enabled."""
    rng = np.random.default_rng(seed)
    sar = rng.uniform(0, 1500, (count, 2))
    optical = sar @ np.array([[1.01, 0.02], [-0.015, 0.99]]) + [30.0, -12.0] + 4.0 * np.sin(sar[:, ::-1] / 400.0)
    optical += rng.normal(0, 0.5, sar.shape)
    enabled = np.ones(count, bool)
    enabled[list(disabled)] = False
    return TiePoints(optical, sar, np.full(count, 0.5), ["" if e else "user" for e in enabled], enabled)


def written_warp_residuals(tie_points, model):
    """Residuals of GDAL's own transformer through the enabled tie points as ``write_warped_sar``
    gives them to the warp (SAR pixel corners -> the optical raster's map coordinates), taken back
    to optical pixels."""
    enabled = tie_points.enabled
    map_xy = pixel_to_map(OPTICAL_GT, tie_points.optical_xy[enabled])
    dataset = gdal.GetDriverByName("MEM").Create("", 1600, 1600, 0)
    dataset.SetGCPs([gdal.GCP(float(mx), float(my), 0.0, float(sx + 0.5), float(sy + 0.5))
                     for (sx, sy), (mx, my) in zip(tie_points.sar_xy[enabled], map_xy)], "")
    transformer = gdal.Transformer(dataset, None, GDAL_METHODS[model])
    placed, _ = transformer.TransformPoints(0, [(float(x + 0.5), float(y + 0.5)) for x, y in tie_points.sar_xy])
    return map_to_pixel(OPTICAL_GT, np.array(placed)[:, :2]) - tie_points.optical_xy


@pytest.mark.parametrize("model", ["affine", "poly2", "poly3", "tps"])
def test_the_residuals_are_those_of_the_warp_written(model):
    """poly2, poly3 and tps are written as GDAL's polynomial and spline through the enabled tie
    points: their residuals were those of an affine fit, up to 3 px off on the bundled sample."""
    tie_points = bent_tie_points()
    fit = fit_tie_points(tie_points, model)
    assert np.abs(fit.residuals - written_warp_residuals(tie_points, model)).max() < 1e-4
    assert fit.rmse == pytest.approx(transforms.rms(fit.residuals[tie_points.enabled]))


def test_a_model_that_bends_more_fits_its_own_points_more_closely_and_a_spline_exactly():
    tie_points = bent_tie_points()
    rmse = {model: fit_tie_points(tie_points, model).rmse for model in ("affine", "poly2", "poly3", "tps")}
    assert rmse["affine"] > rmse["poly2"] > rmse["poly3"] > 0.4 > 1e-6 > rmse["tps"]
    spline = fit_tie_points(tie_points, "tps")
    assert np.abs(spline.residuals[~tie_points.enabled]).max() > 0.5  # the points it was not fitted to keep their errors


def brute_force_left_out(tie_points, model, radius):
    """Each enabled point's residual against the model fitted again without it and the points
    within ``radius`` of it: scipy's thin-plate spline for tps, ``fit_tie_points`` for the others."""
    left_out = np.full(tie_points.sar_xy.shape, np.nan)
    for index in np.flatnonzero(tie_points.enabled):
        others = tie_points.enabled & (np.linalg.norm(tie_points.optical_xy - tie_points.optical_xy[index], axis=1) > radius)
        others[index] = False
        if model == "tps":
            spline = RBFInterpolator(tie_points.sar_xy[others], tie_points.optical_xy[others], kernel="thin_plate_spline", degree=1)
            left_out[index] = spline(tie_points.sar_xy[index:index + 1])[0] - tie_points.optical_xy[index]
        else:
            without = TiePoints(tie_points.optical_xy, tie_points.sar_xy, tie_points.distance, tie_points.rejected_by, others)
            left_out[index] = fit_tie_points(without, model).residuals[index]
    return left_out


@pytest.mark.parametrize("model", ["affine", "homography", "poly2", "poly3", "tps"])
@pytest.mark.parametrize("radius", [0.0, 150.0])
def test_left_out_residuals_are_those_of_the_fit_to_the_points_farther_away(model, radius):
    tie_points = bent_tie_points(count=40, disabled=(5, 30))
    left_out = warp_residuals.left_out_residuals(model, tie_points.sar_xy, tie_points.optical_xy, tie_points.enabled, radius)
    expected = brute_force_left_out(tie_points, model, radius)
    assert np.array_equal(np.isnan(left_out), np.isnan(expected)) and np.isfinite(left_out[tie_points.enabled]).all()
    assert np.nanmax(np.abs(left_out - expected)) < 1e-6
    fit = fit_tie_points(tie_points, model)  # at LEFT_OUT_RADIUS_PX
    assert np.nanmax(np.abs(fit.left_out - brute_force_left_out(tie_points, model, warp_residuals.LEFT_OUT_RADIUS_PX))) < 1e-6
    assert fit.left_out_rmse == pytest.approx(transforms.rms(fit.left_out[tie_points.enabled]))
    assert fit.left_out_rmse > fit.rmse  # a point left out is predicted less well than a point fitted


def test_neighbours_that_share_an_error_do_not_vouch_for_each_other():
    """Pairs of tie points a few pixels apart, each pair off by its own 3 px (as neighbouring
    template matches over the same speckle are): left out alone, a point is predicted by its
    twin, and a spline looks exact; left out with its neighbours, the 3 px show."""
    rng = np.random.default_rng(5)
    sar = rng.uniform(0, 1500, (30, 2))
    sar = np.vstack([sar, sar + rng.uniform(-4, 4, sar.shape)])
    shared = np.tile(rng.normal(0, 3.0 / np.sqrt(2), (30, 2)), (2, 1))
    tie_points = TiePoints(sar + [20.0, 10.0] + shared, sar, np.full(60, 0.5), [""] * 60, np.ones(60, bool))
    alone = warp_residuals.left_out_residuals("tps", tie_points.sar_xy, tie_points.optical_xy, tie_points.enabled, 0.0)
    assert transforms.rms(alone) < 0.5
    assert fit_tie_points(tie_points, "tps").left_out_rmse > 2.5


def test_a_spline_is_judged_by_its_points_left_out():
    """Its fit RMSE is 0 whatever the points; left out in turn, a tie point moved 6 px off shows."""
    tie_points = bent_tie_points(count=60)
    before = fit_tie_points(tie_points, "tps").left_out_rmse
    tie_points.optical_xy[10] += [6.0, 0.0]
    after = fit_tie_points(tie_points, "tps")
    assert after.rmse < 1e-6 and after.left_out_rmse > before + 0.3
    assert np.argmax(np.linalg.norm(np.nan_to_num(after.left_out), axis=1)) == 10


def test_too_few_points_to_leave_one_out_give_no_figure():
    exact = fit_tie_points(bent_tie_points(count=3, disabled=()), "affine")  # 2 left cannot fix an affine transform
    assert exact.rmse < 1e-9 and exact.left_out is None and exact.left_out_rmse is None
    assert fit_tie_points(bent_tie_points(count=4, disabled=()), "affine").left_out_rmse > 0
    assert fit_tie_points(bent_tie_points(count=6, disabled=()), "poly2").left_out is None
    assert fit_tie_points(bent_tie_points(count=7, disabled=()), "poly2").left_out_rmse > 0


def test_two_enabled_points_at_one_sar_position_are_refused_for_a_spline_in_words():
    tie_points = bent_tie_points(count=20, disabled=())
    tie_points.sar_xy[7] = tie_points.sar_xy[3]
    with pytest.raises(RegistrationError, match="same place in the SAR raster") as refused:
        fit_tie_points(tie_points, "tps")
    assert "Disable one of the two" in refused.value.fix
    assert fit_tie_points(tie_points, "affine").left_out_rmse > 0  # a least-squares model takes both


def test_a_homography_of_many_points_is_refitted_without_a_sample_of_them(monkeypatch):
    """Fitted again without each of at most REFITS points spread over the list (1000: 0.3 s), the
    others left out of the figure, not guessed."""
    from plugin.core import warp_residuals

    tie_points = bent_tie_points(count=40, disabled=(5, 30))
    every = fit_tie_points(tie_points, "homography").left_out
    monkeypatch.setattr(warp_residuals, "REFITS", 10)
    sampled = fit_tie_points(tie_points, "homography")
    refitted = np.isfinite(sampled.left_out[:, 0])
    assert refitted.sum() == 10 and np.allclose(sampled.left_out[refitted], every[refitted], atol=1e-9)
    assert sampled.left_out_rmse == pytest.approx(transforms.rms(every[refitted]))
