"""``evalmon [PATH ...]`` (the live dashboard) and ``evalmon serve`` (the same in a browser).

A user mistake (a missing path, a negative interval) ends in one line and exit status 2,
never a traceback. An empty folder is not a mistake: the dashboard opens and waits for logs.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys
from collections.abc import Sequence

from evalmon.cli.argtypes import positive_float
from evalmon.text import inert

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def add_dashboard_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="log files, folders (searched recursively) or glob patterns; default: .",
    )
    parser.add_argument(
        "--baseline", type=positive_float, metavar="REQUESTS_PER_S",
        help="requests/s to compare with (the speedup column), e.g. 127 for HuggingFace",
    )
    parser.add_argument(
        "--stall-after", type=positive_float, default=120.0, metavar="S",
        help="warn when a running job makes no progress for S seconds (default 120)",
    )
    parser.add_argument(
        "--poll-interval", type=positive_float, default=0.25, metavar="S",
        help="how often files are checked for new lines when inotify is blind (default 0.25)",
    )
    parser.add_argument("--no-gpu", action="store_true", help="do not sample GPUs (NVML)")
    parser.add_argument(
        "--gpu-interval", type=positive_float, default=1.0, metavar="S",
        help="seconds between GPU samples (default 1)",
    )
    add_metrics_options(parser, interval_default=2.0,
                        interval_help="seconds between /metrics scrapes (default 2)")
    from evalmon.cli.export import add_gpu_metrics_option
    from evalmon.export import add_exporter_options

    add_exporter_options(parser)  # --metrics-port, --metrics-host, --textfile
    add_gpu_metrics_option(parser)  # --gpu-metrics URL: a DCGM / nvitop-exporter endpoint


def add_metrics_options(parser: argparse.ArgumentParser, *, interval_default: float | None = None,
                        interval_help: str) -> None:
    """``--metrics URL`` (repeatable), ``--no-metrics`` and ``--metrics-interval S``: the same
    words on every command that reads servers' Prometheus ``/metrics``."""
    parser.add_argument(
        "--metrics", action="append", default=[], metavar="URL",
        help="a server's Prometheus /metrics (vLLM, SGLang, TGI), e.g. http://127.0.0.1:8000/"
        "metrics (host:port is enough; repeatable)",
    )
    parser.add_argument(
        "--no-metrics", action="store_true",
        help="do not scrape the /metrics of servers whose logs say they listen on this host",
    )
    parser.add_argument("--metrics-interval", type=positive_float, default=interval_default,
                        metavar="S", help=interval_help)


def dashboard_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evalmon",
        description="Live dashboard over LLM evaluation logs: runs, exact samples/s, engine "
        "batch sizes, GPU memory, OOMs and advice. Keys: q quit, p pause, / filter the log, "
        "n/N next/previous run, ? help, ctrl+p command palette.",
    )
    add_dashboard_options(parser)
    return parser


def check_paths(paths: Sequence[str], prog: str = "evalmon") -> list[str] | None:
    """The paths to watch, or None after printing one line per unusable path.

    Only a path given on the command line can be unusable; a folder below it that cannot be
    listed (permission denied, a name over PATH_MAX) is a warning, as in ``evalmon report``,
    and the rest is watched."""
    from evalmon.sources.paths import resolve_paths

    _, errors = resolve_paths(list(paths))
    given = {p for raw in paths for p in (raw, os.path.expanduser(raw))}
    fatal = []
    for error in errors:
        if error.startswith("not a regular file"):
            continue
        subject = error.split(": ", 1)[-1]
        if subject in given or error.startswith("no files match"):
            fatal.append(error)
        else:
            print(f"{prog}: warning: {inert(error, 300)} (skipped)", file=sys.stderr)
    for error in fatal:
        print(f"{prog}: {inert(error, 300)}", file=sys.stderr)
    return None if fatal else list(paths)


def main(argv: Sequence[str] | None = None) -> int:
    """``evalmon [PATH ...] [--baseline X] [--stall-after S] [--poll-interval S] [--no-gpu]
    [--gpu-interval S] [--metrics URL ...] [--no-metrics] [--metrics-interval S]``."""
    args = dashboard_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    paths = check_paths(args.paths or ["."])
    if paths is None:
        return 2
    if not _has_terminal():
        print("evalmon: the dashboard needs a terminal; for a headless summary use "
              "`evalmon report PATH`", file=sys.stderr)
        return 2
    from evalmon.pipeline import Monitor
    from evalmon.ui.app import run_dashboard

    monitor = Monitor(paths, stall_after_s=args.stall_after, poll_interval_s=args.poll_interval)
    monitor.scrape_metrics(args.metrics, discover=not args.no_metrics,
                           interval_s=args.metrics_interval)
    from evalmon.cli.export import start_gpu_metrics
    from evalmon.export import start_exporter

    # the GPU panel shows a failing --gpu-metrics URL; the exporter's one line comes first
    gpu_pollers = start_gpu_metrics(args.gpu_metrics, monitor, prog="evalmon", say=_quiet)
    exporter = start_exporter(args, monitor.snapshot)
    try:
        return run_dashboard(
            paths,
            baseline=args.baseline,
            stall_after_s=args.stall_after,
            poll_interval_s=args.poll_interval,
            gpu=not args.no_gpu,
            gpu_interval_s=args.gpu_interval,
            monitor=monitor,
        )
    finally:
        for poller in gpu_pollers:
            poller.stop()
        if exporter is not None:
            exporter.close()
        monitor.stop()


def _quiet(line: str) -> None:
    """Lines printed under a full-screen dashboard would tear it: the panel says it."""


def _has_terminal() -> bool:
    # textual-serve runs the app without a tty and says so through TEXTUAL_DRIVER
    return sys.stdout.isatty() or bool(os.environ.get("TEXTUAL_DRIVER"))


# ---------------------------------------------------------------------------- serve


def serve_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evalmon serve",
        description="Serve the dashboard to a web browser (textual-serve). Loopback only by "
        "default: whoever reaches the port sees the logs.",
    )
    add_dashboard_options(parser)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default 8000")
    parser.add_argument("--host", default=LOOPBACK, help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--max-sessions", type=int, default=3, metavar="N",
        help="browser sessions at once, each one a dashboard process (default 3)",
    )
    return parser


def dashboard_command(args: argparse.Namespace, paths: Sequence[str]) -> str:
    """The shell command textual-serve runs for each browser session: every argument quoted,
    paths after ``--``, so no path can become an option or shell syntax."""
    argv = [sys.executable, "-m", "evalmon.cli.dashboard"]
    if args.baseline is not None:
        argv += ["--baseline", repr(args.baseline)]
    argv += ["--stall-after", repr(args.stall_after), "--poll-interval", repr(args.poll_interval),
             "--gpu-interval", repr(args.gpu_interval)]
    if args.no_gpu:
        argv.append("--no-gpu")
    for url in args.metrics:
        argv.append(f"--metrics={url}")  # one word: a URL cannot become an option
    for url in getattr(args, "gpu_metrics", []):
        argv.append(f"--gpu-metrics={url}")
    if args.no_metrics:
        argv.append("--no-metrics")
    argv += ["--metrics-interval", repr(args.metrics_interval)]
    argv += ["--", *(os.path.abspath(p) for p in paths)]
    return " ".join(shlex.quote(a) for a in argv)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_main(argv: Sequence[str] | None = None) -> int:
    """``evalmon serve [PATH ...] [--port 8000] [--host 127.0.0.1] [--max-sessions 3]``:
    the page and its websocket need the token printed at start; see ``serving.py``."""
    args = serve_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not 0 < args.port < 65536:
        print(f"evalmon serve: port out of range: {args.port}", file=sys.stderr)
        return 2
    if args.max_sessions < 1:
        print(f"evalmon serve: --max-sessions must be at least 1: {args.max_sessions}",
              file=sys.stderr)
        return 2
    paths = check_paths(args.paths or ["."], prog="evalmon serve")
    if paths is None:
        return 2
    from evalmon.cli.serving import GuardedServer, new_token

    if not is_loopback(args.host):
        print(f"evalmon serve: listening on {args.host}: anyone who can reach port {args.port} "
              "and has the token below can read these logs", file=sys.stderr)
    # the address with its token is printed once the server listens
    server = GuardedServer(dashboard_command(args, paths), host=args.host, port=args.port,
                           token=new_token(), max_sessions=args.max_sessions)
    exporter = _serve_exporter(args, paths)  # evalmon's series, from this process's own reading
    try:
        server.serve()
    except OSError as exc:
        print(f"evalmon serve: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if exporter is not None:
            exporter[0].close()
            exporter[1].stop()
    return 0


def _serve_exporter(args: argparse.Namespace, paths: Sequence[str]) -> tuple | None:
    """``evalmon serve --metrics-port``: one Monitor in the serve process feeds the exporter
    (each browser session is a dashboard process of its own)."""
    if args.metrics_port is None and not args.textfile:
        return None
    from evalmon.export import start_exporter
    from evalmon.pipeline import Monitor

    monitor = Monitor(paths, stall_after_s=args.stall_after, poll_interval_s=args.poll_interval)
    monitor.start()
    exporter = start_exporter(args, monitor.snapshot, prog="evalmon serve")
    if exporter is None:
        monitor.stop()
        return None
    return exporter, monitor


if __name__ == "__main__":  # what `evalmon serve` runs for each browser session
    raise SystemExit(main(sys.argv[1:]))
