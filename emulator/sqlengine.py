"""Executes Databricks SQL over the Delta tables: queries through DuckDB, metadata commands from the
Delta log, DML through deltalake.

A statement runs on its own DuckDB cursor of one shared in-memory database. `Engine.run` tokenizes
the text and hands it to the module of its statement kind; queries have their table references
replaced (tablerefs.py) and are re-emitted for DuckDB (sqltranslate.py).
"""

from __future__ import annotations

from typing import Callable, Optional

import duckdb
import pyarrow as pa

from . import altertable, ddl, describe, dml, sessioncmds, showcmds, vacuum
from . import sqllex as L
from .catalog import Catalog, CatalogError
from .ddltypes import DDLTypeError
from .queryresult import QueryResult, Session
from .sqlerrors import Canceled, SQLError, map_duckdb_error, syntax_error
from .statementctx import StatementContext
from .tablerefs import replace_tables

__all__ = ["Engine", "Session", "QueryResult", "SQLError", "Canceled", "NON_DETERMINISTIC"]

# Spark SQL functions whose value changes from run to run; a query calling one is never cached
# (the result cache, resultcache.py).
NON_DETERMINISTIC = frozenset({
    "RAND", "RANDN", "RANDOM", "UUID", "SHUFFLE", "NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
    "CURDATE", "LOCALTIMESTAMP", "UNIX_TIMESTAMP", "CURRENT_TIMEZONE", "MONOTONICALLY_INCREASING_ID",
    "SPARK_PARTITION_ID", "INPUT_FILE_NAME", "CURRENT_USER", "SESSION_USER", "USER", "TRY_REFLECT", "REFLECT",
})


class Engine:
    """One shared DuckDB database; `run` executes one statement for one session."""

    def __init__(self, catalog: Catalog, session_tz: str = "Etc/UTC", threads: int = 2,
                 memory_limit: str = "1GB", retention_check: bool = True):
        self.catalog = catalog
        self.retention_check = retention_check   # VACUUM refuses short retention (see vacuum.py)
        self.session_tz = session_tz
        self.db = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit,
                                                      "preserve_insertion_order": True})
        # GLOBAL: every statement's cursor starts in the session zone (a SET per cursor cost more
        # than the rest of a small statement's DuckDB work)
        self.db.execute(f"SET GLOBAL TimeZone = {L.sql_string(session_tz)}")
        # Spark orders NULLs first ascending and last descending (DuckDB's default is always last)
        self.db.execute("SET default_null_order = 'nulls_first_on_asc_last_on_desc'")
        # Spark SQL functions DuckDB lacks (values match Spark's except where noted in README)
        for macro in (
            "CREATE MACRO nvl(a, b) AS coalesce(a, b)",
            "CREATE MACRO nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END",
            "CREATE MACRO sha2(x, n) AS CASE WHEN n IN (0, 256) THEN sha256(x) ELSE NULL END",
            "CREATE MACRO sha(x) AS sha1(x)",
            "CREATE MACRO spark_isnull(x) AS x IS NULL",  # ISNULL is a DuckDB keyword; see sqltranslate.py
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
                self.db.execute(macro)
            except duckdb.Error:
                pass

    # MARK: entry point

    def run(self, sql: str, params: list[dict], session: Session,
            register_interrupt: Callable[[Callable[[], None]], None] = lambda f: None,
            probe: Optional[Callable[[tuple], Optional[object]]] = None) -> QueryResult:
        """Execute `sql`; returns a QueryResult (caller must call .close()). Raises SQLError.
        `probe(reads)` is asked, once a cacheable query's tables are resolved, for a stored result;
        when it gives one the query does not run and the QueryResult carries it as `cached`."""
        try:
            toks = L.tokenize(sql)
        except L.LexError as e:
            raise syntax_error(e.near)
        while toks and toks[-1].is_punct(";"):
            toks.pop()
        if not toks:
            raise syntax_error("end of input")
        if any(t.is_punct(";") for t in toks):
            raise SQLError("PARSE_SYNTAX_ERROR", "Syntax error at or near ';'.", "42601")
        ctx = StatementContext(self, session, params)
        first = toks[0]
        try:
            if first.is_word("SELECT", "WITH", "VALUES", "FROM", "TABLE") or first.is_punct("("):
                return self._query(toks, ctx, register_interrupt, probe)
            if first.is_word("SHOW"):
                return showcmds.show(self, toks, ctx)
            if first.is_word("DESCRIBE", "DESC"):
                return describe.describe(self, toks, ctx)
            if first.is_word("USE"):
                return sessioncmds.use_namespace(self, toks, ctx)
            if first.is_word("SET"):
                return sessioncmds.set_conf(self, toks, ctx)
            if first.is_word("INSERT"):
                return dml.insert(self, toks, ctx)
            if first.is_word("UPDATE"):
                return dml.update(self, toks, ctx)
            if first.is_word("DELETE"):
                return dml.delete(self, toks, ctx)
            if first.is_word("MERGE"):
                return dml.merge(self, toks, ctx)
            if first.is_word("CREATE"):
                return ddl.create(self, toks, ctx)
            if first.is_word("DROP"):
                return ddl.drop(self, toks, ctx)
            if first.is_word("ALTER"):
                return altertable.alter(self, toks, ctx)
            if first.is_word("VACUUM"):
                return vacuum.vacuum(self, toks, ctx)
        except CatalogError as e:
            raise SQLError(e.error_class, e.message, e.sql_state)
        except L.LexError as e:
            raise syntax_error(e.near)
        except DDLTypeError as e:
            raise SQLError("UNSUPPORTED_DATATYPE", str(e), "0A000")
        finally:
            ctx.close_unused()
        raise syntax_error(first.text)

    # MARK: queries

    def _query(self, toks: list[L.Tok], ctx: "StatementContext", register_interrupt, probe) -> QueryResult:
        if toks[0].is_word("TABLE"):
            parts, _ = L.parse_name(toks, 1)
            toks = L.tokenize("SELECT * FROM " + ".".join("`" + p.replace("`", "``") + "`" for p in parts))
        text = ctx.emit(replace_tables(ctx, toks))
        reads = None
        if ctx.cacheable and not any(t.kind == "word" and t.value in NON_DETERMINISTIC for t in toks):
            reads = tuple(ctx.reads)
            hit = probe(reads) if probe is not None else None
            if hit is not None:
                return QueryResult(reads=reads, cached=hit)
        qr = ctx.stream(text, register_interrupt)
        if len(ctx.registered) == 1 and not qr.is_ddl:
            qr.not_null = _not_null_columns(toks, ctx.registered[0])
        qr.reads = reads
        return qr

    def query_arrow(self, toks: list[L.Tok], ctx: "StatementContext") -> pa.Table:
        text = ctx.emit(replace_tables(ctx, toks))
        ctx.run_views()
        try:
            return ctx.con.sql(text).to_arrow_table()
        except duckdb.Error as e:
            raise map_duckdb_error(e)


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

