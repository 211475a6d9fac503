"""Unity Catalog REST (`/api/2.1/unity-catalog/...`) over the directory metastore.

Pagination: `max_results` unset = everything, 0 = server page size (UC_PAGE), >0 = min(value,
UC_PAGE_MAX), <0 = INVALID_PARAMETER_VALUE. Page tokens are opaque offsets. A full page always
carries a token, and the page right after the first one is served empty but with a token (the
"empty page that still carries a token" clients must survive).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Callable, Optional

from .catalog import Catalog, CatalogError, TableRef
from . import types as T
from . import ucrecord

UC_PAGE = 50
UC_PAGE_MAX = 1000


class UCError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _token(offset: int, empty_served: bool) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "e": empty_served}).encode()).decode().rstrip("=")


def _untoken(tok: str) -> tuple[int, bool]:
    try:
        pad = "=" * (-len(tok) % 4)
        d = json.loads(base64.urlsafe_b64decode(tok + pad))
        return int(d["o"]), bool(d.get("e"))
    except Exception:
        raise UCError(400, "INVALID_PARAMETER_VALUE", f"Invalid page_token: {tok[:40]}")


def paginate(items: list, q: dict, key: str, empty_pages: bool = True) -> dict:
    """One page of `items`. The page right after the first one is always served empty but with a
    token (real warehouses do this; clients must only stop when the token is absent)."""
    mr = q.get("max_results")
    tok = q.get("page_token")
    offset, empty_served = _untoken(tok) if tok else (0, True)
    if mr is None or mr == "":
        if tok is None:
            return {key: items}
        size = UC_PAGE
    else:
        try:
            size = int(mr)
        except ValueError:
            raise UCError(400, "INVALID_PARAMETER_VALUE", f"max_results must be an integer, got {mr}")
        if size < 0:
            raise UCError(400, "INVALID_PARAMETER_VALUE", "max_results must be greater than or equal to 0")
        size = UC_PAGE if size == 0 else min(size, UC_PAGE_MAX)
    if not empty_served and empty_pages:
        return {key: [], "next_page_token": _token(offset, True)}
    page = items[offset:offset + size]
    out: dict = {key: page}
    nxt = offset + len(page)
    if len(page) == size:
        # a full page always gets a token, even when nothing follows
        out["next_page_token"] = _token(nxt, tok is not None)
    return out


class UnityCatalog:
    def __init__(self, catalog: Catalog, empty_pages: Callable[[], bool] = lambda: True):
        self.catalog = catalog
        self.empty_pages = empty_pages

    def _catalog_info(self, name: str) -> dict:
        p = os.path.join(self.catalog.root, name)
        st = os.stat(p)
        return {"name": name, "full_name": name, "catalog_type": "MANAGED_CATALOG", "owner": "emulator",
                "comment": "", "properties": {}, "storage_root": "file:" + p, "storage_location": "file:" + p,
                "metastore_id": self.catalog.metastore_id, "created_at": int(st.st_ctime * 1000),
                "created_by": "emulator", "updated_at": int(st.st_mtime * 1000), "isolation_mode": "OPEN",
                "securable_type": "CATALOG", "securable_kind": "CATALOG_STANDARD", "browse_only": False}

    def _schema_info(self, cat: str, sch: str) -> dict:
        p = os.path.join(self.catalog.root, cat, sch)
        st = os.stat(p)
        return {"name": sch, "catalog_name": cat, "full_name": f"{cat}.{sch}", "owner": "emulator",
                "comment": "", "properties": {}, "schema_id": _uuid(f"schema:{cat}.{sch}"),
                "storage_root": "file:" + p, "storage_location": "file:" + p,
                "metastore_id": self.catalog.metastore_id, "catalog_type": "MANAGED_CATALOG",
                "created_at": int(st.st_ctime * 1000), "created_by": "emulator",
                "updated_at": int(st.st_mtime * 1000), "securable_type": "SCHEMA", "browse_only": False}

    def table_info(self, ref: TableRef, omit_columns: bool = False, omit_properties: bool = False,
                   with_constraints: bool = False) -> dict:
        """TableInfo; `table_constraints` only for a single table (listings leave them out)."""
        view = self.catalog.view(ref)
        if view is not None:
            return self.view_info(ref, view, omit_columns)
        dt = self.catalog.open(ref)
        rec = ucrecord.read(self.catalog.path(ref))
        meta = dt.metadata()
        fields = self.catalog.schema_json(dt)["fields"]
        hist = dt.history(1)
        updated = hist[0]["timestamp"] if hist else meta.created_time
        info = {"name": ref.table, "catalog_name": ref.catalog, "schema_name": ref.schema,
                "full_name": ref.full_name, "table_type": "MANAGED", "data_source_format": "DELTA",
                "storage_location": "file:" + self.catalog.path(ref), "owner": "emulator",
                "table_id": rec.table_id or meta.id, "metastore_id": self.catalog.metastore_id,
                "created_at": meta.created_time, "created_by": "emulator", "updated_at": updated,
                "updated_by": "emulator", "securable_type": "TABLE", "securable_kind": "TABLE_DELTA",
                "browse_only": False}
        if meta.description:
            info["comment"] = meta.description
        if not omit_columns:
            info["columns"] = [T.column_info(f, i) for i, f in enumerate(fields)]
        if not omit_properties:
            props = dict(meta.configuration)
            proto = dt.protocol()
            props.setdefault("delta.minReaderVersion", str(proto.min_reader_version))
            props.setdefault("delta.minWriterVersion", str(proto.min_writer_version))
            props["delta.lastCommitTimestamp"] = str(updated)
            props["delta.lastUpdateVersion"] = str(dt.version())
            info["properties"] = props
            info["delta_runtime_properties_kvpairs"] = {"delta_runtime_properties": {}}
        if with_constraints and rec.primary_key is not None:
            info["table_constraints"] = ucrecord.constraints_json(rec)
        return info

    def view_info(self, ref: TableRef, view: dict, omit_columns: bool) -> dict:
        """A view's TableInfo: its SQL text and columns, no storage and no Delta properties."""
        kind = view.get("kind", "VIEW")
        created = int(view.get("created_at", 0))
        info = {"name": ref.table, "catalog_name": ref.catalog, "schema_name": ref.schema,
                "full_name": ref.full_name, "table_type": kind, "view_definition": view.get("definition", ""),
                "owner": "emulator", "table_id": _uuid(f"view:{ref.full_name}:{created}"),
                "metastore_id": self.catalog.metastore_id, "created_at": created, "created_by": "emulator",
                "updated_at": created, "updated_by": "emulator", "securable_type": "TABLE",
                "securable_kind": "TABLE_MATERIALIZED_VIEW" if kind == "MATERIALIZED_VIEW" else "TABLE_VIEW",
                "browse_only": False, "properties": {}}
        if view.get("comment"):
            info["comment"] = view["comment"]
        if not omit_columns:
            info["columns"] = [T.column_info(f, i) for i, f in enumerate(view.get("fields", []))]
        return info

    def handle(self, method: str, rest: str, q: dict) -> tuple[int, dict]:
        try:
            return self._handle(method, rest, q)
        except CatalogError as e:
            code = {"CATALOG_NOT_FOUND": "CATALOG_DOES_NOT_EXIST", "SCHEMA_NOT_FOUND": "SCHEMA_DOES_NOT_EXIST",
                    "TABLE_OR_VIEW_NOT_FOUND": "TABLE_DOES_NOT_EXIST"}.get(e.error_class, "NOT_FOUND")
            return 404, {"error_code": code, "message": e.message}
        except UCError as e:
            return e.status, {"error_code": e.code, "message": e.message}

    def _handle(self, method: str, rest: str, q: dict) -> tuple[int, dict]:
        if method != "GET":
            raise UCError(501, "NOT_IMPLEMENTED", f"{method} is not supported by the emulator's Unity Catalog")
        parts = [p for p in rest.split("/") if p]
        empty = self.empty_pages()
        if parts == ["catalogs"]:
            items = [self._catalog_info(c) for c in self.catalog.catalogs()]
            return 200, paginate(items, q, "catalogs", empty)
        if len(parts) == 2 and parts[0] == "catalogs":
            if parts[1] not in self.catalog.catalogs():
                raise UCError(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{parts[1]}' does not exist.")
            return 200, self._catalog_info(parts[1])
        if parts == ["schemas"]:
            cat = _required(q, "catalog_name")
            items = [self._schema_info(cat, s) for s in self.catalog.schemas(cat)]
            return 200, paginate(items, q, "schemas", empty)
        if len(parts) == 2 and parts[0] == "schemas":
            cs = parts[1].split(".")
            if len(cs) != 2:
                raise UCError(400, "INVALID_PARAMETER_VALUE", f"Invalid schema full name '{parts[1]}'")
            if cs[1] not in self.catalog.schemas(cs[0]):
                raise UCError(404, "SCHEMA_DOES_NOT_EXIST", f"Schema '{parts[1]}' does not exist.")
            return 200, self._schema_info(cs[0], cs[1])
        if parts == ["tables"]:
            cat = _required(q, "catalog_name")
            sch = _required(q, "schema_name")
            omit_c = q.get("omit_columns") == "true"
            omit_p = q.get("omit_properties") == "true"
            names = self.catalog.relations(cat, sch)
            items = [TableRef(cat, sch, n) for n in names]
            page = paginate(items, q, "tables", empty)
            page["tables"] = [self.table_info(r, omit_c, omit_p) for r in page["tables"]]
            return 200, page
        if parts == ["table-summaries"]:
            cat = _required(q, "catalog_name")
            import fnmatch
            sp = (q.get("schema_name_pattern") or "*").replace("%", "*")
            tp = (q.get("table_name_pattern") or "*").replace("%", "*")
            items = []
            for s in self.catalog.schemas(cat):
                if fnmatch.fnmatch(s, sp):
                    for t in self.catalog.relations(cat, s):
                        if fnmatch.fnmatch(t, tp):
                            view = self.catalog.view(TableRef(cat, s, t))
                            items.append({"full_name": f"{cat}.{s}.{t}",
                                          "table_type": view.get("kind", "VIEW") if view else "MANAGED"})
            return 200, paginate(items, q, "tables", empty)
        if len(parts) in (2, 3) and parts[0] == "tables":
            ns = parts[1].split(".")
            if len(ns) != 3:
                raise UCError(400, "INVALID_PARAMETER_VALUE", f"Invalid table full name '{parts[1]}'")
            ref = TableRef(*ns)
            known = self.catalog.exists(ref) or self.catalog.is_view(ref)
            if len(parts) == 3 and parts[2] == "exists":
                return 200, {"table_exists": known}
            if not known:
                raise UCError(404, "TABLE_DOES_NOT_EXIST", f"Table '{ref.full_name}' does not exist.")
            return 200, self.table_info(ref, with_constraints=True)
        raise UCError(404, "ENDPOINT_NOT_FOUND", f"No API found for 'GET /unity-catalog/{rest}'")


def _required(q: dict, key: str) -> str:
    v = q.get(key)
    if not v:
        raise UCError(400, "INVALID_PARAMETER_VALUE", f"Missing required field: {key}")
    return v


def _uuid(s: str) -> str:
    import uuid
    return str(uuid.uuid5(uuid.NAMESPACE_URL, s))
