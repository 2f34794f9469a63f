#!/usr/bin/env bash
# Builds the installable plugin ZIP: dist/sar_optical_registration-<version>.zip holding one
# folder, sar_optical_registration/, with metadata.txt, __init__.py, plugin/, resources/, models/,
# i18n/ (compiled .qm), README.md, requirements.txt -- and no tests, training, venv or caches.
# Install it in QGIS with Plugins > Manage and Install Plugins > Install from ZIP.
#   usage: scripts/package.sh [OUTPUT_DIR]      (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=sar_optical_registration
OUT_DIR=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
VERSION=$(sed -n 's/^version=//p' metadata.txt)
ZIP="$OUT_DIR/$NAME-$VERSION.zip"

if command -v lrelease >/dev/null; then  # the .qm files are committed; refresh them when we can
  for ts in i18n/*.ts; do lrelease -silent "$ts"; done
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir "$STAGE/$NAME"
CONTENT="metadata.txt __init__.py plugin resources models i18n README.md LICENSE requirements.txt constraints.txt"
for item in $CONTENT; do
  [ -e "$item" ] && cp -R "$item" "$STAGE/$NAME/"
done
find "$STAGE/$NAME" \( -name __pycache__ -o -name '*.pyc' -o -name '.pytest_cache' -o -name '*.partial-*' \) -prune -exec rm -rf {} +
rm -f "$ZIP"
(cd "$STAGE" && python3 -m zipfile -c "$ZIP" "$NAME")
echo "$ZIP"
