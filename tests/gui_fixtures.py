"""Fixtures shared by the tests of the QGIS dock (``tests/test_gui_*.py``): an iface whose
dock area is real, a controller with its own settings group, the sample (a copy; the Processing
tests use it too) and the sample as project layers, and a registration result built from known tie
points (no network)."""
import numpy as np
import pytest
from qgis.core import QgsGeometry, QgsPointXY, QgsProject, QgsRasterLayer, QgsVectorLayerUtils

from plugin.core.pipeline import TiePoints, result_from_tie_points
from plugin.core.raster_io import pixel_to_map
from plugin.gui.settings import clear_settings
from tests.conftest import SAMPLE_SHIFT  # noqa: F401 (re-exported for the dock tests)

TEST_SETTINGS = "SarOpticalRegistrationTest"


@pytest.fixture
def iface(qgis_iface, monkeypatch):
    """pytest-qgis's iface, with a real dock area and an empty message bar and project."""
    window = qgis_iface.mainWindow()
    monkeypatch.setattr(qgis_iface, "addDockWidget", lambda area, dock: window.addDockWidget(area, dock), raising=False)
    monkeypatch.setattr(qgis_iface, "removeDockWidget", lambda dock: window.removeDockWidget(dock), raising=False)
    qgis_iface.messageBar().clear_messages()
    QgsProject.instance().removeAllMapLayers()
    yield qgis_iface
    QgsProject.instance().removeAllMapLayers()


@pytest.fixture(scope="module")
def sample(sample_copy):
    """The bundled sample, copied: QGIS writes .aux.xml statistics beside the rasters it draws, and
    the project's own files must stay as they are."""
    return sample_copy


@pytest.fixture
def controller(iface, qtbot):
    from plugin.gui.controller import DockController

    clear_settings(TEST_SETTINGS)
    made = DockController(iface, settings_group=TEST_SETTINGS)
    yield made
    made.unload()
    clear_settings(TEST_SETTINGS)


@pytest.fixture
def sample_layers(sample, iface):
    optical = QgsRasterLayer(sample["optical"], "optical", "gdal")
    sar = QgsRasterLayer(sample["sar"], "sar", "gdal")
    assert optical.isValid() and sar.isValid()
    QgsProject.instance().addMapLayers([optical, sar])
    return optical, sar


def sample_tie_points(count=40, outliers=4, seed=0) -> TiePoints:
    """Tie points on the sample with the known truth; the last ``outliers`` are off by 25-40 px,
    rejected by RANSAC and disabled."""
    rng = np.random.default_rng(seed)
    sar_xy = rng.uniform([60, 60], [700, 680], (count, 2))
    optical_xy = sar_xy + SAMPLE_SHIFT
    optical_xy[count - outliers:] += rng.uniform(25, 40, (outliers, 2))
    enabled = np.r_[np.ones(count - outliers, bool), np.zeros(outliers, bool)]
    rejected = [""] * (count - outliers) + ["ransac"] * outliers
    return TiePoints(optical_xy, sar_xy, rng.uniform(0.3, 0.9, count), rejected, enabled)


@pytest.fixture
def synthetic_result(sample):
    result = result_from_tie_points(sample["optical"], sample["sar"], sample_tie_points(), "affine")
    result.model_name, result.device = "test", "cpu"
    return result


def messages(iface, level):
    return list(iface.messageBar().get_messages(level))


def run_in_dock(controller, qtbot, optical, sar):
    """Run in the dock, on the CPU, on two rasters: each a layer of the project or a file browsed for
    (a path); returns the task once done."""
    for raster_input, raster in ((controller.dock.optical_input, optical), (controller.dock.sar_input, sar)):
        raster_input.set_path(raster) if isinstance(raster, str) else raster_input.set_layer(raster)
    controller.dock.device_combo.setCurrentIndex(controller.dock.device_combo.findData("cpu"))
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    return task


def add_point(layer, geotransform, pixel_xy, **attributes):
    """A point added as QGIS's Add Point Feature tool adds it: the layer's default values filled
    in (the next id, enabled), then the attributes the user types."""
    x, y = pixel_to_map(geotransform, np.array([pixel_xy], float))[0]
    assert layer.isEditable() or layer.startEditing()
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
    for name, value in attributes.items():
        feature[name] = value
    assert layer.addFeature(feature)
    return feature
