"""The resumable-copy runs: the streaming copy of lineitem with checkpoints off and on (the default
interval), and the same copy killed at 90% of its bytes and run again to the end. The kill needs
the bytes of one uninterrupted copy, taken from the checkpoint-on run or, without it, from an
untimed copy made for the purpose."""

from __future__ import annotations

import os
import subprocess
from typing import Optional

from .config import BENCH, DBDUCK, ROOT, TABLE, VENV_PY, log, shown_path
from .runrecord import RunRecord
from .warehouse import EmulatorProcess, client_env, stats

CHECKPOINT_OFF, CHECKPOINT_ON, RESUME_90 = "dbduck-checkpoint-off", "dbduck-checkpoint-on", "dbduck-resume-90"
RESUME_RUNS = [CHECKPOINT_OFF, CHECKPOINT_ON, RESUME_90]
KILL_FRACTION = 0.9
KILLRERUN = os.path.join(BENCH, "peerbench", "killrerun.py")
NOTES = {
    CHECKPOINT_OFF: "--checkpoint-every 0: one transaction",
    CHECKPOINT_ON: "default checkpoint interval",
    RESUME_90: f"killed (SIGKILL) at {KILL_FRACTION:.0%} of the bytes, then run again to the end; seconds: both runs",
}


def copy_args(name: str, ctx, out: str) -> list[str]:
    """dbduck's command line for the copy `name` makes (the resume run copies as checkpoint-on does)."""
    off = ["--checkpoint-every", "0"] if name == CHECKPOINT_OFF else []
    return [ctx.dbduck.path, "replicate", TABLE, "--to", out, "--strategy", "streaming", *off, "--json", *ctx.tls_args]


def resume_plan(name: str, ctx):
    """The plan of one resumable-copy run; RESUME_90's command is completed by `with_total_bytes`."""
    from .plans import Plan

    out = os.path.join(ctx.work, f"{name}.duckdb")
    if not ctx.dbduck.available:
        return Plan(name, None, out, unavailable=f"{shown_path(DBDUCK)} is not built (make build)", dbduck=True)
    if name != RESUME_90:
        return Plan(name, copy_args(name, ctx, out), out, note=NOTES[name], dbduck=True)
    logs = os.path.join(ctx.work, "resume-90-logs")
    cmd = [VENV_PY, KILLRERUN, "--total-bytes", "0", "--fraction", str(KILL_FRACTION), "--logs", logs, "--",
           *copy_args(name, ctx, out)]
    return Plan(name, cmd, out, note=NOTES[name], dbduck=True)


def with_total_bytes(plan, total: int) -> None:
    """Puts the uninterrupted copy's storage bytes into RESUME_90's command."""
    i = plan.cmd.index("--total-bytes")
    plan.cmd[i + 1] = str(total)


def copy_bytes(runs: list[RunRecord]) -> Optional[int]:
    """Storage bytes of the checkpoint-on copy (what the emulator sent it), when it succeeded."""
    on = next((r for r in runs if r.name == CHECKPOINT_ON and r.ok), None)
    got = ((on.wire or {}).get("download_bytes") if on else None)
    return int(got) if got else None


def measured_bytes(emu: EmulatorProcess, ctx, logs: str) -> Optional[int]:
    """One untimed uninterrupted copy, for the bytes the kill point is a share of."""
    from .runner import remove_output

    out = os.path.join(ctx.work, "resume-90-calibration.duckdb")
    before = stats(emu)
    with open(os.path.join(logs, "resume-90-calibration.err"), "w") as err:
        done = subprocess.run(copy_args(CHECKPOINT_ON, ctx, out), cwd=ROOT, env=client_env(emu),
                              stdout=subprocess.DEVNULL, stderr=err)
    after = stats(emu)
    remove_output(out)
    if done.returncode != 0 or not before or not after:
        return None
    return int(after["download_bytes"]) - int(before["download_bytes"]) or None


def run_resume(runner, chosen: list, runs: list[RunRecord], emu: EmulatorProcess, logs: str) -> list[RunRecord]:
    """RESUME_90, when chosen, after the other runs: its kill point comes from their copy bytes."""
    plan = next((p for p in chosen if p.name == RESUME_90), None)
    if plan is None:
        return []
    if plan.cmd:
        total = copy_bytes(runs) or measured_bytes(emu, runner.ctx, logs)
        if total:
            with_total_bytes(plan, total)
            log(f"{RESUME_90}: kill at {KILL_FRACTION:.0%} of {total:,} bytes")
        else:
            plan.unavailable = "no uninterrupted copy succeeded, so there is no byte count to kill at 90% of"
    return [runner.run(plan)]
