"""Start `python -m emulator serve` as a subprocess, wait until it is ready, and stop it.

    from emulator.launcher import EmulatorProcess

    with EmulatorProcess("/tmp/dbx", "--chunk-rows", "20000", tls=True) as emu:
        emu.host, emu.token, emu.warehouse_id, emu.storage, emu.ca_file, emu.port, emu.stats()

Readiness is the serve command's contract: its first stdout line is one JSON object (host, token,
warehouse id, storage URL, ...) and it prints nothing after it. Only the standard library is used,
so the benchmark harness can import this from any interpreter.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from typing import IO, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class EmulatorProcess:
    """One `python -m emulator serve --data DATA --port 0 --storage-port 0 [flags] [args]` process,
    ready once the constructor returns; `stop()` ends it (on every path: use it as a context manager
    or call stop() in a finally block)."""

    def __init__(self, data: str, *args: str, tls: bool = False, result_cache: bool = True,
                 python: Optional[str] = None, log_path: Optional[str] = None, new_session: bool = False,
                 ready_timeout: float = 120.0):
        """data: the --data directory. args: further `serve` options, as given.
        tls: --tls (HTTPS with a generated CA, see `ca_file`). result_cache=False: --result-cache-mb 0.
        python: the interpreter (default: this one). log_path: the emulator's stderr goes there
        (default: a temporary file, read back only if it fails to start).
        new_session: its own session, so a Ctrl-C on the terminal reaches only its owner, which
        stops it."""
        self.data = data
        flags = (["--tls"] if tls else []) + ([] if result_cache else ["--result-cache-mb", "0"])
        self.command = [python or sys.executable, "-m", "emulator", "serve", "--data", data, "--port", "0",
                        "--storage-port", "0", *flags, *args]
        self.result_cache = result_cache and not _cache_turned_off(args)
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb") if log_path else tempfile.TemporaryFile()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._log,
                                         start_new_session=new_session)
        except BaseException:
            self._log.close()
            raise
        try:
            self.info: dict = self._first_line(ready_timeout)
        except BaseException:
            self.stop()
            raise
        self.host: str = self.info["host"]
        self.token: str = self.info["token"]
        self.warehouse_id: str = self.info["warehouse_id"]
        self.storage: str = self.info["storage"]
        self.ca_file: Optional[str] = self.info.get("ca_file")

    def _first_line(self, timeout: float) -> dict:
        # readline() has no timeout of its own; a reader thread bounds the wait for a hung start-up.
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].strip():
            why = "exited" if self.proc.poll() is not None else f"printed nothing in {timeout:g} s"
            raise RuntimeError(f"the emulator did not start ({why}): {self._stderr_tail()}")
        return json.loads(line[0])

    def _stderr_tail(self, limit: int = 4000) -> str:
        if self.log_path:
            return f"see {self.log_path}"
        try:
            self._log.flush()
            self._log.seek(0)
            return self._log.read().decode("utf-8", "replace")[-limit:].strip()
        except (OSError, ValueError):
            return ""

    # MARK: what it serves

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        """The workspace host, e.g. http://127.0.0.1:P (https:// with tls)."""
        return self.host

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.host).port

    @property
    def storage_port(self) -> int:
        return urllib.parse.urlsplit(self.storage).port

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stats(self, timeout: float = 10) -> dict:
        """GET /admin/stats: statements, downloads, result_cache {hits, misses, ...}."""
        ctx = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        req = urllib.request.Request(self.host + "/admin/stats",
                                     headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return json.load(r)

    def cpu_seconds(self) -> Optional[float]:
        """user+system CPU seconds the emulator has used so far (its process and threads; Linux)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                # The command name may hold spaces and parentheses: the fields start after the last ')'.
                fields = f.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    # MARK: lifetime

    def stop(self, timeout: float = 20) -> Optional[int]:
        """SIGTERM (it then exits 0 and removes its result files), SIGKILL if it is still there after
        `timeout` seconds. Returns its exit code; calling it again is harmless."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self._log):
            if f and not f.closed:
                f.close()
        return self.proc.returncode

    def __enter__(self) -> "EmulatorProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _cache_turned_off(args: tuple[str, ...]) -> bool:
    """Whether the extra args already hold `--result-cache-mb 0`."""
    for i, a in enumerate(args):
        if a == "--result-cache-mb" and i + 1 < len(args) and args[i + 1].strip() == "0":
            return True
        if a.startswith("--result-cache-mb=") and a.split("=", 1)[1].strip() == "0":
            return True
    return False
