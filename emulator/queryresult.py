"""What one statement produced, and the session state statements share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import pyarrow as pa


@dataclass
class Session:
    catalog: str = "main"
    schema: str = "default"
    confs: dict = field(default_factory=dict)


@dataclass
class QueryResult:
    """What a statement produced: a batch stream with its schema, or nothing (DDL shape)."""
    schema: Optional[pa.Schema] = None
    batches: Optional[Iterator[pa.RecordBatch]] = None
    variant_names: frozenset = frozenset()
    hugeint_columns: frozenset = frozenset()
    not_null: frozenset = frozenset()
    close: Callable[[], None] = lambda: None
    # (location, table id, version) of every table scanned, when the result may be cached; else None
    reads: Optional[tuple] = None
    # the result cache's stored result for this query, which then did not run (see Engine.run's probe)
    cached: Optional[object] = None

    @property
    def is_ddl(self) -> bool:
        return self.schema is None

    @staticmethod
    def of_table(table: pa.Table, not_null: frozenset = frozenset()) -> "QueryResult":
        return QueryResult(schema=table.schema, batches=iter(table.to_batches(max_chunksize=65536)),
                           not_null=not_null)


def _counts(**cols: int) -> QueryResult:
    return QueryResult.of_table(pa.table({k: pa.array([v], pa.int64()) for k, v in cols.items()}))


def counts(**cols: int) -> QueryResult:
    """The one-row result of DML (`num_affected_rows`, ...)."""
    return QueryResult.of_table(pa.table({k: pa.array([v], pa.int64()) for k, v in cols.items()}))
