#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian 12 machine, idempotently:
#   1. Debian packages: QGIS (desktop, Python bindings, qgis_process), GDAL, Xvfb, venv support.
#   2. A virtual environment on Debian's Python (the one QGIS uses) that also sees Debian's
#      packages (qgis, osgeo), with pinned wheels from requirements.txt.
# Re-running it is cheap: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
APT_PACKAGES="qgis python3-qgis qgis-providers python3-gdal gdal-bin xvfb xauth python3-venv \
  qttools5-dev-tools imagemagick zip"

missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bootstrap: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: building $VENV on /usr/bin/python3 with pinned wheels"
  [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$VENV"
  # Any later 'pip install' into this venv is held to the same pins (numpy must stay < 2 for
  # Debian's GDAL and QGIS bindings).
  printf '[install]\nconstraint = %s\n' "$(pwd)/constraints.txt" > "$VENV/pip.conf"
  "$VENV/bin/python" -m pip install -q -r requirements.txt -c constraints.txt
  echo "$want" > "$stamp"
fi
"$VENV/bin/python" -c "import numpy, torch, cv2, scipy, phasepack, threadpoolctl; from osgeo import gdal, gdal_array; assert numpy.__version__.startswith('1.'), numpy.__version__" 2>/dev/null \
  || { echo "bootstrap: the environment in $VENV does not import its packages; delete $VENV and run again" >&2; exit 1; }
echo "bootstrap: ready ($VENV)"
