"""What both HTTP servers share: a threading HTTP/1.1 server (TLS handshakes in handler threads)
and a request handler base with body reading, JSON / error replies, and the transport faults
(reset, truncate, slow) applied to any response body."""

from __future__ import annotations

import json
import socket
import ssl
import struct
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Optional

from .faults import Fault

if TYPE_CHECKING:
    from .workspaceapp import App


class EmulatorHTTPServer(ThreadingHTTPServer):
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


class BaseHandler(BaseHTTPRequestHandler):
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
