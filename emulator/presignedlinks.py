"""Presigned-style URLs for result chunks on the storage endpoint."""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import secrets
import threading
import time
import urllib.parse
from typing import Optional


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
