"""latest.md's resumable-copies section: one row per run, and what the kill and the rerun did."""

from __future__ import annotations

from .resumeruns import RESUME_90, RESUME_RUNS
from .resumetargets import COST_KEY, RESUME_KEY, resume_seconds
from .runrecord import FAILED, OK, TIMEOUT, UNAVAILABLE, WRONG_COPY, RunRecord


def _n(v, spec: str = ",.0f") -> str:
    return "—" if v is None else format(v, spec)


def resume_section(doc: dict, runs: list[RunRecord]) -> list[str]:
    """Empty when none of the runs was selected."""
    mine = [r for r in runs if r.name in RESUME_RUNS and r.scale == doc["scale"]]
    if not mine:
        return []
    ratios = doc.get("ratios") or {}
    lines = ["", "## Resumable copies — `samples.tpch.lineitem`, streaming", "",
             "The same copy with checkpoints off and at the default interval, and killed (SIGKILL) once the emulator "
             "had sent 90% of its storage bytes (counted as each download starts, so a little less was loaded), then "
             "run again: the rerun continues from the last checkpoint committed in the target.", "",
             "| run | seconds | peak RSS MB | bytes sent (emulator) | copy check | notes |",
             "|---|---:|---:|---:|---|---|"]
    lines += [row(r) for r in mine]
    cost, res = ratios.get(COST_KEY), ratios.get(RESUME_KEY)
    if cost or res:
        lines.append("")
    if cost:
        lines.append(f"Checkpoint cost: {cost['on_seconds']:.2f} s / {cost['off_seconds']:.2f} s = {cost['value']}x"
                     + (f" (CPU seconds: {cost['cpu_value']}x)." if cost.get("cpu_value") else "."))
    if res:
        lines.append(f"Interrupted at {_n(res.get('kill_fraction'), '.0%')} and run again: "
                     f"{_n(res.get('killed_run_seconds'), '.2f')} s + {_n(res.get('rerun_seconds'), '.2f')} s = "
                     f"{res['resume_seconds']:.2f} s, {res['value']}x one copy ({res['on_seconds']:.2f} s)"
                     + (f"; {res['bytes_vs_one_copy']}x its bytes." if res.get("bytes_vs_one_copy") else "."))
    return lines


def row(r: RunRecord) -> str:
    rss = r.peak_rss_bytes / 1e6 if r.peak_rss_bytes else None
    seconds = resume_seconds(r) if r.name == RESUME_90 and r.ok else r.seconds
    return (f"| {r.name} | {_n(seconds, '.2f')} | {_n(rss)} | {_n((r.wire or {}).get('bytes'))} | {check(r)} | "
            f"{notes(r)} |")


def check(r: RunRecord) -> str:
    if r.status == OK:
        return "ok"
    if r.status == WRONG_COPY:
        return "**WRONG**: " + (r.reason or "")
    return r.status or "?"


def notes(r: RunRecord) -> str:
    parts = [r.note] if r.note else []
    rerun = (r.details or {}).get("rerun") or {}
    if rerun.get("resumeNote"):
        parts.append(f"rerun: {rerun['resumeNote']}")
    if (r.best_of or 1) > 1:
        parts.append(f"fastest of {r.best_of} ({', '.join(f'{s:.2f}' for s in r.attempts_seconds if s is not None)} s)")
    if r.status in (FAILED, TIMEOUT, UNAVAILABLE):
        parts.append((r.reason or "")[:300])
    return "; ".join(parts)
