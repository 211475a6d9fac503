"""A per-column fingerprint of a table, to say whether two copies hold the same rows: the row count
and, for every column, its type, its non-null count and the order-free sum of a hash of each value.
Values are hashed in a type-neutral form (timestamps as epoch microseconds, everything else as
text), so a Delta table read through pyarrow and a dbduck copy compare equal when their values do."""

from __future__ import annotations

import os
from typing import Optional

TIME_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprint(con, relation: str) -> dict:
    """{"rows": n, "columns": {name: {"type", "non_null", "hash_sum"}}} of a DuckDB relation."""
    cols = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    parts = ["count(*)::BIGINT"]
    for name, typ in cols:
        c = quoted(name)
        value = f"epoch_us({c})" if typ.upper() in TIME_TYPES else f"{c}::VARCHAR"
        parts += [f"count({c})::BIGINT", f"coalesce(sum(hash({value})), 0)::HUGEINT::VARCHAR"]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone()
    return {"rows": int(row[0]),
            "columns": {name: {"type": typ, "non_null": int(row[1 + 2 * i]), "hash_sum": row[2 + 2 * i]}
                        for i, (name, typ) in enumerate(cols)}}


def compare(exp: dict, got: dict, types: bool = True) -> list[str]:
    """What differs between two fingerprints (empty = the same rows); `types=False` when the two
    sides type values differently by construction (a Delta table read through pyarrow)."""
    diffs = []
    if exp["rows"] != got["rows"]:
        diffs.append(f"rows: expected {exp['rows']}, got {got['rows']}")
    e_cols, g_cols = exp["columns"], got["columns"]
    missing = [c for c in e_cols if c not in g_cols]
    extra = [c for c in g_cols if c not in e_cols]
    if missing:
        diffs.append(f"missing columns: {', '.join(missing)}")
    if extra:
        diffs.append(f"extra columns: {', '.join(extra)}")
    for name, e in e_cols.items():
        g = g_cols.get(name)
        if g is None:
            continue
        if types and e["type"] != g["type"]:
            diffs.append(f"{name}: type {e['type']} vs {g['type']}")
        if e["non_null"] != g["non_null"] or e["hash_sum"] != g["hash_sum"]:
            diffs.append(f"{name}: values differ")
    return diffs


def find_table(con, name: str, hint: Optional[str] = None) -> Optional[str]:
    """The quoted relation of the copy of `name` (a table name) in a DuckDB file: `hint` (schema.table,
    e.g. dbduck's `target`) if it exists there, else the only table called `name`."""
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                         "WHERE table_type = 'BASE TABLE'").fetchall()
    if hint:
        parts = hint.split(".")[-2:]
        for s, t in tables:
            if [s, t][-len(parts):] == parts:
                return f"{quoted(s)}.{quoted(t)}"
    named = [(s, t) for s, t in tables if t == name]
    return f"{quoted(named[0][0])}.{quoted(named[0][1])}" if len(named) == 1 else None


def file_fingerprint(path: str, name: str, hint: Optional[str] = None) -> tuple[Optional[dict], Optional[str]]:
    """(fingerprint, None) of the copy in a DuckDB file, or (None, why not)."""
    import duckdb

    if not os.path.exists(path):
        return None, "no DuckDB file was written"
    try:
        con = duckdb.connect(path, read_only=True)
    except Exception as e:  # noqa: BLE001 -- a broken file is a finding
        return None, f"cannot open the DuckDB file: {e}"
    try:
        con.execute("SET TimeZone = 'UTC'")
        rel = find_table(con, name, hint)
        if rel is None:
            return None, f"no table {hint or name} in the file"
        return fingerprint(con, rel), None
    except Exception as e:  # noqa: BLE001
        return None, f"fingerprint query failed: {e}"
    finally:
        con.close()


def delta_fingerprint(table_path: str) -> dict:
    """The fingerprint of a Delta table's latest version, read with deltalake."""
    import duckdb
    from deltalake import DeltaTable

    ds = DeltaTable(table_path).to_pyarrow_dataset()
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("delta_source", ds)
        return fingerprint(con, "delta_source")
    finally:
        con.close()
