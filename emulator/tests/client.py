"""The tests' handle on one emulator: the launched process plus request helpers that assert the
wire basics (HTTP 200, SUCCEEDED) so each test states only what it is about."""

from __future__ import annotations

import json
import sys
import time

import requests

from emulator.launcher import EmulatorProcess


class Emulator(EmulatorProcess):
    """`python -m emulator serve --data DATA <args>` with this interpreter, and an authenticated
    `requests` session (`http`) that trusts its CA when it serves HTTPS."""

    def __init__(self, data: str, *args: str, **launch):
        super().__init__(data, *args, python=sys.executable, **launch)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        if self.ca_file:
            self.http.verify = self.ca_file

    def stop(self, timeout: float = 10):
        if hasattr(self, "http"):  # absent when the start-up failed
            self.http.close()
        return super().stop(timeout)

    # MARK: statements

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

    # MARK: faults and downloads

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
