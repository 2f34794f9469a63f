"""The dock's choices, kept between sessions in QgsSettings (the user's QGIS profile)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Optional

from qgis.core import QgsSettings

from ..core import RegistrationOptions

SETTINGS_GROUP = "SarOpticalRegistration"
_DEFAULTS = RegistrationOptions()
# Version 2: the grid step's default became 0 (automatic). Before it, every save wrote the old default
# of 8 px with the rest, so a saved 8 from version 1 says nothing of the user's choice and reads as 0.
SETTINGS_VERSION = 2


@dataclass
class DockSettings:
    """What persists: the matching options (not the inputs, which belong to a project)."""

    warp_model: str = _DEFAULTS.warp_model
    device: str = _DEFAULTS.device
    max_keypoints: int = _DEFAULTS.max_keypoints
    matcher: str = _DEFAULTS.matcher
    features: str = _DEFAULTS.features
    grid_step: int = _DEFAULTS.grid_step
    search_radius: float = _DEFAULTS.search_radius
    ignore_georeferencing: bool = not _DEFAULTS.use_georeferencing
    mutual: bool = _DEFAULTS.mutual
    ransac_threshold: float = _DEFAULTS.ransac_threshold
    min_inliers: int = _DEFAULTS.min_inliers
    sar_scale: str = _DEFAULTS.sar_scale
    self_check: bool = _DEFAULTS.self_check
    advanced_open: bool = False
    outputs_open: bool = True
    output_folder: str = ""
    output_grid: str = "optical"  # the registered SAR's grid: the optical raster's, or the SAR's own CRS (outputs.OUTPUT_GRIDS)

    def to_options(self, optical_bands=None, sar_bands=None, model: Optional[str] = None) -> RegistrationOptions:
        return RegistrationOptions(
            warp_model=self.warp_model, device=self.device, model=model, max_keypoints=self.max_keypoints,
            matcher=self.matcher, features=self.features, grid_step=self.grid_step,
            search_radius=self.search_radius, use_georeferencing=not self.ignore_georeferencing, mutual=self.mutual,
            ransac_threshold=self.ransac_threshold,
            min_inliers=self.min_inliers, optical_bands=optical_bands, sar_bands=sar_bands, sar_scale=self.sar_scale,
            self_check=self.self_check,
        )


def load_settings(group: str = SETTINGS_GROUP) -> DockSettings:
    """The saved settings; a missing or unreadable value falls back to its default."""
    store = QgsSettings()
    defaults = DockSettings()
    values = {}
    for item in fields(DockSettings):
        default = getattr(defaults, item.name)
        try:
            values[item.name] = store.value(f"{group}/{item.name}", default, type=type(default))
        except (TypeError, ValueError):
            values[item.name] = default
    if _saved_version(store, group) < 2 and values["grid_step"] == 8:
        values["grid_step"] = defaults.grid_step
    return DockSettings(**values)


def _saved_version(store: QgsSettings, group: str) -> int:
    """The version of the saved settings: 1 when they were saved before versions were (or never saved)."""
    try:
        return store.value(f"{group}/settings_version", 1, type=int)
    except (TypeError, ValueError):
        return 1


def save_settings(settings: DockSettings, group: str = SETTINGS_GROUP) -> None:
    store = QgsSettings()
    for name, value in asdict(settings).items():
        store.setValue(f"{group}/{name}", value)
    store.setValue(f"{group}/settings_version", SETTINGS_VERSION)


def clear_settings(group: str = SETTINGS_GROUP) -> None:
    QgsSettings().remove(group)
