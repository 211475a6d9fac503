"""The benchmark's targets for dbduck-streaming (and, when they ran, the incremental-sync ones),
each stated as met, not met, or not measured (None), with the numbers behind it."""

from __future__ import annotations

from typing import Optional

from .config import scale_tag
from .incmodes import INCREMENTAL_RUNS
from .inctargets import incremental_targets
from .pairratios import pair_targets
from .resumetargets import resume_targets
from .runrecord import RunRecord, ok_run

# Within this factor of the physical limit counts as met.
LIMIT_FACTOR = 1.5
RSS_LIMIT_BYTES = 300e6


def targets(runs: list[RunRecord], scale: float, extra_rss: list[RunRecord]) -> dict:
    """runs: the main scale's runs; extra_rss: dbduck-streaming at the other scales."""
    by = {r.name: r for r in runs if r.scale == scale}
    out = {
        "streaming_vs_basic": speed_target(by, "dbduck-basic", 100),
        "streaming_vs_python_sdk_path": speed_target(by, "python-sdk-path", 2),
        "streaming_vs_sql_connector": speed_target(by, "sql-connector", 2),
        "streaming_vs_physical_limit": limit_target(by),
        "streaming_peak_rss": rss_target([r for r in runs if r.name == "dbduck-streaming"] + extra_rss),
        **pair_targets(runs, scale),
        **resume_targets(runs, scale),
    }
    if any(name in by for name in INCREMENTAL_RUNS):
        out.update(incremental_targets(by))
    return out




def speed_target(by: dict, name: str, want: float) -> dict:
    """dbduck-streaming's rows/s at least `want` times `name`'s."""
    s, r = ok_run(by, "dbduck-streaming"), ok_run(by, name)
    target = f">= {want}x {name} (rows/s)"
    if not (s and r):
        why = "dbduck-streaming" if not s else name
        status = by[why].status if why in by else "not run"
        return {"target": target, "met": None, "why": f"{why} has no result ({status})"}
    x = s.rows_per_s / r.rows_per_s
    return {"target": target, "value": round(x, 2), "met": x >= want}


def limit_target(by: dict) -> dict:
    """The physical limit is the slower of limit-download's download phase and limit-parquet-ingest's
    load, both timed inside their process (so without start-up)."""
    s, dl, ing = ok_run(by, "dbduck-streaming"), ok_run(by, "limit-download"), ok_run(by, "limit-parquet-ingest")
    lim: dict = {"target": f"dbduck-streaming within {LIMIT_FACTOR:g}x of the physical limit"}
    if not (s and dl and ing):
        lim.update(met=None, why="dbduck-streaming or a limit run has no result")
        return lim
    d_s = dl.details["download_seconds"]
    i_s = ing.details["load_seconds"]
    dl_rate, ing_rate = dl.rows / d_s, ing.rows / i_s
    slower = "limit-download" if dl_rate < ing_rate else "limit-parquet-ingest"
    limit_rate = min(dl_rate, ing_rate)
    lim.update({
        "limit_used": slower,
        "definition": ("the slower of limit-download (its download phase only) and limit-parquet-ingest "
                       "(its CREATE TABLE AS only), as rows/s"),
        "limit_download_rows_per_s": round(dl_rate, 1), "limit_parquet_ingest_rows_per_s": round(ing_rate, 1),
        "limit_rows_per_s": round(limit_rate, 1),
        "value": round(limit_rate / s.rows_per_s, 2), "met": limit_rate / s.rows_per_s <= LIMIT_FACTOR,
    })
    # The warehouse writes every chunk before any client can download (SUCCEEDED comes after the
    # last chunk), so its statement time plus the slower limit bounds every client.
    st = dl.details.get("statement_seconds")
    if st is not None:
        with_wh = dl.rows / (st + max(d_s, i_s))
        lim["with_warehouse"] = {
            "definition": ("limit-download's statement time (warehouse executes and writes the result) "
                           "+ the slower of the two limits, as rows/s: what no client can beat"),
            "rows_per_s": round(with_wh, 1), "value": round(with_wh / s.rows_per_s, 2),
            "met": with_wh / s.rows_per_s <= LIMIT_FACTOR}
    return lim


def rss_target(streaming_runs: list[RunRecord]) -> dict:
    """dbduck-streaming's peak RSS under the limit at scale 1 and at scale 5."""
    rss: dict = {"target": "dbduck-streaming peak RSS < 300 MB at scale 1 and scale 5", "by_scale": {}}
    for r in streaming_runs:
        if r.ok:
            rss["by_scale"][scale_tag(r.scale)] = {"peak_rss_bytes": r.peak_rss_bytes,
                                                   "met": r.peak_rss_bytes < RSS_LIMIT_BYTES}
    have = rss["by_scale"]
    rss["met"] = (all(v["met"] for v in have.values()) if {"1", "5"} <= set(have) else
                  (False if any(not v["met"] for v in have.values()) else None))
    if rss["met"] is None:
        rss["why"] = f"measured at scale(s) {sorted(have) or 'none'}; needs 1 and 5 (BENCH_RSS_SCALES)"
    return rss
