"""benchmarks.acceptance's choice of dense feature model: a new features model has to be put
against the gate before it can become the default, so the study takes one by name."""
import pytest

from benchmarks import acceptance
from plugin.core.errors import RegistrationError


def test_a_feature_model_is_refused_without_the_learned_features(tmp_path, capsys):
    with pytest.raises(SystemExit):
        acceptance.main(["--features", "cfog", "--feature-model", "dense-v1", "--out", str(tmp_path)])
    assert "--feature-model needs --features learned" in capsys.readouterr().err


def test_an_unknown_feature_model_is_named_with_the_ones_installed(tmp_path):
    with pytest.raises(RegistrationError) as error:
        acceptance.main(["--features", "learned", "--feature-model", "dense-v0", "--data", str(tmp_path), "--out", str(tmp_path)])
    assert "dense-v0" in error.value.message and "dense-v1" in error.value.fix
    assert not list(tmp_path.iterdir())  # nothing written
