"""CLI contract (serve's first line, port 0, signals, seed) and Unity Catalog REST details."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from deltalake import DeltaTable

from conftest import ROOT, Emulator


def test_serve_prints_one_json_line_and_stops_on_sigterm(data_dir):
    # Start-up time is a speed goal, measured outside the tests and not asserted here.
    e = Emulator(data_dir)
    assert set(e.info) >= {"host", "token", "warehouse_id", "storage"}
    assert e.host.startswith("http://127.0.0.1:") and e.storage.startswith("http://127.0.0.1:")
    assert e.host != e.storage and e.token.startswith("dapi")
    assert requests.get(e.host + "/admin/health").json() == {"ok": True}
    e.ok("SELECT 1", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    r = e.ok("SELECT 2", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    e.download(r["result"]["external_links"][0])
    e.http.delete(f"{e.host}/api/2.0/sql/statements/{r['statement_id']}")
    stats = requests.get(e.host + "/admin/stats").json()
    assert stats["statements"] == 2 and stats["statements_by_state"] == {"SUCCEEDED": 1, "CLOSED": 1}
    assert stats["downloads"] == 1 and stats["download_bytes"] > 0
    assert e.stop() == 0



def test_stats_count_api_response_bytes(data_dir):
    with Emulator(data_dir) as e:
        stats = lambda: requests.get(e.host + "/admin/stats").json()  # noqa: E731
        before = stats()
        r = e.http.post(e.host + "/api/2.0/sql/statements",
                        json={"statement": "SELECT 1 AS x", "warehouse_id": e.warehouse_id, "wait_timeout": "30s"})
        after = stats()
        assert after["api_responses"] - before["api_responses"] == 1
        assert after["api_response_bytes"] - before["api_response_bytes"] == len(r.content)
        assert after["download_bytes"] == before["download_bytes"]  # inline: nothing from storage

def test_sigint_and_tls_line(data_dir):
    e = Emulator(data_dir, "--tls")
    try:
        assert e.host.startswith("https://") and os.path.exists(e.ca_file)
        assert requests.get(e.host + "/admin/health", verify=e.ca_file).status_code == 200
        e.proc.send_signal(signal.SIGINT)
        assert e.proc.wait(10) == 0
    finally:
        e.stop()


def test_seed_writes_delta_tables(tmp_path):
    d = str(tmp_path / "seed")
    out = subprocess.run([sys.executable, "-m", "emulator", "seed", "--data", d, "--scale", "0.001"], cwd=ROOT,
                         check=True, capture_output=True, text=True, timeout=120)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["lineitem"] == 6001 and info["orders"] == 1500
    li = DeltaTable(os.path.join(d, "samples", "tpch", "lineitem"))
    assert li.to_pyarrow_table().num_rows == 6001
    ev = DeltaTable(os.path.join(d, "main", "demo", "events"))
    assert ev.metadata().configuration["delta.enableChangeDataFeed"] == "true"
    assert ev.version() == 5
    at = DeltaTable(os.path.join(d, "main", "demo", "all_types"))
    assert "timestampNtz" in (at.protocol().reader_features or [])


def test_uc_pagination_raw(emu):
    base = emu.host + "/api/2.1/unity-catalog"
    all_ = emu.http.get(base + "/catalogs").json()
    assert [c["name"] for c in all_["catalogs"]] == ["main", "samples"] and "next_page_token" not in all_
    pages = []
    q = {"max_results": 1}
    while True:
        p = emu.http.get(base + "/catalogs", params=q).json()
        pages.append([c["name"] for c in p["catalogs"]])
        if not p.get("next_page_token"):
            break
        q = {"max_results": 1, "page_token": p["next_page_token"]}
    assert pages[1] == []  # an empty page that still carried a token
    assert [n for p in pages for n in p] == ["main", "samples"]
    assert emu.http.get(base + "/catalogs", params={"max_results": -1}).status_code == 400
    r = emu.http.get(base + "/schemas", params={"catalog_name": "nope"})
    assert r.status_code == 404
    assert emu.http.get(base + "/schemas").status_code == 400


def test_uc_table_info(emu):
    base = emu.host + "/api/2.1/unity-catalog"
    t = emu.http.get(base + "/tables/main.demo.all_types").json()
    assert t["table_type"] == "MANAGED" and t["data_source_format"] == "DELTA"
    cols = {c["name"]: c for c in t["columns"]}
    c = cols["c_nested"]
    assert c["type_text"] == "array<struct<k:string,v:map<string,bigint>>>" and c["type_name"] == "ARRAY"
    tj = json.loads(c["type_json"])
    assert tj["name"] == "c_nested" and tj["type"]["type"] == "array"
    assert json.loads(cols["c_variant"]["type_json"])["type"] == "variant"
    assert cols["c_timestamp_ntz"]["type_name"] == "TIMESTAMP_NTZ"
    assert cols["c_tinyint"]["type_name"] == "BYTE" and cols["c_bigint"]["comment"] == "64-bit integer"
    assert [c["position"] for c in t["columns"]] == list(range(len(t["columns"])))
    assert "delta.minReaderVersion" in t["properties"]
    lst = emu.http.get(base + "/tables", params={"catalog_name": "samples", "schema_name": "tpch",
                                                "omit_columns": "true"}).json()
    assert [x["name"] for x in lst["tables"]] == ["lineitem", "orders"] and "columns" not in lst["tables"][0]
    assert emu.http.get(base + "/tables/main.demo.events/exists").json() == {"table_exists": True}
    r = emu.http.get(base + "/tables/main.demo.nope")
    assert r.status_code == 404 and r.json()["error_code"] == "TABLE_DOES_NOT_EXIST"


def test_oauth_discovery_documents(emu):
    cfg = requests.get(emu.host + "/.well-known/databricks-config").json()
    assert cfg["oidc_endpoint"] == emu.host + "/oidc" and cfg["workspace_id"]
    meta = requests.get(emu.host + "/oidc/.well-known/oauth-authorization-server").json()
    assert meta["token_endpoint"] == emu.host + "/oidc/v1/token"
    assert "client_credentials" in meta["grant_types_supported"]
    r = requests.post(meta["token_endpoint"], data={"grant_type": "client_credentials", "scope": "all-apis",
                                                    "client_id": emu.info["client_id"],
                                                    "client_secret": emu.info["client_secret"]})
    assert r.status_code == 200 and r.json()["expires_in"] == 3600  # client_secret_post
    r = requests.post(meta["token_endpoint"], data={"grant_type": "client_credentials"}, auth=("x", "y"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_sessions_endpoint(emu):
    r = emu.http.post(emu.host + "/api/2.0/sql/sessions", json={"warehouse_id": emu.warehouse_id,
                                                                "catalog": "samples", "schema": "tpch"})
    sid = r.json()["session_id"]
    res = emu.ok("SELECT count(*) FROM orders", session_id=sid)
    assert res["result"]["data_array"] == [["15000"]]
    emu.ok("USE SCHEMA main.demo", session_id=sid)
    assert emu.rows("SELECT count(*) FROM all_types", session_id=sid) == [["7"]]
    d = emu.http.delete(f"{emu.host}/api/2.0/sql/sessions/{sid}", params={"warehouse_id": emu.warehouse_id})
    assert d.status_code == 200 and d.json() == {}


def test_tls_openssl_fallback_verifies(tmp_path):
    import shutil as _sh
    import socket
    import ssl
    import threading
    from emulator.tls import _make_context_openssl
    if _sh.which("openssl") is None:
        pytest.fail("openssl CLI missing (needed only when the cryptography package is absent)")
    ctx, ca = _make_context_openssl(str(tmp_path))
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def accept():
        c, _ = srv.accept()
        s = ctx.wrap_socket(c, server_side=True)
        s.recv(1)
        s.close()

    th = threading.Thread(target=accept, daemon=True)
    th.start()
    client = ssl.create_default_context(cafile=ca)
    with client.wrap_socket(socket.create_connection(srv.getsockname()), server_hostname="127.0.0.1") as s:
        s.send(b"x")
    th.join(5)
    srv.close()
