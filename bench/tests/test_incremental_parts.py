"""The incremental runs' parts without an emulator: the change SQL, the per-column fingerprint,
the byte counts, the targets and the report section."""

from __future__ import annotations

import copy

import duckdb

from peerbench import changecommit as cc
from peerbench.colprint import compare, file_fingerprint, fingerprint
from peerbench.incmodes import CDF, FULL, MERGE
from peerbench.inctargets import incremental_targets
from peerbench.plans import Context, plans
from peerbench.dbduck_binary import DbduckBinary
from peerbench.report import markdown
from peerbench.runrecord import FAILED
from peerbench.warehouse import wire_delta

from .records import ok_run


def test_change_is_one_merge_of_n_rows_of_each_kind():
    assert cc.rows_per_kind(1.0, 6_001_215) == 20_000 and cc.rows_per_kind(0.001, 6001) == 20
    assert cc.rows_per_kind(0.00001, 60) == 1  # at least one of each
    sql = cc.change_statement(20_000)
    assert sql.startswith(f"MERGE INTO {cc.TABLE} AS t USING (WITH numbered AS") and sql.count("MERGE") == 1
    assert "rn % 300 = 1 AND rn <= 6000000" in sql and "rn % 300 = 3 AND rn <= 6000000" in sql
    assert "WHEN MATCHED AND s.op = 'delete' THEN DELETE" in sql
    assert "UPDATE SET l_extendedprice = s.l_extendedprice, l_comment = s.l_comment, updated_at = s.updated_at" in sql
    create = cc.create_statements()[-1]
    assert "TBLPROPERTIES (delta.enableChangeDataFeed = true) AS SELECT l_orderkey" in create
    assert "AS updated_at FROM samples.tpch.lineitem" in create


def test_baseline_cursor_values_are_distinct_and_the_change_is_newer():
    """The CTAS's and the MERGE's SQL run as DuckDB SQL on a lineitem-shaped table: every baseline
    row has its own updated_at, and every row the change writes is past all of them, so a merge
    run reads only the changed rows."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA samples; CREATE SCHEMA samples.tpch")
    con.execute("CREATE TABLE samples.tpch.lineitem AS SELECT o AS l_orderkey, 1 AS l_partkey, 1 AS l_suppkey, "
                "l AS l_linenumber, 1.0 AS l_quantity, 10.0 AS l_extendedprice, 0.0 AS l_discount, 0.0 AS l_tax, "
                "'A' AS l_returnflag, 'O' AS l_linestatus, DATE '2024-01-01' AS l_shipdate, "
                "DATE '2024-01-01' AS l_commitdate, DATE '2024-01-01' AS l_receiptdate, 'x' AS l_shipinstruct, "
                "'AIR' AS l_shipmode, 'c' AS l_comment FROM range(1, 401) a(o), range(1, 8) b(l)")
    con.execute("CREATE SCHEMA main.bench")
    create = cc.create_statements()[-1].replace(" TBLPROPERTIES (delta.enableChangeDataFeed = true)", "")
    con.execute(create)
    total, distinct, newest = con.execute(f"SELECT count(*), count(DISTINCT {cc.CURSOR}), max({cc.CURSOR}) "
                                          f"FROM {cc.TABLE}").fetchone()
    assert total == 400 * 7 and distinct == total
    n = cc.rows_per_kind(0.0005, total)
    con.execute(cc.change_statement(n))
    changed = con.execute(f"SELECT count(*) FROM {cc.TABLE} WHERE {cc.CURSOR} > ?", [newest]).fetchone()[0]
    assert changed == 2 * n  # the updates and the inserts, nothing else
    assert con.execute(f"SELECT count(*) FROM {cc.TABLE}").fetchone()[0] == total


def test_plans_of_the_incremental_runs(tmp_path):
    exe = tmp_path / "dbduck"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    ctx = Context(1.0, str(tmp_path), "p", "w", 4, 1000, DbduckBinary(str(exe), str(exe)))
    by = {p.name: p for p in plans(ctx, [CDF, MERGE, FULL])}
    assert by[CDF].cmd[1:5] == ["replicate", cc.TABLE, "--to", str(tmp_path / CDF / "copy.duckdb")]
    assert by[CDF].cmd[5:10] == ["--mode", "cdf", "--primary-key", "l_orderkey,l_linenumber", "--json"]
    assert by[MERGE].cmd[5:13] == ["--mode", "merge", "--primary-key", "l_orderkey,l_linenumber", "--cursor",
                                   "updated_at", "--deletes", "hard"]
    assert by[FULL].cmd[5:8] == ["--mode", "full", "--json"] and by[FULL].table == cc.TABLE


def table(path: str, select: str) -> str:
    con = duckdb.connect(path)
    con.execute("CREATE SCHEMA bench")
    con.execute(f"CREATE TABLE bench.lineitem_cdf AS {select}")
    con.close()
    return path


ROWS = ("SELECT i::BIGINT AS k, (i * 1.5)::DECIMAL(18,2) AS price, TIMESTAMPTZ '2024-01-01 00:00:00+00' "
        "+ i * INTERVAL 1 HOUR AS updated_at FROM range(10) t(i)")


def test_fingerprints_see_values_types_and_columns(tmp_path):
    a, _ = file_fingerprint(table(str(tmp_path / "a.duckdb"), ROWS), "lineitem_cdf", "bench.lineitem_cdf")
    b, _ = file_fingerprint(table(str(tmp_path / "b.duckdb"), ROWS + " ORDER BY k DESC"), "lineitem_cdf")
    assert a == b and a["rows"] == 10 and compare(a, b) == []  # row order does not matter
    c, _ = file_fingerprint(table(str(tmp_path / "c.duckdb"), ROWS.replace("i * 1.5", "i * 1.25")), "lineitem_cdf")
    assert compare(a, c) == ["price: values differ"]
    d, _ = file_fingerprint(table(str(tmp_path / "d.duckdb"), ROWS.replace("DECIMAL(18,2)", "DOUBLE") +
                                  " UNION ALL SELECT 99, NULL, NULL"), "lineitem_cdf")
    assert compare(a, d) == ["rows: expected 10, got 11", "k: values differ", "price: type DECIMAL(18,2) vs DOUBLE",
                             "price: values differ", "updated_at: values differ"]
    e, _ = file_fingerprint(table(str(tmp_path / "e.duckdb"), "SELECT *, 1 AS _extra FROM (" + ROWS + ")"),
                            "lineitem_cdf")
    assert compare(a, e) == ["extra columns: _extra"]
    # A plain TIMESTAMP holding the same instants hashes like the TIMESTAMPTZ (types aside).
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    naive = fingerprint(con, f"(SELECT k, price, updated_at::TIMESTAMP AS updated_at FROM ({ROWS}))")
    assert compare(a, naive, types=False) == []
    assert file_fingerprint(str(tmp_path / "none.duckdb"), "x")[1] == "no DuckDB file was written"


def test_wire_delta_sums_responses_and_downloads():
    before = {"api_response_bytes": 100, "download_bytes": 1000, "downloads": 2}
    after = {"api_response_bytes": 150, "download_bytes": 4000, "downloads": 5}
    assert wire_delta(before, after) == {"api_response_bytes": 50, "download_bytes": 3000, "downloads": 3,
                                         "bytes": 3050}
    assert wire_delta(None, after) is None and wire_delta(before, {"download_bytes": 1}) is None


def synced(name: str, seconds: float, wire_bytes: int, rss: int, json_bytes=None):
    r = ok_run(name, 1000, peak_rss_bytes=rss)
    r.seconds, r.wire = seconds, {"bytes": wire_bytes}
    r.incremental = {"dbduck": {"bytes": json_bytes, "mode": name.split("-")[1], "version_from": 1,
                                "version_to": 2, "rows_inserted": 5, "rows_updated": 5, "rows_deleted": 5}}
    return r


def test_cdf_targets():
    by = {CDF: synced(CDF, 0.5, 2_000, 90, 1_500), FULL: synced(FULL, 20.0, 100_000, 100, 80_000)}
    t = incremental_targets(by)
    assert t["cdf_vs_full_speed"]["value"] == 40.0 and t["cdf_vs_full_speed"]["met"] is True
    b = t["cdf_vs_full_bytes"]
    assert b["value"] == 0.02 and b["shown"] == "2.00%" and b["met"] is True and b["source"].startswith("emulator")
    assert b["dbduck_json"] == {"cdf_bytes": 1_500, "full_bytes": 80_000, "share": 0.01875}
    assert t["cdf_vs_full_peak_rss"]["met"] is True
    by[CDF].wire = None  # no emulator counts: dbduck's own numbers decide
    assert incremental_targets(by)["cdf_vs_full_bytes"]["source"] == "dbduck --json bytes"
    slow = {CDF: synced(CDF, 2.0, 5_000, 120), FULL: synced(FULL, 20.0, 100_000, 100)}
    t = incremental_targets(slow)
    assert [t[k]["met"] for k in ("cdf_vs_full_speed", "cdf_vs_full_bytes", "cdf_vs_full_peak_rss")] == [
        False, False, False]
    by[FULL].status = FAILED
    assert incremental_targets(by)["cdf_vs_full_speed"] == {
        "target": f"{CDF} >= 20x faster than {FULL} (wall seconds)", "met": None,
        "why": f"{FULL} has no result (failed)"}


def test_report_has_an_incremental_section_only_when_they_ran(recorded_doc):
    doc = copy.deepcopy(recorded_doc)
    assert "Incremental sync" not in markdown(doc)
    runs = [synced(CDF, 0.5, 2_000, 90), synced(FULL, 20.0, 100_000, 100)]
    runs[0].incremental["same_as_full"] = True
    doc["runs"] += [r.to_json() for r in runs]
    doc["incremental"] = {"table": cc.TABLE, "created_version": 0, "expected_rows": 6001,
                          "change": {"commits": 1, "operations": ["MERGE"], "version_before": 0,
                                     "version_after": 1, "rows_per_kind": 20}}
    doc["targets"].update(incremental_targets({r.name: r for r in runs}))
    md = markdown(doc)
    assert f"| {CDF} | 0.50 | 0 | 2,000 | — | 1 → 2 | 5 / 5 / 5 | ok, same as the full copy |" in md
    assert "1 commit(s) (MERGE, v0 → v1): 20 rows updated, 20 deleted, 20 inserted" in md
    assert f"- {CDF} moves <= 3% of {FULL}'s bytes: **met** — 2.00%" in md
    assert not any(ln.startswith(f"| {CDF} | 1,000 |") for ln in md.splitlines())  # not in the lineitem table
