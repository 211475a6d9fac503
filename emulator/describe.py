"""`DESCRIBE [TABLE] [EXTENDED] t`, `DESCRIBE DETAIL t`, `DESCRIBE HISTORY t [LIMIT n]`."""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Optional

import pyarrow as pa
from deltalake import DeltaTable

from . import sqllex as L
from . import types as T
from .catalog import TableRef
from .queryresult import QueryResult

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def describe(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    mode = "TABLE"
    if i < len(toks) and toks[i].is_word("DETAIL", "HISTORY"):
        mode = toks[i].value
        i += 1
    elif i < len(toks) and toks[i].is_word("TABLE"):
        i += 1
    extended = False
    if i < len(toks) and toks[i].is_word("EXTENDED", "FORMATTED"):
        extended = True
        i += 1
    if i < len(toks) and toks[i].is_word("TABLE"):
        i += 1
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if mode == "TABLE" and engine.catalog.is_view(ref):
        return _describe_view(engine, ref, extended)
    if mode == "HISTORY":
        return QueryResult.of_table(_history_cached(engine, ref, toks, i))
    dt = engine.catalog.open(ref, operation=f"DESCRIBE {mode}")
    if mode == "DETAIL":
        return _detail(engine, ref, dt)
    fields = engine.catalog.schema_json(dt)["fields"]
    meta = dt.metadata()
    extra = [("Type", "MANAGED", None), ("Location", engine.catalog.path(ref), None),
             ("Provider", "delta", None), ("Comment", meta.description or "", None),
             ("Table Properties", "[" + ",".join(f"{k}={v}" for k, v in sorted(meta.configuration.items())) + "]", None)]
    return _columns(ref, fields, extra if extended else None)


def _describe_view(engine: "Engine", ref: TableRef, extended: bool) -> QueryResult:
    view = engine.catalog.view(ref) or {}
    extra = [("Type", "VIEW" if view.get("kind") != "MATERIALIZED_VIEW" else "MATERIALIZED_VIEW", None),
             ("View Text", view.get("definition", ""), None), ("Comment", view.get("comment") or "", None)]
    return _columns(ref, view.get("fields", []), extra if extended else None)


def _columns(ref: TableRef, fields: list[dict], extra: Optional[list[tuple]]) -> QueryResult:
    names, types_, comments = [], [], []
    for f in fields:
        md = f.get("metadata") or {}
        names.append(f["name"])
        types_.append(T.delta_type_text(f["type"], upper=False, variant=md.get("dbduck.type") == "VARIANT"))
        comments.append(md.get("comment"))
    if extra is not None:
        extra = [("", "", None), ("# Detailed Table Information", "", None),
                 ("Catalog", ref.catalog, None), ("Database", ref.schema, None), ("Table", ref.table, None)] + extra
        for a, b, c in extra:
            names.append(a)
            types_.append(b)
            comments.append(c)
    return QueryResult.of_table(pa.table({
        "col_name": pa.array(names, pa.string()), "data_type": pa.array(types_, pa.string()),
        "comment": pa.array(comments, pa.string())}), frozenset({"col_name", "data_type"}))


def _detail(engine: "Engine", ref: TableRef, dt: DeltaTable) -> QueryResult:
    meta = dt.metadata()
    proto = dt.protocol()
    size, nfiles = engine.catalog.size_and_files(dt)
    hist = dt.history(1)
    last = hist[0]["timestamp"] if hist else meta.created_time
    features = sorted(set((proto.reader_features or []) + (proto.writer_features or [])))
    utc = _dt.timezone.utc
    t = pa.table({
        "format": pa.array(["delta"]),
        "id": pa.array([meta.id]),
        "name": pa.array([ref.full_name]),
        "description": pa.array([meta.description], pa.string()),
        "location": pa.array(["file:" + engine.catalog.path(ref)]),
        "createdAt": pa.array([_dt.datetime.fromtimestamp(meta.created_time / 1000, utc)], pa.timestamp("us", "UTC")),
        "lastModified": pa.array([_dt.datetime.fromtimestamp(last / 1000, utc)], pa.timestamp("us", "UTC")),
        "partitionColumns": pa.array([list(meta.partition_columns)], pa.list_(pa.string())),
        "clusteringColumns": pa.array([[]], pa.list_(pa.string())),
        "numFiles": pa.array([nfiles], pa.int64()),
        "sizeInBytes": pa.array([size], pa.int64()),
        "properties": pa.array([list(sorted(meta.configuration.items()))], pa.map_(pa.string(), pa.string())),
        "minReaderVersion": pa.array([proto.min_reader_version], pa.int32()),
        "minWriterVersion": pa.array([proto.min_writer_version], pa.int32()),
        "tableFeatures": pa.array([features], pa.list_(pa.string())),
        "statistics": pa.array([[]], pa.map_(pa.string(), pa.string())),
    })
    return QueryResult.of_table(t)

# deltalake's operation names where Databricks says it differently
_OPERATIONS = {"ADD COLUMN": "ADD COLUMNS"}
# deltalake's WRITE metrics under the names Databricks gives them
_WRITE_METRICS = {"num_added_rows": "numOutputRows", "num_added_files": "numFiles"}
USER_NAME = "emulator@dbduck.local"   # the workspace user (/api/2.0/preview/scim/v2/Me)


def _metric_name(operation: str, key: str) -> str:
    """deltalake records snake_case metrics (num_updated_rows); Databricks shows camelCase
    (numUpdatedRows, numTargetRowsInserted, ...)."""
    if operation == "WRITE" and key in _WRITE_METRICS:
        return _WRITE_METRICS[key]
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _history_cached(engine: "Engine", ref: TableRef, toks: list[L.Tok], i: int) -> pa.Table:
    """The history table, kept while the table's log is unchanged (catalog.cached)."""
    def open_table() -> DeltaTable:
        return engine.catalog.open(ref, operation="DESCRIBE HISTORY")

    limit = None
    try:
        if i + 1 < len(toks) and toks[i].is_word("LIMIT") and toks[i + 1].kind == "num":
            limit = int(toks[i + 1].value.rstrip("Ll"))
    except ValueError:
        open_table()   # a missing table is reported before a bad LIMIT
        raise
    return engine.catalog.cached(ref, ("history", limit), lambda: _history(open_table(), limit))


def _history(dt: DeltaTable, limit: Optional[int]) -> pa.Table:
    hist = dt.history(limit)
    utc = _dt.timezone.utc

    def smap(d):
        if not d:
            return []
        return [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in d.items()]

    def metrics(h):
        op = h.get("operation") or ""
        return [(_metric_name(op, k), v) for k, v in smap(h.get("operationMetrics"))]

    job_t = pa.struct([("jobId", pa.string()), ("jobName", pa.string()), ("jobRunId", pa.string()),
                       ("runId", pa.string()), ("jobOwnerId", pa.string()), ("triggerType", pa.string())])
    nb_t = pa.struct([("notebookId", pa.string())])
    mstr = pa.map_(pa.string(), pa.string())
    n = len(hist)
    t = pa.table({
        "version": pa.array([h["version"] for h in hist], pa.int64()),
        "timestamp": pa.array([_dt.datetime.fromtimestamp(h["timestamp"] / 1000, utc) for h in hist],
                              pa.timestamp("us", "UTC")),
        "userId": pa.array(["1"] * n, pa.string()),
        "userName": pa.array([USER_NAME] * n, pa.string()),
        "operation": pa.array([_OPERATIONS.get(h.get("operation"), h.get("operation")) for h in hist], pa.string()),
        "operationParameters": pa.array([smap(h.get("operationParameters")) for h in hist], mstr),
        "job": pa.array([None] * n, job_t),
        "notebook": pa.array([None] * n, nb_t),
        "clusterId": pa.array([None] * n, pa.string()),
        "readVersion": pa.array([h.get("readVersion") for h in hist], pa.int64()),
        "isolationLevel": pa.array([h.get("isolationLevel", "Serializable") for h in hist], pa.string()),
        "isBlindAppend": pa.array([h.get("isBlindAppend", h.get("operation") == "WRITE") for h in hist], pa.bool_()),
        "operationMetrics": pa.array([metrics(h) for h in hist], mstr),
        "userMetadata": pa.array([h.get("userMetadata") for h in hist], pa.string()),
        "engineInfo": pa.array([h.get("engineInfo") for h in hist], pa.string()),
    })
    return t
