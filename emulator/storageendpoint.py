"""The "cloud storage" endpoint external links point at: S3-style errors, signature and expiry
checks, storage-side faults, sendfile(2) downloads on plain TCP."""

from __future__ import annotations

import hashlib
import os
import time
import secrets
import ssl
import urllib.parse

from .httpbase import BaseHandler


class StorageHandler(BaseHandler):
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
            stall = None if (reset or trunc or slow) else app.faults.take("stall", "storage", url.path)
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
            app.count_download(size)   # a throttled body counts too, as soon as it starts, like any other
            if slow:
                self._slow_write(f.read(), slow)
                return
            if stall:
                body = f.read()
                cut = int(len(body) * stall.num("at", 0.5))
                self.wfile.write(body[:cut])
                self.wfile.flush()
                time.sleep(stall.num("seconds", 600))
                self.wfile.write(body[cut:])
                return
            self.wfile.flush()
            if isinstance(self.connection, ssl.SSLSocket):
                while True:
                    buf = f.read(4 * 1024 * 1024)
                    if not buf:
                        break
                    self.connection.sendall(buf)
            else:
                self.connection.sendfile(f)
