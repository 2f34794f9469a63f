#!/usr/bin/env bash
# Inside xvfb-run: starts QGIS with the driver, takes the screenshots when the driver asks for
# them (status.json), and makes sure QGIS is gone at the end. Arguments: PROFILES OUT TIMEOUT_S.
set -uo pipefail
PROFILES=$1 OUT=$2 TIMEOUT_S=$3
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
phase() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('phase',''))" "$OUT/status.json" 2>/dev/null; }

qgis --noversioncheck --nologo --profiles-path "$PROFILES" --code "$ROOT/scripts/desktop/drive_dock.py" >"$OUT/qgis.log" 2>&1 &
QGIS_PID=$!
deadline=$((SECONDS + TIMEOUT_S))
status=1
while kill -0 "$QGIS_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
  case "$(phase)" in
    running) [ -f "$OUT/screenshot_running.png" ] || import -window root "$OUT/screenshot_running.png" ;;
    ready|failed)
      sleep 1
      import -window root "$OUT/screenshot.png"
      touch "$OUT/screenshot.done"
      status=0
      break ;;
  esac
  sleep 0.2
done
[ $status -eq 0 ] || { echo "desktop check: timed out or QGIS exited early (phase: $(phase)); see $OUT/qgis.log" >&2; import -window root "$OUT/screenshot.png" || true; }
for _ in $(seq 1 50); do kill -0 "$QGIS_PID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$QGIS_PID" 2>/dev/null; then kill "$QGIS_PID"; sleep 1; kill -9 "$QGIS_PID" 2>/dev/null || true; fi
wait "$QGIS_PID" 2>/dev/null
echo $? > "$OUT/qgis_exit_code"
echo "desktop check: phase $(phase); screenshot $OUT/screenshot.png"
exit $status
