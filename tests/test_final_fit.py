"""benchmarks.final_fit's similarity: fitted by least squares to the tie points the engine kept."""
import numpy as np

from benchmarks.final_fit import similarity_least_squares
from plugin.core import transforms
from plugin.core.similarity_search import similarity_about


def test_a_similarity_is_recovered_from_its_points_and_a_shear_is_not_followed():
    rng = np.random.default_rng(0)
    sar_xy = rng.uniform(0, 256, (50, 2))
    truth = similarity_about(2.5, 1.04, np.array([128.0, 128.0]))
    truth[:2, 2] += (7.0, -3.0)
    np.testing.assert_allclose(similarity_least_squares(sar_xy, transforms.apply(truth, sar_xy)), truth, atol=1e-9)
    sheared = np.array([[1.0, 0.05, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    fit = similarity_least_squares(sar_xy, transforms.apply(sheared, sar_xy))
    assert fit[0, 0] == fit[1, 1] and fit[0, 1] == -fit[1, 0]  # a similarity's form, whatever the points
    assert transforms.corner_error(fit, sheared, 256, 256) > 1.0
