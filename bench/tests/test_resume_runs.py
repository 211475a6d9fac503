"""The resumable-copy runs without a long copy: the kill point, killing a real process at it,
the plans, the ratios and targets, and the report section."""

from __future__ import annotations

import copy
import json
import sys

import pytest

from peerbench import killrerun as kr
from peerbench.dbduck_binary import DbduckBinary
from peerbench.plans import Context, plans
from peerbench.ratios import ratios
from peerbench.report import markdown
from peerbench.resumeruns import CHECKPOINT_OFF, CHECKPOINT_ON, RESUME_90, copy_bytes, with_total_bytes
from peerbench.resumetargets import COST_KEY, RESUME_KEY, resume_targets
from peerbench.runrecord import FAILED

from .records import ok_run


def test_kill_point_is_the_fraction_of_the_bytes():
    assert kr.kill_at_bytes(394_431_117, 0.9) == 354_988_005
    assert kr.kill_at_bytes(5, 0.1) == 1  # at least one byte
    with pytest.raises(ValueError, match="measure an uninterrupted copy first"):
        kr.kill_at_bytes(0, 0.9)
    with pytest.raises(ValueError, match="between 0 and 1"):
        kr.kill_at_bytes(100, 1.0)


def test_a_process_is_killed_once_the_count_reaches_the_kill_point(tmp_path):
    counts = iter(range(0, 1000, 10))
    with open(tmp_path / "o", "w") as out, open(tmp_path / "e", "w") as err:
        got = kr.run_until([sys.executable, "-c", "import time; time.sleep(60)"], lambda: next(counts), 30, out, err,
                           poll=0.001)
    assert got["killed"] and got["downloaded_at_kill"] == 30
    assert got["exit_code"] == -9  # SIGKILL, not a clean exit
    assert got["seconds"] < 60


def test_a_process_that_ends_first_is_not_killed(tmp_path):
    with open(tmp_path / "o", "w") as out, open(tmp_path / "e", "w") as err:
        got = kr.run_until([sys.executable, "-c", "print('done')"], lambda: 0, 30, out, err, poll=0.001)
    assert got == {"seconds": got["seconds"], "killed": False, "downloaded_at_kill": None, "exit_code": 0}


def test_summary_adds_both_runs_and_keeps_the_rerun_outcome(tmp_path):
    rerun_out = tmp_path / "rerun.out"
    doc = {"seconds": 1.1, "tables": [{"status": "succeeded", "rows": 6001215, "bytes": 100, "seconds": 1.0,
                                       "resumeNote": "resumed after 5 of 6 rows (chunk 40 of 49)", "target": "x"}]}
    rerun_out.write_text("log line\n" + json.dumps(doc, indent=1) + "\n")
    s = kr.summary({"seconds": 3.4, "killed": True, "downloaded_at_kill": 360, "exit_code": -9},
                   {"seconds": 1.1, "exit_code": 0}, 400, 0.9, kr.last_json(str(rerun_out)))
    assert s["total_seconds"] == 4.5 and s["kill_fraction"] == 0.9
    assert s["rerun"] == {"status": "succeeded", "rows": 6001215, "bytes": 100, "seconds": 1.0,
                          "resumeNote": "resumed after 5 of 6 rows (chunk 40 of 49)"}
    assert "total_seconds" not in kr.summary({"seconds": 3.0, "killed": False, "exit_code": 0}, None, 400, 0.9, None)


def test_plans_of_the_resume_runs(tmp_path):
    exe = tmp_path / "dbduck"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    ctx = Context(1.0, str(tmp_path), "p", "w", 4, 1000, DbduckBinary(str(exe), str(exe)))
    off, on, res = plans(ctx, [RESUME_90, CHECKPOINT_ON, CHECKPOINT_OFF])
    assert (off.name, on.name, res.name) == (CHECKPOINT_OFF, CHECKPOINT_ON, RESUME_90)
    assert off.cmd[-5:] == ["--strategy", "streaming", "--checkpoint-every", "0", "--json"]
    assert "--checkpoint-every" not in on.cmd and on.cmd[-3:] == ["--strategy", "streaming", "--json"]
    # The resume run repeats checkpoint-on's copy under the kill-and-rerun command.
    copied = res.cmd[res.cmd.index("--") + 1:]
    assert res.cmd[1].endswith("killrerun.py") and copied[copied.index("--to") + 1] == res.out
    assert [a for a in copied if a != res.out] == [a for a in on.cmd if a != on.out]
    with_total_bytes(res, 1234)
    assert res.cmd[res.cmd.index("--total-bytes") + 1] == "1234"
    ctx.dbduck = DbduckBinary(str(tmp_path / "missing"), str(tmp_path / "missing"))
    assert all(p.unavailable for p in plans(ctx, [CHECKPOINT_ON, RESUME_90]))


def with_wire(run, download_bytes):
    run.wire = {"api_response_bytes": 0, "download_bytes": download_bytes, "downloads": 1, "bytes": download_bytes}
    return run


def resume_runs(on_s=4.0, off_s=3.9, first_s=3.5, rerun_s=1.4):
    off, on = ok_run(CHECKPOINT_OFF, 1_000_000), ok_run(CHECKPOINT_ON, 1_000_000)
    off.seconds, on.seconds = off_s, on_s
    off.cpu_seconds, on.cpu_seconds = 5.0, 5.1
    res = ok_run(RESUME_90, 1_000_000, details={"first": {"seconds": first_s}, "second": {"seconds": rerun_s},
                                                "total_seconds": round(first_s + rerun_s, 3), "kill_fraction": 0.9012,
                                                "rerun": {"resumeNote": "resumed after 4000 of 6001 rows"}})
    res.seconds = first_s + rerun_s + 0.1  # the command's own start-up is not the copy's
    return [with_wire(off, 400), with_wire(on, 400), with_wire(res, 500)]


def test_ratios_and_targets_of_the_resume_runs():
    runs = resume_runs()
    assert copy_bytes(runs) == 400
    r = ratios(runs, 1.0)
    assert r[CHECKPOINT_ON] is None and r[RESUME_90] is None  # measured against each other, not streaming
    assert r[COST_KEY]["value"] == round(4.0 / 3.9, 3) and r[COST_KEY]["cpu_value"] == 1.02
    assert r[RESUME_KEY]["value"] == round(4.9 / 4.0, 3) and r[RESUME_KEY]["bytes_vs_one_copy"] == 1.25
    t = resume_targets(runs, 1.0)
    assert t["checkpoint_cost"]["met"] is True and t["resume_after_kill_at_90"]["met"] is True
    slow = resume_targets(resume_runs(on_s=4.2, rerun_s=2.0), 1.0)
    assert slow["checkpoint_cost"]["met"] is False and slow["checkpoint_cost"]["value"] == round(4.2 / 3.9, 3)
    assert slow["resume_after_kill_at_90"]["met"] is False


def test_targets_without_a_result_say_which_run_is_missing():
    runs = resume_runs()
    runs[2].status, runs[2].reason = FAILED, "boom"
    t = resume_targets(runs, 1.0)
    assert t["resume_after_kill_at_90"] == {"target": t["resume_after_kill_at_90"]["target"], "met": None,
                                            "why": f"{RESUME_90} has no result (failed)"}
    assert resume_targets(runs[:1], 1.0)["checkpoint_cost"]["why"] == f"{CHECKPOINT_ON} has no result (not run)"
    assert resume_targets([ok_run("dbduck-streaming", 1.0)], 1.0) == {}
    assert copy_bytes(runs[:1]) is None


def test_report_section(recorded_doc):
    assert "Resumable copies" not in markdown(recorded_doc)
    doc = copy.deepcopy(recorded_doc)
    runs = resume_runs()
    doc["runs"] += [r.to_json() for r in runs]
    doc["ratios"].update(ratios(runs, 1.0))
    doc["targets"].update(resume_targets(runs, 1.0))
    md = markdown(doc)
    main_table = md.split("## Resumable copies")[0]
    assert f"| {RESUME_90} |" not in main_table and f"| {CHECKPOINT_ON} |" not in main_table
    row = next(ln for ln in md.splitlines() if ln.startswith(f"| {RESUME_90} |"))
    assert row.startswith(f"| {RESUME_90} | 4.90 |") and "rerun: resumed after 4000 of 6001 rows" in row
    assert "Checkpoint cost: 4.00 s / 3.90 s = 1.026x (CPU seconds: 1.02x)." in md
    assert "Interrupted at 90% and run again: 3.50 s + 1.40 s = 4.90 s, 1.225x one copy (4.00 s); 1.25x its bytes." in md
    assert "- checkpointing costs an uninterrupted copy at most 5% (dbduck-checkpoint-on / dbduck-checkpoint-off, " \
           "wall seconds): **met** — 1.026x" in md
