"""Benchmark cases: held-out real optical/SAR pairs, the SAR warped by a seeded random transform.

Every pair in shared/data is co-registered, so warping the SAR by a known transform W gives a
case whose truth is known: optical pixel p shows the same ground as warped-SAR pixel W p, i.e. the
true SAR -> optical transform is W^-1.

Tiers (issue 3):
- "georeferenced": what remains after coarse georeferencing -- shift up to +-40 px, rotation +-3
  deg, scale +-5%. Both files carry the same nominal georeferencing, so the engine's coarse
  alignment predicts identity and searches within its radius.
- "hard": rotation +-15 deg, scale 0.8-1.25, shift up to +-80 px, small shear; no
  georeferencing (pixel space, global matching).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import cv2
import numpy as np
from osgeo import gdal, osr

from plugin.core import RegistrationError, RegistrationOptions, register
from training.patch_pairs import list_pairs, split_calibration

TIERS = ("georeferenced", "hard")
NOMINAL_GEOTRANSFORM = (500000.0, 10.0, 0.0, 4000000.0, 0.0, -10.0)


@dataclass
class Case:
    name: str  # e.g. "s1s2/201.png" or "3mos/GF3_city_3"
    dataset: str  # "s1s2" or "3mos"
    sensor: str  # SAR sensor
    scene: str  # 3MOS scene, "" for s1s2
    tier: str
    optical: np.ndarray  # H x W x 3 uint8 (RGB) or H x W
    sar: np.ndarray  # warped SAR, H x W uint8
    sar_valid: np.ndarray  # H x W bool, False outside the warped footprint
    sar_to_optical: np.ndarray  # 3 x 3 truth
    unwarped_sar: np.ndarray  # the pair's SAR as it is in the data (for the self-consistency check)

    @property
    def georeferenced(self) -> bool:
        """Whether the case's files are georeferenced (the georeferenced tier), so that the
        georeferencing predicts positions: the engine's ``CoarseAlignment.predicted`` for it,
        which the studies that run the engine's stages by hand stand in for with this."""
        return self.tier == "georeferenced"


def random_warp(rng: np.random.Generator, tier: str, centre: np.ndarray) -> np.ndarray:
    """3 x 3 transform (original SAR pixel -> warped SAR pixel) about the image centre."""
    if tier == "georeferenced":
        angle, scale, shift, shear = rng.uniform(-3, 3), np.exp(rng.uniform(np.log(0.95), np.log(1.05))), rng.uniform(-40, 40, 2), 0.0
    else:
        angle, scale, shift, shear = rng.uniform(-15, 15), np.exp(rng.uniform(np.log(0.8), np.log(1.25))), rng.uniform(-80, 80, 2), rng.uniform(-0.05, 0.05)
    a = np.deg2rad(angle)
    linear = scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    matrix = np.eye(3)
    matrix[:2, :2] = linear
    matrix[:2, 2] = centre - linear @ centre + shift
    return matrix


def load_pair(optical_path: str, sar_path: str):
    optical = cv2.cvtColor(cv2.imread(optical_path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    sar = cv2.imread(sar_path, cv2.IMREAD_GRAYSCALE)
    if sar.shape != optical.shape[:2]:
        sar = cv2.resize(sar, optical.shape[:2][::-1], interpolation=cv2.INTER_LINEAR)
    return optical, sar


def _case(pair, tier: str, rng: np.random.Generator) -> Case:
    optical, sar = load_pair(pair.optical_path, pair.sar_path)
    height, width = sar.shape
    warp = random_warp(rng, tier, np.array([(width - 1) / 2, (height - 1) / 2]))
    warped = cv2.warpPerspective(sar, warp, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    valid = cv2.warpPerspective(np.ones_like(sar), warp, (width, height), flags=cv2.INTER_NEAREST, borderValue=0) > 0
    dataset, rest = pair.name.split("/", 1)
    sensor, scene = (rest.split("_")[0], rest.split("_")[1]) if dataset == "3mos" else ("Sentinel-1", "")
    return Case(pair.name, dataset, sensor, scene, tier, optical, warped, valid, np.linalg.inv(warp), sar)


def make_cases(data_dir: str, tier: str, seed: int = 0, limit: int = 0):
    """The validation pairs of ``data_dir`` as cases of ``tier`` (seeded per pair)."""
    _, validation = list_pairs(data_dir)
    if limit:
        validation = validation[:limit]
    for index, pair in enumerate(validation):
        yield _case(pair, tier, np.random.default_rng([seed, index, TIERS.index(tier)]))


def training_cases(data_dir: str, tier: str, s1s2_every: int = 6, only=None):
    """Warped *training* pairs (all 3MOS k = 0-2, every ``s1s2_every``-th S1/S2 pair), seeded apart
    from ``make_cases``: what settings are chosen on, so that the validation pairs stay unseen.
    ``only``: the names of the pairs to make cases of (each keeps its seed)."""
    train, _ = list_pairs(data_dir)
    pairs = [p for p in train if p.name.startswith("3mos")] + [p for p in train if p.name.startswith("s1s2")][::s1s2_every]
    for index, pair in enumerate(pairs):
        if only is None or pair.name in only:
            yield _case(pair, tier, np.random.default_rng([0, 1000 + index, TIERS.index(tier)]))


def calibration_cases(data_dir: str, tier: str):
    """Warped calibration pairs (``split_calibration``: training pairs the dense feature network
    never saw), seeded as ``training_cases`` seeds the same pairs."""
    train, _ = list_pairs(data_dir)
    _, calibration = split_calibration(train)
    yield from training_cases(data_dir, tier, only={p.name for p in calibration})


def add_case_arguments(parser, pairs_help: str = None) -> None:
    """The arguments every study over calibration or validation pairs takes: --data, --tier, --pairs
    (``study_cases`` reads them)."""
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--tier", choices=TIERS, default="georeferenced")
    parser.add_argument("--pairs", choices=("calibration", "validation"), default="calibration", help=pairs_help)


def study_cases(args) -> list:
    """The warped cases ``add_case_arguments``' arguments name: the calibration pairs, or the
    benchmark's validation pairs and warps."""
    return list(calibration_cases(args.data, args.tier) if args.pairs == "calibration" else make_cases(args.data, args.tier))


def measure_each(cases, measure) -> dict:
    """{case name: ``measure(case)``} for every case, each printed as it comes (a study's progress)."""
    rows = {}
    for case in cases:
        rows[case.name] = measure(case)
        print(case.name, rows[case.name], flush=True)
    return rows


def sar_file_values(sar: np.ndarray, footprint=None) -> np.ndarray:
    """The SAR as written to its file with nodata = 0: zeros inside ``footprint`` (all of the
    image when None) become 1, the darkest value that is data."""
    inside = np.ones(sar.shape, bool) if footprint is None else footprint
    return np.where(inside & (sar == 0), 1, sar).astype(sar.dtype)


def register_case(case: Case, directory: str, options=None, unwarped: bool = False, extractor=None):
    """The engine's result for the case (its GeoTIFFs written under ``directory``), or None when the
    engine refuses it. ``extractor``: the descriptor to use (``register``'s)."""
    try:
        return register(*write_case_files(case, directory, unwarped), options or RegistrationOptions(), extractor=extractor)
    except RegistrationError:
        return None


def register_with_reference(case: Case, options=None):
    """(the engine's result for the warped case, its result for the pair as it is: the reference of
    the self-consistency check), either None where refused; the reference is only tried when the
    warped case registers. Their GeoTIFFs go to a temporary folder, gone when it returns."""
    with tempfile.TemporaryDirectory() as directory:
        result = register_case(case, directory, options)
        reference = None if result is None else register_case(case, os.path.join(directory, "as-it-is"), options, unwarped=True)
    return result, reference


def write_case_files(case: Case, directory: str, unwarped: bool = False):
    """Writes the case as GeoTIFFs (the engine's real input path); returns (optical, sar) paths.
    SAR nodata = 0 outside the warped footprint, and only there: the data's own zeros inside it
    (dark water and shadow clipped to 0 by the 8-bit export: 5-50% of some TerraSAR-X tiles) are
    written as 1, or the engine would read them as holes in the image. ``unwarped``: the pair as it
    is in the data, georeferenced (the reference run of the self-consistency check)."""
    os.makedirs(directory, exist_ok=True)
    georeferenced = case.georeferenced or unwarped
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32611)
    paths = []
    sar = sar_file_values(case.unwarped_sar if unwarped else case.sar, None if unwarped else case.sar_valid)
    for role, array in (("optical", case.optical), ("sar", sar)):
        bands = array.transpose(2, 0, 1) if array.ndim == 3 else array[None]
        path = os.path.join(directory, f"{role}.tif")
        ds = gdal.GetDriverByName("GTiff").Create(path, bands.shape[2], bands.shape[1], bands.shape[0], gdal.GDT_Byte)
        if georeferenced:
            ds.SetGeoTransform(NOMINAL_GEOTRANSFORM)
            ds.SetProjection(srs.ExportToWkt())
        for b, values in enumerate(bands):
            band = ds.GetRasterBand(b + 1)
            band.WriteArray(values)
            if role == "sar":
                band.SetNoDataValue(0)
        ds = None
        paths.append(path)
    return paths
