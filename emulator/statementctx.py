"""Per-statement state: the statement's DuckDB cursor, the relations registered for it, its
parameter values, and what it read (for the result cache)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from . import sqllex as L
from .queryresult import QueryResult, Session
from .sqlerrors import map_duckdb_error, map_stream_error
from .sqltranslate import Translator

if TYPE_CHECKING:
    from .sqlengine import Engine


class StatementContext:
    """Per-statement state: DuckDB cursor, registered relations, parameter values."""

    def __init__(self, engine: "Engine", session: Session, params: list[dict]):
        self.engine = engine
        self.session = session
        self.params = {p.get("name"): p for p in (params or [])}
        self.con = engine.db.cursor()   # in the session time zone (Engine sets it GLOBAL)
        self.n = 0
        self.variant_names: set[str] = set()
        self.streaming = False
        self.registered: list[pa.Schema] = []
        self.pending_views: list[str] = []   # CREATE TEMP VIEW statements not yet run (see create_view)
        self.reads: list[tuple] = []   # Delta tables scanned, for the result cache's key
        self.cacheable = True          # False once the query reads something that is not a pinned Delta table
        self.translator = Translator(session, self.params)

    def close_unused(self):
        if not self.streaming:
            try:
                self.con.close()
            except duckdb.Error:
                pass

    def register_arrow(self, table: pa.Table) -> str:
        """Registers an Arrow table for this statement; returns the identifier to query it by."""
        name = self.new_name()
        self.con.register(name, table)
        return L.sql_ident(name)

    def create_view(self, sql: str) -> None:
        """A view the query reads, created when the query runs: a query answered from the result
        cache never runs, and DuckDB reads the Parquet footers when it creates the view."""
        self.pending_views.append(sql)

    def run_views(self) -> None:
        """Creates the pending views (their DuckDB errors are not mapped to SQL errors)."""
        while self.pending_views:
            self.con.execute(self.pending_views.pop(0))

    def new_name(self) -> str:
        name = f"__dbx_t{self.n}"
        self.n += 1
        return name

    def emit(self, toks: list[L.Tok]) -> str:
        return self.translator.emit(toks)

    def emit_df(self, toks: list[L.Tok]) -> str:
        """Expression text for deltalake (DataFusion SQL)."""
        return self.translator.emit_df(toks)

    def stream(self, text: str, register_interrupt) -> QueryResult:
        con = self.con
        self.run_views()
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
                        raise map_stream_error(e)
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

