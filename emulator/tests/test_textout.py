"""The vectorised JSON_ARRAY/CSV writer gives exactly the per-value reference rendering."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from decimal import Decimal

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from emulator.results import _csv_field
from emulator.textout import csv_rows, json_rows
from emulator.wire import WireSchema, render_rows


def _same(got: str, want: str, sep: str):
    """Row-by-row comparison (pytest's diff of long strings is very slow)."""
    g, w = got.split(sep), want.split(sep)
    for k, (a, b) in enumerate(zip(g, w)):
        assert a == b, f"row {k}: {a!r} != {b!r}"
    assert len(g) == len(w)


def _reference_json(batch, ws) -> str:
    return ",".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in render_rows(batch, ws))


def _reference_csv(batch, ws) -> str:
    return "".join(",".join(_csv_field(v) for v in r) + "\r\n" for r in render_rows(batch, ws))


def _synthetic(n: int = 2000) -> pa.RecordBatch:
    rng = random.Random(5)
    floats = [rng.choice([0.0, -0.0, 1.0, 0.1, 1e7, 9999999.5, 1e-3, 9.99e-4, 1e300, float("nan"), float("inf"),
                          rng.uniform(-1e9, 1e9), rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12), None])
              for _ in range(n)]
    decs = [rng.choice([Decimal(0), Decimal("0.000001"), Decimal(rng.randint(-10**12, 10**12)) / 1000000, None])
            for _ in range(n)]
    base = dt.datetime(1850, 1, 1, tzinfo=dt.timezone.utc)
    ts = [None if rng.random() < 0.05 else base + dt.timedelta(microseconds=rng.randint(0, 10**16))
          for _ in range(n)]
    strs = [rng.choice(["", " a", "b ", 'q"uo,te', "new\nline", "tab\tx", "ctl\x01\x1f", "back\\slash", "ünï 🦆",
                        "null", None]) for _ in range(n)]
    return pa.record_batch({
        "f64": pa.array(floats, pa.float64()), "f32": pa.array(floats, pa.float64()).cast(pa.float32()),
        "dec": pa.array(decs, pa.decimal128(20, 6)), "ts": pa.array(ts, pa.timestamp("us", "UTC")),
        "ntz": pa.array([None if v is None else v.replace(tzinfo=None) for v in ts], pa.timestamp("us")),
        "d": pa.array([None if v is None else v.date() for v in ts], pa.date32()), "s": pa.array(strs, pa.string()),
        "i": pa.array([rng.randint(-2**63, 2**63 - 1) for _ in range(n)], pa.int64()),
        "b": pa.array([rng.choice([True, False, None]) for _ in range(n)]),
    })


@pytest.mark.parametrize("tz", ["Etc/UTC", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_synthetic_batch_matches_reference(tz):
    b = _synthetic()
    ws = WireSchema(b.schema, tz)
    w = ws.convert(b)
    _same(json_rows(w, ws), _reference_json(w, ws), "],[")
    _same(csv_rows(w, ws), _reference_csv(w, ws), "\r\n")


def test_seeded_tables_match_reference(data_dir):
    for name in ("main/demo/all_types", "samples/tpch/lineitem", "main/demo/events"):
        t = pa.table(DeltaTable(os.path.join(data_dir, name)).to_pyarrow_table())
        b = t.to_batches(max_chunksize=5000)[0]
        for tz in ("Etc/UTC", "America/Los_Angeles"):
            ws = WireSchema(b.schema, tz)
            w = ws.convert(b)
            _same(json_rows(w, ws), _reference_json(w, ws), "],[")
            _same(csv_rows(w, ws), _reference_csv(w, ws), "\r\n")
