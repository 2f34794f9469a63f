"""The left-out RMSE study (benchmarks/left_out_radius.py) on the bundled sample: what the README
and benchmarks/README.md say of it, measured again."""
import numpy as np

from benchmarks import left_out_radius
from plugin.core import RegistrationOptions, register


def test_on_the_sample_leaving_out_the_neighbours_ranks_the_affine_transform_first_and_alone_the_spline(sample):
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"))
    rows = left_out_radius.measure(result, np.asarray(sample["truth"], float))
    assert set(rows) == set(left_out_radius.MODELS)
    assert min(rows, key=lambda model: rows[model]["truth"]) in ("affine", "homography")  # the truth is a shift
    assert rows["tps"]["truth"] > rows["affine"]["truth"] + 0.2 and rows["tps"]["fit"] < 1e-6
    assert left_out_radius.picks(rows, 0.0) == "tps"  # left out alone, its neighbours vouch for each point
    assert left_out_radius.picks(rows, 96.0) == "affine"
