"""The incremental-sync runs: their names, the dbduck arguments of each, and whether a dbduck build
has those arguments at all (a build from before incremental sync does not)."""

from __future__ import annotations

import subprocess
from typing import Optional

from .changecommit import CURSOR, KEY

CDF, MERGE, FULL = "dbduck-cdf", "dbduck-merge", "dbduck-full-after-change"
INCREMENTAL_RUNS = [CDF, MERGE, FULL]
# Runs that first get an untimed baseline copy into their file, then sync the change into it.
SYNCED = (CDF, MERGE)

MODE_ARGS = {
    CDF: ["--mode", "cdf", "--primary-key", ",".join(KEY)],
    MERGE: ["--mode", "merge", "--primary-key", ",".join(KEY), "--cursor", CURSOR, "--deletes", "hard"],
    FULL: ["--mode", "full"],
}
NOTES = {
    CDF: "second run: the change data feed since the baseline",
    MERGE: f"second run: rows with a newer {CURSOR}, deletes by key",
    FULL: "full copy of the changed table",
}
FLAGS = ("--mode", "--primary-key", "--cursor", "--deletes")


def missing_flags(exe: str, timeout: float = 30) -> Optional[str]:
    """Why this dbduck build cannot run the incremental cases (None: it can): `replicate --help`
    must list every flag they use."""
    try:
        done = subprocess.run([exe, "replicate", "--help"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`dbduck replicate --help` failed: {e}"
    text = done.stdout + done.stderr
    missing = [f for f in FLAGS if f not in text]
    if missing:
        return f"this dbduck build has no {', '.join(missing)} (incremental sync not built)"
    return None
