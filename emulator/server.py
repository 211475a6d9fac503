"""The emulator's two HTTP servers: the workspace API and the "cloud storage" that external links
point to. Both are stdlib threading servers speaking HTTP/1.1 with keep-alive; chunk files are sent
with sendfile(2) when the connection is plain TCP.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import ssl
import struct
import threading
import time
import urllib.parse
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from .auth import Auth
from .faults import Fault, Faults, FaultSpecError
from .results import read_json_chunk
from .sqlengine import Session
from .statements import TERMINAL, Statement, StatementStore, new_statement_id
from .uc import UnityCatalog

STATEMENTS = "/api/2.0/sql/statements"
SESSIONS = "/api/2.0/sql/sessions"
UC_PREFIX = "/api/2.1/unity-catalog/"


def _iso_ms(t: float) -> str:
    d = _dt.datetime.fromtimestamp(t, _dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, app: "App", tls: Optional[ssl.SSLContext]):
        self.app = app
        self.tls = tls
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        # clients dropping connections (and injected resets) are normal here; stay quiet
        if self.app.verbose:
            super().handle_error(request, client_address)

    def get_request(self):
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            # handshake happens in the handler thread so one slow client cannot block accept()
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class _Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dbduck-emulator"
    sys_version = ""

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True
                raise
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError):
            pass

    def log_message(self, format, *args):  # quiet by default; never log URLs (they carry signatures)
        if self.server.app.verbose:
            import sys
            sys.stderr.write(f"[emulator] {self.command} {self.path.split('?')[0]} -> {args[1] if len(args) > 1 else ''}\n")

    @property
    def app(self) -> "App":
        return self.server.app  # type: ignore[attr-defined]

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                line = self.rfile.readline(65537).strip()
                size = int(line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status: int, body: bytes, ctype: str = "application/json", headers: Optional[dict] = None,
              kind: str = "api"):
        fault_reset = self.app.faults.take("reset", kind, self.path)
        fault_trunc = None if fault_reset else self.app.faults.take("truncate", kind, self.path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if fault_reset or fault_trunc:
            f = fault_reset or fault_trunc
            cut = int(len(body) * f.num("at", 0.5))
            self.wfile.write(body[:cut])
            self._abort(reset=fault_reset is not None)
            return
        slow = self.app.faults.take("slow", kind, self.path)
        if slow:
            self._slow_write(body, slow)
        else:
            self.wfile.write(body)

    def _slow_write(self, body: bytes, f: Fault):
        bps = max(1.0, f.num("bps", 1_000_000))
        step = max(1, int(bps / 20))
        for off in range(0, len(body), step):
            self.wfile.write(body[off:off + step])
            time.sleep(step / bps)

    def _abort(self, reset: bool):
        self.close_connection = True
        try:
            self.wfile.flush()
        except Exception:
            pass
        sock = self.connection
        try:
            if reset:
                # SO_LINGER 0 makes close() send RST instead of FIN: a "connection reset by peer"
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass

    def _json(self, status: int, obj: Any, headers: Optional[dict] = None, kind: str = "api"):
        self._send(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                   headers=headers, kind=kind)

    def _error(self, status: int, code: Any, message: str, headers: Optional[dict] = None, kind: str = "api"):
        body = {"error_code": code, "message": message}
        if status != 404 or code != "ENDPOINT_NOT_FOUND":
            body["details"] = [{"@type": "type.googleapis.com/google.rpc.RequestInfo",
                                "request_id": str(uuid.uuid4()), "serving_data": ""}]
        self._json(status, body, headers, kind)


class ApiHandler(_Base):
    """Workspace host: statements, sessions, Unity Catalog, OAuth, admin."""

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")

    def do_PATCH(self):
        self._route("PATCH")

    def do_PUT(self):
        self._route("PUT")

    def _kind(self, method: str, path: str) -> str:
        if path.startswith(STATEMENTS):
            rest = path[len(STATEMENTS):].strip("/")
            if not rest:
                return "execute"
            if "/result/chunks/" in rest:
                return "chunk"
            if rest.endswith("/cancel") or method == "DELETE":
                return "statement"
            return "status"
        if path.startswith("/oidc/"):
            return "token"
        if path.startswith(UC_PREFIX):
            return "uc"
        if path.startswith(SESSIONS):
            return "sessions"
        return "api"

    def _route(self, method: str):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)   # UC names may be percent-encoded (quotes, semicolons)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        body = self._body() if method in ("POST", "PUT", "PATCH", "DELETE") else b""
        app = self.app
        if path.startswith("/admin/"):
            return self._admin(method, path, body)
        if path == "/.well-known/databricks-config" and method == "GET":
            return self._json(200, {"oidc_endpoint": app.host + "/oidc", "workspace_id": app.workspace_id,
                                    "cloud": "AWS"})
        kind = self._kind(method, path)
        for code, name in (("429", "TOO_MANY_REQUESTS"), ("503", "TEMPORARILY_UNAVAILABLE"), ("500", "INTERNAL_ERROR")):
            f = app.faults.take(code, kind, path)
            if f is not None:
                hdr = {}
                if code in ("429", "503"):
                    hdr["Retry-After"] = str(int(f.num("retry_after", 1)))
                msg = {"429": "Too many requests. Please wait a moment and try again.",
                       "503": "The service is temporarily unavailable. Please try again later.",
                       "500": "Internal error (injected by the emulator)."}[code]
                if code == "429":
                    name = "REQUEST_LIMIT_EXCEEDED"
                return self._error(int(code), name, msg, hdr, kind="none")
        if path == "/oidc/.well-known/oauth-authorization-server" and method == "GET":
            h = app.host
            return self._json(200, {
                "authorization_endpoint": h + "/oidc/v1/authorize", "token_endpoint": h + "/oidc/v1/token",
                "issuer": h + "/oidc", "jwks_uri": h + "/oidc/jwks.json",
                "scopes_supported": ["all-apis", "sql", "offline_access", "openid", "profile", "email"],
                "response_types_supported": ["code", "id_token"], "response_modes_supported": ["query", "fragment", "form_post"],
                "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "request_uri_parameter_supported": False}, kind=kind)
        if path == "/oidc/v1/token" and method == "POST":
            status, obj = app.auth.issue(self.headers.get("Authorization"), body, app.host)
            return self._json(status, obj, kind=kind)
        denied = app.auth.check(self.headers.get("Authorization"))
        if denied is not None:
            return self._json(denied[0], denied[1], kind=kind)
        try:
            if path.rstrip("/") == STATEMENTS and method == "POST":
                return self._execute(body)
            if path.startswith(STATEMENTS + "/"):
                return self._statement_op(method, path[len(STATEMENTS) + 1:].strip("/"), body)
            if path.rstrip("/") == SESSIONS and method == "POST":
                return self._create_session(body)
            if path.startswith(SESSIONS + "/") and method == "DELETE":
                sid = path[len(SESSIONS) + 1:].strip("/")
                with app.lock:
                    app.sessions.pop(sid, None)
                return self._json(200, {}, kind=kind)
            if path.startswith(UC_PREFIX):
                status, obj = app.uc.handle(method, urllib.parse.unquote(path[len(UC_PREFIX):]), q)
                return self._json(status, obj, kind=kind)
            if path.startswith("/api/2.0/sql/warehouses"):
                return self._warehouses(path)
            if path == "/api/2.0/preview/scim/v2/Me" or path == "/api/2.0/current-user":
                return self._json(200, {"userName": "emulator@dbduck.local", "id": "1", "active": True})
        except json.JSONDecodeError as e:
            return self._error(400, "MALFORMED_REQUEST", f"Could not parse request object: {e}")
        return self._error(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {path}'")

    # MARK: admin

    def _admin(self, method: str, path: str, body: bytes):
        app = self.app
        if path == "/admin/faults":
            if method == "GET":
                return self._json(200, app.faults.describe(), kind="none")
            if method in ("POST", "PUT"):
                try:
                    text = body.decode("utf-8").strip()
                    spec: Any = json.loads(text) if text.startswith("{") else text
                    app.faults.set(spec)
                except (FaultSpecError, ValueError) as e:
                    return self._error(400, "INVALID_PARAMETER_VALUE", str(e), kind="none")
                return self._json(200, app.faults.describe(), kind="none")
            if method == "DELETE":
                app.faults.set(None)
                return self._json(200, app.faults.describe(), kind="none")
        if path == "/admin/health":
            return self._json(200, {"ok": True}, kind="none")
        if path == "/admin/stats":
            return self._json(200, app.stats(), kind="none")
        return self._error(404, "ENDPOINT_NOT_FOUND", f"No admin API '{method} {path}'", kind="none")

    # MARK: warehouses / sessions

    def _warehouse_info(self) -> dict:
        return {"id": self.app.warehouse_id, "name": "dbduck emulator", "state": "RUNNING", "cluster_size": "2X-Small",
                "warehouse_type": "PRO", "enable_serverless_compute": True, "num_clusters": 1,
                "odbc_params": {"hostname": "127.0.0.1", "path": f"/sql/1.0/warehouses/{self.app.warehouse_id}",
                                "protocol": "https" if self.app.tls else "http", "port": self.app.port}}

    def _warehouses(self, path: str):
        rest = path[len("/api/2.0/sql/warehouses"):].strip("/")
        if not rest:
            return self._json(200, {"warehouses": [self._warehouse_info()]})
        if rest == self.app.warehouse_id:
            return self._json(200, self._warehouse_info())
        return self._error(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {rest} does not exist.")

    def _create_session(self, body: bytes):
        req = json.loads(body or b"{}")
        wid = req.get("warehouse_id")
        if wid != self.app.warehouse_id:
            return self._error(404 if wid else 400, "RESOURCE_DOES_NOT_EXIST" if wid else "INVALID_PARAMETER_VALUE",
                               f"Warehouse {wid} does not exist." if wid else "warehouse_id is required")
        sid = new_statement_id()
        sess = Session(req.get("catalog") or self.app.default_catalog, req.get("schema") or "default",
                       dict(req.get("session_confs") or {}))
        with self.app.lock:
            self.app.sessions[sid] = sess
        return self._json(200, {"session_id": sid}, kind="sessions")

    # MARK: statements

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


class LinkSigner:
    """Presigned-style URLs: `X-Amz-Date` + `X-Amz-Expires` + an HMAC signature in the query string.
    The server keeps the real deadline per link so faults can expire links early."""

    def __init__(self, base: str):
        self.base = base
        self.key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self.links: dict[str, tuple] = {}
        self.by_statement: dict[str, list[str]] = {}   # statement id -> nonces of its links
        self.bucket = "dbduck-emulator-" + secrets.token_hex(4)

    def issue(self, sid: str, idx: int, path: str, now: float, ttl: float, real_deadline: float,
              headers: Optional[dict]) -> str:
        nonce = secrets.token_urlsafe(12)
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        expires = max(0, int(ttl) - 1)
        key = f"results/{sid}/chunk-{idx}/{nonce}"
        sig = hmac.new(self.key, f"{key}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()
        with self._lock:
            self.links[nonce] = (path, real_deadline, headers)
            self.by_statement.setdefault(sid, []).append(nonce)
        q = urllib.parse.urlencode({"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Date": date,
                                    "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host",
                                    "X-Amz-Credential": "EMULATOR/us-west-2/s3/aws4_request",
                                    "X-Amz-Signature": sig})
        return f"{self.base}/{self.bucket}/{key}?{q}"

    def revoke(self, sid: str):
        """A closed statement's links stop working, even where its result files live on in the
        result cache for other statements."""
        with self._lock:
            for nonce in self.by_statement.pop(sid, []):
                self.links.pop(nonce, None)

    def check(self, path: str, query: dict) -> tuple[Optional[tuple], Optional[tuple[int, str, str]]]:
        """-> ((file, deadline, headers), None) or (None, (status, code, message))."""
        parts = path.strip("/").split("/", 1)
        if len(parts) != 2 or parts[0] != self.bucket:
            return None, (404, "NoSuchBucket", "The specified bucket does not exist")
        key = parts[1]
        nonce = key.rsplit("/", 1)[-1]
        date, expires, sig = query.get("X-Amz-Date"), query.get("X-Amz-Expires"), query.get("X-Amz-Signature")
        if not (date and expires and sig):
            return None, (403, "AccessDenied", "Query-string authentication requires the Signature, Expires and "
                                              "AWSAccessKeyId parameters")
        want = hmac.new(self.key, f"{key}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig):
            return None, (403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided.")
        with self._lock:
            entry = self.links.get(nonce)
        if entry is None:
            return None, (403, "AccessDenied", "Request has expired")
        try:
            issued = _dt.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc).timestamp()
        except ValueError:
            return None, (403, "AccessDenied", "Invalid X-Amz-Date")
        now = time.time()
        if now > issued + int(expires) + 1 or now > entry[1]:
            return None, (403, "AccessDenied", "Request has expired")
        return entry, None


class StorageHandler(_Base):
    """The cloud storage endpoint external links point at."""

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def do_PUT(self):
        self._xml(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

    do_POST = do_PUT
    do_DELETE = do_PUT

    def _xml(self, status: int, code: str, message: str):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f'<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>').encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, head: bool):
        app = self.app
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        if self.headers.get("Authorization"):
            return self._xml(400, "InvalidArgument",
                             "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
                             "query string parameter or the Authorization header should be specified")
        for code, status in (("429", 429), ("503", 503), ("500", 500)):
            f = app.faults.take(code, "storage", url.path)
            if f is not None:
                self.send_response(status)
                body = f"<Error><Code>{'SlowDown' if status != 500 else 'InternalError'}</Code></Error>".encode()
                if status in (429, 503):
                    self.send_header("Retry-After", str(int(f.num("retry_after", 1))))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        entry, err = app.links.check(url.path, q)
        if err is not None:
            return self._xml(*err)
        path, _, headers = entry
        for k, v in (headers or {}).items():
            if self.headers.get(k) != v:
                return self._xml(400, "InvalidRequest", "The object was stored using a form of Server Side "
                                                       "Encryption. The correct parameters must be provided to "
                                                       "retrieve the object.")
        try:
            f = open(path, "rb")
        except OSError:
            return self._xml(404, "NoSuchKey", "The specified key does not exist.")
        with f:
            size = os.fstat(f.fileno()).st_size
            reset = app.faults.take("reset", "storage", url.path)
            trunc = None if reset else app.faults.take("truncate", "storage", url.path)
            slow = None if (reset or trunc) else app.faults.take("slow", "storage", url.path)
            self.send_response(200)
            self.send_header("Content-Type", "binary/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("ETag", '"' + hashlib.md5(path.encode()).hexdigest() + '"')
            self.end_headers()
            if head:
                return
            if reset or trunc:
                cut = int(size * (reset or trunc).num("at", 0.5))
                self.wfile.write(f.read(cut))
                self._abort(reset=reset is not None)
                return
            if slow:
                self._slow_write(f.read(), slow)
                return
            app.count_download(size)
            self.wfile.flush()
            if isinstance(self.connection, ssl.SSLSocket):
                while True:
                    buf = f.read(4 * 1024 * 1024)
                    if not buf:
                        break
                    self.connection.sendall(buf)
            else:
                self.connection.sendfile(f)


class App:
    """Shared state of one emulator run."""

    def __init__(self, store: StatementStore, faults: Faults, auth: Auth, uc: UnityCatalog, warehouse_id: str,
                 link_ttl: float, first_links: int, hybrid_inline_bytes: int, default_catalog: str,
                 verbose: bool = False):
        self.store = store
        self.faults = faults
        self.auth = auth
        self.uc = uc
        self.warehouse_id = warehouse_id
        self.workspace_id = str(1000000000000000 + int.from_bytes(hashlib.sha256(warehouse_id.encode()).digest()[:6], "big"))
        self.link_ttl = link_ttl
        self.first_links = first_links
        self.hybrid_inline_bytes = hybrid_inline_bytes
        self.default_catalog = default_catalog
        self.verbose = verbose
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.host = ""
        self.port = 0
        self.tls = False
        self.links: LinkSigner = LinkSigner("")
        self.downloads = 0
        self.download_bytes = 0

    def count_download(self, size: int):
        with self.lock:
            self.downloads += 1
            self.download_bytes += size

    def stats(self) -> dict:
        """Counters for tests (`GET /admin/stats`)."""
        with self.store._lock:
            sts = list(self.store.statements.values())
        by_state: dict[str, int] = {}
        for st in sts:
            by_state[st.state] = by_state.get(st.state, 0) + 1
        with self.lock:
            return {"statements": len(sts), "statements_by_state": by_state, "downloads": self.downloads,
                    "download_bytes": self.download_bytes, "oauth_tokens_issued": self.auth.issued_count(),
                    "sessions": len(self.sessions), "result_cache": self.store.cache.stats()}


def start_servers(app: App, host: str, port: int, storage_port: int, tls: Optional[ssl.SSLContext]):
    api = _Server((host, port), ApiHandler, app, tls)
    storage = _Server((host, storage_port), StorageHandler, app, tls)
    scheme = "https" if tls else "http"
    app.port = api.server_address[1]
    app.host = f"{scheme}://{host}:{app.port}"
    app.tls = tls is not None
    app.links = LinkSigner(f"{scheme}://{host}:{storage.server_address[1]}")
    for srv, name in ((api, "api"), (storage, "storage")):
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                         name=f"emulator-{name}").start()
    return api, storage
