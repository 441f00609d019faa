"""The ``evalmon`` command: dispatch to the subcommands.

    evalmon [PATH ...]            live dashboard over every log under PATH (default: .)
    evalmon report [PATH ...]     the same analysis, headless (table, markdown, JSON)
    evalmon run [...] -- CMD      run a job, relaunch it smaller after a GPU OOM
    evalmon demo                  the whole story on any machine, no GPU
    evalmon gpu-log DIR           write this node's GPU samples for the dashboard
    evalmon serve [PATH ...]      the dashboard in a browser

Each subcommand owns its argument parsing (``main(argv) -> int``); this module only
picks one, so ``evalmon run`` can pass everything after ``--`` through untouched.
A user mistake ends in a one-line message and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
from collections.abc import Callable, Sequence

from evalmon import __version__
from evalmon.argtypes import positive_float, positive_int

#: subcommand -> (module, function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "report": ("evalmon.cli", "report_main", "one row per run: table, markdown or JSON"),
    "run": ("evalmon.supervisor.command", "main", "run a job; after a GPU OOM, relaunch smaller"),
    "demo": ("evalmon.demo.command", "main", "simulated server + real lm-eval: OOM, relaunch"),
    "gpu-log": ("evalmon.sources.gpu_log", "main", "write GPU samples to DIR/gpu-<host>.jsonl"),
    "serve": ("evalmon.widgets.command", "serve_main", "the dashboard in a browser (loopback)"),
}

USAGE = f"""usage: evalmon [PATH ...] [options]        live dashboard (evalmon --help-dashboard)
       evalmon COMMAND [args ...]

evalmon {__version__}: follow LLM evaluation logs, see exact throughput, engine batch sizes and GPU
memory, and relaunch jobs that run out of GPU memory with a smaller batch size.

commands:
""" + "\n".join(f"  {name:<9} {help_}" for name, (_, _, help_) in COMMANDS.items()) + """

`evalmon COMMAND --help` for a command's options. A folder named like a command: `evalmon ./run`.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if args and args[0] == "--version":
        print(f"evalmon {__version__}")
        return 0
    if args and args[0] == "--help-dashboard":
        args = ["--help"]
    elif args and args[0] in COMMANDS:
        module, function, _ = COMMANDS[args[0]]
        return _call(module, function, args[1:])
    return _call("evalmon.widgets.command", "main", args)


def _call(module: str, function: str, argv: list[str]) -> int:
    try:
        entry: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
    except ImportError as exc:  # an optional part missing from this install
        print(f"evalmon: this command is not available: {exc}", file=sys.stderr)
        return 2
    try:
        return int(entry(argv) or 0)
    except KeyboardInterrupt:
        print("evalmon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `evalmon report | head`
        return 0


# ---------------------------------------------------------------------------- report


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
    from evalmon.report import ReportOptions, render_json, render_markdown, render_table
    from evalmon.sources.replay import replay

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


if __name__ == "__main__":
    sys.exit(main())
