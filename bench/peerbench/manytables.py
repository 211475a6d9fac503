"""The many-tables data set: `main.many`, a schema of many small tables with a few typical columns
(bigint id, string, double, date, timestamp), written as Delta tables straight into the emulator's
workspace before it starts, once per parameters, with the expected fingerprint of every table."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field

from .config import env_int, log
from .seeding import file_digest

CATALOG, SCHEMA = "main", "many"
SOURCE = f"{CATALOG}.{SCHEMA}.*"
# The DuckDB schema a copy of main.many lands in (dbduck drops the catalog).
TARGET_SCHEMA = SCHEMA
# The pair against the main emulator (its target), and the same pair against a second emulator
# whose every statement waits first, as a warehouse round trip does (latency.py).
MANY_PAIR = ("dbduck-many-tables", "connector-many-tables")
LATENCY_SUFFIX = "-latency"
LATENCY_RUNS = tuple(n + LATENCY_SUFFIX for n in MANY_PAIR)
MANY_RUNS = MANY_PAIR + LATENCY_RUNS
MARKER = "many-tables.json"


def table_names(tables: int) -> list[str]:
    """t000, t001, ...: zero-padded so the names sort in creation order."""
    width = max(3, len(str(max(tables - 1, 0))))
    return [f"t{i:0{width}d}" for i in range(tables)]


@dataclass
class ManyTables:
    """How many tables of how many rows; `expected` is filled once the data is seeded."""
    tables: int = 200
    rows: int = 500
    expected: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "ManyTables":
        return cls(tables=env_int("BENCH_MANY_TABLES", 200), rows=env_int("BENCH_MANY_ROWS", 500))

    @property
    def names(self) -> list[str]:
        return table_names(self.tables)

    @property
    def total_rows(self) -> int:
        return self.tables * self.rows

    @property
    def label(self) -> str:
        return f"{self.tables} tables x {self.rows} rows ({SOURCE})"

    def key(self, digest: str) -> dict:
        """What the cached data depends on."""
        return {"tables": self.tables, "rows": self.rows, "generator_digest": digest}


def wanted(selected: list[str]) -> bool:
    return any(n in MANY_RUNS for n in selected)


def pair_name(name: str) -> str:
    """The run of the main pair a many-tables run repeats (itself for the main pair)."""
    return name.removesuffix(LATENCY_SUFFIX) if name in LATENCY_RUNS else name


def table_data(index: int, rows: int):
    """Table number `index` as a pyarrow Table: deterministic, different in every table."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(1000 + index)
    ids = np.arange(index * rows, (index + 1) * rows, dtype=np.int64)
    words = np.array(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"])
    names = [f"{words[a]} {words[b]} {i}" for i, a, b in zip(ids, rng.integers(0, 8, rows), rng.integers(0, 8, rows))]
    mask = ids % 37 == 0  # a few nulls, as real string columns have
    days = rng.integers(18262, 19723, rows).astype(np.int32)  # 2020-01-01 .. 2023-12-31
    micros = (1_704_067_200 + ids * 61) * 1_000_000 + rng.integers(0, 1_000_000, rows)
    return pa.table({
        "id": pa.array(ids),
        "name": pa.array(names, pa.string(), mask=mask),
        "amount": pa.array(np.round(rng.random(rows) * 10_000, 2)),
        "day": pa.array(days, pa.int32()).cast(pa.date32()),
        "ts": pa.array(micros.astype(np.int64)).cast(pa.timestamp("us", "UTC")),
    })


def seeded_many(d: str, spec: ManyTables) -> ManyTables:
    """main.many in d/workspace, written once per spec (and per version of this generator); the
    marker d/many-tables.json holds the spec and the expected fingerprint. The scale's seeding
    removes d, and with it this data."""
    from .manycheck import expected_many

    marker = os.path.join(d, MARKER)
    key = spec.key(file_digest(os.path.abspath(__file__)))
    if os.path.exists(marker):
        with open(marker) as f:
            m = json.load(f)
        if m.get("key") == key:
            spec.expected = m["expected"]
            return spec
    log(f"writing {spec.label} into the emulator's workspace (once)")
    schema_dir = os.path.join(d, "workspace", CATALOG, SCHEMA)
    shutil.rmtree(schema_dir, ignore_errors=True)
    os.makedirs(schema_dir)
    t0 = time.perf_counter()
    tables = write_tables(schema_dir, spec)
    spec.expected = expected_many(tables, spec)
    with open(marker + ".part", "w") as f:
        json.dump({"key": key, "seconds": round(time.perf_counter() - t0, 2), "expected": spec.expected}, f)
    os.replace(marker + ".part", marker)
    return spec


def write_tables(schema_dir: str, spec: ManyTables) -> dict:
    """Every table as a Delta table; returns name -> the table as read back from Delta."""
    os.environ.setdefault("RUST_LOG", "error")
    from deltalake import DeltaTable, write_deltalake

    out = {}
    for i, name in enumerate(spec.names):
        path = os.path.join(schema_dir, name)
        write_deltalake(path, table_data(i, spec.rows), mode="overwrite")
        out[name] = DeltaTable(path).to_pyarrow_table()
    return out
