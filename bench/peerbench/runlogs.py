"""Reading what a run left in its log files: the JSON it printed last, and the meaningful tail of
its stderr with secrets redacted."""

from __future__ import annotations

import json
import re
from typing import Optional

# Library warnings that say nothing about why a run failed.
NOISE = ("deprecated", "Python is likely shutting down")


def last_json_line(path: str) -> Optional[dict]:
    """The JSON a run printed last on stdout: peers print one line, dbduck --json one pretty document."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return None
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("{"):
            try:
                doc = json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
            if isinstance(doc, dict):
                return doc
    return None


def tail(path: str, n: int = 6) -> str:
    """The last n meaningful lines of a log, joined with ' | ' (library noise left out)."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    keep = [ln.strip() for ln in lines if ln.strip() and not any(x in ln for x in NOISE)][-n:]
    return " | ".join(keep)[-800:]


def redact(text: str, secrets: list[str]) -> str:
    """Tokens and presigned-URL signatures replaced by ***."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=***", text)
