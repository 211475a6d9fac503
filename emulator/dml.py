"""`INSERT INTO|OVERWRITE`, `UPDATE`, `DELETE`, `MERGE INTO`, through deltalake's own operations so
the Delta log (history, operation metrics, change data feed) is what a real writer leaves. UPDATE /
DELETE / MERGE expressions are evaluated by deltalake's DataFusion engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from deltalake import write_deltalake

from . import sqllex as L
from .catalog import TableRef
from .queryresult import QueryResult, counts
from .sqlerrors import SQLError, first_line, syntax_error
from .tablewrite import align_columns, cast_like

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def _target(engine: "Engine", toks, i: int, ctx: "StatementContext") -> tuple[TableRef, int]:
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    engine.catalog.require_table(ref, "INSERT, UPDATE, DELETE or MERGE")
    return ref, i

def insert(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    mode = "append"
    if toks[i].is_word("OVERWRITE"):
        mode = "overwrite"
    elif not toks[i].is_word("INTO"):
        raise syntax_error(toks[i].text)
    i += 1
    if toks[i].is_word("TABLE"):
        i += 1
    ref, i = _target(engine, toks, i, ctx)
    cols = None
    if i < len(toks) and toks[i].is_punct("(") and not (i + 1 < len(toks) and toks[i + 1].is_word("SELECT", "WITH", "VALUES")):
        j = L.matching_paren(toks, i)
        cols = [p[0].ident for p in L.split_top(toks[i + 1:j]) if p]
        i = j + 1
    source = toks[i:]
    if not source:
        raise syntax_error("end of input")
    with engine.catalog.write_lock(ref):
        dt = engine.catalog.open(ref)
        target = engine.catalog.arrow_schema(dt)
        data = engine.query_arrow(source, ctx)
        table = align_columns(data, target, cols)
        write_deltalake(engine.catalog.path(ref), table, mode=mode)
    return counts(num_affected_rows=table.num_rows, num_inserted_rows=table.num_rows)

def update(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    ref, i = _target(engine, toks, 1, ctx)
    alias = None
    if i < len(toks) and toks[i].is_word("AS"):
        i += 1
    if i < len(toks) and toks[i].is_ident and not toks[i].is_word("SET"):
        alias = toks[i].ident
        i += 1
    if i >= len(toks) or not toks[i].is_word("SET"):
        raise syntax_error(toks[i].text if i < len(toks) else "end of input")
    w = L.find_word(toks, "WHERE", i)
    assigns = toks[i + 1:w] if w is not None else toks[i + 1:]
    pred = toks[w + 1:] if w is not None else None
    updates = {}
    for a in L.split_top(assigns):
        eq = next(k for k, t in enumerate(a) if t.is_punct("="))
        col = _strip_qual(a[:eq], alias, ref.table)
        updates[col[-1].ident] = ctx.emit_df(_strip_qual(a[eq + 1:], alias, ref.table))
    with engine.catalog.write_lock(ref):
        dt = engine.catalog.open(ref)
        try:
            m = dt.update(updates=updates,
                          predicate=ctx.emit_df(_strip_qual(pred, alias, ref.table)) if pred else None)
        except Exception as e:  # deltalake raises its own error types
            raise SQLError("DELTA_UPDATE_FAILED", f"UPDATE failed: {first_line(e)}", "42000")
    return counts(num_affected_rows=int(m.get("num_updated_rows", 0)))

def delete(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    if not toks[1].is_word("FROM"):
        raise syntax_error(toks[1].text)
    ref, i = _target(engine, toks, 2, ctx)
    alias = None
    if i < len(toks) and toks[i].is_word("AS"):
        i += 1
    if i < len(toks) and toks[i].is_ident and not toks[i].is_word("WHERE"):
        alias = toks[i].ident
        i += 1
    pred = None
    if i < len(toks):
        if not toks[i].is_word("WHERE"):
            raise syntax_error(toks[i].text)
        pred = ctx.emit_df(_strip_qual(toks[i + 1:], alias, ref.table))
    with engine.catalog.write_lock(ref):
        dt = engine.catalog.open(ref)
        try:
            m = dt.delete(pred)
        except Exception as e:
            raise SQLError("DELTA_DELETE_FAILED", f"DELETE failed: {first_line(e)}", "42000")
    return counts(num_affected_rows=int(m.get("num_deleted_rows", 0)))

def merge(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    if not toks[1].is_word("INTO"):
        raise syntax_error(toks[1].text)
    ref, i = _target(engine, toks, 2, ctx)
    talias = ref.table
    if toks[i].is_word("AS"):
        i += 1
    if toks[i].is_ident and not toks[i].is_word("USING"):
        talias = toks[i].ident
        i += 1
    if not toks[i].is_word("USING"):
        raise syntax_error(toks[i].text)
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
        raise syntax_error(toks[i].text)
    i += 1
    w = L.find_word(toks, "WHEN", i)
    if w is None:
        raise syntax_error("end of input")
    on = ctx.emit_df(toks[i:w])
    clauses = []
    pos = w
    while pos is not None and pos < len(toks):
        nxt = L.find_word(toks, "WHEN", pos + 1)
        clauses.append(toks[pos:nxt] if nxt is not None else toks[pos:])
        pos = nxt
    with engine.catalog.write_lock(ref):
        dt = engine.catalog.open(ref)
        target = engine.catalog.arrow_schema(dt)
        src = engine.query_arrow(src_toks, ctx)
        src = cast_like(src, target)
        merger = dt.merge(src, predicate=on, source_alias=salias, target_alias=talias)
        for c in clauses:
            merger = _merge_clause(merger, c, ctx)
        try:
            m = merger.execute()
        except Exception as e:
            raise SQLError("DELTA_MERGE_FAILED", f"MERGE failed: {first_line(e)}", "42000")
    ins = int(m.get("num_target_rows_inserted", 0))
    upd = int(m.get("num_target_rows_updated", 0))
    dele = int(m.get("num_target_rows_deleted", 0))
    return counts(num_affected_rows=ins + upd + dele, num_updated_rows=upd, num_deleted_rows=dele,
                   num_inserted_rows=ins)

def _merge_clause(merger, c: list[L.Tok], ctx: "StatementContext"):
    i = 1
    negated = False
    if c[i].is_word("NOT"):
        negated = True
        i += 1
    if not c[i].is_word("MATCHED"):
        raise syntax_error(c[i].text)
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
        raise syntax_error(c[i].text)
    i += 1
    action = c[i].value
    rest = c[i + 1:]
    if action == "DELETE":
        if negated and by_source:
            return merger.when_not_matched_by_source_delete(cond)
        return merger.when_matched_delete(cond)
    if action == "UPDATE":
        if not rest or not rest[0].is_word("SET"):
            raise syntax_error(rest[0].text if rest else "end of input")
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
            raise syntax_error(rest[-1].text)
        k = L.matching_paren(rest, v + 1)
        exprs = [ctx.emit_df(p) for p in L.split_top(rest[v + 2:k])]
        return merger.when_not_matched_insert(dict(zip(cols, exprs)), cond)
    raise syntax_error(c[i].text)

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

