"""SQL the harness itself sends to the emulator (setting up and changing bench tables) through the
Statement Execution API, with the standard library only: submit, poll until done, inline rows."""

from __future__ import annotations

import json
import ssl
import time
import urllib.request
from typing import Optional


class StatementFailed(RuntimeError):
    pass


class SqlClient:
    def __init__(self, host: str, token: str, warehouse_id: str, ca_file: Optional[str] = None):
        self.host, self.token, self.warehouse_id = host, token, warehouse_id
        self.context = ssl.create_default_context(cafile=ca_file) if ca_file else None

    @classmethod
    def of(cls, emu) -> "SqlClient":
        """For an EmulatorProcess."""
        return cls(emu.host, emu.token, emu.warehouse_id, emu.ca_file)

    def _call(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.host + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300, context=self.context) as r:
            return json.load(r)

    def execute(self, sql: str, timeout: float = 3600) -> dict:
        """The finished statement (SUCCEEDED); StatementFailed with the server's message otherwise."""
        r = self._call("POST", "/api/2.0/sql/statements",
                       {"statement": sql, "warehouse_id": self.warehouse_id, "wait_timeout": "30s",
                        "disposition": "INLINE", "format": "JSON_ARRAY"})
        deadline = time.monotonic() + timeout
        while r["status"]["state"] in ("PENDING", "RUNNING"):
            if time.monotonic() > deadline:
                self._call("POST", f"/api/2.0/sql/statements/{r['statement_id']}/cancel", {})
                raise StatementFailed(f"still {r['status']['state']} after {timeout:g} s: {sql[:200]}")
            time.sleep(0.5)
            r = self._call("GET", f"/api/2.0/sql/statements/{r['statement_id']}")
        if r["status"]["state"] != "SUCCEEDED":
            err = r["status"].get("error") or {}
            raise StatementFailed(f"{r['status']['state']}: {err.get('message', '')} ({sql[:200]})")
        return r

    def rows(self, sql: str) -> list[list]:
        """Every row of a small result (JSON_ARRAY, values as strings)."""
        r = self.execute(sql)
        out = list((r.get("result") or {}).get("data_array") or [])
        nxt = (r.get("result") or {}).get("next_chunk_index")
        while nxt is not None:
            c = self._call("GET", f"/api/2.0/sql/statements/{r['statement_id']}/result/chunks/{nxt}")
            out += c.get("data_array") or []
            nxt = c.get("next_chunk_index")
        return out
