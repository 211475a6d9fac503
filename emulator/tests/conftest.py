"""Fixtures: a seeded data directory and emulator processes started on port 0, always stopped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:  # `emulator.launcher`, whatever directory pytest was started from
    sys.path.insert(0, ROOT)

from client import Emulator  # noqa: E402 -- re-exported: tests import it from here


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> str:
    """Seeded once per test run (scale 0.01: 60,012 line items, 15,000 orders)."""
    d = str(tmp_path_factory.mktemp("dbx"))
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([sys.executable, "-m", "emulator", "seed", "--data", d, "--scale", "0.01"], cwd=ROOT,
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return d


@pytest.fixture(scope="session")
def emu(data_dir):
    """Shared plain-HTTP emulator; small chunks so results span several chunks."""
    e = Emulator(data_dir, "--chunk-rows", "20000", "--token", "dapi-test-token")
    yield e
    e.stop()


@pytest.fixture(autouse=True)
def _no_ambient_workspace(monkeypatch):
    """The Databricks clients under test read DATABRICKS_* from the environment: a developer's own
    workspace settings must not leak into them (the SDK then sees two auth methods at once)."""
    for name in [k for k in os.environ if k.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _reset_faults(request):
    yield
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").clear_faults()


@pytest.fixture
def start_emulator(data_dir):
    """Factory for emulators with special flags; every one is stopped at test end."""
    started: list[Emulator] = []

    def start(*args: str, data: Optional[str] = None) -> Emulator:
        e = Emulator(data or data_dir, *args)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()


@pytest.fixture
def scratch_data(tmp_path, data_dir) -> str:
    """A private copy of the seeded main catalog, for tests that change tables."""
    d = str(tmp_path / "data")
    shutil.copytree(os.path.join(data_dir, "main"), os.path.join(d, "main"))
    return d
