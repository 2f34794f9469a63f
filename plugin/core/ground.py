"""Residuals on the ground: a fit's errors in metres, as a surveyor states an accuracy.

The fit works in the optical raster's pixels. A pixel's size on the ground is not its size in map
units where the CRS is geographic (degrees) or distorts distances (web Mercator's metres are
1/cos(latitude) ground metres), so each residual is measured where it lies: both ends taken to
latitude and longitude on the CRS's own ellipsoid, and the short step between them measured there
(meridian and prime-vertical radii of curvature; for steps of a few pixels the error of this is
far below a millimetre).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from osgeo import osr

from .errors import RegistrationError
from .raster_io import crs_transformation, pixel_to_map, spatial_reference


def ground_lengths_m(geotransform, crs_wkt: Optional[str], xy: np.ndarray, steps: np.ndarray) -> Optional[np.ndarray]:
    """Lengths in metres on the ground of ``steps`` (N x 2, pixels of a raster with ``geotransform``
    and CRS ``crs_wkt``) taken from the pixel positions ``xy`` (N x 2, OpenCV pixel centres); None
    when the raster is not georeferenced (no geotransform or no CRS), or its CRS cannot say (a CRS
    that PROJ cannot take to latitude and longitude). On a local or engineering grid (a site's own
    coordinates, no ellipsoid) the grid's units are taken as lying on the ground."""
    if geotransform is None or not crs_wkt:
        return None
    xy, steps = np.asarray(xy, float).reshape(-1, 2), np.asarray(steps, float).reshape(-1, 2)
    if not len(xy):
        return np.zeros(0)
    ends = np.vstack([pixel_to_map(geotransform, xy), pixel_to_map(geotransform, xy + steps)])
    crs = spatial_reference(crs_wkt)
    geographic = crs.CloneGeogCS()
    if geographic is None:  # a local grid, or not a CRS at all
        units = crs.GetLinearUnits() if crs.IsLocal() else 0.0
        return np.hypot(*(ends[len(xy):] - ends[: len(xy)]).T) * units if units > 0 else None
    geographic.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    try:
        to_degrees = crs_transformation(crs, geographic)  # None for a raster in latitude and longitude already
        degrees = ends if to_degrees is None else np.array(to_degrees.TransformPoints(ends.tolist()), float)[:, :2]
    except (RegistrationError, RuntimeError):  # no way to latitude and longitude, or a point beyond the projection's edge
        return None
    lon_lat = np.radians(degrees)
    if not np.isfinite(lon_lat).all():
        return None
    (lon0, lat0), (lon1, lat1) = lon_lat[: len(xy)].T, lon_lat[len(xy):].T
    a = geographic.GetSemiMajor()
    inverse_flattening = geographic.GetInvFlattening()
    e2 = 0.0 if inverse_flattening == 0 else (2 - 1 / inverse_flattening) / inverse_flattening
    latitude = (lat0 + lat1) / 2
    w = np.sqrt(1 - e2 * np.sin(latitude) ** 2)
    meridian, prime_vertical = a * (1 - e2) / w**3, a / w
    d_lon = (lon1 - lon0 + np.pi) % (2 * np.pi) - np.pi
    return np.hypot((lat1 - lat0) * meridian, d_lon * prime_vertical * np.cos(latitude))


def residuals_m(optical, tie_points, fit) -> Optional[np.ndarray]:
    """Each tie point's residual against ``fit`` in metres on the ground, measured where it lies in
    the ``optical`` raster (``ground_lengths_m``; None where that cannot say)."""
    return ground_lengths_m(optical.geotransform, optical.crs_wkt, tie_points.optical_xy, fit.residuals)


def rmse_m(result) -> Optional[float]:
    """The fit's RMSE (over the enabled tie points, as ``Fit.rmse``) in metres on the ground; None
    when the optical raster is not georeferenced or no point is enabled."""
    return rms_of_enabled(residuals_m(result.optical, result.tie_points, result.fit), result.tie_points.enabled)


def left_out_rmse_m(result) -> Optional[float]:
    """``Fit.left_out_rmse`` (each enabled tie point against the fit without it and its neighbours) in metres on
    the ground; None where that figure is None or the optical raster cannot say (``ground_lengths_m``)."""
    left_out = result.fit.left_out
    if left_out is None:
        return None
    kept = np.isfinite(left_out[:, 0])
    lengths = ground_lengths_m(result.optical.geotransform, result.optical.crs_wkt, result.tie_points.optical_xy[kept], left_out[kept])
    return rms_of_enabled(lengths, np.ones(int(kept.sum()), bool))


def rms_of_enabled(lengths: Optional[np.ndarray], enabled) -> Optional[float]:
    """``rmse_m`` from residuals on the ground worked out already (``residuals_m``): their RMS over
    the ``enabled`` tie points; None when there are none, or no lengths."""
    enabled = np.asarray(enabled, bool)
    if lengths is None or not enabled.any():
        return None
    return float(np.sqrt(np.mean(lengths[enabled] ** 2)))


def metres_text(metres: float) -> str:
    """``metres`` as the summaries show it: "5.1 m"."""
    return f"{metres:.1f} m" if metres < 1000 else f"{metres:.0f} m"


def rmse_words(pixels: float, metres: Optional[float]) -> str:
    """An RMSE as the command line and the batch log show it: "0.62 px (5.1 m on the ground)", or
    "0.62 px" where ``metres`` is None (an optical raster that is not georeferenced)."""
    return f"{pixels:.2f} px" + ("" if metres is None else f" ({metres_text(metres)} on the ground)")


def rmse_text(result) -> str:
    """The fit's RMSE of ``result`` in words (``rmse_words``), and the left-out RMSE where there is
    one: "0.62 px (5.1 m on the ground), 0.68 px (5.6 m on the ground) with each point and its neighbours left out"."""
    text = rmse_words(result.fit.rmse, rmse_m(result))
    left_out = result.fit.left_out_rmse
    return text if left_out is None else f"{text}, {rmse_words(left_out, left_out_rmse_m(result))} with each point and its neighbours left out"
