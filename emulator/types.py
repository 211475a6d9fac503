"""Type vocabulary: Delta schema JSON, Arrow wire types and Databricks manifest names.

Databricks reports a column three ways: `type_text` (SQL text, upper case in statement manifests,
lower case in Unity Catalog / DESCRIBE), `type_name` (the ColumnTypeName enum: BYTE, SHORT, LONG, ...)
and, in Unity Catalog, `type_json` (the Spark StructField JSON). Arrow results use the wire types
listed in docs/databricks-api.md ("Result formats and compression").
"""

from __future__ import annotations

import functools
import json
from typing import Any, Optional

import pyarrow as pa

#: Arrow field metadata key marking a STRING column as VARIANT (Delta has no VARIANT writer here).
VARIANT_KEY = b"dbduck.type"

_DELTA_PRIMITIVES = {
    "boolean": ("BOOLEAN", "BOOLEAN", "boolean"),
    "byte": ("TINYINT", "BYTE", "tinyint"),
    "short": ("SMALLINT", "SHORT", "smallint"),
    "integer": ("INT", "INT", "int"),
    "long": ("BIGINT", "LONG", "bigint"),
    "float": ("FLOAT", "FLOAT", "float"),
    "double": ("DOUBLE", "DOUBLE", "double"),
    "string": ("STRING", "STRING", "string"),
    "binary": ("BINARY", "BINARY", "binary"),
    "date": ("DATE", "DATE", "date"),
    "timestamp": ("TIMESTAMP", "TIMESTAMP", "timestamp"),
    "timestamp_ntz": ("TIMESTAMP_NTZ", "TIMESTAMP_NTZ", "timestamp_ntz"),
    "variant": ("VARIANT", "VARIANT", "variant"),
}


def delta_type_text(t: Any, upper: bool = True, variant: bool = False) -> str:
    """SQL text of a Delta (Spark JSON) type. `upper` gives manifest style, else catalog style."""
    if isinstance(t, str):
        if variant and t == "string":
            return "VARIANT" if upper else "variant"
        if t.startswith("decimal"):
            return t.upper() if upper else t
        prim = _DELTA_PRIMITIVES.get(t)
        if prim is None:
            return t.upper() if upper else t
        return prim[0] if upper else prim[2]
    kind = t.get("type")
    if kind == "array":
        inner = delta_type_text(t["elementType"], upper)
        return f"ARRAY<{inner}>" if upper else f"array<{inner}>"
    if kind == "map":
        k = delta_type_text(t["keyType"], upper)
        v = delta_type_text(t["valueType"], upper)
        return f"MAP<{k}, {v}>" if upper else f"map<{k},{v}>"
    if kind == "struct":
        parts = []
        for f in t["fields"]:
            inner = delta_type_text(f["type"], upper)
            nn = "" if f.get("nullable", True) else (" NOT NULL" if upper else " not null")
            parts.append(f"{f['name']}: {inner}{nn}" if upper else f"{f['name']}:{inner}{nn}")
        return ("STRUCT<" + ", ".join(parts) + ">") if upper else ("struct<" + ",".join(parts) + ">")
    return str(t)


def delta_type_name(t: Any, variant: bool = False) -> str:
    """ColumnTypeName of a Delta type."""
    if isinstance(t, str):
        if variant and t == "string":
            return "VARIANT"
        if t.startswith("decimal"):
            return "DECIMAL"
        prim = _DELTA_PRIMITIVES.get(t)
        return prim[1] if prim else t.upper()
    return {"array": "ARRAY", "map": "MAP", "struct": "STRUCT"}.get(t.get("type"), "USER_DEFINED_TYPE")


def decimal_params(t: Any) -> Optional[tuple[int, int]]:
    if isinstance(t, str) and t.startswith("decimal("):
        p, s = t[len("decimal("):-1].split(",")
        return int(p), int(s)
    return None


def is_variant_field(field: pa.Field) -> bool:
    md = field.metadata or {}
    return md.get(VARIANT_KEY) == b"VARIANT"


# MARK: Arrow wire types -> manifest


@functools.lru_cache(maxsize=4096)   # every result's manifest names its columns' types
def arrow_type_text(t: pa.DataType, variant: bool = False, interval: Optional[str] = None) -> str:
    """Databricks SQL text (manifest style) of an Arrow wire type."""
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_int8(t):
        return "TINYINT"
    if pa.types.is_int16(t):
        return "SMALLINT"
    if pa.types.is_int32(t):
        return "INT"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float32(t):
        return "FLOAT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARIANT" if variant else "STRING"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "BINARY"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP" if t.tz else "TIMESTAMP_NTZ"
    if t == pa.month_day_nano_interval() or str(t) == "month_interval":
        return "INTERVAL " + (interval or "YEAR TO MONTH")
    if pa.types.is_duration(t):
        return "INTERVAL " + (interval or "DAY TO SECOND")
    if pa.types.is_null(t):
        return "VOID"
    if pa.types.is_map(t):
        return f"MAP<{arrow_type_text(t.key_type)}, {arrow_type_text(t.item_type)}>"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"ARRAY<{arrow_type_text(t.value_type)}>"
    if pa.types.is_struct(t):
        parts = []
        for i in range(t.num_fields):
            f = t.field(i)
            nn = "" if f.nullable else " NOT NULL"
            parts.append(f"{f.name}: {arrow_type_text(f.type)}{nn}")
        return "STRUCT<" + ", ".join(parts) + ">"
    return "STRING"


def arrow_type_name(t: pa.DataType, variant: bool = False) -> str:
    text = arrow_type_text(t, variant)
    for prefix, name in (("DECIMAL", "DECIMAL"), ("INTERVAL", "INTERVAL"), ("ARRAY", "ARRAY"),
                         ("MAP", "MAP"), ("STRUCT", "STRUCT")):
        if text.startswith(prefix):
            return name
    return {"TINYINT": "BYTE", "SMALLINT": "SHORT", "BIGINT": "LONG", "VOID": "NULL"}.get(text, text)


def manifest_column(name: str, position: int, t: pa.DataType, variant: bool = False,
                    interval: Optional[str] = None, json_nested: bool = False) -> dict:
    """One `manifest.schema.columns[]` entry, keys exactly as recorded (absent keys omitted)."""
    col = {"name": name, "type_text": arrow_type_text(t, variant, interval),
           "type_name": arrow_type_name(t, variant), "position": position}
    if pa.types.is_decimal(t):
        col["type_precision"] = t.precision
        col["type_scale"] = t.scale
    if col["type_name"] == "INTERVAL":
        col["type_interval_type"] = col["type_text"][len("INTERVAL "):]
    return col


def column_info(field: dict, position: int) -> dict:
    """Unity Catalog ColumnInfo from a Delta schema field (Spark JSON)."""
    t = field["type"]
    md = field.get("metadata") or {}
    variant = md.get("dbduck.type") == "VARIANT"
    type_json = dict(field)
    if variant:
        type_json = {"name": field["name"], "type": "variant", "nullable": field.get("nullable", True),
                     "metadata": {k: v for k, v in md.items() if k != "dbduck.type"}}
    info = {
        "name": field["name"],
        "type_text": delta_type_text(t, upper=False, variant=variant),
        "type_name": delta_type_name(t, variant=variant),
        "type_json": json.dumps(type_json, separators=(",", ":")),
        "position": position,
        "nullable": field.get("nullable", True),
    }
    dp = decimal_params(t)
    if dp:
        info["type_precision"], info["type_scale"] = dp
    else:
        info["type_precision"], info["type_scale"] = 0, 0
    if md.get("comment"):
        info["comment"] = md["comment"]
    return info
