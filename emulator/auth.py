"""Authentication: personal access tokens and OAuth machine-to-machine (client credentials).

Bodies of auth failures are the recorded ones (numeric error_code; docs/databricks-api.md,
"Errors and retries").
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from typing import Optional

UNAUTHENTICATED = (401, {"error_code": 401,
                         "message": "Credential was not sent or was of an unsupported type for this API."})
INVALID_TOKEN = (403, {"error_code": 403, "message": "Invalid access token."})


def _b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


class Auth:
    def __init__(self, token: str, client_id: str, client_secret: str, oauth_ttl: int):
        self.token = token
        self.client_id = client_id
        self.client_secret = client_secret
        self.oauth_ttl = oauth_ttl
        self._lock = threading.Lock()
        self._issued: dict[str, float] = {}

    def issued_count(self) -> int:
        with self._lock:
            return len(self._issued)

    def check(self, header: Optional[str]) -> Optional[tuple[int, dict]]:
        """None when the request is authenticated, else (status, body)."""
        if not header:
            return UNAUTHENTICATED
        scheme, _, cred = header.partition(" ")
        if scheme.lower() != "bearer" or not cred.strip():
            return UNAUTHENTICATED
        cred = cred.strip()
        if secrets.compare_digest(cred, self.token):
            return None
        with self._lock:
            exp = self._issued.get(cred)
        if exp is not None and time.time() < exp:
            return None
        return INVALID_TOKEN

    def issue(self, auth_header: Optional[str], form_body: bytes, host: str) -> tuple[int, dict]:
        """POST /oidc/v1/token (client_secret_basic or client_secret_post)."""
        form = urllib.parse.parse_qs(form_body.decode("utf-8", "replace"))
        cid = (form.get("client_id") or [None])[0]
        csecret = (form.get("client_secret") or [None])[0]
        if auth_header and auth_header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth_header[6:].strip()).decode("utf-8")
                cid, _, csecret = raw.partition(":")
                cid = urllib.parse.unquote(cid)
                csecret = urllib.parse.unquote(csecret)
            except Exception:
                return 401, {"error": "invalid_client", "error_description": "Malformed client credentials"}
        grant = (form.get("grant_type") or [None])[0]
        if grant != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": f"Grant type {grant!r} is not supported"}
        if cid != self.client_id or not csecret or not secrets.compare_digest(csecret, self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        scope = (form.get("scope") or ["all-apis"])[0]
        now = int(time.time())
        header = _b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": "emulator"}).encode())
        claims = _b64url(json.dumps({"iss": host + "/oidc", "sub": cid, "aud": cid, "scope": scope, "iat": now,
                                     "exp": now + self.oauth_ttl, "jti": secrets.token_hex(8)}).encode())
        tok = f"{header}.{claims}.{_b64url(secrets.token_bytes(32))}"
        with self._lock:
            self._issued[tok] = time.time() + self.oauth_ttl
        return 200, {"access_token": tok, "token_type": "Bearer", "expires_in": self.oauth_ttl, "scope": scope}
