"""latest.md's incremental-sync section: the change the runs synced, and one row per run."""

from __future__ import annotations

from .incmodes import INCREMENTAL_RUNS, SYNCED
from .runrecord import FAILED, OK, TIMEOUT, UNAVAILABLE, WRONG_COPY, RunRecord


def _n(v, spec: str = ",.0f") -> str:
    return "—" if v is None else format(v, spec)


def incremental_section(doc: dict, runs: list[RunRecord]) -> list[str]:
    """Empty when no incremental run was selected."""
    mine = [r for r in runs if r.name in INCREMENTAL_RUNS and r.scale == doc["scale"]]
    if not mine:
        return []
    info = doc.get("incremental") or {}
    lines = ["", f"## Incremental sync — `{info.get('table', '?')}`", "", change_text(info), "",
             "| run | seconds | peak RSS MB | bytes sent (emulator) | bytes (dbduck) | versions "
             "| inserted / updated / deleted | copy check | notes |",
             "|---|---:|---:|---:|---:|---|---:|---|---|"]
    return lines + [row(r) for r in mine]


def change_text(info: dict) -> str:
    ch = info.get("change")
    if not ch:
        return "The table or its change could not be made; see each run's reason."
    n = ch["rows_per_kind"]
    return (f"lineitem copied by one CTAS with the change data feed on and an `updated_at` column "
            f"(v{info.get('created_version')}); each synced run ({', '.join(SYNCED)}) first made an untimed "
            f"baseline copy, restored before every attempt. Then {ch['commits']} commit(s) "
            f"({', '.join(ch['operations'])}, v{ch['version_before']} → v{ch['version_after']}): {n:,} rows "
            f"updated, {n:,} deleted, {n:,} inserted; the changed table has {_n(info.get('expected_rows'))} rows. "
            "Every copy is compared with the changed Delta table (count and a per-column fingerprint), the "
            "synced copies also with the full copy.")


def row(r: RunRecord) -> str:
    inc = r.incremental or {}
    sync = inc.get("dbduck") or {}
    rss = r.peak_rss_bytes / 1e6 if r.peak_rss_bytes else None
    versions = (f"{_n(sync.get('version_from'), 'd')} → {_n(sync.get('version_to'), 'd')}"
                if sync.get("version_from") is not None or sync.get("version_to") is not None else "—")
    moved = " / ".join(_n(sync.get(k)) for k in ("rows_inserted", "rows_updated", "rows_deleted"))
    return (f"| {r.name} | {_n(r.seconds, '.2f')} | {_n(rss)} | {_n((r.wire or {}).get('bytes'))} | "
            f"{_n(sync.get('bytes'))} | {versions} | {moved} | {check(r)} | {notes(r)} |")


def check(r: RunRecord) -> str:
    if r.status == OK:
        same = (r.incremental or {}).get("same_as_full")
        return "ok" + {True: ", same as the full copy", False: "", None: ""}[same]
    if r.status == WRONG_COPY:
        return "**WRONG**: " + (r.reason or "")
    return r.status or "?"


def notes(r: RunRecord) -> str:
    parts = [r.note] if r.note else []
    sync = (r.incremental or {}).get("dbduck") or {}
    if sync.get("mode"):
        parts.append(f"mode {sync['mode']}")
    if sync.get("fallback_reason"):
        parts.append(f"fell back: {sync['fallback_reason']}")
    if (r.best_of or 1) > 1:
        parts.append(f"fastest of {r.best_of} ({', '.join(f'{s:.2f}' for s in r.attempts_seconds)} s)")
    if r.status in (FAILED, TIMEOUT, UNAVAILABLE):
        parts.append((r.reason or "")[:300])
    return "; ".join(parts)
