"""The SQL Statement Execution API: `POST /api/2.0/sql/statements` (request validation, wait and
on_wait_timeout), status / cancel / close / chunk requests, and the response shapes (manifest,
INLINE data_array, EXTERNAL_LINKS, INLINE_OR_EXTERNAL_LINKS attachments)."""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import secrets
import time

from .queryresult import Session
from .results import read_json_chunk
from .statements import TERMINAL, Statement, new_statement_id

STATEMENTS = "/api/2.0/sql/statements"


def _iso_ms(t: float) -> str:
    d = _dt.datetime.fromtimestamp(t, _dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"



class StatementEndpoints:
    """Statement API handlers, mixed into the workspace request handler (uses its `app`, `_json`, `_error`)."""

    def _execute(self, body: bytes):
        app = self.app
        req = json.loads(body or b"{}")
        if not isinstance(req, dict):
            return self._error(400, "MALFORMED_REQUEST", "Could not parse request object: expected a JSON object")
        sql = req.get("statement")
        if not isinstance(sql, str) or not sql.strip():
            return self._error(400, "INVALID_PARAMETER_VALUE", "statement is required and must be a non-empty string")
        if len(sql.encode("utf-8")) > 16 * 1024 * 1024:
            return self._error(400, "INVALID_PARAMETER_VALUE", "statement exceeds the maximum size of 16 MiB")
        wid = req.get("warehouse_id")
        session = None
        sid = req.get("session_id")
        if sid:
            with app.lock:
                session = app.sessions.get(sid)
            if session is None:
                return self._error(404, "RESOURCE_DOES_NOT_EXIST", f"Session {sid} does not exist.")
        if not wid and session is None:
            return self._error(400, "INVALID_PARAMETER_VALUE", "warehouse_id is required")
        if wid and wid != app.warehouse_id:
            return self._error(404, "RESOURCE_DOES_NOT_EXIST",
                               f"Warehouse {wid} does not exist or you do not have permission to access it.")
        disp = req.get("disposition") or "INLINE"
        fmt = req.get("format") or "JSON_ARRAY"
        if disp not in ("INLINE", "EXTERNAL_LINKS", "INLINE_OR_EXTERNAL_LINKS"):
            return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid disposition: {disp}")
        if fmt not in ("JSON_ARRAY", "ARROW_STREAM", "CSV"):
            return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid format: {fmt}")
        if disp == "INLINE" and fmt != "JSON_ARRAY":
            return self._error(400, "INVALID_PARAMETER_VALUE",
                               "The format field must be JSON_ARRAY when the disposition field is INLINE.")
        if disp == "INLINE_OR_EXTERNAL_LINKS" and app.hybrid_inline_bytes < 0:
            return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid disposition: {disp}")
        if disp == "INLINE_OR_EXTERNAL_LINKS" and fmt == "CSV":
            return self._error(400, "INVALID_PARAMETER_VALUE",
                               "The format field must be JSON_ARRAY or ARROW_STREAM for INLINE_OR_EXTERNAL_LINKS.")
        wt = req.get("wait_timeout", "10s")
        m = re.fullmatch(r"(\d+)s", str(wt))
        if not m or not (int(m.group(1)) == 0 or 5 <= int(m.group(1)) <= 50):
            return self._error(400, "INVALID_PARAMETER_VALUE",
                               f"wait_timeout must be 0s or between 5s and 50s, got '{wt}'.")
        wait = int(m.group(1))
        owt = req.get("on_wait_timeout") or "CONTINUE"
        if owt not in ("CONTINUE", "CANCEL"):
            return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid on_wait_timeout: {owt}")
        row_limit = req.get("row_limit")
        byte_limit = req.get("byte_limit")
        for name, v in (("row_limit", row_limit), ("byte_limit", byte_limit)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v <= 0):
                try:
                    if int(v) > 0:
                        continue
                except (TypeError, ValueError):
                    pass
                return self._error(400, "INVALID_PARAMETER_VALUE", f"{name} must be a positive integer")
        params = req.get("parameters") or []
        if not isinstance(params, list) or any(not isinstance(p, dict) or not p.get("name") for p in params):
            return self._error(400, "INVALID_PARAMETER_VALUE", "parameters must be a list of {name, value, type}")
        comp = req.get("result_compression")
        if comp not in (None, "NONE", "LZ4_FRAME"):
            return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid result_compression: {comp}")
        if session is None:
            session = Session(app.default_catalog, "default")
        else:
            session = session  # statements of a driver session share USE state
        stmt_session = session if sid else Session(session.catalog, session.schema, dict(session.confs))
        if req.get("catalog"):
            stmt_session.catalog = req["catalog"]
            if not req.get("schema"):
                stmt_session.schema = "default"
        if req.get("schema"):
            stmt_session.schema = req["schema"]
        compress = comp == "LZ4_FRAME" and fmt == "ARROW_STREAM" and disp != "INLINE"
        if compress and app.faults.take("no_lz4", "execute", sql):
            compress = False
        st = Statement(id=new_statement_id(), sql=sql, params=params, session=stmt_session, disposition=disp,
                       format=fmt, compression=compress, row_limit=int(row_limit) if row_limit else None,
                       byte_limit=int(byte_limit) if byte_limit else None, created=time.time())
        st.nested_json = app.faults.take("nested_json", "execute", sql) is not None
        lh = app.faults.take("link_headers", "execute", sql)
        if lh is not None:
            st.link_headers = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
                               "x-amz-server-side-encryption-customer-key": base64.b64encode(secrets.token_bytes(32)).decode(),
                               }
        if wait == 0:
            # asynchronous mode answers PENDING at once, before the statement can start
            resp = {"statement_id": st.id, "status": {"state": "PENDING"}}
            app.store.submit(st)
            return self._json(200, resp, kind="execute")
        app.store.submit(st)
        if wait > 0:
            st.done.wait(wait)
            if st.state not in TERMINAL and owt == "CANCEL":
                app.store.cancel(st)
                st.done.wait(5)
        return self._json(200, self._statement_json(st), kind="execute")

    def _statement_op(self, method: str, rest: str, body: bytes):
        app = self.app
        parts = rest.split("/")
        sid = parts[0]
        st = app.store.get(sid)
        if st is None:
            return self._error(404, "RESOURCE_DOES_NOT_EXIST", f"Statement {sid} does not exist.")
        if len(parts) == 1 and method == "GET":
            return self._json(200, self._statement_json(st), kind="status")
        if len(parts) == 1 and method == "DELETE":
            app.store.close(st)
            app.links.revoke(st.id)
            return self._json(200, {}, kind="statement")
        if len(parts) == 2 and parts[1] == "cancel" and method == "POST":
            app.store.cancel(st)
            return self._json(200, {}, kind="statement")
        if len(parts) == 4 and parts[1] == "result" and parts[2] == "chunks" and method == "GET":
            try:
                idx = int(parts[3])
            except ValueError:
                return self._error(400, "INVALID_PARAMETER_VALUE", f"Invalid chunk index '{parts[3]}'")
            if st.state != "SUCCEEDED" or st.result is None:
                if st.state == "CLOSED":
                    return self._error(404, "RESOURCE_DOES_NOT_EXIST",
                                       f"The result of statement {sid} is no longer available (statement closed).")
                return self._error(400, "INVALID_STATE",
                                   f"Statement {sid} is in state {st.state}; results are available once it SUCCEEDED.")
            rs = st.result
            if idx < 0 or idx >= len(rs.chunks):
                return self._error(404, "RESOURCE_DOES_NOT_EXIST",
                                   f"Chunk index {idx} is out of range; the result has {len(rs.chunks)} chunks.")
            return self._json(200, self._result_json(st, idx, first=False), kind="chunk")
        return self._error(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {STATEMENTS}/{rest}'")

    # MARK: response shapes

    def _statement_json(self, st: Statement) -> dict:
        with st.lock:
            state = st.state
            err = st.error
            sql_state = st.sql_state
            rs = st.result
        status: dict = {"state": state}
        out: dict = {"statement_id": st.id, "status": status}
        if state == "FAILED" and err:
            status["error"] = err
            if sql_state:
                status["sql_state"] = sql_state
        if state == "SUCCEEDED" and rs is not None:
            out["manifest"] = self._manifest(st)
            out["result"] = self._result_json(st, 0, first=True)
        return out

    def _inline(self, st: Statement) -> bool:
        return st.disposition == "INLINE" or (st.disposition == "INLINE_OR_EXTERNAL_LINKS" and st.format == "JSON_ARRAY")

    def _manifest(self, st: Statement) -> dict:
        rs = st.result
        inline = self._inline(st)
        if rs.is_ddl:
            return {"format": st.format, "schema": {"column_count": 0}, "total_chunk_count": 0,
                    "total_row_count": 0, "total_byte_count": 0, "truncated": False}
        m: dict = {"format": st.format,
                   "schema": {"column_count": len(rs.ws.columns), "columns": rs.ws.columns},
                   "total_chunk_count": len(rs.chunks)}
        if rs.chunks:
            chunks = []
            for c in rs.chunks:
                e = {"chunk_index": c.index, "row_offset": c.row_offset, "row_count": c.row_count}
                if not inline:
                    e["byte_count"] = c.byte_count
                chunks.append(e)
            m["chunks"] = chunks
        m["total_row_count"] = rs.total_rows
        if not inline or not rs.chunks:
            m["total_byte_count"] = rs.total_bytes
        m["truncated"] = rs.truncated
        if rs.compressed:
            m["result_compression"] = "LZ4_FRAME"
        return m

    def _result_json(self, st: Statement, idx: int, first: bool) -> dict:
        rs = st.result
        if rs is None or rs.is_ddl or not rs.chunks:
            return {}
        n = len(rs.chunks)
        if self._inline(st):
            c = rs.chunks[idx]
            d = {"chunk_index": c.index, "row_offset": c.row_offset, "row_count": c.row_count,
                 "data_array": read_json_chunk(c)}
            if idx + 1 < n:
                d["next_chunk_index"] = idx + 1
                d["next_chunk_internal_link"] = f"{STATEMENTS}/{st.id}/result/chunks/{idx + 1}"
            return d
        app = self.app
        if st.disposition == "INLINE_OR_EXTERNAL_LINKS" and n == 1 and rs.chunks[0].wire_bytes <= app.hybrid_inline_bytes:
            c = rs.chunks[0]
            with open(c.path, "rb") as f:
                data = f.read()
            return {"chunk_index": 0, "row_offset": 0, "row_count": c.row_count, "byte_count": c.wire_bytes,
                    "attachment": base64.b64encode(data).decode("ascii")}
        count = min(app.first_links, n - idx) if first else 1
        return {"external_links": [self._link(st, i) for i in range(idx, idx + count)]}

    def _link(self, st: Statement, i: int) -> dict:
        app = self.app
        c = st.result.chunks[i]
        now = time.time()
        ttl = app.link_ttl
        real = now + ttl
        f = app.faults.take("expire_early", "links", st.sql)
        if f is not None:
            real = now + f.num("ttl", 0)
        url = app.links.issue(st.id, i, c.path, now, ttl, real, st.link_headers)
        link = {"chunk_index": c.index, "row_offset": c.row_offset, "row_count": c.row_count,
                "byte_count": c.wire_bytes}
        if i + 1 < len(st.result.chunks):
            link["next_chunk_index"] = i + 1
            link["next_chunk_internal_link"] = f"{STATEMENTS}/{st.id}/result/chunks/{i + 1}"
        link["external_link"] = url
        link["expiration"] = _iso_ms(now + ttl)
        if st.link_headers:
            link["http_headers"] = dict(st.link_headers)
        return link
