"""The peer benchmark: dbduck's four strategies and the Python alternatives, side by side, in one
run against one warehouse emulator and the same data. Started by `bench/run` (see bench/README.md).

Steps (each in its module under bench/peerbench/): seed the emulator's sample data once per scale
(seeding), export the same rows to a local Parquet file for limit-parquet-ingest and the expected
fingerprint (copycheck), start one emulator (warehouse), run every peer as its own measured
subprocess (plans, runner, repeats), check each DuckDB copy, stop the emulator, and write
bench/results/latest.json and latest.md (ratios, targets, report, main).
"""

from __future__ import annotations

import signal
import sys

from peerbench.main import main

if __name__ == "__main__":
    def _term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _term)
    sys.exit(main())
