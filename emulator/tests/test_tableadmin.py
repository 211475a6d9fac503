"""Table definition as an incremental-sync client sees it: table properties, primary keys (Unity
Catalog `table_constraints`, information_schema), CREATE OR REPLACE identities, ALTER TABLE
ADD COLUMNS, and DESCRIBE HISTORY operations and metrics."""

from __future__ import annotations

import json

from databricks.sdk import WorkspaceClient


def _client(e) -> WorkspaceClient:
    return WorkspaceClient(host=e.host, token=e.token)


def failed(e, sql: str) -> dict:
    r = e.execute(sql)
    assert r["status"]["state"] == "FAILED", (sql, r["status"])
    return r["status"]


def detail(e, t: str) -> dict:
    r = e.ok(f"DESCRIBE DETAIL {t}")
    return dict(zip([c["name"] for c in r["manifest"]["schema"]["columns"]], r["result"]["data_array"][0]))


def history(e, t: str) -> list[dict]:
    r = e.ok(f"DESCRIBE HISTORY {t}")
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    return [dict(zip(cols, row)) for row in r["result"]["data_array"]]


def test_seeded_orders_cdf_in_unity_catalog(emu):
    info = _client(emu).tables.get("main.demo.orders_cdf")
    assert info.properties["delta.enableChangeDataFeed"] == "true"
    pk = info.table_constraints[0].primary_key_constraint
    assert (pk.name, pk.child_columns) == ("orders_cdf_pk", ["order_id"])
    assert [c.name for c in info.columns] == ["order_id", "customer_id", "status", "amount", "updated_at"]
    assert info.columns[0].nullable is False
    assert emu.rows("SELECT count(*) FROM main.demo.orders_cdf") == [["110"]]
    raw = emu.http.get(emu.host + "/api/2.1/unity-catalog/tables/main.demo.orders_cdf").json()
    assert raw["table_constraints"] == [{"primary_key_constraint": {"name": "orders_cdf_pk",
                                                                     "child_columns": ["order_id"]}}]
    plain = emu.http.get(emu.host + "/api/2.1/unity-catalog/tables/main.demo.events").json()
    assert "table_constraints" not in plain
    listed = emu.http.get(emu.host + "/api/2.1/unity-catalog/tables",
                          params={"catalog_name": "main", "schema_name": "demo"}).json()["tables"]
    assert all("table_constraints" not in t for t in listed)


def test_constraints_in_information_schema(emu):
    assert emu.rows("SELECT constraint_name, table_schema, table_name, constraint_type, enforced "
                    "FROM main.information_schema.table_constraints") == [
        ["orders_cdf_pk", "demo", "orders_cdf", "PRIMARY KEY", "NO"]]
    assert emu.rows("SELECT constraint_name, table_name, column_name, ordinal_position "
                    "FROM main.information_schema.key_column_usage") == [
        ["orders_cdf_pk", "orders_cdf", "order_id", "1"]]
    assert emu.rows("SELECT count(*) FROM samples.information_schema.table_constraints") == [["0"]]


def test_properties_and_primary_keys(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    w = _client(e)
    e.ok("CREATE TABLE main.default.items (shop STRING NOT NULL, sku BIGINT NOT NULL, name STRING, "
         "CONSTRAINT items_pk PRIMARY KEY (shop, sku)) TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    assert ["delta.enableChangeDataFeed", "true"] in e.rows("SHOW TBLPROPERTIES main.default.items")
    info = w.tables.get("main.default.items")
    assert info.properties["delta.enableChangeDataFeed"] == "true"
    assert info.table_constraints[0].primary_key_constraint.child_columns == ["shop", "sku"]
    e.ok("CREATE TABLE main.default.plain (id BIGINT NOT NULL, note STRING)")
    assert "delta.enableChangeDataFeed" not in (w.tables.get("main.default.plain").properties or {})
    e.ok("ALTER TABLE main.default.plain SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', 'team' = 'sync')")
    props = w.tables.get("main.default.plain").properties
    assert props["delta.enableChangeDataFeed"] == "true" and props["team"] == "sync"
    assert history(e, "main.default.plain")[0]["operation"] == "SET TBLPROPERTIES"
    st = failed(e, "ALTER TABLE main.default.plain SET TBLPROPERTIES ('delta.noSuchThing' = 'x')")
    assert st["error"]["message"].startswith("[DELTA_UNKNOWN_CONFIGURATION] Unknown configuration was specified: "
                                             "delta.noSuchThing") and st["sql_state"] == "F0000"
    assert w.tables.get("main.default.plain").table_constraints in (None, [])
    st = failed(e, "ALTER TABLE main.default.plain ADD CONSTRAINT plain_pk PRIMARY KEY (note)")
    assert "because its child column(s) `note` is nullable" in st["error"]["message"]
    st = failed(e, "ALTER TABLE main.default.plain ADD CONSTRAINT plain_pk PRIMARY KEY (nope)")
    assert st["error"]["message"].startswith("[UNRESOLVED_COLUMN")
    e.ok("ALTER TABLE main.default.plain ADD CONSTRAINT plain_pk PRIMARY KEY (id)")
    pk = w.tables.get("main.default.plain").table_constraints[0].primary_key_constraint
    assert (pk.name, pk.child_columns) == ("plain_pk", ["id"])
    st = failed(e, "ALTER TABLE main.default.plain ADD PRIMARY KEY (id)")
    assert st["error"]["message"].startswith("[DELTA_CONSTRAINT_ALREADY_EXISTS]") and st["sql_state"] == "42710"
    assert ["plain_pk", "plain", "id", "1"] in e.rows(
        "SELECT constraint_name, table_name, column_name, ordinal_position FROM main.information_schema.key_column_usage")
    e.ok("ALTER TABLE main.default.plain DROP PRIMARY KEY")
    assert w.tables.get("main.default.plain").table_constraints in (None, [])
    st = failed(e, "ALTER TABLE main.default.plain DROP CONSTRAINT plain_pk")
    assert st["error"]["message"].startswith("[DELTA_CONSTRAINT_DOES_NOT_EXIST]")
    e.ok("ALTER TABLE main.default.plain DROP CONSTRAINT IF EXISTS plain_pk")
    e.ok("CREATE TABLE main.default.inline (id BIGINT NOT NULL PRIMARY KEY, v STRING)")
    pk = w.tables.get("main.default.inline").table_constraints[0].primary_key_constraint
    assert (pk.name, pk.child_columns) == ("inline_pk", ["id"])
    st = failed(e, "CREATE TABLE main.default.bad (id BIGINT, CONSTRAINT bad_pk PRIMARY KEY (id))")
    assert "is nullable" in st["error"]["message"]
    assert e.execute("SELECT * FROM main.default.bad")["status"]["state"] == "FAILED"


def test_create_or_replace_identities(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    w = _client(e)
    t = "main.default.snap"
    e.ok(f"CREATE TABLE {t} (id BIGINT NOT NULL, v STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    e.ok(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b')")
    uc_id, delta_id = w.tables.get(t).table_id, detail(e, t)["id"]
    assert uc_id == delta_id
    e.ok(f"CREATE OR REPLACE TABLE {t} (id BIGINT NOT NULL, v STRING, extra INT, CONSTRAINT snap_pk PRIMARY KEY (id)) "
         "TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    assert w.tables.get(t).table_id == uc_id                 # same Unity Catalog securable
    assert detail(e, t)["id"] != delta_id                    # new Delta metadata
    h = history(e, t)
    assert [x["operation"] for x in h] == ["CREATE OR REPLACE TABLE", "WRITE", "CREATE TABLE"]
    assert e.rows(f"SELECT count(*) FROM {t}") == [["0"]]
    assert e.rows(f"SELECT count(*) FROM {t} VERSION AS OF 1") == [["2"]]  # the old history stays readable
    assert w.tables.get(t).table_constraints[0].primary_key_constraint.name == "snap_pk"
    e.ok(f"CREATE OR REPLACE TABLE {t} AS SELECT 7 AS id")
    assert w.tables.get(t).table_id == uc_id and e.rows(f"SELECT id FROM {t}") == [["7"]]
    assert w.tables.get(t).table_constraints in (None, [])
    e.ok(f"DROP TABLE {t}")
    e.ok(f"CREATE TABLE {t} (id BIGINT)")
    assert w.tables.get(t).table_id != uc_id                 # a new table under the old name
    assert [x["version"] for x in history(e, t)] == ["0"]


def test_add_columns_and_unsupported_column_changes(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    t = "main.default.wide"
    e.ok(f"CREATE TABLE {t} (id BIGINT NOT NULL) TBLPROPERTIES (delta.enableChangeDataFeed = true)")
    e.ok(f"INSERT INTO {t} VALUES (1)")
    e.ok(f"ALTER TABLE {t} ADD COLUMNS (price DECIMAL(10,2) COMMENT 'unit price', tags ARRAY<STRING>)")
    e.ok(f"ALTER TABLE {t} ADD COLUMN note STRING")
    assert e.rows(f"DESCRIBE TABLE {t}") == [["id", "bigint", None], ["price", "decimal(10,2)", "unit price"],
                                             ["tags", "array<string>", None], ["note", "string", None]]
    e.ok(f"INSERT INTO {t} VALUES (2, 9.5, array('x'), 'n')")
    assert e.rows(f"SELECT id, price, tags, note FROM {t} ORDER BY id") == [
        ["1", None, None, None], ["2", "9.50", '["x"]', "n"]]
    assert [h["operation"] for h in history(e, t)][:3] == ["WRITE", "ADD COLUMNS", "ADD COLUMNS"]
    assert e.rows(f"SELECT id, price, _change_type FROM table_changes('{t}', 0) ORDER BY id") == [
        ["1", None, "insert"], ["2", "9.50", "insert"]]
    st = failed(e, f"ALTER TABLE {t} ADD COLUMNS (price INT)")
    assert st["error"]["message"].startswith("[DELTA_DUPLICATE_COLUMNS_FOUND") and st["sql_state"] == "42711"
    st = failed(e, f"ALTER TABLE {t} DROP COLUMN note")
    assert st["error"]["message"].startswith("[DELTA_UNSUPPORTED_DROP_COLUMN]") and st["sql_state"] == "0AKDC"
    st = failed(e, f"ALTER TABLE {t} RENAME COLUMN note TO remark")
    assert st["error"]["message"].startswith("[DELTA_UNSUPPORTED_RENAME_COLUMN]")


def test_history_operations_and_metrics(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    t = "main.default.metrics"
    e.ok(f"CREATE TABLE {t} (id BIGINT NOT NULL, v STRING)")
    e.ok(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    e.ok(f"UPDATE {t} SET v = 'x' WHERE id >= 2")
    e.ok(f"DELETE FROM {t} WHERE id = 3")
    e.ok(f"MERGE INTO {t} AS d USING (SELECT 1 AS id, 'm' AS v UNION ALL SELECT 9, 'n') AS s ON d.id = s.id "
         "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *")
    h = {x["operation"]: x for x in history(e, t)}
    assert set(h) == {"CREATE TABLE", "WRITE", "UPDATE", "DELETE", "MERGE"}
    m = {op: json.loads(x["operationMetrics"]) for op, x in h.items()}
    assert m["WRITE"]["numOutputRows"] == "3" and m["WRITE"]["numFiles"] == "1"
    assert m["UPDATE"]["numUpdatedRows"] == "2"
    assert m["DELETE"]["numDeletedRows"] == "1"
    assert (m["MERGE"]["numTargetRowsUpdated"], m["MERGE"]["numTargetRowsInserted"],
            m["MERGE"]["numSourceRows"]) == ("1", "1", "2")
    assert json.loads(h["WRITE"]["operationParameters"])["mode"] == "Append"
    assert h["UPDATE"]["userName"] == "emulator@dbduck.local" and h["UPDATE"]["readVersion"] == "1"
