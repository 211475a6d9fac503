"""A stand-in for dbduck's incremental `replicate`, enough for the bench's incremental phase: it
speaks the CLI contract (flags, one --json document) and really syncs through the emulator
(Arrow results over external links), keeping its state beside the DuckDB file.

    fake_dbduck.py replicate CAT.SCH.TBL --to FILE --mode full|cdf|merge [--primary-key a,b]
                   [--cursor c] [--deletes hard] --json
Test switches (environment): FAKE_DBDUCK_OLD=1 has no --mode (a build from before incremental
sync); FAKE_DBDUCK_KEEP_DELETES=1 makes cdf skip deletes (a wrong copy)."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import urllib.request

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc

HELP = "replicate <table> --to FILE --strategy S --json"
NEW_HELP = HELP + " --mode M --primary-key K --cursor C --deletes D --full-refresh"


class Source:
    def __init__(self):
        self.host, self.token = os.environ["DATABRICKS_HOST"], os.environ["DATABRICKS_TOKEN"]
        self.wh = os.environ["DATABRICKS_WAREHOUSE_ID"]
        self.bytes = 0

    def _get(self, url: str, auth: bool = True, body: dict = None) -> bytes:
        req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {self.token}"} if auth else {})
        with urllib.request.urlopen(req) as r:
            data = r.read()
        self.bytes += len(data)
        return data

    def arrow(self, sql: str) -> pa.Table:
        r = json.loads(self._get(self.host + "/api/2.0/sql/statements", body={
            "statement": sql, "warehouse_id": self.wh, "wait_timeout": "30s",
            "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM"}))
        assert r["status"]["state"] == "SUCCEEDED", r["status"]
        links, batches = list((r.get("result") or {}).get("external_links") or []), []
        while links:
            link = links.pop(0)
            batches += ipc.open_stream(io.BytesIO(self._get(link["external_link"], auth=False))).read_all().to_batches()
            nxt = link.get("next_chunk_index")
            if nxt is not None and not links:
                url = f"{self.host}/api/2.0/sql/statements/{r['statement_id']}/result/chunks/{nxt}"
                links = json.loads(self._get(url))["external_links"]
        return pa.Table.from_batches(batches) if batches else pa.table({})

    def version(self, table: str) -> int:
        return self.arrow(f"DESCRIBE HISTORY {table} LIMIT 1").column("version")[0].as_py()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[2] == "--help":
        print(HELP if os.environ.get("FAKE_DBDUCK_OLD") else NEW_HELP)
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("command")
    ap.add_argument("table")
    ap.add_argument("--to", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--primary-key")
    ap.add_argument("--cursor")
    ap.add_argument("--deletes", default="hard")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--ca-file")
    a = ap.parse_args()
    if os.environ.get("FAKE_DBDUCK_OLD"):
        print("Error: Unknown option '--mode'", file=sys.stderr)
        return 64
    t0 = time.perf_counter()
    src = Source()
    state_path = a.to + ".state.json"
    state = json.load(open(state_path)) if os.path.exists(state_path) and a.mode != "full" else None
    schema, name = a.table.split(".")[1:]
    target = f"{schema}.{name}"
    con = duckdb.connect(a.to)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    v = src.version(a.table)
    counts = {"rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}
    key = (a.primary_key or "").split(",")
    on = " AND ".join(f"t.{k} = c.{k}" for k in key)
    if state is None:
        data = src.arrow(f"SELECT * FROM {a.table} VERSION AS OF {v}")
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM data")
        counts["rows_inserted"] = data.num_rows
        cursor = con.execute(f"SELECT max({a.cursor})::VARCHAR FROM {target}").fetchone()[0] if a.cursor else None
    elif a.mode == "cdf":
        ch = src.arrow(f"SELECT * FROM table_changes('{a.table}', {state['version'] + 1}, {v}) "
                       "WHERE _change_type != 'update_preimage'")
        drop = "" if os.environ.get("FAKE_DBDUCK_KEEP_DELETES") else "OR c._change_type = 'delete'"
        con.execute(f"DELETE FROM {target} t USING ch c WHERE {on} AND (c._change_type = 'update_postimage' {drop})")
        con.execute(f"INSERT INTO {target} SELECT * EXCLUDE (_change_type, _commit_version, _commit_timestamp) "
                    "FROM ch WHERE _change_type != 'delete'")
        for kind, k in (("insert", "rows_inserted"), ("update_postimage", "rows_updated"), ("delete", "rows_deleted")):
            counts[k] = sum(1 for x in ch.column("_change_type").to_pylist() if x == kind)
        cursor = None
    else:  # merge by cursor, hard deletes by the key set
        ch = src.arrow(f"SELECT * FROM {a.table} WHERE {a.cursor} > TIMESTAMP '{state['cursor']}'")
        keys = src.arrow(f"SELECT {a.primary_key} FROM {a.table}")
        counts["rows_updated"] = con.execute(f"SELECT count(*) FROM {target} t JOIN ch c ON {on}").fetchone()[0]
        con.execute(f"DELETE FROM {target} t USING ch c WHERE {on}")
        con.execute(f"INSERT INTO {target} SELECT * FROM ch")
        counts["rows_inserted"] = ch.num_rows - counts["rows_updated"]
        before = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        con.execute(f"DELETE FROM {target} t WHERE NOT EXISTS (SELECT 1 FROM keys c WHERE {on})")
        counts["rows_deleted"] = before - con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        cursor = con.execute(f"SELECT max({a.cursor})::VARCHAR FROM {target}").fetchone()[0]
    rows = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    con.close()
    if a.mode != "full":
        with open(state_path, "w") as f:
            json.dump({"version": v, "cursor": cursor}, f)
    print(json.dumps({"tables": [{"source": a.table, "target": target, "status": "ok", "rows": rows,
                                  "bytes": src.bytes, "seconds": round(time.perf_counter() - t0, 3), "mode": a.mode,
                                  "version_from": state["version"] if state else None, "version_to": v,
                                  "fallback_reason": None, **counts}]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
