"""Views and materialized views as a Databricks client sees them (SQL and Unity Catalog REST), and
names with the characters Unity Catalog allows (backticks, quotes, non-ASCII letters)."""

from __future__ import annotations

import urllib.parse


def failed(e, sql: str) -> dict:
    r = e.execute(sql)
    assert r["status"]["state"] == "FAILED", (sql, r["status"])
    return r["status"]["error"]


def uc_table(e, full_name: str):
    return e.http.get(e.host + "/api/2.1/unity-catalog/tables/" + urllib.parse.quote(full_name, safe=""))


def test_seeded_view_reads_its_definition(emu):
    rows = emu.rows("SELECT order_id, status FROM main.demo.orders_view ORDER BY order_id")
    base = emu.rows("SELECT order_id, status FROM main.demo.orders_cdf WHERE status <> 'returned' ORDER BY order_id")
    assert rows == base and len(rows) > 0
    assert all(r[1] != "returned" for r in rows)
    assert emu.rows("SELECT count(*) FROM main.demo.shipped_orders_mv") == \
        emu.rows("SELECT count(*) FROM main.demo.orders_cdf WHERE status = 'shipped'")


def test_unity_catalog_reports_view_types_and_columns(emu):
    r = uc_table(emu, "main.demo.orders_view")
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["table_type"] == "VIEW"
    assert "orders_cdf" in info["view_definition"]
    assert [c["name"] for c in info["columns"]] == ["order_id", "status", "amount"]
    assert info["columns"][2]["type_text"] == "decimal(12,2)"
    assert "storage_location" not in info and "data_source_format" not in info
    mv = uc_table(emu, "main.demo.shipped_orders_mv").json()
    assert mv["table_type"] == "MATERIALIZED_VIEW"
    listed = emu.http.get(emu.host + "/api/2.1/unity-catalog/tables",
                          params={"catalog_name": "main", "schema_name": "demo"}).json()["tables"]
    types = {t["name"]: t["table_type"] for t in listed}
    assert types["orders_view"] == "VIEW" and types["shipped_orders_mv"] == "MATERIALIZED_VIEW"
    assert types["orders_cdf"] == "MANAGED"
    names = [r[1] for r in emu.rows("SHOW TABLES IN main.demo")]
    assert "orders_view" in names


def test_views_have_no_delta_history(emu):
    for sql in ("DESCRIBE HISTORY main.demo.orders_view", "DESCRIBE DETAIL main.demo.orders_view",
                "SELECT * FROM table_changes('main.demo.orders_view', 0)"):
        err = failed(emu, sql)
        assert err["message"].startswith("[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE]"), err
        assert "SQLSTATE: 42809" in err["message"]
    for sql in ("SELECT * FROM main.demo.orders_view VERSION AS OF 1",
                "SELECT * FROM main.demo.orders_view TIMESTAMP AS OF '2024-01-01'"):
        err = failed(emu, sql)
        assert "UNSUPPORTED_FEATURE.TIME_TRAVEL" in err["message"], err
    described = emu.rows("DESCRIBE TABLE main.demo.orders_view")
    assert [r[0] for r in described] == ["order_id", "status", "amount"]


def test_create_replace_and_drop_view(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    e.ok("CREATE VIEW main.demo.big AS SELECT order_id FROM main.demo.orders_cdf WHERE order_id > 100")
    assert int(e.rows("SELECT count(*) FROM main.demo.big")[0][0]) > 0
    err = failed(e, "CREATE VIEW main.demo.big AS SELECT 1 AS x")
    assert "TABLE_OR_VIEW_ALREADY_EXISTS" in err["message"]
    e.ok("CREATE OR REPLACE VIEW main.demo.big (n, doubled) AS SELECT order_id, order_id * 2 FROM main.demo.orders_cdf")
    assert e.rows("SELECT n, doubled FROM main.demo.big WHERE n = 7") == [["7", "14"]]
    info = uc_table(e, "main.demo.big").json()
    assert [c["name"] for c in info["columns"]] == ["n", "doubled"]
    # a view over a view reads through both
    e.ok("CREATE VIEW main.demo.small AS SELECT n FROM main.demo.big WHERE n < 3")
    assert e.rows("SELECT n FROM main.demo.small ORDER BY n") == [["1"], ["2"]]
    err = failed(e, "DROP TABLE main.demo.big")
    assert "WRONG_COMMAND_FOR_OBJECT_TYPE" in err["message"]
    err = failed(e, "CREATE OR REPLACE VIEW main.demo.orders_cdf AS SELECT 1 AS x")
    assert "EXPECT_VIEW_NOT_TABLE" in err["message"]
    err = failed(e, "INSERT INTO main.demo.big VALUES (1, 2)")
    assert "EXPECT_TABLE_NOT_VIEW" in err["message"]
    e.ok("DROP VIEW main.demo.small")
    e.ok("DROP VIEW IF EXISTS main.demo.small")
    assert "TABLE_OR_VIEW_NOT_FOUND" in failed(e, "SELECT * FROM main.demo.small")["message"]
    assert uc_table(e, "main.demo.small").status_code == 404


def test_names_with_backticks_quotes_and_unicode(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    e.ok('CREATE SCHEMA main.`sch"ema`')
    e.ok('CREATE TABLE main.`sch"ema`.`ta``ble` (`col.dot` INT, `qu"ote` STRING, `ünï` STRING)')
    e.ok('INSERT INTO main.`sch"ema`.`ta``ble` VALUES (1, \'a\', \'ä\'), (2, \'b\', \'日本\')')
    rows = e.rows('SELECT `col.dot`, `qu"ote`, `ünï` FROM main.`sch"ema`.`ta``ble` ORDER BY 1')
    assert rows == [["1", "a", "ä"], ["2", "b", "日本"]]
    e.ok('CREATE VIEW main.`sch"ema`.`vïew``s` AS SELECT `col.dot` FROM main.`sch"ema`.`ta``ble` WHERE `col.dot` > 1')
    assert e.rows('SELECT * FROM main.`sch"ema`.`vïew``s`') == [["2"]]
    info = uc_table(e, 'main.sch"ema.ta`ble')
    assert info.status_code == 200, info.text
    assert [c["name"] for c in info.json()["columns"]] == ["col.dot", 'qu"ote', "ünï"]
    listed = e.http.get(e.host + "/api/2.1/unity-catalog/tables",
                        params={"catalog_name": "main", "schema_name": 'sch"ema'}).json()["tables"]
    assert sorted((t["name"], t["table_type"]) for t in listed) == [("ta`ble", "MANAGED"), ("vïew`s", "VIEW")]
    history = e.rows('DESCRIBE HISTORY main.`sch"ema`.`ta``ble` LIMIT 1')
    assert history[0][0] == "1"


def test_names_unity_catalog_refuses(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    for sql in ("CREATE TABLE main.demo.`a.b` (x INT)", "CREATE TABLE main.demo.`a b` (x INT)",
                "CREATE VIEW main.demo.`a/b` AS SELECT 1 AS x", "CREATE SCHEMA main.`s.t`"):
        err = failed(e, sql)
        assert "INVALID_SCHEMA_OR_RELATION_NAME" in err["message"], (sql, err)
