"""The many-tables runs: dbduck copying `main.many.*` with its default settings, and the loop a
databricks-sql-connector user would write for the same schema; and their untimed warm-up pass."""

from __future__ import annotations

import os
import subprocess
from collections import Counter

from .config import DBDUCK, PEERS, ROOT, VENV_PY, log, shown_path
from .manycheck import check_many
from .manytables import SOURCE, TARGET_SCHEMA, pair_name
from .plans import Context, Plan
from .runner import remove_output
from .warehouse import EmulatorProcess, client_env


def many_plan(name: str, ctx: Context) -> Plan:
    """A run of the many-tables pair; a latency run has its pair run's command (its own file)."""
    out = os.path.join(ctx.work, f"{name}.duckdb")
    base = pair_name(name)
    if ctx.many is None:
        return Plan(name, None, out, unavailable="the many-tables schema was not seeded", table=SOURCE)
    kw = dict(table=SOURCE, expected=ctx.many.expected, checker=many_checker, note=ctx.many.label)
    if base == "dbduck-many-tables":
        if not ctx.dbduck.available:
            return Plan(name, None, out, unavailable=f"{shown_path(DBDUCK)} is not built (make build)",
                        dbduck=True, **kw)
        return Plan(name, [ctx.dbduck.path, "replicate", SOURCE, "--to", out, "--json", *ctx.tls_args], out,
                    dbduck=True, summarize=summarize_tables, **kw)
    if base == "connector-many-tables":
        cmd = [VENV_PY, os.path.join(PEERS, "connector_many_tables.py"), "--schema", SOURCE.rsplit(".", 1)[0],
               "--target-schema", TARGET_SCHEMA, "--parallelism", str(ctx.parallelism), "--out", out]
        return Plan(name, cmd, out, **kw)
    raise ValueError(f"unknown run {name!r}")


def summarize_tables(doc: dict) -> dict:
    """dbduck's --json summary with its per-table list folded into counts and totals (the list of
    every table is in the run's log)."""
    tables = doc.get("tables")
    if not isinstance(tables, list):
        return doc
    out = {k: v for k, v in doc.items() if k != "tables"}
    seconds = [t.get("seconds") or 0.0 for t in tables]
    out["tables"] = len(tables)
    out["rows"] = sum(t.get("rows") or 0 for t in tables)
    out["by_status"] = dict(Counter(str(t.get("status")) for t in tables))
    out["by_strategy"] = dict(Counter(str(t.get("strategy")) for t in tables))
    out["table_seconds_sum"] = round(sum(seconds), 3)
    out["table_seconds_max"] = round(max(seconds, default=0.0), 3)
    failed = [f"{t.get('source')}: {t.get('error') or t.get('status')}" for t in tables
              if t.get("status") != "succeeded"]
    if failed:
        out["failed_tables"] = failed[:5]
    return out


def many_checker(out: str, exp: dict):
    return check_many(out, exp, TARGET_SCHEMA)


def warm_up_many(emu: EmulatorProcess, chosen: list[Plan], logs: str) -> None:
    """Each many-tables run once, untimed, so the first timed attempt does not alone pay the
    emulator's first reads of every table's Delta log, and both routes' statements are in its
    result cache (when it is on) before either is timed."""
    env = client_env(emu)
    for plan in chosen:
        if plan.table != SOURCE or not plan.cmd:
            continue
        err_path = os.path.join(logs, f"warm-up-{plan.name}.err")
        with open(err_path, "w") as err:
            done = subprocess.run(plan.cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        log(f"warm-up ({plan.name}): " + ("done" if done.returncode == 0
                                          else f"failed (exit {done.returncode}), see logs/warm-up-{plan.name}.err"))
        remove_output(plan.out)
