"""The many-tables data set, the check of its copies, its plans and the summary of dbduck's output."""

from __future__ import annotations

import os

import duckdb
import pytest

from peerbench.config import RUN_NAMES, VENV_PY
from peerbench.dbduck_binary import DbduckBinary
from peerbench.manycheck import check_many, counts_sql, expected_many, fingerprint_sql, table_diffs
from peerbench.manyplans import summarize_tables
from peerbench.manytables import (LATENCY_RUNS, MANY_PAIR, MANY_RUNS, ManyTables, pair_name, table_data, table_names,
                                  wanted)
from peerbench.plans import Context, plans
from peerbench.settings import Settings


def test_table_names_are_padded_to_sort_in_order():
    assert table_names(3) == ["t000", "t001", "t002"]
    assert table_names(200)[-1] == "t199" and len(table_names(200)) == 200
    assert table_names(1001)[0] == "t0000" and table_names(1001)[-1] == "t1000"
    assert sorted(table_names(1200)) == table_names(1200)


def test_spec_from_env_and_its_label(monkeypatch):
    monkeypatch.delenv("BENCH_MANY_TABLES", raising=False)
    monkeypatch.delenv("BENCH_MANY_ROWS", raising=False)
    spec = ManyTables.from_env()
    assert (spec.tables, spec.rows, spec.total_rows) == (200, 500, 100_000)
    assert spec.label == "200 tables x 500 rows (main.many.*)"
    monkeypatch.setenv("BENCH_MANY_TABLES", "7")
    monkeypatch.setenv("BENCH_MANY_ROWS", "3")
    assert ManyTables.from_env().names == table_names(7)
    assert spec.key("abc") == {"tables": 200, "rows": 500, "generator_digest": "abc"}


def test_runs_are_selectable_and_wanted_only_when_selected(monkeypatch):
    assert set(MANY_RUNS) | {"limit-arrow-ingest"} <= set(RUN_NAMES)
    monkeypatch.setenv("BENCH_RUNS", "connector-many-tables,limit-arrow-ingest")
    st = Settings.from_env()
    assert wanted(st.selected) and not wanted(["dbduck-streaming", "limit-arrow-ingest"])
    monkeypatch.setenv("BENCH_RUNS", "dbduck-many-tables-latency,connector-many-tables-latency")
    st = Settings.from_env()
    assert st.selected == list(LATENCY_RUNS) and wanted(st.selected)


def test_the_latency_runs_repeat_the_pair():
    assert LATENCY_RUNS == ("dbduck-many-tables-latency", "connector-many-tables-latency")
    assert set(MANY_RUNS) == set(MANY_PAIR) | set(LATENCY_RUNS)
    assert [pair_name(n) for n in MANY_RUNS] == [*MANY_PAIR, *MANY_PAIR]
    assert pair_name("dbduck-streaming") == "dbduck-streaming"


def test_table_data_is_deterministic_and_differs_per_table():
    a, b = table_data(4, 50), table_data(4, 50)
    assert a.equals(b) and not a.equals(table_data(5, 50))
    assert a.column_names == ["id", "name", "amount", "day", "ts"] and a.num_rows == 50
    assert a.column("id")[0].as_py() == 200 and a.column("name").null_count > 0


def test_sql_covers_every_relation():
    sql = fingerprint_sql(['"many"."t000"', '"many"."t001"'])
    assert sql.count("UNION ALL") == 1 and "hash(id, name, amount, day, epoch_us(ts))" in sql
    assert counts_sql({"t000": "r0", "t001": "r1"}) == ("SELECT 't000' AS t, count(*)::BIGINT AS n FROM r0 "
                                                          "UNION ALL SELECT 't001' AS t, count(*)::BIGINT AS n FROM r1")


def test_table_diffs_name_missing_tables_and_wrong_counts():
    exp = {"tables": ["t0", "t1", "t2"], "table_rows": 10}
    assert table_diffs(exp, ["t0", "t1", "t2", "x"], {"t0": 10, "t1": 10, "t2": 10}) == ([], [])
    assert table_diffs(exp, ["t0", "t2"], {"t0": 10, "t2": 9}) == (["t1"], ["t2 has 9 rows"])


@pytest.fixture
def small_copy(tmp_path):
    """A right copy of four tables of 20 rows in schema many, and its expectation."""
    spec = ManyTables(4, 20)
    tables = {n: table_data(i, spec.rows) for i, n in enumerate(spec.names)}
    exp = expected_many(tables, spec)
    path = str(tmp_path / "copy.duckdb")
    con = duckdb.connect(path)
    con.execute("CREATE SCHEMA many")
    con.execute("CREATE SCHEMA _dbduck")
    con.execute("CREATE TABLE _dbduck.runs (x INT)")
    for name, tbl in tables.items():
        con.execute(f"CREATE TABLE many.{name} AS SELECT * FROM tbl")
    con.close()
    return path, exp


def test_a_right_copy_passes(small_copy):
    path, exp = small_copy
    assert exp["fingerprint"]["rows"] == 80 and exp["tables"] == table_names(4)
    assert exp["types"] == ["id BIGINT", "name VARCHAR", "amount DOUBLE", "day DATE", "ts TIMESTAMP WITH TIME ZONE"]
    c = check_many(path, exp)
    assert c.ok and c.rows_in_file == 80 and c.types_ok and c.check_error is None


def test_a_missing_table_a_short_table_and_a_changed_value_fail(small_copy):
    path, exp = small_copy
    con = duckdb.connect(path)
    con.execute("DROP TABLE many.t001")
    con.execute("DELETE FROM many.t002 WHERE id = (SELECT min(id) FROM many.t002)")
    con.close()
    c = check_many(path, exp)
    assert not c.rows_ok and c.rows_in_file == 59
    assert c.check_error == "1 tables missing (t001); t002 has 19 rows" and not c.content_ok


def test_a_changed_value_or_type_is_found(small_copy):
    path, exp = small_copy
    con = duckdb.connect(path)
    con.execute("UPDATE many.t003 SET amount = amount + 0.01 WHERE id = (SELECT max(id) FROM many.t003)")
    con.execute("ALTER TABLE many.t000 ALTER ts TYPE TIMESTAMP")
    con.close()
    c = check_many(path, exp)
    assert c.rows_ok and not c.ok and any(d.startswith("row_hash") for d in c.content_diffs)
    assert c.types_ok is False and c.types[0] == "t000: 1 tables"


def test_no_file_or_no_tables(tmp_path, small_copy):
    _, exp = small_copy
    assert check_many(str(tmp_path / "none.duckdb"), exp).check_error == "no DuckDB file was written"
    empty = str(tmp_path / "empty.duckdb")
    duckdb.connect(empty).close()
    c = check_many(empty, exp)
    assert c.rows_in_file == 0 and not c.ok and "no table of 4" in c.check_error


def test_plans_of_the_many_table_runs(tmp_path):
    exe = tmp_path / "dbduck"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    ctx = Context(1.0, str(tmp_path), "/data/lineitem.parquet", "l_orderkey <= 10", 4, 1000,
                  DbduckBinary(str(exe), str(exe)), ca_file="/ca.pem")
    unseeded = {p.name: p for p in plans(ctx, list(MANY_RUNS))}
    assert all(p.unavailable == "the many-tables schema was not seeded" for p in unseeded.values())
    ctx.many = ManyTables(3, 2, expected={"fingerprint": {"rows": 6}})
    by = {p.name: p for p in plans(ctx, [*MANY_RUNS, "limit-arrow-ingest"])}
    d = by["dbduck-many-tables"]
    out = os.path.join(str(tmp_path), "dbduck-many-tables.duckdb")
    assert d.cmd == [str(exe), "replicate", "main.many.*", "--to", out, "--json", "--ca-file", "/ca.pem"]
    assert d.table == "main.many.*" and d.expected == ctx.many.expected and d.checker and d.summarize
    c = by["connector-many-tables"]
    assert c.cmd[0] == VENV_PY and c.cmd[1].endswith("connector_many_tables.py") and c.out.endswith(".duckdb")
    assert c.cmd[c.cmd.index("--schema") + 1] == "main.many" and c.note == "3 tables x 2 rows (main.many.*)"
    # The latency runs: the same commands, each writing its own file.
    lat = {p.name: p for p in plans(ctx, list(LATENCY_RUNS))}
    for name in LATENCY_RUNS:
        base = by[pair_name(name)]
        p = lat[name]
        assert p.out == os.path.join(str(tmp_path), f"{name}.duckdb") != base.out
        assert p.out in p.cmd and ["OUT" if a == p.out else a for a in p.cmd] == \
            ["OUT" if a == base.out else a for a in base.cmd]
        assert p.expected == base.expected and p.checker is base.checker
        assert p.table == base.table and p.note == base.note and p.summarize is base.summarize
    a = by["limit-arrow-ingest"]
    assert a.cmd[1].endswith("limit_arrow_ingest.py") and a.cmd[a.cmd.index("--parquet") + 1] == ctx.parquet
    ctx.dbduck = DbduckBinary(str(tmp_path / "missing"), str(tmp_path / "missing"))
    assert "is not built" in plans(ctx, ["dbduck-many-tables"])[0].unavailable


def test_dbduck_summary_folds_the_table_list():
    doc = {"runID": "r", "seconds": 3.0, "tables": [
        {"source": "main.many.t000", "rows": 5, "seconds": 0.5, "status": "succeeded", "strategy": "streaming"},
        {"source": "main.many.t001", "rows": 5, "seconds": 1.25, "status": "succeeded", "strategy": "streaming"},
        {"source": "main.many.t002", "rows": 0, "seconds": 0.25, "status": "failed", "strategy": "batch",
         "error": "boom"}]}
    assert summarize_tables(doc) == {
        "runID": "r", "seconds": 3.0, "tables": 3, "rows": 10, "by_status": {"succeeded": 2, "failed": 1},
        "by_strategy": {"streaming": 2, "batch": 1}, "table_seconds_sum": 2.0, "table_seconds_max": 1.25,
        "failed_tables": ["main.many.t002: boom"]}
    assert summarize_tables({"rows": 1}) == {"rows": 1}
