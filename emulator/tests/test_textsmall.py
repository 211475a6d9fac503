"""Small batches are rendered value by value (textsmall.py); the text must be byte for byte what the
vectorised writer gives for the same rows."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pyarrow as pa
import pytest

from emulator.textout import SMALL_BATCH_ROWS, _plain, csv_rows, csv_rows_vectorized, json_rows, json_rows_vectorized
from emulator.textsmall import csv_rows_small, json_rows_small, text_values
from emulator.wire import WireSchema

NASTY = ["", " ", "\t", " lead", "trail\t", "plain", "null", "NULL", 'say "hi"', "a,b", "back\\slash", "\\\"",
         "line\nbreak", "cr\rlf\r\n", "\u2028sep\u2029", "del\x7f", "ünï 🦆 漢字", "\ufeffbom", "x" * 300] \
        + [chr(c) for c in range(0x20)] + ["".join(chr(c) for c in range(0x20)) + '"\\\x7f\u2028']

UTC = dt.timezone.utc
ZONES = ["Etc/UTC", "America/Los_Angeles", "Asia/Kolkata", "Europe/Amsterdam", "Australia/Lord_Howe"]


def _instants(rng: random.Random, n: int) -> list:
    """Microseconds since the epoch: ordinary, whole-millisecond, around DST, pre-1900 local mean
    time, years 1 and 9999, beyond 2037, beyond datetime's range."""
    fixed = [0, -1, 1, 999_000, 1_000_000, -62135596800_000000, -62135596800_000000 + 86400_000000,
             253402300799_999999, 253402214400_000000, 2_500_000_000_000_000, -2_208_988_800_000_000,
             -3_000_000_000_000_000, -62_200_000_000_000_000, 1710054000_000000, 1730613600_000000,
             4_102_444_800_000_000 + 7_776_000_000_000]
    out = fixed + [rng.randint(-62135596800_000000, 253402300799_999999) for _ in range(n)]
    out += [rng.randint(-5_000_000_000, 5_000_000_000) * 1000 for _ in range(n)]
    return out


def _batch(n: int = 400, seed: int = 3) -> pa.RecordBatch:
    rng = random.Random(seed)

    def pick(values):
        return [rng.choice(values) for _ in range(n)]

    def col(values, t):
        return pa.array([rng.choice(values) if rng.random() > 0.1 else None for _ in range(n)], t)

    floats = [0.0, -0.0, 1.0, -1.5, 0.1, 0.30000000000000004, 1e-3, 9.99e-4, 1e7, 9999999.5, 1e6, 123456.0,
              5e-324, 1.7976931348623157e308, float("nan"), float("inf"), float("-inf"), 1e22, 1e-7]
    floats += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12) for _ in range(50)]
    days = [-719528, -719162, -719163, -719528 - 1, 0, 2932896, 2932897, -1_000_000, 19_000] \
        + [rng.randint(-800_000, 3_000_000) for _ in range(50)]
    instants = _instants(rng, 60)
    mdn = pa.MonthDayNano
    return pa.record_batch({
        "i8": col([-128, 127, 0], pa.int8()), "i16": col([-32768, 32767], pa.int16()),
        "i32": col([-2**31, 2**31 - 1, 7], pa.int32()), "i64": col([-2**63, 2**63 - 1, 0, 42], pa.int64()),
        "u8": col([0, 255], pa.uint8()), "u32": col([0, 2**32 - 1], pa.uint32()),
        "u64": col([0, 2**64 - 1], pa.uint64()),
        "b": col([True, False], pa.bool_()),
        "f64": col(floats, pa.float64()), "f32": col(floats, pa.float64()).cast(pa.float32()),
        "dec": col([Decimal(0), Decimal("1E-18"), Decimal("-12345678901234567890.123456789012345678"),
                    Decimal("0.5")], pa.decimal128(38, 18)),
        "dec0": col([Decimal(0), Decimal(-7), Decimal(10**19)], pa.decimal128(20, 0)),
        "d": col(days, pa.int32()).cast(pa.date32()),
        "ts": col(instants, pa.int64()).cast(pa.timestamp("us", "UTC")),
        "ntz": col(instants, pa.int64()).cast(pa.timestamp("us")),
        "ts_ns": col([10**18, 1_700_000_000_123_456_000], pa.int64()).cast(pa.timestamp("ns", "UTC")),
        "s": col(NASTY, pa.string()), "s_all": pa.array(pick(NASTY), pa.string()),
        "ls": col(NASTY, pa.large_string()),
        "dict": pa.array(pick(["a", "b\"", "\x01"]), pa.string()).dictionary_encode(),
        "bin": col([b"", b"\x00\xff", b"abc" * 20], pa.binary()),
        "nul": pa.nulls(n),
        "t": col([dt.time(0, 0), dt.time(23, 59, 59, 999999), dt.time(12, 0, 0, 500)], pa.time64("us")),
        "list": col([[], [1, None, 3], [2**40]], pa.list_(pa.int64())),
        "struct": col([{"a": "x\"y", "b": [1.5, None]}, {"a": None, "b": []}, {"a": "\n\u2028", "b": None}],
                      pa.struct([("a", pa.string()), ("b", pa.list_(pa.float64()))])),
        "map": col([[("k\\", 1), ("é", None)], []], pa.map_(pa.string(), pa.int32())),
        "smap": col([[("q\"", "v\n\x01\u2028"), ("", None)], [], [("k", "")]], pa.map_(pa.string(), pa.string())),
        "odd_name": col([{"we\"ird\x02": "\\"}, {"we\"ird\x02": None}], pa.struct([("we\"ird\x02", pa.string())])),
        "nested_ts": col([[dt.datetime(1850, 1, 1, tzinfo=UTC)], [None]], pa.list_(pa.timestamp("us", "UTC"))),
        "ym": pa.array(pick([mdn([14, 0, 0]), mdn([-3, 0, 0]), mdn([0, 0, 0])]), pa.month_day_nano_interval()),
        "dtv": pa.array(pick([mdn([0, 1, 5_000]), mdn([0, -2, 0]), mdn([1, 0, 1_000_000_000])]),
                        pa.month_day_nano_interval()),
        "var": col(['{"a":1}', "null", '"\\u0001"'], pa.string()),
    })


def _cases():
    for tz in ZONES:
        for nested_json in (False, True):
            yield tz, nested_json


def _wire(batch: pa.RecordBatch, tz: str, nested_json: bool):
    ws = WireSchema(batch.schema, tz, frozenset({"var"}), frozenset(), nested_json, batch)
    return ws, ws.convert(batch)


@pytest.mark.parametrize("tz,nested_json", list(_cases()))
def test_small_batches_match_vectorised(tz, nested_json):
    batch = _batch()
    ws, w = _wire(batch, tz, nested_json)
    plain = [_plain(w.column(i).type, ws.kinds[i]) for i in range(w.num_columns)]
    assert {"ym", "dt", "variant"} <= set(ws.kinds)
    for off, size in ((0, 1), (0, 2), (3, 7), (50, 61), (0, 200), (17, 383)):
        part = w.slice(off, size)   # a slice: values are read at an offset into the buffers
        assert json_rows_small(part, ws) == json_rows_vectorized(part, ws), (off, size)
        assert csv_rows_small(part, ws, plain) == csv_rows_vectorized(part, ws), (off, size)


def test_each_row_alone_matches_vectorised():
    """One row per batch, as DESCRIBE HISTORY and counts give: every value meets the small path."""
    batch = _batch(120, seed=11)
    ws, w = _wire(batch, "America/Los_Angeles", False)
    plain = [_plain(w.column(i).type, ws.kinds[i]) for i in range(w.num_columns)]
    for k in range(w.num_rows):
        row = w.slice(k, 1)
        assert json_rows_small(row, ws) == json_rows_vectorized(row, ws), k
        assert csv_rows_small(row, ws, plain) == csv_rows_vectorized(row, ws), k


def test_nasty_strings_escaped_as_json_and_csv():
    b = pa.record_batch({"s": pa.array(NASTY + [None], pa.string())})
    ws, w = _wire(b, "Etc/UTC", False)
    text = json_rows_small(w, ws)
    assert json.loads("[" + text + "]") == [[v] for v in NASTY] + [[None]]
    assert '["\\u0000"]' in text and '["\\b"]' in text and '["\\u001f"]' in text
    assert '["del\x7f"]' in text and '["\u2028sep\u2029"]' in text   # not escaped, as Spark writes them
    lines = csv_rows_small(w, ws, [False])
    assert lines.startswith('""\r\n" "\r\n"\t"\r\n" lead"\r\n')
    assert '\r\n"say ""hi"""\r\n"a,b"\r\n' in lines and lines.endswith("\r\nnull\r\n")


def test_dispatch_by_row_count():
    """json_rows / csv_rows give the same text on both sides of the threshold."""
    batch = _batch(SMALL_BATCH_ROWS + 1, seed=5)
    ws, w = _wire(batch, "Asia/Kolkata", False)
    for size in (SMALL_BATCH_ROWS, SMALL_BATCH_ROWS + 1):
        part = w.slice(0, size)
        assert json_rows(part, ws) == json_rows_vectorized(part, ws)
        assert csv_rows(part, ws) == csv_rows_vectorized(part, ws)
    assert json_rows(w.slice(0, 0), ws) == "" and csv_rows(w.slice(0, 0), ws) == ""


def test_nested_values_as_spark_json():
    b = pa.record_batch({
        "m": pa.array([[("q\"", "v\n\x01\u2028"), ("", None)], [], None], pa.map_(pa.string(), pa.string())),
        "s": pa.array([{"we\"ird": "\\", "n": 1.5}, {"we\"ird": None, "n": None}, None],
                      pa.struct([("we\"ird", pa.string()), ("n", pa.float64())])),
    })
    ws, w = _wire(b, "Etc/UTC", False)
    assert text_values(w.column(0), ws, 0) == ['{"q\\"":"v\\n\\u0001\u2028","":null}', "{}", None]
    assert text_values(w.column(1), ws, 1) == ['{"we\\"ird":"\\\\","n":1.5}', '{"we\\"ird":null,"n":null}', None]
