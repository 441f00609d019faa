"""``evalmon tune``: short, OOM-safe trials over batch size, concurrency and variables; the
Performance Table and the configuration to use.

    evalmon tune [options] -- COMMAND [ARGS ...]
    evalmon tune --slurm SCRIPT.sbatch [options] [-- SCRIPT ARGS ...]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace

from evalmon import fmt
from evalmon.cli.run import split_command
from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor import tune as tune_mod
from evalmon.supervisor.memory import Memory, describe, job_of, job_text, setup_text
from evalmon.supervisor.tune import AutoSearch, TuneError, Tuner, TuneSpec
from evalmon.text import inert

EPILOG = """\
examples:
  evalmon tune --batch-size 8,64,128,256 --concurrency 1,4 --limit 50 -- \\
      lm_eval run --model local-completions --tasks t \\
      --model_args model=m,base_url=http://127.0.0.1:5000/v1/completions
  evalmon tune --slurm scripts/evals/eval.sbatch --batch-env BATCH_SIZE \\
      --tie INFERENCE_MAX_BATCH=batch_size --batch-size 64,128,256 \\
      --var tokenized_requests=False,True
  evalmon tune --batch-size auto --limit 200 -- lm_eval run ...

Trials run one at a time under `evalmon run`'s safety (own process group or SLURM job, one
attempt: an OOM marks the configuration `oom`). The axes are tuned one after another in the
order batch size, concurrency, each --var, each at the fastest configuration so far. The record
is LOG_DIR/tune.json; the same command again resumes it without repeating a trial.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evalmon tune",
        description="Find the fastest batch size and concurrency for an eval job with short, "
        "OOM-safe trials; print the Performance Table and the lines to paste.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--batch-size", default=None, metavar="LIST|auto",
                   help="batch sizes to try, e.g. 8,64,128,256; or auto (double until an OOM, "
                   "then bisect)")
    p.add_argument("--concurrency", default=None, metavar="LIST",
                   help="lm-eval num_concurrent values, e.g. 1,4 (NUM_CONCURRENT for a script)")
    p.add_argument("--var", action="append", default=[], metavar="NAME=v1,v2",
                   help="another axis: an environment variable (UPPER_CASE, or any name for a "
                   "script), a model_args key (lower_case, lm-eval) or an lm-eval flag (--name)")
    p.add_argument("--tie", action="append", default=[], metavar="NAME=batch_size",
                   help="NAME follows an axis, e.g. INFERENCE_MAX_BATCH=batch_size")
    p.add_argument("--batch-env", action="append", default=[], metavar="NAME",
                   help="environment variable that carries the batch size (repeatable)")
    p.add_argument("--concurrency-env", default="NUM_CONCURRENT", metavar="NAME",
                   help="variable that carries --concurrency for a script (default NUM_CONCURRENT)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="lm-eval --limit N per trial (EVALMON_LIMIT for a script)")
    p.add_argument("--time-box", type=float, default=None, metavar="SECONDS",
                   help="stop each trial this long after its first request and measure what "
                   "it served (a slow start does not count)")
    p.add_argument("--budget", type=float, default=None, metavar="MINUTES",
                   help="stop the sweep after this long: a partial table, exit 0")
    p.add_argument("--baseline", default=None, metavar="CONFIG|RATE",
                   help="speedup against this trial (batch_size=64) or requests/s (5.25); "
                   "default: the first that ran")
    p.add_argument("--min-gain", type=float, default=5.0, metavar="PERCENT",
                   help="a step that gains less stops the climb on that axis (default 5)")
    p.add_argument("--time-for", type=int, default=1000, metavar="N",
                   help="the table's 'time for N' requests (default 1000)")
    p.add_argument("--auto-start", type=int, default=None, metavar="N",
                   help="--batch-size auto: the first size (default 8)")
    p.add_argument("--auto-max", type=int, default=4096, metavar="N",
                   help="--batch-size auto: never above this (default 4096)")
    p.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    p.add_argument("--log-dir", default=None,
                   help="trials, their logs and tune.json (default ./evalmon-tune)")
    p.add_argument("--watch", action="append", default=[], metavar="PATH",
                   help="another log to watch for OOMs, e.g. the server's log (repeatable)")
    p.add_argument("--slurm", default=None, metavar="SCRIPT.sbatch",
                   help="submit each trial with sbatch --export of its variables")
    p.add_argument("--sbatch-arg", action="append", default=[], metavar="ARG",
                   help="extra sbatch argument (repeatable)")
    p.add_argument("--grace", type=float, default=10.0,
                   help="seconds between SIGTERM and SIGKILL when a trial is stopped")
    p.add_argument("--history", action="store_true",
                   help="what earlier sweeps learnt (largest batch that ran, smallest that "
                   "ran out of memory, per model, tasks, server and GPU), then exit")
    p.add_argument("--no-memory", action="store_true",
                   help="neither use nor update what earlier sweeps learnt")
    p.add_argument("--quiet", action="store_true", help="no progress lines, only the result")
    return p


def spec_from_args(ns: argparse.Namespace, command: list[str]) -> TuneSpec:
    auto = None
    sizes: tuple[int, ...] = ()
    if ns.batch_size is not None and ns.batch_size.strip().lower() == "auto":
        auto = AutoSearch(start=ns.auto_start or 8, max_size=ns.auto_max)
    elif ns.batch_size is not None:
        sizes = tune_mod.parse_int_list(ns.batch_size, "--batch-size")
    else:
        first = argv_mod.initial_batch_size(command, ns.batch_env, os.environ)
        sizes = (first,) if first else ()
    concurrency = (
        tune_mod.parse_int_list(ns.concurrency, "--concurrency") if ns.concurrency else ()
    )
    variables = tuple(tune_mod.parse_var(v) for v in ns.var)
    ties = tuple(tune_mod.parse_tie(t) for t in ns.tie)
    names = ["batch_size", "num_concurrent"]
    for name, _ in variables:
        if name in names or name in dict(ties):
            raise TuneError(f"--var {name}: already an axis or tied")
        names.append(name)
    if ns.limit is not None and ns.limit < 1:
        raise TuneError("--limit must be at least 1")
    argv_mod.check_env_names(ns.batch_env)
    if not sizes and auto is None and (ns.batch_env or argv_mod.has_placeholder(command)):
        raise TuneError("no batch size to try: give --batch-size LIST or auto")
    return TuneSpec(
        command=tuple(command),
        log_dir=os.path.abspath(ns.log_dir or os.path.join(os.getcwd(), "evalmon-tune")),
        batch_sizes=sizes,
        auto=auto,
        concurrency=concurrency,
        variables=variables,
        ties=ties,
        batch_env=tuple(ns.batch_env),
        concurrency_env=ns.concurrency_env,
        limit=ns.limit,
        time_box_s=ns.time_box,
        budget_s=None if ns.budget is None else ns.budget * 60.0,
        min_gain=ns.min_gain / 100.0,
        time_for=ns.time_for,
        baseline=ns.baseline,
        watch=tuple(os.path.abspath(w) for w in ns.watch),
        grace=ns.grace,
    )


def render(spec: TuneSpec, result: tune_mod.TuneResult, form: str) -> str:
    if form == "json":
        return tune_mod.render_json(spec, result)
    if form == "markdown":
        body = tune_mod.render_markdown(spec, result)
        extra = tune_mod.summary_lines(spec, result)
        return body + "\n\n" + "\n".join(
            f"    {line[2:]}" if line.startswith("  ") else line for line in extra
        )
    return tune_mod.render_table(spec, result) + "\n\n" + "\n".join(
        tune_mod.summary_lines(spec, result)
    )


def _launcher_factory(ns: argparse.Namespace, env_names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    if ns.slurm:
        from evalmon.supervisor.slurm import SlurmLauncher

        def make_slurm(trial_dir: str):  # type: ignore[no-untyped-def]
            return SlurmLauncher(trial_dir, sbatch_args=tuple(ns.sbatch_arg), env_names=env_names)

        make_slurm(os.getcwd())  # the SLURM commands are there: one clear line now, if not
        return make_slurm
    from evalmon.supervisor.launchers import LocalLauncher

    return LocalLauncher


def main(argv: list[str]) -> int:
    own, command = split_command(argv)
    parser = build_parser()
    ns = parser.parse_args(own)
    if ns.history:
        return show_history(ns.format)
    if ns.slurm:
        command = [ns.slurm, *command]
    if not command:
        parser.error("no command: put it after --, or give --slurm SCRIPT.sbatch")
    try:
        spec = spec_from_args(ns, command)
        factory = _launcher_factory(ns, tune_mod.batch_env_names(spec))
    except (TuneError, argv_mod.ArgvError) as exc:
        parser.error(str(exc))
    except Exception as exc:  # e.g. sbatch missing
        print(f"evalmon tune: error: {exc}", file=sys.stderr)
        return 2
    printer = (lambda line: None) if ns.quiet else _progress
    memory = None if ns.no_memory else Memory()
    if memory is not None and spec.auto is not None and ns.auto_start is None:
        spec = _auto_start_from_memory(spec, memory, printer)
    tuner = Tuner(spec, factory, printer=printer, memory=memory)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            handler = signal.getsignal(s)
            if handler is not signal.SIG_IGN:
                previous[s] = handler
                signal.signal(s, lambda signum, frame: tuner.stop())
    try:
        result = tuner.run()
    except TuneError as exc:
        print(f"evalmon tune: error: {exc}", file=sys.stderr)
        return 2
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    print(render(spec, result, ns.format), flush=True)
    if ns.format != "json":
        print(f"record: {tune_mod.record_path(spec.log_dir)}", flush=True)
    return 0


def _auto_start_from_memory(spec: TuneSpec, memory: Memory, printer) -> TuneSpec:  # type: ignore[no-untyped-def]
    """``--batch-size auto`` starts at the largest size an earlier sweep saw run."""
    try:
        entry = memory.best_known(job_of(spec.command))
    except Exception:  # an unreadable store: start from the default
        return spec
    if entry is None or entry.known_good is None:
        return spec
    note = f"starting at batch {entry.known_good}: it ran in the sweep of {describe(entry)}"
    printer(f"evalmon tune: --batch-size auto: {note}")
    auto = replace(spec.auto, start=entry.known_good, start_note=note)  # type: ignore[arg-type]
    return replace(spec, auto=auto)


def known_good_batch_size(command: list[str], prog: str) -> int | None:
    """``evalmon run --batch-size auto``: the best known-good size for this model and task
    set, said on stderr; None (the command's own size) when no sweep learnt one."""
    memory = Memory()
    try:
        entry = memory.best_known(job_of(command))
    except Exception as exc:
        print(f"{prog}: --batch-size auto: cannot read {memory.path}: {exc}", file=sys.stderr)
        return None
    job = job_text(job_of(command))
    if entry is None or entry.known_good is None:
        print(
            f"{prog}: --batch-size auto: no sweep has run {inert(job, 200)} yet (evalmon tune "
            "--batch-size auto learns it); using the command's own batch size",
            file=sys.stderr,
        )
        return None
    rate = f" at {fmt.rate(entry.largest_ok_rate)} requests/s" if entry.largest_ok_rate else ""
    oom = f", {entry.smallest_oom} ran out of memory" if entry.smallest_oom else ""
    print(
        f"{prog}: --batch-size auto: starting at {entry.known_good}, the largest that ran{rate}"
        f"{oom} for {inert(job, 200)} (sweep of {inert(describe(entry), 200)})",
        file=sys.stderr,
    )
    return entry.known_good


def show_history(form: str = "table") -> int:
    memory = Memory()
    try:
        entries = memory.entries()
    except Exception as exc:
        print(f"evalmon tune: error: cannot read {memory.path}: {exc}", file=sys.stderr)
        return 2
    if form == "json":
        print(json.dumps([
            {"job": e.job, "setup": e.setup, "largest_ok": e.largest_ok,
             "largest_ok_requests_per_s": e.largest_ok_rate, "largest_ok_at": e.largest_ok_at,
             "smallest_oom": e.smallest_oom, "smallest_oom_at": e.smallest_oom_at,
             "tool": e.tool, "updated_at": e.updated_at}
            for e in entries
        ], indent=1))  # fmt: skip
        return 0
    if not entries:
        print(f"nothing learnt yet ({memory.path}): run evalmon tune")
        return 0
    rows = [("job", "server and GPU", "largest ran", "req/s there", "smallest OOM", "when",
             "evalmon")]  # fmt: skip
    for e in entries:
        rows.append((
            inert(job_text(e.job), 80), inert(setup_text(e.setup), 80),
            fmt.optional(e.largest_ok), fmt.rate(e.largest_ok_rate),
            fmt.optional(e.smallest_oom),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(e.updated_at)), inert(e.tool, 20),
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"store: {memory.path}")
    return 0


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
