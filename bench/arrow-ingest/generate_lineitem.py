#!/usr/bin/env python3
"""Writes a TPC-H lineitem-shaped table as an Arrow IPC stream (122,880-row batches, like Databricks'
chunks) and as Parquet, for the ingest benchmark. Not committed: generated into a scratch directory.

  .venv/bin/python bench/arrow-ingest/generate_lineitem.py --rows 6000000 --out /tmp/dbduck-bench
"""
import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

BATCH = 122_880


def lineitem(rows, start, rng):
    order = (np.arange(start, start + rows, dtype=np.int64) // 4) + 1
    price = rng.integers(90_000, 10_500_000, rows)
    flags = np.array(["A", "N", "R"])[rng.integers(0, 3, rows)]
    status = np.array(["F", "O"])[rng.integers(0, 2, rows)]
    instruct = np.array(["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"])[rng.integers(0, 4, rows)]
    mode = np.array(["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"])[rng.integers(0, 7, rows)]
    words = np.array(["carefully", "final", "deposits", "sleep", "furiously", "quick", "packages", "ironic",
                      "pending", "requests", "blithely", "regular", "accounts", "express", "even"])
    comment = [" ".join(words[rng.integers(0, 15, 4)]) for _ in range(rows)]
    ship = rng.integers(8035, 10591, rows).astype(np.int32)
    dec = pa.decimal128(15, 2)

    def cents(unscaled):
        # decimal128(15, 2) from unscaled non-negative integers: low 64 bits = value, high = 0.
        words = np.zeros((len(unscaled), 2), dtype="<i8")
        words[:, 0] = unscaled
        return pa.Array.from_buffers(dec, len(unscaled), [None, pa.py_buffer(words.tobytes())])
    return pa.record_batch({
        "l_orderkey": pa.array(order),
        "l_partkey": pa.array(rng.integers(1, 200_000, rows)),
        "l_suppkey": pa.array(rng.integers(1, 10_000, rows)),
        "l_linenumber": pa.array((np.arange(start, start + rows) % 4 + 1).astype(np.int32)),
        "l_quantity": cents(rng.integers(1, 51, rows) * 100),
        "l_extendedprice": cents(price),
        "l_discount": cents(rng.integers(0, 11, rows)),
        "l_tax": cents(rng.integers(0, 9, rows)),
        "l_returnflag": pa.array(flags),
        "l_linestatus": pa.array(status),
        "l_shipdate": pa.array(ship, pa.int32()).cast(pa.date32()),
        "l_commitdate": pa.array(ship + 30, pa.int32()).cast(pa.date32()),
        "l_receiptdate": pa.array(ship + 15, pa.int32()).cast(pa.date32()),
        "l_shipinstruct": pa.array(instruct),
        "l_shipmode": pa.array(mode),
        "l_comment": pa.array(comment),
    })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--out", default="/tmp/dbduck-bench")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(42)
    arrow_path = os.path.join(args.out, "lineitem.arrows")
    parquet_path = os.path.join(args.out, "lineitem.parquet")
    writer = parquet = None
    done = 0
    with pa.OSFile(arrow_path, "wb") as sink:
        while done < args.rows:
            rows = min(BATCH, args.rows - done)
            batch = lineitem(rows, done, rng)
            if writer is None:
                writer = ipc.new_stream(sink, batch.schema)
                parquet = pq.ParquetWriter(parquet_path, batch.schema)
            writer.write_batch(batch)
            parquet.write_batch(batch, row_group_size=BATCH)
            done += rows
        writer.close()
        parquet.close()
    print(f"{arrow_path}: {os.path.getsize(arrow_path) / 1e9:.2f} GB; {parquet_path}: "
          f"{os.path.getsize(parquet_path) / 1e9:.2f} GB; {done} rows")


if __name__ == "__main__":
    main()
