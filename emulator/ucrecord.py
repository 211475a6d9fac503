"""What Unity Catalog keeps about a table beyond its Delta log: the securable's `table_id` and the
informational PRIMARY KEY constraints.

Stored as `_dbduck_uc.json` inside the table directory: Delta readers, writers and VACUUM leave
`_`-prefixed files alone, and DROP TABLE (which removes the directory) forgets the record with
the table. Without a record, the table id is the Delta table id (tables written by `seed` or by a
test with deltalake directly).

The table id stays when a table is replaced (`CREATE OR REPLACE TABLE` keeps the securable, while
Delta writes new metadata with a new Delta table id); a table dropped and created again gets a new
one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Optional

RECORD_FILE = "_dbduck_uc.json"


@dataclass
class PrimaryKey:
    name: str
    columns: list[str]


@dataclass
class UCRecord:
    table_id: Optional[str] = None
    primary_key: Optional[PrimaryKey] = None
    extra: dict = field(default_factory=dict)


def read(table_path: str) -> UCRecord:
    try:
        with open(os.path.join(table_path, RECORD_FILE), encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError):
        return UCRecord()
    pk = d.get("primary_key")
    return UCRecord(table_id=d.get("table_id"),
                    primary_key=PrimaryKey(pk["name"], list(pk["columns"])) if pk else None)


def write(table_path: str, rec: UCRecord) -> None:
    d: dict = {}
    if rec.table_id:
        d["table_id"] = rec.table_id
    if rec.primary_key:
        d["primary_key"] = {"name": rec.primary_key.name, "columns": rec.primary_key.columns}
    tmp = os.path.join(table_path, RECORD_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(d, f)
    os.replace(tmp, os.path.join(table_path, RECORD_FILE))


def table_id(table_path: str, delta_table_id: str) -> str:
    """The Unity Catalog table id: the recorded one, else the Delta table id."""
    return read(table_path).table_id or delta_table_id


def constraints_json(rec: UCRecord) -> list[dict]:
    """`table_constraints` of a Unity Catalog TableInfo."""
    if rec.primary_key is None:
        return []
    return [{"primary_key_constraint": {"name": rec.primary_key.name,
                                        "child_columns": list(rec.primary_key.columns)}}]
