"""``evalmon export``: evalmon's figures as Prometheus series, headless; and the exporter,
GPU-metrics and notification options the other commands share.

    evalmon export [--port PORT] [--host ADDR] [--textfile DIR] [--interval S] PATH ...

With ``--port`` (and/or ``--textfile``) it follows the logs and serves (writes) the series
until stopped; with neither it reads the logs once and prints the series (cron, CI).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from evalmon.export import (
    LOOPBACK,
    EvalCollector,
    Exporter,
    add_exporter_options,
    exposition,
    start_exporter,
)

DEFAULT_LINGER_S = 15.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="evalmon export",
        description="evalmon's figures (requests done, rates, ETA, last progress, HTTP "
        "statuses, OOMs, engine queue and KV cache) as Prometheus series: served on --port, "
        "written for node_exporter's textfile collector (--textfile), or printed once.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="log files or folders")
    p.add_argument("--port", type=int, default=None, help="serve /metrics on PORT")
    p.add_argument("--host", default=LOOPBACK,
                   help="address for --port (default 127.0.0.1)")
    p.add_argument("--textfile", default=None, metavar="DIR",
                   help="write DIR/evalmon-<host>.prom atomically every --interval")
    p.add_argument("--interval", type=float, default=15.0, metavar="S",
                   help="seconds between textfile writes (default 15)")
    p.add_argument("--stall-after", type=float, default=120.0, metavar="S",
                   help=argparse.SUPPRESS)
    return p


def main(argv: list[str]) -> int:
    ns = build_parser().parse_args(argv)
    from evalmon.cli.dashboard import check_paths

    paths = check_paths(ns.paths, prog="evalmon export")
    if paths is None:
        return 2
    if ns.port is None and not ns.textfile:
        from evalmon.pipeline import scan

        snapshot = scan(paths)
        sys.stdout.write(exposition(EvalCollector(lambda: snapshot)))
        return 0
    if ns.interval <= 0:
        print("evalmon export: --interval must be positive", file=sys.stderr)
        return 2
    from evalmon.pipeline import Monitor

    monitor = Monitor(paths, stall_after_s=ns.stall_after)
    opts = argparse.Namespace(metrics_port=ns.port, metrics_host=ns.host, textfile=ns.textfile)
    monitor.start()
    stop = threading.Event()
    try:
        exporter = start_exporter(opts, monitor.snapshot, prog="evalmon export")
        if exporter is None:
            return 1
        if exporter.textfile:
            exporter.textfile_interval_s = ns.interval
            print(f"evalmon export: writing {exporter.textfile} every {ns.interval:g} s",
                  file=sys.stderr)
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                signal.signal(s, lambda *_: stop.set())
        while not stop.wait(0.5):
            pass
        exporter.close()
        return 0
    finally:
        monitor.stop()


# ---------------------------------------------------------------------------- shared options


def add_gpu_metrics_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gpu-metrics", action="append", default=[], metavar="URL",
        help="a DCGM exporter or nvitop-exporter /metrics as a GPU source for a remote node, "
        "e.g. http://node7:9400/metrics (repeatable)")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``evalmon run``'s exporter, GPU-metrics and notification options."""
    add_exporter_options(parser)
    parser.add_argument(
        "--metrics-linger", type=float, default=DEFAULT_LINGER_S, metavar="S",
        help="after the job: keep /metrics up until it was scraped once more (the final "
        f"figures), at most S seconds (default {DEFAULT_LINGER_S:g}; only if it was scraped)")
    add_gpu_metrics_option(parser)
    parser.add_argument(
        "--notify", action="append", default=[], metavar="URL",
        help="send OOM/stall relaunches, gave up and finished to an apprise URL (Slack, "
        "Discord, mailto://, ntfy://, json:// webhooks; repeatable)")
    parser.add_argument("--notify-interval", type=float, default=60.0, metavar="S",
                        help="at most one relaunch message of a kind per S seconds (default 60)")


def wants_state(ns: argparse.Namespace) -> bool:
    """The exporter reads the monitor's state: a headless run must then reduce too."""
    return getattr(ns, "metrics_port", None) is not None or bool(getattr(ns, "textfile", None))


def start_gpu_metrics(urls: list[str], monitor: Any, *, prog: str,
                      say: Callable[[str], None] | None = None) -> list[Any]:
    """Pollers feeding the monitor's state with GPU samples from ``urls``; a failing URL is
    one line (and a GPU-panel row), never an error."""
    if not urls:
        return []
    from evalmon.events import GpuUnavailable
    from evalmon.sources.dcgm import GpuMetricsPoller, GpuResult
    from evalmon.sources.metrics import url_error
    from evalmon.text import inert

    def line(text: str) -> None:
        (say or (lambda t: print(t, file=sys.stderr, flush=True)))(f"{prog}: {inert(text, 300)}")

    def feed(result: GpuResult) -> None:
        samples = [result] if isinstance(result, GpuUnavailable) else list(result)
        monitor.state.apply_samples(samples, monitor.clock())

    pollers = []
    for url in urls:
        from evalmon.sources.metrics import normalize_url

        error = url_error(normalize_url(url))
        if error:
            line(f"--gpu-metrics {url}: {error} (ignored)")
            continue
        poller = GpuMetricsPoller(url, feed, on_change=line)
        poller.start()
        pollers.append(poller)
    return pollers


class RunExtras:
    """What ``evalmon run``'s options add around the supervisor: the exporter, the GPU
    metrics pollers and the notifications. Nothing here can stop or delay the job: each part
    that cannot start says so in one line and the run goes on without it."""

    def __init__(self, ns: argparse.Namespace, monitor: Any) -> None:
        self.ns = ns
        self.monitor = monitor
        self.exporter: Exporter | None = None
        self.watcher: Any = None
        self.notifier: Any = None
        self.gpu_pollers: list[Any] = []
        self._status: Callable[[], Any] | None = None

    def attach(self, supervisor: Any) -> None:
        ns = self.ns
        self._status = supervisor.status
        self.exporter = start_exporter(ns, self.monitor.snapshot, supervisor.status,
                                       prog="evalmon run")
        # under the dashboard its GPU panel says what a failing URL does; headless: one line
        say = None if getattr(ns, "headless", True) else (lambda _line: None)
        self.gpu_pollers = start_gpu_metrics(list(getattr(ns, "gpu_metrics", []) or []),
                                             self.monitor, prog="evalmon run", say=say)
        urls = list(getattr(ns, "notify", []) or [])
        if urls:
            try:
                from evalmon.notify import Notifier, StatusWatcher
            except ImportError as exc:
                print(f"evalmon run: --notify needs apprise ({exc}); no notifications",
                      file=sys.stderr)
                return
            from evalmon.cli.run import summary_table

            self.notifier = Notifier(urls, min_interval_s=ns.notify_interval)
            if self.notifier.active:
                self.watcher = StatusWatcher(supervisor.status, self.notifier,
                                             table=summary_table)
                self.watcher.start()

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.notifier is not None:
            self.notifier.close()
        for poller in self.gpu_pollers:
            poller.stop()
        if self.exporter is not None:
            self.exporter.linger(getattr(self.ns, "metrics_linger", 0.0) or 0.0)
            self.exporter.close()
