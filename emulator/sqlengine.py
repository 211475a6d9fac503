"""Executes Databricks SQL over the Delta tables: queries through DuckDB, metadata commands from the
Delta log, DML through deltalake.

A statement runs on its own DuckDB cursor of one shared in-memory database. Each Delta table a
query names (optionally `VERSION AS OF n` / `TIMESTAMP AS OF expr` / `@v<n>`) becomes a temporary
view over the snapshot's Parquet files; `table_changes(...)` becomes a registered Arrow table from
the change data feed. The rest of the text is re-emitted for DuckDB with Databricks-only syntax
translated (backticks, string escapes, `:name` parameters, TIMESTAMP vs TIMESTAMP_NTZ).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import urllib.parse
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import sqllex as L
from . import types as T
from .catalog import Catalog, CatalogError, TableRef, not_found
from .ddltypes import parse_type, DDLTypeError
from deltalake import DeltaTable, write_deltalake


# Spark SQL functions whose value changes from run to run; a query calling one is never cached
# (the result cache, resultcache.py).
NON_DETERMINISTIC = frozenset({
    "RAND", "RANDN", "RANDOM", "UUID", "SHUFFLE", "NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
    "CURDATE", "LOCALTIMESTAMP", "UNIX_TIMESTAMP", "CURRENT_TIMEZONE", "MONOTONICALLY_INCREASING_ID",
    "SPARK_PARTITION_ID", "INPUT_FILE_NAME", "CURRENT_USER", "SESSION_USER", "USER", "TRY_REFLECT", "REFLECT",
})


class SQLError(Exception):
    """A statement failed the way Databricks reports it: status.error + sql_state."""

    def __init__(self, error_class: str, message: str, sql_state: str, error_code: str = "BAD_REQUEST"):
        text = message if message.startswith("[") else f"[{error_class}] {message}"
        if "SQLSTATE" not in text:
            text += f" SQLSTATE: {sql_state}"
        super().__init__(text)
        self.error_class = error_class
        self.message = text
        self.sql_state = sql_state
        self.error_code = error_code


class Canceled(Exception):
    pass


@dataclass
class Session:
    catalog: str = "main"
    schema: str = "default"
    confs: dict = field(default_factory=dict)


@dataclass
class QueryResult:
    """What a statement produced: a batch stream with its schema, or nothing (DDL shape)."""
    schema: Optional[pa.Schema] = None
    batches: Optional[Iterator[pa.RecordBatch]] = None
    variant_names: frozenset = frozenset()
    hugeint_columns: frozenset = frozenset()
    not_null: frozenset = frozenset()
    close: Callable[[], None] = lambda: None
    # (location, table id, version) of every table scanned, when the result may be cached; else None
    reads: Optional[tuple] = None

    @property
    def is_ddl(self) -> bool:
        return self.schema is None

    @staticmethod
    def of_table(table: pa.Table, not_null: frozenset = frozenset()) -> "QueryResult":
        return QueryResult(schema=table.schema, batches=iter(table.to_batches(max_chunksize=65536)),
                           not_null=not_null)


def _counts(**cols: int) -> QueryResult:
    return QueryResult.of_table(pa.table({k: pa.array([v], pa.int64()) for k, v in cols.items()}))


_CLAUSE_WORDS = {
    "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT", "INTERSECT", "MINUS", "JOIN", "INNER",
    "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "ON", "USING", "QUALIFY", "WINDOW", "LATERAL", "SEMI", "ANTI",
    "OFFSET", "FETCH", "PIVOT", "UNPIVOT", "TABLESAMPLE", "WHEN", "THEN", "ELSE", "END", "SET", "VERSION",
    "TIMESTAMP", "FOR", "CLUSTER", "DISTRIBUTE", "SORT", "SELECT", "FROM", "VALUES", "AS", "WITH", "INTO",
    "MATCHED", "NOT", "AND", "OR",
}

_DUCK_TYPES = {
    "STRING": "VARCHAR", "TIMESTAMP": "TIMESTAMPTZ", "TIMESTAMP_LTZ": "TIMESTAMPTZ", "TIMESTAMP_NTZ": "TIMESTAMP",
    "BINARY": "BLOB", "BYTE": "TINYINT", "SHORT": "SMALLINT", "LONG": "BIGINT", "VOID": "VARCHAR",
    "INT": "INTEGER", "REAL": "FLOAT", "DEC": "DECIMAL", "NUMERIC": "DECIMAL", "VARIANT": "VARCHAR",
}
_DF_TYPES = {
    "STRING": "VARCHAR", "TIMESTAMP_LTZ": "TIMESTAMP", "TIMESTAMP_NTZ": "TIMESTAMP", "BINARY": "BYTEA",
    "BYTE": "TINYINT", "SHORT": "SMALLINT", "LONG": "BIGINT", "VOID": "VARCHAR", "REAL": "FLOAT",
}


def _duck_param_type(t: str) -> str:
    t = t.strip()
    m = re.match(r"^([A-Za-z_]+)(.*)$", t)
    if not m:
        return t
    head = m.group(1).upper()
    if head in ("ARRAY", "MAP", "STRUCT"):
        raise SQLError("INVALID_PARAMETER_VALUE", f"Parameter type {t} is not supported.", "22023")
    return _DUCK_TYPES.get(head, head) + m.group(2)


class Engine:
    """One shared DuckDB database; `run` executes one statement for one session."""

    def __init__(self, catalog: Catalog, session_tz: str = "Etc/UTC", threads: int = 2,
                 memory_limit: str = "1GB"):
        self.catalog = catalog
        self.session_tz = session_tz
        self.db = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit,
                                                      "preserve_insertion_order": True})
        self.db.execute(f"SET TimeZone = {L.sql_string(session_tz)}")
        # Spark orders NULLs first ascending and last descending (DuckDB's default is always last)
        self.db.execute("SET default_null_order = 'nulls_first_on_asc_last_on_desc'")
        # Spark SQL functions DuckDB lacks (values match Spark's except where noted in README)
        for ddl in (
            "CREATE MACRO nvl(a, b) AS coalesce(a, b)",
            "CREATE MACRO nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END",
            "CREATE MACRO sha2(x, n) AS CASE WHEN n IN (0, 256) THEN sha256(x) ELSE NULL END",
            "CREATE MACRO sha(x) AS sha1(x)",
            "CREATE MACRO spark_isnull(x) AS x IS NULL",  # ISNULL is a DuckDB keyword; see _emit
            "CREATE MACRO isnotnull(x) AS x IS NOT NULL",
            "CREATE MACRO nanvl(a, b) AS CASE WHEN isnan(a) THEN b ELSE a END",
            "CREATE MACRO to_date(x) AS CAST(x AS DATE)",
            "CREATE MACRO collect_list(x) AS list(x) FILTER (WHERE x IS NOT NULL)",
            "CREATE MACRO collect_set(x) AS list(DISTINCT x) FILTER (WHERE x IS NOT NULL)",
            "CREATE MACRO every(x) AS bool_and(x)",
            "CREATE MACRO size(x) AS CASE WHEN x IS NULL THEN -1 ELSE len(x) END",
            "CREATE MACRO unix_micros(x) AS epoch_us(x)",
            # conv: only hexadecimal to decimal, what dbduck's checksums use
            "CREATE MACRO conv(s, f, t) AS CASE WHEN f = 16 AND t = 10 THEN CAST(CAST('0x' || s AS BIGINT) AS VARCHAR) END",
        ):
            try:
                self.db.execute(ddl)
            except duckdb.Error:
                pass

    # MARK: entry point

    def run(self, sql: str, params: list[dict], session: Session,
            register_interrupt: Callable[[Callable[[], None]], None] = lambda f: None) -> QueryResult:
        """Execute `sql`; returns a QueryResult (caller must call .close()). Raises SQLError."""
        try:
            toks = L.tokenize(sql)
        except L.LexError as e:
            raise _syntax(e.near)
        while toks and toks[-1].is_punct(";"):
            toks.pop()
        if not toks:
            raise _syntax("end of input")
        if any(t.is_punct(";") for t in toks):
            raise SQLError("PARSE_SYNTAX_ERROR", "Syntax error at or near ';'.", "42601")
        ctx = _Ctx(self, session, params)
        first = toks[0]
        try:
            if first.is_word("SELECT", "WITH", "VALUES", "FROM", "TABLE") or first.is_punct("("):
                return self._query(toks, ctx, register_interrupt)
            if first.is_word("SHOW"):
                return self._show(toks, ctx)
            if first.is_word("DESCRIBE", "DESC"):
                return self._describe(toks, ctx)
            if first.is_word("USE"):
                return self._use(toks, ctx)
            if first.is_word("SET"):
                return self._set(toks, ctx)
            if first.is_word("INSERT"):
                return self._insert(toks, ctx)
            if first.is_word("UPDATE"):
                return self._update(toks, ctx)
            if first.is_word("DELETE"):
                return self._delete(toks, ctx)
            if first.is_word("MERGE"):
                return self._merge(toks, ctx)
            if first.is_word("CREATE"):
                return self._create(toks, ctx)
            if first.is_word("DROP"):
                return self._drop(toks, ctx)
        except CatalogError as e:
            raise SQLError(e.error_class, e.message, e.sql_state)
        except L.LexError as e:
            raise _syntax(e.near)
        except DDLTypeError as e:
            raise SQLError("UNSUPPORTED_DATATYPE", str(e), "0A000")
        finally:
            ctx.close_unused()
        raise _syntax(first.text)

    # MARK: queries

    def _query(self, toks: list[L.Tok], ctx: "_Ctx", register_interrupt) -> QueryResult:
        if toks[0].is_word("TABLE"):
            parts, _ = L.parse_name(toks, 1)
            toks = L.tokenize("SELECT * FROM " + ".".join("`" + p.replace("`", "``") + "`" for p in parts))
        text = ctx.emit(ctx.replace_tables(toks))
        qr = ctx.stream(text, register_interrupt)
        if len(ctx.registered) == 1 and not qr.is_ddl:
            qr.not_null = _not_null_columns(toks, ctx.registered[0])
        if ctx.cacheable and not any(t.kind == "word" and t.value in NON_DETERMINISTIC for t in toks):
            qr.reads = tuple(ctx.reads)
        return qr

    def query_arrow(self, toks: list[L.Tok], ctx: "_Ctx") -> pa.Table:
        text = ctx.emit(ctx.replace_tables(toks))
        try:
            return ctx.con.sql(text).to_arrow_table()
        except duckdb.Error as e:
            raise map_duckdb_error(e)

    # MARK: SHOW / DESCRIBE / USE / SET

    def _show(self, toks, ctx) -> QueryResult:
        what = toks[1].value if len(toks) > 1 else ""
        i = 2
        like = None
        if what == "CATALOGS":
            if i < len(toks) and toks[i].is_word("LIKE"):
                i += 1
            if i < len(toks) and toks[i].kind == "str":
                like = toks[i].value
            names = [c for c in self.catalog.catalogs() if _like(c, like)]
            return QueryResult.of_table(pa.table({"catalog": pa.array(names, pa.string())}),
                                        frozenset({"catalog"}))
        if what in ("SCHEMAS", "DATABASES"):
            cat = ctx.session.catalog
            if i < len(toks) and toks[i].is_word("IN", "FROM"):
                parts, i = L.parse_name(toks, i + 1)
                cat = parts[-1]
            if i < len(toks) and toks[i].is_word("LIKE"):
                i += 1
            if i < len(toks) and toks[i].kind == "str":
                like = toks[i].value
            names = [s for s in self.catalog.schemas(cat) if _like(s, like)]
            return QueryResult.of_table(pa.table({"databaseName": pa.array(names, pa.string())}),
                                        frozenset({"databaseName"}))
        if what == "TABLES":
            cat, sch = ctx.session.catalog, ctx.session.schema
            if i < len(toks) and toks[i].is_word("IN", "FROM"):
                parts, i = L.parse_name(toks, i + 1)
                if len(parts) == 1:
                    sch = parts[0]
                else:
                    cat, sch = parts[-2], parts[-1]
            if i < len(toks) and toks[i].is_word("LIKE"):
                i += 1
            if i < len(toks) and toks[i].kind == "str":
                like = toks[i].value
            names = [t for t in self.catalog.tables(cat, sch) if _like(t, like)]
            return QueryResult.of_table(pa.table({
                "database": pa.array([sch] * len(names), pa.string()),
                "tableName": pa.array(names, pa.string()),
                "isTemporary": pa.array([False] * len(names), pa.bool_())}),
                frozenset({"database", "tableName", "isTemporary"}))
        if what in ("COLUMNS", "TBLPROPERTIES"):
            if what == "COLUMNS":
                if i >= len(toks) or not toks[i].is_word("IN", "FROM"):
                    raise _syntax(toks[i].text if i < len(toks) else "end of input")
                i += 1
            parts, i = L.parse_name(toks, i)
            ref = self.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
            dt = self.catalog.open(ref)
            if what == "COLUMNS":
                names = [f["name"] for f in self.catalog.schema_json(dt)["fields"]]
                return QueryResult.of_table(pa.table({"col_name": pa.array(names, pa.string())}),
                                            frozenset({"col_name"}))
            proto = dt.protocol()
            props = dict(dt.metadata().configuration)
            props.setdefault("delta.minReaderVersion", str(proto.min_reader_version))
            props.setdefault("delta.minWriterVersion", str(proto.min_writer_version))
            items = sorted(props.items())
            return QueryResult.of_table(pa.table({"key": pa.array([k for k, _ in items], pa.string()),
                                                  "value": pa.array([v for _, v in items], pa.string())}),
                                        frozenset({"key", "value"}))
        raise _syntax(toks[1].text if len(toks) > 1 else "SHOW")

    def _describe(self, toks, ctx) -> QueryResult:
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
        ref = self.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
        dt = self.catalog.open(ref)
        if mode == "DETAIL":
            return self._describe_detail(ref, dt)
        if mode == "HISTORY":
            limit = None
            if i + 1 < len(toks) and toks[i].is_word("LIMIT") and toks[i + 1].kind == "num":
                limit = int(toks[i + 1].value.rstrip("Ll"))
            return self._describe_history(dt, limit)
        fields = self.catalog.schema_json(dt)["fields"]
        names, types_, comments = [], [], []
        for f in fields:
            md = f.get("metadata") or {}
            names.append(f["name"])
            types_.append(T.delta_type_text(f["type"], upper=False, variant=md.get("dbduck.type") == "VARIANT"))
            comments.append(md.get("comment"))
        if extended:
            meta = dt.metadata()
            extra = [("", "", None), ("# Detailed Table Information", "", None),
                     ("Catalog", ref.catalog, None), ("Database", ref.schema, None), ("Table", ref.table, None),
                     ("Type", "MANAGED", None), ("Location", self.catalog.path(ref), None),
                     ("Provider", "delta", None), ("Comment", meta.description or "", None),
                     ("Table Properties", "[" + ",".join(f"{k}={v}" for k, v in sorted(meta.configuration.items())) + "]", None)]
            for a, b, c in extra:
                names.append(a)
                types_.append(b)
                comments.append(c)
        return QueryResult.of_table(pa.table({
            "col_name": pa.array(names, pa.string()), "data_type": pa.array(types_, pa.string()),
            "comment": pa.array(comments, pa.string())}), frozenset({"col_name", "data_type"}))

    def _describe_detail(self, ref: TableRef, dt: DeltaTable) -> QueryResult:
        meta = dt.metadata()
        proto = dt.protocol()
        size, nfiles = self.catalog.size_and_files(dt)
        hist = dt.history(1)
        last = hist[0]["timestamp"] if hist else meta.created_time
        features = sorted(set((proto.reader_features or []) + (proto.writer_features or [])))
        utc = _dt.timezone.utc
        t = pa.table({
            "format": pa.array(["delta"]),
            "id": pa.array([meta.id]),
            "name": pa.array([ref.full_name]),
            "description": pa.array([meta.description], pa.string()),
            "location": pa.array(["file:" + self.catalog.path(ref)]),
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

    def _describe_history(self, dt: DeltaTable, limit: Optional[int]) -> QueryResult:
        hist = dt.history(limit)
        utc = _dt.timezone.utc

        def smap(d):
            if not d:
                return []
            return [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in d.items()]

        job_t = pa.struct([("jobId", pa.string()), ("jobName", pa.string()), ("jobRunId", pa.string()),
                           ("runId", pa.string()), ("jobOwnerId", pa.string()), ("triggerType", pa.string())])
        nb_t = pa.struct([("notebookId", pa.string())])
        mstr = pa.map_(pa.string(), pa.string())
        t = pa.table({
            "version": pa.array([h["version"] for h in hist], pa.int64()),
            "timestamp": pa.array([_dt.datetime.fromtimestamp(h["timestamp"] / 1000, utc) for h in hist],
                                  pa.timestamp("us", "UTC")),
            "userId": pa.array([None] * len(hist), pa.string()),
            "userName": pa.array([None] * len(hist), pa.string()),
            "operation": pa.array([h.get("operation") for h in hist], pa.string()),
            "operationParameters": pa.array([smap(h.get("operationParameters")) for h in hist], mstr),
            "job": pa.array([None] * len(hist), job_t),
            "notebook": pa.array([None] * len(hist), nb_t),
            "clusterId": pa.array([None] * len(hist), pa.string()),
            "readVersion": pa.array([h.get("readVersion") for h in hist], pa.int64()),
            "isolationLevel": pa.array([h.get("isolationLevel", "Serializable") for h in hist], pa.string()),
            "isBlindAppend": pa.array([h.get("isBlindAppend", h.get("operation") == "WRITE") for h in hist], pa.bool_()),
            "operationMetrics": pa.array([smap(h.get("operationMetrics")) for h in hist], mstr),
            "userMetadata": pa.array([h.get("userMetadata") for h in hist], pa.string()),
            "engineInfo": pa.array([h.get("engineInfo") for h in hist], pa.string()),
        })
        return QueryResult.of_table(t)

    def _use(self, toks, ctx) -> QueryResult:
        i = 1
        kind = "SCHEMA"
        if i < len(toks) and toks[i].is_word("CATALOG", "SCHEMA", "DATABASE"):
            kind = "CATALOG" if toks[i].value == "CATALOG" else "SCHEMA"
            i += 1
        parts, i = L.parse_name(toks, i)
        if kind == "CATALOG":
            self.catalog.schemas(parts[0])
            ctx.session.catalog = parts[0]
            ctx.session.schema = "default"
        else:
            cat = parts[0] if len(parts) == 2 else ctx.session.catalog
            sch = parts[-1]
            if sch not in self.catalog.schemas(cat):
                raise SQLError("SCHEMA_NOT_FOUND", f"The schema `{cat}`.`{sch}` cannot be found.", "42704")
            ctx.session.catalog, ctx.session.schema = cat, sch
        return QueryResult()

    def _set(self, toks, ctx) -> QueryResult:
        text = " ".join(t.text for t in toks[1:])
        if "=" in text:
            k, v = text.split("=", 1)
            k, v = k.strip(), v.strip()
            ctx.session.confs[k] = v
            return QueryResult.of_table(pa.table({"key": [k], "value": [v]}))
        return QueryResult.of_table(pa.table({"key": pa.array([], pa.string()), "value": pa.array([], pa.string())}))

    # MARK: DML

    def _target(self, toks, i, ctx) -> tuple[TableRef, int]:
        parts, i = L.parse_name(toks, i)
        ref = self.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
        if not self.catalog.exists(ref):
            raise not_found(ref)
        return ref, i

    def _insert(self, toks, ctx) -> QueryResult:
        i = 1
        mode = "append"
        if toks[i].is_word("OVERWRITE"):
            mode = "overwrite"
        elif not toks[i].is_word("INTO"):
            raise _syntax(toks[i].text)
        i += 1
        if toks[i].is_word("TABLE"):
            i += 1
        ref, i = self._target(toks, i, ctx)
        cols = None
        if i < len(toks) and toks[i].is_punct("(") and not (i + 1 < len(toks) and toks[i + 1].is_word("SELECT", "WITH", "VALUES")):
            j = L.matching_paren(toks, i)
            cols = [p[0].ident for p in L.split_top(toks[i + 1:j]) if p]
            i = j + 1
        source = toks[i:]
        if not source:
            raise _syntax("end of input")
        with self.catalog.write_lock(ref):
            dt = self.catalog.open(ref)
            target = self.catalog.arrow_schema(dt)
            data = self.query_arrow(source, ctx)
            table = _align(data, target, cols)
            write_deltalake(self.catalog.path(ref), table, mode=mode)
        return _counts(num_affected_rows=table.num_rows, num_inserted_rows=table.num_rows)

    def _update(self, toks, ctx) -> QueryResult:
        ref, i = self._target(toks, 1, ctx)
        alias = None
        if i < len(toks) and toks[i].is_word("AS"):
            i += 1
        if i < len(toks) and toks[i].is_ident and not toks[i].is_word("SET"):
            alias = toks[i].ident
            i += 1
        if i >= len(toks) or not toks[i].is_word("SET"):
            raise _syntax(toks[i].text if i < len(toks) else "end of input")
        w = L.find_word(toks, "WHERE", i)
        assigns = toks[i + 1:w] if w is not None else toks[i + 1:]
        pred = toks[w + 1:] if w is not None else None
        updates = {}
        for a in L.split_top(assigns):
            eq = next(k for k, t in enumerate(a) if t.is_punct("="))
            col = _strip_qual(a[:eq], alias, ref.table)
            updates[col[-1].ident] = ctx.emit_df(_strip_qual(a[eq + 1:], alias, ref.table))
        with self.catalog.write_lock(ref):
            dt = self.catalog.open(ref)
            try:
                m = dt.update(updates=updates,
                              predicate=ctx.emit_df(_strip_qual(pred, alias, ref.table)) if pred else None)
            except Exception as e:  # deltalake raises its own error types
                raise SQLError("DELTA_UPDATE_FAILED", f"UPDATE failed: {_clean(e)}", "42000")
        return _counts(num_affected_rows=int(m.get("num_updated_rows", 0)))

    def _delete(self, toks, ctx) -> QueryResult:
        if not toks[1].is_word("FROM"):
            raise _syntax(toks[1].text)
        ref, i = self._target(toks, 2, ctx)
        alias = None
        if i < len(toks) and toks[i].is_word("AS"):
            i += 1
        if i < len(toks) and toks[i].is_ident and not toks[i].is_word("WHERE"):
            alias = toks[i].ident
            i += 1
        pred = None
        if i < len(toks):
            if not toks[i].is_word("WHERE"):
                raise _syntax(toks[i].text)
            pred = ctx.emit_df(_strip_qual(toks[i + 1:], alias, ref.table))
        with self.catalog.write_lock(ref):
            dt = self.catalog.open(ref)
            try:
                m = dt.delete(pred)
            except Exception as e:
                raise SQLError("DELTA_DELETE_FAILED", f"DELETE failed: {_clean(e)}", "42000")
        return _counts(num_affected_rows=int(m.get("num_deleted_rows", 0)))

    def _merge(self, toks, ctx) -> QueryResult:
        if not toks[1].is_word("INTO"):
            raise _syntax(toks[1].text)
        ref, i = self._target(toks, 2, ctx)
        talias = ref.table
        if toks[i].is_word("AS"):
            i += 1
        if toks[i].is_ident and not toks[i].is_word("USING"):
            talias = toks[i].ident
            i += 1
        if not toks[i].is_word("USING"):
            raise _syntax(toks[i].text)
        i += 1
        if toks[i].is_punct("("):
            j = L.matching_paren(toks, i)
            src_toks = toks[i + 1:j]
            salias = "source"
            i = j + 1
        else:
            start = i
            _, i = L.parse_name(toks, i)
            while i < len(toks) and not toks[i].is_word("AS", "ON") and not (toks[i].is_ident and toks[i + 1].is_word("ON")):
                i += 1
            src_toks = L.tokenize("SELECT * FROM") + toks[start:i]
            salias = toks[i - 1].ident if toks[start:i] else "source"
        if toks[i].is_word("AS"):
            i += 1
        if toks[i].is_ident and not toks[i].is_word("ON"):
            salias = toks[i].ident
            i += 1
        if not toks[i].is_word("ON"):
            raise _syntax(toks[i].text)
        i += 1
        w = L.find_word(toks, "WHEN", i)
        if w is None:
            raise _syntax("end of input")
        on = ctx.emit_df(toks[i:w])
        clauses = []
        pos = w
        while pos is not None and pos < len(toks):
            nxt = L.find_word(toks, "WHEN", pos + 1)
            clauses.append(toks[pos:nxt] if nxt is not None else toks[pos:])
            pos = nxt
        with self.catalog.write_lock(ref):
            dt = self.catalog.open(ref)
            target = self.catalog.arrow_schema(dt)
            src = self.query_arrow(src_toks, ctx)
            src = _cast_like(src, target)
            merger = dt.merge(src, predicate=on, source_alias=salias, target_alias=talias)
            for c in clauses:
                merger = self._merge_clause(merger, c, ctx)
            try:
                m = merger.execute()
            except Exception as e:
                raise SQLError("DELTA_MERGE_FAILED", f"MERGE failed: {_clean(e)}", "42000")
        ins = int(m.get("num_target_rows_inserted", 0))
        upd = int(m.get("num_target_rows_updated", 0))
        dele = int(m.get("num_target_rows_deleted", 0))
        return _counts(num_affected_rows=ins + upd + dele, num_updated_rows=upd, num_deleted_rows=dele,
                       num_inserted_rows=ins)

    def _merge_clause(self, merger, c: list[L.Tok], ctx):
        i = 1
        negated = False
        if c[i].is_word("NOT"):
            negated = True
            i += 1
        if not c[i].is_word("MATCHED"):
            raise _syntax(c[i].text)
        i += 1
        by_source = False
        if c[i].is_word("BY"):
            by_source = c[i + 1].is_word("SOURCE")
            i += 2
        cond = None
        if c[i].is_word("AND"):
            th = L.find_word(c, "THEN", i)
            cond = ctx.emit_df(c[i + 1:th])
            i = th
        if not c[i].is_word("THEN"):
            raise _syntax(c[i].text)
        i += 1
        action = c[i].value
        rest = c[i + 1:]
        if action == "DELETE":
            if negated and by_source:
                return merger.when_not_matched_by_source_delete(cond)
            return merger.when_matched_delete(cond)
        if action == "UPDATE":
            if not rest or not rest[0].is_word("SET"):
                raise _syntax(rest[0].text if rest else "end of input")
            if len(rest) == 2 and rest[1].is_punct("*"):
                return merger.when_matched_update_all(cond)
            updates = {}
            for a in L.split_top(rest[1:]):
                eq = next(k for k, t in enumerate(a) if t.is_punct("="))
                col = a[eq - 1].ident
                updates[col] = ctx.emit_df(a[eq + 1:])
            if negated and by_source:
                return merger.when_not_matched_by_source_update(updates, cond)
            return merger.when_matched_update(updates, cond)
        if action == "INSERT":
            if len(rest) == 1 and rest[0].is_punct("*"):
                return merger.when_not_matched_insert_all(cond)
            j = L.matching_paren(rest, 0)
            cols = [p[0].ident for p in L.split_top(rest[1:j])]
            v = L.find_word(rest, "VALUES", j + 1)
            if v is None:
                raise _syntax(rest[-1].text)
            k = L.matching_paren(rest, v + 1)
            exprs = [ctx.emit_df(p) for p in L.split_top(rest[v + 2:k])]
            return merger.when_not_matched_insert(dict(zip(cols, exprs)), cond)
        raise _syntax(c[i].text)

    # MARK: DDL

    def _create(self, toks, ctx) -> QueryResult:
        i = 1
        replace = False
        if toks[i].is_word("OR") and toks[i + 1].is_word("REPLACE"):
            replace = True
            i += 2
        if toks[i].is_word("SCHEMA", "DATABASE", "CATALOG"):
            kind = toks[i].value
            i += 1
            if_not = False
            if toks[i].is_word("IF"):
                if_not = True
                i += 3
            parts, i = L.parse_name(toks, i)
            if kind == "CATALOG":
                path = os.path.join(self.catalog.root, parts[0])
            else:
                cat = parts[0] if len(parts) == 2 else ctx.session.catalog
                path = os.path.join(self.catalog.root, cat, parts[-1])
            if os.path.isdir(path) and not if_not:
                raise SQLError("SCHEMA_ALREADY_EXISTS", f"Cannot create {kind.lower()} `{parts[-1]}` because it already exists.", "42P06")
            os.makedirs(path, exist_ok=True)
            return QueryResult()
        if not toks[i].is_word("TABLE"):
            raise _syntax(toks[i].text)
        i += 1
        if_not = False
        if toks[i].is_word("IF"):
            if_not = True
            i += 3
        ref, i = self._target_new(toks, i, ctx)
        schema = None
        if i < len(toks) and toks[i].is_punct("("):
            j = L.matching_paren(toks, i)
            fields = []
            for p in L.split_top(toks[i + 1:j]):
                fields.append(_column_def(p))
            schema = pa.schema(fields)
            i = j + 1
        props: dict[str, str] = {}
        comment = None
        as_idx = None
        while i < len(toks):
            t = toks[i]
            if t.is_word("USING"):
                i += 2
            elif t.is_word("COMMENT"):
                comment = toks[i + 1].value
                i += 2
            elif t.is_word("TBLPROPERTIES"):
                j = L.matching_paren(toks, i + 1)
                for p in L.split_top(toks[i + 2:j]):
                    eq = next(k for k, x in enumerate(p) if x.is_punct("="))
                    key = "".join(x.value if x.kind == "str" else x.text for x in p[:eq])
                    val = "".join(x.value if x.kind == "str" else x.text for x in p[eq + 1:])
                    props[key] = val
                i = j + 1
            elif t.is_word("AS"):
                as_idx = i + 1
                break
            else:
                raise _syntax(t.text)
        exists = self.catalog.exists(ref)
        if exists and if_not:
            return QueryResult()
        if exists and not replace:
            raise SQLError("TABLE_OR_VIEW_ALREADY_EXISTS",
                           f"Cannot create table or view {ref.quoted} because it already exists.", "42P07")
        if as_idx is not None:
            data = self.query_arrow(toks[as_idx:], ctx)
            data = data.cast(pa.schema([pa.field(f.name, _storage_type(f.type)) for f in data.schema]))
        else:
            if schema is None:
                raise _syntax("end of input")
            data = schema.empty_table()
        os.makedirs(os.path.dirname(self.catalog.path(ref)), exist_ok=True)
        cfg = {k: v for k, v in props.items() if k.startswith("delta.")}
        write_deltalake(self.catalog.path(ref), data, mode="overwrite" if exists else "error",
                        configuration=cfg or None, description=comment,
                        schema_mode="overwrite" if exists else None)
        return QueryResult()

    def _target_new(self, toks, i, ctx) -> tuple[TableRef, int]:
        parts, i = L.parse_name(toks, i)
        ref = self.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
        if ref.schema not in self.catalog.schemas(ref.catalog):
            raise SQLError("SCHEMA_NOT_FOUND", f"The schema `{ref.catalog}`.`{ref.schema}` cannot be found.", "42704")
        return ref, i

    def _drop(self, toks, ctx) -> QueryResult:
        i = 1
        if not toks[i].is_word("TABLE"):
            raise _syntax(toks[i].text)
        i += 1
        if_exists = False
        if toks[i].is_word("IF"):
            if_exists = True
            i += 2
        parts, i = L.parse_name(toks, i)
        ref = self.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
        if not self.catalog.exists(ref):
            if if_exists:
                return QueryResult()
            raise not_found(ref)
        shutil.rmtree(self.catalog.path(ref))
        return QueryResult()


class _Ctx:
    """Per-statement state: DuckDB cursor, registered relations, parameter values."""

    def __init__(self, engine: Engine, session: Session, params: list[dict]):
        self.engine = engine
        self.session = session
        self.params = {p.get("name"): p for p in (params or [])}
        self.con = engine.db.cursor()
        self.con.execute(f"SET TimeZone = {L.sql_string(engine.session_tz)}")
        self.n = 0
        self.variant_names: set[str] = set()
        self.streaming = False
        self.registered: list[pa.Schema] = []
        self.reads: list[tuple] = []   # Delta tables scanned, for the result cache's key
        self.cacheable = True          # False once the query reads something that is not a pinned Delta table

    def close_unused(self):
        if not self.streaming:
            try:
                self.con.close()
            except duckdb.Error:
                pass

    # MARK: table references

    def replace_tables(self, toks: list[L.Tok]) -> list[L.Tok]:
        ctes = _cte_names(toks)
        out: list[L.Tok] = []
        i = 0
        from_depths: list[int] = []
        depth = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            if t.is_punct("("):
                depth += 1
            elif t.is_punct(")"):
                depth -= 1
                while from_depths and from_depths[-1] > depth:
                    from_depths.pop()
            if t.is_word("FROM", "JOIN"):
                out.append(t)
                if t.value == "FROM":
                    from_depths.append(depth)
                i = self._from_item(toks, i + 1, out, ctes)
                continue
            if t.is_punct(",") and from_depths and from_depths[-1] == depth:
                out.append(t)
                i = self._from_item(toks, i + 1, out, ctes)
                continue
            if t.kind == "word" and t.value in ("WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT",
                                                "INTERSECT", "QUALIFY", "WINDOW", "SELECT") \
                    and from_depths and from_depths[-1] == depth:
                from_depths.pop()
            out.append(t)
            i += 1
        return out

    def _from_item(self, toks, i, out, ctes) -> int:
        if i >= len(toks):
            return i
        t = toks[i]
        if t.is_punct("(") or not t.is_ident:
            return i
        if t.kind == "word" and t.value in _CLAUSE_WORDS and t.value not in ("VERSION", "TIMESTAMP"):
            raise _syntax(t.text)
        if t.kind == "word" and t.value == "TABLE_CHANGES" and i + 1 < len(toks) and toks[i + 1].is_punct("("):
            self.cacheable = False
            j = L.matching_paren(toks, i + 1)
            args = L.split_top(toks[i + 2:j])
            out.append(L.Tok("raw", self._table_changes(args), "", t.pos))
            i = j + 1
            return self._alias(toks, i, out, "table_changes")
        if t.kind == "word" and (t.value in ("LATERAL", "VALUES", "UNNEST", "SELECT")
                                 or (i + 1 < len(toks) and toks[i + 1].is_punct("("))):
            return i
        parts, j = L.parse_name(toks, i)
        if len(parts) == 1 and parts[0].lower() in ctes:
            return i
        if len(parts) >= 2 and parts[-2].lower() == "information_schema":
            cat = parts[0] if len(parts) == 3 else self.session.catalog
            self.cacheable = False
            out.append(L.Tok("raw", self._information_schema(cat, parts[-1].lower()), "", t.pos))
            return self._alias(toks, j, out, parts[-1])
        version = None
        ts_toks = None
        if j + 3 < len(toks) and toks[j].is_word("VERSION") and toks[j + 1].is_word("AS") and toks[j + 2].is_word("OF"):
            vt = toks[j + 3]
            try:
                version = int(vt.value.rstrip("Ll"))
            except ValueError:
                raise _syntax(vt.text)
            j += 4
        elif j + 3 < len(toks) and toks[j].is_word("TIMESTAMP") and toks[j + 1].is_word("AS") and toks[j + 2].is_word("OF"):
            k = j + 3
            depth = 0
            while k < len(toks):
                x = toks[k]
                if x.is_punct("("):
                    depth += 1
                elif x.is_punct(")"):
                    if depth == 0:
                        break
                    depth -= 1
                elif depth == 0 and (x.is_punct(",") or (x.kind == "word" and x.value in _CLAUSE_WORDS
                                                          and x.value not in ("TIMESTAMP", "INTERVAL"))):
                    break
                k += 1
            ts_toks = toks[j + 3:k]
            j = k
        elif j + 1 < len(toks) and toks[j].is_punct("@"):
            v = toks[j + 1].text
            if v[:1] in "vV":
                version = int(v[1:])
            else:
                ts_toks = [L.Tok("str", "", _at_timestamp(v), toks[j + 1].pos)]
                ts_toks = L.tokenize("TIMESTAMP") + ts_toks
            j += 2
        ref = self.engine.catalog.resolve(parts, self.session.catalog, self.session.schema)
        if not self.engine.catalog.exists(ref):
            raise not_found(ref)
        if ts_toks is not None:
            version = self._version_at(ref, ts_toks)
        out.append(L.Tok("raw", self._register_table(ref, version), "", t.pos))
        return self._alias(toks, j, out, ref.table)

    def _alias(self, toks, j, out, default) -> int:
        if j < len(toks):
            x = toks[j]
            if x.is_word("AS") or (x.is_ident and not (x.kind == "word" and x.value in _CLAUSE_WORDS)):
                return j
        out.append(L.Tok("raw", "AS " + L.sql_ident(default), "", -1))
        return j

    def _information_schema(self, catalog: str, view: str) -> str:
        """`<catalog>.information_schema.{catalogs,schemata,tables,columns}` from the metastore."""
        cat = self.engine.catalog
        if catalog not in cat.catalogs():
            raise SQLError("TABLE_OR_VIEW_NOT_FOUND", f"The table or view `{catalog}`.`information_schema`.`{view}` "
                           "cannot be found.", "42P01")
        utc = _dt.timezone.utc
        if view == "catalogs":
            tbl = pa.table({"catalog_name": [catalog], "catalog_owner": ["emulator"], "comment": pa.nulls(1, pa.string())})
        elif view == "schemata":
            names = cat.schemas(catalog)
            tbl = pa.table({"catalog_name": [catalog] * len(names), "schema_name": names,
                            "schema_owner": ["emulator"] * len(names), "comment": pa.nulls(len(names), pa.string())})
        elif view in ("tables", "columns"):
            rows: dict[str, list] = {}
            for sch in cat.schemas(catalog):
                for name in cat.tables(catalog, sch):
                    ref = TableRef(catalog, sch, name)
                    dt = cat.open(ref)
                    meta = dt.metadata()
                    if view == "tables":
                        hist = dt.history(1)
                        for k, v in (("table_catalog", catalog), ("table_schema", sch), ("table_name", name),
                                     ("table_type", "MANAGED"), ("is_insertable_into", "YES"),
                                     ("table_owner", "emulator"), ("comment", meta.description),
                                     ("created", _dt.datetime.fromtimestamp(meta.created_time / 1000, utc)),
                                     ("created_by", "emulator"),
                                     ("last_altered", _dt.datetime.fromtimestamp(
                                         (hist[0]["timestamp"] if hist else meta.created_time) / 1000, utc)),
                                     ("last_altered_by", "emulator"), ("data_source_format", "DELTA")):
                            rows.setdefault(k, []).append(v)
                    else:
                        for pos, f in enumerate(cat.schema_json(dt)["fields"]):
                            info = T.column_info(f, pos)
                            full = info["type_text"]
                            for k, v in (("table_catalog", catalog), ("table_schema", sch), ("table_name", name),
                                         ("column_name", f["name"]), ("ordinal_position", pos),
                                         ("is_nullable", "YES" if f.get("nullable", True) else "NO"),
                                         ("full_data_type", full), ("data_type", info["type_name"]),
                                         ("numeric_precision", info["type_precision"] or None),
                                         ("numeric_scale", info["type_scale"] if info["type_precision"] else None),
                                         ("comment", info.get("comment"))):
                                rows.setdefault(k, []).append(v)
            if view == "tables":
                types = {"created": pa.timestamp("us", "UTC"), "last_altered": pa.timestamp("us", "UTC")}
                keys = ["table_catalog", "table_schema", "table_name", "table_type", "is_insertable_into",
                        "table_owner", "comment", "created", "created_by", "last_altered", "last_altered_by",
                        "data_source_format"]
            else:
                types = {"ordinal_position": pa.int32(), "numeric_precision": pa.int32(), "numeric_scale": pa.int32()}
                keys = ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                        "is_nullable", "full_data_type", "data_type", "numeric_precision", "numeric_scale", "comment"]
            tbl = pa.table({k: pa.array(rows.get(k, []), types.get(k, pa.string())) for k in keys})
        else:
            raise SQLError("TABLE_OR_VIEW_NOT_FOUND", f"The table or view `{catalog}`.`information_schema`.`{view}` "
                           "cannot be found.", "42P01")
        name = f"__dbx_t{self.n}"
        self.n += 1
        self.con.register(name, tbl)
        return L.sql_ident(name)

    def _register_table(self, ref: TableRef, version: Optional[int]) -> str:
        cat = self.engine.catalog
        dt = cat.open(ref, version)
        name = f"__dbx_t{self.n}"
        self.n += 1
        schema = cat.arrow_schema(dt)
        self.registered.append(schema)
        self.reads.append((dt.table_uri, dt.metadata().id, dt.version()))
        for f in schema:
            if T.is_variant_field(f):
                self.variant_names.add(f.name)
        files = [urllib.parse.unquote(u[len("file://"):] if u.startswith("file://") else u) for u in dt.file_uris()]  # URIs are percent-encoded
        if files:
            cols = ", ".join(L.sql_ident(f.name) for f in schema)
            self.con.execute(f"CREATE TEMP VIEW {L.sql_ident(name)} AS SELECT {cols} FROM read_parquet("
                             f"[{', '.join(L.sql_string(p) for p in files)}], union_by_name = true)")
        else:
            self.con.register(name, _storage_schema(schema).empty_table())
        return L.sql_ident(name)

    def _version_at(self, ref: TableRef, ts_toks: list[L.Tok]) -> int:
        ts = self._eval_timestamp(ts_toks)
        dt = self.engine.catalog.open(ref)
        hist = dt.history()
        ms = ts.timestamp() * 1000
        ok = [h["version"] for h in hist if h["timestamp"] <= ms]
        if not ok:
            earliest = min(hist, key=lambda h: h["version"])
            e = _dt.datetime.fromtimestamp(earliest["timestamp"] / 1000, _dt.timezone.utc)
            raise SQLError("DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                           f"The provided timestamp ({ts.isoformat()}) is before the earliest version available "
                           f"to this table ({e.isoformat()}). Please use a timestamp after {e.isoformat()}.",
                           "42816")
        return max(ok)

    def _eval_timestamp(self, ts_toks: list[L.Tok]) -> _dt.datetime:
        text = self.emit(ts_toks)
        try:
            v = self.con.execute(f"SELECT CAST(({text}) AS TIMESTAMPTZ)").fetchall()[0][0]
        except duckdb.Error as e:
            raise map_duckdb_error(e)
        if v is None:
            raise SQLError("DELTA_TIMESTAMP_INVALID", "The timestamp for time travel is NULL.", "42816")
        return v

    def _table_changes(self, args: list[list[L.Tok]]) -> str:
        if len(args) < 2 or not args[0] or args[0][0].kind != "str":
            raise SQLError("INCORRECT_NUMBER_OF_ARGUMENTS",
                           "table_changes requires a table name and a start version or timestamp.", "42605")
        name = args[0][0].value
        parts, _ = L.parse_name(L.tokenize(name), 0)
        ref = self.engine.catalog.resolve(parts, self.session.catalog, self.session.schema)
        dt = self.engine.catalog.open(ref)
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
            ts = self._eval_timestamp(tk)
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
        schema = self.engine.catalog.arrow_schema(dt)
        for f in schema:
            if T.is_variant_field(f):
                self.variant_names.add(f.name)
        cdf = pa.table(dt.load_cdf(starting_version=start, ending_version=min(end, latest)).read_all())
        cols = {}
        base = _storage_schema(schema)
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
        name = f"__dbx_t{self.n}"
        self.n += 1
        self.con.register(name, tbl)
        return L.sql_ident(name)

    # MARK: emitting

    def _param_literal(self, name: str, df: bool = False) -> str:
        p = self.params.get(name)
        if p is None:
            raise SQLError("UNBOUND_SQL_PARAMETER",
                           f"Found the unbound parameter: {name}. Please, fix `args` and provide a mapping of the "
                           "parameter to either a SQL literal or collection constructor functions such as `map()`, "
                           "`array()`, `struct()`.", "42P02")
        t = (p.get("type") or "STRING").strip()
        v = p.get("value")
        if df:
            head = re.match(r"^[A-Za-z_]+", t)
            h = head.group().upper() if head else t
            dtype = _DF_TYPES.get(h, h) + t[len(h):]
        else:
            dtype = _duck_param_type(t)
        if v is None:
            return f"CAST(NULL AS {dtype})"
        return f"CAST({L.sql_string(str(v))} AS {dtype})"

    def emit(self, toks: list[L.Tok]) -> str:
        return self._emit(toks, df=False)

    def emit_df(self, toks: list[L.Tok]) -> str:
        """Expression text for deltalake (DataFusion SQL)."""
        return self._emit(toks, df=True)

    def _emit(self, toks: list[L.Tok], df: bool) -> str:
        if not df:
            toks = _rewrite_hashes(toks)
        out: list[str] = []
        stack: list[str] = []
        prev: Optional[L.Tok] = None
        types = _DF_TYPES if df else _DUCK_TYPES
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            s = t.text
            if t.kind == "raw":
                s = t.text
            elif t.kind == "bq":
                s = L.sql_ident(t.value)
            elif t.kind == "str":
                s = L.sql_string(t.value)
            elif t.kind == "param":
                s = self._param_literal(t.value, df)
            elif t.kind == "num":
                s = _num(t.text)
            elif t.kind == "word":
                nxt = toks[i + 1] if i + 1 < n else None
                is_type_pos = prev is not None and (prev.is_punct("::") or (prev.is_word("AS") and stack and stack[-1] == "cast"))
                if t.value in ("CURRENT_CATALOG",) and nxt is not None and nxt.is_punct("(") and i + 2 < n and toks[i + 2].is_punct(")"):
                    s = L.sql_string(self.session.catalog)
                    i += 3
                    out.append(s)
                    prev = toks[i - 1]
                    continue
                if t.value in ("CURRENT_SCHEMA", "CURRENT_DATABASE") and nxt is not None and nxt.is_punct("(") \
                        and i + 2 < n and toks[i + 2].is_punct(")"):
                    s = L.sql_string(self.session.schema)
                    i += 3
                    out.append(s)
                    prev = toks[i - 1]
                    continue
                if t.value in ("CURRENT_TIMESTAMP", "CURRENT_DATE", "NOW") and nxt is not None and nxt.is_punct("(") \
                        and i + 2 < n and toks[i + 2].is_punct(")"):
                    out.append("now()" if t.value == "NOW" else t.value.lower())  # DuckDB: no parentheses
                    prev = toks[i + 2]
                    i += 3
                    continue
                if is_type_pos:
                    s = types.get(t.value, t.text)
                elif t.value in ("TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ") and nxt is not None and nxt.kind == "str":
                    s = {"TIMESTAMP": "TIMESTAMPTZ" if not df else "TIMESTAMP", "TIMESTAMP_LTZ": "TIMESTAMPTZ" if not df else "TIMESTAMP",
                         "TIMESTAMP_NTZ": "TIMESTAMP"}[t.value]
                elif t.value in ("CAST", "TRY_CAST") and nxt is not None and nxt.is_punct("("):
                    stack.append("pending-cast")
                elif t.value == "RLIKE" and not df:
                    s = "SIMILAR TO"
                elif t.value == "ISNULL" and not df and nxt is not None and nxt.is_punct("("):
                    s = "spark_isnull"
                elif t.value == "ARRAY" and not df and nxt is not None and nxt.is_punct("(") and not is_type_pos:
                    s = "list_value"
            elif t.is_punct("("):
                if stack and stack[-1] == "pending-cast":
                    stack[-1] = "cast"
                else:
                    stack.append("(")
            elif t.is_punct(")"):
                if stack:
                    stack.pop()
            elif t.is_punct("==") :
                s = "="
            out.append(s)
            prev = t
            i += 1
        text = ""
        for k, s in enumerate(out):
            if k == 0:
                text = s
            elif s == "." or text.endswith("."):
                text += s
            else:
                text += " " + s
        return text

    # MARK: running

    def stream(self, text: str, register_interrupt) -> QueryResult:
        con = self.con
        register_interrupt(con.interrupt)
        try:
            rel = con.sql(text)
        except duckdb.Error as e:
            raise map_duckdb_error(e)
        if rel is None:
            return QueryResult()
        try:
            types = rel.types
            hugeint = frozenset(k for k, ty in enumerate(types) if str(ty) in ("HUGEINT", "UHUGEINT"))
            reader = rel.to_arrow_reader(32768)
        except duckdb.Error as e:
            raise map_duckdb_error(e)
        self.streaming = True

        def batches():
            try:
                while True:
                    try:
                        b = reader.read_next_batch()
                    except StopIteration:
                        return
                    except Exception as e:  # duckdb errors surface as pyarrow errors here
                        raise _map_stream_error(e)
                    yield b
            finally:
                pass

        def close():
            try:
                con.close()
            except Exception:
                pass

        schema = reader.schema
        renamed = [("count(1)" if f.name == "count_star()" else f.name) for f in schema]
        if renamed != schema.names:
            schema = pa.schema([f.with_name(n) for f, n in zip(schema, renamed)])
        return QueryResult(schema=schema, batches=batches(), variant_names=frozenset(self.variant_names),
                           hugeint_columns=hugeint, close=close)


# MARK: helpers


def _syntax(near: str) -> SQLError:
    return SQLError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{near}'.", "42601")


def _like(name: str, pattern: Optional[str]) -> bool:
    if not pattern:
        return True
    alts = pattern.split("|")
    for a in alts:
        rx = "^" + re.escape(a.strip()).replace(r"\*", ".*").replace("%", ".*") + "$"
        if re.match(rx, name, re.IGNORECASE):
            return True
    return False


def _num(text: str) -> str:
    if text[-2:] in ("BD", "bd"):
        return f"CAST({text[:-2]} AS DECIMAL(38,{len(text[:-2].split('.')[1]) if '.' in text else 0}))"
    suffix = text[-1:]
    if suffix in "LlSsYy" and suffix.isalpha():
        return text[:-1]
    if suffix in "Dd":
        return f"CAST({text[:-1]} AS DOUBLE)"
    if suffix in "Ff":
        return f"CAST({text[:-1]} AS FLOAT)"
    return text


def _at_timestamp(v: str) -> str:
    # yyyyMMddHHmmssSSS
    v = v.ljust(17, "0")
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]} {v[8:10]}:{v[10:12]}:{v[12:14]}.{v[14:17]}"


def _cte_names(toks: list[L.Tok]) -> set[str]:
    names = set()
    for k, t in enumerate(toks):
        if t.is_ident and k + 2 < len(toks) and toks[k + 1].is_word("AS") and toks[k + 2].is_punct("("):
            if k > 0 and (toks[k - 1].is_word("WITH", "RECURSIVE") or toks[k - 1].is_punct(",")):
                names.add(t.ident.lower())
        if t.is_ident and k + 1 < len(toks) and toks[k + 1].is_punct("(") and k > 0 and toks[k - 1].is_word("WITH"):
            names.add(t.ident.lower())
    return names


def _rewrite_hashes(toks: list[L.Tok]) -> list[L.Tok]:
    """Spark `hash(...)` is INT and `xxhash64(...)` BIGINT; DuckDB's `hash(...)` is UBIGINT. Fold it
    into the Spark result types (the values differ from Spark's, consistently within the emulator)."""
    out: list[L.Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "word" and t.value in ("HASH", "XXHASH64") and i + 1 < len(toks) and toks[i + 1].is_punct("("):
            j = L.matching_paren(toks, i + 1)
            inner = _rewrite_hashes(toks[i + 2:j])
            if t.value == "HASH":
                pre, post = "CAST(CAST(hash(", ") % 4294967296 AS BIGINT) - 2147483648 AS INTEGER)"
            else:
                pre, post = "CAST(CAST(hash(", ") AS HUGEINT) - 9223372036854775808 AS BIGINT)"
            out.append(L.Tok("raw", pre, "", t.pos))
            out.extend(inner)
            out.append(L.Tok("raw", post, "", t.pos))
            i = j + 1
            continue
        out.append(t)
        i += 1
    return out


def _not_null_columns(toks: list[L.Tok], schema: pa.Schema) -> frozenset:
    """Output columns that are plain references to NOT NULL columns of the one table a simple
    SELECT reads (Databricks marks those `nullable=false` in Arrow)."""
    if not toks or not toks[0].is_word("SELECT"):
        return frozenset()
    depth = 0
    frm = None
    for k, t in enumerate(toks):
        if t.is_punct("("):
            depth += 1
        elif t.is_punct(")"):
            depth -= 1
        elif depth == 0 and t.kind == "word" and t.value in ("JOIN", "UNION", "EXCEPT", "INTERSECT", "MINUS",
                                                              "LATERAL", "ROLLUP", "CUBE", "GROUPING"):
            return frozenset()
        elif depth == 0 and t.is_word("FROM") and frm is None:
            frm = k
    if frm is None:
        return frozenset()
    required = {f.name.lower(): f.name for f in schema if not f.nullable}
    out = set()
    items = toks[1:frm]
    if items and items[0].is_word("DISTINCT", "ALL"):
        items = items[1:]
    for item in L.split_top(items):
        if len(item) == 1 and item[0].is_punct("*"):
            out.update(required.values())
            continue
        alias = None
        if len(item) >= 3 and item[-2].is_word("AS") and item[-1].is_ident:
            alias, item = item[-1].ident, item[:-2]
        elif len(item) == 2 and item[0].is_ident and item[1].is_ident:
            alias, item = item[1].ident, item[:1]
        name = None
        if len(item) == 1 and item[0].is_ident:
            name = item[0].ident
        elif len(item) == 3 and item[0].is_ident and item[1].is_punct(".") and item[2].is_ident:
            name = item[2].ident
        if name is not None and name.lower() in required:
            out.add(alias or required[name.lower()])
    return frozenset(out)


def _strip_qual(toks: Optional[list[L.Tok]], alias: Optional[str], table: str) -> list[L.Tok]:
    """Drop `alias.` / `table.` prefixes (deltalake UPDATE/DELETE predicates are unqualified)."""
    if not toks:
        return []
    quals = {table.lower()} | ({alias.lower()} if alias else set())
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.is_ident and i + 2 < len(toks) and toks[i + 1].is_punct(".") and toks[i + 2].is_ident \
                and t.ident.lower() in quals:
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _storage_type(t: pa.DataType) -> pa.DataType:
    """Arrow type deltalake stores for a DuckDB result type."""
    from .wire import _wire_type
    w = _wire_type(t, "UTC")
    if pa.types.is_timestamp(w) and w.tz:
        return pa.timestamp("us", "UTC")
    return w


def _storage_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type, f.nullable, f.metadata) for f in schema])


def _cast_array(arr, t: pa.DataType):
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if arr.type == t:
        return arr
    try:
        return arr.cast(t)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise SQLError("DATATYPE_MISMATCH", f"Cannot write incompatible data to the table: {e}", "42804")


def _align(data: pa.Table, target: pa.Schema, cols: Optional[list[str]]) -> pa.Table:
    names = [f.name for f in target]
    lower = {n.lower(): n for n in names}
    if cols is None:
        if data.num_columns != len(names):
            raise SQLError("INSERT_COLUMN_ARITY_MISMATCH",
                           f"[INSERT_COLUMN_ARITY_MISMATCH.{'NOT_ENOUGH' if data.num_columns < len(names) else 'TOO_MANY'}_DATA_COLUMNS] "
                           f"Cannot write to the table: the target table has {len(names)} column(s) but the inserted data "
                           f"has {data.num_columns} column(s).", "21S01")
        mapping = {names[k]: data.column(k) for k in range(len(names))}
    else:
        if len(cols) != data.num_columns:
            raise SQLError("INSERT_COLUMN_ARITY_MISMATCH",
                           f"Cannot write to the table: {len(cols)} column(s) listed but the data has "
                           f"{data.num_columns}.", "21S01")
        mapping = {}
        for k, c in enumerate(cols):
            if c.lower() not in lower:
                raise SQLError("UNRESOLVED_COLUMN",
                               f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with "
                               f"name `{c}` cannot be resolved. Did you mean one of the following? {names}.", "42703")
            mapping[lower[c.lower()]] = data.column(k)
    arrays = []
    for f in target:
        if f.name in mapping:
            arrays.append(_cast_array(mapping[f.name], f.type))
        else:
            if not f.nullable:
                raise SQLError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                               f"NOT NULL constraint violated for column: {f.name}.", "23502")
            arrays.append(pa.nulls(data.num_rows, f.type))
        if not f.nullable and arrays[-1].null_count:
            raise SQLError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                           f"NOT NULL constraint violated for column: {f.name}.", "23502")
    return pa.Table.from_arrays(arrays, schema=target)


def _cast_like(src: pa.Table, target: pa.Schema) -> pa.Table:
    tmap = {f.name.lower(): f for f in target}
    arrays, fields = [], []
    for k, f in enumerate(src.schema):
        col = src.column(k)
        tf = tmap.get(f.name.lower())
        if tf is not None:
            col = _cast_array(col, tf.type)
            fields.append(pa.field(f.name, tf.type))
        else:
            col = _cast_array(col, _storage_type(f.type))
            fields.append(pa.field(f.name, col.type))
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _column_def(p: list[L.Tok]) -> pa.Field:
    name = p[0].ident
    rest = p[1:]
    text_parts = []
    nullable = True
    comment = None
    k = 0
    while k < len(rest):
        t = rest[k]
        if t.is_word("NOT") and k + 1 < len(rest) and rest[k + 1].is_word("NULL"):
            nullable = False
            k += 2
            continue
        if t.is_word("COMMENT") and k + 1 < len(rest):
            comment = rest[k + 1].value
            k += 2
            continue
        text_parts.append(t.text)
        k += 1
    ty, variant = parse_type(" ".join(text_parts))
    md = {}
    if comment:
        md["comment"] = comment
    if variant:
        md["dbduck.type"] = "VARIANT"
    return pa.field(name, ty, nullable, md or None)


def _clean(e: Exception) -> str:
    return str(e).split("\n")[0][:500]


def _map_stream_error(e: Exception) -> SQLError:
    msg = str(e)
    if "INTERRUPT" in msg.upper():
        return Canceled()
    if "Conversion Error" in msg:
        return SQLError("CAST_INVALID_INPUT", msg, "22018")
    if "Out of Range" in msg:
        return SQLError("ARITHMETIC_OVERFLOW", msg, "22003")
    return SQLError("INTERNAL_ERROR", msg, "XX000", "INTERNAL_ERROR")


def map_duckdb_error(e: Exception) -> Exception:
    """DuckDB exception -> the Databricks-style error class."""
    msg = str(e)
    if isinstance(e, duckdb.InterruptException):
        return Canceled()
    if isinstance(e, duckdb.ParserException):
        m = re.search(r'at or near "([^"]*)"', msg)
        near = m.group(1) if m else "end of input"
        return SQLError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{near}'.", "42601")
    if isinstance(e, duckdb.CatalogException):
        m = re.search(r"(?:Table|table|Scalar Function|Function|function) with name ([^ ]+) does not exist", msg)
        if "Function" in msg or "function" in msg:
            fn = m.group(1) if m else "?"
            return SQLError("UNRESOLVED_ROUTINE",
                            f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{fn}` on search path "
                            f"[`system`.`builtin`, `system`.`session`]. ({msg.splitlines()[0]})", "42883")
        name = m.group(1) if m else "?"
        return SQLError("TABLE_OR_VIEW_NOT_FOUND",
                        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the spelling "
                        "and correctness of the schema and catalog.", "42P01")
    if isinstance(e, duckdb.BinderException):
        m = re.search(r'column "?([^" ]+)"? not found', msg, re.IGNORECASE) or \
            re.search(r'Referenced column "([^"]+)" not found', msg)
        if m:
            return SQLError("UNRESOLVED_COLUMN",
                            f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
                            f"`{m.group(1)}` cannot be resolved. ({msg.splitlines()[0]})", "42703")
        return SQLError("DATATYPE_MISMATCH", f"[DATATYPE_MISMATCH] {msg.splitlines()[0]}", "42K09")
    if isinstance(e, duckdb.ConversionException):
        return SQLError("CAST_INVALID_INPUT", f"[CAST_INVALID_INPUT] {msg.splitlines()[0]}", "22018")
    if isinstance(e, duckdb.OutOfRangeException):
        return SQLError("ARITHMETIC_OVERFLOW", f"[ARITHMETIC_OVERFLOW] {msg.splitlines()[0]}", "22003")
    if isinstance(e, duckdb.InvalidInputException):
        return SQLError("INVALID_PARAMETER_VALUE", f"[INVALID_PARAMETER_VALUE] {msg.splitlines()[0]}", "22023")
    return SQLError("INTERNAL_ERROR", msg.splitlines()[0] if msg else type(e).__name__, "XX000", "INTERNAL_ERROR")
