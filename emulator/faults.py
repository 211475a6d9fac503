"""Fault injection, chosen per run (`--faults SPEC`) or at run time (`POST /admin/faults`).

Spec syntax (text form):

    SPEC  := ITEM (';' ITEM)*
    ITEM  := 'seed=' INT | MODE (',' KEY '=' VALUE)*

Example: `seed=7;429,target=execute,count=2,retry_after=1;reset,target=storage,rate=0.5`

JSON form (same keys): `{"seed": 7, "faults": [{"mode": "429", "target": "execute", "count": 2}]}`.

Common keys, for every mode:
  target  which requests it applies to: api (every workspace request), storage (external-link
          downloads), execute, status, chunk (the chunk endpoint), statement (cancel/close),
          token (OAuth token endpoint), uc (Unity Catalog), sessions, any. Default per mode.
  count   fire at most N times (default unlimited)
  after   let the first N matching requests through untouched (default 0)
  rate    probability per matching request, drawn from a RNG seeded by (seed, fault index)
          (default 1.0) - so a given seed and request sequence always gives the same faults
  match   substring that the request path (or, for fail_statement, the SQL text) must contain

Modes and their own keys:
  429              HTTP 429 TOO_MANY_REQUESTS with Retry-After (retry_after=S, default 1)
  500              HTTP 500 INTERNAL_ERROR
  503              HTTP 503 TEMPORARILY_UNAVAILABLE with Retry-After (retry_after=S, default 1)
  reset            connection reset (TCP RST) after at=F of the body was sent (default 0.5)
  truncate         full Content-Length announced, body cut at at=F (default 0.5), clean close
  slow             throttle the body to bps=N bytes/s (default 1000000); default target storage
  stall            send at=F of the body (default 0.5), then nothing for seconds=S (default 600),
                   then the rest; default target storage
  expire_early     links really expire ttl=S seconds after issue (default 0) although `expiration`
                   says the normal lifetime; default target chunk+execute+status (link issue)
  fail_statement   statements end FAILED (error_code=, message=, sql_state=); default target execute
  pending          warehouse start-up: statements stay PENDING for seconds=S (default 5) counted
                   from the first statement after the fault was installed
  nested_json      ARRAY/MAP/STRUCT columns sent as JSON strings in ARROW_STREAM
  no_lz4           LZ4_FRAME requested but not applied (no manifest echo)
  link_headers     external links carry `http_headers` that the download must send back
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

MODES = {"429", "500", "503", "reset", "truncate", "slow", "stall", "expire_early", "fail_statement", "pending",
         "nested_json", "no_lz4", "link_headers"}
TARGETS = {"api", "storage", "execute", "status", "chunk", "statement", "token", "uc", "sessions", "any",
           "links"}
_DEFAULT_TARGET = {"429": "api", "500": "api", "503": "api", "reset": "storage", "truncate": "storage",
                   "slow": "storage", "stall": "storage", "expire_early": "links", "fail_statement": "execute", "pending": "execute",
                   "nested_json": "execute", "no_lz4": "execute", "link_headers": "links"}


class FaultSpecError(ValueError):
    pass


@dataclass
class Fault:
    mode: str
    params: dict
    index: int
    seed: int
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def target(self) -> str:
        return str(self.params.get("target", _DEFAULT_TARGET[self.mode]))

    def num(self, key: str, default: float) -> float:
        try:
            return float(self.params.get(key, default))
        except (TypeError, ValueError):
            raise FaultSpecError(f"fault {self.mode}: {key} must be a number")

    def describe(self) -> dict:
        d = {"mode": self.mode, **self.params, "fired": self.fired, "seen": self.seen}
        return d


def _coerce(v: str) -> Any:
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def parse_spec(spec: Any) -> tuple[int, list[dict]]:
    """Text or JSON spec -> (seed, [fault dicts])."""
    if spec is None or spec == "":
        return 0, []
    if isinstance(spec, dict):
        obj = spec
    elif isinstance(spec, str) and spec.lstrip().startswith("{"):
        try:
            obj = json.loads(spec)
        except json.JSONDecodeError as e:
            raise FaultSpecError(f"fault spec is not valid JSON: {e}")
    else:
        seed = 0
        items = []
        for raw in str(spec).split(";"):
            raw = raw.strip()
            if not raw:
                continue
            if raw.startswith("seed="):
                seed = int(raw[5:])
                continue
            parts = [p.strip() for p in raw.split(",")]
            d: dict = {"mode": parts[0]}
            for p in parts[1:]:
                if "=" not in p:
                    raise FaultSpecError(f"fault {parts[0]}: expected key=value, got '{p}'")
                k, v = p.split("=", 1)
                d[k.strip()] = _coerce(v.strip())
            items.append(d)
        obj = {"seed": seed, "faults": items}
    if "spec" in obj:
        return parse_spec(obj["spec"])
    seed = int(obj.get("seed", 0))
    faults = obj.get("faults", [])
    for d in faults:
        mode = str(d.get("mode"))
        if mode not in MODES:
            raise FaultSpecError(f"unknown fault mode '{mode}' (known: {', '.join(sorted(MODES))})")
        t = d.get("target")
        if t is not None and t not in TARGETS:
            raise FaultSpecError(f"fault {mode}: unknown target '{t}' (known: {', '.join(sorted(TARGETS))})")
        d["mode"] = mode
    return seed, faults


class Faults:
    """The active fault set; thread-safe, deterministic per (seed, request order)."""

    def __init__(self, spec: Any = None):
        self._lock = threading.Lock()
        self.seed = 0
        self.faults: list[Fault] = []
        self.pending_until: Optional[float] = None
        self.set(spec)

    def set(self, spec: Any) -> None:
        seed, items = parse_spec(spec)
        faults = []
        for i, d in enumerate(items):
            params = {k: v for k, v in d.items() if k != "mode"}
            f = Fault(d["mode"], params, i, seed)
            f.rng = random.Random(f"{seed}:{i}:{d['mode']}")
            faults.append(f)
        with self._lock:
            self.seed = seed
            self.faults = faults
            self.pending_until = None

    def describe(self) -> dict:
        with self._lock:
            return {"seed": self.seed, "faults": [f.describe() for f in self.faults]}

    def take(self, mode: str, kind: str, subject: str = "") -> Optional[Fault]:
        """The first fault of `mode` that fires for a request of `kind` (execute/status/...)."""
        with self._lock:
            for f in self.faults:
                if f.mode != mode or not _applies(f.target, kind):
                    continue
                m = f.params.get("match")
                if m is not None and str(m) not in subject:
                    continue
                f.seen += 1
                if f.seen <= int(f.num("after", 0)):
                    continue
                cnt = f.params.get("count")
                if cnt is not None and f.fired >= int(cnt):
                    continue
                if f.rng.random() >= f.num("rate", 1.0):
                    continue
                f.fired += 1
                return f
        return None

    def active(self, mode: str) -> Optional[Fault]:
        """A flag-like fault (pending/nested_json/...) that is installed, without counting."""
        with self._lock:
            for f in self.faults:
                if f.mode == mode:
                    return f
        return None

    def warehouse_ready_at(self, now: float) -> float:
        """Start-up delay: with a `pending` fault, the warehouse is ready `seconds` after the first
        statement that reaches it."""
        f = self.active("pending")
        if f is None:
            return now
        with self._lock:
            if self.pending_until is None:
                self.pending_until = now + f.num("seconds", 5)
            return self.pending_until


def _applies(target: str, kind: str) -> bool:
    if target == "any" or target == kind:
        return True
    if target == "api":
        return kind not in ("storage",)
    if target == "links":
        return kind in ("execute", "status", "chunk", "links")
    return False
