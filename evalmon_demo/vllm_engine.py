"""The simulated server's vLLM flavour: continuous batching, vLLM V1 log lines, a real
Prometheus ``/metrics`` (no GPU, no model).

What a vLLM V1 engine does, in miniature: every prompt is a sequence; an engine step admits
waiting sequences (first come, first served) while fewer than ``max_num_seqs`` run and the KV
cache has blocks for them, prefills what it admitted and decodes one token for every running
sequence. A sequence that needs a block when none is free preempts the newest running one
(recompute: it goes back to the front of the queue and frees its blocks). Prefix caching hashes
full blocks of prompt tokens, as vLLM does, so lm-eval's shared few-shot prefixes hit.

There is no global lock: HTTP requests wait for their own sequences while the step loop keeps
serving everyone, so more requests in flight help until ``max_num_seqs`` or the KV cache is
full, the opposite of the Megatron flavour.

What it writes is vLLM 0.32's own formats (seen on a real vLLM, tests/metrics_samples/):
* the statistics line of ``vllm/v1/metrics/loggers.py`` (``LoggingStatLogger.log``), every
  ``log_interval_s`` while busy (vLLM: ``VLLM_LOG_STATS_INTERVAL``, 10 s; the demo's default is
  shorter), at DEBUG (not printed) once the engine is idle;
* ``Starting vLLM server on http://HOST:PORT`` and ``non-default args: {...}``;
* uvicorn's access lines;
* ``/metrics``: the metric names, labels (``model_name``, ``engine``) and histogram buckets of
  ``PrometheusStatLogger``, served by ``prometheus_client`` from a registry of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evalmon_demo.gpu_model import GpuModel

BLOCK_SIZE = 16

# the buckets of vllm/v1/metrics/loggers.py (PrometheusStatLogger)
TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
                7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0)
ITL_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
               10.0, 20.0, 40.0, 80.0)
REQUEST_LATENCY_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0,
                           50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0)
ITERATION_TOKENS_BUCKETS = (1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384)
FINISH_REASONS = ("stop", "length", "abort", "error", "repetition")


def vllm_time(now: float) -> str:
    """vLLM's log timestamp: ``12-02 12:40:50`` (month-day, local time)."""
    return time.strftime("%m-%d %H:%M:%S", time.localtime(now))


def vllm_line(level: str, where: str, message: str, now: float | None = None) -> str:
    """One vLLM log line as its API server prints it under ``vllm serve``."""
    stamp = vllm_time(time.time() if now is None else now)
    return f"(APIServer pid={os.getpid()}) {level} {stamp} [{where}] {message}"


def uvicorn_access(client: str, port: int, request_line: str, status: int) -> str:
    phrase = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}
    return (f'INFO:     {client}:{port} - "{request_line}" {status} '
            f"{phrase.get(status, '')}").rstrip()


class Metrics:
    """vLLM's Prometheus metrics (the names and buckets of ``PrometheusStatLogger``)."""

    def __init__(self, model_name: str) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["model_name", "engine"]
        values = (model_name, "0")
        reg = self.registry

        def gauge(name: str, doc: str) -> Any:
            return Gauge(name, doc, labels, registry=reg).labels(*values)

        def counter(name: str, doc: str) -> Any:
            return Counter(name, doc, labels, registry=reg).labels(*values)

        def histogram(name: str, doc: str, buckets: Sequence[float]) -> Any:
            return Histogram(name, doc, labels, buckets=buckets, registry=reg).labels(*values)

        self.running = gauge("vllm:num_requests_running",
                             "Number of requests in model execution batches.")
        self.waiting = gauge("vllm:num_requests_waiting",
                             "Number of requests waiting to be processed.")
        self.kv_usage = gauge("vllm:kv_cache_usage_perc",
                              "KV-cache usage. 1 means 100 percent usage.")
        self.prefix_queries = counter(
            "vllm:prefix_cache_queries",
            "Prefix cache queries, in terms of number of queried tokens.")
        self.prefix_hits = counter("vllm:prefix_cache_hits",
                                   "Prefix cache hits, in terms of number of cached tokens.")
        self.preemptions = counter("vllm:num_preemptions",
                                   "Cumulative number of preemption from the engine.")
        self.prompt_tokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.")
        self.generation_tokens = counter("vllm:generation_tokens",
                                         "Number of generation tokens processed.")
        success = Counter("vllm:request_success", "Count of successfully processed requests.",
                          [*labels, "finished_reason"], registry=reg)
        self.success = {r: success.labels(*values, r) for r in FINISH_REASONS}
        self.iteration_tokens = histogram("vllm:iteration_tokens_total",
                                          "Histogram of number of tokens per engine_step.",
                                          ITERATION_TOKENS_BUCKETS)
        self.ttft = histogram("vllm:time_to_first_token_seconds",
                              "Histogram of time to first token in seconds.", TTFT_BUCKETS)
        self.itl = histogram("vllm:inter_token_latency_seconds",
                             "Histogram of inter-token latency in seconds.", ITL_BUCKETS)
        self.e2e = histogram("vllm:e2e_request_latency_seconds",
                             "Histogram of e2e request latency in seconds.",
                             REQUEST_LATENCY_BUCKETS)
        self.queue_time = histogram("vllm:request_queue_time_seconds",
                                    "Histogram of time spent in WAITING phase for request.",
                                    REQUEST_LATENCY_BUCKETS)
        # prometheus-fastapi-instrumentator's counter, which vLLM mounts
        self.http = Counter("http_requests_total", "Total number of requests by method, status "
                            "and handler.", ["handler", "method", "status"], registry=reg)

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def http_request(self, handler: str, method: str, status: int) -> None:
        self.http.labels(handler, method, f"{status // 100}xx").inc()


@dataclass(eq=False)
class _Seq:
    tokens: list[str]  # the prompt's pieces
    target: int  # tokens to generate
    max_tokens: int
    arrival: float
    done: threading.Event
    generated: int = 0
    blocks: int = 0
    computed: bool = False  # prefilled (and not preempted since)
    first_token_at: float | None = None
    last_token_at: float | None = None
    admitted_at: float | None = None
    finish_reason: str = ""


@dataclass
class _Interval:
    """What the statistics line reports: tokens since the last line."""

    prompt_tokens: int = 0
    generation_tokens: int = 0
    preemptions: int = 0
    started: float = field(default_factory=time.monotonic)


class VllmEngine:
    """The step loop of a vLLM V1 engine, simulated; drop-in for the Megatron ``Engine`` in
    ``DemoServer`` (``lock``, ``run``, ``engine_calls``, ``read_activity``, ``model``)."""

    def __init__(
        self,
        model: GpuModel,
        log: Any,
        *,
        max_num_seqs: int = 128,
        num_gpu_blocks: int = 1024,
        max_model_len: int = 4096,
        log_interval_s: float = 2.0,
        model_name: str = "demo",
        gpu_memory_utilization: float = 0.9,
        step_overhead_s: float = 0.05,
        per_seq_s: float = 0.001,
        per_prefill_token_s: float = 0.0002,
    ) -> None:
        """Costs of one engine step (times ``model.time_scale``): a fixed part, one per running
        sequence (decode) and one per prompt token prefilled; chosen so that the demo's run
        lasts long enough for a few statistics lines and scrapes."""
        self.model = model
        self.log = log
        self.max_num_seqs = max(1, max_num_seqs)
        self.num_gpu_blocks = max(1, num_gpu_blocks)
        self.max_model_len = max_model_len
        self.log_interval_s = max(0.05, log_interval_s)
        self.metrics = Metrics(model_name)
        self.lock = contextlib.nullcontext()  # continuous batching: no global lock
        self.engine_calls = 0  # engine steps
        self.gpu_memory_utilization = gpu_memory_utilization
        self.step_overhead_s = step_overhead_s
        self.per_seq_s = per_seq_s
        self.per_prefill_token_s = per_prefill_token_s
        self._cond = threading.Condition()
        self._waiting: deque[_Seq] = deque()
        self._running: list[_Seq] = []
        self._free_blocks = self.num_gpu_blocks
        self._prefix: OrderedDict[bytes, None] = OrderedDict()  # block hashes, LRU
        self._interval = _Interval()
        self._prefix_queries = 0
        self._prefix_hits = 0
        self._last_throughput = (0.0, 0.0)
        self._busy_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="demo-vllm-engine", daemon=True)
        self._logger = threading.Thread(target=self._log_loop, name="demo-vllm-stats",
                                        daemon=True)

    # ------------------------------------------------------------------ DemoServer's engine

    def run(self, prompts: list[list[str]], max_new_tokens: int, steps: list[int]) -> None:
        """Add one sequence per prompt and wait until all of them finished."""
        for pieces in prompts:
            if len(pieces) + max_new_tokens > self.max_model_len:
                from evalmon_demo.server import BadRequest

                raise BadRequest(
                    f"This model's maximum context length is {self.max_model_len} tokens. "
                    f"However, you requested {len(pieces) + max_new_tokens} tokens "
                    f"({len(pieces)} in the messages, {max_new_tokens} in the completion). "
                    "Please reduce the length of the messages or completion."
                )
        now = time.monotonic()
        seqs = [
            _Seq(list(p), max(1, min(s, max_new_tokens)), max_new_tokens, now, threading.Event())
            for p, s in zip(prompts, steps, strict=True)
        ]
        with self._cond:
            self._waiting.extend(seqs)
            self._cond.notify_all()
        for seq in seqs:
            seq.done.wait()
        if any(seq.finish_reason == "error" for seq in seqs):
            raise RuntimeError("the simulated vLLM engine failed (see the server log)")

    def read_activity(self) -> tuple[int, float]:
        """(memory in use, busy seconds): vLLM takes its KV pool up front."""
        used = int(self.model.capacity_bytes * self.gpu_memory_utilization)
        with self._cond:
            return used, self._busy_s

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        self._thread.start()
        self._logger.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=2)
        self._logger.join(timeout=2)

    # ------------------------------------------------------------------ the step loop

    def _blocks_for(self, tokens: int) -> int:
        return max(1, math.ceil(tokens / BLOCK_SIZE))

    def _cached_prefix(self, seq: _Seq) -> int:
        """Tokens of ``seq``'s prompt already in the cache (full blocks from the start)."""
        digest = b""
        hits = 0
        counting = True
        full = len(seq.tokens) // BLOCK_SIZE
        for i in range(full):
            block = "\x1f".join(seq.tokens[i * BLOCK_SIZE:(i + 1) * BLOCK_SIZE])
            digest = hashlib.blake2b(digest + block.encode(), digest_size=16).digest()
            if counting and digest in self._prefix:
                hits += BLOCK_SIZE
                self._prefix.move_to_end(digest)
            else:
                counting = False
                self._prefix[digest] = None
        while len(self._prefix) > self.num_gpu_blocks:
            self._prefix.popitem(last=False)
        return hits

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._waiting and not self._running and not self._stop.is_set():
                    self._publish_gauges()
                    self._cond.wait(0.5)
                if self._stop.is_set():
                    return
                try:
                    step_s, finished = self._step()
                except Exception as exc:  # a bug here must not leave requests waiting forever
                    step_s, finished = 0.0, self._fail_all(exc)
            if step_s > 0:
                time.sleep(step_s)
            for seq in finished:  # answered when the step that finished them is over
                seq.done.set()

    def _step(self) -> tuple[float, list[_Seq]]:
        """One engine step (called with the condition held): its modelled duration and the
        sequences it finished."""
        now = time.monotonic()
        m = self.metrics
        prefill_tokens = 0
        # admit: first come, first served, while a slot and the blocks are free
        while self._waiting and len(self._running) < self.max_num_seqs:
            seq = self._waiting[0]
            need = self._blocks_for(len(seq.tokens) + seq.generated + 1)
            if need > self._free_blocks:
                break
            self._waiting.popleft()
            self._free_blocks -= need
            seq.blocks = need
            if seq.admitted_at is None:
                seq.admitted_at = now
                m.queue_time.observe(now - seq.arrival)
            hits = self._cached_prefix(seq)
            m.prefix_queries.inc(len(seq.tokens))
            m.prefix_hits.inc(hits)
            self._prefix_queries += len(seq.tokens)
            self._prefix_hits += hits
            # a preempted sequence recomputes its prompt and what it had generated
            prefill_tokens += max(1, len(seq.tokens) + seq.generated - hits)
            seq.computed = True
            self._running.append(seq)
        # decode one token for every running sequence (a prefill's first token included)
        decoded = 0
        for seq in list(self._running):
            need = self._blocks_for(len(seq.tokens) + seq.generated + 1)
            while need > seq.blocks and self._free_blocks == 0 and self._running[-1] is not seq:
                self._preempt(self._running[-1])
            if seq not in self._running:
                continue
            if need > seq.blocks:
                if self._free_blocks == 0:  # the newest is this one: it waits its turn
                    self._preempt(seq)
                    continue
                self._free_blocks -= 1
                seq.blocks += 1
            seq.generated += 1
            decoded += 1
        self.engine_calls += 1
        batch = len(self._running)
        step_s = self.model.time_scale * (
            self.step_overhead_s + batch * self.per_seq_s
            + prefill_tokens * self.per_prefill_token_s
        )
        done_at = now + step_s
        finished: list[_Seq] = []
        for seq in list(self._running):
            if seq.first_token_at is None:
                seq.first_token_at = done_at
                m.ttft.observe(done_at - seq.arrival)
            elif seq.last_token_at is not None:
                m.itl.observe(done_at - seq.last_token_at)
            seq.last_token_at = done_at
            if seq.generated >= seq.target:
                self._running.remove(seq)
                self._free_blocks += seq.blocks
                seq.blocks = 0
                seq.finish_reason = "length" if seq.target >= seq.max_tokens else "stop"
                m.success[seq.finish_reason].inc()
                m.e2e.observe(done_at - seq.arrival)
                finished.append(seq)
        m.prompt_tokens.inc(prefill_tokens)
        m.generation_tokens.inc(decoded)
        m.iteration_tokens.observe(prefill_tokens + decoded)
        self._interval.prompt_tokens += prefill_tokens
        self._interval.generation_tokens += decoded
        self._busy_s += step_s
        self._publish_gauges()
        return step_s, finished

    def _fail_all(self, exc: Exception) -> list[_Seq]:
        failed = [*self._running, *self._waiting]
        self._running.clear()
        self._waiting.clear()
        self._free_blocks = self.num_gpu_blocks
        for seq in failed:
            seq.finish_reason = "error"
        self.log.write(vllm_line("ERROR", "core.py:1007", f"EngineCore encountered an issue: "
                                 f"{type(exc).__name__}: {exc}"))
        return failed

    def _preempt(self, seq: _Seq) -> None:
        """vLLM V1's recompute preemption: back to the front of the queue, blocks freed."""
        self._running.remove(seq)
        self._free_blocks += seq.blocks
        seq.blocks = 0
        seq.computed = False
        self._waiting.appendleft(seq)
        self.metrics.preemptions.inc()
        self._interval.preemptions += 1

    def _usage(self) -> float:
        return 1.0 - self._free_blocks / self.num_gpu_blocks

    def _publish_gauges(self) -> None:
        self.metrics.running.set(len(self._running))
        self.metrics.waiting.set(len(self._waiting))
        self.metrics.kv_usage.set(self._usage())

    # ------------------------------------------------------------------ the stats line

    def _log_loop(self) -> None:
        while not self._stop.wait(self.log_interval_s):
            line = self.stats_line()
            if line:
                self.log.write(line)

    def stats_line(self, now: float | None = None) -> str:
        """vLLM V1's statistics line for the interval since the last one ("" when the
        engine is idle: vLLM logs that at DEBUG level)."""
        t = time.monotonic() if now is None else now
        with self._cond:
            interval, self._interval = self._interval, _Interval(started=t)
            running, waiting, usage = len(self._running), len(self._waiting), self._usage()
            queries, hits = self._prefix_queries, self._prefix_hits
        elapsed = max(1e-9, t - interval.started)
        prompt_tp = interval.prompt_tokens / elapsed
        gen_tp = interval.generation_tokens / elapsed
        idle = not any((prompt_tp, gen_tp, *self._last_throughput))
        self._last_throughput = (prompt_tp, gen_tp)
        if idle:
            return ""
        parts = [
            f"Avg prompt throughput: {prompt_tp:.1f} tokens/s",
            f"Avg generation throughput: {gen_tp:.1f} tokens/s",
            f"Running: {running} reqs",
            f"Waiting: {waiting} reqs",
        ]
        if interval.preemptions > 0:
            parts.append(f"Preemptions: {interval.preemptions}")
        parts.append(f"GPU KV cache usage: {usage * 100:.1f}%")
        if queries > 0:
            parts.append(f"Prefix cache hit rate: {hits / queries * 100:.1f}%")
        return vllm_line("INFO", "loggers.py:335", "Engine 000: " + ", ".join(parts))


def vllm_banner(host: str, port: int, engine: VllmEngine, model: GpuModel) -> list[str]:
    """What a vLLM server prints before it serves, in its own formats."""
    args = {
        "host": host,
        "port": port,
        "model": "/checkpoints/simulated-8b",
        "served_model_name": ["demo"],
        "max_model_len": engine.max_model_len,
        "max_num_seqs": engine.max_num_seqs,
        "gpu_memory_utilization": engine.gpu_memory_utilization,
    }
    return [
        "evalmon demo: a SIMULATED vLLM server (no GPU, no model): continuous batching, "
        f"max_num_seqs {engine.max_num_seqs}, {engine.num_gpu_blocks} KV blocks of "
        f"{BLOCK_SIZE} tokens on a modelled {model.capacity_gib:.0f} GiB GPU",
        vllm_line("INFO", "api_utils.py:286", f"non-default args: {args}"),
        vllm_line("INFO", "kv_cache_utils.py:1087",
                  f"GPU KV cache size: {engine.num_gpu_blocks * BLOCK_SIZE:,} tokens"),
        vllm_line("INFO", "entry.py:140", f"Starting vLLM server on http://{host}:{port}"),
        f"INFO:     Started server process [{os.getpid()}]",
        "INFO:     Waiting for application startup.",
        "INFO:     Application startup complete.",
    ]
