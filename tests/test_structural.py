"""The guided matcher's structural stages: CFOG features, sub-pixel template matching and the
correlation prior of pixel-space pairs, on synthetic images with known shifts (seeded)."""
import cv2
import numpy as np

from plugin.core.georef import translated
from plugin.core.structural import cfog, match_templates, translation_by_correlation


def texture(shape, seed):
    """Blobs and edges at several scales, like a landscape."""
    rng = np.random.default_rng(seed)
    image = sum(cv2.resize(rng.random((shape[0] // s, shape[1] // s)).astype(np.float32), shape[::-1], interpolation=cv2.INTER_CUBIC)
                for s in (4, 8, 16))
    return (image - image.min()) / np.ptp(image)


def sar_like(image, shift, seed):
    """``image`` shifted by ``shift`` (sub-pixel), contrast reversed, with multiplicative speckle:
    a point p of the optical image is at p - shift in the result."""
    rng = np.random.default_rng(seed)
    matrix = np.float32([[1, 0, -shift[0]], [0, 1, -shift[1]]])
    moved = cv2.warpAffine(image, matrix, image.shape[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    return ((1.0 - moved) * rng.gamma(8.0, 1 / 8.0, moved.shape)).astype(np.float32)


def test_cfog_is_normalised_and_zero_outside_the_valid_area():
    image = texture((120, 100), 0)
    valid = np.ones(image.shape, bool)
    valid[:, :20] = False
    features = cfog(image, valid)
    assert features.shape == (120, 100, 8) and features.dtype == np.float32
    norms = np.linalg.norm(features, axis=-1)
    assert np.all(features[:, :20] == 0)
    np.testing.assert_allclose(norms[10:-10, 30:-10], 1.0, atol=1e-3)


def test_template_matching_finds_a_subpixel_shift_across_contrast_reversal_and_speckle():
    optical = texture((300, 300), 1)
    shift = np.array([3.4, -2.7])  # SAR pixel = optical pixel - shift
    sar = sar_like(optical, shift, 2)
    valid = np.ones(optical.shape, bool)
    rng = np.random.default_rng(3)
    optical_xy = rng.uniform(50, 250, (60, 2))
    predicted = optical_xy - shift + rng.uniform(-6, 6, (60, 2))  # a coarse prediction, off by up to 6 px
    positions, found = match_templates(cfog(optical, valid), cfog(sar, valid), optical_xy, predicted)
    assert found.mean() > 0.9
    offsets = positions[found] - (optical_xy[found] - shift)
    error = np.linalg.norm(offsets, axis=1)
    # Each point to well under a pixel, and no bias: a transform fitted to many is far better.
    assert np.median(error) < 0.5 and np.mean(error < 1.0) > 0.9, (np.median(error), np.mean(error < 1.0))
    assert np.all(np.abs(offsets.mean(axis=0)) < 0.15), offsets.mean(axis=0)


def test_template_matching_reports_no_match_at_the_border_or_outside_the_valid_area():
    optical = texture((200, 200), 4)
    valid = np.ones(optical.shape, bool)
    sar_valid = valid.copy()
    sar_valid[:, 100:] = False
    features = cfog(optical, valid)
    xy = np.array([[5.0, 100.0], [150.0, 100.0], [60.0, 100.0]])
    positions, found = match_templates(features, cfog(optical, sar_valid), xy, xy)
    assert found.tolist() == [False, False, True]
    np.testing.assert_allclose(positions[2], xy[2], atol=0.05)
    np.testing.assert_allclose(positions[:2], xy[:2])  # not found: the prediction is returned unchanged


def test_correlation_recovers_an_integer_shift_and_its_peak_stands_out():
    optical = texture((260, 300), 5)
    valid = np.ones(optical.shape, bool)
    sar = sar_like(optical, np.array([23.0, -17.0]), 6)
    shift, distinct = translation_by_correlation(cfog(optical, valid), valid, cfog(sar, valid), valid)
    np.testing.assert_allclose(shift, [23, -17], atol=1)
    unrelated = sar_like(texture((260, 300), 7), np.zeros(2), 8)
    _, distinct_unrelated = translation_by_correlation(cfog(optical, valid), valid, cfog(unrelated, valid), valid)
    assert distinct > 1.5 > distinct_unrelated, (distinct, distinct_unrelated)


def test_translated_alignment_moves_without_resampling_and_maps_back():
    rng = np.random.default_rng(9)
    sar = rng.random((50, 60)).astype(np.float32)
    aligned = translated(sar, np.ones(sar.shape, bool), (70, 40), (7, -5))
    assert aligned.predicted and not aligned.from_georeferencing
    assert aligned.sar_image.shape == (70, 40)
    assert aligned.sar_image[10, 20] == sar[15, 13]  # optical (x=20, y=10) = SAR (13, 15) + (7, -5)
    assert not aligned.sar_valid[:, :7].any() and aligned.sar_valid[0, 7] and not aligned.sar_valid[45:].any()
    np.testing.assert_allclose(aligned.grid_to_sar(np.array([[20.0, 10.0]])), [[13.0, 15.0]])
