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


def start_warehouse(data: str, log_path: str, *args: str) -> EmulatorProcess:
    """`python -m emulator serve [args]` in .venv. BENCH_TLS=1: HTTPS with a generated CA, as Databricks
    serves its API and presigned links. BENCH_RESULT_CACHE=0: every statement runs and compresses
    its result again, on these same cores."""
    # Its own session: only the harness stops it (finally block, SIGTERM handler), not a stray Ctrl-C.
    return EmulatorProcess(data, *args, tls=os.environ.get("BENCH_TLS") == "1", result_cache=result_cache_on(),
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


def stats(emu: EmulatorProcess) -> Optional[dict]:
    """The emulator's counters so far (None if it does not answer)."""
    try:
        return emu.stats()
    except (OSError, ValueError):
        return None


def cache_delta(before: Optional[dict], after: Optional[dict]) -> Optional[dict]:
    """{"hits", "misses"} of the result cache between two stats()."""
    if before is None or after is None:
        return None
    b, a = before.get("result_cache") or {}, after.get("result_cache") or {}
    return {k: int(a.get(k, 0)) - int(b.get(k, 0)) for k in ("hits", "misses")}


WIRE_KEYS = ("api_response_bytes", "download_bytes", "downloads")


def wire_delta(before: Optional[dict], after: Optional[dict]) -> Optional[dict]:
    """What the emulator sent between two stats(): workspace response bodies (inline results
    included), storage downloads, and `bytes`, their sum. Only the run under test talks to it."""
    if before is None or after is None or any(k not in after for k in WIRE_KEYS):
        return None
    out = {k: int(after[k]) - int(before.get(k, 0)) for k in WIRE_KEYS}
    out["bytes"] = out["api_response_bytes"] + out["download_bytes"]
    return out


def secrets(emu: EmulatorProcess) -> list[str]:
    """What must not appear in recorded logs."""
    return [emu.token or "", emu.info.get("client_secret", "")]
