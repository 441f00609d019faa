"""Progress of the selected run: every live bar, and the run's exact throughput figures."""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from evalmon import fmt
from evalmon.state import compare
from evalmon.state.model import BarView, RunView
from evalmon.ui.inert import inert, inert_text
from evalmon.ui.view import DashboardView

#: Bars shown at most (the newest; lm-eval opens a few short ones before the real work).
MAX_BARS = 6


def headline(run: RunView, baseline: float | None) -> Text:
    """``12.4 req/s · 3.10 docs/s · 1000 requests in 1m21s · 0.098x vs baseline 127/s``, then
    the ETA and what is done; ``~`` marks an early estimate, ``(partial)`` a run that ended
    part way. A run with several request types gets one line per type."""
    text = Text()
    if run.samples_per_s is None:
        text.append(run.no_rate, style="dim italic")
        return text
    early = run.early and run.status == "running"
    mark = fmt.early if early else str
    text.append(mark(fmt.rate(run.samples_per_s)), style="bold green")
    text.append(" req/s", style="dim")
    if run.docs_per_s is not None:
        text.append("  ·  ", style="dim")
        text.append(mark(fmt.rate(run.docs_per_s)), style="bold green")
        text.append(" docs/s", style="dim")
    if run.partial:
        text.append("  (partial: the run ended part way)", style="yellow")
    elif early:
        text.append("  (early estimate)", style="dim italic")
    if (time_for := run.time_for(1000)) is not None:  # none for a run that ended part way
        text.append("  ·  1000 requests in ", style="dim")
        text.append(mark(fmt.duration(time_for)), style="bold")
    if baseline:
        text.append("  ·  ", style="dim")
        text.append(fmt.speedup(compare.speedup(run, baseline)), style="bold")
        text.append(f" vs baseline {fmt.rate(baseline)} req/s", style="dim")
    if len(run.rates) > 1:
        for rate in run.rates:
            text.append("\n")
            text.append(inert(rate.request_type or "requests", 24), style="bold")
            if rate.tasks:
                text.append(f" ({inert(', '.join(rate.tasks), 60)})", style="dim")
            if not rate.requests_done and rate.requests_cached:
                text.append(f"  {fmt.plural(rate.requests_cached, 'request')} from the cache",
                            style="dim")
                continue
            text.append(f"  {fmt.rate(rate.requests_per_s)}", style="bold")
            text.append(" req/s", style="dim")
            if rate.docs_per_s is not None:
                text.append(f"  {fmt.rate(rate.docs_per_s)}", style="bold")
                text.append(" docs/s", style="dim")
            if not rate.finished:
                text.append(" (partial)" if run.partial else " (so far)", style="dim italic")
    text.append("\n")
    if run.status == "running" and run.eta_s is not None:
        text.append("ETA ", style="dim")
        eta = fmt.duration(run.eta_s)
        text.append(fmt.early(eta) if run.eta_early else eta, style="bold")
        text.append(" (this bar)", style="dim")
    if run.samples_done is not None:
        if not text.plain.endswith("\n"):
            text.append("  ·  ", style="dim")
        text.append(fmt.count(run.samples_done))
        text.append(" request served" if run.samples_done == 1 else " requests served",
                    style="dim")
        if run.docs_done is not None:
            text.append(f" ({fmt.plural(round(run.docs_done), 'doc')})", style="dim")
    if run.done_fraction is not None:
        text.append("  ·  ", style="dim")
        text.append(fmt.done(run.done_fraction))
        text.append(" done", style="dim")
    return text


def config_line(run: RunView) -> Text:
    config = run.config
    parts = [
        ("model", config.model),
        ("batch", config.batch_size),
        ("concurrent", config.num_concurrent),
        ("tokenized", config.tokenized_requests),
        ("engine max", run.engine_max_batch),
    ]
    text = Text()
    for label, value in parts:
        if value is None:
            continue
        if text:
            text.append("  ")
        text.append(f"{label} ", style="dim")
        text.append(inert(str(value), 60))
    if run.status_reason and not (run.results and run.status == "finished"):
        if text:
            text.append("  ")
        bad = run.status in ("failed", "oom", "cancelled", "timeout")
        text.append(inert(run.status_reason, 200), style="italic yellow" if bad else "italic dim")
    return text


#: Result rows shown at most (lm-eval's table can be long; the report prints all of them).
MAX_RESULTS = 4


def results_block(run: RunView) -> Text | None:
    """``results  demo_arith_choice acc 0.8733 ± 0.0271`` per metric row, or None."""
    if not run.results:
        return None
    text = Text()
    for i, row in enumerate(run.results[:MAX_RESULTS]):
        text.append("results  " if i == 0 else "\n         ", style="bold")
        text.append(f"{inert(row.task, 40)} {inert(row.metric, 24)} ")
        text.append(fmt.optional(row.value), style="bold green")
        if row.stderr is not None:
            text.append(f" ± {fmt.optional(row.stderr)}", style="dim")
    if len(run.results) > MAX_RESULTS:
        text.append(f"\n         +{len(run.results) - MAX_RESULTS} more rows (evalmon report)",
                    style="dim")
    return text


def server_line(run: RunView) -> Text | None:
    """``server  32 engine calls · median 128 prompts · max 128 · 1× HTTP 500``, or None."""
    stats = run.engine_batches
    errors = {s: c for s, c in sorted(run.http.items()) if s >= 500}
    if not stats.count and not run.http:
        return None
    text = Text()
    text.append("server   ", style="bold")
    parts = []
    if stats.count:
        parts.append(f"{fmt.count(stats.count)} engine call{'s' if stats.count != 1 else ''}")
        if stats.median is not None:
            parts.append(f"median {stats.median:g} prompts, max {fmt.optional(stats.max)}")
    if run.http:
        total = sum(run.http.values())
        parts.append(f"{fmt.count(total)} HTTP request{'s' if total != 1 else ''}")
    text.append(" · ".join(parts))
    for status, count in errors.items():
        text.append(f" · {fmt.count(count)}× HTTP {status}", style="bold red")
    return text


def bar_row(bar: BarView, run_going: bool = True) -> tuple[RenderableType, ...]:
    """One bar's cells. ``run_going`` False (the run ended: finished, OOM, failed...): an
    unfinished bar has no ETA, it will not move again."""
    style = "dim" if bar.finished and not bar.is_request_bar else ""
    desc = inert_text(bar.label, style="bold" if bar.is_request_bar else style)
    if bar.total:
        meter: RenderableType = ProgressBar(
            total=bar.total,
            completed=min(bar.n, bar.total),
            width=None,
            complete_style="green" if bar.is_request_bar else "blue",
            finished_style="bright_black" if not bar.is_request_bar else "green",
        )
        amount = f"{fmt.count(bar.n)}/{fmt.count(bar.total)}"
    else:
        meter = Text("")
        amount = fmt.count(bar.n)
    if bar.counts == "batches":
        amount += f" ×{bar.samples_per_unit:g}"  # the bar counts batches of this many requests
    # one rate per bar: requests/s for a request bar, its own unit/s for a set-up bar
    mark = fmt.early if bar.early else str
    if bar.rate_per_s is not None:
        rate = f"{mark(fmt.rate(bar.rate_per_s))} {inert(bar.rate_unit, 12)}/s"
    else:
        rate = fmt.DASH
    if bar.finished:
        eta = "done"
    elif run_going:
        eta = mark(fmt.duration(bar.eta_s))
    else:
        eta = fmt.DASH
    return (
        desc,
        meter,
        Text(amount, justify="right", style=style),
        Text(rate, justify="right", style="bold" if bar.is_request_bar and not style else style),
        Text(eta, justify="right", style=style),
    )


HEADERS = ("bar", "", "n/total", "rate", "ETA")
#: columns given up when the panel is too narrow: the meter
_DROPPABLE = (1,)
_METER_MIN = 8


def render_progress(view: DashboardView, width: int = 0, *, drop_setup: int = 0) -> RenderableType:
    """The selected run's progress; ``width`` (cells, 0: unknown) drops the meter and then the
    bars' own rates rather than cutting the figures that matter."""
    run = view.run
    if run is None:
        return _placeholder(view)
    bars = list(run.bars[-MAX_BARS:])
    dropped = 0
    for bar in list(bars):  # a short panel: the oldest finished set-up bars give way first
        if dropped < drop_setup and bar.finished and not bar.is_request_bar:
            bars.remove(bar)
            dropped += 1
    going = run.status == "running"  # as the header's ETA
    rows = [bar_row(bar, going) for bar in bars]
    names = [len(b.label) for b in bars]
    # with no bar: "yet" only while the run may still open one
    empty = "no progress bar " + ("yet" if run.status in ("running", "waiting") else "logged")
    name_width = min(max(names, default=len(empty)), 24)
    first = f"bar (+{dropped} finished)" if dropped else HEADERS[0]  # the set-up bars not shown
    name_width = max(name_width, len(first))
    widths = [name_width, _METER_MIN] + [
        max([len(HEADERS[i])] + [r[i].cell_len for r in rows if isinstance(r[i], Text)])
        for i in range(2, len(HEADERS))
    ]
    keep = list(range(len(HEADERS)))
    if width > 0:
        for i in _DROPPABLE:
            if sum(widths[k] for k in keep) + len(keep) - 1 <= width:
                break
            keep.remove(i)
        over = sum(widths[k] for k in keep) + len(keep) - 1 - width
        if over > 0:
            name_width = max(8, name_width - over)
    table = Table.grid(padding=(0, 1), expand=True)
    for i in keep:
        if i == 0:
            table.add_column("bar", width=name_width, no_wrap=True, overflow="ellipsis")
        elif i == 1:
            table.add_column("meter", ratio=1, min_width=4)
        else:
            table.add_column(HEADERS[i], no_wrap=True)
    header = [first if i == 0 else HEADERS[i] for i in keep]
    table.add_row(*(Text(h, style="dim", justify="right" if i > 1 else "left")
                    for h, i in zip(header, keep, strict=True)))
    for row_cells in rows:
        table.add_row(*(row_cells[i] for i in keep))
    if not bars:
        table.add_row(Text(empty, style="dim italic"), *([""] * (len(keep) - 1)))
    # then what the server did, the results, and the configuration last: when the panel is
    # short, the bars stay on screen
    results = results_block(run)
    parts: list[RenderableType] = [headline(run, view.baseline)]
    if results is not None and run.status == "finished":
        parts.append(results)  # a finished run: what it found first, then how it ran
        results = None
    parts += [table, SPACER]
    parts += [p for p in (results, server_line(run)) if p is not None]
    parts.append(config_line(run))
    return Group(*parts)


#: the blank line between the bars and the rest: the first thing given up in a short panel
SPACER = Text("")


class _Lines:
    """Rendered lines, drawn as they are."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield from line
            yield Segment.line()


def fit_height(console: Console, renderable: RenderableType, width: int,
               height: int) -> RenderableType:
    """``renderable`` as it fits ``height`` rows of ``width`` cells: without the spacer, and
    then cut with a last line that says how many lines are not shown (never silently)."""
    if width <= 0 or height <= 0:
        return renderable
    options = console.options.update(width=width, height=None)

    def lines_of(r: RenderableType) -> list[list[Segment]]:
        return console.render_lines(r, options, pad=False)

    lines = lines_of(renderable)
    if len(lines) <= height:
        return renderable
    if isinstance(renderable, Group) and SPACER in renderable.renderables:
        renderable = Group(*(r for r in renderable.renderables if r is not SPACER))
        lines = lines_of(renderable)
        if len(lines) <= height:
            return renderable
    kept = max(0, height - 1)
    more = Text(f"… +{len(lines) - kept} more lines (a taller terminal shows them)",
                style="dim italic", no_wrap=True, overflow="ellipsis")
    return Group(_Lines(lines[:kept]), more)


def _placeholder(view: DashboardView) -> RenderableType:
    if view.waiting_for:
        before, after = view.waiting_words()
        text = Text(before, style="italic")
        text.append(inert(", ".join(view.waiting_for), 300), style="bold")
        text.append(after, style="italic")
        return text
    if view.snapshot.scanning:
        return Text("reading logs…", style="italic dim")
    return Text("no run yet", style="italic dim")


def progress_rows(view: DashboardView, width: int) -> int:
    """Rows the panel would like at ``width`` cells of content (borders included): the
    dashboard's layout asks, so wrapped lines and several request types are counted."""
    console = Console(width=max(width, 20), file=io.StringIO(), color_system=None)
    renderable = render_progress(view, max(width, 20))
    return len(console.render_lines(renderable, console.options, pad=False)) + 2


class ProgressPanel(Static):
    BORDER_TITLE = "Progress"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._last: object = None
        self._view: DashboardView | None = None

    def on_resize(self) -> None:
        if self._view is not None:
            self._last = None
            self.update_view(self._view)

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        run = view.run
        width = self.content_region.width
        height = self.content_region.height
        key = (run, view.baseline, view.waiting_for, view.followed, bool(view.snapshot.scanning),
               width, height)
        if key == self._last:
            return
        self._last = key
        # a run id is a file name: a Text, never markup
        self.border_title = Text(f"Progress · run {inert(run.id, 40)}") if run else "Progress"
        self.update(fit_height(self.app.console, self._fitted(view, width, height), width,
                               height))

    def _fitted(self, view: DashboardView, width: int, height: int) -> RenderableType:
        """The progress with as few finished set-up bars left out as lets it fit: the request
        bar, the server and the configuration matter more than 'docs: hellaswag 100%'."""
        run = view.run
        setup = sum(1 for b in run.bars[-MAX_BARS:] if b.finished and not b.is_request_bar) \
            if run is not None else 0
        console = self.app.console
        options = console.options.update(width=max(width, 1), height=None)
        renderable = render_progress(view, width)
        for drop in range(1, setup + 1):
            # the blank line goes before any bar does (fit_height leaves it out)
            if width <= 0 or height <= 0 or len(
                    console.render_lines(renderable, options, pad=False)) <= height + 1:
                break
            renderable = render_progress(view, width, drop_setup=drop)
        return renderable
