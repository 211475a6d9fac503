"""Where things are, what is copied, which runs exist, and how settings are read from BENCH_* variables."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bench")
PEERS = os.path.join(BENCH, "peers")
VENV_PY = os.path.join(os.environ.get("DBDUCK_VENV", os.path.join(ROOT, ".venv")), "bin", "python")
DBDUCK = os.environ.get("DBDUCK_BIN", os.path.join(ROOT, ".build", "release", "dbduck"))
TABLE = "samples.tpch.lineitem"
TARGET = "tpch.lineitem"

RUN_NAMES = ["dbduck-basic", "dbduck-batch", "dbduck-parquet", "dbduck-streaming", "python-sdk-path",
             "sql-connector", "duckbricks", "ingestr", "seed-basic", "seed-pandas", "seed-parquet",
             "seed-streaming", "limit-parquet-ingest", "limit-download", "limit-arrow-ingest",
             "dbduck-many-tables", "connector-many-tables",
             "dbduck-many-tables-latency", "connector-many-tables-latency",
             "dbduck-cdf", "dbduck-merge", "dbduck-full-after-change",
             "dbduck-checkpoint-off", "dbduck-checkpoint-on", "dbduck-resume-90"]

# The emulator's rows per result chunk (its default), recorded with the results.
EMULATOR_CHUNK_ROWS = 122880


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def env_float(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


def env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


def result_cache_on() -> bool:
    """BENCH_RESULT_CACHE=0 turns the emulator's query result cache off (it is on by default, as
    Databricks SQL's use_cached_result is)."""
    return os.environ.get("BENCH_RESULT_CACHE", "1") != "0"


def scale_tag(scale: float) -> str:
    return f"{scale:g}"


def shown_path(path: str) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
