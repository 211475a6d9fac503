"""The SQL surface a replicator uses, over the Delta tables."""

from __future__ import annotations

import time

import pytest


def test_select_projection_where_order_limit(emu):
    rows = emu.rows("SELECT `o_orderkey`, o_orderstatus FROM `samples`.`tpch`.`orders` "
                    "WHERE o_orderkey BETWEEN 1 AND 40 AND o_orderstatus <> 'X' ORDER BY o_orderkey DESC LIMIT 3")
    assert [r[0] for r in rows] == sorted([r[0] for r in rows], key=int, reverse=True)
    assert len(rows) == 3 and all(int(r[0]) <= 40 for r in rows)


def test_counts_and_checksum_aggregates(emu):
    rows = emu.rows("SELECT count(*), count(DISTINCT l_orderkey), sum(l_quantity), min(l_orderkey), max(l_orderkey), "
                    "bit_xor(hash(l_orderkey, l_linenumber)) FROM samples.tpch.lineitem")
    assert rows[0][0] == "60012" and rows[0][1] == "15000"
    again = emu.rows("SELECT bit_xor(hash(l_orderkey, l_linenumber)) FROM samples.tpch.lineitem")
    assert again[0][0] == rows[0][5]
    assert emu.rows("SELECT count(*) FROM samples.tpch.orders o JOIN samples.tpch.lineitem l "
                    "ON o.o_orderkey = l.l_orderkey WHERE o.o_orderkey = 1")[0][0] != "0"


def test_current_catalog_schema_and_unqualified_names(emu):
    r = emu.ok("SELECT count(*) FROM orders", catalog="samples", schema="tpch")
    assert r["result"]["data_array"] == [["15000"]]
    assert emu.rows("SELECT current_catalog(), current_schema()", catalog="samples", schema="tpch") == [["samples", "tpch"]]
    assert emu.rows("SELECT count(*) FROM tpch.lineitem", catalog="samples") == [["60012"]]
    assert emu.rows("SELECT count(*) FROM samples.tpch.orders AS x, samples.tpch.orders y "
                    "WHERE x.o_orderkey = y.o_orderkey AND x.o_orderkey = 1") == [["1"]]
    assert emu.rows("WITH t AS (SELECT 1 AS a) SELECT a FROM t") == [["1"]]


def test_show_commands(emu):
    assert emu.rows("SHOW CATALOGS") == [["main"], ["samples"]]
    r = emu.ok("SHOW SCHEMAS IN main")
    assert r["manifest"]["schema"]["columns"][0]["name"] == "databaseName"
    assert r["result"]["data_array"] == [["default"], ["demo"]]
    r = emu.ok("SHOW TABLES IN samples.tpch")
    assert [c["name"] for c in r["manifest"]["schema"]["columns"]] == ["database", "tableName", "isTemporary"]
    assert r["result"]["data_array"] == [["tpch", "lineitem", "false"], ["tpch", "orders", "false"]]
    assert emu.rows("SHOW TABLES IN main.demo LIKE 'ev*'") == [["demo", "events", "false"]]
    assert emu.rows("SHOW COLUMNS IN samples.tpch.orders")[:2] == [["o_orderkey"], ["o_custkey"]]
    assert ["delta.enableChangeDataFeed", "true"] in emu.rows("SHOW TBLPROPERTIES main.demo.events")


def test_describe_table_detail_history(emu):
    rows = emu.rows("DESCRIBE TABLE main.demo.all_types")
    assert rows[0] == ["id", "int", "row number"]
    assert ["c_decimal_38_18", "decimal(38,18)", None] in rows
    assert ["c_struct", "struct<name:string,value:double,tags:array<string>>", None] in rows
    assert ["c_variant", "variant", "semi-structured JSON"] in rows
    r = emu.ok("DESCRIBE DETAIL samples.tpch.lineitem")
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    d = dict(zip(cols, r["result"]["data_array"][0]))
    assert d["format"] == "delta" and d["name"] == "samples.tpch.lineitem"
    assert int(d["numFiles"]) >= 1 and int(d["sizeInBytes"]) > 100_000
    assert int(d["minReaderVersion"]) >= 1
    r = emu.ok("DESCRIBE HISTORY main.demo.events")
    cols = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    assert cols[:5] == ["version", "timestamp", "userId", "userName", "operation"]
    hist = [dict(zip(cols, row)) for row in r["result"]["data_array"]]
    assert [h["version"] for h in hist] == ["5", "4", "3", "2", "1", "0"]
    assert [h["operation"] for h in hist] == ["WRITE", "MERGE", "DELETE", "UPDATE", "WRITE", "WRITE"]
    assert emu.rows("DESCRIBE HISTORY main.demo.events LIMIT 1")[0][0] == "5"


def test_time_travel(emu):
    assert emu.rows("SELECT count(*) FROM main.demo.events VERSION AS OF 0") == [["200"]]
    assert emu.rows("SELECT count(*) FROM main.demo.events VERSION AS OF 1") == [["250"]]
    assert emu.rows("SELECT count(*) FROM main.demo.events@v1") == [["250"]]
    hist = emu.rows("DESCRIBE HISTORY main.demo.events")
    ts_v1 = next(h[1] for h in hist if h[0] == "1")
    n = emu.rows(f"SELECT count(*) FROM main.demo.events TIMESTAMP AS OF '{ts_v1}'")
    assert n == [["250"]]
    compact = ts_v1.replace("-", "").replace("T", "").replace(":", "").replace(".", "").rstrip("Z")
    assert emu.rows(f"SELECT count(*) FROM main.demo.events@{compact}") == [["250"]]
    assert emu.rows("SELECT count(*) FROM main.demo.events TIMESTAMP AS OF current_timestamp()") == [["246"]]
    assert emu.rows("SELECT count(*) FROM table_changes('main.demo.events', '2000-01-01') "
                    "WHERE _commit_version = 0") == [["200"]]
    r = emu.execute("SELECT * FROM main.demo.events VERSION AS OF 99")
    assert r["status"]["state"] == "FAILED" and r["status"]["error"]["message"].startswith(
        "[DELTA_VERSION_NOT_FOUND] Cannot time travel Delta table to version 99. Available versions: [0, 5].")
    r = emu.execute("SELECT * FROM main.demo.events TIMESTAMP AS OF '2000-01-01'")
    assert r["status"]["state"] == "FAILED" and "before the earliest version" in r["status"]["error"]["message"]


def test_table_changes(emu):
    r = emu.ok("SELECT _change_type, count(*) FROM table_changes('main.demo.events', 2, 3) GROUP BY 1 ORDER BY 1")
    got = dict(r["result"]["data_array"])
    assert set(got) == {"delete", "update_preimage", "update_postimage"}
    assert got["update_preimage"] == got["update_postimage"]
    r = emu.ok("SELECT * FROM table_changes('main.demo.events', 0) LIMIT 1")
    names = [c["name"] for c in r["manifest"]["schema"]["columns"]]
    assert names[-3:] == ["_change_type", "_commit_version", "_commit_timestamp"]
    types = [c["type_name"] for c in r["manifest"]["schema"]["columns"]][-3:]
    assert types == ["STRING", "LONG", "TIMESTAMP"]
    r = emu.execute("SELECT * FROM table_changes('samples.tpch.orders', 0)")
    assert r["status"]["state"] == "FAILED"


def test_errors_like_databricks(emu):
    cases = {
        "SELECT * FROM main.demo.nope": ("TABLE_OR_VIEW_NOT_FOUND", "42P01"),
        "SELECT no_such_col FROM main.demo.events": ("UNRESOLVED_COLUMN", "42703"),
        "SELECT FROM WHERE": ("PARSE_SYNTAX_ERROR", "42601"),
        "GRANT SELECT ON TABLE x TO y": ("PARSE_SYNTAX_ERROR", "42601"),
        "SELECT no_such_fn(1)": ("UNRESOLVED_ROUTINE", "42883"),
        "SELECT CAST('x' AS INT)": ("CAST_INVALID_INPUT", "22018"),
    }
    for sql, (cls, state) in cases.items():
        r = emu.execute(sql)
        assert r["status"]["state"] == "FAILED", sql
        assert r["status"]["error"]["message"].startswith(f"[{cls}"), (sql, r["status"])
        assert r["status"]["sql_state"] == state, sql


def test_dml_through_deltalake(start_emulator, scratch_data):
    e = start_emulator(data=scratch_data)
    e.ok("CREATE TABLE main.default.people (id BIGINT NOT NULL, name STRING, score DECIMAL(10,2), "
         "seen_at TIMESTAMP) TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')")
    r = e.ok("INSERT INTO main.default.people VALUES (1, 'ann', 1.5, TIMESTAMP '2024-01-01 00:00:00'), "
             "(2, 'bob', 2.25, NULL), (3, 'cy', NULL, NULL)")
    assert [c["name"] for c in r["manifest"]["schema"]["columns"]] == ["num_affected_rows", "num_inserted_rows"]
    assert r["result"]["data_array"] == [["3", "3"]]
    assert e.rows("UPDATE main.default.people SET score = score + 1 WHERE id = 2") == [["1"]]
    assert e.rows("DELETE FROM main.default.people WHERE id = 3") == [["1"]]
    r = e.rows("MERGE INTO main.default.people AS t USING (SELECT 1 AS id, 'ANN' AS name UNION ALL "
               "SELECT 4, 'dee') AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name "
               "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)")
    assert r == [["2", "1", "0", "1"]]
    assert e.rows("SELECT id, name, score, seen_at FROM main.default.people ORDER BY id") == [
        ["1", "ANN", "1.50", "2024-01-01T00:00:00.000Z"], ["2", "bob", "3.25", None], ["4", "dee", None, None]]
    e.ok("INSERT INTO main.default.people (name, id) SELECT 'eve', 5")
    assert e.rows("SELECT name FROM main.default.people WHERE id = 5") == [["eve"]]
    ch = e.rows("SELECT _change_type, _commit_version FROM table_changes('main.default.people', 2) ORDER BY 2, 1")
    assert ["update_postimage", "2"] in ch and ["delete", "3"] in ch and ["insert", "5"] in ch
    assert e.rows("DESCRIBE HISTORY main.default.people LIMIT 1")[0][0] == "5"
    r = e.execute("INSERT INTO main.default.people VALUES (NULL, 'x', NULL, NULL)")
    assert r["status"]["state"] == "FAILED"
    e.ok("CREATE TABLE main.default.copy AS SELECT id, name FROM main.default.people WHERE id < 3")
    assert e.rows("SELECT count(*) FROM main.default.copy") == [["2"]]
    e.ok("DROP TABLE main.default.copy")
    assert e.execute("SELECT * FROM main.default.copy")["status"]["state"] == "FAILED"
    r = e.execute("CREATE TABLE main.default.people (id INT)")
    assert r["status"]["error"]["message"].startswith("[TABLE_OR_VIEW_ALREADY_EXISTS]")


def test_spark_functions_and_hash_types(emu):
    r = emu.ok("SELECT sum(hash(l_orderkey, l_linenumber)) AS h, bit_xor(xxhash64(l_comment)) AS x "
               "FROM samples.tpch.lineitem")
    assert [c["type_name"] for c in r["manifest"]["schema"]["columns"]] == ["LONG", "LONG"]
    assert r["result"]["data_array"] == emu.ok("SELECT sum(hash(l_orderkey, l_linenumber)), "
                                               "bit_xor(xxhash64(l_comment)) FROM samples.tpch.lineitem")["result"]["data_array"]
    rows = emu.rows("SELECT sha2('abc', 256), size(array(1, 2)), isnull(NULL), nvl(NULL, 'd'), "
                    "md5('abc'), to_date('2024-01-02')")
    assert rows == [["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "2", "true", "d",
                     "900150983cd24fb0d6963f7d28e17f72", "2024-01-02"]]
    r = emu.execute("SELECT sum(9223372036854775807) FROM samples.tpch.orders")
    assert r["status"]["state"] == "FAILED" and r["status"]["sql_state"] == "22003"


def test_information_schema(emu):
    rows = emu.rows("SELECT table_schema, table_name, data_source_format FROM main.information_schema.tables "
                    "ORDER BY 1, 2")
    assert rows == [["demo", "all_types", "DELTA"], ["demo", "events", "DELTA"], ["demo", "orders_cdf", "DELTA"]]
    cols = emu.rows("SELECT column_name, is_nullable, full_data_type, numeric_precision FROM "
                    "samples.information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position")
    assert cols[0] == ["o_orderkey", "YES", "bigint", None] and cols[3] == ["o_totalprice", "YES", "decimal(18,2)", "18"]
    assert emu.rows("SELECT schema_name FROM information_schema.schemata ORDER BY 1", catalog="samples") == [["tpch"]]


def test_null_ordering_like_spark(emu):
    asc = emu.rows("SELECT c_int FROM main.demo.all_types ORDER BY c_int")
    desc = emu.rows("SELECT c_int FROM main.demo.all_types ORDER BY c_int DESC")
    assert asc[0] == [None] and desc[-1] == [None]
