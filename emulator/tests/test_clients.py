"""Conformance with Databricks' own Python clients: databricks-sdk 0.162.0 and
databricks-sql-connector 4.9.0 (Statement Execution backend, use_sea=True)."""

from __future__ import annotations

import time

import lz4.frame
import pyarrow as pa
import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied
from databricks.sdk.service.sql import (Disposition, ExecuteStatementRequestOnWaitTimeout, Format,
                                        StatementParameterListItem, StatementState)

LINEITEM_ROWS = 60012


def _client(e, **kw) -> WorkspaceClient:
    return WorkspaceClient(host=e.host, token=e.token, **kw)


def _decode(body: bytes, compressed: bool) -> pa.Table:
    if compressed:
        out = b""
        while body:
            d = lz4.frame.LZ4FrameDecompressor()
            out += d.decompress(body)
            body = d.unused_data
        body = out
    return pa.ipc.open_stream(body).read_all()


def test_sdk_sync_inline(emu):
    w = _client(emu)
    r = w.statement_execution.execute_statement(
        statement="SELECT o_orderkey, o_orderstatus FROM samples.tpch.orders WHERE o_orderkey <= :k ORDER BY 1",
        warehouse_id=emu.warehouse_id, wait_timeout="30s",
        parameters=[StatementParameterListItem(name="k", value="5", type="BIGINT")])
    assert r.status.state == StatementState.SUCCEEDED
    assert r.manifest.schema.columns[0].type_name.value == "LONG"
    assert [row[0] for row in r.result.data_array] == ["1", "2", "3", "4", "5"]
    assert all(row[1] in ("F", "O", "P") for row in r.result.data_array)
    assert r.manifest.total_row_count == 5


def test_sdk_async_poll_every_chunk_and_link(emu):
    w = _client(emu)
    r = w.statement_execution.execute_statement(
        statement="SELECT * FROM samples.tpch.lineitem", warehouse_id=emu.warehouse_id, wait_timeout="0s",
        disposition=Disposition.EXTERNAL_LINKS, format=Format.ARROW_STREAM)
    assert r.status.state == StatementState.PENDING
    sid = r.statement_id
    while r.status.state in (StatementState.PENDING, StatementState.RUNNING):
        time.sleep(0.05)
        r = w.statement_execution.get_statement(sid)
    assert r.status.state == StatementState.SUCCEEDED
    m = r.manifest
    assert m.total_chunk_count == 4 and m.total_row_count == LINEITEM_ROWS
    total = 0
    for i in range(m.total_chunk_count):
        data = w.statement_execution.get_statement_result_chunk_n(sid, i)
        (link,) = data.external_links
        assert link.chunk_index == i and link.row_offset == total
        body = requests.get(link.external_link).content
        t = _decode(body, False)
        assert t.num_rows == link.row_count
        total += t.num_rows
    assert total == LINEITEM_ROWS
    w.statement_execution.cancel_execution(sid)  # harmless on a finished statement


def test_sdk_inline_chunks_and_compression(emu):
    w = _client(emu)
    r = w.statement_execution.execute_statement(
        statement="SELECT l_orderkey, l_linenumber FROM samples.tpch.lineitem", warehouse_id=emu.warehouse_id,
        wait_timeout="30s")
    rows = list(r.result.data_array)
    nxt = r.result.next_chunk_index
    while nxt is not None:
        c = w.statement_execution.get_statement_result_chunk_n(r.statement_id, nxt)
        rows += c.data_array
        nxt = c.next_chunk_index
    assert len(rows) == LINEITEM_ROWS
    # LZ4 via the raw API (the SDK has no field for it): manifest echoes it
    raw = w.api_client.do("POST", "/api/2.0/sql/statements/", body={
        "statement": "SELECT * FROM samples.tpch.orders", "warehouse_id": emu.warehouse_id,
        "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM", "result_compression": "LZ4_FRAME"})
    assert raw["manifest"]["result_compression"] == "LZ4_FRAME"
    t = _decode(requests.get(raw["result"]["external_links"][0]["external_link"]).content, True)
    assert t.num_rows == 15000


def test_sdk_wait_timeout_cancel(start_emulator):
    e = start_emulator("--exec-delay", "20")
    w = _client(e)
    r = w.statement_execution.execute_statement(statement="SELECT 1", warehouse_id=e.warehouse_id,
                                                wait_timeout="5s",
                                                on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CANCEL)
    assert r.status.state == StatementState.CANCELED


def test_sdk_failed_statement_and_errors(emu):
    w = _client(emu)
    r = w.statement_execution.execute_statement(statement="SELECT * FROM main.demo.missing",
                                                warehouse_id=emu.warehouse_id, wait_timeout="30s")
    assert r.status.state == StatementState.FAILED
    assert r.status.error.message.startswith("[TABLE_OR_VIEW_NOT_FOUND]")
    with pytest.raises(NotFound):
        w.statement_execution.get_statement("01ef0000-0000-0000-0000-000000000000")
    bad = WorkspaceClient(host=emu.host, token="wrong-token")
    with pytest.raises(PermissionDenied, match="Invalid access token"):
        list(bad.catalogs.list())


def test_sdk_unity_catalog_listing(emu):
    w = _client(emu)
    assert [c.name for c in w.catalogs.list()] == ["main", "samples"]
    assert [s.name for s in w.schemas.list(catalog_name="main")] == ["default", "demo"]
    # max_results=1 forces pagination, including the empty page that still carries a token
    assert [t.name for t in w.tables.list(catalog_name="main", schema_name="demo", max_results=1)] == \
        ["all_types", "events", "orders_cdf", "orders_view", "shipped_orders_mv"]
    t = w.tables.get("main.demo.all_types")
    assert t.full_name == "main.demo.all_types" and t.data_source_format.value == "DELTA"
    col = {c.name: c for c in t.columns}
    assert col["id"].nullable is False and col["id"].comment == "row number" and col["id"].position == 0
    assert col["c_decimal_38_18"].type_text == "decimal(38,18)" and col["c_decimal_38_18"].type_precision == 38
    assert col["c_variant"].type_name.value == "VARIANT"
    assert col["c_map"].type_text == "map<string,int>"
    ev = w.tables.get("main.demo.events")
    assert ev.properties["delta.enableChangeDataFeed"] == "true"
    with pytest.raises(NotFound):
        w.tables.get("main.demo.nope")


def test_sdk_oauth_m2m(start_emulator):
    e = start_emulator("--oauth-ttl", "45")
    w = WorkspaceClient(host=e.host, client_id=e.info["client_id"], client_secret=e.info["client_secret"])
    assert w.config.auth_type == "oauth-m2m"
    assert [c.name for c in w.catalogs.list()] == ["main", "samples"]
    r = w.statement_execution.execute_statement(statement="SELECT 1 AS one", warehouse_id=e.warehouse_id)
    assert r.result.data_array == [["1"]]
    # the SDK treats tokens as expired 40 s early: with a 45 s lifetime it must refresh for each call
    assert requests.get(e.host + "/admin/stats").json()["oauth_tokens_issued"] == 1
    time.sleep(5.5)
    assert [c.name for c in w.catalogs.list()] == ["main", "samples"]
    assert requests.get(e.host + "/admin/stats").json()["oauth_tokens_issued"] == 2  # refreshed
    bad = WorkspaceClient(host=e.host, client_id=e.info["client_id"], client_secret="wrong")
    with pytest.raises(Exception):
        list(bad.catalogs.list())


def test_sdk_oauth_token_expires(start_emulator):
    e = start_emulator("--oauth-ttl", "1")
    tok = requests.post(e.host + "/oidc/v1/token", data={"grant_type": "client_credentials", "scope": "all-apis"},
                        auth=(e.info["client_id"], e.info["client_secret"])).json()
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 1
    h = {"Authorization": f"Bearer {tok['access_token']}"}
    assert requests.get(e.host + "/api/2.1/unity-catalog/catalogs", headers=h).status_code == 200
    time.sleep(1.2)
    r = requests.get(e.host + "/api/2.1/unity-catalog/catalogs", headers=h)
    assert r.status_code == 403 and r.json()["message"] == "Invalid access token."


def test_sdk_over_tls(start_emulator, monkeypatch):
    e = start_emulator("--tls")
    assert e.host.startswith("https://") and e.ca_file
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", e.ca_file)
    w = _client(e)
    r = w.statement_execution.execute_statement(statement="SELECT count(*) FROM samples.tpch.orders",
                                                warehouse_id=e.warehouse_id, disposition=Disposition.EXTERNAL_LINKS,
                                                format=Format.ARROW_STREAM)
    t = _decode(requests.get(r.result.external_links[0].external_link).content, False)
    assert t.column(0).to_pylist() == [15000]
    import certifi
    with pytest.raises(requests.exceptions.SSLError):  # not trusted without the emulator's CA
        requests.get(e.host + "/admin/health", verify=certifi.where())


def test_connector_sea_arrow_through_links(start_emulator):
    from databricks import sql
    e = start_emulator("--tls", "--chunk-rows", "20000", "--hybrid-inline-bytes", "0")
    hostport = e.host.split("://", 1)[1]
    host, port = hostport.rsplit(":", 1)
    with sql.connect(server_hostname=host, port=int(port), http_path=e.info["http_path"], access_token=e.token,
                     use_sea=True, _tls_trusted_ca_file=e.ca_file, enable_telemetry=False,
                     use_cloud_fetch=True) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM samples.tpch.lineitem")
            t = cur.fetchall_arrow()
            assert t.num_rows == LINEITEM_ROWS
            assert t.schema.field("l_quantity").type == pa.decimal128(18, 2)
            cur.execute("SELECT id, c_timestamp, c_struct FROM main.demo.all_types WHERE id = :id", {"id": 0})
            row = cur.fetchone()
            assert row.id == 0 and row.c_struct["name"] == "widget"
            cur.execute("SHOW TABLES IN samples.tpch")
            assert sorted(r[1] for r in cur.fetchall()) == ["lineitem", "orders"]


def test_connector_sea_hybrid_attachment(start_emulator):
    from databricks import sql
    e = start_emulator("--tls")
    host, port = e.host.split("://", 1)[1].rsplit(":", 1)
    with sql.connect(server_hostname=host, port=int(port), http_path=e.info["http_path"], access_token=e.token,
                     use_sea=True, _tls_trusted_ca_file=e.ca_file, enable_telemetry=False) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT o_orderkey, o_totalprice FROM samples.tpch.orders ORDER BY o_orderkey LIMIT 100")
            t = cur.fetchall_arrow()  # small: comes inline as a base64 Arrow attachment
            assert t.num_rows == 100 and t.column(0)[0].as_py() == 1
            cur.execute("SELECT count(*) FROM samples.tpch.lineitem")
            assert cur.fetchone()[0] == LINEITEM_ROWS
