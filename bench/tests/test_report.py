"""markdown(): the recorded document renders as the latest.md written with it; rows for findings."""

from __future__ import annotations

import copy

from peerbench.report import markdown
from peerbench.runrecord import FAILED, WRONG_COPY, CopyCheck, RunRecord


def test_recorded_document_renders_as_recorded(recorded_doc, recorded_md):
    assert markdown(recorded_doc) == recorded_md


def row(md: str, name: str) -> str:
    return next(ln for ln in md.splitlines() if ln.startswith(f"| {name} |"))


def test_findings_show_in_the_copy_check_and_notes(recorded_doc):
    doc = copy.deepcopy(recorded_doc)
    wrong = RunRecord("seed-pandas", "samples.tpch.lineitem", 1.0, False, status=WRONG_COPY, seconds=2.0,
                      peak_rss_bytes=5_000_000, check=CopyCheck(5, False), rows=5,
                      reason="the copy has 5 rows, expected 6")
    failed = RunRecord("ingestr", "samples.tpch.lineitem", 1.0, False, status=FAILED, seconds=1.0,
                       peak_rss_bytes=1, reason="x" * 400)
    doc["runs"] = [wrong.to_json(), failed.to_json()]
    doc["ratios"] = {"seed-pandas": None, "ingestr": None}
    md = markdown(doc)
    assert "| **WRONG**: the copy has 5 rows, expected 6 |" in row(md, "seed-pandas")
    assert row(md, "ingestr").endswith(f"| failed | {'x' * 300} |")  # the reason, cut to 300 characters
    assert "Other scales" not in md
    doc["emulator"]["result_cache"] = False
    assert "result cache off (BENCH_RESULT_CACHE=0)" in markdown(doc)


def test_other_column_types_are_flagged(recorded_doc):
    doc = copy.deepcopy(recorded_doc)
    run = next(r for r in doc["runs"] if r["name"] == "seed-streaming")
    run["types_ok"] = False
    run["types"] = ["l_orderkey INTEGER"]
    assert "| ok, other column types |" in row(markdown(doc), "seed-streaming")
