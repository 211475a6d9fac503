"""What every Python peer shares: its command line, the workspace from the environment, the query,
and the one JSON line it prints last (the harness reads it).

A peer copies `SELECT * FROM <table> [WHERE <where>]` into the DuckDB file `--out`, as the table
`--target` (schema.table), and prints `{"rows": N, ...details}` as its last stdout line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def parse_args(description: str, extra=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--table", default="samples.tpch.lineitem", help="source table, catalog.schema.table")
    ap.add_argument("--where", default=None, help="optional filter run by the warehouse")
    ap.add_argument("--out", required=False, help="DuckDB file to write")
    ap.add_argument("--target", default="tpch.lineitem", help="schema.table in the DuckDB file")
    ap.add_argument("--chunk-size", type=int, default=100_000, help="rows per batch (seed levels)")
    ap.add_argument("--parallelism", type=int, default=4, help="downloads in flight")
    if extra:
        extra(ap)
    return ap.parse_args()


class Workspace:
    """DATABRICKS_HOST / DATABRICKS_TOKEN / DATABRICKS_WAREHOUSE_ID, as the harness exports them."""

    def __init__(self) -> None:
        try:
            self.host = os.environ["DATABRICKS_HOST"].rstrip("/")
            self.token = os.environ["DATABRICKS_TOKEN"]
            self.warehouse_id = os.environ["DATABRICKS_WAREHOUSE_ID"]
        except KeyError as e:
            sys.exit(f"peer: {e.args[0]} is not set (bench/run exports it)")

    @property
    def hostname(self) -> str:
        """host:port without the scheme."""
        return self.host.split("://", 1)[-1]


def query(args: argparse.Namespace) -> str:
    sql = f"SELECT * FROM {args.table}"
    if args.where:
        sql += f" WHERE {args.where}"
    return sql


def split_target(target: str) -> tuple[str, str]:
    schema, _, table = target.rpartition(".")
    return (schema or "main"), table


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_target(path: str, target: str):
    """A fresh DuckDB file with the target schema; returns (connection, quoted schema.table)."""
    import duckdb

    for p in (path, path + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    con = duckdb.connect(path)
    con.execute("SET enable_progress_bar = false")  # no terminal output in the measured time
    schema, table = split_target(target)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    return con, f"{quote(schema)}.{quote(table)}"


class Clock:
    """Named phase timers: with clock("download"): ... -> details["download_seconds"]."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.start = time.perf_counter()

    def __call__(self, name: str):
        clock = self

        class _Span:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                clock.totals[name] = clock.totals.get(name, 0.0) + time.perf_counter() - self.t

        return _Span()

    def add(self, name: str, seconds: float) -> None:
        self.totals[name] = self.totals.get(name, 0.0) + seconds

    def details(self) -> dict:
        d = {f"{k}_seconds": round(v, 4) for k, v in self.totals.items()}
        d["in_process_seconds"] = round(time.perf_counter() - self.start, 4)
        return d


def report(rows: int, **details) -> None:
    """The peer's last stdout line."""
    sys.stdout.flush()
    print(json.dumps({"rows": rows, **details}), flush=True)
