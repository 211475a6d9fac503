"""Databricks SQL's query result cache (`use_cached_result`, TRUE by default): a query re-submitted
while the tables it reads are unchanged re-uses the stored result instead of running again.

A query is cacheable when it reads only Delta tables (each pinned by location, table id and
version, so a write or a DROP + CREATE misses) and calls no non-deterministic function. The
statement still parses and resolves its tables on every run, so missing tables and bad SQL fail
exactly as before; only the scan and the writing of the chunk files are skipped.

Cached results live in directories the cache owns: closing a statement does not delete them, and
the least recently used entry no statement still serves is removed once the cache holds more than
`capacity_bytes` of chunk files.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional

from .results import ResultSet


def disabled_by(confs: dict) -> bool:
    """`SET use_cached_result = false` (or the same session conf) turns the cache off for a session."""
    for k, v in confs.items():
        if k.strip().lower() == "use_cached_result":
            return str(v).strip().strip("'\"").lower() == "false"
    return False


@dataclass
class _Entry:
    result: ResultSet
    directory: str
    size: int


class ResultCache:
    def __init__(self, root: str, capacity_bytes: int, enabled: bool = True):
        self.root = root
        self.capacity = capacity_bytes
        self.enabled = enabled
        self._lock = threading.Lock()
        self._entries: "OrderedDict[tuple, _Entry]" = OrderedDict()
        self._ids = itertools.count()
        self._orphans: list[_Entry] = []  # replaced or evicted while a statement still served them
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(sql: str, params: list, catalog: str, schema: str, confs: dict, shape: tuple,
            reads: tuple) -> tuple:
        """Everything the result depends on. `shape` is format, compression, limits and chunking;
        `reads` the (location, table id, version) of every table the query scans."""
        conf = tuple(sorted((k.lower(), str(v)) for k, v in confs.items() if k.lower() != "use_cached_result"))
        return (sql.strip(), json.dumps(params, sort_keys=True), catalog, schema, conf, shape, reads)

    def lookup(self, key: tuple) -> Optional[ResultSet]:
        """The stored result (now the most recently used), or None; not counted (see `count`)."""
        with self._lock:
            e = self._entries.get(key)
            if e is None:
                return None
            self._entries.move_to_end(key)
            return e.result

    def count(self, hit: bool) -> None:
        """Counts a looked-up statement once it is answered: a query that fails after its lookup
        (in DuckDB, or canceled) is neither a hit nor a miss."""
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def new_directory(self) -> str:
        return os.path.join(self.root, f"cached-{next(self._ids)}")

    def put(self, key: tuple, result: ResultSet, directory: str, in_use: Callable[[ResultSet], bool]):
        size = sum(c.wire_bytes for c in result.chunks)
        with self._lock:
            old = self._entries.pop(key, None)
            self._entries[key] = _Entry(result, directory, size)
            if old is not None:
                self._orphans.append(old)
            victims = [e for e in self._orphans if not in_use(e.result)]
            self._orphans = [e for e in self._orphans if e not in victims]
            total = sum(e.size for e in self._entries.values())
            for k in list(self._entries):
                if total <= self.capacity:
                    break
                e = self._entries[k]
                if k == key:
                    continue
                del self._entries[k]
                total -= e.size
                (self._orphans if in_use(e.result) else victims).append(e)
        for e in victims:
            shutil.rmtree(e.directory, ignore_errors=True)

    def stats(self) -> dict:
        with self._lock:
            return {"enabled": self.enabled, "hits": self.hits, "misses": self.misses,
                    "entries": len(self._entries), "bytes": sum(e.size for e in self._entries.values())}
