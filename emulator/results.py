"""Writing a statement's result as chunk files, streaming, one batch in memory at a time.

ARROW_STREAM chunk = one Arrow IPC stream (schema, batches, EOS); with LZ4_FRAME every IPC message
is its own independent LZ4 frame (docs/databricks-api.md, "Result formats and compression").
JSON_ARRAY chunk = a JSON array of rows of strings/null. CSV chunk = RFC 4180 rows, header only in chunk 0, NULL as `null`.
"""

from __future__ import annotations

import collections
import concurrent.futures
import io
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Optional

import lz4.frame
import pyarrow as pa

from .queryresult import QueryResult
from .sqlerrors import Canceled, SQLError
from .textout import csv_rows, json_rows
from .wire import WireSchema

EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"
INLINE_LIMIT = 25 * 1024 * 1024


@dataclass
class Chunk:
    index: int
    row_offset: int
    row_count: int
    byte_count: int      # uncompressed bytes (manifest)
    wire_bytes: int      # bytes of the file as served
    path: str
    data: Optional[bytes] = None   # the chunk's bytes when kept in memory (no file at `path`)


@dataclass
class ResultSet:
    format: str
    compressed: bool
    ws: Optional[WireSchema]
    chunks: list[Chunk] = field(default_factory=list)
    total_rows: int = 0
    total_bytes: int = 0
    truncated: bool = False

    @property
    def is_ddl(self) -> bool:
        return self.ws is None


def _lz4(data) -> bytes:
    """One independent LZ4 frame with the header Databricks writes: FLG 0x74 (independent blocks,
    block and content checksums), BD 0x70 (4 MiB blocks). The streaming compressor keeps BD fixed;
    the one-shot API would shrink the block size for small messages."""
    c = lz4.frame.LZ4FrameCompressor(block_size=lz4.frame.BLOCKSIZE_MAX4MB, block_linked=False,
                                     content_checksum=True, block_checksum=True)
    return c.begin() + c.compress(data) + c.flush()


# A warehouse writes result files on many executors at once; compressing every message on the one
# Python thread made the emulator's statement time (which every client waits for) twice what the
# machine can do. lz4 releases the GIL, so a small pool compresses messages in parallel; they are
# written in order, at most _COMPRESS_AHEAD messages in memory per writer.
_COMPRESS_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2),
                                                       thread_name_prefix="lz4")
_COMPRESS_AHEAD = 4


class _ArrowWriter:
    def __init__(self, path: str, ws: WireSchema, compress: bool):
        self.f = _open_file(path, "wb")
        self.compress = compress
        self.raw = 0
        self.wire = 0
        self.pending = collections.deque()
        self._msg(ws.arrow_schema().serialize())

    def _msg(self, buf):
        self.raw += len(buf)
        if not self.compress:
            self._write(buf)
            return
        self.pending.append(_COMPRESS_POOL.submit(_lz4, buf))
        while len(self.pending) > _COMPRESS_AHEAD:
            self._write(self.pending.popleft().result())

    def _write(self, data):
        self.wire += len(data)
        self.f.write(data)

    def _drain(self):
        while self.pending:
            self._write(self.pending.popleft().result())

    def write(self, batch: pa.RecordBatch, ws: WireSchema):
        self._msg(ws.arrow_batch(batch).serialize())

    def close(self):
        self._msg(EOS)
        self._drain()
        self.f.close()


# Up to this many bytes of an INLINE result stay in memory: it is only ever read back into the
# response, and a file costs more (create, write, read, delete) than making the rest of a small result.
MEMORY_RESULT_BYTES = 256 * 1024


class _JsonWriter:
    def __init__(self, path: str, ws: WireSchema, compress: bool, memory_limit: int = 0):
        """memory_limit > 0: the chunk is kept in memory (`data`) when it is no larger."""
        self.path = path
        self.memory_limit = memory_limit
        self.f = io.StringIO() if memory_limit > 0 else _open_file(path, "w", encoding="utf-8")
        self.f.write("[")
        self.first = True
        self.data: Optional[bytes] = None

    def write(self, batch: pa.RecordBatch, ws: WireSchema):
        text = json_rows(batch, ws)
        if text:
            self.f.write(("" if self.first else ",") + text)
            self.first = False

    def close(self):
        self.f.write("]")
        if isinstance(self.f, io.StringIO):
            data = self.f.getvalue().encode("utf-8")
            self.f.close()
            self.raw = self.wire = len(data)
            if len(data) <= self.memory_limit:
                self.data = data
            else:
                with _open_file(self.path, "wb") as f:
                    f.write(data)
            return
        self.f.close()
        self.raw = self.wire = os.path.getsize(self.f.name)


def _open_file(path: str, mode: str, **kw):
    """A chunk file, its result directory made on first use."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return open(path, mode, **kw)


def _csv_field(v) -> str:
    if v is None:
        return "null"
    if any(c in v for c in ',"\r\n') or v == "" or v[0] in " \t" or v[-1] in " \t":
        return '"' + v.replace('"', '""') + '"'
    return v


class _CsvWriter:
    def __init__(self, path: str, ws: WireSchema, compress: bool, header: bool):
        self.f = _open_file(path, "w", encoding="utf-8", newline="")
        if header:
            self.f.write(",".join(_csv_field(n) for n in ws.names) + "\r\n")

    def write(self, batch: pa.RecordBatch, ws: WireSchema):
        self.f.write(csv_rows(batch, ws))

    def close(self):
        self.f.close()
        self.raw = self.wire = os.path.getsize(self.f.name)


def write_result(qr: QueryResult, out_dir: str, fmt: str, compress: bool, chunk_rows,
                 row_limit: Optional[int], byte_limit: Optional[int], tz: str, nested_json: bool,
                 cancel: threading.Event, inline: bool, batch_rows: int = 32768,
                 in_memory: bool = False) -> ResultSet:
    """Consume `qr` and write its chunk files into out_dir (made when the first file is written).
    `chunk_rows` is an int or a list of sizes used in turn (chunk i holds sizes[i % len(sizes)]
    rows), so chunk sizes can vary. `in_memory`: the result is only read back for INLINE
    responses, so its first MEMORY_RESULT_BYTES stay in memory (Chunk.data)."""
    sizes = list(chunk_rows) if isinstance(chunk_rows, (list, tuple)) else [int(chunk_rows)]
    if qr.is_ddl:
        return ResultSet(fmt, False, None)
    it = iter(qr.batches or ())
    first = next(it, None)
    ws = WireSchema(qr.schema, tz, qr.variant_names, qr.hugeint_columns, nested_json, first, qr.not_null)
    rs = ResultSet(fmt, compress and fmt == "ARROW_STREAM", ws)
    writer = None
    cur_rows = 0
    internal_bytes = 0
    memory_left = MEMORY_RESULT_BYTES if in_memory else 0

    def open_chunk():
        idx = len(rs.chunks)
        path = os.path.join(out_dir, f"chunk-{idx}")
        if fmt == "ARROW_STREAM":
            w = _ArrowWriter(path, ws, rs.compressed)
        elif fmt == "CSV":
            w = _CsvWriter(path, ws, False, header=(idx == 0))
        else:
            w = _JsonWriter(path, ws, False, memory_limit=memory_left)
        rs.chunks.append(Chunk(idx, rs.total_rows, 0, 0, 0, path))
        return w

    def close_chunk(w):
        nonlocal memory_left
        w.close()
        c = rs.chunks[-1]
        c.byte_count = w.raw
        c.wire_bytes = w.wire
        c.data = getattr(w, "data", None)
        if c.data is not None:
            memory_left -= len(c.data)

    def source():
        if first is not None:
            yield first
        yield from it

    try:
        done = False
        for raw in source():
            if cancel.is_set():
                raise Canceled()
            if raw.num_rows == 0:
                continue
            try:
                batch = ws.convert(raw)
            except (pa.ArrowInvalid, OverflowError) as e:
                raise SQLError("ARITHMETIC_OVERFLOW",
                               f"[ARITHMETIC_OVERFLOW] {str(e).splitlines()[0]}. Use try_cast or a wider type.",
                               "22003")
            if row_limit is not None and rs.total_rows + batch.num_rows > row_limit:
                batch = batch.slice(0, row_limit - rs.total_rows)
                rs.truncated = True
                done = True
            if byte_limit is not None and batch.num_rows:
                per_row = max(1, batch.nbytes // batch.num_rows)
                room = byte_limit - internal_bytes
                if batch.nbytes > room:
                    batch = batch.slice(0, max(0, room // per_row))
                    rs.truncated = True
                    done = True
            internal_bytes += batch.nbytes
            if inline and internal_bytes > INLINE_LIMIT:
                raise SQLError("INLINE_RESULT_TOO_LARGE",
                               "[INLINE_RESULT_TOO_LARGE] The result of this statement exceeds the INLINE "
                               "disposition limit of 25 MiB. Use the EXTERNAL_LINKS disposition for large results.",
                               "54000", "BAD_REQUEST")
            off = 0
            while off < batch.num_rows:
                if writer is None:
                    writer = open_chunk()
                    cur_rows = 0
                limit = sizes[(len(rs.chunks) - 1) % len(sizes)]
                take = min(batch.num_rows - off, limit - cur_rows, batch_rows)
                part = batch.slice(off, take)
                writer.write(part, ws)
                off += take
                cur_rows += take
                rs.total_rows += take
                rs.chunks[-1].row_count += take
                if cur_rows >= limit:
                    close_chunk(writer)
                    writer = None
            if done:
                if row_limit is not None and rs.total_rows >= row_limit and not rs.truncated:
                    rs.truncated = True
                break
        if row_limit is not None and not rs.truncated and rs.total_rows == row_limit:
            # LIMIT reached exactly: truncated only if more rows exist
            nxt = next(it, None)
            while nxt is not None and nxt.num_rows == 0:
                nxt = next(it, None)
            rs.truncated = nxt is not None
        if writer is not None:
            close_chunk(writer)
            writer = None
    finally:
        if writer is not None:
            try:
                writer.f.close()
            except Exception:
                pass
        qr.close()
    rs.total_bytes = sum(c.byte_count for c in rs.chunks)
    return rs


def read_json_chunk(c: Chunk) -> list:
    if c.data is not None:
        return json.loads(c.data)
    with open(c.path, "r", encoding="utf-8") as f:
        return json.load(f)
