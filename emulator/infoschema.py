"""`<catalog>.information_schema.{catalogs,schemata,tables,columns,table_constraints,key_column_usage}`
built from the metastore (constraints: the PRIMARY KEYs of the Unity Catalog records)."""

from __future__ import annotations

import datetime as _dt

import pyarrow as pa

from . import types as T
from . import ucrecord
from .catalog import Catalog, TableRef
from .sqlerrors import SQLError


def information_schema(cat: Catalog, catalog: str, view: str) -> pa.Table:
    if catalog not in cat.catalogs():
        raise SQLError("TABLE_OR_VIEW_NOT_FOUND", f"The table or view `{catalog}`.`information_schema`.`{view}` "
                       "cannot be found.", "42P01")
    utc = _dt.timezone.utc
    if view == "catalogs":
        tbl = pa.table({"catalog_name": [catalog], "catalog_owner": ["emulator"], "comment": pa.nulls(1, pa.string())})
    elif view == "schemata":
        names = cat.schemas(catalog)
        tbl = pa.table({"catalog_name": [catalog] * len(names), "schema_name": names,
                        "schema_owner": ["emulator"] * len(names), "comment": pa.nulls(len(names), pa.string())})
    elif view in ("table_constraints", "key_column_usage"):
        tbl = _constraints(cat, catalog, view)
    elif view in ("tables", "columns"):
        rows: dict[str, list] = {}
        for sch in cat.schemas(catalog):
            for name in cat.tables(catalog, sch):
                ref = TableRef(catalog, sch, name)
                dt = cat.open(ref)
                meta = dt.metadata()
                if view == "tables":
                    hist = dt.history(1)
                    for k, v in (("table_catalog", catalog), ("table_schema", sch), ("table_name", name),
                                 ("table_type", "MANAGED"), ("is_insertable_into", "YES"),
                                 ("table_owner", "emulator"), ("comment", meta.description),
                                 ("created", _dt.datetime.fromtimestamp(meta.created_time / 1000, utc)),
                                 ("created_by", "emulator"),
                                 ("last_altered", _dt.datetime.fromtimestamp(
                                     (hist[0]["timestamp"] if hist else meta.created_time) / 1000, utc)),
                                 ("last_altered_by", "emulator"), ("data_source_format", "DELTA")):
                        rows.setdefault(k, []).append(v)
                else:
                    for pos, f in enumerate(cat.schema_json(dt)["fields"]):
                        info = T.column_info(f, pos)
                        full = info["type_text"]
                        for k, v in (("table_catalog", catalog), ("table_schema", sch), ("table_name", name),
                                     ("column_name", f["name"]), ("ordinal_position", pos),
                                     ("is_nullable", "YES" if f.get("nullable", True) else "NO"),
                                     ("full_data_type", full), ("data_type", info["type_name"]),
                                     ("numeric_precision", info["type_precision"] or None),
                                     ("numeric_scale", info["type_scale"] if info["type_precision"] else None),
                                     ("comment", info.get("comment"))):
                            rows.setdefault(k, []).append(v)
        if view == "tables":
            types = {"created": pa.timestamp("us", "UTC"), "last_altered": pa.timestamp("us", "UTC")}
            keys = ["table_catalog", "table_schema", "table_name", "table_type", "is_insertable_into",
                    "table_owner", "comment", "created", "created_by", "last_altered", "last_altered_by",
                    "data_source_format"]
        else:
            types = {"ordinal_position": pa.int32(), "numeric_precision": pa.int32(), "numeric_scale": pa.int32()}
            keys = ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                    "is_nullable", "full_data_type", "data_type", "numeric_precision", "numeric_scale", "comment"]
        tbl = pa.table({k: pa.array(rows.get(k, []), types.get(k, pa.string())) for k in keys})
    else:
        raise SQLError("TABLE_OR_VIEW_NOT_FOUND", f"The table or view `{catalog}`.`information_schema`.`{view}` "
                       "cannot be found.", "42P01")
    return tbl


def _constraints(cat: Catalog, catalog: str, view: str) -> pa.Table:
    rows: dict[str, list] = {}
    for sch in cat.schemas(catalog):
        for name in cat.tables(catalog, sch):
            pk = ucrecord.read(cat.path(TableRef(catalog, sch, name))).primary_key
            if pk is None:
                continue
            head = (("constraint_catalog", catalog), ("constraint_schema", sch), ("constraint_name", pk.name),
                    ("table_catalog", catalog), ("table_schema", sch), ("table_name", name))
            if view == "table_constraints":
                for k, v in head + (("constraint_type", "PRIMARY KEY"), ("is_deferrable", "YES"),
                                    ("initially_deferred", "NO"), ("enforced", "NO"), ("comment", None)):
                    rows.setdefault(k, []).append(v)
                continue
            for pos, col in enumerate(pk.columns, start=1):
                for k, v in head + (("column_name", col), ("ordinal_position", pos),
                                    ("position_in_unique_constraint", None)):
                    rows.setdefault(k, []).append(v)
    if view == "table_constraints":
        keys = ["constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema",
                "table_name", "constraint_type", "is_deferrable", "initially_deferred", "enforced", "comment"]
        types: dict = {}
    else:
        keys = ["constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema",
                "table_name", "column_name", "ordinal_position", "position_in_unique_constraint"]
        types = {"ordinal_position": pa.int32(), "position_in_unique_constraint": pa.int32()}
    return pa.table({k: pa.array(rows.get(k, []), types.get(k, pa.string())) for k in keys})
