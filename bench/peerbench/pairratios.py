"""Ratios and targets between two named runs that the comparison with dbduck-streaming does not
cover: the many-tables pair, and dbduck-streaming against DuckDB's ingest of in-memory Arrow. An
entry appears only when one of its runs is in the document."""

from __future__ import annotations

from typing import Optional

from .manytables import MANY_RUNS
from .runrecord import RunRecord

MANY_KEY = "connector-many-tables_vs_dbduck-many-tables"
ARROW_KEY = "streaming_vs_limit_arrow_ingest"
MANY_WANT = 3.0
ARROW_WITHIN = 1.25


def _ok(by: dict, name: str) -> Optional[RunRecord]:
    r = by.get(name)
    return r if r and r.ok else None


def _missing(by: dict, *names: str) -> str:
    name = next((n for n in names if not _ok(by, n)), None)
    if name is None:
        return f"{names[-1]} reported no load_seconds"
    return f"{name} has no result ({by[name].status if name in by else 'not run'})"


def many_ratio(by: dict) -> Optional[dict]:
    """connector-many-tables' wall seconds over dbduck-many-tables'."""
    d, c = _ok(by, "dbduck-many-tables"), _ok(by, "connector-many-tables")
    if not (d and c):
        return None
    return {"definition": "connector-many-tables seconds / dbduck-many-tables seconds (wall, same tables)",
            "value": round(c.seconds / d.seconds, 2)}


def arrow_ratio(by: dict) -> Optional[dict]:
    """limit-arrow-ingest's CREATE TABLE AS rows/s over dbduck-streaming's rows/s."""
    s, a = _ok(by, "dbduck-streaming"), _ok(by, "limit-arrow-ingest")
    if not (s and a and a.details and a.details.get("load_seconds")):
        return None
    arrow_rate = a.rows / a.details["load_seconds"]
    return {"definition": ("dbduck-streaming seconds / limit-arrow-ingest's CREATE TABLE AS seconds, as "
                           "rows/s: limit-arrow-ingest rows/s over dbduck-streaming rows/s"),
            "limit_arrow_ingest_rows_per_s": round(arrow_rate, 1), "value": round(arrow_rate / s.rows_per_s, 2)}


def _by(runs: list[RunRecord], scale: float) -> dict:
    return {r.name: r for r in runs if r.scale == scale}


def pair_ratios(runs: list[RunRecord], scale: float) -> dict:
    """The pair entries of `ratios`; the many-tables runs copy other tables, so they have no ratio
    to dbduck-streaming (None)."""
    by = _by(runs, scale)
    out: dict = {n: None for n in MANY_RUNS if n in by}
    if any(n in by for n in MANY_RUNS):
        out[MANY_KEY] = many_ratio(by)
    if "limit-arrow-ingest" in by:
        out[ARROW_KEY] = arrow_ratio(by)
    return out


def pair_targets(runs: list[RunRecord], scale: float) -> dict:
    by = _by(runs, scale)
    out: dict = {}
    if any(n in by for n in MANY_RUNS):
        t: dict = {"target": f"dbduck-many-tables at least {MANY_WANT:g}x faster than connector-many-tables "
                             "(wall seconds)"}
        r = many_ratio(by)
        if r is None:
            t.update(met=None, why=_missing(by, "dbduck-many-tables", "connector-many-tables"))
        else:
            t.update(value=r["value"], met=r["value"] >= MANY_WANT)
        out["many_tables_vs_connector"] = t
    if "limit-arrow-ingest" in by:
        t = {"target": f"dbduck-streaming within {ARROW_WITHIN:g}x of limit-arrow-ingest (DuckDB's CREATE TABLE "
                       "AS from Arrow in memory)"}
        r = arrow_ratio(by)
        if r is None:
            t.update(met=None, why=_missing(by, "dbduck-streaming", "limit-arrow-ingest"))
        else:
            t.update(value=r["value"], met=r["value"] <= ARROW_WITHIN)
        out["streaming_vs_limit_arrow_ingest"] = t
    return out
