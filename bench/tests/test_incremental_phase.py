"""The incremental phase end to end at a tiny scale: a real emulator (seeded at scale 0.001), the
change commit's SQL, and a fake dbduck that speaks the replicate contract and syncs for real."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from peerbench import changecommit as cc
from peerbench.config import ROOT
from peerbench.dbduck_binary import DbduckBinary
from peerbench.incmodes import CDF, FULL, INCREMENTAL_RUNS, MERGE
from peerbench.incremental import Phase, compare_with_full
from peerbench.plans import Context, plans
from peerbench.repeats import repeat_short_runs
from peerbench.runner import Runner
from peerbench.runrecord import OK, UNAVAILABLE, WRONG_COPY
from peerbench.targets import targets
from peerbench.warehouse import EmulatorProcess

SCALE = 0.001
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_dbduck.py")


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    ws = str(tmp_path_factory.mktemp("ws") / "workspace")
    subprocess.run([sys.executable, "-m", "emulator", "seed", "--data", ws, "--scale", str(SCALE)], cwd=ROOT,
                   check=True, capture_output=True)
    with EmulatorProcess(ws, python=sys.executable) as e:
        yield e


@pytest.fixture
def runner(emu, tmp_path) -> Runner:
    exe = tmp_path / "dbduck"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    work, logs = tmp_path / "work", tmp_path / "logs"
    work.mkdir()
    logs.mkdir()
    ctx = Context(SCALE, str(work), "unused.parquet", "l_orderkey <= 10", 4, 1000, DbduckBinary(str(exe), str(exe)))
    return Runner(ctx, emu, {}, {}, str(logs), timeout=120)


def run_phase(runner: Runner, repeats: int = 1):
    chosen = plans(runner.ctx, INCREMENTAL_RUNS)
    phase = Phase(runner, chosen)
    runs = phase.run()
    repeat_short_runs(chosen, runs, runner, repeats, 30)
    compare_with_full(runs)
    return {r.name: r for r in runs}, phase.info


def test_one_merge_commit_then_synced_copies_equal_the_full_copy(runner):
    by, info = run_phase(runner, repeats=2)
    n = cc.rows_per_kind(SCALE, 6001)
    assert n == 20  # 20,000 × 0.001; 60 of 6,001 rows change (1%)
    change = info["change"]
    assert change["commits"] == 1 and change["operations"] == ["MERGE"]
    assert change["version_after"] == change["version_before"] + 1 == info["created_version"] + 1
    m = change["operation_metrics"]
    assert (m["numTargetRowsUpdated"], m["numTargetRowsDeleted"], m["numTargetRowsInserted"]) == ("20", "20", "20")
    assert info["expected_rows"] == 6001
    for name in INCREMENTAL_RUNS:
        r = by[name]
        assert r.status == OK, (name, r.reason, r.stderr_tail)
        assert r.rows == 6001 and r.check.content_ok and r.wire["bytes"] > 0 and r.peak_rss_bytes > 0
        assert r.best_of == 2 and len(r.attempts_seconds) == 2  # the baseline was restored for the repeat
        assert r.table == cc.TABLE and r.incremental["dbduck"]["target"] == "bench.lineitem_cdf"
    assert by[CDF].incremental["same_as_full"] and by[MERGE].incremental["same_as_full"]
    cdf = by[CDF].incremental["dbduck"]
    assert (cdf["rows_inserted"], cdf["rows_updated"], cdf["rows_deleted"]) == (20, 20, 20)
    assert cdf["version_from"] == info["created_version"] and cdf["version_to"] == change["version_after"]
    assert by[CDF].wire["bytes"] < by[FULL].wire["bytes"]
    t = targets(list(by.values()), SCALE, [])
    assert t["cdf_vs_full_bytes"]["cdf_bytes"] == by[CDF].wire["bytes"]
    assert t["cdf_vs_full_bytes"]["dbduck_json"]["cdf_bytes"] == cdf["bytes"]
    assert {t[k]["met"] for k in ("cdf_vs_full_speed", "cdf_vs_full_bytes", "cdf_vs_full_peak_rss")} <= {True, False}


def test_a_sync_that_misses_deletes_is_a_wrong_copy(runner, monkeypatch):
    monkeypatch.setenv("FAKE_DBDUCK_KEEP_DELETES", "1")
    by, _ = run_phase(runner)
    r = by[CDF]
    assert r.status == WRONG_COPY and r.check.rows_in_file == 6021 and "rows: expected 6001, got 6021" in r.reason
    assert by[MERGE].status == OK and by[FULL].status == OK


def test_a_build_without_the_flags_is_unavailable_and_nothing_is_set_up(runner, monkeypatch):
    monkeypatch.setenv("FAKE_DBDUCK_OLD", "1")
    by, info = run_phase(runner)
    for name in INCREMENTAL_RUNS:
        assert by[name].status == UNAVAILABLE
        assert "has no --mode, --primary-key, --cursor, --deletes" in by[name].reason
    assert "change" not in info and not os.listdir(runner.ctx.work)
    t = targets(list(by.values()), SCALE, [])
    assert t["cdf_vs_full_speed"]["met"] is None and "unavailable" in t["cdf_vs_full_speed"]["why"]


def test_a_failed_baseline_fails_its_run_only(runner, monkeypatch, tmp_path):
    # dbduck that refuses cdf: the baseline fails, merge and full still run.
    exe = tmp_path / "picky"
    exe.write_text(f"#!/bin/sh\ncase \"$*\" in *'--mode cdf'*) echo 'Error: cdf: no change data feed' >&2; exit 2;; "
                   f"esac\nexec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    runner.ctx.dbduck = DbduckBinary(str(exe), str(exe))
    by, _ = run_phase(runner)
    assert by[CDF].status == "failed" and "dbduck-cdf.baseline failed: Error: cdf: no change data feed" in by[CDF].reason
    assert by[MERGE].status == OK and by[FULL].status == OK
