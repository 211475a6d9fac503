"""Short runs are run again, in rotation, and the fastest successful attempt is the result."""

from __future__ import annotations

from .config import log
from .plans import Plan
from .runner import Runner
from .runrecord import RunRecord


def repeat_short_runs(chosen: list[Plan], runs: list[RunRecord], runner: Runner, repeats: int,
                      under: float) -> None:
    """Runs that took under `under` seconds run `repeats` times in all, in rotation (every such run
    once, then again), and the fastest successful attempt replaces runs[i]: on a shared machine the
    least disturbed attempt is the closest to what the code costs, and rotation gives every run the
    same chances. Every attempt's seconds are kept, and peak RSS is the highest of the attempts
    (memory is not given the same benefit of the doubt). chosen[i] is the plan of runs[i]."""
    short = [i for i, r in enumerate(runs) if r.ok and (r.seconds or 1e9) < under]
    for i in short:
        runs[i].attempts_seconds = [runs[i].seconds]
        runs[i].attempts_peak_rss_bytes = [runs[i].peak_rss_bytes]
    for attempt in range(2, repeats + 1):
        for i in short:
            log(f"{chosen[i].name}: attempt {attempt} of {repeats}")
            again = runner.run(chosen[i])
            seconds = runs[i].attempts_seconds + [again.seconds]
            rss = runs[i].attempts_peak_rss_bytes + [again.peak_rss_bytes or 0]
            failed = runs[i].failed_attempts
            if again.ok and again.seconds < runs[i].seconds:
                runs[i] = again
            elif not again.ok:
                failed = failed + [again.reason or again.status]
            runs[i].failed_attempts = failed
            runs[i].attempts_seconds = seconds
            runs[i].attempts_peak_rss_bytes = rss
            runs[i].peak_rss_bytes = max(rss)
            runs[i].best_of = len(seconds)
