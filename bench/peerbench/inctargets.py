"""The incremental-sync targets: dbduck-cdf against the full copy of the same changed table, in wall
seconds, bytes moved and peak RSS; each met, not met, or not measured (None)."""

from __future__ import annotations

from typing import Optional

from .incmodes import CDF, FULL
from .runrecord import RunRecord

SPEEDUP = 20
MAX_BYTES_SHARE = 0.03


def incremental_targets(by: dict) -> dict:
    """by: name -> RunRecord of the main scale."""
    cdf, full = by.get(CDF), by.get(FULL)
    missing = _why_missing(cdf, full)
    speed: dict = {"target": f"{CDF} >= {SPEEDUP}x faster than {FULL} (wall seconds)"}
    share: dict = {"target": f"{CDF} moves <= {MAX_BYTES_SHARE:.0%} of {FULL}'s bytes"}
    rss: dict = {"target": f"{CDF} peak RSS within {FULL}'s"}
    if missing:
        for t in (speed, share, rss):
            t.update(met=None, why=missing)
        return {"cdf_vs_full_speed": speed, "cdf_vs_full_bytes": share, "cdf_vs_full_peak_rss": rss}
    x = full.seconds / cdf.seconds
    speed.update(value=round(x, 2), met=x >= SPEEDUP)
    share.update(bytes_share(cdf, full))
    r = cdf.peak_rss_bytes / full.peak_rss_bytes
    rss.update(value=round(r, 3), met=r <= 1.0, cdf_peak_rss_bytes=cdf.peak_rss_bytes,
               full_peak_rss_bytes=full.peak_rss_bytes)
    return {"cdf_vs_full_speed": speed, "cdf_vs_full_bytes": share, "cdf_vs_full_peak_rss": rss}


def _why_missing(cdf: Optional[RunRecord], full: Optional[RunRecord]) -> Optional[str]:
    for name, r in ((CDF, cdf), (FULL, full)):
        if r is None or not r.ok:
            return f"{name} has no result ({r.status if r else 'not run'})"
    return None


def bytes_share(cdf: RunRecord, full: RunRecord) -> dict:
    """Bytes the emulator sent during each run (workspace responses + storage downloads); dbduck's
    own `bytes` (its --json) alongside when both runs report it."""
    out: dict = {}
    cw, fw = (cdf.wire or {}).get("bytes"), (full.wire or {}).get("bytes")
    if cw is not None and fw:
        share = cw / fw
        out.update(value=round(share, 5), shown=f"{share:.2%}", met=share <= MAX_BYTES_SHARE,
                   cdf_bytes=cw, full_bytes=fw, source="emulator /admin/stats (api_response_bytes + download_bytes)")
    cj = ((cdf.incremental or {}).get("dbduck") or {}).get("bytes")
    fj = ((full.incremental or {}).get("dbduck") or {}).get("bytes")
    if isinstance(cj, (int, float)) and isinstance(fj, (int, float)) and fj:
        out["dbduck_json"] = {"cdf_bytes": cj, "full_bytes": fj, "share": round(cj / fj, 5)}
        if "met" not in out:
            out.update(value=round(cj / fj, 5), shown=f"{cj / fj:.2%}", met=cj / fj <= MAX_BYTES_SHARE,
                       source="dbduck --json bytes")
    if "met" not in out:
        out.update(met=None, why="no byte counts (emulator stats or dbduck --json)")
    return out
