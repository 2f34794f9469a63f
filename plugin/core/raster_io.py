"""Reading rasters with GDAL into a float image, a validity mask and georeferencing.

Coordinates in the whole core follow OpenCV: x = column, y = row, and the centre of the top-left
pixel is (0, 0). GDAL's geotransform addresses pixel corners, so the centre of pixel (x, y) lies
at GDAL pixel/line (x + 0.5, y + 0.5); ``pixel_to_map`` and ``map_to_pixel`` own that conversion.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import numpy as np
from osgeo import gdal, osr

from . import parallel
from .errors import RegistrationError

LOGGER = logging.getLogger(__name__)

gdal.UseExceptions()

IDENTITY_GEOTRANSFORM = (0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
# ITU-R BT.601 luma weights for R, G, B.
LUMINANCE_WEIGHTS = (0.299, 0.587, 0.114)
GCPS_AROUND_A_WINDOW = 9  # a window of a GCP-georeferenced raster is placed by at least this many of its GCPs
MAX_SUBDATASETS_SHOWN = 6  # a file of several rasters, or an archive: the names its refusal lists
ARCHIVES = ((".zip", "/vsizip/"), (".tar.gz", "/vsitar/"), (".tgz", "/vsitar/"), (".tar", "/vsitar/"))  # what GDAL reads inside
ARCHIVE_RASTERS = (".tif", ".tiff", ".jp2", ".img", ".vrt", ".png", ".jpg", ".nc", ".h5",
                   "manifest.safe", "mtd_msil1c.xml", "mtd_msil2a.xml")  # Sentinel-1 and -2 products, as GDAL opens them
# Values that mark "no data" by convention where a band declares no nodata value (exports of other
# tools, float32's lowest as ArcGIS writes it). Read as data, a SAR's border of -9999 made its
# linear values look like decibels, and the pair was refused.
CONVENTIONAL_FILLS = (-9999.0, -99999.0, -32768.0, -32767.0, float(np.finfo(np.float32).min))
# Names GDAL opens that are no file on disk: a virtual file system's (/vsizip/archive.zip/sar.tif,
# /vsicurl/https://...) and a driver's connection string or a URL (GPKG:x.gpkg:table, https://...).
# At least two characters before the colon, so that a Windows drive (C:) reads as a file path.
GDAL_NAME = re.compile(r"^(/vsi\w+/|[A-Za-z]\w+:)")
# How GDAL reads over a network for the engine, unless the user has set these. A server's passing
# failure (HTTP 429, 500, 502, 503, 504) is retried 3 times, after a delay (seconds) that GDAL
# doubles each time (GDAL 3.6 retries none). A server that stops answering (less than 1 byte a
# second for 30 s) or cannot be reached in 30 s fails the read (it hung the registration for good:
# neither Cancel nor Ctrl-C nor SIGTERM reaches a read blocked in GDAL).
NETWORK_SETTINGS = (("GDAL_HTTP_MAX_RETRY", "3"), ("GDAL_HTTP_RETRY_DELAY", "1"), ("GDAL_HTTP_CONNECTTIMEOUT", "30"),
                    ("GDAL_HTTP_LOW_SPEED_TIME", "30"), ("GDAL_HTTP_LOW_SPEED_LIMIT", "1"))
# Names GDAL reads over a network (a cloud GeoTIFF, also inside an archive there), where each
# request costs a round trip.
NETWORK_NAME = re.compile(r"^(/vsi\w+/\{?)*/vsi(curl|s3|gs|az|adls|oss|swift|webhdfs)(_streaming)?[/?]|^(https?|ftp)://", re.IGNORECASE)


def gdal_name(layer_source: str) -> str:
    """The name GDAL opens for a QGIS raster layer of the 'gdal' provider: its source less the
    options QGIS appends after '|'. A GeoPackage table, a file in a zip or a cloud GeoTIFF keep
    the whole name, which GDAL opens as it is (a bare file path would lose the table or member)."""
    return layer_source.split("|")[0]


def on_network(name: str) -> bool:
    """Whether GDAL reads ``name`` over a network (/vsicurl/, /vsis3/, an https:// URL, ...)."""
    return bool(NETWORK_NAME.search(name))


def pixels_on_network(name: str) -> bool:
    """Whether GDAL reads the pixels of ``name`` over a network: a cloud raster, or a VRT file on
    disk whose sources are (listing them opens none)."""
    if on_network(name):
        return True
    try:
        driver = gdal.IdentifyDriver(name)
        dataset = gdal.Open(name) if driver is not None and driver.ShortName == "VRT" else None
    except RuntimeError:
        return False  # reading it says what is wrong
    return dataset is not None and any(on_network(source) for source in dataset.GetFileList() or [])


@contextlib.contextmanager
def network_settings():
    """This thread's GDAL reads over a network as ``NETWORK_SETTINGS`` says, for the files it opens
    inside the block (a file's handle keeps them for its reads): a batch of cloud rasters is not
    stopped by one busy moment of a server, nor hung by a server that stops answering. Settings the
    user made are kept; thread-local, so QGIS's other threads keep theirs."""
    chosen = [(key, value) for key, value in NETWORK_SETTINGS if gdal.GetConfigOption(key) is None]
    for key, value in chosen:
        gdal.SetThreadLocalConfigOption(key, value)
    try:
        yield
    finally:
        for key, _ in chosen:
            gdal.SetThreadLocalConfigOption(key, None)


def gdal_progress(progress: Optional[Callable[[float], bool]]) -> Tuple[Callable[..., int], list]:
    """A GDAL progress callback (``callback=``) that tells ``progress`` the share done (0-1) and stops
    GDAL when it answers False, and the list of why it stopped: None when ``progress`` said so, or what
    was raised in it (Ctrl-C, SIGTERM or a bug), to be raised again once GDAL has stopped."""
    stopped = []

    def callback(complete, message, data) -> int:
        try:
            if progress is None or progress(min(max(float(complete), 0.0), 1.0)):
                return 1
            stopped.append(None)
        except BaseException as error:  # noqa: BLE001 -- raised again by the caller, once GDAL has stopped
            stopped.append(error)
        return 0

    return callback, stopped


def raster_stem(name: str) -> str:
    """The last part of a raster's name, less its extension: 'sar' for sar.tif, for a zip's sar.tif,
    for GPKG:x.gpkg:sar and for https://host/sar.tif?signature=... (a URL's query dropped)."""
    if on_network(name) and not re.match(r"/vsi\w+\?", name):  # not /vsicurl?url=..., whose options hold the URL
        name = name.split("?", 1)[0]
    return os.path.splitext(re.split(r"[/\\:]", name.rstrip("/\\"))[-1])[0] or "raster"


def source_files(name: str) -> List[str]:
    """The files on disk that GDAL reads for ``name``: the file itself and what it refers to (a
    VRT's sources, a GeoTIFF's .aux.xml), the GeoPackage of 'GPKG:x.gpkg:table'; [] for a URL.
    A raster on a network is not asked: GDAL would look for each possible sidecar with a request of its
    own (44 for a cloud GeoTIFF), to find none on disk."""
    if on_network(name):
        return []
    files = [name] if os.path.exists(name) else []
    try:
        dataset = gdal.Open(name, gdal.GA_ReadOnly)
    except RuntimeError:
        return files
    if dataset is not None:
        files += [path for path in (dataset.GetFileList() or []) if os.path.exists(path)]
    return files


@dataclass
class Raster:
    """One band (or the luminance of RGB) of a raster file, ready for matching."""

    path: str
    data: np.ndarray  # H x W float32; invalid pixels hold 0
    valid: np.ndarray  # H x W bool; False for nodata, NaN and outside the footprint
    geotransform: Optional[Tuple[float, ...]]  # GDAL geotransform, None when not georeferenced
    crs_wkt: Optional[str]  # None when not georeferenced
    source_dtype: str  # GDAL data type name of the band that was read, e.g. "UInt16"
    bands_used: Tuple[int, ...]
    assumed_nodata: Optional[float] = None  # a conventional fill (-9999, ...) read as nodata, the band declaring none
    offset: Tuple[int, int] = (0, 0)  # (column, row) of the file where ``data`` starts: a window read (``Window``), else 0, 0

    @property
    def shape(self) -> Tuple[int, int]:
        return self.data.shape

    @property
    def is_georeferenced(self) -> bool:
        return self.geotransform is not None and self.crs_wkt is not None


def open_raster(path: str) -> gdal.Dataset:
    """Opens a raster read-only, with an error that says what is wrong when it cannot."""
    if not os.path.exists(path) and not GDAL_NAME.match(path):
        raise RegistrationError("The file '{path}' does not exist.", "Check the path and try again.", path=path)
    try:
        with network_settings():  # a cloud raster's file handle keeps them for its reads
            dataset = gdal.Open(path, gdal.GA_ReadOnly)
    except RuntimeError as error:
        dataset = None
        detail = str(error)
    else:
        detail = ""
    subdatasets = dataset.GetSubDatasets() if dataset is not None and dataset.RasterCount == 0 else []
    if subdatasets:  # a container: a GeoPackage of several rasters, a NetCDF or HDF5 product, a Sentinel-2 SAFE
        shown = [name for name, _ in subdatasets[:MAX_SUBDATASETS_SHOWN]]
        raise RegistrationError(
            "'{path}' holds {count} rasters, not one: {names} and {more} more." if len(subdatasets) > len(shown) else
            "'{path}' holds {count} rasters, not one: {names}.",
            "Give the name of the one to register instead of the file's (in QGIS, add that one as a layer and choose the layer).",
            path=path, count=len(subdatasets), names=", ".join(shown), more=len(subdatasets) - len(shown),
        )
    if dataset is None or dataset.RasterCount == 0:
        raise _not_a_raster(path, detail.strip().rstrip("."))
    return dataset


def _not_a_raster(path: str, detail: str) -> RegistrationError:
    """Why GDAL opened no raster at ``path``, in the words of the likely cause: a folder, an empty
    file, an archive (with the rasters it holds, named as GDAL opens them), or another format."""
    if os.path.isdir(path):
        return RegistrationError("'{path}' is a folder, not a raster.", "Choose the raster file inside it.", path=path)
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        return RegistrationError("'{path}' is empty (0 bytes).", "Its download, copy or export did not finish: get the file again.", path=path)
    archive = next((prefix for suffix, prefix in ARCHIVES if path.lower().endswith(suffix)), None)
    if archive and os.path.isfile(path):
        inside = [name for name in (gdal.ReadDirRecursive(f"{archive}{path}") or []) if name.lower().endswith(ARCHIVE_RASTERS)]
        names = [f"{archive}{path}/{name}" for name in inside[:MAX_SUBDATASETS_SHOWN]]
        return RegistrationError(
            "'{path}' is an archive, not a raster: it holds {names}." if names else
            "'{path}' is an archive, not a raster, and it holds no raster file GDAL would name.",
            "Give the raster inside it by the name shown (GDAL reads it from the archive), or unpack the archive.",
            path=path, names=", ".join(names),
        )
    if on_network(path):  # a server that failed reads as "not recognized as a supported file format" too
        return RegistrationError(
            "'{path}' could not be read as a raster over the network: {detail}." if detail else
            "'{path}' could not be read as a raster over the network.",
            "Check the address (try it with 'gdalinfo'), that it is a raster such as a GeoTIFF, the network connection, and the "
            "credentials GDAL uses for that storage (for /vsis3/: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "AWS_NO_SIGN_REQUEST=YES for a public bucket; in QGIS set them under Settings > Options > System > Environment). "
            "A server that keeps failing for a while: try again later.", path=path, detail=detail,
        )
    return RegistrationError("'{path}' is not a raster GDAL can read: {detail}." if detail else "'{path}' is not a raster GDAL can read.",
                             "Choose a raster file such as a GeoTIFF (or convert it with gdal_translate).", path=path, detail=detail)


def georeferencing(dataset: gdal.Dataset, window: Optional["Window"] = None) -> Tuple[Optional[Tuple[float, ...]], Optional[str]]:
    """The dataset's geotransform (None when it has none; from its GCPs when it has only those,
    ``gcp_georeferencing``, fitted where ``window`` lies when one is given) and CRS (None when it
    has none, or no geotransform). A geotransform without a CRS is kept: QGIS draws the raster
    there, so the outputs go there too, though such a raster is not georeferenced for the coarse
    alignment."""
    geotransform = dataset.GetGeoTransform(can_return_null=True)
    if geotransform is None or tuple(geotransform) == IDENTITY_GEOTRANSFORM:
        return gcp_georeferencing(dataset, window)
    return tuple(geotransform), dataset.GetProjection() or None


def gcp_georeferencing(dataset: gdal.Dataset, window: Optional["Window"] = None) -> Tuple[Optional[Tuple[float, ...]], Optional[str]]:
    """For a raster georeferenced by ground control points only (a Sentinel-1 GRD measurement
    TIFF, say): the affine transform that fits its GCPs best, in their CRS, or (None, None). It
    places the SAR for the coarse alignment (which also catches an image that is mirrored, as an
    ascending pass is); the fine matching then finds where it really lies. Over a whole scene the
    affine can be off by more than the search radius where the GCPs bend, so for a ``window`` of
    the raster it is fitted to the GCPs around that window only (``gcps_near``)."""
    gcps, wkt = dataset.GetGCPs(), dataset.GetGCPProjection()
    if not gcps or len(gcps) < 3 or not wkt:
        return None, None
    # the GCPs around a window may lie along one line, which fixes no transform: then all of them
    geotransform = (window is not None and gdal.GCPsToGeoTransform(gcps_near(gcps, window))) or gdal.GCPsToGeoTransform(gcps)
    return (tuple(geotransform), wkt) if geotransform else (None, None)


def gcps_near(gcps, window: "Window", at_least: int = GCPS_AROUND_A_WINDOW):
    """The GCPs within ``window`` grown by a quarter of its size on every side, and at least the
    ``at_least`` nearest to its centre: enough to fit an affine transform where the window lies."""
    pixels = np.array([[gcp.GCPPixel, gcp.GCPLine] for gcp in gcps])
    centre = np.array([window.column + window.columns / 2, window.row + window.rows / 2])
    half = np.array([window.columns, window.rows]) * 0.75
    inside = np.flatnonzero((np.abs(pixels - centre) <= half).all(axis=1))
    nearest = np.argsort(np.linalg.norm(pixels - centre, axis=1))[:at_least]
    return [gcps[index] for index in sorted(set(inside) | set(nearest))]


def gcp_misfit_px(path: str) -> float:
    """How far (in the raster's pixels) the affine transform fitted to all of a GCP-georeferenced
    raster's GCPs puts the farthest of them from where it lies: how far the whole-scene placement
    can be off; 0 for a raster with a geotransform of its own (or none at all)."""
    dataset = open_raster(path)
    own = dataset.GetGeoTransform(can_return_null=True)
    if own is not None and tuple(own) != IDENTITY_GEOTRANSFORM:
        return 0.0
    geotransform, _ = gcp_georeferencing(dataset)
    if geotransform is None:
        return 0.0
    gcps = dataset.GetGCPs()
    placed = map_to_pixel(geotransform, np.array([[gcp.GCPX, gcp.GCPY] for gcp in gcps])) + 0.5  # pixel corners, as GCPs give them
    return float(np.linalg.norm(placed - np.array([[gcp.GCPPixel, gcp.GCPLine] for gcp in gcps]), axis=1).max())


def default_bands(dataset: gdal.Dataset, role: str) -> Tuple[int, ...]:
    """Optical: R, G, B (for luminance) when the raster has them: by colour interpretation, by
    Sentinel-2 band names (B4, B3, B2 or B04, B03, B02 as band descriptions), bands 4, 3, 2 of a
    12- or 13-band Sentinel-2 stack in band order, bands 1, 2, 3 of a 3- or 4-band raster; else
    band 1. SAR: band 1. (On a real 13-band Sentinel-2 / Sentinel-1 pair band 1, the 60 m coastal
    aerosol band, registered 1.7 px from the truth and needed the network's fallback; 4, 3, 2 gave 0.85 px.)"""
    if role == "optical" and dataset.RasterCount >= 3:
        count = dataset.RasterCount
        colours = {dataset.GetRasterBand(i).GetColorInterpretation(): i for i in range(1, count + 1)}
        rgb = [colours.get(c) for c in (gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand)]
        if all(rgb):
            return tuple(rgb)
        names = {dataset.GetRasterBand(i).GetDescription().strip().upper().replace("B0", "B"): i for i in range(1, count + 1)}
        if all(name in names for name in ("B4", "B3", "B2")):
            return names["B4"], names["B3"], names["B2"]
        if count in (12, 13):
            return (4, 3, 2)
        if count in (3, 4):
            return (1, 2, 3)
    return (1,)


@dataclass(frozen=True)
class Window:
    """A part of a raster file, in its pixels: the columns and rows read."""

    column: int
    row: int
    columns: int
    rows: int

    def read_args(self) -> Tuple[int, int, int, int]:
        return self.column, self.row, self.columns, self.rows

    def geotransform(self, geotransform: Tuple[float, ...]) -> Tuple[float, ...]:
        """The geotransform of the window's own pixels, from the file's."""
        gt = geotransform
        return (gt[0] + self.column * gt[1] + self.row * gt[2], gt[1], gt[2],
                gt[3] + self.column * gt[4] + self.row * gt[5], gt[4], gt[5])

    def describe(self) -> str:
        return f"columns {self.column}-{self.column + self.columns - 1}, rows {self.row}-{self.row + self.rows - 1}"


def read_band(dataset: gdal.Dataset, index: int, window: Optional[Window] = None) -> Tuple[np.ndarray, np.ndarray, Optional[float]]:
    """One band (or its ``window``) as float32 (complex -> amplitude; the band's scale and offset
    applied), its validity mask (nodata, NaN, mask band), and the conventional fill value read as
    nodata when the band declares none (``CONVENTIONAL_FILLS``; else None)."""
    band = dataset.GetRasterBand(index)
    part = window.read_args() if window is not None else ()
    try:
        values = band.ReadAsArray(*part)
        mask = None if band.GetMaskFlags() & (gdal.GMF_ALL_VALID | gdal.GMF_NODATA) else band.GetMaskBand().ReadAsArray(*part)
    except RuntimeError as error:  # GDAL opened the file, but its pixels are not all there
        detail = str(error).strip()
        raise RegistrationError(
            "Band {band} of '{path}' could not be read ({detail})." if detail else "Band {band} of '{path}' could not be read.",
            "It is read over the network, and the server or the connection failed part of the way: try again. If it fails "
            "again, check it with 'gdalinfo -checksum', or download it and register the copy on disk."
            if pixels_on_network(dataset.GetDescription()) else
            "The file may be incomplete or damaged (an interrupted download or copy), or a file it refers to "
            "may be missing (a VRT's sources): check it with 'gdalinfo -checksum', then copy, download or export it again.",
            band=index, path=dataset.GetDescription(), detail=detail) from error
    if np.iscomplexobj(values):
        values = np.abs(values)
    nodata = band.GetNoDataValue()
    palette = _palette_luminance(band)
    if palette is not None:  # the pixels are indices into the colour table, not intensities
        indices = values
        values, valid = palette[0][indices], palette[1][indices]
        if nodata is not None and np.isfinite(nodata):
            valid &= indices != nodata
    else:
        values = values.astype(np.float32, copy=False)
        valid = np.isfinite(values)
        if nodata is not None and np.isfinite(nodata):
            valid &= values != np.float32(nodata)
    fill = None
    if _may_hold_a_fill(band) and values.size:
        lowest = float(np.fmin.reduce(values, axis=None))  # NaN aside
        if lowest in CONVENTIONAL_FILLS:
            fill, filled = lowest, values == np.float32(lowest)
            valid &= ~filled
            LOGGER.warning("band %d of %s declares no nodata value: its %d pixels of %g, a conventional fill, are read as nodata",
                           index, dataset.GetDescription(), int(np.count_nonzero(filled)), fill)
    if mask is not None:
        valid &= mask > 0
    scale, offset = band.GetScale(), band.GetOffset()  # packed values, e.g. dB x 100 in Int16 with scale 0.01
    if scale not in (None, 1.0) or offset not in (None, 0.0):
        values = values * np.float32(scale if scale is not None else 1.0) + np.float32(offset or 0.0)
    return values, valid, fill


def undeclared_fill(path: str, index: int = 1) -> Optional[float]:
    """The conventional fill (``CONVENTIONAL_FILLS``) that band ``index`` of ``path`` holds as its
    lowest value while declaring no nodata, as ``read_band`` reads it, found by GDAL block by block
    without holding the band in memory; else None."""
    dataset = open_raster(path)  # held: a band outliving its dataset crashes GDAL 3.6
    band = dataset.GetRasterBand(index)
    if not _may_hold_a_fill(band):
        return None
    try:
        lowest = band.ComputeRasterMinMax(False)[0]
    except RuntimeError:  # nothing valid, or unreadable: reading it says so
        return None
    return lowest if lowest in CONVENTIONAL_FILLS else None


def _may_hold_a_fill(band: gdal.Band) -> bool:
    """Whether a conventional fill can stand for nodata in ``band``: it declares no nodata value
    and no mask, and its type holds values below 0 (so not a palette's indices either)."""
    unsigned = band.DataType in (gdal.GDT_Byte, gdal.GDT_UInt16, gdal.GDT_UInt32)
    return not unsigned and band.GetNoDataValue() is None and bool(band.GetMaskFlags() & gdal.GMF_ALL_VALID)


def _palette_luminance(band: gdal.Band) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """For a band of colour-table indices (a paletted GeoTIFF, PNG or GIF): per index, the
    luminance of its colour (float32) and whether it is opaque; None for any other band. An
    index without an entry is not valid."""
    table = band.GetColorTable()
    if table is None or band.GetColorInterpretation() != gdal.GCI_PaletteIndex or band.DataType not in (gdal.GDT_Byte, gdal.GDT_UInt16):
        return None
    size = 256 if band.DataType == gdal.GDT_Byte else 65536
    entries = np.zeros((size, 4), np.float32)
    count = min(table.GetCount(), size)
    entries[:count] = [table.GetColorEntry(i) for i in range(count)]
    if table.GetPaletteInterpretation() == gdal.GPI_Gray:
        luminance = entries[:, 0]
    else:  # RGB (CMYK and HLS palettes are not met in imagery)
        luminance = entries[:, :3] @ np.float32(LUMINANCE_WEIGHTS)
    opaque = entries[:, 3] > 0
    opaque[count:] = False
    return luminance.astype(np.float32), opaque


def same_image(optical_path: str, sar_path: str, optical_bands: Optional[Tuple[int, ...]] = None,
               sar_bands: Optional[Tuple[int, ...]] = None) -> bool:
    """Whether the optical and the SAR input are one image: the same raster (the same file, or the
    same name GDAL opens) read with a band in common (each role's default bands where none are
    given). One stack holding both sensors' bands, read as different bands, is two images."""
    same = optical_path == sar_path or (os.path.exists(optical_path) and os.path.exists(sar_path)
                                        and os.path.samefile(optical_path, sar_path))
    if not same:
        return False
    try:
        dataset = open_raster(optical_path)
    except RegistrationError:
        return False  # reading it says what is wrong
    optical = tuple(optical_bands) if optical_bands else default_bands(dataset, "optical")
    sar = tuple(sar_bands) if sar_bands else default_bands(dataset, "sar")
    return bool(set(optical) & set(sar))


def read_raster(path: str, role: str, bands: Optional[Tuple[int, ...]] = None, window: Optional[Window] = None) -> Raster:
    """Reads the band(s) of ``path`` used for matching, the whole raster or its ``window`` (then
    the Raster's geotransform is the window's, and its ``offset`` where the window starts). ``role``
    is "optical" or "sar".

    Several bands are combined as luminance (3 bands, R-G-B order) or their mean.
    """
    with decoding_threads(path), network_settings():  # network_settings: a VRT opens its sources as it reads them
        return _read_raster(path, role, bands, window)


@contextlib.contextmanager
def decoding_threads(path: str):
    """GDAL decodes a compressed raster's blocks on all cores (``parallel.workers()``) for this
    thread's reads (GeoTIFF since GDAL 3.6; JPEG 2000 does so already), unless the user has set
    ``GDAL_NUM_THREADS``. Measured on the 10980 px scene's optical GeoTIFF (3 bands, DEFLATE) on 2 cores, in fresh
    processes: decoding 1.27 -> 0.82 s (of a read of about 4.5 s, the rest numpy's conversions).
    Thread-local, so QGIS's other threads keep their settings.

    Not for a raster read over a network: there GDAL 3.6 fetches each block the threads decode with a
    request of its own, where a plain read fetches the blocks it needs in a few merged requests.
    Measured with 30 ms per request: the bundled optical GeoTIFF (strips of 3 rows) 257 requests and
    4.3 s against 2 requests and 0.25 s; a 4096 px cloud-optimised GeoTIFF read whole 65 against 2
    requests, 1.28 against 0.29 s. So also for a VRT of such a raster (the way into QGIS 3.22's Processing, which
    loads files on disk only)."""
    if gdal.GetConfigOption("GDAL_NUM_THREADS") is not None or pixels_on_network(path):
        yield
        return
    gdal.SetThreadLocalConfigOption("GDAL_NUM_THREADS", parallel.gdal_threads())
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption("GDAL_NUM_THREADS", None)


def _read_raster(path: str, role: str, bands: Optional[Tuple[int, ...]], window: Optional[Window]) -> Raster:
    dataset = open_raster(path)
    bands = tuple(bands) if bands else default_bands(dataset, role)
    for index in bands:
        if not 1 <= index <= dataset.RasterCount:
            raise RegistrationError(
                "'{path}' has {count} band(s); band {band} does not exist.",
                "Choose a band between 1 and {count}.", path=path, count=dataset.RasterCount, band=index,
            )
    layers = [read_band(dataset, index, window) for index in bands]
    # In place where it can be (a Sentinel-2 tile's band is 480 MB as float32): the same float32
    # arithmetic, in the same order, as a plain weighted sum, without its temporaries.
    if len(layers) == 3:
        data = np.multiply(layers[0][0], np.float32(LUMINANCE_WEIGHTS[0]))
        for weight, (values, _, _) in zip(LUMINANCE_WEIGHTS[1:], layers[1:]):
            values *= np.float32(weight)
            data += values
    elif len(layers) == 1:
        data = layers[0][0]
    else:
        data = (sum(layer[0] for layer in layers) / len(layers)).astype(np.float32)
    valid = np.logical_and.reduce([layer[1] for layer in layers])
    data[~valid] = 0
    found = dict(path=path, bands=list(bands))  # and where the optical raster lies, when only that part is read
    if window is not None:
        found.update(columns=f"{window.column}-{window.column + window.columns - 1}", rows=f"{window.row}-{window.row + window.rows - 1}")
    if valid.sum() < 64 * 64:
        if valid.size < 64 * 64 and window is None:
            raise RegistrationError("'{path}' is too small to register ({width} x {height} pixels).",
                                    "Use rasters of at least 64 x 64 pixels (a few hundred pixels across work best).",
                                    path=path, width=valid.shape[1], height=valid.shape[0])
        raise RegistrationError(
            "'{path}' has almost no valid pixels (all nodata or NaN in band(s) {bands})." if window is None else
            "'{path}' has almost no valid pixels where the optical raster lies (columns {columns}, rows {rows}) (all nodata or NaN in band(s) {bands}).",
            "Check the band choice and the raster's nodata value." if window is None else
            "Check the band choice and the raster's nodata value, and that both rasters show the same area.", **found,
        )
    if _one_value(data, valid):
        raise RegistrationError(
            "'{path}' holds one value ({value}) in every valid pixel of band(s) {bands}: there is no image to match." if window is None else
            "'{path}' holds one value ({value}) in every valid pixel where the optical raster lies (columns {columns}, rows {rows}) of band(s) {bands}: there "
            "is no image to match.",
            "Check the band choice, and that the raster was exported or downloaded whole.", value=f"{data[valid][0]:g}", **found,
        )
    geotransform, wkt = georeferencing(dataset, window)
    if window is not None and geotransform is not None:
        geotransform = window.geotransform(geotransform)
    dtype = gdal.GetDataTypeName(dataset.GetRasterBand(bands[0]).DataType)
    fills = [layer[2] for layer in layers if layer[2] is not None]
    offset = (window.column, window.row) if window is not None else (0, 0)
    return Raster(path, data, valid, geotransform, wkt, dtype, bands, fills[0] if fills else None, offset)


def _one_value(data: np.ndarray, valid: np.ndarray) -> bool:
    """Whether every valid pixel holds the same value (an empty band, a mask): every 8th row and
    column first, which differ in any real image, so a large scene is not copied to find out."""
    for step in (8, 1):
        values = data[::step, ::step][valid[::step, ::step]]
        if values.size and values.min() != values.max():
            return False
    return True


def own_geotransform(path: str) -> Optional[Tuple[float, ...]]:
    """The geotransform the raster itself carries (None without one, even where GCPs place it).
    QGIS's Georeferencer takes a raster with one as georeferenced, and gives its points' source
    coordinates in that geotransform's coordinates rather than in pixels."""
    return open_raster(path).GetGeoTransform(can_return_null=True)


def pixel_to_map(geotransform, xy: np.ndarray) -> np.ndarray:
    """OpenCV pixel centres (N x 2) -> map coordinates (N x 2) through a GDAL geotransform."""
    col, row = xy[:, 0] + 0.5, xy[:, 1] + 0.5
    gt = geotransform
    return np.stack([gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]], axis=1)


def map_to_pixel(geotransform, xy: np.ndarray) -> np.ndarray:
    """Map coordinates (N x 2) -> OpenCV pixel centres (N x 2)."""
    inverse = gdal.InvGeoTransform(geotransform)
    col = inverse[0] + xy[:, 0] * inverse[1] + xy[:, 1] * inverse[2]
    row = inverse[3] + xy[:, 0] * inverse[4] + xy[:, 1] * inverse[5]
    return np.stack([col - 0.5, row - 0.5], axis=1)


def spatial_reference(wkt: str) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


# names that say nothing of which local grid a raster is on: such a grid is taken as the other's
UNNAMED_CRS = {"", "unnamed", "unknown", "local_cs", "undefined"}


def same_crs(source: osr.SpatialReference, target: osr.SpatialReference) -> bool:
    """Whether two CRSs are one. GDAL's ``IsSame`` compares a local (engineering) grid by its unit
    and axes alone, so two sites' grids in metres were one CRS to it, and one raster was placed on
    the other by coordinates that mean different places: such grids are also told apart by name
    (unless one of them is unnamed)."""
    if not source.IsSame(target):
        return False
    if not (source.IsLocal() or target.IsLocal()):
        return True
    names = [(srs.GetName() or "").strip().lower() for srs in (source, target)]
    return names[0] == names[1] or bool(UNNAMED_CRS.intersection(names))


def crs_transformation(source: osr.SpatialReference, target: osr.SpatialReference) -> Optional[osr.CoordinateTransformation]:
    """The transformation from one CRS to another (axes in GIS order); None when they are the same
    (``same_crs``), which needs none (also for a local or engineering grid, which PROJ relates to
    nothing). A RegistrationError naming both when PROJ knows no way between them (a local grid and
    any other CRS, or two different local grids)."""
    if same_crs(source, target):
        return None
    try:
        transformation = osr.CreateCoordinateTransformation(source, target)  # None where PROJ knows no way
    except RuntimeError:  # where osr raises its errors
        transformation = None
    if transformation is None:
        names = [srs.GetName() or srs.ExportToProj4() or "unnamed" for srs in (source, target)]
        raise RegistrationError("Coordinates cannot be transformed from the CRS '{source}' to '{target}': PROJ knows no "
                                "way between them (a local or engineering grid is related to no other CRS).",
                                "Give both the same CRS, or reproject one of them (gdalwarp -t_srs) into a CRS the other "
                                "can be transformed to.", source=names[0], target=names[1])
    return transformation
