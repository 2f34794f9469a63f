#!/usr/bin/env bash
# The speed benchmark on a lent GPU machine, which has Python, PyTorch (CUDA), numpy, OpenCV and
# SciPy but no GDAL, no QGIS and no network. One step here, then either of two there:
#   bash scripts/device_speed.sh prepare [DATA]   # here: fills .gpu/ (git-ignored, ~40 MB)
#   bash scripts/device_speed.sh run OUT          # there, from the repository root, with .gpu carried
#   bash scripts/device_speed.sh test OUT         # there: the tests that need no QGIS, on the GPU
# "prepare" fetches a rasterio wheel (for its bundled libgdal), GDAL's Python sdist and the public
# headers of the same GDAL release (3.9.2; from the npm package gdal-async, which vendors GDAL's
# source), copies phasepack (pure Python) and six S1/S2 validation pairs of DATA. "run" builds
# GDAL's Python bindings there (scripts/device_gdal.sh), registers the bundled sample on the GPU
# and checks it against its truth, compares the GPU twins of CPU stages with their CPU code
# (scripts/device_twins.py), profiles two registrations when PROFILE is set
# (scripts/profile_registration.py), then runs benchmarks.speed on those pairs on the GPU and on the
# machine's CPU limited to 2 threads (unless SKIP_CPU is set). On that machine the copy's git history
# may be stale: run with GIT_DIR=/nonexistent SOURCE_COMMIT=<commit> for a true "Commit:" line.
set -euo pipefail
GDAL_VERSION=3.9.2
RASTERIO_VERSION=1.3.11  # its wheels bundle libgdal 3.9.2
PAIRS="189 196 199 201 213 216"  # a subset of the validation pairs, within the tool's 64 MiB; 216's search is refused
mode=${1:?prepare, run or test}

if [ "$mode" = prepare ]; then
    data=${2:-../shared/data}
    rm -rf .gpu && mkdir -p .gpu/extra .gpu/data/s1s2-california/opt .gpu/data/s1s2-california/sar
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .gpu "rasterio==$RASTERIO_VERSION"
    url=$(curl -sf https://pypi.org/simple/gdal/ | grep -o "https://[^\"#]*/gdal-$GDAL_VERSION\.tar\.gz" | head -1)
    curl -sf -o ".gpu/gdal-$GDAL_VERSION.tar.gz" "$url"
    work=$(mktemp -d)
    (cd "$work" && npm pack -q "gdal-async@$GDAL_VERSION" >/dev/null && tar xzf gdal-async-*.tgz)
    source_dir="$work/package/deps/libgdal"
    grep -q "\"$GDAL_VERSION\"" "$source_dir/gdal/gcore/gdal_version.h"
    mkdir -p "$work/include"
    for d in port gcore alg ogr apps gnm ogr/ogrsf_frmts; do cp "$source_dir/gdal/$d"/*.h "$work/include/"; done
    cp "$source_dir/arch/unix/cpl_config.h" "$work/include/"
    tar czf .gpu/gdal-include.tar.gz -C "$work/include" .
    rm -rf "$work"
    cp -r "$(.venv/bin/python -c 'import os, phasepack; print(os.path.dirname(phasepack.__file__))')" .gpu/extra/
    rm -rf .gpu/extra/phasepack/__pycache__
    for pair in $PAIRS; do
        for side in opt sar; do cp "$data/s1s2-california/$side/$pair.png" ".gpu/data/s1s2-california/$side/"; done
    done
    du -sh .gpu
    exit 0
fi

out=${2:?output folder}
export PYTHONUNBUFFERED=1
site=/tmp/device-site
[ -d "$site/osgeo" ] || bash scripts/device_gdal.sh .gpu "$site"
cp -r .gpu/extra/* "$site/"
# PyTorch's CUDA build and the libgdal of the rasterio wheel crash each other in one process when
# loaded plainly (a segfault in GetProjection, or "free(): invalid pointer" in torch's import;
# both libraries export some of the same C++ template instances). On the H200 of 2026-12-04 only
# libgdal in LD_PRELOAD ran (benchmarks/results/device-run-batch64.log: plain, RTLD_DEEPBIND and a
# preloaded sqlite3 crashed). GDAL_LOADING: preload-NAME (rasterio's libNAME in LD_PRELOAD; the
# default is preload-gdal), deepbind (osgeo imported first with RTLD_DEEPBIND), or plain.
GDAL_LOADING=${GDAL_LOADING-preload-gdal}
case "$GDAL_LOADING" in
    deepbind) printf '%s\n' "import os, sys" "_flags = sys.getdlopenflags()" "sys.setdlopenflags(os.RTLD_NOW | os.RTLD_DEEPBIND)" \
        "from osgeo import gdal, gdal_array, ogr, osr  # noqa: F401" "sys.setdlopenflags(_flags)" > "$site/sitecustomize.py" ;;
    preload-*) export LD_PRELOAD="$(ls "$site"/rasterio.libs/lib"${GDAL_LOADING#preload-}"-rasterio-*)" ;;
esac
echo "GDAL loading: ${GDAL_LOADING:-plain}"
export PYTHONPATH="$site:$PWD" LD_LIBRARY_PATH="$site/rasterio.libs" PROJ_DATA="$site/rasterio/proj_data"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python3 -c "import torch, numpy, cv2, scipy; from osgeo import gdal; print('python', __import__('sys').version.split()[0], 'torch', torch.__version__, 'numpy', numpy.__version__, 'cv2', cv2.__version__, 'scipy', scipy.__version__, 'gdal', gdal.__version__, 'cuda', torch.cuda.is_available())"
if [ "$mode" = test ]; then
    # The engine's tests that need no QGIS, with CUDA present: the GPU branches CI skips. The
    # session fixture of tests/conftest.py that tidies QGIS's layers is given a stand-in QGIS
    # (there is none on that machine); nothing else is replaced.
    mkdir -p /tmp/device-stub/qgis
    printf '%s\n' "class QgsProject:" "    @staticmethod" "    def instance():" "        return QgsProject()" \
        "    def removeAllMapLayers(self):" "        pass" > /tmp/device-stub/qgis/core.py
    touch /tmp/device-stub/qgis/__init__.py
    printf '%s\n' "import types" "import pytest" "" "" "@pytest.fixture(scope='session')" "def qgis_app():" \
        "    return types.SimpleNamespace(processEvents=lambda: None)" > /tmp/device-stub/device_stub.py
    PYTHONPATH="$PYTHONPATH:/tmp/device-stub" timeout "${TEST_SECONDS:-200}" python3 -m pytest -p device_stub -o addopts="" \
        -q -rs --timeout 120 --junitxml "$out/tests.xml" ${TESTS:-tests/test_descriptor.py tests/test_dense_features.py tests/test_end_to_end.py \
        tests/test_cli.py tests/test_core_without_qt.py tests/test_self_check.py tests/test_batch.py} 2>&1 | tail -60
    exit 0
fi
python3 -m plugin register resources/sample/optical.tif resources/sample/sar.tif -o "$out/sample.tif" \
    --matches-json "$out/sample.json" --device cuda --overwrite
python3 scripts/demo_error.py resources/sample/truth.json "$out/sample.json" --max-error 1.5
python3 scripts/device_twins.py .gpu/data/s1s2-california/opt/196.png .gpu/data/s1s2-california/sar/196.png | tee "$out/gpu-twins.txt"
[ -z "${PROFILE:-}" ] || python3 scripts/profile_registration.py --data .gpu/data --device cuda --pairs 196 199 --top 45 > "$out/gpu-profile.txt" 2>&1
python3 -m benchmarks.speed --data .gpu/data --device cuda --out "$out" --name speed-subset
python3 - <<'PYTHON' | tee "$out/gpu-throughput.txt"
# The two networks alone on the GPU, on a random 1024 x 1024 image: the descriptor at three batch
# sizes (the engine's is descriptor.GPU_BATCH on a GPU) and the dense features of a whole image per branch.
import time
import numpy as np
import torch
from plugin.core.dense_features import feature_extractor
from plugin.core.descriptor import DescriptorExtractor
rng = np.random.default_rng(0)
image = rng.random((1024, 1024), dtype=np.float32)
xy = rng.uniform(50, 970, (2000, 2))
def timed(run, repeats=5):
    run()
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        run()
    torch.cuda.synchronize()
    return (time.perf_counter() - started) / repeats * 1000
for batch in (64, 256, 1024):
    extractor = DescriptorExtractor(None, "cuda", batch_size=batch)
    print(f"descriptor, 2000 points, batch {batch}: {timed(lambda: extractor.describe(image, xy)):.0f} ms")
features = feature_extractor(None, "cuda")
valid = np.ones(image.shape, bool)
for modality in ("optical", "sar"):
    print(f"dense features, 1024 x 1024, {modality}: {timed(lambda: features.features(image, valid, modality)):.0f} ms")
PYTHON
[ -n "${SKIP_CPU:-}" ] || timeout 300 python3 -m benchmarks.speed --data .gpu/data --device cpu --threads 2 --out "$out" --name speed-subset-device-cpu2
