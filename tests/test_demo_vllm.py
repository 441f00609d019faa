"""The demo's vLLM flavour: continuous batching, vLLM V1 log lines, a real ``/metrics``.

The fast tests run the simulated server in-process; the slow one runs ``evalmon demo --server
vllm --headless`` for real (real lm-eval) and scrapes its server with sources/metrics.py while
the client runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evalmon.events import EngineConfig, EngineStats, MetricsScrape, ServerStarted, ServerTraffic
from evalmon.parsers.stream import LogParser
from evalmon.sources.metrics import scrape
from evalmon_demo.server import RunningServer, build_parser
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(180)


def start(tmp_path: Path, *extra: str) -> RunningServer:
    args = build_parser().parse_args(
        ["--flavor", "vllm", "--log", str(tmp_path / "server.log"), "--log-stats-interval",
         "0.3", *extra])
    return RunningServer(args).start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    srv = start(tmp_path, "--max-num-seqs", "16", "--num-gpu-blocks", "128")
    try:
        yield srv
    finally:
        srv.stop()


def complete(base_url: str, prompts: list[str], max_tokens: int = 30) -> dict:
    body = json.dumps({"model": "demo", "prompt": prompts, "max_tokens": max_tokens}).encode()
    request = urllib.request.Request(base_url + "/v1/completions", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def in_parallel(base_url: str, n: int, prompts: list[str], max_tokens: int = 30) -> None:
    threads = [threading.Thread(target=complete, args=(base_url, prompts, max_tokens))
               for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def parsed(path: Path) -> list[object]:
    parser = LogParser()
    located = parser.feed(path.read_bytes()) + parser.finish()
    return [e.event for e in located]


def busy_scrape(url: str, until: Callable[[MetricsScrape], bool],
                timeout: float = 20.0) -> MetricsScrape:
    seen: list[MetricsScrape] = []

    def wanted() -> MetricsScrape | None:
        seen.append(scrape(url))
        return seen[-1] if until(seen[-1]) else None

    return wait_for(wanted, timeout, "a scrape showing it")


PROMPT = "the quick brown fox jumps over the lazy dog " * 3


def test_metrics_while_busy(server: RunningServer) -> None:
    load = threading.Thread(target=in_parallel, args=(server.base_url, 6, [PROMPT] * 8))
    load.start()
    # 48 sequences for 16 slots: the rest wait; continuous batching fills every slot
    busy = busy_scrape(server.base_url + "/metrics",
                       lambda r: r.running == 16.0 and bool(r.waiting))
    load.join()
    assert busy.kind == "vllm" and busy.error == ""
    assert busy.kv_cache_usage is not None and 0 < busy.kv_cache_usage <= 1
    done = scrape(server.base_url + "/metrics")
    assert (done.running, done.waiting, done.kv_cache_usage) == (0.0, 0.0, 0.0)
    assert done.prompt_tokens_total and done.generation_tokens_total
    assert sum(n for _, n in done.requests_total) == 48
    assert done.e2e_s[-1][1] == 48 and done.ttft_s[-1][1] == 48
    assert done.prefix_cache_queries_total and done.prefix_cache_hits_total  # shared prompts
    assert done.http_statuses == (("2xx", 6.0),)


def test_log_speaks_vllm(server: RunningServer, tmp_path: Path) -> None:
    in_parallel(server.base_url, 6, [PROMPT] * 8)
    time.sleep(0.7)  # a statistics line for the last interval
    events = parsed(tmp_path / "server.log")
    started = [e for e in events if isinstance(e, ServerStarted)]
    assert started == [ServerStarted(server="vllm", address=server.base_url)]
    assert EngineConfig(max_batch_size=16) in events  # from "non-default args: {...}"
    stats = [e for e in events if isinstance(e, EngineStats)]
    assert stats and max(s.running or 0 for s in stats) > 0
    assert all(s.engine == 0 and s.kv_cache_usage_pct is not None for s in stats)
    traffic = [e for e in events if isinstance(e, ServerTraffic)]
    assert sum(n for e in traffic for status, n in e.http_statuses if status == 200) >= 6
    text = (tmp_path / "server.log").read_text()
    assert "[loggers.py:335] Engine 000: Avg prompt throughput: " in text
    assert 'INFO:     127.0.0.1:' in text and '"POST /v1/completions HTTP/1.1" 200 OK' in text


def test_no_global_lock(tmp_path: Path) -> None:
    """Requests overlap: two at once take about as long as one (the Megatron flavour would
    serve them one after the other)."""
    srv = start(tmp_path, "--max-num-seqs", "64")
    try:
        t0 = time.monotonic()
        complete(srv.base_url, [PROMPT] * 8, 20)
        one = time.monotonic() - t0
        t0 = time.monotonic()
        in_parallel(srv.base_url, 4, [PROMPT] * 8, 20)
        four = time.monotonic() - t0
    finally:
        srv.stop()
    assert four < 2.5 * one


def test_a_small_kv_cache_preempts(tmp_path: Path) -> None:
    srv = start(tmp_path, "--max-num-seqs", "32", "--num-gpu-blocks", "24")
    try:
        in_parallel(srv.base_url, 4, ["z " * 40] * 8, 60)
        time.sleep(0.5)
        result = scrape(srv.base_url + "/metrics")
    finally:
        srv.stop()
    assert result.preemptions_total and result.preemptions_total > 0
    assert sum(n for _, n in result.requests_total) == 32  # every one still finishes
    assert "Preemptions: " in (tmp_path / "server.log").read_text()


def test_too_long_is_a_400_in_vllm_words(tmp_path: Path) -> None:
    srv = start(tmp_path, "--max-model-len", "32")
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            complete(srv.base_url, ["word " * 40], 16)
        body = json.loads(info.value.read())
        health = urllib.request.urlopen(srv.base_url + "/health", timeout=5).status
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(srv.base_url + "/nope", timeout=5)
    finally:
        srv.stop()
    assert info.value.code == 400 and "maximum context length is 32 tokens" in body["message"]
    assert health == 200 and missing.value.code == 404


def test_megatron_stays_the_default(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--log", str(tmp_path / "m.log")])
    assert args.flavor == "megatron"
    srv = RunningServer(args).start()
    try:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(srv.base_url + "/metrics", timeout=5)
    finally:
        srv.stop()
    assert " * Running on http://127.0.0.1:" in (tmp_path / "m.log").read_text()


# ------------------------------------------------------------------------------ end to end


@pytest.mark.slow
def test_demo_vllm_end_to_end(tmp_path: Path) -> None:
    """`evalmon demo --server vllm --headless`: the real lm-eval client against the simulated
    vLLM; while it runs, sources/metrics.py scrapes the server's /metrics; afterwards the demo
    folder's report has the server's figures."""
    folder = tmp_path / "demo"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon", "demo", "--server", "vllm", "--headless", "--dir",
         str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    scrapes: list[MetricsScrape] = []
    port_file = folder / ".lm-eval" / "server.port"
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if port_file.exists():
                port = port_file.read_text().strip()
                result = scrape(f"http://127.0.0.1:{port}/metrics")
                if not result.error:
                    scrapes.append(result)
            time.sleep(0.1)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    assert "simulated vLLM server on http://127.0.0.1:" in out
    assert scrapes, "the demo's /metrics never answered"
    assert all(s.kind == "vllm" for s in scrapes)
    assert max(s.running or 0 for s in scrapes) > 0
    assert any(s.waiting is not None for s in scrapes)
    assert max(s.kv_cache_usage or 0 for s in scrapes) > 0
    assert scrapes[-1].prompt_tokens_total and scrapes[-1].generation_tokens_total
    stats = [e for e in parsed(folder / "server-1.log") if isinstance(e, EngineStats)]
    assert stats and max(s.running or 0 for s in stats) > 0
    # the report the demo printed at the end read the still-running server's /metrics
    done = subprocess.run([sys.executable, "-m", "evalmon", "report", str(folder), "--format",
                           "json", "--no-metrics"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout)["runs"]
    assert any((r.get("server") or {}).get("kind") == "vllm" for r in runs)
