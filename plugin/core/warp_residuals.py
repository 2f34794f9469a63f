"""Residuals of the transform the registered SAR is written with, and of each tie point left out.

``outputs.write_warped_sar`` writes the SAR with GDAL: affine and homography through the fitted
3 x 3 matrix, poly2 and poly3 as GDAL's least-squares polynomial of that order through the enabled
tie points, tps as GDAL's thin-plate spline, which passes through every one of them. A tie point's
residual is the one of that model (``model_residuals``), so that what the dock, the layers and the
report show is the error of the raster written, not of an affine fit beside it.

The residuals of the points a model was fitted to understate its error, the more so the more
freely it bends: a thin-plate spline's are all zero. ``left_out_residuals`` gives each enabled
tie point's residual against the same model fitted to the enabled points more than
``LEFT_OUT_RADIUS_PX`` from it, a check independent of the point, as a surveyor's check points
are. Its neighbours are left out with it because tie points closer than a template's width were
matched on overlapping windows of the same speckle and share their errors: left out alone
(leave-one-out), a point is predicted by neighbours that err as it does. On the bundled sample,
against its truth over the SAR image, the affine fit is 1.13 px RMS off and the spline 1.42 px;
left out alone the spline looked best (0.27 px against the affine's 0.63), left out with the
points within 96 px the affine does (0.68 px against the spline's 0.76; ``benchmarks/README.md``).
Each figure is exact and takes one fit: for a least-squares model its normal equations less
the left-out points', for a thin-plate spline the block form of Rippa's formula; a homography is
fitted again without them.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from . import transforms
from .errors import RegistrationError

POLYNOMIAL_ORDER = {"affine": 1, "poly1": 1, "poly2": 2, "poly3": 3}  # GDAL's complete polynomials (outputs.warp_options)
LEFT_OUT_RADIUS_PX = 96.0  # optical pixels: a template's width at the default radius (2 x 48 + 1 px windows), less the centre
REFITS = 1000  # a homography is fitted again without each of at most this many points (``_refitted_left_out``)
DEGENERATE = 1e-9  # relative: a system this close to singular leaves the fit undetermined at the point left out


def residuals_and_left_out(model: str, matrix: np.ndarray, sar_xy: np.ndarray, optical_xy: np.ndarray, enabled: np.ndarray):
    """(``model_residuals``, ``left_out_residuals``) of the same tie points, what a fit reports
    (``pipeline.fit_tie_points``): a thin-plate spline is solved once for both."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    enabled = np.asarray(enabled, bool)
    spline = _spline(sar_xy[enabled], optical_xy[enabled]) if model == "tps" else None
    return (model_residuals(model, matrix, sar_xy, optical_xy, enabled, spline),
            left_out_residuals(model, sar_xy, optical_xy, enabled, spline=spline))


def model_residuals(model: str, matrix: np.ndarray, sar_xy: np.ndarray, optical_xy: np.ndarray, enabled: np.ndarray,
                    spline: Optional["_spline"] = None) -> np.ndarray:
    """N x 2 residuals (predicted optical - measured optical, optical pixels) of every tie point
    against ``model`` fitted to the ``enabled`` ones; ``matrix`` is the 3 x 3 fit that affine and
    homography are written with, ``spline`` the tps through the enabled ones where it is solved already."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    enabled = np.asarray(enabled, bool)
    if model in ("poly2", "poly3"):
        scaling = _scaling(sar_xy[enabled])
        design = _monomials(sar_xy[enabled], POLYNOMIAL_ORDER[model], scaling)
        coefficients, *_ = np.linalg.lstsq(design, optical_xy[enabled], rcond=None)
        return _monomials(sar_xy, POLYNOMIAL_ORDER[model], scaling) @ coefficients - optical_xy
    if model == "tps":
        return (spline or _spline(sar_xy[enabled], optical_xy[enabled])).at(sar_xy) - optical_xy
    return transforms.residuals(matrix, sar_xy, optical_xy)


def left_out_residuals(model: str, sar_xy: np.ndarray, optical_xy: np.ndarray, enabled: np.ndarray,
                       radius: float = LEFT_OUT_RADIUS_PX, spline: Optional["_spline"] = None) -> Optional[np.ndarray]:
    """N x 2: each enabled tie point's residual against ``model`` fitted to the enabled points
    more than ``radius`` optical pixels from it (0: to all the others). NaN for the points not
    enabled, for a point whose neighbourhood leaves too few points to fit (or leaves the fit
    undetermined there), and for a homography of more than ``REFITS`` points, for those not
    refitted; None where no point has a figure. ``spline``: as for ``model_residuals``."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    enabled = np.asarray(enabled, bool)
    if int(enabled.sum()) - 1 < transforms.MINIMUM_POINTS[model]:
        return None
    sar, optical = sar_xy[enabled], optical_xy[enabled]
    near = [sorted(set(found) | {index}) for index, found in enumerate(cKDTree(optical).query_ball_point(optical, radius))]
    if model in POLYNOMIAL_ORDER:
        left_out = _least_squares_left_out(_monomials(sar, POLYNOMIAL_ORDER[model], _scaling(sar)), optical, near)
    elif model == "tps":
        left_out = (spline or _spline(sar, optical)).left_out(near)
    else:
        left_out = _refitted_left_out(sar, optical, model, near)
    if not np.isfinite(left_out).any():
        return None
    every = np.full(sar_xy.shape, np.nan)
    every[enabled] = left_out
    return every


def _least_squares_left_out(design: np.ndarray, optical: np.ndarray, near) -> np.ndarray:
    """Each point's residual against the least-squares fit without its ``near`` points: the normal
    equations of all the points less those of the points left out, solved per point."""
    normal, right = design.T @ design, design.T @ optical
    left_out = np.full(optical.shape, np.nan)
    for index, out in enumerate(near):
        rows = design[out]
        kept = normal - rows.T @ rows
        if len(design) - len(out) < design.shape[1] or np.linalg.cond(kept) * DEGENERATE > 1.0:
            continue  # too few points left, or along a line: nothing fixes the fit at this point
        coefficients = np.linalg.solve(kept, right - rows.T @ optical[out])
        left_out[index] = design[index] @ coefficients - optical[index]
    return left_out


def _refitted_left_out(sar: np.ndarray, optical: np.ndarray, model: str, near) -> np.ndarray:
    """Each point's residual against the model fitted again without its ``near`` points: for at
    most ``REFITS`` points spread through the list (NaN for the others), 0.3 s for 1000 points on 2 cores."""
    left_out = np.full_like(sar, np.nan)
    for index in np.unique(np.linspace(0, len(sar) - 1, min(len(sar), REFITS)).round().astype(int)):
        keep = np.ones(len(sar), bool)
        keep[near[index]] = False
        if keep.sum() < transforms.MINIMUM_POINTS[model]:
            continue
        try:
            matrix = transforms.fit_least_squares(sar[keep], optical[keep], model)
        except RegistrationError:  # the others lie on a line
            continue
        left_out[index] = transforms.residuals(matrix, sar[index:index + 1], optical[index:index + 1])[0]
    return left_out


def _scaling(xy: np.ndarray):
    """Centre and scale that bring ``xy`` to about -1..1, so that cubic terms of pixel coordinates
    in the thousands keep their precision (a complete polynomial fits the same either way)."""
    centre = xy.mean(axis=0)
    return centre, max(float(np.abs(xy - centre).max()), 1.0)


def _monomials(xy: np.ndarray, order: int, scaling) -> np.ndarray:
    """The design matrix of a complete polynomial of ``order`` in x and y: 1, x, y, x^2, xy, y^2, ..."""
    centre, scale = scaling
    u, v = ((xy - centre) / scale).T
    return np.column_stack([u ** (degree - k) * v ** k for degree in range(order + 1) for k in range(degree + 1)])


class _spline:
    """The thin-plate spline through ``sar`` -> ``optical`` (kernel r^2 log r and an affine part,
    as GDAL's), solved once; ``at`` evaluates it, ``left_out`` gives the residuals of the splines
    through all but a set of points from the inverse of the same system."""

    def __init__(self, sar: np.ndarray, optical: np.ndarray):
        self.scaling = _scaling(sar)
        self.nodes = (sar - self.scaling[0]) / self.scaling[1]
        count = len(sar)
        system = np.zeros((count + 3, count + 3))
        system[:count, :count] = self._kernel(self.nodes)
        affine = _monomials(sar, 1, self.scaling)
        system[:count, count:], system[count:, :count] = affine, affine.T
        if len(np.unique(sar, axis=0)) < count:  # (points on one line are refused before: pipeline.fit_tie_points)
            raise RegistrationError("Two enabled tie points lie at the same place in the SAR raster: no thin-plate spline "
                                    "passes through both.", "Disable one of the two, or choose another transform.")
        self.inverse = np.linalg.inv(system)
        self.coefficients = self.inverse[:, :count] @ optical

    def _kernel(self, xy: np.ndarray) -> np.ndarray:
        squared = cdist(xy, self.nodes, "sqeuclidean")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(squared > 0, squared * np.log(squared) / 2, 0.0)

    def at(self, sar_xy: np.ndarray) -> np.ndarray:
        count = len(self.nodes)
        unit = (sar_xy - self.scaling[0]) / self.scaling[1]
        return self._kernel(unit) @ self.coefficients[:count] + _monomials(sar_xy, 1, self.scaling) @ self.coefficients[count:]

    def left_out(self, near) -> np.ndarray:
        """Each point's residual against the spline through all points but its ``near`` ones (Rippa's
        formula for a set: the errors of the left-out points are their block of the inverse, inverted,
        times their coefficients)."""
        count = len(self.nodes)
        left_out = np.full((count, 2), np.nan)
        for index, out in enumerate(near):
            if count - len(out) < transforms.MINIMUM_POINTS["tps"]:
                continue
            block = self.inverse[np.ix_(out, out)]
            if np.linalg.cond(block) * DEGENERATE > 1.0:
                continue  # the points left would fix no spline there (all on a line)
            errors = np.linalg.solve(block, self.coefficients[out])
            left_out[index] = -errors[out.index(index)]
        return left_out
