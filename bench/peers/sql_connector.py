"""sql-connector: databricks-sql-connector (4.9.0) on its Statement Execution backend.

`use_sea=True` with CloudFetch (EXTERNAL_LINKS + ARROW_STREAM, LZ4 when the lz4 package is there,
up to `max_download_threads` parallel downloads), `cursor.fetchall_arrow()` for the whole result as
one Arrow table, and DuckDB's Python package ingests it with one CREATE TABLE AS. This is the
connector's fastest documented route into DuckDB; it holds the whole result in memory.
(`seed-streaming` is the same connector with bounded `fetchmany_arrow` batches instead.)
"""

from __future__ import annotations

import os

from databricks import sql

from _common import Clock, Workspace, open_target, parse_args, query, report


def connect(ws: Workspace, parallelism: int):
    """A SEA connection to the workspace. The connector normally builds https://HOST:443; with an
    http:// hostname and an explicit port it speaks plain HTTP, which is what the emulator serves."""
    scheme, _, hostport = ws.host.partition("://")
    host, _, port = hostport.partition(":")
    return sql.connect(server_hostname=f"{scheme}://{host}", port=int(port or (443 if scheme == "https" else 80)),
                       http_path=f"/sql/1.0/warehouses/{ws.warehouse_id}", access_token=ws.token,
                       use_sea=True, use_cloud_fetch=True, max_download_threads=parallelism,
                       enable_telemetry=False,
                       **({"_tls_trusted_ca_file": os.environ["BENCH_CA_FILE"]} if os.environ.get("BENCH_CA_FILE") else {}))


def main() -> None:
    args = parse_args(__doc__)
    ws = Workspace()
    clock = Clock()
    with clock("connect"):
        conn = connect(ws, args.parallelism)
    cur = conn.cursor()
    with clock("statement"):
        cur.execute(query(args))
    with clock("fetch"):
        arrow = cur.fetchall_arrow()
    con, target = open_target(args.out, args.target)
    with clock("load"):
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM arrow")
    rows = arrow.num_rows
    arrow_bytes = arrow.nbytes
    del arrow
    with clock("close"):
        con.close()
        cur.close()
        conn.close()
    report(rows, arrow_bytes=arrow_bytes, **clock.details())


if __name__ == "__main__":
    main()
