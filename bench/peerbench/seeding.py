"""The data every run copies, made once per scale and cached: the emulator's sample workspace
(bench/data/scale-S/workspace) and the same lineitem rows as a local Parquet file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time

from .config import ROOT, TABLE, VENV_PY, log, scale_tag


def file_digest(*paths: str) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def seeded_data(data_root: str, scale: float) -> str:
    """bench/data/scale-S: the emulator's sample workspace at scale S, seeded once. Reseeded when
    emulator/seed.py changes (the marker records its digest)."""
    d = os.path.join(data_root, f"scale-{scale_tag(scale)}")
    marker = os.path.join(d, ".seeded.json")
    digest = file_digest(os.path.join(ROOT, "emulator", "seed.py"))
    if os.path.exists(marker):
        with open(marker) as f:
            m = json.load(f)
        if m.get("seed_digest") == digest:
            return d
    log(f"seeding {TABLE} at scale {scale_tag(scale)} into {os.path.relpath(d, ROOT)} (once)")
    ws = os.path.join(d, "workspace")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.perf_counter()
    out = subprocess.run([VENV_PY, "-m", "emulator", "seed", "--data", ws, "--scale", str(scale)],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    info = {"seed_digest": digest, "seconds": round(time.perf_counter() - t0, 2)}
    try:
        info["seed"] = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    with open(marker, "w") as f:
        json.dump(info, f)
    return d


# Runs in the venv's interpreter (deltalake and pyarrow live there, not necessarily here).
EXPORT = r"""
import sys, pyarrow.parquet as pq
from deltalake import DeltaTable
ds = DeltaTable(sys.argv[1]).to_pyarrow_dataset()
with pq.ParquetWriter(sys.argv[2] + ".part", ds.schema) as w:
    for b in ds.to_batches(batch_size=122880):
        w.write_batch(b)
import os; os.replace(sys.argv[2] + ".part", sys.argv[2])
"""


def parquet_export(d: str) -> str:
    """The same rows as a local Parquet file, read straight from the seeded Delta table."""
    path = os.path.join(d, "lineitem.parquet")
    if not os.path.exists(path):
        log("exporting the same rows to a local Parquet file (once)")
        subprocess.run([VENV_PY, "-c", EXPORT, os.path.join(d, "workspace", "samples", "tpch", "lineitem"), path],
                       check=True)
    return path
