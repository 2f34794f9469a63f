#!/usr/bin/env bash
# GDAL's Python bindings (osgeo) for a machine that has Python and numpy but no GDAL and no network,
# such as the lent GPU machine: built from GDAL's own Python sdist against the libgdal that a
# rasterio wheel bundles (the same GDAL release), with that release's public headers.
#   bash scripts/device_gdal.sh DIR SITE
# DIR holds rasterio-*.whl, gdal-X.Y.Z.tar.gz and gdal-include.tar.gz (scripts/device_speed.sh
# prepare); SITE receives osgeo and rasterio's libraries. Afterwards:
#   export PYTHONPATH=SITE LD_LIBRARY_PATH=SITE/rasterio.libs PROJ_DATA=SITE/rasterio/proj_data
set -euo pipefail
dir=$(cd "$1" && pwd); site=$2
work=$(mktemp -d)
mkdir -p "$site" "$work/root/lib" "$work/root/include" "$work/bin"
python3 -m zipfile -e "$dir"/rasterio-*.whl "$site"
lib=$(ls "$site"/rasterio.libs/libgdal-*.so.*)
ln -s "$lib" "$work/root/lib/libgdal.so"
tar xzf "$dir/gdal-include.tar.gz" -C "$work/root/include"
version=$(ls "$dir"/gdal-[0-9]*.tar.gz | sed 's/.*gdal-\([0-9.]*\)\.tar\.gz/\1/')
cat > "$work/bin/gdal-config" <<CONFIG
#!/bin/sh
case "\$1" in
  --version) echo $version ;;
  --prefix) echo $work/root ;;
  --cflags) echo -I$work/root/include ;;
  --libs) echo -L$work/root/lib -lgdal ;;
  *) echo ;;
esac
CONFIG
chmod +x "$work/bin/gdal-config"
tar xzf "$dir/gdal-$version.tar.gz" -C "$work"
cd "$work/gdal-$version"
numpy_include=$(python3 -c "import numpy; print(numpy.get_include())")
flags="-I$numpy_include -D_GLIBCXX_USE_CXX11_ABI=0"  # this numpy's headers before any system copy; libgdal's C++ ABI
CFLAGS="$flags" CXXFLAGS="$flags" PATH="$work/bin:$PATH" python3 setup.py -q build_ext -j "$(nproc)" --rpath "$(cd "$(dirname "$lib")" && pwd)" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
cp -r build/lib*/osgeo "$site/"
cp osgeo/*.py "$site/osgeo/"
echo "osgeo $version built in $site against $(basename "$lib")"
