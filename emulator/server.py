"""The emulator's two HTTP servers: the workspace API and the "cloud storage" that external links
point to. Both are stdlib threading servers speaking HTTP/1.1 with keep-alive (httpbase.py); this
module routes workspace requests (auth, OAuth, admin, warehouses, sessions, Unity Catalog) and
starts both servers.
"""

from __future__ import annotations

import json
import ssl
import threading
import urllib.parse
from typing import Any, Optional

from .faults import FaultSpecError
from .httpbase import BaseHandler, EmulatorHTTPServer
from .presignedlinks import LinkSigner
from .queryresult import Session
from .statementendpoints import STATEMENTS, StatementEndpoints
from .statements import new_statement_id
from .storageendpoint import StorageHandler
from .workspaceapp import App

__all__ = ["App", "ApiHandler", "StorageHandler", "start_servers"]

SESSIONS = "/api/2.0/sql/sessions"
UC_PREFIX = "/api/2.1/unity-catalog/"


class ApiHandler(StatementEndpoints, BaseHandler):
    """Workspace host: statements, sessions, Unity Catalog, OAuth, admin."""

    def _send(self, status: int, body: bytes, ctype: str = "application/json", headers=None, kind: str = "api"):
        # Response bodies a client receives from the workspace host (inline results included);
        # storage downloads are counted apart, admin requests not at all.
        if not self.path.startswith("/admin/"):
            self.app.count_api_response(len(body))
        super()._send(status, body, ctype, headers, kind)

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
        app.count_request(kind)
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
                status, obj = app.uc.handle(method, path[len(UC_PREFIX):], q)   # already decoded once: a name may hold '%'
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


def start_servers(app: App, host: str, port: int, storage_port: int, tls: Optional[ssl.SSLContext]):
    api = EmulatorHTTPServer((host, port), ApiHandler, app, tls)
    storage = EmulatorHTTPServer((host, storage_port), StorageHandler, app, tls)
    scheme = "https" if tls else "http"
    app.port = api.server_address[1]
    app.host = f"{scheme}://{host}:{app.port}"
    app.tls = tls is not None
    app.links = LinkSigner(f"{scheme}://{host}:{storage.server_address[1]}")
    for srv, name in ((api, "api"), (storage, "storage")):
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                         name=f"emulator-{name}").start()
    return api, storage

