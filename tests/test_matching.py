import numpy as np

from plugin.core.matching import descriptor_distances, filter_ransac, match_nearest


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def synthetic(seed=0, count=120, noise=0.3):
    """Optical keypoints, SAR keypoints shifted by (12, -7), descriptors that agree up to noise."""
    rng = np.random.default_rng(seed)
    optical_xy = rng.uniform(0, 600, (count, 2))
    sar_xy = optical_xy - [12.0, -7.0]
    base = unit(rng.normal(size=(count, 256)))
    optical = base
    sar = unit(base + noise * rng.normal(size=base.shape) / np.sqrt(256) * 4)
    return rng, optical_xy, optical, sar_xy, sar


def test_distance_is_the_hardnet_distance():
    a = unit(np.random.default_rng(0).normal(size=(4, 8)))
    np.testing.assert_allclose(descriptor_distances(a, a).diagonal(), 0, atol=1e-3)
    np.testing.assert_allclose(descriptor_distances(a, -a).diagonal(), 2, atol=1e-6)


def test_nearest_adaptive_threshold_and_ransac():
    rng, optical_xy, optical, sar_xy, sar = synthetic()
    matches = match_nearest(optical_xy, optical, sar_xy, sar, search_radius=None, mutual=True)
    assert len(matches) == 120
    correct = matches.sar_index == matches.optical_index
    margin = matches.second_distance - matches.distance
    np.testing.assert_array_equal(matches.stage_masks["adaptive_threshold"], margin > margin.mean())
    matrix = filter_ransac(matches, "affine", 3.0)
    np.testing.assert_allclose(matrix[:2, 2], [12.0, -7.0], atol=0.1)
    assert correct[matches.kept].all() and matches.kept.sum() >= 20
    reasons = matches.rejected_by()
    assert all((r == "") == k for r, k in zip(reasons, matches.kept))


def test_search_radius_excludes_far_candidates():
    rng, optical_xy, optical, sar_xy, sar = synthetic(1)
    far_sar_xy = sar_xy + 5000.0
    matches = match_nearest(optical_xy, optical, far_sar_xy, sar, search_radius=50.0)
    assert len(matches) == 0
    near = match_nearest(optical_xy, optical, sar_xy, sar, search_radius=50.0)
    assert (near.sar_index == near.optical_index).mean() > 0.9


def test_mutual_check_rejects_many_to_one():
    rng = np.random.default_rng(2)
    sar = unit(rng.normal(size=(1, 16)))
    optical = unit(np.vstack([sar[0] + 0.01 * rng.normal(size=16), sar[0] + 0.5 * rng.normal(size=16)]))
    matches = match_nearest(np.zeros((2, 2)), optical, np.zeros((1, 2)), sar, mutual=True)
    assert matches.stage_masks["mutual"].tolist() == [True, False]
    plain = match_nearest(np.zeros((2, 2)), optical, np.zeros((1, 2)), sar, mutual=False)
    assert plain.stage_masks["mutual"].all()


def test_large_problems_compare_only_within_the_radius_with_the_same_result(monkeypatch):
    """Above ``DENSE_PAIRS`` optical x SAR pairs (a large scene's SAR grid) only the pairs within
    the search radius are compared, one optical point at a time: the same nearest neighbours, d1,
    d2 and masks as the whole matrix, with and without the second-neighbour exclusion, including
    optical points with no SAR point in reach and SAR points many optical points compete for."""
    from plugin.core import matching

    rng = np.random.default_rng(3)
    optical_xy = rng.uniform(0, 400, (150, 2))
    optical_xy[:5] += 1000  # nothing within reach
    ys, xs = np.mgrid[0:400:8, 0:400:8]
    sar_xy = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    optical = unit(rng.normal(size=(len(optical_xy), 32)).astype(np.float32))
    sar = unit(rng.normal(size=(len(sar_xy), 32)).astype(np.float32))
    sar[::7] = optical[rng.integers(0, len(optical), len(sar[::7]))]  # exact matches, some optical points matching several SAR points
    for exclusion in (0.0, 12.0):
        dense = match_nearest(optical_xy, optical, sar_xy, sar, 40.0, True, exclusion)
        monkeypatch.setattr(matching, "DENSE_PAIRS", 0)
        sparse = match_nearest(optical_xy, optical, sar_xy, sar, 40.0, True, exclusion)
        monkeypatch.undo()
        assert 100 < len(dense) < 150
        np.testing.assert_array_equal(sparse.optical_index, dense.optical_index)
        np.testing.assert_array_equal(sparse.sar_index, dense.sar_index)
        np.testing.assert_allclose(sparse.distance, dense.distance, atol=1e-3)  # float32 sqrt near 0
        np.testing.assert_allclose(sparse.second_distance, dense.second_distance, atol=1e-3)
        for stage in ("mutual", "adaptive_threshold"):
            np.testing.assert_array_equal(sparse.stage_masks[stage], dense.stage_masks[stage])
        assert not dense.stage_masks["mutual"].all()


def test_sar_points_out_of_every_optical_points_reach_are_found():
    from plugin.core.matching import within_reach

    optical_xy = np.array([[0.0, 0.0], [100.0, 100.0]])
    sar_xy = np.array([[3.0, 4.0], [5.0, 0.0], [5.1, 0.0], [100.0, 95.0], [50.0, 50.0]])
    assert within_reach(optical_xy, sar_xy, 5.0).tolist() == [True, True, False, True, False]
    assert not within_reach(optical_xy[:0], sar_xy, 5.0).any()
