"""How far the descriptor's matches agree with a transform: the measures of auto's near-miss
confirmation (pipeline.NEAR_MISS_CONFIRMATION) and of benchmarks.near_miss, on synthetic matches
with a known transform (seeded)."""
import numpy as np

from benchmarks.near_miss import descriptor_support_area
from plugin.core.pipeline import _distinct_cells, descriptor_consensus, descriptor_support
from tests.test_guided_acceptance import matches_for, similarity


def test_the_descriptor_supports_a_transform_in_distinct_cells_of_the_matches_it_kept():
    """``descriptor_support`` counts the matches that lie within the tolerance of a transform once
    per cell, and only those that passed the descriptor's own checks; ``descriptor_consensus`` is
    the support of the best similarity the matches find by themselves."""
    truth = similarity(1.02, 2.0, (14, -9))
    spread = np.random.default_rng(5).uniform(20, 280, (60, 2))
    matches = matches_for(truth, spread, outliers=20)
    cells = _distinct_cells(spread[:40])
    assert descriptor_support(matches, truth, 6.0) == cells
    assert _distinct_cells(matches.optical_xy[descriptor_consensus(matches, 6.0)[1]]) == cells
    assert descriptor_support(matches, similarity(1.02, 2.0, (34, -9)), 6.0) <= 1  # 20 px off: chance only
    assert 0.5 < descriptor_support_area(matches, truth, 6.0, (300, 300)) < 0.75  # the agreeing 40 spread over 20-280 px
    corner = matches_for(truth, np.random.default_rng(6).uniform(20, 120, (40, 2)))
    assert descriptor_support_area(corner, truth, 6.0, (300, 300)) < 0.12  # all in one corner: speaks for little of the image
    matches.stage_masks["mutual"] = np.arange(len(matches)) >= 20  # the first 20 failed the mutual check
    assert descriptor_support(matches, truth, 6.0) == _distinct_cells(spread[20:40])


def test_the_search_covers_the_priors_range_with_georeferencing_and_the_options_range_without():
    """``search_range``: the engine's search and the studies' (benchmarks.acceptance.search_candidate,
    per tier) cover the same rotations, scales and shifts."""
    from plugin.core.pipeline import MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, RegistrationOptions, search_range

    options = RegistrationOptions(search_radius=60.0, max_rotation=15.0, max_scale=1.2)
    assert search_range(True, options) == (MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, 60.0)
    assert search_range(False, options) == (15.0, 1.2, None)
