"""ingestr: `ingestr ingest` from the Databricks source into a DuckDB destination.

ingestr 1.x on PyPI (1.1.76) is a thin Python launcher: on first use it downloads its Go CLI binary
from the project's GitHub releases (or uses INGESTR_BINARY_PATH). Where that download is impossible
(no network beyond the package registries, as on the benchmark machine) this peer stops with the
launcher's own error, and the harness records the run as failed with that reason. Runs in its own
venv (bench/.venvs/ingestr).

The source URI is ingestr's documented Databricks form
`databricks://token:<token>@<host>?http_path=/sql/1.0/warehouses/<id>`; the token is passed to the
child process only, never printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse

from _common import Workspace, parse_args, report


def main() -> None:
    args = parse_args(__doc__)
    ws = Workspace()
    try:
        from ingestr._runner import binary_path  # the launcher's own lookup (env, bundled, cache, download)

        exe = binary_path()
    except Exception as e:  # noqa: BLE001 -- any failure here is the reason the run cannot happen
        sys.exit(f"ingestr CLI binary unavailable: {e}")
    host = ws.hostname
    source = (f"databricks://token:{urllib.parse.quote(ws.token, safe='')}@{host}"
              f"?http_path=/sql/1.0/warehouses/{ws.warehouse_id}")
    catalog, schema, table = args.table.split(".")
    source += f"&catalog={catalog}&schema={schema}"
    dest = f"duckdb:///{os.path.abspath(args.out)}"
    for p in (args.out, args.out + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    cmd = [exe, "ingest", "--source-uri", source, "--source-table", f"{schema}.{table}",
           "--dest-uri", dest, "--dest-table", args.target, "--yes", "--progress", "log"]
    done = subprocess.run(cmd, stdout=sys.stderr)
    if done.returncode != 0:
        sys.exit(f"ingestr exited with {done.returncode}")
    report(-1, note="the harness counts the rows in the DuckDB file")


if __name__ == "__main__":
    main()
