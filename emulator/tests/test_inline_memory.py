"""An INLINE result's first MEMORY_RESULT_BYTES stay in memory instead of chunk files; what a client
reads back (rows, row and byte counts) is the same as from files."""

from __future__ import annotations

import os
import threading

import pyarrow as pa

from emulator import results
from emulator.queryresult import QueryResult
from emulator.results import read_json_chunk, write_result


def _table(rows: int) -> pa.Table:
    return pa.table({"id": pa.array(range(rows), pa.int64()),
                     "s": pa.array([f'row "{i}" \\ \u2028 ü {"x" * (i % 50)}' for i in range(rows)]),
                     "f": pa.array([i / 7 if i % 5 else None for i in range(rows)], pa.float64())})


def _write(tmp_path, name: str, table: pa.Table, in_memory: bool, chunk_rows=1000):
    out = str(tmp_path / name)
    rs = write_result(QueryResult.of_table(table), out, "JSON_ARRAY", False, chunk_rows, None, None, "Etc/UTC",
                      False, threading.Event(), inline=True, in_memory=in_memory)
    return out, rs


def _shape(rs) -> list:
    return [(c.index, c.row_offset, c.row_count, c.byte_count, c.wire_bytes) for c in rs.chunks]


def test_small_result_has_no_files(tmp_path):
    table = _table(30)
    out, rs = _write(tmp_path, "mem", table, True)
    assert not os.path.exists(out)   # not even the directory
    ref_out, ref = _write(tmp_path, "files", table, False)
    assert _shape(rs) == _shape(ref) and rs.total_bytes == ref.total_bytes
    assert [c.data for c in ref.chunks] == [None]
    with open(ref.chunks[0].path, "rb") as f:
        assert rs.chunks[0].data == f.read()
    assert read_json_chunk(rs.chunks[0]) == read_json_chunk(ref.chunks[0])
    assert read_json_chunk(rs.chunks[0])[3] == ["3", 'row "3" \\ \u2028 ü xxx', "0.42857142857142855"]


def test_large_result_spills_to_files_past_the_budget(tmp_path):
    table = _table(12000)
    out, rs = _write(tmp_path, "mem", table, True)
    _, ref = _write(tmp_path, "files", table, False)
    assert _shape(rs) == _shape(ref) and len(rs.chunks) == 12
    kept = [c for c in rs.chunks if c.data is not None]
    assert kept and kept == rs.chunks[:len(kept)] and len(kept) < len(rs.chunks)
    assert sum(len(c.data) for c in kept) <= results.MEMORY_RESULT_BYTES
    assert sorted(os.listdir(out)) == sorted(f"chunk-{c.index}" for c in rs.chunks[len(kept):])
    for a, b in zip(rs.chunks, ref.chunks):
        assert read_json_chunk(a) == read_json_chunk(b)


def test_one_chunk_larger_than_the_budget_is_a_file(tmp_path):
    table = _table(12000)
    out, rs = _write(tmp_path, "mem", table, True, chunk_rows=12000)
    assert [c.data for c in rs.chunks] == [None] and os.listdir(out) == ["chunk-0"]
    assert os.path.getsize(rs.chunks[0].path) == rs.chunks[0].byte_count
