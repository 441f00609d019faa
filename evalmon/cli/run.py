"""``evalmon run``: the command line of the supervisor.

    evalmon run [options] -- COMMAND [ARGS ...]
    evalmon run --slurm [options] [--sbatch-arg ARG ...] -- SCRIPT.sbatch [SCRIPT ARGS ...]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from evalmon import fmt
from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor.launchers import Launcher, LocalLauncher
from evalmon.supervisor.model import SupervisorStatus, stop_reason
from evalmon.supervisor.policy import Policy, PolicyError, parse_schedule
from evalmon.supervisor.record import evalmon_dir
from evalmon.supervisor.supervisor import Supervisor, SupervisorOptions
from evalmon.terminal import detach_from_terminal

if TYPE_CHECKING:
    from evalmon.cli.export import RunExtras
    from evalmon.pipeline import Monitor
from evalmon.text import inert

EPILOG = """\
examples:
  evalmon run --batch-size 256 --headless -- lm_eval run --model local-completions \\
      --model_args model=m,base_url=http://127.0.0.1:5000/v1/completions --tasks t
  evalmon run --schedule 256,192,128,64 -- python train_eval.py --bs {batch_size}
  evalmon run --slurm --batch-env BATCH_SIZE --batch-env INFERENCE_MAX_BATCH \\
      --batch-size 256 --log-dir logs -- scripts/evals/eval.sbatch

live re-tuning (relaunch the running job now at new values, resuming from lm-eval's cache):
  evalmon run --log-dir logs --retune 128                  # from another terminal
  evalmon run --log-dir logs --retune num_concurrent=4
  evalmon run --log-dir logs --retune batch_size=64,num_concurrent=1
  It writes LOG_DIR/.evalmon/control (key=value lines: batch_size, num_concurrent; a file of
  yours, not writable by others) and prints the supervisor's answer. The running attempt is
  stopped as an OOM'd one is (SIGTERM, SIGKILL after --grace; scancel under --slurm) and
  recorded as 'retuned'; the next starts at the new values. A retune does not count toward
  --max-attempts. In the dashboard: the key r, or the command palette (Ctrl-P).
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evalmon run",
        usage="evalmon run [options] -- COMMAND [ARGS ...]\n"
        "       evalmon run --slurm [options] -- SCRIPT.sbatch [SCRIPT ARGS ...]",
        description="Run an eval job under watch; on a GPU out-of-memory, relaunch it with a "
        "smaller batch size and resume its work.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--batch-size", type=_batch_size_arg,
                   help="first batch size (default: from the command); auto: the largest that "
                   "ran for the same model and tasks in an earlier `evalmon tune`")
    p.add_argument("--min-batch-size", type=int, default=1, help="never go below this (default 1)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--backoff", type=float, default=0.5,
                       help="multiply the batch size by this after an OOM (default 0.5)")
    group.add_argument("--schedule", help="explicit sizes to try, e.g. 256,192,128,64")
    p.add_argument("--max-attempts", type=int, default=5, help="launches in all (default 5)")
    p.add_argument("--batch-env", action="append", default=[], metavar="NAME",
                   help="environment variable that carries the batch size (repeatable)")
    p.add_argument("--log-dir", default=None,
                   help="where job output and the attempt record go (default ./evalmon-logs)")
    p.add_argument("--headless", action="store_true", help="plain lines instead of the dashboard")
    p.add_argument("--no-resume", action="store_true",
                   help="do not add --use_cache to lm-eval (a relaunch starts from scratch)")
    p.add_argument("--grace", type=float, default=10.0,
                   help="seconds between SIGTERM and SIGKILL when stopping a job (default 10)")
    p.add_argument("--slurm", action="store_true", help="submit the script with sbatch")
    p.add_argument("--sbatch-arg", action="append", default=[], metavar="ARG",
                   help="extra sbatch argument, e.g. --sbatch-arg=--partition=gpu (repeatable)")
    p.add_argument("--submit-retries", type=int, default=3, metavar="N",
                   help="--slurm: sbatch tries before giving up (default 3; never duplicates)")
    p.add_argument("--watch", action="append", default=[], metavar="PATH",
                   help="another log file or folder to watch (e.g. the server's logs)")
    p.add_argument("--stall-timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="no progress on any request bar and no server activity for this long "
                   "is a stall: stop the job, say where it was stuck, relaunch it at the same "
                   "batch size from the cache (default 1800: longer than a big model's load "
                   "or one long generation batch; 0: off)")
    p.add_argument("--oom-wait", type=float, default=30.0, metavar="SECONDS",
                   help="a fatal OOM is acted on when the job exits or its server answers "
                   "HTTP 5xx after it; with neither, after this long without request progress "
                   "(ranks hung after one died). Progress after it means the job survived it: "
                   "no relaunch (default 30: other ranks are torn down within seconds, and a "
                   "job that caught its OOM shows a bar step by then)")
    p.add_argument("--relaunch-on", default=None, metavar="server-died",
                   help="relaunch at the same batch size when the job's server died under it "
                   "(refused connections, its shutdown): at once, not after --stall-timeout")
    p.add_argument("--requeue-on", default=None, metavar="CAUSES",
                   help="--slurm: resubmit at the same batch size when SLURM ended the job: "
                   "timeout,preempted,node-fail (comma-separated); resumes from the cache")
    p.add_argument("--retune", metavar="SETTING", default=None,
                   help="no command: ask the evalmon run supervising --log-dir to relaunch its "
                   "job now at SETTING (128, batch_size=128, num_concurrent=4, or both "
                   "comma-separated); see below")
    p.add_argument("--poll-interval", type=float, default=None, help=argparse.SUPPRESS)
    from evalmon.cli.dashboard import add_metrics_options

    add_metrics_options(p, interval_default=2.0, interval_help="seconds between /metrics "
                        "scrapes for the dashboard (default 2; not scraped with --headless)")
    from evalmon.cli.export import add_run_options

    add_run_options(p)  # --metrics-port/--metrics-host/--textfile, --gpu-metrics, --notify
    return p


def _batch_size_arg(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a batch size or auto: {text!r}") from None


def split_command(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Options before the first ``--``, the job's command after it (never parsed by us)."""
    argv = list(argv)
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def _policy(ns: argparse.Namespace, command: list[str]) -> Policy:
    schedule = parse_schedule(ns.schedule) if ns.schedule else ()
    first = ns.batch_size
    if first is None and not schedule:
        first = argv_mod.initial_batch_size(command, ns.batch_env, os.environ)
    return Policy(
        initial_batch_size=first,
        min_batch_size=ns.min_batch_size,
        backoff=ns.backoff,
        schedule=schedule,
        max_attempts=ns.max_attempts,
    ).validate()


def _launcher(ns: argparse.Namespace, log_dir: str) -> Launcher:
    if ns.slurm:
        from evalmon.supervisor.slurm import SlurmCommands, SlurmLauncher

        return SlurmLauncher(
            log_dir,
            sbatch_args=tuple(ns.sbatch_arg),
            env_names=tuple(ns.batch_env),
            commands=SlurmCommands(submit_retries=max(1, ns.submit_retries)),
        )
    return LocalLauncher(log_dir)


def _relaunch_on(ns: argparse.Namespace, parser: argparse.ArgumentParser) -> frozenset[str]:
    from evalmon.supervisor.policy import PolicyError, parse_causes

    causes: frozenset[str] = frozenset()
    try:
        if ns.relaunch_on:
            causes |= parse_causes(ns.relaunch_on, ("server-died",), "--relaunch-on")
        if ns.requeue_on:
            if not ns.slurm:
                raise PolicyError("--requeue-on needs --slurm")
            causes |= parse_causes(ns.requeue_on, ("timeout", "preempted", "node-fail"),
                                   "--requeue-on")
    except PolicyError as exc:
        parser.error(str(exc))
    return causes


def summary_table(status: SupervisorStatus) -> str:
    """The attempts table printed at the end (plain text, fixed columns; figures by evalmon.fmt
    as on the dashboard, log text through evalmon.text.inert)."""
    rows = [("#", "batch", "job", "duration", "req/s", "peak GPU", "outcome", "reason")]
    for a in status.attempts:
        rows.append(
            (
                str(a.number),
                fmt.optional(a.batch_size),
                inert(a.job_label, 60),
                fmt.duration(a.duration_s),
                fmt.rate(a.samples_per_s),
                fmt.size(a.peak_gpu_bytes),
                inert(a.outcome, 30),
                inert(a.reason, 300),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    for a in status.attempts:
        for what in a.left_running:  # survived SIGKILL (another user's, uninterruptible...)
            lines.append(f"attempt {a.number} left running: {inert(what, 160)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    own, command = split_command(argv)
    parser = build_parser()
    ns = parser.parse_args(own)
    if ns.retune is not None:
        return _send_retune(ns, command)
    if not command:
        parser.error("no command: put it after --, e.g. evalmon run -- lm_eval run ...")
    if ns.batch_size == "auto":  # what `evalmon tune` learnt (evalmon/supervisor/memory.py)
        from evalmon.cli.tune import known_good_batch_size

        ns.batch_size = known_good_batch_size(command, "evalmon run")
    try:
        argv_mod.check_env_names(ns.batch_env)
        policy = _policy(ns, command)
    except (PolicyError, argv_mod.ArgvError) as exc:
        parser.error(str(exc))
    if policy.first_batch_size() is None and argv_mod.has_placeholder(command):
        parser.error("the command uses {batch_size}: give --batch-size or --schedule")
    if policy.first_batch_size() is None:
        print(
            "evalmon run: note: no batch size known (give --batch-size or --schedule): "
            "the job is watched, but an OOM cannot be cured by a relaunch",
            file=sys.stderr,
        )
    elif not argv_mod.batch_size_reaches(command, ns.batch_env):
        fixed = argv_mod.fixed_batch_flag(command)
        hint = (
            f"write {fixed[0]} {{batch_size}} instead of {fixed[1]!r}"
            if fixed
            else "put {batch_size} in the command or name a variable with --batch-env"
        )
        print(
            "evalmon run: note: this command is not lm-eval and has no {batch_size} or "
            "--batch-env, so the batch size reaches it only as $EVALMON_BATCH_SIZE; a relaunch "
            f"after an OOM helps only if the program reads it ({inert(hint, 200)})",
            file=sys.stderr,
        )
    if ns.batch_env and policy.first_batch_size() is None:
        parser.error("--batch-env needs a batch size: give --batch-size or --schedule")
    log_dir = ns.log_dir or os.path.join(os.getcwd(), "evalmon-logs")
    options = SupervisorOptions(
        command=command,
        log_dir=log_dir,
        policy=policy,
        batch_env=tuple(ns.batch_env),
        resume=not ns.no_resume,
        grace=ns.grace,
        watch_paths=tuple(ns.watch),
        stall_timeout_s=ns.stall_timeout if ns.stall_timeout and ns.stall_timeout > 0 else None,
        relaunch_on=_relaunch_on(ns, parser),
        oom_wait_s=max(0.0, ns.oom_wait),
    )
    if ns.poll_interval:
        options.poll_interval = ns.poll_interval
    try:
        launcher = _launcher(ns, log_dir)
    except Exception as exc:  # e.g. sbatch missing: one line, no traceback
        print(f"evalmon run: error: {inert(str(exc), 500)}", file=sys.stderr)
        return 2
    headless = ns.headless
    if not headless:
        try:
            from evalmon.ui.app import run_dashboard  # type: ignore[attr-defined]
        except ImportError:
            print("evalmon run: the dashboard is not available; running headless", file=sys.stderr)
            headless = True
    # the one read and parse of the logs in this process: the supervisor subscribes to it, the
    # dashboard draws it
    from evalmon.cli.export import RunExtras, wants_state
    from evalmon.pipeline import Monitor

    monitor = Monitor([log_dir, *options.watch_paths], reduce=not headless or wants_state(ns))
    extras = RunExtras(ns, monitor)
    if not headless:  # the servers' /metrics, for the dashboard
        monitor.scrape_metrics(ns.metrics, discover=not ns.no_metrics,
                               interval_s=ns.metrics_interval)
    monitor.start()
    try:
        if headless:
            return _run_headless(options, launcher, monitor, extras)
        return _run_with_dashboard(options, launcher, run_dashboard, monitor, extras)
    finally:
        extras.close()
        monitor.stop()


def _send_retune(ns: argparse.Namespace, command: list[str]) -> int:
    """``evalmon run --retune SETTING``: the control file, and the supervisor's answer."""
    from evalmon.supervisor import control

    if command:
        print("evalmon run: error: --retune takes no command: it asks the evalmon run already "
              "supervising --log-dir", file=sys.stderr)
        return 2
    try:
        request = control.parse_request(ns.retune)
    except control.ControlError as exc:
        print(f"evalmon run: error: --retune: {exc}", file=sys.stderr)
        return 2
    log_dir = ns.log_dir or os.path.join(os.getcwd(), "evalmon-logs")
    code, message = control.send(log_dir, request)
    print(f"evalmon run: {inert(message, 500)}", file=sys.stderr if code else sys.stdout)
    return code


def _printer(line: str) -> None:
    print(line, flush=True)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _run_headless(options: SupervisorOptions, launcher: Launcher, monitor: Monitor,
                  extras: RunExtras | None = None) -> int:
    supervisor = Supervisor(options, launcher, monitor, printer=_printer)
    if extras is not None:
        extras.attach(supervisor)
    # Ctrl-C / SIGTERM / a closed terminal (SIGHUP): the job is in its own session and does
    # not get them; the loop stops it properly (SIGTERM to its group, SIGKILL after --grace)
    # and records it, instead of leaving it running unwatched.
    # A signal ignored when evalmon started (nohup) stays ignored.
    handled = STOP_SIGNALS
    previous = {s: signal.getsignal(s) for s in handled}
    previous = {s: h for s, h in previous.items() if h is not signal.SIG_IGN}

    def on_signal(signum: int, frame: object) -> None:
        if signum == signal.SIGHUP:
            detach_from_terminal(_errors_file(options))
        supervisor.stop(stop_reason(signum))

    if threading.current_thread() is not threading.main_thread():
        previous = {}  # signal handlers can only be set from the main thread
    for s in previous:
        signal.signal(s, on_signal)
    try:
        code = supervisor.run()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    _print_summary(supervisor.status())
    return code


def _stop_on_signal(supervisor: Supervisor) -> Callable[[int, object], None]:
    def on_signal(signum: int, frame: object) -> None:
        if signum == signal.SIGHUP:
            detach_from_terminal(_errors_file(supervisor.options))
        supervisor.stop(stop_reason(signum))

    return on_signal


def _errors_file(options: SupervisorOptions) -> str:
    """Where evalmon's own error output goes once its terminal is gone."""
    return os.path.join(evalmon_dir(options.log_dir), "evalmon-stderr.log")


def _print_summary(status: SupervisorStatus) -> None:
    if status.attempts:
        print(summary_table(status), flush=True)
    state = status.state.replace("_", " ")
    message = inert(status.message, 2000)
    if message.startswith(state):  # "gave up: ..." says its state already
        print(f"evalmon: {message}", flush=True)
    else:
        print(f"evalmon: {state}: {message}", flush=True)


def _run_with_dashboard(
    options: SupervisorOptions,
    launcher: Launcher,
    run_dashboard: Callable[..., int],
    monitor: Monitor,
    extras: RunExtras | None = None,
) -> int:
    """The supervisor in a worker thread, the dashboard in front of it.

    Signals mean what they mean headless. Ctrl-C in the dashboard, SIGTERM, SIGINT and SIGHUP
    (a closed terminal) stop the job cleanly and end the run; the dashboard restores the
    terminal on its way out. ``q`` only closes the dashboard: supervision goes on with plain
    lines until the run ends, and Ctrl-C then stops the job.
    """
    supervisor = Supervisor(options, launcher, monitor)
    if extras is not None:
        extras.attach(supervisor)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(supervisor.run()), daemon=True)
    if threading.current_thread() is threading.main_thread():
        # before the dashboard too: it puts back what it found on its way out, so a stop
        # signal arriving while it closes stops the job, never kills evalmon halfway (the
        # job left running, the record without its end)
        for s in STOP_SIGNALS:
            if signal.getsignal(s) is not signal.SIG_IGN:
                signal.signal(s, _stop_on_signal(supervisor))
    worker.start()
    ended_by = 0  # the dashboard's exit status: 128 + signal when a stop was asked for
    try:
        ended_by = run_dashboard(
            [options.log_dir, *options.watch_paths], supervisor=supervisor, monitor=monitor
        )
    except Exception as exc:  # the dashboard failing must not take the job down with it
        print(f"evalmon run: dashboard error: {exc}", file=sys.stderr)
    stopping = ended_by >= 128  # the dashboard has already called supervisor.stop()
    if ended_by == 128 + signal.SIGHUP:
        detach_from_terminal(_errors_file(options))  # no terminal: nothing fails with EIO
    if stopping:
        supervisor.stop(stop_reason(ended_by - 128))  # kept: the dashboard's own, if first
        print("evalmon: stopping the job", flush=True)
    elif worker.is_alive() and not supervisor.status().finished:
        print("evalmon: dashboard closed; still supervising the job (Ctrl-C stops it)", flush=True)
        supervisor.set_printer(_printer)
    if threading.current_thread() is threading.main_thread():
        # while the job is stopped (up to --grace) or supervised headless: any stop signal
        # stops it, none kills evalmon halfway; an ignored one (nohup) stays ignored
        for s in STOP_SIGNALS:
            if signal.getsignal(s) is not signal.SIG_IGN:
                signal.signal(s, _stop_on_signal(supervisor))
    while worker.is_alive():
        worker.join(timeout=0.2)  # short joins: signal handlers run in between
    _print_summary(supervisor.status())
    return result[0] if result else 1


if __name__ == "__main__":  # python -m evalmon.cli.run ... (tests, no cli needed)
    sys.exit(main(sys.argv[1:]))
