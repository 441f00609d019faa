"""The ``evalmon`` command: dispatch to the subcommands, one module each.

    evalmon [PATH ...]            live dashboard over every log under PATH (default: .)
    evalmon report [PATH ...]     the same analysis, headless (table, markdown, JSON)
    evalmon run [...] -- CMD      run a job, relaunch it smaller after a GPU OOM
    evalmon tune [...] -- CMD     short OOM-safe trials: the Performance Table, what to use
    evalmon demo                  the whole story on any machine, no GPU
    evalmon gpu-log DIR           write this node's GPU samples for the dashboard
    evalmon serve [PATH ...]      the dashboard in a browser
    evalmon export [PATH ...]     the figures as Prometheus series (--port, --textfile)

Each subcommand owns its argument parsing (``main(argv) -> int``); this module only
picks one, so ``evalmon run`` can pass everything after ``--`` through untouched.
A user mistake ends in a one-line message and a non-zero status, never a traceback.

A subcommand's module is imported only when it runs (Textual alone takes a good part of a
second to import), by the small loader below that names it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from evalmon import __version__

#: a subcommand's entry point: ``main(argv) -> exit status``
Entry = Callable[[list[str]], int]


def _dashboard() -> Entry:
    from evalmon.cli.dashboard import main

    return main


def _report() -> Entry:
    from evalmon.cli.report import report_main

    return report_main


def _run() -> Entry:
    from evalmon.cli.run import main

    return main


def _tune() -> Entry:
    from evalmon.cli.tune import main

    return main


def _demo() -> Entry:
    from evalmon.cli.demo import main

    return main


def _gpu_log() -> Entry:
    from evalmon.cli.gpu_log import main

    return main


def _serve() -> Entry:
    from evalmon.cli.dashboard import serve_main

    return serve_main


def _export() -> Entry:
    from evalmon.cli.export import main

    return main


#: subcommand -> (loader of its entry point, one-line help)
COMMANDS: dict[str, tuple[Callable[[], Entry], str]] = {
    "report": (_report, "one row per run: table, markdown or JSON"),
    "run": (_run, "run a job; after a GPU OOM, relaunch smaller"),
    "tune": (_tune, "short OOM-safe trials: the fastest batch size and concurrency"),
    "demo": (_demo, "simulated server + real lm-eval: OOM, relaunch"),
    "gpu-log": (_gpu_log, "write GPU samples to DIR/gpu-<host>.jsonl"),
    "serve": (_serve, "the dashboard in a browser (loopback)"),
    "export": (_export, "the figures as Prometheus series (/metrics, textfile)"),
}

USAGE = f"""usage: evalmon [PATH ...] [options]        live dashboard (evalmon --help-dashboard)
       evalmon COMMAND [args ...]

evalmon {__version__}: follow LLM evaluation logs, see exact throughput, engine batch sizes and GPU
memory, and relaunch jobs that run out of GPU memory with a smaller batch size.

commands:
""" + "\n".join(f"  {name:<9} {help_}" for name, (_, help_) in COMMANDS.items()) + """

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
        load, _ = COMMANDS[args[0]]
        return _call(load, args[1:])
    return _call(_dashboard, args)


def _call(load: Callable[[], Entry], argv: list[str]) -> int:
    from evalmon.pipeline import keep_compiled_scans

    keep_compiled_scans()
    try:
        entry = load()
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
