"""Statements that change the session: `USE [CATALOG|SCHEMA] x`, `SET k=v`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from . import sqllex as L
from .queryresult import QueryResult
from .sqlerrors import SQLError

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def use_namespace(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    kind = "SCHEMA"
    if i < len(toks) and toks[i].is_word("CATALOG", "SCHEMA", "DATABASE"):
        kind = "CATALOG" if toks[i].value == "CATALOG" else "SCHEMA"
        i += 1
    parts, i = L.parse_name(toks, i)
    if kind == "CATALOG":
        engine.catalog.schemas(parts[0])
        ctx.session.catalog = parts[0]
        ctx.session.schema = "default"
    else:
        cat = parts[0] if len(parts) == 2 else ctx.session.catalog
        sch = parts[-1]
        if sch not in engine.catalog.schemas(cat):
            raise SQLError("SCHEMA_NOT_FOUND", f"The schema `{cat}`.`{sch}` cannot be found.", "42704")
        ctx.session.catalog, ctx.session.schema = cat, sch
    return QueryResult()

def set_conf(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    eq = next((n for n, t in enumerate(toks) if t.is_punct("=")), None)
    if eq is not None:
        # a dotted key is several tokens; it is kept as written, without spaces
        k = "".join(t.value if t.kind == "bq" else t.text for t in toks[1:eq])
        v = " ".join(t.value if t.kind == "str" else t.text for t in toks[eq + 1:])
        ctx.session.confs[k] = v
        return QueryResult.of_table(pa.table({"key": [k], "value": [v]}))
    return QueryResult.of_table(pa.table({"key": pa.array([], pa.string()), "value": pa.array([], pa.string())}))
