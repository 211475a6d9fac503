"""Clauses CREATE TABLE and ALTER TABLE share: column definitions, `TBLPROPERTIES (k = v, ...)`,
and PRIMARY KEY constraints (informational in Unity Catalog: recorded, never enforced, but their
columns must be NOT NULL)."""

from __future__ import annotations

from typing import Optional

import pyarrow as pa

from . import sqllex as L
from .ddltypes import parse_type
from .sqlerrors import SQLError, syntax_error
from .ucrecord import PrimaryKey


def column_def(p: list[L.Tok]) -> tuple[pa.Field, bool]:
    """`name TYPE [NOT NULL] [PRIMARY KEY] [COMMENT '...']` -> (field, is a one-column primary key)."""
    name = p[0].ident
    rest = p[1:]
    text_parts = []
    nullable = True
    comment = None
    primary = False
    k = 0
    while k < len(rest):
        t = rest[k]
        if t.is_word("NOT") and k + 1 < len(rest) and rest[k + 1].is_word("NULL"):
            nullable = False
            k += 2
            continue
        if t.is_word("PRIMARY") and k + 1 < len(rest) and rest[k + 1].is_word("KEY"):
            primary = True
            k += 2
            continue
        if t.is_word("COMMENT") and k + 1 < len(rest):
            comment = rest[k + 1].value
            k += 2
            continue
        text_parts.append(t.text)
        k += 1
    ty, variant = parse_type(" ".join(text_parts))
    md = {}
    if comment:
        md["comment"] = comment
    if variant:
        md["dbduck.type"] = "VARIANT"
    return pa.field(name, ty, nullable, md or None), primary


def is_table_constraint(p: list[L.Tok]) -> bool:
    return bool(p) and (p[0].is_word("CONSTRAINT", "FOREIGN")
                        or (p[0].is_word("PRIMARY") and len(p) > 1 and p[1].is_word("KEY")))


def primary_key_clause(p: list[L.Tok], default_name: str) -> PrimaryKey:
    """`[CONSTRAINT name] PRIMARY KEY (col, ...) [RELY | NORELY | NOT ENFORCED ...]`."""
    i = 0
    name = default_name
    if p[i].is_word("CONSTRAINT"):
        name = p[i + 1].ident
        i += 2
    if i + 1 >= len(p) or not (p[i].is_word("PRIMARY") and p[i + 1].is_word("KEY")):
        word = p[i].text if i < len(p) else "end of input"
        if i < len(p) and p[i].is_word("FOREIGN", "CHECK", "UNIQUE"):
            raise SQLError("UNSUPPORTED_FEATURE", f"[UNSUPPORTED_FEATURE] {word} constraints are not supported "
                           "by the emulator.", "0A000")
        raise syntax_error(word)
    i += 2
    if i >= len(p) or not p[i].is_punct("("):
        raise syntax_error(p[i].text if i < len(p) else "end of input")
    j = L.matching_paren(p, i)
    cols = [c[0].ident for c in L.split_top(p[i + 1:j]) if c]
    for t in p[j + 1:]:
        if not t.is_word("RELY", "NORELY", "NOT", "ENFORCED", "DEFERRABLE", "INITIALLY", "DEFERRED", "NOVALIDATE"):
            raise syntax_error(t.text)
    return PrimaryKey(name, cols)


def check_primary_key(pk: PrimaryKey, schema: pa.Schema) -> PrimaryKey:
    """Resolves the key's columns against the table (case-insensitively); they must be NOT NULL."""
    by_lower = {f.name.lower(): f for f in schema}
    cols = []
    for c in pk.columns:
        f = by_lower.get(c.lower())
        if f is None:
            raise SQLError("UNRESOLVED_COLUMN",
                           f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
                           f"`{c}` cannot be resolved. Did you mean one of the following? {[x.name for x in schema]}.",
                           "42703")
        if f.nullable:
            raise SQLError("INVALID_PARAMETER_VALUE",
                           f"Cannot create the primary key `{pk.name}` because its child column(s) `{f.name}` is "
                           "nullable. Please change the column nullability and retry.", "22023")
        cols.append(f.name)
    return PrimaryKey(pk.name, cols)


def properties(toks: list[L.Tok], i: int) -> tuple[dict[str, str], int]:
    """`(k = v, ...)` at `toks[i]` -> (properties, index after the closing parenthesis). Keys and
    values may be quoted or bare (`delta.enableChangeDataFeed = true`)."""
    if i >= len(toks) or not toks[i].is_punct("("):
        raise syntax_error(toks[i].text if i < len(toks) else "end of input")
    j = L.matching_paren(toks, i)
    props: dict[str, str] = {}
    for p in L.split_top(toks[i + 1:j]):
        eq: Optional[int] = next((k for k, x in enumerate(p) if x.is_punct("=")), None)
        if eq is None:
            raise syntax_error(p[-1].text if p else ")")
        key = "".join(x.value if x.kind == "str" else x.text for x in p[:eq])
        val = "".join(x.value if x.kind == "str" else x.text for x in p[eq + 1:])
        props[key] = val.lower() if val.lower() in ("true", "false") else val
    return props, j + 1


def property_keys(toks: list[L.Tok], i: int) -> tuple[list[str], int]:
    """`(k, ...)` of `UNSET TBLPROPERTIES`."""
    if i >= len(toks) or not toks[i].is_punct("("):
        raise syntax_error(toks[i].text if i < len(toks) else "end of input")
    j = L.matching_paren(toks, i)
    keys = ["".join(x.value if x.kind == "str" else x.text for x in p) for p in L.split_top(toks[i + 1:j])]
    return keys, j + 1


# Delta table properties Databricks knows (any other `delta.` key is refused); keys outside `delta.`
# are free-form user properties
_DELTA_KEYS = {k.lower() for k in (
    "delta.appendOnly", "delta.autoOptimize.autoCompact", "delta.autoOptimize.optimizeWrite",
    "delta.checkpoint.writeStatsAsJson", "delta.checkpoint.writeStatsAsStruct", "delta.checkpointInterval",
    "delta.checkpointPolicy", "delta.checkpointRetentionDuration", "delta.columnMapping.mode",
    "delta.columnMapping.maxColumnId", "delta.dataSkippingNumIndexedCols", "delta.dataSkippingStatsColumns",
    "delta.deletedFileRetentionDuration", "delta.enableChangeDataFeed", "delta.enableDeletionVectors",
    "delta.enableExpiredLogCleanup", "delta.enableFullRetentionRollback", "delta.enableIcebergCompatV2",
    "delta.enableInCommitTimestamps", "delta.enableRowTracking", "delta.enableTypeWidening",
    "delta.isolationLevel", "delta.logRetentionDuration", "delta.minReaderVersion", "delta.minWriterVersion",
    "delta.parquet.compression.codec", "delta.randomizeFilePrefixes", "delta.randomPrefixLength",
    "delta.setTransactionRetentionDuration", "delta.targetFileSize", "delta.tuneFileSizesForRewrites",
    "delta.universalFormat.enabledFormats")}
_DELTA_PREFIXES = ("delta.feature.", "delta.constraints.")


def check_properties(props: dict[str, str]) -> None:
    for k in props:
        low = k.lower()
        if low.startswith("delta.") and low not in _DELTA_KEYS and not low.startswith(_DELTA_PREFIXES):
            raise SQLError("DELTA_UNKNOWN_CONFIGURATION",
                           f"Unknown configuration was specified: {k} To disable this check, set "
                           "spark.databricks.delta.allowArbitraryProperties.enabled=true in the Spark session "
                           "configuration.", "F0000")


def property_error(e: Exception, what: str) -> SQLError:
    """deltalake's refusal of a table property value."""
    text = str(e)
    return SQLError("DELTA_INVALID_TABLE_PROPERTY", f"{what}: {text.splitlines()[0] if text else type(e).__name__}",
                    "42000")
