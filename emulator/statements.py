"""Statement records and their state machine: PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELED,
SUCCEEDED -> CLOSED. Each statement executes on its own thread; results live as chunk files in a
per-statement directory until closed or expired.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional

from .faults import Faults
from .resultcache import ResultCache, disabled_by
from .results import ResultSet, write_result
from .queryresult import Session
from .sqlengine import Engine
from .sqlerrors import Canceled, SQLError
from .statementthreads import StatementThreads

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED", "CLOSED")


def new_statement_id() -> str:
    """UUID-like id in the shape Databricks uses (01ef9de2-db21-16af-b4cb-9ccf302d746b)."""
    u = uuid.uuid1()
    h = u.hex
    return f"01{h[2:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{uuid.uuid4().hex[:12]}"


@dataclass
class Statement:
    id: str
    sql: str
    params: list
    session: Session
    disposition: str
    format: str
    compression: bool
    row_limit: Optional[int]
    byte_limit: Optional[int]
    created: float
    state: str = "PENDING"
    error: Optional[dict] = None
    sql_state: Optional[str] = None
    result: Optional[ResultSet] = None
    nested_json: bool = False
    link_headers: Optional[dict] = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel: threading.Event = field(default_factory=threading.Event)
    interrupt: Optional[Callable[[], None]] = None
    finished_at: Optional[float] = None
    result_dir: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class StatementStore:
    """All statements of one emulator run."""

    def __init__(self, engine: Engine, faults: Faults, results_root: str, chunk_rows: int, exec_delay: float,
                 result_ttl: float, tz: str, cache: Optional[ResultCache] = None):
        self.engine = engine
        self.cache = cache or ResultCache(os.path.join(results_root, "cache"), 0, enabled=False)
        self.faults = faults
        self.root = results_root
        self.chunk_rows = chunk_rows
        self.exec_delay = exec_delay
        self.result_ttl = result_ttl
        self.tz = tz
        self._lock = threading.Lock()
        self.statements: dict[str, Statement] = {}
        self.sem = threading.BoundedSemaphore(8)
        self.threads = StatementThreads()
        self._swept_at = time.time()

    def submit(self, st: Statement) -> Statement:
        st.result_dir = os.path.join(self.root, st.id)
        self._sweep()
        with self._lock:
            self.statements[st.id] = st
        self.threads.start(lambda: self._run(st), name=f"stmt-{st.id[:8]}")
        return st

    def get(self, sid: str) -> Optional[Statement]:
        with self._lock:
            st = self.statements.get(sid)
        if st is not None:
            self._expire(st)
        return st

    def _sweep(self):
        """Expires results nobody fetched again and forgets statements ended long ago, so a
        long-lived warehouse does not grow with every statement a client never closed. An expired
        result still answers CLOSED for another TTL; after that its id is unknown, as on Databricks.
        Runs at most once per tenth of the TTL."""
        now = time.time()
        with self._lock:
            if now - self._swept_at < self.result_ttl / 10:
                return
            self._swept_at = now
            ended = [st for st in self.statements.values() if st.state in TERMINAL]
        for st in ended:
            self._expire(st)
        with self._lock:
            for st in ended:
                if st.state != "SUCCEEDED" and now - (st.finished_at or st.created) > 2 * self.result_ttl:
                    self.statements.pop(st.id, None)

    def _expire(self, st: Statement):
        if st.state == "SUCCEEDED" and st.finished_at and time.time() - st.finished_at > self.result_ttl:
            self.close(st, expired=True)

    def _set(self, st: Statement, state: str):
        with st.lock:
            if st.state in TERMINAL:
                return False
            st.state = state
            return True

    def _run(self, st: Statement):
        try:
            ready = self.faults.warehouse_ready_at(time.time())
            while time.time() < ready:
                if st.cancel.wait(min(0.05, max(0.0, ready - time.time()))):
                    break
            if st.cancel.is_set():
                self._finish(st, "CANCELED")
                return
            if not self._set(st, "RUNNING"):
                return
            if self.exec_delay > 0 and st.cancel.wait(self.exec_delay):
                self._finish(st, "CANCELED")
                return
            f = self.faults.take("fail_statement", "execute", st.sql)
            if f is not None:
                err = SQLError("INJECTED_FAILURE", "", str(f.params.get("sql_state", "XX000")),
                               str(f.params.get("error_code", "INTERNAL_ERROR")))
                err.message = str(f.params.get("message", "[INTERNAL_ERROR] Injected failure (emulator fault)."))
                raise err
            with self.sem:
                def reg(fn):
                    st.interrupt = fn
                probe = _CacheProbe(self, st) if self.cache.enabled else None
                qr = self.engine.run(st.sql, st.params, st.session, reg, probe)
                if st.cancel.is_set():
                    qr.close()
                    raise Canceled()
                rs = self._result(st, qr, probe)
            with st.lock:
                if st.state in TERMINAL:
                    return
                st.result = rs
                st.state = "SUCCEEDED"
                st.finished_at = time.time()
            st.done.set()
        except Canceled:
            self._finish(st, "CANCELED")
        except SQLError as e:
            if st.cancel.is_set():
                self._finish(st, "CANCELED")
            else:
                self._finish(st, "FAILED", {"error_code": e.error_code, "message": e.message}, e.sql_state)
        except Exception as e:  # an emulator bug must still end the statement, visibly
            if st.cancel.is_set():
                self._finish(st, "CANCELED")
            else:
                self._finish(st, "FAILED", {"error_code": "INTERNAL_ERROR",
                                            "message": f"[INTERNAL_ERROR] {type(e).__name__}: {e}"}, "XX000")

    def _result(self, st: Statement, qr, probe: Optional["_CacheProbe"]) -> ResultSet:
        """The cached result of an identical earlier query on the same table versions (found by
        the probe before the query ran), or the result written now (into the cache when the
        query may be cached)."""
        if qr.cached is not None:
            self.cache.count(hit=True)
            qr.close()
            return qr.cached
        key = probe.key if probe is not None and qr.reads is not None else None
        if key is not None:
            self.cache.count(hit=False)
        out_dir = self.cache.new_directory() if key is not None else st.result_dir
        try:
            # a cached result stays in files: the cache holds up to its capacity of them
            rs = write_result(qr, out_dir, st.format, st.compression, self.chunk_rows, st.row_limit, st.byte_limit,
                              self.tz, st.nested_json, st.cancel, inline=(st.disposition == "INLINE"),
                              in_memory=(st.disposition == "INLINE" and key is None))
        except BaseException:
            if key is not None:
                shutil.rmtree(out_dir, ignore_errors=True)
            raise
        if key is not None:
            self.cache.put(key, rs, out_dir, in_use=self._serves)
        return rs

    def cache_key(self, st: Statement, reads: tuple) -> tuple:
        shape = (st.disposition, st.format, st.compression, st.row_limit, st.byte_limit, st.nested_json,
                 tuple(self.chunk_rows) if isinstance(self.chunk_rows, (list, tuple)) else self.chunk_rows,
                 self.tz)
        return ResultCache.key(st.sql, st.params, st.session.catalog, st.session.schema, st.session.confs,
                               shape, reads)

    def _serves(self, rs: ResultSet) -> bool:
        """Whether a statement still hands out links to `rs`."""
        with self._lock:
            return any(st.result is rs and st.state == "SUCCEEDED" for st in self.statements.values())

    def _finish(self, st: Statement, state: str, error: Optional[dict] = None, sql_state: Optional[str] = None):
        with st.lock:
            if st.state not in TERMINAL:
                st.state = state
                st.error = error
                st.sql_state = sql_state
                st.finished_at = time.time()
        if state in ("CANCELED", "FAILED"):
            shutil.rmtree(st.result_dir, ignore_errors=True)
        st.done.set()

    def cancel(self, st: Statement):
        st.cancel.set()
        fn = st.interrupt
        if fn is not None and st.state == "RUNNING":
            try:
                fn()
            except Exception:
                pass
        if st.state == "PENDING":
            self._finish(st, "CANCELED")

    def close(self, st: Statement, expired: bool = False):
        st.cancel.set()
        with st.lock:
            if st.state in ("PENDING", "RUNNING"):
                st.state = "CANCELED"
            elif st.state == "SUCCEEDED":
                st.state = "CLOSED"
            st.result = None if not expired else st.result
            if expired:
                st.state = "CLOSED"
                st.result = None
        shutil.rmtree(st.result_dir, ignore_errors=True)
        st.done.set()

    def shutdown(self):
        with self._lock:
            sts = list(self.statements.values())
        for st in sts:
            st.cancel.set()
            if st.interrupt:
                try:
                    st.interrupt()
                except Exception:
                    pass


class _CacheProbe:
    """Looks a query up in the result cache once the engine has resolved the tables it reads,
    before it runs; remembers the key for storing the result of a miss."""

    def __init__(self, store: StatementStore, st: Statement):
        self.store = store
        self.st = st
        self.key: Optional[tuple] = None

    def __call__(self, reads: tuple) -> Optional[ResultSet]:
        if disabled_by(self.st.session.confs):
            return None
        self.key = self.store.cache_key(self.st, reads)
        return self.store.cache.lookup(self.key)
