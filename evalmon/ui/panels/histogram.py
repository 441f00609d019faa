"""Engine batch-size histogram: how many engine calls had each size, against the client's."""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from evalmon import fmt
from evalmon.state.model import EngineBatchStats
from evalmon.ui.view import DashboardView

#: Sizes shown at most: the most frequent ones, listed by size.
MAX_ROWS = 10


def summary(stats: EngineBatchStats, client: int | None) -> Text:
    text = Text()
    text.append(f"{stats.count:,}", style="bold")
    text.append(" engine calls", style="dim")
    if stats.median is not None:
        text.append("  median ", style="dim")
        text.append(f"{stats.median:g}", style="bold")
        text.append(f"  max {fmt.optional(stats.max)}", style="dim")
    if client:
        text.append("\n")
        reached = stats.at_client_batch or 0
        share = reached / stats.count if stats.count else 0.0
        style = "green" if share >= 0.5 else "yellow" if reached else "bold red"
        text.append(f"reached client batch {client}: ", style="dim")
        text.append(f"{fmt.count(reached)} ({fmt.percent(share)})", style=style)
    return text


def render_histogram(view: DashboardView) -> RenderableType:
    run = view.run
    if run is None or run.engine_batches.count == 0:
        return Text("no engine calls logged yet\n(server lines: [BATCHING DEBUG] ...)",
                    style="dim italic")
    stats = run.engine_batches
    client = run.batch_size
    rows = list(stats.histogram)
    hidden = 0
    if len(rows) > MAX_ROWS:
        keep = sorted(rows, key=lambda r: r[1], reverse=True)[:MAX_ROWS]
        hidden = len(rows) - len(keep)
        rows = sorted(keep)
    peak = max(c for _, c in rows)
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("bar", ratio=1, min_width=6)
    table.add_column("calls", justify="right", no_wrap=True)
    table.add_column("mark", no_wrap=True)
    for size, calls in rows:
        is_client = client is not None and size == client
        color = "green" if is_client else ("yellow" if client and size < client else "cyan")
        table.add_row(
            Text(str(size), style="bold" if is_client else ""),
            Bar(size=peak, begin=0, end=calls, color=color),
            Text(f"{calls:,}"),
            Text("◀ client" if is_client else "", style="green"),
        )
    parts: list[RenderableType] = [summary(stats, client), Text(""), table]
    if hidden:
        parts.append(Text(f"+{hidden} rarer sizes", style="dim"))
    if client and not any(size == client for size, _ in rows) and client > (stats.max or 0):
        parts.append(Text(f"no call reached the client batch ({client})", style="yellow"))
    return Group(*parts)


class HistogramPanel(Static):
    BORDER_TITLE = "Engine batch histogram"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        key = (run.engine_batches, run.batch_size) if run else None
        if key == self._last:
            return
        self._last = key
        self.update(render_histogram(view))
