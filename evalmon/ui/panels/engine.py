"""The engine panels, adapted to the server's kind.

* vLLM / SGLang (continuous batching): :class:`EngineChart` draws running against waiting
  requests over the statistics lines (or scrapes) with the KV cache's use, and
  :class:`EnginePanel` lists the figures (last / max) of each source, the log's and
  ``/metrics``', with throughput, prefix-cache hits, preemptions and, when ``/metrics`` is
  there, latency percentiles.
* TGI: request timings (p50 / p99) and failed requests.
* Megatron (and a run without a server): the engine batch sizes and their histogram against
  the client's batch, as before.

Both draw a :class:`~evalmon.ui.view.DashboardView` (its selected :class:`RunView`) and
nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from evalmon import fmt
from evalmon.state.model import EngineFigures, FigureView, RunView, ServerView
from evalmon.text import inert
from evalmon.ui.panels.histogram import render_histogram
from evalmon.ui.panels.throughput import (
    EngineBatchChart,
    fit_legend,
    integer_ticks,
    nice_ticks,
    series_color,
)
from evalmon.ui.view import DashboardView

CONTINUOUS = ("vllm", "sglang")
NAMES = {"vllm": "vLLM", "sglang": "SGLang", "tgi": "TGI", "megatron": "Megatron",
         "unknown": "server"}
STATUS_STYLES = {
    "serving": "bold green",
    "idle": "dim",
    "stopped": "yellow",
    "crashed": "bold red",
    "oom": "bold red",
    "unreachable": "yellow",
}
LATENCIES = (("ttft", "first token"), ("itl", "per token"), ("e2e", "end to end"),
             ("queue", "queue"), ("inference", "inference"))


def server_of(run: RunView | None) -> ServerView | None:
    """The run's server when its engine panel is not Megatron's batch histogram."""
    if run is None or run.server is None or run.engine_batches.count:
        return None
    if run.server.kind in (*CONTINUOUS, "tgi") or run.server.metrics_url:
        return run.server
    return None


def panel_rows(run: RunView | None) -> int:
    """Rows the engine panel would like (borders included): the dashboard's layout asks."""
    server = server_of(run)
    if server is None:
        return min(17, 6 + (len(run.engine_batches.histogram) if run else 0))
    figures = server.figures
    latencies = sum(1 for _, p in figures.latency_s if p.p50 is not None) if figures else 0
    return min(20, 12 + (latencies + 1 if latencies else 0))


# ----------------------------------------------------------------------------- text


def _s(n: float | None) -> str:
    return "" if n == 1 else "s"


def _unit(figures: EngineFigures) -> str:
    if figures.source == "metrics":
        return "scrape" if figures.samples == 1 else "scrapes"
    return "stats line" if figures.samples == 1 else "stats lines"


def _source(figures: EngineFigures, server: ServerView) -> str:
    if figures.source == "metrics":
        return f"/metrics ({fmt.count(figures.samples)} {_unit(figures)})"
    if server.kind == "tgi":
        return f"log ({fmt.count(figures.samples)} served request{_s(figures.samples)})"
    return f"log ({fmt.count(figures.samples)} {_unit(figures)})"


def status_line(server: ServerView) -> Text:
    """``vLLM  serving · 18 running, 43 waiting at the last statistics line``."""
    text = Text()
    text.append(NAMES.get(server.kind, server.kind), style="bold")
    text.append("  ")
    text.append(server.status, style=STATUS_STYLES.get(server.status, ""))
    if server.status_reason:
        text.append(" · " + inert(server.status_reason, 160), style="dim")
    if server.metrics_error:
        text.append("\n")
        text.append(inert(server.metrics_error, 160), style="yellow")
    return text


def _pair(figure: FigureView, render=fmt.count) -> tuple[str, str]:
    if figure.last is None:
        return fmt.DASH, fmt.DASH
    return render(figure.last), render(figure.max)


#: (label, figure name, formatter): the rows of the figures table, in order
FIGURE_ROWS = (
    ("running", "running", fmt.count),
    ("waiting", "waiting", fmt.count),
    ("swapped", "swapped", fmt.count),
    ("KV cache", "kv_cache_usage", fmt.percent),
    ("KV tokens", "tokens_in_use", fmt.count),
    ("gen tok/s", "gen_tokens_per_s", fmt.rate),
    ("prompt tok/s", "prompt_tokens_per_s", fmt.rate),
)
#: rows shown after the latency percentiles: a short panel cuts these first
LATER_ROWS = (
    ("prefix hit", "prefix_cache_hit_rate", fmt.percent),
    ("spec accepted", "spec_acceptance_rate", fmt.percent),
)
#: below this many columns each source shows its last values only
NARROW = 56


def _preempted(f: EngineFigures) -> str:
    if f.preemptions is None:
        return fmt.DASH
    return f"{'>=' if f.preemptions_at_least else ''}{fmt.count(f.preemptions)}"


def render_continuous(server: ServerView, width: int | None = None) -> RenderableType:
    """The figures of each source side by side: what the log says, what /metrics says
    (last / max; a narrow panel, the last values only)."""
    sources = [f for f in (server.log, server.metrics) if f is not None and f.samples]
    parts: list[RenderableType] = [status_line(server)]
    if not sources:
        parts.append(Text("no statistics line or scrape yet", style="dim italic"))
        return Group(*parts)
    narrow = width is not None and width < NARROW
    parts.append(Text("from the " + " and ".join(_source(f, server) for f in sources),
                      style="dim"))
    heads: list[str] = []
    for f in sources:
        name = ("log" if f.source == "log" else "/metrics") if len(sources) > 1 else ""
        heads += [name or "last"] if narrow else [f"{name} last".strip(), "max"]

    def grid() -> Table:
        table = Table.grid(padding=(0, 2 if not narrow else 1), expand=False)
        table.add_column("figure", no_wrap=True, style="dim", min_width=13)
        for _ in heads:
            table.add_column(justify="right", no_wrap=True, min_width=6)
        return table

    def add_rows(table: Table, rows: tuple[tuple[str, str, Callable[..., str]], ...]) -> None:
        for label, attr, render in rows:
            figures: list[FigureView] = [getattr(f, attr) for f in sources]
            if all(fig.last is None for fig in figures):
                continue
            cells = [c for fig in figures
                     for c in ([_pair(fig, render)[0]] if narrow else _pair(fig, render))]
            table.add_row(Text(label), *(Text(c) for c in cells))

    table = grid()
    table.add_row(Text(""), *(Text(h, style="bold") for h in heads))
    add_rows(table, FIGURE_ROWS)
    parts.append(table)
    # the latency percentiles before the rarer figures: a short panel cuts from the bottom
    parts.extend(_latency_table(server))
    later = grid()
    add_rows(later, LATER_ROWS)
    if any(f.preemptions is not None for f in sources):
        later.add_row(Text("preempted"), *(Text(c) for f in sources
                                           for c in ([_preempted(f)] if narrow
                                                     else [_preempted(f), ""])))
    if later.row_count:
        parts.append(later)
    kv = server.figures.kv_cache_usage.last if server.figures else None
    if kv is not None:
        color = "red" if kv >= 0.95 else "yellow" if kv >= 0.8 else "green"
        bar = Table.grid(padding=(0, 1), expand=True)
        bar.add_column(no_wrap=True)
        bar.add_column(ratio=1)
        bar.add_row(Text(f"KV {fmt.percent(kv):>4}", style="dim"),
                    Bar(size=1.0, begin=0, end=min(1.0, kv), color=color))
        parts.append(bar)
    if server.engine_limit:
        limit = "max_num_seqs" if server.kind == "vllm" else "max_running_requests"
        parts.append(Text(f"{limit} {fmt.count(server.engine_limit)}", style="dim"))
    return Group(*parts)


def _latency_table(server: ServerView) -> list[RenderableType]:
    out: list[RenderableType] = []
    for figures in (server.metrics, server.log):
        if figures is None or not any(p.p50 is not None for _, p in figures.latency_s):
            continue
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, style="dim")
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        source = "/metrics" if figures.source == "metrics" else "log"
        table.add_row(Text(f"latency ({source})", style="bold"), Text("p50", style="dim"),
                      Text("p99", style="dim"))
        names = dict(LATENCIES)
        for name, p in figures.latency_s:
            if p.p50 is None:
                continue
            table.add_row(Text(names.get(name, name)), Text(fmt.latency(p.p50)),
                          Text(fmt.latency(p.p99)))
        out.append(table)
        if figures.latency_window:
            out.append(Text(f"of {inert(figures.latency_window, 120)}", style="dim"))
    return out


def render_tgi(server: ServerView) -> RenderableType:
    parts: list[RenderableType] = [status_line(server)]
    figures = server.figures
    if figures is None or not figures.samples:
        parts.append(Text("no request served yet (router lines: ... Success)",
                          style="dim italic"))
    else:
        parts.append(Text(f"from the {_source(figures, server)}", style="dim"))
    if figures is not None and figures.errors:
        failed = sum(n for _, n in figures.errors)
        detail = ", ".join(f"{fmt.count(n)} {k}" for k, n in figures.errors)
        parts.append(Text(f"{fmt.count(failed)} failed: {detail}", style="bold red"))
    parts.extend(_latency_table(server))
    if server.tgi_max_concurrent_requests:
        parts.append(Text(f"max_concurrent_requests = "
                          f"{fmt.count(server.tgi_max_concurrent_requests)}", style="dim"))
    return Group(*parts)


def render_engine(view: DashboardView, width: int | None = None) -> RenderableType:
    """What the engine panel shows for the selected run (``width``: the panel's content
    width, when known)."""
    server = server_of(view.run)
    if server is None:
        return render_histogram(view)
    if server.kind == "tgi":
        return render_tgi(server)
    return render_continuous(server, width)


def title_of(run: RunView | None) -> str:
    server = server_of(run)
    if server is None:
        return "Engine batch histogram"
    return f"{NAMES.get(server.kind, 'Server')} engine"


class EnginePanel(Static):
    """The engine's figures: Megatron's batch histogram, or a server's engine model."""

    BORDER_TITLE = "Engine batch histogram"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def on_resize(self) -> None:
        if self._view is not None:
            self._last = None
            self.update_view(self._view)

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        run = view.run
        server = server_of(run)
        width = self.content_size.width or None
        key = ((run.engine_batches, run.batch_size) if run else None, server, width)
        if key == self._last:
            return
        self._last = key
        self.border_title = title_of(run)
        self.update(render_engine(view, width))


# ----------------------------------------------------------------------------- chart


def summary(server: ServerView) -> list[str]:
    """The parts of one line for the chart's border, most telling first: where a narrow
    layout has no engine panel."""
    figures = server.figures
    parts = [f"{NAMES.get(server.kind, 'server')} {server.status}"]
    if figures is not None:
        if figures.kv_cache_usage.last is not None:
            parts.append(f"KV {fmt.percent(figures.kv_cache_usage.last)}")
        if figures.gen_tokens_per_s.last is not None:
            parts.append(f"{fmt.rate(figures.gen_tokens_per_s.last)} gen tok/s")
        parts.append("/metrics" if figures.source == "metrics" else "log")
    return parts


class EngineChart(EngineBatchChart):
    """Megatron's engine batch sizes; for vLLM and SGLang, running against waiting requests
    (left axis) with the KV cache's use in percent (right axis) over the samples."""

    def update_view(self, view: DashboardView) -> None:
        server = server_of(view.run)
        if server is None or server.kind not in CONTINUOUS:
            if self.border_title != EngineBatchChart.BORDER_TITLE:
                self.border_title = EngineBatchChart.BORDER_TITLE
                self._last = None
            super().update_view(view)
            return
        self._view = view
        figures = server.figures
        series = figures.series if figures is not None else ()
        key = ("server", server.kind, series, server.status, self.size.width)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        name = NAMES.get(server.kind, "server")
        self.border_title = f"{name} engine · requests"
        if figures is None or not series:
            plt.title("no statistics line or scrape yet")
            self.border_subtitle = ""
            self.refresh()
            return
        xs: list[int] = []
        seen = 0
        for point in series:
            seen += point.samples
            xs.append(seen)
        running = [p.running or 0.0 for p in series]
        waiting = [p.waiting or 0.0 for p in series]
        top = max([*running, *waiting, 1.0])
        entries: list[tuple[str, ...]] = [("cyan", "running"), ("yellow", "waiting")]
        if any(p.waiting is not None for p in series):
            plt.plot(xs, waiting, marker="hd", color=series_color("yellow"))
        plt.plot(xs, running, marker="hd", color=series_color("cyan"))
        if any(p.kv_cache_usage is not None for p in series):
            kv = [100 * (p.kv_cache_usage or 0.0) for p in series]
            plt.plot(xs, kv, marker="hd", color=series_color("magenta"), yside="right")
            plt.ylim(0, 100, yside="right")
            plt.yticks([0, 25, 50, 75, 100], yside="right")
            entries.append(("magenta", "KV cache %", "KV %", "KV"))
        plt.ylim(0, top * 1.15)
        plt.yticks(nice_ticks(top))
        plt.xticks(integer_ticks(seen))
        unit = "scrapes" if figures.source == "metrics" else "statistics lines"
        plt.xlabel(f"{fmt.count(seen)} {unit}, oldest → newest")
        self.border_subtitle = fit_legend(self.outer_size.width, entries, summary(server))
        self.refresh()
