"""limit-download: the raw loopback download speed of the same result chunks, as a physical limit.

Runs `SELECT * FROM <table>` with EXTERNAL_LINKS + ARROW_STREAM (+ LZ4_FRAME by default, the chunks
dbduck's streaming strategy asks for) over plain HTTP (stdlib only), waits for SUCCEEDED, collects
every external link, then downloads all of them with --parallelism GETs in flight and discards the
bytes (read into one reused buffer per thread). Only the downloads are in `download_seconds`; the
statement and link collection are reported separately. No DuckDB file is written.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from _common import Clock, Workspace, parse_args, query, report


def api(ws: Workspace, method: str, path: str, body: dict | None = None) -> dict:
    u = urllib.parse.urlsplit(ws.host)
    conn = (http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection)(u.netloc, timeout=300)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Bearer {ws.token}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise SystemExit(f"{method} {path}: HTTP {resp.status}: {data[:300]!r}")
        return json.loads(data)
    finally:
        conn.close()


_local = threading.local()


def download(link: dict) -> int:
    """GET one external link on this thread's keep-alive connection; return the bytes read."""
    u = urllib.parse.urlsplit(link["external_link"])
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "netloc", None) != u.netloc:
        conn = (http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection)(u.netloc, timeout=300)
        _local.conn, _local.netloc = conn, u.netloc
        _local.buf = memoryview(bytearray(4 * 1024 * 1024))
    conn.request("GET", u.path + ("?" + u.query if u.query else ""), headers=link.get("http_headers") or {})
    resp = conn.getresponse()
    if resp.status != 200:
        raise SystemExit(f"storage GET: HTTP {resp.status}")
    total = 0
    buf = _local.buf
    while True:
        n = resp.readinto(buf)
        if not n:
            break
        total += n
    return total


def main() -> None:
    args = parse_args(__doc__, lambda ap: ap.add_argument(
        "--compression", default="LZ4_FRAME", choices=["LZ4_FRAME", "NONE"]))
    ws = Workspace()
    clock = Clock()
    body = {"statement": query(args), "warehouse_id": ws.warehouse_id, "disposition": "EXTERNAL_LINKS",
            "format": "ARROW_STREAM", "wait_timeout": "50s"}
    if args.compression != "NONE":
        body["result_compression"] = args.compression
    with clock("statement"):
        st = api(ws, "POST", "/api/2.0/sql/statements", body)
        while st["status"]["state"] in ("PENDING", "RUNNING"):
            time.sleep(0.2)
            st = api(ws, "GET", f"/api/2.0/sql/statements/{st['statement_id']}")
    if st["status"]["state"] != "SUCCEEDED":
        raise SystemExit(f"statement {st['status']['state']}: {st['status'].get('error', {}).get('message', '')}")
    sid = st["statement_id"]
    manifest = st["manifest"]
    links = {lk["chunk_index"]: lk for lk in (st.get("result") or {}).get("external_links", [])}
    with clock("links"):
        for i in range(manifest.get("total_chunk_count", 0)):
            if i not in links:
                for lk in api(ws, "GET", f"/api/2.0/sql/statements/{sid}/result/chunks/{i}").get("external_links", []):
                    links[lk["chunk_index"]] = lk
    ordered = [links[i] for i in sorted(links)]
    with clock("download"):
        with ThreadPoolExecutor(max_workers=args.parallelism) as pool:
            wire = sum(pool.map(download, ordered))
    d = clock.totals["download"]
    report(int(manifest.get("total_row_count", 0)), chunks=len(ordered), wire_bytes=wire,
           uncompressed_bytes=manifest.get("total_byte_count"), compression=manifest.get("result_compression"),
           parallelism=args.parallelism, download_mb_per_s=round(wire / d / 1e6, 1) if d else None,
           **clock.details())


if __name__ == "__main__":
    main()
