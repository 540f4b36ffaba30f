"""`vnnews serve --processes 2`: one port served by two processes that see each other's writes and stop together."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

KEY = "processes-key"
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="serving processes are forked on Linux")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """One request over a new connection (the kernel hands each new connection to whichever process accepts)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                           headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, not yet reaped by its parent


def _wait(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _serve(data_dir: Path, model_path: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "VNNEWS_API_KEY": KEY, "VNNEWS_MODEL_PATH": str(model_path)}
    return subprocess.Popen([sys.executable, "-m", "vnnews.cli", "--data-dir", str(data_dir), "serve", "--port",
                             str(port), "--processes", "2", *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _healthy(port: int) -> bool:
    try:
        return _request(port, "GET", "/api/health")[0] == 200
    except OSError:
        return False


def test_two_processes_share_the_port_and_every_write(demo_copy, model_path):
    port = _free_port()
    server = _serve(demo_copy, model_path, port)
    try:
        _wait(lambda: _healthy(port) or server.poll() is not None, "the server never answered")
        assert server.poll() is None, server.stderr.read()
        assert len(_children(server.pid)) == 1  # this process and one forked copy
        article = {"id": "procs-1", "title": "Quảng Trị thử nghiệm trợ lý ảo trả lời thủ tục hành chính",
                   "body": "Tỉnh Quảng Trị đưa trợ lý ảo dùng trí tuệ nhân tạo vào cổng dịch vụ công để trả lời "
                           "người dân về thủ tục hành chính.", "published": "2026-12-01", "source": "Báo Thử"}
        status, answer = _request(port, "POST", "/api/articles", {"articles": [article]})
        assert status == 201 and answer["results"][0]["status"] == "added"
        # Every later request finds it, whichever process accepts it.
        for _ in range(20):
            status, found = _request(port, "GET", "/api/search?" + urlencode({"q": "trợ lý ảo Quảng Trị"}))
            assert status == 200 and found["hits"] and found["hits"][0]["id"] == "procs-1"
        status, _ = _request(port, "DELETE", "/api/articles/procs-1")
        assert status == 204
        for _ in range(20):
            assert _request(port, "GET", "/api/articles/procs-1")[0] == 404
    finally:
        child = _children(server.pid) if server.poll() is None else []
        server.terminate()
        server.wait(timeout=60)
    assert server.returncode == 0
    _wait(lambda: all(_gone(pid) for pid in child), "a serving process outlived `kill` of the server")


def _sockets(pid: int) -> int:
    fds = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:  # closed meanwhile
            pass
    return count


def test_kept_alive_connections_are_shared_out_evenly_between_the_processes(demo_copy, model_path):
    # Each client keeps its connection, so the process that accepts it serves all its requests: left to the kernel,
    # eight connections split 4/4 only about one time in four, and the busier process answers its clients slower.
    port = _free_port()
    server = _serve(demo_copy, model_path, port)
    connections = []
    try:
        _wait(lambda: _healthy(port) or server.poll() is not None, "the server never answered")
        processes = [server.pid] + _children(server.pid)
        # the health checks' connections are closed once both processes hold only the listening socket
        _wait(lambda: len({_sockets(pid) for pid in processes}) == 1, "a health check's connection stayed open")
        before = {pid: _sockets(pid) for pid in processes}
        for _ in range(8):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/api/search?" + urlencode({"q": "khởi nghiệp"}))
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())["total"] > 0
            connections.append(connection)
        held = sorted(_sockets(pid) - before[pid] for pid in processes)
        assert held == [4, 4], f"connections held by each process: {held}"
    finally:
        for connection in connections:
            connection.close()
        server.terminate()
        server.wait(timeout=60)


def test_serving_processes_die_with_a_killed_server(demo_copy, model_path):
    port = _free_port()
    server = _serve(demo_copy, model_path, port)
    try:
        _wait(lambda: _healthy(port) or server.poll() is not None, "the server never answered")
        [child] = _children(server.pid)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        _wait(lambda: _gone(child), "the forked process outlived its killed parent")
        _wait(lambda: not _healthy(port), "the port still answers after the server was killed")
    finally:
        if server.poll() is None:
            server.kill()


def test_a_port_in_use_is_a_clear_error(demo_copy, model_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(demo_copy, model_path, port)
        _, err = server.communicate(timeout=120)
    assert server.returncode != 0
    assert "Traceback" not in err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_a_bad_processes_value_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "vnnews.cli", "--data-dir", str(tmp_path), "serve", "--processes",
                           "none"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --processes: processes must be a whole number of at least 1 or 'auto'" in done.stderr


def test_a_process_listens_only_while_it_holds_no_more_connections_than_a_live_other():
    from waitress.server import create_server

    from vnnews.web.app import _Balance

    balance = _Balance(2)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = create_server(lambda environ, start_response: [], sockets=[listener], threads=1)
        try:
            balance.attach(server, 0)
            own = len(server._map)  # its listening socket and its trigger: what a process holds with no client
            balance.beats[1] = time.monotonic()
            balance.counts[1] = own
            assert server.readable() and balance.counts[0] == own  # as many as the other: it listens, and says so
            balance.beats[1] = time.monotonic()
            balance.counts[1] = own - 1
            assert not server.readable()  # the other holds fewer: new connections are the other's
            balance.beats[1] = time.monotonic() - 2 * _Balance.STALE
            assert server.readable()  # the other has not turned its loop for a while (it died): it no longer counts
        finally:
            server.trigger.close()
            server.close()
            server.task_dispatcher.shutdown()
