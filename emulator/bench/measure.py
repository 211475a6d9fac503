"""Speed check for the emulator (not a test): statement execution time and server peak RSS for
SELECT * on lineitem, then storage-endpoint throughput with N parallel downloads.

    .venv/bin/python -m emulator seed --data /tmp/emu-sf1 --scale 1
    .venv/bin/python emulator/bench/measure.py --data /tmp/emu-sf1 [--compression LZ4_FRAME] [--parallel 4]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def fetch(url: str) -> int:
    """GET with http.client, reading into a reused buffer (the client must not be the bottleneck)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    conn.request("GET", u.path + "?" + u.query)
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    buf = bytearray(4 * 1024 * 1024)
    mv = memoryview(buf)
    n = 0
    while True:
        k = resp.readinto(mv)
        if not k:
            break
        n += k
    conn.close()
    return n


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--compression", default=None)
    p.add_argument("--parallel", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sql", default="SELECT * FROM samples.tpch.lineitem")
    a = p.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--data", a.data], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        import requests
        s = requests.Session()
        s.headers["Authorization"] = "Bearer " + info["token"]
        base_rss = vm_hwm_kb(proc.pid)
        t0 = time.time()
        body = {"statement": a.sql, "warehouse_id": info["warehouse_id"], "disposition": "EXTERNAL_LINKS",
                "format": "ARROW_STREAM", "wait_timeout": "50s"}
        if a.compression:
            body["result_compression"] = a.compression
        r = s.post(info["host"] + "/api/2.0/sql/statements", json=body).json()
        sid = r["statement_id"]
        while r["status"]["state"] in ("PENDING", "RUNNING"):
            time.sleep(0.2)
            r = s.get(f"{info['host']}/api/2.0/sql/statements/{sid}").json()
        exec_s = time.time() - t0
        assert r["status"]["state"] == "SUCCEEDED", r["status"]
        m = r["manifest"]
        peak = vm_hwm_kb(proc.pid)
        links = []
        for i in range(m["total_chunk_count"]):
            links.append(s.get(f"{info['host']}/api/2.0/sql/statements/{sid}/result/chunks/{i}").json()["external_links"][0]["external_link"])
        best = 0.0
        for _ in range(a.rounds):
            t1 = time.time()
            with cf.ThreadPoolExecutor(a.parallel) as ex:
                total = sum(ex.map(fetch, links))
            dt = time.time() - t1
            best = max(best, total / dt)
        print(json.dumps({"sql": a.sql, "rows": m["total_row_count"], "chunks": m["total_chunk_count"],
                          "compression": m.get("result_compression"), "execute_seconds": round(exec_s, 2),
                          "serve_rss_before_mb": round(base_rss / 1024), "serve_peak_rss_mb": round(peak / 1024),
                          "bytes_per_round": total, "parallel": a.parallel,
                          "best_gb_per_s": round(best / 1e9, 2)}))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
