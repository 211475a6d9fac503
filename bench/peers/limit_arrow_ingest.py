"""limit-arrow-ingest: DuckDB's own ingest of the same rows from Arrow data already in memory, as a
physical limit for the last step of every Arrow route. The local Parquet file is read into a
pyarrow Table first (untimed, `read_seconds`), cut into batches of the warehouse's chunk size, then
only `CREATE TABLE t AS SELECT * FROM arrow_table` into a fresh DuckDB file (DuckDB's Python
package, the same DuckDB release dbduck links) is timed as `load_seconds`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from _common import Clock, open_target, parse_args, report

# Rows per Arrow batch: the rows per result chunk the emulator serves.
CHUNK_ROWS = 122880


def main() -> None:
    args = parse_args(__doc__, lambda ap: ap.add_argument("--parquet", required=True, help="local Parquet file"))
    clock = Clock()
    with clock("read"):
        arrow_table = pa.Table.from_batches(pq.read_table(args.parquet).to_batches(max_chunksize=CHUNK_ROWS))
    con, target = open_target(args.out, args.target)
    with clock("load"):
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM arrow_table")
    rows = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    details = {"arrow_bytes": arrow_table.nbytes, "batches": arrow_table.column(0).num_chunks}
    with clock("close"):
        con.close()
    report(int(rows), **details, **clock.details())


if __name__ == "__main__":
    main()
