"""`CREATE [OR REPLACE] TABLE`, `CREATE SCHEMA|CATALOG`, `DROP TABLE`."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pyarrow as pa
from deltalake import write_deltalake

from . import sqllex as L
from .catalog import TableRef, not_found
from .ddltypes import parse_type
from .queryresult import QueryResult
from .sqlerrors import SQLError, syntax_error
from .tablewrite import storage_type

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def create(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
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
            path = os.path.join(engine.catalog.root, parts[0])
        else:
            cat = parts[0] if len(parts) == 2 else ctx.session.catalog
            path = os.path.join(engine.catalog.root, cat, parts[-1])
        if os.path.isdir(path) and not if_not:
            raise SQLError("SCHEMA_ALREADY_EXISTS", f"Cannot create {kind.lower()} `{parts[-1]}` because it already exists.", "42P06")
        os.makedirs(path, exist_ok=True)
        return QueryResult()
    if not toks[i].is_word("TABLE"):
        raise syntax_error(toks[i].text)
    i += 1
    if_not = False
    if toks[i].is_word("IF"):
        if_not = True
        i += 3
    ref, i = _target_new(engine, toks, i, ctx)
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
            raise syntax_error(t.text)
    exists = engine.catalog.exists(ref)
    if exists and if_not:
        return QueryResult()
    if exists and not replace:
        raise SQLError("TABLE_OR_VIEW_ALREADY_EXISTS",
                       f"Cannot create table or view {ref.quoted} because it already exists.", "42P07")
    if as_idx is not None:
        data = engine.query_arrow(toks[as_idx:], ctx)
        data = data.cast(pa.schema([pa.field(f.name, storage_type(f.type)) for f in data.schema]))
    else:
        if schema is None:
            raise syntax_error("end of input")
        data = schema.empty_table()
    os.makedirs(os.path.dirname(engine.catalog.path(ref)), exist_ok=True)
    cfg = {k: v for k, v in props.items() if k.startswith("delta.")}
    write_deltalake(engine.catalog.path(ref), data, mode="overwrite" if exists else "error",
                    configuration=cfg or None, description=comment,
                    schema_mode="overwrite" if exists else None)
    return QueryResult()

def _target_new(engine: "Engine", toks, i: int, ctx: "StatementContext") -> tuple[TableRef, int]:
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if ref.schema not in engine.catalog.schemas(ref.catalog):
        raise SQLError("SCHEMA_NOT_FOUND", f"The schema `{ref.catalog}`.`{ref.schema}` cannot be found.", "42704")
    return ref, i

def drop(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    if not toks[i].is_word("TABLE"):
        raise syntax_error(toks[i].text)
    i += 1
    if_exists = False
    if toks[i].is_word("IF"):
        if_exists = True
        i += 2
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if not engine.catalog.exists(ref):
        if if_exists:
            return QueryResult()
        raise not_found(ref)
    shutil.rmtree(engine.catalog.path(ref))
    return QueryResult()


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

