"""`evalmon serve`: listens on loopback by default, answers only with the token it printed,
checks Host and Origin (DNS rebinding, other web pages), caps sessions, stops on SIGTERM; the
command it runs per browser session is argv-safe."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from evalmon.cli.dashboard import dashboard_command, is_loopback, serve_main, serve_parser
from evalmon.ui.inert import inert

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listeners(pid: int, port: int) -> list[str]:
    """Local addresses ``pid`` listens on at ``port`` (from /proc, no extra tools)."""
    import psutil

    return [
        c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]


async def first_screen(port: int, token: str, wanted: tuple[str, ...],
                       deadline_s: float = 30.0) -> str:
    """Open a browser session's websocket and collect what the dashboard draws."""
    import aiohttp

    seen = ""
    origin = {"Origin": f"http://127.0.0.1:{port}"}  # what a browser on the page sends
    async with aiohttp.ClientSession() as session, session.ws_connect(
        f"http://127.0.0.1:{port}/ws/{token}?width=160&height=45", headers=origin
    ) as ws:
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and not all(w in inert(seen, 10**7) for w in wanted):
            try:
                message = await ws.receive(timeout=max(0.1, end - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", errors="ignore")
            elif message.type == aiohttp.WSMsgType.TEXT:
                seen += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
        await ws.send_json(["stdin", "q"])
    return inert(seen, 10**7)  # the terminal output without its escape sequences


@pytest.mark.slow
def test_serve_answers_on_loopback_and_stops(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "eval-1.out").write_text(
        "Requesting API:  50%|█████     | 1/2 [00:01<00:01,  1.00it/s]\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon.cli", "serve", str(logs), "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        # the address with its token, printed at start (as Jupyter does)
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "evalmon serve ended"
            match = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=(\S+))", line)
            if match:
                url, token = match.group(1), match.group(2)
        assert url, "no address printed"
        refused: urllib.error.HTTPError | None = None
        while refused is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            except urllib.error.HTTPError as exc:
                refused = exc
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)  # poll until the server listens; the deadline decides
        assert refused is not None and refused.code == 403  # no token, no page
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert resp.status == 200
            body = resp.read().decode()
        assert "evalmon" in body and "textual" in body.lower()
        assert f"ws://127.0.0.1:{port}/ws/{token}" in body
        assert listeners(proc.pid, port) == ["127.0.0.1"]  # loopback only
        screen = asyncio.run(first_screen(port, token, ("1 run ", "Requesting API")))
        assert "evalmon" in screen and "1 run " in screen and "Requesting API" in screen
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode is not None
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def test_served_command_quotes_every_path() -> None:
    hostile = "logs; rm -rf ~ $(touch pwned) `id` 'q\" --no-gpu"
    args = serve_parser().parse_args([hostile, "--baseline", "127", "--no-gpu"])
    command = dashboard_command(args, [hostile, "-dash-first"])
    argv = shlex.split(command)
    assert argv[:3] == [sys.executable, "-m", "evalmon.cli.dashboard"]
    separator = argv.index("--")
    assert argv[separator + 1:] == [os.path.abspath(hostile), os.path.abspath("-dash-first")]
    assert "--no-gpu" in argv[:separator] and argv[argv.index("--baseline") + 1] == "127.0"


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def test_serve_bad_path_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert serve_main([str(tmp_path / "missing"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["evalmon serve: port out of range: 0"]
    assert serve_main([str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"evalmon serve: no such file or directory: {tmp_path / 'missing'}"


# --------------------------------------------------------------------------- the guard


def guarded(max_sessions: int = 2, host: str = "127.0.0.1", port: int = 8123) -> Any:
    from evalmon.cli.serving import GuardedServer

    # the command is never run by these tests: every request here is refused before a
    # dashboard would start, or is the page
    return GuardedServer("false", host=host, port=port, token="T0KEN-for-tests",
                         max_sessions=max_sessions)


async def ask(server: Any, path: str, headers: dict[str, str], websocket: bool = False) -> int:
    """The status the server answers ``path`` with (through aiohttp's test client)."""
    from aiohttp.test_utils import TestClient, TestServer

    app = await server._make_app()
    async with TestClient(TestServer(app)) as client:
        if websocket:
            headers = {**headers, "Connection": "Upgrade", "Upgrade": "websocket",
                       "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZQ=="}
        resp = await client.get(path, headers=headers)
        return resp.status


OK_HOST = {"Host": "127.0.0.1:8123"}


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/?token=T0KEN-for-tests", OK_HOST, 200),
        ("/?token=T0KEN-for-tests", {"Host": "localhost:8123"}, 200),
        ("/", OK_HOST, 403),  # no token
        ("/?token=guess", OK_HOST, 403),
        # DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its name
        ("/?token=T0KEN-for-tests", {"Host": "evil.example:8123"}, 403),
        ("/?token=T0KEN-for-tests", {"Host": "127.0.0.1:9999"}, 403),
        ("/static/css/xterm.css", {"Host": "evil.example:8123"}, 403),
    ],
)
def test_the_page_needs_the_token_and_our_own_host(path: str, headers: dict[str, str],
                                                   status: int) -> None:
    assert asyncio.run(ask(guarded(), path, headers)) == status


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/ws/T0KEN-for-tests", "https://evil.example"),  # another page in the browser
        ("/ws/T0KEN-for-tests", "http://127.0.0.1:9999"),  # another local service's page
        ("/ws/T0KEN-for-tests", "null"),
        ("/ws/wrong-token", "http://127.0.0.1:8123"),
        ("/ws", "http://127.0.0.1:8123"),  # textual-serve's own route, without the token
    ],
)
def test_a_websocket_from_another_origin_or_without_the_token_is_refused(
    path: str, origin: str,
) -> None:
    server = guarded()
    status = asyncio.run(ask(server, path, {**OK_HOST, "Origin": origin}, websocket=True))
    assert status == 403 and server.sessions == 0 and server.refused


def test_sessions_are_capped() -> None:
    server = guarded(max_sessions=2)
    server.sessions = 2  # two dashboards open
    status = asyncio.run(ask(server, "/ws/T0KEN-for-tests",
                             {**OK_HOST, "Origin": "http://127.0.0.1:8123"}, websocket=True))
    assert status == 503 and "--max-sessions" in server.refused[-1]


def test_host_check_for_other_binds() -> None:
    from evalmon.cli.serving import HostCheck

    loop = HostCheck("127.0.0.1", 8000)
    assert loop.host_ok("127.0.0.1:8000") and loop.host_ok("localhost:8000")
    assert loop.host_ok("[::1]:8000")
    assert not loop.host_ok("127.0.0.1") and not loop.host_ok("evil.example:8000")
    assert not loop.host_ok("") and not loop.host_ok(None) and not loop.host_ok("[::1")
    assert loop.origin_ok(None, "127.0.0.1:8000")  # not a browser
    assert loop.origin_ok("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not loop.origin_ok("http://localhost:8000", "127.0.0.1:8000")  # another page's
    anywhere = HostCheck("0.0.0.0", 8000)
    assert anywhere.host_ok("192.168.1.20:8000") and not anywhere.host_ok("evil.example:8000")
    port_80 = HostCheck("127.0.0.1", 80)
    assert port_80.host_ok("localhost")


def test_serve_rejects_a_bad_session_cap(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_main([".", "--max-sessions", "0"]) == 2
    assert "--max-sessions" in capsys.readouterr().err


@pytest.mark.slow
def test_serve_caps_real_sessions(tmp_path: Path) -> None:
    """Two real browser sessions with --max-sessions 1: the second gets 503, and once the
    first closes a new one is let in."""
    import aiohttp

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "eval-1.out").write_text("Requesting API:  50%|█████     | 1/2 [00:01<00:01,"
                                     "  1.00it/s]\n")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon.cli", "serve", str(logs), "--port", str(port),
         "--max-sessions", "1", "--no-gpu"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )

    async def sessions(token: str) -> None:
        url = f"http://127.0.0.1:{port}/ws/{token}?width=80&height=24"
        origin = {"Origin": f"http://127.0.0.1:{port}"}
        async with aiohttp.ClientSession() as client:
            end = time.monotonic() + 30
            while True:  # the address is printed as the server starts: poll until it listens
                try:
                    first_ws = await client.ws_connect(url, headers=origin)
                    break
                except aiohttp.ClientConnectorError:
                    assert time.monotonic() < end, "evalmon serve never listened"
                    await asyncio.sleep(0.1)
            async with first_ws as first:
                await first.receive(timeout=30)  # the dashboard draws: a session is open
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(url, headers=origin)
                assert refused.value.status == 503
            end = time.monotonic() + 30
            while True:  # the first session's dashboard ends; then there is room again
                try:
                    async with client.ws_connect(url, headers=origin) as again:
                        await again.receive(timeout=30)
                        return
                except aiohttp.WSServerHandshakeError:
                    assert time.monotonic() < end, "no room after the first session ended"
                    await asyncio.sleep(0.1)  # poll; the deadline decides

    try:
        assert proc.stderr is not None
        token = ""
        deadline = time.monotonic() + 30
        while not token and time.monotonic() < deadline:
            match = re.search(r"\?token=(\S+)", proc.stderr.readline())
            token = match.group(1) if match else ""
        assert token
        asyncio.run(sessions(token))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_an_unlistable_subfolder_is_a_warning_not_a_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A folder below the one given that cannot be listed (here: a name over PATH_MAX, which
    even root cannot open) does not stop the dashboard or serve from starting."""
    from evalmon.cli.dashboard import check_paths

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "eval-1.out").write_text("x\n")
    deep = logs
    fd = os.open(logs, os.O_RDONLY)
    try:  # build a path longer than PATH_MAX one openat at a time
        for _ in range(40):
            os.mkdir("d" * 200, dir_fd=fd)
            next_fd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
            deep = deep / ("d" * 200)
    finally:
        os.close(fd)
    assert len(str(deep)) > 4096
    assert check_paths([str(logs)]) == [str(logs)]
    err = capsys.readouterr().err
    assert "warning" in err and "skipped" in err and "Traceback" not in err
    assert check_paths([str(tmp_path / "missing")]) is None  # a given path still must exist
