"""The incremental-sync phase: make the CDF bench table, give each synced run its untimed baseline
copy, commit the change, then run dbduck-cdf, dbduck-merge and dbduck-full-after-change measured
(through the Runner; repeats restore the baseline first) and check each copy against the changed
table, and the synced copies against the full one."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Optional

from . import changecommit as cc
from .colprint import compare, delta_fingerprint, file_fingerprint
from .config import ROOT, log
from .incmodes import FULL, SYNCED, missing_flags
from .plans import Plan
from .runlogs import redact, tail
from .runner import Runner, remove_output
from .runrecord import FAILED, OK, WRONG_COPY, CopyCheck, RunRecord
from .sqlclient import SqlClient
from .warehouse import client_env, secrets

# dbduck's per-table numbers kept with each run.
SYNC_KEYS = ("status", "mode", "rows", "bytes", "seconds", "version_from", "version_to", "rows_inserted",
             "rows_updated", "rows_deleted", "fallback_reason", "target")


# dbduck's --json names for them (its summary is camelCase, like the rest of its JSON).
DBDUCK_NAMES = {"versionFrom": "version_from", "sourceVersion": "version_to", "rowsInserted": "rows_inserted",
                "rowsUpdated": "rows_updated", "rowsDeleted": "rows_deleted", "fullCopyReason": "fallback_reason"}


def dbduck_table(details: Optional[dict]) -> dict:
    """The first `tables` entry of dbduck's --json document, trimmed to SYNC_KEYS."""
    tables = (details or {}).get("tables") or [{}]
    entry = {DBDUCK_NAMES.get(k, k): v for k, v in tables[0].items()}
    return {k: entry[k] for k in SYNC_KEYS if k in entry}


def baseline_dir(plan: Plan) -> str:
    return os.path.dirname(plan.out) + ".baseline"


def restore_baseline(plan: Plan) -> None:
    """The run's directory as its baseline copy left it (dbduck's sync state included)."""
    d = os.path.dirname(plan.out)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(baseline_dir(plan), d)


def make_baseline(plan: Plan, runner: Runner) -> Optional[str]:
    """The untimed first run of the mode into the run's own file, kept aside; None or why it failed."""
    d = os.path.dirname(plan.out)
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(baseline_dir(plan), ignore_errors=True)
    os.makedirs(d)
    why = untimed(plan.name + ".baseline", plan.cmd, runner)
    if why is None:
        shutil.copytree(d, baseline_dir(plan))
    return why


def untimed(label: str, cmd: list[str], runner: Runner) -> Optional[str]:
    """Run cmd against the emulator, logs in logs/<label>.{out,err}; None or why it failed."""
    err_path = os.path.join(runner.logs, f"{label}.err")
    with open(os.path.join(runner.logs, f"{label}.out"), "wb") as out, open(err_path, "wb") as err:
        try:
            done = subprocess.run(cmd, cwd=ROOT, env=client_env(runner.emu), stdout=out, stderr=err,
                                  timeout=runner.timeout)
        except subprocess.TimeoutExpired:
            return f"{label}: timed out"
    if done.returncode != 0:
        return f"{label} failed: " + (redact(tail(err_path, 1), secrets(runner.emu)) or f"exit {done.returncode}")
    return None


class Phase:
    """One scale's incremental runs against the Runner's emulator."""

    def __init__(self, runner: Runner, plans: list[Plan]):
        self.runner, self.plans = runner, plans
        self.expected: Optional[dict] = None
        self.info: dict = {"table": cc.TABLE}
        self.failed: dict[str, str] = {}

    def run(self) -> list[RunRecord]:
        live = [p for p in self.plans if not p.unavailable]
        if live:
            why = missing_flags(self.runner.ctx.dbduck.path)
            for p in live if why else []:
                p.unavailable = why
            live = [] if why else live
        if live:
            self._prepare(live)
        return [self._one(p) for p in self.plans]

    def _prepare(self, live: list[Plan]) -> None:
        sql = SqlClient.of(self.runner.emu)
        try:
            log(f"incremental: creating {cc.TABLE} (change data feed on) from {cc.SOURCE}")
            self.info["created_version"] = cc.create_table(sql)
            for p in live:
                if p.name in SYNCED:
                    log(f"{p.name}: baseline copy (untimed)")
                    why = make_baseline(p, self.runner)
                    if why:
                        self.failed[p.name] = why
            rows = int(sql.rows(f"SELECT count(*) FROM {cc.TABLE}")[0][0])
            change = cc.commit_change(sql, cc.rows_per_kind(self.runner.ctx.scale, rows))
            self.info["change"] = change.to_json()
            log(f"incremental: the change made {change.commits} commit(s) ({', '.join(change.operations)}), "
                f"v{change.version_before} -> v{change.version_after}")
            self.expected = delta_fingerprint(os.path.join(self.runner.emu.data, *cc.TABLE.split(".")))
            self.info["expected_rows"] = self.expected["rows"]
        except Exception as e:  # noqa: BLE001 -- the phase's runs fail; the rest of the bench goes on
            for p in live:
                self.failed.setdefault(p.name, f"setup failed: {e}")
            return
        full = next((p for p in live if p.name == FULL), None)
        if full and self.runner.emu.result_cache:
            # As the main warm-up does for lineitem: the full copy's statement once, untimed.
            warm = os.path.join(self.runner.ctx.work, "warm-up-full-after-change.duckdb")
            cmd = [warm if a == full.out else a for a in full.cmd]
            why = untimed("warm-up-full-after-change", cmd, self.runner)
            log("warm-up (full after change): " + (why or "done"))
            remove_output(warm)
        for p in live:
            p.expected_rows = self.expected["rows"]
            p.check = lambda rec, p=p: self._check(p, rec)
            if p.name in SYNCED:
                p.before = lambda p=p: restore_baseline(p)
            else:
                p.before = lambda p=p: (os.makedirs(os.path.dirname(p.out), exist_ok=True), remove_output(p.out))

    def _one(self, p: Plan) -> RunRecord:
        if p.name in self.failed:
            rec = RunRecord(p.name, cc.TABLE, self.runner.ctx.scale, False, status=FAILED, note=p.note,
                            reason=self.failed[p.name])
            log(f"{p.name}: failed: {rec.reason[:300]}")
            return rec
        return self.runner.run(p)

    def _check(self, p: Plan, rec: RunRecord) -> None:
        """The copy against the changed Delta table (count and per-column fingerprint)."""
        sync = dbduck_table(rec.details)
        fp, why = file_fingerprint(p.out, cc.TABLE.split(".")[-1], sync.get("target"))
        rec.incremental = {"dbduck": sync, "fingerprint": fp}
        if fp is None:
            rec.check, rec.status, rec.reason = CopyCheck(None, False, check_error=why), WRONG_COPY, why
            return
        diffs = compare(self.expected, fp, types=False)
        rec.rows = fp["rows"]
        rec.check = CopyCheck(fp["rows"], fp["rows"] == self.expected["rows"], content_ok=not diffs,
                              content_diffs=diffs)
        rec.status = OK if not diffs else WRONG_COPY
        if diffs:
            rec.reason = "differs from the changed table: " + "; ".join(diffs)
        if os.path.exists(p.out):
            rec.file_bytes = os.path.getsize(p.out)


def compare_with_full(runs: list[RunRecord]) -> None:
    """Each synced copy against the full copy of the changed table: identical count, column types
    and per-column fingerprint, or the run is a wrong copy."""
    full = next((r for r in runs if r.name == FULL), None)
    full_fp = (full.incremental or {}).get("fingerprint") if full and full.ok else None
    for r in runs:
        if r.name not in SYNCED or not r.ok or r.incremental is None:
            continue
        if full_fp is None:
            r.incremental["same_as_full"] = None
            continue
        diffs = compare(full_fp, r.incremental["fingerprint"], types=True)
        r.incremental["same_as_full"] = not diffs
        if diffs:
            r.incremental["diffs_vs_full"] = diffs
            r.status, r.reason = WRONG_COPY, "differs from the full copy: " + "; ".join(diffs)
