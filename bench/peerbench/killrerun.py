"""An interrupted copy and its rerun, as one measured command:

    python bench/peerbench/killrerun.py --total-bytes N [--fraction 0.9] --logs DIR -- DBDUCK ARGS...

starts the copy, kills it with SIGKILL once the emulator has sent `fraction` of the copy's N
storage bytes (its /admin/stats download_bytes, counted as each download starts), then runs the
same command again to the end. Prints one JSON line: each run's wall seconds, where the kill
landed, and the rerun's --json summary. Exits with the rerun's status (3 when nothing was killed).
Standard library only: it runs as a script under bench/measure.py and is imported by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from typing import Callable, Optional

# Often enough to land within one result chunk of the kill point at the bench's download rates.
POLL_SECONDS = 0.02
NOT_KILLED = 3


def kill_at_bytes(total_bytes: int, fraction: float) -> int:
    """The download count at which the copy is killed: `fraction` of its bytes, at least one byte."""
    if total_bytes <= 0:
        raise ValueError("the copy's total bytes must be positive (measure an uninterrupted copy first)")
    if not 0 < fraction < 1:
        raise ValueError(f"the kill fraction must be between 0 and 1, not {fraction}")
    return max(1, int(total_bytes * fraction))


def emulator_stats(host: str, token: str, ca_file: Optional[str]) -> Callable[[], dict]:
    """GET /admin/stats of the emulator the environment points at."""
    ctx = ssl.create_default_context(cafile=ca_file) if ca_file else None

    def read() -> dict:
        req = urllib.request.Request(host.rstrip("/") + "/admin/stats", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return json.load(r)
    return read


def run_until(cmd: list[str], downloaded: Callable[[], int], kill_at: int, out, err,
              poll: float = POLL_SECONDS) -> dict:
    """Runs cmd and kills it (SIGKILL) once downloaded() reaches kill_at. Returns wall seconds,
    whether it was killed, the bytes downloaded when it was, and its exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err)
    killed_at: Optional[int] = None
    try:
        while proc.poll() is None:
            got = downloaded()
            if got >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = got
                break
            time.sleep(poll)
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return {"seconds": round(time.perf_counter() - t0, 3), "killed": killed_at is not None,
            "downloaded_at_kill": killed_at, "exit_code": code}


def run_to_end(cmd: list[str], out, err) -> dict:
    t0 = time.perf_counter()
    code = subprocess.run(cmd, stdout=out, stderr=err).returncode
    return {"seconds": round(time.perf_counter() - t0, 3), "exit_code": code}


def summary(first: dict, second: Optional[dict], total_bytes: int, fraction: float, rerun_doc: Optional[dict]) -> dict:
    """What the command prints: both runs, where the kill landed, and the rerun's table outcome."""
    out: dict = {"total_bytes": total_bytes, "kill_fraction_wanted": fraction, "first": first, "second": second}
    if first.get("downloaded_at_kill") is not None:
        out["kill_fraction"] = round(first["downloaded_at_kill"] / total_bytes, 4)
    if second is not None:
        out["total_seconds"] = round(first["seconds"] + second["seconds"], 3)
    tables = (rerun_doc or {}).get("tables")
    if isinstance(tables, list) and tables:
        t = tables[0]
        out["rerun"] = {k: t.get(k) for k in ("status", "rows", "bytes", "seconds", "resumeNote") if k in t}
    return out


def last_json(path: str) -> Optional[dict]:
    """dbduck --json prints one pretty document last on stdout."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    start = text.rfind("\n{")
    try:
        return json.loads(text[start + 1 if start >= 0 else 0:])
    except ValueError:
        return None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--total-bytes", type=int, required=True, help="storage bytes of one uninterrupted copy")
    ap.add_argument("--fraction", type=float, default=0.9)
    ap.add_argument("--logs", required=True, help="directory for each run's stdout and stderr")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    kill_at = kill_at_bytes(a.total_bytes, a.fraction)
    stats = emulator_stats(os.environ["DATABRICKS_HOST"], os.environ["DATABRICKS_TOKEN"], os.environ.get("BENCH_CA_FILE"))
    before = int(stats()["download_bytes"])
    os.makedirs(a.logs, exist_ok=True)
    paths = {k: os.path.join(a.logs, k) for k in ("killed.out", "killed.err", "rerun.out", "rerun.err")}
    with open(paths["killed.out"], "w") as out, open(paths["killed.err"], "w") as err:
        first = run_until(cmd, lambda: int(stats()["download_bytes"]) - before, kill_at, out, err)
    if not first["killed"]:
        print(json.dumps(summary(first, None, a.total_bytes, a.fraction, None)))
        print(f"the copy ended (exit {first['exit_code']}) before {kill_at} bytes were downloaded: nothing was "
              "interrupted; check --total-bytes against an uninterrupted copy", file=sys.stderr)
        return NOT_KILLED
    with open(paths["rerun.out"], "w") as out, open(paths["rerun.err"], "w") as err:
        second = run_to_end(cmd, out, err)
    print(json.dumps(summary(first, second, a.total_bytes, a.fraction, last_json(paths["rerun.out"]))))
    if second["exit_code"] != 0:
        with open(paths["rerun.err"]) as f:
            sys.stderr.write(f.read()[-2000:])
    return second["exit_code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
