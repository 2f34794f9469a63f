"""The registration engine: numpy, torch, OpenCV, SciPy and GDAL only -- no Qt, no QGIS.

Typical use::

    from plugin.core import register, RegistrationOptions, outputs
    result = register("optical.tif", "sar.tif", RegistrationOptions(warp_model="affine"))
    outputs.write_warped_sar(result, "sar_registered.tif")
"""
from . import cpu_settings
from .errors import RegistrationCancelled, RegistrationError
from .pipeline import RegistrationOptions, RegistrationResult, TiePoints, fit_tie_points, register

__all__ = ["RegistrationError", "RegistrationCancelled", "RegistrationOptions", "RegistrationResult", "TiePoints", "fit_tie_points", "register"]
