"""`CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t (cols, [CONSTRAINT pk] PRIMARY KEY (...)) [TBLPROPERTIES] [AS q]`,
`CREATE SCHEMA|CATALOG`, `DROP TABLE`; views are viewddl.py's.

Names follow Unity Catalog's rule: any character but a period, a space, a forward slash, ASCII
control characters and DELETE (backticks, quotes and non-ASCII letters are fine when quoted)."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Optional

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from . import sqllex as L
from . import ucrecord
from .catalog import TableRef, not_found
from .ddlclauses import (check_primary_key, check_properties, column_def, is_table_constraint, primary_key_clause,
                         properties, property_error)
from .queryresult import QueryResult
from .sqlerrors import SQLError, first_line, syntax_error
from .tablewrite import storage_type
from .ucrecord import PrimaryKey, UCRecord
from .viewddl import create_view, drop_view, wrong_command

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
        check_name(parts[-1], kind.lower())
        if kind == "CATALOG":
            path = os.path.join(engine.catalog.root, parts[0])
        else:
            cat = parts[0] if len(parts) == 2 else ctx.session.catalog
            path = os.path.join(engine.catalog.root, cat, parts[-1])
        if os.path.isdir(path) and not if_not:
            raise SQLError("SCHEMA_ALREADY_EXISTS", f"Cannot create {kind.lower()} `{parts[-1]}` because it already exists.", "42P06")
        os.makedirs(path, exist_ok=True)
        return QueryResult()
    if toks[i].is_word("VIEW", "MATERIALIZED"):
        return create_view(engine, toks, i, replace, ctx)
    if not toks[i].is_word("TABLE"):
        raise syntax_error(toks[i].text)
    i += 1
    if_not = False
    if toks[i].is_word("IF"):
        if_not = True
        i += 3
    ref, i = target_new(engine, toks, i, ctx)
    schema = None
    pk: Optional[PrimaryKey] = None
    if i < len(toks) and toks[i].is_punct("("):
        j = L.matching_paren(toks, i)
        fields = []
        for p in L.split_top(toks[i + 1:j]):
            if is_table_constraint(p):
                key = primary_key_clause(p, f"{ref.table}_pk")
            else:
                field, primary = column_def(p)
                fields.append(field)
                key = PrimaryKey(f"{ref.table}_pk", [field.name]) if primary else None
            if key is not None:
                if pk is not None:
                    raise SQLError("DELTA_CONSTRAINT_ALREADY_EXISTS",
                                   f"Constraint '{pk.name}' already exists. Please delete the old constraint first.\n"
                                   f"Old constraint:\nPRIMARY KEY ({', '.join(pk.columns)})", "42710")
                pk = key
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
            more, i = properties(toks, i + 1)
            props.update(more)
        elif t.is_word("AS"):
            as_idx = i + 1
            break
        else:
            raise syntax_error(t.text)
    check_properties(props)
    exists = engine.catalog.exists(ref)
    if engine.catalog.is_view(ref):
        if if_not:
            return QueryResult()
        if replace:
            raise wrong_command(ref, "CREATE OR REPLACE TABLE", "CREATE OR REPLACE VIEW", "a view")
        raise SQLError("TABLE_OR_VIEW_ALREADY_EXISTS",
                       f"Cannot create table or view {ref.quoted} because it already exists.", "42P07")
    if exists and if_not:
        return QueryResult()
    if exists and not replace:
        raise SQLError("TABLE_OR_VIEW_ALREADY_EXISTS",
                       f"Cannot create table or view {ref.quoted} because it already exists.", "42P07")
    data = None
    if as_idx is not None:
        data = engine.query_arrow(toks[as_idx:], ctx)
        data = data.cast(pa.schema([pa.field(f.name, storage_type(f.type)) for f in data.schema]))
        schema = data.schema
    elif schema is None:
        raise syntax_error("end of input")
    if pk is not None:
        pk = check_primary_key(pk, schema)
    path = engine.catalog.path(ref)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with engine.catalog.write_lock(ref):
        try:
            if exists:
                _replace(path, schema, data, props, comment, pk)
            elif data is not None:
                write_deltalake(path, data, mode="error", configuration=props or None, description=comment)
            else:
                DeltaTable.create(path, schema=schema, mode="error", configuration=props or None,
                                  description=comment)
        except Exception as e:  # deltalake raises several exception types
            if props:
                raise property_error(e, f"Cannot create table {ref.quoted}")
            raise SQLError("DELTA_CREATE_TABLE_FAILED", f"Cannot create table {ref.quoted}: {first_line(e)}", "42000")
        if pk is not None and not exists:
            ucrecord.write(path, UCRecord(primary_key=pk))
    return QueryResult()


def _replace(path: str, schema: pa.Schema, data: Optional[pa.Table], props: dict, comment: Optional[str],
             pk: Optional[PrimaryKey]) -> None:
    """CREATE OR REPLACE of an existing table: one new commit with new Delta metadata (a new Delta
    table id) on the same log, so history and time travel to older versions remain. The Unity
    Catalog table id and the securable stay; the constraints are the new definition's."""
    old = DeltaTable(path)
    ucrecord.write(path, UCRecord(table_id=ucrecord.table_id(path, old.metadata().id), primary_key=pk))
    if data is None:
        DeltaTable.create(path, schema=schema, mode="overwrite", configuration=props or None, description=comment)
    else:
        # a new Delta table id needs the CREATE OR REPLACE commit; the rows follow as their own commit
        DeltaTable.create(path, schema=data.schema, mode="overwrite", configuration=props or None,
                          description=comment)
        write_deltalake(path, data, mode="append")


def check_name(name: str, what: str) -> None:
    bad = [c for c in name if c in "./ " or ord(c) < 0x20 or ord(c) == 0x7F]
    if bad or not name or len(name) > 255:
        why = f"it contains {bad[0]!r}" if bad else "it must have 1 to 255 characters"
        raise SQLError("INVALID_SCHEMA_OR_RELATION_NAME",
                       f"[INVALID_SCHEMA_OR_RELATION_NAME] `{name.replace('`', '``')}` is not a valid name for a "
                       f"{what} in Unity Catalog: {why}. Names cannot contain a period, a space, a forward slash "
                       "or control characters. SQLSTATE: 42602", "42602")


def target_new(engine: "Engine", toks, i: int, ctx: "StatementContext") -> tuple[TableRef, int]:
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    check_name(ref.table, "table")
    if ref.schema not in engine.catalog.schemas(ref.catalog):
        raise SQLError("SCHEMA_NOT_FOUND", f"The schema `{ref.catalog}`.`{ref.schema}` cannot be found.", "42704")
    return ref, i


def drop(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    i = 1
    if toks[i].is_word("VIEW", "MATERIALIZED"):
        return drop_view(engine, toks, ctx)
    if not toks[i].is_word("TABLE"):
        raise syntax_error(toks[i].text)
    i += 1
    if_exists = False
    if toks[i].is_word("IF"):
        if_exists = True
        i += 2
    parts, i = L.parse_name(toks, i)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    if engine.catalog.is_view(ref):
        raise wrong_command(ref, "DROP TABLE", "DROP VIEW", "a view")
    if not engine.catalog.exists(ref):
        if if_exists:
            return QueryResult()
        raise not_found(ref)
    shutil.rmtree(engine.catalog.path(ref))
    return QueryResult()
