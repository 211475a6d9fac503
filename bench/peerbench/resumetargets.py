"""The resumable-copy ratios and targets: what checkpointing costs an uninterrupted copy
(checkpoint-on seconds over checkpoint-off seconds), and what an interruption at 90% costs in all
(both runs of resume-90 over one checkpoint-on copy). Each target is met, not met, or not measured."""

from __future__ import annotations

from typing import Optional

from .resumeruns import CHECKPOINT_OFF, CHECKPOINT_ON, RESUME_90, RESUME_RUNS
from .runrecord import RunRecord, missing_reason, ok_run, runs_by_name

COST_KEY = "checkpoint_cost"
RESUME_KEY = "resume_90_vs_checkpoint_on"
COST_MAX = 1.05
RESUME_MAX = 1.25




def resume_seconds(r: RunRecord) -> float:
    """Both runs' wall seconds as the kill-and-rerun command timed them (without its own start-up);
    the measured command's seconds when it did not say."""
    return float((r.details or {}).get("total_seconds") or r.seconds)


def cost_ratio(by: dict) -> Optional[dict]:
    on, off = ok_run(by, CHECKPOINT_ON), ok_run(by, CHECKPOINT_OFF)
    if not (on and off):
        return None
    out = {"definition": f"{CHECKPOINT_ON} seconds / {CHECKPOINT_OFF} seconds (wall, same copy)",
           "value": round(on.seconds / off.seconds, 3), "on_seconds": on.seconds, "off_seconds": off.seconds}
    # CPU seconds move less than wall seconds when other work shares the cores: shown alongside.
    if on.cpu_seconds and off.cpu_seconds:
        out["cpu_value"] = round(on.cpu_seconds / off.cpu_seconds, 3)
    return out


def resume_ratio(by: dict) -> Optional[dict]:
    on, res = ok_run(by, CHECKPOINT_ON), ok_run(by, RESUME_90)
    if not (on and res):
        return None
    total = resume_seconds(res)
    d = res.details or {}
    out = {"definition": f"{RESUME_90} seconds (the killed run + the rerun, wall) / {CHECKPOINT_ON} seconds",
           "value": round(total / on.seconds, 3), "resume_seconds": total, "on_seconds": on.seconds,
           "killed_run_seconds": (d.get("first") or {}).get("seconds"),
           "rerun_seconds": (d.get("second") or {}).get("seconds"), "kill_fraction": d.get("kill_fraction")}
    wire, full = (res.wire or {}).get("download_bytes"), (on.wire or {}).get("download_bytes")
    if wire and full:
        out["bytes_vs_one_copy"] = round(wire / full, 3)
    return out




def resume_ratios(runs: list[RunRecord], scale: float) -> dict:
    """The entries of `ratios` for these runs: none has a ratio to dbduck-streaming of its own
    (they are measured against each other); empty when none ran."""
    by = runs_by_name(runs, scale)
    if not any(n in by for n in RESUME_RUNS):
        return {}
    out: dict = {n: None for n in RESUME_RUNS if n in by}
    out[COST_KEY] = cost_ratio(by)
    out[RESUME_KEY] = resume_ratio(by)
    return out




def resume_targets(runs: list[RunRecord], scale: float) -> dict:
    by = runs_by_name(runs, scale)
    if not any(n in by for n in RESUME_RUNS):
        return {}
    cost = _target(f"checkpointing costs an uninterrupted copy at most {COST_MAX - 1:.0%} "
                   f"({CHECKPOINT_ON} / {CHECKPOINT_OFF}, wall seconds)",
                   cost_ratio(by), COST_MAX, missing_reason(by, CHECKPOINT_ON, CHECKPOINT_OFF))
    resume = _target(f"killed at {RESUME_90.rsplit('-', 1)[1]}% and run again: at most {RESUME_MAX:g}x one "
                     f"uninterrupted copy ({RESUME_90} / {CHECKPOINT_ON}, wall seconds)",
                     resume_ratio(by), RESUME_MAX, missing_reason(by, CHECKPOINT_ON, RESUME_90))
    return {"checkpoint_cost": cost, "resume_after_kill_at_90": resume}


def _target(text: str, ratio: Optional[dict], limit: float, missing: Optional[str]) -> dict:
    """A target met when the ratio is at most `limit`; not measured (with why) without a ratio."""
    if ratio is None:
        return {"target": text, "met": None, "why": missing}
    return {"target": text, "value": ratio["value"], "met": ratio["value"] <= limit}
