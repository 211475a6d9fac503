"""Settings from BENCH_* variables, and the command lines plans build from them."""

from __future__ import annotations

import os

import pytest

from peerbench.config import RUN_NAMES, VENV_PY
from peerbench.dbduck_binary import DbduckBinary
from peerbench.plans import Context, plans
from peerbench.settings import Settings, UnknownRunNames


@pytest.fixture
def clean_env(monkeypatch):
    for k in [k for k in os.environ if k.startswith("BENCH_") or k in ("MAKELEVEL", "DBDUCK_BIN")]:
        monkeypatch.delenv(k)
    return monkeypatch


def test_defaults_and_subsets(clean_env):
    st = Settings.from_env()
    assert st.scale == 1.0 and st.rss_scales == [5.0] and st.selected == RUN_NAMES
    assert st.outputs == ("latest.json", "latest.md") and st.result_cache and st.repeats == 3
    assert Settings.command() == "bench/run"
    clean_env.setenv("BENCH_SCALE", "0.01")
    clean_env.setenv("BENCH_RUNS", "limit-download, seed-streaming")
    clean_env.setenv("BENCH_RESULT_CACHE", "0")
    clean_env.setenv("MAKELEVEL", "1")
    st = Settings.from_env()
    assert st.rss_scales == [] and st.selected == ["limit-download", "seed-streaming"]
    assert st.outputs == ("partial.json.tmp", "partial.md.tmp") and not st.result_cache
    assert Settings.command() == ("BENCH_RESULT_CACHE=0 BENCH_RUNS=limit-download, seed-streaming "
                                  "BENCH_SCALE=0.01 make bench")


def test_rss_scales_can_be_turned_off_or_listed(clean_env):
    clean_env.setenv("BENCH_RSS_SCALES", "")
    assert Settings.from_env().rss_scales == []
    clean_env.setenv("BENCH_RSS_SCALES", "2,5")
    assert Settings.from_env().rss_scales == [2.0, 5.0]


def test_unknown_run_names_are_refused(clean_env):
    clean_env.setenv("BENCH_RUNS", "dbduck-streaming,nope")
    with pytest.raises(UnknownRunNames, match="nope"):
        Settings.from_env()


def context(tmp_path, dbduck: DbduckBinary, **kw) -> Context:
    return Context(1.0, str(tmp_path), "/data/lineitem.parquet", "l_orderkey <= 10", 4, 1000, dbduck, **kw)


def test_plans_follow_run_names_and_their_peculiarities(tmp_path):
    exe = tmp_path / "dbduck"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    ctx = context(tmp_path, DbduckBinary(str(exe), str(exe)), venv_python={"duckbricks": "/venvs/db/python"},
                  venv_errors={"ingestr": "pip failed"}, ca_file="/ca.pem")
    by = {p.name: p for p in plans(ctx)}
    assert list(by) == RUN_NAMES
    basic = by["dbduck-basic"]
    assert basic.where == "l_orderkey <= 10" and basic.cmd[:3] == [str(exe), "replicate", "--config"]
    assert "where: \"l_orderkey <= 10\"" in (tmp_path / "dbduck-basic.yml").read_text()
    assert by["dbduck-streaming"].cmd[-3:] == ["--json", "--ca-file", "/ca.pem"]
    duck = by["duckbricks"].cmd
    assert duck[0] == "/venvs/db/python" and duck[duck.index("--parallelism") + 1] == "6"
    assert by["ingestr"].unavailable == "pip failed" and by["ingestr"].cmd is None
    dl = by["limit-download"]
    assert dl.out is None and "--out" not in dl.cmd and dl.cmd[0] == VENV_PY
    assert by["seed-basic"].cmd[-2:] == ["--where", "l_orderkey <= 10"]
    assert by["limit-parquet-ingest"].cmd[by["limit-parquet-ingest"].cmd.index("--parquet") + 1] == ctx.parquet


def test_without_a_dbduck_build_its_runs_are_unavailable(tmp_path):
    ctx = context(tmp_path, DbduckBinary(str(tmp_path / "missing"), str(tmp_path / "missing")))
    chosen = plans(ctx, ["limit-download", "dbduck-streaming"])
    assert [p.name for p in chosen] == ["dbduck-streaming", "limit-download"]  # RUN_NAMES order
    assert "is not built" in chosen[0].unavailable and chosen[1].unavailable is None


def test_a_snapshot_is_shown_as_the_build(tmp_path):
    b = DbduckBinary(str(tmp_path / "snap" / "dbduck"), "/repo/.build/release/dbduck", sha256="ab", built_at="t")
    assert b.shown(b.path) == "/repo/.build/release/dbduck" and b.shown("--json") == "--json"
