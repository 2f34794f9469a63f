"""Cuts the bundled sample (resources/sample/) from shared/data/s1s2-california, pair 201.

Pair 201 is in the held-out validation split (never trained on); it is flat (Irvine, CA, with an
airport), so the data's own optical/SAR alignment holds there.

- optical.tif: the Sentinel-2 RGB fragment, crop [x 128:896, y 128:896], EPSG:3395, exact georeferencing.
- sar.tif: the Sentinel-1 VH fragment, a crop of a different size and offset
  ([x 145:945, y 117:877], 800 x 760 px), whose georeferencing is deliberately wrong: shifted by
  (+34, -27) px and rotated by 2 degrees about its centre. Its pixels are untouched.
- truth.json: the true SAR -> optical pixel transform: the crop offset plus the pair's own
  residual misalignment. The data set calls its pairs co-registered, but Sentinel-1 GRD is not
  terrain-corrected and pair 201 is off by about (+5.2, +1.4) px (range direction mostly), which
  is measured here with OpenCV's phase correlation of gradient magnitudes over the sample window,
  a method independent of the registration engine (it agrees to 0.3 px with the engine's own
  finding on this pair).

    .venv/bin/python scripts/make_sample.py ../shared/data resources/sample
"""
import json
import os
import sys

import cv2
import numpy as np
from osgeo import gdal, osr

PAIR = "201.png"
OPTICAL_WINDOW = (128, 128, 768, 768)  # x, y, width, height in the 1024 x 1024 fragment
SAR_WINDOW = (145, 117, 800, 760)
GEOREF_SHIFT_PX = (34.0, -27.0)
GEOREF_ROTATION_DEG = 2.0


def fragment_geotransform(corners):
    (left, top), (right, _), (_, bottom), _ = corners
    return (left, (right - left) / 1024, 0.0, top, 0.0, -(top - bottom) / 1024)


def corner_pixel_to_map(gt, col, row):
    return gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]


def affine_geotransform(pixel_to_map):
    """GDAL geotransform of a function (col, row) -> (X, Y) that is affine."""
    x0, y0 = pixel_to_map(0.0, 0.0)
    x1, y1 = pixel_to_map(1.0, 0.0)
    x2, y2 = pixel_to_map(0.0, 1.0)
    return (x0, x1 - x0, x2 - x0, y0, y1 - y0, y2 - y0)


def write(path, array, gt, wkt, description):
    bands = 1 if array.ndim == 2 else array.shape[2]
    ds = gdal.GetDriverByName("GTiff").Create(path, array.shape[1], array.shape[0], bands, gdal.GDT_Byte, ["COMPRESS=DEFLATE", "PREDICTOR=2"])
    ds.SetGeoTransform(gt)
    ds.SetProjection(wkt)
    ds.SetMetadataItem("TIFFTAG_IMAGEDESCRIPTION", description)
    ds.SetMetadataItem("TIFFTAG_COPYRIGHT", "Contains modified Copernicus Sentinel data [2020]")
    for b in range(bands):
        ds.GetRasterBand(b + 1).WriteArray(array if bands == 1 else array[:, :, b])
        if bands == 3:
            ds.GetRasterBand(b + 1).SetColorInterpretation((gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand)[b])
    ds = None


def intrinsic_offset(optical_grey, sar, window):
    """(dx, dy): where a SAR feature appears in the optical image, relative to the same pixel, by
    phase correlation of gradient magnitudes (OpenCV) over ``window`` (x, y, w, h)."""
    x, y, w, h = window

    def gradient_magnitude(image):
        image = cv2.GaussianBlur(image.astype(np.float32) / 255.0, (0, 0), 1.5)
        return np.hypot(cv2.Sobel(image, cv2.CV_32F, 1, 0), cv2.Sobel(image, cv2.CV_32F, 0, 1))[y : y + h, x : x + w]

    (dx, dy), response = cv2.phaseCorrelate(gradient_magnitude(sar), gradient_magnitude(optical_grey), cv2.createHanningWindow((w, h), cv2.CV_32F))
    return float(dx), float(dy), float(response)


def main(data_dir, out_dir):
    root = os.path.join(data_dir, "s1s2-california")
    meta = {m["fragment_filename"]: m for m in json.load(open(os.path.join(root, "metadata.json")))}[PAIR]
    gt = fragment_geotransform(meta["corners_EPSG:3395"])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3395)
    wkt = srs.ExportToWkt()
    optical = cv2.cvtColor(cv2.imread(os.path.join(root, "opt", PAIR)), cv2.COLOR_BGR2RGB)
    sar = cv2.imread(os.path.join(root, "sar", PAIR), cv2.IMREAD_GRAYSCALE)
    ox, oy, ow, oh = OPTICAL_WINDOW
    sx, sy, sw, sh = SAR_WINDOW
    optical_gt = affine_geotransform(lambda c, r: corner_pixel_to_map(gt, c + ox, r + oy))
    # SAR pixel centre p lies on optical-crop pixel centre p + offset (+ the pair's residual); the claimed position adds a
    # rotation about the SAR crop's centre and a shift.
    residual_dx, residual_dy, response = intrinsic_offset(cv2.cvtColor(optical, cv2.COLOR_RGB2GRAY), sar, OPTICAL_WINDOW)
    offset = np.array([sx - ox, sy - oy], float)
    centre = np.array([(sw - 1) / 2, (sh - 1) / 2])
    angle = np.deg2rad(GEOREF_ROTATION_DEG)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])

    def claimed(col, row):
        p = np.array([col - 0.5, row - 0.5])
        q = rotation @ (p - centre) + centre + offset + np.array(GEOREF_SHIFT_PX)
        return corner_pixel_to_map(optical_gt, q[0] + 0.5, q[1] + 0.5)

    os.makedirs(out_dir, exist_ok=True)
    write(os.path.join(out_dir, "optical.tif"), optical[oy : oy + oh, ox : ox + ow], optical_gt, wkt, "Sentinel-2A L1C RGB, 2020-11-04")
    write(os.path.join(out_dir, "sar.tif"), sar[sy : sy + sh, sx : sx + sw], affine_geotransform(claimed), wkt, "Sentinel-1A IW GRD VH, 2020-11-07")
    truth = {
        "sar_to_optical": [[1, 0, round(offset[0] + residual_dx, 3)], [0, 1, round(offset[1] + residual_dy, 3)], [0, 0, 1]],
        "crop_offset_px": offset.tolist(),
        "pair_residual_px": {"dx": round(residual_dx, 3), "dy": round(residual_dy, 3), "phase_correlation_response": round(response, 3),
                             "how": "OpenCV phaseCorrelate of gradient magnitudes (Gaussian 1.5 px) over the optical window; "
                                    "the data set's pairs are co-registered only to a few px (Sentinel-1 GRD is not terrain-corrected)"},
        "convention": "OpenCV pixel centres: x = column, y = row, (0, 0) = centre of the top-left pixel",
        "georeferencing_error": {"shift_px": GEOREF_SHIFT_PX, "rotation_deg": GEOREF_ROTATION_DEG, "about": "centre of sar.tif"},
        "source": f"shared/data/s1s2-california fragment {PAIR}: optical window {OPTICAL_WINDOW}, SAR window {SAR_WINDOW} (x, y, w, h)",
    }
    with open(os.path.join(out_dir, "truth.json"), "w") as handle:
        json.dump(truth, handle, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:3])
