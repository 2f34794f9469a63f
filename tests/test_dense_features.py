"""The dense feature network and its frontend: unit features of any image size, invariant to a
linear change of intensities, the same in tiles as in one piece, 0 outside the valid area; the
shipped weights checked and found by kind; and on the real bundled sample (never trained on),
template matching on them finds the known truth."""
import json
import shutil

import numpy as np
import pytest
import torch

from plugin.core import dense_features as dense_features_module
from plugin.core.dense_features import HALO_PX, DenseFeatureExtractor, FeaturesOnDemand, dense_features, feature_extractor
from plugin.core.errors import RegistrationError
from plugin.core.feature_network import DenseFeatureNet
from plugin.core.keypoints import detect_keypoints
from plugin.core.model_files import MODELS_DIR
from plugin.core.normalize import normalize_optical, normalize_sar
from plugin.core.raster_io import read_raster
from plugin.core.structural import match_templates
from plugin.core import transforms
from tests.test_structural import texture


def test_branches_give_unit_features_at_full_resolution():
    network = DenseFeatureNet().eval()
    with torch.no_grad():
        out = network.sar(torch.rand(2, 1, 48, 72))
    assert out.shape == (2, 8, 48, 72)
    assert torch.allclose(out.norm(dim=1), torch.ones(2, 48, 72), atol=1e-5)
    with pytest.raises(ValueError, match="modality"):
        network.branch("lidar")


def test_unchanged_by_brightness_and_nearly_so_by_contrast():
    network = DenseFeatureNet().eval()
    image = torch.from_numpy(texture((64, 64), 1))[None, None]
    with torch.no_grad():
        features = network.optical(image)
        assert torch.allclose(features, network.optical(image + 0.3), atol=1e-4)
        assert (features - network.optical(image * 3)).abs().max() < 0.05


@pytest.fixture(scope="module")
def extractor():
    return feature_extractor(device="cpu")


def test_tiles_agree_with_one_piece_and_invalid_pixels_are_zero(extractor):
    image = texture((300, 260), 2)
    valid = np.ones(image.shape, bool)
    valid[:, :20] = False
    whole = extractor.features(image, valid, "sar")
    tiled = DenseFeatureExtractor(device="cpu", tile=96).features(image, valid, "sar")
    assert whole.shape == (300, 260, extractor.feature_dim) and whole.dtype == np.float32
    assert not whole[:, :20].any()
    np.testing.assert_allclose(np.linalg.norm(whole[:, 20:], axis=-1), 1.0, atol=1e-4)
    np.testing.assert_allclose(tiled, whole, atol=2e-3)


def test_features_on_demand_are_the_whole_images_and_computed_only_where_read(extractor, monkeypatch):
    """A large image's features are computed where fine matching reads them: any window read
    gives the whole image's values, and what was never read is never computed."""
    image = texture((300, 260), 5)
    valid = np.ones(image.shape, bool)
    valid[:40, :70] = False
    whole = extractor.features(image, valid, "sar")
    monkeypatch.setattr(dense_features_module, "ON_DEMAND_PX", 300 * 260 - 1)
    lazy = extractor.features(image, valid, "sar")
    assert isinstance(lazy, FeaturesOnDemand) and lazy.shape == whole.shape
    assert lazy.computed_pixels == 0
    window = lazy[100:170, 30:101]
    assert window.shape == (70, 71, extractor.feature_dim)
    np.testing.assert_allclose(window, whole[100:170, 30:101], atol=2e-4)
    assert lazy.computed_pixels == (192 - 96) * (128 - 0)  # the 32 px blocks under the window only
    rng = np.random.default_rng(0)
    for top, left, height, width in zip(rng.integers(0, 299, 30), rng.integers(0, 259, 30), rng.integers(1, 120, 30), rng.integers(1, 120, 30)):
        np.testing.assert_allclose(lazy[top : top + height, left : left + width], whole[top : top + height, left : left + width], atol=2e-4)
    np.testing.assert_array_equal(lazy.empty_mask(), ~whole.any(axis=-1))
    assert not lazy[:40, :70].any()
    with pytest.raises(TypeError, match="plain slices"):
        lazy[::2, :]


@pytest.mark.parametrize("on_demand", [False, True])
def test_the_gpu_running_out_of_memory_carries_on_on_the_cpu(monkeypatch, caplog, on_demand):
    """When the GPU runs out of memory the network moves to the CPU and the features come out the
    same: for an image computed whole, inside ``features``, and for a large one, at the read during
    fine matching, long after ``features`` returned. (No GPU here: the extractor is told it is on
    one, and its first run of the network raises as CUDA would.)"""
    extractor = DenseFeatureExtractor(device="cpu")
    image = texture((300, 260), 5)
    valid = np.ones(image.shape, bool)
    whole = extractor.features(image, valid, "sar")
    if on_demand:
        monkeypatch.setattr(dense_features_module, "ON_DEMAND_PX", 300 * 260 - 1)
    original, devices = extractor._run, []

    def run(modality, crop):
        devices.append(extractor.device.type)
        if extractor.device.type == "cuda":
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return original(modality, crop)

    monkeypatch.setattr(extractor, "_run", run)
    with caplog.at_level("WARNING"):
        if on_demand:
            lazy = extractor.features(image, valid, "sar")
            extractor.device = torch.device("cuda")  # as on a GPU whose memory the read exhausts
            assert isinstance(lazy, FeaturesOnDemand)
            np.testing.assert_allclose(lazy[100:170, 30:101], whole[100:170, 30:101], atol=2e-4)
        else:
            extractor.device = torch.device("cuda")
            np.testing.assert_allclose(extractor.features(image, valid, "sar"), whole, atol=2e-4)
    assert devices[:2] == ["cuda", "cpu"] and set(devices[1:]) == {"cpu"} and extractor.device.type == "cpu"
    assert "ran out of memory" in caplog.text


def test_the_halo_covers_the_networks_reach():
    """Changing one pixel changes no feature farther away than HALO_PX."""
    network = DenseFeatureNet().eval()
    image = torch.from_numpy(texture((256, 256), 4))[None, None]
    changed = image.clone()
    changed[0, 0, 128, 128] += 5.0
    with torch.no_grad():
        difference = (network.optical(image) - network.optical(changed)).abs().amax(dim=(0, 1))
    rows, cols = np.nonzero(difference.numpy() > 1e-4)  # running sums carry float rounding farther
    assert max(np.abs(rows - 128).max(), np.abs(cols - 128).max()) < HALO_PX


def test_traced_graph_matches_the_network_at_any_size(extractor):
    image = texture((132, 200), 3)
    with torch.no_grad():
        eager = extractor.network.optical(torch.from_numpy(image)[None, None])[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(extractor.features(image, np.ones(image.shape, bool), "optical"), eager, atol=1e-4)


def test_weights_are_found_by_kind_and_checked(tmp_path):
    with pytest.raises(RegistrationError, match="no features model named 'dffca-v2'"):
        DenseFeatureExtractor(model="dffca-v2")
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    manifest = json.loads((models / "manifest.json").read_text())
    with open(models / manifest["models"][manifest["default_features"]]["file"], "ab") as handle:
        handle.write(b"x")
    with pytest.raises(RegistrationError, match="missing or damaged"):
        DenseFeatureExtractor(models_dir=str(models))


def test_cfog_is_the_same_for_both_modalities():
    image = texture((64, 64), 5)
    valid = np.ones(image.shape, bool)
    np.testing.assert_array_equal(dense_features("cfog", image, valid, "optical"), dense_features("cfog", image, valid, "sar"))


def test_on_the_real_sample_template_matches_find_the_truth(sample, extractor):
    """Sentinel-2 and Sentinel-1 at the sample's known transform (a translation in pixels)."""
    optical, sar = read_raster(sample["optical"], "optical"), read_raster(sample["sar"], "sar")
    optical_image, sar_image = normalize_optical(optical), normalize_sar(sar, "auto")
    xy = detect_keypoints(optical_image, optical.valid, 300).xy.astype(np.float64)
    truth = transforms.apply(np.linalg.inv(sample["truth"]), xy)
    features = (extractor.features(optical_image, optical.valid, "optical"), extractor.features(sar_image, sar.valid, "sar"))
    positions, found, tried = match_templates(*features, xy, np.rint(truth), 32, 6, 0.2)
    error = np.hypot(*(positions[found] - truth[found]).T)
    assert tried.sum() > 150
    assert (error <= 2.0).sum() >= 0.5 * tried.sum()
