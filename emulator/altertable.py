"""`ALTER TABLE t ...`: SET TBLPROPERTIES, ADD COLUMN[S], ADD [CONSTRAINT n] PRIMARY KEY (...),
ADD CONSTRAINT n CHECK (...), DROP PRIMARY KEY, DROP CONSTRAINT n.

Table properties, new columns and CHECK constraints are Delta metadata commits made by deltalake
(they show in DESCRIBE HISTORY as SET TBLPROPERTIES / ADD COLUMNS / ADD CONSTRAINT). Primary keys
live in the Unity Catalog record (ucrecord.py). Dropping or renaming a column needs Delta column
mapping, which deltalake cannot write, so those fail the way Databricks fails them on a table
without column mapping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from deltalake import Schema as DeltaSchema

from . import sqllex as L
from . import ucrecord
from .catalog import TableRef
from .ddlclauses import (check_primary_key, check_properties, column_def, primary_key_clause, properties,
                         property_error)
from .queryresult import QueryResult
from .sqlerrors import SQLError, first_line, syntax_error

if TYPE_CHECKING:
    from .sqlengine import Engine
    from .statementctx import StatementContext


def alter(engine: "Engine", toks: list[L.Tok], ctx: "StatementContext") -> QueryResult:
    if len(toks) < 3 or not toks[1].is_word("TABLE"):
        raise syntax_error(toks[1].text if len(toks) > 1 else "end of input")
    parts, i = L.parse_name(toks, 2)
    ref = engine.catalog.resolve(parts, ctx.session.catalog, ctx.session.schema)
    engine.catalog.require_table(ref, "ALTER TABLE")
    if i >= len(toks):
        raise syntax_error("end of input")
    rest = toks[i:]
    with engine.catalog.write_lock(ref):
        if rest[0].is_word("SET") and len(rest) > 1 and rest[1].is_word("TBLPROPERTIES"):
            _set_properties(engine, ref, rest)
        elif rest[0].is_word("ADD") and len(rest) > 1 and rest[1].is_word("COLUMN", "COLUMNS"):
            _add_columns(engine, ref, rest[2:])
        elif rest[0].is_word("ADD"):
            _add_constraint(engine, ref, rest[1:])
        elif rest[0].is_word("DROP") and len(rest) > 1 and rest[1].is_word("PRIMARY", "CONSTRAINT"):
            _drop_constraint(engine, ref, rest[1:])
        elif rest[0].is_word("DROP") and len(rest) > 1 and rest[1].is_word("COLUMN", "COLUMNS"):
            raise SQLError("DELTA_UNSUPPORTED_DROP_COLUMN", _mapping_advice("DROP COLUMN is not supported for "
                                                                            "your Delta table.", ref), "0AKDC")
        elif rest[0].is_word("RENAME") and len(rest) > 1 and rest[1].is_word("COLUMN"):
            raise SQLError("DELTA_UNSUPPORTED_RENAME_COLUMN", _mapping_advice("Column rename is not supported for "
                                                                              "your Delta table.", ref), "0AKDC")
        else:
            raise syntax_error(rest[0].text)
    return QueryResult()


def _mapping_advice(what: str, ref: TableRef) -> str:
    return (f"{what} Please upgrade your Delta table to reader version 2 and writer version 5 and change the column "
            f"mapping mode to 'name' mapping. You can use the following command:\n\nALTER TABLE {ref.quoted} SET "
            "TBLPROPERTIES (\n'delta.columnMapping.mode' = 'name',\n'delta.minReaderVersion' = '2',\n"
            "'delta.minWriterVersion' = '5')")


def _set_properties(engine: "Engine", ref: TableRef, rest: list[L.Tok]) -> None:
    props, j = properties(rest, 2)
    if j != len(rest):
        raise syntax_error(rest[j].text)
    if any(k.lower() == "delta.columnmapping.mode" for k in props):
        raise SQLError("UNSUPPORTED_FEATURE", "[UNSUPPORTED_FEATURE] Column mapping is not supported by the "
                       "emulator.", "0A000")
    check_properties(props)
    dt = engine.catalog.open(ref)
    try:
        dt.alter.set_table_properties(props, raise_if_not_exists=False)
    except Exception as e:  # deltalake rejects unknown delta.* keys and values it cannot parse
        raise property_error(e, "Cannot set table properties")


def _add_columns(engine: "Engine", ref: TableRef, rest: list[L.Tok]) -> None:
    if rest and rest[0].is_punct("("):
        j = L.matching_paren(rest, 0)
        if j != len(rest) - 1:
            raise syntax_error(rest[j + 1].text)
        defs = L.split_top(rest[1:j])
    else:
        defs = L.split_top(rest)
    if not defs or not all(defs):
        raise syntax_error("end of input")
    fields = []
    for d in defs:
        field, primary = column_def(d)
        if primary:
            raise syntax_error("PRIMARY")
        fields.append(field)
    dt = engine.catalog.open(ref)
    existing = {f.name.lower() for f in engine.catalog.arrow_schema(dt)}
    dup = [f.name for f in fields if f.name.lower() in existing]
    if dup or len({f.name.lower() for f in fields}) != len(fields):
        raise SQLError("DELTA_DUPLICATE_COLUMNS_FOUND",
                       f"[DELTA_DUPLICATE_COLUMNS_FOUND.ADDING_COLUMNS] Found duplicate column(s): "
                       f"{', '.join(dup or [f.name for f in fields])}. The duplicate was found while adding columns.",
                       "42711")
    try:
        dt.alter.add_columns(list(DeltaSchema.from_arrow(pa.schema(fields)).fields))
    except Exception as e:
        raise SQLError("DELTA_ADD_COLUMNS_FAILED", f"ALTER TABLE ADD COLUMNS failed: {first_line(e)}", "42000")


def _add_constraint(engine: "Engine", ref: TableRef, rest: list[L.Tok]) -> None:
    if len(rest) >= 3 and rest[0].is_word("CONSTRAINT") and rest[2].is_word("CHECK"):
        if len(rest) < 4 or not rest[3].is_punct("("):
            raise syntax_error(rest[3].text if len(rest) > 3 else "end of input")
        j = L.matching_paren(rest, 3)
        expr = " ".join(t.text for t in rest[4:j])
        dt = engine.catalog.open(ref)
        try:
            dt.alter.add_constraint({rest[1].ident: expr})
        except Exception as e:
            raise SQLError("DELTA_NEW_CHECK_CONSTRAINT_VIOLATION",
                           f"CHECK constraint {rest[1].ident} cannot be added: {first_line(e)}", "23512")
        return
    path = engine.catalog.path(ref)
    rec = ucrecord.read(path)
    pk = primary_key_clause(rest, f"{ref.table}_pk")
    if rec.primary_key is not None:
        raise SQLError("DELTA_CONSTRAINT_ALREADY_EXISTS",
                       f"Constraint '{rec.primary_key.name}' already exists. Please delete the old constraint first.\n"
                       f"Old constraint:\nPRIMARY KEY ({', '.join(rec.primary_key.columns)})", "42710")
    rec.primary_key = check_primary_key(pk, engine.catalog.arrow_schema(engine.catalog.open(ref)))
    ucrecord.write(path, rec)


def _drop_constraint(engine: "Engine", ref: TableRef, rest: list[L.Tok]) -> None:
    path = engine.catalog.path(ref)
    rec = ucrecord.read(path)
    i = 0
    if rest[0].is_word("PRIMARY"):
        if len(rest) < 2 or not rest[1].is_word("KEY"):
            raise syntax_error(rest[1].text if len(rest) > 1 else "end of input")
        i = 2
        name = rec.primary_key.name if rec.primary_key else None
    else:
        i = 1
    if_exists = i + 1 < len(rest) and rest[i].is_word("IF") and rest[i + 1].is_word("EXISTS")
    if if_exists:
        i += 2
    if rest[0].is_word("CONSTRAINT"):
        if i >= len(rest):
            raise syntax_error("end of input")
        name = rest[i].ident
        i += 1
    if any(not t.is_word("RESTRICT", "CASCADE") for t in rest[i:]):
        raise syntax_error(next(t for t in rest[i:] if not t.is_word("RESTRICT", "CASCADE")).text)
    if rec.primary_key is not None and name is not None and rec.primary_key.name.lower() == name.lower():
        rec.primary_key = None
        ucrecord.write(path, rec)
        return
    dt = engine.catalog.open(ref)
    if name is not None and f"delta.constraints.{name.lower()}" in dt.metadata().configuration:
        dt.alter.drop_constraint(name.lower())
        return
    if not if_exists:
        raise SQLError("DELTA_CONSTRAINT_DOES_NOT_EXIST",
                       f"Cannot drop nonexistent constraint {name or 'PRIMARY KEY'} from table {ref.quoted}. To avoid "
                       "throwing an error, provide the parameter IF EXISTS or set the SQL session configuration "
                       "spark.databricks.delta.constraints.allowUnenforcedNotExist to true.", "42704")
