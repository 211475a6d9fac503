"""The ratios and targets between the many-tables pair, and dbduck-streaming against limit-arrow-ingest."""

from __future__ import annotations

from peerbench.pairratios import ARROW_KEY, LATENCY_KEY, MANY_KEY, latency_lines, pair_ratios, pair_targets
from peerbench.ratios import ratios
from peerbench.report import markdown, target_line
from peerbench.runrecord import FAILED, RunRecord
from peerbench.targets import targets

from .records import ok_run


def timed(name: str, seconds: float, rows: int = 100_000, details=None) -> RunRecord:
    r = ok_run(name, rows / seconds, details=details)
    r.seconds, r.rows = seconds, rows
    return r


def test_nothing_is_added_without_the_runs(recorded_doc):
    runs = [ok_run("dbduck-streaming", 1000)]
    assert pair_ratios(runs, 1.0) == {} and pair_targets(runs, 1.0) == {}
    assert "many_tables_vs_connector" not in recorded_doc["targets"]


def test_many_tables_ratio_and_target():
    runs = [timed("dbduck-many-tables", 2.0), timed("connector-many-tables", 8.0)]
    r = ratios(runs, 1.0)
    assert r["dbduck-many-tables"] is None and r["connector-many-tables"] is None
    assert r[MANY_KEY]["value"] == 4.0
    t = targets(runs, 1.0, [])["many_tables_vs_connector"]
    assert t["met"] is True and t["value"] == 4.0
    slow = pair_targets([timed("dbduck-many-tables", 4.0), timed("connector-many-tables", 8.0)], 1.0)
    assert slow["many_tables_vs_connector"]["met"] is False
    assert target_line("many_tables_vs_connector", t) == (
        "- dbduck-many-tables at least 3x faster than connector-many-tables (wall seconds): **met** — 4.0x")


def test_many_tables_not_measured_names_the_missing_run():
    broken = RunRecord("dbduck-many-tables", "main.many.*", 1.0, False, status=FAILED)
    t = pair_targets([broken, timed("connector-many-tables", 8.0)], 1.0)["many_tables_vs_connector"]
    assert t["met"] is None and t["why"] == "dbduck-many-tables has no result (failed)"
    t = pair_targets([timed("dbduck-many-tables", 1.0)], 1.0)["many_tables_vs_connector"]
    assert t["why"] == "connector-many-tables has no result (not run)"
    assert pair_ratios([broken], 1.0)[MANY_KEY] is None


def test_streaming_against_arrow_ingest():
    # streaming: 1,000 rows/s; the Arrow ingest loads 1,000 rows in 0.8 s = 1,250 rows/s.
    s = ok_run("dbduck-streaming", 1000)
    a = ok_run("limit-arrow-ingest", 1000, details={"load_seconds": 0.8})
    r = pair_ratios([s, a], 1.0)[ARROW_KEY]
    assert r["value"] == 1.25 and r["limit_arrow_ingest_rows_per_s"] == 1250.0
    assert pair_targets([s, a], 1.0)["streaming_vs_limit_arrow_ingest"]["met"] is True
    a.details = {"load_seconds": 0.5}
    t = pair_targets([s, a], 1.0)["streaming_vs_limit_arrow_ingest"]
    assert t["met"] is False and t["value"] == 2.0
    assert pair_targets([a], 1.0)["streaming_vs_limit_arrow_ingest"]["why"] == \
        "dbduck-streaming has no result (not run)"
    a.details = {}
    assert pair_targets([s, a], 1.0)["streaming_vs_limit_arrow_ingest"]["why"] == \
        "limit-arrow-ingest reported no load_seconds"


def test_other_scales_are_left_out():
    runs = [timed("dbduck-many-tables", 2.0), timed("connector-many-tables", 8.0)]
    for r in runs:
        r.scale = 5.0
    assert pair_ratios(runs, 1.0) == {} and pair_targets(runs, 1.0) == {}


def test_latency_ratio_names_the_latency_and_sets_no_target(monkeypatch):
    monkeypatch.setenv("BENCH_STATEMENT_LATENCY", "0.5")
    runs = [timed("dbduck-many-tables-latency", 4.0), timed("connector-many-tables-latency", 50.0)]
    r = ratios(runs, 1.0)
    assert r["dbduck-many-tables-latency"] is None and r["connector-many-tables-latency"] is None
    assert r[LATENCY_KEY] == {
        "definition": ("connector-many-tables-latency seconds / dbduck-many-tables-latency seconds (wall, same "
                       "tables, every warehouse statement 0.5 s RUNNING first: emulator --exec-delay 0.5)"),
        "value": 12.5, "statement_latency_seconds": 0.5}
    assert MANY_KEY not in r
    assert pair_targets(runs, 1.0) == {} and "many_tables_vs_connector" not in targets(runs, 1.0, [])


def test_latency_runs_leave_the_pair_and_its_target_alone(monkeypatch):
    monkeypatch.delenv("BENCH_STATEMENT_LATENCY", raising=False)
    runs = [timed("dbduck-many-tables", 4.0), timed("connector-many-tables", 8.0),
            timed("dbduck-many-tables-latency", 2.0), timed("connector-many-tables-latency", 30.0)]
    r = pair_ratios(runs, 1.0)
    assert r[MANY_KEY]["value"] == 2.0 and r[LATENCY_KEY]["value"] == 15.0
    assert r[LATENCY_KEY]["statement_latency_seconds"] == 0.3  # the default
    t = pair_targets(runs, 1.0)["many_tables_vs_connector"]
    assert t["value"] == 2.0 and t["met"] is False


def test_latency_ratio_without_a_result():
    failed = RunRecord("connector-many-tables-latency", "main.many.*", 1.0, False, status=FAILED)
    r = pair_ratios([timed("dbduck-many-tables-latency", 2.0), failed], 1.0)
    assert r[LATENCY_KEY] is None
    assert latency_lines(r) == ["", "Many tables against a warehouse with a statement latency (a second emulator, "
                                    "no target): not measured: a latency run has no result (see its row)."]
    assert latency_lines(pair_ratios([timed("dbduck-many-tables", 1.0)], 1.0)) == []


def test_latency_line_in_the_report(recorded_doc, monkeypatch):
    monkeypatch.setenv("BENCH_STATEMENT_LATENCY", "1")
    runs = [timed("dbduck-many-tables-latency", 4.0), timed("connector-many-tables-latency", 10.0)]
    doc = dict(recorded_doc, runs=recorded_doc["runs"] + [r.to_json() for r in runs])
    doc["ratios"] = dict(recorded_doc["ratios"], **pair_ratios(runs, doc["scale"]))
    line = ("Many tables against a warehouse with a statement latency (a second emulator, no target): "
            "dbduck-many-tables-latency 2.5x faster than connector-many-tables-latency (wall seconds), every "
            "warehouse statement 1 s RUNNING first.")
    md = markdown(doc)
    assert line in md.splitlines() and md.index(line) < md.index("## Targets")
    assert "| dbduck-many-tables-latency | 100,000 | 4.00 |" in md
