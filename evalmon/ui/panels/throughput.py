"""Charts over time (textual-plotext): requests/s with the baseline, engine batch sizes with the
client batch size marked."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual_plotext import PlotextPlot

from evalmon import fmt
from evalmon.state.model import RunView
from evalmon.ui.view import DashboardView

#: When the baseline is this many times above the run's best rate, plot on a log scale so
#: the run's own curve is not flattened against the axis.
LOG_SCALE_RATIO = 8.0


def empty_plot(plt: object, title: str) -> None:
    """Just the title: no empty axes box that looks like a chart that failed to draw."""
    plt.title(title)  # type: ignore[attr-defined]
    plt.frame(False)  # type: ignore[attr-defined]
    plt.xticks([])  # type: ignore[attr-defined]
    plt.yticks([])  # type: ignore[attr-defined]


#: one colour per series, the same in the plot and its legend: plotext's named colours go
#: through Textual's ANSI theme (its "yellow" drew purple beside an orange legend mark)
SERIES_COLORS = {
    "green": (152, 224, 36),
    "red": (244, 0, 95),
    "cyan": (88, 209, 235),
    "yellow": (253, 151, 31),
    "magenta": (174, 129, 255),
}


def series_color(name: str) -> tuple[int, int, int]:
    """The RGB a plot line of the series colour ``name`` is drawn in."""
    return SERIES_COLORS[name]


def legend(*entries: tuple[str, str], gap: str = "  ", mark: str = "━ ") -> Text:
    """``━ requests/s  ━ baseline 127 req/s``: the legend goes on the panel's border, where it
    hides no data (plotext draws its own legend box over the plot's top-left corner)."""
    text = Text()
    for label, color in entries:
        if text:
            text.append(gap)
        r, g, b = SERIES_COLORS.get(color, (255, 255, 255))
        text.append(mark, style=f"bold #{r:02x}{g:02x}{b:02x}")
        text.append(label)
    return text


#: cells of a panel's bottom border that a subtitle cannot use: ``╰─ `` and `` ─╯``
BORDER_CELLS = 6


def fit_legend(width: int, entries: Sequence[tuple[str, ...]],
               extra: Sequence[str] = ()) -> Text:
    """The legend that fits a panel ``width`` cells wide (its outer width; 0: unknown).
    Each entry is ``(color, label, shorter, ...)``: every entry in its longest form that
    fits, with as many ``extra`` parts (`` · ``-joined, most telling first) as fit; shorter
    forms when they make room for more of those parts. A legend on the border hides no data,
    and is never cut with no word of what it was."""
    room = width - BORDER_CELLS
    levels = max((len(e) - 1 for e in entries), default=1)
    # the shortest forms, then with one space between entries, then with none after each
    # mark, are the last resorts
    tries = [*((level, "  ", "━ ") for level in range(levels)), (levels - 1, " ", "━ "),
             (levels - 1, " ", "━")]
    forms = [legend(*((e[min(level, len(e) - 2) + 1], e[0]) for e in entries), gap=gap,
                    mark=mark) for level, gap, mark in tries]
    if width <= 0:
        return _joined(forms[0], list(extra))
    best: Text | None = None
    best_parts = -1
    for text in forms:
        if text.cell_len > room:
            continue
        parts = next((keep for keep in range(len(extra), 0, -1)
                      if _joined(text, list(extra[:keep])).cell_len <= room), 0)
        if parts > best_parts:
            best, best_parts = _joined(text, list(extra[:parts])), parts
    return best if best is not None else forms[-1]


def _joined(text: Text, extra: list[str]) -> Text:
    if not extra:
        return text
    tail = " · ".join(extra)
    return text + Text("  " + tail) if text else Text(tail)


class ThroughputChart(PlotextPlot):
    """Requests/s of the selected run over its run time (over the last 30 s of each request
    bar), with ``--baseline`` drawn."""

    BORDER_TITLE = "Throughput · requests/s"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None
        self._view: DashboardView | None = None

    def on_resize(self) -> None:
        if self._view is not None:
            self.update_view(self._view)  # the legend fits the new width

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        run = view.run
        series = run.throughput_series if run else ()
        average = average_series(run) if run is not None and not series else ()
        key = (series, average, view.baseline, self.outer_size.width)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        forms = ("requests/s (30 s window)", "req/s (30 s window)", "req/s (30 s)", "req/s")
        if not series and average:
            # a log read whole keeps only each bar's last update: its average is exact
            series = average
            forms = ("requests/s (run average)", "req/s (run average)", "req/s (average)",
                     "req/s")
        if not series:
            empty_plot(plt, "no throughput yet")
            self.border_subtitle = ""
            self.refresh()
            return
        # seconds for a short run: "0.033 0.054 ... min" reads as noise
        minutes = series[-1][0] - series[0][0] >= 120
        xs = [t / 60.0 if minutes else t for t, _ in series]
        ys = [v for _, v in series]
        positive = [v for v in ys if v > 0]
        log_scale = bool(view.baseline and positive
                         and view.baseline / max(positive) >= LOG_SCALE_RATIO)
        entries: list[tuple[str, ...]] = [("green", *forms)]
        lines: list[tuple[list[float], list[float], str]] = []
        if view.baseline:
            # the baseline first: where the run reaches it, the run is drawn on top
            x_end = xs[-1] if xs[-1] > xs[0] else xs[0] + 1.0
            lines.append(([xs[0], x_end], [view.baseline] * 2, "red"))
            baseline = f"baseline {fmt.rate(view.baseline)}"
            entries.append(("red", baseline + " req/s", baseline))
        lines.append((xs, ys, "green"))
        values = [v for _, line_ys, _ in lines for v in line_ys]
        if log_scale:
            # log10 of the values on a linear axis, labelled with the values: plotext's own
            # log axis transforms its data again at every redraw
            low = min(positive)
            for line_xs, line_ys, color in lines:
                plt.plot(line_xs, [math.log10(max(v, low / 2)) for v in line_ys], marker="hd",
                         color=series_color(color))
            ticks = log_ticks(low, max(values))
            plt.yticks([math.log10(t) for t in ticks], [fmt.rate(t) for t in ticks])
            plt.ylim(math.log10(low) - 0.1, math.log10(max(values)) + 0.1)
        else:
            for line_xs, line_ys, color in lines:
                plt.plot(line_xs, line_ys, marker="hd", color=series_color(color))
            top = max(values)
            plt.ylim(0, top * 1.1 if top > 0 else 1.0)
        self.border_subtitle = fit_legend(self.outer_size.width, entries)
        plt.xlabel(f"run time ({'min' if minutes else 's'})"
                   + (" · log scale" if log_scale else ""))
        self.refresh()


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 values from ``low`` to ``high`` (and the two ends when too few fall between)."""
    ticks = []
    exponent = math.floor(math.log10(low))
    while 10 ** exponent <= high * 1.0001:
        for m in (1, 2, 5):
            value = m * 10 ** exponent
            if low * 0.9999 <= value <= high * 1.0001:
                ticks.append(value)
        exponent += 1
    # the ends too (the run's low, the baseline), unless a round value is close by
    for end in (low, high):
        if all(abs(math.log10(end / t)) > 0.12 for t in ticks):
            ticks.append(end)
    return sorted(ticks)


def average_series(run: RunView) -> tuple[tuple[float, float], ...]:
    """The run's exact average requests/s over its request bars' elapsed time, as two points."""
    if not run.samples_per_s:
        return ()
    elapsed = sum(b.elapsed_s or 0.0 for b in run.bars if b.is_request_bar)
    if elapsed <= 0:
        return ()
    return ((0.0, run.samples_per_s), (elapsed, run.samples_per_s))


class EngineBatchChart(PlotextPlot):
    """Prompts per engine call, oldest to newest, against the client's batch size."""

    BORDER_TITLE = "Engine batch sizes"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None
        self._view: DashboardView | None = None

    def on_resize(self) -> None:
        if self._view is not None:
            self.update_view(self._view)

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        run = view.run
        series = run.engine_series if run else ()
        client = run.batch_size if run else None
        engine_max = run.engine_max_batch if run else None
        key = (series, client, engine_max, self.size.width, self.size.height)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not series:
            empty_plot(plt, "no engine calls logged")
            self.border_subtitle = ""
            self.refresh()
            return
        xs = list(range(1, len(series) + 1))
        top = max(series)
        x_end = xs[-1] if len(xs) > 1 else 2
        # limits first, the calls last: where a call reaches the limit the call is drawn
        entries: list[tuple[str, ...]] = [("cyan", "prompts per call", "per call", "calls")]
        if client:
            plt.plot([1, x_end], [client, client], marker="hd", color=series_color("yellow"))
            # the client's batch is in the run's figures; the engine's cap may be nowhere else
            entries.append(("yellow", f"client batch {client}", f"batch {client}", "batch"))
            top = max(top, client)
        if engine_max and engine_max != client:
            plt.plot([1, x_end], [engine_max, engine_max], marker="hd",
                     color=series_color("magenta"))
            entries.append(("magenta", f"engine max {engine_max}", f"max {engine_max}"))
            top = max(top, engine_max)
        plt.plot(xs, list(series), marker="hd", color=series_color("cyan"))
        plt.xticks(integer_ticks(len(series)))
        plt.xlabel(calls_label(run, self.size.width - 10) if run is not None else "engine call")
        self.border_subtitle = fit_legend(self.outer_size.width, entries)
        plt.ylim(0, top * 1.15)
        # a short plot has room for 3 labels: with 5, plotext drops some and a line at 128
        # reads as 64 (the label left beside it)
        plt.yticks(nice_ticks(top, count=5 if self.size.height >= SHORT_PLOT else 3))
        self.refresh()


def calls_label(run: RunView, width: int) -> str:
    """The x axis says what the histogram would, as far as ``width`` allows:
    ``32 calls, oldest → newest · median 128 · 97% at client batch 128``."""
    stats = run.engine_batches
    calls = f"{fmt.count(stats.count)} call{'s' if stats.count != 1 else ''}"
    parts = [calls + ", oldest → newest"]
    if stats.median is not None:
        parts.append(f"median {stats.median:g}")
    client = run.batch_size
    if client and stats.count:
        share = (stats.at_client_batch or 0) / stats.count
        parts.append(f"{fmt.percent(share)} at client batch {client}")
    for keep in range(len(parts), 0, -1):
        label = " · ".join(parts[:keep])
        if len(label) <= width:
            return label
    return calls


#: plot heights (content rows) under which the y axis gets 3 labels, not 5
SHORT_PLOT = 10


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``: 0, 32, 64, 96, 128."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / (count - 1)
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next((m * magnitude for m in (1, 2, 2.5, 4, 5, 8, 10) if m * magnitude >= raw), raw)
    if top in (8, 16, 32, 64, 128, 256, 512, 1024):
        step = top / (count - 1)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def integer_ticks(n: int, count: int = 5) -> list[int]:
    """Whole-number x ticks from 1 to ``n``."""
    if n <= count:
        return list(range(1, n + 1))
    step = max(1, round((n - 1) / (count - 1)))
    ticks = list(range(1, n + 1, step))
    if n - ticks[-1] < step / 2:
        ticks[-1] = n
    else:
        ticks.append(n)
    return ticks
