"""The untimed pass before the first timed run, so that run does not alone pay the emulator's cold
start (Delta log, Parquet files into the page cache)."""

from __future__ import annotations

import os
import subprocess

from .config import PEERS, ROOT, TABLE, TARGET, VENV_PY, log
from .plans import Context
from .runner import remove_output
from .warehouse import EmulatorProcess, client_env


def warm_up(emu: EmulatorProcess, ctx: Context, logs: str) -> None:
    """One untimed `SELECT *` with every chunk downloaded. With the result cache on, dbduck's own
    statement (it names its columns) runs once as well, so the first timed dbduck run is served
    from the cache like the peers' `SELECT *`."""
    cmds = [("limit_download", [VENV_PY, os.path.join(PEERS, "limit_download.py"), "--table", TABLE, "--target",
                                TARGET, "--parallelism", str(ctx.parallelism), "--chunk-size", str(ctx.chunk_size)])]
    warm_copy = os.path.join(ctx.work, "warm-up.duckdb")
    if emu.result_cache and ctx.dbduck.available:
        cmds.append(("dbduck", [ctx.dbduck.path, "replicate", TABLE, "--to", warm_copy, "--strategy", "streaming",
                                *ctx.tls_args]))
    env = client_env(emu)
    for name, cmd in cmds:
        with open(os.path.join(logs, f"warm-up-{name}.err"), "w") as err:
            done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        log(f"warm-up ({name}): " + ("done" if done.returncode == 0
                                     else f"failed (exit {done.returncode}), see logs/warm-up-{name}.err"))
    remove_output(warm_copy)
