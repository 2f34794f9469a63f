"""The options study's variants: engine options, and engine constants set only for the time of a variant."""
import pytest

from benchmarks.options_study import engine_constants, parse_variant
from plugin.core import pipeline


def test_a_variant_mixes_options_and_engine_constants_with_commas_inside_values():
    variant = parse_variant("max_keypoints=1000,pipeline.TEMPLATE_SEARCH_PX=(10, 6),features=cfog")
    assert variant == {"max_keypoints": 1000, "pipeline.TEMPLATE_SEARCH_PX": (10, 6), "features": "cfog"}


def test_unknown_options_and_constants_are_refused():
    with pytest.raises(SystemExit, match="unknown option"):
        parse_variant("max_keypoint=10")
    with pytest.raises(SystemExit, match="unknown engine constant"):
        parse_variant("pipeline.NO_SUCH_CONSTANT=1")


def test_engine_constants_hold_inside_the_block_and_are_restored_after_an_error():
    before = pipeline.TEMPLATE_SEARCH_PX
    with pytest.raises(RuntimeError):
        with engine_constants({"pipeline.TEMPLATE_SEARCH_PX": (10, 6), "max_keypoints": 700}) as options:
            assert pipeline.TEMPLATE_SEARCH_PX == (10, 6)
            assert options == {"max_keypoints": 700}
            raise RuntimeError("a variant that fails")
    assert pipeline.TEMPLATE_SEARCH_PX == before
