"""The whole engine on the bundled real Sentinel-1/Sentinel-2 sample, against its known truth."""
import os

import numpy as np
import pytest
from osgeo import gdal, osr

from plugin.core import RegistrationOptions, outputs, register
from plugin.core.errors import RegistrationCancelled, RegistrationError
from tests.conftest import bent_gcp_scene, grid_error, sar_scene_around_the_sample, scene_around

MAX_ERROR_PX = 1.5


@pytest.fixture(scope="module")
def sample_result(sample):
    return register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"))


def test_recovers_the_known_misregistration(sample_result, sample):
    rms, worst = grid_error(sample_result.fit.sar_to_optical, sample["truth"], sample_result.sar.width, sample_result.sar.height)
    assert rms < MAX_ERROR_PX, (rms, worst)
    assert sample_result.tie_points.enabled.sum() >= 30
    assert sample_result.fit.rmse < 2.0
    assert set(sample_result.timing_s) == {"read", "coarse alignment", "keypoints", "search", "matching"}
    assert sample_result.model_name == ""  # the structural search registered it: the descriptor was not needed
    assert sample_result.features.startswith("learned (")  # the fine stage compared the learned dense features


def test_every_match_says_why_it_was_dropped(sample_result):
    reasons = sample_result.tie_points.rejected_by
    # The candidates are the optical keypoints; each is dropped when its template
    # search finds no clear minimum, or by the final (locally optimised) RANSAC: exactly those
    # farther than its 3 px threshold from the fit.
    assert set(reasons) <= {"", "template", "ransac"} and "template" in reasons
    assert all((r == "") == bool(e) for r, e in zip(reasons, sample_result.tie_points.enabled))
    found = np.array([r != "template" for r in reasons])
    far = np.linalg.norm(sample_result.fit.residuals, axis=1) > 3.0
    np.testing.assert_array_equal(np.array([r == "ransac" for r in reasons])[found], far[found])


def test_warped_output_lines_up_with_the_optical_image(sample_result, sample, tmp_path):
    path = outputs.write_warped_sar(sample_result, str(tmp_path / "warped.tif"))
    warped, optical = gdal.Open(path), gdal.Open(sample["optical"])
    assert warped.GetGeoTransform() == optical.GetGeoTransform()
    assert osr.SpatialReference(warped.GetProjection()).IsSame(osr.SpatialReference(optical.GetProjection()))
    # The truth says SAR pixel p shows optical pixel p + t: the warped SAR must equal the SAR shifted by t.
    assert shows_the_sample_sar(warped.ReadAsArray(), sample)


def plain_copies(sample, tmp_path):
    """The sample's rasters as PNG copies without georeferencing: {"optical": path, "sar": path}."""
    plain = {k: str(tmp_path / f"{k}.png") for k in ("optical", "sar")}
    for key, path in plain.items():
        gdal.Translate(path, sample[key], format="PNG")
        os.remove(path + ".aux.xml")  # GDAL keeps the georeferencing beside a PNG; drop it
    return plain


def test_different_crs_and_pixel_space(sample, tmp_path):
    # Optical in UTM 11N: truth goes SAR pixel -> true optical-crop pixel -> map (EPSG:3395) -> UTM pixel.
    utm = str(tmp_path / "optical_utm.tif")
    gdal.Warp(utm, sample["optical"], dstSRS="EPSG:32611", resampleAlg="bilinear")
    result = register(utm, sample["sar"], RegistrationOptions(device="cpu", warp_model="homography"))
    to_utm = gdal.Transformer(gdal.Open(sample["optical"]), gdal.Open(utm), [])
    xs, ys = np.meshgrid(np.linspace(0, 799, 10), np.linspace(0, 759, 10))
    sar_xy = np.stack([xs.ravel(), ys.ravel()], axis=1)
    optical_xy = sar_xy + sample["truth"][:2, 2]
    truth_utm = np.array([to_utm.TransformPoint(0, x + 0.5, y + 0.5)[1][:2] for x, y in optical_xy]) - 0.5
    h = np.hstack([sar_xy, np.ones((len(sar_xy), 1))]) @ result.fit.sar_to_optical.T
    error = np.linalg.norm(h[:, :2] / h[:, 2:] - truth_utm, axis=1)
    assert np.sqrt(np.mean(error**2)) < 2.0

    # Neither raster georeferenced (plain PNG copies): matching runs in pixel space with no prior.
    plain = plain_copies(sample, tmp_path)
    result = register(plain["optical"], plain["sar"], RegistrationOptions(device="cpu"))
    assert not result.from_georeferencing
    rms, _ = grid_error(result.fit.sar_to_optical, sample["truth"], 800, 760)
    assert rms < 2.0


@pytest.mark.parametrize("matcher, stage", [("auto", "search"), ("guided", "descriptors")])
def test_cancel_stops_the_run(sample, matcher, stage):
    seen = []

    def cancel_at(reached, fraction):
        seen.append(reached)
        return reached != stage

    with pytest.raises(RegistrationCancelled):
        register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu", matcher=matcher), progress=cancel_at)
    assert seen[-1] == stage and "matching" not in seen


@pytest.mark.parametrize("matcher, features", [("guided", "learned"), ("structural", "learned"), ("structural", "cfog")])
def test_each_matcher_that_refines_by_templates_registers_the_sample(sample, matcher, features):
    """The network's guided matcher (the fallback of "auto") and the search alone, against the
    truth; templates compared on the learned features or on CFOG."""
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu", matcher=matcher, features=features))
    rms, worst = grid_error(result.fit.sar_to_optical, sample["truth"], result.sar.width, result.sar.height)
    assert rms < MAX_ERROR_PX, (matcher, features, rms, worst)
    assert result.features.split()[0] == features
    assert ("descriptors" in result.timing_s) == (matcher == "guided") and bool(result.model_name) == (matcher == "guided")


def test_the_guided_matcher_on_a_large_scene_describes_only_the_grid_within_reach(sample, monkeypatch):
    """Above ``DENSE_PAIRS`` (a large scene) the guided matcher describes only the SAR grid points
    within the search radius of a keypoint and compares only those pairs; forced here on the
    sample, it registers it as the whole grid does (measured: the same fit to the last digit)."""
    from plugin.core import matching, pipeline

    kept = []

    def spy(optical_xy, sar_xy, radius):
        mask = matching.within_reach(optical_xy, sar_xy, radius)
        kept.append((int(mask.sum()), len(mask)))
        return mask

    monkeypatch.setattr(pipeline, "DENSE_PAIRS", 0)
    monkeypatch.setattr(matching, "DENSE_PAIRS", 0)
    monkeypatch.setattr(pipeline, "within_reach", spy)
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu", matcher="guided"))
    rms, worst = grid_error(result.fit.sar_to_optical, sample["truth"], result.sar.width, result.sar.height)
    assert rms < MAX_ERROR_PX, (rms, worst)
    assert len(kept) == 1 and 0 < kept[0][0] <= kept[0][1] and result.keypoint_counts["sar"] == kept[0][0]


def test_on_a_large_scene_the_dense_features_are_computed_only_where_templates_read_them(sample, sample_result, monkeypatch):
    """Above ``ON_DEMAND_PX`` (a large scene) fine matching's dense features are computed in the
    blocks its templates and windows read, not over the whole image; forced here on the sample,
    the fit is the whole images' within float rounding, from a part of each image."""
    from plugin.core import dense_features

    made = []

    class Spy(dense_features.FeaturesOnDemand):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(dense_features, "ON_DEMAND_PX", 0)
    monkeypatch.setattr(dense_features, "FeaturesOnDemand", Spy)
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"))
    assert len(made) == 2  # the optical image's and the resampled SAR's
    assert all(0 < features.computed_pixels < features.shape[0] * features.shape[1] for features in made)
    np.testing.assert_allclose(result.fit.sar_to_optical, sample_result.fit.sar_to_optical, atol=1e-3)
    assert result.tie_points.enabled.sum() == sample_result.tie_points.enabled.sum()


def test_a_sar_raster_covering_part_of_the_optical_one_gets_the_keypoints(sample, tmp_path, monkeypatch):
    """Georeferenced, a SAR raster that covers a part of the optical raster gets the keypoints in
    the area it can cover (``pipeline.keypoint_area``), not the share of them spread over the
    whole optical raster that falls on it: more tie points (measured on this clip: 103 against 59),
    the truth recovered as well."""
    from plugin.core import pipeline

    x0, y0, size = 100, 100, 300
    clip = str(tmp_path / "sar-clip.tif")
    gdal.Translate(clip, sample["sar"], srcWin=[x0, y0, size, size])  # keeps the georeferencing
    truth = sample["truth"] @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]])
    result = register(sample["optical"], clip, RegistrationOptions(device="cpu"))
    rms, worst = grid_error(result.fit.sar_to_optical, truth, size, size)
    assert rms < MAX_ERROR_PX, (rms, worst)
    monkeypatch.setattr(pipeline, "keypoint_area", lambda optical_valid, aligned, options: optical_valid)
    spread = register(sample["optical"], clip, RegistrationOptions(device="cpu"))
    assert result.tie_points.enabled.sum() > 1.3 * spread.tie_points.enabled.sum()


def test_keypoint_area_and_search_window_are_where_the_sar_can_be():
    from plugin.core.georef import CoarseAlignment
    from plugin.core.pipeline import MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, keypoint_area, search_window

    optical_valid = np.ones((1000, 1200), bool)
    sar_valid = np.zeros_like(optical_valid)
    sar_valid[400:500, 500:700] = True
    aligned = CoarseAlignment(np.zeros(sar_valid.shape, np.float32), sar_valid, True, lambda xy: xy, predicted=True)
    options = RegistrationOptions(search_radius=50)
    # the search radius, and how far the largest rotation and scale allowed move the footprint's
    # corners about its centre: half its diagonal, hypot(100, 200) / 2 = 112 px, times |s R - I|
    moved = np.sqrt(1 + MAX_PRIOR_SCALE**2 - 2 * MAX_PRIOR_SCALE * np.cos(np.radians(MAX_PRIOR_ROTATION_DEG)))
    reach = 50 + moved * np.hypot(100, 200) / 2
    area = keypoint_area(optical_valid, aligned, options)
    assert area[450, 600] and area[450, int(700 + reach) - 2] and not area[450, int(700 + reach) + 2]
    assert area[int(400 - reach) + 2, 600] and not area[int(400 - reach) - 2, 600]
    rows, cols = search_window(aligned, options)
    assert (rows.start, rows.stop, cols.start, cols.stop) == (int(400 - reach), int(np.ceil(500 + reach)), int(500 - reach), int(np.ceil(700 + reach)))
    unplaced = CoarseAlignment(aligned.sar_image, sar_valid, False, lambda xy: xy)
    assert keypoint_area(optical_valid, unplaced, options) is optical_valid  # without georeferencing, everywhere
    assert search_window(unplaced, options) is None
    covering = CoarseAlignment(aligned.sar_image, np.ones_like(sar_valid), True, lambda xy: xy, predicted=True)
    assert keypoint_area(optical_valid, covering, options) is optical_valid  # covered everywhere: nothing to restrict
    assert search_window(covering, options) is None
    nearly = sar_valid.copy()
    nearly[20:-20, 20:-20] = True  # 20 px uncovered at the edges, within the search radius: the whole grid is searched
    assert search_window(CoarseAlignment(aligned.sar_image, nearly, True, lambda xy: xy, predicted=True), options) is None


def test_without_georeferencing_a_scene_too_large_for_the_network_is_refused_with_the_fix(sample, tmp_path, monkeypatch):
    """Without a prior the network's matcher compares every keypoint with every SAR grid point;
    above ``ALL_PAIRS_LIMIT`` (a scene of about 3500 px, forced here on the sample) it refuses
    before describing anything, and says to georeference or clip."""
    from plugin.core import pipeline

    plain = plain_copies(sample, tmp_path)
    monkeypatch.setattr(pipeline, "ALL_PAIRS_LIMIT", 1000)
    stages = []
    with pytest.raises(RegistrationError) as raised:
        register(plain["optical"], plain["sar"], RegistrationOptions(device="cpu", matcher="guided"),
                 progress=lambda stage, _fraction: stages.append(stage) or True)
    assert "Without georeferencing" in raised.value.message and "georeferencing" in raised.value.fix
    assert "descriptors" not in stages


def test_progress_only_moves_forward_and_ends_full(sample):
    seen = []
    register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"), progress=lambda stage, f: seen.append((stage, f)) or True)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and seen[-1] == ("done", 1.0)
    assert [s for s, _ in seen if s != "done"][-1] == "matching" and max(f for s, f in seen if s == "matching") > 0.9


def test_the_device_reported_is_where_the_networks_ran():
    """The descriptor's device when it was needed, else the learned features' (batch summaries and
    reports show it); CFOG alone runs on the CPU."""
    from types import SimpleNamespace

    from plugin.core.pipeline import FineFeatures, _device_used

    on_gpu = FineFeatures(None, None, SimpleNamespace(device="cuda", model_name="dense"))
    assert _device_used(None, on_gpu) == "cuda" and on_gpu.name == "learned (dense)"
    assert _device_used(SimpleNamespace(device="cpu"), on_gpu) == "cpu"
    assert _device_used(None, FineFeatures(None, None, None)) == "cpu" and _device_used(None, None) == "cpu"


@pytest.mark.parametrize("matcher", ["auto", "guided"])
def test_tie_points_are_the_first_keypoints_and_the_network_queries_more(sample, matcher):
    """Fine matching locates the first ``max_keypoints`` keypoints (spread over the image); the
    network's matcher describes at least ``DESCRIPTOR_QUERIES`` of them, because its coarse
    consensus needs them (benchmarks/results/keypoints-calibration-hard.md)."""
    from plugin.core import pipeline
    from plugin.core.descriptor import DescriptorExtractor
    from plugin.core.gaps import fill_small_gaps
    from plugin.core.keypoints import detect_keypoints
    from plugin.core.normalize import normalize_optical
    from plugin.core.raster_io import read_raster

    described = []

    class CountingExtractor(DescriptorExtractor):
        def describe(self, image, xy, progress=None):
            described.append(len(xy))
            return super().describe(image, xy, progress)

    options = RegistrationOptions(device="cpu", matcher=matcher, max_keypoints=200)
    result = register(sample["optical"], sample["sar"], options, extractor=CountingExtractor(None, "cpu"))
    optical = fill_small_gaps(read_raster(sample["optical"], "optical"))
    detected = detect_keypoints(normalize_optical(optical), optical.valid, pipeline.DESCRIPTOR_QUERIES).xy
    assert len(detected) > 200  # the sample has enough structure for the test to mean something
    assert len(result.tie_points) == result.keypoint_counts["optical"] == 200
    np.testing.assert_allclose(result.tie_points.optical_xy, detected[:200])
    if matcher == "guided":
        assert described[0] == len(detected)  # the optical queries: all of them, not 200
    else:
        assert described == []  # the structural search registered it: no network queries


def test_the_optical_image_registered_to_itself_comes_back_to_a_fraction_of_a_pixel(sample, tmp_path):
    """The whole chain (reading, georeferenced coarse alignment, resampling, template matching and
    the mapping back to the SAR's pixels) adds no offset of its own: the optical image's grey,
    written as the "SAR" with its georeferencing 25 px east and 17 px north of the truth, is
    registered back to the identity. (On the real 3072 x 5120 px Los Angeles scene the same
    control lands 0.09 px from it, while the real SAR there sits (-2.1, -1.4) px off: the data's
    own alignment, found alike by the learned and the CFOG features; benchmarks/README.md.)"""
    optical = gdal.Open(sample["optical"])
    grey = optical.ReadAsArray().astype(np.float32)
    grey = grey.mean(axis=0) if grey.ndim == 3 else grey
    left, pixel_x, _, top, _, pixel_y = optical.GetGeoTransform()
    path = str(tmp_path / "optical_as_sar.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(path, optical.RasterXSize, optical.RasterYSize, 1, gdal.GDT_Float32)
    dataset.SetGeoTransform((left + 25 * pixel_x, pixel_x, 0.0, top + 17 * pixel_y, 0.0, pixel_y))
    dataset.SetProjection(optical.GetProjection())
    dataset.GetRasterBand(1).WriteArray(grey)
    dataset = None
    result = register(sample["optical"], path, RegistrationOptions(device="cpu"))
    rms, worst = grid_error(result.fit.sar_to_optical, np.eye(3), optical.RasterXSize, optical.RasterYSize)
    assert worst < 0.3, (rms, worst)  # measured: 0.12 px


def test_cancel_during_the_keypoints_of_a_large_image_stops_before_the_search(sample, monkeypatch):
    """The keypoint stage of a large image (most of a minute on a Sentinel-2 tile) reports its
    progress tile by tile, so Cancel is seen there and not only when the stage ends."""
    from plugin.core import phase_congruency as module

    monkeypatch.setattr(module, "WHOLE_IMAGE_PX", 256)
    monkeypatch.setattr(module, "TILE_PX", 256)
    seen = []

    def cancel_within_keypoints(reached, fraction):
        seen.append(reached)
        return seen.count("keypoints") < 3  # the stage's start, one tile, then cancel

    with pytest.raises(RegistrationCancelled):
        register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"), progress=cancel_within_keypoints)
    assert seen.count("keypoints") == 3 and "search" not in seen


def test_a_first_pass_the_gate_refused_is_registered_when_the_descriptor_confirms_it(sample, monkeypatch):
    """``auto``: with the gate set out of reach, the sample's first pass is refused as a near miss;
    the descriptor's matches agree with its fit, so fine matching goes on from it. When they are
    asked to agree in more places than they can, or their own similarity to lie closer to the fit
    than it does, the refusal stands (the guided matcher's own coarse transform meets the same gate)."""
    from plugin.core import pipeline
    from plugin.core.descriptor import DescriptorExtractor

    monkeypatch.setattr(pipeline, "MIN_TEMPLATE_AGREEMENT", {"similarity": 1.01, "affine": 1.01})
    extractor = DescriptorExtractor(device="cpu")
    result = register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"), extractor=extractor)
    rms, worst = grid_error(result.fit.sar_to_optical, sample["truth"], result.sar.width, result.sar.height)
    assert rms < MAX_ERROR_PX, (rms, worst)
    assert "descriptors" in result.timing_s and result.model_name == extractor.model_name
    confirmation = dict(pipeline.NEAR_MISS_CONFIRMATION)
    for key, unreachable in (("cells", 10**6), ("apart_px", 0.0)):  # more agreement, or a closer similarity, than there is
        monkeypatch.setattr(pipeline, "NEAR_MISS_CONFIRMATION", {**confirmation, key: unreachable})
        with pytest.raises(RegistrationError, match="distinct and agree on one transform"):
            register(sample["optical"], sample["sar"], RegistrationOptions(device="cpu"), extractor=extractor)


def test_a_mirrored_sar_georeferenced_by_gcps_only(sample, tmp_path):
    """An ascending Sentinel-1 GRD is stored mirrored against the map and georeferenced by GCPs
    only. Read as not georeferenced, it was matched in pixel space, where no rotation or scale
    undoes a mirror; its GCPs now place it, and it registers as the plain sample does."""
    source = gdal.Open(sample["sar"])
    width, height, gt = source.RasterXSize, source.RasterYSize, source.GetGeoTransform()
    mirrored = str(tmp_path / "sar_gcps.tif")
    target = gdal.GetDriverByName("GTiff").Create(mirrored, width, height, 1, source.GetRasterBand(1).DataType)
    target.GetRasterBand(1).WriteArray(source.GetRasterBand(1).ReadAsArray()[::-1])
    gcps = []
    for column in np.linspace(0, width, 5):
        for row in np.linspace(0, height, 5):  # corner coordinates: mirrored row r is the original's height - r
            x = gt[0] + column * gt[1] + (height - row) * gt[2]
            y = gt[3] + column * gt[4] + (height - row) * gt[5]
            gcps.append(gdal.GCP(x, y, 0.0, float(column), float(row)))
    target.SetGCPs(gcps, source.GetProjection())
    target = None
    result = register(sample["optical"], mirrored, RegistrationOptions(device="cpu"))
    assert result.from_georeferencing
    unmirror = np.array([[1.0, 0.0, 0.0], [0.0, -1.0, height - 1.0], [0.0, 0.0, 1.0]])  # pixel centres
    rms, worst = grid_error(result.fit.sar_to_optical, sample["truth"] @ unmirror, width, height)
    assert rms < MAX_ERROR_PX, (rms, worst)


def test_a_gcp_scene_that_one_affine_fits_badly_is_placed_by_the_gcps_around_the_optical(sample, tmp_path, monkeypatch):
    """A SAR scene georeferenced by GCPs alone (a Sentinel-1 GRD) whose GCPs one affine transform
    fits up to about 300 px off: the part read around the optical raster is placed by the GCPs
    around it. Placed by the whole scene's fit, the templates met a SAR resampled with the wrong
    scale and shear there: 295 tie points, 1.52 px RMS from the truth (measured); now 363, 1.20 px,
    as the sample itself gives."""
    scene, sample_to_scene = bent_gcp_scene(sample, tmp_path / "grd.tif")
    result, (_, sar_window) = register_seeing_windows(monkeypatch, sample["optical"], scene)
    assert sar_window is not None and result.from_georeferencing
    rms, worst = grid_error(result.fit.sar_to_optical @ sample_to_scene, sample["truth"], 800, 760)
    assert rms < 1.35 and result.tie_points.enabled.sum() >= 340, (rms, worst, result.tie_points.enabled.sum())


def register_seeing_windows(monkeypatch, optical, sar, **options):
    """The result of registering on the CPU, and the windows the optical and the SAR raster were read in (None: whole)."""
    from plugin.core import pipeline

    windows = {}
    reader = pipeline.read_raster

    def spy(path, role, bands=None, window=None):
        windows[role] = window
        return reader(path, role, bands, window)

    monkeypatch.setattr(pipeline, "read_raster", spy)
    result = register(optical, sar, RegistrationOptions(device="cpu", **options))
    return result, (windows["optical"], windows["sar"])


def shows_the_sample_sar(warped: np.ndarray, sample) -> bool:
    """Whether ``warped`` (the sample's optical grid) shows the sample's SAR where the truth puts it."""
    t = sample["truth"][:2, 2].astype(int)
    expected = gdal.Open(sample["sar"]).ReadAsArray().astype(float)[200 - t[1]:500 - t[1], 200 - t[0]:500 - t[0]]
    return np.corrcoef(expected.ravel(), warped[200:500, 200:500].astype(float).ravel())[0, 1] > 0.9


def test_a_sar_scene_much_larger_than_the_optical_is_read_only_where_registration_can_reach(sample, tmp_path, monkeypatch):
    """A whole SAR scene and an optical area of interest: the SAR is read only around the optical
    raster's footprint (a 12000 px scene over the sample: read 4.7 -> 0.15 s, peak 3.7 -> 0.9 GB),
    the tie points and the fit come back in the scene's own pixels, and the self-check moves and
    measures that part, not the whole scene about its far-away centre."""
    scene, sample_to_scene = sar_scene_around_the_sample(sample, tmp_path / "scene.tif")
    result, (optical_window, sar_window) = register_seeing_windows(monkeypatch, sample["optical"], scene, self_check=True)
    assert optical_window is None and sar_window is not None
    assert sar_window.columns * sar_window.rows < 0.3 * 3000 * 3000
    footprint = sample_to_scene @ np.array([[0, 799, 0, 799], [0, 0, 759, 759], [1, 1, 1, 1]])
    assert sar_window.column <= footprint[0].min() and footprint[0].max() < sar_window.column + sar_window.columns
    assert sar_window.row <= footprint[1].min() and footprint[1].max() < sar_window.row + sar_window.rows
    # in the scene's pixels: through the scene, the sample's pixels land where the truth puts them
    rms, worst = grid_error(result.fit.sar_to_optical @ sample_to_scene, sample["truth"], 800, 760)
    assert rms < MAX_ERROR_PX, (rms, worst)
    kept = result.tie_points.sar_xy[result.tie_points.enabled]
    assert (kept >= sample_to_scene[:2, 2]).all() and (kept <= sample_to_scene[:2, 2] + (799, 759)).all()
    assert (result.sar.width, result.sar.height) == (3000, 3000)
    assert result.sar.geotransform == gdal.Open(scene).GetGeoTransform()
    assert result.self_check_px < 1.5 and not result.self_check_failed
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped.tif")))
    assert shows_the_sample_sar(warped.ReadAsArray(), sample)  # the part of the scene under the optical


def test_a_sar_raster_on_a_much_larger_optical_tile_reads_only_the_tile_around_it(sample, tmp_path, monkeypatch):
    """A SAR clip on an optical tile: the optical raster is read only where the SAR can be, and the
    tie points, the fit and the warped output are in the whole tile's grid (the output only where the
    SAR lies: it covers less than a quarter of the tile)."""
    tile, sample_to_tile = scene_around(sample["optical"], tmp_path / "tile.tif", size=3000, at=(300, 2000))
    result, (optical_window, sar_window) = register_seeing_windows(monkeypatch, tile, sample["sar"])
    assert sar_window is None and optical_window is not None and optical_window.columns * optical_window.rows < 0.3 * 3000 * 3000
    rms, worst = grid_error(result.fit.sar_to_optical, sample_to_tile @ sample["truth"], 800, 760)
    assert rms < MAX_ERROR_PX, (rms, worst)
    assert (result.optical.width, result.optical.height) == (3000, 3000)
    assert result.optical.geotransform == gdal.Open(tile).GetGeoTransform()
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped.tif")))
    left, step, _, top, _, step_y = result.optical.geotransform
    cut = warped.GetGeoTransform()
    x0, y0 = (cut[0] - left) / step, (cut[3] - top) / step_y
    assert x0 == int(x0) and y0 == int(y0) and cut[1:3] == (step, 0.0) and cut[4:] == (0.0, step_y)  # the tile's pixels
    assert 280 < x0 < 330 and 1970 < y0 < 2000 and warped.RasterXSize < 850 and warped.RasterYSize < 800  # the sample SAR's box
    on_tile = np.zeros((3000, 3000), warped.ReadAsArray().dtype)  # put back in the whole tile's grid
    on_tile[int(y0):int(y0) + warped.RasterYSize, int(x0):int(x0) + warped.RasterXSize] = warped.ReadAsArray()
    assert shows_the_sample_sar(on_tile[2000:, 300:], sample)  # the tile's sample area


def test_the_read_windows_are_the_other_rasters_footprint_and_the_searchs_reach():
    from plugin.core.pipeline import RasterInfo, prior_reach, read_windows, sar_read_window, TEMPLATE_SEARCH_PX, WINDOW_SPARE_PX

    utm, geographic = osr.SpatialReference(), osr.SpatialReference()
    for srs, epsg in ((utm, 32611), (geographic, 4326)):
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)  # longitude, latitude
    optical = RasterInfo("optical.tif", 1000, 800, (500000.0, 10.0, 0, 4200000.0, 0, -10.0), utm.ExportToWkt(), (1,))
    scene = RasterInfo("sar.tif", 20000, 20000, (400000.0, 20.0, 0, 4300000.0, 0, -20.0), utm.ExportToWkt(), (1,))
    options = RegistrationOptions()
    window = sar_read_window(optical, scene, options)
    # the optical raster covers SAR columns 5000-5500, rows 5000-5400 (20 m pixels), grown by the margin in optical pixels
    margin = (prior_reach(np.hypot(1000, 800) / 2, options) + options.template_radius + max(TEMPLATE_SEARCH_PX) + WINDOW_SPARE_PX) / 2
    assert abs(window.column - (5000 - margin)) <= 2 and abs(window.row - (5000 - margin)) <= 2
    assert abs(window.columns - (500 + 2 * margin)) <= 3 and abs(window.rows - (400 + 2 * margin)) <= 3
    # the same scene in geographic coordinates: the window still holds the footprint
    lonlat = RasterInfo("sar.tif", 20000, 20000, (-118.2, 0.0002, 0, 38.0, 0, -0.0002), geographic.ExportToWkt(), (1,))
    window = sar_read_window(optical, lonlat, options)
    to_geographic = osr.CoordinateTransformation(utm, geographic)
    corners = [to_geographic.TransformPoint(500000.0 + x, 4200000.0 - y)[:2] for x in (0, 10000) for y in (0, 8000)]
    columns = [(lon + 118.2) / 0.0002 for lon, lat in corners]
    rows = [(38.0 - lat) / 0.0002 for lon, lat in corners]
    assert window.column < min(columns) and max(columns) < window.column + window.columns
    assert window.row < min(rows) and max(rows) < window.row + window.rows
    # nothing to gain, or nothing to place: the whole SAR is read
    small = RasterInfo("sar.tif", 600, 500, (499000.0, 20.0, 0, 4201000.0, 0, -20.0), utm.ExportToWkt(), (1,))
    assert sar_read_window(optical, small, options) is None
    assert sar_read_window(optical, RasterInfo("sar.png", 20000, 20000, None, None, (1,)), options) is None
    far = RasterInfo("sar.tif", 20000, 20000, (900000.0, 20.0, 0, 4300000.0, 0, -20.0), utm.ExportToWkt(), (1,))
    assert sar_read_window(optical, far, options) is None  # off the SAR: coarse alignment says they do not overlap
    # the other way round, a SAR clip on an optical tile: the tile is read around the SAR's footprint
    tile = RasterInfo("optical.tif", 20000, 20000, (400000.0, 10.0, 0, 4300000.0, 0, -10.0), utm.ExportToWkt(), (1,))
    clip = RasterInfo("sar.tif", 500, 400, (500000.0, 20.0, 0, 4200000.0, 0, -20.0), utm.ExportToWkt(), (1,))
    optical_window, sar_window = read_windows(tile, clip, options)
    margin = prior_reach(np.hypot(1000, 800) / 2, options) + options.template_radius + max(TEMPLATE_SEARCH_PX) + WINDOW_SPARE_PX
    assert sar_window is None  # the part of the tile read holds all of the SAR
    assert abs(optical_window.column - (10000 - margin)) <= 2 and abs(optical_window.columns - (1000 + 2 * margin)) <= 3
    assert abs(optical_window.row - (10000 - margin)) <= 2 and abs(optical_window.rows - (800 + 2 * margin)) <= 3
    # two scenes overlapping at a corner: each is read only around the overlap
    corner = RasterInfo("sar.tif", 20000, 20000, (490000.0, 20.0, 0, 4210000.0, 0, -20.0), utm.ExportToWkt(), (1,))
    optical_window, sar_window = read_windows(tile, corner, options)
    assert optical_window.column > 7000 and optical_window.row > 7000 and sar_window.column == 0 and sar_window.row == 0
    assert sar_window.columns < 7000 and sar_window.rows < 7000
