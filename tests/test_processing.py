"""The Processing provider through ``processing.run``, batch-mode style runs and the modeler.

Tests marked "network" register the bundled sample for real (they need the trained model);
the others use tie points from the sample's known truth and need no network.
"""
import gc
import os
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterLayer,
    QgsVectorLayer,
)

from plugin.core import TiePoints, outputs
from plugin.core.tie_point_files import recorded_rasters
from plugin.core import pipeline
from plugin.core.dense_features import FEATURES
from plugin.core.pipeline import result_from_tie_points
from plugin.core.transforms import WARP_MODELS
from plugin.processing import common, register_algorithm
from plugin.processing.provider import PROVIDER_ID, RegistrationProvider
from tests.conftest import ROOT, SAMPLE_SHIFT as SHIFT, sar_bordered_by_a_fill
from tests.gui_fixtures import sample  # noqa: F401 (the sample, copied)
from tests.test_ground import sample_pixel_m

REGISTER = f"{PROVIDER_ID}:registersartooptical"
WARP = f"{PROVIDER_ID}:warpfromtiepoints"


@pytest.fixture(scope="module")
def provider(qgis_processing):
    registry = QgsApplication.processingRegistry()
    provider = RegistrationProvider()
    assert registry.addProvider(provider)
    yield provider
    gc.collect()  # algorithms and feedback objects the tests made go while their provider still exists
    registry.removeProvider(provider)


@pytest.fixture(scope="module")
def processing(provider):
    import processing

    return processing


def truth_tie_points(count=40, outliers=0, seed=0):
    rng = np.random.default_rng(seed)
    sar = rng.uniform(40, 700, (count + outliers, 2))
    optical = sar + SHIFT
    optical[count:] += rng.uniform(30, 60, (outliers, 2))
    enabled = np.arange(count + outliers) < count
    return TiePoints(optical, sar, np.zeros(count + outliers), ["" if e else "ransac" for e in enabled], enabled)


@pytest.fixture(scope="module")
def truth_files(sample, tmp_path_factory):
    """A .points file and a tie-point GeoPackage (with 5 disabled outliers) built from the truth."""
    folder = tmp_path_factory.mktemp("truth")
    result = result_from_tie_points(sample["optical"], sample["sar"], truth_tie_points(outliers=5), "affine")
    return {"points": outputs.write_points_file(result, str(folder / "truth.points")),
            "gpkg": outputs.write_geopackage(result, str(folder / "truth.gpkg"))}


def epsg_of(path):
    srs = osr.SpatialReference(wkt=gdal.Open(path).GetProjection())
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


def feature_count(path):
    source = ogr.Open(path)  # keep the data source alive while its layer is used
    return source.GetLayer(0).GetFeatureCount()


def check_warped(path, sample):
    optical, warped = gdal.Open(sample["optical"]), gdal.Open(path)
    assert (warped.RasterXSize, warped.RasterYSize) == (optical.RasterXSize, optical.RasterYSize)
    assert warped.GetGeoTransform() == pytest.approx(optical.GetGeoTransform())
    assert epsg_of(path) == "3395"
    assert np.isfinite(warped.GetRasterBand(1).ReadAsArray()).any()


def test_provider_lists_both_algorithms(provider):
    ids = sorted(a.id() for a in provider.algorithms())
    assert ids == [REGISTER, WARP]
    assert provider.id() == PROVIDER_ID and provider.name() == "SAR-Optical Registration"
    assert not provider.icon().isNull()
    assert not provider.supportsNonFileBasedOutput()


def test_provider_loads_without_importing_the_engine():
    """QGIS imports the provider at start-up: PyTorch is imported only when an algorithm runs."""
    code = "import sys, plugin.processing.provider; assert 'torch' not in sys.modules and 'plugin.core' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_register_parameters(provider):
    algorithm = QgsApplication.processingRegistry().algorithmById(REGISTER)
    names = {d.name() for d in algorithm.parameterDefinitions()}
    assert names >= {"OPTICAL", "SAR", "OPTICAL_BANDS", "SAR_BAND", "TRANSFORM", "DEVICE", "MAX_KEYPOINTS", "SEARCH_RADIUS",
                     "MUTUAL", "RANSAC_THRESHOLD", "OUTPUT", "TIE_POINTS", "POINTS_FILE", "REPORT", "MATCHER", "MAX_ROTATION", "MAX_SCALE",
                     "FEATURES", "FEATURE_MODEL", "SELF_CHECK"}
    matcher = algorithm.parameterDefinition("MATCHER")
    assert tuple(matcher.options()) == register_algorithm.MATCHERS == pipeline.MATCHERS and matcher.defaultValue() == "auto"
    features = algorithm.parameterDefinition("FEATURES")
    assert tuple(features.options()) == register_algorithm.FEATURES == FEATURES
    assert features.defaultValue() == pipeline.RegistrationOptions().features
    transform = algorithm.parameterDefinition("TRANSFORM")
    assert tuple(transform.options()) == WARP_MODELS == common.WARP_MODELS and transform.usesStaticStrings()
    grid = algorithm.parameterDefinition("OUTPUT_GRID")
    assert tuple(grid.options()) == outputs.OUTPUT_GRIDS == common.OUTPUT_GRIDS and grid.defaultValue() == "optical"
    assert {o.name() for o in algorithm.outputDefinitions()} >= {"OUTPUT", "TIE_POINTS", "POINTS_FILE", "REPORT", "CANDIDATES", "TIE_POINTS_USED", "RMSE",
                                                                    "SELF_CHECK", "SELF_CHECK_PX"}
    assert algorithm.outputDefinition("REPORT").type() == "outputHtml"
    assert algorithm.shortHelpString() and algorithm.displayName() == "Register SAR to optical"


def test_the_help_names_the_left_out_radius_the_engine_uses(provider):
    from plugin.core.warp_residuals import LEFT_OUT_RADIUS_PX

    for algorithm in QgsApplication.processingRegistry().providerById(PROVIDER_ID).algorithms():
        assert f"points within {LEFT_OUT_RADIUS_PX:g} px" in algorithm.shortHelpString(), algorithm.id()


def test_register_defaults_are_the_engines(provider):
    """The provider cannot import the engine at start-up, so it repeats its defaults: they must agree."""
    algorithm = QgsApplication.processingRegistry().algorithmById(REGISTER)
    defaults = pipeline.RegistrationOptions()
    for name, attribute in (("GRID_STEP", "grid_step"), ("MAX_ROTATION", "max_rotation"), ("MAX_SCALE", "max_scale"),
                            ("MAX_KEYPOINTS", "max_keypoints"), ("SEARCH_RADIUS", "search_radius"), ("MUTUAL", "mutual"),
                            ("RANSAC_THRESHOLD", "ransac_threshold"), ("MIN_INLIERS", "min_inliers"), ("SELF_CHECK", "self_check")):
        assert algorithm.parameterDefinition(name).defaultValue() == getattr(defaults, attribute), name
    assert algorithm.parameterDefinition("IGNORE_GEOREFERENCING").defaultValue() == (not defaults.use_georeferencing)


def test_a_sar_whose_georeferencing_is_far_off_registers_with_it_ignored(processing, sample, tmp_path):
    """IGNORE_GEOREFERENCING reaches the engine: the SAR's georeferencing 5 km off is refused with the
    advice to ignore it, and registers (on the optical raster's grid) when it is."""
    from tests.conftest import sar_moved_on_the_map

    far = sar_moved_on_the_map(sample["sar"], tmp_path / "sar_far.tif", 5000.0, -1500.0)
    parameters = {"OPTICAL": sample["optical"], "SAR": far, "DEVICE": "cpu", "OUTPUT": str(tmp_path / "o.tif")}
    with pytest.raises(QgsProcessingException, match="Ignore the georeferencing"):
        processing.run(REGISTER, parameters)
    results = processing.run(REGISTER, dict(parameters, IGNORE_GEOREFERENCING=True))
    assert results["TIE_POINTS_USED"] > 100 and results["RMSE"] < 1.5
    check_warped(results["OUTPUT"], sample)


def test_warp_from_points_file(processing, sample, truth_files, tmp_path):
    out = {"OUTPUT": str(tmp_path / "warped.tif"), "TIE_POINTS": str(tmp_path / "tp.gpkg"),
           "POINTS_FILE": str(tmp_path / "tp.points"), "REPORT": str(tmp_path / "report.html")}
    results = processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": truth_files["points"],
                                    "TRANSFORM": "poly2", **out})
    assert all(os.path.exists(p) for p in out.values())
    check_warped(out["OUTPUT"], sample)
    assert results["CANDIDATES"] == 45 and results["TIE_POINTS_USED"] == 40 and results["RMSE"] < 1e-3
    assert feature_count(out["TIE_POINTS"]) == 45
    assert epsg_of_layer(out["TIE_POINTS"]) == "EPSG:3395"
    # the rasters they were measured on, for the dock's Open tie points
    assert recorded_rasters(out["TIE_POINTS"]) == (os.path.abspath(sample["optical"]), os.path.abspath(sample["sar"]))
    assert "Fit RMSE" in open(out["REPORT"]).read()
    assert len(open(out["POINTS_FILE"]).read().strip().splitlines()) == 2 + 45  # the CRS line, the header


def test_tie_points_into_a_project_geopackage_keep_its_layers_and_are_returned_by_layer_name(processing, sample, truth_files, tmp_path):
    """Processing replaces outputs: a GeoPackage that holds other layers keeps them, and the result
    names the tie-point layer, which QGIS (and the next algorithm of a model) would otherwise take
    to be the GeoPackage's first layer."""
    project = str(tmp_path / "project.gpkg")
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(project)
    dataset.CreateLayer("roads", None, ogr.wkbLineString)
    dataset = None
    results = processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": truth_files["points"],
                                    "OUTPUT": str(tmp_path / "w.tif"), "TIE_POINTS": project})
    assert results["TIE_POINTS"] == f"{project}|layername=tie_points"
    layer = QgsVectorLayer(results["TIE_POINTS"], "tie points", "ogr")
    assert layer.isValid() and layer.featureCount() == 45 and layer.crs().authid() == "EPSG:3395"
    source = ogr.Open(project)
    assert sorted(source.GetLayer(i).GetName() for i in range(source.GetLayerCount())) == ["roads", "tie_points"]


def epsg_of_layer(path):
    layer = QgsVectorLayer(path, "t", "ogr")
    return layer.crs().authid()


def test_warp_from_edited_layer_in_another_crs(processing, sample, truth_files, tmp_path):
    """Geometry (not the stored optical_x/optical_y) gives the optical position, in any CRS."""
    moved = processing.run("native:reprojectlayer", {"INPUT": truth_files["gpkg"], "TARGET_CRS": "EPSG:4326",
                                                      "OUTPUT": str(tmp_path / "wgs84.gpkg")})["OUTPUT"]
    layer = QgsVectorLayer(moved, "tie points", "ogr")
    assert layer.isValid() and layer.crs().authid() == "EPSG:4326"
    layer.startEditing()
    for feature in layer.getFeatures():
        layer.changeAttributeValue(feature.id(), layer.fields().indexOf("optical_x"), -999.0)  # stale fields are ignored
    assert layer.commitChanges()
    results = processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "TIE_POINT_LAYER": moved,
                                    "OUTPUT": str(tmp_path / "w.tif")})
    assert results["TIE_POINTS_USED"] == 40 and results["RMSE"] < 1e-3
    check_warped(results["OUTPUT"], sample)


def test_warp_keeps_the_ids_of_an_edited_layer(processing, sample, truth_files, tmp_path):
    """Points deleted from the tie-point layer leave the others' ids as they were in what is
    written again, so that a point keeps one name from file to file."""
    import shutil

    edited = str(tmp_path / "edited.gpkg")
    shutil.copy(truth_files["gpkg"], edited)
    layer = QgsVectorLayer(edited, "tie points", "ogr")
    assert layer.isValid() and layer.startEditing()
    for feature in layer.getFeatures():
        if feature["id"] < 5:
            layer.deleteFeature(feature.id())
        elif feature["id"] == 7:  # a copy added without an id: the next free number
            copy = QgsFeature(feature)
            copy["id"] = None
            if layer.fields().indexOf("fid") >= 0:
                copy["fid"] = None  # the GeoPackage's own key: a new one
            layer.addFeature(copy)
    assert layer.commitChanges()
    out = str(tmp_path / "again.gpkg")
    processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "TIE_POINT_LAYER": edited,
                          "OUTPUT": str(tmp_path / "w.tif"), "TIE_POINTS": out})
    written = QgsVectorLayer(out, "written", "ogr")
    assert sorted(feature["id"] for feature in written.getFeatures()) == list(range(5, 46))


def test_warp_takes_the_rasters_the_tie_point_geopackage_records(processing, sample, truth_files, tmp_path):
    """With no raster given, the ones the GeoPackage records (here the sample's): what a batch of
    edited GeoPackages needs from qgis_process."""
    results = processing.run(WARP, {"TIE_POINT_LAYER": truth_files["gpkg"], "OUTPUT": str(tmp_path / "w.tif")})
    assert results["TIE_POINTS_USED"] == 40 and results["RMSE"] < 1e-3
    check_warped(results["OUTPUT"], sample)
    layer = QgsVectorLayer(f"{truth_files['gpkg']}|layername=tie_points", "tie points", "ogr")  # named as QGIS names it
    assert processing.run(WARP, {"TIE_POINT_LAYER": layer, "SAR": sample["sar"], "OUTPUT": str(tmp_path / "w2.tif")})["TIE_POINTS_USED"] == 40


@pytest.mark.parametrize("inputs, said", [
    ({"POINTS_INPUT": "points"}, "No OPTICAL raster is given, and the tie points do not record one"),
    ({"POINTS_INPUT": "points", "OPTICAL": "optical"}, "No SAR raster is given"),
    ({"TIE_POINT_LAYER": "moved"}, "No SAR raster is given, and the one the tie points record,"),
])
def test_warp_without_a_raster_the_tie_points_do_not_record_says_which(processing, sample, truth_files, tmp_path, inputs, said):
    if "moved" in inputs.values():
        import shutil

        folder = tmp_path / "moved"
        folder.mkdir()
        copies = {key: shutil.copy(sample[key], folder) for key in ("optical", "sar")}
        truth_files = dict(truth_files, moved=outputs.write_geopackage(
            result_from_tie_points(copies["optical"], copies["sar"], truth_tie_points(), "affine"), str(tmp_path / "moved.gpkg")))
        os.remove(copies["sar"])
    given = {key: sample[value] if value in ("optical", "sar") else truth_files[value] for key, value in inputs.items()}
    with pytest.raises(QgsProcessingException, match=said):
        processing.run(WARP, {**given, "OUTPUT": str(tmp_path / "w.tif")})
    assert not os.path.exists(tmp_path / "w.tif")


@pytest.mark.parametrize("inputs, message", [({}, "exactly one"), ({"TIE_POINT_LAYER": "gpkg", "POINTS_INPUT": "points"}, "exactly one")])
def test_warp_needs_exactly_one_tie_point_source(processing, sample, truth_files, tmp_path, inputs, message):
    inputs = {k: truth_files[v] for k, v in inputs.items()}
    with pytest.raises(QgsProcessingException, match=message):
        processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], **inputs, "OUTPUT": str(tmp_path / "w.tif")})


def test_warp_rejects_a_layer_without_tie_point_fields(processing, sample, tmp_path):
    plain = processing.run("native:pixelstopoints", {"INPUT_RASTER": sample["sar"], "RASTER_BAND": 1, "FIELD_NAME": "v",
                                                      "OUTPUT": str(tmp_path / "pixels.gpkg")})["OUTPUT"]
    with pytest.raises(QgsProcessingException, match="sar_x"):
        processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "TIE_POINT_LAYER": plain, "OUTPUT": str(tmp_path / "w.tif")})


@pytest.mark.parametrize("source", ["TIE_POINT_LAYER", "POINTS_INPUT"])
def test_tie_points_of_another_sar_raster_are_refused(processing, sample, truth_files, tmp_path, source):
    """Tie points written for one SAR raster and given with another (here a 300 px clip of it, with
    its georeferencing) would fit and warp into a wrong output without a word."""
    clip = str(tmp_path / "clip.tif")
    gdal.Translate(clip, sample["sar"], srcWin=[0, 0, 300, 300])
    tie_points = truth_files["gpkg" if source == "TIE_POINT_LAYER" else "points"]
    with pytest.raises(QgsProcessingException, match=r"of the 40 enabled tie points lie outside the SAR raster 'clip.tif' \(300 x 300 px\)"):
        processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": clip, source: tie_points, "OUTPUT": str(tmp_path / "w.tif")})
    assert not os.path.exists(tmp_path / "w.tif")


def test_too_few_enabled_points_give_a_fix(processing, sample, tmp_path):
    result = result_from_tie_points(sample["optical"], sample["sar"], truth_tie_points(count=7), "affine")
    points = outputs.write_points_file(result, str(tmp_path / "seven.points"))
    with pytest.raises(QgsProcessingException, match="needs at least 10"):
        processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": points, "TRANSFORM": "poly3",
                              "OUTPUT": str(tmp_path / "w.tif")})


def run_batch_like_the_toolbox(algorithm_id, rows):
    """What the toolbox's batch mode does: one run per row, each with a new context; a failing
    row is reported and the next one runs."""
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    outcomes = []
    for parameters in rows:
        feedback = QgsProcessingFeedback()
        results, ok = algorithm.run(parameters, QgsProcessingContext(), feedback)
        outcomes.append((ok, results))
    return outcomes


def test_batch_mode_goes_on_past_a_broken_row(provider, sample, truth_files, tmp_path):
    rows = [{"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": truth_files["points"], "OUTPUT": str(tmp_path / f"{n}.tif")}
            for n in range(3)]
    rows[1]["SAR"] = str(tmp_path / "missing.tif")
    outcomes = run_batch_like_the_toolbox(WARP, rows)
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert os.path.exists(tmp_path / "0.tif") and os.path.exists(tmp_path / "2.tif") and not os.path.exists(tmp_path / "1.tif")


def test_modeler_chains_outputs_to_inputs(processing, sample, truth_files, tmp_path):
    """A model: warp from a .points file, then warp again from the first run's tie-point layer."""
    model = QgsProcessingModelAlgorithm("refit twice", "tests")
    for name, parameter in (("optical", QgsProcessingParameterRasterLayer("optical")), ("sar", QgsProcessingParameterRasterLayer("sar")),
                            ("points", QgsProcessingParameterFile("points", extension="points"))):
        model.addModelParameter(parameter, QgsProcessingModelParameter(name))
    source = QgsProcessingModelChildParameterSource
    for child_id, tie_points in (("first", ("POINTS_INPUT", source.fromModelParameter("points"))),
                                 ("second", ("TIE_POINT_LAYER", source.fromChildOutput("first", "TIE_POINTS")))):
        child = QgsProcessingModelChildAlgorithm(WARP)
        child.setChildId(child_id)
        child.addParameterSources("OPTICAL", [source.fromModelParameter("optical")])
        child.addParameterSources("SAR", [source.fromModelParameter("sar")])
        child.addParameterSources(tie_points[0], [tie_points[1]])
        child.addParameterSources("TRANSFORM", [source.fromStaticValue("affine")])
        if child_id == "second":
            output = QgsProcessingModelOutput("registered")
            output.setChildOutputName("OUTPUT")
            child.setModelOutputs({"registered": output})
        model.addChildAlgorithm(child)
    target = str(tmp_path / "model.tif")
    results = processing.run(model, {"optical": sample["optical"], "sar": sample["sar"], "points": truth_files["points"],
                                     "second:registered": target})
    assert results["second:registered"] == target
    check_warped(target, sample)


def test_register_bad_input_gives_a_fix(processing, sample, tmp_path):
    with pytest.raises(QgsProcessingException, match="band 7 does not exist"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "OPTICAL_BANDS": [7], "DEVICE": "cpu",
                                  "OUTPUT": str(tmp_path / "o.tif")})
    with pytest.raises(QgsProcessingException, match="is one of the input rasters"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "OUTPUT": sample["sar"]})
    with pytest.raises(QgsProcessingException, match="GeoTIFF"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "OUTPUT": str(tmp_path / "o.img")})
    # Two outputs named alike: the second written would replace the first, both "written" (Processing always overwrites).
    with pytest.raises(QgsProcessingException, match="both '.*o.tif'.*would replace the other"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "OUTPUT": str(tmp_path / "o.tif"),
                                  "POINTS_FILE": str(tmp_path / "o.tif")})
    with pytest.raises(QgsProcessingException, match="would replace the other"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "OUTPUT": str(tmp_path / "o.tif"),
                                  "POINTS_FILE": str(tmp_path / "o.json"), "REPORT": str(tmp_path / "o.json")})
    assert not os.listdir(tmp_path)


def test_register_without_a_gpu_says_so(processing, sample, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(QgsProcessingException, match="No CUDA GPU"):
        processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "DEVICE": "cuda", "OUTPUT": str(tmp_path / "o.tif")})


def test_register_cancel_stops_without_outputs(provider, sample, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: percent > 5 and feedback.cancel())
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(REGISTER)
    out = str(tmp_path / "o.tif")
    results, ok = algorithm.run({"OPTICAL": sample["optical"], "SAR": sample["sar"], "DEVICE": "cpu", "OUTPUT": out},
                                QgsProcessingContext(), feedback)
    assert feedback.isCanceled() and results == {} and not os.path.exists(out)


class Recording(QgsProcessingFeedback):
    """Keeps the warnings pushed to the log."""

    def __init__(self):
        super().__init__()
        self.warnings = []

    def pushWarning(self, text):  # noqa: N802 (QGIS's name)
        self.warnings.append(text)
        super().pushWarning(text)


def test_the_engines_warnings_reach_the_algorithms_log(provider, sample, tmp_path):
    """A SAR bordered by -9999 that it does not declare as nodata: the engine reads the border as
    nodata and warns of it. The warning reached QGIS's log panel only; a toolbox or qgis_process
    user reads the algorithm's log."""
    bordered = sar_bordered_by_a_fill(sample["sar"], tmp_path / "sar_bordered.tif")
    feedback = Recording()
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(REGISTER)
    results, ok = algorithm.run({"OPTICAL": sample["optical"], "SAR": bordered, "DEVICE": "cpu",
                                 "OUTPUT": str(tmp_path / "o.tif")}, QgsProcessingContext(), feedback)
    assert ok and results["TIE_POINTS_USED"] > 100
    assert any("declares no nodata value" in text and "36480 pixels of -9999" in text for text in feedback.warnings), feedback.warnings


def test_cancelled_during_the_warp_writes_nothing(provider, sample, truth_files, tmp_path):
    """Cancel pressed while the SAR is warped (seconds on a Sentinel-2 tile) stops the warp: no
    GeoTIFF, no half-written file, nothing after it, and nothing named as written."""
    class CancelledHalfWay(Recording):
        # GDAL reports the warp's progress from its own threads, whose signals reach no slot without
        # an event loop: the Cancel button is pressed as the algorithm sets the progress instead.
        def setProgress(self, percent):  # noqa: N802 (QGIS's name)
            super().setProgress(percent)
            if percent >= 40:  # the warp runs from 25% to 62.5%
                self.cancel()

    feedback = CancelledHalfWay()
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(WARP)
    out, points = str(tmp_path / "warped.tif"), str(tmp_path / "tie.points")
    results, ok = algorithm.run({"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": truth_files["points"],
                                 "OUTPUT": out, "POINTS_FILE": points}, QgsProcessingContext(), feedback)
    assert results == {} and os.listdir(tmp_path) == [] and feedback.warnings == []


def test_cancelled_after_the_warp_names_what_was_written(provider, sample, truth_files, tmp_path, monkeypatch):
    """Cancel pressed once the GeoTIFF is written stops before the next file, and the log names the
    GeoTIFF (the run reports nothing else)."""
    feedback = Recording()
    write_warped = outputs.write_warped_sar

    def the_user_cancels_after_the_warp(*args, **kwargs):
        written = write_warped(*args, **kwargs)
        feedback.cancel()
        return written

    monkeypatch.setattr(outputs, "write_warped_sar", the_user_cancels_after_the_warp)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(WARP)
    out, points = str(tmp_path / "warped.tif"), str(tmp_path / "tie.points")
    results, ok = algorithm.run({"OPTICAL": sample["optical"], "SAR": sample["sar"], "POINTS_INPUT": truth_files["points"],
                                 "OUTPUT": out, "POINTS_FILE": points}, QgsProcessingContext(), feedback)
    assert results == {} and os.path.exists(out) and not os.path.exists(points)
    assert feedback.warnings == [f"Cancelled after writing {out}; the other files were not written."]


# --- Registration of the bundled sample with the network (needs the trained model) ---------------

@pytest.fixture(scope="module")
def registered(processing, sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("registered")
    out = {"OUTPUT": str(folder / "sar_registered.tif"), "TIE_POINTS": str(folder / "tie_points.gpkg"),
           "POINTS_FILE": str(folder / "tie_points.points"), "REPORT": str(folder / "report.html")}
    results = processing.run(REGISTER, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "TRANSFORM": "affine", "DEVICE": "auto",
                                        "SELF_CHECK": True, **out})
    return results, out


def report_tie_points(report: str) -> list:
    """The report's table of tie points, as dicts by column header."""
    import re

    table = report.split("<h3>", 1)[1]
    header = re.findall(r"<th>(.*?)</th>", table)
    return [dict(zip(header, re.findall(r"<td>(.*?)</td>", row))) for row in re.findall(r"<tr>(<td>.*?)</tr>", table)]


def test_register_sample_writes_georeferenced_outputs(registered, sample):
    results, out = registered
    assert all(os.path.exists(p) for p in out.values())
    check_warped(out["OUTPUT"], sample)
    assert 8 <= results["TIE_POINTS_USED"] <= results["CANDIDATES"] == feature_count(out["TIE_POINTS"])
    assert epsg_of_layer(out["TIE_POINTS"]) == "EPSG:3395"
    assert len(open(out["POINTS_FILE"]).read().strip().splitlines()) == results["CANDIDATES"] + 2
    assert 0 <= results["RMSE"] < 2.0
    assert results["RMSE_M"] == pytest.approx(results["RMSE"] * sample_pixel_m(sample), rel=0.01)  # on the ground
    report = open(out["REPORT"]).read()
    assert "Fit RMSE" in report and str(results["TIE_POINTS_USED"]) in report
    assert f"Fit RMSE (metres on the ground)</th><td>{results['RMSE_M']:.3f}" in report
    assert results["RMSE"] < results["LEFT_OUT_RMSE"] < results["RMSE"] + 0.3  # each tie point against the fit without it and its neighbours
    assert results["LEFT_OUT_RMSE_M"] == pytest.approx(results["LEFT_OUT_RMSE"] * sample_pixel_m(sample), rel=0.01)
    assert f"against the fit without it and the points within 96 px (optical pixels)</th><td>{results['LEFT_OUT_RMSE']:.3f}" in report
    points = report_tie_points(report)  # every tie point with its residual, the fit's RMSE from those used
    assert len(points) == results["CANDIDATES"] and sum(row["Used"] == "yes" for row in points) == results["TIE_POINTS_USED"]
    used = [row for row in points if row["Used"] == "yes"]
    assert np.sqrt(np.mean([float(row["Residual (px)"]) ** 2 for row in used])) == pytest.approx(results["RMSE"], abs=0.01)
    assert np.sqrt(np.mean([float(row["Residual (m)"]) ** 2 for row in used])) == pytest.approx(results["RMSE_M"], abs=0.05)
    assert results["SELF_CHECK"] == "passed" and 0 <= results["SELF_CHECK_PX"] < 3.0 and "Self-check" in report


def test_register_sample_matches_the_truth(registered, sample):
    _, out = registered
    points = outputs.read_points_file(out["POINTS_FILE"], gdal.Open(sample["optical"]).GetGeoTransform(), None,
                                      gdal.Open(sample["sar"]).GetGeoTransform())
    offset = points.optical_xy[points.enabled] - points.sar_xy[points.enabled]
    np.testing.assert_allclose(np.median(offset, axis=0), SHIFT, atol=1.0)


def test_warp_from_the_registered_layer(registered, processing, sample, tmp_path):
    results, out = registered
    layer = QgsVectorLayer(out["TIE_POINTS"], "tie points", "ogr")
    refit = processing.run(WARP, {"OPTICAL": sample["optical"], "SAR": sample["sar"], "TIE_POINT_LAYER": layer, "TRANSFORM": "poly1",
                                  "OUTPUT": str(tmp_path / "refit.tif")})
    assert refit["TIE_POINTS_USED"] == results["TIE_POINTS_USED"] and refit["RMSE"] == pytest.approx(results["RMSE"], abs=0.05)
    check_warped(refit["OUTPUT"], sample)


def test_register_batch_mode_with_a_broken_pair(provider, sample, tmp_path):
    noise = str(tmp_path / "noise.tif")
    copy = gdal.GetDriverByName("GTiff").CreateCopy(noise, gdal.Open(sample["sar"]))
    copy.GetRasterBand(1).WriteArray(np.random.default_rng(0).integers(0, 255, (copy.RasterYSize, copy.RasterXSize)))
    copy = None
    rows = [{"OPTICAL": sample["optical"], "SAR": sar, "DEVICE": "auto", "OUTPUT": str(tmp_path / f"{n}.tif")}
            for n, sar in enumerate((sample["sar"], noise))]
    outcomes = run_batch_like_the_toolbox(REGISTER, rows)
    assert [ok for ok, _ in outcomes] == [True, False]
    assert outcomes[0][1]["TIE_POINTS_USED"] >= 8 and os.path.exists(tmp_path / "0.tif") and not os.path.exists(tmp_path / "1.tif")


def test_inputs_from_a_geopackage_table_and_a_zip(processing, sample, truth_files, tmp_path, request):
    """Toolbox inputs that are no plain file (a GeoPackage's raster table, a GeoTIFF in a zip) are
    read as GDAL names them, and the GeoPackage they came from is never an output."""
    import zipfile

    geopackage = str(tmp_path / "scenes.gpkg")
    gdal.Translate(geopackage, sample["optical"], format="GPKG", creationOptions=["RASTER_TABLE=optical"])
    with zipfile.ZipFile(tmp_path / "sar.zip", "w") as archive:
        archive.write(sample["sar"], "sar.tif")
    from qgis.core import QgsProject, QgsRasterLayer

    optical = QgsRasterLayer(f"GPKG:{geopackage}:optical", "optical", "gdal")  # project layers, as the toolbox gets them
    sar = QgsRasterLayer(f"/vsizip/{tmp_path / 'sar.zip'}/sar.tif", "sar", "gdal")
    assert optical.isValid() and sar.isValid()
    QgsProject.instance().addMapLayers([optical, sar])  # owned by the project: a layer Python deletes after QGIS has exited crashes
    request.addfinalizer(lambda: QgsProject.instance().removeMapLayers([optical.id(), sar.id()]))
    out = str(tmp_path / "warped.tif")
    results = processing.run(WARP, {"OPTICAL": optical, "SAR": sar, "POINTS_INPUT": truth_files["points"], "TRANSFORM": "affine", "OUTPUT": out})
    check_warped(out, sample)
    assert results["TIE_POINTS_USED"] == 40 and results["RMSE"] < 1e-3
    before = open(geopackage, "rb").read()
    with pytest.raises(QgsProcessingException, match="is one of the input rasters"):
        processing.run(WARP, {"OPTICAL": optical, "SAR": sar, "POINTS_INPUT": truth_files["points"], "TRANSFORM": "affine",
                              "OUTPUT": str(tmp_path / "again.tif"), "TIE_POINTS": geopackage})
    assert open(geopackage, "rb").read() == before
