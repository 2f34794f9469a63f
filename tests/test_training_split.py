"""The training split keeps held-out ground out of training: a training pair that shows ground
of a validation (or, for the dense features, a calibration) pair is left out, and a run resumed
on another split stops instead of mixing the two. A small folder built in tmp_path, in the data's
layout, stands in for the data: the test needs no data folder."""
import json

import pytest

from training import checkpoints
from training.patch_pairs import leave_out_shared_ground, list_pairs, share_ground, split_calibration


def square(x, y, size=10240.0):
    return [[x, y], [x + size, y], [x + size, y - size], [x, y - size]]


@pytest.fixture
def data(tmp_path):
    """14 S1/S2 pairs (the last 10 are validation) and the two 3MOS GF3 tiles that share ground."""
    s1s2 = tmp_path / "s1s2-california"
    entries = []
    for index in range(14):
        name = f"{index:03d}.png"
        for folder in ("opt", "sar"):
            (s1s2 / folder).mkdir(parents=True, exist_ok=True)
            (s1s2 / folder / name).write_bytes(b"")
        # pair 001 overlaps validation pair 013 by a corner; the others lie 20 km apart
        corner = (13 * 20000.0 + 10000.0, -5000.0) if index == 1 else (index * 20000.0, 0.0)
        entries.append({"fragment_filename": name, "corners_EPSG:3395": square(*corner)})
    (s1s2 / "metadata.json").write_text(json.dumps(entries))
    three_mos = tmp_path / "3mos-samples"
    three_mos.mkdir()
    for stem in ("GF3_rural_1", "GF3_rural_4", "RCM_city_0", "RCM_city_3"):
        for kind in ("opt", "sar"):
            (three_mos / f"{stem}_{kind}.png").write_bytes(b"")
    return str(tmp_path)


def test_a_training_pair_that_shows_held_out_ground_is_left_out(data):
    train, validation = list_pairs(data)
    names = {pair.name: pair for pair in train + validation}
    assert share_ground(names["s1s2/001.png"], names["s1s2/013.png"])
    assert not share_ground(names["s1s2/000.png"], names["s1s2/013.png"])
    assert share_ground(names["3mos/GF3_rural_1"], names["3mos/GF3_rural_4"])
    assert not share_ground(names["3mos/RCM_city_0"], names["3mos/RCM_city_3"])
    kept, left_out = leave_out_shared_ground(train, validation)
    assert [pair.name for pair in kept] == ["s1s2/000.png", "s1s2/002.png", "s1s2/003.png", "3mos/RCM_city_0"]
    assert left_out == ["s1s2/001.png", "3mos/GF3_rural_1"]
    # the calibration pairs are chosen from the whole training list, as before, so they do not move
    _, calibration = split_calibration(train)
    assert [pair.name for pair in calibration] == ["s1s2/000.png"]


def test_a_run_is_not_resumed_on_another_split(tmp_path):
    config = {"split": {"train": ["a", "b"], "validation": ["c"]}}
    checkpoints.refuse_another_split(None, config, str(tmp_path))  # a new run
    checkpoints.refuse_another_split({"split": {"train": ["a", "b"], "validation": ["c"]}}, config, str(tmp_path))
    with pytest.raises(SystemExit, match="other training or validation pairs"):
        checkpoints.refuse_another_split({"split": {"train": ["a", "b", "x"], "validation": ["c"]}}, config, str(tmp_path))
