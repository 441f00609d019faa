"""Charts over time (textual-plotext): samples/s with the baseline, engine batch sizes with the
client batch size marked."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from evalmon.widgets.view import DashboardView

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
        key = (series, view.baseline)
        if key == self._last:
            return
        self._last = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not series:
            plt.title("no throughput yet")
            self.refresh()
            return
        xs = [t / 60.0 for t, _ in series]
        ys = [v for _, v in series]
        plt.plot(xs, ys, marker="braille", color="green", label="samples/s")
        top = max(ys)
        log_scale = False
        if view.baseline:
            x_end = xs[-1] if xs[-1] > xs[0] else xs[0] + 1.0
            plt.plot([xs[0], x_end], [view.baseline] * 2, marker="braille", color="red",
                     label=f"baseline {view.baseline:g}/s")
            positive = [v for v in ys if v > 0]
            log_scale = bool(positive) and view.baseline / max(positive) >= LOG_SCALE_RATIO
            top = max(top, view.baseline)
        plt.xlabel("run time (min)")
        if log_scale:
            plt.yscale("log")
            plt.ylim(min(v for v in ys if v > 0) * 0.5, top * 2)
        else:
            plt.ylim(0, top * 1.1 if top > 0 else 1.0)
        self.refresh()


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
        plt.plot(xs, list(series), marker="braille", color="cyan", label="prompts per call")
        top = max(series)
        x_end = xs[-1] if len(xs) > 1 else 2
        if client:
            plt.plot([1, x_end], [client, client], marker="braille", color="yellow",
                     label=f"client batch {client}")
            top = max(top, client)
        if engine_max and engine_max != client:
            plt.plot([1, x_end], [engine_max, engine_max], marker="braille", color="magenta",
                     label=f"engine max {engine_max}")
            top = max(top, engine_max)
        plt.xlabel("engine call")
        plt.ylim(0, top * 1.15)
        self.refresh()
