"""What a tuning engineer would say about a run: its status and advice with a reason.

Pure functions over a :class:`RunAccumulator` and the GPU views; no clocks but ``now``.
"""

from __future__ import annotations

from evalmon.events import Alert
from evalmon.fmt import duration, percent
from evalmon.state.model import GpuView, parse_int
from evalmon.state.run import RunAccumulator

HEADROOM_FRACTION = 0.5  # peak GPU memory below this: a larger batch fits
OOM_RISK_FRACTION = 0.92  # peak above this: the next larger batch (or a long prompt) will not


def run_status(run: RunAccumulator) -> tuple[str, str]:
    """(status, reason). Results beat everything; a fatal OOM explains a crash best."""
    if run.results:
        return "finished", f"{len(run.results)} metric rows"
    fatal = [r for r in run.ooms.all() if r.event.fatal]
    if fatal:
        first = fatal[0]
        what = "host memory" if first.event.kind == "host" else f"GPU ({first.event.origin})"
        return "oom", f"out of {what} at {_short(first.file)}:{first.line}"
    for record in reversed(run.signals.all()):
        kind = record.event.kind
        if kind == "time_limit":
            return "timeout", "cancelled by SLURM: time limit"
        if kind in ("cancelled", "preempted"):
            return "cancelled", f"{kind} by SLURM"
        if kind == "node_fail":
            return "failed", "node failure"
    exceptions = run.exceptions.all()
    if exceptions:
        last = exceptions[-1].event
        return "failed", f"{last.type}: {last.message}"[:200]
    views = run.all_bar_views()
    request_bars = [b for b in views if b.is_request_bar]
    # lm-eval prints its results table at the very end: without it, more may follow
    if request_bars and all(b.finished for b in request_bars) and run.config.model_type is None:
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
) -> tuple[Alert, ...]:
    alerts: list[Alert] = []
    client_batch = parse_int(run.config.batch_size)
    stats = run.engine_stats()

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
            )
        )
    elif client_batch and engine_limit and engine_limit < client_batch:
        alerts.append(
            Alert(
                "warning",
                "engine_cap",
                f"the engine limit is {engine_limit} but the client sends {client_batch}:"
                " raise --inference-max-batch-size / --inference-max-requests",
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
            )
        )

    server_errors = sum(c for s, c in run.http.items() if s >= 500)
    if server_errors:
        alerts.append(
            Alert("warning", "http_5xx", f"{server_errors} HTTP 5xx responses from the server")
        )

    if status == "running":
        alerts.extend(_memory_advice(gpus, client_batch))
    return tuple(alerts)


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
            )
        ]
    return []


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]
