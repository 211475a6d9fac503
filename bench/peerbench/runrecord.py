"""What one run produced, typed: `RunRecord` and the result of checking its copy. `to_json()` gives
the run's entry in latest.json, `from_json()` reads one back (for reports and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

# Run statuses: the first is a result, the others are findings.
OK, WRONG_COPY, FAILED, TIMEOUT, UNAVAILABLE = "ok", "wrong-copy", "failed", "timeout", "unavailable"


@dataclass
class CopyCheck:
    """The run's DuckDB file against the expected rows: count, fingerprint, column types."""
    rows_in_file: Optional[int]
    rows_ok: bool
    check_error: Optional[str] = None       # the file or the table could not be read
    content_ok: Optional[bool] = None       # None: not compared (no table)
    content_diffs: list[str] = field(default_factory=list)
    types_ok: Optional[bool] = None
    types: Optional[list[str]] = None       # the copy's types, kept only when they differ

    def to_json(self) -> dict:
        out: dict = {"rows_in_file": self.rows_in_file, "rows_ok": self.rows_ok}
        if self.check_error is not None:
            out["check_error"] = self.check_error
        if self.content_ok is not None:
            out["content_ok"] = self.content_ok
        if self.content_diffs:
            out["content_diffs"] = list(self.content_diffs)
        if self.types_ok is not None:
            out["types_ok"] = self.types_ok
        if self.types is not None:
            out["types"] = list(self.types)
        return out

    @property
    def ok(self) -> bool:
        return bool(self.rows_ok and self.content_ok)


@dataclass
class ManifestCheck:
    """A run that writes no copy (limit-download): the row count it reports from the result manifest."""
    rows_ok: bool
    check: str = "row count from the result manifest (no copy is written)"

    def to_json(self) -> dict:
        return {"rows_ok": self.rows_ok, "check": self.check}

    @property
    def ok(self) -> bool:
        return self.rows_ok


Check = Union[CopyCheck, ManifestCheck]


@dataclass
class RunRecord:
    """One run of one peer (after repeats: the fastest attempt, with every attempt's numbers)."""
    name: str
    table: str
    scale: float
    sample: bool                             # a row-by-row run on the `where` sample
    status: str = UNAVAILABLE
    where: Optional[str] = None
    note: Optional[str] = None
    expected_rows: Optional[int] = None
    command: Optional[str] = None            # as run, with repository paths made relative
    result_cache: Optional[dict] = None      # {"hits", "misses"} of the emulator during the run
    wire: Optional[dict] = None              # bytes the emulator sent during the run (see warehouse.wire_delta)
    cpu_seconds: Optional[float] = None      # user+system of the run's process tree
    emulator_cpu_seconds: Optional[float] = None
    seconds: Optional[float] = None          # wall, spawn to exit
    peak_rss_bytes: Optional[int] = None
    measure: Optional[dict] = None           # bench/measure.py's other numbers
    details: Optional[dict] = None           # the JSON the run printed last
    check: Optional[Check] = None
    rows: Optional[int] = None
    file_bytes: Optional[int] = None
    reason: Optional[str] = None
    stderr_tail: Optional[str] = None
    rows_per_s: Optional[float] = None
    attempts_seconds: Optional[list] = None
    attempts_peak_rss_bytes: Optional[list] = None
    failed_attempts: list[str] = field(default_factory=list)
    best_of: Optional[int] = None
    incremental: Optional[dict] = None       # incremental-sync runs: dbduck's sync numbers, fingerprint, vs full

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_json(self) -> dict:
        out: dict = {"name": self.name, "table": self.table, "scale": self.scale, "sample": self.sample}

        def optional(key: str, value) -> None:  # a key absent from today's JSON stays absent
            if value is not None:
                out[key] = value

        optional("where", self.where)
        optional("note", self.note or None)
        optional("expected_rows", self.expected_rows)
        optional("command", self.command)
        optional("result_cache", self.result_cache)
        optional("wire", self.wire)
        optional("cpu_seconds", self.cpu_seconds)
        optional("emulator_cpu_seconds", self.emulator_cpu_seconds)
        out["seconds"] = self.seconds
        out["peak_rss_bytes"] = self.peak_rss_bytes
        optional("measure", self.measure)
        optional("details", self.details)
        if self.check is not None:
            out.update(self.check.to_json())
        out["rows"] = self.rows
        optional("file_bytes", self.file_bytes)
        out["status"] = self.status
        optional("reason", self.reason)
        optional("stderr_tail", self.stderr_tail)
        out["rows_per_s"] = self.rows_per_s
        optional("attempts_seconds", self.attempts_seconds)
        optional("attempts_peak_rss_bytes", self.attempts_peak_rss_bytes)
        if self.failed_attempts:
            out["failed_attempts"] = list(self.failed_attempts)
        optional("best_of", self.best_of)
        optional("incremental", self.incremental)
        return out

    @classmethod
    def from_json(cls, d: dict) -> "RunRecord":
        check: Optional[Check] = None
        if "rows_in_file" in d:
            check = CopyCheck(d["rows_in_file"], d["rows_ok"], d.get("check_error"), d.get("content_ok"),
                              list(d.get("content_diffs", [])), d.get("types_ok"), d.get("types"))
        elif "check" in d:
            check = ManifestCheck(d["rows_ok"], d["check"])
        known = {f for f in cls.__dataclass_fields__} - {"check"}
        fields = {k: v for k, v in d.items() if k in known}
        return cls(check=check, **fields)


def runs_by_name(runs: list[RunRecord], scale: float) -> dict:
    """The runs at `scale`, by name."""
    return {r.name: r for r in runs if r.scale == scale}


def ok_run(by: dict, name: str) -> Optional[RunRecord]:
    """`name`'s run when it succeeded, else None."""
    r = by.get(name)
    return r if r and r.ok else None


def missing_reason(by: dict, *names: str) -> Optional[str]:
    """Why a ratio of `names` has no value: the first of them without a result (None when all have one)."""
    name = next((n for n in names if not ok_run(by, n)), None)
    if name is None:
        return None
    return f"{name} has no result ({by[name].status if name in by else 'not run'})"
