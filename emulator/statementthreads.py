"""Threads that run statements. Each statement starts at once on a thread of its own (never queued
behind another), but a thread that finished one waits a while for the next: starting a thread costs
more CPU than the whole of a small statement's own work."""

from __future__ import annotations

import queue
import threading
from typing import Callable


class StatementThreads:
    def __init__(self, idle_seconds: float = 30.0):
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue] = []   # inboxes of threads waiting for work
        self.started = 0

    def start(self, fn: Callable[[], None], name: str) -> None:
        """Runs fn() on an idle thread, or a new one if none is idle."""
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
            if inbox is None:
                self.started += 1
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), daemon=True, name=name).start()
        inbox.put((fn, name))

    def _serve(self, inbox: queue.SimpleQueue) -> None:
        fn, name = inbox.get()
        while True:
            threading.current_thread().name = name
            fn()   # statements handle their own errors; if one escapes, this thread ends as it would have
            with self._lock:
                self._idle.append(inbox)
            try:
                fn, name = inbox.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if inbox in self._idle:
                        self._idle.remove(inbox)
                        return
                fn, name = inbox.get()   # handed work just as the wait ended: it is on its way
