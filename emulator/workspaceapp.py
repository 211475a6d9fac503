"""Shared state of one emulator run: statements, sessions, faults, auth, Unity Catalog, links."""

from __future__ import annotations

import hashlib
import threading

from .auth import Auth
from .faults import Faults
from .presignedlinks import LinkSigner
from .queryresult import Session
from .statements import StatementStore
from .uc import UnityCatalog


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
        self.api_responses = 0
        self.api_response_bytes = 0
        self.requests_by_kind: dict[str, int] = {}

    def count_request(self, kind: str):
        with self.lock:
            self.requests_by_kind[kind] = self.requests_by_kind.get(kind, 0) + 1

    def count_api_response(self, size: int):
        with self.lock:
            self.api_responses += 1
            self.api_response_bytes += size

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
                    "download_bytes": self.download_bytes, "api_responses": self.api_responses,
                    "api_response_bytes": self.api_response_bytes, "oauth_tokens_issued": self.auth.issued_count(),
                    "sessions": len(self.sessions), "result_cache": self.store.cache.stats(),
                    "requests_by_kind": dict(self.requests_by_kind)}
