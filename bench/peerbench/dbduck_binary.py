"""The dbduck binary every dbduck run of one report uses: a copy taken once at the start, because
others may rebuild .build/release/dbduck while the bench runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from typing import Optional

from .config import DBDUCK, shown_path


@dataclass
class DbduckBinary:
    """`path` is what runs (the copy, or the build itself when no copy was taken); `source` is the
    build it stands for in commands and reports."""
    path: str = DBDUCK
    source: str = DBDUCK
    sha256: Optional[str] = None
    built_at: Optional[str] = None

    @property
    def snapshot(self) -> bool:
        return self.sha256 is not None

    @property
    def available(self) -> bool:
        return os.access(self.path, os.X_OK)

    def shown(self, arg: str) -> str:
        """A command-line argument as the report shows it: the copy stands for the build."""
        return shown_path(self.source if self.snapshot and arg == self.path else arg)


def snapshot_dbduck(data_root: str, source: str = DBDUCK) -> DbduckBinary:
    """Copy the build to data_root/dbduck-snapshot/dbduck; without a build, the (missing) build."""
    if not os.access(source, os.X_OK):
        return DbduckBinary(source, source)
    d = os.path.join(data_root, "dbduck-snapshot")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "dbduck")
    shutil.copy2(source, path + ".part")
    os.replace(path + ".part", path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    built_at = dt.datetime.fromtimestamp(os.path.getmtime(source), dt.timezone.utc).isoformat(timespec="seconds")
    return DbduckBinary(path, source, digest, built_at)
