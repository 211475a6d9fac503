"""CPU check for the emulator (not a test): the statements a client copying many small tables sends,
and the emulator's CPU seconds for them.

Per table: `DESCRIBE HISTORY t LIMIT 1` (JSON_ARRAY, INLINE), then `SELECT cols FROM t VERSION AS OF 0`
(ARROW_STREAM, EXTERNAL_LINKS, LZ4_FRAME), the download of its chunk, and the close (DELETE) of
both statements. A first pass fills the result cache (as a client's earlier count or plan query
would); the passes after it are measured.

    .venv/bin/python emulator/bench/many_tables.py --data bench/data/scale-1/workspace [--passes 3]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from emulator.launcher import EmulatorProcess  # noqa: E402

_local = threading.local()


def _http(token: str) -> requests.Session:
    """This thread's keep-alive session to the workspace host."""
    s = getattr(_local, "s", None)
    if s is None:
        s = _local.s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
    return s


def _storage() -> requests.Session:
    """This thread's keep-alive session to the storage host (no Authorization: links are presigned)."""
    s = getattr(_local, "storage", None)
    if s is None:
        s = _local.storage = requests.Session()
    return s


def _statement(emu: EmulatorProcess, sql: str, **kw) -> dict:
    s = _http(emu.token)
    body = {"statement": sql, "warehouse_id": emu.warehouse_id, "wait_timeout": "10s", **kw}
    r = s.post(emu.host + "/api/2.0/sql/statements", json=body)
    r.raise_for_status()
    j = r.json()
    assert j["status"]["state"] == "SUCCEEDED", j["status"]
    return j


def copy_table(emu: EmulatorProcess, name: str, columns: str) -> int:
    s = _http(emu.token)
    quoted = ".".join(f"`{p}`" for p in name.split("."))
    hist = _statement(emu, f"DESCRIBE HISTORY {quoted} LIMIT 1", format="JSON_ARRAY", disposition="INLINE")
    version = int(hist["result"]["data_array"][0][0])
    sel = _statement(emu, f"SELECT {columns} FROM {quoted} VERSION AS OF {version}", format="ARROW_STREAM",
                     disposition="EXTERNAL_LINKS", result_compression="LZ4_FRAME")
    n = 0
    for link in sel["result"].get("external_links", []):
        n += len(_storage().get(link["external_link"]).content)
    for sid in (hist["statement_id"], sel["statement_id"]):
        s.delete(f"{emu.host}/api/2.0/sql/statements/{sid}").raise_for_status()
    return n


def run_pass(emu: EmulatorProcess, tables: list[str], columns: str, parallel: int) -> int:
    with cf.ThreadPoolExecutor(parallel) as pool:
        return sum(pool.map(lambda t: copy_table(emu, t, columns), tables))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--schema", default="main.many")
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--columns", default="`id`, `name`, `amount`, `day`, `ts`")
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    tables = [f"{args.schema}.t{i:03d}" for i in range(args.tables)]
    with EmulatorProcess(args.data) as emu:
        print(f"emulator pid {emu.pid}", flush=True)
        c0, t0 = emu.cpu_seconds(), time.monotonic()
        run_pass(emu, tables, args.columns, args.parallel)   # fills the result cache
        print(f"first pass (cache misses): emulator CPU {emu.cpu_seconds() - c0:.2f} s, "
              f"wall {time.monotonic() - t0:.2f} s", flush=True)
        best = None
        for k in range(args.passes):
            c0, t0 = emu.cpu_seconds(), time.monotonic()
            run_pass(emu, tables, args.columns, args.parallel)
            cpu, wall = emu.cpu_seconds() - c0, time.monotonic() - t0
            best = cpu if best is None else min(best, cpu)
            print(f"pass {k + 1}: emulator CPU {cpu:.2f} s, wall {wall:.2f} s", flush=True)
        cache = emu.stats()["result_cache"]
        print(f"best emulator CPU {best if best is not None else float('nan'):.2f} s; result cache hits {cache['hits']}, misses {cache['misses']}")


if __name__ == "__main__":
    main()
