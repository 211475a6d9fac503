"""The many-tables pair against a warehouse with a statement latency: a second emulator on the same
workspace whose every statement stays RUNNING BENCH_STATEMENT_LATENCY seconds before it executes,
as each statement on a warm Databricks SQL warehouse costs a round trip, which the main emulator
(answering as soon as its CPU allows) leaves out. Run after the main scale's runs, warmed up and
repeated as the main pair is."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import tempfile

from .config import log
from .manyplans import warm_up_many
from .manytables import LATENCY_RUNS
from .plans import Context, plans
from .repeats import repeat_short_runs
from .runner import Runner
from .runrecord import RunRecord
from .settings import Settings
from .warehouse import EmulatorProcess, start_warehouse

LATENCY_ENV = "BENCH_STATEMENT_LATENCY"
DEFAULT_LATENCY = 0.3


class BadStatementLatency(ValueError):
    pass


def statement_latency() -> float:
    """BENCH_STATEMENT_LATENCY in seconds (default 0.3)."""
    raw = os.environ.get(LATENCY_ENV, "").strip()
    if not raw:
        return DEFAULT_LATENCY
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise BadStatementLatency(f"{LATENCY_ENV}={raw!r} is not a number of seconds >= 0: set it to e.g. 0.3, "
                                  f"or unset it for the default ({DEFAULT_LATENCY:g} s)")
    return seconds


def latency_note(seconds: float) -> str:
    return f"every warehouse statement {seconds:g} s RUNNING first (emulator --exec-delay {seconds:g})"


def latency_emulator(d: str, logs: str, seconds: float) -> EmulatorProcess:
    """The second emulator: d's workspace, as BENCH_TLS and BENCH_RESULT_CACHE ask, with the delay."""
    return start_warehouse(os.path.join(d, "workspace"), os.path.join(logs, "emulator-latency.err"),
                           "--exec-delay", repr(seconds))


def run_latency_pair(st: Settings, main_ctx: Context, d: str, logs: str, seconds: float) -> list[RunRecord]:
    """The selected latency runs (none selected: nothing starts), each noted with the latency."""
    names = [n for n in LATENCY_RUNS if n in st.selected]
    if not names:
        return []
    ctx = dataclasses.replace(main_ctx, work=tempfile.mkdtemp(prefix="run-", dir=d))
    emu = latency_emulator(d, logs, seconds)
    try:
        log(f"emulator with {seconds:g} s statement latency at {emu.host}")
        ctx.ca_file = emu.ca_file
        chosen = plans(ctx, names)
        for plan in chosen:
            plan.note = "; ".join(x for x in (plan.note, latency_note(seconds)) if x)
        exp = ctx.many.expected if ctx.many else {}
        runner = Runner(ctx, emu, exp, exp, logs, st.timeout, st.keep_outputs)
        warm_up_many(emu, chosen, logs)
        runs = [runner.run(plan) for plan in chosen]
        repeat_short_runs(chosen, runs, runner, st.repeats, st.repeat_under)
        return runs
    finally:
        emu.stop()
        shutil.rmtree(ctx.work, ignore_errors=True)
