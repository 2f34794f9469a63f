"""Will a registration fit in this machine's memory? Checked before any pixel is read, so that a
scene too large for the machine is refused with a clear message instead of the operating system
killing the process (QGIS with it) half-way.

The estimate is the peak resident memory measured by ``benchmarks/large_scene.py``
(``benchmarks/results/large-scene.md``): the engine works in the optical raster's grid (the SAR
is resampled into it), so the peak grows with the optical raster's pixels; the SAR raster adds
what reading and normalising it hold.
"""
from __future__ import annotations

from typing import Optional

from .errors import RegistrationError, template
from .dense_features import ON_DEMAND_PX
from .phase_congruency import WHOLE_IMAGE_PX

# Fitted to the measured peaks, with a few percent to spare (runs differ by up to 0.2 GiB): images
# whose dense features are held whole, to the 4096 px scene (2.82-3.11 GiB over four runs); larger
# ones, whose features are computed where fine matching reads them (``dense_features.ON_DEMAND_PX``),
# to the 6144 and 10980 px scenes (2.78-2.92 and 6.75-7.68 GiB, the higher with the SAR turned and
# scaled, large-scene-warped.md); both rasters the same size. How the bytes split between the two
# rasters is this module's estimate of what reading and normalising the SAR holds. At 2048 px and
# below the peak is phase congruency's, computed on the whole image (2.40 GiB at 2048 px).
BASE_BYTES = 1.25e9  # Python, PyTorch, GDAL and the networks, and what does not grow with the image
BYTES_PER_OPTICAL_PIXEL = 42.0  # the optical image, the resampled SAR, the keypoints' map, the search's levels, the output
BYTES_PER_WHOLE_FEATURES_PIXEL = 68.0  # dense features of both images held whole (64), and computing them
BYTES_PER_SAR_PIXEL = 20.0  # the SAR as read (float32 + mask), normalised, and its small gaps filled
BYTES_PER_WHOLE_IMAGE_PIXEL = 215.0  # and phase congruency's filter bank and FFTs, for an image computed in one piece
SELF_CHECK_BYTES_PER_OPTICAL_PIXEL = 20.0  # the self-check's moved SAR and its features (4096 px scene: 3.12 against 2.94 GiB)


def available_bytes() -> Optional[int]:
    """Memory the system can give this process now without swapping (Linux: ``MemAvailable``);
    None where it cannot be told, and then nothing is checked."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def estimated_bytes(optical_size, sar_size, self_check: bool = False) -> float:
    """Peak memory of registering rasters of these (width, height) sizes, in bytes: 1.61, 2.70, 3.43,
    3.59 and 8.72 GB for the 1024, 2048, 4096, 6144 and 10980 px scenes, measured at up to 1.25,
    2.61, 3.34, 3.13 and 8.25 GB."""
    optical_pixels, sar_pixels = optical_size[0] * optical_size[1], sar_size[0] * sar_size[1]
    whole = optical_pixels if max(optical_size) <= WHOLE_IMAGE_PX else 0
    per_optical_pixel = BYTES_PER_OPTICAL_PIXEL + (SELF_CHECK_BYTES_PER_OPTICAL_PIXEL if self_check else 0.0)
    if optical_pixels <= ON_DEMAND_PX:
        per_optical_pixel += BYTES_PER_WHOLE_FEATURES_PIXEL
    return BASE_BYTES + per_optical_pixel * optical_pixels + BYTES_PER_SAR_PIXEL * sar_pixels + BYTES_PER_WHOLE_IMAGE_PIXEL * whole


NEEDS_MEMORY = {  # whether the optical and the SAR raster are read only in part: check_memory's words
    (False, False): template("Registering these rasters needs about {needed} GiB of memory (the optical raster is {optical_width} x "
                             "{optical_height} px, the SAR raster {sar_width} x {sar_height} px), and {available} GiB is available."),
    (True, False): template("Registering these rasters needs about {needed} GiB of memory (the part of the optical raster it reaches is "
                            "{optical_width} x {optical_height} px, the SAR raster {sar_width} x {sar_height} px), and {available} GiB "
                            "is available."),
    (False, True): template("Registering these rasters needs about {needed} GiB of memory (the optical raster is {optical_width} x "
                            "{optical_height} px, the part of the SAR raster it reaches {sar_width} x {sar_height} px), and {available} "
                            "GiB is available."),
    (True, True): template("Registering these rasters needs about {needed} GiB of memory (the part of the optical raster it reaches is "
                           "{optical_width} x {optical_height} px, the part of the SAR raster it reaches {sar_width} x {sar_height} px), "
                           "and {available} GiB is available."),
}


def check_memory(optical_size, sar_size, self_check: bool = False, available: Optional[int] = None, parts=(False, False)) -> None:
    """Raises RegistrationError when registering rasters of these (width, height) sizes (with the
    self-check when asked) would need more memory than is available (``available_bytes()`` unless given).
    ``parts``: whether each size is only the part of the optical and of the SAR raster that is read
    (``pipeline.read_windows``)."""
    available = available_bytes() if available is None else available
    if available is None:
        return
    needed = estimated_bytes(optical_size, sar_size, self_check)
    if needed <= available:
        return
    side = _largest_clip_side(optical_size, sar_size, self_check, available)
    clip = (template("Clip both rasters to the area you need (Raster > Extraction > Clip Raster by Extent), about {side} x {side} px "
                     "of the optical raster at most, or close other programs and try again.") if side >= 256 else
            template("Close other programs to free memory and try again, or run it on a machine with more memory."))
    raise RegistrationError(
        NEEDS_MEMORY[tuple(bool(part) for part in parts)], clip, needed=f"{needed / 2**30:.1f}", available=f"{available / 2**30:.1f}",
        side=side, optical_width=optical_size[0], optical_height=optical_size[1], sar_width=sar_size[0], sar_height=sar_size[1])


def _largest_clip_side(optical_size, sar_size, self_check: bool, available: float) -> int:
    """The side of the largest square clip of the optical raster that fits, the SAR clipped to
    the same share of its area (0 when none does)."""
    def fits(share: float) -> bool:
        scaled = [tuple(max(1, int(n * share ** 0.5)) for n in size) for size in (optical_size, sar_size)]
        return estimated_bytes(*scaled, self_check) <= available

    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return int((low * optical_size[0] * optical_size[1]) ** 0.5)
