"""Delta change data feed as Databricks SQL serves it: `table_changes(...)` through the Statement
Execution API, its range errors, and VACUUM / log retention making old versions unreadable."""

from __future__ import annotations

import pyarrow as pa
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, Format, StatementState

ORDERS = "main.demo.orders_cdf"


def _client(e) -> WorkspaceClient:
    return WorkspaceClient(host=e.host, token=e.token)


def failed(e, sql: str, **kw) -> dict:
    r = e.execute(sql, **kw)
    assert r["status"]["state"] == "FAILED", (sql, r["status"])
    return r["status"]


def test_seeded_feed_through_the_sdk(emu):
    w = _client(emu)
    r = w.statement_execution.execute_statement(
        statement=f"SELECT _change_type, _commit_version, count(*) AS n FROM table_changes('{ORDERS}', 0) "
                  "GROUP BY 1, 2 ORDER BY 2, 1", warehouse_id=emu.warehouse_id, wait_timeout="30s")
    assert r.status.state == StatementState.SUCCEEDED
    assert r.result.data_array == [
        ["insert", "1", "100"], ["update_postimage", "2", "20"], ["update_preimage", "2", "20"],
        ["delete", "3", "10"], ["insert", "4", "10"], ["update_postimage", "4", "6"], ["update_preimage", "4", "6"],
        ["insert", "5", "10"]]
    r = w.statement_execution.execute_statement(
        statement=f"SELECT * FROM table_changes('{ORDERS}', 2, 2) ORDER BY order_id, _change_type",
        warehouse_id=emu.warehouse_id, wait_timeout="30s")
    cols = [(c.name, c.type_name.value) for c in r.manifest.schema.columns]
    assert cols == [("order_id", "LONG"), ("customer_id", "LONG"), ("status", "STRING"), ("amount", "DECIMAL"),
                    ("updated_at", "TIMESTAMP"), ("_change_type", "STRING"), ("_commit_version", "LONG"),
                    ("_commit_timestamp", "TIMESTAMP")]
    first = r.result.data_array[:2]
    assert [row[0] for row in first] == ["5", "5"]
    assert [(row[2], row[5]) for row in first] == [("shipped", "update_postimage"), ("new", "update_preimage")]


def test_feed_as_arrow_through_external_links(emu):
    r = emu.ok(f"SELECT order_id, _change_type, _commit_version, _commit_timestamp FROM table_changes('{ORDERS}', 3)",
               disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    body = b"".join(emu.download(link) for link in r["result"]["external_links"])
    t = pa.ipc.open_stream(body).read_all()
    assert t.schema.field("_commit_version").type == pa.int64()
    assert t.schema.field("_commit_timestamp").type == pa.timestamp("us", "Etc/UTC")
    assert sorted(set(t.column("_commit_version").to_pylist())) == [3, 4, 5]
    assert t.num_rows == 10 + 10 + 12 + 10


def test_timestamps_as_bounds(emu):
    hist = emu.rows(f"DESCRIBE HISTORY {ORDERS}")
    ts = {int(h[0]): h[1] for h in hist}
    rows = emu.rows(f"SELECT DISTINCT _commit_version FROM table_changes('{ORDERS}', '{ts[2]}', '{ts[3]}') ORDER BY 1")
    assert rows == [["2"], ["3"]]
    rows = emu.rows(f"SELECT count(*) FROM table_changes('{ORDERS}', '{ts[5]}')")
    assert rows == [["10"]]
    st = failed(emu, f"SELECT * FROM table_changes('{ORDERS}', '2999-01-01')")
    assert st["error"]["message"].startswith("[DELTA_TIMESTAMP_GREATER_THAN_COMMIT]") and st["sql_state"] == "42816"


def test_range_errors(emu):
    st = failed(emu, f"SELECT * FROM table_changes('{ORDERS}', 6)")
    assert st["error"]["message"].startswith("[DELTA_CDC_START_VERSION_AFTER_LATEST] Start version 6 for change "
                                             "data feed exceeds the latest table version 5.")
    assert st["sql_state"] == "22003"
    st = failed(emu, f"SELECT * FROM table_changes('{ORDERS}', 3, 2)")
    assert st["error"]["message"].startswith("[DELTA_INVALID_CDC_RANGE] CDC range from start 3 to end 2 was invalid.")
    st = failed(emu, "SELECT * FROM table_changes('samples.tpch.orders', 0)")
    assert st["error"]["message"].startswith("[DELTA_MISSING_CHANGE_DATA] Error getting change data for range [0 , 0] "
                                             "as change data was not recorded for version [0].")
    assert st["sql_state"] == "KD002" and st["error"]["error_code"] == "BAD_REQUEST"
    assert emu.rows(f"SELECT count(*) FROM table_changes('{ORDERS}', 5, 99)") == [["10"]]


def test_feed_follows_the_property_over_versions(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    t = "main.default.flip"
    e.ok(f"CREATE TABLE {t} (id BIGINT NOT NULL, v STRING)")                                    # v0
    e.ok(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b')")                                         # v1
    e.ok(f"ALTER TABLE {t} SET TBLPROPERTIES (delta.enableChangeDataFeed = true)")             # v2
    e.ok(f"UPDATE {t} SET v = 'B' WHERE id = 2")                                                # v3
    e.ok(f"ALTER TABLE {t} SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'false')")        # v4
    e.ok(f"DELETE FROM {t} WHERE id = 1")                                                       # v5
    st = failed(e, f"SELECT * FROM table_changes('{t}', 0)")
    assert "for range [0 , 5] as change data was not recorded for version [0]" in st["error"]["message"]
    assert e.rows(f"SELECT id, v, _change_type FROM table_changes('{t}', 3, 3) ORDER BY 3") == [
        ["2", "B", "update_postimage"], ["2", "b", "update_preimage"]]
    st = failed(e, f"SELECT * FROM table_changes('{t}', 3)")
    assert "for range [3 , 5] as change data was not recorded for version [4]" in st["error"]["message"]
    hist = e.rows(f"DESCRIBE HISTORY {t}")
    assert [h[4] for h in hist] == ["DELETE", "SET TBLPROPERTIES", "UPDATE", "SET TBLPROPERTIES", "WRITE",
                                    "CREATE TABLE"]


def _changed_table(e, t: str) -> None:
    e.ok(f"CREATE TABLE {t} (id BIGINT NOT NULL, v STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    e.ok(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c')")                                # v1
    e.ok(f"UPDATE {t} SET v = 'B' WHERE id = 2")                                                # v2
    e.ok(f"DELETE FROM {t} WHERE id = 3")                                                       # v3


def test_vacuum_makes_old_versions_unreadable(start_emulator, scratch_data):
    e = start_emulator("--no-retention-check", data=scratch_data)
    t = "main.default.vac"
    _changed_table(e, t)
    assert e.rows(f"SELECT count(*) FROM {t} VERSION AS OF 1") == [["3"]]
    dry = e.rows(f"VACUUM {t} RETAIN 0 HOURS DRY RUN")
    assert len(dry) == 2 and all(p[0].endswith(".parquet") for p in dry)
    r = e.ok(f"VACUUM {t} RETAIN 0 HOURS")
    assert [c["name"] for c in r["manifest"]["schema"]["columns"]] == ["path"]
    st = failed(e, f"SELECT * FROM {t} VERSION AS OF 1")
    assert st["error"]["message"].startswith("[DELTA_FILE_NOT_FOUND_DETAILED] File ") and st["sql_state"] == "42K03"
    st = failed(e, f"SELECT * FROM table_changes('{t}', 1)")
    assert st["error"]["message"].startswith("[DELTA_CHANGE_DATA_FILE_NOT_FOUND] File ")
    assert e.rows(f"SELECT id, v FROM {t} ORDER BY id") == [["1", "a"], ["2", "B"]]
    ops = [h[4] for h in e.rows(f"DESCRIBE HISTORY {t} LIMIT 2")]
    assert ops == ["VACUUM END", "VACUUM START"]
    # log retention: commits older than delta.logRetentionDuration go at the next cleanup
    e.ok(f"ALTER TABLE {t} SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 0 seconds')")
    e.ok(f"VACUUM {t} RETAIN 0 HOURS")
    latest = int(e.rows(f"DESCRIBE HISTORY {t} LIMIT 1")[0][0])
    st = failed(e, f"SELECT * FROM {t} VERSION AS OF 0")
    assert st["error"]["message"].startswith(f"[DELTA_VERSION_NOT_FOUND] Cannot time travel Delta table to version 0. "
                                             f"Available versions: [{latest}, {latest}].")
    assert st["sql_state"] == "22003"
    st = failed(e, f"SELECT * FROM table_changes('{t}', 0)")
    assert st["error"]["message"].startswith("[DELTA_VERSION_NOT_FOUND]")
    assert [h[0] for h in e.rows(f"DESCRIBE HISTORY {t}")] == [str(latest)]


def test_vacuum_retention_check(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    t = "main.default.keep"
    _changed_table(e, t)
    st = failed(e, f"VACUUM {t} RETAIN 0 HOURS")
    assert st["error"]["message"].startswith("[DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT]")
    assert "at least 168 hours" in st["error"]["message"] and st["sql_state"] == "22003"
    assert e.rows(f"VACUUM {t}") != []                         # the default 7 days removes nothing yet
    assert e.rows(f"SELECT count(*) FROM {t} VERSION AS OF 1") == [["3"]]
    st = failed(e, f"VACUUM {t} RETAIN -1 HOURS")
    assert st["error"]["message"].startswith("[DELTA_VACUUM_RETENTION_PERIOD_NEGATIVE]")
    # the Spark conf turns the check off for a session, as on Databricks
    s = e.http.post(e.host + "/api/2.0/sql/sessions", json={"warehouse_id": e.warehouse_id}).json()["session_id"]
    e.ok("SET spark.databricks.delta.retentionDurationCheck.enabled = false", session_id=s, warehouse_id=None)
    e.ok(f"VACUUM {t} RETAIN 0 HOURS", session_id=s, warehouse_id=None)
    assert failed(e, f"SELECT * FROM {t} VERSION AS OF 1")["error"]["message"].startswith(
        "[DELTA_FILE_NOT_FOUND_DETAILED]")
    requests.delete(f"{e.host}/api/2.0/sql/sessions/{s}", headers={"Authorization": f"Bearer {e.token}"})


def test_sdk_reads_feed_of_a_table_it_changed(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    w = _client(e)
    t = "main.default.sdk_feed"

    def run(sql: str):
        r = w.statement_execution.execute_statement(statement=sql, warehouse_id=e.warehouse_id, wait_timeout="30s",
                                                    disposition=Disposition.INLINE, format=Format.JSON_ARRAY)
        assert r.status.state == StatementState.SUCCEEDED, (sql, r.status)
        return r

    run(f"CREATE TABLE {t} (id BIGINT NOT NULL, qty INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    run(f"INSERT INTO {t} VALUES (1, 10), (2, 20)")
    run(f"MERGE INTO {t} AS d USING (SELECT 2 AS id, 25 AS qty UNION ALL SELECT 3, 30) AS s ON d.id = s.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *")
    r = run(f"SELECT id, qty, _change_type FROM table_changes('{t}', 2) ORDER BY id, _change_type")
    assert r.result.data_array == [["2", "25", "update_postimage"], ["2", "20", "update_preimage"],
                                   ["3", "30", "insert"]]
