"""`evalmon serve`: listens on loopback by default, answers HTTP, stops on SIGTERM; the command
it runs per browser session is argv-safe."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

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


async def first_screen(port: int, wanted: tuple[str, ...], deadline_s: float = 30.0) -> str:
    """Open a browser session's websocket and collect what the dashboard draws."""
    import aiohttp

    seen = ""
    async with aiohttp.ClientSession() as session, session.ws_connect(
        f"http://127.0.0.1:{port}/ws?width=160&height=45"
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
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    assert resp.status == 200
                    body = resp.read().decode()
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)  # poll until the server listens; the deadline decides
        assert "evalmon" in body and "textual" in body.lower()
        assert listeners(proc.pid, port) == ["127.0.0.1"]  # loopback only
        screen = asyncio.run(first_screen(port, ("1 run ", "Requesting API")))
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
