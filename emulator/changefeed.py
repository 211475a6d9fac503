"""`table_changes('t', start[, end])`: the Delta change data feed of a table as rows, with
`_change_type`, `_commit_version` and `_commit_timestamp` after the table's (latest) columns.

Bounds are versions or timestamps, both inclusive; a start timestamp selects the first commit at or
after it, an end timestamp the last commit at or before it; the end defaults to (and is capped at)
the latest version. The range is checked the way Delta's CDC reader checks it: the feed must be on
in the metadata of the start version and not turned off by a commit inside the range. Rows come
from deltalake's own change data feed reader (the `_change_data` files and added/removed files).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from typing import TYPE_CHECKING, Optional

import pyarrow as pa
import pyarrow.compute as pc

from . import sqllex as L
from . import types as T
from .sqlerrors import SQLError, first_line
from .tablewrite import storage_schema
from .timetravel import eval_timestamp

if TYPE_CHECKING:
    from .statementctx import StatementContext

CDF_KEY = "delta.enableChangeDataFeed"
CHANGE_COLUMNS = [pa.field("_change_type", pa.string(), False), pa.field("_commit_version", pa.int64(), False),
                  pa.field("_commit_timestamp", pa.timestamp("us", "UTC"), False)]


def table_changes(ctx: "StatementContext", args: list[list[L.Tok]]) -> pa.Table:
    if len(args) not in (2, 3) or not args[0] or args[0][0].kind != "str" or not all(args):
        raise SQLError("WRONG_NUM_ARGS",
                       f"[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `table_changes` requires [2, 3] parameters but the "
                       f"actual number is {len(args)}.", "42605")
    cat = ctx.engine.catalog
    parts, _ = L.parse_name(L.tokenize(args[0][0].value), 0)
    ref = cat.resolve(parts, ctx.session.catalog, ctx.session.schema)
    dt = cat.open(ref, operation="table_changes")
    latest = dt.version()
    hist = sorted(dt.history(), key=lambda h: h["version"])
    start = _bound(ctx, args[1], hist, latest, is_start=True)
    end = _bound(ctx, args[2], hist, latest, is_start=False) if len(args) > 2 else latest
    if start > latest:
        raise SQLError("DELTA_CDC_START_VERSION_AFTER_LATEST",
                       f"Start version {start} for change data feed exceeds the latest table version {latest}.",
                       "22003")
    if end < start:
        raise SQLError("DELTA_INVALID_CDC_RANGE",
                       f"CDC range from start {start} to end {end} was invalid. End cannot be before start.", "22003")
    end = min(end, latest)
    start_meta = cat.open(ref, start).metadata()   # fails like time travel when the log no longer has it
    if not _enabled(start_meta.configuration):
        raise missing_change_data(start, start, end)
    for v in range(start + 1, end + 1):
        for conf in _metadata_changes(cat.path(ref), v):
            if not _enabled(conf):
                raise missing_change_data(v, start, end)
    schema = cat.arrow_schema(dt)
    for f in schema:
        if T.is_variant_field(f):
            ctx.variant_names.add(f.name)
    try:
        cdf = pa.table(dt.load_cdf(starting_version=start, ending_version=end).read_all())
    except Exception as e:  # deltalake surfaces a missing file as a generic error
        m = re.search(r"Object at location (\S+) not found", str(e))
        if m:
            raise SQLError("DELTA_CHANGE_DATA_FILE_NOT_FOUND",
                           f"File {m.group(1)} referenced in the transaction log cannot be found. This can occur "
                           "when the change data file is out of the retention period and has been deleted by the "
                           "`VACUUM` statement.", "42K03")
        raise SQLError("DELTA_CHANGE_DATA_READ_FAILED", f"Reading the change data feed failed: {first_line(e)}",
                       "XX000", "INTERNAL_ERROR")
    return _shape(cdf, storage_schema(schema))


def missing_change_data(version: int, start: int, end: int) -> SQLError:
    return SQLError("DELTA_MISSING_CHANGE_DATA",
                    f"Error getting change data for range [{start} , {end}] as change data was not recorded for "
                    f"version [{version}]. If you've enabled change data feed on this table, use `DESCRIBE HISTORY` "
                    "to see when it was first enabled. Otherwise, to start recording change data, use `ALTER TABLE "
                    f"table_name SET TBLPROPERTIES ({CDF_KEY}=true)`.", "KD002")


def _enabled(conf: dict) -> bool:
    return str(conf.get(CDF_KEY, "false")).lower() == "true"


def _metadata_changes(table_path: str, version: int) -> list[dict]:
    """Configurations of the metaData actions committed in `version` (none for most commits)."""
    p = os.path.join(table_path, "_delta_log", f"{version:020d}.json")
    out = []
    try:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if '"metaData"' in line:
                    out.append(json.loads(line)["metaData"].get("configuration") or {})
    except OSError:
        pass
    return out


def _bound(ctx: "StatementContext", tk: list[L.Tok], hist: list[dict], latest: int, is_start: bool) -> int:
    if len(tk) == 1 and tk[0].kind == "num":
        return int(tk[0].value.rstrip("Ll"))
    if len(tk) == 1 and tk[0].is_word("NULL"):
        raise SQLError("DELTA_CDC_READ_NULL_RANGE_BOUNDARY", "CDC read start/end parameters cannot be null. Please "
                       "provide a valid version or timestamp.", "22004")
    ts = eval_timestamp(ctx, tk)
    ms = ts.timestamp() * 1000
    if is_start:
        later = [h["version"] for h in hist if h["timestamp"] >= ms]
        if not later:
            last = _iso(hist[-1]["timestamp"]) if hist else "?"
            raise SQLError("DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
                           f"The provided timestamp ({_iso_dt(ts)}) is after the latest version available to this "
                           f"table ({last}). Please use a timestamp before or at {last}.", "42816")
        return min(later)
    earlier = [h["version"] for h in hist if h["timestamp"] <= ms]
    return max(earlier) if earlier else -1


def _iso(ms: float) -> str:
    return _iso_dt(_dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc))


def _iso_dt(ts: _dt.datetime) -> str:
    return ts.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _shape(cdf: Optional[pa.Table], base: pa.Schema) -> pa.Table:
    """The table's columns (nulls where an older commit lacks one) + the change columns, by version."""
    out = pa.schema(list(base) + CHANGE_COLUMNS)
    if cdf is None or cdf.num_rows == 0:
        return out.empty_table()
    have = set(cdf.column_names)
    cols = [cdf.column(f.name).cast(f.type) if f.name in have else pa.nulls(cdf.num_rows, f.type) for f in out]
    tbl = pa.Table.from_arrays(cols, schema=out)
    return tbl.take(pc.sort_indices(tbl, sort_keys=[("_commit_version", "ascending")]))

