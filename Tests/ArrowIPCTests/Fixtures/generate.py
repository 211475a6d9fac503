#!/usr/bin/env python3
"""Generates the ArrowIPC test fixtures with pyarrow (the reference implementation), lz4 and duckdb.

Run from the repo root:  .venv/bin/python Tests/ArrowIPCTests/Fixtures/generate.py
Writes next to this script; deterministic. For each stream NAME.arrows (or NAME.arrows.lz4, Databricks'
framing) it writes NAME.expected.json: the DuckDB column types and every value cast to VARCHAR, as
DuckDB's own Python package reads the same stream (read back with pyarrow from the written bytes).
Types DuckDB cannot take from Arrow are converted here exactly as the Swift exporter converts them
(float16 -> float32, decimal256 with precision <= 38 -> decimal128), so the comparison stays exact.
"""
import datetime
import decimal
import json
import os

import duckdb
import lz4.frame
import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def nulls(values, every=7, phase=3):
    return [None if i % every == phase else v for i, v in enumerate(values)]


# MARK: LZ4 framing


def lz4_fixtures():
    # Three independent frames: block + content checksums (FLG 0x74), none (FLG 0x60), and an
    # empty frame; 4 MiB blocks (BD 0x70), as Databricks sends them.
    parts = [bytes((i * 7 + i // 251) % 256 for i in range(20_000)), b"arrow ipc message body " * 1000, b""]
    frames = [
        lz4.frame.compress(parts[0], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=True,
                           block_checksum=True, block_linked=False),
        lz4.frame.compress(parts[1], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=False,
                           block_linked=False),
        lz4.frame.compress(parts[2], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=True),
    ]
    write("lz4-frames.bin", b"".join(frames))
    write("lz4-frames.plain", b"".join(parts))


# MARK: Arrow arrays pyarrow's Python API cannot build (month and day-time intervals)

ffi = FFI()
ffi.cdef("""
struct ArrowSchema { const char* format; const char* name; const char* metadata; int64_t flags; int64_t n_children;
  struct ArrowSchema** children; struct ArrowSchema* dictionary; void (*release)(struct ArrowSchema*); void* private_data; };
struct ArrowArray { int64_t length; int64_t null_count; int64_t offset; int64_t n_buffers; int64_t n_children;
  const void** buffers; struct ArrowArray** children; struct ArrowArray* dictionary; void (*release)(struct ArrowArray*);
  void* private_data; };
""")
_keep = []


@ffi.callback("void(struct ArrowSchema*)")
def _release_schema(s):
    s.release = ffi.NULL


@ffi.callback("void(struct ArrowArray*)")
def _release_array(a):
    a.release = ffi.NULL


def _schema(fmt, name, children=()):
    schema = ffi.new("struct ArrowSchema*")
    fmt_c, name_c = ffi.new("char[]", fmt.encode()), ffi.new("char[]", name.encode())
    kids = ffi.new("struct ArrowSchema*[]", list(children)) if children else ffi.NULL
    _keep.extend([schema, fmt_c, name_c, kids])
    schema.format, schema.name, schema.metadata, schema.flags = fmt_c, name_c, ffi.NULL, 2
    schema.n_children, schema.children, schema.dictionary = len(children), kids, ffi.NULL
    schema.release, schema.private_data = _release_schema, ffi.NULL
    return schema


def _array(length, null_count, buffers, children=()):
    array = ffi.new("struct ArrowArray*")
    bufs = ffi.new("const void*[]", [ffi.from_buffer(b) if b is not None else ffi.NULL for b in buffers])
    kids = ffi.new("struct ArrowArray*[]", list(children)) if children else ffi.NULL
    _keep.extend([array, bufs, kids, buffers])
    array.length, array.null_count, array.offset = length, null_count, 0
    array.n_buffers, array.n_children = len(buffers), len(children)
    array.buffers, array.children, array.dictionary = bufs, kids, ffi.NULL
    array.release, array.private_data = _release_array, ffi.NULL
    return array


def c_batch(length, columns):
    """A record batch from raw (name, C format, validity, values) columns, through the C Data Interface
    (pyarrow's Python layer has no classes for month and day-time interval arrays)."""
    schemas, arrays = [], []
    for name, fmt, validity, values in columns:
        schemas.append(_schema(fmt, name))
        null_count = sum(1 for i in range(length) if not (validity[i // 8] >> (i % 8)) & 1)
        arrays.append(_array(length, null_count, [validity, values]))
    root_schema = _schema("+s", "", schemas)
    root_array = _array(length, 0, [None], arrays)
    return pa.RecordBatch._import_from_c(int(ffi.cast("uintptr_t", root_array)), int(ffi.cast("uintptr_t", root_schema)))


def bitmap(length, null_every=7, phase=3):
    out = bytearray((length + 7) // 8)
    for i in range(length):
        if i % null_every != phase:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


# MARK: Tables


def primitives(n, seed=0):
    i = np.arange(n, dtype=np.int64) + seed
    ints = lambda lo, hi: [int(lo + (x * 2654435761) % (hi - lo + 1)) for x in i]
    cols = {
        "null": pa.array([None] * n, pa.null()),
        "bool": pa.array(nulls([bool(x % 3) for x in i]), pa.bool_()),
        "bool_no_nulls": pa.array([bool(x % 5 == 0) for x in i], pa.bool_()),
        "i8": pa.array(nulls([-128, 127] + ints(-128, 127)[2:]), pa.int8()),
        "i16": pa.array(nulls(ints(-32768, 32767)), pa.int16()),
        "i32": pa.array(nulls([-2**31, 2**31 - 1] + ints(-2**31, 2**31 - 1)[2:]), pa.int32()),
        "i64": pa.array(nulls([-2**63, 2**63 - 1] + [int(x) * 1_000_000_007 for x in i[2:]]), pa.int64()),
        "u8": pa.array(nulls(ints(0, 255)), pa.uint8()),
        "u16": pa.array(nulls(ints(0, 65535)), pa.uint16()),
        "u32": pa.array(nulls([2**32 - 1] + ints(0, 2**32 - 1)[1:]), pa.uint32()),
        "u64": pa.array(nulls([2**64 - 1] + [int(x) * 3 for x in i[1:]]), pa.uint64()),
        "f16": pa.array(nulls([np.float16(x / 8) for x in i]), pa.float16()),
        "f32": pa.array(nulls([float("inf"), float("-inf")] + [float(x) / 3 for x in i[2:]]), pa.float32()),
        "f64": pa.array(nulls([float("nan"), 1e308] + [float(x) * 1.5e-3 for x in i[2:]]), pa.float64()),
        "dec_10_2": pa.array(nulls([decimal.Decimal(int(x) * 7 - 5000) / 100 for x in i]), pa.decimal128(10, 2)),
        "dec_38_10": pa.array(nulls([decimal.Decimal("9" * 28 + "." + "9" * 10)]
                                    + [decimal.Decimal(int(x) * 123456789) / 10**10 for x in i[1:]]), pa.decimal128(38, 10)),
        "dec256_30_4": pa.array(nulls([decimal.Decimal(int(x) * 31 - 77) / 10**4 for x in i]), pa.decimal256(30, 4)),
        "utf8": pa.array(nulls(["", "héllo ✓"] + [f"s{x}" * (int(x) % 4) for x in i[2:]]), pa.string()),
        "large_utf8": pa.array(nulls([f"large-{x}" for x in i]), pa.large_string()),
        "binary": pa.array(nulls([bytes([int(x) % 256]) * (int(x) % 5) for x in i]), pa.binary()),
        "large_binary": pa.array(nulls([b"\x00\xff" * (int(x) % 3) for x in i]), pa.large_binary()),
        "fixed_binary": pa.array(nulls([int(x).to_bytes(4, "little") for x in i]), pa.binary(4)),
        "date32": pa.array(nulls([int(x) * 37 - 20000 for x in i]), pa.date32()),
        "date64": pa.array(nulls([(int(x) * 37 - 20000) * 86_400_000 for x in i]), pa.date64()),
        "time32_s": pa.array(nulls([int(x) % 86400 for x in i]), pa.time32("s")),
        "time32_ms": pa.array(nulls([int(x) * 1001 % 86_400_000 for x in i]), pa.time32("ms")),
        "time64_us": pa.array(nulls([int(x) * 1_000_003 % 86_400_000_000 for x in i]), pa.time64("us")),
        "time64_ns": pa.array(nulls([int(x) * 1_000_000_007 % 86_400_000_000_000 for x in i]), pa.time64("ns")),
        "ts_s": pa.array(nulls([int(x) * 86_399 - 10**8 for x in i]), pa.timestamp("s")),
        "ts_ms": pa.array(nulls([int(x) * 86_399_001 for x in i]), pa.timestamp("ms")),
        "ts_us": pa.array(nulls([int(x) * 86_399_000_001 - 2 * 10**15 for x in i]), pa.timestamp("us")),
        "ts_ns": pa.array(nulls([int(x) * 86_399_000_000_001 for x in i]), pa.timestamp("ns")),
        "ts_us_utc": pa.array(nulls([int(x) * 3_600_000_001 for x in i]), pa.timestamp("us", tz="UTC")),
        "ts_us_la": pa.array(nulls([int(x) * 3_600_000_001 for x in i]), pa.timestamp("us", tz="America/Los_Angeles")),
        "ts_ms_kolkata": pa.array(nulls([int(x) * 3_600_001 for x in i]), pa.timestamp("ms", tz="Asia/Kolkata")),
        "ts_ns_offset": pa.array(nulls([int(x) * 3_600_000_000_001 for x in i]), pa.timestamp("ns", tz="+07:30")),
        "ts_s_etc": pa.array(nulls([int(x) * 3601 for x in i]), pa.timestamp("s", tz="Etc/UTC")),
        "dur_s": pa.array(nulls([int(x) * 61 - 500 for x in i]), pa.duration("s")),
        "dur_ms": pa.array(nulls([int(x) * 61_001 for x in i]), pa.duration("ms")),
        "dur_us": pa.array(nulls([259_200_000_000] + [int(x) * 61_000_001 for x in i[1:]]), pa.duration("us")),
        "dur_ns": pa.array(nulls([int(x) * 61_000_000_001 for x in i]), pa.duration("ns")),
        # Dictionary-encoded and view columns longer than one DuckDB vector (2048 rows).
        "dict_utf8": pa.array(nulls([f"category {int(x) % 37}" for x in i])).dictionary_encode(),
        "utf8_view_col": pa.array(nulls([f"view value {x} spanning more than twelve bytes" if x % 2 else f"v{x}" for x in i]),
                                  pa.string_view()),
        "interval_mdn": pa.array(nulls([pa.MonthDayNano([int(x) % 25 - 12, int(x) % 40, int(x) * 1_000_001]) for x in i]),
                                 pa.month_day_nano_interval()),
    }
    return pa.table(cols)


def nested(n, seed=0):
    i = [x + seed for x in range(n)]
    ints = pa.int32()
    lists = nulls([[x, x + 1, None][: x % 4] for x in i])
    struct_values = nulls([{"a": x, "b": None if x % 5 == 0 else f"b{x}", "c": {"d": [x % 100] * (x % 3)}} for x in i], 11, 4)
    return pa.table({
        "list_i32": pa.array(lists, pa.list_(ints)),
        "large_list_str": pa.array(nulls([[f"v{x}"] * (x % 3) for x in i]), pa.large_list(pa.string())),
        "list_view": pa.array(lists, pa.list_view(ints)),
        "large_list_view": pa.array(lists, pa.large_list_view(ints)),
        "fixed_list": pa.array(nulls([[x, -x, x * 2] for x in i]), pa.list_(pa.int16(), 3)),
        "struct": pa.array(struct_values, pa.struct([("a", pa.int64()), ("b", pa.string()),
                                                       ("c", pa.struct([("d", pa.list_(pa.int8()))]))])),
        "map": pa.array(nulls([[(f"k{x}", x), (f"k{x + 1}", None)][: x % 3] for x in i]), pa.map_(pa.string(), pa.int32())),
        "list_of_struct": pa.array(nulls([[{"x": x, "y": [float(x)]}] * (x % 3) for x in i]),
                                   pa.list_(pa.struct([("x", pa.int32()), ("y", pa.list_(pa.float64()))]))),
        "sparse_union": pa.UnionArray.from_sparse(
            pa.array([x % 2 for x in i], pa.int8()),
            [pa.array(nulls([x * 10 for x in i]), pa.int64()), pa.array([f"u{x}" for x in i], pa.string())],
            ["num", "str"]),
    })


def intervals(n, duckdb_form=False):
    """Month and day-time intervals. DuckDB reads Arrow day-time intervals ("tiD") as one int64 of
    milliseconds, which is wrong (they are int32 days + int32 milliseconds); the Swift exporter hands
    them over as month-day-nano intervals instead, and `duckdb_form` builds that form here."""
    months = np.array([x % 300 - 150 for x in range(n)], dtype="<i4").tobytes()
    pairs = [[x % 400 - 200, x * 1001 % 86_400_000] for x in range(n)]
    if duckdb_form:
        mdn = b"".join(np.array([0, d], dtype="<i4").tobytes() + np.array([ms * 1_000_000], dtype="<i8").tobytes()
                       for d, ms in pairs)
        second = ("interval_day_time", "tin", bitmap(n, 5, 1), mdn)
    else:
        second = ("interval_day_time", "tiD", bitmap(n, 5, 1), np.array(pairs, dtype="<i4").tobytes())
    return c_batch(n, [("interval_months", "tiM", bitmap(n), months), second])


def views(n):
    long = [f"a long string view value number {x}" if x % 3 else f"s{x}" for x in range(n)]
    return pa.table({
        "utf8_view": pa.array(nulls(long), pa.string_view()),
        "binary_view": pa.array(nulls([v.encode() * (x % 2 + 1) for x, v in enumerate(long)]), pa.binary_view()),
    })


# MARK: Expected values


def expected(table, name):
    """Column types and values as DuckDB's Python package reads `table` (cast to VARCHAR)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("t", table)
    names = table.schema.names
    select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in names)
    rows = con.execute(f"SELECT {select} FROM t").fetchall()
    typeofs = ", ".join('typeof("%s")' % c for c in names)
    types = list(con.execute(f"SELECT {typeofs} FROM t LIMIT 1").fetchone() or [])
    doc = {"columns": names, "types": types, "rows": [list(r) for r in rows], "row_count": len(rows)}
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=0)


def duckdb_compatible(table):
    """The conversions the Swift exporter applies for DuckDB: float16 -> float32, decimal256 -> decimal128."""
    fields, columns = [], []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_float16(field.type):
            column, field = column.cast(pa.float32()), field.with_type(pa.float32())
        elif pa.types.is_decimal256(field.type) and field.type.precision <= 38:
            t = pa.decimal128(field.type.precision, field.type.scale)
            column, field = column.cast(t), field.with_type(t)
        fields.append(field)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def stream_bytes(batches, schema, **options):
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, schema, options=ipc.IpcWriteOptions(**options)) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


MANIFEST = {}


def emit(name, batches, schema, expected_as=None, **options):
    """Writes NAME.arrows; its expected values are NAME's own, or those of `expected_as` (same data)."""
    data = stream_bytes(batches, schema, **options)
    write(name + ".arrows", data)
    if expected_as is None:
        expected(duckdb_compatible(ipc.open_stream(data).read_all()), name)
    MANIFEST[name + ".arrows"] = expected_as or name
    return data


def databricks_framing(data):
    """Databricks' ARROW_STREAM + LZ4_FRAME: each IPC message its own LZ4 frame, then an EOS frame."""
    reader = pa.BufferReader(data)
    frames = []
    while True:
        try:
            message = ipc.read_message(reader)
        except (EOFError, StopIteration, pa.ArrowInvalid):
            break
        if message is None:
            break
        frames.append(lz4.frame.compress(message.serialize().to_pybytes(), block_size=lz4.frame.BLOCKSIZE_MAX4MB,
                                         content_checksum=True, block_linked=False))
    frames.append(lz4.frame.compress(b"\xff\xff\xff\xff\x00\x00\x00\x00", content_checksum=False))
    return b"".join(frames)


def arrow_fixtures():
    big = primitives(2100)           # longer than DuckDB's 2048-row vector
    small = primitives(60, seed=9000)
    batches = [b for b in big.to_batches()] + [pa.RecordBatch.from_pylist([], schema=big.schema)] + small.to_batches()
    emit("primitives", batches, big.schema)
    emit("primitives-lz4", batches, big.schema, expected_as="primitives", compression="lz4")
    emit("primitives-zstd", batches, big.schema, expected_as="primitives", compression="zstd")
    # Databricks framing over an uncompressed stream, and over the zstd-compressed one.
    plain = stream_bytes(batches, big.schema)
    write("primitives-databricks.arrows.lz4", databricks_framing(plain))
    MANIFEST["primitives-databricks.arrows.lz4"] = "primitives"
    compressed = stream_bytes(batches, big.schema, compression="zstd")
    write("primitives-zstd-databricks.arrows.lz4", databricks_framing(compressed))
    MANIFEST["primitives-zstd-databricks.arrows.lz4"] = "primitives"

    table = nested(2100)
    more = nested(40, seed=77)
    emit("nested", table.to_batches() + more.to_batches(), table.schema)
    emit("nested-lz4", table.to_batches() + more.to_batches(), table.schema, expected_as="nested", compression="lz4")

    # Month and day-time intervals (Databricks sends INTERVAL YEAR TO MONTH as month intervals).
    iv = intervals(2100)
    data = stream_bytes([iv], iv.schema)
    write("intervals.arrows", data)
    expected(pa.Table.from_batches([intervals(2100, duckdb_form=True)]), "intervals")
    MANIFEST["intervals.arrows"] = "intervals"

    v = views(600)
    emit("views", v.to_batches(), v.schema)

    # Sliced arrays: pyarrow writes the slices (non-zero offsets in memory) of a larger table.
    sliced = pa.concat_tables([primitives(1500), primitives(100, seed=5)]).slice(1234, 300)
    nested_sliced = nested(1500).slice(999, 400)
    emit("sliced", sliced.combine_chunks().to_batches() + sliced.slice(3, 7).to_batches(), sliced.schema)
    emit("nested-sliced", [nested_sliced.to_batches()[0].slice(1, 300), nested_sliced.to_batches()[0].slice(301, 3)],
         nested_sliced.schema)

    # Legacy framing (4-byte prefix, pre-0.15) with V4 metadata.
    emit("legacy-v4", primitives(100).to_batches(), big.schema, use_legacy_format=True,
         metadata_version=ipc.MetadataVersion.V4)

    # V4 unions carry a validity buffer that V5 dropped.
    union_table = nested(50).select(["sparse_union", "struct"])
    emit("union-v4", union_table.to_batches(), union_table.schema, metadata_version=ipc.MetadataVersion.V4)

    # Custom metadata on the schema and on fields.
    meta = pa.schema([pa.field("id", pa.int32(), nullable=False, metadata={"comment": "primary key"}),
                      pa.field("name", pa.string(), metadata={"Spark:DataType:SqlName": "STRING"})],
                     metadata={"origin": "dbduck", "empty": ""})
    emit("metadata", [pa.record_batch([pa.array([1, 2, 3], pa.int32()), pa.array(["a", None, "c"])], schema=meta)], meta)

    # Dictionaries: deltas (the dictionary grows), replacement (a new dictionary), nested.
    dschema = pa.schema([pa.field("d", pa.dictionary(pa.int32(), pa.string())),
                         pa.field("d8", pa.dictionary(pa.int8(), pa.int64())),
                         pa.field("ld", pa.list_(pa.dictionary(pa.int16(), pa.string())))])
    def dbatch(words, numbers, lists):
        return pa.record_batch([
            pa.DictionaryArray.from_arrays(pa.array(words[0], pa.int32()), pa.array(words[1])),
            pa.DictionaryArray.from_arrays(pa.array(numbers[0], pa.int8()), pa.array(numbers[1], pa.int64())),
            pa.ListArray.from_arrays(pa.array(lists[0], pa.int32()),
                                     pa.DictionaryArray.from_arrays(pa.array(lists[1], pa.int16()), pa.array(lists[2]))),
        ], schema=dschema)
    growth = [
        dbatch(([0, 1, None, 1], ["a", "b"]), ([0, 0, 1, None], [10, 20]), ([0, 1, 3, 3, 4], [0, 1, 0, 1], ["x", "y"])),
        dbatch(([2, 0, 3, None], ["a", "b", "c", "d"]), ([2, 1, 0, 2], [10, 20, 30]), ([0, 2, 2, 2, 2], [2, 0], ["x", "y", "z"])),
        dbatch(([4, 4, 0], ["a", "b", "c", "d", "e"]), ([3, None, 0], [10, 20, 30, 40]), ([0, 0, 1, 2], [1, 3], ["x", "y", "z", "w"])),
    ]
    emit("dictionary-deltas", growth, dschema, emit_dictionary_deltas=True)
    emit("dictionary-deltas-lz4", growth, dschema, expected_as="dictionary-deltas", emit_dictionary_deltas=True,
         compression="lz4")
    replaced = [
        dbatch(([0, 1, None], ["a", "b"]), ([0, 1, 1], [1, 2]), ([0, 1, 2, 3], [0, 1, 1], ["p", "q"])),
        dbatch(([1, 0, 0], ["zz", "yy"]), ([1, None, 0], [7, 8]), ([0, 1, 2, 2], [1, 0], ["r", "s"])),
    ]
    emit("dictionary-replacement", replaced, dschema)

    # Types DuckDB cannot take: a dense union, and decimal256 wider than 38 digits.
    dense = pa.table({"u": pa.UnionArray.from_dense(pa.array([0, 1, 0, 1], pa.int8()), pa.array([0, 0, 1, 1], pa.int32()),
                                                   [pa.array([1, None], pa.int64()), pa.array(["x", "y"])], ["n", "s"])})
    write("dense-union.arrows", stream_bytes(dense.to_batches(), dense.schema))
    wide = pa.table({"d": pa.array([decimal.Decimal("1" * 40), None], pa.decimal256(50, 0))})
    write("decimal256-wide.arrows", stream_bytes(wide.to_batches(), wide.schema))


if __name__ == "__main__":
    for old in os.listdir(HERE):
        if old.endswith((".arrows", ".lz4", ".expected.json")):
            os.remove(os.path.join(HERE, old))
    lz4_fixtures()
    arrow_fixtures()
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(MANIFEST, f, indent=1, sort_keys=True)
