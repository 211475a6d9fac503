"""Databricks-style statement errors: the error class, message and SQLSTATE a failed statement
reports, and the mapping of DuckDB's exceptions onto them."""

from __future__ import annotations

import re

import duckdb


class SQLError(Exception):
    """A statement failed the way Databricks reports it: status.error + sql_state."""

    def __init__(self, error_class: str, message: str, sql_state: str, error_code: str = "BAD_REQUEST"):
        text = message if message.startswith("[") else f"[{error_class}] {message}"
        if "SQLSTATE" not in text:
            text += f" SQLSTATE: {sql_state}"
        super().__init__(text)
        self.error_class = error_class
        self.message = text
        self.sql_state = sql_state
        self.error_code = error_code


class Canceled(Exception):
    pass



def syntax_error(near: str) -> SQLError:
    return SQLError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{near}'.", "42601")



def first_line(e: Exception) -> str:
    return str(e).split("\n")[0][:500]


def map_stream_error(e: Exception) -> SQLError:
    msg = str(e)
    if "INTERRUPT" in msg.upper():
        return Canceled()
    if "Conversion Error" in msg:
        return SQLError("CAST_INVALID_INPUT", msg, "22018")
    if "Out of Range" in msg:
        return SQLError("ARITHMETIC_OVERFLOW", msg, "22003")
    return SQLError("INTERNAL_ERROR", msg, "XX000", "INTERNAL_ERROR")


def map_duckdb_error(e: Exception) -> Exception:
    """DuckDB exception -> the Databricks-style error class."""
    msg = str(e)
    if isinstance(e, duckdb.InterruptException):
        return Canceled()
    if isinstance(e, duckdb.ParserException):
        m = re.search(r'at or near "([^"]*)"', msg)
        near = m.group(1) if m else "end of input"
        return SQLError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{near}'.", "42601")
    if isinstance(e, duckdb.CatalogException):
        m = re.search(r"(?:Table|table|Scalar Function|Function|function) with name ([^ ]+) does not exist", msg)
        if "Function" in msg or "function" in msg:
            fn = m.group(1) if m else "?"
            return SQLError("UNRESOLVED_ROUTINE",
                            f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{fn}` on search path "
                            f"[`system`.`builtin`, `system`.`session`]. ({msg.splitlines()[0]})", "42883")
        name = m.group(1) if m else "?"
        return SQLError("TABLE_OR_VIEW_NOT_FOUND",
                        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the spelling "
                        "and correctness of the schema and catalog.", "42P01")
    if isinstance(e, duckdb.BinderException):
        m = re.search(r'column "?([^" ]+)"? not found', msg, re.IGNORECASE) or \
            re.search(r'Referenced column "([^"]+)" not found', msg)
        if m:
            return SQLError("UNRESOLVED_COLUMN",
                            f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
                            f"`{m.group(1)}` cannot be resolved. ({msg.splitlines()[0]})", "42703")
        return SQLError("DATATYPE_MISMATCH", f"[DATATYPE_MISMATCH] {msg.splitlines()[0]}", "42K09")
    if isinstance(e, duckdb.ConversionException):
        return SQLError("CAST_INVALID_INPUT", f"[CAST_INVALID_INPUT] {msg.splitlines()[0]}", "22018")
    if isinstance(e, duckdb.OutOfRangeException):
        return SQLError("ARITHMETIC_OVERFLOW", f"[ARITHMETIC_OVERFLOW] {msg.splitlines()[0]}", "22003")
    if isinstance(e, duckdb.InvalidInputException):
        return SQLError("INVALID_PARAMETER_VALUE", f"[INVALID_PARAMETER_VALUE] {msg.splitlines()[0]}", "22023")
    return SQLError("INTERNAL_ERROR", msg.splitlines()[0] if msg else type(e).__name__, "XX000", "INTERNAL_ERROR")
