"""What a right copy holds, and whether a run's DuckDB file holds it: the expected fingerprint
(row count, sums, min/max dates) and column types from the local Parquet export, and the same
queries on the copy."""

from __future__ import annotations

import os
from typing import Optional

from .config import TARGET
from .runrecord import CopyCheck

FINGERPRINT = ("count(*)::BIGINT AS rows, sum(l_orderkey)::HUGEINT::VARCHAR AS sum_orderkey, "
               "sum(l_extendedprice::DOUBLE) AS sum_price, sum(length(l_comment))::BIGINT AS comment_chars, "
               "min(l_shipdate)::VARCHAR AS min_shipdate, max(l_receiptdate)::VARCHAR AS max_receiptdate")


def fingerprint(con, relation: str) -> dict:
    cur = con.execute(f"SELECT {FINGERPRINT} FROM {relation}")
    names = [c[0] for c in cur.description]
    return dict(zip(names, cur.fetchone()))


def column_types(con, relation: str) -> list[str]:
    return [f"{r[0]} {r[1]}" for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def expected(parquet: str, where: Optional[str]) -> dict:
    """{"fingerprint": {...}, "types": [...]} of the Parquet rows, filtered by `where` if given."""
    import duckdb

    con = duckdb.connect()
    rel = f"(SELECT * FROM read_parquet('{parquet}'){' WHERE ' + where if where else ''})"
    out = {"fingerprint": fingerprint(con, rel), "types": column_types(con, rel)}
    con.close()
    return out


def compare(exp: dict, got: dict) -> list[str]:
    """Differences between two fingerprints (empty = the same data)."""
    diffs = []
    for k, v in exp.items():
        g = got.get(k)
        if isinstance(v, float) and isinstance(g, (int, float)):
            # Sums of doubles depend on the order rows were added in.
            if abs(v - g) > 1e-9 * max(1.0, abs(v)):
                diffs.append(f"{k}: expected {v!r}, got {g!r}")
        elif v != g:
            diffs.append(f"{k}: expected {v!r}, got {g!r}")
    return diffs


def open_copy(path: str):
    """A read-only connection to the copy, or the CopyCheck that says why there is none."""
    import duckdb

    if not os.path.exists(path):
        return None, CopyCheck(None, False, check_error="no DuckDB file was written")
    try:
        return duckdb.connect(path, read_only=True), None
    except Exception as e:  # noqa: BLE001 -- a broken file is a finding, not a harness crash
        return None, CopyCheck(None, False, check_error=f"cannot open the DuckDB file: {e}")


def check_copy(path: str, exp: dict) -> CopyCheck:
    """Row count, fingerprint and column types of the copy in the DuckDB file."""
    con, failed = open_copy(path)
    if failed:
        return failed
    try:
        schema, table = TARGET.split(".")
        rel = f'"{schema}"."{table}"'
        try:
            n = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
        except Exception as e:  # noqa: BLE001
            return CopyCheck(None, False, check_error=f"no table {TARGET}: {e}")
        out = CopyCheck(int(n), int(n) == exp["fingerprint"]["rows"])
        try:
            out.content_diffs = compare(exp["fingerprint"], fingerprint(con, rel))
            out.content_ok = not out.content_diffs
        except Exception as e:  # noqa: BLE001
            out.content_ok = False
            out.content_diffs = [f"fingerprint query failed: {e}"]
        types = column_types(con, rel)
        out.types_ok = types == exp["types"]
        if not out.types_ok:
            out.types = types
        return out
    finally:
        con.close()
