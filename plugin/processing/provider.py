"""The Processing provider "SAR-Optical Registration" (id ``saropticalregistration``)."""
from __future__ import annotations

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .common import tr
from .register_algorithm import RegisterSarToOpticalAlgorithm
from .warp_algorithm import WarpFromTiePointsAlgorithm

PROVIDER_ID = "saropticalregistration"
ICON = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "resources", "icon.svg")


class RegistrationProvider(QgsProcessingProvider):
    """Algorithms: ``registersartooptical`` and ``warpfromtiepoints``. Outputs are files only
    (the engine writes them with GDAL): GeoTIFF rasters and GeoPackage tie points."""

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("SAR-Optical Registration")

    def longName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.name()

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def svgIconPath(self) -> str:  # noqa: N802 (QGIS's name)
        return ICON

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS's name)
        for algorithm in (RegisterSarToOpticalAlgorithm(), WarpFromTiePointsAlgorithm()):
            self.addAlgorithm(algorithm)

    def supportsNonFileBasedOutput(self) -> bool:  # noqa: N802 (QGIS's name)
        return False

    def supportedOutputRasterLayerExtensions(self) -> list:  # noqa: N802 (QGIS's name)
        return ["tif"]

    def supportedOutputVectorLayerExtensions(self) -> list:  # noqa: N802 (QGIS's name)
        return ["gpkg"]

    def defaultRasterFileExtension(self) -> str:  # noqa: N802 (QGIS's name)
        return "tif"

    def defaultVectorFileExtension(self, has_geometry: bool = True) -> str:  # noqa: N802 (QGIS's name)
        return "gpkg"
