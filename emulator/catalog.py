"""The emulator's metastore: Delta tables on disk under DATA/<catalog>/<schema>/<table>.

Every lookup reads the directory tree, and `open` the Delta log, so tables changed by DML (or by a
test writing with `deltalake` directly) are seen at once. What queries read most (`snapshot`,
`cached`) is kept while the table's log is unchanged (logcache.py).
"""

from __future__ import annotations

import json
import urllib.parse
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

os.environ.setdefault("RUST_LOG", "error")

from deltalake import DeltaTable  # noqa: E402

import pyarrow as pa  # noqa: E402

from .logcache import LogCache  # noqa: E402

V = TypeVar("V")


class CatalogError(Exception):
    """A metastore lookup failed; carries the Databricks error class and SQLSTATE."""

    def __init__(self, error_class: str, message: str, sql_state: str, http_status: int = 404,
                 error_code: str = "NOT_FOUND"):
        super().__init__(message)
        self.error_class = error_class
        self.message = message
        self.sql_state = sql_state
        self.http_status = http_status
        self.error_code = error_code


@dataclass(frozen=True)
class TableRef:
    catalog: str
    schema: str
    table: str

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"

    @property
    def quoted(self) -> str:
        return ".".join("`" + p.replace("`", "``") + "`" for p in (self.catalog, self.schema, self.table))


@dataclass(frozen=True)
class Snapshot:
    """What a query reads of one table version: its schema and data files."""
    table_uri: str
    table_id: str
    version: int
    schema: pa.Schema
    files: tuple[str, ...]   # local paths

    @staticmethod
    def of(dt: DeltaTable) -> "Snapshot":
        files = tuple(_local_path(u) for u in dt.file_uris())
        return Snapshot(dt.table_uri, dt.metadata().id, dt.version(), pa.schema(dt.schema().to_arrow()), files)


def _local_path(uri: str) -> str:
    """A data file's path from its URI (percent-encoded, `file://` or a plain path)."""
    return urllib.parse.unquote(uri[len("file://"):] if uri.startswith("file://") else uri)


def _is_dir(p: str) -> bool:
    return os.path.isdir(p)


class Catalog:
    """Directory-backed catalogs, schemas and Delta tables."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.write_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.metastore_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "dbduck-emulator:" + self.root))
        self.log_cache = LogCache()

    def write_lock(self, ref: TableRef) -> threading.Lock:
        with self._lock:
            return self.write_locks.setdefault(ref.full_name, threading.Lock())

    # MARK: listing

    def catalogs(self) -> list[str]:
        if not _is_dir(self.root):
            return []
        return sorted(d for d in os.listdir(self.root)
                      if not d.startswith(".") and _is_dir(os.path.join(self.root, d)))

    def schemas(self, catalog: str) -> list[str]:
        p = os.path.join(self.root, catalog)
        if not _is_dir(p) or catalog.startswith("."):
            raise CatalogError("CATALOG_NOT_FOUND",
                               f"[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found. "
                               "Please verify the catalog name and then retry the query or command again. "
                               "SQLSTATE: 42704", "42704")
        return sorted(d for d in os.listdir(p) if not d.startswith(".") and _is_dir(os.path.join(p, d)))

    def tables(self, catalog: str, schema: str) -> list[str]:
        if schema not in self.schemas(catalog):
            raise CatalogError("SCHEMA_NOT_FOUND",
                               f"[SCHEMA_NOT_FOUND] The schema `{catalog}`.`{schema}` cannot be found. "
                               "Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42704",
                               "42704")
        p = os.path.join(self.root, catalog, schema)
        return sorted(d for d in os.listdir(p) if os.path.isdir(os.path.join(p, d, "_delta_log")))

    def relations(self, catalog: str, schema: str) -> list[str]:
        """Delta tables and views of a schema, what Unity Catalog and SHOW TABLES list."""
        from .views import VIEW_FILE
        tables = self.tables(catalog, schema)
        p = os.path.join(self.root, catalog, schema)
        views = [d for d in os.listdir(p) if os.path.isfile(os.path.join(p, d, VIEW_FILE))]
        return sorted(set(tables) | set(views))

    def path(self, ref: TableRef) -> str:
        return os.path.join(self.root, ref.catalog, ref.schema, ref.table)

    def exists(self, ref: TableRef) -> bool:
        """A Delta table by this name (views are `is_view`)."""
        return os.path.isdir(os.path.join(self.path(ref), "_delta_log"))

    def view(self, ref: TableRef) -> Optional[dict]:
        """The view's record (definition, kind, columns), or None when `ref` names no view."""
        from . import views
        return views.read(self.path(ref))

    def require_table(self, ref: TableRef, operation: str) -> None:
        """Fails unless `ref` is a Delta table: a view gets Databricks' "expects a table" error."""
        if not self.exists(ref):
            if self.is_view(ref):
                from .views import expects_table
                raise expects_table(ref, operation)
            raise not_found(ref)

    def is_view(self, ref: TableRef) -> bool:
        from .views import definition_path
        return os.path.isfile(definition_path(self.path(ref)))

    def resolve(self, parts: list[str], current_catalog: str, current_schema: str) -> TableRef:
        """1-, 2- or 3-part name -> TableRef (not checked for existence)."""
        if len(parts) == 1:
            return TableRef(current_catalog, current_schema, parts[0])
        if len(parts) == 2:
            return TableRef(current_catalog, parts[0], parts[1])
        if len(parts) == 3:
            return TableRef(parts[0], parts[1], parts[2])
        raise CatalogError("REQUIRES_SINGLE_PART_NAMESPACE",
                           f"[TABLE_OR_VIEW_NOT_FOUND] The table or view {'.'.join(parts)} cannot be found. "
                           "SQLSTATE: 42P01", "42P01")

    def open(self, ref: TableRef, version: Optional[int] = None, operation: str = "this statement") -> DeltaTable:
        if not self.exists(ref):
            if self.is_view(ref):
                from .views import expects_table
                raise expects_table(ref, operation)
            raise not_found(ref)
        if version is None:
            return DeltaTable(self.path(ref))
        dt = DeltaTable(self.path(ref))
        latest = dt.version()
        earliest = self.earliest_version(ref)
        if version < earliest or version > latest:
            raise version_not_found(version, earliest, latest)
        dt.load_as_version(version)
        return dt

    def snapshot(self, ref: TableRef, version: Optional[int] = None) -> Snapshot:
        """The schema and data files of `version` (None: the latest); fails as `open` does."""
        return self.cached(ref, ("snapshot", version), lambda: Snapshot.of(self.open(ref, version)))

    def cached(self, ref: TableRef, key: tuple, build: Callable[[], V]) -> V:
        """`build()`, which reads the table's log and returns an immutable value, or the value it
        gave before while the log is unchanged. `key` names the value among the table's."""
        return self.log_cache.get(self.path(ref), key, build)

    def log_versions(self, ref: TableRef) -> tuple[list[int], list[int]]:
        """Versions of the commit files and of the checkpoints left in the Delta log."""
        commits, checkpoints = [], []
        try:
            names = os.listdir(os.path.join(self.path(ref), "_delta_log"))
        except OSError:
            return [], []
        for n in names:
            head = n.split(".", 1)[0]
            if not head.isdigit():
                continue
            if n.endswith(".json") and n.count(".") == 1:
                commits.append(int(head))
            elif ".checkpoint" in n and n.endswith(".parquet"):
                checkpoints.append(int(head))
        return sorted(commits), sorted(checkpoints)

    def earliest_version(self, ref: TableRef) -> int:
        """The oldest version the log can still rebuild: 0 while its commit is there, else the oldest
        checkpoint (log cleanup removes commits only behind a checkpoint)."""
        commits, checkpoints = self.log_versions(ref)
        if commits and commits[0] == 0:
            return 0
        if checkpoints:
            return checkpoints[0]
        return commits[0] if commits else 0

    # MARK: metadata

    def schema_json(self, dt: DeltaTable) -> dict:
        return json.loads(dt.schema().to_json())

    def arrow_schema(self, dt: DeltaTable) -> pa.Schema:
        return pa.schema(dt.schema().to_arrow())

    def size_and_files(self, dt: DeltaTable) -> tuple[int, int]:
        files = dt.file_uris()
        size = 0
        for f in files:
            p = _local_path(f)
            try:
                size += os.path.getsize(p)
            except OSError:
                pass
        return size, len(files)

    def history(self, dt: DeltaTable) -> list[dict]:
        return dt.history()


def not_found(ref: TableRef) -> CatalogError:
    return CatalogError(
        "TABLE_OR_VIEW_NOT_FOUND",
        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view {ref.quoted} cannot be found. Verify the spelling "
        "and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify "
        "the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate "
        "the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS. SQLSTATE: 42P01",
        "42P01")


def version_not_found(version: int, earliest: int, latest: int) -> CatalogError:
    return CatalogError("DELTA_VERSION_NOT_FOUND",
                        f"[DELTA_VERSION_NOT_FOUND] Cannot time travel Delta table to version {version}. Available "
                        f"versions: [{earliest}, {latest}]. SQLSTATE: 22003", "22003", 400, "BAD_REQUEST")
