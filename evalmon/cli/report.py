"""``evalmon report [PATH ...]``: the same analysis as the dashboard, headless (table, markdown,
JSON)."""

from __future__ import annotations

import argparse
import shutil
import sys

from evalmon.cli.argtypes import positive_float, positive_int


def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalmon report",
        description="Analyse eval-client and inference-server logs headlessly: one row per run "
        "(the files of one job) with its configuration, samples/s, speedup, time for N samples, "
        "engine batch sizes, OOMs, status and metrics.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="log files, folders (searched recursively) or glob patterns")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--baseline", type=positive_float, metavar="SAMPLES_PER_S",
                        help="reference samples/s for the speedup column (else the slowest run)")
    parser.add_argument("--samples", type=positive_int, default=1000, metavar="N",
                        help="N for the 'time for N samples' column (default 1000)")
    parser.add_argument("--width", type=positive_int, metavar="COLUMNS",
                        help="table width (default: 200)")
    return parser


def report_main(argv: list[str]) -> int:
    from evalmon.pipeline import replay
    from evalmon.report import ReportOptions, render_json, render_markdown, render_table

    args = report_parser().parse_args(argv)
    result = replay(args.paths)
    for error in result.errors:
        print(f"evalmon report: {error}", file=sys.stderr)
    if result.errors and not result.files:
        return 2
    for warning in result.warnings:
        print(f"evalmon report: warning: {warning}", file=sys.stderr)
    snapshot = result.state.snapshot()
    options = ReportOptions(baseline=args.baseline, samples=args.samples)
    if args.format == "json":
        sys.stdout.write(render_json(snapshot, options))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(snapshot, options))
    else:
        # fit the terminal when there is one; a pipe or file gets the full width
        width = args.width or (shutil.get_terminal_size().columns if sys.stdout.isatty() else None)
        sys.stdout.write(render_table(snapshot, options, width=width))
    if not result.files:
        print("evalmon report: no log files found", file=sys.stderr)
    return 0
