"""The query result cache: what Databricks SQL does with `use_cached_result` (TRUE by default)."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pytest
import requests
from deltalake import write_deltalake

from emulator.catalog import Catalog
from emulator.queryresult import Session
from emulator.sqlengine import Engine

ARROW = {"disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM", "result_compression": "LZ4_FRAME"}


def cache(e) -> dict:
    r = e.http.get(e.host + "/admin/stats")
    assert r.status_code == 200, r.text
    return r.json()["result_cache"]


def links(e, r: dict) -> list[dict]:
    """Every external link of a SUCCEEDED statement, following next_chunk_index."""
    out = list(r["result"]["external_links"])
    while out[-1].get("next_chunk_index") is not None:
        out += e.chunk(r["statement_id"], out[-1]["next_chunk_index"])["external_links"]
    return out


def body(e, r: dict) -> list[bytes]:
    return [e.download(link) for link in links(e, r)]


def test_repeated_query_reuses_the_result(emu):
    sql = "SELECT * FROM samples.tpch.orders WHERE o_orderkey % 7 = 3"
    before = cache(emu)
    first = emu.ok(sql, **ARROW)
    second = emu.ok(sql, **ARROW)
    after = cache(emu)
    assert after["hits"] == before["hits"] + 1
    assert after["misses"] == before["misses"] + 1
    assert first["statement_id"] != second["statement_id"]
    assert first["manifest"] == second["manifest"]
    assert body(emu, first) == body(emu, second)


def test_closing_a_statement_keeps_the_cached_result_for_the_others(emu):
    sql = "SELECT o_orderkey, o_comment FROM samples.tpch.orders WHERE o_orderkey < 20000"
    first = emu.ok(sql, **ARROW)
    second = emu.ok(sql, **ARROW)
    first_link = first["result"]["external_links"][0]
    assert emu.http.delete(f"{emu.host}/api/2.0/sql/statements/{first['statement_id']}").status_code == 200
    # the closed statement's links stop working; the other statement's still download
    assert requests.get(first_link["external_link"]).status_code in (403, 404)
    assert len(body(emu, second)) == second["manifest"]["total_chunk_count"]


def test_a_write_to_the_table_is_a_miss_and_shows_the_new_rows(start_emulator, scratch_data):
    emu = start_emulator(data=scratch_data)
    name = f"main.default.cached_{uuid.uuid4().hex[:8]}"
    emu.ok(f"CREATE TABLE {name} (id BIGINT, v STRING)")
    emu.ok(f"INSERT INTO {name} VALUES (1, 'a')")
    assert emu.rows(f"SELECT id, v FROM {name} ORDER BY id") == [["1", "a"]]
    assert emu.rows(f"SELECT id, v FROM {name} ORDER BY id") == [["1", "a"]]   # cached
    hits = cache(emu)["hits"]
    emu.ok(f"INSERT INTO {name} VALUES (2, 'b')")
    assert emu.rows(f"SELECT id, v FROM {name} ORDER BY id") == [["1", "a"], ["2", "b"]]
    assert cache(emu)["hits"] == hits


def test_drop_and_recreate_under_the_same_name_is_a_miss(start_emulator, scratch_data):
    emu = start_emulator(data=scratch_data)
    name = f"main.default.recreated_{uuid.uuid4().hex[:8]}"
    emu.ok(f"CREATE TABLE {name} (id BIGINT)")
    emu.ok(f"INSERT INTO {name} VALUES (1)")
    assert emu.rows(f"SELECT id FROM {name}") == [["1"]]
    emu.ok(f"DROP TABLE {name}")
    emu.ok(f"CREATE TABLE {name} (id BIGINT)")
    emu.ok(f"INSERT INTO {name} VALUES (9)")    # version 1 again, as before the DROP
    assert emu.rows(f"SELECT id FROM {name}") == [["9"]]


def test_time_travel_is_cached_per_version(start_emulator, scratch_data):
    emu = start_emulator(data=scratch_data)
    name = f"main.default.versions_{uuid.uuid4().hex[:8]}"
    emu.ok(f"CREATE TABLE {name} (id BIGINT)")
    emu.ok(f"INSERT INTO {name} VALUES (1)")
    emu.ok(f"INSERT INTO {name} VALUES (2)")
    assert emu.rows(f"SELECT count(*) FROM {name} VERSION AS OF 1") == [["1"]]
    assert emu.rows(f"SELECT count(*) FROM {name} VERSION AS OF 2") == [["2"]]
    assert emu.rows(f"SELECT count(*) FROM {name} VERSION AS OF 1") == [["1"]]


def test_non_deterministic_queries_are_never_cached(emu):
    before = cache(emu)
    for sql in ("SELECT random() AS r FROM samples.tpch.orders WHERE o_orderkey < 100",
                "SELECT current_timestamp() AS t, o_orderkey FROM samples.tpch.orders WHERE o_orderkey < 100"):
        emu.ok(sql)
        emu.ok(sql)
    after = cache(emu)
    assert after["hits"] == before["hits"]
    assert after["misses"] == before["misses"]      # not even looked up


def test_use_cached_result_false_turns_it_off_for_a_session(emu):
    sql = "SELECT o_orderkey, o_orderstatus FROM samples.tpch.orders WHERE o_orderkey < 100 ORDER BY o_orderkey"
    r = emu.http.post(emu.host + "/api/2.0/sql/sessions",
                      json={"warehouse_id": emu.warehouse_id, "session_confs": {"use_cached_result": "false"}})
    assert r.status_code == 200, r.text
    sid = r.json()["session_id"]
    before = cache(emu)
    emu.ok(sql, session_id=sid, warehouse_id=None)
    emu.ok(sql, session_id=sid, warehouse_id=None)
    assert cache(emu)["hits"] == before["hits"]

    r = emu.http.post(emu.host + "/api/2.0/sql/sessions", json={"warehouse_id": emu.warehouse_id})
    other = r.json()["session_id"]
    emu.ok("SET use_cached_result = false", session_id=other, warehouse_id=None)
    emu.ok(sql, session_id=other, warehouse_id=None)
    assert cache(emu)["hits"] == before["hits"]


def test_result_cache_off(start_emulator):
    e = start_emulator("--result-cache-mb", "0")
    sql = "SELECT * FROM samples.tpch.orders WHERE o_orderkey < 1000"
    e.ok(sql, **ARROW)
    e.ok(sql, **ARROW)
    c = cache(e)
    assert c["enabled"] is False and c["hits"] == 0 and c["entries"] == 0


def test_a_full_cache_evicts_results_no_statement_serves(start_emulator):
    e = start_emulator("--result-cache-mb", "1", "--chunk-rows", "20000")
    served = e.ok("SELECT * FROM samples.tpch.lineitem WHERE l_orderkey < 20000", **ARROW)
    total = served["manifest"]["total_byte_count"]
    assert total > 1 << 20       # bigger than the whole cache on its own
    for k in range(3):
        r = e.ok(f"SELECT * FROM samples.tpch.orders WHERE o_orderkey % 3 = {k}", **ARROW)
        e.http.delete(f"{e.host}/api/2.0/sql/statements/{r['statement_id']}")
    c = cache(e)
    # the cache index stays within its size; the lineitem result left it, but its files stay
    # while a statement still serves them
    assert c["bytes"] <= 1 << 20 and c["entries"] < 4
    assert len(body(e, served)) == served["manifest"]["total_chunk_count"]


def test_a_query_failing_in_duckdb_is_neither_hit_nor_miss(emu):
    before = cache(emu)
    for _ in range(2):
        r = emu.execute("SELECT no_such_column FROM samples.tpch.orders", **ARROW)
        assert r["status"]["state"] == "FAILED"
    after = cache(emu)
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])


def test_a_hit_does_not_run_the_query(tmp_path):
    """The engine asks the cache once the tables are resolved: on a hit DuckDB reads nothing (here
    it could not: the data file is garbage), on a miss the query runs."""
    path = tmp_path / "main" / "s" / "t"
    write_deltalake(str(path), pa.table({"id": [1, 2]}))
    engine = Engine(Catalog(str(tmp_path)))
    asked = []

    def probe(reads):
        asked.append(reads)
        return "stored result"

    for q in ("SELECT random() AS r FROM main.s.t", "DESCRIBE HISTORY main.s.t", "SHOW TABLES IN main.s"):
        engine.run(q, [], Session(), probe=probe).close()
    assert asked == []   # only cacheable queries are looked up
    sql = "SELECT id FROM main.s.t VERSION AS OF 0"
    qr = engine.run(sql, [], Session(), probe=probe)
    assert qr.cached == "stored result" and qr.batches is None
    (uri, table_id, version), = asked[0]
    assert version == 0 and "/main/s/t" in uri
    for f in path.glob("*.parquet"):
        f.write_bytes(b"not parquet")
    assert engine.run(sql, [], Session(), probe=probe).cached == "stored result"
    with pytest.raises(Exception):   # a miss runs the query, which now cannot read the file
        engine.run(sql, [], Session(), probe=lambda reads: None)
