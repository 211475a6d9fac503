"""Whether a DuckDB file holds a right copy of the many-tables schema: every table present with its
row count, one fingerprint over the rows of all tables, and each table's column types. The
expected values come from the Delta tables as written."""

from __future__ import annotations


from .copycheck import open_copy, compare
from .runrecord import CopyCheck

# Over the union of all tables; every value is exact except the double sum (compared with a tolerance).
FINGERPRINT = ("count(*)::BIGINT AS rows, sum(id)::HUGEINT::VARCHAR AS sum_id, count(name)::BIGINT AS names, "
               "sum(length(name))::BIGINT AS name_chars, sum(amount) AS sum_amount, min(day)::VARCHAR AS min_day, "
               "max(day)::VARCHAR AS max_day, sum(epoch_us(ts))::HUGEINT::VARCHAR AS sum_ts_us, "
               "sum(hash(id, name, amount, day, epoch_us(ts)))::HUGEINT::VARCHAR AS row_hash")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relation(schema: str, table: str) -> str:
    return f"{quote(schema)}.{quote(table)}" if schema else quote(table)


def fingerprint_sql(relations: list[str]) -> str:
    """One fingerprint over the rows of every relation."""
    union = " UNION ALL ".join(f"SELECT id, name, amount, day, ts FROM {r}" for r in relations)
    return f"SELECT {FINGERPRINT} FROM ({union})"


def counts_sql(named: dict[str, str]) -> str:
    """name -> row count of each relation, in one statement."""
    return " UNION ALL ".join(f"SELECT '{n}' AS t, count(*)::BIGINT AS n FROM {r}" for n, r in named.items())


def fingerprint_many(con, relations: list[str]) -> dict:
    cur = con.execute(fingerprint_sql(relations))
    return dict(zip([c[0] for c in cur.description], cur.fetchone()))


def table_counts(con, named: dict[str, str]) -> dict[str, int]:
    return {t: int(n) for t, n in con.execute(counts_sql(named)).fetchall()}


def types_of(con, rel: str) -> list[str]:
    return [f"{r[0]} {r[1]}" for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]


def expected_many(tables: dict, spec) -> dict:
    """The expectation of a copy, from name -> pyarrow Table as read back from Delta."""
    import duckdb

    con = duckdb.connect()
    try:
        for name, tbl in tables.items():
            con.register(name, tbl)
        named = {n: quote(n) for n in tables}
        first = next(iter(named.values()))
        return {"fingerprint": fingerprint_many(con, list(named.values())), "types": types_of(con, first),
                "table_rows": spec.rows, "tables": list(tables)}
    finally:
        con.close()


def table_diffs(exp: dict, present: list[str], counts: dict[str, int]) -> tuple[list[str], list[str]]:
    """(missing tables, tables with another row count than expected), by name."""
    missing = [t for t in exp["tables"] if t not in present]
    wrong = [f"{t} has {n} rows" for t, n in counts.items() if n != exp["table_rows"]]
    return missing, wrong


def check_many(path: str, exp: dict, schema: str = "many") -> CopyCheck:
    """Counts, fingerprint and types of the copy of every expected table in `schema`."""
    con, failed = open_copy(path)
    if failed:
        return failed
    try:
        present = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]).fetchall()]
        named = {t: relation(schema, t) for t in exp["tables"] if t in present}
        if not named:
            return CopyCheck(0, False, check_error=f"no table of {len(exp['tables'])} in schema {schema}")
        counts = table_counts(con, named)
        missing, wrong = table_diffs(exp, present, counts)
        problems = ([f"{len(missing)} tables missing ({', '.join(missing[:5])})"] if missing else []) + wrong[:5]
        out = CopyCheck(sum(counts.values()), not problems, check_error="; ".join(problems) or None)
        try:
            out.content_diffs = compare(exp["fingerprint"], fingerprint_many(con, list(named.values())))
            out.content_ok = not out.content_diffs
        except Exception as e:  # noqa: BLE001
            out.content_ok, out.content_diffs = False, [f"fingerprint query failed: {e}"]
        differing = [(t, ty) for t, ty in ((t, types_of(con, r)) for t, r in named.items()) if ty != exp["types"]]
        out.types_ok = not differing
        if differing:
            out.types = [f"{differing[0][0]}: {len(differing)} tables"] + differing[0][1]
        return out
    finally:
        con.close()
