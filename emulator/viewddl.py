"""`CREATE [OR REPLACE] [MATERIALIZED] VIEW [IF NOT EXISTS] v [(col, ...)] [COMMENT '...'] AS query`
and `DROP [MATERIALIZED] VIEW [IF EXISTS] v`."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pyarrow as pa

from . import sqllex as L
from . import views
from .catalog import not_found
from .queryresult import QueryResult
from .sqlerrors import SQLError, syntax_error
from .tablewrite import storage_type

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def create_view(engine: "Engine", toks: list[L.Tok], i: int, replace: bool, ctx: "StatementContext") -> QueryResult:
    """`toks[i]` is MATERIALIZED or VIEW."""
    kind = "VIEW"
    if toks[i].is_word("MATERIALIZED"):
        kind = "MATERIALIZED_VIEW"
        i += 1
    i += 1  # VIEW
    if_not = False
    if i + 2 < len(toks) and toks[i].is_word("IF") and toks[i + 1].is_word("NOT") and toks[i + 2].is_word("EXISTS"):
        if_not = True
        i += 3
    from .ddl import target_new
    ref, i = target_new(engine, toks, i, ctx)
    aliases = None
    if i < len(toks) and toks[i].is_punct("("):
        j = L.matching_paren(toks, i)
        aliases = [p[0].ident for p in L.split_top(toks[i + 1:j]) if p and p[0].is_ident]
        i = j + 1
    comment = None
    while i < len(toks) and not toks[i].is_word("AS"):
        if toks[i].is_word("COMMENT") and i + 1 < len(toks):
            comment = toks[i + 1].value
            i += 2
        else:
            raise syntax_error(toks[i].text)
    if i + 1 >= len(toks):
        raise syntax_error("end of input")
    query = toks[i + 1:]
    cat = engine.catalog
    if cat.exists(ref):
        if replace:
            raise views.expects_view(ref, "CREATE OR REPLACE VIEW")
        if if_not:
            return QueryResult()
        raise _already_exists(ref)
    if cat.is_view(ref) and not replace:
        if if_not:
            return QueryResult()
        raise _already_exists(ref)
    # The columns as of creation: the query's result shape, read without its rows.
    probe = L.tokenize("SELECT * FROM (" + " ".join(t.text for t in query) + ") LIMIT 0")
    schema = engine.query_arrow(probe, ctx).schema
    if aliases is not None:
        if len(aliases) != len(schema):
            raise SQLError("CREATE_VIEW_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS" if len(aliases) > len(schema)
                           else "CREATE_VIEW_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS",
                           f"Cannot create view {ref.quoted}: {len(aliases)} column names for {len(schema)} "
                           "columns of the query.", "21S01")
        schema = pa.schema([pa.field(a, f.type) for a, f in zip(aliases, schema)])
        query = L.tokenize("SELECT * FROM (" + " ".join(t.text for t in query) + ") AS __view("
                           + ", ".join(L.sql_ident(a) for a in aliases) + ")")
    schema = pa.schema([pa.field(f.name, storage_type(f.type)) for f in schema])
    views.write(cat.path(ref), " ".join(t.text for t in query), kind, schema, comment)
    return QueryResult()


def drop_view(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    if toks[i].is_word("MATERIALIZED"):
        i += 1
    i += 1  # VIEW
    if_exists = False
    if i + 1 < len(toks) and toks[i].is_word("IF") and toks[i + 1].is_word("EXISTS"):
        if_exists = True
        i += 2
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if engine.catalog.exists(ref):
        raise wrong_command(ref, "DROP VIEW", "DROP TABLE", "a table")
    if not engine.catalog.is_view(ref):
        if if_exists:
            return QueryResult()
        raise not_found(ref)
    shutil.rmtree(engine.catalog.path(ref))
    return QueryResult()


def wrong_command(ref, used: str, instead: str, what: str) -> SQLError:
    return SQLError("WRONG_COMMAND_FOR_OBJECT_TYPE",
                    f"[WRONG_COMMAND_FOR_OBJECT_TYPE] The operation {used} requires a "
                    f"{'VIEW' if used.endswith('VIEW') else 'TABLE'}. But {ref.quoted} is {what}. "
                    f"Use {instead} instead. SQLSTATE: 42809", "42809")


def _already_exists(ref) -> SQLError:
    return SQLError("TABLE_OR_VIEW_ALREADY_EXISTS",
                    f"[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view {ref.quoted} because it already "
                    "exists. SQLSTATE: 42P07", "42P07")
