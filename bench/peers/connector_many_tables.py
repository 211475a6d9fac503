"""connector-many-tables: every table of a schema copied into one DuckDB file, as a user of
databricks-sql-connector (4.9.0) would write it: one connection and cursor, `SHOW TABLES IN` the
schema, then per table `SELECT *`, `fetchall_arrow()` and one DuckDB `CREATE TABLE AS`. The
connection is the same as the sql-connector peer's (SEA, CloudFetch, LZ4).
"""

from __future__ import annotations

import argparse

import duckdb

from _common import Clock, Workspace, quote, report
from sql_connector import connect


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--schema", default="main.many", help="catalog.schema whose tables are copied")
    ap.add_argument("--target-schema", default="many", help="schema in the DuckDB file")
    ap.add_argument("--out", required=True, help="DuckDB file to write")
    ap.add_argument("--parallelism", type=int, default=4, help="max_download_threads")
    args = ap.parse_args()
    clock = Clock()
    rows = 0
    target = quote(args.target_schema)
    # The loop as a user would write it.
    with connect(Workspace(), args.parallelism) as conn, conn.cursor() as cursor:
        db = duckdb.connect(args.out)
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {target}")
        cursor.execute(f"SHOW TABLES IN {args.schema}")
        names = [row.tableName for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f"SELECT * FROM {args.schema}.{name}")
            arrow_table = cursor.fetchall_arrow()
            db.execute(f"CREATE TABLE {target}.{quote(name)} AS SELECT * FROM arrow_table")
            rows += arrow_table.num_rows
        db.close()
    report(rows, tables=len(names), **clock.details())


if __name__ == "__main__":
    main()
