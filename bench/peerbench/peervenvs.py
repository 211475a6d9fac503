"""Peers that need their own venv (their pins must not disturb .venv), installed once into
bench/.venvs/<name>."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Optional

from .config import ROOT, log

# name -> pip requirements
PEER_VENVS = {
    "duckbricks": ["duckbricks[duckdb]==0.3.1", "duckdb==2.0.1"],
    "ingestr": ["ingestr==1.1.76"],
}


def peer_venv(name: str, venvs_root: str) -> tuple[Optional[str], Optional[str]]:
    """(python, None) for the peer's own venv, installed once; (None, reason) if it can't be."""
    reqs = PEER_VENVS[name]
    d = os.path.join(venvs_root, name)
    py = os.path.join(d, "bin", "python")
    marker = os.path.join(d, ".installed")
    want = "\n".join(reqs)
    if os.path.exists(marker):
        with open(marker) as f:
            if f.read() == want:
                return py, None
    log(f"installing {', '.join(reqs)} into {os.path.relpath(d, ROOT)}")
    try:
        if not os.path.exists(py):
            subprocess.run([sys.executable, "-m", "venv", d], check=True, capture_output=True, text=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *reqs],
                       check=True, capture_output=True, text=True, timeout=900)
    except subprocess.CalledProcessError as e:
        tail = (e.stderr or e.stdout or "").strip().splitlines()[-3:]
        return None, f"pip install {' '.join(reqs)} failed: {' | '.join(tail)}"
    except subprocess.TimeoutExpired:
        return None, f"pip install {' '.join(reqs)} timed out"
    with open(marker, "w") as f:
        f.write(want)
    return py, None
