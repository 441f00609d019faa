"""Dense scan benchmark: catching up on a busy server's log, evalmon against ``grep -cE``.

    .venv/bin/python benchmarks/scan_dense.py                 # 1 GiB in a temp dir
    .venv/bin/python benchmarks/scan_dense.py --size 64M      # a quick run
    .venv/bin/python benchmarks/scan_dense.py --size 1G --workdir /var/tmp/dense  # kept, reused

``scan.py`` measures a log whose bytes are mostly long request bodies (few events per MB).
This is the other case: a busy server whose log is almost only short routine lines, tens of
thousands per MB. Every line has a shape copied from a real log (``sample_logs/server-101.log``,
``../shared/notes/``, the parser tests); the mix, seeded and deterministic:

* Megatron ``POST /completions``: ``[BATCHING DEBUG] run_mcore_engine called with N prompts``
  and the werkzeug access line (sometimes a 400 without an engine call);
* Megatron ``PUT /api``: ``request IP:``, the JSON body (short), ``start time:``, the engine
  line, the werkzeug access line;
* uvicorn access lines (``POST /v1/completions``, a few 500s, and ``GET /health`` probes,
  which are not requests of the eval);
* vLLM V1 stats lines (``Engine 000: Avg prompt throughput: ...``), some with ``(APIServer
  pid=N)`` in front, one per ~1,000 lines: vLLM prints one every 5-10 s
  (``VLLM_LOG_STATS_INTERVAL``), while a busy server writes hundreds of access lines a second;
* ordinary INFO noise (lm-eval and vLLM INFO lines that carry no event);
* one long physical line of ``\\r``-separated ``Requesting API`` tqdm updates (4 MiB, or a
  quarter of the log when that is smaller);
* three real PyTorch CUDA OOM tracebacks (from ``tests/test_parsers_oom.py``).

The generator records the exact truth as it writes. Then, on the same warm file:

1. ``LC_ALL=C grep -cE '<alternation of the counted shapes>'`` (reference; its count is
   checked against the truth too);
2. evalmon through its public API in a child process: ``evalmon.pipeline.replay``,
   ``state.snapshot()``, ``evalmon.report.to_json``. The counts are read from the snapshot
   and the JSON report (never from per-line events), so the benchmark keeps working when
   routine lines arrive aggregated. A count the snapshot does not expose prints ``n/a``.

Prints MB/s of each, evalmon's speed as a fraction of grep's, its peak RSS (``ru_maxrss`` of
the child) and ``counts: exact`` or the differences. Exit status 1 if a count differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scan import MB, tqdm_bar, warm  # noqa: E402  (a sibling script, not a package)

GENERATOR_VERSION = 3  # 2: health probes are not counted; 3: no noise line is an event
DEFAULT_SIZE = 1 << 30
TQDM_LINE_BYTES = 4 * MB
TARGET_RATIO = 0.5  # of grep's speed
TARGET_RSS_MB = 200

# What grep counts: any line of a shape the truth counts. ERE that Python's ``re`` reads the
# same way (the generator's own check, and the smoke test, use it on the Python side).
GREP_PATTERN = (
    r"run_mcore_engine called with [0-9]+ prompt"
    r"|^request IP: |^start time: "
    r'|HTTP/1\.[01]" [0-9]{3} '
    r"|Avg prompt throughput: "
    r"|CUDA out of memory|CUDA error: out of memory"
    r"|Requesting API: "
)
GREP_RE = re.compile(GREP_PATTERN.encode())

# --------------------------------------------------------------------------- real shapes

# sample_logs/server-101.log's start (engine limits as in the OOM sample: 256)
HEADER = b"""\
+ python tools/run_text_generation_server.py --port 5000 --inference-max-batch-size 256 \
--inference-max-requests 256
------------------------ arguments ------------------------
  hidden_size ..................................... 4096
  inference_max_batch_size ........................ 256
  inference_max_requests .......................... 256
  micro_batch_size ................................ 1
  num_layers ...................................... 32
-------------------- end of arguments ---------------------
 loading checkpoint from /models/megatron-8b at iteration 1000
 successfully loaded checkpoint from /models/megatron-8b [ t 1/1, p 1/1 ] at iteration 1000
 * Serving Flask app 'megatron.inference.text_generation_server'
 * Debug mode: off
WARNING: This is a development server. Do not use it in a production deployment. \
Use a production WSGI server instead.
 * Running on http://127.0.0.1:5000
Press CTRL+C to quit
"""

# Ordinary INFO lines (lm-eval's and vLLM's) that carry no event: {0} lm-eval time, {1} vLLM's.
NOISE = (
    b"{0} INFO     [models.api_models:172] Using max length 2048 - 1",
    b"{0} INFO     [models.api_models:193] Using tokenizer huggingface",
    b"{0} INFO     [models.api_models:179] Concurrent requests are disabled.",
    b"{0} INFO     [evaluator:214] Setting random seed to 0 | Setting numpy seed to 1234 | "
    b"Setting torch manual seed to 1234 | Setting fewshot manual seed to 1234",
    b"INFO {1} [gpu_model_runner.py:1595] Model loading took 14.99 GiB and 7.1 seconds",
    b"INFO {1} [worker.py:267] Memory profiling takes 4.21 seconds",
)

# Prompts of the short ``PUT /api`` bodies (tests/test_parsers_server.py's hot line).
PROMPTS = (b'"The model said: \\"yes\\""', b'"Question: 2+2?"')

# tests/test_parsers_oom.py: MEGATRON_GENERATE_OOM (times from the log's clock), CHAINED,
# CUDA_ERROR_ASYNC. Each is one OutOfMemory.
OOM_BLOCKS: tuple[str, ...] = (
    """\
[BATCHING DEBUG] run_mcore_engine called with 256 prompts
[{flask}] ERROR in app: Exception on /completions [POST]
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/dist-packages/flask/app.py", line 1511, in wsgi_app
    response = self.full_dispatch_request()
  File "/usr/local/lib/python3.12/dist-packages/flask/app.py", line 919, in \
full_dispatch_request
    rv = self.handle_user_exception(e)
  File "/workspace/megatron/inference/endpoints/completions.py", line 141, in completions
    result = run_mcore_engine(engine, prompts, temperature, top_k, top_p)
  File "/workspace/megatron/inference/text_generation/mcore_engine_server.py", line 52, in \
run_mcore_engine
    result = engine.generate(prompts=prompts, sampling_params=sampling_params)
  File "/workspace/megatron/core/transformer/attention.py", line 512, in forward
    core_attn_out = self.core_attention(query, key, value, attention_mask)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total \
capacity of 79.15 GiB of which 1.06 GiB is free. Process 12345 has 78.08 GiB memory in use. \
Of the allocated memory 76.30 GiB is allocated by PyTorch, and 1.27 GiB is reserved by \
PyTorch but unallocated. If reserved but unallocated memory is large try setting \
PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation \
for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)
127.0.0.1 - - [{werkzeug}] "POST /completions HTTP/1.1" 500 -
""",
    """\
Traceback (most recent call last):
  File "/srv/server.py", line 88, in generate
    out = model(tokens)
  File "/srv/model.py", line 12, in forward
    return self.net(x)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. GPU 1 has a total \
capacity of 79.15 GiB of which 900.00 MiB is free.

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/server.py", line 90, in generate
    raise RuntimeError(f"generation failed: {{exc}}") from exc
RuntimeError: generation failed: CUDA out of memory. Tried to allocate 1.50 GiB. GPU 1 has a \
total capacity of 79.15 GiB of which 900.00 MiB is free.
""",
    """\
Traceback (most recent call last):
  File "/srv/server.py", line 88, in generate
    out = model.generate(tokens)
RuntimeError: CUDA error: out of memory
CUDA kernel errors might be asynchronously reported at some other API call, so the \
stacktrace below might be incorrect.
For debugging consider passing CUDA_LAUNCH_BLOCKING=1
Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.
""",
)
OOM_AT = (0.25, 0.5, 0.75)  # where the tracebacks go, as fractions of the target size
TQDM_AT = 0.6
TQDM_DESC = "Requesting API"
TQDM_TOTAL = 100_000


# --------------------------------------------------------------------------- the truth


@dataclass
class DenseTruth:
    """Exact counts of what the generated log holds."""

    bytes: int = 0
    lines: int = 0
    engine_calls: int = 0
    engine_prompts: int = 0
    engine_histogram: dict[int, int] = field(default_factory=dict)
    http: dict[int, int] = field(default_factory=dict)
    access_lines: int = 0
    request_ip_lines: int = 0
    start_time_lines: int = 0
    stats_lines: int = 0
    ooms: int = 0
    tqdm_desc: str = TQDM_DESC
    tqdm_n: int = 0
    tqdm_total: int = TQDM_TOTAL
    tqdm_line_bytes: int = 0
    grep_lines: int = 0  # lines where GREP_PATTERN matches

    @property
    def routine_fraction(self) -> float:
        """Engine and access lines as a fraction of all lines."""
        return (self.engine_calls + self.access_lines) / self.lines if self.lines else 0.0

    def expected(self) -> dict[str, Any]:
        """The counts compared with evalmon's, by name."""
        out: dict[str, Any] = {
            "engine calls": self.engine_calls,
            "engine prompts (sum of N)": self.engine_prompts,
            "engine histogram": dict(sorted(self.engine_histogram.items())),
        }
        for status, count in sorted(self.http.items()):
            out[f"http {status}"] = count
        out["request-start lines"] = self.request_ip_lines + self.start_time_lines
        out["stats lines"] = self.stats_lines
        out["OOMs"] = self.ooms
        out["tqdm bar (n/total)"] = f"{self.tqdm_n}/{self.tqdm_total}"
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DenseTruth:
        truth = cls(**data)
        truth.engine_histogram = {int(k): v for k, v in truth.engine_histogram.items()}
        truth.http = {int(k): v for k, v in truth.http.items()}
        return truth


# --------------------------------------------------------------------------- generator


class _Stamps:
    """The timestamp texts of one simulated second, in every format the log uses."""

    __slots__ = ("flask", "lm_eval", "second", "start", "vllm", "werkzeug")

    def __init__(self, second: int) -> None:
        t = time.gmtime(second)
        self.second = second
        self.werkzeug = time.strftime("%d/%b/%Y %H:%M:%S", t).encode()  # 24/Nov/2026 03:00:01
        self.start = time.strftime("%Y-%m-%d %H:%M:%S", t).encode()  # + .123456
        self.lm_eval = time.strftime("%Y-%m-%d:%H:%M:%S", t).encode()  # 2026-11-24:03:08:06
        self.vllm = time.strftime("%m-%d %H:%M:%S", t).encode()  # 11-24 03:00:10
        self.flask = self.start  # + ,123


def tqdm_burst(budget: int) -> tuple[bytes, int]:
    """One physical line of ``\\r`` updates of one bar, about ``budget`` bytes; its last n."""
    parts: list[bytes] = []
    size = 0
    last = n = 0
    while n <= TQDM_TOTAL:
        update = b"\r" + tqdm_bar(TQDM_DESC, n, TQDM_TOTAL, n * 0.086)
        if parts and size + len(update) > budget:
            break
        parts.append(update)
        size += len(update)
        last = n
        n += 1
    return b"".join(parts), last


def build_dense_log(path: Path, size: int, seed: int) -> DenseTruth:
    """Write about ``size`` bytes of busy-server log to ``path``; return its exact truth."""
    rng = random.Random(seed)
    rand = rng.random
    randint = rng.randint
    truth = DenseTruth()
    engine_hist: Counter[int] = Counter()
    http: Counter[int] = Counter()
    lines = grep_lines = engine_calls = engine_prompts = access = 0
    request_ip = start_time = stats = 0

    now = 1795489200.0  # 2026-11-24 03:00:00 UTC
    stamps = _Stamps(int(now))
    client_batch = 8
    tqdm_bytes = min(TQDM_LINE_BYTES, size // 4)
    specials: list[tuple[int, str, int]] = sorted(
        [(int(size * at), "oom", i) for i, at in enumerate(OOM_AT)]
        + [(int(size * TQDM_AT), "tqdm", 0)]
    )

    buf: list[bytes] = [HEADER]
    buffered = len(HEADER)
    lines += HEADER.count(b"\n")
    written = 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:

        def special(kind: str, index: int) -> None:
            nonlocal buffered, lines, grep_lines, engine_calls, engine_prompts, access
            if kind == "tqdm":
                line, last_n = tqdm_burst(tqdm_bytes)
                truth.tqdm_n = last_n
                truth.tqdm_line_bytes = len(line) + 1
                text = line + b"\n"
                lines += 1
                grep_lines += 1
            else:
                ms = int(now * 1000) % 1000
                text = (
                    OOM_BLOCKS[index]
                    .format(
                        flask=stamps.flask.decode() + f",{ms:03d}",
                        werkzeug=stamps.werkzeug.decode(),
                    )
                    .encode()
                )
                truth.ooms += 1
                for line in text.split(b"\n")[:-1]:
                    lines += 1
                    grep_lines += GREP_RE.search(line) is not None
                    if m := re.match(
                        rb"\[BATCHING DEBUG\] run_mcore_engine called with (\d+)", line
                    ):
                        engine_calls += 1
                        engine_prompts += int(m[1])
                        engine_hist[int(m[1])] += 1
                    elif m := re.search(rb'HTTP/1\.1" (\d{3}) -$', line):
                        access += 1
                        http[int(m[1])] += 1
            buf.append(text)
            buffered += len(text)

        while written + buffered < size:
            if specials and written + buffered >= specials[0][0]:
                _, kind, index = specials.pop(0)
                special(kind, index)
                continue
            now += 0.01 + 0.09 * rand()
            if int(now) != stamps.second:
                stamps = _Stamps(int(now))
            if rand() < 0.0005:  # the client restarts with another batch size
                client_batch = (8, 16, 32, 64, 128)[randint(0, 4)]
            r = rand()
            if r < 0.50:  # Megatron POST /completions
                if rand() < 0.01:  # rejected before the engine runs
                    status = 400
                    text = b'127.0.0.1 - - [%s] "POST /completions HTTP/1.1" 400 -\n' % (
                        stamps.werkzeug
                    )
                    n_lines = n_grep = 1
                else:
                    status = 200
                    n = client_batch if rand() < 0.95 else randint(1, client_batch)
                    engine_calls += 1
                    engine_prompts += n
                    engine_hist[n] += 1
                    text = (
                        b"[BATCHING DEBUG] run_mcore_engine called with %d prompts\n"
                        b'127.0.0.1 - - [%s] "POST /completions HTTP/1.1" 200 -\n'
                    ) % (n, stamps.werkzeug)
                    n_lines = n_grep = 2
                http[status] += 1
                access += 1
            elif r < 0.65:  # Megatron PUT /api: request IP, body, start time, engine, access
                n = randint(1, 8)
                prompts = b", ".join(PROMPTS[randint(0, 1)] for _ in range(n))
                us = int(now * 1e6) % 1_000_000
                text = (
                    b"request IP: 127.0.0.1\n"
                    b'{"prompts": [%s], "tokens_to_generate": 1, "logprobs": true, '
                    b'"model": "m", "temperature": 0, "batch_size": %d}\n'
                    b"start time:  %s.%06d\n"
                    b"[BATCHING DEBUG] run_mcore_engine called with %d prompts\n"
                    b'127.0.0.1 - - [%s] "PUT /api HTTP/1.1" 200 -\n'
                ) % (prompts, n, stamps.start, us, n, stamps.werkzeug)
                n_lines, n_grep = 5, 4  # the body line matches nothing
                request_ip += 1
                start_time += 1
                engine_calls += 1
                engine_prompts += n
                engine_hist[n] += 1
                http[200] += 1
                access += 1
            elif r < 0.85:  # uvicorn access line
                port = randint(30000, 65000)
                s = rand()
                if s < 0.005:
                    status = 500
                    text = (
                        b'INFO:     127.0.0.1:%d - "POST /v1/completions HTTP/1.1" 500 '
                        b"Internal Server Error\n" % port
                    )
                elif s < 0.05:  # a health probe: an access line, but not a request of the eval
                    status = 0
                    text = b'INFO:     127.0.0.1:%d - "GET /health HTTP/1.1" 200 OK\n' % port
                else:
                    status = 200
                    text = (
                        b'INFO:     127.0.0.1:%d - "POST /v1/completions HTTP/1.1" 200 OK\n' % port
                    )
                n_lines = n_grep = 1
                if status:
                    http[status] += 1
                access += 1
            elif r < 0.851:  # vLLM V1 stats line: one per ~1,000 lines (see the docstring)
                running = randint(0, 256)
                text = (
                    b"%sINFO %s [loggers.py:116] Engine 000: Avg prompt throughput: %.1f "
                    b"tokens/s, Avg generation throughput: %.1f tokens/s, Running: %d reqs, "
                    b"Waiting: %d reqs, GPU KV cache usage: %.1f%%, Prefix cache hit rate: "
                    b"%.1f%%\n"
                ) % (
                    b"(APIServer pid=4242) " if rand() < 0.1 else b"",
                    stamps.vllm,
                    rand() * 5000,
                    rand() * 3000,
                    running,
                    randint(0, 64) if running > 200 else 0,
                    rand() * 100,
                    rand() * 100,
                )
                n_lines = n_grep = 1
                stats += 1
            else:  # INFO noise
                text = (
                    NOISE[randint(0, len(NOISE) - 1)]
                    .replace(b"{0}", stamps.lm_eval)
                    .replace(b"{1}", stamps.vllm)
                    + b"\n"
                )
                n_lines, n_grep = 1, 0  # noise never matches (_check_static_shapes)
            lines += n_lines
            grep_lines += n_grep
            buf.append(text)
            buffered += len(text)
            if buffered > 4 * MB:
                data = b"".join(buf)
                handle.write(data)
                written += len(data)
                buf.clear()
                buffered = 0
        for _, kind, index in specials:  # a size too small to reach them
            special(kind, index)
        data = b"".join(buf)
        handle.write(data)
        written += len(data)
    tmp.replace(path)

    truth.bytes = written
    truth.lines = lines
    truth.grep_lines = grep_lines
    truth.engine_calls = engine_calls
    truth.engine_prompts = engine_prompts
    truth.engine_histogram = dict(sorted(engine_hist.items()))
    truth.http = dict(sorted(http.items()))
    truth.access_lines = access
    truth.request_ip_lines = request_ip
    truth.start_time_lines = start_time
    truth.stats_lines = stats
    return truth


def _check_static_shapes() -> None:
    """The generator's bookkeeping assumes noise never matches grep and is no event to
    evalmon either (version 2 had lm-eval's ``Building contexts`` line among the noise, a
    task event repeated tens of thousands of times), and that header lines don't match."""
    from evalmon.parsers.stream import parse_text

    for noise in NOISE:
        line = noise.replace(b"{0}", b"2026-11-24:03:08:06").replace(b"{1}", b"11-24 03:00:10")
        assert not GREP_RE.search(line), line
        assert not parse_text(line.decode() + "\n"), line
    for line in HEADER.split(b"\n"):
        assert not GREP_RE.search(line), line


def dense_log(size: int, seed: int, workdir: Path) -> tuple[Path, DenseTruth]:
    """The log and its truth in ``workdir``, reused when already built with these parameters."""
    _check_static_shapes()
    workdir.mkdir(parents=True, exist_ok=True)
    stem = f"dense-{size}b-seed{seed}-v{GENERATOR_VERSION}"
    log = workdir / f"{stem}.log"
    meta = workdir / f"{stem}.truth.json"
    if log.exists() and meta.exists():
        truth = DenseTruth.from_json(json.loads(meta.read_text()))
        if truth.bytes == log.stat().st_size:
            return log, truth
    print(f"building {log} ...", file=sys.stderr, flush=True)
    truth = build_dense_log(log, size, seed)
    meta.write_text(json.dumps(truth.to_json(), indent=1, sort_keys=True))
    return log, truth


# --------------------------------------------------------------------------- evalmon side


def _exposed_count(run: object, *names: str) -> int | None:
    """A count the run view exposes under one of ``names`` (an int, or a view with .count)."""
    for name in names:
        value = getattr(run, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        count = getattr(value, "count", None)
        if isinstance(count, int):
            return count
    return None


def counts_from_snapshot(snapshot: Any, report: dict[str, Any]) -> dict[str, Any]:
    """What evalmon found, read from the snapshot and its JSON report only.

    Summed over the reported runs (one file is one run; the sum is robust to grouping).
    ``None`` where the snapshot exposes no such count.
    """
    runs = [r for r in snapshot.runs if r.status != "waiting"]
    engine: Counter[int] = Counter()
    http: Counter[int] = Counter()
    ooms = 0
    bar: dict[str, Any] | None = None
    for run_json in report["runs"]:
        for size, count in run_json["engine_batches"]["histogram"].items():
            engine[int(size)] += count
        for status, count in run_json["http"].items():
            http[int(status)] += count
        ooms += len(run_json["ooms"])
        for progress in run_json["progress"]:
            if progress["desc"] == TQDM_DESC:
                bar = progress
    out: dict[str, Any] = {
        "engine calls": sum(r.engine_batches.count for r in runs),
        "engine prompts (sum of N)": sum(size * count for size, count in engine.items()),
        "engine histogram": dict(sorted(engine.items())),
    }
    for status, count in sorted(http.items()):
        out[f"http {status}"] = count

    def total(*names: str) -> int | None:
        found = [_exposed_count(r, *names) for r in runs]
        return None if not found or None in found else sum(f for f in found if f is not None)

    out["request-start lines"] = total("request_starts", "request_start_lines")
    out["stats lines"] = total("stats_lines", "engine_stats", "server_stats")
    out["OOMs"] = ooms
    out["tqdm bar (n/total)"] = f"{bar['n']}/{bar['total']}" if bar else None
    return out


def child_main(path: str, workers: int | None) -> None:
    """In a fresh interpreter (its peak RSS is evalmon's alone): replay, snapshot, report."""
    import resource

    from evalmon.sources.scan import workers_for

    t0 = time.perf_counter()
    import evalmon
    from evalmon.pipeline import replay
    from evalmon.report import ReportOptions, to_json

    t1 = time.perf_counter()
    result = replay([path], workers=workers)
    t2 = time.perf_counter()
    snapshot = result.state.snapshot()
    report = to_json(snapshot, ReportOptions())
    t3 = time.perf_counter()
    print(
        json.dumps(
            {
                "evalmon": str(Path(evalmon.__file__).parent),
                "imports_s": t1 - t0,
                "replay_s": t2 - t1,
                "snapshot_s": t3 - t2,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                # the scan's worker processes (none when it ran in this one)
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "cpu_s": sum(
                    r.ru_utime + r.ru_stime
                    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                    for r in [resource.getrusage(who)]
                ),
                "workers": workers or workers_for(os.path.getsize(path)),
                "warnings": list(result.warnings) + list(result.errors),
                "counts": counts_from_snapshot(snapshot, report),
            }
        )
    )


class PssSampler(threading.Thread):
    """The peak of the summed PSS of a process and its children, sampled every 50 ms.

    PSS splits each shared page among the processes that map it, so forked scan workers
    (which share the parent's pages until they write to them) are not counted twice as
    summed RSS would. A sample can miss a peak shorter than 50 ms.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._done.wait(0.05):
            total = 0
            try:
                children = root.children(recursive=True)
            except psutil.Error:  # the child has exited: its peak is already recorded
                return
            for proc in [root, *children]:
                try:
                    total += proc.memory_full_info().pss
                except psutil.Error:
                    continue
            self.peak_mb = max(self.peak_mb, total / MB)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_evalmon(path: Path, root: Path, workers: int | None) -> dict[str, Any]:
    """The child, importing evalmon from ``root`` (a source tree)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)]
        + ([f"--workers={workers}"] if workers else []),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = PssSampler(child.pid)
    sampler.start()
    stdout, stderr = child.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"evalmon child failed ({child.returncode}):\n{stderr}")
    measured: dict[str, Any] = json.loads(stdout)
    measured["tree_peak_pss_mb"] = sampler.peak_mb
    counts = measured["counts"]
    counts["engine histogram"] = {int(k): v for k, v in counts["engine histogram"].items()}
    measured["wall_s"] = wall
    return measured


def run_grep(path: Path) -> tuple[int, float]:
    argv = ["grep", "-cE", GREP_PATTERN, str(path)]
    env = dict(os.environ, LC_ALL="C")
    t0 = time.perf_counter()
    out = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if out.returncode not in (0, 1):
        raise SystemExit(f"grep failed: {out.stderr.strip()}")
    return int(out.stdout.strip() or 0), seconds


def compare(expected: dict[str, Any], found: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(differences, counts not exposed by evalmon)."""
    diffs: list[str] = []
    missing: list[str] = []
    for key in [*expected, *(k for k in found if k not in expected)]:
        want, got = expected.get(key), found.get(key)
        if got is None and key in expected:
            missing.append(key)
        elif want != got:
            if isinstance(want, dict) and isinstance(got, dict):
                sizes = sorted(set(want) | set(got))
                detail = ", ".join(
                    f"{s}: {got.get(s, 0)} vs {want.get(s, 0)}"
                    for s in sizes
                    if got.get(s, 0) != want.get(s, 0)
                )
                diffs.append(f"{key}: evalmon vs truth {{{detail}}}")
            else:
                diffs.append(f"{key}: evalmon {got}, truth {want}")
    return diffs, missing


# --------------------------------------------------------------------------- main


def parse_size(text: str) -> int:
    """``1G``, ``64M``, ``512K``, ``2MB``, ``1GiB`` or plain bytes (binary units)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64M, 1G)")
    scale = 1 << (10 * " KMGT".index(m[2].upper() or " "))
    value = int(float(m[1]) * scale)
    if value < 64 * 1024:
        raise argparse.ArgumentTypeError("the size must be at least 64K")
    return value


def _fmt_count(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return f"{len(value)} sizes"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--size", type=parse_size, default=DEFAULT_SIZE, help="log size (default 1G; e.g. 64M)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir",
        type=Path,
        help="build (and keep, and reuse) the log here; default: a temp dir removed at the end",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each side N times, keep the best"
    )
    parser.add_argument(
        "--evalmon-root",
        type=Path,
        default=HERE.parent,
        help="the source tree evalmon is imported from (default: this repository)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--workers",
        type=int,
        help="evalmon's scan processes (default: as many as help; 1: one process)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.workers)
        return 0

    tmp = None if args.workdir else Path(tempfile.mkdtemp(prefix="evalmon-dense-"))
    try:
        return measure(args.workdir or tmp, args, args.evalmon_root.resolve())
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(workdir: Path, args: argparse.Namespace, root: Path) -> int:
    log, truth = dense_log(args.size, args.seed, workdir)
    nbytes = log.stat().st_size
    warm(log)
    grep_runs, evalmon_runs = [], []
    for _ in range(max(1, args.repeat)):  # alternated: a busy machine slows both alike
        grep_runs.append(run_grep(log))
        evalmon_runs.append(run_evalmon(log, root, args.workers))
    grep_count, grep_s = min(grep_runs, key=lambda r: r[1])
    measured = min(evalmon_runs, key=lambda r: r["wall_s"])
    peak = max(r["peak_rss_mb"] for r in evalmon_runs)
    worker_peak = max(r["worker_peak_rss_mb"] for r in evalmon_runs)
    tree_pss = max(r["tree_peak_pss_mb"] for r in evalmon_runs)
    workers = measured["workers"]

    mib = nbytes / MB
    grep_mbs = mib / grep_s
    evalmon_mbs = mib / measured["wall_s"]
    ratio = evalmon_mbs / grep_mbs
    expected = truth.expected()
    found = measured["counts"]
    diffs, missing = compare(expected, found)
    if grep_count != truth.grep_lines:
        diffs.append(f"grep lines: grep {grep_count}, truth {truth.grep_lines}")

    rows = [
        (
            "log",
            f"{log.name}  ({mib:,.0f} MiB, {truth.lines:,} lines, "
            f"{truth.routine_fraction:.0%} engine/access lines, "
            f"tqdm line {truth.tqdm_line_bytes / MB:.1f} MiB, {truth.ooms} OOMs)",
        ),
        (
            "grep -cE (LC_ALL=C)",
            f"{grep_s:7.2f} s  {grep_mbs:8,.0f} MB/s   {grep_count:,} lines",
        ),
        (
            "evalmon replay",
            f"{measured['wall_s']:7.2f} s  {evalmon_mbs:8,.0f} MB/s   (inside the child: "
            f"imports {measured['imports_s']:.2f} s, replay {measured['replay_s']:.2f} s, "
            f"snapshot+report {measured['snapshot_s']:.2f} s)",
        ),
        ("evalmon from", measured["evalmon"]),
        (
            "evalmon CPU",
            f"{measured['cpu_s']:7.2f} s  in {workers} process"
            + ("es (scan workers, one per usable CPU)" if workers > 1 else " (--workers 1)"),
        ),
        ("speed", f"{ratio:.2f}x grep   (target >= {TARGET_RATIO:.1f}x; wall time)"),
        (
            "evalmon peak RSS",
            f"{peak:.0f} MB   (target <= {TARGET_RSS_MB} MB)"
            + (
                f"; each scan worker {worker_peak:.0f} MB; all {workers + 1} processes "
                f"together {tree_pss:.0f} MB (peak summed PSS)"
                if workers > 1
                else ""
            ),
        ),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    print(f"\n  {'count':<28} {'evalmon':>12} {'truth':>12}")
    for key, want in expected.items():
        got = found.get(key)
        mark = "" if got is None or got == want else "   <-- differs"
        print(f"  {key:<28} {_fmt_count(got):>12} {_fmt_count(want):>12}{mark}")
    print(f"  {'grep lines':<28} {grep_count:>12,} {truth.grep_lines:>12,}")
    for warning in measured["warnings"]:
        print(f"  evalmon warning: {warning}")
    if args.json:
        print(
            json.dumps(
                {
                    "bytes": nbytes,
                    "grep_s": grep_s,
                    "evalmon_wall_s": measured["wall_s"],
                    "evalmon_replay_s": measured["replay_s"],
                    "ratio": ratio,
                    "peak_rss_mb": peak,
                    "worker_peak_rss_mb": worker_peak,
                    "tree_peak_pss_mb": tree_pss,
                    "cpu_s": measured["cpu_s"],
                    "workers": workers,
                    "differences": diffs,
                    "not_exposed": missing,
                    "truth": truth.to_json(),
                    "found": found,
                }
            )
        )
    na = f" ({len(missing)} n/a, not exposed: {', '.join(missing)})" if missing else ""
    if diffs:
        print("\n  counts: DIFFER" + na + "\n    " + "\n    ".join(diffs))
        return 1
    print("\n  counts: exact" + na)
    return 0


if __name__ == "__main__":
    sys.exit(main())
