"""The whole bench: data and expectations, one emulator per scale, every selected run (repeated when
short), then bench/results/latest.json (or partial.json.tmp for a BENCH_RUNS subset) and its
Markdown."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from typing import Optional

from .config import BENCH, EMULATOR_CHUNK_ROWS, TABLE, VENV_PY, log, scale_tag
from .copycheck import expected
from .dbduck_binary import snapshot_dbduck
from .incmodes import INCREMENTAL_RUNS
from .incremental import Phase, compare_with_full
from .latency import BadStatementLatency, run_latency_pair, statement_latency
from .machine import machine_info
from .manyplans import warm_up_many
from .manytables import LATENCY_RUNS, ManyTables, seeded_many, wanted
from .peervenvs import PEER_VENVS, peer_venv
from .plans import Context, dbduck_plan, plans
from .ratios import ratios
from .repeats import repeat_short_runs
from .resumeruns import RESUME_90, run_resume
from .report import markdown
from .runner import Runner
from .runrecord import RunRecord
from .seeding import parquet_export, seeded_data
from .settings import Settings, UnknownRunNames
from .targets import targets
from .warehouse import start_warehouse
from .warmup import warm_up


def main() -> int:
    try:
        st = Settings.from_env()
        latency = statement_latency()
    except (UnknownRunNames, BadStatementLatency) as e:
        log(str(e))
        return 64
    if not os.path.exists(VENV_PY):
        log(f"{VENV_PY} is missing: run `make venv` (or `make bench`, which builds it)")
        return 1
    os.makedirs(st.results, exist_ok=True)
    os.makedirs(st.data_root, exist_ok=True)
    started = dt.datetime.now(dt.timezone.utc)
    t_start = time.perf_counter()
    dbduck = snapshot_dbduck(st.data_root)
    d = seeded_data(st.data_root, st.scale)
    parquet = parquet_export(d)
    exp_full = expected(parquet, None)
    exp_sample = expected(parquet, st.basic_where)
    log(f"scale {scale_tag(st.scale)}: {exp_full['fingerprint']['rows']:,} rows; "
        f"row-by-row sample ({st.basic_where}): {exp_sample['fingerprint']['rows']:,} rows")
    logs = os.path.join(st.data_root, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)
    ctx = Context(st.scale, tempfile.mkdtemp(prefix="run-", dir=d), parquet, st.basic_where, st.parallelism,
                  st.chunk_size, dbduck)
    if wanted(st.selected):
        ctx.many = seeded_many(d, ManyTables.from_env())
    for name in PEER_VENVS:
        if name in st.selected:
            py, err = peer_venv(name, os.path.join(BENCH, ".venvs"))
            if py:
                ctx.venv_python[name] = py
            else:
                ctx.venv_errors[name] = err
    machine = machine_info(dbduck)
    runs, incremental = run_main_scale(st, ctx, d, exp_full, exp_sample, logs)
    runs += run_latency_pair(st, ctx, d, logs, latency)
    extra = [run_rss_scale(st, s, ctx, logs) for s in st.rss_scales
             if s != st.scale and "dbduck-streaming" in st.selected]
    machine["loadavg_at_end"] = list(os.getloadavg())
    all_runs = runs + extra
    doc = {
        "table": TABLE, "scale": st.scale, "started_at": started.isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - t_start, 1), "command": Settings.command(),
        "sample_where": st.basic_where, "expected": {"full": exp_full, "sample": exp_sample,
                                                   **({"many": ctx.many.expected} if ctx.many else {})},
        "runs": [r.to_json() for r in all_runs], "ratios": ratios(all_runs, st.scale),
        "targets": targets(runs, st.scale, extra), "machine": machine,
        "emulator": {"chunk_rows": EMULATOR_CHUNK_ROWS, "result_cache": st.result_cache,
                     "note": "python -m emulator serve --data DIR --port 0 --storage-port 0"},
    }
    if incremental is not None:
        doc["incremental"] = incremental
    write_results(st, doc)
    return 0


def run_main_scale(st: Settings, ctx: Context, d: str, exp_full: dict, exp_sample: dict,
                   logs: str) -> tuple[list[RunRecord], Optional[dict]]:
    """Every selected run at the main scale, against one emulator: the lineitem copies, then the
    incremental-sync phase (its table, baselines and change), then the repeats of short runs.
    Also returns what the incremental phase set up (None when none of its runs was selected)."""
    emu = start_warehouse(os.path.join(d, "workspace"), os.path.join(logs, "emulator.err"))
    try:
        log(f"emulator at {emu.host} (storage {emu.storage})")
        ctx.ca_file = emu.ca_file
        warm_up(emu, ctx, logs)
        runner = Runner(ctx, emu, exp_full, exp_sample, logs, st.timeout, st.keep_outputs)
        chosen = plans(ctx, [n for n in st.selected if n not in LATENCY_RUNS])  # they have their own emulator
        warm_up_many(emu, chosen, logs)
        regular = [p for p in chosen if p.name not in INCREMENTAL_RUNS and p.name != RESUME_90]
        resumed = [p for p in chosen if p.name == RESUME_90]
        synced = [p for p in chosen if p.name in INCREMENTAL_RUNS]
        runs = [runner.run(plan) for plan in regular]
        runs += run_resume(runner, resumed, runs, emu, logs)
        phase = Phase(runner, synced)
        if synced:
            runs += phase.run()
        repeat_short_runs(regular + resumed + synced, runs, runner, st.repeats, st.repeat_under)
        compare_with_full(runs)
        return runs, (phase.info if synced else None)
    finally:
        emu.stop()
        shutil.rmtree(ctx.work, ignore_errors=True)


def run_rss_scale(st: Settings, scale: float, main_ctx: Context, logs: str) -> RunRecord:
    """dbduck-streaming alone at another scale, with its own data and emulator (the peak RSS target)."""
    ds = seeded_data(st.data_root, scale)
    pq_s = parquet_export(ds)
    exp_s = expected(pq_s, None)
    ctx = Context(scale, tempfile.mkdtemp(prefix="run-", dir=ds), pq_s, st.basic_where, st.parallelism,
                  st.chunk_size, main_ctx.dbduck)
    emu = start_warehouse(os.path.join(ds, "workspace"), os.path.join(logs, f"emulator-{scale_tag(scale)}.err"))
    try:
        ctx.ca_file = emu.ca_file
        warm_up(emu, ctx, logs)
        runner = Runner(ctx, emu, exp_s, exp_s, logs, st.timeout, st.keep_outputs)
        return runner.run(dbduck_plan("dbduck-streaming", "streaming", ctx))
    finally:
        emu.stop()
        shutil.rmtree(ctx.work, ignore_errors=True)


def write_results(st: Settings, doc: dict) -> None:
    json_path, md_path = st.outputs
    tmp = os.path.join(st.results, "writing.json.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(st.results, json_path))
    md = markdown(doc)
    with open(os.path.join(st.results, md_path), "w") as f:
        f.write(md)
    print(md)
    log(f"wrote bench/results/{json_path} and {md_path}")
