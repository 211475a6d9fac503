"""Turning DuckDB's Arrow output into what a Databricks warehouse sends.

`WireSchema` decides, once per result, the Arrow wire type of every column (docs/databricks-api.md,
"Result formats and compression") and the manifest entries; `WireSchema.convert` maps each DuckDB
record batch onto it. Year-month intervals are carried as int32 months internally (pyarrow has no
Python-level month_interval array) and relabelled `month_interval` only when an Arrow IPC message is
written (`arrow_batch`).

Text renderings (JSON_ARRAY / CSV) are in `render_column`; they follow the same document's JSON_ARRAY
rules: every value a string, NULL as null.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import json
import math
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from . import types as T

YEAR_MONTH = "YEAR TO MONTH"
DAY_TIME = "DAY TO SECOND"
_MONTH_DAY_NANO = pa.month_day_nano_interval()


@functools.lru_cache(maxsize=4096)   # every result plans its columns; Arrow types are immutable
def _wire_type(t: pa.DataType, tz: str) -> pa.DataType:
    """Arrow wire type for a (nested-capable) DuckDB Arrow type. Intervals handled by the caller."""
    if pa.types.is_dictionary(t):
        return _wire_type(t.value_type, tz)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t) or pa.types.is_time(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t) or pa.types.is_fixed_size_binary(t):
        return pa.binary()
    if pa.types.is_uint8(t):
        return pa.int16()
    if pa.types.is_uint16(t):
        return pa.int32()
    if pa.types.is_uint32(t):
        return pa.int64()
    if pa.types.is_uint64(t):
        return pa.decimal128(20, 0)
    if pa.types.is_float16(t):
        return pa.float32()
    if pa.types.is_decimal(t):
        return pa.decimal128(min(t.precision, 38), t.scale)
    if pa.types.is_timestamp(t):
        return pa.timestamp("us", tz=tz if t.tz else None)
    if pa.types.is_date64(t):
        return pa.date32()
    if pa.types.is_duration(t):
        return pa.duration("us")
    if t == pa.month_day_nano_interval():
        return pa.string()  # nested intervals: text (Delta cannot store them anyway)
    if pa.types.is_map(t):
        return pa.map_(_wire_type(t.key_type, tz), _wire_type(t.item_type, tz))
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return pa.list_(pa.field("element", _wire_type(t.value_type, tz), t.value_field.nullable))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(t.field(i).name, _wire_type(t.field(i).type, tz), t.field(i).nullable)
                          for i in range(t.num_fields)])
    return t


def _is_nested(t: pa.DataType) -> bool:
    return pa.types.is_map(t) or pa.types.is_list(t) or pa.types.is_struct(t)


class WireSchema:
    """Column plan of one result: names, wire types, manifest entries."""

    def __init__(self, schema: pa.Schema, tz: str, variant_names: frozenset = frozenset(),
                 hugeint_columns: frozenset = frozenset(), nested_as_json: bool = False,
                 first_batch: Optional[pa.RecordBatch] = None, not_null: frozenset = frozenset()):
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self.names = list(schema.names)
        self.source_types = [f.type for f in schema]
        self.kinds: list[str] = []        # "plain" | "ym" | "dt" | "json" (nested rendered as JSON) | "variant"
        self.types: list[pa.DataType] = []  # internal types (ym -> int32)
        self.nested_types: list[Optional[pa.DataType]] = []
        self.columns: list[dict] = []
        fields = []
        for i, f in enumerate(schema):
            t = f.type
            variant = (f.name in variant_names or T.is_variant_field(f)) and (
                pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))
            kind, wt, interval = "plain", None, None
            if t == _MONTH_DAY_NANO:
                kind = self._interval_kind(first_batch, i)
                wt = pa.int32() if kind == "ym" else pa.duration("us")
                interval = YEAR_MONTH if kind == "ym" else DAY_TIME
            elif i in hugeint_columns:
                wt = pa.int64()
            else:
                wt = _wire_type(t, tz)
            nested = None
            if nested_as_json and _is_nested(wt):
                kind, nested, wt_text = "json", wt, pa.string()
                col = T.manifest_column(f.name, i, wt)
                wt = wt_text
            else:
                if variant:
                    kind = "variant"
                col = T.manifest_column(f.name, i, pa.duration("us") if kind == "dt" else wt, variant, interval)
                if kind == "ym":
                    col = {"name": f.name, "type_text": "INTERVAL YEAR TO MONTH", "type_name": "INTERVAL",
                           "position": i, "type_interval_type": YEAR_MONTH}
            self.kinds.append(kind)
            self.types.append(wt)
            self.nested_types.append(nested)
            self.columns.append(col)
            fields.append(pa.field(f.name, wt, f.name not in not_null))
        self.schema = pa.schema(fields)
        self.ym_indexes = [i for i, k in enumerate(self.kinds) if k == "ym"]
        self._arrow_schema: Optional[pa.Schema] = None

    @staticmethod
    def _interval_kind(batch: Optional[pa.RecordBatch], i: int) -> str:
        """DuckDB has one INTERVAL type; pick year-month when every value is whole months."""
        if batch is None or batch.num_rows == 0:
            return "dt"
        vals = [v for v in batch.column(i).to_pylist() if v is not None]
        if vals and all(v.days == 0 and v.nanoseconds == 0 for v in vals):
            return "ym"
        return "dt"

    def convert(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """DuckDB batch -> internal wire batch (ym intervals as int32 months)."""
        cols = []
        for i, arr in enumerate(batch.columns):
            kind = self.kinds[i]
            src = self.source_types[i]
            if src == _MONTH_DAY_NANO:
                cols.append(_convert_interval(arr, kind))
            elif kind == "json":
                cols.append(pa.array(render_column(arr.cast(self.nested_types[i]), self, nested_json=True),
                                     pa.string()))
            elif arr.type != self.types[i]:
                cols.append(_cast(arr, self.types[i]))
            else:
                cols.append(arr)
        return pa.RecordBatch.from_arrays(cols, schema=self.schema)

    def arrow_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Internal batch -> the batch as written to Arrow IPC (month_interval relabelled)."""
        if not self.ym_indexes:
            return batch
        return _relabel_month_interval(batch, self.ym_indexes)

    def arrow_schema(self) -> pa.Schema:
        if self._arrow_schema is None:
            if not self.ym_indexes:
                self._arrow_schema = self.schema
            else:
                empty = pa.RecordBatch.from_arrays([pa.array([], t) for t in self.types], schema=self.schema)
                self._arrow_schema = _relabel_month_interval(empty, self.ym_indexes).schema
        return self._arrow_schema


def _cast(arr: pa.Array, t: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr.cast(t)


def _convert_interval(arr: pa.Array, kind: str) -> pa.Array:
    vals = arr.to_pylist()
    if kind == "ym":
        return pa.array([None if v is None else v.months for v in vals], pa.int32())
    out = []
    for v in vals:
        if v is None:
            out.append(None)
        else:
            out.append((v.months * 30 + v.days) * 86_400_000_000 + v.nanoseconds // 1000)
    return pa.array(out, pa.int64()).cast(pa.duration("us"))


def _relabel_month_interval(batch: pa.RecordBatch, idxs: list[int]) -> pa.RecordBatch:
    # pyarrow cannot build month_interval arrays from Python, but the C Data Interface can: export
    # the int32 columns, swap their format string to "tiM" (same physical layout, int32 months) and
    # import the batch back. The replacement strings only need to live until the import copies them.
    from pyarrow.cffi import ffi
    c_schema = ffi.new("struct ArrowSchema*")
    c_array = ffi.new("struct ArrowArray*")
    ps = int(ffi.cast("uintptr_t", c_schema))
    pa_ = int(ffi.cast("uintptr_t", c_array))
    batch._export_to_c(pa_, ps)
    keep = []
    for i in idxs:
        fmt = ffi.new("char[]", b"tiM")
        keep.append(fmt)
        c_schema.children[i].format = fmt
    out = pa.RecordBatch._import_from_c(pa_, ps)
    del keep
    return out


# MARK: text rendering


def java_double_text(v: float, single: bool = False) -> str:
    """Render like Java's Double.toString / Float.toString (what Spark prints): shortest digits,
    plain notation for 1e-3 <= |v| < 1e7, else `d.dddE<exp>`."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0.0"
    if single:
        import numpy as np
        d = Decimal(np.format_float_scientific(np.float32(v), unique=True))
    else:
        d = Decimal(repr(v))
    a = abs(v)
    if 1e-3 <= a < 1e7:
        s = format(d, "f")
        if "." not in s:
            s += ".0"
        elif s.endswith("0") and s.rstrip("0").endswith("."):
            s = s.rstrip("0") + "0"
        return s
    sign, digits, exp = d.normalize().as_tuple()
    mant = str(digits[0]) + "." + ("".join(map(str, digits[1:])) or "0")
    return ("-" if sign else "") + f"{mant}E{exp + len(digits) - 1}"


def _civil(days: int) -> tuple[int, int, int]:
    """Proleptic Gregorian (year, month, day) of a day number relative to 1970-01-01, any year."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def _year_text(y: int) -> str:
    return f"{y:04d}" if y >= 0 else f"-{-y:04d}"


_EPOCH = _dt.datetime(1970, 1, 1)


def _offset_us(micros: int, zone: ZoneInfo) -> int:
    """UTC offset (µs) of `zone` at the instant `micros` (clamped to Python's datetime range)."""
    lo, hi = -62135596800_000000 + 86400_000000, 253402214400_000000 - 86400_000000
    us = min(max(micros, lo), hi)
    utc = (_EPOCH + _dt.timedelta(microseconds=us)).replace(tzinfo=_dt.timezone.utc)
    off = utc.astimezone(zone).utcoffset() or _dt.timedelta(0)
    return off // _dt.timedelta(microseconds=1)


def _ts_text_micros(micros: int, zone: Optional[ZoneInfo]) -> str:
    off = _offset_us(micros, zone) if zone is not None else 0
    local = micros + off
    days, rem = divmod(local, 86_400_000_000)
    y, mo, d = _civil(days)
    h, rem = divmod(rem, 3_600_000_000)
    mi, rem = divmod(rem, 60_000_000)
    sec, frac = divmod(rem, 1_000_000)
    s = f"{_year_text(y)}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    s += f".{frac:06d}" if frac % 1000 else f".{frac // 1000:03d}"
    if zone is not None:
        if off == 0:
            s += "Z"
        else:
            sign = "+" if off >= 0 else "-"
            total = abs(off) // 1_000_000
            s += f"{sign}{total // 3600:02d}:{(total % 3600) // 60:02d}"
            if total % 60:
                s += f":{total % 60:02d}"
    return s


def _date_text_days(days: int) -> str:
    y, m, d = _civil(days)
    return f"{_year_text(y)}-{m:02d}-{d:02d}"


def _ts_text(v: _dt.datetime, zone: Optional[ZoneInfo]) -> str:
    if v.tzinfo is not None:
        micros = (v.astimezone(_dt.timezone.utc).replace(tzinfo=None) - _EPOCH) // _dt.timedelta(microseconds=1)
    else:
        micros = (v - _EPOCH) // _dt.timedelta(microseconds=1)
    return _ts_text_micros(micros, zone)


def _date_text(v: _dt.date) -> str:
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


def _ym_text(months: int) -> str:
    sign = "-" if months < 0 else ""
    m = abs(months)
    return f"{sign}{m // 12}-{m % 12}"


def _dt_text(td: _dt.timedelta) -> str:
    us = td // _dt.timedelta(microseconds=1)
    sign = "-" if us < 0 else ""
    us = abs(us)
    days, rem = divmod(us, 86_400_000_000)
    h, rem = divmod(rem, 3_600_000_000)
    m, rem = divmod(rem, 60_000_000)
    s, frac = divmod(rem, 1_000_000)
    return f"{sign}{days} {h:02d}:{m:02d}:{s:02d}.{frac * 1000:09d}"


def _scalar_text(v: Any, t: pa.DataType, zone: ZoneInfo) -> str:
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_floating(t):
        return java_double_text(float(v), single=pa.types.is_float32(t))
    if pa.types.is_decimal(t):
        return format(v, "f")
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return base64.b64encode(v).decode("ascii")
    if pa.types.is_timestamp(t):
        return _ts_text(v, zone if t.tz else None)
    if pa.types.is_date(t):
        return _date_text(v)
    if pa.types.is_duration(t):
        return _dt_text(v)
    return str(v)


# json.dumps(s, ensure_ascii=False) of a str, without building an encoder per call
_json_str = json.encoder.encode_basestring


def _json_value(v: Any, t: pa.DataType, zone: ZoneInfo) -> str:
    """Compact JSON text of a (possibly nested) value, as Spark's to_json would write it."""
    if v is None:
        return "null"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _json_str(v)   # a string's _scalar_text is itself
    if pa.types.is_struct(t):
        parts = []
        for i in range(t.num_fields):
            f = t.field(i)
            parts.append(_json_str(f.name) + ":" + _json_value(v.get(f.name), f.type, zone))
        return "{" + ",".join(parts) + "}"
    if pa.types.is_map(t):
        parts = []
        for k, item in v:
            key = k if isinstance(k, str) else _scalar_text(k, t.key_type, zone)
            parts.append(_json_str(key) + ":" + _json_value(item, t.item_type, zone))
        return "{" + ",".join(parts) + "}"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "[" + ",".join(_json_value(x, t.value_type, zone) for x in v) + "]"
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_integer(t):
        return str(v)
    if pa.types.is_floating(t):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return json.dumps(java_double_text(f))
        return java_double_text(f, single=pa.types.is_float32(t))
    if pa.types.is_decimal(t):
        return format(v, "f")
    return _json_str(_scalar_text(v, t, zone))


def render_column(arr: pa.Array, ws: WireSchema, index: Optional[int] = None,
                  nested_json: bool = False) -> list:
    """Text form of one internal wire column: list of str or None."""
    kind = ws.kinds[index] if index is not None else "plain"
    t = arr.type
    zone = ws.zone
    if kind == "ym":
        return [None if v is None else _ym_text(v) for v in arr.to_pylist()]
    if kind == "json" or kind == "variant":
        return arr.to_pylist()
    if nested_json or _is_nested(t):
        return [None if v is None else _json_value(v, t, zone) for v in arr.to_pylist()]
    if pa.types.is_string(t):
        return arr.to_pylist()
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return pc.cast(arr, pa.string()).to_pylist()
    if pa.types.is_null(t):
        return [None] * len(arr)
    if pa.types.is_timestamp(t):
        z = zone if t.tz else None
        ints = arr.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64()).to_pylist()
        return [None if v is None else _ts_text_micros(v, z) for v in ints]
    if pa.types.is_date32(t):
        return [None if v is None else _date_text_days(v) for v in arr.cast(pa.int32()).to_pylist()]
    return [None if v is None else _scalar_text(v, t, zone) for v in arr.to_pylist()]


def render_rows(batch: pa.RecordBatch, ws: WireSchema) -> list[list]:
    cols = [render_column(batch.column(i), ws, i) for i in range(batch.num_columns)]
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(batch.num_rows)]
