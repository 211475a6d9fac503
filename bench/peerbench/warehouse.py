"""The one emulator the runs of a scale copy from, started as BENCH_TLS and BENCH_RESULT_CACHE ask,
and the environment a run gets to reach it."""

from __future__ import annotations

import os
from typing import Optional

from .config import ROOT, VENV_PY, result_cache_on

try:
    from emulator.launcher import EmulatorProcess
except ImportError:  # bench/harness.py run as a script: the repository root is not on the path yet
    import sys
    sys.path.insert(0, ROOT)
    from emulator.launcher import EmulatorProcess


def start_warehouse(data: str, log_path: str) -> EmulatorProcess:
    """`python -m emulator serve` in .venv. BENCH_TLS=1: HTTPS with a generated CA, as Databricks
    serves its API and presigned links. BENCH_RESULT_CACHE=0: every statement runs and compresses
    its result again, on these same cores."""
    # Its own session: only the harness stops it (finally block, SIGTERM handler), not a stray Ctrl-C.
    return EmulatorProcess(data, tls=os.environ.get("BENCH_TLS") == "1", result_cache=result_cache_on(),
                           python=VENV_PY, log_path=log_path, new_session=True)


def client_env(emu: EmulatorProcess) -> dict:
    """This process's environment pointed at the emulator, with no other Databricks settings."""
    e = dict(os.environ)
    e.update(DATABRICKS_HOST=emu.host, DATABRICKS_TOKEN=emu.token, DATABRICKS_WAREHOUSE_ID=emu.warehouse_id)
    for k in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET",
              "DATABRICKS_AUTH_TYPE", "DATABRICKS_CONFIG_FILE"):
        e.pop(k, None)
    if emu.ca_file:
        # requests (SDK, peers), httpx and OpenSSL's default paths (http.client) trust the CA;
        # the connector and dbduck are given it explicitly.
        e.update(REQUESTS_CA_BUNDLE=emu.ca_file, SSL_CERT_FILE=emu.ca_file, BENCH_CA_FILE=emu.ca_file)
    return e


def cache_counts(emu: EmulatorProcess) -> Optional[tuple[int, int]]:
    """(hits, misses) of the emulator's result cache so far."""
    try:
        c = emu.stats().get("result_cache") or {}
        return int(c.get("hits", 0)), int(c.get("misses", 0))
    except (OSError, ValueError):
        return None


def secrets(emu: EmulatorProcess) -> list[str]:
    """What must not appear in recorded logs."""
    return [emu.token or "", emu.info.get("client_secret", "")]
