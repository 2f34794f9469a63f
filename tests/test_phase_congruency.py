import numpy as np
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
