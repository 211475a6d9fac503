"""seed-basic | seed-pandas | seed-parquet | seed-streaming: the seed design's four optimization
levels, built the way a Python user of databricks-sql-connector would build them.

The seed (the original databricks-duckdb-replicator design) fetched with databricks-sql-connector
and loaded DuckDB at one of four levels; its table claimed basic 2-5x, pandas 10-50x, parquet
50-100x, streaming 50-100x "baseline". Here, all four use the connector's Statement Execution
backend (use_sea=True, CloudFetch) and the same --chunk-size (rows per fetch):

- basic:     cursor.fetchmany(chunk) -> Python rows -> duckdb `executemany(INSERT ... VALUES (?,...))`,
             one transaction per chunk
- pandas:    cursor.fetchmany(chunk) -> pandas.DataFrame.from_records -> `INSERT INTO t SELECT * FROM df`
             (with `SET pandas_analyze_sample` = chunk, else DuckDB mistypes Decimal columns)
- parquet:   cursor.fetchmany_arrow(chunk) -> one Parquet file per chunk (pyarrow) ->
             `INSERT INTO t SELECT * FROM read_parquet([...])` once, files removed afterwards
- streaming: cursor.fetchmany_arrow(chunk) -> `INSERT INTO t SELECT * FROM batch` per chunk
             (memory bounded by the chunk, not the table)

The target table is created first from the result's description (Databricks type -> DuckDB type),
as the seed's schema-conversion step did, so every level lands the same column types.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from _common import Clock, Workspace, open_target, parse_args, query, report
from sql_connector import connect

_TYPES = {"boolean": "BOOLEAN", "tinyint": "TINYINT", "byte": "TINYINT", "smallint": "SMALLINT",
          "short": "SMALLINT", "int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT", "long": "BIGINT",
          "float": "FLOAT", "double": "DOUBLE", "string": "VARCHAR", "char": "VARCHAR", "varchar": "VARCHAR",
          "binary": "BLOB", "date": "DATE", "timestamp": "TIMESTAMPTZ", "timestamp_ntz": "TIMESTAMP"}


def duckdb_type(desc) -> str:
    name, type_code, _, _, precision, scale, _ = desc
    if type_code == "decimal":
        return f"DECIMAL({precision or 10},{scale or 0})"
    return _TYPES.get(str(type_code).lower(), "VARCHAR")


def create_table(con, target: str, description) -> list[str]:
    from _common import quote

    cols = [f"{quote(d[0])} {duckdb_type(d)}" for d in description]
    con.execute(f"CREATE TABLE {target} ({', '.join(cols)})")
    return [d[0] for d in description]


def main() -> None:
    args = parse_args(__doc__, lambda ap: ap.add_argument(
        "--level", required=True, choices=["basic", "pandas", "parquet", "streaming"]))
    ws = Workspace()
    clock = Clock()
    with clock("connect"):
        conn = connect(ws, args.parallelism)
    cur = conn.cursor()
    with clock("statement"):
        cur.execute(query(args))
    con, target = open_target(args.out, args.target)
    names = create_table(con, target, cur.description)
    rows = 0
    chunk = args.chunk_size

    if args.level == "basic":
        insert = f"INSERT INTO {target} VALUES ({', '.join('?' for _ in names)})"
        while True:
            with clock("fetch"):
                batch = cur.fetchmany(chunk)
            if not batch:
                break
            with clock("load"):
                con.begin()  # one transaction per fetched chunk, as a careful user would
                con.executemany(insert, [tuple(r) for r in batch])
                con.commit()
            rows += len(batch)

    elif args.level == "pandas":
        import pandas as pd

        # DuckDB types an object column (Decimal values) from a sample of its rows: DECIMAL(7,2) from
        # the first values, then "Casting value 102448.00 to DECIMAL(7,2) failed" on a later one (seen
        # at scale 1). Analyzing the whole chunk is the documented remedy a user finds.
        con.execute(f"SET pandas_analyze_sample = {max(chunk, 1000)}")

        while True:
            with clock("fetch"):
                batch = cur.fetchmany(chunk)
            if not batch:
                break
            with clock("dataframe"):
                df = pd.DataFrame.from_records([tuple(r) for r in batch], columns=names)
            with clock("load"):
                con.execute(f"INSERT INTO {target} SELECT * FROM df")
            rows += len(df)
            del df

    elif args.level == "parquet":
        import pyarrow.parquet as pq

        stage = tempfile.mkdtemp(prefix="seed-parquet-", dir=os.path.dirname(os.path.abspath(args.out)))
        try:
            files = []
            while True:
                with clock("fetch"):
                    batch = cur.fetchmany_arrow(chunk)
                if batch.num_rows == 0:
                    break
                path = os.path.join(stage, f"part-{len(files):05d}.parquet")
                with clock("write_parquet"):
                    pq.write_table(batch, path)
                files.append(path)
                rows += batch.num_rows
                del batch
            if files:
                with clock("load"):
                    con.execute(f"INSERT INTO {target} SELECT * FROM read_parquet(?)", [files])
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    else:  # streaming
        while True:
            with clock("fetch"):
                batch = cur.fetchmany_arrow(chunk)
            if batch.num_rows == 0:
                break
            with clock("load"):
                con.execute(f"INSERT INTO {target} SELECT * FROM batch")
            rows += batch.num_rows
            del batch

    with clock("close"):
        con.close()
        cur.close()
        conn.close()
    report(rows, level=args.level, chunk_size=chunk, **clock.details())


if __name__ == "__main__":
    main()
