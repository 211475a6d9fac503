"""JSON_ARRAY / CSV text of small record batches, value by value in plain Python.

The vectorised writer (textout.py) costs several Arrow compute calls per column whatever the row
count, which dominates one-row results such as DESCRIBE HISTORY. This renders the same strings
(`text_column`'s, byte for byte; the tests compare the two) from Python values: the common types
directly, the rest through the per-value reference `wire.render_column`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from typing import Optional
from zoneinfo import ZoneInfo

import pyarrow as pa

from .wire import WireSchema, _date_text_days, _ts_text_micros, java_double_text, render_column

# zones whose offset is zero at every instant (the default session zone among them)
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT"})
# instants whose local time stays inside datetime's range in every zone (wire._offset_us's clamp)
_TS_LO = -62135596800_000000 + 86400_000000
_TS_HI = 253402214400_000000 - 86400_000000
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_US = _dt.timedelta(microseconds=1)
_DATE_ORDINAL_1970 = _dt.date(1970, 1, 1).toordinal()
_DATE_ORDINAL_MAX = _dt.date.max.toordinal()


def _values(arr: pa.Array) -> list:
    """Python values of a primitive array, None for nulls (numpy is far quicker than to_pylist,
    but turns nulls of non-object arrays into NaN or 0)."""
    if arr.null_count == 0:
        return arr.to_numpy(zero_copy_only=False).tolist()
    return arr.to_pylist()


def _float_text(v: float) -> str:
    a = abs(v)
    if 1e-3 <= a < 1e7 or a == 0:
        return repr(v)  # shortest digits in plain notation, as Java's Double.toString in this range
    return java_double_text(v)


def _offset_text(off_us: int) -> str:
    if off_us == 0:
        return "Z"
    sign = "+" if off_us >= 0 else "-"
    total = abs(off_us) // 1_000_000
    s = f"{sign}{total // 3600:02d}:{(total % 3600) // 60:02d}"
    return s + f":{total % 60:02d}" if total % 60 else s


@functools.lru_cache(maxsize=4096)
def _day_text(days: int) -> str:
    """yyyy-MM-dd of a day inside datetime's range (years 1 to 9999)."""
    return _dt.date.fromordinal(days + _DATE_ORDINAL_1970).isoformat()


def _date_text(days: int) -> str:
    """What the vectorised writer gives for a date: Arrow's text for years 0 to 9999, else the
    per-value reference."""
    o = days + _DATE_ORDINAL_1970
    if 1 <= o <= _DATE_ORDINAL_MAX:
        return _day_text(days)
    if -365 <= o <= 0:  # year 0, a leap year; 400 years later the calendar repeats
        return "0000" + _dt.date.fromordinal(o + 146097).isoformat()[4:]
    return _date_text_days(days)


def _ts_text(micros: int, zone: Optional[ZoneInfo]) -> str:
    """wire._ts_text_micros with the calendar from datetime (through a cache of day texts)."""
    if not _TS_LO <= micros <= _TS_HI:
        return _ts_text_micros(micros, zone)
    if zone is None:
        off, suffix = 0, ""
    elif zone.key in _UTC_KEYS:
        off, suffix = 0, "Z"
    else:
        off = (_EPOCH_UTC + micros * _US).astimezone(zone).utcoffset() // _US
        suffix = _offset_text(off)
    days, rem = divmod(micros + off, 86_400_000_000)
    sec, frac = divmod(rem, 1_000_000)
    h, sec = divmod(sec, 3600)
    mi, sec = divmod(sec, 60)
    fr = f"{frac:06d}" if frac % 1000 else f"{frac // 1000:03d}"
    return f"{_day_text(days)}T{h:02d}:{mi:02d}:{sec:02d}.{fr}{suffix}"


def text_values(arr: pa.Array, ws: WireSchema, i: int) -> list:
    """`textout.text_column` of one internal wire column, as a list of str or None."""
    if arr.null_count == len(arr):
        return [None] * len(arr)   # every type's text keeps nulls null
    t = arr.type
    kind = ws.kinds[i]
    if kind in ("json", "variant") or pa.types.is_string(t):
        return arr.to_numpy(zero_copy_only=False).tolist()
    if pa.types.is_integer(t) and kind != "ym":
        return [None if v is None else str(v) for v in _values(arr)]
    if pa.types.is_boolean(t):
        return [None if v is None else ("true" if v else "false") for v in _values(arr)]
    if pa.types.is_null(t):
        return [None] * len(arr)
    if pa.types.is_date32(t):
        return [None if v is None else _date_text(v) for v in _values(arr.view(pa.int32()))]
    if pa.types.is_float64(t):
        return [None if v is None else _float_text(v) for v in _values(arr)]
    if pa.types.is_timestamp(t) and t.unit == "us":
        zone = ws.zone if t.tz else None
        return [None if v is None else _ts_text(v, zone) for v in _values(arr.view(pa.int64()))]
    return render_column(arr, ws, i)


def json_rows_small(batch: pa.RecordBatch, ws: WireSchema) -> str:
    """textout.json_rows: the rows as comma-separated JSON arrays (no surrounding brackets)."""
    cols = [text_values(batch.column(i), ws, i) for i in range(batch.num_columns)]
    # the C encoder escapes exactly as the vectorised writer does (", \\, control characters)
    return json.dumps(list(zip(*cols)), ensure_ascii=False, separators=(",", ":"))[1:-1]


def _csv_field(v: Optional[str]) -> str:
    if v is None:
        return "null"
    if v == "" or '"' in v or "," in v or "\r" in v or "\n" in v or v[0] in " \t" or v[-1] in " \t":
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_rows_small(batch: pa.RecordBatch, ws: WireSchema, plain: list[bool]) -> str:
    """textout.csv_rows: RFC 4180 lines, CRLF-terminated, NULL as `null`. `plain[i]`: column i's
    text never needs quoting."""
    cols = []
    for i in range(batch.num_columns):
        vals = text_values(batch.column(i), ws, i)
        cols.append(["null" if v is None else v for v in vals] if plain[i] else [_csv_field(v) for v in vals])
    return "".join(",".join(r) + "\r\n" for r in zip(*cols))

