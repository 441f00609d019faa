"""Immutable views of the state: what widgets and the report read.

A :class:`Snapshot` is built by :meth:`evalmon.state.EvalState.snapshot` a few times a
second; nothing in it is shared with the reducer, so a widget may keep it as long as it
likes and read it from any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evalmon.events import (
    Alert,
    CacheStatus,
    GpuSample,
    GpuUnavailable,
    JobSignal,
    OutOfMemory,
    ProcSample,
    PythonException,
    ResultRow,
    RunConfig,
)

#: What a progress bar counts, which decides how its count turns into samples.
BarCounts = str  # "requests" | "batches" | "items"


@dataclass(frozen=True, slots=True)
class BarView:
    """The latest state of one progress bar, with samples derived from it."""

    file: str
    desc: str
    n: float
    total: float | None
    unit: str
    rate: float | None  # the bar's own rate, in unit/s
    elapsed_s: float | None
    remaining_s: float | None
    postfix: str
    counts: BarCounts  # "batches" when lm-eval's Requesting API bar counts batches
    samples_per_unit: float  # 1, or the batch size when the bar counts batches
    samples_done: float | None  # None for bars that do not count requests
    samples_per_s: float | None
    is_request_bar: bool
    finished: bool
    #: best estimate of the bar's run time (tqdm truncates its printed elapsed time)
    seconds: float | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.n / self.total)


@dataclass(frozen=True, slots=True)
class OomRecord:
    file: str
    line: int
    event: OutOfMemory


@dataclass(frozen=True, slots=True)
class OomFailure:
    """One out-of-memory failure and every record that reports it.

    A failure is often read several times: each rank of a tensor-parallel job reports it (on
    its own GPU, with its own free memory), and a server reports it again for every retried
    request. Records of one file that agree on what failed (kind, origin, bytes tried, fatal,
    curable by a smaller batch) are one failure, whatever their rank or GPU. The dashboard and
    the report count failures, not records.
    """

    records: tuple[OomRecord, ...]  # in reading order, never empty

    @property
    def first(self) -> OomRecord:
        return self.records[0]

    @property
    def event(self) -> OutOfMemory:
        return self.records[0].event

    @property
    def fatal(self) -> bool:
        return self.records[0].event.fatal

    @property
    def gpus(self) -> tuple[int, ...]:
        """The GPU indices the records name, ascending."""
        return tuple(sorted({i for r in self.records if (i := r.event.gpu_index) is not None}))

    @property
    def ranks(self) -> tuple[int, ...]:
        return tuple(sorted({i for r in self.records if (i := r.event.rank) is not None}))


def oom_failures(records: tuple[OomRecord, ...]) -> tuple[OomFailure, ...]:
    """``records`` grouped into failures (see :class:`OomFailure`), in order of first report."""
    groups: dict[tuple[object, ...], list[OomRecord]] = {}
    for rec in records:
        e = rec.event
        key = (rec.file, e.kind, e.origin, e.bytes_tried, e.fatal, e.batch_helps)
        groups.setdefault(key, []).append(rec)
    return tuple(OomFailure(tuple(group)) for group in groups.values())


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    file: str
    line: int
    event: PythonException


@dataclass(frozen=True, slots=True)
class SignalRecord:
    file: str
    line: int
    event: JobSignal


@dataclass(frozen=True, slots=True)
class EngineBatchStats:
    count: int
    min: int | None
    median: float | None
    max: int | None
    #: engine calls that reached the client's batch size (None when that size is unknown)
    at_client_batch: int | None
    #: size -> number of engine calls, ascending by size
    histogram: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FigureView:
    """One figure over a server's samples: the latest, the highest and the lowest."""

    last: float | None = None
    max: float | None = None
    min: float | None = None


NO_FIGURE = FigureView()


@dataclass(frozen=True, slots=True)
class EnginePoint:
    """One point of the engine chart: ``samples`` consecutive samples (stats lines or scrapes)
    folded into one, so that the chart stays bounded however long the log. Gauges keep the
    highest value of the bucket (a queue's peak is what matters), throughput its mean."""

    samples: int
    running: float | None = None
    waiting: float | None = None
    kv_cache_usage: float | None = None  # fraction 0..1
    gen_tokens_per_s: float | None = None


@dataclass(frozen=True, slots=True)
class Percentiles:
    p50: float | None = None
    p99: float | None = None
    count: int = 0  # observations behind them


@dataclass(frozen=True, slots=True)
class EngineFigures:
    """What one source (the server's log, or its ``/metrics``) says about the engine.

    Units are in the names: ``kv_cache_usage`` and the hit and acceptance rates are fractions
    0..1, throughputs tokens per second, latencies seconds. ``samples`` counts what the figures
    summarise: statistics lines (vLLM, SGLang), served requests (TGI), engine calls
    (Megatron) or successful scrapes (``/metrics``).
    """

    source: str  # "log" | "metrics"
    samples: int
    #: requests running; an SGLang prefill line's #running-req plus its #new-seq (the
    #: sequences it adds to the running batch)
    running: FigureView = NO_FIGURE
    waiting: FigureView = NO_FIGURE  # vLLM V1 "Waiting" (deferred included), V0 "Pending"
    swapped: FigureView = NO_FIGURE  # vLLM V0
    kv_cache_usage: FigureView = NO_FIGURE  # GPU KV cache (vLLM), token usage (SGLang)
    gen_tokens_per_s: FigureView = NO_FIGURE
    prompt_tokens_per_s: FigureView = NO_FIGURE
    prefix_cache_hit_rate: FigureView = NO_FIGURE
    spec_acceptance_rate: FigureView = NO_FIGURE  # speculative decoding: drafts accepted
    spec_acceptance_length: FigureView = NO_FIGURE  # tokens emitted per verification step
    tokens_in_use: FigureView = NO_FIGURE  # SGLang #token: KV pool tokens in use
    #: vLLM preemptions (V1 per-interval counts summed; V0 warnings' cumulative counter)
    preemptions: int | None = None
    #: True when ``preemptions`` is a lower bound: V0 warns only every 50th preemption
    preemptions_at_least: bool = False
    #: "ttft", "itl", "e2e" (and TGI's "queue", "inference") -> p50/p99 in seconds
    latency_s: tuple[tuple[str, Percentiles], ...] = ()
    latency_window: str = ""  # what the percentiles cover, e.g. "the last 4,096 requests"
    series: tuple[EnginePoint, ...] = ()
    #: the waiting queue at the last few samples, oldest first (is it growing?)
    recent_waiting: tuple[float, ...] = ()
    #: samples with the KV cache at least 95% full while requests waited
    kv_full_with_queue: int = 0
    requests: int | None = None  # TGI: requests served (Success lines)
    #: TGI: failed requests by kind; a CUDA OOM is counted once, as "oom"
    errors: tuple[tuple[str, int], ...] = ()

    def latency(self, name: str) -> Percentiles | None:
        return next((p for n, p in self.latency_s if n == name), None)


@dataclass(frozen=True, slots=True)
class ServerView:
    """The inference server of a run: its kind, its status and its engine figures.

    ``log`` holds what the server's log says, ``metrics`` what its ``/metrics`` says; each
    figure names its source. :attr:`figures` is the source the report's ``server`` block
    uses: ``/metrics`` when it was scraped successfully (exact counters), else the log.
    """

    kind: str  # "vllm" | "sglang" | "tgi" | "megatron" | "unknown"
    status: str  # "serving" | "idle" | "stopped" | "crashed" | "oom" | "unreachable"
    status_reason: str
    log: EngineFigures | None = None
    metrics: EngineFigures | None = None
    metrics_url: str = ""
    metrics_error: str = ""  # the last scrape's error ("metrics unreachable: ...") if it failed
    address: str = ""  # where the server said it listens
    #: the engine's concurrency limit: vLLM max_num_seqs, SGLang max_running_requests,
    #: Megatron --inference-max-batch-size / --inference-max-requests
    engine_limit: int | None = None
    tgi_max_concurrent_requests: int | None = None

    @property
    def figures(self) -> EngineFigures | None:
        if self.metrics is not None and self.metrics.samples:
            return self.metrics
        return self.log


@dataclass(frozen=True, slots=True)
class RunView:
    """Everything known about one run (the files of one job)."""

    id: str
    files: tuple[str, ...]
    #: the client's: "running" | "finished" | "failed" | "oom" | "cancelled" | "timeout";
    #: a run with no client log has its server's (see :class:`ServerView`)
    status: str
    status_reason: str
    config: RunConfig
    engine_max_batch: int | None
    bars: tuple[BarView, ...]
    samples_per_s: float | None  # exact, from the bars' own counts and elapsed times
    samples_done: float | None
    eta_s: float | None
    #: (run time in seconds, windowed samples/s) points, from the bars' elapsed times
    throughput_series: tuple[tuple[float, float], ...]
    engine_batches: EngineBatchStats
    #: the most recent engine batch sizes, oldest first (bounded)
    engine_series: tuple[int, ...]
    http: dict[int, int]
    ooms: tuple[OomRecord, ...]
    exceptions: tuple[ExceptionRecord, ...]
    signals: tuple[SignalRecord, ...]
    api_failures: int
    retries: int
    server_exceptions: int
    cache: tuple[CacheStatus, ...]
    results: tuple[ResultRow, ...]
    alerts: tuple[Alert, ...]
    #: monotonic time (the reducer's clock argument) of the last progress change, if any
    last_progress_at: float | None
    lines: int  # lines read over all files of the run
    #: the server's kind ("vllm", "sglang", "tgi", "megatron", "unknown"), or "client" for a
    #: run with no server file
    kind: str = "client"
    #: the inference server, when the run has a server log or a /metrics endpoint
    server: ServerView | None = None
    #: an eval client wrote some of the run's files (False: a server log or /metrics alone)
    client: bool = True

    @property
    def batch_size(self) -> int | None:
        return parse_int(self.config.batch_size)

    @property
    def oom_failures(self) -> tuple[OomFailure, ...]:
        """The run's OOM records grouped into failures: what "N OOMs" counts everywhere."""
        return oom_failures(self.ooms)

    def time_for(self, samples: int) -> float | None:
        """Seconds needed for ``samples`` samples at this run's samples/s."""
        if not self.samples_per_s:
            return None
        return samples / self.samples_per_s


@dataclass(frozen=True, slots=True)
class GpuView:
    host: str
    index: int
    latest: GpuSample
    #: (timestamp, memory used bytes) oldest first, bounded
    memory_history: tuple[tuple[float, int], ...]
    peak_memory_used: int | None


@dataclass(frozen=True, slots=True)
class ScanProgress:
    path: str
    scanned_bytes: int
    size_bytes: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.size_bytes <= 0 else min(1.0, self.scanned_bytes / self.size_bytes)


@dataclass(frozen=True, slots=True)
class Snapshot:
    runs: tuple[RunView, ...]
    gpus: tuple[GpuView, ...]
    gpu_unavailable: tuple[GpuUnavailable, ...]
    processes: tuple[ProcSample, ...]
    scanning: tuple[ScanProgress, ...]  # files whose history is still being scanned
    warnings: tuple[str, ...]  # e.g. "binary file skipped: logs/core.bin"
    generated_at: float = 0.0
    alerts: tuple[Alert, ...] = field(default=())  # not tied to one run (e.g. "no GPU")

    def run(self, run_id: str) -> RunView | None:
        return next((r for r in self.runs if r.id == run_id), None)


def parse_int(text: str | None) -> int | None:
    """``"16"`` -> 16; ``"auto"``, ``"auto:4"``, None -> None."""
    if text is None:
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        return None
