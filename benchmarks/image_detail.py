"""How much detail the data's images carry, per SAR sensor: why some sensors' pairs cannot be
registered to the pixel however good the matcher.

    python -m benchmarks.image_detail --data ../shared/data --out benchmarks/results/image-detail.md

Two measurements per image, both independent of the engine:
- **correlation length**: the shift (px) at which the image's autocorrelation (mean removed, by
  FFT) falls to 0.5, the mean of the x and y directions. Speckle-free sharp imagery is a pixel or
  two; an image blurred or enlarged from a coarser grid is many.
- **run length**: the mean length (px) of the runs of equal pixels along the rows. An image
  enlarged from a coarser grid by nearest-neighbour resampling is made of blocks about as wide as
  the enlargement factor; natural 8-bit imagery repeats few pixels (runs of about 1 px).

Every image of the data (training and validation) is measured; nothing is set from it.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections import defaultdict

import cv2
import numpy as np

from training.export import commit_at_start as git_commit
from training.label_offsets import group_of
from training.patch_pairs import list_pairs

from .results_file import write_results


def correlation_length(image: np.ndarray) -> float:
    """Mean over x and y of the shift at which the autocorrelation first falls to 0.5 (linear
    interpolation between whole shifts); the image's whole width if it never does."""
    values = image.astype(np.float64) - image.mean()
    rows, cols = values.shape
    spectrum = np.fft.rfft2(values, (2 * rows, 2 * cols))  # zero padding: a linear, not circular, correlation
    correlation = np.fft.irfft2(spectrum * np.conj(spectrum), (2 * rows, 2 * cols))
    if correlation[0, 0] <= 0:
        return float("nan")
    correlation /= correlation[0, 0]
    lengths = []
    for profile in (correlation[0, :cols], correlation[:rows, 0]):
        below = np.flatnonzero(profile < 0.5)
        if not len(below):
            lengths.append(float(len(profile)))
            continue
        k = below[0]
        lengths.append(k - 1 + (profile[k - 1] - 0.5) / (profile[k - 1] - profile[k]))
    return float(np.mean(lengths))


def run_length(image: np.ndarray) -> float:
    """Mean length of the runs of equal pixels along the rows."""
    runs = image.shape[0] + np.count_nonzero(image[:, 1:] != image[:, :-1])
    return image.size / runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "image-detail.md"))
    args = parser.parse_args(argv)
    train, validation = list_pairs(args.data)
    measured = defaultdict(list)
    for pair in train + validation:
        optical = cv2.imread(pair.optical_path, cv2.IMREAD_GRAYSCALE)
        sar = cv2.imread(pair.sar_path, cv2.IMREAD_GRAYSCALE)
        measured[group_of(pair.name)].append((correlation_length(optical), correlation_length(sar),
                                               run_length(optical), run_length(sar), sar.shape))
    lines = ["# How much detail the data's images carry, per SAR sensor", "",
             f"Command: `python -m benchmarks.image_detail {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; date: {datetime.date.today()}. Every pair of the data (training and validation), "
             "8-bit grey as stored (colour optical images as OpenCV's luminance).", "",
             "Correlation length: the shift (px) at which an image's autocorrelation falls to 0.5 (mean of x and y). "
             "Run length: the mean length of the runs of equal pixels along the rows (the blocks left by enlarging a "
             "coarser image with nearest-neighbour resampling are about as wide as the enlargement). Medians over the sensor's pairs.", "",
             "| SAR sensor | pairs | image size px | optical correlation length px | SAR correlation length px | SAR / optical | "
             "optical run length px | SAR run length px |",
             "|---|---|---|---|---|---|---|---|"]
    for sensor in sorted(measured):
        table = measured[sensor]
        optical_length, sar_length = np.median([t[0] for t in table]), np.median([t[1] for t in table])
        ratio = np.median([t[1] / t[0] for t in table])
        sizes = sorted({f"{t[4][1]} x {t[4][0]}" for t in table})
        lines.append(f"| {sensor} | {len(table)} | {', '.join(sizes[:2])}{' ...' if len(sizes) > 2 else ''} | {optical_length:.1f} | "
                     f"{sar_length:.1f} | {ratio:.1f} | {np.median([t[2] for t in table]):.1f} | {np.median([t[3] for t in table]):.1f} |")
    write_results(args.out, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
