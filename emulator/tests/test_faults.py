"""One test per fault mode, plus determinism and spec handling."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import lz4.frame
import pyarrow as pa
import pytest
import requests
from databricks.sdk import WorkspaceClient

from conftest import ROOT


def _links(e, sql="SELECT * FROM samples.tpch.orders", **kw):
    r = e.ok(sql, disposition="EXTERNAL_LINKS", format="ARROW_STREAM", **kw)
    return r, r["result"]["external_links"]


def test_429_retry_after_and_sdk_retries(emu):
    emu.faults("429,target=execute,count=2,retry_after=1")
    r = emu.http.post(emu.host + "/api/2.0/sql/statements", json={"statement": "SELECT 1", "warehouse_id": emu.warehouse_id})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert r.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    w = WorkspaceClient(host=emu.host, token=emu.token)
    t0 = time.time()
    res = w.statement_execution.execute_statement(statement="SELECT 2 AS x", warehouse_id=emu.warehouse_id)
    assert res.result.data_array == [["2"]]
    assert time.time() - t0 >= 1.0  # the SDK honoured Retry-After once
    assert emu.faults("")["faults"] == []


def test_503_on_status(emu):
    r = emu.execute("SELECT 1 AS x", wait_timeout="0s")
    emu.faults("503,target=status,count=1,retry_after=2")
    g = emu.http.get(f"{emu.host}/api/2.0/sql/statements/{r['statement_id']}")
    assert g.status_code == 503 and g.headers["Retry-After"] == "2"
    assert g.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert emu.wait(r["statement_id"])["status"]["state"] == "SUCCEEDED"


def test_500_on_chunk(emu):
    r = emu.ok("SELECT l_orderkey FROM samples.tpch.lineitem")
    emu.faults("500,target=chunk,count=1")
    url = f"{emu.host}/api/2.0/sql/statements/{r['statement_id']}/result/chunks/1"
    g = emu.http.get(url)
    assert g.status_code == 500 and g.json()["error_code"] == "INTERNAL_ERROR"
    assert emu.http.get(url).status_code == 200


def test_reset_mid_body(emu):
    _, links = _links(emu)
    emu.faults("reset,target=storage,count=1,at=0.3")
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(links[0]["external_link"]).content
    assert pa.ipc.open_stream(emu.download(links[0])).read_all().num_rows == 15000


def test_truncated_body(emu):
    _, links = _links(emu)
    emu.faults("truncate,count=1,at=0.5")
    with requests.get(links[0]["external_link"], stream=True) as r:
        announced = int(r.headers["Content-Length"])
        got = b""
        try:
            for part in r.raw.stream(65536, decode_content=False):
                got += part
        except Exception:
            pass
    assert 0 < len(got) < announced
    assert len(emu.download(links[0])) == announced


def test_slow_bandwidth(emu):
    _, links = _links(emu, "SELECT o_orderkey FROM samples.tpch.orders")
    size = links[0]["byte_count"]
    bps = 200_000
    emu.faults(f"slow,bps={bps},count=1")
    t0 = time.time()
    body = emu.download(links[0])
    assert len(body) == size
    assert time.time() - t0 >= 0.8 * size / bps


def test_links_expire_early(emu):
    emu.faults("expire_early,count=1")
    r, links = _links(emu)
    exp = links[0]["expiration"]
    assert exp > time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 600))  # says ~15 min
    bad = requests.get(links[0]["external_link"])
    assert bad.status_code == 403 and b"Request has expired" in bad.content
    fresh = emu.chunk(r["statement_id"], 0)["external_links"][0]
    assert pa.ipc.open_stream(emu.download(fresh)).read_all().num_rows == 15000


def test_fail_statement(emu):
    emu.faults("fail_statement,match=orders,error_code=BAD_REQUEST,message=[DELTA_FILE_NOT_FOUND] gone,sql_state=42K03")
    r = emu.execute("SELECT count(*) FROM samples.tpch.orders")
    assert r["status"] == {"state": "FAILED", "error": {"error_code": "BAD_REQUEST",
                                                        "message": "[DELTA_FILE_NOT_FOUND] gone"},
                           "sql_state": "42K03"}
    assert emu.ok("SELECT 1")["status"]["state"] == "SUCCEEDED"  # no match


def test_pending_startup_delay(emu):
    emu.faults("pending,seconds=1.5")
    t0 = time.time()
    r = emu.execute("SELECT 1 AS x", wait_timeout="0s")
    time.sleep(0.5)
    assert emu.status(r["statement_id"])["status"]["state"] == "PENDING"
    done = emu.wait(r["statement_id"])
    assert done["status"]["state"] == "SUCCEEDED" and time.time() - t0 >= 1.4


def test_nested_as_json_strings(emu):
    emu.faults("nested_json")
    r, links = _links(emu, "SELECT id, c_array_int, c_map, c_struct FROM main.demo.all_types ORDER BY id")
    assert [c["type_name"] for c in r["manifest"]["schema"]["columns"]] == ["INT", "ARRAY", "MAP", "STRUCT"]
    t = pa.ipc.open_stream(emu.download(links[0])).read_all()
    assert t.schema.field("c_array_int").type == pa.string()
    assert t.column("c_array_int")[0].as_py() == "[1,2,3]"
    assert json.loads(t.column("c_struct")[0].as_py()) == {"name": "widget", "value": 9.75, "tags": ["x", "y"]}
    emu.clear_faults()
    _, links = _links(emu, "SELECT c_array_int FROM main.demo.all_types")
    assert pa.types.is_list(pa.ipc.open_stream(emu.download(links[0])).read_all().schema.field(0).type)


def test_lz4_requested_but_not_applied(emu):
    emu.faults("no_lz4,count=1")
    r, links = _links(emu, result_compression="LZ4_FRAME")
    assert "result_compression" not in r["manifest"]
    body = emu.download(links[0])
    assert body[:4] == b"\xff\xff\xff\xff"  # raw Arrow IPC, not an LZ4 frame (magic 04 22 4d 18)
    r, links = _links(emu, result_compression="LZ4_FRAME")
    assert r["manifest"]["result_compression"] == "LZ4_FRAME"
    assert emu.download(links[0])[:4] == b"\x04\x22\x4d\x18"


def test_link_headers_must_be_sent(emu):
    emu.faults("link_headers")
    _, links = _links(emu)
    hdrs = links[0]["http_headers"]
    assert "x-amz-server-side-encryption-customer-key" in hdrs
    assert requests.get(links[0]["external_link"]).status_code == 400
    assert requests.get(links[0]["external_link"], headers=hdrs).status_code == 200


def test_rate_is_deterministic_by_seed(emu):
    def pattern():
        emu.faults("seed=7;500,target=uc,rate=0.5")
        return [emu.http.get(emu.host + "/api/2.1/unity-catalog/catalogs").status_code for _ in range(16)]
    a, b = pattern(), pattern()
    assert a == b and 500 in a and 200 in a
    emu.faults("seed=8;500,target=uc,rate=0.5")
    c = [emu.http.get(emu.host + "/api/2.1/unity-catalog/catalogs").status_code for _ in range(16)]
    assert c != a


def test_after_and_json_spec(emu):
    emu.faults({"seed": 1, "faults": [{"mode": "500", "target": "uc", "after": 2, "count": 1}]})
    codes = [emu.http.get(emu.host + "/api/2.1/unity-catalog/catalogs").status_code for _ in range(4)]
    assert codes == [200, 200, 500, 200]
    state = requests.get(emu.host + "/admin/faults").json()
    assert state["faults"][0]["fired"] == 1 and state["faults"][0]["seen"] == 4


def test_bad_specs_rejected(emu, data_dir):
    r = requests.post(emu.host + "/admin/faults", data=b"explode,count=1")
    assert r.status_code == 400 and "unknown fault mode" in r.json()["message"]
    r = requests.post(emu.host + "/admin/faults", data=b"500,target=moon")
    assert r.status_code == 400
    p = subprocess.run([sys.executable, "-m", "emulator", "serve", "--data", data_dir, "--faults", "nope"],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and p.stdout == "" and "bad --faults" in p.stderr


def test_faults_flag_at_start(start_emulator):
    e = start_emulator("--faults", "429,target=uc,count=1,retry_after=3")
    r = e.http.get(e.host + "/api/2.1/unity-catalog/catalogs")
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert e.http.get(e.host + "/api/2.1/unity-catalog/catalogs").status_code == 200


def test_api_response_truncated_and_reset(emu):
    r = emu.ok("SELECT l_orderkey FROM samples.tpch.lineitem")
    url = f"{emu.host}/api/2.0/sql/statements/{r['statement_id']}/result/chunks/1"
    emu.faults("truncate,target=chunk,count=1,at=0.5")
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(url, headers={"Authorization": f"Bearer {emu.token}"}).json()
    emu.faults("reset,target=status,count=1,at=0.1")
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(f"{emu.host}/api/2.0/sql/statements/{r['statement_id']}",
                     headers={"Authorization": f"Bearer {emu.token}"}).json()
    assert len(emu.chunk(r["statement_id"], 1)["data_array"]) == 20000


def test_stall_sends_part_then_nothing(emu):
    emu.faults("stall,seconds=5,count=1")
    r, links = _links(emu)
    t0 = time.time()
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        requests.get(links[0]["external_link"], timeout=1).content
    assert time.time() - t0 < 4
    assert pa.ipc.open_stream(emu.download(links[0])).read_all().num_rows == 15000
