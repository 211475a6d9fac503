"""Repeats keep the fastest successful attempt and the highest peak RSS; run logs are read and
redacted."""

from __future__ import annotations

from peerbench.plans import Plan
from peerbench.repeats import repeat_short_runs
from peerbench.runlogs import last_json_line, redact, tail
from peerbench.runrecord import FAILED, RunRecord

from .records import ok_run


class ScriptedRunner:
    """Returns the next prepared record for each plan, in the order they are asked for."""

    def __init__(self, script: dict):
        self.script = script
        self.asked: list[str] = []

    def run(self, plan: Plan) -> RunRecord:
        self.asked.append(plan.name)
        return self.script[plan.name].pop(0)


def timed(name: str, seconds: float, rss: int) -> RunRecord:
    r = ok_run(name, 1000, peak_rss_bytes=rss)
    r.seconds = seconds
    return r


def test_fastest_attempt_wins_in_rotation_and_long_runs_run_once():
    chosen = [Plan("a", ["a"], None), Plan("b", ["b"], None), Plan("long", ["l"], None)]
    runs = [timed("a", 5.0, 100), timed("b", 3.0, 100), timed("long", 60.0, 100)]
    failed_b = RunRecord("b", "t", 1.0, False, status=FAILED, seconds=1.0, peak_rss_bytes=300, reason="reset")
    runner = ScriptedRunner({"a": [timed("a", 4.0, 50), timed("a", 6.0, 400)],
                             "b": [failed_b, timed("b", 3.5, 90)]})
    repeat_short_runs(chosen, runs, runner, repeats=3, under=30)
    assert runner.asked == ["a", "b", "a", "b"]
    a, b, long_ = runs
    assert a.seconds == 4.0 and a.attempts_seconds == [5.0, 4.0, 6.0] and a.best_of == 3
    assert a.peak_rss_bytes == 400 and a.attempts_peak_rss_bytes == [100, 50, 400]
    assert b.seconds == 3.0 and b.failed_attempts == ["reset"] and b.peak_rss_bytes == 300
    assert long_.best_of is None and long_.attempts_seconds is None


def test_last_json_line_reads_a_pretty_document_after_other_output(tmp_path):
    out = tmp_path / "run.out"
    out.write_text('progress {not json\n{\n  "rows": 5,\n  "tables": []\n}\n')
    assert last_json_line(str(out)) == {"rows": 5, "tables": []}
    out.write_text("no json here\n")
    assert last_json_line(str(out)) is None
    assert last_json_line(str(tmp_path / "missing")) is None


def test_tail_skips_noise_and_redact_hides_secrets(tmp_path):
    err = tmp_path / "run.err"
    err.write_text("first\nsecond\nDeprecationWarning: use_sea is deprecated\n\n")
    assert tail(str(err), 2) == "first | second"
    text = "token dapi123 at https://s/x?X-Amz-Signature=abc123&X-Amz-Date=1"
    assert redact(text, ["dapi123", ""]) == "token *** at https://s/x?X-Amz-Signature=***&X-Amz-Date=1"
