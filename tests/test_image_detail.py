"""The data-detail measures of benchmarks/image_detail.py, on images whose answer is known."""
import cv2
import numpy as np

from benchmarks.image_detail import correlation_length, run_length


def test_run_length_is_the_block_width_of_a_nearest_neighbour_enlargement():
    rng = np.random.default_rng(0)
    coarse = rng.integers(0, 256, (40, 40), dtype=np.uint8)
    assert run_length(coarse) < 1.05
    for factor in (2, 3):
        enlarged = cv2.resize(coarse, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
        assert abs(run_length(enlarged) - factor) < 0.1, (factor, run_length(enlarged))


def test_correlation_length_grows_with_blur_and_is_short_for_speckle():
    rng = np.random.default_rng(1)
    noise = rng.random((200, 200)).astype(np.float32)
    assert correlation_length(noise) < 1.0
    lengths = [correlation_length(cv2.GaussianBlur(noise, (0, 0), sigma)) for sigma in (1.0, 2.0, 4.0)]
    assert lengths[0] < lengths[1] < lengths[2], lengths
    # A Gaussian-blurred white noise has a Gaussian autocorrelation of sigma * sqrt(2): half at 1.67 sigma.
    assert abs(lengths[1] - 1.67 * 2.0) < 0.5, lengths
