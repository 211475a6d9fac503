"""Snapshots and histories read from a Delta log are reused only while the log is unchanged: every
write (the emulator's or another process's), a DROP and re-CREATE, log cleanup, is seen by the next
statement. In-process, with a short settle time so the cache is in play within a test."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from emulator.catalog import Catalog, CatalogError, TableRef
from emulator.logcache import LogCache
from emulator.queryresult import Session
from emulator.sqlengine import Engine
from emulator.sqlerrors import SQLError

SETTLE = 0.05
REF = TableRef("main", "s", "t")
NAME = "main.s.t"


def settle() -> None:
    """Long enough for the log's last change to count as settled."""
    time.sleep(SETTLE * 2 + 0.05)


@pytest.fixture
def cat(tmp_path) -> Catalog:
    c = Catalog(str(tmp_path))
    c.log_cache = LogCache(settle_seconds=SETTLE)
    os.makedirs(os.path.join(c.root, "main", "s"))
    return c


@pytest.fixture
def engine(cat) -> Engine:
    return Engine(cat)


def write(cat: Catalog, ids: list[int], mode: str = "append", **kw) -> None:
    write_deltalake(cat.path(REF), pa.table({"id": pa.array(ids, pa.int64())}), mode=mode, **kw)


def rows(engine: Engine, sql: str) -> list[dict]:
    qr = engine.run(sql, [], Session())
    try:
        return pa.Table.from_batches(list(qr.batches), qr.schema).to_pylist()
    finally:
        qr.close()


def builds(cat: Catalog) -> int:
    return cat.log_cache.builds


def test_snapshot_reused_while_log_unchanged(cat):
    write(cat, [1, 2])
    settle()
    first = cat.snapshot(REF)
    assert cat.snapshot(REF) is first
    assert (cat.log_cache.builds, cat.log_cache.hits) == (1, 1)
    assert first.version == 0 and first.schema.names == ["id"] and len(first.files) == 1
    assert cat.snapshot(REF, 0) is not first and builds(cat) == 2   # another key, read on its own


def test_recently_changed_log_is_not_stored(cat):
    cat.log_cache = LogCache(settle_seconds=60)
    write(cat, [1])
    cat.snapshot(REF)
    cat.snapshot(REF)
    assert (cat.log_cache.builds, cat.log_cache.hits) == (2, 0)


def test_writes_are_seen_at_once(cat, engine):
    write(cat, [1, 2])
    settle()
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME}") == [{"n": 2}]
    assert rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")[0]["version"] == 0
    assert rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")[0]["version"] == 0
    assert cat.log_cache.hits >= 1
    write(cat, [3])                                   # another writer, no pause
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME}") == [{"n": 3}]
    assert rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")[0]["version"] == 1
    write(cat, [7], mode="overwrite")
    assert rows(engine, f"SELECT id FROM {NAME}") == [{"id": 7}]
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME} VERSION AS OF 1") == [{"n": 3}]
    history = rows(engine, f"DESCRIBE HISTORY {NAME}")
    assert [h["version"] for h in history] == [2, 1, 0]
    assert history[0]["operationParameters"] == [("mode", "Overwrite")]


def test_emulator_dml_is_seen_at_once(cat, engine):
    write(cat, [1, 2])
    settle()
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME}") == [{"n": 2}]
    rows(engine, f"INSERT INTO {NAME} VALUES (5)")
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME}") == [{"n": 3}]
    rows(engine, f"DELETE FROM {NAME} WHERE id < 3")
    assert rows(engine, f"SELECT id FROM {NAME}") == [{"id": 5}]
    assert rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")[0]["operation"] == "DELETE"


def test_drop_and_recreate_is_seen_at_once(cat, engine):
    write(cat, [1, 2])
    write(cat, [3])
    settle()
    old = cat.snapshot(REF)
    assert cat.snapshot(REF, 1) is not None and rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")[0]["version"] == 1
    shutil.rmtree(cat.path(REF))
    with pytest.raises(CatalogError) as e:
        cat.snapshot(REF)
    assert e.value.error_class == "TABLE_OR_VIEW_NOT_FOUND"
    write_deltalake(cat.path(REF), pa.table({"name": ["x"]}))   # same name, new table
    new = cat.snapshot(REF)
    assert (new.version, new.schema.names) == (0, ["name"]) and new.table_id != old.table_id
    with pytest.raises(CatalogError) as e:
        cat.snapshot(REF, 1)
    assert e.value.error_class == "DELTA_VERSION_NOT_FOUND"
    assert rows(engine, f"SELECT name FROM {NAME}") == [{"name": "x"}]
    assert [h["version"] for h in rows(engine, f"DESCRIBE HISTORY {NAME} LIMIT 1")] == [0]


def test_log_cleanup_is_seen(cat):
    write(cat, [1], configuration={"delta.logRetentionDuration": "interval 0 seconds"})
    write(cat, [2])
    write(cat, [3])
    settle()
    assert cat.snapshot(REF, 0).version == 0
    assert cat.snapshot(REF, 0).version == 0 and cat.log_cache.hits == 1
    dt = DeltaTable(cat.path(REF))
    dt.create_checkpoint()
    dt.cleanup_metadata()
    with pytest.raises(CatalogError) as e:
        cat.snapshot(REF, 0)
    assert e.value.error_class == "DELTA_VERSION_NOT_FOUND"


def test_data_files_are_checked_on_every_statement(cat, engine):
    """A cached snapshot still fails a read when its files are gone (the log did not change)."""
    write(cat, [1, 2])
    settle()
    assert rows(engine, f"SELECT count(*) AS n FROM {NAME}") == [{"n": 2}]
    before = builds(cat)
    for p in cat.snapshot(REF).files:
        os.remove(p)
    with pytest.raises(SQLError) as e:
        rows(engine, f"SELECT count(*) AS n FROM {NAME}")
    assert e.value.error_class == "DELTA_FILE_NOT_FOUND_DETAILED"
    assert builds(cat) == before   # the snapshot came from the cache


def test_value_read_while_the_log_changed_is_not_stored(cat):
    write(cat, [1])
    settle()
    calls = []

    def build_during_write():
        calls.append(1)
        write(cat, [len(calls) + 1])   # the log changes while the value is read
        return len(calls)

    assert cat.log_cache.get(cat.path(REF), ("probe",), build_during_write) == 1
    settle()
    assert cat.log_cache.get(cat.path(REF), ("probe",), build_during_write) == 2
    assert cat.log_cache.hits == 0


def test_errors_are_not_stored(cat):
    write(cat, [1])
    settle()
    for _ in range(2):
        with pytest.raises(CatalogError):
            cat.snapshot(REF, 1)
    assert builds(cat) == 2
    write(cat, [2])
    assert cat.snapshot(REF, 1).version == 1


def test_threads_see_commits_in_order(cat):
    """Readers on many threads while another thread commits: no reader ever sees an older version
    after a newer one, and all end on the last commit."""
    write(cat, [0])
    settle()
    commits = 12
    done = threading.Event()
    seen: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def reader(k: int):
        out = seen.setdefault(k, [])
        try:
            while not done.is_set():
                out.append(cat.snapshot(REF).version)
            settle()
            out.append(cat.snapshot(REF).version)
        except BaseException as e:  # surfaced by the assertions below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for v in range(1, commits + 1):
        time.sleep(SETTLE * (2 if v % 3 == 0 else 0.2))   # some states settle and are cached
        write(cat, [v])
    done.set()
    for t in threads:
        t.join()
    assert not errors, errors
    for out in seen.values():
        assert out == sorted(out), out
        assert out[-1] == commits
    assert cat.log_cache.hits > 0
    final = cat.snapshot(REF)
    assert final.version == commits and len(final.files) == commits + 1
