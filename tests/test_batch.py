"""The batch CLI (plugin/batch.py): pair lists, one model load, failures recorded, resume.

Most tests replace the network registration by the sample's known truth (``fake_register``) so
they check the batch logic alone; ``test_cli_batch_on_the_sample`` runs the real thing.
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal, osr

from plugin import batch, cli
from plugin.core import RegistrationError, RegistrationOptions, TiePoints
from plugin.core.pipeline import result_from_tie_points
from tests.conftest import ROOT
from tests.test_ground import sample_pixel_m

SHIFT = np.array([17.0, -11.0])


class FakeRegister:
    """Stands in for core.register: the truth's tie points, no network; counts its calls."""

    def __init__(self, fail_on=()):
        self.calls, self.fail_on = [], fail_on

    def __call__(self, optical, sar, options, progress=None, extractor=None):
        self.calls.append(os.path.basename(sar))
        if os.path.basename(sar) in self.fail_on:
            raise ValueError("a bug")
        progress("descriptors", 0.5)
        sar_xy = np.random.default_rng(0).uniform(40, 700, (20, 2))
        tie_points = TiePoints(sar_xy + SHIFT, sar_xy, np.zeros(20), [""] * 20, np.ones(20, bool))
        return result_from_tie_points(optical, sar, tie_points, options.warp_model)


@pytest.fixture
def fake(monkeypatch):
    fake = FakeRegister()
    monkeypatch.setattr(batch, "register", fake)
    return fake


@pytest.fixture
def pairs_csv(sample, tmp_path):
    """Three pairs: the sample, the sample's SAR under another name, and a SAR file that is missing."""
    os.symlink(sample["sar"], tmp_path / "sar_copy.tif")
    path = tmp_path / "pairs.csv"
    path.write_text(f"optical,sar,output\n# a comment\n{sample['optical']},{sample['sar']},first.tif\n"
                    f"{sample['optical']},sar_copy.tif,\n{sample['optical']},missing.tif,\n")
    return str(path)


def summary_rows(outdir):
    with open(os.path.join(outdir, batch.SUMMARY_CSV), newline="") as handle:
        return list(csv.DictReader(handle))


def test_pairs_from_csv(pairs_csv, tmp_path):
    pairs = batch.pairs_from_csv(pairs_csv, str(tmp_path / "out"))
    assert [os.path.basename(p.sar) for p in pairs] == ["sar.tif", "sar_copy.tif", "missing.tif"]
    assert pairs[1].sar == str(tmp_path / "sar_copy.tif")  # relative to the CSV
    assert [p.output for p in pairs] == [str(tmp_path / "out" / n) for n in ("first.tif", "sar_copy_registered.tif", "missing_registered.tif")]


def test_pairs_from_csv_without_header_gets_unique_outputs(tmp_path):
    (tmp_path / "p.csv").write_text("a/o1.tif,a/s.tif\nb/o2.tif,b/s.tif\n")
    pairs = batch.pairs_from_csv(str(tmp_path / "p.csv"), str(tmp_path))
    assert [os.path.basename(p.output) for p in pairs] == ["s_registered.tif", "s_registered_2.tif"]


@pytest.mark.parametrize("text", ["# pairs\noptical;sar;output\no.tif;s.tif;x.tif\n", "o.tif\ts.tif\tx.tif\n", "optical,sar\no.tif,s;1.tif\n"])
def test_a_csv_saved_with_semicolons_or_tabs_is_read(tmp_path, text):
    """Spreadsheets in German, French and other languages save CSV with semicolons: every line was
    refused as not giving an optical and a SAR raster. A comma on the first line still decides."""
    (tmp_path / "p.csv").write_text(text)
    pair = batch.pairs_from_csv(str(tmp_path / "p.csv"), str(tmp_path))[0]
    assert (os.path.basename(pair.optical), os.path.basename(pair.sar)) in (("o.tif", "s.tif"), ("o.tif", "s;1.tif"))


@pytest.mark.parametrize("text, message", [("o.tif\n", "does not give an optical and a SAR"), ("optical,radar\no.tif,s.tif\n", "must name the columns"),
                                           ("o.tif,s.tif,x.tif\no.tif,t.tif,x.tif\n", "the same output"), ("# nothing\n", "holds no pairs")])
def test_bad_pairs_csv(tmp_path, text, message):
    (tmp_path / "p.csv").write_text(text)
    with pytest.raises(RegistrationError, match=message):
        batch.pairs_from_csv(str(tmp_path / "p.csv"), str(tmp_path))


def test_a_header_names_the_columns_in_any_order(tmp_path):
    """'sar,optical' must not register each optical image as the SAR (it did, reported "ok")."""
    (tmp_path / "swapped.csv").write_text("sar,optical\ns.tif,o.tif\n")
    (tmp_path / "more.csv").write_text("id,Optical,SAR,output\n7,o.tif,s.tif,seven.tif\n")
    swapped = batch.pairs_from_csv(str(tmp_path / "swapped.csv"), str(tmp_path))
    more = batch.pairs_from_csv(str(tmp_path / "more.csv"), str(tmp_path))
    assert [(os.path.basename(p.optical), os.path.basename(p.sar)) for p in swapped + more] == [("o.tif", "s.tif")] * 2
    assert len(swapped) == 1 and more[0].output == str(tmp_path / "seven.tif")


def test_urls_and_gdal_names_in_a_csv_are_read_as_gdal_opens_them(tmp_path):
    """An https:// raster in a CSV was read as a file beside the CSV ('/folder/https://...'), and
    refused as missing; its output is named after the raster, not the URL's query."""
    (tmp_path / "p.csv").write_text("optical,sar\nhttps://example.com/s2/optical.tif,/vsicurl/https://example.com/s1/scene.tif?sig=a/b\n"
                                    "GPKG:rasters.gpkg:optical,local/sar.tif\n")
    remote, package = batch.pairs_from_csv(str(tmp_path / "p.csv"), str(tmp_path / "out"))
    assert (remote.optical, remote.sar) == ("https://example.com/s2/optical.tif", "/vsicurl/https://example.com/s1/scene.tif?sig=a/b")
    assert remote.output == str(tmp_path / "out" / "scene_registered.tif")
    assert (package.optical, package.sar) == ("GPKG:rasters.gpkg:optical", str(tmp_path / "local" / "sar.tif"))
    beside = tmp_path / "https:" / "example.com" / "s2" / "optical.tif"  # a file of that name beside the CSV: a path, as before
    beside.parent.mkdir(parents=True)
    beside.write_bytes(b"")
    assert os.path.samefile(batch.pairs_from_csv(str(tmp_path / "p.csv"), str(tmp_path))[0].optical, beside)


def test_a_csv_that_is_not_utf8_text_and_an_outdir_that_is_a_file(sample, tmp_path, capsys):
    (tmp_path / "latin1.csv").write_bytes("optical,sar\nM\xfcnchen_o.tif,M\xfcnchen_s.tif\n".encode("cp1252"))
    with pytest.raises(RegistrationError, match="UTF-8"):
        batch.pairs_from_csv(str(tmp_path / "latin1.csv"), str(tmp_path))
    assert cli.main(["batch", sample["optical"], str(tmp_path / "out")]) == 2  # a raster given as the CSV
    assert "UTF-8" in capsys.readouterr().err
    (tmp_path / "pairs.csv").write_text(f"{sample['optical']},{sample['sar']}\n")
    (tmp_path / "a_file").write_text("")
    assert cli.main(["batch", str(tmp_path / "pairs.csv"), str(tmp_path / "a_file")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_an_output_not_named_tif_is_refused_before_the_batch_starts(sample, tmp_path):
    (tmp_path / "pairs.csv").write_text(f"{sample['optical']},{sample['sar']},first.tif\n{sample['optical']},{sample['sar']},second.png\n")
    with pytest.raises(RegistrationError, match="second.png' names another format"):
        batch.pairs_from_csv(str(tmp_path / "pairs.csv"), str(tmp_path / "out"))


def test_outputs_that_would_replace_one_another_or_an_input_are_refused_before_the_batch_starts(fake, sample, tmp_path):
    """Each pair's files are named after its output, so two pairs' 'a.tif' and 'a.tiff' share
    'a.points', and a pair's 'batch_summary.json' is the summary; a pair's output may be another
    pair's SAR. The batch overwrites its outputs, so each would have been lost without a word."""
    outdir = tmp_path / "out"
    clashes = [("a.tif", "a.tiff", ["points"], "points file of pair 1 and the points file of pair 2 are both"),
               ("batch_summary.tif", "b.tif", ["matches_json"], "batch summary 'batch_summary.json' and the match report of pair 1")]
    for first, second, extras, message in clashes:
        (tmp_path / "pairs.csv").write_text(f"{sample['optical']},{sample['sar']},{first}\n{sample['optical']},{sample['sar']},{second}\n")
        pairs = batch.pairs_from_csv(str(tmp_path / "pairs.csv"), str(outdir))
        with pytest.raises(RegistrationError, match=message):
            batch.run_batch(pairs, str(outdir), RegistrationOptions(), extras, make_extractor=lambda *a: "net")
    # Pair 1 would write over pair 2's SAR before pair 2 reads it.
    outdir.mkdir()
    second_sar = outdir / "scene.tif"
    second_sar.write_bytes(open(sample["sar"], "rb").read())
    (tmp_path / "pairs.csv").write_text(f"{sample['optical']},{sample['sar']},scene.tif\n{sample['optical']},{second_sar},\n")
    pairs = batch.pairs_from_csv(str(tmp_path / "pairs.csv"), str(outdir))
    with pytest.raises(RegistrationError, match="registered SAR of pair 1, '.*scene.tif', is the SAR raster of pair 2"):
        batch.run_batch(pairs, str(outdir), RegistrationOptions(), make_extractor=lambda *a: "net")
    assert fake.calls == [] and sorted(os.listdir(outdir)) == ["scene.tif"]
    assert open(second_sar, "rb").read() == open(sample["sar"], "rb").read()


def test_pairs_from_folders_match_by_name(tmp_path):
    for folder, names in (("optical", ["A.tif", "b.tif", "only_optical.tif", "notes.txt"]), ("sar", ["a.TIF", "b.tif", "only_sar.tif"])):
        (tmp_path / folder).mkdir()
        for name in names:
            (tmp_path / folder / name).write_text("")
    pairs = batch.pairs_from_folders(str(tmp_path / "optical"), str(tmp_path / "sar"), str(tmp_path / "out"))
    assert [(os.path.basename(p.optical), os.path.basename(p.sar)) for p in pairs] == [("A.tif", "a.TIF"), ("b.tif", "b.tif")]
    with pytest.raises(RegistrationError, match="optical and the SAR folder are both .*paired with itself"):  # each pair then failed alone
        batch.pairs_from_folders(str(tmp_path / "optical"), str(tmp_path / "optical") + "/", str(tmp_path / "out"))
    (tmp_path / "sar" / "B.vrt").write_text("")  # two SAR rasters named b: which one? (one was dropped silently)
    with pytest.raises(RegistrationError, match="2 rasters named 'b'"):
        batch.pairs_from_folders(str(tmp_path / "optical"), str(tmp_path / "sar"), str(tmp_path / "out"))


def test_batch_goes_on_past_failures_and_writes_a_summary(fake, pairs_csv, tmp_path):
    outdir = str(tmp_path / "out")
    rows = batch.run_batch(batch.pairs_from_csv(pairs_csv, outdir), outdir, RegistrationOptions(), make_extractor=lambda *a: "net")
    assert [r.status for r in rows] == ["ok", "ok", "failed"]
    assert "does not exist" in rows[2].error
    table = summary_rows(outdir)
    assert [r["status"] for r in table] == ["ok", "ok", "failed"] and int(table[0]["matches"]) == 20 and float(table[0]["rmse_px"]) < 1e-3
    document = json.load(open(os.path.join(outdir, batch.SUMMARY_JSON)))
    assert document["counts"] == {"ok": 2, "failed": 1, "error": 0, "pending": 0, "total": 3}
    written = gdal.Open(rows[0].output)
    srs = osr.SpatialReference(wkt=written.GetProjection())
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "3395"


def test_rerun_skips_pairs_done(fake, pairs_csv, tmp_path):
    outdir = str(tmp_path / "out")
    pairs = batch.pairs_from_csv(pairs_csv, outdir)
    loads = []
    run = lambda: batch.run_batch(pairs, outdir, RegistrationOptions(), make_extractor=lambda *a: loads.append(1) or "net")  # noqa: E731
    run()
    assert fake.calls == ["sar.tif", "sar_copy.tif", "missing.tif"] and len(loads) == 1
    first = summary_rows(outdir)
    fake.calls.clear()
    run()
    assert fake.calls == ["missing.tif"]  # only the failed pair runs again
    assert summary_rows(outdir)[:2] == first[:2]
    os.remove(pairs[1].output)  # an output that went missing is made again
    fake.calls.clear()
    run()
    assert fake.calls == ["sar_copy.tif", "missing.tif"] and os.path.exists(pairs[1].output)


def test_the_summary_names_what_the_engine_warned_of_on_each_pair(fake, pairs_csv, tmp_path, monkeypatch):
    """Hundreds of pairs: the warnings scroll past in the log; the summary keeps each pair's, the
    failed pairs' too, and a summary written before the column existed is read as without them."""
    import logging

    def warns(optical, sar, options, progress=None, extractor=None):
        logging.getLogger("plugin.core.raster_io").warning("band 1 of %s declares no nodata value", os.path.basename(sar))
        logging.getLogger("plugin.core.raster_io").warning("band 1 of %s declares no nodata value", os.path.basename(sar))  # once in the summary
        return fake(optical, sar, options, progress, extractor)

    monkeypatch.setattr(batch, "register", warns)
    outdir = str(tmp_path / "out")
    pairs = batch.pairs_from_csv(pairs_csv, outdir)
    rows = batch.run_batch(pairs, outdir, RegistrationOptions(), make_extractor=lambda *a: "net")
    assert [row.warnings for row in rows] == [f"band 1 of {name} declares no nodata value" for name in ("sar.tif", "sar_copy.tif", "missing.tif")]
    assert [row["warnings"] for row in summary_rows(outdir)] == [row.warnings for row in rows]
    path = os.path.join(outdir, batch.SUMMARY_JSON)
    document = json.load(open(path))
    for row in document["pairs"]:
        del row["warnings"]
    json.dump(document, open(path, "w"))
    rows = batch.run_batch(pairs, outdir, RegistrationOptions(), make_extractor=lambda *a: "net")
    assert [row.status for row in rows] == ["ok", "ok", "failed"] and rows[0].warnings == ""  # done before, skipped


def test_model_loaded_once_and_not_at_all_when_everything_is_done(fake, sample, tmp_path):
    outdir = str(tmp_path)
    pairs = [batch.Pair(sample["optical"], sample["sar"], str(tmp_path / f"{n}.tif")) for n in range(3)]
    loads = []
    make = lambda *a: loads.append(a) or "net"  # noqa: E731
    batch.run_batch(pairs, outdir, RegistrationOptions(device="cpu"), make_extractor=make)
    batch.run_batch(pairs, outdir, RegistrationOptions(device="cpu"), make_extractor=make)
    assert loads == [(None, "cpu")]


def test_an_unexpected_error_is_recorded_and_the_batch_goes_on(monkeypatch, sample, tmp_path):
    monkeypatch.setattr(batch, "register", FakeRegister(fail_on=("sar.tif",)))
    pairs = [batch.Pair(sample["optical"], sample["sar"], str(tmp_path / "0.tif")),
             batch.Pair(sample["optical"], str(tmp_path / "missing.tif"), str(tmp_path / "1.tif"))]
    rows = batch.run_batch(pairs, str(tmp_path), RegistrationOptions(), make_extractor=lambda *a: "net")
    assert [r.status for r in rows] == ["error", "failed"]
    assert rows[0].error == "ValueError: a bug" and "does not exist" in rows[1].error


def test_a_model_that_cannot_load_stops_the_batch(fake, sample, tmp_path):
    def broken(*args):
        raise RegistrationError("There is no model named 'x'.", "Choose one of: dffca-v2.")

    pairs = [batch.Pair(sample["optical"], sample["sar"], str(tmp_path / "0.tif"))]
    with pytest.raises(RegistrationError, match="no model named"):
        batch.run_batch(pairs, str(tmp_path), RegistrationOptions(), make_extractor=broken)
    assert summary_rows(str(tmp_path))[0]["status"] == "pending" and fake.calls == []


def test_a_misspelt_model_name_stops_the_batch_before_the_first_pair(fake, sample, tmp_path):
    """The descriptor is loaded only when a pair needs the network, so a misspelt --model passed
    every pair the structural search registers and stopped the batch at the first that needed it."""
    pairs = [batch.Pair(sample["optical"], sample["sar"], str(tmp_path / "0.tif"))]
    for options, message in ((RegistrationOptions(model="dffca-v9"), "no descriptor model named 'dffca-v9'. Choose one of: dffca-v2, dffca-v3"),
                             (RegistrationOptions(feature_model="dffca-v3"), "no features model named 'dffca-v3'")):
        with pytest.raises(RegistrationError, match=message):
            batch.run_batch(pairs, str(tmp_path / "out"), options, make_extractor=lambda *a: "net")
    assert fake.calls == [] and not os.path.exists(tmp_path / "out")
    RegistrationOptions(model="dffca-v2", features="cfog", feature_model="unused with cfog").check()


def test_threads_follow_the_environment(monkeypatch):
    import torch

    import threading

    from plugin.core import parallel

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    try:
        assert batch.configure_threads() == 1 == torch.get_num_threads()
        # the engine's own thread pools and GDAL hold to it too (they used every core)
        assert parallel.workers() == 1 and parallel.gdal_threads() == "1"
        assert len(set(parallel.thread_map(lambda item: threading.get_ident(), range(50)))) == 1
        assert batch.configure_threads(2) == 2 == torch.get_num_threads()
        assert parallel.workers() == min(2, parallel.available_cores())
    finally:
        parallel.set_limit(0)
        torch.set_num_threads(1)


def test_cli_batch_resumes(fake, pairs_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    outdir = str(tmp_path / "out")
    assert cli.main(["batch", pairs_csv, outdir, "--device", "cpu", "--points"]) == 1  # one pair fails
    assert "2 of 3 pairs registered, 1 failed" in capsys.readouterr().out
    assert os.path.exists(os.path.join(outdir, "first.points"))
    assert cli.main(["batch", pairs_csv, outdir, "--device", "cpu"]) == 1
    err = capsys.readouterr().err
    assert err.count("done before, skipped") == 2 and "missing.tif: failed: The file" in err


def test_cli_batch_two_folders(fake, sample, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    for role in ("optical", "sar"):
        (tmp_path / role).mkdir()
        os.symlink(sample[role], tmp_path / role / "scene_01.tif")
    assert cli.main(["batch", str(tmp_path / "optical"), str(tmp_path / "sar"), str(tmp_path / "out"), "--gpkg"]) == 0
    assert os.path.exists(tmp_path / "out" / "scene_01_registered.tif") and os.path.exists(tmp_path / "out" / "scene_01_registered.gpkg")


def test_cli_batch_usage_errors(tmp_path, capsys):
    assert cli.main(["batch", str(tmp_path / "none.csv"), str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["batch", "a", "b", "c", str(tmp_path / "out")]) == 2


def test_a_batch_stopped_by_sigterm_leaves_no_partial_file_and_keeps_its_summary(fake, pairs_csv, tmp_path, monkeypatch, capsys):
    """A scheduler's time limit sends SIGTERM: the batch stops as on Ctrl-C (status 143), the pair
    being written leaves no half-written file, and the summary says what was done (by default the
    process died on the spot, leaving its .partial file)."""
    import signal

    from plugin.core import outputs

    warp_options, warps = outputs.warp_options, []

    def terminated_while_writing_the_second(model):
        warps.append(model)
        if len(warps) == 4:  # each write asks twice, to plan the part of the optical grid it covers and to warp: the second pair's warp
            os.kill(os.getpid(), signal.SIGTERM)
        return warp_options(model)

    monkeypatch.setattr(outputs, "warp_options", terminated_while_writing_the_second)
    outdir = tmp_path / "out"
    assert cli.main(["batch", pairs_csv, str(outdir)]) == 143
    assert "terminated" in capsys.readouterr().err
    assert [row["status"] for row in summary_rows(str(outdir))] == ["ok", "pending", "pending"]
    assert sorted(os.listdir(outdir)) == ["batch_summary.csv", "batch_summary.json", "first.tif"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back


def test_a_full_disk_stops_the_batch_with_a_clear_error_and_leaves_the_last_whole_summary(fake, pairs_csv, tmp_path, monkeypatch, capsys):
    """The summary, rewritten after every pair, no longer fits (it was a traceback, and left its
    .partial files): one line saying so, status 2, and the summary as last written."""
    import errno
    from collections import namedtuple

    from plugin.core import outputs

    outdir = tmp_path / "out"
    dump, writes = json.dump, []

    def the_disk_fills_at_the_second_summary(*args, **kwargs):
        writes.append(1)
        if len(writes) >= 2:  # and stays full
            monkeypatch.setattr(outputs.shutil, "disk_usage", lambda folder: namedtuple("DiskUsage", "total used free")(10**9, 10**9, 0))
            raise OSError(errno.ENOSPC, "No space left on device")
        return dump(*args, **kwargs)

    monkeypatch.setattr(batch.json, "dump", the_disk_fills_at_the_second_summary)
    assert cli.main(["batch", pairs_csv, str(outdir)]) == 2
    assert "batch_summary.json': the disk is full. Free some space" in capsys.readouterr().err.splitlines()[-1]
    assert [row["status"] for row in json.load(open(outdir / batch.SUMMARY_JSON))["pairs"]] == ["ok", "pending", "pending"]
    assert not [name for name in os.listdir(outdir) if "partial" in name]


def test_cli_batch_on_the_sample(sample, tmp_path):
    """The real thing (needs the trained model): the sample registers, a noise "SAR" fails, a rerun skips the sample."""
    noise = str(tmp_path / "noise.tif")
    copy = gdal.GetDriverByName("GTiff").CreateCopy(noise, gdal.Open(sample["sar"]))
    copy.GetRasterBand(1).WriteArray(np.random.default_rng(0).integers(0, 255, (copy.RasterYSize, copy.RasterXSize)))
    copy = None
    (tmp_path / "pairs.csv").write_text(f"{sample['optical']},{sample['sar']}\n{sample['optical']},{noise}\n")
    command = [sys.executable, "-m", "plugin", "batch", str(tmp_path / "pairs.csv"), str(tmp_path / "out"), "--self-check", "--report"]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert first.returncode == 1, first.stderr
    rows = summary_rows(str(tmp_path / "out"))
    assert [r["status"] for r in rows] == ["ok", "failed"] and "could not be registered" in rows[1]["error"]
    assert int(rows[0]["matches"]) >= 8 and float(rows[0]["rmse_px"]) < 2.0 and os.path.exists(rows[0]["output"])
    assert float(rows[0]["rmse_m"]) == pytest.approx(float(rows[0]["rmse_px"]) * sample_pixel_m(sample), rel=0.01) and rows[1]["rmse_m"] == ""
    assert float(rows[0]["rmse_px"]) < float(rows[0]["left_out_rmse_px"]) < float(rows[0]["rmse_px"]) + 0.3 and rows[1]["left_out_rmse_px"] == ""
    assert float(rows[0]["left_out_rmse_m"]) == pytest.approx(float(rows[0]["left_out_rmse_px"]) * sample_pixel_m(sample), rel=0.01)
    from tests.test_processing import report_tie_points

    page = open(os.path.splitext(rows[0]["output"])[0] + ".html", encoding="utf-8").read()  # --report: beside the output
    assert f"<td>{rows[0]['output']}</td>" in page and sum(row["Used"] == "yes" for row in report_tie_points(page)) == int(rows[0]["matches"])
    assert not os.path.exists(os.path.splitext(rows[1]["output"])[0] + ".html")  # the failed pair has none
    assert rows[0]["self_check"] == "passed" and float(rows[0]["self_check_px"]) < 3.0 and rows[1]["self_check"] == ""
    assert "self-check passed" in first.stderr
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "sar.tif: done before, skipped" in second.stderr
    assert summary_rows(str(tmp_path / "out"))[0] == rows[0]


def test_a_batch_writes_its_registered_sars_with_overviews_unless_told_not_to(fake, pairs_csv, tmp_path):
    """For batches of large scenes whose outputs nobody draws: a quarter less disk and a faster write."""
    from osgeo import gdal

    for flags, expected in (([], 2), (["--no-overviews"], 0)):
        outdir = str(tmp_path / f"out{len(flags)}")
        assert cli.main(["batch", pairs_csv, outdir, *flags]) == 1  # the missing SAR fails, the others are written
        for name in ("first.tif", "sar_copy_registered.tif"):
            written = gdal.Open(os.path.join(outdir, name))
            assert written.GetRasterBand(1).GetOverviewCount() == expected, (flags, name)
