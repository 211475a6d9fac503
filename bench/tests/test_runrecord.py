"""RunRecord.to_json() keeps latest.json's keys: which appear, and when."""

from __future__ import annotations

from peerbench.runrecord import FAILED, UNAVAILABLE, CopyCheck, ManifestCheck, RunRecord


def test_every_recorded_run_reads_back_and_writes_the_same_json(recorded_doc):
    runs = recorded_doc["runs"]
    assert {r["status"] for r in runs} >= {"ok", "failed"}  # the document covers more than one path
    for r in runs:
        assert RunRecord.from_json(r).to_json() == r, r["name"]


def test_recorded_checks_are_typed(recorded_doc):
    recs = {r["name"]: RunRecord.from_json(r) for r in recorded_doc["runs"] if r["scale"] == 1.0}
    assert isinstance(recs["dbduck-streaming"].check, CopyCheck) and recs["dbduck-streaming"].check.ok
    assert isinstance(recs["limit-download"].check, ManifestCheck)
    assert recs["ingestr"].check is None and recs["ingestr"].status == FAILED and recs["ingestr"].reason


def test_an_unavailable_run_has_nulls_for_its_numbers():
    rec = RunRecord("dbduck-basic", "samples.tpch.lineitem", 1.0, True, status=UNAVAILABLE,
                    where="l_orderkey <= 10", note="sample", reason="not built")
    assert rec.to_json() == {"name": "dbduck-basic", "table": "samples.tpch.lineitem", "scale": 1.0, "sample": True,
                             "where": "l_orderkey <= 10", "note": "sample", "seconds": None,
                             "peak_rss_bytes": None, "rows": None, "status": "unavailable", "reason": "not built",
                             "rows_per_s": None}


def test_a_wrong_copy_lists_what_differs_and_only_differing_types():
    check = CopyCheck(9, False, content_ok=False, content_diffs=["rows: expected 10, got 9"], types_ok=True)
    assert not check.ok
    assert check.to_json() == {"rows_in_file": 9, "rows_ok": False, "content_ok": False,
                               "content_diffs": ["rows: expected 10, got 9"], "types_ok": True}
    unreadable = CopyCheck(None, False, check_error="no DuckDB file was written")
    assert unreadable.to_json() == {"rows_in_file": None, "rows_ok": False,
                                    "check_error": "no DuckDB file was written"}


def test_failed_attempts_appear_only_when_there_are_some():
    rec = RunRecord("x", "t", 1.0, False, status="ok", seconds=1.0, attempts_seconds=[1.0, 2.0], best_of=2)
    assert "failed_attempts" not in rec.to_json()
    rec.failed_attempts = ["boom"]
    assert rec.to_json()["failed_attempts"] == ["boom"] and rec.to_json()["best_of"] == 2
