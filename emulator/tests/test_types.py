"""Every type's representation in each format (JSON_ARRAY inline and via links, CSV, ARROW_STREAM)."""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal

import pyarrow as pa
import pytest
from deltalake import DeltaTable

Q = "SELECT * FROM main.demo.all_types ORDER BY id"

# Column -> {row id: expected JSON_ARRAY text} in session time zone Etc/UTC.
EXPECTED_TEXT = {
    "c_boolean": {0: "true", 1: "false", 3: None, 5: None},
    "c_tinyint": {1: "-128", 2: "127"},
    "c_smallint": {1: "-32768", 2: "32767"},
    "c_int": {1: "-2147483648", 2: "2147483647"},
    "c_bigint": {1: "-9223372036854775808", 2: "9223372036854775807"},
    "c_float": {0: "1.5", 2: "3.4028235E38", 4: "NaN", 5: "-Infinity", 6: "0.1"},
    "c_double": {0: "2.25", 2: "1.7976931348623157E308", 4: "Infinity", 5: "-0.0", 6: "1.0E-5"},
    "c_decimal_10_2": {0: "123.45", 1: "-99999999.99", 5: "0.00", 6: "0.10"},
    "c_decimal_38_0": {1: "-" + "9" * 38, 2: "9" * 38},
    "c_decimal_38_18": {2: "9" * 20 + "." + "9" * 18, 4: "0.000000000000000001", 6: "0.500000000000000000"},
    "c_string": {0: "hello", 1: "", 2: "héllo wörld — 日本語 🦆", 4: "null", 5: 'a,b"c\nd\te\\f \'g\'  '},
    "c_binary": {0: "AAEC/w==", 1: "", 6: "aGVsbG8="},
    "c_date": {0: "2024-02-29", 1: "0001-01-01", 2: "9999-12-31", 4: "1969-12-31"},
    "c_timestamp": {0: "2024-02-29T12:34:56.789Z", 1: "0001-01-01T00:00:00.000Z",
                    2: "9999-12-31T23:59:59.999999Z", 4: "1969-12-31T23:59:59.999999Z",
                    5: "3000-01-01T00:00:00.000001Z"},
    "c_timestamp_ntz": {0: "2024-02-29T12:34:56.789", 4: "1900-01-01T00:00:00.000001",
                        6: "2000-01-01T00:00:00.123456"},
    "c_array_int": {0: "[1,2,3]", 1: "[]", 4: "[null,1,null]", 6: None},
    "c_array_string": {0: '["a","b"]', 5: '["quote\\"","comma,","new\\nline"]'},
    "c_map": {0: '{"one":1,"two":2}', 1: "{}", 4: '{"k":null}'},
    "c_struct": {0: '{"name":"widget","value":9.75,"tags":["x","y"]}', 1: '{"name":null,"value":null,"tags":[]}',
                 6: '{"name":"n","value":1.2345678E7,"tags":null}'},
    "c_nested": {0: '[{"k":"a","v":{"n":1}},{"k":"b","v":{}}]', 5: '[{"k":"x","v":{"m":-9223372036854775808}}]'},
    "c_variant": {0: '{"flag":true,"nested":{"a":"b","c":[1,2,3]}}', 4: "null", 5: '"just a string"'},
}

# Column -> (type_text, type_name) in the manifest.
EXPECTED_MANIFEST = {
    "id": ("INT", "INT"), "c_boolean": ("BOOLEAN", "BOOLEAN"), "c_tinyint": ("TINYINT", "BYTE"),
    "c_smallint": ("SMALLINT", "SHORT"), "c_int": ("INT", "INT"), "c_bigint": ("BIGINT", "LONG"),
    "c_float": ("FLOAT", "FLOAT"), "c_double": ("DOUBLE", "DOUBLE"),
    "c_decimal_10_2": ("DECIMAL(10,2)", "DECIMAL"), "c_decimal_38_0": ("DECIMAL(38,0)", "DECIMAL"),
    "c_decimal_38_18": ("DECIMAL(38,18)", "DECIMAL"), "c_string": ("STRING", "STRING"),
    "c_binary": ("BINARY", "BINARY"), "c_date": ("DATE", "DATE"), "c_timestamp": ("TIMESTAMP", "TIMESTAMP"),
    "c_timestamp_ntz": ("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"), "c_array_int": ("ARRAY<INT>", "ARRAY"),
    "c_array_string": ("ARRAY<STRING>", "ARRAY"), "c_map": ("MAP<STRING, INT>", "MAP"),
    "c_struct": ("STRUCT<name: STRING, value: DOUBLE, tags: ARRAY<STRING>>", "STRUCT"),
    "c_nested": ("ARRAY<STRUCT<k: STRING, v: MAP<STRING, BIGINT>>>", "ARRAY"), "c_variant": ("VARIANT", "VARIANT"),
}

# Column -> Arrow type on the wire (docs/databricks-api.md, "Result formats and compression"), session tz Etc/UTC.
EXPECTED_ARROW = {
    "id": pa.int32(), "c_boolean": pa.bool_(), "c_tinyint": pa.int8(), "c_smallint": pa.int16(),
    "c_int": pa.int32(), "c_bigint": pa.int64(), "c_float": pa.float32(), "c_double": pa.float64(),
    "c_decimal_10_2": pa.decimal128(10, 2), "c_decimal_38_0": pa.decimal128(38, 0),
    "c_decimal_38_18": pa.decimal128(38, 18), "c_string": pa.string(), "c_binary": pa.binary(),
    "c_date": pa.date32(), "c_timestamp": pa.timestamp("us", "Etc/UTC"), "c_timestamp_ntz": pa.timestamp("us"),
    "c_variant": pa.string(),
}


def _by_id(cols: list[str], rows: list[list]) -> dict:
    return {int(r[0]): dict(zip(cols, r)) for r in rows}


def _check_text(rows: dict):
    for col, expect in EXPECTED_TEXT.items():
        for rid, text in expect.items():
            assert rows[rid][col] == text, (col, rid, rows[rid][col], text)
    assert all(v is None for k, v in rows[3].items() if k != "id")


def test_manifest_types(emu):
    r = emu.ok(Q)
    cols = r["manifest"]["schema"]["columns"]
    assert [c["position"] for c in cols] == list(range(len(cols)))
    for c in cols:
        assert (c["type_text"], c["type_name"]) == EXPECTED_MANIFEST[c["name"]], c
    dec = next(c for c in cols if c["name"] == "c_decimal_38_18")
    assert dec["type_precision"] == 38 and dec["type_scale"] == 18


def test_json_array_inline_text(emu):
    r = emu.ok(Q)
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    rows = r["result"]["data_array"]
    assert all(v is None or isinstance(v, str) for row in rows for v in row)
    _check_text(_by_id(cols, rows))


def test_json_array_external_link_text(emu):
    r = emu.ok(Q, disposition="EXTERNAL_LINKS", format="JSON_ARRAY")
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    _check_text(_by_id(cols, json.loads(emu.download(r["result"]["external_links"][0]))))


def test_csv_text(emu):
    r = emu.ok(Q, disposition="EXTERNAL_LINKS", format="CSV")
    body = emu.download(r["result"]["external_links"][0]).decode("utf-8")
    reader = list(csv.reader(io.StringIO(body, newline="")))
    header, data = reader[0], reader[1:]
    assert header[0] == "id" and len(data) == 7
    rows = _by_id(header, [[None if v == "null" else v for v in row] for row in data])
    for col, expect in EXPECTED_TEXT.items():
        for rid, text in expect.items():
            if text == "null":  # CSV writes NULL as null: a "null" string is indistinguishable
                continue
            assert rows[rid][col] == text, (col, rid)
    assert '"a,b""c\nd\te\\f \'g\'  "' in body  # RFC 4180 quoting


def test_arrow_types_and_values(emu, data_dir):
    r = emu.ok(Q, disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    t = pa.ipc.open_stream(emu.download(r["result"]["external_links"][0])).read_all()
    assert t.schema.metadata is None or t.schema.metadata == {}
    for name, typ in EXPECTED_ARROW.items():
        assert t.schema.field(name).type == typ, name
        assert not t.schema.field(name).metadata
    assert t.schema.field("id").nullable is False and t.schema.field("c_int").nullable is True  # NOT NULL column
    assert pa.types.is_list(t.schema.field("c_array_int").type)
    assert pa.types.is_map(t.schema.field("c_map").type)
    assert pa.types.is_struct(t.schema.field("c_struct").type)
    # values equal what the Delta table holds
    src = pa.table(DeltaTable(os.path.join(data_dir, "main", "demo", "all_types")).to_pyarrow_table())
    src = src.sort_by("id")
    for name in ("c_tinyint", "c_bigint", "c_decimal_38_0", "c_decimal_38_18", "c_string", "c_binary", "c_date",
                 "c_timestamp_ntz", "c_array_int", "c_map", "c_struct", "c_nested", "c_variant"):
        assert t.column(name).to_pylist() == src.column(name).to_pylist(), name
    assert t.column("c_timestamp").cast(pa.int64()).to_pylist() == src.column("c_timestamp").cast(pa.int64()).to_pylist()
    assert t.column("c_decimal_38_0")[2].as_py() == Decimal("9" * 38)


def test_arrow_session_time_zone(start_emulator):
    e = start_emulator("--session-tz", "America/Los_Angeles")
    r = e.ok("SELECT c_timestamp FROM main.demo.all_types ORDER BY id", disposition="EXTERNAL_LINKS",
             format="ARROW_STREAM")
    t = pa.ipc.open_stream(e.download(r["result"]["external_links"][0])).read_all()
    assert t.schema.field(0).type == pa.timestamp("us", "America/Los_Angeles")
    rows = e.rows("SELECT c_timestamp FROM main.demo.all_types WHERE id = 0")
    assert rows == [["2024-02-29T04:34:56.789-08:00"]]
    # DuckDB itself computes in the session zone, on every statement's cursor
    for _ in range(2):
        rows = e.rows("SELECT hour(TIMESTAMP '2024-01-01 12:00:00 UTC') AS h, "
                      "CAST(TIMESTAMP '2024-01-01 03:00:00 UTC' AS DATE) AS d")
        assert rows == [["4", "2023-12-31"]]


def test_intervals_and_void_each_format(emu):
    q = "SELECT INTERVAL 3 DAY + INTERVAL 4 HOUR AS dt, INTERVAL 18 MONTH AS ym, NULL AS v, -INTERVAL 14 MONTH AS neg"
    r = emu.ok(q)
    cols = r["manifest"]["schema"]["columns"]
    assert cols[0]["type_text"] == "INTERVAL DAY TO SECOND" and cols[0]["type_interval_type"] == "DAY TO SECOND"
    assert cols[1]["type_text"] == "INTERVAL YEAR TO MONTH" and cols[1]["type_name"] == "INTERVAL"
    assert (cols[2]["type_text"], cols[2]["type_name"]) == ("VOID", "NULL")
    assert r["result"]["data_array"] == [["3 04:00:00.000000000", "1-6", None, "-1-2"]]
    r = emu.ok(q, disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    t = pa.ipc.open_stream(emu.download(r["result"]["external_links"][0])).read_all()
    assert t.schema.field("dt").type == pa.duration("us")
    assert t.column("dt").cast(pa.int64()).to_pylist() == [(3 * 24 + 4) * 3600 * 1_000_000]
    assert str(t.schema.field("ym").type) == "month_interval"
    assert t.schema.field("v").type == pa.null()
    r = emu.ok(q, disposition="EXTERNAL_LINKS", format="CSV")
    assert emu.download(r["result"]["external_links"][0]).decode() == "dt,ym,v,neg\r\n3 04:00:00.000000000,1-6,null,-1-2\r\n"


def test_aggregates_types(emu):
    r = emu.ok("SELECT count(*) AS n, sum(l_orderkey) AS s, avg(l_quantity) AS a, min(l_shipdate) AS d, "
               "max(l_extendedprice) AS m FROM samples.tpch.lineitem")
    names = [(c["name"], c["type_name"]) for c in r["manifest"]["schema"]["columns"]]
    assert names[0] == ("n", "LONG") and names[1] == ("s", "LONG") and names[3] == ("d", "DATE")
    assert names[4] == ("m", "DECIMAL")
    assert r["result"]["data_array"][0][0] == "60012"


def test_type_plans_tell_apart_types_equal_but_for_nullability():
    """Wire types and manifest texts are memoised per Arrow type: child nullability is part of it."""
    from emulator.types import arrow_type_text
    from emulator.wire import _wire_type
    loose = pa.struct([pa.field("a", pa.int32())])
    strict = pa.struct([pa.field("a", pa.int32(), nullable=False)])
    for _ in range(2):
        assert arrow_type_text(loose) == "STRUCT<a: INT>"
        assert arrow_type_text(strict) == "STRUCT<a: INT NOT NULL>"
        assert not _wire_type(pa.list_(pa.field("x", pa.uint8(), nullable=False)), "UTC").value_field.nullable
        assert _wire_type(pa.list_(pa.field("x", pa.uint8())), "UTC").value_field.nullable
        assert _wire_type(pa.timestamp("ns", "UTC"), "Asia/Kolkata") == pa.timestamp("us", "Asia/Kolkata")
        assert _wire_type(pa.timestamp("ns", "UTC"), "Etc/UTC") == pa.timestamp("us", "Etc/UTC")
