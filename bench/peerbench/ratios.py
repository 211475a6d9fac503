"""Every run of the main scale measured against dbduck-streaming's run."""

from __future__ import annotations

from .incmodes import INCREMENTAL_RUNS
from .pairratios import pair_ratios
from .resumetargets import resume_ratios
from .runrecord import RunRecord


def ratios(runs: list[RunRecord], scale: float) -> dict:
    """name -> rows/s, speed-up and peak RSS relative to dbduck-streaming (same scale); None for a
    run without a result, or for every run when dbduck-streaming has none. The incremental-sync runs
    copy another table and are compared among themselves (targets)."""
    base = next((r for r in runs if r.name == "dbduck-streaming" and r.scale == scale and r.ok), None)
    out: dict = {}
    for r in runs:
        if r.scale != scale or r.name in INCREMENTAL_RUNS:
            continue
        if base is None or not r.ok:
            out[r.name] = None
            continue
        out[r.name] = {
            "rows_per_s_vs_streaming": round(r.rows_per_s / base.rows_per_s, 4),
            "streaming_speedup": round(base.rows_per_s / r.rows_per_s, 2),
            "peak_rss_vs_streaming": round(r.peak_rss_bytes / base.peak_rss_bytes, 3),
        }
    out.update(pair_ratios(runs, scale))
    out.update(resume_ratios(runs, scale))
    return out
