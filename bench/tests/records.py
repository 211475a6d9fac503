"""Run records for the cases the recorded document does not hold."""

from __future__ import annotations

from typing import Optional

from peerbench.runrecord import OK, CopyCheck, RunRecord


def ok_run(name: str, rows_per_s: float, peak_rss_bytes: int = 100_000_000, scale: float = 1.0,
           details: Optional[dict] = None) -> RunRecord:
    """A successful run with a checked copy: rows = rows_per_s over one second."""
    rows = int(rows_per_s)
    return RunRecord(name, "samples.tpch.lineitem", scale, False, status=OK, expected_rows=rows, seconds=1.0,
                     peak_rss_bytes=peak_rss_bytes, check=CopyCheck(rows, True, content_ok=True, types_ok=True),
                     rows=rows, rows_per_s=rows_per_s, details=details)
