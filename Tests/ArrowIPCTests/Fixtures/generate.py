#!/usr/bin/env python3
"""Generates the ArrowIPC test fixtures with pyarrow (the reference implementation), lz4 and duckdb.

Run from the repo root:  .venv/bin/python Tests/ArrowIPCTests/Fixtures/generate.py
Writes next to this script. Deterministic: the same inputs give the same bytes.
"""
import os

import lz4.frame

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def lz4_fixtures():
    # Three independent frames, as Databricks sends them: one with block + content checksums
    # (FLG 0x74), one without (FLG 0x60), one empty; 4 MiB blocks (BD 0x70).
    parts = [
        bytes((i * 7 + i // 251) % 256 for i in range(70_000)),
        b"arrow ipc message body " * 3000,
        b"",
    ]
    frames = [
        lz4.frame.compress(parts[0], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=True,
                           block_checksum=True, block_linked=False),
        lz4.frame.compress(parts[1], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=False,
                           block_linked=False),
        lz4.frame.compress(parts[2], block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=True),
    ]
    write("lz4-frames.bin", b"".join(frames))
    write("lz4-frames.plain", b"".join(parts))


if __name__ == "__main__":
    lz4_fixtures()
