"""The ratios and targets between the many-tables pair, and dbduck-streaming against limit-arrow-ingest."""

from __future__ import annotations

from peerbench.pairratios import ARROW_KEY, MANY_KEY, pair_ratios, pair_targets
from peerbench.ratios import ratios
from peerbench.report import target_line
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
