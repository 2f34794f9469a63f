"""Residuals of the transform the registered SAR is written with, and of each tie point left out.

``outputs.write_warped_sar`` writes the SAR with GDAL: affine and homography through the fitted
3 x 3 matrix, poly2 and poly3 as GDAL's least-squares polynomial of that order through the enabled
tie points, tps as GDAL's thin-plate spline, which passes through every one of them. A tie point's
residual is the one of that model (``model_residuals``), so that what the dock, the layers and the
report show is the error of the raster written, not of an affine fit beside it.

The residuals of the points a model was fitted to understate its error, the more so the more
freely it bends: a thin-plate spline's are all zero. ``left_out_residuals`` gives each enabled
tie point's residual against the same model fitted to all the *other* enabled points
(leave-one-out cross-validation), a check independent of the point itself, as a surveyor's check
points are: for a least-squares model from its hat matrix, for a thin-plate spline by Rippa's
formula (both exact, one fit each), for a homography by fitting again without each point.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.spatial.distance import cdist

from . import transforms
from .errors import RegistrationError

POLYNOMIAL_ORDER = {"affine": 1, "poly1": 1, "poly2": 2, "poly3": 3}  # GDAL's complete polynomials (outputs.warp_options)
REFITS = 1000  # a homography is fitted again without each of at most this many points (``_refitted_left_out``)
DEGENERATE = 1e-9  # a hat-matrix leverage this close to 1 (or a spline's pivot this close to 0): the point alone fixes the fit there


def model_residuals(model: str, matrix: np.ndarray, sar_xy: np.ndarray, optical_xy: np.ndarray, enabled: np.ndarray) -> np.ndarray:
    """N x 2 residuals (predicted optical - measured optical, optical pixels) of every tie point
    against ``model`` fitted to the ``enabled`` ones; ``matrix`` is the 3 x 3 fit that affine and
    homography are written with."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    enabled = np.asarray(enabled, bool)
    if model in ("poly2", "poly3"):
        scaling = _scaling(sar_xy[enabled])
        design = _monomials(sar_xy[enabled], POLYNOMIAL_ORDER[model], scaling)
        coefficients, *_ = np.linalg.lstsq(design, optical_xy[enabled], rcond=None)
        return _monomials(sar_xy, POLYNOMIAL_ORDER[model], scaling) @ coefficients - optical_xy
    if model == "tps":
        return _spline(sar_xy[enabled], optical_xy[enabled]).at(sar_xy) - optical_xy
    return transforms.residuals(matrix, sar_xy, optical_xy)


def left_out_residuals(model: str, sar_xy: np.ndarray, optical_xy: np.ndarray, enabled: np.ndarray) -> Optional[np.ndarray]:
    """N x 2: each enabled tie point's residual against ``model`` fitted to the other enabled
    points (NaN for the points not enabled, and for a homography of more than ``REFITS`` points,
    for those not refitted); None where leaving a point out leaves too few to fit,
    or leaves the fit undetermined at that point."""
    sar_xy, optical_xy = np.asarray(sar_xy, np.float64), np.asarray(optical_xy, np.float64)
    enabled = np.asarray(enabled, bool)
    count = int(enabled.sum())
    if count - 1 < transforms.MINIMUM_POINTS[model]:
        return None
    sar, optical = sar_xy[enabled], optical_xy[enabled]
    if model in POLYNOMIAL_ORDER:
        left_out = _least_squares_left_out(_monomials(sar, POLYNOMIAL_ORDER[model], _scaling(sar)), optical)
    elif model == "tps":
        left_out = _spline(sar, optical).left_out()
    else:
        left_out = _refitted_left_out(sar, optical, model)
    if left_out is None or not np.isfinite(left_out).any() or np.isinf(left_out).any():
        return None
    every = np.full(sar_xy.shape, np.nan)
    every[enabled] = left_out
    return every


def _least_squares_left_out(design: np.ndarray, optical: np.ndarray) -> Optional[np.ndarray]:
    """A linear least-squares fit's leave-one-out residuals: its residual over 1 - the point's leverage."""
    q, _ = np.linalg.qr(design)
    leverage = np.sum(q ** 2, axis=1)
    if (1.0 - leverage < DEGENERATE).any():
        return None
    coefficients, *_ = np.linalg.lstsq(design, optical, rcond=None)
    return (design @ coefficients - optical) / (1.0 - leverage)[:, None]


def _refitted_left_out(sar: np.ndarray, optical: np.ndarray, model: str) -> Optional[np.ndarray]:
    """Each point's residual against the model fitted again without it: for at most ``REFITS``
    points spread through the list (NaN for the others), 0.3 s for 1000 points on 2 cores."""
    left_out = np.full_like(sar, np.nan)
    keep = np.ones(len(sar), bool)
    for index in np.unique(np.linspace(0, len(sar) - 1, min(len(sar), REFITS)).round().astype(int)):
        keep[index] = False
        try:
            matrix = transforms.fit_least_squares(sar[keep], optical[keep], model)
        except RegistrationError:  # the others lie on a line
            return None
        finally:
            keep[index] = True
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
    as GDAL's), solved once; ``at`` evaluates it, ``left_out`` gives Rippa's leave-one-out
    residuals from the inverse of the same system."""

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

    def left_out(self) -> Optional[np.ndarray]:
        pivots = np.diag(self.inverse)[: len(self.nodes)]
        if (np.abs(pivots) < DEGENERATE).any():
            return None
        return -self.coefficients[: len(self.nodes)] / pivots[:, None]
