"""Values read from a Delta table's log (a snapshot's files, its history), reused while the log is
unchanged, so a statement need not open the table again (deltalake re-reads the whole log).

A table's log state is named by the stat of its `_delta_log` directory: device, inode, mtime and
ctime. Every change a Delta writer makes there (a new commit or checkpoint, the log cleanup, a
DROP that removes the directory and a CREATE that makes a new one) adds, renames or removes a
directory entry, which sets the directory's ctime to the current time; log files themselves are
never rewritten in place. Writes to the data files (VACUUM) leave the log alone: what is cached are
the log's values, and readers still check the data files on every statement.

A timestamp only tells changes apart when they are further apart than the file system's clock tick,
so a value is stored only when the log had been still for SETTLE_SECONDS when its stat was taken,
before the value was read. Any later change, during the read or after it, gets a ctime after that
stat, different from the stored one, so the value is served only while the log is exactly as it
was read. (This assumes the system clock does not step back by more than SETTLE_SECONDS.)

Values must be immutable (frozen dataclasses, tuples, Arrow tables): threads share them.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional, TypeVar

T = TypeVar("T")

SETTLE_SECONDS = 2.0


def log_state(table_path: str) -> Optional[tuple]:
    """What names the current state of the table's log; None when it has no `_delta_log`."""
    try:
        st = os.stat(os.path.join(table_path, "_delta_log"))
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


class LogCache:
    def __init__(self, capacity: int = 1024, settle_seconds: float = SETTLE_SECONDS):
        self.capacity = capacity
        self.settle_ns = int(settle_seconds * 1e9)
        self._lock = threading.Lock()
        self._entries: "OrderedDict[tuple, tuple]" = OrderedDict()   # key -> (log state, value)
        self.hits = 0
        self.builds = 0

    def get(self, table_path: str, key: tuple, build: Callable[[], T]) -> T:
        """The value `build()` reads from the table at `table_path`, from the cache while the log is
        unchanged. `key` names what is read (the table path is added to it); `build` raises as
        it would uncached (nothing is stored then)."""
        full = (table_path,) + key
        now = time.time_ns()
        state = log_state(table_path)
        if state is not None:
            with self._lock:
                e = self._entries.get(full)
                if e is not None and e[0] == state:
                    self._entries.move_to_end(full)
                    self.hits += 1
                    return e[1]
        with self._lock:
            self.builds += 1
        value = build()
        if state is not None and max(state[2], state[3]) < now - self.settle_ns:
            with self._lock:
                self._entries[full] = (state, value)
                self._entries.move_to_end(full)
                while len(self._entries) > self.capacity:
                    self._entries.popitem(last=False)
        return value
