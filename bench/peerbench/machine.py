"""What the numbers were measured on: OS, CPU, memory, load, library versions, the dbduck binary and
the commit, recorded with every report."""

from __future__ import annotations

import os
import platform
import subprocess

from .config import DBDUCK, ROOT, VENV_PY, shown_path
from .dbduck_binary import DbduckBinary

# Paths whose uncommitted changes make a report describe code that is not in the commit.
MEASURED_CODE = ["Sources", "emulator", "bench/peers", "bench/harness.py", "bench/peerbench", "bench/measure.py",
                 "Package.swift"]


def machine_info(dbduck: DbduckBinary) -> dict:
    info: dict = {"os": platform.platform(), "python": platform.python_version(), "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        if models:
            info["cpu"] = models[0]
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    info["memory_bytes"] = int(ln.split()[1]) * 1024
    except OSError:
        pass
    info["loadavg_at_start"] = list(os.getloadavg())
    try:
        out = subprocess.run([VENV_PY, "-c", "import duckdb, pyarrow; print(duckdb.__version__, pyarrow.__version__)"],
                             capture_output=True, text=True, check=True).stdout.split()
        info["duckdb_python"], info["pyarrow"] = out[0], out[1]
    except (subprocess.CalledProcessError, IndexError, OSError):
        pass
    info["dbduck_binary"] = shown_path(DBDUCK)
    if dbduck.snapshot:
        info["dbduck_binary_sha256"] = dbduck.sha256
        info["dbduck_binary_built_at"] = dbduck.built_at
        info["dbduck_binary_note"] = "copied once at the start of the bench; every dbduck run used the copy"
    if dbduck.available:
        try:
            info["dbduck_version"] = subprocess.run([dbduck.path, "version"], capture_output=True, text=True,
                                                    timeout=30).stdout.strip()
        except (subprocess.SubprocessError, OSError):
            pass
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                            text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *MEASURED_CODE], cwd=ROOT,
                               capture_output=True, text=True)
        info["uncommitted_changes"] = bool(dirty.stdout.strip())
    except OSError:
        pass
    return info
