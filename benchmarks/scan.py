"""Scan benchmark: evalmon's full event extraction against ``grep -cE`` on one big log.

    .venv/bin/python benchmarks/scan.py                # ~1 GiB (built once, cached)
    .venv/bin/python benchmarks/scan.py --size-mb 64   # a quick run

Builds a deterministic mixed log (a Megatron text-generation server and an lm-eval
``local-completions`` client writing into one SLURM output file) with known event counts,
then times, on the same warm file:

(a) ``LC_ALL=C grep -cE`` with the ``CANDIDATE`` pattern of every parser module (as EREs);
(b) ``evalmon.sources.scan.scan_file`` (the engine of ``evalmon report``), in a child
    process whose peak RSS is read with ``resource.getrusage``.

It prints MB/s of each, their ratio and the peak RSS, and checks that every count equals
the truth the generator recorded (exit status 1 if one does not).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GENERATOR_VERSION = 2
MB = 1 << 20


def candidate_patterns() -> list[re.Pattern[bytes]]:
    """Every pattern the stream runs (each module's CANDIDATE, and the routine lines' bulk
    patterns ENGINE_CALL and STATUS): what grep has to look for too."""
    from evalmon.parsers.stream import DEFAULT_MODULES

    names = ("CANDIDATE", "ENGINE_CALL", "STATUS")
    return [getattr(m, name) for m in DEFAULT_MODULES for name in names if hasattr(m, name)]


def to_ere(pattern: bytes) -> bytes:
    """A module's CANDIDATE (Python syntax) as a GNU ERE for ``grep -E`` in the C locale."""
    out = re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]), pattern)
    out = re.sub(
        rb"\(\?i:([A-Za-z]+)\)",
        lambda m: b"(" + b"".join(b"[%c%c]" % (c, c ^ 32) for c in m[1]) + b")",
        out,
    )
    out = out.replace(b"(?:", b"(").replace(rb"\d", b"[0-9]").replace(b'\\"', b'"')
    if b"(?" in out:
        raise ValueError(f"cannot translate {pattern!r} to ERE")
    return out


# --------------------------------------------------------------------------- generator


@dataclass
class Truth:
    """What a correct extraction finds in the generated log."""

    lines: int = 0
    grep_lines: int = 0
    events: collections.Counter[str] = field(default_factory=collections.Counter)


class LogWriter:
    """Writes physical lines and keeps the truth as it goes."""

    def __init__(self, handle, truth: Truth) -> None:
        self.handle = handle
        self.truth = truth
        self.size = 0
        self._buf: list[bytes] = []
        self._buffered = 0

    def line(self, data: bytes, **events: int) -> None:
        self._buf.append(data)
        self._buf.append(b"\n")
        self._buffered += len(data) + 1
        self.truth.lines += 1
        for kind, n in events.items():
            self.truth.events[kind] += n
        if self._buffered > 4 * MB:
            self.flush()

    def flush(self) -> None:
        data = b"".join(self._buf)
        self.handle.write(data)
        self.size += len(data)
        self._buf.clear()
        self._buffered = 0

    @property
    def written(self) -> int:
        return self.size + self._buffered


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def tick(self, seconds: float) -> None:
        self.now += seconds

    def lm_eval(self) -> bytes:  # 2026-11-24:03:08:06
        return time.strftime("%Y-%m-%d:%H:%M:%S", time.gmtime(self.now)).encode()

    def werkzeug(self) -> bytes:  # 24/Nov/2026 03:00:01
        return time.strftime("%d/%b/%Y %H:%M:%S", time.gmtime(self.now)).encode()

    def flask(self) -> bytes:  # 2026-11-24 03:00:02,123
        ms = int(self.now * 1000) % 1000
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.now)).encode() + b",%03d" % ms

    def start_time(self) -> bytes:  # 2026-11-24 03:00:01.123456
        us = int(self.now * 1e6) % 1_000_000
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.now)).encode() + b".%06d" % us


def _fmt_clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def tqdm_bar(desc: str, n: int, total: int, elapsed: float) -> bytes:
    """A tqdm status line as tqdm writes it (unicode blocks, s/it below 1 it/s)."""
    frac = n / total if total else 0.0
    width = 10
    full = int(frac * width)
    partial = "▏▎▍▌▋▊▉"[int((frac * width - full) * 7) % 7] if full < width and n else ""
    bar = ("█" * full + partial).ljust(width)
    if n == 0 or elapsed <= 0:
        rate, remaining = "?it/s", "?"
    else:
        per_s = n / elapsed
        rate = f"{per_s:5.2f}it/s" if per_s >= 1 else f"{1 / per_s:5.2f}s/it"
        remaining = _fmt_clock((total - n) / per_s)
    prefix = f"{desc}: " if desc else ""
    text = (
        f"{prefix}{frac * 100:3.0f}%|{bar}| {n}/{total} [{_fmt_clock(elapsed)}<{remaining}, {rate}]"
    )
    return text.encode()


@dataclass
class RunSpec:
    batch_size: int
    num_concurrent: int
    tokenized: bool
    samples: int
    oom_after: int | None = None  # requests served before the server runs out of memory


RUN_CYCLE = (
    RunSpec(8, 1, False, 4000),
    RunSpec(64, 4, True, 8000),
    RunSpec(256, 4, True, 8000, oom_after=7),
    RunSpec(128, 4, True, 8000),
    RunSpec(64, 1, True, 6000),
)

TRACEBACK_FRAMES = [
    (
        '/usr/local/lib/python3.12/dist-packages/flask/app.py", line 1511, in wsgi_app',
        "response = self.full_dispatch_request()",
    ),
    (
        '/usr/local/lib/python3.12/dist-packages/flask/app.py", line 919, in full_dispatch_request',
        "rv = self.handle_user_exception(e)",
    ),
    (
        '/workspace/megatron/inference/endpoints/completions.py", line 121, in post',
        "result = run_mcore_engine(self.engine, prompts, temperature, top_k, top_p, logprobs)",
    ),
    (
        '/workspace/megatron/inference/text_generation/mcore_engine_server.py", line 93, in run_mcore_engine',  # noqa: E501
        "result = engine.generate(prompts=prompts, sampling_params=sampling_params)",
    ),
    (
        '/usr/local/lib/python3.12/dist-packages/torch/nn/modules/module.py", line 1773, '
        "in _call_impl",
        "return forward_call(*args, **kwargs)",
    ),
]

OOM_MESSAGE = (
    b"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total "
    b"capacity of 79.15 GiB of which 1.20 GiB is free. Including non-PyTorch memory, this process "
    b"has 77.94 GiB memory in use. Of the allocated memory 75.10 GiB is allocated by PyTorch, and "
    b"1.34 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large "
    b"try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See "
    b"documentation for Memory Management  "
    b"(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)"
)

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "for",
    "that",
    "with",
    "as",
    "on",
    "by",
    "at",
    "from",
    "his",
    "her",
    "which",
    "an",
    "be",
    "this",
    "are",
    "were",
    "question",
    "answer",
    "which",
    "following",
    "best",
    "describes",
    "most",
    "likely",
    "statement",
    "true",
    "false",
    "because",
    "energy",
    "cell",
    "market",
    "law",
    "court",
    "theory",
    "water",
    "light",
    "number",
    "value",
    "system",
    "process",
    "result",
]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        # A pool of prompts: realistic sizes without generating 150M random numbers.
        self.token_prompts = [
            b"["
            + b", ".join(b"%d" % rng.randrange(50_000) for _ in range(rng.randrange(60, 420)))
            + b"]"
            for _ in range(600)
        ]
        self.text_prompts = [
            json.dumps(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(60, 300)))).encode()
            for _ in range(600)
        ]

    def body(self, spec: RunSpec, n: int) -> bytes:
        pool = self.token_prompts if spec.tokenized else self.text_prompts
        return self.wrap(b", ".join(self.rng.choice(pool) for _ in range(n)))

    @staticmethod
    def wrap(prompts: bytes) -> bytes:
        return (
            b'{"model": "megatron", "prompt": [' + prompts + b'], "max_tokens": 1, '
            b'"temperature": 0.0, "logprobs": 1, "seed": 1234, "echo": true}'
        )

    def server_start(self, w: LogWriter, spec: RunSpec, engine_max: int) -> None:
        w.line(b"using world size: 1, data-parallel size: 1, tensor-model-parallel size: 1")
        w.line(b"------------------------ arguments ------------------------")
        for name, value in (
            ("inference_batch_times_seqlen_threshold", "-1"),
            ("inference_max_batch_size", str(engine_max)),
            ("inference_max_requests", str(engine_max)),
            ("inference_max_seq_length", "2560"),
            ("micro_batch_size", "1"),
            ("seq_length", "2048"),
        ):
            dots = "." * (48 - len(name))
            config = name in ("inference_max_batch_size", "inference_max_requests")
            w.line(f"  {name} {dots} {value}".encode(), EngineConfig=int(config))
        w.line(b"-------------------- end of arguments ---------------------")
        w.line(b" > building GPT2BPETokenizer tokenizer ...")
        w.line(b" * Serving Flask app 'megatron.inference.text_generation_server'")
        w.line(b" * Debug mode: off")
        w.line(
            b"WARNING: This is a development server. Do not use it in a production deployment. "
            b"Use a production WSGI server instead."
        )
        w.line(b" * Running on http://127.0.0.1:5000")
        w.line(b"Press CTRL+C to quit")

    def run(self, w: LogWriter, clock: Clock, spec: RunSpec) -> None:
        rng = self.rng
        engine_max = max(spec.batch_size, 32)
        self.server_start(w, spec, engine_max)
        args = (
            f"{{'model': 'megatron', 'base_url': 'http://127.0.0.1:5000/v1/completions', "
            f"'num_concurrent': {spec.num_concurrent}, 'max_retries': 3, "
            f"'tokenized_requests': {spec.tokenized}, 'tokenizer': '/models/tokenizer', "
            f"'tokenizer_backend': 'huggingface'}}"
        )
        for level, where, msg, ev in (
            ("INFO", "__main__:443", "Selected Tasks: ['mmlu_tiny']", {}),
            (
                "INFO",
                "evaluator:202",
                "Setting random seed to 0 | Setting numpy seed to 1234 | "
                "Setting torch manual seed to 1234 | Setting fewshot manual seed to 1234",
                {},
            ),
            (
                "INFO",
                "evaluator:240",
                f"Initializing local-completions model, with arguments: {args}",
                {"RunConfig": 1},
            ),
            ("INFO", "models.api_models:172", "Using max length 2048 - 1", {}),
            ("INFO", "models.api_models:197", "Using tokenizer huggingface", {}),
            ("INFO", "evaluator:305", "mmlu_tiny: Using gen_kwargs: {'until': ['\\n\\n']}", {}),
            ("INFO", "api.task:434", "Building contexts for mmlu_tiny on rank 0...", {}),
        ):
            w.line(
                b"%s %-8s [%s] %s"
                % (clock.lm_eval(), level.encode(), where.encode(), msg.encode()),
                **ev,
            )
            clock.tick(0.4)
        # Context building: an unlabelled bar, three updates on one physical line.
        s = spec.samples
        w.line(
            b"\r" + b"\r".join(tqdm_bar("", n, s, e) for n, e in ((0, 0), (s // 2, 0.2), (s, 0.4))),
            Progress=1,
        )
        w.line(
            clock.lm_eval() + b" INFO     [evaluator:589] Running loglikelihood requests",
            LmEvalStage=1,
        )

        requests = -(-spec.samples // spec.batch_size)
        bar_total = requests if spec.num_concurrent > 1 else spec.samples
        per_unit = spec.batch_size if spec.num_concurrent == 1 else 1
        burst: list[bytes] = []
        burst_left = rng.randrange(1, 30)
        t0 = clock.now

        def bar(done: int) -> bytes:
            return tqdm_bar(
                "Requesting API", min(done * per_unit, bar_total), bar_total, clock.now - t0
            )

        def flush_burst(glued: bytes = b"", **ev: int) -> None:
            nonlocal burst, burst_left
            if glued:
                burst.append(glued)
            if burst:
                w.line(b"\r" + b"\r".join(burst), Progress=1, **ev)
            burst = []
            burst_left = rng.randrange(1, 30)

        burst.append(bar(0))
        for served in range(requests):
            n = min(spec.batch_size, spec.samples - served * spec.batch_size)
            clock.tick(n * rng.uniform(0.02, 0.2))
            w.line(b"request IP: 127.0.0.1")  # one per request: the access line counts them
            w.line(self.body(spec, n))
            w.line(b"start time:  " + clock.start_time())
            if spec.oom_after is not None and served == spec.oom_after:
                self.server_oom(w, clock)
                self.client_failure(w, clock, spec, flush_burst, bar(served))
                return
            calls = [n] if n <= engine_max else [engine_max, n - engine_max]
            for c in calls:
                w.line(
                    b"[BATCHING DEBUG] run_mcore_engine called with %d prompts" % c, EngineBatch=1
                )
            w.line(
                b'127.0.0.1 - - [%s] "POST /completions HTTP/1.1" 200 -' % clock.werkzeug(),
                HttpRequest=1,
                HttpRequest_200=1,
            )
            burst.append(bar(served + 1))
            burst_left -= 1
            if burst_left == 0:
                flush_burst()
        flush_burst()
        w.line(
            b"local-completions (%s), gen_kwargs: ({}), limit: None, num_fewshot: None, "
            b"batch_size: %d" % (args.encode(), spec.batch_size),
            RunConfig=1,
        )
        acc = rng.uniform(0.2, 0.3)
        rows = [
            (b"|  Tasks  |Version|Filter|n-shot| Metric |   |Value |   |Stderr|", 0),
            (b"|---------|------:|------|-----:|--------|---|-----:|---|-----:|", 0),
            (
                b"|mmlu_tiny|      1|none  |     0|acc     |\xe2\x86\x91  |%.4f|\xc2\xb1  |0.0435|"
                % acc,
                1,
            ),
            (
                b"|         |       |none  |     0|acc_norm|\xe2\x86\x91  |%.4f|\xc2\xb1  |0.0446|"
                % (acc + 0.02),
                1,
            ),
        ]
        for row, n_rows in rows:
            w.line(row, ResultRow=n_rows)
        w.line(b"")

    def server_oom(self, w: LogWriter, clock: Clock) -> None:
        w.line(
            b"[%s] ERROR in app: Exception on /completions [POST]" % clock.flask(),
            ServerException=1,
        )
        w.line(b"Traceback (most recent call last):")
        for where, code in TRACEBACK_FRAMES:
            w.line(b'  File "' + where.encode())
            w.line(b"    " + code.encode())
        w.line(OOM_MESSAGE, OutOfMemory=1, PythonException=1)
        w.line(
            b'127.0.0.1 - - [%s] "POST /completions HTTP/1.1" 500 -' % clock.werkzeug(),
            HttpRequest=1,
            HttpRequest_500=1,
        )

    def client_failure(
        self, w: LogWriter, clock: Clock, spec: RunSpec, flush_burst, bar_text
    ) -> None:
        warning = (
            b"%s WARNING  [models.api_models:521] API request failed! Status code: 500, Response "
            b"text: <!doctype html>\\n<html lang=en>\\n<title>500 Internal Server Error</title>"
            b". Retrying..." % clock.lm_eval()
        )
        # The WARNING is printed mid-bar: glued after the last update on the bar's line.
        flush_burst(bar_text + warning, ApiFailure=1)
        for attempt in (1, 2):
            clock.tick(2.0 * attempt)
            w.line(
                b"%s INFO     [models.api_models:608] Retry attempt %d"
                % (clock.lm_eval(), attempt),
                RetryAttempt=1,
            )
            w.line(b"\r" + bar_text + warning, Progress=1, ApiFailure=1)
        w.line(b"Traceback (most recent call last):")
        w.line(
            b'  File "/opt/venv/lib/python3.12/site-packages/lm_eval/models/api_models.py", '
            b"line 526, in amodel_call"
        )
        w.line(b"    response.raise_for_status()")
        w.line(
            b"aiohttp.client_exceptions.ClientResponseError: 500, message='Internal Server "
            b"Error', url='http://127.0.0.1:5000/v1/completions'",
            PythonException=1,
        )
        w.line(b"")


def build_log(path: Path, size_mb: int, seed: int) -> Truth:
    """Write the log (about ``size_mb`` MiB) and return its truth."""
    gen = Generator(seed)
    truth = Truth()
    clock = Clock(1795489200.0)  # 2026-11-24 03:00:00 UTC
    target = size_mb * MB
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        w = LogWriter(handle, truth)
        i = 0
        while w.written < target:
            gen.run(w, clock, RUN_CYCLE[i % len(RUN_CYCLE)])
            i += 1
        w.flush()
    tmp.replace(path)
    return truth


def matching_lines(path: Path, patterns: list[re.Pattern[bytes]]) -> int:
    """Lines where any pattern matches: what ``grep -c`` must print (Python's own count)."""
    combined = re.compile(b"|".join(b"(?:%s)" % p.pattern for p in patterns))
    count = 0
    carry = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(16 * MB):
            data = carry + chunk
            end = data.rfind(b"\n") + 1
            carry = data[end:]
            pos = 0
            while (m := combined.search(data, pos, end)) is not None:
                count += 1
                pos = data.find(b"\n", m.end() - 1, end) + 1  # next line: one hit per line
                if pos == 0:
                    break
    if carry and combined.search(carry):
        count += 1
    return count


def cached_log(size_mb: int, seed: int, data_dir: Path = DATA) -> tuple[Path, Truth]:
    """The log and its truth, built once per parameters.

    The grep truth depends on the modules' CANDIDATE patterns, which evolve: it is kept per
    pattern set and recounted (cheaply) when they change.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"mixed-{size_mb}mb-seed{seed}-v{GENERATOR_VERSION}"
    log = data_dir / f"{stem}.log"
    meta = data_dir / f"{stem}.truth.json"
    saved: dict = {}
    if log.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        if saved.get("bytes") != log.stat().st_size:
            saved = {}
        elif not isinstance(saved.get("grep_lines"), dict):
            saved["grep_lines"] = {}
    if not saved:
        print(f"building {log.name} ...", file=sys.stderr, flush=True)
        truth = build_log(log, size_mb, seed)
        saved = {
            "bytes": log.stat().st_size,
            "lines": truth.lines,
            "events": dict(truth.events),
            "grep_lines": {},
        }
    patterns = candidate_patterns()
    key = hashlib.sha256(repr([(p.pattern, p.flags) for p in patterns]).encode()).hexdigest()[:16]
    if key not in saved["grep_lines"]:
        saved["grep_lines"][key] = matching_lines(log, patterns)
        meta.write_text(json.dumps(saved, indent=1, sort_keys=True))
    truth = Truth(saved["lines"], saved["grep_lines"][key], collections.Counter(saved["events"]))
    return log, truth


# --------------------------------------------------------------------------- measuring


def tally(events) -> collections.Counter[str]:
    """Count events by kind, with the splits the truth records."""
    counts: collections.Counter[str] = collections.Counter()
    for located in events:
        ev = located.event
        kind = type(ev).__name__
        if kind == "ServerTraffic":  # routine lines, counted in bulk per read
            counts["EngineBatch"] += sum(n for _, n in ev.engine_calls)
            for status, n in ev.http_statuses:
                counts["HttpRequest"] += n
                counts[f"HttpRequest_{status}"] += n
            continue
        counts[kind] += 1
    return counts


def child_main(path: str) -> None:
    """Runs in a fresh interpreter so that its peak RSS is evalmon's alone."""
    import resource

    from evalmon.sources.scan import scan_file

    t0 = time.perf_counter()
    result = scan_file(path)
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": peak_kb / 1024,
                "bytes": result.bytes,
                "lines": result.lines,
                "dropped_bytes": result.dropped_bytes,
                "warning": result.warning,
                "events": len(result.events),
                "counts": tally(result.events),
            }
        )
    )


def run_evalmon(path: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(out.stdout)
    measured["wall_s"] = time.perf_counter() - t0  # with interpreter start and imports
    return measured


def run_grep(path: Path, literal: bytes | None = None) -> tuple[int, float]:
    """``grep -cE`` over every CANDIDATE, or ``grep -cF literal`` for scale."""
    argv: list[bytes | str] = ["grep", "-cF", literal] if literal else ["grep", "-cE"]
    if literal is None:
        for pattern in candidate_patterns():
            argv += ["-e", to_ere(pattern.pattern)]
    argv.append(str(path))
    env = dict(os.environ, LC_ALL="C")
    t0 = time.perf_counter()
    out = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if out.returncode not in (0, 1):
        raise SystemExit(f"grep failed: {out.stderr.strip()}")
    return int(out.stdout.strip() or 0), seconds


def warm(path: Path) -> None:
    """Read the file once so both contenders start from the page cache."""
    with open(path, "rb", buffering=0) as handle:
        buf = bytearray(16 * MB)
        while handle.readinto(buf):
            pass


def check_counts(truth: Truth, measured: dict, grep_count: int) -> list[str]:
    problems = []
    counts = measured["counts"]
    for kind in sorted(truth.events):  # kinds the generator tracks (others are printed apart)
        want, got = truth.events.get(kind, 0), counts.get(kind, 0)
        if want != got:
            problems.append(f"{kind}: evalmon {got}, truth {want}")
    if measured["lines"] != truth.lines:
        problems.append(f"lines: evalmon {measured['lines']}, truth {truth.lines}")
    if grep_count != truth.grep_lines:
        problems.append(f"grep lines: grep {grep_count}, truth {truth.grep_lines}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="log size in MiB (default 1024)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=DATA, help="where the log is cached")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each side N times, keep the best"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0
    if args.size_mb < 1:
        parser.error("--size-mb must be at least 1")

    log, truth = cached_log(args.size_mb, args.seed, args.data_dir)
    size = log.stat().st_size
    warm(log)
    # Alternate the contenders so that a busy machine slows both alike.
    grep_runs, evalmon_runs, literal_runs = [], [], []
    for _ in range(args.repeat):
        grep_runs.append(run_grep(log))
        evalmon_runs.append(run_evalmon(log))
        literal_runs.append(run_grep(log, b"BATCHING DEBUG"))
    grep_count, grep_s = min(grep_runs, key=lambda r: r[1])
    literal_s = min(r[1] for r in literal_runs)
    measured = min(evalmon_runs, key=lambda r: r["seconds"])
    peak = max(r["peak_rss_mb"] for r in evalmon_runs)

    grep_mbs = size / MB / grep_s
    evalmon_mbs = size / MB / measured["seconds"]
    ratio = evalmon_mbs / grep_mbs
    events = measured["events"]
    rows = [
        ("log", f"{log.name}  ({size / MB:,.0f} MiB, {truth.lines:,} lines)"),
        ("grep -cE (LC_ALL=C)", f"{grep_s:7.2f} s  {grep_mbs:8,.0f} MB/s   {grep_count:,} lines"),
        (
            "evalmon scan_file",
            f"{measured['seconds']:7.2f} s  {evalmon_mbs:8,.0f} MB/s   {events:,} events",
        ),
        (
            "  with startup",
            f"{measured['wall_s']:7.2f} s  {size / MB / measured['wall_s']:8,.0f} MB/s",
        ),
        ("ratio evalmon/grep", f"{ratio:.2f}x   (target >= 0.50x)"),
        (
            "for scale: grep -cF",
            f"{literal_s:7.2f} s  {size / MB / literal_s:8,.0f} MB/s   "
            "(one literal: 'BATCHING DEBUG')",
        ),
        ("evalmon peak RSS", f"{peak:.0f} MB   (target < 150 MB)"),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    print("\n  counts (evalmon = truth):")
    for kind in sorted(truth.events):
        print(f"    {kind:<28} {measured['counts'].get(kind, 0):>9,}  {truth.events[kind]:>9,}")
    untracked = sorted(set(measured["counts"]) - set(truth.events))
    if untracked:  # events the generator does not keep a truth of (e.g. a task's start)
        print("  also read: " + ", ".join(f"{k} {measured['counts'][k]:,}" for k in untracked))
    problems = check_counts(truth, measured, grep_count)
    if args.json:
        print(
            json.dumps(
                {
                    "bytes": size,
                    "grep_s": grep_s,
                    "evalmon_s": measured["seconds"],
                    "evalmon_wall_s": measured["wall_s"],
                    "grep_literal_s": literal_s,
                    "ratio": ratio,
                    "peak_rss_mb": peak,
                    "problems": problems,
                }
            )
        )
    if problems:
        print("\nCOUNT MISMATCH:\n  " + "\n  ".join(problems))
        return 1
    print("\n  all counts equal the truth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
