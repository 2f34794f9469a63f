"""Writing results: the warped SAR GeoTIFF (GDAL, from tie points), QGIS Georeferencer .points,
a GeoPackage point layer, and the JSON match report.

Every writer refuses to overwrite an input file, writes to a temporary file beside the target
and renames it when complete, so a failure or cancellation never leaves a half-written output.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from . import ground, parallel, transforms
from .errors import RegistrationCancelled, RegistrationError
from .georef import unrelated_crs
from .pipeline import RasterInfo, RegistrationResult, TiePoints
from .raster_io import GDAL_NAME, crs_transformation, decoding_threads, gdal_progress, map_to_pixel, network_settings, open_raster, own_geotransform, pixel_to_map, source_files, spatial_reference

gdal.UseExceptions()
ogr.UseExceptions()
# For a raster with no georeferencing, QGIS shows pixel (col, row) at map (col, -row).
PIXEL_SPACE_GEOTRANSFORM = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
POINTS_HEADER = "mapX,mapY,sourceX,sourceY,enable,dX,dY,residual"  # as QGIS's Georeferencer writes it (3.22.16)
OLD_POINTS_HEADER = "mapX,mapY,pixelX,pixelY"  # earlier Georeferencers and this plugin before: source always in pixels
TIE_POINT_LAYER = "tie_points"  # the layer write_geopackage writes (a GeoPackage may hold others)
RASTER_KEYS = ("OPTICAL_RASTER", "SAR_RASTER")  # the tie-point layer's metadata: the rasters its points were measured on
# The grid the registered SAR is written on: the optical raster's, or the SAR's own CRS and pixel size (write_warped_sar).
OUTPUT_GRIDS = ("optical", "sar")
# The registered SAR carries internal overviews (pyramids), halved until the smallest fits in this many pixels, as
# gdaladdo chooses them: QGIS draws a whole Sentinel-2 tile from them in 0.2 s, not 2.7-4.3 s (benchmarks/results/overviews.md).
OVERVIEW_MIN_SIZE = 256
# On the optical raster's grid, a SAR that covers less than this share of the raster is written on the part of the grid
# that holds it (same pixels): a SAR scene on an optical tile, or on a web map that GDAL reads as the whole world.
CUT_TO_SAR_BELOW = 0.25
WARP_SHARE = 0.8  # of write_warped_sar's progress; building the overviews fills the rest (15-41% of the write, measured)
FULL_DISK_BYTES = 1 << 20  # less free space than this, after a write failed: the disk is full


def is_an_input(path: str, inputs: Tuple[str, ...]) -> bool:
    """True when ``path`` is one of the files the ``inputs`` are read from (a VRT's sources too;
    for a GeoPackage table, the GeoPackage)."""
    return os.path.exists(path) and any(os.path.samefile(path, file) for source in inputs for file in source_files(source))


def check_output(path: str, inputs: Tuple[str, ...], overwrite: bool, kept: str = "") -> str:
    """``path`` made absolute, or a RegistrationError when it cannot be written: it is an input,
    it exists and ``overwrite`` is off, or its folder does not exist. Every writer checks this;
    a caller can check before a long registration, so that the refusal comes first. ``kept``:
    what overwriting keeps of the file, for the refusal to say."""
    if GDAL_NAME.match(path):  # /vsis3/bucket/out.tif: it was "the output folder '/vsis3/bucket' does not exist"
        raise RegistrationError("The output '{path}' is not a file on disk: outputs are written to files on disk only.",
                                "Write to a local file, then copy it where it belongs (to cloud storage with its own tool, or "
                                "'gdal_translate -of COG sar_registered.tif /vsis3/bucket/sar_registered.tif').", path=path)
    target = os.path.abspath(path)
    if is_an_input(target, inputs):
        raise RegistrationError("The output '{path}' is one of the input rasters.", "Choose another output file name.", path=path)
    if os.path.isdir(target):  # no overwriting replaces a folder: it failed after the registration
        raise RegistrationError("The output '{path}' is a folder, not a file.", "Give the output a file name (in that folder, or another).", path=path)
    if os.path.exists(target) and not overwrite:
        raise RegistrationError("The output '{path}' already exists.", "Choose another name, or allow overwriting ({kept})." if kept else
                                "Choose another name, or allow overwriting.", path=path, kept=kept)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise RegistrationError("The output folder '{folder}' does not exist.", "Create it first or choose another folder.", folder=directory)
    return target


def file_key(path: str) -> str:
    """One key for every name of a file: absolute, through symbolic links, case as the system compares it."""
    return os.path.normcase(os.path.realpath(path))


def one_file_twice(outputs: List[Tuple[str, str]]) -> Optional[Tuple[str, str, str]]:
    """The first two of ``outputs`` ((what it is, path) each; empty paths skipped) that name one
    file, as (the first's name, the second's name, the path), or None. Written one after the other,
    the second would replace the first, each write succeeding."""
    seen: Dict[str, str] = {}
    for name, path in outputs:
        if not path:
            continue
        key = file_key(path)
        if key in seen:
            return seen[key], name, path
        seen[key] = name
    return None


def check_distinct_outputs(outputs: List[Tuple[str, str]]) -> None:
    """A RegistrationError when two of ``outputs`` name one file (``one_file_twice``)."""
    twice = one_file_twice(outputs)
    if twice:
        first, second, path = twice
        raise RegistrationError("The {first} and the {second} are both '{path}': the one written second would replace the other.",
                                "Give each output its own file name.", first=first, second=second, path=path)


@contextlib.contextmanager
def safe_output(path: str, inputs: Tuple[str, ...], overwrite: bool) -> Iterator[str]:
    """Yields a temporary path beside ``path`` (``check_output``); renames it to ``path`` when the block succeeds."""
    with _via_temporary(path, check_output(path, inputs, overwrite)) as temporary:
        yield temporary


@contextlib.contextmanager
def _via_temporary(path: str, target: str) -> Iterator[str]:
    """``safe_output`` once ``path`` is checked (``target``: it made absolute)."""
    stem, extension = os.path.splitext(target)
    temporary = f"{stem}.partial-{os.getpid()}{extension}"
    try:
        with _write_errors(path):
            yield temporary
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


@contextlib.contextmanager
def _write_errors(path: str) -> Iterator[None]:
    """What stops a write (Python's OSError, GDAL's and OGR's RuntimeError) as a RegistrationError
    that names the cause where it can be seen (a full disk, a folder not writable); any other
    RuntimeError is left as it is."""
    try:
        yield
    except (OSError, RuntimeError) as error:
        storage = _storage_error(path)
        if storage is not None:
            raise storage from error
        if isinstance(error, OSError):
            raise RegistrationError("Could not write '{path}' ({detail}).", "Check that the folder is writable and has free space.",
                                    path=path, detail=error.strerror or error) from error
        raise


def _storage_error(path: str) -> Optional[RegistrationError]:
    """Why nothing can be written to ``path``'s folder just now (None when nothing is seen to stop
    it), asked when a write failed: GDAL and OGR report a full disk in their own words, or not at all."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.access(path, os.W_OK):  # a GeoPackage written into in place
        return RegistrationError("Could not write '{path}': the file is read-only.", "Choose another file, or make this one writable.", path=path)
    if not os.access(folder, os.W_OK):
        return RegistrationError("Could not write '{path}': the folder is not writable.",
                                 "Choose a folder you may write to, or change the folder's permissions.", path=path)
    try:
        full = shutil.disk_usage(folder).free < FULL_DISK_BYTES
    except OSError:
        return None
    return RegistrationError("Could not write '{path}': the disk is full.", "Free some space or choose another folder, then write again.",
                             path=path) if full else None


def optical_geotransform(optical: RasterInfo) -> Tuple[float, ...]:
    return optical.geotransform if optical.geotransform is not None else PIXEL_SPACE_GEOTRANSFORM


def gcp_pairs(result: RegistrationResult, grid_size: int = 16) -> Tuple[np.ndarray, np.ndarray]:
    """(SAR pixels, optical pixels) that define the warp.

    Affine and homography: a regular grid over the SAR image mapped through the fitted 3x3, so
    the warp reproduces exactly the reported transform. Polynomial and thin-plate spline: the
    enabled tie points themselves.
    """
    if result.fit.model in ("affine", "homography"):
        xs = np.linspace(0, result.sar.width - 1, grid_size)
        ys = np.linspace(0, result.sar.height - 1, grid_size)
        sar_xy = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        return sar_xy, transforms.apply(result.fit.sar_to_optical, sar_xy)
    enabled = np.asarray(result.tie_points.enabled, bool)
    return result.tie_points.sar_xy[enabled], result.tie_points.optical_xy[enabled]


def warp_options(model: str) -> Dict[str, object]:
    if model == "homography":  # GDAL has no homography transformer: a spline through the exact grid
        return {"tps": True}
    if model == "tps":
        return {"tps": True}
    return {"polynomialOrder": {"affine": 1, "poly1": 1, "poly2": 2, "poly3": 3}[model]}


def check_geotiff_name(path: str) -> None:
    """A RegistrationError unless ``path`` ends in .tif or .tiff: the registered SAR is a GeoTIFF,
    and a file named .png or .img that holds one misleads whoever opens it by its name."""
    extension = os.path.splitext(path)[1]
    if extension.lower() not in (".tif", ".tiff"):
        raise RegistrationError("The registered SAR is written as a GeoTIFF, but '{path}' names another format ({extension})." if extension else
                                "The registered SAR is written as a GeoTIFF, but '{path}' has no .tif ending.",
                                "Choose a name ending in .tif (gdal_translate converts the result into another format).", path=path, extension=extension)


def write_warped_sar(result: RegistrationResult, path: str, overwrite: bool = False, resampling: str = "bilinear",
                     progress: Optional[Callable[[float], bool]] = None, grid: str = "optical", overviews: bool = True) -> str:
    """Writes every band of the SAR file, warped into the optical raster's grid and CRS (``grid``
    "optical"), or north up in the SAR file's own CRS at its own pixel size over its registered
    footprint ("sar": for a reference in web Mercator, say), as a compressed GeoTIFF with nodata
    outside the SAR footprint, with internal overviews unless ``overviews`` is False. Returns ``path``. ``progress`` hears the share warped (a Sentinel-2
    tile takes seconds) and answers "go on?": False stops the warp, RegistrationCancelled is raised
    and nothing is written."""
    check_geotiff_name(path)
    if grid not in OUTPUT_GRIDS:
        raise RegistrationError("Unknown output grid '{grid}'.", "Choose one of {choices}.", grid=grid, choices=", ".join(OUTPUT_GRIDS))
    if grid == "sar" and (result.sar.geotransform is None or not result.sar.crs_wkt):
        raise RegistrationError("The registered SAR cannot be written in the SAR raster's own CRS: '{path}' has none.",
                                "Write it in the optical raster's grid instead (the default).", path=result.sar.path)
    unrelated = unrelated_crs(result.optical, result.sar) if grid == "sar" else None
    if unrelated:  # the tie points' map positions (the optical raster's CRS) cannot be put in the SAR's
        raise RegistrationError("The registered SAR cannot be written in the SAR raster's own CRS: {reason}",
                                "Write it in the optical raster's grid instead (the default).", reason=unrelated)
    go_on, stopped = gdal_progress(_share(progress, 0.0, WARP_SHARE))  # stopped: why the warp stopped early
    overviews_go_on, overviews_stopped = gdal_progress(_share(progress, WARP_SHARE, 1.0 - WARP_SHARE))

    sar_xy, optical_xy = gcp_pairs(result)
    geotransform = optical_geotransform(result.optical)
    map_xy = pixel_to_map(geotransform, optical_xy)
    gcps = [gdal.GCP(float(mx), float(my), 0.0, float(sx + 0.5), float(sy + 0.5)) for (sx, sy), (mx, my) in zip(sar_xy, map_xy)]
    wkt = result.optical.crs_wkt or ""
    source = open_raster(result.sar.path)
    band = source.GetRasterBand(1)
    nodata = band.GetNoDataValue()
    assumed = result.sar.assumed_nodata if nodata is None else None  # a fill the engine read as nodata: so does the warp
    if nodata is None:
        nodata = assumed if assumed is not None else float("nan") if band.DataType in (gdal.GDT_Float32, gdal.GDT_Float64) else 0.0
    with safe_output(path, (result.optical.path, result.sar.path), overwrite) as temporary, network_settings():
        with_gcps = gdal.Translate(f"/vsimem/{os.getpid()}-{id(result)}.vrt", source, format="VRT", GCPs=gcps, outputSRS=wkt or None)
        # What failed is raised after the file is closed and the exception is gone: its traceback
        # would hold the half-written dataset open until the program ends.
        target, failure = None, None
        try:
            size, frame = _optical_grid(result, with_gcps, geotransform, wkt) if grid == "optical" else _own_grid(result, with_gcps)
            target = gdal.GetDriverByName("GTiff").Create(
                temporary, *size, source.RasterCount, band.DataType,
                options=["COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=IF_SAFER", f"NUM_THREADS={parallel.gdal_threads()}"],
            )
            _describe_like(target, source, *frame, nodata)
            # GDAL approximates a transform that is not affine (another CRS, poly2, tps) piecewise linearly, by default to
            # 0.125 px: the sample written in UTM came out 0.07 px off (tests/test_outputs.py); 0.01 px keeps it exact
            if gdal.Warp(target, with_gcps, resampleAlg=resampling, srcNodata=assumed, dstNodata=nodata, dstAlpha=_has_alpha(source), multithread=True,
                         warpOptions=["INIT_DEST=NO_DATA", f"NUM_THREADS={parallel.gdal_threads()}"], callback=go_on,
                         errorThreshold=0.01, **warp_options(result.fit.model)):
                target.FlushCache()  # a full disk raises here, not when the file is closed, where it would go unseen
                _build_overviews(target, overviews_go_on, overviews)
            else:  # a multithreaded warp reports what failed in its worker threads by its return value alone: the output stayed empty
                failure = gdal.GetLastErrorMsg()
        except RuntimeError as error:
            failure = str(error)
        finally:
            with _destructor_errors_dropped(failure is not None or bool(stopped)):
                target = None  # closes the file before safe_output renames it
            gdal.Unlink(with_gcps.GetDescription())
            with_gcps = None
        stopped += overviews_stopped
        if stopped and stopped[0] is not None:
            raise stopped[0]
        if stopped:
            raise RegistrationCancelled("cancelled while writing the warped SAR")
        if failure is not None and "not solvable" in failure:
            raise RegistrationError("GDAL cannot fit the {model} warp to the enabled tie points ({detail}).",
                                    "Enable tie points spread over the whole image, or choose a simpler transform.", model=result.fit.model,
                                    detail=failure)
        if failure is not None:
            raise _not_written(path, result, failure)
    return path


def _share(progress: Optional[Callable[[float], bool]], start: float, span: float) -> Optional[Callable[[float], bool]]:
    """``progress`` for one part of a write, which fills ``span`` of it from ``start``."""
    return None if progress is None else (lambda fraction: progress(start + span * fraction))


def overview_levels(width: int, height: int, min_size: int = OVERVIEW_MIN_SIZE) -> List[int]:
    """The overview factors (2, 4, ...) of a ``width`` x ``height`` raster, halved until the smallest
    overview fits in ``min_size`` px (gdaladdo's rule); none for a raster that already fits."""
    levels, factor = [], 1
    while -(-width // factor) > min_size or -(-height // factor) > min_size:
        factor *= 2
        levels.append(factor)
    return levels


def overview_resampling(band: gdal.Band) -> str:
    """How an overview pixel summarises the pixels under it: their average, leaving nodata out (speckle
    averaged, as a multilooked SAR image looks), of the amplitude for complex values (a plain average
    of complex speckle cancels out), and one of them for a band of classes (a colour table)."""
    if band.GetColorTable() is not None:
        return "NEAREST"
    return "AVERAGE_MAGPHASE" if gdal.DataTypeIsComplex(band.DataType) else "AVERAGE"


def _build_overviews(target: gdal.Dataset, callback: Callable[..., int], wanted: bool = True) -> None:
    """Internal overviews of the written ``target`` (``overview_levels``), compressed as its pixels are,
    computed on all cores as its blocks are decoded (``decoding_threads``); none unless ``wanted``."""
    levels = overview_levels(target.RasterXSize, target.RasterYSize) if wanted else []
    if not levels:  # none wanted, or a raster small enough to draw whole: its share of the progress is done
        callback(1.0, "", None)
        return
    with decoding_threads(target.GetDescription()):
        target.BuildOverviews(overview_resampling(target.GetRasterBand(1)), levels, callback=callback)
    target.FlushCache()


def _optical_grid(result: RegistrationResult, with_gcps: gdal.Dataset, geotransform, wkt: str):
    """((width, height), (geotransform, CRS)) of the optical raster's grid, or, where the SAR covers less
    than ``CUT_TO_SAR_BELOW`` of it, of the part of that grid that holds the SAR where the fit puts it (its
    box grown by a pixel): the same pixels, without a mostly empty raster the size of the optical one (a
    world the size of a web map's zoom level could not be written at all)."""
    whole = (result.optical.width, result.optical.height), (geotransform, wkt)
    try:
        planned = gdal.Warp("", with_gcps, format="VRT", dstSRS=wkt or None, **warp_options(result.fit.model))
    except RuntimeError:  # GDAL cannot plan the warp: the warp itself will say why
        return whole
    left, step_x, _, top, _, step_y = planned.GetGeoTransform()
    right, bottom = left + planned.RasterXSize * step_x, top + planned.RasterYSize * step_y
    corners = map_to_pixel(geotransform, np.array([[left, top], [right, top], [left, bottom], [right, bottom]], np.float64)) + 0.5
    (x0, y0), (x1, y1) = np.floor(corners.min(axis=0)) - 1, np.ceil(corners.max(axis=0)) + 1  # pixel edges, a pixel to spare
    x0, y0 = int(max(x0, 0)), int(max(y0, 0))
    x1, y1 = int(min(x1, result.optical.width)), int(min(y1, result.optical.height))
    if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) >= CUT_TO_SAR_BELOW * result.optical.width * result.optical.height:
        return whole
    gt = geotransform
    cut = (gt[0] + x0 * gt[1] + y0 * gt[2], gt[1], gt[2], gt[3] + x0 * gt[4] + y0 * gt[5], gt[4], gt[5])
    return (x1 - x0, y1 - y0), (cut, wkt)


def _own_grid(result: RegistrationResult, with_gcps: gdal.Dataset) -> Tuple[Tuple[int, int], Tuple[Tuple[float, ...], str]]:
    """((width, height), (geotransform, CRS)) of a north-up grid in the SAR file's own CRS, at its
    own ground pixel size along each axis, that holds the SAR where the fit puts it (GDAL's
    suggestion for the warp, aligned on the pixel size)."""
    step_x, step_y = (float(np.hypot(*pair)) for pair in ((result.sar.geotransform[1], result.sar.geotransform[4]),
                                                            (result.sar.geotransform[2], result.sar.geotransform[5])))
    planned = gdal.Warp("", with_gcps, format="VRT", dstSRS=result.sar.crs_wkt, xRes=step_x, yRes=step_y, targetAlignedPixels=True,
                        **warp_options(result.fit.model))
    return (planned.RasterXSize, planned.RasterYSize), (planned.GetGeoTransform(), result.sar.crs_wkt)


def _has_alpha(source: gdal.Dataset) -> bool:
    """A SAR with an alpha band last (as gdalwarp -dstalpha writes it): GDAL warps the bands before
    it and fills the output's alpha from the footprint; treated as data, it came out empty."""
    return source.GetRasterBand(source.RasterCount).GetColorInterpretation() == gdal.GCI_AlphaBand


def _describe_like(target: gdal.Dataset, source: gdal.Dataset, geotransform, wkt: str, nodata: float) -> None:
    """The output's grid (the optical's), and per band the SAR's description, nodata (alpha for an
    alpha band) and packed values' scale, offset and unit, which keep their meaning (dB x 100 in Int16 ...)."""
    target.SetGeoTransform(geotransform)
    if wkt:
        target.SetProjection(wkt)
    alpha = _has_alpha(source)
    for index in range(1, source.RasterCount + 1):
        out_band = target.GetRasterBand(index)
        if alpha and index == source.RasterCount:
            out_band.SetColorInterpretation(gdal.GCI_AlphaBand)
        else:
            out_band.SetNoDataValue(nodata)
        source_band = source.GetRasterBand(index)
        out_band.SetDescription(source_band.GetDescription())
        for name in ("Scale", "Offset", "UnitType"):
            value = getattr(source_band, f"Get{name}")()
            if value is not None and value != "":
                getattr(out_band, f"Set{name}")(value)


@contextlib.contextmanager
def _destructor_errors_dropped(drop: bool) -> Iterator[None]:
    """With ``drop``, an error raised while a dataset is closed is dropped: closing a
    half-written file after a failure fails again (a full disk), and Python would print that
    from the destructor ("Exception ignored in ... delete_Dataset"), after the user's error. GDAL
    3.6 has no Dataset.Close() to raise it instead, nor may its exceptions be turned off here.
    The hook is process-wide, and swapped only for the instant of that close."""
    if not drop:
        yield
        return
    previous, sys.unraisablehook = sys.unraisablehook, lambda unraisable: None
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _not_written(path: str, result: RegistrationResult, detail: str) -> RegistrationError:
    """The warp failed while writing the temporary file beside the output (a full disk) or reading
    the SAR again (it may have changed since it was registered): the user's to fix; nothing is written."""
    storage = _storage_error(path)
    if storage is not None:
        return storage
    detail = detail.strip()
    return RegistrationError("GDAL could not write the warped SAR to '{path}' ({detail})." if detail else
                             "GDAL could not write the warped SAR to '{path}'.",
                             "Check that the SAR raster '{sar}' is still whole and readable (gdalinfo -checksum), "
                             "and that the output's folder is writable and has free space.", path=path, detail=detail, sar=result.sar.path)


def left_out_lengths(fit) -> np.ndarray:
    """Each tie point's residual against the fit without it and its neighbours (``Fit.left_out``), optical pixels;
    NaN for a point not used, or where the fit has no such figure."""
    if fit.left_out is None:
        return np.full(len(fit.residuals), np.nan)
    return np.hypot(fit.left_out[:, 0], fit.left_out[:, 1])


def residual_lengths(result: RegistrationResult) -> np.ndarray:
    return np.linalg.norm(result.fit.residuals, axis=1)


def write_points_file(result: RegistrationResult, path: str, overwrite: bool = False) -> str:
    """QGIS Georeferencer GCP file: map X/Y in the optical CRS (named on the first line), the SAR
    positions as the Georeferencer's source coordinates (``georeferencer_source``), residuals in
    optical pixels."""
    tie_points = result.tie_points
    map_xy = pixel_to_map(optical_geotransform(result.optical), tie_points.optical_xy)
    source_xy = georeferencer_source(tie_points.sar_xy, own_geotransform(result.sar.path))
    lengths = residual_lengths(result)
    # The CRS line, as the Georeferencer writes it: without it, the Georeferencer reads the map
    # coordinates in its target CRS (the SAR's own where the SAR is georeferenced; earlier versions:
    # the project's), wherever the optical's differs.
    crs = [f"#CRS: {spatial_reference(result.optical.crs_wkt).ExportToWkt(['FORMAT=WKT2_2019', 'MULTILINE=NO'])}"] if result.optical.crs_wkt else []
    lines = crs + [POINTS_HEADER]
    for i in range(len(tie_points)):
        dx, dy = result.fit.residuals[i]
        lines.append(
            f"{map_xy[i, 0]:.10f},{map_xy[i, 1]:.10f},{source_xy[i, 0]:.10f},{source_xy[i, 1]:.10f},"
            f"{int(bool(tie_points.enabled[i]))},{dx:.6f},{dy:.6f},{lengths[i]:.6f}"
        )
    with safe_output(path, (result.optical.path, result.sar.path), overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return path


def georeferencer_source(sar_xy: np.ndarray, sar_geotransform: Optional[Tuple[float, ...]]) -> np.ndarray:
    """SAR pixel positions (OpenCV convention) as QGIS's Georeferencer gives source coordinates:
    in the SAR's own geotransform's coordinates where it has one (``raster_io.own_geotransform``),
    else in pixels with the row counted upwards (pixel corners: x = column, y = -row)."""
    return pixel_to_map(sar_geotransform or PIXEL_SPACE_GEOTRANSFORM, sar_xy)


def read_points_file(path: str, optical_geotransform_: Optional[Tuple[float, ...]], optical_crs_wkt: Optional[str] = None,
                     sar_geotransform: Optional[Tuple[float, ...]] = None) -> TiePoints:
    """Reads a Georeferencer .points file back into tie points (pixel grids, OpenCV convention).
    Map coordinates in another CRS than the optical's (the file's '#CRS:' line: the Georeferencer
    saves them in its target CRS) are transformed to the optical's. Source coordinates are read as
    ``georeferencer_source`` gives them for a SAR with ``sar_geotransform`` (its own), except in a
    file headed ``OLD_POINTS_HEADER``, where they are pixels."""
    rows: List[List[float]] = []
    crs, in_pixels = None, False
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if line.startswith("#CRS:") and crs is None:
                    crs = line[len("#CRS:"):].strip()
                in_pixels = in_pixels or line.startswith(OLD_POINTS_HEADER)
                if not line or line.startswith("#") or line.startswith("mapX"):
                    continue
                values = [float(v) for v in line.split(",")[:5]]
                if len(values) < 4:
                    raise ValueError(f"line {number} has {len(values)} value(s), not mapX,mapY,sourceX,sourceY[,enable]")
                rows.append(values + [1.0] * (5 - len(values)))  # no enable column: every point is enabled
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RegistrationError("'{path}' cannot be read as a Georeferencer .points file ({detail}).",
                                "Choose a .points file saved by the QGIS Georeferencer or this plugin.", path=path, detail=error) from None
    if not rows:
        raise RegistrationError("'{path}' holds no tie points.", "Choose a .points file saved by the Georeferencer or this plugin.", path=path)
    table = np.array(rows)
    if crs and optical_crs_wkt:
        table[:, :2] = _to_optical_crs(table[:, :2], crs, optical_crs_wkt, path)
    source_geotransform = PIXEL_SPACE_GEOTRANSFORM if in_pixels else sar_geotransform or PIXEL_SPACE_GEOTRANSFORM
    enabled = table[:, 4] > 0
    return TiePoints(
        optical_xy=map_to_pixel(optical_geotransform_ or PIXEL_SPACE_GEOTRANSFORM, table[:, :2]),
        sar_xy=map_to_pixel(source_geotransform, table[:, 2:4]),
        distance=np.full(len(table), np.nan),
        rejected_by=["" if e else "user" for e in enabled],
        enabled=enabled,
    )


def _to_optical_crs(map_xy: np.ndarray, crs: str, optical_crs_wkt: str, path: str) -> np.ndarray:
    """``map_xy`` in the CRS a .points file names (WKT or 'EPSG:n'), in the optical raster's CRS."""
    source, target = osr.SpatialReference(), spatial_reference(optical_crs_wkt)
    try:
        known = source.SetFromUserInput(crs) == 0  # an error code, or an exception where osr raises them
    except RuntimeError:
        known = False
    if not known:
        raise RegistrationError("The CRS line of '{path}' names no coordinate reference system GDAL knows ({crs}).",
                                "Save the tie points again from the QGIS Georeferencer, or remove that line if the points are in the optical raster's CRS.",
                                path=path, crs=crs[:80])
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transformation = crs_transformation(source, target)
    if transformation is None:
        return map_xy
    return np.array(transformation.TransformPoints(map_xy.tolist()))[:, :2]


TIE_POINT_FIELDS = (
    ("id", ogr.OFTInteger), ("optical_x", ogr.OFTReal), ("optical_y", ogr.OFTReal), ("sar_x", ogr.OFTReal),
    ("sar_y", ogr.OFTReal), ("distance", ogr.OFTReal), ("enabled", ogr.OFTInteger), ("rejected_by", ogr.OFTString),
    ("dx", ogr.OFTReal), ("dy", ogr.OFTReal), ("residual", ogr.OFTReal), ("residual_m", ogr.OFTReal),
    ("left_out", ogr.OFTReal),  # the residual against the fit without it and its neighbours (warp_residuals); empty: none
)


def write_geopackage(result: RegistrationResult, path: str, overwrite: bool = False, layer_name: str = TIE_POINT_LAYER,
                     recorded: Tuple[str, ...] = ()) -> str:
    """A point layer at the optical positions (optical CRS) with every candidate match: pixel
    positions in both rasters, descriptor distance, whether it was used, which stage rejected
    it, and residuals (optical pixels). A GeoPackage that exists and holds other layers keeps
    them (a project's GeoPackage): with ``overwrite`` the layer is added to it, or replaced, in one
    transaction; any other file is replaced whole. The layer's metadata records the optical and
    the SAR raster: ``recorded`` where the caller gave what the user named (an XYZ tile URL
    rather than the file fetched from it for this run), else the result's files."""
    if check_geopackage(path, (result.optical.path, result.sar.path), overwrite, layer_name):  # the one check of path
        with _write_errors(path):
            dataset = ogr.Open(path, update=1)
            dataset.StartTransaction()
            try:
                if dataset.GetLayerByName(layer_name) is not None:
                    dataset.DeleteLayer(layer_name)
                _fill_tie_point_layer(dataset, result, layer_name, recorded)
                dataset.CommitTransaction()
            except BaseException:
                dataset.RollbackTransaction()
                raise
            finally:
                dataset = None
        return path
    with _via_temporary(path, os.path.abspath(path)) as temporary:
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(temporary)
        dataset.StartTransaction()
        _fill_tie_point_layer(dataset, result, layer_name, recorded)
        dataset.CommitTransaction()
        dataset = None
    return path


def check_geopackage(path: str, inputs: Tuple[str, ...], overwrite: bool, layer_name: str = TIE_POINT_LAYER) -> List[str]:
    """``check_output`` for ``write_geopackage``: the other layers of the GeoPackage at ``path``
    that writing keeps ([] when it is written anew), or a RegistrationError that says what
    overwriting would keep of them."""
    others = _other_layers(path, layer_name)
    kept = f"the layer '{layer_name}' is then added or replaced, and its {len(others)} other layer(s) are kept" if others else ""
    check_output(path, inputs, overwrite, kept)
    return others


def _other_layers(path: str, layer_name: str) -> List[str]:
    """The layers and tables other than ``layer_name`` in the GeoPackage at ``path`` ([] when there
    is none, or it is no GeoPackage GDAL can open)."""
    if not os.path.isfile(path):
        return []
    try:
        dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_RASTER, allowed_drivers=["GPKG"])
    except RuntimeError:
        return []
    if dataset is None:
        return []
    names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]
    names += [name.split(":")[-1] for key, name in (dataset.GetMetadata("SUBDATASETS") or {}).items() if key.endswith("_NAME")]
    if dataset.RasterCount and not names:  # a GeoPackage of one raster table
        names.append("raster")
    return [name for name in names if name != layer_name]


def _fill_tie_point_layer(dataset, result: RegistrationResult, layer_name: str, recorded: Tuple[str, ...] = ()) -> None:
    """Creates the tie-point layer in ``dataset`` (within the caller's transaction) and fills it."""
    tie_points = result.tie_points
    map_xy = pixel_to_map(optical_geotransform(result.optical), tie_points.optical_xy)
    lengths = residual_lengths(result)
    metres = ground.residuals_m(result.optical, tie_points, result.fit)  # None: the field stays empty
    left_out = left_out_lengths(result.fit)
    srs = spatial_reference(result.optical.crs_wkt) if result.optical.crs_wkt else None
    layer = dataset.CreateLayer(layer_name, srs, ogr.wkbPoint)
    for key, raster in zip(RASTER_KEYS, recorded or (result.optical.path, result.sar.path)):
        layer.SetMetadataItem(key, os.path.abspath(raster) if os.path.exists(raster) else raster)
    for name, kind in TIE_POINT_FIELDS:
        layer.CreateField(ogr.FieldDefn(name, kind))
    for i in range(len(tie_points)):
        feature = ogr.Feature(layer.GetLayerDefn())
        values = (tie_points.id_of(i), *tie_points.optical_xy[i], *tie_points.sar_xy[i], tie_points.distance[i], int(bool(tie_points.enabled[i])),
                  tie_points.rejected_by[i], *result.fit.residuals[i], lengths[i], np.nan if metres is None else metres[i], left_out[i])
        for (name, _), value in zip(TIE_POINT_FIELDS, values):
            feature.SetField(name, value if isinstance(value, str) else (None if not np.isfinite(value) else float(value) if _ == ogr.OFTReal else int(value)))
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(float(map_xy[i, 0]), float(map_xy[i, 1]))
        feature.SetGeometry(point)
        layer.CreateFeature(feature)


def matches_report(result: RegistrationResult) -> dict:
    """The --matches-json contract: input pixel grids, OpenCV convention."""
    return {
        "optical_xy": result.tie_points.optical_xy.round(4).tolist(),
        "sar_xy": result.tie_points.sar_xy.round(4).tolist(),
        "inlier": [bool(e) for e in result.tie_points.enabled],
        "transform": {"model": result.fit.model, "sar_to_optical": np.asarray(result.fit.sar_to_optical).tolist()},
        "timing_s": {stage: round(seconds, 4) for stage, seconds in result.timing_s.items()},
        "rejected_by": result.tie_points.rejected_by,
        "rmse_px": result.fit.rmse,
        "rmse_m": ground.rmse_m(result),  # on the ground; None when the optical raster has no CRS
        "left_out_rmse_px": result.fit.left_out_rmse,  # each enabled point against the fit without it and its neighbours; None: too few
        "left_out_rmse_m": ground.left_out_rmse_m(result),
        "model": result.model_name,
        "features": result.features,
        "device": result.device,
        "self_check": None if result.self_check_px is None else {  # moved_px None: the second run was refused
            "moved_px": float(result.self_check_px) if np.isfinite(result.self_check_px) else None, "passed": not result.self_check_failed},
        "warnings": list(result.warnings),  # what the engine warned of while registering
    }


def write_matches_json(result: RegistrationResult, path: str, overwrite: bool = False) -> str:
    with safe_output(path, (result.optical.path, result.sar.path), overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(matches_report(result), handle, indent=1)
    return path
