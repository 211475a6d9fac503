"""Statement threads: every statement starts at once (none waits for another to finish), and
finished threads are reused."""

from __future__ import annotations

import threading
import time

from emulator.statementthreads import StatementThreads


def test_statements_never_wait_for_each_other():
    threads = StatementThreads()
    release = threading.Event()
    running = []
    lock = threading.Lock()

    def blocked():
        with lock:
            running.append(threading.current_thread())
        release.wait(10)

    for k in range(20):
        threads.start(blocked, f"stmt-{k}")
    deadline = time.time() + 5
    while len(running) < 20 and time.time() < deadline:
        time.sleep(0.01)
    assert len(running) == 20 and len(set(running)) == 20   # all at once, each on its own thread
    assert sorted(t.name for t in running) == sorted(f"stmt-{k}" for k in range(20))
    release.set()


def test_finished_threads_are_reused_and_retire_when_idle():
    threads = StatementThreads(idle_seconds=0.3)
    seen = []
    for k in range(10):
        done = threading.Event()
        threads.start(lambda: (seen.append(threading.current_thread()), done.set()), f"s{k}")
        assert done.wait(5)
        time.sleep(0.02)   # the thread is idle again
    assert threads.started == 1 and len(set(seen)) == 1
    time.sleep(0.8)
    assert not seen[0].is_alive()   # retired after idle_seconds
    done = threading.Event()
    threads.start(done.set, "again")
    assert done.wait(5) and threads.started == 2


def test_hand_over_racing_the_idle_timeout():
    """Work handed to a thread just as its wait ends still runs."""
    threads = StatementThreads(idle_seconds=0.001)
    count = 0
    lock = threading.Lock()

    def one():
        nonlocal count
        with lock:
            count += 1

    for k in range(300):
        threads.start(one, "s")
        if k % 7 == 0:
            time.sleep(0.001)
    deadline = time.time() + 5
    while count < 300 and time.time() < deadline:
        time.sleep(0.01)
    assert count == 300
