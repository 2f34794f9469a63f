"""Training labels refined by the pairs' own structure: the SAR window of a keypoint is cut at the
offset CFOG template matching measures there, so a pair co-registered only to a few pixels does
not teach the descriptor wrong correspondences. Synthetic pairs with known offsets (seeded)."""
import cv2
import numpy as np

from tests.test_structural import sar_like, texture
from training.patch_pairs import ImagePair, build_patch_set, cut_windows, measured_offsets, pair_windows


def grid_points(shape, step=32, margin=60):
    ys, xs = np.mgrid[margin : shape[0] - margin : step, margin : shape[1] - margin : step]
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def test_measured_offsets_recover_a_known_sub_pixel_misalignment():
    optical = texture((256, 256), 3)
    shift = np.array([3.4, -2.3])  # optical point p is at p - shift in the SAR
    points = grid_points(optical.shape)
    offsets = measured_offsets(optical, sar_like(optical, shift, 4), points)
    assert np.isfinite(offsets).all()
    np.testing.assert_allclose(offsets, np.broadcast_to(-shift, offsets.shape), atol=0.5)


def test_offsets_are_not_guessed_where_nothing_can_be_measured():
    optical = texture((256, 256), 5)
    flat = np.full(optical.shape, 0.5, np.float32)
    assert np.isnan(measured_offsets(optical, flat, grid_points(optical.shape))).all()


def write_pair(folder, shift):
    optical = (texture((320, 320), 7) * 255).astype(np.uint8)
    sar = np.roll(optical, (shift[1], shift[0]), axis=(0, 1))  # whole pixels: optical p is at p + shift in the SAR
    paths = [str(folder / "pair_opt.png"), str(folder / "pair_sar.png")]
    for path, image in zip(paths, (optical, sar)):
        cv2.imwrite(path, image)
    return ImagePair("test/pair", *paths)


def test_refined_windows_show_the_same_ground_and_record_their_offset(tmp_path):
    pair = write_pair(tmp_path, (5, -3))
    optical, sar, xy, offset = pair_windows(pair, 96, 60, refine=True)
    assert len(xy) > 10
    np.testing.assert_array_equal(offset, np.broadcast_to([5, -3], offset.shape))
    np.testing.assert_array_equal(sar, optical)  # an exact copy, shifted by whole pixels
    identity_optical, identity_sar, _, identity_offset = pair_windows(pair, 96, 60, refine=False)
    assert not identity_offset.any() and not np.array_equal(identity_sar, identity_optical)


def test_patch_cache_keeps_refined_and_identity_labels_apart(tmp_path):
    pair = write_pair(tmp_path, (4, 2))
    cache = str(tmp_path / "patches.npz")
    refined = build_patch_set([pair], 96, 60, cache, refine=True)
    identity = build_patch_set([pair], 96, 60, cache, refine=False)  # same file: the key must force a rebuild
    assert refined["offset"].any() and not identity["offset"].any()
    assert str(build_patch_set([pair], 96, 60, cache, refine=False)["key"]) == str(identity["key"])


def test_window_sizes_can_share_their_keypoints_for_a_fair_patch_size_comparison(tmp_path):
    pair = write_pair(tmp_path, (4, 2))
    small = build_patch_set([pair], 96, 60, str(tmp_path / "w96.npz"), refine=True)
    large = build_patch_set([pair], 144, 60, str(tmp_path / "w144.npz"), refine=True, keypoint_window=96)
    np.testing.assert_array_equal(large["xy"], small["xy"])
    np.testing.assert_array_equal(large["offset"], small["offset"])
    np.testing.assert_array_equal(large["optical"][:, 24:120, 24:120], small["optical"])  # the same ground at the centre
    alone = build_patch_set([pair], 144, 60, str(tmp_path / "w144.npz"), refine=True)  # its own keypoints: key differs
    assert len(alone["xy"]) < len(large["xy"])


def test_a_window_past_the_image_edge_is_zero_there_as_the_engine_pads():
    image = np.arange(1, 101, dtype=np.float32).reshape(10, 10)
    windows = cut_windows(image, np.array([[5, 5], [1, 8]]), 6)
    np.testing.assert_array_equal(windows[0], image[2:8, 2:8])
    np.testing.assert_array_equal(windows[1][:, :2], 0)  # columns -2 and -1
    np.testing.assert_array_equal(windows[1][-1], 0)  # row 10
    np.testing.assert_array_equal(windows[1][:5, 2:], image[5:10, 0:4])
