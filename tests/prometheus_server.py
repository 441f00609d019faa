"""A real Prometheus server for the exporter's tests (Debian's ``prometheus`` package, which
scripts/test.sh installs): started on loopback with a generated config and its own TSDB
folder, stopped by its pid. Queried through its HTTP API.

    with prometheus(targets=["127.0.0.1:9464"], base=tmp_path) as prom:
        prom.wait_for_target_up()
        prom.query("last_over_time(evalmon_requests_done[10m])")

No ``prometheus`` binary: :func:`require_prometheus` FAILS when ``EVALMON_REQUIRE_PROMETHEUS=1``
(CI), else skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_for

START_TIMEOUT_S = 60.0


def require_prometheus() -> str:
    binary = shutil.which("prometheus")
    if binary is None:
        why = "no prometheus binary (Debian: apt-get install prometheus; scripts/test.sh does)"
        if os.environ.get("EVALMON_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(f"EVALMON_REQUIRE_PROMETHEUS=1 but {why}", pytrace=False)
        pytest.skip(why)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Prometheus:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
            body = json.loads(response.read())
        assert body.get("status") == "success", body
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        return self.api("/api/v1/query", query=promql)["result"]

    def wait(self, predicate, timeout: float, what: str) -> Any:
        def answered() -> Any:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError, AssertionError, ValueError):
                return predicate()
            return None

        return wait_for(answered, timeout, what, step=0.2)

    def targets(self) -> list[dict[str, Any]]:
        return self.api("/api/v1/targets")["activeTargets"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # our own child, by its pid
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def prometheus(targets: list[str], base: Path, scrape_interval: str = "1s") -> Iterator[Prometheus]:
    binary = require_prometheus()
    base.mkdir(parents=True, exist_ok=True)
    config = base / "prometheus.yml"
    config.write_text(
        "global:\n"
        f"  scrape_interval: {scrape_interval}\n"
        f"  scrape_timeout: {scrape_interval}\n"
        "scrape_configs:\n"
        "  - job_name: evalmon\n"
        "    static_configs:\n"
        f"      - targets: {json.dumps(targets)}\n",
        encoding="utf-8",
    )
    port = free_port()
    log = base / "prometheus.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={base / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
        )
    prom = Prometheus(proc, port, log)
    try:
        prom.wait(lambda: urllib.request.urlopen(f"{prom.url}/-/ready", timeout=2).status == 200,
                  START_TIMEOUT_S, "prometheus to be ready")
        yield prom
    finally:
        prom.stop()
