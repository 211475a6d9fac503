"""CLI: `python -m emulator serve ...` and `python -m emulator seed ...` (see README.md)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading


def _serve(a: argparse.Namespace) -> int:
    from .auth import Auth
    from .catalog import Catalog
    from .faults import Faults, FaultSpecError
    from .server import start_servers
    from .workspaceapp import App
    from .sqlengine import Engine
    from .resultcache import ResultCache
    from .statements import StatementStore
    from .uc import UnityCatalog

    if a.seed_scale is not None:
        from .seed import seed
        seed(a.data, a.seed_scale, log=lambda s: print(s, file=sys.stderr))
    os.makedirs(a.data, exist_ok=True)
    try:
        faults = Faults(a.faults)
    except FaultSpecError as e:
        print(f"emulator: bad --faults: {e}", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="dbduck-emulator-")
    tls_ctx, ca_file = None, None
    if a.tls:
        from .tls import make_context
        tls_ctx, ca_file = make_context(os.path.join(work, "tls"))
    catalog = Catalog(a.data)
    engine = Engine(catalog, a.session_tz, threads=a.threads, memory_limit=a.memory_limit,
                    retention_check=not a.no_retention_check)
    cache = ResultCache(os.path.join(work, "results", "cache"), a.result_cache_mb * 1024 * 1024,
                        enabled=a.result_cache_mb > 0)
    store = StatementStore(engine, faults, os.path.join(work, "results"), a.chunk_rows, a.exec_delay,
                           a.result_ttl, a.session_tz, cache)
    token = a.token or ("dapi" + secrets.token_hex(16))
    client_secret = a.client_secret or ("dose" + secrets.token_hex(16))
    auth = Auth(token, a.client_id, client_secret, a.oauth_ttl)
    warehouse_id = a.warehouse_id or hashlib.sha256(os.path.abspath(a.data).encode()).hexdigest()[:16]
    app = App(store, faults, auth, UnityCatalog(catalog), warehouse_id, a.link_ttl, a.first_links,
              a.hybrid_inline_bytes, a.default_catalog, verbose=a.verbose)
    api, storage = start_servers(app, a.host, a.port, a.storage_port, tls_ctx)
    info = {"host": app.host, "token": token, "warehouse_id": warehouse_id, "storage": app.links.base,
            "client_id": a.client_id, "client_secret": client_secret,
            "http_path": f"/sql/1.0/warehouses/{warehouse_id}"}
    if ca_file:
        info["ca_file"] = ca_file
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(0.5):
        pass
    store.shutdown()
    for srv in (api, storage):
        srv.shutdown()
        srv.server_close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _seed(a: argparse.Namespace) -> int:
    from .seed import seed
    seed(a.data, a.scale)
    return 0


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or N,M,...: {text!r}")
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError("chunk sizes must be positive")
    return sizes


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m emulator", description="Databricks SQL warehouse emulator")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve the workspace API and the storage endpoint")
    s.add_argument("--data", required=True, help="directory holding <catalog>/<schema>/<table> Delta tables")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0, help="workspace API port (0 = pick a free one)")
    s.add_argument("--storage-port", type=int, default=0, help="storage endpoint port (0 = pick a free one)")
    s.add_argument("--token", help="personal access token to accept (default: random dapi...)")
    s.add_argument("--client-id", default="dbduck-emulator-sp", help="OAuth M2M client id")
    s.add_argument("--client-secret", help="OAuth M2M client secret (default: random)")
    s.add_argument("--oauth-ttl", type=int, default=3600, help="OAuth access token lifetime, seconds")
    s.add_argument("--warehouse-id", help="warehouse id (default: derived from --data)")
    s.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA (reported as ca_file)")
    s.add_argument("--session-tz", default="Etc/UTC", help="session time zone (Arrow TIMESTAMP tz)")
    s.add_argument("--faults", default=None, help="fault spec, e.g. 'seed=7;429,target=execute,count=2'")
    s.add_argument("--chunk-rows", type=_sizes, default=[122880],
                   help="rows per result chunk; a comma list (e.g. 700,1300) is used in turn so sizes vary")
    s.add_argument("--link-ttl", type=float, default=900, help="external link lifetime, seconds")
    s.add_argument("--exec-delay", type=float, default=0.0, help="seconds each statement stays RUNNING first")
    s.add_argument("--result-cache-mb", type=int, default=4096,
                   help="query result cache size in MiB, as Databricks SQL's use_cached_result (0 = off)")
    s.add_argument("--result-ttl", type=float, default=3600, help="seconds results stay available")
    s.add_argument("--first-links", type=int, default=2, help="external links in the first response")
    s.add_argument("--hybrid-inline-bytes", type=int, default=5 * 1024 * 1024,
                   help="INLINE_OR_EXTERNAL_LINKS inlines single-chunk Arrow results up to this size; "
                        "negative: refuse that disposition, as a warehouse without it does")
    s.add_argument("--default-catalog", default="main")
    s.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    s.add_argument("--memory-limit", default="1GB", help="DuckDB memory limit")
    s.add_argument("--no-retention-check", action="store_true",
                   help="VACUUM accepts any RETAIN (as spark.databricks.delta.retentionDurationCheck.enabled=false)")
    s.add_argument("--seed-scale", type=float, default=None, help="seed DATA at this scale before serving")
    s.add_argument("--verbose", action="store_true", help="log requests (paths only) to stderr")
    s.set_defaults(fn=_serve)
    d = sub.add_parser("seed", help="write the sample tables")
    d.add_argument("--data", required=True)
    d.add_argument("--scale", type=float, default=0.01)
    d.set_defaults(fn=_seed)
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
