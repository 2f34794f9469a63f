"""The structural stages: CFOG features, sub-pixel template matching, the search for the
similarity at which both images correlate best, and resampling by it; on synthetic images with
known transforms (seeded)."""
import functools

import cv2
import numpy as np

from plugin.core import transforms
from plugin.core.georef import CoarseAlignment, warped
from plugin.core.similarity_search import finer_level_sizes, search_similarity, similarity_about
from plugin.core.structural import ScoreCache, cfog, match_templates


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


def test_cfog_is_the_orientation_channels_of_its_definition():
    """CFOG (Ye et al. 2019) written out orientation by orientation: |gradient . direction|,
    Gaussian blur, [1/4, 1/2, 1/4] across neighbouring orientations, unit length per pixel. The
    engine computes it by matrix products; the two must agree."""
    image = texture((90, 110), 15)
    valid = np.ones(image.shape, bool)
    valid[70:, :30] = False
    blurred = cv2.GaussianBlur(image, (0, 0), 0.8)
    gx, gy = cv2.Sobel(blurred, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(blurred, cv2.CV_32F, 0, 1, ksize=3)
    angles = np.arange(8) * np.pi / 8
    channels = cv2.GaussianBlur(np.stack([np.abs(gx * np.cos(a) + gy * np.sin(a)) for a in angles], axis=-1), (0, 0), 1.2)
    channels = 0.25 * np.roll(channels, 1, axis=-1) + 0.5 * channels + 0.25 * np.roll(channels, -1, axis=-1)
    channels /= np.linalg.norm(channels, axis=-1, keepdims=True) + 1e-6
    channels[~valid] = 0
    np.testing.assert_allclose(cfog(image, valid), channels, atol=1e-6)


def test_template_matching_finds_a_subpixel_shift_across_contrast_reversal_and_speckle():
    optical = texture((300, 300), 1)
    shift = np.array([3.4, -2.7])  # SAR pixel = optical pixel - shift
    sar = sar_like(optical, shift, 2)
    valid = np.ones(optical.shape, bool)
    rng = np.random.default_rng(3)
    optical_xy = rng.uniform(50, 250, (60, 2))
    predicted = optical_xy - shift + rng.uniform(-6, 6, (60, 2))  # a coarse prediction, off by up to 6 px
    positions, found, tried = match_templates(cfog(optical, valid), cfog(sar, valid), optical_xy, predicted)
    assert tried.all()
    assert found.mean() > 0.9
    offsets = positions[found] - (optical_xy[found] - shift)
    error = np.linalg.norm(offsets, axis=1)
    # Each point to well under a pixel, and no bias: a transform fitted to many is far better.
    assert np.median(error) < 0.5 and np.mean(error < 1.0) > 0.9, (np.median(error), np.mean(error < 1.0))
    assert np.all(np.abs(offsets.mean(axis=0)) < 0.15), offsets.mean(axis=0)


def test_a_second_pass_with_cached_scores_gives_exactly_what_matching_again_gives():
    """Fine matching's second pass reuses the first pass's scores (ScoreCache): the same numbers,
    so the same positions, to the bit, for windows inside the first pass's, and fresh matching
    for the rest (the windows that reach past it, and the points the first pass did not see)."""
    optical = texture((300, 300), 12)
    shift = np.array([2.3, -1.6])
    valid = np.ones(optical.shape, bool)
    optical_features, sar_features = cfog(optical, valid), cfog(sar_like(optical, shift, 13), valid)
    rng = np.random.default_rng(14)
    optical_xy = rng.uniform(50, 250, (80, 2))
    first = optical_xy[:50] - shift + rng.uniform(-3, 3, (50, 2))
    cache = ScoreCache()
    match_templates(optical_features, sar_features, optical_xy[:50], first, 24, 10, 0.2, cache)
    second = optical_xy - shift + rng.uniform(-8, 8, (80, 2))  # some windows inside the first's, some reaching past
    fresh = match_templates(optical_features, sar_features, optical_xy, second, 24, 4)
    reused = match_templates(optical_features, sar_features, optical_xy, second, 24, 4, cache=cache)
    assert 10 < cache.hits < 50
    for a, b in zip(fresh, reused):
        np.testing.assert_array_equal(a, b)


def test_template_matching_reports_no_match_at_the_border_or_outside_the_valid_area():
    optical = texture((200, 200), 4)
    valid = np.ones(optical.shape, bool)
    sar_valid = valid.copy()
    sar_valid[:, 100:] = False
    features = cfog(optical, valid)
    xy = np.array([[5.0, 100.0], [150.0, 100.0], [60.0, 100.0]])
    positions, found, tried = match_templates(features, cfog(optical, sar_valid), xy, xy)
    assert tried.tolist() == [False, False, True]
    assert found.tolist() == [False, False, True]
    np.testing.assert_allclose(positions[2], xy[2], atol=0.05)
    np.testing.assert_allclose(positions[:2], xy[:2])  # not found: the prediction is returned unchanged


def sar_like_warped(image, sar_to_optical, seed):
    """The SAR view of ``image`` under a known SAR -> optical transform: contrast reversed, speckled."""
    rng = np.random.default_rng(seed)
    moved = cv2.warpAffine(image, sar_to_optical[:2], image.shape[::-1], flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)
    return ((1.0 - moved) * rng.gamma(8.0, 1 / 8.0, moved.shape)).astype(np.float32)


def test_search_recovers_rotation_scale_and_shift_and_the_true_pair_scores_far_higher():
    optical = texture((300, 300), 5)
    valid = np.ones(optical.shape, bool)
    centre = np.array([149.5, 149.5])
    truth = np.eye(3)
    truth[:2, 2] = (23.0, -17.0)
    truth = truth @ similarity_about(-11.0, 1.12, centre)
    sar = sar_like_warped(optical, truth, 6)
    best = search_similarity(optical, valid, sar, valid, max_rotation_deg=20, max_scale=1.35)
    assert abs(best.rotation_deg + 11.0) < 1.0 and abs(np.log(best.scale / 1.12)) < 0.03, (best.rotation_deg, best.scale)
    assert transforms.corner_error(best.matrix(centre), truth, 300, 300) < 4.0
    unrelated = sar_like_warped(texture((300, 300), 7), np.eye(3), 8)
    assert search_similarity(optical, valid, unrelated, valid, 20, 1.35).score < 0.5 * best.score


def test_search_keeps_to_the_allowed_shift():
    optical = texture((200, 200), 9)
    valid = np.ones(optical.shape, bool)
    truth = np.eye(3)
    truth[:2, 2] = (60.0, 0.0)
    sar = sar_like_warped(optical, truth, 10)
    best = search_similarity(optical, valid, sar, valid, max_rotation_deg=0, max_scale=1.0, max_shift=20)
    assert np.all(np.abs(best.shift) <= 20 + 1e-9), best.shift
    found = search_similarity(optical, valid, sar, valid, max_rotation_deg=0, max_scale=1.0, max_shift=80)
    np.testing.assert_allclose(found.shift, (60, 0), atol=1.0)
    # The acceptance study's hard negatives: the best candidate away from the truth.
    wrong = search_similarity(optical, valid, sar, valid, max_rotation_deg=0, max_scale=1.0, max_shift=80, excluded=((60.0, 0.0), 25.0))
    assert np.hypot(*(wrong.shift - (60, 0))) > 25 and wrong.score < 0.5 * found.score, (wrong.shift, wrong.score, found.score)


def test_the_batched_search_finds_what_the_cpu_search_finds():
    """On a GPU the search's trials run batched in PyTorch (``device``); run here on the CPU, it
    must find the CPU search's candidate, with its z-score to float precision: under a rotation
    and scale, with a bounded shift and an excluded one, and with part of the SAR invalid."""
    import torch

    from plugin.core.structural import cfog_on

    optical = texture((300, 300), 5)
    valid = np.ones(optical.shape, bool)
    truth = np.eye(3)
    truth[:2, 2] = (23.0, -17.0)
    truth = truth @ similarity_about(-11.0, 1.12, np.array([149.5, 149.5]))
    sar = sar_like_warped(optical, truth, 6)
    sar_valid = valid.copy()
    sar_valid[:60] = False
    cpu = torch.device("cpu")
    for kwargs in ({"max_rotation_deg": 20, "max_scale": 1.35}, {"max_rotation_deg": 3, "max_scale": 1.05, "max_shift": 40},
                   {"max_rotation_deg": 20, "max_scale": 1.35, "excluded": ((23.0, -17.0), 30.0)}):
        on_cpu = search_similarity(optical, valid, sar, sar_valid, **kwargs)
        batched = search_similarity(optical, valid, sar, sar_valid, **kwargs, device=cpu)
        assert (batched.rotation_deg, batched.scale) == (on_cpu.rotation_deg, on_cpu.scale), kwargs
        np.testing.assert_array_equal(batched.shift, on_cpu.shift)
        assert abs(batched.score - on_cpu.score) < 1e-4 * abs(on_cpu.score), (batched.score, on_cpu.score)
    features = cfog_on(torch.from_numpy(sar)[None], torch.from_numpy(sar_valid)[None])[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(features, cfog(sar, sar_valid), atol=1e-5)


@functools.lru_cache(maxsize=1)
def turned_large_image():
    """(optical, SAR, truth, centre): a 3072 px texture and its SAR-like copy, shifted by (31, -22)
    px and turned by 0.45 degrees and scaled by 1.012 about the centre (the truth, SAR -> optical)."""
    size = 3072
    optical = texture((size, size), 11)
    centre = np.array([(size - 1) / 2] * 2)
    truth = np.eye(3)
    truth[:2, 2] = (31.0, -22.0)
    truth = truth @ similarity_about(0.45, 1.012, centre)
    return optical, sar_like_warped(optical, truth, 12), truth, centre


def test_search_on_a_large_image_goes_on_to_finer_levels_and_stays_precise():
    """A 3072 px image searched only at 256 px had its best candidate 25 px from the truth at a
    corner (12 image pixels per level pixel), past fine matching's +-10 px window; the finer levels
    bring it to a 1024 px image's precision. Images up to 1024 px are searched as before."""
    assert finer_level_sizes(256) == finer_level_sizes(1024) == []
    assert finer_level_sizes(3072) == [512, 768] and finer_level_sizes(10980) == [512, 1024, 2048, 2745]
    optical, sar, truth, centre = turned_large_image()
    size, valid = len(optical), np.ones(optical.shape, bool)
    best = search_similarity(optical, valid, sar, valid, max_rotation_deg=10, max_scale=1.1, max_shift=100)
    assert transforms.corner_error(best.matrix(centre), truth, size, size) < 5.0, best  # measured 3.9 with the grid walk, 0.04 with block shifts
    # and the finer levels keep to the range asked for
    fixed = search_similarity(optical, valid, sar, valid, max_rotation_deg=0, max_scale=1.0, max_shift=100)
    assert fixed.rotation_deg == 0 and fixed.scale == 1.0, fixed


def test_a_finer_level_walks_its_grid_onto_the_best_rotation_and_scale():
    """A coarser level's choice can lie several of the finer level's steps from the best; the
    finer level moves its 3 x 3 grid until the best is in the middle, trying each point once."""
    from plugin.core.similarity_search import Candidate, _pattern_search

    class Scores:
        calls = []

        def candidate(self, rotation_deg, scale, shift, centre):
            self.calls.append((round(rotation_deg, 9), round(scale, 9)))
            score = -((rotation_deg - 0.3) / 0.222) ** 2 - (np.log(scale / 1.01) / 0.0067) ** 2
            return Candidate(score, rotation_deg, scale, shift + 1.0)

    grid = Scores()
    # the 512 px level of the 10980 px scene: the 256 px level chose 0 degrees and 1.028 for 0.3 and 1.01
    best = _pattern_search(grid, Candidate(0.0, 0.0, 1.028, np.zeros(2)), 0.222, 0.0067, np.zeros(2))
    assert abs(best.rotation_deg - 0.3) <= 0.111 and abs(np.log(best.scale / 1.01)) <= 0.0034, best
    assert len(grid.calls) == len(set(grid.calls))
    np.testing.assert_array_equal(best.shift, [1.0, 1.0])  # each trial starts from the start's shift


def test_warped_alignment_resamples_by_the_coarse_transform_and_maps_back():
    rng = np.random.default_rng(11)
    image = cv2.GaussianBlur(rng.random((80, 90)).astype(np.float32), (0, 0), 2)
    coarse = np.eye(3)
    coarse[:2, 2] = (7, -5)
    coarse = coarse @ similarity_about(4.0, 1.05, np.array([44.5, 39.5]))
    original = CoarseAlignment(image, np.ones(image.shape, bool), False, lambda xy: np.asarray(xy) + (100.0, 200.0))
    aligned = warped(original, coarse, (70, 120))
    assert aligned.predicted and aligned.sar_image.shape == (70, 120)
    point = np.array([[40.0, 30.0]])
    back = transforms.apply(np.linalg.inv(coarse), point)
    np.testing.assert_allclose(aligned.grid_to_sar(point), back + (100.0, 200.0))
    x, y = back[0]
    assert abs(aligned.sar_image[30, 40] - cv2.getRectSubPix(image, (1, 1), (x, y))[0, 0]) < 0.02
    assert not aligned.sar_valid[:, 108:].any() and aligned.sar_valid[:, 20:90].all()  # beyond the resampled SAR's footprint


def test_finer_levels_correct_rotation_and_scale_from_block_shifts(monkeypatch):
    """On a large image the finer levels measure the shift left over in blocks of the resampled
    SAR and fit one similarity to them, instead of walking a grid of rotations and scales (at least
    9 resamplings per level); the grid walk is only the fallback, and is not needed here."""
    from plugin.core import similarity_search as module

    def no_walk(*args, **kwargs):
        raise AssertionError("the finer levels fell back to the grid walk")

    monkeypatch.setattr(module, "_pattern_search", no_walk)
    optical, sar, truth, centre = turned_large_image()
    size, valid = len(optical), np.ones(optical.shape, bool)
    best = search_similarity(optical, valid, sar, valid, max_rotation_deg=10, max_scale=1.1, max_shift=100)
    error = transforms.corner_error(best.matrix(centre), truth, size, size)
    assert error < 1.0, best  # measured: 0.04 px (the grid walk: 3.9)


def test_batched_template_scores_give_opencvs_matches():
    """On a GPU the engine scores templates in batches in PyTorch (``template_scores_on``); run
    here on the CPU, they must find what OpenCV's per-template scores find: the same points, to
    a hundredth of a pixel (both correlate in single precision, by different FFTs). The scores
    are also kept for the second pass, so the cached path is checked too."""
    import torch

    optical = texture((300, 300), 21)
    shift = np.array([-2.2, 3.1])
    valid = np.ones(optical.shape, bool)
    optical_features, sar_features = cfog(optical, valid), cfog(sar_like(optical, shift, 22), valid)
    rng = np.random.default_rng(23)
    optical_xy = rng.uniform(20, 280, (120, 2))  # some too near the edge to be tried
    predicted = optical_xy - shift + rng.uniform(-5, 5, (120, 2))
    on_cpu = match_templates(optical_features, sar_features, optical_xy, predicted, 24, 10, 0.2)
    cache = ScoreCache()
    batched = match_templates(optical_features, sar_features, optical_xy, predicted, 24, 10, 0.2, cache, torch.device("cpu"))
    np.testing.assert_array_equal(on_cpu.tried, batched.tried)
    assert 0 < on_cpu.tried.sum() < 120 and on_cpu.found.sum() > 60
    np.testing.assert_array_equal(on_cpu.found, batched.found)
    np.testing.assert_allclose(batched.positions, on_cpu.positions, atol=0.01)
    again = match_templates(optical_features, sar_features, optical_xy, predicted, 24, 4, cache=cache, device=torch.device("cpu"))
    assert cache.hits == batched.tried.sum()
    np.testing.assert_array_equal(again.found, match_templates(optical_features, sar_features, optical_xy, predicted, 24, 4).found)

    class OnDemand:
        """Features a large image computes where they are read (``dense_features.FeaturesOnDemand``):
        not copied to the device whole, but cut on the CPU."""
        shape = sar_features.shape

        def __getitem__(self, key):
            return sar_features[key]

        def empty_mask(self):
            return ~sar_features.any(axis=-1)

    cut_on_cpu = match_templates(optical_features, OnDemand(), optical_xy, predicted, 24, 10, 0.2, device=torch.device("cpu"))
    for a, b in zip(batched, cut_on_cpu):
        np.testing.assert_array_equal(a, b)


def test_template_matches_are_judged_as_one_by_one():
    """``_judge`` decides all of a call's template matches at once; it must decide each exactly
    as the one-by-one rule does (written out here): the least score inside the window, its
    distinctness (lowest score more than 3 px away, over the median, both from the least) above
    the threshold, and the parabola's sub-pixel offset, in float64 from float32 scores."""
    from plugin.core.structural import _judge

    def one(scores, min_distinctness):
        row, col = np.unravel_index(np.argmin(scores), scores.shape)
        if not (0 < row < scores.shape[0] - 1 and 0 < col < scores.shape[1] - 1):
            return False, 0.0, 0.0
        best = scores[row, col]
        elsewhere = scores.copy()
        elsewhere[max(0, row - 3) : row + 4, max(0, col - 3) : col + 4] = np.inf
        spread = np.median(scores) - best
        distinct = (elsewhere.min() - best) / spread if spread > 0 and np.isfinite(elsewhere.min()) else 0.0
        if min_distinctness > 0 and distinct <= min_distinctness:
            return False, 0.0, 0.0

        def offset(minus, centre, plus):
            denominator = float(minus) - 2 * float(centre) + float(plus)
            return 0.0 if denominator <= 1e-12 else float(np.clip(0.5 * float(minus - plus) / denominator, -0.5, 0.5))
        return True, col + offset(scores[row, col - 1], best, scores[row, col + 1]), row + offset(scores[row - 1, col], best, scores[row + 1, col])

    rng = np.random.default_rng(24)
    for size in (9, 21):
        # A cone around a random place (some on the window's edge) under noise of random strength.
        grid = np.arange(size)
        centre = rng.uniform(-1, size, (300, 2))
        bowl = (grid[None, :, None] - centre[:, None, None, 0]) ** 2 + (grid[None, None, :] - centre[:, None, None, 1]) ** 2
        noise = rng.random((300, size, size)) * rng.uniform(0, 200, (300, 1, 1))
        scores = (rng.random((300, 1, 1)) * 3000 + 40 * np.sqrt(bowl) + noise).astype(np.float32)
        scores[:5] = scores[:5, :1, :1]  # flat: no distinct minimum
        for min_distinctness in (0.0, 0.2):
            found, x, y = _judge(scores, min_distinctness)
            expected = [one(s, min_distinctness) for s in scores]
            assert 30 < found.sum() < 270, found.sum()
            np.testing.assert_array_equal(found, [e[0] for e in expected])
            np.testing.assert_array_equal(x, [e[1] for e in expected])
            np.testing.assert_array_equal(y, [e[2] for e in expected])


def test_a_gpu_out_of_memory_in_the_search_carries_on_on_the_cpu(monkeypatch):
    """A GPU that runs out of memory (another program holds it) must not end the registration:
    the search's trials then run on the CPU, to the CPU's candidate."""
    import torch

    from plugin.core import similarity_search

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")

    optical = texture((200, 200), 9)
    valid = np.ones(optical.shape, bool)
    truth = np.eye(3)
    truth[:2, 2] = (12.0, -5.0)
    sar = sar_like_warped(optical, truth, 10)
    monkeypatch.setattr(similarity_search._Correlator, "best_shifts_on", out_of_memory)
    fallen_back = search_similarity(optical, valid, sar, valid, 3, 1.05, 40, device=torch.device("cpu"))
    on_cpu = search_similarity(optical, valid, sar, valid, 3, 1.05, 40)
    assert (fallen_back.rotation_deg, fallen_back.scale, fallen_back.score) == (on_cpu.rotation_deg, on_cpu.scale, on_cpu.score)
    np.testing.assert_array_equal(fallen_back.shift, on_cpu.shift)


def test_a_gpu_out_of_memory_in_template_matching_carries_on_with_opencv(monkeypatch):
    import torch

    from plugin.core import structural

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")

    optical = texture((200, 200), 25)
    valid = np.ones(optical.shape, bool)
    optical_features, sar_features = cfog(optical, valid), cfog(sar_like(optical, np.array([1.5, -2.5]), 26), valid)
    xy = np.random.default_rng(27).uniform(40, 160, (40, 2))
    monkeypatch.setattr(structural, "template_scores_on", out_of_memory)
    fallen_back = match_templates(optical_features, sar_features, xy, xy, 24, 6, 0.2, ScoreCache(), torch.device("cpu"))
    for a, b in zip(fallen_back, match_templates(optical_features, sar_features, xy, xy, 24, 6, 0.2)):
        np.testing.assert_array_equal(a, b)
