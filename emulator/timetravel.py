"""Time travel: `VERSION AS OF n`, `TIMESTAMP AS OF expr`, `t@v12` and `t@yyyyMMddHHmmssSSS` after
a table name, and the version a timestamp selects (the last commit at or before it)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Optional

import duckdb

from . import sqllex as L
from .catalog import TableRef
from .sqlerrors import SQLError, map_duckdb_error, syntax_error

if TYPE_CHECKING:
    from .statementctx import StatementContext


def parse_clause(toks: list[L.Tok], j: int) -> tuple[Optional[int], Optional[list[L.Tok]], int]:
    """The time travel clause at `toks[j]`, if any -> (version, timestamp expression tokens, next index)."""
    version = None
    ts_toks = None
    if j + 3 < len(toks) and toks[j].is_word("VERSION") and toks[j + 1].is_word("AS") and toks[j + 2].is_word("OF"):
        vt = toks[j + 3]
        try:
            version = int(vt.value.rstrip("Ll"))
        except ValueError:
            raise syntax_error(vt.text)
        j += 4
    elif j + 3 < len(toks) and toks[j].is_word("TIMESTAMP") and toks[j + 1].is_word("AS") and toks[j + 2].is_word("OF"):
        k = j + 3
        depth = 0
        while k < len(toks):
            x = toks[k]
            if x.is_punct("("):
                depth += 1
            elif x.is_punct(")"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (x.is_punct(",") or (x.kind == "word" and x.value in L.CLAUSE_WORDS
                                                      and x.value not in ("TIMESTAMP", "INTERVAL"))):
                break
            k += 1
        ts_toks = toks[j + 3:k]
        j = k
    elif j + 1 < len(toks) and toks[j].is_punct("@"):
        v = toks[j + 1].text
        if v[:1] in "vV":
            version = int(v[1:])
        else:
            ts_toks = [L.Tok("str", "", _at_timestamp(v), toks[j + 1].pos)]
            ts_toks = L.tokenize("TIMESTAMP") + ts_toks
        j += 2
    return version, ts_toks, j


def version_at(ctx: "StatementContext", ref: TableRef, ts_toks: list[L.Tok]) -> int:
    ts = eval_timestamp(ctx, ts_toks)
    dt = ctx.engine.catalog.open(ref)
    hist = dt.history()
    ms = ts.timestamp() * 1000
    ok = [h["version"] for h in hist if h["timestamp"] <= ms]
    if not ok:
        earliest = min(hist, key=lambda h: h["version"])
        e = _dt.datetime.fromtimestamp(earliest["timestamp"] / 1000, _dt.timezone.utc)
        raise SQLError("DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                       f"The provided timestamp ({ts.isoformat()}) is before the earliest version available "
                       f"to this table ({e.isoformat()}). Please use a timestamp after {e.isoformat()}.",
                       "42816")
    return max(ok)


def eval_timestamp(ctx: "StatementContext", ts_toks: list[L.Tok]) -> _dt.datetime:
    text = ctx.emit(ts_toks)
    try:
        v = ctx.con.execute(f"SELECT CAST(({text}) AS TIMESTAMPTZ)").fetchall()[0][0]
    except duckdb.Error as e:
        raise map_duckdb_error(e)
    if v is None:
        raise SQLError("DELTA_TIMESTAMP_INVALID", "The timestamp for time travel is NULL.", "42816")
    return v


def _at_timestamp(v: str) -> str:
    # yyyyMMddHHmmssSSS
    v = v.ljust(17, "0")
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]} {v[8:10]}:{v[10:12]}:{v[12:14]}.{v[14:17]}"

