"""``--metrics`` / ``--no-metrics`` / ``--metrics-interval`` on report, the dashboard and run,
against the vLLM-flavoured demo server (a real HTTP server with a real prometheus_client
``/metrics``)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon_demo.server import RunningServer, build_parser

pytestmark = pytest.mark.timeout(120)


class Load:
    """Keeps the server busy: requests of 16 prompts, several at once, until stopped."""

    def __init__(self, base_url: str, concurrent: int = 6) -> None:
        self.base_url = base_url
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True)
                        for i in range(concurrent)]

    def _loop(self, i: int) -> None:
        body = json.dumps({"model": "demo", "max_tokens": 8, "prompt": [
            f"the quick brown fox {i} jumps over the lazy dog " * 4] * 16}).encode()
        while not self.stop.is_set():
            request = urllib.request.Request(self.base_url + "/v1/completions", body,
                                             {"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=60).read()

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


@pytest.fixture
def vllm_server(tmp_path: Path) -> Iterator[RunningServer]:
    args = build_parser().parse_args([
        "--flavor", "vllm", "--log", str(tmp_path / "logs" / "server-1.log"),
        "--max-num-seqs", "32", "--num-gpu-blocks", "256", "--log-stats-interval", "0.5",
    ])
    (tmp_path / "logs").mkdir()
    server = RunningServer(args).start()
    try:
        yield server
    finally:
        server.stop()


def evalmon(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalmon", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


def metrics_runs(out: str) -> list[dict]:
    report = json.loads(out)
    return [r for r in report["runs"] if (r.get("server") or {}).get("source") == "metrics"]


def test_report_metrics_url_two_scrapes(vllm_server: RunningServer) -> None:
    with Load(vllm_server.base_url):
        time.sleep(1.0)
        done = evalmon("report", "--metrics", f"127.0.0.1:{vllm_server.port}",
                       "--metrics-interval", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "no log files" not in done.stderr
    runs = metrics_runs(done.stdout)
    assert len(runs) == 1, done.stdout
    server = runs[0]["server"]
    assert server["kind"] == "vllm" and server["stats"] == 2
    assert server["running"]["max"] > 0
    assert server["waiting"]["max"] is not None
    assert 0 < server["kv_cache_usage"]["max"] <= 1
    assert server["gen_tokens_per_s"]["last"] > 0  # a rate: two scrapes one second apart
    assert server["latency_s"]["e2e"]["p50"] is not None


def test_report_finds_the_server_in_its_log(vllm_server: RunningServer, tmp_path: Path) -> None:
    """No --metrics: the log's `Starting vLLM server on http://127.0.0.1:PORT` is enough."""
    with Load(vllm_server.base_url):
        time.sleep(1.0)
        done = evalmon("report", str(tmp_path / "logs"), "--format", "json")
        quiet = evalmon("report", str(tmp_path / "logs"), "--format", "json", "--no-metrics")
    assert done.returncode == 0, done.stderr
    runs = metrics_runs(done.stdout)
    assert runs and runs[0]["server"]["kind"] == "vllm", done.stdout
    assert quiet.returncode == 0, quiet.stderr
    assert metrics_runs(quiet.stdout) == []


@pytest.mark.parametrize(("url", "error"), [
    ("http://127.0.0.1:1/metrics", "metrics unreachable: connection refused"),
    ("ftp://127.0.0.1/metrics", "not an http(s) URL"),
])
def test_report_bad_endpoint_is_a_warning_and_a_state(url: str, error: str,
                                                      tmp_path: Path) -> None:
    done = evalmon("report", "--metrics", url)
    assert done.returncode == 0
    assert done.stderr.strip().splitlines() == [f"evalmon report: warning: {url}: {error}"]
    assert error in done.stdout  # the table says why there are no figures


def test_dashboard_and_run_take_the_flags() -> None:
    from evalmon.cli.dashboard import dashboard_command, dashboard_parser, serve_parser
    from evalmon.cli.run import build_parser as run_parser

    args = dashboard_parser().parse_args(
        ["logs", "--metrics", "http://127.0.0.1:8000/metrics", "--metrics", "h:1",
         "--no-metrics", "--metrics-interval", "5"])
    assert args.metrics == ["http://127.0.0.1:8000/metrics", "h:1"]
    assert args.no_metrics and args.metrics_interval == 5.0
    served = serve_parser().parse_args(["logs", "--metrics=-x://odd", "--no-metrics"])
    argv = shlex.split(dashboard_command(served, ["logs"]))
    assert "--metrics=-x://odd" in argv and "--no-metrics" in argv
    assert argv[argv.index("--metrics-interval") + 1] == "2.0"
    ns = run_parser().parse_args(["--metrics", "127.0.0.1:8000", "--no-metrics"])
    assert ns.metrics == ["127.0.0.1:8000"] and ns.no_metrics and ns.metrics_interval == 2.0


def test_bad_interval_is_a_usage_error() -> None:
    done = evalmon("report", "--metrics", "h:1", "--metrics-interval", "-1")
    assert done.returncode == 2 and "Traceback" not in done.stderr
