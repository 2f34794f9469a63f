import numpy as np
import pytest
import phasepack
from osgeo import gdal

from plugin.core.phase_congruency import PhaseCongruencyParams, phase_congruency


def test_maps_agree_with_phasepack(sample):
    image = gdal.Open(sample["sar"]).ReadAsArray()[:192, :256].astype(np.float64) / 255.0
    params = PhaseCongruencyParams()
    reference = phasepack.phasecong(image, nscale=params.scales, norient=params.orientations, minWaveLength=params.min_wavelength,
                                    mult=params.scale_factor, sigmaOnf=params.sigma_on_f, k=params.noise_k,
                                    cutOff=params.cut_off, g=params.sharpness)[0]
    ours = phase_congruency(image.astype(np.float32), params)
    assert ours.shape == reference.shape and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-4 * max(1.0, reference.max())


def test_contrast_invariant():
    rng = np.random.default_rng(0)
    image = np.zeros((128, 128), np.float32)
    image[32:96, 40:90] = 1.0
    image += rng.normal(0, 0.01, image.shape).astype(np.float32)
    strong = phase_congruency(image)
    weak = phase_congruency(image * 0.2)
    edge = (slice(60, 70), slice(38, 42))
    assert strong[edge].max() > 0.3
    assert abs(strong[edge].max() - weak[edge].max()) < 0.1


def test_rejects_colour_image():
    import pytest

    with pytest.raises(ValueError, match="2-D"):
        phase_congruency(np.zeros((32, 32, 3), np.float32))


def _sample_image(sample, key):
    image = gdal.Open(sample[key]).ReadAsArray().astype(np.float32)
    image = image if image.ndim == 2 else image.mean(axis=0)
    return (image - image.min()) / (image.max() - image.min())


@pytest.mark.parametrize("key", ["sar", "optical"])
def test_tiles_give_the_whole_image_map(sample, key, monkeypatch):
    """Large images are computed in tiles (bounded memory); the map must be the whole image's
    map but for the outer border (the whole-image FFT wraps around, tiles reflect) and the noise
    level, which tiles estimate as the median of their own."""
    from plugin.core import phase_congruency as module

    image = _sample_image(sample, key)  # 760 x 800 and 768 x 768: 3 x 4 tiles of 256 px
    whole = phase_congruency(image)
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    tiled = phase_congruency(image)
    assert tiled.shape == whole.shape and tiled.dtype == np.float32
    inner = (slice(module.HALO_PX, -module.HALO_PX),) * 2
    difference = np.abs(tiled - whole)[inner]
    assert difference.max() < 0.06 * whole.max(), difference.max()  # measured: 3.4% (SAR), 4.3% (optical)
    assert np.percentile(difference, 99) < 0.03 * whole.max()  # measured: 1.8%, 2.3%


def test_tiles_give_the_same_keypoints(sample, monkeypatch):
    from scipy.spatial import cKDTree

    from plugin.core import phase_congruency as module
    from plugin.core.keypoints import detect_keypoints

    image = _sample_image(sample, "sar")
    valid = np.ones(image.shape, bool)
    whole = detect_keypoints(image, valid, 500).xy
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    tiled = detect_keypoints(image, valid, 500).xy
    assert len(tiled) == len(whole) == 500
    assert (cKDTree(tiled).query(whole)[0] <= 1.0).mean() > 0.85  # measured: 0.92


def test_noise_level_from_a_sample_of_the_tiles(sample, monkeypatch):
    """A large image's noise level comes from at most NOISE_TILES tiles spread over it (the rest
    would cost a third of the map's time and move the level by a few percent), and the map stays
    the whole image's within the tiled map's own tolerance."""
    from plugin.core import phase_congruency as module

    image = _sample_image(sample, "optical")  # 3 x 3 tiles of 256 px
    whole = phase_congruency(image)
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    monkeypatch.setattr(module, "NOISE_TILES", 4)
    estimated = []
    original = module._noise_levels
    monkeypatch.setattr(module, "_noise_levels", lambda tile, params, device=None: estimated.append(tile.shape) or original(tile, params, device))
    tiled = phase_congruency(image)
    assert len(estimated) == 4
    inner = (slice(module.HALO_PX, -module.HALO_PX),) * 2
    assert np.percentile(np.abs(tiled - whole)[inner], 99) < 0.03 * whole.max()


def test_tiles_far_from_the_part_asked_for_are_not_computed(sample, monkeypatch):
    """``where``: only that part of the map is needed (the area keypoints are looked for in), so
    tiles that hold none of it are left at 0, and the part asked for is the tiled map's there."""
    from plugin.core import phase_congruency as module

    image = _sample_image(sample, "optical")  # 3 x 3 tiles of 256 px
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    everywhere = phase_congruency(image)
    where = np.zeros(image.shape, bool)
    where[300:400, 280:380] = True  # inside the middle tile (256-511 both ways), farther than the margin from its edges
    computed = []
    original = module._whole
    monkeypatch.setattr(module, "_whole", lambda tile, params, noise=None, device=None: computed.append(tile.shape) or original(tile, params, noise, device))
    part = phase_congruency(image, where=where)
    assert len(computed) == 1
    assert not part[:256].any() and not part[512:].any() and not part[:, :256].any() and not part[:, 512:].any()
    middle = (slice(256, 512), slice(256, 512))
    assert np.corrcoef(part[middle].ravel(), everywhere[middle].ravel())[0, 1] > 0.99  # the noise level is this tile's own


def test_a_tiled_map_reports_its_progress_tile_by_tile_and_stops_when_told(sample, monkeypatch):
    """A Sentinel-2 tile's map takes most of a minute: the bar moves with each tile, and a
    cancelled registration (the callback raising) stops at the tile it is on."""
    from plugin.core import phase_congruency as module

    image = _sample_image(sample, "sar")  # 760 x 800: 3 x 4 tiles of 256 px
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    seen = []
    phase_congruency(image, progress=seen.append)
    assert seen == [done / 12 for done in range(1, 13)]

    class Stop(Exception):
        pass

    def stop_at_the_fourth(fraction):
        seen.append(fraction)
        if len(seen) == 4:
            raise Stop

    seen = []
    with pytest.raises(Stop):
        phase_congruency(image, progress=stop_at_the_fourth)
    assert len(seen) == 4


@pytest.mark.parametrize("key", ["sar", "optical"])
def test_the_pytorch_map_is_the_scipy_map(sample, key, monkeypatch):
    """On a GPU the map is computed in PyTorch (``device``); run here on the CPU, it must be the
    scipy map (measured: within 1e-6 of a 0.6 maximum), whole and in tiles, and give the same
    keypoints but for the odd one whose 8-bit map value the difference rounds the other way
    (measured: 3 of 500 on the optical image, none on the SAR)."""
    import torch
    from scipy.spatial import cKDTree

    from plugin.core import phase_congruency as module
    from plugin.core.keypoints import detect_keypoints

    image = _sample_image(sample, key)
    cpu = torch.device("cpu")
    whole = phase_congruency(image)
    np.testing.assert_allclose(phase_congruency(image, device=cpu), whole, atol=1e-5 * whole.max())
    valid = np.ones(image.shape, bool)
    on_torch, on_scipy = detect_keypoints(image, valid, 500, device=cpu).xy, detect_keypoints(image, valid, 500).xy
    assert len(on_torch) == len(on_scipy) == 500
    assert (cKDTree(on_torch).query(on_scipy)[0] == 0).mean() >= 0.98
    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    tiled = phase_congruency(image)
    np.testing.assert_allclose(phase_congruency(image, device=cpu), tiled, atol=1e-5 * tiled.max())


def test_a_gpu_out_of_memory_computes_the_map_with_scipy(sample, monkeypatch):
    import torch

    from plugin.core import phase_congruency as module

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")

    image = _sample_image(sample, "sar")[:256, :256]
    monkeypatch.setattr(module, "_whole_on_gpu", out_of_memory)
    np.testing.assert_array_equal(phase_congruency(image, device=torch.device("cpu")), phase_congruency(image))
