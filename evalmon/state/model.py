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

#: What a progress bar counts, which decides how its count turns into requests.
BarCounts = str  # "requests" | "batches" | "items"


@dataclass(frozen=True, slots=True)
class BarView:
    """The latest state of one progress bar, with the requests derived from it.

    The ``samples_*`` fields count REQUESTS sent to the model (lm-eval's bars count requests,
    or batches of them); :attr:`requests_done` and :attr:`requests_per_s` say so by name.
    ``rate_per_s`` is the one rate shown for the bar: requests/s for a request bar, else the
    bar's own unit per second, both averaged over the bar's whole run time.
    """

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
    #: the lm-eval request type a request bar serves ("loglikelihood", "generate_until", ...)
    request_type: str | None = None
    #: the bar's one rate: requests/s (request bars) or its own unit/s (others)
    rate_per_s: float | None = None
    #: time left at ``rate_per_s`` (None when finished or unknown)
    eta_s: float | None = None
    #: too little of the bar has passed for its rate and time left to be more than a guess
    early: bool = False
    #: the task whose documents the bar counts (lm-eval's unlabelled contexts bar)
    task: str | None = None

    @property
    def label(self) -> str:
        """What the bar is, for a person: its description, or what an unlabelled one counts."""
        if self.desc:
            return self.desc
        return f"docs: {self.task}" if self.task else "(unnamed bar)"

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.n / self.total)

    @property
    def requests_done(self) -> float | None:
        return self.samples_done

    @property
    def requests_per_s(self) -> float | None:
        return self.samples_per_s

    @property
    def rate_unit(self) -> str:
        """What ``rate_per_s`` counts per second: "req" for a request bar, else the bar's unit."""
        return "req" if self.is_request_bar else (self.unit or "it")


@dataclass(frozen=True, slots=True)
class WorkRate:
    """One request type of a run: its requests and documents, and how fast they were served.

    lm-eval runs all requests of a type together, whatever task they come from, so a rate is
    per type and names the tasks it covers. ``docs_*`` are the documents the requests stand
    for (the type's documents over its requests: 4 requests per hellaswag document); None
    when lm-eval did not say. Cached requests (``--use_cache``) are never counted as served.
    """

    request_type: str | None  # None: a client that does not say (not lm-eval)
    tasks: tuple[str, ...] | None
    requests_total: int | None  # the type's requests in all, cached ones included
    requests_cached: int | None
    requests_done: float | None  # served by the model
    docs_total: int | None
    docs_done: float | None
    seconds: float | None
    requests_per_s: float | None
    docs_per_s: float | None
    finished: bool  # every request bar of the type completed
    early: bool  # the rate rests on a bar too young to say much


@dataclass(frozen=True, slots=True)
class TaskView:
    """One lm-eval task: its request type and documents (after ``--limit``)."""

    task: str
    request_type: str | None
    docs: int | None


@dataclass(frozen=True, slots=True)
class OomRecord:
    file: str
    line: int
    event: OutOfMemory
    #: which ``evalmon run`` attempt's bytes of the file (0 until the file's first cut)
    segment: int = 0


@dataclass(frozen=True, slots=True)
class OomFailure:
    """One out-of-memory failure and every record that reports it.

    A failure is often read several times: each rank of a tensor-parallel job reports it (on
    its own GPU, with its own free memory), and a server reports it again for every retried
    request. Records of one file that agree on what failed (kind, origin, bytes tried, fatal,
    curable by a smaller batch) and to one ``evalmon run`` attempt are one failure, whatever
    their rank or GPU. The dashboard and the report count failures, not records.
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
        key = (rec.file, rec.segment, e.kind, e.origin, e.bytes_tried, e.fatal, e.batch_helps)
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
    uses: ``/metrics`` once a scrape succeeded (exact gauges; rates and latencies need two
    scrapes), else the log.
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
    #: REQUESTS/s served (cached ones never count), exact, from the request bars' own counts
    #: and elapsed times (see :attr:`requests_per_s`, the same figure by its name)
    samples_per_s: float | None
    samples_done: float | None  # requests served
    eta_s: float | None
    #: (run time in seconds, windowed requests/s) points, from the bars' elapsed times
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
    # ------------------------------------------------------------------ the client's work
    #: documents/s: the requests served as the documents they stand for (None: unknown)
    docs_per_s: float | None = None
    docs_done: float | None = None
    #: per request type, in the order lm-eval ran them
    rates: tuple[WorkRate, ...] = ()
    tasks: tuple[TaskView, ...] = ()
    #: how much of the run's work is done (documents when lm-eval counted them, else the
    #: request bars' own counts); None: unknown
    done_fraction: float | None = None
    #: the run ended (failed, OOM, cancelled, timed out) before its work was done: its rates
    #: are those of what it finished
    partial: bool = False
    #: the run's rate and ETA rest on a bar too young to say much: estimates, shown as such
    early: bool = False

    @property
    def requests_per_s(self) -> float | None:
        return self.samples_per_s

    @property
    def requests_done(self) -> float | None:
        return self.samples_done

    @property
    def no_rate(self) -> str:
        """What to say when the run has no requests/s: "yet" only while it may still come."""
        if self.status in ("running", "waiting"):
            return "no requests/s yet"
        if not any(b.is_request_bar for b in self.bars):
            return "no request rate: no request bar in its log"
        return "no request rate: no request finished"

    @property
    def eta_early(self) -> bool:
        """The ETA (of the live request bar) is an early estimate."""
        live = [b for b in self.bars if b.is_request_bar and not b.finished and b.total]
        return bool(live) and max(live, key=lambda b: b.elapsed_s or 0.0).early

    @property
    def batch_size(self) -> int | None:
        """The client's batch size; for ``auto`` the last size lm-eval detected."""
        size = parse_int(self.config.batch_size)
        if size is None and self.config.batch_sizes:
            size = parse_int(self.config.batch_sizes.split(",")[-1])
        return size

    @property
    def oom_failures(self) -> tuple[OomFailure, ...]:
        """The run's OOM records grouped into failures: what "N OOMs" counts everywhere."""
        return oom_failures(self.ooms)

    @property
    def oom_outside_logs(self) -> bool:
        """Did the run die of memory by its launcher's word alone (evalmon run counted the
        kernel's OOM kill in the job's memory cgroup, SLURM said OUT_OF_MEMORY), with no OOM
        in its logs?"""
        return self.status == "oom" and not self.oom_failures

    @property
    def oom_count(self) -> int:
        """What "N OOMs" counts: the failures in the logs, or the one only the launcher saw."""
        return len(self.oom_failures) or int(self.status == "oom")

    def time_for(self, n: int, per: str = "requests") -> float | None:
        """Seconds needed for ``n`` requests (or documents, ``per="docs"``) at this run's rate.

        None for a run that died part way: its rate counts only the request types it reached
        (the demo's OOM'd attempt did the quick loglikelihood requests, never the slow
        generations), so a time for N at that rate would flatter it.
        """
        rate = self.docs_per_s if per == "docs" else self.samples_per_s
        if not rate or self.partial:
            return None
        return n / rate


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
