"""Databricks SQL type text (as in CREATE TABLE) -> the Arrow type the Delta table stores."""

from __future__ import annotations

import re

import pyarrow as pa


class DDLTypeError(Exception):
    pass


_SIMPLE = {
    "BOOLEAN": pa.bool_(), "TINYINT": pa.int8(), "BYTE": pa.int8(), "SMALLINT": pa.int16(), "SHORT": pa.int16(),
    "INT": pa.int32(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "LONG": pa.int64(), "FLOAT": pa.float32(),
    "REAL": pa.float32(), "DOUBLE": pa.float64(), "STRING": pa.string(), "BINARY": pa.binary(), "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", "UTC"), "TIMESTAMP_LTZ": pa.timestamp("us", "UTC"),
    "TIMESTAMP_NTZ": pa.timestamp("us"),
}

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|`(?:[^`]|``)*`|\d+|[<>(),:])")


def parse_type(text: str) -> tuple[pa.DataType, bool]:
    """Returns (arrow type, is_variant)."""
    toks = [m.group(1) for m in _TOKEN.finditer(text)]
    if not toks:
        raise DDLTypeError(f"Missing data type in '{text}'")
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take(expect=None):
        t = peek()
        if t is None or (expect is not None and t.upper() != expect):
            raise DDLTypeError(f"Unsupported data type '{text}'")
        pos[0] += 1
        return t

    def one() -> pa.DataType:
        head = take().upper()
        if head in _SIMPLE:
            return _SIMPLE[head]
        if head == "VARIANT":
            return pa.string()
        if head in ("VARCHAR", "CHAR"):
            if peek() == "(":
                take()
                take()
                take(")")
            return pa.string()
        if head in ("DECIMAL", "DEC", "NUMERIC"):
            p, s = 10, 0
            if peek() == "(":
                take()
                p = int(take())
                if peek() == ",":
                    take()
                    s = int(take())
                take(")")
            if not 1 <= p <= 38 or not 0 <= s <= p:
                raise DDLTypeError(f"DECIMAL precision {p} and scale {s} out of range")
            return pa.decimal128(p, s)
        if head == "ARRAY":
            take("<")
            inner = one()
            take(">")
            return pa.list_(pa.field("element", inner))
        if head == "MAP":
            take("<")
            k = one()
            take(",")
            v = one()
            take(">")
            return pa.map_(k, v)
        if head == "STRUCT":
            take("<")
            fields = []
            while peek() != ">":
                name = take()
                if name.startswith("`"):
                    name = name[1:-1].replace("``", "`")
                if peek() == ":":
                    take()
                ty = one()
                nullable = True
                if peek() and peek().upper() == "NOT":
                    take()
                    take("NULL")
                    nullable = False
                fields.append(pa.field(name, ty, nullable))
                if peek() == ",":
                    take()
            take(">")
            return pa.struct(fields)
        raise DDLTypeError(f"[UNSUPPORTED_DATATYPE] Unsupported data type \"{head}\".")

    first = toks[0].upper()
    t = one()
    if pos[0] != len(toks):
        raise DDLTypeError(f"Unsupported data type '{text}'")
    return t, first == "VARIANT"
