"""Charts over time (textual-plotext): samples/s with the baseline, engine batch sizes with the
client batch size marked."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from evalmon.state.model import RunView
from evalmon.ui.view import DashboardView

#: When the baseline is this many times above the run's best rate, plot on a log scale so
#: the run's own curve is not flattened against the axis.
LOG_SCALE_RATIO = 8.0


class ThroughputChart(PlotextPlot):
    """Windowed samples/s of the selected run over its run time, with ``--baseline`` drawn."""

    BORDER_TITLE = "Throughput · samples/s"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        series = run.throughput_series if run else ()
        average = average_series(run) if run is not None and not series else ()
        key = (series, average, view.baseline)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        label = "samples/s"
        if not series and average:
            # a log read whole keeps only each bar's last update: its average is exact
            series, label = average, "samples/s (run average)"
        if not series:
            plt.title("no throughput yet")
            self.refresh()
            return
        xs = [t / 60.0 for t, _ in series]
        ys = [v for _, v in series]
        top = max(ys)
        positive = [v for v in ys if v > 0]
        log_scale = bool(view.baseline and positive
                         and view.baseline / max(positive) >= LOG_SCALE_RATIO)
        if log_scale:
            plt.yscale("log")  # (plotext draws nothing on a log axis with an explicit ylim)
        plt.plot(xs, ys, marker="hd", color="green", label=label)
        if view.baseline:
            x_end = xs[-1] if xs[-1] > xs[0] else xs[0] + 1.0
            plt.plot([xs[0], x_end], [view.baseline] * 2, marker="hd", color="red",
                     label=f"baseline {view.baseline:g}/s")
            top = max(top, view.baseline)
        plt.xlabel("run time (min)" + (" · log scale" if log_scale else ""))
        if not log_scale:
            plt.ylim(0, top * 1.1 if top > 0 else 1.0)
        self.refresh()


def average_series(run: RunView) -> tuple[tuple[float, float], ...]:
    """The run's exact average samples/s over its request bars' elapsed time, as two points."""
    if not run.samples_per_s:
        return ()
    elapsed = sum(b.elapsed_s or 0.0 for b in run.bars if b.is_request_bar)
    if elapsed <= 0:
        return ()
    return ((0.0, run.samples_per_s), (elapsed, run.samples_per_s))


class EngineBatchChart(PlotextPlot):
    """Prompts per engine call, oldest to newest, against the client's batch size."""

    BORDER_TITLE = "Engine batch sizes · per call"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        series = run.engine_series if run else ()
        client = run.batch_size if run else None
        engine_max = run.engine_max_batch if run else None
        key = (series, client, engine_max)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not series:
            plt.title("no engine calls logged")
            self.refresh()
            return
        xs = list(range(1, len(series) + 1))
        top = max(series)
        x_end = xs[-1] if len(xs) > 1 else 2
        # limits first, the calls last: where a call reaches the limit the call is drawn
        if client:
            plt.plot([1, x_end], [client, client], marker="hd", color="yellow",
                     label=f"client batch {client}")
            top = max(top, client)
        if engine_max and engine_max != client:
            plt.plot([1, x_end], [engine_max, engine_max], marker="hd", color="magenta",
                     label=f"engine max {engine_max}")
            top = max(top, engine_max)
        plt.plot(xs, list(series), marker="hd", color="cyan", label="prompts per call")
        plt.xticks(integer_ticks(len(series)))
        plt.xlabel("engine call (oldest → newest)")
        plt.ylim(0, top * 1.15)
        plt.yticks(nice_ticks(top))
        self.refresh()


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``: 0, 32, 64, 96, 128."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / (count - 1)
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next((m * magnitude for m in (1, 2, 2.5, 4, 5, 8, 10) if m * magnitude >= raw), raw)
    if top in (8, 16, 32, 64, 128, 256, 512, 1024):
        step = top / 4
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
