"""What a tuning engineer would say about a run: its status and advice with a reason.

Pure functions over a :class:`RunAccumulator` and the GPU views; no clocks but ``now``.
"""

from __future__ import annotations

from evalmon.events import Alert
from evalmon.fmt import count, duration, percent, plural
from evalmon.state.model import EngineFigures, GpuView, ServerView, parse_int
from evalmon.state.run import MAX_RECORDS, RunAccumulator
from evalmon.state.server import KV_FULL, MetricsTrack, Order

HEADROOM_FRACTION = 0.5  # peak GPU memory below this: a larger batch fits
OOM_RISK_FRACTION = 0.92  # peak above this: the next larger batch (or a long prompt) will not
KV_LOW = 0.5  # a KV cache that never got this full has room for more requests
FAR_FEWER = 4  # "far fewer" requests in flight than the engine allows: a quarter or less
QUEUE_GROWTH_SAMPLES = 4  # a waiting queue growing over this many samples keeps growing
CONTINUOUS = ("vllm", "sglang")  # continuous batching, no global lock

#: per kind: the server's flag for its concurrency limit, and what gives the KV cache room
_LIMIT_FLAG = {"vllm": "--max-num-seqs", "sglang": "--max-running-requests"}
_KV_ROOM_FLAG = {"vllm": "--gpu-memory-utilization", "sglang": "--mem-fraction-static"}
_NAME = {"vllm": "vLLM", "sglang": "SGLang", "tgi": "TGI", "megatron": "Megatron"}


def server_status(
    run: RunAccumulator,
    server: ServerView,
    metrics: MetricsTrack | None,
    now: float,
    idle_after_s: float,
) -> tuple[str, str]:
    """(status, reason) of a run's server: serving, idle, stopped, crashed, oom, or
    unreachable (a ``/metrics`` with no log, whose last scrape failed).

    Lifecycle marks are compared in file order: the last start, then what followed it. A
    fatal OOM after which nothing was served explains a stop best; a stop after a Python
    exception (that was not a Ctrl-C) is a crash; otherwise the gauges decide (something
    running or waiting at the last statistics line or scrape: serving), or for servers
    without gauges (TGI, Megatron) whether requests were served lately."""
    tracker = run.server
    start = tracker.started[0] if tracker.started else None

    def after(order: Order, other: Order | None) -> bool:
        return other is None or order > other

    if tracker.oom is not None:
        order, record = tracker.oom
        if after(order, start) and after(order, tracker.activity):
            e = record.event
            what = "host memory" if e.kind == "host" else f"GPU memory ({e.origin})"
            return "oom", f"out of {what} at {_short(record.file)}:{record.line}"
    if tracker.stopped is not None:
        order, stop = tracker.stopped
        if after(order, start) and after(order, tracker.activity):
            if stop.crashed:
                return "crashed", stop.message or "the server crashed"
            exc = tracker.exception
            if exc is not None and exc[0] < order and after(exc[0], start) and after(
                exc[0], tracker.activity
            ):
                return "crashed", f"{exc[1].type}: {exc[1].message}"[:200]
            return "stopped", stop.message or "shut down"
    if metrics is not None and metrics.error and not tracker.files:
        return "unreachable", metrics.error
    live_metrics = metrics is not None and not metrics.error and metrics.scrapes
    figures = server.metrics if live_metrics else server.log
    where = "at the last scrape" if live_metrics else "at the last statistics line"
    name = _NAME.get(server.kind, "the server")
    if figures is not None and (server.kind in CONTINUOUS or figures.running.last is not None):
        running, waiting = figures.running.last, figures.waiting.last
        no_gauges = running is None and waiting is None
        if no_gauges and tracker.activity is not None and after(tracker.activity, start):
            pass  # no statistics line, but the engine worked (a preemption): see below
        elif no_gauges:
            if tracker.started:
                return "idle", f"{name} listens at {tracker.started[1].address}; no statistics yet"
            return "idle", "no statistics yet"
        elif (running or 0) + (waiting or 0) > 0:
            return "serving", f"{count(running)} running, {count(waiting)} waiting {where}"
        else:
            return "idle", f"nothing running or waiting {where}"
    served = (tracker.activity is not None and after(tracker.activity, start)) or (
        start is None and (run.engine_hist or run.http)
    )
    if served:
        if tracker.activity_at is not None and now - tracker.activity_at >= idle_after_s:
            return "idle", f"no request for {duration(now - tracker.activity_at)}"
        return "serving", _served(run, server)
    if tracker.started:
        address = tracker.started[1].address
        return "idle", f"{name} listens{f' at {address}' if address else ''}; no request yet"
    return "idle", "no request logged"


def _served(run: RunAccumulator, server: ServerView) -> str:
    log = server.log
    if server.kind == "tgi" and log is not None and log.requests:
        return f"{plural(log.requests, 'request')} served"
    if log is not None and log.preemptions and not log.running.last:
        least = "at least " if log.preemptions_at_least else ""
        return f"{least}{plural(log.preemptions, 'request')} preempted; no statistics line yet"
    calls = sum(run.engine_hist.values())
    if calls:
        return f"{count(calls)} engine calls"
    requests = sum(run.http.values())
    return f"{count(requests)} HTTP requests" if requests else "requests served"


#: how a launcher's last word ends a run whose log gave no reason of its own
_LAUNCHER_ENDS = {
    "TIMEOUT": ("timeout", "time limit"),
    "PREEMPTED": ("cancelled", "preempted by SLURM"),
    "NODE_FAIL": ("failed", "node failure"),
}


def run_status(run: RunAccumulator) -> tuple[str, str]:
    """(status, reason). A job is finished when lm-eval printed its results (or the summary
    line it prints right before them), or the job exited 0; else a fatal OOM explains a crash
    best."""
    if run.results:
        return "finished", f"{len(run.results)} metric rows"
    if run.summary_seen:
        return "finished", "lm-eval printed its closing summary"
    job = run.job_state
    if job is not None and (job.exit_code == 0 or job.state == "COMPLETED"):
        return "finished", "exited 0"
    fatal = [r for r in run.oom_records() if r.event.fatal]
    if fatal:
        first, last = fatal[0], fatal[-1]
        what = "host memory" if first.event.kind == "host" else f"GPU memory ({first.event.origin})"
        reason = f"out of {what} at {_short(first.file)}:{first.line}"
        if len(fatal) > 1:  # the server's status names its last report: say both
            same = last.file == first.file
            where = f"line {last.line}" if same else f"{_short(last.file)}:{last.line}"
            many = f"{len(fatal)}+" if len(run.ooms.old) >= MAX_RECORDS else str(len(fatal))
            reason += f" ({many} reports, the last at {where})"
        return "oom", reason
    if job is not None and job.state == "OUT_OF_MEMORY":  # evalmon run read it elsewhere
        return "oom", job.reason or "out of memory"
    if job is not None and job.oom_killed and job.exit_code:  # its cgroup counted the kill
        return "oom", job.reason or "killed by the kernel's OOM killer"
    if job is not None and job.state == "CANCELLED":  # stopped by evalmon run (a retune...)
        return "cancelled", job.reason or "cancelled"
    for record in reversed(run.signals.all()):
        kind = record.event.kind
        if kind == "time_limit":
            return "timeout", "cancelled by SLURM: time limit"
        if kind in ("cancelled", "preempted"):
            return "cancelled", f"{kind} by SLURM"
        if kind == "node_fail":
            return "failed", "node failure"
    if job is not None and job.state in _LAUNCHER_ENDS:
        status, default = _LAUNCHER_ENDS[job.state]
        return status, job.reason or default
    exceptions = run.exceptions.all()
    if exceptions:
        last = exceptions[-1].event
        return "failed", f"{last.type}: {last.message}"[:200]
    if job is not None and (job.exit_code or job.state == "FAILED"):
        return "failed", job.reason or f"exited {job.exit_code}"
    views = run.all_bar_views()
    request_bars = [b for b in views if b.is_request_bar]
    # lm-eval prints its results table at the very end: without it, more may follow
    if (
        request_bars
        and all(b.finished for b in request_bars)
        and run.config.model_type is None
        # lm-eval announced a stage no bar has served yet: it is in that stage
        and not run.work.stages_without_bar(request_bars)
    ):
        return "finished", "all progress bars complete"
    if not views and not run.engine_hist and not run.http and not run.config.model_type:
        return "waiting", "no events yet"
    return "running", ""


def run_alerts(
    run: RunAccumulator,
    status: str,
    now: float,
    stall_after_s: float,
    gpus: tuple[GpuView, ...],
    processes_alive: bool | None,
    server: ServerView | None = None,
) -> tuple[Alert, ...]:
    alerts: list[Alert] = []
    client_batch = parse_int(run.config.batch_size)
    stats = run.engine_stats()
    kind = server.kind if server is not None else "client"

    if (
        status == "running"
        and run.last_progress_at is not None
        and now - run.last_progress_at >= stall_after_s
        and processes_alive is not False
    ):
        quiet = now - run.last_progress_at
        tail = " while its processes are alive" if processes_alive else ""
        alerts.append(
            Alert("warning", "stall", f"no progress for {duration(quiet)}{tail}")
        )

    if kind not in CONTINUOUS and kind != "tgi":
        alerts.extend(_megatron_advice(run, client_batch, stats))

    server_errors = sum(c for s, c in run.http.items() if s >= 500)
    if server_errors:
        alerts.append(
            Alert("warning", "http_5xx",
                  f"{plural(server_errors, 'HTTP 5xx response')} from the server")
        )

    if server is not None:
        alerts.extend(_server_advice(run, server, client_batch))

    # vLLM, SGLang and TGI take most of the GPU's memory at start for their KV cache: its
    # peak says nothing about room for a larger batch there (their KV usage does)
    if status == "running" and kind not in (*CONTINUOUS, "tgi"):
        alerts.extend(_memory_advice(gpus, client_batch))
    return tuple(alerts)


def _megatron_advice(run: RunAccumulator, client_batch: int | None, stats) -> list[Alert]:
    alerts: list[Alert] = []
    engine_limit = run.engine_config.max_batch_size or run.engine_config.max_requests
    if client_batch and stats.count >= 3 and stats.max is not None and stats.max < client_batch:
        cap = engine_limit if engine_limit and engine_limit < client_batch else stats.max
        alerts.append(
            Alert(
                "warning",
                "engine_cap",
                f"engine batches peak at {stats.max} prompts while the client sends {client_batch}:"
                f" the engine caps batches at {cap}; raise --inference-max-batch-size /"
                " --inference-max-requests",
                # or send what the engine runs: a larger client batch only waits in its queue
                change=(("batch_size", cap),) if cap < client_batch else (),
            )
        )
    elif client_batch and engine_limit and engine_limit < client_batch:
        alerts.append(
            Alert(
                "warning",
                "engine_cap",
                f"the engine limit is {engine_limit} but the client sends {client_batch}:"
                " raise --inference-max-batch-size / --inference-max-requests",
                change=(("batch_size", engine_limit),),
            )
        )

    if (run.config.num_concurrent or 1) > 1 and stats.count:
        alerts.append(
            Alert(
                "info",
                "concurrency_lock",
                f"num_concurrent={run.config.num_concurrent}, but this Megatron server runs one"
                " engine call at a time (global LOCK): concurrency only queues requests on this"
                " server",
                change=(("num_concurrent", 1),),
            )
        )
    return alerts


def _server_advice(
    run: RunAccumulator, server: ServerView, client_batch: int | None
) -> list[Alert]:
    alerts: list[Alert] = []
    if server.metrics_error:
        where = f" ({server.metrics_url})" if server.metrics_url else ""
        alerts.append(Alert("warning", "metrics_error", f"{server.metrics_error}{where}"))
    figures = server.figures
    if figures is None:
        return alerts
    if server.kind == "tgi":
        failed = sum(n for _, n in figures.errors)
        if failed:
            kinds = ", ".join(f"{n} {k}" for k, n in figures.errors)
            alerts.append(
                Alert("warning", "request_errors", f"{_requests(failed)} failed ({kinds})")
            )
        return alerts
    if server.kind not in CONTINUOUS:
        return alerts
    alerts.extend(_kv_bound(server, figures))
    alerts.extend(_queue_growing(figures))
    alerts.extend(_concurrency(run, server, figures, client_batch))
    return alerts


def _kv_bound(server: ServerView, figures: EngineFigures) -> list[Alert]:
    """KV cache near 100% with requests waiting, or preemptions: the KV cache is the limit."""
    kv = figures.kv_cache_usage.max
    preempted = figures.preemptions or 0
    if not figures.kv_full_with_queue and not preempted:
        return []
    evidence = []
    if figures.kv_full_with_queue:
        unit = "scrapes" if figures.source == "metrics" else "statistics lines"
        evidence.append(
            f"the KV cache was {percent(KV_FULL)}+ full with requests waiting in"
            f" {count(figures.kv_full_with_queue)} of {count(figures.samples)} {unit}"
            f" (peak {percent(kv)}, up to {count(figures.waiting.max)} waiting)"
        )
    if preempted:
        at_least = "at least " if figures.preemptions_at_least else ""
        evidence.append(f"{at_least}{plural(preempted, 'request')} preempted for lack of KV cache")
    limit = _LIMIT_FLAG[server.kind]
    return [
        Alert(
            "warning",
            "kv_bound",
            f"KV-bound: {'; '.join(evidence)}. Lower {limit} (fewer requests at once) or raise"
            f" {_KV_ROOM_FLAG[server.kind]} (a larger KV cache)",
        )
    ]


def _queue_growing(figures: EngineFigures) -> list[Alert]:
    recent = figures.recent_waiting
    if len(recent) < QUEUE_GROWTH_SAMPLES:
        return []
    window = recent[-QUEUE_GROWTH_SAMPLES:]
    # the longest non-decreasing tail of the recent samples
    start = len(recent) - 1
    while start > 0 and recent[start - 1] <= recent[start]:
        start -= 1
    grew = recent[start:]
    if len(grew) < QUEUE_GROWTH_SAMPLES or not window[-1] > window[0]:
        return []
    unit = "scrapes" if figures.source == "metrics" else "statistics lines"
    return [
        Alert(
            "warning",
            "queue_growing",
            f"the waiting queue grew from {count(grew[0])} to {count(grew[-1])} over the last"
            f" {len(grew)} {unit}: requests arrive faster than the engine finishes them",
        )
    ]


def _concurrency(
    run: RunAccumulator, server: ServerView, figures: EngineFigures, client_batch: int | None
) -> list[Alert]:
    """Continuous batching serves concurrent requests together: with an empty queue, a
    KV cache far from full and far fewer requests in flight than the engine allows, more
    concurrency is more throughput (the opposite of Megatron's global lock)."""
    kv, waiting, running = (
        figures.kv_cache_usage.max,
        figures.waiting.max,
        figures.running.max,
    )
    if figures.samples < 2 or waiting is None or waiting > 0 or kv is None or kv >= KV_LOW:
        return []
    if not running:
        return []  # nothing ran: an idle server says nothing about concurrency
    limit = server.engine_limit
    limit_name = "max_num_seqs" if server.kind == "vllm" else "max_running_requests"
    concurrent = run.config.num_concurrent or 1
    room = f"nothing waited and the KV cache peaked at {percent(kv)}"
    if client_batch:
        in_flight = client_batch * concurrent
        flight = (
            f"the client keeps at most {_requests(in_flight)} in flight (batch"
            f" {client_batch} x num_concurrent {concurrent})"
        )
    else:
        in_flight = int(running)
        flight = f"at most {_requests(running)} ran at once"
    if limit:
        if in_flight * FAR_FEWER > limit:
            return []
        allows = f" while the engine allows {count(limit)} ({limit_name})"
    else:
        allows = ""
    return [
        Alert(
            "info",
            "raise_concurrency",
            f"{flight}{allows}; {room}: raise num_concurrent ({_NAME[server.kind]} batches"
            " requests continuously, with no global lock: concurrent requests run together)",
            change=(("num_concurrent", concurrent * 2),),
        )
    ]


def _memory_advice(gpus: tuple[GpuView, ...], client_batch: int | None) -> list[Alert]:
    fractions = [
        (g.peak_memory_used / g.latest.memory_total, g)
        for g in gpus
        if g.peak_memory_used is not None and g.latest.memory_total
    ]
    if not fractions:
        return []
    worst, gpu = max(fractions, key=lambda fg: fg[0])
    at = f" at batch {client_batch}" if client_batch else ""
    where = f"{gpu.host} GPU {gpu.index}"
    if worst >= OOM_RISK_FRACTION:
        return [
            Alert(
                "warning",
                "oom_risk",
                f"GPU memory peaked at {percent(worst)} on {where}{at}: next OOM likely",
            )
        ]
    if worst <= HEADROOM_FRACTION:
        return [
            Alert(
                "info",
                "gpu_headroom",
                f"GPU memory peaked at {percent(worst)} on {where}{at}: room for a larger batch",
                change=(("batch_size", client_batch * 2),) if client_batch else (),
            )
        ]
    return []


def _requests(n: float) -> str:
    return f"{count(n)} request{'' if n == 1 else 's'}"


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]
