"""The peer benchmark: dbduck's four strategies and the Python alternatives, side by side, in one
run against one warehouse emulator and the same data. Started by `bench/run` (see bench/README.md).

Steps: seed the emulator's sample data once per scale (cached in bench/data/), export the same rows
to a local Parquet file (for limit-parquet-ingest and the expected fingerprint), start one
emulator, run every peer as its own measured subprocess (bench/measure.py: wall seconds, peak RSS
of its process tree), check each DuckDB copy against the expected row count and fingerprint, stop
the emulator, and write bench/results/latest.json and latest.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
PEERS = os.path.join(BENCH, "peers")
VENV_PY = os.path.join(os.environ.get("DBDUCK_VENV", os.path.join(ROOT, ".venv")), "bin", "python")
DBDUCK = os.environ.get("DBDUCK_BIN", os.path.join(ROOT, ".build", "release", "dbduck"))
TABLE = "samples.tpch.lineitem"
TARGET = "tpch.lineitem"

RUN_NAMES = ["dbduck-basic", "dbduck-batch", "dbduck-parquet", "dbduck-streaming", "python-sdk-path",
             "sql-connector", "duckbricks", "ingestr", "seed-basic", "seed-pandas", "seed-parquet",
             "seed-streaming", "limit-parquet-ingest", "limit-download"]
SAMPLED = {"dbduck-basic", "seed-basic"}  # row-by-row: measured on a sample, compared by rows/s

# Peers with their own venv (their pins must not disturb .venv): name -> pip requirements.
PEER_VENVS = {
    "duckbricks": ["duckbricks[duckdb]==0.3.1", "duckdb==2.0.1"],
    "ingestr": ["ingestr==1.1.76"],
}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def env_float(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


def env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


def scale_tag(scale: float) -> str:
    return f"{scale:g}"


# MARK: data


def file_digest(*paths: str) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def seeded_data(data_root: str, scale: float) -> str:
    """bench/data/scale-S: the emulator's sample workspace at scale S, seeded once. Reseeded when
    emulator/seed.py changes (the marker records its digest)."""
    d = os.path.join(data_root, f"scale-{scale_tag(scale)}")
    marker = os.path.join(d, ".seeded.json")
    digest = file_digest(os.path.join(ROOT, "emulator", "seed.py"))
    if os.path.exists(marker):
        with open(marker) as f:
            m = json.load(f)
        if m.get("seed_digest") == digest:
            return d
    log(f"seeding {TABLE} at scale {scale_tag(scale)} into {os.path.relpath(d, ROOT)} (once)")
    ws = os.path.join(d, "workspace")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.perf_counter()
    out = subprocess.run([VENV_PY, "-m", "emulator", "seed", "--data", ws, "--scale", str(scale)],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    info = {"seed_digest": digest, "seconds": round(time.perf_counter() - t0, 2)}
    try:
        info["seed"] = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    with open(marker, "w") as f:
        json.dump(info, f)
    return d


EXPORT = r"""
import sys, pyarrow.parquet as pq
from deltalake import DeltaTable
ds = DeltaTable(sys.argv[1]).to_pyarrow_dataset()
with pq.ParquetWriter(sys.argv[2] + ".part", ds.schema) as w:
    for b in ds.to_batches(batch_size=122880):
        w.write_batch(b)
import os; os.replace(sys.argv[2] + ".part", sys.argv[2])
"""


def parquet_export(d: str) -> str:
    """The same rows as a local Parquet file, read straight from the seeded Delta table."""
    path = os.path.join(d, "lineitem.parquet")
    if not os.path.exists(path):
        log("exporting the same rows to a local Parquet file (once)")
        subprocess.run([VENV_PY, "-c", EXPORT, os.path.join(d, "workspace", "samples", "tpch", "lineitem"), path],
                       check=True)
    return path


FINGERPRINT = ("count(*)::BIGINT AS rows, sum(l_orderkey)::HUGEINT::VARCHAR AS sum_orderkey, "
               "sum(l_extendedprice::DOUBLE) AS sum_price, sum(length(l_comment))::BIGINT AS comment_chars, "
               "min(l_shipdate)::VARCHAR AS min_shipdate, max(l_receiptdate)::VARCHAR AS max_receiptdate")


def fingerprint(con, relation: str) -> dict:
    cur = con.execute(f"SELECT {FINGERPRINT} FROM {relation}")
    names = [c[0] for c in cur.description]
    return dict(zip(names, cur.fetchone()))


def column_types(con, relation: str) -> list[str]:
    return [f"{r[0]} {r[1]}" for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def expected(parquet: str, where: Optional[str]) -> dict:
    import duckdb

    con = duckdb.connect()
    rel = f"(SELECT * FROM read_parquet('{parquet}'){' WHERE ' + where if where else ''})"
    out = {"fingerprint": fingerprint(con, rel), "types": column_types(con, rel)}
    con.close()
    return out


def compare(exp: dict, got: dict) -> list[str]:
    """Differences between two fingerprints (empty = the same data)."""
    diffs = []
    for k, v in exp.items():
        g = got.get(k)
        if isinstance(v, float) and isinstance(g, (int, float)):
            if abs(v - g) > 1e-9 * max(1.0, abs(v)):
                diffs.append(f"{k}: expected {v!r}, got {g!r}")
        elif v != g:
            diffs.append(f"{k}: expected {v!r}, got {g!r}")
    return diffs


def check_copy(path: str, exp: dict) -> dict:
    """Row count, fingerprint and column types of the copy in the DuckDB file."""
    import duckdb

    if not os.path.exists(path):
        return {"rows_in_file": None, "rows_ok": False, "check_error": "no DuckDB file was written"}
    try:
        con = duckdb.connect(path, read_only=True)
    except Exception as e:  # noqa: BLE001 -- a broken file is a finding, not a harness crash
        return {"rows_in_file": None, "rows_ok": False, "check_error": f"cannot open the DuckDB file: {e}"}
    try:
        schema, table = TARGET.split(".")
        rel = f'"{schema}"."{table}"'
        try:
            n = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
        except Exception as e:  # noqa: BLE001
            return {"rows_in_file": None, "rows_ok": False, "check_error": f"no table {TARGET}: {e}"}
        out = {"rows_in_file": int(n), "rows_ok": int(n) == exp["fingerprint"]["rows"]}
        try:
            diffs = compare(exp["fingerprint"], fingerprint(con, rel))
            out["content_ok"] = not diffs
            if diffs:
                out["content_diffs"] = diffs
        except Exception as e:  # noqa: BLE001
            out["content_ok"] = False
            out["content_diffs"] = [f"fingerprint query failed: {e}"]
        types = column_types(con, rel)
        out["types_ok"] = types == exp["types"]
        if not out["types_ok"]:
            out["types"] = types
        return out
    finally:
        con.close()


# MARK: peer venvs


def peer_venv(name: str, venvs_root: str) -> tuple[Optional[str], Optional[str]]:
    """(python, None) for the peer's own venv, installed once; (None, reason) if it can't be."""
    reqs = PEER_VENVS[name]
    d = os.path.join(venvs_root, name)
    py = os.path.join(d, "bin", "python")
    marker = os.path.join(d, ".installed")
    want = "\n".join(reqs)
    if os.path.exists(marker) and open(marker).read() == want:
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


# MARK: emulator


class Emulator:
    """One `python -m emulator serve` for the whole run; stopped on every path (see stop())."""

    def __init__(self, data: str, log_path: str):
        self.log_file = open(log_path, "wb")
        # BENCH_TLS=1: HTTPS with a generated CA, as Databricks serves its API and presigned links.
        tls = ["--tls"] if os.environ.get("BENCH_TLS") == "1" else []
        # BENCH_RESULT_CACHE=0: every statement runs and compresses its result again, on these same
        # cores. By default the emulator re-uses the result of an identical query on unchanged tables,
        # as Databricks SQL does (use_cached_result is TRUE by default).
        self.result_cache = os.environ.get("BENCH_RESULT_CACHE", "1") != "0"
        cache = [] if self.result_cache else ["--result-cache-mb", "0"]
        self.proc = subprocess.Popen(
            [VENV_PY, "-m", "emulator", "serve", "--data", data, "--port", "0", "--storage-port", "0", *tls,
             *cache],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log_file, start_new_session=True)
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(120)
        if not line or not line[0].strip():
            self.stop()
            raise RuntimeError(f"the emulator did not start (see {log_path})")
        self.info = json.loads(line[0])

    @property
    def env(self) -> dict:
        e = dict(os.environ)
        e.update(DATABRICKS_HOST=self.info["host"], DATABRICKS_TOKEN=self.info["token"],
                 DATABRICKS_WAREHOUSE_ID=self.info["warehouse_id"])
        for k in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET",
                  "DATABRICKS_AUTH_TYPE", "DATABRICKS_CONFIG_FILE"):
            e.pop(k, None)
        if self.info.get("ca_file"):
            # requests (SDK, peers), httpx and OpenSSL's default paths (http.client) trust the CA;
            # the connector and dbduck are given it explicitly.
            e.update(REQUESTS_CA_BUNDLE=self.info["ca_file"], SSL_CERT_FILE=self.info["ca_file"],
                     BENCH_CA_FILE=self.info["ca_file"])
        return e

    def cpu_seconds(self) -> Optional[float]:
        """user+system CPU seconds the emulator has used so far (its main process and threads)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def cache_counts(self) -> Optional[tuple[int, int]]:
        """(hits, misses) of the emulator's result cache so far, from GET /admin/stats."""
        import ssl
        import urllib.request
        req = urllib.request.Request(self.info["host"] + "/admin/stats",
                                     headers={"Authorization": f"Bearer {self.info['token']}"})
        ctx = ssl.create_default_context(cafile=self.info["ca_file"]) if self.info.get("ca_file") else None
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                c = json.load(r).get("result_cache") or {}
            return int(c.get("hits", 0)), int(c.get("misses", 0))
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self.log_file.close()


# MARK: runs


@dataclass
class Plan:
    name: str
    cmd: Optional[list[str]]
    out: Optional[str]                # DuckDB file the run writes (None: no copy, e.g. limit-download)
    where: Optional[str] = None
    note: str = ""
    unavailable: Optional[str] = None
    dbduck: bool = False


@dataclass
class Context:
    scale: float
    work: str
    parquet: str
    basic_where: str
    parallelism: int
    chunk_size: int
    venv_python: dict = field(default_factory=dict)
    venv_errors: dict = field(default_factory=dict)
    ca_file: Optional[str] = None      # the emulator's CA when it serves HTTPS (BENCH_TLS=1)


SNAPSHOT: dict = {}


def snapshot_dbduck(data_root: str) -> None:
    """Copy the dbduck binary once per bench run and run only the copy: others may rebuild
    .build/release/dbduck while the bench runs, and every run of one report must use one binary."""
    if not os.access(DBDUCK, os.X_OK):
        return
    d = os.path.join(data_root, "dbduck-snapshot")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "dbduck")
    shutil.copy2(DBDUCK, path + ".part")
    os.replace(path + ".part", path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    SNAPSHOT.update(path=path, sha256=digest,
                    built_at=dt.datetime.fromtimestamp(os.path.getmtime(DBDUCK), dt.timezone.utc)
                    .isoformat(timespec="seconds"))


def dbduck_exe() -> str:
    return SNAPSHOT.get("path", DBDUCK)


def dbduck_plan(name: str, strategy: str, ctx: Context) -> Plan:
    out = os.path.join(ctx.work, f"{name}.duckdb")
    if not os.access(dbduck_exe(), os.X_OK):
        return Plan(name, None, out, unavailable=f"{os.path.relpath(DBDUCK, ROOT)} is not built (make build)",
                    dbduck=True)
    DBDUCK_CMD = dbduck_exe()
    if strategy == "basic":
        cfg = os.path.join(ctx.work, "dbduck-basic.yml")
        with open(cfg, "w") as f:
            f.write(f"target: {{ path: {json.dumps(out)} }}\n"
                    f"tables:\n  - name: {TABLE}\n    where: {json.dumps(ctx.basic_where)}\n    strategy: basic\n")
        tls = ["--ca-file", ctx.ca_file] if ctx.ca_file else []
        return Plan(name, [DBDUCK_CMD, "replicate", "--config", cfg, "--json", *tls], out, where=ctx.basic_where,
                    note="sample (config `where:`)", dbduck=True)
    tls = ["--ca-file", ctx.ca_file] if ctx.ca_file else []
    return Plan(name, [DBDUCK_CMD, "replicate", TABLE, "--to", out, "--strategy", strategy, "--json", *tls], out,
                dbduck=True)


def peer_plan(name: str, script: str, ctx: Context, *extra: str, python: Optional[str] = None,
              where: Optional[str] = None, note: str = "", out: bool = True) -> Plan:
    path = os.path.join(ctx.work, f"{name}.duckdb") if out else None
    cmd = [python or VENV_PY, os.path.join(PEERS, script), "--table", TABLE, "--target", TARGET,
           "--parallelism", str(ctx.parallelism), "--chunk-size", str(ctx.chunk_size), *extra]
    if path:
        cmd += ["--out", path]
    if where:
        cmd += ["--where", where]
    return Plan(name, cmd, path, where=where, note=note)


def plans(ctx: Context) -> list[Plan]:
    p: list[Plan] = []
    for name in RUN_NAMES:
        if name.startswith("dbduck-"):
            p.append(dbduck_plan(name, name.split("-", 1)[1], ctx))
        elif name == "python-sdk-path":
            p.append(peer_plan(name, "python_sdk_path.py", ctx))
        elif name == "sql-connector":
            p.append(peer_plan(name, "sql_connector.py", ctx))
        elif name in PEER_VENVS:
            py = ctx.venv_python.get(name)
            script = "duckbricks_peer.py" if name == "duckbricks" else "ingestr_peer.py"
            if py is None:
                p.append(Plan(name, None, None, unavailable=ctx.venv_errors.get(name, "venv missing")))
            else:
                extra = ("--parallelism", "6") if name == "duckbricks" else ()
                plan = peer_plan(name, script, ctx, python=py)
                if extra:  # duckbricks' own default concurrency
                    i = plan.cmd.index("--parallelism")
                    plan.cmd[i + 1] = extra[1]
                p.append(plan)
        elif name.startswith("seed-"):
            level = name.split("-", 1)[1]
            if level == "basic":
                p.append(peer_plan(name, "seed_levels.py", ctx, "--level", level, where=ctx.basic_where,
                                   note="sample (WHERE)"))
            else:
                p.append(peer_plan(name, "seed_levels.py", ctx, "--level", level))
        elif name == "limit-parquet-ingest":
            p.append(peer_plan(name, "limit_parquet_ingest.py", ctx, "--parquet", ctx.parquet,
                               note="local Parquet file"))
        elif name == "limit-download":
            p.append(peer_plan(name, "limit_download.py", ctx, out=False, note="downloads discarded"))
    return p


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


NOISE = ("deprecated", "Python is likely shutting down")


def tail(path: str, n: int = 6) -> str:
    """The last n meaningful lines of a log, joined with ' | ' (library noise left out)."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    keep = [ln.strip() for ln in lines if ln.strip() and not any(x in ln for x in NOISE)][-n:]
    return " | ".join(keep)[-800:]


def redact(text: str, secrets_: list[str]) -> str:
    for s in secrets_:
        if s:
            text = text.replace(s, "***")
    return re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=***", text)


def warm_up(emu: Emulator, ctx: Context, logs: str) -> None:
    """One untimed `SELECT *` with every chunk downloaded, before the first timed run, so that run
    does not alone pay the emulator's cold start (Delta log, Parquet files into the page cache).
    With the result cache on, dbduck's own statement (it names its columns) runs once as well, so
    the first timed dbduck run is served from the cache like the peers' `SELECT *`."""
    cmds = [("limit_download", [VENV_PY, os.path.join(PEERS, "limit_download.py"), "--table", TABLE, "--target",
                                TARGET, "--parallelism", str(ctx.parallelism), "--chunk-size", str(ctx.chunk_size)])]
    if emu.result_cache and os.access(dbduck_exe(), os.X_OK):
        tls = ["--ca-file", ctx.ca_file] if ctx.ca_file else []
        cmds.append(("dbduck", [dbduck_exe(), "replicate", TABLE, "--to", os.path.join(ctx.work, "warm-up.duckdb"),
                                "--strategy", "streaming", *tls]))
    for name, cmd in cmds:
        with open(os.path.join(logs, f"warm-up-{name}.err"), "w") as err:
            done = subprocess.run(cmd, cwd=ROOT, env=emu.env, stdout=subprocess.DEVNULL, stderr=err)
        log(f"warm-up ({name}): " + ("done" if done.returncode == 0
                                     else f"failed (exit {done.returncode}), see logs/warm-up-{name}.err"))
    for p in (os.path.join(ctx.work, "warm-up.duckdb"), os.path.join(ctx.work, "warm-up.duckdb.wal")):
        if os.path.exists(p):
            os.remove(p)


def run_one(plan: Plan, ctx: Context, emu: Emulator, exp_full: dict, exp_sample: dict, logs: str,
            timeout: float) -> dict:
    rec: dict = {"name": plan.name, "table": TABLE, "scale": ctx.scale, "sample": plan.where is not None}
    if plan.where:
        rec["where"] = plan.where
    if plan.note:
        rec["note"] = plan.note
    if plan.unavailable:
        rec.update(status="unavailable", reason=plan.unavailable, rows=None, seconds=None, rows_per_s=None,
                   peak_rss_bytes=None)
        log(f"{plan.name}: unavailable: {plan.unavailable}")
        return rec
    exp = exp_sample if plan.where else exp_full
    rec["expected_rows"] = exp["fingerprint"]["rows"]
    shown = [DBDUCK if c == SNAPSHOT.get("path") else c for c in plan.cmd]  # the copy stands for the binary
    rec["command"] = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in shown)
    if plan.out:
        for p in (plan.out, plan.out + ".wal"):
            if os.path.exists(p):
                os.remove(p)
    out_log = os.path.join(logs, f"{plan.name}.out")
    err_log = os.path.join(logs, f"{plan.name}.err")
    mfile = os.path.join(logs, f"{plan.name}.measure.json")
    log(f"{plan.name}: running")
    cache0 = emu.cache_counts()
    emu_cpu0 = emu.cpu_seconds()
    measure = subprocess.Popen([VENV_PY, os.path.join(BENCH, "measure.py"), "--out", mfile, "--timeout",
                                str(timeout), "--stdout", out_log, "--stderr", err_log, "--", *plan.cmd],
                               cwd=ROOT, env=emu.env)
    try:
        measure.wait()
    finally:
        if measure.poll() is None:  # we are being stopped: measure.py forwards TERM to the run's tree
            measure.terminate()
            measure.wait()
    if measure.returncode != 0:
        raise RuntimeError(f"bench/measure.py failed for {plan.name} (exit {measure.returncode})")
    emu_cpu1 = emu.cpu_seconds()
    cache1 = emu.cache_counts()
    if cache0 is not None and cache1 is not None:
        rec["result_cache"] = {"hits": cache1[0] - cache0[0], "misses": cache1[1] - cache0[1]}
    with open(mfile) as f:
        m = json.load(f)
    rec["cpu_seconds"] = round(m["user_cpu_seconds"] + m["system_cpu_seconds"], 2)
    if emu_cpu0 is not None and emu_cpu1 is not None:
        rec["emulator_cpu_seconds"] = round(emu_cpu1 - emu_cpu0, 2)
    secrets_ = [emu.info.get("token", ""), emu.info.get("client_secret", "")]
    rec["seconds"] = round(m["seconds"], 3)
    rec["peak_rss_bytes"] = m["peak_rss_bytes"]
    rec["measure"] = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in m.items()
                      if k not in ("seconds", "peak_rss_bytes")}
    details = last_json_line(out_log)
    if details is not None:
        rec["details"] = details
    if m["timed_out"] or m["exit_code"] != 0:
        rec["status"] = "timeout" if m["timed_out"] else "failed"
        # reason: the last meaningful stderr line (the exception or the tool's own message);
        # stderr_tail: a few lines before it, for context.
        rec["reason"] = redact(tail(err_log, 1) or tail(out_log, 1), secrets_) or f"exit code {m['exit_code']}"
        rec["stderr_tail"] = redact(tail(err_log, 8), secrets_)
        rec["rows"] = None
        rec["rows_per_s"] = None
        log(f"{plan.name}: {rec['status']}: {rec['reason'][:300]}")
        if plan.out and not os.environ.get("BENCH_KEEP_OUTPUTS"):
            for p in (plan.out, plan.out + ".wal"):
                if os.path.exists(p):
                    os.remove(p)
        return rec
    if plan.out:
        rec.update(check_copy(plan.out, exp))
        rec["rows"] = rec.get("rows_in_file")
        if os.path.exists(plan.out):
            rec["file_bytes"] = os.path.getsize(plan.out)
        if not os.environ.get("BENCH_KEEP_OUTPUTS"):
            for p in (plan.out, plan.out + ".wal"):
                if os.path.exists(p):
                    os.remove(p)
        ok = rec.get("rows_ok") and rec.get("content_ok")
        rec["status"] = "ok" if ok else "wrong-copy"
        if not rec.get("rows_ok"):
            rec["reason"] = (f"the copy has {rec.get('rows_in_file')} rows, expected {rec['expected_rows']}"
                             + (f" ({rec['check_error']})" if rec.get("check_error") else ""))
        elif not rec.get("content_ok"):
            rec["reason"] = "content differs: " + "; ".join(rec.get("content_diffs", []))
    else:
        rows = (details or {}).get("rows")
        rec["rows"] = rows
        rec["rows_ok"] = rows == rec["expected_rows"]
        rec["status"] = "ok" if rec["rows_ok"] else "wrong-copy"
        rec["check"] = "row count from the result manifest (no copy is written)"
    rec["rows_per_s"] = round(rec["rows"] / m["seconds"], 1) if rec.get("rows") and m["seconds"] > 0 else None
    mb = rec["peak_rss_bytes"] / 1e6
    log(f"{plan.name}: {rec['status']}: {rec.get('rows')} rows in {m['seconds']:.2f} s "
        f"({rec['rows_per_s'] or 0:,.0f} rows/s), peak RSS {mb:.0f} MB")
    return rec


def repeat_short_runs(chosen: list, runs: list[dict], ctx: Context, emu: Emulator, exp_full: dict, exp_sample: dict,
                      logs: str, timeout: float) -> None:
    """Runs that took under BENCH_REPEAT_UNDER seconds (default 30) run BENCH_REPEATS times in all
    (default 3), in rotation (every such run once, then again), and the fastest successful attempt
    is the result: on a shared machine the least disturbed attempt is the closest to what the code
    costs, and rotation gives every run the same chances. Every attempt's seconds are kept, and
    peak RSS is the highest of the attempts (memory is not given the same benefit of the doubt)."""
    repeats = env_int("BENCH_REPEATS", 3)
    under = env_float("BENCH_REPEAT_UNDER", 30.0)
    short = [i for i, r in enumerate(runs) if r.get("status") == "ok" and (r.get("seconds") or 1e9) < under]
    for i in short:
        runs[i]["attempts_seconds"] = [runs[i]["seconds"]]
        runs[i]["attempts_peak_rss_bytes"] = [runs[i]["peak_rss_bytes"]]
    for attempt in range(2, repeats + 1):
        for i in short:
            log(f"{chosen[i].name}: attempt {attempt} of {repeats}")
            again = run_one(chosen[i], ctx, emu, exp_full, exp_sample, logs, timeout)
            seconds = runs[i]["attempts_seconds"] + [again.get("seconds")]
            rss = runs[i]["attempts_peak_rss_bytes"] + [again.get("peak_rss_bytes") or 0]
            failed = runs[i].get("failed_attempts", [])
            if again.get("status") == "ok" and again["seconds"] < runs[i]["seconds"]:
                runs[i] = again
            elif again.get("status") != "ok":
                failed = failed + [again.get("reason") or again.get("status")]
            if failed:
                runs[i]["failed_attempts"] = failed
            runs[i]["attempts_seconds"] = seconds
            runs[i]["attempts_peak_rss_bytes"] = rss
            runs[i]["peak_rss_bytes"] = max(rss)
            runs[i]["best_of"] = len(seconds)


# MARK: summary


def machine_info() -> dict:
    info: dict = {"os": platform.platform(), "python": platform.python_version(), "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        if models:
            info["cpu"] = models[0]
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    info["memory_bytes"] = int(ln.split()[1]) * 1024
    except OSError:
        pass
    info["loadavg_at_start"] = list(os.getloadavg())
    try:
        out = subprocess.run([VENV_PY, "-c", "import duckdb, pyarrow; print(duckdb.__version__, pyarrow.__version__)"],
                             capture_output=True, text=True, check=True).stdout.split()
        info["duckdb_python"], info["pyarrow"] = out[0], out[1]
    except (subprocess.CalledProcessError, IndexError):
        pass
    info["dbduck_binary"] = os.path.relpath(DBDUCK, ROOT) if DBDUCK.startswith(ROOT) else DBDUCK
    if SNAPSHOT:
        info["dbduck_binary_sha256"] = SNAPSHOT["sha256"]
        info["dbduck_binary_built_at"] = SNAPSHOT["built_at"]
        info["dbduck_binary_note"] = "copied once at the start of the bench; every dbduck run used the copy"
    if os.access(dbduck_exe(), os.X_OK):
        try:
            info["dbduck_version"] = subprocess.run([dbduck_exe(), "version"], capture_output=True, text=True,
                                                    timeout=30).stdout.strip()
        except (subprocess.SubprocessError, OSError):
            pass
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                            text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "Sources", "emulator", "bench/peers",
                                "bench/harness.py", "Package.swift"], cwd=ROOT, capture_output=True, text=True)
        info["uncommitted_changes"] = bool(dirty.stdout.strip())
    except OSError:
        pass
    return info


def ratios(runs: list[dict], scale: float) -> dict:
    """Every run's numbers divided by dbduck-streaming's (same scale): rows/s, seconds, peak RSS."""
    base = next((r for r in runs if r["name"] == "dbduck-streaming" and r["scale"] == scale
                 and r.get("status") == "ok"), None)
    out: dict = {}
    for r in runs:
        if r["scale"] != scale:
            continue
        if base is None or r.get("status") != "ok":
            out[r["name"]] = None
            continue
        out[r["name"]] = {
            "rows_per_s_vs_streaming": round(r["rows_per_s"] / base["rows_per_s"], 4),
            "streaming_speedup": round(base["rows_per_s"] / r["rows_per_s"], 2),
            "peak_rss_vs_streaming": round(r["peak_rss_bytes"] / base["peak_rss_bytes"], 3),
        }
    return out


def targets(runs: list[dict], scale: float, extra_rss: list[dict]) -> dict:
    by = {r["name"]: r for r in runs if r["scale"] == scale}

    def ok(name):
        r = by.get(name)
        return r if r and r.get("status") == "ok" else None

    s = ok("dbduck-streaming")
    t: dict = {}

    def speed(name, want):
        r = ok(name)
        if not (s and r):
            why = "dbduck-streaming" if not s else name
            return {"target": f">= {want}x {name} (rows/s)", "met": None,
                    "why": f"{why} has no result ({(by.get(why) or {}).get('status', 'not run')})"}
        x = s["rows_per_s"] / r["rows_per_s"]
        return {"target": f">= {want}x {name} (rows/s)", "value": round(x, 2), "met": x >= want}

    t["streaming_vs_basic"] = speed("dbduck-basic", 100)
    t["streaming_vs_python_sdk_path"] = speed("python-sdk-path", 2)
    t["streaming_vs_sql_connector"] = speed("sql-connector", 2)

    dl, ing = ok("limit-download"), ok("limit-parquet-ingest")
    lim: dict = {"target": "dbduck-streaming within 1.5x of the physical limit"}
    if s and dl and ing:
        d_s = dl["details"]["download_seconds"]
        i_s = ing["details"]["load_seconds"]
        dl_rate, ing_rate = dl["rows"] / d_s, ing["rows"] / i_s
        slower = "limit-download" if dl_rate < ing_rate else "limit-parquet-ingest"
        limit_rate = min(dl_rate, ing_rate)
        lim.update({
            "limit_used": slower,
            "definition": ("the slower of limit-download (its download phase only) and limit-parquet-ingest "
                           "(its CREATE TABLE AS only), as rows/s"),
            "limit_download_rows_per_s": round(dl_rate, 1), "limit_parquet_ingest_rows_per_s": round(ing_rate, 1),
            "limit_rows_per_s": round(limit_rate, 1),
            "value": round(limit_rate / s["rows_per_s"], 2), "met": limit_rate / s["rows_per_s"] <= 1.5,
        })
        st = dl["details"].get("statement_seconds")
        if st is not None:
            with_wh = dl["rows"] / (st + max(d_s, i_s))
            lim["with_warehouse"] = {
                "definition": ("limit-download's statement time (warehouse executes and writes the result) "
                               "+ the slower of the two limits, as rows/s: what no client can beat"),
                "rows_per_s": round(with_wh, 1), "value": round(with_wh / s["rows_per_s"], 2),
                "met": with_wh / s["rows_per_s"] <= 1.5}
    else:
        lim.update(met=None, why="dbduck-streaming or a limit run has no result")
    t["streaming_vs_physical_limit"] = lim

    rss = {"target": "dbduck-streaming peak RSS < 300 MB at scale 1 and scale 5", "by_scale": {}}
    for r in [r for r in runs if r["name"] == "dbduck-streaming"] + extra_rss:
        if r.get("status") == "ok":
            rss["by_scale"][scale_tag(r["scale"])] = {"peak_rss_bytes": r["peak_rss_bytes"],
                                                      "met": r["peak_rss_bytes"] < 300e6}
    have = rss["by_scale"]
    rss["met"] = (all(v["met"] for v in have.values()) if {"1", "5"} <= set(have) else
                  (False if any(not v["met"] for v in have.values()) else None))
    if rss["met"] is None:
        rss["why"] = f"measured at scale(s) {sorted(have) or 'none'}; needs 1 and 5 (BENCH_RSS_SCALES)"
    t["streaming_peak_rss"] = rss
    return t


def fmt_num(v, spec=",.0f") -> str:
    return "—" if v is None else format(v, spec)


def markdown(doc: dict) -> str:
    scale = doc["scale"]
    lines = [f"# dbduck peer benchmark — `{TABLE}`, scale {scale_tag(scale)}", "",
             f"Run {doc['started_at']} with `{doc['command']}` ({doc['total_seconds']:.0f} s in all). "
             f"Machine: {doc['machine'].get('cores')} cores, "
             f"{doc['machine'].get('memory_bytes', 0) / 2**30:.0f} GiB, {doc['machine'].get('cpu', '?')}; "
             f"load average at start {', '.join(f'{x:.2f}' for x in doc['machine'].get('loadavg_at_start', []))}. "
             f"dbduck binary: `{doc['machine'].get('dbduck_binary')}` "
             f"({(doc['machine'].get('dbduck_version') or 'not built').splitlines()[0]}). "
             "One emulator (Python, on the same 2 cores) served every run"
             + (", with its query result cache on (Databricks SQL's `use_cached_result` default): a repeated "
                "identical query is not executed and compressed again on these cores. "
                if doc.get("emulator", {}).get("result_cache") else
                ", with its query result cache off (BENCH_RESULT_CACHE=0): every statement executes and compresses "
                "its result on these cores. ")
             + "Seconds are wall time of the whole process (startup included); peak RSS is the process tree's; "
             "CPU s = user+system seconds of the run's process tree, and of the emulator during the run. "
             "A load average above 2 means other work shared the cores: wall times are then inflated.", "",
             "| run | rows | seconds | rows/s | peak RSS MB | streaming is N× faster | CPU s (run + emulator) "
             "| copy check | notes |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    rat = doc["ratios"]
    for r in doc["runs"]:
        if r["scale"] != scale:
            continue
        ratio = rat.get(r["name"])
        if r.get("status") == "ok":
            check = "ok" if r.get("rows_in_file") is not None else "rows (manifest)"
            if r.get("rows_in_file") is not None and not r.get("types_ok", True):
                check += ", other column types"
        elif r.get("status") == "wrong-copy":
            check = "**WRONG**: " + r.get("reason", "")
        else:
            check = r.get("status", "?")
        notes = r.get("note", "")
        if r.get("best_of", 1) > 1:
            tried = ", ".join(f"{s:.2f}" for s in r["attempts_seconds"] if s is not None)
            notes = (notes + "; " if notes else "") + f"fastest of {r['best_of']} ({tried} s); peak RSS the highest"
        rc = r.get("result_cache")
        if rc and (rc["hits"] or rc["misses"]):
            served = "from the result cache" if rc["hits"] and not rc["misses"] else \
                "executed (result cache miss)" if rc["misses"] and not rc["hits"] else \
                f"{rc['hits']} cached / {rc['misses']} executed statements"
            notes = (notes + "; " if notes else "") + served
        if r.get("status") in ("failed", "timeout", "unavailable"):
            notes = (notes + "; " if notes else "") + r.get("reason", "")[:300]
        lines.append(f"| {r['name']} | {fmt_num(r.get('rows'))} | {fmt_num(r.get('seconds'), '.2f')} | "
                     f"{fmt_num(r.get('rows_per_s'))} | {fmt_num((r.get('peak_rss_bytes') or 0) / 1e6 if r.get('peak_rss_bytes') else None)} | "
                     f"{fmt_num(ratio['streaming_speedup'], '.2f') if ratio else '—'} | "
                     f"{fmt_num(r.get('cpu_seconds'), '.1f')} + {fmt_num(r.get('emulator_cpu_seconds'), '.1f')} | "
                     f"{check} | {notes} |")
    extra = [r for r in doc["runs"] if r["scale"] != scale]
    if extra:
        lines += ["", "Other scales (peak RSS check):", ""]
        for r in extra:
            lines.append(f"- {r['name']} at scale {scale_tag(r['scale'])}: {r.get('status')}, "
                         f"{fmt_num(r.get('rows'))} rows in {fmt_num(r.get('seconds'), '.2f')} s, "
                         f"peak RSS {fmt_num((r.get('peak_rss_bytes') or 0) / 1e6)} MB")
    lines += ["", "## Targets", ""]
    for key, t in doc["targets"].items():
        met = {True: "**met**", False: "**not met**", None: "not measured"}[t.get("met")]
        val = f" — {t['value']}x" if "value" in t else ""
        line = f"- {t['target']}: {met}{val}"
        if key == "streaming_vs_physical_limit" and "limit_used" in t:
            line += (f" (limit = {t['limit_used']}, {t['limit_rows_per_s']:,.0f} rows/s; download "
                     f"{t['limit_download_rows_per_s']:,.0f} rows/s, Parquet ingest "
                     f"{t['limit_parquet_ingest_rows_per_s']:,.0f} rows/s)")
            ww = t.get("with_warehouse")
            if ww:
                line += (f"; counting the warehouse's own statement time the limit is {ww['rows_per_s']:,.0f} "
                         f"rows/s and streaming is {ww['value']}x from it "
                         f"({'within' if ww['met'] else 'not within'} 1.5x)")
        if key == "streaming_peak_rss":
            parts = [f"scale {k}: {v['peak_rss_bytes'] / 1e6:.0f} MB" for k, v in t["by_scale"].items()]
            line += f" ({'; '.join(parts) or 'no measurement'})"
        if t.get("why"):
            line += f" — {t['why']}"
        lines.append(line)
    lines += ["", "Ratios to dbduck-streaming, every run's JSON details and the exact commands: `latest.json`.",
              "How each peer works and why some cannot run: `bench/README.md`.", ""]
    return "\n".join(lines)


def main() -> int:
    scale = env_float("BENCH_SCALE", 1.0)
    data_root = os.environ.get("BENCH_DATA", os.path.join(BENCH, "data"))
    results = os.path.join(BENCH, "results")
    timeout = env_float("BENCH_TIMEOUT", 1800)
    only = [n.strip() for n in os.environ.get("BENCH_RUNS", "").split(",") if n.strip()]
    unknown = [n for n in only if n not in RUN_NAMES]
    if unknown:
        log(f"unknown run name(s) in BENCH_RUNS: {', '.join(unknown)}; known: {', '.join(RUN_NAMES)}")
        return 64
    # The peak RSS target is "at scale 1 and scale 5": a scale-1 run checks scale 5 too unless told not to.
    rss_env = os.environ.get("BENCH_RSS_SCALES")
    if rss_env is None:
        rss_env = "5" if scale == 1 else ""
    rss_scales = [float(x) for x in rss_env.replace(",", " ").split()]
    if not os.path.exists(VENV_PY):
        log(f"{VENV_PY} is missing: run `make venv` (or `make bench`, which builds it)")
        return 1
    os.makedirs(results, exist_ok=True)
    os.makedirs(data_root, exist_ok=True)
    started = dt.datetime.now(dt.timezone.utc)
    t_start = time.perf_counter()
    snapshot_dbduck(data_root)
    d = seeded_data(data_root, scale)
    parquet = parquet_export(d)
    basic_where = f"l_orderkey <= {env_int('BENCH_BASIC_ORDERKEY', 10000)}"
    exp_full = expected(parquet, None)
    exp_sample = expected(parquet, basic_where)
    log(f"scale {scale_tag(scale)}: {exp_full['fingerprint']['rows']:,} rows; "
        f"row-by-row sample ({basic_where}): {exp_sample['fingerprint']['rows']:,} rows")
    work = tempfile.mkdtemp(prefix="run-", dir=d)
    logs = os.path.join(data_root, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)
    ctx = Context(scale, work, parquet, basic_where, env_int("BENCH_PARALLELISM", 4),
                  env_int("BENCH_CHUNK_SIZE", 100_000))
    selected = only or RUN_NAMES
    for name in PEER_VENVS:
        if name in selected:
            py, err = peer_venv(name, os.path.join(BENCH, ".venvs"))
            if py:
                ctx.venv_python[name] = py
            else:
                ctx.venv_errors[name] = err
    machine = machine_info()
    runs: list[dict] = []
    extra: list[dict] = []
    emu = Emulator(os.path.join(d, "workspace"), os.path.join(logs, "emulator.err"))
    try:
        log(f"emulator at {emu.info['host']} (storage {emu.info['storage']})")
        ctx.ca_file = emu.info.get("ca_file")
        warm_up(emu, ctx, logs)
        chosen = [plan for plan in plans(ctx) if plan.name in selected]
        for plan in chosen:
            runs.append(run_one(plan, ctx, emu, exp_full, exp_sample, logs, timeout))
        repeat_short_runs(chosen, runs, ctx, emu, exp_full, exp_sample, logs, timeout)
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)
    for s in rss_scales:
        if s == scale or "dbduck-streaming" not in selected:
            continue
        ds = seeded_data(data_root, s)
        pq_s = parquet_export(ds)
        exp_s = expected(pq_s, None)
        ctx_s = Context(s, tempfile.mkdtemp(prefix="run-", dir=ds), pq_s, basic_where, ctx.parallelism,
                        ctx.chunk_size)
        emu = Emulator(os.path.join(ds, "workspace"), os.path.join(logs, f"emulator-{scale_tag(s)}.err"))
        try:
            ctx_s.ca_file = emu.info.get("ca_file")
            warm_up(emu, ctx_s, logs)
            plan = dbduck_plan("dbduck-streaming", "streaming", ctx_s)
            rec = run_one(plan, ctx_s, emu, exp_s, exp_s, logs, timeout)
            extra.append(rec)
        finally:
            emu.stop()
            shutil.rmtree(ctx_s.work, ignore_errors=True)
    machine["loadavg_at_end"] = list(os.getloadavg())
    cmd = "make bench" if os.environ.get("MAKELEVEL") else "bench/run"
    env_used = {k: v for k, v in os.environ.items() if k.startswith("BENCH_")}
    if os.environ.get("DBDUCK_BIN"):
        env_used["DBDUCK_BIN"] = os.environ["DBDUCK_BIN"]
    if env_used:
        cmd = " ".join(f"{k}={v}" for k, v in sorted(env_used.items())) + " " + cmd
    all_runs = runs + extra
    doc = {
        "table": TABLE, "scale": scale, "started_at": started.isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - t_start, 1), "command": cmd,
        "sample_where": basic_where, "expected": {"full": exp_full, "sample": exp_sample},
        "runs": all_runs, "ratios": ratios(all_runs, scale), "targets": targets(runs, scale, extra),
        "machine": machine,
        "emulator": {"chunk_rows": 122880, "result_cache": os.environ.get("BENCH_RESULT_CACHE", "1") != "0",
                     "note": "python -m emulator serve --data DIR --port 0 --storage-port 0"},
    }
    # A full run replaces latest.*; a BENCH_RUNS subset goes to partial.*.tmp (gitignored).
    json_path, md_path = (("latest.json", "latest.md") if not only else ("partial.json.tmp", "partial.md.tmp"))
    tmp = os.path.join(results, "writing.json.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(results, json_path))
    md = markdown(doc)
    with open(os.path.join(results, md_path), "w") as f:
        f.write(md)
    print(md)
    log(f"wrote bench/results/{json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    def _term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _term)
    sys.exit(main())
