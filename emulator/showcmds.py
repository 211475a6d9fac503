"""`SHOW CATALOGS|SCHEMAS|TABLES [IN ...] [LIKE 'p']`, `SHOW COLUMNS IN t`, `SHOW TBLPROPERTIES t`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

import pyarrow as pa

from . import sqllex as L
from .queryresult import QueryResult
from .sqlerrors import syntax_error

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def show(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    what = toks[1].value if len(toks) > 1 else ""
    i = 2
    like = None
    if what == "CATALOGS":
        if i < len(toks) and toks[i].is_word("LIKE"):
            i += 1
        if i < len(toks) and toks[i].kind == "str":
            like = toks[i].value
        names = [c for c in engine.catalog.catalogs() if _like(c, like)]
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
        names = [s for s in engine.catalog.schemas(cat) if _like(s, like)]
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
        names = [t for t in engine.catalog.relations(cat, sch) if _like(t, like)]
        return QueryResult.of_table(pa.table({
            "database": pa.array([sch] * len(names), pa.string()),
            "tableName": pa.array(names, pa.string()),
            "isTemporary": pa.array([False] * len(names), pa.bool_())}),
            frozenset({"database", "tableName", "isTemporary"}))
    if what in ("COLUMNS", "TBLPROPERTIES"):
        if what == "COLUMNS":
            if i >= len(toks) or not toks[i].is_word("IN", "FROM"):
                raise syntax_error(toks[i].text if i < len(toks) else "end of input")
            i += 1
        parts, i = L.parse_name(toks, i)
        ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
        dt = engine.catalog.open(ref)
        if what == "COLUMNS":
            names = [f["name"] for f in engine.catalog.schema_json(dt)["fields"]]
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
    raise syntax_error(toks[1].text if len(toks) > 1 else "SHOW")

def _like(name: str, pattern: Optional[str]) -> bool:
    if not pattern:
        return True
    alts = pattern.split("|")
    for a in alts:
        rx = "^" + re.escape(a.strip()).replace(r"\*", ".*").replace("%", ".*") + "$"
        if re.match(rx, name, re.IGNORECASE):
            return True
    return False

