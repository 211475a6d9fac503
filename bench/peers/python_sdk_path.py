"""python-sdk-path: what a Python user writes instead of dbduck.

databricks-sdk runs the statement (EXTERNAL_LINKS + ARROW_STREAM), `requests` downloads the
external links (--parallelism at once, in a thread pool, consumed in chunk order), pyarrow reads
each Arrow IPC stream, and DuckDB's Python package ingests each Arrow table (CREATE TABLE AS for
the first chunk, INSERT for the rest). Memory: at most --parallelism chunks in flight.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, Format, StatementState

from _common import Clock, Workspace, open_target, parse_args, query, report


def main() -> None:
    args = parse_args(__doc__)
    ws = Workspace()
    clock = Clock()
    w = WorkspaceClient(host=ws.host, token=ws.token)
    sx = w.statement_execution

    with clock("statement"):
        resp = sx.execute_statement(statement=query(args), warehouse_id=ws.warehouse_id,
                                    disposition=Disposition.EXTERNAL_LINKS, format=Format.ARROW_STREAM,
                                    wait_timeout="50s")
        while resp.status.state in (StatementState.PENDING, StatementState.RUNNING):
            time.sleep(0.2)
            resp = sx.get_statement(resp.statement_id)
    if resp.status.state != StatementState.SUCCEEDED:
        err = resp.status.error
        raise SystemExit(f"statement {resp.status.state}: {err.message if err else ''}")

    sid = resp.statement_id
    chunk_count = resp.manifest.total_chunk_count or 0
    first_links = {link.chunk_index: link for link in (resp.result.external_links or [])} if resp.result else {}

    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=args.parallelism, pool_maxsize=args.parallelism)
    session.mount("http://", adapter)
    session.mount("https://", adapter)

    def fetch(index: int) -> bytes:
        t0 = time.perf_counter()
        link = first_links.get(index)
        if link is None:
            links = sx.get_statement_result_chunk_n(sid, index).external_links or []
            link = next(lk for lk in links if lk.chunk_index == index)
        r = session.get(link.external_link, headers=link.http_headers or {}, timeout=300)
        r.raise_for_status()
        clock.add("download_threads", time.perf_counter() - t0)
        return r.content

    con, target = open_target(args.out, args.target)
    rows = 0
    wire_bytes = 0
    with ThreadPoolExecutor(max_workers=args.parallelism) as pool:
        pending = {}
        next_submit = 0
        for index in range(chunk_count):
            while next_submit < chunk_count and next_submit < index + args.parallelism:
                pending[next_submit] = pool.submit(fetch, next_submit)
                next_submit += 1
            with clock("wait_download"):
                body = pending.pop(index).result()
            wire_bytes += len(body)
            with clock("decode"):
                arrow_chunk = pa.ipc.open_stream(body).read_all()
            del body
            with clock("load"):
                if index == 0:
                    con.execute(f"CREATE TABLE {target} AS SELECT * FROM arrow_chunk")
                else:
                    con.execute(f"INSERT INTO {target} SELECT * FROM arrow_chunk")
            rows += arrow_chunk.num_rows
            del arrow_chunk
    if chunk_count == 0:
        raise SystemExit("the statement returned no chunks")
    with clock("close"):
        con.close()
    report(rows, chunks=chunk_count, wire_bytes=wire_bytes, **clock.details())


if __name__ == "__main__":
    main()
