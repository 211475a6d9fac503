"""`table_changes('t', start[, end])`: the Delta change data feed of a table as rows, with
`_change_type`, `_commit_version` and `_commit_timestamp` after the table's columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from . import sqllex as L
from . import types as T
from .sqlerrors import SQLError
from .tablewrite import storage_schema
from .timetravel import eval_timestamp

if TYPE_CHECKING:
    from .statementctx import StatementContext


def table_changes(ctx: "StatementContext", args: list[list[L.Tok]]) -> pa.Table:
    if len(args) < 2 or not args[0] or args[0][0].kind != "str":
        raise SQLError("INCORRECT_NUMBER_OF_ARGUMENTS",
                       "table_changes requires a table name and a start version or timestamp.", "42605")
    name = args[0][0].value
    parts, _ = L.parse_name(L.tokenize(name), 0)
    ref = ctx.engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    dt = ctx.engine.catalog.open(ref)
    if dt.metadata().configuration.get("delta.enableChangeDataFeed", "false").lower() != "true":
        raise SQLError("DELTA_MISSING_CHANGE_DATA",
                       f"Error getting change data for range [{args[1][0].text} , end] as change data was not "
                       f"recorded for the table {ref.quoted}. Enable change data feed with "
                       "delta.enableChangeDataFeed = true.", "22000")
    hist = dt.history()
    latest = dt.version()

    def bound(tk: list[L.Tok], start: bool) -> int:
        if len(tk) == 1 and tk[0].kind == "num":
            return int(tk[0].value.rstrip("Ll"))
        ts = eval_timestamp(ctx, tk)
        ms = ts.timestamp() * 1000
        if start:
            vs = [h["version"] for h in hist if h["timestamp"] >= ms]
            return min(vs) if vs else latest + 1
        vs = [h["version"] for h in hist if h["timestamp"] <= ms]
        return max(vs) if vs else -1

    start = bound(args[1], True)
    end = bound(args[2], False) if len(args) > 2 else latest
    if start > latest:
        raise SQLError("DELTA_VERSION_NOT_FOUND",
                       f"[DELTA_CHANGE_DATA_FEED_START_VERSION_AFTER_LATEST] Provided start version ({start}) "
                       f"is greater than the latest version of the table ({latest}).", "42K03")
    if end < start:
        raise SQLError("DELTA_INVALID_CDC_RANGE",
                       f"CDC range from start {start} to end {end} was invalid. End cannot be before start.",
                       "22003")
    schema = ctx.engine.catalog.arrow_schema(dt)
    for f in schema:
        if T.is_variant_field(f):
            ctx.variant_names.add(f.name)
    cdf = pa.table(dt.load_cdf(starting_version=start, ending_version=min(end, latest)).read_all())
    cols = {}
    base = storage_schema(schema)
    out_fields = list(base) + [pa.field("_change_type", pa.string(), False),
                               pa.field("_commit_version", pa.int64(), False),
                               pa.field("_commit_timestamp", pa.timestamp("us", "UTC"), False)]
    if cdf is None or cdf.num_rows == 0:
        tbl = pa.schema(out_fields).empty_table()
    else:
        for f in out_fields:
            cols[f.name] = cdf.column(f.name).cast(f.type)
        tbl = pa.table(cols, schema=pa.schema(out_fields))
        order = pc.sort_indices(tbl, sort_keys=[("_commit_version", "ascending")])
        tbl = tbl.take(order)
    return tbl
