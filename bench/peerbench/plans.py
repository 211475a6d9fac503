"""What each named run executes: its command line, the DuckDB file it writes, and whether it runs
on the row-by-row sample. Building a plan runs nothing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from .changecommit import TABLE as CDF_TABLE
from .config import DBDUCK, PEERS, RUN_NAMES, TABLE, TARGET, VENV_PY, shown_path
from .dbduck_binary import DbduckBinary
from .incmodes import INCREMENTAL_RUNS, MODE_ARGS, NOTES
from .manytables import MANY_RUNS
from .peervenvs import PEER_VENVS
from .resumeruns import RESUME_RUNS, resume_plan

if TYPE_CHECKING:
    from .manytables import ManyTables


@dataclass
class Plan:
    name: str
    cmd: Optional[list[str]]
    out: Optional[str]                # DuckDB file the run writes (None: no copy, e.g. limit-download)
    where: Optional[str] = None
    note: str = ""
    unavailable: Optional[str] = None
    dbduck: bool = False
    table: str = TABLE                # the Databricks table it copies
    # Set by a phase that prepares its runs (incremental sync): `before` readies `out` for an
    # attempt instead of removing it; `check` judges the run instead of the lineitem copy check.
    before: Optional[Callable[[], None]] = None
    check: Optional[Callable] = None
    expected_rows: Optional[int] = None
    expected: Optional[dict] = None   # what its copy must hold, when not TABLE's rows
    checker: Optional[Callable] = None  # checker(out, expected) -> CopyCheck, when not check_copy
    summarize: Optional[Callable] = None  # the run's JSON -> what the record keeps, when not all of it


@dataclass
class Context:
    """What every plan of one scale shares."""
    scale: float
    work: str                          # the runs' scratch directory (their DuckDB files)
    parquet: str
    basic_where: str
    parallelism: int
    chunk_size: int
    dbduck: DbduckBinary = field(default_factory=DbduckBinary)
    venv_python: dict = field(default_factory=dict)
    venv_errors: dict = field(default_factory=dict)
    ca_file: Optional[str] = None      # the emulator's CA when it serves HTTPS (BENCH_TLS=1)
    many: Optional["ManyTables"] = None  # the many-tables schema, when a run copies it

    @property
    def tls_args(self) -> list[str]:
        return ["--ca-file", self.ca_file] if self.ca_file else []


def dbduck_plan(name: str, strategy: str, ctx: Context) -> Plan:
    out = os.path.join(ctx.work, f"{name}.duckdb")
    if not ctx.dbduck.available:
        return Plan(name, None, out, unavailable=f"{shown_path(DBDUCK)} is not built (make build)", dbduck=True)
    exe = ctx.dbduck.path
    if strategy == "basic":
        # The row-by-row strategy copies the sample, which only a config's `where:` can ask for.
        cfg = os.path.join(ctx.work, "dbduck-basic.yml")
        with open(cfg, "w") as f:
            f.write(f"target: {{ path: {json.dumps(out)} }}\n"
                    f"tables:\n  - name: {TABLE}\n    where: {json.dumps(ctx.basic_where)}\n    strategy: basic\n")
        return Plan(name, [exe, "replicate", "--config", cfg, "--json", *ctx.tls_args], out, where=ctx.basic_where,
                    note="sample (config `where:`)", dbduck=True)
    return Plan(name, [exe, "replicate", TABLE, "--to", out, "--strategy", strategy, "--json", *ctx.tls_args], out,
                dbduck=True)


def incremental_plan(name: str, ctx: Context) -> Plan:
    """An incremental-sync run: its own directory (the baseline copy is restored into it before each
    attempt), the bench table with change data feed, and the mode's arguments."""
    out = os.path.join(ctx.work, name, "copy.duckdb")
    if not ctx.dbduck.available:
        return Plan(name, None, out, unavailable=f"{shown_path(DBDUCK)} is not built (make build)", dbduck=True,
                    table=CDF_TABLE)
    return Plan(name, [ctx.dbduck.path, "replicate", CDF_TABLE, "--to", out, *MODE_ARGS[name], "--json",
                       *ctx.tls_args], out, note=NOTES[name], dbduck=True, table=CDF_TABLE)


def peer_plan(name: str, script: str, ctx: Context, *extra: str, python: Optional[str] = None,
              where: Optional[str] = None, note: str = "", out: bool = True,
              parallelism: Optional[int] = None) -> Plan:
    path = os.path.join(ctx.work, f"{name}.duckdb") if out else None
    cmd = [python or VENV_PY, os.path.join(PEERS, script), "--table", TABLE, "--target", TARGET,
           "--parallelism", str(parallelism or ctx.parallelism), "--chunk-size", str(ctx.chunk_size), *extra]
    if path:
        cmd += ["--out", path]
    if where:
        cmd += ["--where", where]
    return Plan(name, cmd, path, where=where, note=note)


def venv_peer_plan(name: str, ctx: Context) -> Plan:
    py = ctx.venv_python.get(name)
    if py is None:
        return Plan(name, None, None, unavailable=ctx.venv_errors.get(name, "venv missing"))
    if name == "duckbricks":
        # duckbricks runs with its own default concurrency, not BENCH_PARALLELISM.
        return peer_plan(name, "duckbricks_peer.py", ctx, python=py, parallelism=6)
    return peer_plan(name, "ingestr_peer.py", ctx, python=py)


def plan_for(name: str, ctx: Context) -> Plan:
    if name in INCREMENTAL_RUNS:
        return incremental_plan(name, ctx)
    if name in MANY_RUNS:
        from .manyplans import many_plan
        return many_plan(name, ctx)
    if name in RESUME_RUNS:
        return resume_plan(name, ctx)
    if name.startswith("dbduck-"):
        return dbduck_plan(name, name.split("-", 1)[1], ctx)
    if name == "python-sdk-path":
        return peer_plan(name, "python_sdk_path.py", ctx)
    if name == "sql-connector":
        return peer_plan(name, "sql_connector.py", ctx)
    if name in PEER_VENVS:
        return venv_peer_plan(name, ctx)
    if name == "seed-basic":
        return peer_plan(name, "seed_levels.py", ctx, "--level", "basic", where=ctx.basic_where, note="sample (WHERE)")
    if name.startswith("seed-"):
        return peer_plan(name, "seed_levels.py", ctx, "--level", name.split("-", 1)[1])
    if name == "limit-parquet-ingest":
        return peer_plan(name, "limit_parquet_ingest.py", ctx, "--parquet", ctx.parquet, note="local Parquet file")
    if name == "limit-arrow-ingest":
        return peer_plan(name, "limit_arrow_ingest.py", ctx, "--parquet", ctx.parquet,
                         note="Arrow in memory (read untimed)")
    if name == "limit-download":
        return peer_plan(name, "limit_download.py", ctx, out=False, note="downloads discarded")
    raise ValueError(f"unknown run {name!r}")


def plans(ctx: Context, names: list[str] = RUN_NAMES) -> list[Plan]:
    """The plans of `names`, in the order of RUN_NAMES."""
    return [plan_for(name, ctx) for name in RUN_NAMES if name in names]
