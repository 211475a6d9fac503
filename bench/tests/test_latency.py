"""The many-tables pair against a warehouse with a statement latency: the setting, the second
emulator, and the latency runs end to end on a tiny schema (the connector loop for real; dbduck
without a build, so unavailable)."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from peerbench.config import VENV_PY, shown_path
from peerbench.dbduck_binary import DbduckBinary
from peerbench.latency import (DEFAULT_LATENCY, BadStatementLatency, latency_emulator, latency_note,
                               run_latency_pair, statement_latency)
from peerbench.manytables import LATENCY_RUNS, ManyTables, seeded_many
from peerbench.plans import Context
from peerbench.runrecord import OK, UNAVAILABLE
from peerbench.settings import Settings


def test_latency_setting(monkeypatch):
    monkeypatch.delenv("BENCH_STATEMENT_LATENCY", raising=False)
    assert statement_latency() == DEFAULT_LATENCY == 0.3
    monkeypatch.setenv("BENCH_STATEMENT_LATENCY", " 1.5 ")
    assert statement_latency() == 1.5
    monkeypatch.setenv("BENCH_STATEMENT_LATENCY", "")
    assert statement_latency() == 0.3
    for bad in ("fast", "-0.1", "nan", "inf"):
        monkeypatch.setenv("BENCH_STATEMENT_LATENCY", bad)
        with pytest.raises(BadStatementLatency, match=r"BENCH_STATEMENT_LATENCY=.* is not a number of seconds >= 0"):
            statement_latency()
    assert latency_note(0.25) == "every warehouse statement 0.25 s RUNNING first (emulator --exec-delay 0.25)"


@pytest.fixture
def many_data(tmp_path):
    """A scale directory whose workspace holds only main.many: 3 tables of 5 rows."""
    d = tmp_path / "scale"
    (d / "workspace").mkdir(parents=True)
    logs = tmp_path / "logs"
    logs.mkdir()
    return str(d), str(logs), seeded_many(str(d), ManyTables(3, 5))


def post(emu, path: str, body: dict) -> dict:
    req = urllib.request.Request(emu.host + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {emu.token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def test_the_second_emulator_holds_every_statement(many_data):
    d, logs, _ = many_data
    emu = latency_emulator(d, logs, 60.0)
    try:
        assert emu.command[emu.command.index("--exec-delay") + 1] == "60.0"
        assert emu.data == os.path.join(d, "workspace") and os.path.exists(os.path.join(logs, "emulator-latency.err"))
        st = post(emu, "/api/2.0/sql/statements", {"statement": "SELECT count(*) FROM main.many.t000",
                                                   "warehouse_id": emu.warehouse_id, "wait_timeout": "0s"})
        assert st["status"]["state"] in ("PENDING", "RUNNING")
        post(emu, f"/api/2.0/sql/statements/{st['statement_id']}/cancel", {})
    finally:
        emu.stop()


def test_the_latency_runs_end_to_end(many_data, tmp_path):
    d, logs, spec = many_data
    ctx = Context(1.0, str(tmp_path / "gone"), "unused.parquet", "l_orderkey <= 10", 4, 1000,
                  DbduckBinary(str(tmp_path / "no-dbduck"), str(tmp_path / "no-dbduck")), many=spec)
    st = Settings(only=[*LATENCY_RUNS, "dbduck-many-tables"], repeats=2, timeout=300)
    runs = {r.name: r for r in run_latency_pair(st, ctx, d, logs, 0.05)}
    assert list(runs) == list(LATENCY_RUNS)  # the main pair is not run here
    c = runs["connector-many-tables-latency"]
    assert c.status == OK, (c.reason, c.stderr_tail)
    assert c.rows == 15 and c.check.content_ok and c.check.types_ok and c.wire["bytes"] > 0
    assert c.command.startswith(shown_path(VENV_PY)) and "connector-many-tables-latency.duckdb" in c.command
    assert c.note == f"{spec.label}; {latency_note(0.05)}" and c.best_of == 2
    assert os.path.exists(os.path.join(logs, "warm-up-connector-many-tables-latency.err"))
    assert os.path.exists(os.path.join(logs, "connector-many-tables-latency.out"))
    dbd = runs["dbduck-many-tables-latency"]
    assert dbd.status == UNAVAILABLE and "is not built" in dbd.reason and latency_note(0.05) in dbd.note
    # Its scratch directory is removed; the main context's is left as it was.
    assert [n for n in os.listdir(d) if n.startswith("run-")] == [] and ctx.ca_file is None
    assert run_latency_pair(Settings(only=["dbduck-many-tables"]), ctx, d, logs, 0.05) == []
