"""Fixtures: a seeded data directory and emulator processes started on port 0, always stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Optional

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Emulator:
    """One `python -m emulator serve` process."""

    def __init__(self, data: str, *args: str):
        self.data = data
        cmd = [sys.executable, "-m", "emulator", "serve", "--data", data, "--port", "0", "--storage-port", "0", *args]
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            self.proc.wait(5)
            raise RuntimeError(f"emulator did not start: {err}")
        self.info = json.loads(line)
        self.host: str = self.info["host"]
        self.token: str = self.info["token"]
        self.warehouse_id: str = self.info["warehouse_id"]
        self.storage: str = self.info["storage"]
        self.ca_file: Optional[str] = self.info.get("ca_file")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        if self.ca_file:
            self.http.verify = self.ca_file

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()
        return self.proc.returncode

    # MARK: helpers

    def execute(self, statement: str, **kw) -> dict:
        body = {"statement": statement, "warehouse_id": self.warehouse_id, "wait_timeout": "30s", **kw}
        r = self.http.post(self.host + "/api/2.0/sql/statements", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def ok(self, statement: str, **kw) -> dict:
        r = self.execute(statement, **kw)
        assert r["status"]["state"] == "SUCCEEDED", r["status"]
        return r

    def rows(self, statement: str, **kw) -> list:
        r = self.ok(statement, **kw)
        out = list(r["result"].get("data_array", []))
        nxt = r["result"].get("next_chunk_index")
        while nxt is not None:
            c = self.chunk(r["statement_id"], nxt)
            out += c["data_array"]
            nxt = c.get("next_chunk_index")
        return out

    def status(self, sid: str) -> dict:
        r = self.http.get(f"{self.host}/api/2.0/sql/statements/{sid}")
        assert r.status_code == 200, r.text
        return r.json()

    def chunk(self, sid: str, idx: int) -> dict:
        r = self.http.get(f"{self.host}/api/2.0/sql/statements/{sid}/result/chunks/{idx}")
        assert r.status_code == 200, r.text
        return r.json()

    def wait(self, sid: str, timeout: float = 30) -> dict:
        end = time.time() + timeout
        while time.time() < end:
            r = self.status(sid)
            if r["status"]["state"] not in ("PENDING", "RUNNING"):
                return r
            time.sleep(0.05)
        raise AssertionError(f"statement {sid} did not finish")

    def faults(self, spec) -> dict:
        body = spec if isinstance(spec, str) else json.dumps(spec)
        r = requests.post(self.host + "/admin/faults", data=body.encode(), verify=self.ca_file or True)
        assert r.status_code == 200, r.text
        return r.json()

    def clear_faults(self):
        requests.delete(self.host + "/admin/faults", verify=self.ca_file or True)

    def download(self, link: dict) -> bytes:
        r = requests.get(link["external_link"], headers=link.get("http_headers") or {}, verify=self.ca_file or True)
        assert r.status_code == 200, r.text
        return r.content


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> str:
    """Seeded once per test run (scale 0.01: 60,012 line items, 15,000 orders)."""
    d = str(tmp_path_factory.mktemp("dbx"))
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([sys.executable, "-m", "emulator", "seed", "--data", d, "--scale", "0.01"], cwd=ROOT,
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return d


@pytest.fixture(scope="session")
def emu(data_dir):
    """Shared plain-HTTP emulator; small chunks so results span several chunks."""
    e = Emulator(data_dir, "--chunk-rows", "20000", "--token", "dapi-test-token")
    yield e
    e.stop()


@pytest.fixture(autouse=True)
def _no_ambient_workspace(monkeypatch):
    """The Databricks clients under test read DATABRICKS_* from the environment: a developer's own
    workspace settings must not leak into them (the SDK then sees two auth methods at once)."""
    for name in [k for k in os.environ if k.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _reset_faults(request):
    yield
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").clear_faults()


@pytest.fixture
def start_emulator(data_dir):
    """Factory for emulators with special flags; every one is stopped at test end."""
    started: list[Emulator] = []

    def start(*args: str, data: Optional[str] = None) -> Emulator:
        e = Emulator(data or data_dir, *args)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()


@pytest.fixture
def scratch_data(tmp_path, data_dir) -> str:
    """A private copy of the seeded main catalog, for tests that change tables."""
    d = str(tmp_path / "data")
    shutil.copytree(os.path.join(data_dir, "main"), os.path.join(d, "main"))
    return d
