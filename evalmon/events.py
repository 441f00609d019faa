"""The one vocabulary of evalmon: small frozen dataclasses.

Parsers turn log text into these events; sources turn samplers (NVML, psutil, SLURM)
into them; the state reducer consumes them; the supervisor reacts to a few of them.
Nothing here does I/O. Every event is hashable and cheap to create.

Events that come from a log line travel wrapped in :class:`Located`, which adds the
1-based line number within its file (the file itself is known to whoever fed it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------------- client side


@dataclass(frozen=True, slots=True)
class Progress:
    """One tqdm update (the last of a burst of ``\\r`` updates is enough).

    ``rate`` is always in ``unit`` per second: a ``2.00s/it`` bar is stored as 0.5 it/s.
    ``n`` and ``total`` are floats because ``unit_scale`` bars print ``12.3M/45.6M``.
    """

    desc: str
    n: float
    total: float | None
    unit: str = "it"
    rate: float | None = None
    elapsed_s: float | None = None
    remaining_s: float | None = None
    postfix: str = ""


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What an lm-eval client was asked to do.

    Comes from ``Initializing local-completions model, with arguments: {...}`` and from the
    closing summary line; either may be missing, so every field is optional and later
    sources only fill what earlier ones left empty (see the state reducer).
    """

    model_type: str | None = None  # "local-completions", "hf", "vllm" ...
    model: str | None = None
    batch_size: str | None = None  # "16", "auto", "auto:4"
    num_concurrent: int | None = None
    tokenized_requests: bool | None = None
    base_url: str | None = None
    max_retries: int | None = None
    limit: str | None = None
    #: what lm-eval detected for ``batch_size: auto``: the summary's ``auto (16)`` or
    #: ``auto:4 (64,32)`` gives "16" or "64,32"
    batch_sizes: str | None = None
    source: str = ""  # "init" | "summary"


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One metric row of lm-eval's markdown results table."""

    task: str
    metric: str
    value: float | None
    stderr: float | None = None
    version: str = ""
    filter: str = ""
    n_shot: str = ""
    higher_is_better: str = ""  # "↑", "↓" or ""


@dataclass(frozen=True, slots=True)
class ResultsTableStart:
    """The header row of an lm-eval results table: ``|Tasks|...`` or ``|Groups|...``.

    lm-eval prints the groups' rows a second time in a table of their own after the tasks'
    table: rows under a ``groups`` header repeat what was already counted.
    """

    kind: Literal["tasks", "groups"]


@dataclass(frozen=True, slots=True)
class LmEvalTask:
    """A task lm-eval is about to run, from its own log lines.

    ``what="contexts"``: ``Building contexts for T on rank R...``; the unlabelled bar right
    after it counts T's documents (after ``--limit``). ``what="generate_until"``:
    ``T: Using gen_kwargs: {...}``, which lm-eval logs for every generation task.
    """

    task: str
    what: Literal["contexts", "generate_until"]
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class ApiRetrying:
    """A client warning that ends ``. Retrying...``: lm-eval is about to send a failed
    request again (its ``num_concurrent=1`` path logs no ``Retry attempt N``)."""


@dataclass(frozen=True, slots=True)
class ApiFailure:
    """``API request failed ... Status code: 500`` (or an exception text) on the client."""

    status: int | None
    message: str


@dataclass(frozen=True, slots=True)
class RetryAttempt:
    attempt: int


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """``Cached requests: X, Requests remaining: Y`` from lm-eval's ``--use_cache``."""

    cached: int
    remaining: int


@dataclass(frozen=True, slots=True)
class AutoBatchSize:
    """lm-eval's automatic batch-size search: started (size None) or determined."""

    batch_size: int | None
    message: str = ""


@dataclass(frozen=True, slots=True)
class LmEvalStage:
    """``Running loglikelihood requests`` / ``Running generate_until requests``."""

    request_type: str


@dataclass(frozen=True, slots=True)
class PythonException:
    """The last line of a Python traceback, e.g. ``requests.exceptions.HTTPError: 500 ...``."""

    type: str
    message: str


# --------------------------------------------------------------------------- server side


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Engine limits printed by the server at start (Megatron's argument dump, vLLM args)."""

    max_batch_size: int | None = None
    max_requests: int | None = None


@dataclass(frozen=True, slots=True)
class ServerException:
    """Flask's ``ERROR in app: Exception on /completions [POST]``."""

    method: str
    path: str
    when: str = ""


#: how many of the latest engine calls a :class:`ServerTraffic` keeps in order
RECENT_ENGINE_CALLS = 2000


def _add_counts(
    a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    if not a or not b:
        return a or b
    counts = dict(a)
    for key, count in b:
        counts[key] = counts.get(key, 0) + count
    return tuple(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class ServerTraffic:
    """The routine lines of a server log in one read, summed up: their one representation.

    A busy server writes an engine line and an access line per request, thousands a
    second. One event per line would make a scan of a gigabyte log slow and its memory
    grow with the log, so the parser counts them in bulk over each read, whatever its
    size, and hands on one of these per read (placed at the read's last line):

    * ``engine_calls``: ``(prompts, calls)`` of Megatron's engine calls
      (``[BATCHING DEBUG] run_mcore_engine called with N prompts``), ascending prompts;
    * ``engine_recent``: the prompt counts of the last :data:`RECENT_ENGINE_CALLS` of them,
      in file order (the dashboard's engine chart);
    * ``http_statuses``: ``(status, count)`` of access-log lines, ascending status.

    The same bytes cut into reads differently give ServerTraffic that :meth:`merged` into
    the same totals; the state keeps exactly that merge, so its memory stays bounded.
    """

    engine_calls: tuple[tuple[int, int], ...] = ()
    engine_recent: tuple[int, ...] = ()
    http_statuses: tuple[tuple[int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.engine_calls or self.http_statuses)

    def merged(self, later: ServerTraffic) -> ServerTraffic:
        """This read's traffic followed by ``later``'s."""
        return ServerTraffic(
            _add_counts(self.engine_calls, later.engine_calls),
            (self.engine_recent + later.engine_recent)[-RECENT_ENGINE_CALLS:],
            _add_counts(self.http_statuses, later.http_statuses),
        )


@dataclass(frozen=True, slots=True)
class EngineStats:
    """vLLM's periodic engine statistics line (V0 ``metrics.py``, V1 ``loggers.py``).

    Fields are read by name: any the line does not print are None (versions differ, and
    V1 prints ``Preemptions``, ``Deferred``, ``External prefix cache hit rate`` and
    ``MM cache hit rate`` only when they have something to say). Rates are per second over
    vLLM's logging interval; percentages are 0..100 as printed.
    """

    prompt_tokens_per_s: float | None = None
    generation_tokens_per_s: float | None = None
    running: int | None = None
    waiting: int | None = None  # V0 "Pending", V1 "Waiting" (which counts "Deferred" too)
    swapped: int | None = None  # V0 only
    # "GPU KV cache usage"; on a V1 line that prints only "CPU KV cache usage" (the CPU
    # backend, whose KV cache lives in host memory) that one
    kv_cache_usage_pct: float | None = None
    prefix_cache_hit_pct: float | None = None
    cpu_kv_cache_usage_pct: float | None = None  # V0: its CPU swap space, beside the GPU cache
    external_prefix_cache_hit_pct: float | None = None  # KV-connector cache (LMCache, P/D)
    mm_cache_hit_pct: float | None = None  # multi-modal input cache
    preemptions: int | None = None  # V1: requests preempted since the previous line
    deferred: int | None = None  # V1: waiting requests the scheduler skipped (part of waiting)
    corrupted: int | None = None  # V1 with VLLM_COMPUTE_NANS_IN_LOGITS: requests with NaNs
    engine: int | None = None  # "Engine 001:" -> 1 (data-parallel engines log one line each)
    aggregated_engines: int | None = None  # "4 Engines Aggregated:" -> 4 (summed line)


@dataclass(frozen=True, slots=True)
class EnginePrefixCache:
    """vLLM V0's ``Prefix cache hit rate: GPU: x%, CPU: y%``, printed on a line of its own
    right after the statistics line when prefix caching is on."""

    gpu_hit_pct: float | None = None
    cpu_hit_pct: float | None = None


@dataclass(frozen=True, slots=True)
class SpecDecodeStats:
    """vLLM's speculative-decoding line, printed after the statistics line.

    V0 and early V1 (``Speculative metrics:``) print the acceptance rate as a fraction;
    it is stored as a percentage like V1's ``SpecDecoding metrics: ... 40.0%``. V0 counts
    are cumulative since start, V1's are over the logging interval.
    """

    acceptance_rate_pct: float | None = None  # accepted / drafted tokens
    mean_acceptance_length: float | None = None  # tokens emitted per verification step
    accepted_tokens: int | None = None
    drafted_tokens: int | None = None
    accepted_tokens_per_s: float | None = None
    drafted_tokens_per_s: float | None = None
    per_position_acceptance: tuple[float, ...] = ()  # fractions, draft position 0, 1, ...
    system_efficiency: float | None = None  # V0 only, a fraction
    emitted_tokens: int | None = None  # V0 only
    num_speculative_tokens: int | None = None  # V0 only: the draft length k


@dataclass(frozen=True, slots=True)
class EnginePreemption:
    """vLLM V0's warning that the KV cache ran out and a request was preempted.

    vLLM prints it for the 1st, 51st, 101st... preemption only, so the number of these
    warnings undercounts; ``cumulative`` (``total_num_cumulative_preemption=N``, absent in
    the oldest versions) is the exact count since start. V1 reports preemptions in its
    statistics line instead (:attr:`EngineStats.preemptions`).
    """

    mode: str  # "RECOMPUTE" | "SWAP"
    request_id: str = ""
    cumulative: int | None = None


@dataclass(frozen=True, slots=True)
class SglangBatch:
    """SGLang's scheduler lines ``Prefill batch`` / ``Decode batch`` (``.`` or ``,`` forms).

    Fields are read by name and are None when the line does not print them.
    ``token_usage`` is the KV pool's used fraction (0..1) as SGLang prints it (hybrid
    models: the full-attention pool's). ``tokens`` is ``#token`` (``#full token``), the
    KV pool tokens in use. ``cache_hit_pct`` is the old prefill lines' ``cache hit rate``;
    newer ones print ``#cached-token`` only.
    """

    phase: Literal["prefill", "decode"]
    running_reqs: int | None = None
    queue_reqs: int | None = None
    new_seqs: int | None = None
    new_tokens: int | None = None
    token_usage: float | None = None
    generation_tokens_per_s: float | None = None
    tokens: int | None = None
    cached_tokens: int | None = None
    cache_hit_pct: float | None = None
    input_tokens_per_s: float | None = None  # prefill lines of newer versions
    pending_tokens: int | None = None
    graph: bool | None = None  # "cuda graph: True" (or npu/cpu graph): decode ran a graph
    spec_accept_length: float | None = None  # speculative decoding: tokens per step
    spec_accept_rate: float | None = None  # speculative decoding: fraction of drafts kept
    prealloc_reqs: int | None = None  # disaggregated prefill/decode queues
    inflight_reqs: int | None = None
    transfer_reqs: int | None = None
    retracted_reqs: int | None = None
    dp_rank: int | None = None  # from the ``[... DP1 TP1]`` prefix: each rank logs its own
    tp_rank: int | None = None


@dataclass(frozen=True, slots=True)
class TgiRequest:
    """A request text-generation-inference's router served: its ``Success`` line.

    ``route`` is the span that timed it (``generate``, ``generate_stream``,
    ``chat_completions``, ``completions`` ...); times are in seconds, from the span's
    ``total_time``/``validation_time``/``queue_time``/``inference_time``/
    ``time_per_token`` fields.
    """

    route: str
    total_s: float | None = None
    validation_s: float | None = None
    queue_s: float | None = None
    inference_s: float | None = None
    time_per_token_s: float | None = None
    when: str = ""  # the line's timestamp as printed


@dataclass(frozen=True, slots=True)
class TgiError:
    """A request TGI's router failed, from its ERROR line.

    ``kind``: ``"generation"`` (``Request failed during generation: ...``, e.g. a shard's
    CUDA OOM), ``"validation"`` (the request broke a limit, e.g. ``max_new_tokens``),
    ``"overloaded"`` (``--max-concurrent-requests`` reached), ``"incomplete"`` or
    ``"other"``.
    """

    kind: str
    message: str
    route: str = ""  # the outermost span: the endpoint called (generate_stream, ...)
    when: str = ""


@dataclass(frozen=True, slots=True)
class TgiConfig:
    """TGI's token and request budgets: from the launcher's ``Args { ... }`` dump and the
    warm-up's ``Setting max batch total tokens to N`` (which may differ from the args: it
    is what the KV cache actually holds). None where the line does not say."""

    max_concurrent_requests: int | None = None
    max_batch_prefill_tokens: int | None = None
    max_batch_total_tokens: int | None = None
    max_batch_size: int | None = None
    max_input_tokens: int | None = None
    max_total_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ServerStarted:
    """An inference server says it serves: vLLM's ``Starting vLLM ... server on URL``,
    TGI's ``Connected``."""

    server: str  # "vllm" | "tgi" | "uvicorn" (SGLang and other FastAPI servers)
    address: str = ""
    when: str = ""


@dataclass(frozen=True, slots=True)
class ServerShutdown:
    """An inference server stops: ``crashed`` when the log says it crashed (TGI's
    ``Webserver Crashed`` / ``Shard N crashed``), else an orderly or unexplained stop."""

    server: str  # "vllm" | "tgi" | "uvicorn" (SGLang and other FastAPI servers)
    crashed: bool = False
    message: str = ""
    when: str = ""


# --------------------------------------------------------------------------- failures

OomKind = Literal["gpu", "host"]


Buckets = tuple[tuple[float, float], ...]  # cumulative histogram: (upper bound "le", count)


@dataclass(frozen=True, slots=True)
class MetricsScrape:
    """One scrape of an inference server's Prometheus ``/metrics``, reduced to what evalmon
    shows (the exact source beside the log's stats lines: vLLM ``vllm:``, SGLang
    ``sglang:``, TGI ``tgi_``).

    Gauges are as read; counters and histograms are cumulative since the server started,
    so rates and latency percentiles come from two scrapes (the state keeps the previous
    one). A failed scrape has ``error`` set ("metrics unreachable: connection refused") and
    every figure None. ``at`` is the scrape's monotonic time in seconds.
    """

    url: str
    at: float
    kind: Literal["vllm", "sglang", "tgi", "unknown"] = "unknown"
    error: str = ""
    running: float | None = None
    waiting: float | None = None
    kv_cache_usage: float | None = None  # fraction 0..1 (SGLang's token usage too)
    prompt_tokens_total: float | None = None  # counters
    generation_tokens_total: float | None = None
    preemptions_total: float | None = None
    prefix_cache_queries_total: float | None = None
    prefix_cache_hits_total: float | None = None
    requests_total: tuple[tuple[str, float], ...] = ()  # (finished reason or status, count)
    ttft_s: Buckets = ()  # time to first token
    itl_s: Buckets = ()  # inter-token latency (time per output token)
    e2e_s: Buckets = ()  # end-to-end request latency
    # ``http_requests_total`` by its ``status`` label ("2xx", "4xx", "5xx"), ascending
    http_statuses: tuple[tuple[str, float], ...] = ()
    # found without being asked: the ``ServerStarted.address`` (as the log printed it) this
    # endpoint was derived from, e.g. "http://0.0.0.0:8000" for http://127.0.0.1:8000/metrics
    discovered_from: str = ""


@dataclass(frozen=True, slots=True)
class OutOfMemory:
    """An out-of-memory failure read from a log.

    ``fatal``: the process cannot continue (an automatic batch search that recovers is not).
    ``batch_helps``: a smaller batch size can plausibly avoid it (an OOM while loading the
    weights, or a host OOM but vLLM's CPU swap space for preempted sequences, cannot be cured
    that way).
    ``signal_only``: the log names a SIGKILL and no memory (bash's ``Killed``, a launcher's
    exit code -9), which is read as the kernel's OOM killer, its usual sender; the supervisor
    checks it against the job's memory cgroup (see evalmon.supervisor.cgroup).
    """

    kind: OomKind
    origin: str  # "pytorch", "cublas", "cudnn", "nccl", "hip", "xla", "vllm-kv", "slurm", "kernel"
    message: str
    fatal: bool = True
    batch_helps: bool = True
    bytes_tried: int | None = None
    gpu_index: int | None = None
    capacity_bytes: int | None = None
    free_bytes: int | None = None
    rank: int | None = None
    signal_only: bool = False


@dataclass(frozen=True, slots=True)
class JobSignal:
    """SLURM's own messages in a job log: cancellation, time limit, preemption, srun errors."""

    kind: Literal["cancelled", "time_limit", "preempted", "requeued", "node_fail", "srun_error"]
    job_id: str | None = None
    host: str | None = None
    when: str | None = None
    message: str = ""


# --------------------------------------------------------------------------- samplers


@dataclass(frozen=True, slots=True)
class GpuProcess:
    pid: int
    used_bytes: int | None
    name: str = ""


@dataclass(frozen=True, slots=True)
class GpuSample:
    """One device at one instant (NVML, or a ``gpu-<host>.jsonl`` line written by gpu-log)."""

    host: str
    index: int
    name: str
    memory_used: int | None
    memory_total: int | None
    utilization_pct: float | None = None
    temperature_c: float | None = None
    power_w: float | None = None
    power_limit_w: float | None = None
    timestamp: float = 0.0
    processes: tuple[GpuProcess, ...] = ()
    simulated: bool = False
    uuid: str = ""
    #: where the figures came from: "nvml" (this host), "gpu-log <file name>" (set by the
    #: state for a sample read from a file), or the exporter and its URL ("dcgm
    #: http://node7:9400/metrics", "nvitop-exporter ..."); "" when not known
    source: str = ""


@dataclass(frozen=True, slots=True)
class GpuUnavailable:
    """Why there is no GPU data on this host: shown in the GPU panel, never an error."""

    host: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProcSample:
    pid: int
    ppid: int
    name: str
    cmdline: str
    cpu_pct: float
    rss_bytes: int
    status: str
    started_at: float
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class AttemptCut:
    """The lines after this one belong to a later ``evalmon run`` attempt (the file was cut at
    its launch): an OOM after it is a failure of its own, never a repeat of one before."""


@dataclass(frozen=True, slots=True)
class JobState:
    """A job's state as its launcher sees it (local process or SLURM)."""

    job_id: str
    state: str  # "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", ...
    reason: str = ""
    exit_code: int | None = None
    node: str = ""
    #: evalmon run's local launcher: did the job's memory cgroup count an OOM kill while it
    #: ran (None: not known)? A SIGKILL its log names with no memory word is no OOM if not.
    oom_killed: bool | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """Advice or a warning derived by the state, with its reason."""

    level: Literal["info", "warning", "error"]
    kind: str  # "stall", "engine_cap", "concurrency_lock", "gpu_headroom", "oom_risk", ...
    message: str
    #: the concrete change it names, if a relaunch can make it: (("batch_size", 64),) or
    #: (("num_concurrent", 1),); the dashboard offers it as one action (a live retune)
    change: tuple[tuple[str, int], ...] = ()


Event = (
    Progress
    | RunConfig
    | ResultRow
    | ResultsTableStart
    | LmEvalTask
    | ApiFailure
    | ApiRetrying
    | RetryAttempt
    | CacheStatus
    | AutoBatchSize
    | LmEvalStage
    | PythonException
    | EngineConfig
    | ServerException
    | ServerTraffic
    | EngineStats
    | SglangBatch
    | EnginePrefixCache
    | SpecDecodeStats
    | EnginePreemption
    | TgiRequest
    | TgiError
    | TgiConfig
    | ServerStarted
    | ServerShutdown
    | MetricsScrape
    | OutOfMemory
    | JobSignal
    | AttemptCut
    | GpuSample
    | GpuUnavailable
)


@dataclass(frozen=True, slots=True)
class Located:
    """An event and the 1-based line of its file where it was read."""

    line: int
    event: Event = field(compare=True)


@dataclass(slots=True)
class FileBatch:
    """What a follower hands on for one file: the events parsed from newly read bytes.

    An envelope, built once and never changed after it is handed on. Not frozen: a live
    follower builds hundreds a second, and a frozen dataclass of nine fields costs three
    times as much to build (each field goes through ``object.__setattr__``).

    Tail-first reading (a 10 GB log shows its recent state at once, its history later):
    the follower first parses the file's tail with line numbers counted from the tail's
    start (``relative_lines=True``), then scans the history in the background and delivers
    it with ``history=True`` (events OLDER than anything delivered before for this path).
    When the history is done it sends a batch with ``line_shift=N``: N lines preceded the
    tail, so every relative line number delivered so far for this path must grow by N.
    """

    path: str
    events: tuple[Located, ...] = ()
    history: bool = False
    relative_lines: bool = False
    line_shift: int = 0
    truncated: bool = False  # the file was truncated or replaced; these events follow that
    scanned_bytes: int = 0  # how far the (history) scan of this file has got
    size_bytes: int = 0
    warning: str = ""  # e.g. "binary file skipped", "permission denied"
