"""ratios() and targets() on the recorded document, and the cases it does not hold."""

from __future__ import annotations

from peerbench.ratios import ratios
from peerbench.runrecord import FAILED, RunRecord
from peerbench.targets import targets

from .records import ok_run


def split(doc: dict):
    recs = [RunRecord.from_json(r) for r in doc["runs"]]
    return recs, [r for r in recs if r.scale == doc["scale"]], [r for r in recs if r.scale != doc["scale"]]


def test_recorded_ratios_and_targets_are_reproduced(recorded_doc):
    all_runs, main, extra = split(recorded_doc)
    assert ratios(all_runs, recorded_doc["scale"]) == recorded_doc["ratios"]
    assert targets(main, recorded_doc["scale"], extra) == recorded_doc["targets"]


def test_ratios_divide_by_streaming_and_skip_runs_without_a_result():
    s = ok_run("dbduck-streaming", 1000, peak_rss_bytes=200)
    slow = ok_run("sql-connector", 250, peak_rss_bytes=500)
    broken = RunRecord("ingestr", "t", 1.0, False, status=FAILED)
    other_scale = ok_run("dbduck-streaming", 10, scale=5.0)
    r = ratios([s, slow, broken, other_scale], 1.0)
    assert r["sql-connector"] == {"rows_per_s_vs_streaming": 0.25, "streaming_speedup": 4.0,
                                  "peak_rss_vs_streaming": 2.5}
    assert r["ingestr"] is None and set(r) == {"dbduck-streaming", "sql-connector", "ingestr"}
    assert ratios([slow], 1.0) == {"sql-connector": None}  # no streaming run: nothing to divide by


def test_speed_targets_met_not_met_and_not_measured():
    runs = [ok_run("dbduck-streaming", 1000), ok_run("python-sdk-path", 400), ok_run("sql-connector", 600)]
    t = targets(runs, 1.0, [])
    assert t["streaming_vs_python_sdk_path"] == {"target": ">= 2x python-sdk-path (rows/s)", "value": 2.5,
                                                 "met": True}
    assert t["streaming_vs_sql_connector"]["met"] is False
    assert t["streaming_vs_basic"]["met"] is None
    assert t["streaming_vs_basic"]["why"] == "dbduck-basic has no result (not run)"
    assert t["streaming_vs_physical_limit"]["met"] is None


def test_physical_limit_is_the_slower_limit():
    runs = [ok_run("dbduck-streaming", 1000),
            ok_run("limit-download", 3000, details={"download_seconds": 1.0, "statement_seconds": 1.0}),
            ok_run("limit-parquet-ingest", 3000, details={"load_seconds": 2.0})]
    lim = targets(runs, 1.0, [])["streaming_vs_physical_limit"]
    assert lim["limit_used"] == "limit-parquet-ingest" and lim["limit_rows_per_s"] == 1500.0
    assert lim["value"] == 1.5 and lim["met"] is True
    # statement 1 s + the slower limit's 2 s: 1000 rows/s, which streaming matches.
    assert lim["with_warehouse"]["rows_per_s"] == 1000.0 and lim["with_warehouse"]["met"] is True


def test_peak_rss_needs_both_scales_unless_one_is_already_over():
    one = ok_run("dbduck-streaming", 1000, peak_rss_bytes=250_000_000)
    t = targets([one], 1.0, [])["streaming_peak_rss"]
    assert t["met"] is None and "needs 1 and 5" in t["why"]
    five_ok = ok_run("dbduck-streaming", 900, peak_rss_bytes=290_000_000, scale=5.0)
    assert targets([one], 1.0, [five_ok])["streaming_peak_rss"]["met"] is True
    five_over = ok_run("dbduck-streaming", 900, peak_rss_bytes=310_000_000, scale=5.0)
    over = targets([one], 1.0, [five_over])["streaming_peak_rss"]
    assert over["met"] is False and over["by_scale"]["5"] == {"peak_rss_bytes": 310_000_000, "met": False}
    assert targets([], 1.0, [five_over])["streaming_peak_rss"]["met"] is False
