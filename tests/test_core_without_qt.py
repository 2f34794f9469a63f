"""The engine must import and run where no Qt or QGIS module can be imported."""
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = r"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "PySide2", "PySide6", "sip"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
from plugin.core import register, RegistrationOptions, outputs
result = register(sys.argv[1], sys.argv[2], RegistrationOptions(device="cpu", max_keypoints=800))
outputs.write_warped_sar(result, sys.argv[3])
from plugin.core.report import write_report
write_report(result, sys.argv[3] + ".html", written=[("registered SAR", sys.argv[3])])
# tie points written and read back (the command line's warp), Qt-free too
from plugin.core.pipeline import raster_info, result_from_tie_points
from plugin.core.tie_point_files import read_tie_point_file
outputs.write_geopackage(result, sys.argv[3] + ".gpkg")
again = result_from_tie_points(sys.argv[1], sys.argv[2], read_tie_point_file(sys.argv[3] + ".gpkg", raster_info(sys.argv[1]), sys.argv[2]), "affine")
assert abs(again.fit.rmse - result.fit.rmse) < 1e-6, (again.fit.rmse, result.fit.rmse)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "sip"))
assert not loaded, loaded
print("OK", int(result.tie_points.enabled.sum()))
"""


def test_engine_runs_without_qt_or_qgis(sample, tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, sample["optical"], sample["sar"], str(tmp_path / "w.tif")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("OK")
