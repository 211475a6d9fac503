"""emulator.launcher.EmulatorProcess: ready when constructed, flags as asked, stopped by its own pid."""

from __future__ import annotations

import os
import urllib.request

import pytest

from emulator.launcher import EmulatorProcess


def test_ports_urls_and_stop(data_dir):
    e = EmulatorProcess(data_dir)
    try:
        assert e.url == e.host == f"http://127.0.0.1:{e.port}"
        assert e.storage == f"http://127.0.0.1:{e.storage_port}" and e.port != e.storage_port
        assert e.running and e.pid == e.proc.pid
        with urllib.request.urlopen(e.host + "/admin/health", timeout=10) as r:
            assert r.status == 200
        assert e.stats()["result_cache"]["enabled"] is True and e.result_cache
        assert e.cpu_seconds() is not None
    finally:
        assert e.stop() == 0  # SIGTERM: a clean exit
    assert not e.running and e.stop() == 0  # a second stop is harmless


def test_tls_cache_off_and_log_file(data_dir, tmp_path):
    log = tmp_path / "emulator.err"
    with EmulatorProcess(data_dir, "--verbose", tls=True, result_cache=False, log_path=str(log),
                         new_session=True) as e:
        assert e.host.startswith("https://") and e.storage.startswith("https://")
        assert e.ca_file and os.path.exists(e.ca_file)
        assert "--tls" in e.command and e.command[-1] == "--verbose"
        stats = e.stats()  # over HTTPS, trusting the generated CA
        assert stats["result_cache"]["enabled"] is False and not e.result_cache
        assert os.getpgid(e.pid) == e.pid  # its own session and process group
    assert not e.running
    assert "GET /admin/stats" in log.read_text()  # --verbose logs each request to stderr


def test_cache_off_through_extra_args_is_seen(data_dir):
    with EmulatorProcess(data_dir, "--result-cache-mb", "0") as e:
        assert not e.result_cache and e.stats()["result_cache"]["enabled"] is False


def test_a_failed_start_raises_with_its_stderr(data_dir):
    with pytest.raises(RuntimeError, match="unrecognized arguments: --no-such-flag"):
        EmulatorProcess(data_dir, "--no-such-flag")
