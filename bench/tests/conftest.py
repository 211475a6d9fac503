"""A results document recorded by a full `make bench` (tests/recorded/latest.json and the
latest.md the harness wrote with it)."""

from __future__ import annotations

import json
import os

import pytest

RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recorded")


@pytest.fixture
def recorded_doc() -> dict:
    with open(os.path.join(RECORDED, "latest.json")) as f:
        return json.load(f)


@pytest.fixture
def recorded_md() -> str:
    with open(os.path.join(RECORDED, "latest.md")) as f:
        return f.read()
