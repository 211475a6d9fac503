"""The incremental-sync runs' source table and the one change between their baseline and their
timed run, as SQL sent to the emulator.

The table is lineitem plus `updated_at` (the cursor `--mode merge` needs), with the change data feed
on, made by one CTAS. Every row gets its own `updated_at` (a second per row, from its key), as a
table maintained by an application would; the change sets a newer one, so a merge run's window is
the changed rows, not the table. The change is one MERGE, so one Delta commit: of every 300 rows in key order,
the first is updated (price + 1, comment suffixed, newer `updated_at`), the second deleted, and the
third copied under a new key (order key shifted past the largest) as an insert; N of each, N =
20,000 at scale 1, i.e. 1% of the rows change."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .sqlclient import SqlClient

SOURCE = "samples.tpch.lineitem"
SCHEMA = "main.bench"
TABLE = f"{SCHEMA}.lineitem_cdf"
KEY = ("l_orderkey", "l_linenumber")
CURSOR = "updated_at"
LINEITEM_COLUMNS = ("l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity", "l_extendedprice",
                    "l_discount", "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_commitdate",
                    "l_receiptdate", "l_shipinstruct", "l_shipmode", "l_comment")
COLUMNS = LINEITEM_COLUMNS + (CURSOR,)
CREATED_AT = "TIMESTAMP '2024-01-01 00:00:00'"
# Distinct per row: at most 8 lines per order, so orderkey * 8 + linenumber never repeats.
CREATED_EXPR = f"{CREATED_AT} + INTERVAL 1 SECOND * (l_orderkey * 8 + l_linenumber)"
# Past every baseline value at the scales the bench runs (orderkeys below 10^8), and inside the
# nanosecond range the emulator's Delta writer stores (up to 2262).
CHANGED_AT = "TIMESTAMP '2200-01-01 00:00:00'"
STRIDE = 300            # one row in STRIDE is updated, one deleted, one copied as an insert
ROWS_PER_SCALE = 20_000


def rows_per_kind(scale: float, table_rows: int) -> int:
    """N: rows updated (and deleted, and inserted) by the change; 1% of the table changes in all."""
    return max(1, min(round(ROWS_PER_SCALE * scale), table_rows // STRIDE))


def create_statements() -> list[str]:
    return [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
            f"DROP TABLE IF EXISTS {TABLE}",
            f"CREATE TABLE {TABLE} TBLPROPERTIES (delta.enableChangeDataFeed = true) AS "
            f"SELECT {', '.join(LINEITEM_COLUMNS)}, {CREATED_EXPR} AS {CURSOR} FROM {SOURCE}"]


def change_statement(n: int) -> str:
    """One MERGE: n updates, n deletes, n inserts."""
    def picked(k: int) -> str:
        return f"rn % {STRIDE} = {k} AND rn <= {STRIDE * n}"

    updated = {"l_extendedprice": "l_extendedprice + 1", "l_comment": "concat(l_comment, ' (updated)')",
               CURSOR: CHANGED_AT}
    upd_cols = ", ".join(f"{updated.get(c, c)} AS {c}" if c in updated else c for c in COLUMNS)
    ins_cols = ", ".join("l_orderkey + top.k AS l_orderkey" if c == "l_orderkey" else
                         f"{CHANGED_AT} AS {c}" if c == CURSOR else c for c in COLUMNS)
    plain = ", ".join(COLUMNS)
    source = (f"WITH numbered AS (SELECT *, row_number() OVER (ORDER BY {', '.join(KEY)}) AS rn FROM {TABLE}), "
              f"top AS (SELECT max(l_orderkey) AS k FROM {TABLE}) "
              f"SELECT {upd_cols}, 'update' AS op FROM numbered WHERE {picked(1)} "
              f"UNION ALL SELECT {plain}, 'delete' AS op FROM numbered WHERE {picked(2)} "
              f"UNION ALL SELECT {ins_cols}, 'insert' AS op FROM numbered, top WHERE {picked(3)}")
    on = " AND ".join(f"t.{k} = s.{k}" for k in KEY)
    sets = ", ".join(f"{c} = s.{c}" for c in updated)
    return (f"MERGE INTO {TABLE} AS t USING ({source}) AS s ON {on} "
            f"WHEN MATCHED AND s.op = 'delete' THEN DELETE "
            f"WHEN MATCHED AND s.op = 'update' THEN UPDATE SET {sets} "
            f"WHEN NOT MATCHED AND s.op = 'insert' THEN INSERT ({plain}) VALUES ({', '.join('s.' + c for c in COLUMNS)})")


@dataclass
class ChangeCommit:
    """What the change did, as the table's history records it."""
    statement: str
    version_before: int
    version_after: int
    operations: list                  # DESCRIBE HISTORY's operation of each new commit
    rows_per_kind: int
    metrics: dict                     # the MERGE's operationMetrics

    @property
    def commits(self) -> int:
        return self.version_after - self.version_before

    def to_json(self) -> dict:
        return {"statement": self.statement, "version_before": self.version_before,
                "version_after": self.version_after, "commits": self.commits, "operations": self.operations,
                "rows_per_kind": self.rows_per_kind, "operation_metrics": self.metrics}


def latest_version(sql: SqlClient) -> int:
    return int(sql.rows(f"DESCRIBE HISTORY {TABLE} LIMIT 1")[0][0])


def create_table(sql: SqlClient) -> int:
    """The bench table, made again from the seeded lineitem; returns its version."""
    for s in create_statements():
        sql.execute(s)
    return latest_version(sql)


def commit_change(sql: SqlClient, n: int) -> ChangeCommit:
    """The MERGE, and the commits it made as DESCRIBE HISTORY lists them."""
    before = latest_version(sql)
    statement = change_statement(n)
    sql.execute(statement)
    r = sql.execute(f"DESCRIBE HISTORY {TABLE}")
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    rows = [dict(zip(cols, h)) for h in (r.get("result") or {}).get("data_array") or []]
    new = sorted((h for h in rows if int(h["version"]) > before), key=lambda h: int(h["version"]))
    metrics = new[-1].get("operationMetrics") if new else None
    if isinstance(metrics, str):
        metrics = json.loads(metrics)
    return ChangeCommit(statement, before, int(new[-1]["version"]) if new else before,
                        [h["operation"] for h in new], n, metrics or {})
