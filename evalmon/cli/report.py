"""``evalmon report [PATH ...]``: the same analysis as the dashboard, headless (table, markdown,
JSON)."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING

from evalmon.cli.argtypes import positive_float, positive_int
from evalmon.cli.dashboard import add_metrics_options

if TYPE_CHECKING:
    from evalmon.sources.metrics import EndpointFinder
    from evalmon.state import EvalState


def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalmon report",
        description="Analyse eval-client and inference-server logs headlessly: one row per run "
        "(the files of one job) with its configuration, requests/s and documents/s (per request "
        "type below the table), speedup over runs that did the same work, time for N requests "
        "or documents, engine batch sizes, OOMs, status and metrics.",
    )
    parser.add_argument("paths", nargs="*", default=[], metavar="PATH",
                        help="log files, folders (searched recursively) or glob patterns; "
                        "default: . (none with --metrics)")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--baseline", type=positive_float, metavar="REQUESTS_PER_S",
                        help="reference requests/s for the speedup column (else the slowest of "
                        "the runs that did the same work)")
    parser.add_argument("-n", "--samples", dest="samples", type=positive_int, default=1000,
                        metavar="N", help="N for the 'time for N' column (default 1000)")
    parser.add_argument("--per", choices=("requests", "docs"), default="requests",
                        help="what the 'time for N' column counts: requests sent to the model "
                        "(default; a multiple-choice document is several) or documents")
    parser.add_argument("--width", type=positive_int, metavar="COLUMNS",
                        help="table width (default: 200)")
    add_metrics_options(parser, interval_help="scrape twice, S seconds apart, for rates "
                        "(default: one scrape: gauges and totals, no rates)")
    return parser


def report_main(argv: list[str]) -> int:
    from evalmon.pipeline import replay
    from evalmon.report import ReportOptions, render_json, render_markdown, render_table

    args = report_parser().parse_args(argv)
    paths = args.paths or ([] if args.metrics else ["."])
    finder = None
    if not args.no_metrics:
        from evalmon.sources.metrics import EndpointFinder

        finder = EndpointFinder()
    result = replay(paths, observe=finder.observe if finder is not None else None)
    for error in result.errors:
        print(f"evalmon report: {error}", file=sys.stderr)
    if result.errors and not result.files:
        return 2
    for warning in result.warnings:
        print(f"evalmon report: warning: {warning}", file=sys.stderr)
    _scrape_metrics(args, result.state, finder)
    snapshot = result.state.snapshot()
    options = ReportOptions(baseline=args.baseline, samples=args.samples, per=args.per)
    if args.format == "json":
        sys.stdout.write(render_json(snapshot, options))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(snapshot, options))
    else:
        # fit the terminal when there is one; a pipe or file gets the full width
        width = args.width or (shutil.get_terminal_size().columns if sys.stdout.isatty() else None)
        sys.stdout.write(render_table(snapshot, options, width=width))
    if not result.files and not args.metrics:
        print("evalmon report: no log files found", file=sys.stderr)
    return 0


def _scrape_metrics(
    args: argparse.Namespace, state: EvalState, finder: EndpointFinder | None
) -> None:
    """The servers' /metrics into the state: each --metrics URL (its failure is a warning
    and a state), and each server the logs say listens on this host, if it answers."""
    found = finder.endpoints() if finder is not None else []
    if not args.metrics and not found:
        return
    from evalmon.sources.metrics import as_batch, scrape_twice
    from evalmon.text import inert

    results = scrape_twice(args.metrics, found, interval_s=args.metrics_interval)
    warned: set[str] = set()
    for result in results:
        if result.error and result.url not in warned:
            warned.add(result.url)
            print(f"evalmon report: warning: {inert(result.url, 200)}: {result.error}",
                  file=sys.stderr)
        state.apply_batch(as_batch(result))
