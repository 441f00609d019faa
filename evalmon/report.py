"""Headless renderings of the state: a terminal table, markdown and JSON.

One row per run: its configuration, exact samples/s, speedup, time for N samples, engine
batch sizes, OOMs, status and key metrics — the seed's "Performance Table", computed. Runs
with an inference server (a vLLM/SGLang/TGI/Megatron log, or a ``/metrics`` endpoint) also get
a row in the "Servers" table: kind, status, running/waiting requests, KV cache, tokens/s,
latency, and where the figures came from. A server log alone is a run too: it has a row there
only. Pure: a :class:`Snapshot` in, text out.

Nothing here decides a figure or a rule: the speedup reference is :mod:`evalmon.state.compare`,
an OOM failure is :attr:`RunView.oom_failures`, every number is written by :mod:`evalmon.fmt`
and every piece of log text (run ids from file names, reasons, metrics) goes through
:func:`evalmon.text.inert` (JSON keeps it exact, through :func:`evalmon.text.inert_json`) — the
same as the dashboard.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from evalmon import fmt
from evalmon.state import compare
from evalmon.state.model import FigureView, Percentiles, RunView, ServerView, Snapshot
from evalmon.text import inert, inert_json


@dataclass(frozen=True, slots=True)
class ReportOptions:
    baseline: float | None = None  # requests/s of a reference (e.g. 127 for HF)
    samples: int = 1000  # the N of "time for N requests" (or documents)
    per: str = "requests"  # what "time for N" counts: "requests" or "docs"


@dataclass(frozen=True, slots=True)
class ReportRow:
    run: RunView
    speedup: float | None
    time_for_n_s: float | None
    speedup_vs: str | None = None  # the run id that counts as 1x, or "baseline"


def report_runs(snapshot: Snapshot) -> list[RunView]:
    """Runs worth a row: anything that produced events."""
    return [r for r in snapshot.runs if r.status != "waiting"]


def client_runs(snapshot: Snapshot) -> list[RunView]:
    """The performance table's runs: all but those of a server alone (the servers table's)."""
    return [r for r in report_runs(snapshot) if r.client]


def server_runs(snapshot: Snapshot) -> list[RunView]:
    """The servers table's runs: a server alone, or one whose engine figures say more than
    the performance table's engine-batch column (vLLM, SGLang, TGI, a /metrics)."""
    return [
        r
        for r in report_runs(snapshot)
        if r.server is not None
        and (not r.client or r.server.kind in ("vllm", "sglang", "tgi") or r.server.metrics_url)
    ]


def build_rows(snapshot: Snapshot, options: ReportOptions) -> list[ReportRow]:
    runs = client_runs(snapshot)
    speedups = compare.speedups(runs, options.baseline)
    return [
        ReportRow(
            run=run,
            speedup=compare.ratio(speedups.get(run.id)),
            time_for_n_s=run.time_for(options.samples, options.per),
            speedup_vs=s.reference if (s := speedups.get(run.id)) is not None else None,
        )
        for run in runs
    ]


def fmt_run_rate(run: RunView, value: float | None, *, short: bool = False) -> str:
    """A run's rate as the report writes it: ``~`` while it is an early estimate,
    ``(partial)`` (``*`` in the narrow terminal table, with a note below it) when the run
    ended before its work was done: the rate of what it finished."""
    if value is None:
        return fmt.DASH
    text = fmt.rate(value)
    if run.partial:
        return f"{text}*" if short else f"{text} (partial)"
    if run.early and run.status == "running":
        return fmt.early(text)
    return text


def fmt_work(run: RunView) -> list[str]:
    """One line per request type: what the rates count, per type and task."""
    lines = []
    for r in run.rates:
        kind = r.request_type or "requests"
        tasks = f" ({', '.join(r.tasks)})" if r.tasks else ""
        served = fmt.count(r.requests_done)
        amounts = [f"{served} of {fmt.plural(r.requests_total, 'request')} served"
                   if r.requests_total is not None
                   else f"{fmt.plural(r.requests_done, 'request')} served"]
        if r.requests_cached:
            amounts.append(f"{fmt.count(r.requests_cached)} from the cache")
        if r.docs_total is not None:
            amounts.append(fmt.plural(r.docs_total, "doc"))
        rates = f"{fmt.rate(r.requests_per_s)} req/s, {fmt.rate(r.docs_per_s)} docs/s"
        state = "" if r.finished else " (partial)" if run.partial else " (so far)"
        lines.append(f"{kind}{tasks}: {', '.join(amounts)}: {rates}{state}")
    return lines


# ---------------------------------------------------------------------------- cells


def fmt_bool(value: bool | None) -> str:
    return fmt.DASH if value is None else ("yes" if value else "no")


#: what a run whose log never states lm-eval's --batch_size shows, in every format
NO_BATCH = "batch not stated"


def fmt_config(run: RunView) -> str:
    batch = run.config.batch_size
    parts = [f"batch={batch}" if batch else NO_BATCH]
    if run.engine_max_batch:
        parts.append(f"engine≤{run.engine_max_batch}")
    if run.config.num_concurrent is not None:
        parts.append(f"concurrency={run.config.num_concurrent}")
    if run.config.tokenized_requests is not None:
        parts.append(f"tokenized={fmt_bool(run.config.tokenized_requests)}")
    return ", ".join(parts)


def fmt_engine(run: RunView) -> str:
    stats = run.engine_batches
    if not stats.count:
        return fmt.DASH
    median = f"{stats.median:g}" if stats.median is not None else "?"
    return f"median {median}, max {stats.max} ({fmt.plural(stats.count, 'call')})"


def fmt_ooms(run: RunView) -> str:
    """OOM failures (one failure however many ranks or retries report it), then the detail."""
    failures = run.oom_failures
    if not failures:
        return "1 (outside its logs)" if run.oom_outside_logs else "0"
    fatal = sum(1 for f in failures if f.fatal)
    first = failures[0].first
    where = f"{first.file.rsplit('/', 1)[-1]}:{first.line}"
    reports = f", {len(run.ooms)} reports" if len(run.ooms) > len(failures) else ""
    return f"{len(failures)} ({fatal} fatal{reports}, first {where})"


def fmt_metrics(run: RunView, limit: int = 3) -> str:
    shown = [
        f"{r.task} {r.metric} {r.value:.4g}" if r.value is not None else f"{r.task} {r.metric} N/A"
        for r in run.results[:limit]
    ]
    if len(run.results) > limit:
        shown.append(f"+{len(run.results) - limit} more")
    return "; ".join(shown) or fmt.DASH


def fmt_status(run: RunView) -> str:
    """The status, with its reason when it explains a problem (an OOM, a crash)."""
    if not run.status_reason or run.status in ("finished", "running", "waiting"):
        return run.status
    return f"{run.status}: {run.status_reason}"


# ---------------------------------------------------------------------------- servers

SERVER_NAMES = {"vllm": "vLLM", "sglang": "SGLang", "tgi": "TGI", "megatron": "Megatron",
                "unknown": "unknown"}


def fmt_source(server: ServerView) -> str:
    """Where the figures come from and how many samples they sum up."""
    figures = server.figures
    if figures is None:
        return fmt.DASH
    if figures.source == "metrics":
        unit = "scrape" if figures.samples == 1 else "scrapes"
        return f"/metrics, {fmt.count(figures.samples)} {unit}"
    unit = {"tgi": "request", "megatron": "engine call"}.get(server.kind, "stats line")
    plural = "" if figures.samples == 1 else "s"
    return f"log, {fmt.count(figures.samples)} {unit}{plural}"


def fmt_last_max(figure: FigureView, render=fmt.count) -> str:
    if figure.last is None:
        return fmt.DASH
    return f"{render(figure.last)} / {render(figure.max)}"


def fmt_preemptions(server: ServerView) -> str:
    figures = server.figures
    if figures is None or figures.preemptions is None:
        return fmt.DASH
    return f"{'>=' if figures.preemptions_at_least else ''}{fmt.count(figures.preemptions)}"


def fmt_latency(server: ServerView) -> str:
    """The end-to-end latency's p50 / p99 (or the first latency there is), named."""
    figures = server.figures
    if figures is None:
        return fmt.DASH
    for name in ("e2e", "ttft", "itl"):
        p = figures.latency(name)
        if p is not None and p.p50 is not None:
            return f"{name} {fmt.latency(p.p50)} / {fmt.latency(p.p99)}"
    return fmt.DASH


def fmt_server_status(server: ServerView) -> str:
    if server.status in ("crashed", "oom", "stopped", "unreachable") and server.status_reason:
        return f"{server.status}: {server.status_reason}"
    return server.status


SERVER_HEADERS = (
    "Run", "Server", "Status", "Source", "Running\nlast / max", "Waiting\nlast / max",
    "KV cache\nlast / max", "Gen tokens/s\nlast / max", "Prompt tokens/s\nlast / max",
    "Prefix\ncache hit", "Preempted", "Latency\np50 / p99",
)  # fmt: skip
_SERVER_NUMERIC = frozenset(range(4, 12))
_SERVER_OPTIONAL = frozenset((8, 9, 10))  # prompt tokens/s, prefix hit, preemptions


def _server_cells(run: RunView, *, last_only: bool = False) -> list[str]:
    """The servers table's cells; ``last_only``: each figure's last value (narrow terminals)."""
    server = run.server
    assert server is not None
    f = server.figures

    def pair(figure: FigureView, render=fmt.count) -> str:
        return render(figure.last) if last_only else fmt_last_max(figure, render)

    if f is None:
        blank = [fmt.DASH] * 8
    else:
        blank = [
            pair(f.running),
            pair(f.waiting),
            pair(f.kv_cache_usage, fmt.percent),
            pair(f.gen_tokens_per_s, fmt.rate),
            pair(f.prompt_tokens_per_s, fmt.rate),
            fmt.percent(f.prefix_cache_hit_rate.last),
            fmt_preemptions(server),
            fmt_latency(server),
        ]
    return [run.id, SERVER_NAMES.get(server.kind, server.kind), server.status,
            fmt_source(server), *blank]


def _server_markdown(snapshot: Snapshot) -> list[str]:
    runs = server_runs(snapshot)
    if not runs:
        return []
    headers = [h.replace("\n", " ") for h in SERVER_HEADERS]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for run in runs:
        cells = _server_cells(run)
        cells[2] = fmt_server_status(run.server)  # type: ignore[arg-type]
        out.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
    return out


HEADERS = (
    "Run",
    "Configuration",
    "Requests/s",
    "Docs/s",
    "Speedup",
    "Time for {n} {per}",
    "Engine batches",
    "OOMs",
    "Status",
    "Metrics",
)


def _cells(row: ReportRow) -> list[str]:
    run = row.run
    return [
        run.id,
        fmt_config(run),
        fmt_run_rate(run, run.samples_per_s),
        fmt_run_rate(run, run.docs_per_s),
        fmt.speedup(row.speedup),
        fmt.duration(row.time_for_n_s),
        fmt_engine(run),
        fmt_ooms(run),
        fmt_status(run),
        fmt_metrics(run),
    ]


def _baseline_cells(options: ReportOptions) -> list[str] | None:
    if options.baseline is None:
        return None
    return [
        "baseline",
        "--baseline",
        fmt.rate(options.baseline),
        fmt.DASH,
        fmt.speedup(1.0),
        fmt.duration(_baseline_time(options)),
        "",
        "",
        "",
        "",
    ]


def _baseline_time(options: ReportOptions) -> float | None:
    """The baseline is a requests/s: it says nothing of documents."""
    if not options.baseline or options.per != "requests":
        return None
    return options.samples / options.baseline


def _headers(options: ReportOptions) -> list[str]:
    per = "docs" if options.per == "docs" else "requests"
    return [h.format(n=options.samples, per=per) for h in HEADERS]


# ---------------------------------------------------------------------------- renderers


def render_markdown(snapshot: Snapshot, options: ReportOptions) -> str:
    rows = [_cells(r) for r in build_rows(snapshot, options)]
    baseline = _baseline_cells(options)
    if baseline:
        rows.append(baseline)
    servers = _server_markdown(snapshot)
    out: list[str] = []
    if rows or not servers:
        headers = _headers(options)
        out += ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        for cells in rows:
            out.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
    if servers:
        if out:
            out.append("")
        out += ["Servers:", "", *servers]
    return "\n".join(out) + "\n"


def _md_escape(cell: str) -> str:
    return inert(cell).replace("|", "\\|")


TABLE_HEADERS = (
    "Run", "Batch", "Engine\nmax", "Conc", "Tokens", "Req/s", "Docs/s", "Speedup",
    "Time for\n{n} {per}", "Engine\nmed / max", "OOMs", "Status",
)  # fmt: skip
_NUMERIC = frozenset(range(1, 11))
_OPTIONAL = frozenset((4, 9))  # Tokens, Engine med/max


def _table_cells(row: ReportRow) -> list[str]:
    """The terminal table splits the configuration into narrow columns of its own."""
    run = row.run
    return [
        run.id,
        fmt.optional(run.config.batch_size),
        fmt.optional(run.engine_max_batch or None),
        fmt.optional(run.config.num_concurrent),
        fmt_bool(run.config.tokenized_requests),
        fmt_run_rate(run, run.samples_per_s, short=True),
        fmt_run_rate(run, run.docs_per_s, short=True),
        fmt.speedup(row.speedup),
        fmt.duration(row.time_for_n_s),
        _short_engine(run),
        str(run.oom_count),
        run.status,
    ]


def _partial_note(run: RunView) -> str:
    """Below the terminal table: what a partial rate counts, so nobody reads it as the
    whole job's (the demo's OOM'd attempt served only its quick loglikelihood requests)."""
    served = [
        f"{r.request_type or 'requests'} {fmt.count(r.requests_done)}"
        + (f" of {fmt.count(r.requests_total)}" if r.requests_total is not None else "")
        for r in run.rates
        if r.requests_done or not r.finished
    ]
    detail = f" ({', '.join(served)})" if served else ""
    return (
        f"* run {run.id} ended part way: its rates count only what it served{detail}; "
        "no time for N"
    )


def _short_engine(run: RunView) -> str:
    stats = run.engine_batches
    if not stats.count or stats.median is None:
        return fmt.DASH
    return f"{stats.median:g} / {stats.max}"


def _short_metrics(run: RunView, limit: int = 3) -> str:
    """Metrics without the task name when the run has one task only."""
    tasks = {r.task for r in run.results}
    if len(tasks) != 1:
        return fmt_metrics(run, limit)
    shown = [
        f"{r.metric} {r.value:.4g}" if r.value is not None else f"{r.metric} N/A"
        for r in run.results[:limit]
    ]
    return f"{next(iter(tasks))}: " + ", ".join(shown)


def render_table(snapshot: Snapshot, options: ReportOptions, *, width: int | None = None) -> str:
    """A terminal table. Log text goes in as ``Text`` (never markup), so it stays inert."""
    table = Table(
        title="evalmon report",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )
    # a narrow terminal drops the least telling columns rather than cutting every cell
    shown = [i for i in range(len(TABLE_HEADERS)) if not (width and width < 92 and i in _OPTIONAL)]
    per = "docs" if options.per == "docs" else "req"
    for i in shown:
        table.add_column(
            TABLE_HEADERS[i].format(n=options.samples, per=per),
            justify="right" if i in _NUMERIC else "left",
            no_wrap=True,
        )
    rows = build_rows(snapshot, options)
    for row in rows:
        cells = _table_cells(row)
        table.add_row(*(Text(inert(cells[i])) for i in shown), style=_row_style(row.run))
    if options.baseline is not None:
        reference = [""] * len(TABLE_HEADERS)
        reference[0] = "baseline"
        reference[5] = fmt.rate(options.baseline)
        reference[6] = fmt.DASH
        reference[7] = fmt.speedup(1.0)
        reference[8] = fmt.duration(_baseline_time(options))
        table.add_row(*(Text(reference[i]) for i in shown), style="dim")
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 200, force_terminal=False, color_system=None)
    if table.row_count or not server_runs(snapshot):
        console.print(table)
        for row in rows:
            if row.run.partial and row.run.samples_per_s:
                console.print(Text(inert(_partial_note(row.run))))
    servers = _server_table(snapshot, width)
    if servers is not None:
        if table.row_count:
            console.print()
        console.print(servers)
    # what does not fit a narrow column: per run, below the table
    for run in report_runs(snapshot):
        status = fmt_status(run)
        if run.server is not None:
            server = run.server
            name = SERVER_NAMES.get(server.kind, server.kind)
            reason = f": {server.status_reason}" if server.status_reason else ""
            source = fmt_source(server)
            console.print(Text(inert(f"run {run.id}: {name} {server.status}{reason} ({source})")))
            if not run.client:
                status = run.status
        if status != run.status:
            console.print(Text(inert(f"run {run.id}: {status}")))
        if run.client and not run.config.batch_size:
            console.print(Text(inert(f"run {run.id}: {NO_BATCH} in its log (Batch -)")))
        for line in fmt_work(run):
            console.print(Text(inert(f"run {run.id}: {line}")))
        if run.results:
            console.print(Text(inert(f"run {run.id}: {_short_metrics(run, limit=6)}")))
        for alert in run.alerts:
            console.print(Text(inert(f"run {run.id}: {alert.level}: {alert.message}")))
    return buffer.getvalue()


def _server_table(snapshot: Snapshot, width: int | None) -> Table | None:
    runs = server_runs(snapshot)
    if not runs:
        return None
    table = Table(
        title="Servers",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )
    medium = bool(width and width < 150)
    narrow = bool(width and width < 110)  # last values only; the source below the table
    hidden = (_SERVER_OPTIONAL if medium else frozenset()) | ({3, 11} if narrow else set())
    shown = [i for i in range(len(SERVER_HEADERS)) if i not in hidden]
    for i in shown:
        header = SERVER_HEADERS[i].replace("\\n", "\n")
        if narrow:
            header = header.replace("last / max", "last").replace("Gen tokens/s", "Gen tok/s")
        table.add_column(
            header,
            justify="right" if i in _SERVER_NUMERIC else "left",
            no_wrap=True,
        )
    for run in runs:
        cells = _server_cells(run, last_only=narrow)
        style = _SERVER_STYLES.get(run.server.status, "")  # type: ignore[union-attr]
        table.add_row(*(Text(inert(cells[i])) for i in shown), style=style)
    return table


_SERVER_STYLES = {"oom": "red", "crashed": "red", "unreachable": "yellow"}


def _row_style(run: RunView) -> str:
    return {"oom": "red", "failed": "red", "finished": "green"}.get(run.status, "")


def to_json(snapshot: Snapshot, options: ReportOptions) -> dict[str, Any]:
    rows = build_rows(snapshot, options)
    alone = [
        ReportRow(run=r, speedup=None, time_for_n_s=None)
        for r in report_runs(snapshot)
        if not r.client
    ]
    order = {r.id: i for i, r in enumerate(report_runs(snapshot))}
    rows = sorted([*rows, *alone], key=lambda row: order.get(row.run.id, 0))
    return {
        "n": options.samples,
        "per": options.per,
        "baseline_requests_per_s": options.baseline,
        # deprecated aliases (one release): "samples" is "n", samples/s were requests/s
        "samples": options.samples,
        "baseline_samples_per_s": options.baseline,
        "runs": [_run_json(row, options) for row in rows],
        "warnings": list(snapshot.warnings),
    }


def render_json(snapshot: Snapshot, options: ReportOptions) -> str:
    return inert_json(json.dumps(to_json(snapshot, options), indent=2, ensure_ascii=False)) + "\n"


def _run_json(row: ReportRow, options: ReportOptions) -> dict[str, Any]:
    run = row.run
    stats = run.engine_batches
    return {
        "id": run.id,
        "files": list(run.files),
        "status": run.status,
        "status_reason": run.status_reason,
        "config": {
            "batch_size": run.batch_size if run.batch_size is not None else run.config.batch_size,
            "batch_size_arg": run.config.batch_size,  # as given: "16", "auto", "auto:4"
            "batch_sizes": run.config.batch_sizes,  # what ``auto`` detected: "16", "64,32"
            "num_concurrent": run.config.num_concurrent,
            "tokenized_requests": run.config.tokenized_requests,
            "engine_max_batch": run.engine_max_batch,
            "model_type": run.config.model_type,
            "model": run.config.model,
            "base_url": run.config.base_url,
        },
        "progress": [
            {
                "desc": b.desc,
                "n": _num(b.n),
                "total": _num(b.total),
                "rate": b.rate,
                "unit": b.unit,
                "elapsed_s": b.elapsed_s,
                "remaining_s": b.remaining_s,
                "counts": b.counts,
                "request_bar": b.is_request_bar,
                "request_type": b.request_type,
                "requests_done": _num(b.samples_done),
                "samples_done": _num(b.samples_done),  # deprecated alias of requests_done
                # the bar's one rate, averaged over its run time: requests/s or its unit/s
                "rate_per_s": b.rate_per_s,
                "rate_unit": b.rate_unit,
                "eta_s": b.eta_s,
                "early": b.early,
                "file": b.file,
            }
            for b in run.bars
        ],
        # requests served per second (cached requests never count) and the documents they
        # stand for; null when unknown
        "requests_per_s": run.samples_per_s,
        "docs_per_s": run.docs_per_s,
        "requests_done": _num(run.samples_done),
        "docs_done": _num(run.docs_done),
        # deprecated aliases of requests_per_s / requests_done, kept for one release
        "samples_per_s": run.samples_per_s,
        "samples_done": _num(run.samples_done),
        "partial": run.partial,
        "early": run.early and run.status == "running",
        "done_fraction": run.done_fraction,
        "rates": [
            {
                "request_type": r.request_type,
                "tasks": list(r.tasks) if r.tasks is not None else None,
                "requests_total": r.requests_total,
                "requests_cached": r.requests_cached,
                "requests_done": _num(r.requests_done),
                "docs_total": r.docs_total,
                "docs_done": _num(r.docs_done),
                "seconds": r.seconds,
                "requests_per_s": r.requests_per_s,
                "docs_per_s": r.docs_per_s,
                "finished": r.finished,
                "early": r.early and run.status == "running",
            }
            for r in run.rates
        ],
        "tasks": [
            {"task": t.task, "request_type": t.request_type, "docs": t.docs} for t in run.tasks
        ],
        "speedup": row.speedup,
        "speedup_vs": row.speedup_vs,
        "time_for_n_s": row.time_for_n_s,
        "engine_batches": {
            "count": stats.count,
            "min": stats.min,
            "median": stats.median,
            "max": stats.max,
            "at_client_batch": stats.at_client_batch,
            "histogram": {str(size): count for size, count in stats.histogram},
        },
        "http": {str(status): count for status, count in run.http.items()},
        "api_failures": run.api_failures,
        "retries": run.retries,
        "cache": [{"cached": c.cached, "remaining": c.remaining} for c in run.cache],
        "ooms": [
            {
                "file": o.file,
                "line": o.line,
                "kind": o.event.kind,
                "origin": o.event.origin,
                "message": o.event.message,
                "fatal": o.event.fatal,
                "batch_helps": o.event.batch_helps,
                "bytes_tried": o.event.bytes_tried,
                "gpu_index": o.event.gpu_index,
            }
            for o in run.ooms
        ],
        # the records above grouped into failures: what the OOMs column counts
        "oom_failures": [
            {
                "file": f.first.file,
                "lines": [r.line for r in f.records],
                "kind": f.event.kind,
                "origin": f.event.origin,
                "fatal": f.fatal,
                "gpus": list(f.gpus),
                "ranks": list(f.ranks),
            }
            for f in run.oom_failures
        ],
        "results": [
            {
                "task": r.task,
                "metric": r.metric,
                "value": r.value,
                "stderr": r.stderr,
                "filter": r.filter,
                "n_shot": r.n_shot,
            }
            for r in run.results
        ],
        "alerts": [{"level": a.level, "kind": a.kind, "message": a.message} for a in run.alerts],
        "kind": run.kind,
        "server_status": _server_status_json(run.server),
        "server": server_json(run.server),
    }


def _server_status_json(server: ServerView | None) -> dict[str, Any] | None:
    if server is None:
        return None
    return {
        "status": server.status,
        "reason": server.status_reason,
        "address": server.address or None,
        "metrics_url": server.metrics_url or None,
        "metrics_error": server.metrics_error or None,
        "engine_limit": server.engine_limit,
    }


def _figure_json(figure: FigureView, whole: bool = False) -> dict[str, Any] | None:
    if figure.last is None:
        return None
    if whole:
        return {"last": _num(figure.last), "max": _num(figure.max)}
    # binary noise off (2.9% / 100 is 0.028999999999999998, three DP ranks' 1082.11 + 653.92
    # + 1111.11 tokens/s 2847.1399999999994): 9 decimals keep every digit a log prints
    return {"last": _rounded(figure.last), "max": _rounded(figure.max)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def _percentiles_json(p: Percentiles | None) -> dict[str, Any] | None:
    if p is None or p.p50 is None:
        return None
    return {"p50": p.p50, "p99": p.p99}


def server_json(server: ServerView | None) -> dict[str, Any] | None:
    """The ``server`` block (issue 11): one source's figures, absent ones null."""
    if server is None:
        return None
    f = server.figures
    if f is None:
        return {
            "kind": server.kind, "source": "log", "stats": 0, "running": None,
            "waiting": None, "kv_cache_usage": None, "gen_tokens_per_s": None,
            "prompt_tokens_per_s": None, "prefix_cache_hit_rate": None, "preemptions": None,
            "latency_s": {"ttft": None, "itl": None, "e2e": None},
        }  # fmt: skip
    return {
        "kind": server.kind,
        "source": f.source,
        "stats": f.samples,
        "running": _figure_json(f.running, whole=True),
        "waiting": _figure_json(f.waiting, whole=True),
        "kv_cache_usage": _figure_json(f.kv_cache_usage),
        "gen_tokens_per_s": _figure_json(f.gen_tokens_per_s),
        "prompt_tokens_per_s": _figure_json(f.prompt_tokens_per_s),
        "prefix_cache_hit_rate": _figure_json(f.prefix_cache_hit_rate),
        "preemptions": f.preemptions,
        "latency_s": {name: _percentiles_json(f.latency(name)) for name in ("ttft", "itl", "e2e")},
    }


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
