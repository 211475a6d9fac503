"""limit-parquet-ingest: DuckDB's own ingest of the same rows from a local Parquet file, as a
physical limit: `CREATE TABLE t AS SELECT * FROM read_parquet(FILE)` into a fresh DuckDB file
(DuckDB's Python package, the same DuckDB release dbduck links). No network, no decoding of ours.
"""

from __future__ import annotations

from _common import Clock, open_target, parse_args, report


def main() -> None:
    args = parse_args(__doc__, lambda ap: ap.add_argument("--parquet", required=True, help="local Parquet file"))
    clock = Clock()
    con, target = open_target(args.out, args.target)
    with clock("load"):
        where = f" WHERE {args.where}" if args.where else ""
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM read_parquet(?){where}", [args.parquet])
        rows = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    with clock("close"):
        con.close()
    report(int(rows), **clock.details())


if __name__ == "__main__":
    main()
