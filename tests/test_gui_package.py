"""`make package`: one ZIP with one plugin folder, everything QGIS needs and nothing else."""
import configparser
import os
import subprocess
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "sar_optical_registration"


def test_package_zip(tmp_path):
    completed = subprocess.run(["bash", os.path.join(ROOT, "scripts", "package.sh"), str(tmp_path)], capture_output=True, text=True, check=True)
    path = completed.stdout.strip().splitlines()[-1]
    metadata = configparser.ConfigParser()
    metadata.read(os.path.join(ROOT, "metadata.txt"))
    assert os.path.basename(path) == f"{NAME}-{metadata['general']['version']}.zip"
    names = zipfile.ZipFile(path).namelist()
    assert {name.split("/")[0] for name in names} == {NAME}
    for required in ("metadata.txt", "__init__.py", "plugin/qgis_plugin.py", "plugin/gui/dock.py", "plugin/core/pipeline.py",
                     "resources/icon.svg", "models/manifest.json", "i18n/sar_optical_registration_de.qm", "README.md"):
        assert f"{NAME}/{required}" in names, required
    for excluded in ("/tests/", "/training/", "/.venv/", "/.cache/", "/out/", "__pycache__", ".pyc", "/.git/", "/dist/"):
        assert not [name for name in names if excluded in name], excluded


def test_metadata_is_complete():
    metadata = configparser.ConfigParser()
    metadata.read(os.path.join(ROOT, "metadata.txt"))
    general = metadata["general"]
    for key in ("name", "description", "about", "version", "qgisMinimumVersion", "author", "email", "tracker", "repository", "icon"):
        assert general.get(key), key
    assert general["qgisMinimumVersion"] == "3.22"
    assert os.path.exists(os.path.join(ROOT, general["icon"]))
