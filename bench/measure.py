"""Run one command and measure it: wall seconds and peak resident memory of its process tree.

    python bench/measure.py --out RESULT.json [--timeout S] [--stdout FILE] [--stderr FILE] -- CMD ARGS...

This wrapper is its own process so that `getrusage(RUSAGE_CHILDREN)` sees exactly one run: the
kernel's `ru_maxrss` is the high-water mark of the largest process among the waited-for
descendants. A sampler thread also sums the RSS of the whole tree (every 20 ms, from /proc) so a
peer that forks workers is not under-reported; the larger of the two is `peak_rss_bytes`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_map() -> dict[int, list[int]]:
    """ppid -> [pid] for every process we can see (one pass over /proc)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        rest = stat[stat.rfind(b")") + 2:].split()
        try:
            ppid = int(rest[1])
        except (IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _tree_rss(root: int) -> int:
    kids = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(kids.get(pid, ()))
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="write the measurement here as JSON")
    ap.add_argument("--timeout", type=float, default=0, help="kill the tree after this many seconds (0 = never)")
    ap.add_argument("--stdout", help="file for the command's stdout (default: inherit)")
    ap.add_argument("--stderr", help="file for the command's stderr (default: inherit)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given")

    out = open(a.stdout, "wb") if a.stdout else None
    err = open(a.stderr, "wb") if a.stderr else None
    start = time.perf_counter()
    # Own process group, so a timeout (or our own death) can take the whole tree down.
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            peak_tree = max(peak_tree, _tree_rss(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def forward(signum, frame):  # Ctrl-C or TERM of the harness: stop the measured tree too
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    timed_out = False
    try:
        code = proc.wait(timeout=a.timeout or None)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        code = proc.wait()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    # Grandchildren left in the group would keep pipes open; the run is over, so end them.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    ru_maxrss = usage.ru_maxrss * 1024  # Linux reports KiB
    result = {
        "exit_code": code,
        "timed_out": timed_out,
        "seconds": seconds,
        "peak_rss_bytes": max(ru_maxrss, peak_tree),
        "ru_maxrss_bytes": ru_maxrss,
        "sampled_tree_peak_rss_bytes": peak_tree,
        "user_cpu_seconds": usage.ru_utime,
        "system_cpu_seconds": usage.ru_stime,
    }
    with open(a.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
