"""Rasters in the cloud: the whole ``register`` command (start-up, read -> warped GeoTIFF) on the
bundled sample read over HTTP, from a server on this machine that answers byte ranges as cloud
storage does and waits ``--delay`` seconds before each answer (a round trip to a bucket), against
the same files on disk, in the same run.

    python -m benchmarks.cloud --delay 0.03 --runs 3 --out benchmarks/results

Each case runs in its own process, ``--runs`` times; the table gives the median seconds and the
requests of the last run (GET: byte ranges fetched, HEAD: files looked for). The rasters are the
sample's GeoTIFFs as they are (strips of a few rows) and as cloud-optimised GeoTIFFs
(``gdal_translate -of COG``, 512 px tiles). Writes cloud.md (or ``--name``.md) with the command,
commit, machine and date. The server also serves the tests (``tests/test_cloud_rasters.py``).
"""
from __future__ import annotations

import argparse
import datetime
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from osgeo import gdal

from training.export import commit_at_start as git_commit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "resources", "sample")


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the server's folder, answering 'Range: bytes=a-b' with that part alone (206), after
    ``server.delay`` seconds. Records each request in ``server.requests`` as (method, path, range);
    refuses (503) every range from byte ``server.fail_from`` on, and with ``server.fail_once``
    each range the first time it is asked for."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(self.server.delay)
        self.server.requests.append(("GET", self.path, self.headers.get("Range")))
        path = self.translate_path(self.path)
        asked = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if not asked or not os.path.isfile(path):
            return super().do_GET()
        if int(asked.group(1)) >= self.server.fail_from:  # the connection breaks off part of the way
            return self.send_error(503)
        if self.server.fail_once and self.server.failed.setdefault((self.path, asked.group(0)), 0) == 0:
            self.server.failed[(self.path, asked.group(0))] += 1  # a busy moment: the same request asked again is answered
            return self.send_error(503)
        size = os.path.getsize(path)
        first, last = int(asked.group(1)), min(int(asked.group(2) or size - 1), size - 1)
        with open(path, "rb") as file:
            file.seek(first)
            body = file.read(last - first + 1)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        time.sleep(self.server.delay)
        self.server.requests.append(("HEAD", self.path, None))
        return super().do_HEAD()


def serve(folder: str, delay: float = 0.0) -> http.server.ThreadingHTTPServer:
    """A started server of ``folder`` on a free port of 127.0.0.1; its address is ``server.url``.
    Stop it with ``server.shutdown(); server.server_close()``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: RangeHandler(*a, directory=folder))
    server.delay, server.requests, server.fail_from, server.fail_once, server.failed = delay, [], float("inf"), False, {}
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fetched_bytes(requests) -> int:
    total = 0
    for method, _, asked in requests:
        parts = re.fullmatch(r"bytes=(\d+)-(\d+)", asked or "") if method == "GET" else None
        if parts:
            total += int(parts.group(2)) - int(parts.group(1)) + 1
    return total


def run_case(optical: str, sar: str, folder: str, env: dict, server, runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        server.requests.clear()
        report = os.path.join(folder, "matches.json")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "plugin", "register", optical, sar, "-o", os.path.join(folder, "out.tif"), "--overwrite",
                               "--matches-json", report], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        seconds.append(time.perf_counter() - start)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1]}
    with open(report) as handle:
        matches = json.load(handle)
    requests = list(server.requests)
    return {"seconds": statistics.median(seconds), "get": sum(r[0] == "GET" for r in requests), "head": sum(r[0] == "HEAD" for r in requests),
            "megabytes": fetched_bytes(requests) / 1e6, "tie_points": int(sum(matches["inlier"]))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.03, help="seconds the server waits before each answer")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--name", default="cloud")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        served = os.path.join(folder, "bucket")
        os.makedirs(os.path.join(served, "cog"))
        for role in ("optical", "sar"):
            shutil.copy(os.path.join(SAMPLE, f"{role}.tif"), os.path.join(served, f"{role}.tif"))
            gdal.Translate(os.path.join(served, "cog", f"{role}.tif"), os.path.join(SAMPLE, f"{role}.tif"), format="COG",
                           creationOptions=["COMPRESS=DEFLATE"])
        server = serve(served, args.delay)
        env = dict(os.environ, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
        try:
            for layout, prefix in (("GeoTIFF as bundled (strips)", ""), ("cloud-optimised GeoTIFF", "cog/")):
                local = [os.path.join(served, f"{prefix}{role}.tif") for role in ("optical", "sar")]
                urls = [f"/vsicurl/{server.url}/{prefix}{role}.tif" for role in ("optical", "sar")]
                vrts = []
                for role, url in zip(("optical", "sar"), urls):
                    vrts.append(os.path.join(folder, f"{prefix.strip('/') or 'plain'}-{role}.vrt"))
                    gdal.Translate(vrts[-1], url, format="VRT")
                gdal.VSICurlClearCache()
                cases = (("files on disk", local, {}),
                         ("/vsicurl/ URLs", urls, {}),
                         ("/vsicurl/ URLs, GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR", urls, {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}),
                         ("VRT files of the URLs (the way into qgis_process)", vrts, {}))
                for case, (optical, sar), extra in cases:
                    row = {"layout": layout, "case": case, **run_case(optical, sar, folder, dict(env, **extra), server, args.runs)}
                    rows.append(row)
                    print(row, flush=True)
        finally:
            server.shutdown()
            server.server_close()
    write_report(rows, os.path.join(args.out, args.name + ".md"), args)


def write_report(rows, path, args):
    command = "python -m benchmarks.cloud " + " ".join(sys.argv[1:])
    lines = [
        "# Rasters in the cloud: the bundled sample over HTTP",
        "",
        f"Command: `{command}`  ",
        f"Commit: {git_commit()}; machine: {platform.machine()}, {os.cpu_count()} CPU cores; GDAL {gdal.__version__}; date: {datetime.date.today()}.",
        "",
        f"`python -m plugin register OPTICAL SAR -o out.tif` (defaults), each run in its own process, start-up included; median "
        f"of {args.runs} runs. The server runs on this machine and waits {args.delay * 1000:g} ms before each answer. Requests and "
        "megabytes fetched: the last run's (GET: byte ranges, HEAD: files GDAL looked for). The sample's files are 1.2 MB (optical) "
        "and 0.5 MB (SAR).",
        "",
        "| rasters | read as | seconds | GET | HEAD | MB fetched | tie points |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['layout']} | {row['case']} | failed: {row['error']} | | | | |")
        else:
            lines.append(f"| {row['layout']} | {row['case']} | {row['seconds']:.2f} | {row['get']} | {row['head']} | {row['megabytes']:.2f} | {row['tie_points']} |")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
