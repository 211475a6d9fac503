"""duckbricks: `feed_select_to_duckdb_table` from the duckbricks package (PyPI, 0.3.1), which runs
the statement through the Statement Execution API (EXTERNAL_LINKS + ARROW_STREAM, no compression),
fetches chunks with httpx (6 at once by default, with backpressure), parses them with nanoarrow
and streams them into the DuckDB table chunk by chunk.

Runs in its own venv (bench/.venvs/duckbricks), so its pins stay out of .venv.

One adaptation, needed only because the emulator serves plain HTTP on loopback: duckbricks
always prefixes the host with https://, so after constructing the client we set its private
`_host` to the emulator's http:// URL. Nothing else is changed.
"""

from __future__ import annotations

import asyncio

from duckbricks import DatabricksClient, feed_select_to_duckdb_table

from _common import Clock, Workspace, open_target, parse_args, query, quote, report, split_target


async def run(args) -> int:
    ws = Workspace()
    client = DatabricksClient(host=ws.host, warehouse_id=ws.warehouse_id, token=ws.token,
                              chunk_fetch_concurrency=args.parallelism)
    client._host = ws.host  # see the module docstring: http:// loopback emulator
    con, _ = open_target(args.out, args.target)
    schema, table = split_target(args.target)
    con.execute(f"USE {quote(schema)}")  # duckbricks quotes the table name as one identifier
    rows = await feed_select_to_duckdb_table(client, query(args), con, table)
    con.close()
    return rows


def main() -> None:
    args = parse_args(__doc__, lambda ap: ap.set_defaults(parallelism=6))
    clock = Clock()
    rows = asyncio.run(run(args))
    report(rows, chunk_fetch_concurrency=args.parallelism, **clock.details())


if __name__ == "__main__":
    main()
