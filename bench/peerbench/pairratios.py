"""Ratios and targets between two named runs that the comparison with dbduck-streaming does not
cover: the many-tables pair (and the same pair against a warehouse with a statement latency, a ratio
without a target), and dbduck-streaming against DuckDB's ingest of in-memory Arrow. An entry
appears only when one of its runs is in the document."""

from __future__ import annotations

from typing import Optional

from .latency import statement_latency
from .manytables import LATENCY_RUNS, MANY_PAIR, MANY_RUNS
from .runrecord import RunRecord, missing_reason, ok_run, runs_by_name

MANY_KEY = "connector-many-tables_vs_dbduck-many-tables"
LATENCY_KEY = "connector-many-tables-latency_vs_dbduck-many-tables-latency"
ARROW_KEY = "streaming_vs_limit_arrow_ingest"
MANY_WANT = 3.0
ARROW_WITHIN = 1.25




def _missing(by: dict, *names: str) -> str:
    return missing_reason(by, *names) or f"{names[-1]} reported no load_seconds"


def _seconds_ratio(by: dict, dbduck: str, connector: str, how: str) -> Optional[dict]:
    d, c = ok_run(by, dbduck), ok_run(by, connector)
    if not (d and c):
        return None
    return {"definition": f"{connector} seconds / {dbduck} seconds (wall, same tables{how})",
            "value": round(c.seconds / d.seconds, 2)}


def many_ratio(by: dict) -> Optional[dict]:
    """connector-many-tables' wall seconds over dbduck-many-tables'."""
    return _seconds_ratio(by, *MANY_PAIR, "")


def latency_ratio(by: dict, seconds: float) -> Optional[dict]:
    """The same for the latency runs, whose every statement waited `seconds` first."""
    r = _seconds_ratio(by, *LATENCY_RUNS, f", every warehouse statement {seconds:g} s RUNNING first: "
                                          f"emulator --exec-delay {seconds:g}")
    return r and {**r, "statement_latency_seconds": seconds}


def arrow_ratio(by: dict) -> Optional[dict]:
    """limit-arrow-ingest's CREATE TABLE AS rows/s over dbduck-streaming's rows/s."""
    s, a = ok_run(by, "dbduck-streaming"), ok_run(by, "limit-arrow-ingest")
    if not (s and a and a.details and a.details.get("load_seconds")):
        return None
    arrow_rate = a.rows / a.details["load_seconds"]
    return {"definition": ("dbduck-streaming seconds / limit-arrow-ingest's CREATE TABLE AS seconds, as "
                           "rows/s: limit-arrow-ingest rows/s over dbduck-streaming rows/s"),
            "limit_arrow_ingest_rows_per_s": round(arrow_rate, 1), "value": round(arrow_rate / s.rows_per_s, 2)}




def pair_ratios(runs: list[RunRecord], scale: float) -> dict:
    """The pair entries of `ratios`; the many-tables runs copy other tables, so they have no ratio
    to dbduck-streaming (None)."""
    by = runs_by_name(runs, scale)
    out: dict = {n: None for n in MANY_RUNS if n in by}
    if any(n in by for n in MANY_PAIR):
        out[MANY_KEY] = many_ratio(by)
    if any(n in by for n in LATENCY_RUNS):
        out[LATENCY_KEY] = latency_ratio(by, statement_latency())
    if "limit-arrow-ingest" in by:
        out[ARROW_KEY] = arrow_ratio(by)
    return out


def pair_targets(runs: list[RunRecord], scale: float) -> dict:
    by = runs_by_name(runs, scale)
    out: dict = {}
    if any(n in by for n in MANY_PAIR):
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


def latency_lines(ratios: dict) -> list[str]:
    """The report's line for the latency pair (it has a ratio, no target); none when it did not run."""
    if LATENCY_KEY not in ratios:
        return []
    r = ratios[LATENCY_KEY]
    if r is None:
        text = "not measured: a latency run has no result (see its row)"
    else:
        text = (f"dbduck-many-tables-latency {r['value']}x faster than connector-many-tables-latency (wall "
                f"seconds), every warehouse statement {r['statement_latency_seconds']:g} s RUNNING first")
    return ["", f"Many tables against a warehouse with a statement latency (a second emulator, no target): {text}."]
