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
class EngineBatch:
    """One engine call: ``[BATCHING DEBUG] run_mcore_engine called with N prompts``."""

    prompts: int


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Engine limits printed by the server at start (Megatron's argument dump, vLLM args)."""

    max_batch_size: int | None = None
    max_requests: int | None = None


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An access-log line (werkzeug or uvicorn)."""

    method: str
    path: str
    status: int
    client: str = ""
    server: str = ""  # "werkzeug" | "uvicorn"
    when: str = ""  # the timestamp text as printed


@dataclass(frozen=True, slots=True)
class ServerException:
    """Flask's ``ERROR in app: Exception on /completions [POST]``."""

    method: str
    path: str
    when: str = ""


@dataclass(frozen=True, slots=True)
class ServerRequestStart:
    """Megatron's ``request IP: ...`` / ``start time: ...`` pair (either field may be empty)."""

    client: str = ""
    when: str = ""


@dataclass(frozen=True, slots=True)
class ServerTraffic:
    """The routine lines of a busy server in one small read, summarised in one event.

    A live server log writes an engine line, an access line and a request-start pair per
    request, thousands a second; one event per line would cost the follower more than
    ``tail -F`` spends. A follower's parser therefore folds the lines it recognises by
    their whole-line shape into this summary, which carries exactly what the state uses of
    them: engine call sizes in file order (:class:`EngineBatch` one by one), access-log
    statuses with their counts (:class:`HttpRequest`), and how many ``request IP`` /
    ``start time`` lines were seen (:class:`ServerRequestStart`). Its line is that of the
    last line it summarises. Large reads (reports, history scans) keep the per-line events.
    """

    engine_batches: tuple[int, ...] = ()
    http_statuses: tuple[tuple[int, int], ...] = ()  # (status, count), ascending status
    request_starts: int = 0


@dataclass(frozen=True, slots=True)
class EngineStats:
    """vLLM's periodic engine statistics (old and V1 formats)."""

    prompt_tokens_per_s: float | None = None
    generation_tokens_per_s: float | None = None
    running: int | None = None
    waiting: int | None = None
    swapped: int | None = None
    kv_cache_usage_pct: float | None = None
    prefix_cache_hit_pct: float | None = None


@dataclass(frozen=True, slots=True)
class SglangBatch:
    """SGLang ``Prefill batch.`` / ``Decode batch.`` lines."""

    phase: Literal["prefill", "decode"]
    running_reqs: int | None = None
    queue_reqs: int | None = None
    new_seqs: int | None = None
    new_tokens: int | None = None
    token_usage: float | None = None
    generation_tokens_per_s: float | None = None


# --------------------------------------------------------------------------- failures

OomKind = Literal["gpu", "host"]


@dataclass(frozen=True, slots=True)
class OutOfMemory:
    """An out-of-memory failure read from a log.

    ``fatal``: the process cannot continue (an automatic batch search that recovers is not).
    ``batch_helps``: a smaller batch size can plausibly avoid it (an OOM while loading the
    weights, or a host OOM, cannot be cured that way).
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
class JobState:
    """A job's state as its launcher sees it (local process or SLURM)."""

    job_id: str
    state: str  # "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", ...
    reason: str = ""
    exit_code: int | None = None
    node: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """Advice or a warning derived by the state, with its reason."""

    level: Literal["info", "warning", "error"]
    kind: str  # "stall", "engine_cap", "concurrency_lock", "gpu_headroom", "oom_risk", ...
    message: str


Event = (
    Progress
    | RunConfig
    | ResultRow
    | ApiFailure
    | RetryAttempt
    | CacheStatus
    | AutoBatchSize
    | LmEvalStage
    | PythonException
    | EngineBatch
    | EngineConfig
    | HttpRequest
    | ServerException
    | ServerRequestStart
    | ServerTraffic
    | EngineStats
    | SglangBatch
    | OutOfMemory
    | JobSignal
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
