"""Arrow data shaped for writing into a Delta table: the storage types deltalake keeps for DuckDB
result types, INSERT column lists matched to the table's columns, NOT NULL checks."""

from __future__ import annotations

from typing import Optional

import pyarrow as pa

from .sqlerrors import SQLError


def storage_type(t: pa.DataType) -> pa.DataType:
    """Arrow type deltalake stores for a DuckDB result type."""
    from .wire import _wire_type
    w = _wire_type(t, "UTC")
    if pa.types.is_timestamp(w) and w.tz:
        return pa.timestamp("us", "UTC")
    return w


def storage_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type, f.nullable, f.metadata) for f in schema])


def cast_array(arr, t: pa.DataType):
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if arr.type == t:
        return arr
    try:
        return arr.cast(t)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise SQLError("DATATYPE_MISMATCH", f"Cannot write incompatible data to the table: {e}", "42804")


def align_columns(data: pa.Table, target: pa.Schema, cols: Optional[list[str]]) -> pa.Table:
    names = [f.name for f in target]
    lower = {n.lower(): n for n in names}
    if cols is None:
        if data.num_columns != len(names):
            raise SQLError("INSERT_COLUMN_ARITY_MISMATCH",
                           f"[INSERT_COLUMN_ARITY_MISMATCH.{'NOT_ENOUGH' if data.num_columns < len(names) else 'TOO_MANY'}_DATA_COLUMNS] "
                           f"Cannot write to the table: the target table has {len(names)} column(s) but the inserted data "
                           f"has {data.num_columns} column(s).", "21S01")
        mapping = {names[k]: data.column(k) for k in range(len(names))}
    else:
        if len(cols) != data.num_columns:
            raise SQLError("INSERT_COLUMN_ARITY_MISMATCH",
                           f"Cannot write to the table: {len(cols)} column(s) listed but the data has "
                           f"{data.num_columns}.", "21S01")
        mapping = {}
        for k, c in enumerate(cols):
            if c.lower() not in lower:
                raise SQLError("UNRESOLVED_COLUMN",
                               f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with "
                               f"name `{c}` cannot be resolved. Did you mean one of the following? {names}.", "42703")
            mapping[lower[c.lower()]] = data.column(k)
    arrays = []
    for f in target:
        if f.name in mapping:
            arrays.append(cast_array(mapping[f.name], f.type))
        else:
            if not f.nullable:
                raise SQLError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                               f"NOT NULL constraint violated for column: {f.name}.", "23502")
            arrays.append(pa.nulls(data.num_rows, f.type))
        if not f.nullable and arrays[-1].null_count:
            raise SQLError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                           f"NOT NULL constraint violated for column: {f.name}.", "23502")
    return pa.Table.from_arrays(arrays, schema=target)


def cast_like(src: pa.Table, target: pa.Schema) -> pa.Table:
    tmap = {f.name.lower(): f for f in target}
    arrays, fields = [], []
    for k, f in enumerate(src.schema):
        col = src.column(k)
        tf = tmap.get(f.name.lower())
        if tf is not None:
            col = cast_array(col, tf.type)
            fields.append(pa.field(f.name, tf.type))
        else:
            col = cast_array(col, storage_type(f.type))
            fields.append(pa.field(f.name, col.type))
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

