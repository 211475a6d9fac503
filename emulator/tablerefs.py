"""Table references in a query's FROM clauses become relations DuckDB can scan: a Delta snapshot
(optionally time travelled) as a view over its Parquet files, `table_changes(...)` and
`information_schema` views as registered Arrow tables. CTE names are left alone."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from . import sqllex as L
from . import timetravel
from . import views
from . import types as T
from .catalog import TableRef, not_found
from .changefeed import table_changes
from .infoschema import information_schema
from .sqlerrors import SQLError, syntax_error
from .tablewrite import storage_schema

if TYPE_CHECKING:
    from .statementctx import StatementContext


def replace_tables(ctx: "StatementContext", toks: list[L.Tok]) -> list[L.Tok]:
    ctes = cte_names(toks)
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
            i = _from_item(ctx, toks, i + 1, out, ctes)
            continue
        if t.is_punct(",") and from_depths and from_depths[-1] == depth:
            out.append(t)
            i = _from_item(ctx, toks, i + 1, out, ctes)
            continue
        if t.kind == "word" and t.value in ("WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT",
                                            "INTERSECT", "QUALIFY", "WINDOW", "SELECT") \
                and from_depths and from_depths[-1] == depth:
            from_depths.pop()
        out.append(t)
        i += 1
    return out


def _from_item(ctx: "StatementContext", toks, i, out, ctes) -> int:
    if i >= len(toks):
        return i
    t = toks[i]
    if t.is_punct("(") or not t.is_ident:
        return i
    if t.kind == "word" and t.value in L.CLAUSE_WORDS and t.value not in ("VERSION", "TIMESTAMP"):
        raise syntax_error(t.text)
    if t.kind == "word" and t.value == "TABLE_CHANGES" and i + 1 < len(toks) and toks[i + 1].is_punct("("):
        ctx.cacheable = False
        j = L.matching_paren(toks, i + 1)
        args = L.split_top(toks[i + 2:j])
        out.append(L.Tok("raw", ctx.register_arrow(table_changes(ctx, args)), "", t.pos))
        i = j + 1
        return _alias(toks, i, out, "table_changes")
    if t.kind == "word" and (t.value in ("LATERAL", "VALUES", "UNNEST", "SELECT")
                             or (i + 1 < len(toks) and toks[i + 1].is_punct("("))):
        return i
    parts, j = L.parse_name(toks, i)
    if len(parts) == 1 and parts[0].lower() in ctes:
        return i
    if len(parts) >= 2 and parts[-2].lower() == "information_schema":
        cat = parts[0] if len(parts) == 3 else ctx.session.catalog
        ctx.cacheable = False
        out.append(L.Tok("raw", ctx.register_arrow(information_schema(ctx.engine.catalog, cat, parts[-1].lower())), "", t.pos))
        return _alias(toks, j, out, parts[-1])
    version, ts_toks, j = timetravel.parse_clause(toks, j)
    ref = ctx.engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if ctx.engine.catalog.is_view(ref):
        if version is not None or ts_toks is not None:
            raise views.no_time_travel(ref)
        out.append(L.Tok("raw", "(" + _view_query(ctx, ref) + ")", "", t.pos))
        return _alias(toks, j, out, ref.table)
    if not ctx.engine.catalog.exists(ref):
        raise not_found(ref)
    if ts_toks is not None:
        version = timetravel.version_at(ctx, ref, ts_toks)
    out.append(L.Tok("raw", register_snapshot(ctx, ref, version), "", t.pos))
    return _alias(toks, j, out, ref.table)


def _view_query(ctx: "StatementContext", ref: TableRef) -> str:
    """The view's definition, its own table references replaced, for DuckDB."""
    view = ctx.engine.catalog.view(ref) or {}
    expanding = getattr(ctx, "expanding_views", set())
    if ref.full_name in expanding:
        raise views.recursive(ref)
    ctx.expanding_views = expanding | {ref.full_name}
    ctx.cacheable = False   # a replaced view changes what the same text reads
    try:
        return ctx.emit(replace_tables(ctx, L.tokenize(view.get("definition", ""))))
    finally:
        ctx.expanding_views = expanding


def _alias(toks, j, out, default) -> int:
    if j < len(toks):
        x = toks[j]
        if x.is_word("AS") or (x.is_ident and not (x.kind == "word" and x.value in L.CLAUSE_WORDS)):
            return j
    out.append(L.Tok("raw", "AS " + L.sql_ident(default), "", -1))
    return j


def register_snapshot(ctx: "StatementContext", ref: TableRef, version: Optional[int]) -> str:
    snap = ctx.engine.catalog.snapshot(ref, version)
    name = ctx.new_name()
    schema = snap.schema
    ctx.registered.append(schema)
    ctx.reads.append((snap.table_uri, snap.table_id, snap.version))
    for f in schema:
        if T.is_variant_field(f):
            ctx.variant_names.add(f.name)
    files = snap.files
    for p in files:
        if not os.path.exists(p):  # removed by VACUUM: the version can no longer be read
            raise SQLError("DELTA_FILE_NOT_FOUND_DETAILED",
                           f"File {p} referenced in the transaction log cannot be found. This occurs when data has "
                           "been manually deleted from the file system rather than using the table `DELETE` "
                           "statement.", "42K03")
    if files:
        cols = ", ".join(L.sql_ident(f.name) for f in schema)
        ctx.create_view(f"CREATE TEMP VIEW {L.sql_ident(name)} AS SELECT {cols} FROM read_parquet("
                        f"[{', '.join(L.sql_string(p) for p in files)}], union_by_name = true)")
    else:
        ctx.con.register(name, storage_schema(schema).empty_table())
    return L.sql_ident(name)


def cte_names(toks: list[L.Tok]) -> set[str]:
    names = set()
    for k, t in enumerate(toks):
        if t.is_ident and k + 2 < len(toks) and toks[k + 1].is_word("AS") and toks[k + 2].is_punct("("):
            if k > 0 and (toks[k - 1].is_word("WITH", "RECURSIVE") or toks[k - 1].is_punct(",")):
                names.add(t.ident.lower())
        if t.is_ident and k + 1 < len(toks) and toks[k + 1].is_punct("(") and k > 0 and toks[k - 1].is_word("WITH"):
            names.add(t.ident.lower())
    return names

