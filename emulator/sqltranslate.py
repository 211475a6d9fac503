"""Re-emits Databricks SQL tokens as DuckDB SQL (queries) or DataFusion SQL (deltalake's UPDATE /
DELETE / MERGE expressions): backtick identifiers, Spark string escapes and number suffixes,
`:name` parameters as typed literals, TIMESTAMP vs TIMESTAMP_NTZ, and Spark functions DuckDB lacks
or spells differently."""

from __future__ import annotations

import re
from typing import Optional

from . import sqllex as L
from .queryresult import Session
from .sqlerrors import SQLError

_DUCK_TYPES = {
    "STRING": "VARCHAR", "TIMESTAMP": "TIMESTAMPTZ", "TIMESTAMP_LTZ": "TIMESTAMPTZ", "TIMESTAMP_NTZ": "TIMESTAMP",
    "BINARY": "BLOB", "BYTE": "TINYINT", "SHORT": "SMALLINT", "LONG": "BIGINT", "VOID": "VARCHAR",
    "INT": "INTEGER", "REAL": "FLOAT", "DEC": "DECIMAL", "NUMERIC": "DECIMAL", "VARIANT": "VARCHAR",
}
_DF_TYPES = {
    "STRING": "VARCHAR", "TIMESTAMP_LTZ": "TIMESTAMP", "TIMESTAMP_NTZ": "TIMESTAMP", "BINARY": "BYTEA",
    "BYTE": "TINYINT", "SHORT": "SMALLINT", "LONG": "BIGINT", "VOID": "VARCHAR", "REAL": "FLOAT",
}


def _duck_param_type(t: str) -> str:
    t = t.strip()
    m = re.match(r"^([A-Za-z_]+)(.*)$", t)
    if not m:
        return t
    head = m.group(1).upper()
    if head in ("ARRAY", "MAP", "STRUCT"):
        raise SQLError("INVALID_PARAMETER_VALUE", f"Parameter type {t} is not supported.", "22023")
    return _DUCK_TYPES.get(head, head) + m.group(2)



class Translator:
    """Token-to-text translation for one statement (its session and parameter values)."""

    def __init__(self, session: Session, params: dict):
        self.session = session
        self.params = params

    def param_literal(self, name: str, df: bool = False) -> str:
        p = self.params.get(name)
        if p is None:
            raise SQLError("UNBOUND_SQL_PARAMETER",
                           f"Found the unbound parameter: {name}. Please, fix `args` and provide a mapping of the "
                           "parameter to either a SQL literal or collection constructor functions such as `map()`, "
                           "`array()`, `struct()`.", "42P02")
        t = (p.get("type") or "STRING").strip()
        v = p.get("value")
        if df:
            head = re.match(r"^[A-Za-z_]+", t)
            h = head.group().upper() if head else t
            dtype = _DF_TYPES.get(h, h) + t[len(h):]
        else:
            dtype = _duck_param_type(t)
        if v is None:
            return f"CAST(NULL AS {dtype})"
        return f"CAST({L.sql_string(str(v))} AS {dtype})"

    def emit(self, toks: list[L.Tok]) -> str:
        return self._emit(toks, df=False)

    def emit_df(self, toks: list[L.Tok]) -> str:
        """Expression text for deltalake (DataFusion SQL)."""
        return self._emit(toks, df=True)

    def _emit(self, toks: list[L.Tok], df: bool) -> str:
        if not df:
            toks = _rewrite_hashes(toks)
        out: list[str] = []
        stack: list[str] = []
        prev: Optional[L.Tok] = None
        types = _DF_TYPES if df else _DUCK_TYPES
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            s = t.text
            if t.kind == "raw":
                s = t.text
            elif t.kind == "bq":
                s = L.sql_ident(t.value)
            elif t.kind == "str":
                s = L.sql_string(t.value)
            elif t.kind == "param":
                s = self.param_literal(t.value, df)
            elif t.kind == "num":
                s = _num(t.text)
            elif t.kind == "word":
                nxt = toks[i + 1] if i + 1 < n else None
                is_type_pos = prev is not None and (prev.is_punct("::") or (prev.is_word("AS") and stack and stack[-1] == "cast"))
                if t.value in ("CURRENT_CATALOG",) and nxt is not None and nxt.is_punct("(") and i + 2 < n and toks[i + 2].is_punct(")"):
                    s = L.sql_string(self.session.catalog)
                    i += 3
                    out.append(s)
                    prev = toks[i - 1]
                    continue
                if t.value in ("CURRENT_SCHEMA", "CURRENT_DATABASE") and nxt is not None and nxt.is_punct("(") \
                        and i + 2 < n and toks[i + 2].is_punct(")"):
                    s = L.sql_string(self.session.schema)
                    i += 3
                    out.append(s)
                    prev = toks[i - 1]
                    continue
                if t.value in ("CURRENT_TIMESTAMP", "CURRENT_DATE", "NOW") and nxt is not None and nxt.is_punct("(") \
                        and i + 2 < n and toks[i + 2].is_punct(")"):
                    out.append("now()" if t.value == "NOW" else t.value.lower())  # DuckDB: no parentheses
                    prev = toks[i + 2]
                    i += 3
                    continue
                if is_type_pos:
                    s = types.get(t.value, t.text)
                elif t.value in ("TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ") and nxt is not None and nxt.kind == "str":
                    s = {"TIMESTAMP": "TIMESTAMPTZ" if not df else "TIMESTAMP", "TIMESTAMP_LTZ": "TIMESTAMPTZ" if not df else "TIMESTAMP",
                         "TIMESTAMP_NTZ": "TIMESTAMP"}[t.value]
                elif t.value in ("CAST", "TRY_CAST") and nxt is not None and nxt.is_punct("("):
                    stack.append("pending-cast")
                elif t.value == "RLIKE" and not df:
                    s = "SIMILAR TO"
                elif t.value == "ISNULL" and not df and nxt is not None and nxt.is_punct("("):
                    s = "spark_isnull"
                elif t.value == "ARRAY" and not df and nxt is not None and nxt.is_punct("(") and not is_type_pos:
                    s = "list_value"
            elif t.is_punct("("):
                if stack and stack[-1] == "pending-cast":
                    stack[-1] = "cast"
                else:
                    stack.append("(")
            elif t.is_punct(")"):
                if stack:
                    stack.pop()
            elif t.is_punct("==") :
                s = "="
            out.append(s)
            prev = t
            i += 1
        text = ""
        for k, s in enumerate(out):
            if k == 0:
                text = s
            elif s == "." or text.endswith("."):
                text += s
            else:
                text += " " + s
        return text


def _num(text: str) -> str:
    if text[-2:] in ("BD", "bd"):
        return f"CAST({text[:-2]} AS DECIMAL(38,{len(text[:-2].split('.')[1]) if '.' in text else 0}))"
    suffix = text[-1:]
    if suffix in "LlSsYy" and suffix.isalpha():
        return text[:-1]
    if suffix in "Dd":
        return f"CAST({text[:-1]} AS DOUBLE)"
    if suffix in "Ff":
        return f"CAST({text[:-1]} AS FLOAT)"
    return text



def _rewrite_hashes(toks: list[L.Tok]) -> list[L.Tok]:
    """Spark `hash(...)` is INT and `xxhash64(...)` BIGINT; DuckDB's `hash(...)` is UBIGINT. Fold it
    into the Spark result types (the values differ from Spark's, consistently within the emulator)."""
    out: list[L.Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "word" and t.value in ("HASH", "XXHASH64") and i + 1 < len(toks) and toks[i + 1].is_punct("("):
            j = L.matching_paren(toks, i + 1)
            inner = _rewrite_hashes(toks[i + 2:j])
            if t.value == "HASH":
                pre, post = "CAST(CAST(hash(", ") % 4294967296 AS BIGINT) - 2147483648 AS INTEGER)"
            else:
                pre, post = "CAST(CAST(hash(", ") AS HUGEINT) - 9223372036854775808 AS BIGINT)"
            out.append(L.Tok("raw", pre, "", t.pos))
            out.extend(inner)
            out.append(L.Tok("raw", post, "", t.pos))
            i = j + 1
            continue
        out.append(t)
        i += 1
    return out

