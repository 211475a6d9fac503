"""One run, measured and checked: the plan's command under bench/measure.py (wall seconds, peak RSS
and CPU of its process tree), the emulator's CPU and result-cache use meanwhile, then the copy
check. The outcome is a RunRecord whatever happened."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

from .config import BENCH, ROOT, VENV_PY, log
from .copycheck import check_copy
from .plans import Context, Plan
from .runlogs import last_json_line, redact, tail
from .runrecord import FAILED, OK, TIMEOUT, UNAVAILABLE, WRONG_COPY, ManifestCheck, RunRecord
from .warehouse import EmulatorProcess, cache_delta, client_env, secrets, stats, wire_delta


def remove_output(path: str) -> None:
    for p in (path, path + ".wal"):
        if os.path.exists(p):
            os.remove(p)


@dataclass
class Runner:
    """Runs plans of one scale against one emulator."""
    ctx: Context
    emu: EmulatorProcess
    exp_full: dict                     # expected fingerprint and types of the whole table
    exp_sample: dict                   # ... of the row-by-row sample
    logs: str                          # directory for each run's stdout, stderr and measurement
    timeout: float
    keep_outputs: bool = False         # BENCH_KEEP_OUTPUTS: leave each DuckDB file in place

    def run(self, plan: Plan) -> RunRecord:
        rec = RunRecord(plan.name, plan.table, self.ctx.scale, plan.where is not None, where=plan.where,
                        note=plan.note or None)
        if plan.unavailable:
            rec.status, rec.reason = UNAVAILABLE, plan.unavailable
            log(f"{plan.name}: unavailable: {plan.unavailable}")
            return rec
        exp = plan.expected or (self.exp_sample if plan.where else self.exp_full)
        rec.expected_rows = plan.expected_rows if plan.check else exp["fingerprint"]["rows"]
        rec.command = " ".join(self.ctx.dbduck.shown(c) for c in plan.cmd)
        if plan.before:
            plan.before()
        elif plan.out:
            remove_output(plan.out)
        m = self._measure(plan, rec)
        rec.seconds = round(m["seconds"], 3)
        rec.peak_rss_bytes = m["peak_rss_bytes"]
        rec.measure = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in m.items()
                       if k not in ("seconds", "peak_rss_bytes")}
        rec.details = last_json_line(self._log(plan, "out"))
        if plan.summarize and rec.details:
            rec.details = plan.summarize(rec.details)
        if m["timed_out"] or m["exit_code"] != 0:
            self._failed(plan, rec, m)
        elif plan.check:
            plan.check(rec)
            log(f"{plan.name}: {rec.status} in {m['seconds']:.2f} s, {(rec.wire or {}).get('bytes', 0):,} bytes "
                f"sent by the emulator, peak RSS {rec.peak_rss_bytes / 1e6:.0f} MB")
        else:
            self._check(plan, rec, exp)
            rec.rows_per_s = round(rec.rows / m["seconds"], 1) if rec.rows and m["seconds"] > 0 else None
            log(f"{plan.name}: {rec.status}: {rec.rows} rows in {m['seconds']:.2f} s "
                f"({rec.rows_per_s or 0:,.0f} rows/s), peak RSS {rec.peak_rss_bytes / 1e6:.0f} MB")
        if plan.out and not self.keep_outputs:
            remove_output(plan.out)
        return rec

    def _log(self, plan: Plan, kind: str) -> str:
        return os.path.join(self.logs, f"{plan.name}.{kind}")

    def _measure(self, plan: Plan, rec: RunRecord) -> dict:
        """bench/measure.py's numbers for the plan's command; the emulator's share goes into rec."""
        mfile = self._log(plan, "measure.json")
        log(f"{plan.name}: running")
        stats0, emu_cpu0 = stats(self.emu), self.emu.cpu_seconds()
        measure = subprocess.Popen([VENV_PY, os.path.join(BENCH, "measure.py"), "--out", mfile, "--timeout",
                                    str(self.timeout), "--stdout", self._log(plan, "out"), "--stderr",
                                    self._log(plan, "err"), "--", *plan.cmd],
                                   cwd=ROOT, env=client_env(self.emu))
        try:
            measure.wait()
        finally:
            if measure.poll() is None:  # we are being stopped: measure.py forwards TERM to the run's tree
                measure.terminate()
                measure.wait()
        if measure.returncode != 0:
            raise RuntimeError(f"bench/measure.py failed for {plan.name} (exit {measure.returncode})")
        emu_cpu1, stats1 = self.emu.cpu_seconds(), stats(self.emu)
        rec.result_cache = cache_delta(stats0, stats1)
        rec.wire = wire_delta(stats0, stats1)
        with open(mfile) as f:
            m = json.load(f)
        rec.cpu_seconds = round(m["user_cpu_seconds"] + m["system_cpu_seconds"], 2)
        if emu_cpu0 is not None and emu_cpu1 is not None:
            rec.emulator_cpu_seconds = round(emu_cpu1 - emu_cpu0, 2)
        return m

    def _failed(self, plan: Plan, rec: RunRecord, m: dict) -> None:
        rec.status = TIMEOUT if m["timed_out"] else FAILED
        hidden = secrets(self.emu)
        err_log, out_log = self._log(plan, "err"), self._log(plan, "out")
        # reason: the last meaningful stderr line (the exception or the tool's own message);
        # stderr_tail: a few lines before it, for context.
        rec.reason = redact(tail(err_log, 1) or tail(out_log, 1), hidden) or f"exit code {m['exit_code']}"
        rec.stderr_tail = redact(tail(err_log, 8), hidden)
        log(f"{plan.name}: {rec.status}: {rec.reason[:300]}")

    def _check(self, plan: Plan, rec: RunRecord, exp: dict) -> None:
        if plan.out:
            check = (plan.checker or check_copy)(plan.out, exp)
            rec.check, rec.rows = check, check.rows_in_file
            if os.path.exists(plan.out):
                rec.file_bytes = os.path.getsize(plan.out)
            rec.status = OK if check.ok else WRONG_COPY
            if not check.rows_ok:
                rec.reason = (f"the copy has {check.rows_in_file} rows, expected {rec.expected_rows}"
                              + (f" ({check.check_error})" if check.check_error else ""))
            elif not check.content_ok:
                rec.reason = "content differs: " + "; ".join(check.content_diffs)
        else:
            rec.rows = (rec.details or {}).get("rows")
            rec.check = ManifestCheck(rec.rows == rec.expected_rows)
            rec.status = OK if rec.check.ok else WRONG_COPY
