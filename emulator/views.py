"""Views and materialized views: a query over the Delta tables, kept by name in the metastore.

A view is a directory DATA/<catalog>/<schema>/<view> holding `_dbduck_view.json` (no Delta log):
its SQL text, its kind (VIEW or MATERIALIZED_VIEW) and the columns it had when created, as Delta
schema fields (Unity Catalog reports a view's columns as of its creation, like Databricks). A
query reads it by running its definition in place of the name; it has no Delta history, so time
travel, DESCRIBE HISTORY/DETAIL and `table_changes` on it fail as they do on Databricks.
"""

from __future__ import annotations

import json
import os
import time
from typing import Optional

import pyarrow as pa
from deltalake import Schema

from .catalog import CatalogError, TableRef

VIEW_FILE = "_dbduck_view.json"
KINDS = ("VIEW", "MATERIALIZED_VIEW")


def definition_path(table_path: str) -> str:
    return os.path.join(table_path, VIEW_FILE)


def read(table_path: str) -> Optional[dict]:
    """The view's record, or None when the path holds no view."""
    try:
        with open(definition_path(table_path), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write(table_path: str, sql: str, kind: str, schema: pa.Schema, comment: Optional[str] = None) -> None:
    fields = json.loads(Schema.from_arrow(schema).to_json())["fields"]
    record = {"definition": sql, "kind": kind, "fields": fields, "comment": comment,
              "created_at": int(time.time() * 1000)}
    os.makedirs(table_path, exist_ok=True)
    tmp = definition_path(table_path) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False)
    os.replace(tmp, definition_path(table_path))


def kind_text(kind: str) -> str:
    return "materialized view" if kind == "MATERIALIZED_VIEW" else "view"


def expects_table(ref: TableRef, operation: str) -> CatalogError:
    """What Databricks says when a table-only operation names a view."""
    return CatalogError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                        f"[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] '{operation}' expects a table but {ref.quoted} is a "
                        "view. SQLSTATE: 42809", "42809", 400, "BAD_REQUEST")


def expects_view(ref: TableRef, operation: str) -> CatalogError:
    return CatalogError("EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE",
                        f"[EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE] The table {ref.quoted} does not support "
                        f"{operation}. SQLSTATE: 42809", "42809", 400, "BAD_REQUEST")


def no_time_travel(ref: TableRef) -> CatalogError:
    return CatalogError("UNSUPPORTED_FEATURE.TIME_TRAVEL",
                        f"[UNSUPPORTED_FEATURE.TIME_TRAVEL] The feature is not supported: Time travel on the "
                        f"relation: {ref.quoted}. SQLSTATE: 0A000", "0A000", 400, "BAD_REQUEST")


def recursive(ref: TableRef) -> CatalogError:
    return CatalogError("RECURSIVE_VIEW", f"[RECURSIVE_VIEW] Recursive view {ref.quoted} detected (cycle: "
                        f"{ref.quoted} -> {ref.quoted}). SQLSTATE: 42K0H", "42K0H", 400, "BAD_REQUEST")
