"""`VACUUM t [RETAIN n HOURS] [DRY RUN]`: deltalake's vacuum removes data files no version newer than
the retention still needs (logged as VACUUM START / VACUUM END), change data files older than the
retention go too, and the log is checkpointed and cleaned of commits older than
`delta.logRetentionDuration` (Databricks does that cleanup at checkpoints; here it runs with VACUUM,
so tests can make old versions disappear on demand).

Retention below the table's `delta.deletedFileRetentionDuration` (default 7 days) is refused unless
the retention check is off: session conf `spark.databricks.delta.retentionDurationCheck.enabled =
false`, or `serve --no-retention-check` for the whole emulator.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING

import pyarrow as pa

from . import sqllex as L
from .queryresult import QueryResult
from .sqlerrors import SQLError, first_line, syntax_error

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext

CHECK_CONF = "spark.databricks.delta.retentionDurationCheck.enabled"
DEFAULT_RETENTION_HOURS = 168.0
_UNIT_HOURS = {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}


def vacuum(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    if len(toks) < 2:
        raise syntax_error("end of input")
    parts, i = L.parse_name(toks, 1)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    engine.catalog.require_table(ref, "VACUUM")
    hours = None
    dry_run = False
    while i < len(toks):
        if toks[i].is_word("RETAIN"):
            sign = -1.0 if i + 1 < len(toks) and toks[i + 1].is_punct("-") else 1.0
            k = i + 2 if sign < 0 else i + 1
            if not (k + 1 < len(toks) and toks[k].kind == "num" and toks[k + 1].is_word("HOURS", "HOUR")):
                raise syntax_error(toks[k].text if k < len(toks) else "end of input")
            hours = sign * float(toks[k].value.rstrip("LlDd"))
            i = k + 2
        elif toks[i].is_word("DRY") and i + 1 < len(toks) and toks[i + 1].is_word("RUN"):
            dry_run = True
            i += 2
        else:
            raise syntax_error(toks[i].text)
    path = engine.catalog.path(ref)
    with engine.catalog.write_lock(ref):
        dt = engine.catalog.open(ref)
        conf = dt.metadata().configuration
        configured = interval_hours(conf.get("delta.deletedFileRetentionDuration"), DEFAULT_RETENTION_HOURS)
        if hours is None:
            hours = configured
        if hours < 0:
            raise SQLError("DELTA_VACUUM_RETENTION_PERIOD_NEGATIVE",
                           "Retention period for Vacuum can't be less than 0 hours.", "22003")
        check = engine.retention_check and \
            str(ctx.session.confs.get(CHECK_CONF, "true")).strip().strip("'\"").lower() != "false"
        if check and hours < configured:
            raise SQLError("DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT",
                           "The specified VACUUM retention period is too low and may corrupt this Delta table if "
                           "any writes are in progress.\n\nIf no operations (insert, upsert, delete, optimize) are "
                           "running, you can disable this safety check by setting:\n"
                           f"{CHECK_CONF} = false\n\nOtherwise, use a retention period of at least "
                           f"{configured:g} hours.", "22003")
        try:
            files = dt.vacuum(retention_hours=int(hours), dry_run=dry_run, enforce_retention_duration=False)
        except Exception as e:  # deltalake raises several exception types
            raise SQLError("DELTA_VACUUM_FAILED", f"VACUUM failed: {first_line(e)}", "XX000", "INTERNAL_ERROR")
        if dry_run:
            full = [os.path.join(path, f) for f in files]
            return QueryResult.of_table(pa.table({"path": pa.array(full, pa.string())}))
        _remove_old_change_data(path, hours)
        dt = engine.catalog.open(ref)
        dt.create_checkpoint()
        dt.cleanup_metadata()
    return QueryResult.of_table(pa.table({"path": pa.array(["file:" + path], pa.string())}))


def interval_hours(text, default: float) -> float:
    """`interval 7 days` / `7 days` / `interval 0 seconds` -> hours."""
    if not text:
        return default
    m = re.fullmatch(r"\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*", str(text).lower())
    if not m or m.group(2) not in _UNIT_HOURS:
        return default
    return float(m.group(1)) * _UNIT_HOURS[m.group(2)]


def _remove_old_change_data(table_path: str, hours: float) -> None:
    """Change data files are never part of a snapshot, so age alone decides."""
    root = os.path.join(table_path, "_change_data")
    cutoff = time.time() - hours * 3600
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            try:
                if os.path.getmtime(p) <= cutoff:
                    os.remove(p)
            except OSError:
                pass
