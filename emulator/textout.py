"""Vectorised JSON_ARRAY / CSV text for whole record batches (Arrow compute kernels), so text results
are not much slower to produce than Arrow ones.

`text_column` gives the same strings as `wire.render_column` (the per-value reference used for rare
values and checked against it in the tests): Arrow's own casts are used where their output is the
Databricks form, and the rows where it is not (decimal zero or tiny values, floats outside Java's
plain-notation range, pre-1900 zoned timestamps, ...) are patched with the per-value renderer.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from .textsmall import csv_rows_small, json_rows_small
from .wire import WireSchema, render_column

# Up to this many rows a batch is rendered value by value (textsmall.py): below it the fixed cost of
# the compute calls per column outweighs the per-value Python work.
SMALL_BATCH_ROWS = 200


def _const(text: str, n: int) -> pa.Array:
    """A string array repeating `text` (binary_join_element_wise is much slower with scalar args)."""
    return pa.repeat(pa.scalar(text, pa.string()), n)


def _patch(text: pa.Array, arr: pa.Array, mask: pa.Array, ws: WireSchema, i: int) -> pa.Array:
    """Replace text where mask is true with the per-value rendering of those rows."""
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return text
    idx = pc.indices_nonzero(mask)
    sub = render_column(pc.take(arr, idx), ws, i)
    return pc.replace_with_mask(text, mask, pa.array(sub, pa.string()))


def text_column(arr: pa.Array, ws: WireSchema, i: int) -> pa.Array:
    """Databricks text of one internal wire column, as a string array (nulls stay null)."""
    t = arr.type
    kind = ws.kinds[i]
    if kind in ("json", "variant") or pa.types.is_string(t):
        return arr
    if pa.types.is_integer(t) and kind != "ym":
        return pc.cast(arr, pa.string())
    if pa.types.is_boolean(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_decimal(t):
        text = pc.cast(arr, pa.string())
        # Arrow writes 0 as "0E-18" and tiny values in scientific notation; Databricks is plain
        return _patch(text, arr, pc.match_substring(text, "E"), ws, i)
    if pa.types.is_date32(t):
        text = pc.cast(arr, pa.string())
        return _patch(text, arr, pc.invert(pc.match_substring_regex(text, r"^\d{4}-\d\d-\d\d$")), ws, i)
    if pa.types.is_floating(t):
        text = pc.cast(arr, pa.string())
        a = pc.abs(arr)
        outside = pc.or_(pc.or_(pc.invert(pc.is_finite(arr)), pc.greater_equal(a, 1e7)),
                         pc.and_(pc.less(a, 1e-3), pc.not_equal(a, 0)))
        text = pc.if_else(pc.match_substring(text, "."), text, pc.binary_join_element_wise(text, _const(".0", len(text)), ""))
        return _patch(text, arr, outside, ws, i)
    if pa.types.is_timestamp(t):
        if t.tz:
            text = pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S%z")
            text = pc.replace_substring_regex(text, r"\.(\d{3})000([+-])", r".\1\2")
            text = pc.replace_substring_regex(text, r"\+0000$", "Z")
            text = pc.replace_substring_regex(text, r"([+-]\d\d)(\d\d)$", r"\1:\2")
            # per value: offsets with seconds (local mean time, e.g. +05:21:10), years Arrow can't pad,
            # and years after 2037, where Arrow's tz database stops applying DST rules (Python's doesn't)
            off = pc.subtract(pc.local_timestamp(arr).cast(pa.int64()), arr.cast(pa.int64()))
            rem = pc.subtract(off, pc.multiply(pc.divide(off, 60_000_000), 60_000_000))
            odd = pc.or_(pc.not_equal(rem, 0), pc.or_(pc.less(pc.year(arr), 1), pc.greater(pc.year(arr), 2037)))
        else:
            text = pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
            text = pc.replace_substring_regex(text, r"\.(\d{3})000$", r".\1")
            odd = pc.or_(pc.less(pc.year(arr), 1), pc.greater(pc.year(arr), 9999))
        return _patch(text, arr, odd, ws, i)
    # binary (base64), intervals, nested: per value
    return pa.array(render_column(arr, ws, i), pa.string())


_CTRL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _json_strings(text: pa.Array, plain: bool = False) -> pa.Array:
    """Each value as a JSON string literal, NULL as `null`. `plain`: the text is known to hold no
    character JSON must escape (numbers, dates, ...)."""
    if plain or not pc.any(pc.match_substring_regex(text, r'[\\"\x00-\x1f]')).as_py():
        q = _const('"', len(text))
        return pc.fill_null(pc.binary_join_element_wise(q, text, q, ""), "null")
    esc = pc.replace_substring(text, "\\", "\\\\")
    esc = pc.replace_substring(esc, '"', '\\"')
    esc = pc.replace_substring(esc, "\n", "\\n")
    esc = pc.replace_substring(esc, "\r", "\\r")
    esc = pc.replace_substring(esc, "\t", "\\t")
    odd = pc.fill_null(pc.match_substring_regex(text, _CTRL), False)
    if pc.any(odd).as_py():
        idx = pc.indices_nonzero(odd)
        fixed = [json.dumps(v, ensure_ascii=False)[1:-1] for v in pc.take(text, idx).to_pylist()]
        esc = pc.replace_with_mask(esc, odd, pa.array(fixed, pa.string()))
    q = _const('"', len(text))
    return pc.fill_null(pc.binary_join_element_wise(q, esc, q, ""), "null")


def _join_rows(cols: list[pa.Array], sep: str, prefix: str, suffix: str) -> pa.Array:
    row = pc.binary_join_element_wise(*cols, sep) if len(cols) > 1 else cols[0]
    if prefix or suffix:
        row = pc.binary_join_element_wise(_const(prefix, len(row)), row, _const(suffix, len(row)), "")
    return row


def json_rows(batch: pa.RecordBatch, ws: WireSchema) -> str:
    """The rows of `batch` as comma-separated JSON arrays (no surrounding brackets)."""
    if batch.num_rows == 0:
        return ""
    if batch.num_rows <= SMALL_BATCH_ROWS and batch.num_columns:
        return json_rows_small(batch, ws)
    return json_rows_vectorized(batch, ws)


def json_rows_vectorized(batch: pa.RecordBatch, ws: WireSchema) -> str:
    """json_rows with Arrow compute kernels, for any number of rows (at least one)."""
    cols = [_json_strings(text_column(batch.column(i), ws, i), _plain(batch.column(i).type, ws.kinds[i]))
            for i in range(batch.num_columns)]
    rows = _join_rows(cols, ",", "[", "]")
    lst = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    return pc.binary_join(lst, ",")[0].as_py()


def _plain(t: pa.DataType, kind: str) -> bool:
    """Text of this type never needs JSON escaping or CSV quoting."""
    return kind == "plain" and (pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_decimal(t)
                                or pa.types.is_floating(t) or pa.types.is_date(t) or pa.types.is_timestamp(t)
                                or pa.types.is_null(t))


def _csv_field(text: pa.Array) -> pa.Array:
    need = pc.fill_null(pc.match_substring_regex(text, r'[,"\r\n]|^$|^[ \t]|[ \t]$'), False)
    q = _const('"', len(text))
    quoted = pc.binary_join_element_wise(q, pc.replace_substring(text, '"', '""'), q, "")
    return pc.fill_null(pc.if_else(need, quoted, text), "null")


def csv_rows(batch: pa.RecordBatch, ws: WireSchema) -> str:
    """The rows of `batch` as RFC 4180 lines (CRLF-terminated), NULL as `null`."""
    if batch.num_rows == 0:
        return ""
    if batch.num_rows <= SMALL_BATCH_ROWS and batch.num_columns:
        return csv_rows_small(batch, ws, [_plain(batch.column(i).type, ws.kinds[i])
                                          for i in range(batch.num_columns)])
    return csv_rows_vectorized(batch, ws)


def csv_rows_vectorized(batch: pa.RecordBatch, ws: WireSchema) -> str:
    """csv_rows with Arrow compute kernels, for any number of rows (at least one)."""
    cols = []
    for i in range(batch.num_columns):
        text = text_column(batch.column(i), ws, i)
        cols.append(pc.fill_null(text, "null") if _plain(batch.column(i).type, ws.kinds[i]) else _csv_field(text))
    rows = _join_rows(cols, ",", "", "\r\n")
    lst = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    return pc.binary_join(lst, "")[0].as_py()
