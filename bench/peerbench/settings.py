"""The BENCH_* variables one bench run honours, read once (see bench/README.md for each)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .config import BENCH, RUN_NAMES, env_float, env_int, result_cache_on


class UnknownRunNames(ValueError):
    pass


@dataclass
class Settings:
    scale: float = 1.0
    only: list[str] = field(default_factory=list)   # BENCH_RUNS; empty = every run
    rss_scales: list[float] = field(default_factory=list)
    basic_orderkey: int = 10000
    parallelism: int = 4
    chunk_size: int = 100_000
    repeats: int = 3
    repeat_under: float = 30.0
    timeout: float = 1800.0
    keep_outputs: bool = False
    result_cache: bool = True
    data_root: str = os.path.join(BENCH, "data")
    results: str = os.path.join(BENCH, "results")

    @classmethod
    def from_env(cls) -> "Settings":
        scale = env_float("BENCH_SCALE", 1.0)
        only = [n.strip() for n in os.environ.get("BENCH_RUNS", "").split(",") if n.strip()]
        unknown = [n for n in only if n not in RUN_NAMES]
        if unknown:
            raise UnknownRunNames(f"unknown run name(s) in BENCH_RUNS: {', '.join(unknown)}; "
                                  f"known: {', '.join(RUN_NAMES)}")
        # The peak RSS target is "at scale 1 and scale 5": a scale-1 run checks scale 5 too unless told not to.
        rss_env = os.environ.get("BENCH_RSS_SCALES")
        if rss_env is None:
            rss_env = "5" if scale == 1 else ""
        return cls(
            scale=scale, only=only, rss_scales=[float(x) for x in rss_env.replace(",", " ").split()],
            basic_orderkey=env_int("BENCH_BASIC_ORDERKEY", 10000), parallelism=env_int("BENCH_PARALLELISM", 4),
            chunk_size=env_int("BENCH_CHUNK_SIZE", 100_000), repeats=env_int("BENCH_REPEATS", 3),
            repeat_under=env_float("BENCH_REPEAT_UNDER", 30.0), timeout=env_float("BENCH_TIMEOUT", 1800),
            keep_outputs=bool(os.environ.get("BENCH_KEEP_OUTPUTS")), result_cache=result_cache_on(),
            data_root=os.environ.get("BENCH_DATA", os.path.join(BENCH, "data")))

    @property
    def selected(self) -> list[str]:
        return self.only or RUN_NAMES

    @property
    def basic_where(self) -> str:
        return f"l_orderkey <= {self.basic_orderkey}"

    @property
    def outputs(self) -> tuple[str, str]:
        """A full run replaces latest.*; a BENCH_RUNS subset goes to partial.*.tmp (gitignored)."""
        return ("latest.json", "latest.md") if not self.only else ("partial.json.tmp", "partial.md.tmp")

    @staticmethod
    def command() -> str:
        """How this run was started, with the settings that differ from the defaults."""
        cmd = "make bench" if os.environ.get("MAKELEVEL") else "bench/run"
        env_used = {k: v for k, v in os.environ.items() if k.startswith("BENCH_")}
        if os.environ.get("DBDUCK_BIN"):
            env_used["DBDUCK_BIN"] = os.environ["DBDUCK_BIN"]
        if env_used:
            cmd = " ".join(f"{k}={v}" for k, v in sorted(env_used.items())) + " " + cmd
        return cmd
