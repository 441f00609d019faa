"""``evalmon report [PATH ...]``: the same analysis as the dashboard, headless (table, markdown,
JSON)."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from typing import TYPE_CHECKING

from evalmon.cli.argtypes import positive_float, positive_int
from evalmon.cli.dashboard import add_metrics_options
from evalmon.text import inert

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evalmon.pipeline import Replay
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
    attempts = _recorded_attempts(paths)
    result = replay(paths, observe=finder.observe if finder is not None else None,
                    cuts=_attempt_starts(attempts))
    for error in result.errors:
        print(f"evalmon report: {inert(error, 500)}", file=sys.stderr)
    if result.errors and not result.files:
        return 2
    for warning in result.warnings:
        print(f"evalmon report: warning: {inert(warning, 500)}", file=sys.stderr)
    _scrape_metrics(args, result.state, finder)
    _apply_launcher_word(result.state, result.files, attempts)
    snapshot = result.state.snapshot()
    options = ReportOptions(baseline=args.baseline, samples=args.samples, per=args.per)
    # the table and markdown add the attempts table when the logs alone do not show every
    # attempt (a job that is not lm-eval); JSON always lists them
    from evalmon.report import build_rows

    shown = attempts if len(build_rows(snapshot, options)) < sum(
        len(rows) for _, rows in attempts) else []
    if args.format == "json":
        text = render_json(snapshot, options)
        if attempts:
            import json

            data = json.loads(text)
            data["attempts"] = [row for _, rows in attempts for row in rows]
            text = json.dumps(data, indent=2) + "\n"
        sys.stdout.write(text)
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(snapshot, options))
        for title, table in _attempt_tables(shown):
            sys.stdout.write(f"\n### {title}\n\n```\n{table}\n```\n")
    else:
        # fit the terminal when there is one; a pipe or file gets the full width
        width = args.width or (shutil.get_terminal_size().columns if sys.stdout.isatty() else None)
        sys.stdout.write(render_table(snapshot, options, width=width))
        for title, table in _attempt_tables(shown):
            sys.stdout.write(f"\n{title}\n{table}\n")
    if not result.files and not args.metrics:
        print("evalmon report: no log files found", file=sys.stderr)
    else:
        from evalmon.report import server_runs

        if not (build_rows(snapshot, options) or server_runs(snapshot) or attempts
                or args.metrics):
            # an empty table alone reads as a bug: say what was read and why nothing came of it
            print(f"evalmon report: {nothing_found(paths, result)}", file=sys.stderr)
    return 0


def nothing_found(paths: list[str], result: Replay) -> str:
    """One line on why the report is empty: how many files were read and what was in them."""
    import os

    from evalmon.fmt import count
    from evalmon.sources.paths import DEFAULT_PATTERNS

    where = ", ".join(inert(p, 200) for p in paths)
    skipped = len(result.files) - result.read
    # the names matter only where evalmon chose the files: a file named is read whatever its name
    chosen = any(not os.path.isfile(os.path.expanduser(p)) for p in paths)
    notes = [", ".join(DEFAULT_PATTERNS)] if chosen else []
    if skipped:
        notes.append(f"{skipped} {'more ' if result.read else ''}skipped, see the warnings above")
    read = f"read {count(result.read)} file{'' if result.read == 1 else 's'}"
    if notes:
        read += f" ({'; '.join(notes)})"
    if result.recognised:
        why = (f"{result.recognised} had lines evalmon knows (GPU samples ...) "
               "but no eval client or inference server")
    elif result.read == 1:
        why = "it had no lm-eval, inference-server or SLURM lines"
    else:
        why = "none had lm-eval, inference-server or SLURM lines"
    return f"no eval or server logs found in {where}: {read}, {why}"


def _scrape_metrics(
    args: argparse.Namespace, state: EvalState, finder: EndpointFinder | None
) -> None:
    """The servers' /metrics into the state: each --metrics URL (its failure is a warning
    and a state), and each server the logs say listens on this host, if it answers."""
    found = finder.endpoints() if finder is not None else []
    if not args.metrics and not found:
        return
    from evalmon.sources.metrics import as_batch, scrape_twice

    results = scrape_twice(args.metrics, found, interval_s=args.metrics_interval)
    warned: set[str] = set()
    for result in results:
        if result.error and result.url not in warned:
            warned.add(result.url)
            print(f"evalmon report: warning: {inert(result.url, 200)}: {result.error}",
                  file=sys.stderr)
        state.apply_batch(as_batch(result))


def _recorded_attempts(paths: list[str]) -> list[tuple[str, list[dict]]]:
    """Every attempt `evalmon run` recorded in the given folders, with its outcome: any job
    under evalmon run (lm-eval or not) is in the report, each attempt as it ended."""
    import os

    from evalmon.supervisor.record import RecordError, attempt_to_json, read_record, record_path

    found = []
    for path in paths:
        if not os.path.isfile(record_path(path)):
            continue
        try:
            sessions = read_record(path).sessions
        except RecordError as exc:
            print(f"evalmon report: warning: {inert(str(exc), 500)}", file=sys.stderr)
            continue
        rows = []
        for session in sessions:
            for attempt in session.ordered_attempts():
                row = attempt_to_json(attempt)
                row.update(log_dir=path, session=session.session_id,
                           session_state=session.final_state or "unfinished",
                           duration_s=attempt.duration_s)
                rows.append(row)
        if rows:
            found.append((path, rows))
    return found


def _attempt_starts(found: list[tuple[str, list[dict]]]) -> dict[str, list[int]]:
    """Where each recorded attempt began appending to a file another attempt wrote before
    (the same command run twice in one folder): the report judges each attempt's lines on
    their own, as the supervisor did."""
    import os

    starts: dict[str, list[int]] = {}
    for _, rows in found:
        for row in rows:
            for item in row.get("log_offsets") or ():
                with contextlib.suppress(TypeError, ValueError):
                    path, offset = str(item[0]), int(item[1])
                    if offset > 0:
                        starts.setdefault(os.path.realpath(path), []).append(offset)
    return starts


def _apply_launcher_word(state: EvalState, files: Sequence[str],
                         found: list[tuple[str, list[dict]]]) -> None:
    """What evalmon run recorded of each attempt and its log may not say (the batch size it
    gave it, how it ended), applied to the attempt's own files, as on the dashboard."""
    import os

    from evalmon.events import FileBatch, Located
    from evalmon.pipeline import launcher_events
    from evalmon.supervisor.record import attempt_from_json

    read = {os.path.realpath(f): f for f in files}
    for _, rows in found:
        for row in rows:
            attempt = attempt_from_json(dict(row))  # the report's own keys are left out
            events = tuple(Located(0, event) for _, event in launcher_events(attempt))
            for path in attempt.log_files if events else ():
                replayed = read.get(os.path.realpath(path))
                if replayed is not None:
                    state.apply_batch(FileBatch(replayed, events))


def _attempt_tables(found: list[tuple[str, list[dict]]]) -> list[tuple[str, str]]:
    from evalmon.cli.run import summary_table
    from evalmon.supervisor.model import SupervisorStatus
    from evalmon.supervisor.record import attempt_from_json

    tables = []
    for path, rows in found:
        by_session: dict[str, list[dict]] = {}
        for row in rows:
            by_session.setdefault(row["session"], []).append(row)
        for session, items in by_session.items():
            attempts = tuple(attempt_from_json(dict(r)) for r in items)
            state = items[-1]["session_state"]
            status = SupervisorStatus(command=(), log_dir=path, state="running",
                                      attempts=attempts)
            title = f"evalmon run attempts in {inert(path, 200)} (session {session}: {state})"
            tables.append((title, summary_table(status)))
    return tables
