"""Progress of the selected run: every live bar, and the run's exact throughput figures."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
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
    """``12.4 samples/s · 1000 samples in 1m21s · 0.098x vs baseline 127/s · ETA 3m``."""
    text = Text()
    if run.samples_per_s is None:
        text.append("no samples/s yet", style="dim italic")
        text.append(" (no request finished)" if run.status != "running" else "", style="dim")
        return text
    text.append(fmt.rate(run.samples_per_s), style="bold green")
    text.append(" samples/s", style="dim")
    text.append("  ·  1000 samples in ", style="dim")
    text.append(fmt.duration(run.time_for(1000)), style="bold")
    if baseline:
        text.append("  ·  ", style="dim")
        text.append(fmt.speedup(compare.speedup(run, baseline)), style="bold")
        text.append(f" vs baseline {fmt.rate(baseline)}/s", style="dim")
    text.append("\n")
    if run.status == "running" and run.eta_s is not None:
        text.append("ETA ", style="dim")
        text.append(fmt.duration(run.eta_s), style="bold")
    if run.samples_done is not None:
        if not text.plain.endswith("\n"):
            text.append("  ·  ", style="dim")
        text.append(fmt.count(run.samples_done))
        text.append(" samples done", style="dim")
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
    if run.status_reason:
        if text:
            text.append("  ")
        bad = run.status in ("failed", "oom", "cancelled", "timeout")
        text.append(inert(run.status_reason, 200), style="italic yellow" if bad else "italic dim")
    return text


def bar_row(bar: BarView) -> tuple[RenderableType, ...]:
    style = "dim" if bar.finished and not bar.is_request_bar else ""
    desc = inert_text(bar.desc or "(unnamed bar)", style="bold" if bar.is_request_bar else style)
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
    unit = inert(bar.unit, 12)
    own_rate = f"{fmt.rate(bar.rate)} {unit}/s" if bar.rate is not None else fmt.DASH
    if bar.counts == "batches":
        own_rate += f" ×{bar.samples_per_unit:g}"
    eta = "done" if bar.finished else fmt.duration(bar.remaining_s)
    return (
        desc,
        meter,
        Text(amount, justify="right", style=style),
        Text(own_rate, justify="right", style=style),
        Text(fmt.rate(bar.samples_per_s), justify="right", style="bold" if style == "" else style),
        Text(eta, justify="right", style=style),
    )


def render_progress(view: DashboardView) -> RenderableType:
    run = view.run
    if run is None:
        return _placeholder(view)
    table = Table.grid(padding=(0, 1), expand=True)
    names = [len(b.desc or "(unnamed bar)") for b in run.bars[-MAX_BARS:]]
    table.add_column("bar", width=min(max(names, default=10), 24), no_wrap=True,
                     overflow="ellipsis")
    table.add_column("meter", ratio=1, min_width=4)
    table.add_column("n", no_wrap=True)
    table.add_column("rate", no_wrap=True)
    table.add_column("samples/s", no_wrap=True)
    table.add_column("eta", no_wrap=True)
    table.add_row(
        *(Text(h, style="dim", justify="right" if i > 1 else "left") for i, h in enumerate(
            ("bar", "", "n/total", "bar rate", "samples/s", "ETA")
        ))
    )
    bars = run.bars[-MAX_BARS:]
    for bar in bars:
        table.add_row(*bar_row(bar))
    if not bars:
        table.add_row(Text("no progress bar yet", style="dim italic"), "", "", "", "", "")
    return Group(headline(run, view.baseline), config_line(run), Text(""), table)


def _placeholder(view: DashboardView) -> RenderableType:
    if view.waiting_for:
        text = Text("waiting for logs in ", style="italic")
        text.append(inert(", ".join(view.waiting_for), 300), style="bold")
        return text
    if view.snapshot.scanning:
        return Text("reading logs…", style="italic dim")
    return Text("no run yet", style="italic dim")


class ProgressPanel(Static):
    BORDER_TITLE = "Progress"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        key = (run, view.baseline, view.waiting_for, bool(view.snapshot.scanning))
        if key == self._last:
            return
        self._last = key
        self.border_title = f"Progress · run {inert(run.id, 40)}" if run else "Progress"
        self.update(render_progress(view))
