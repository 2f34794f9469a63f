#!/usr/bin/env bash
# End-to-end check in the real QGIS desktop under Xvfb: a throw-away profile (and HOME) with the
# plugin installed from the `make package` ZIP and enabled, the bundled sample loaded, the
# registration run from the dock, the outputs written and added to the project. Writes to OUT_DIR
# (default out/desktop): status.json (what happened), screenshot_running.png (task in progress),
# screenshot.png (the result), qgis.log.
#   usage: scripts/desktop_check.sh [OUT_DIR]     (DESKTOP_CHECK_LOCALE=de_DE: QGIS in German)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$(mkdir -p "${1:-out/desktop}" && cd "${1:-out/desktop}" && pwd)
rm -rf "$OUT/profiles" "$OUT/home" "$OUT/dist" "$OUT"/status.json* "$OUT"/screenshot* "$OUT/qgis.log" "$OUT/qgis_exit_code" \
  "$OUT"/sar_registered.tif* "$OUT"/tie_points.* "$OUT"/project.qgz "$OUT"/report.html
mkdir -p "$OUT/home" && chmod 700 "$OUT/home"
PROFILES="$OUT/profiles"
mkdir -p "$PROFILES/profiles/default/python/plugins" "$PROFILES/profiles/default/QGIS"
# Installed from the ZIP that `make package` builds, as a user would (Install from ZIP unpacks it
# into the profile's plugin folder).
ZIP=$(bash "$ROOT/scripts/package.sh" "$OUT/dist" | tail -1)
python3 -m zipfile -e "$ZIP" "$PROFILES/profiles/default/python/plugins/"
PLUGIN_DIR="$PROFILES/profiles/default/python/plugins/sar_optical_registration"
cat > "$PROFILES/profiles/default/QGIS/QGIS3.ini" <<INI
[PythonPlugins]
sar_optical_registration=true

[qgis]
checkVersion=false
showTips=false

[locale]
overrideFlag=true
userLocale=${DESKTOP_CHECK_LOCALE:-en_US}
INI

SITE_PACKAGES=$(ls -d "$ROOT"/.venv/lib/python3*/site-packages | head -1)
export HOME="$OUT/home" XDG_RUNTIME_DIR="$OUT/home" PYTHONPATH="$SITE_PACKAGES" PROJ_DATA=${PROJ_DATA:-/usr/share/proj}
# One torch thread: the check is about behaviour, and on a shared 2-core CI machine two OpenMP
# threads competing with other jobs run several times slower than one.
export OMP_NUM_THREADS=${DESKTOP_CHECK_THREADS:-1}
export QT_QPA_PLATFORM=xcb DESKTOP_CHECK_OUT="$OUT" DESKTOP_CHECK_PLUGIN_DIR="$PLUGIN_DIR"
unset QGIS_PREFIX_PATH
TIMEOUT_S=${DESKTOP_CHECK_TIMEOUT_S:-300}
exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$ROOT/scripts/desktop/session.sh" "$PROFILES" "$OUT" "$TIMEOUT_S"
