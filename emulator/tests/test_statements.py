"""Statement Execution API 2.0 on the wire: shapes, states, limits, chunks, links, storage rules."""

from __future__ import annotations

import io
import json
import re
import time

import lz4.frame
import pyarrow as pa
import pytest
import requests

LINEITEM_ROWS = 60012  # round(6,001,215 * 0.01)


def lz4_frames(data: bytes) -> list[bytes]:
    frames = []
    while data:
        d = lz4.frame.LZ4FrameDecompressor()
        frames.append(d.decompress(data))
        data = d.unused_data
    return frames


def test_execute_inline_shape(emu):
    r = emu.ok("SELECT o_orderkey, o_totalprice FROM samples.tpch.orders ORDER BY o_orderkey LIMIT 3")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", r["statement_id"])
    m = r["manifest"]
    assert m["format"] == "JSON_ARRAY"
    assert m["schema"]["column_count"] == 2
    assert m["schema"]["columns"][1] == {"name": "o_totalprice", "type_text": "DECIMAL(18,2)", "type_name": "DECIMAL",
                                         "position": 1, "type_precision": 18, "type_scale": 2}
    assert m["total_chunk_count"] == 1 and m["total_row_count"] == 3 and m["truncated"] is False
    assert "total_byte_count" not in m and "byte_count" not in m["chunks"][0]
    res = r["result"]
    assert res["chunk_index"] == 0 and res["row_offset"] == 0 and res["row_count"] == 3
    assert "next_chunk_index" not in res
    assert all(isinstance(v, str) for row in res["data_array"] for v in row)
    assert res["data_array"][0][0] == "1"


def test_trailing_slash_and_no_slash(emu):
    for path in ("/api/2.0/sql/statements", "/api/2.0/sql/statements/"):
        r = emu.http.post(emu.host + path, json={"statement": "SELECT 1 AS x", "warehouse_id": emu.warehouse_id})
        assert r.status_code == 200 and r.json()["result"]["data_array"] == [["1"]]


def test_ddl_and_zero_row_shapes(emu):
    r = emu.ok("USE CATALOG samples")
    assert r["manifest"] == {"format": "JSON_ARRAY", "schema": {"column_count": 0}, "total_chunk_count": 0,
                             "total_row_count": 0, "total_byte_count": 0, "truncated": False}
    assert r["result"] == {}
    r = emu.ok("SELECT * FROM samples.tpch.orders WHERE o_orderkey < 0", disposition="EXTERNAL_LINKS",
               format="ARROW_STREAM")
    m = r["manifest"]
    assert m["schema"]["column_count"] == 9 and len(m["schema"]["columns"]) == 9
    assert m["total_chunk_count"] == 0 and m["total_row_count"] == 0 and "chunks" not in m
    assert r["result"] == {}


def test_inline_chunks_follow_next_chunk_index(emu):
    r = emu.ok("SELECT l_orderkey FROM samples.tpch.lineitem")
    m = r["manifest"]
    assert m["total_chunk_count"] == 4
    assert [c["row_count"] for c in m["chunks"]] == [20000, 20000, 20000, 12]
    assert r["result"]["next_chunk_index"] == 1
    assert r["result"]["next_chunk_internal_link"] == f"/api/2.0/sql/statements/{r['statement_id']}/result/chunks/1"
    assert len(emu.rows("SELECT l_orderkey FROM samples.tpch.lineitem")) == LINEITEM_ROWS
    last = emu.chunk(r["statement_id"], 3)
    assert last["row_offset"] == 60000 and len(last["data_array"]) == 12 and "next_chunk_index" not in last


def test_request_validation_errors(emu):
    def post(body):
        return emu.http.post(emu.host + "/api/2.0/sql/statements",
                             json={"warehouse_id": emu.warehouse_id, "statement": "SELECT 1", **body})
    r = post({"format": "ARROW_STREAM"})
    assert r.status_code == 400
    body = r.json()
    assert {k: body[k] for k in ("error_code", "message")} == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": "The format field must be JSON_ARRAY when the disposition field is INLINE."}
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.RequestInfo"
    for wt in ("3s", "51s", "10", "abc"):
        r = post({"wait_timeout": wt})
        assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert post({"disposition": "NOPE"}).status_code == 400
    assert post({"row_limit": -1}).status_code == 400
    r = post({"warehouse_id": "0000000000000000"})
    assert r.status_code == 404
    r = emu.http.post(emu.host + "/api/2.0/sql/statements", data=b"{not json")
    assert r.status_code == 400
    r = emu.http.get(emu.host + "/api/2.0/sql/statements/01ef0000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_auth_errors_have_recorded_bodies(emu):
    url = emu.host + "/api/2.0/sql/statements"
    r = requests.post(url, json={"statement": "SELECT 1", "warehouse_id": emu.warehouse_id})
    assert r.status_code == 401
    assert r.json() == {"error_code": 401, "message": "Credential was not sent or was of an unsupported type for this API."}
    r = requests.post(url, json={}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403 and r.json() == {"error_code": 403, "message": "Invalid access token."}


def test_sql_failure_is_http_200_failed(emu):
    r = emu.execute("SELEC 1")
    assert r["status"]["state"] == "FAILED"
    assert r["status"]["error"]["error_code"] == "BAD_REQUEST"
    assert r["status"]["error"]["message"].startswith("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'")
    assert r["status"]["sql_state"] == "42601"
    assert "manifest" not in r and "result" not in r


def test_async_pending_then_poll(emu):
    r = emu.execute("SELECT count(*) FROM samples.tpch.lineitem", wait_timeout="0s")
    assert r == {"statement_id": r["statement_id"], "status": {"state": "PENDING"}}
    done = emu.wait(r["statement_id"])
    assert done["status"]["state"] == "SUCCEEDED"
    assert done["result"]["data_array"] == [[str(LINEITEM_ROWS)]]


def test_cancel_running_statement(start_emulator):
    e = start_emulator("--exec-delay", "30")
    r = e.execute("SELECT 1", wait_timeout="0s")
    sid = r["statement_id"]
    time.sleep(0.2)
    assert e.status(sid)["status"]["state"] == "RUNNING"
    c = e.http.post(f"{e.host}/api/2.0/sql/statements/{sid}/cancel", json={})
    assert c.status_code == 200 and c.json() == {}
    assert e.wait(sid, 5)["status"]["state"] == "CANCELED"
    # on_wait_timeout=CANCEL: the call returns CANCELED after the wait
    r = e.execute("SELECT 1", wait_timeout="5s", on_wait_timeout="CANCEL")
    assert r["status"]["state"] == "CANCELED"
    # CONTINUE: returns RUNNING with only id + status
    r = e.execute("SELECT 1", wait_timeout="5s")
    assert r == {"statement_id": r["statement_id"], "status": {"state": "RUNNING"}}
    e.http.post(f"{e.host}/api/2.0/sql/statements/{r['statement_id']}/cancel", json={"statement_id": r["statement_id"]})


def test_close_frees_results(emu):
    r = emu.ok("SELECT * FROM samples.tpch.orders", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    sid = r["statement_id"]
    link = r["result"]["external_links"][0]
    d = emu.http.delete(f"{emu.host}/api/2.0/sql/statements/{sid}")
    assert d.status_code == 200 and d.json() == {}
    assert emu.status(sid)["status"]["state"] == "CLOSED"
    assert emu.http.get(f"{emu.host}/api/2.0/sql/statements/{sid}/result/chunks/0").status_code == 404
    assert requests.get(link["external_link"]).status_code in (403, 404)


def test_row_limit_and_byte_limit_truncate(emu):
    r = emu.ok("SELECT * FROM samples.tpch.orders", row_limit=10)
    assert r["manifest"]["total_row_count"] == 10 and r["manifest"]["truncated"] is True
    r = emu.ok("SELECT * FROM samples.tpch.orders LIMIT 10", row_limit=10)
    assert r["manifest"]["truncated"] is False
    r = emu.ok("SELECT * FROM samples.tpch.orders", disposition="EXTERNAL_LINKS", format="ARROW_STREAM",
               byte_limit=100_000)
    assert r["manifest"]["truncated"] is True and 0 < r["manifest"]["total_row_count"] < 15000


def test_named_parameters(emu):
    rows = emu.rows("SELECT o_orderkey, :label AS label, :d AS d FROM samples.tpch.orders WHERE o_orderkey = :k",
                    parameters=[{"name": "k", "value": "33", "type": "BIGINT"}, {"name": "label", "value": "it's"},
                                {"name": "d", "value": "2024-01-02", "type": "DATE"}])
    assert rows == [["33", "it's", "2024-01-02"]]
    r = emu.ok("SELECT :n IS NULL AS isnull", parameters=[{"name": "n", "type": "INT"}])
    assert r["result"]["data_array"] == [["true"]]
    r = emu.execute("SELECT :missing")
    assert r["status"]["state"] == "FAILED" and "UNBOUND_SQL_PARAMETER" in r["status"]["error"]["message"]


def test_external_links_arrow_lz4(emu):
    r = emu.ok("SELECT * FROM samples.tpch.lineitem", disposition="EXTERNAL_LINKS", format="ARROW_STREAM",
               result_compression="LZ4_FRAME")
    m = r["manifest"]
    assert m["result_compression"] == "LZ4_FRAME" and m["total_chunk_count"] == 4
    links = r["result"]["external_links"]
    assert [l["chunk_index"] for l in links] == [0, 1]  # several links in the first response
    assert links[0]["next_chunk_index"] == 1 and links[1]["next_chunk_index"] == 2
    assert "X-Amz-Signature=" in links[0]["external_link"] and "X-Amz-Expires=899" in links[0]["external_link"]
    exp = time.mktime(time.strptime(links[0]["expiration"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert 850 < exp - time.time() < 910
    total = 0
    idx = 0
    while True:
        link = links[0] if idx < 2 else emu.chunk(r["statement_id"], idx)["external_links"][0]
        if idx < 2:
            link = links[idx]
        body = emu.download(link)
        assert link["byte_count"] == len(body)
        frames = lz4_frames(body)
        raw = b"".join(frames)
        assert len(raw) == m["chunks"][idx]["byte_count"]
        assert body[:4] == b"\x04\x22\x4d\x18" and body[4] == 0x74 and body[5] == 0x70  # magic, FLG, BD (4 MiB)
        batches = list(pa.ipc.open_stream(raw))
        assert len(frames) == len(batches) + 2  # schema + batches + EOS, one frame each
        rows = sum(b.num_rows for b in batches)
        assert rows == link["row_count"] == m["chunks"][idx]["row_count"]
        assert link["row_offset"] == total
        total += rows
        if "next_chunk_index" not in link:
            break
        idx = link["next_chunk_index"]
    assert total == LINEITEM_ROWS


def test_external_links_uncompressed_json_and_csv(emu):
    r = emu.ok("SELECT o_orderkey, o_comment FROM samples.tpch.orders ORDER BY o_orderkey", disposition="EXTERNAL_LINKS",
               format="ARROW_STREAM")
    assert "result_compression" not in r["manifest"]
    t = pa.ipc.open_stream(emu.download(r["result"]["external_links"][0])).read_all()
    assert t.num_rows == 15000 and t.schema.field("o_orderkey").type == pa.int64()
    r = emu.ok("SELECT o_orderkey, o_orderstatus FROM samples.tpch.orders ORDER BY o_orderkey LIMIT 5",
               disposition="EXTERNAL_LINKS", format="JSON_ARRAY")
    assert r["manifest"]["format"] == "JSON_ARRAY" and r["manifest"]["total_byte_count"] > 0
    data = json.loads(emu.download(r["result"]["external_links"][0]))
    assert data[0] == ["1", "F"] and len(data) == 5
    r = emu.ok("SELECT l_orderkey, l_comment FROM samples.tpch.lineitem ORDER BY l_orderkey, l_linenumber",
               disposition="EXTERNAL_LINKS", format="CSV")
    first = emu.download(r["result"]["external_links"][0]).decode()
    second = emu.download(r["result"]["external_links"][1]).decode()
    assert first.startswith("l_orderkey,l_comment\r\n")
    assert not second.startswith("l_orderkey")
    assert len(first.splitlines()) == 20001 and len(second.splitlines()) == 20000


def test_storage_rejects_authorization_and_bad_signature(emu):
    r = emu.ok("SELECT 1 AS x", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    url = r["result"]["external_links"][0]["external_link"]
    bad = requests.get(url, headers={"Authorization": f"Bearer {emu.token}"})
    assert bad.status_code == 400 and b"InvalidArgument" in bad.content
    tampered = re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0" * 64, url)
    assert requests.get(tampered).status_code == 403
    assert requests.get(url).status_code == 200


def test_expired_link_403_and_fresh_link_from_chunk_endpoint(start_emulator):
    e = start_emulator("--link-ttl", "1")
    r = e.ok("SELECT * FROM samples.tpch.orders", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    link = r["result"]["external_links"][0]
    time.sleep(2.2)
    resp = requests.get(link["external_link"])
    assert resp.status_code == 403 and b"Request has expired" in resp.content
    fresh = e.chunk(r["statement_id"], 0)["external_links"][0]
    assert fresh["external_link"] != link["external_link"]
    assert pa.ipc.open_stream(e.download(fresh)).read_all().num_rows == 15000


def test_chunk_index_out_of_range(emu):
    r = emu.ok("SELECT 1 AS x", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    g = emu.http.get(f"{emu.host}/api/2.0/sql/statements/{r['statement_id']}/result/chunks/5")
    assert g.status_code == 404


def test_inline_25mib_limit(emu):
    r = emu.execute("SELECT l_comment || l_comment || l_comment AS c FROM samples.tpch.lineitem, range(8)")
    assert r["status"]["state"] == "FAILED"
    assert "25 MiB" in r["status"]["error"]["message"]


def test_hybrid_disposition_attachment(emu):
    r = emu.ok("SELECT 42 AS answer", disposition="INLINE_OR_EXTERNAL_LINKS", format="ARROW_STREAM",
               result_compression="LZ4_FRAME")
    import base64
    att = base64.b64decode(r["result"]["attachment"])
    t = pa.ipc.open_stream(b"".join(lz4_frames(att))).read_all()
    assert t.column(0).to_pylist() == [42]


def test_varying_chunk_sizes(start_emulator):
    e = start_emulator("--chunk-rows", "7000,13000,2048")
    r = e.ok("SELECT l_orderkey FROM samples.tpch.lineitem", disposition="EXTERNAL_LINKS", format="ARROW_STREAM")
    counts = [c["row_count"] for c in r["manifest"]["chunks"]]
    assert counts[:4] == [7000, 13000, 2048, 7000] and sum(counts) == LINEITEM_ROWS
    offsets = [c["row_offset"] for c in r["manifest"]["chunks"]]
    assert offsets == [sum(counts[:i]) for i in range(len(counts))]


def test_chunked_request_body(emu):
    def gen():
        yield b'{"statement": "SELECT 7 AS x", '
        yield ('"warehouse_id": "%s"}' % emu.warehouse_id).encode()
    r = emu.http.post(emu.host + "/api/2.0/sql/statements", data=gen())
    assert r.status_code == 200 and r.json()["result"]["data_array"] == [["7"]]


def test_statements_nobody_fetches_again_expire_and_are_forgotten(start_emulator):
    """A client that never closes its statements must not make the warehouse grow: past the TTL a
    result is closed by the next statement submitted (not only by a GET of its own), and after
    another TTL its id is unknown."""
    e = start_emulator("--result-ttl", "1")
    kept = e.ok("SELECT 1 AS x")["statement_id"]      # asked about again below, before it is forgotten
    never = e.ok("SELECT 2 AS x")["statement_id"]     # never asked about again until the end
    time.sleep(1.3)
    e.ok("SELECT 3 AS x")                             # expires both on submit
    assert e.status(kept)["status"]["state"] == "CLOSED"
    time.sleep(1.3)
    e.ok("SELECT 4 AS x")                             # forgets both: ended more than two TTLs ago
    for sid in (kept, never):
        r = e.http.get(f"{e.host}/api/2.0/sql/statements/{sid}")
        assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", r.text
