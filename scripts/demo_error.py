"""Prints how far the registration's SAR -> optical transform is from the known truth.

The error is measured at every point of a 20 x 20 grid over the SAR image (pixels): RMS and
maximum distance between where the estimate and the truth put each point. Exits 1 when the
RMS error exceeds --max-error.

    python scripts/demo_error.py resources/sample/truth.json out/demo/matches.json --max-error 1.5
"""
import argparse
import json
import sys

import numpy as np
from osgeo import gdal


def apply(matrix, xy):
    h = np.hstack([xy, np.ones((len(xy), 1))]) @ np.asarray(matrix, float).T
    return h[:, :2] / h[:, 2:3]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("truth")
    parser.add_argument("matches")
    parser.add_argument("--sar", default="resources/sample/sar.tif")
    parser.add_argument("--max-error", type=float, default=1.5)
    args = parser.parse_args()
    truth = json.load(open(args.truth))["sar_to_optical"]
    report = json.load(open(args.matches))
    sar = gdal.Open(args.sar)
    xs, ys = np.meshgrid(np.linspace(0, sar.RasterXSize - 1, 20), np.linspace(0, sar.RasterYSize - 1, 20))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
    error = np.linalg.norm(apply(report["transform"]["sar_to_optical"], grid) - apply(truth, grid), axis=1)
    rms, worst = float(np.sqrt(np.mean(error**2))), float(error.max())
    inliers = sum(report["inlier"])
    print(f"registration error against the known truth: RMS {rms:.2f} px, max {worst:.2f} px over the SAR image "
          f"({inliers} tie points, {report['transform']['model']}, {sum(report['timing_s'].values()):.1f} s)")
    if rms > args.max_error:
        print(f"FAIL: RMS error {rms:.2f} px exceeds {args.max_error} px", file=sys.stderr)
        return 1
    print(f"OK: under {args.max_error} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
