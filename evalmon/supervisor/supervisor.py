"""The supervisor loop: launch an attempt, watch its logs, react to the first curable OOM.

Threading: :meth:`Supervisor.run` blocks (the command runs it in the main thread when
headless, in a worker thread under the dashboard). :meth:`status` and :meth:`stop` may be
called from any thread; status is a prebuilt frozen snapshot swapped under a lock.

The logs reach the loop through a subscription to the process's one monitor (the dashboard
reads the same batches): the supervisor never follows a file itself.

Which OOMs count: only those read from the current attempt's bytes. Right before a launch the
monitor reads everything present (``read_now(flush=True, cut=True)``): each file's offset then
is where the attempt's bytes begin, however late they are read. A file of an earlier attempt
(its own stdout/stderr, or under SLURM a log named with its job id) belongs to that attempt
for good: a rank's report that a shared filesystem shows seconds after the relaunch is a late
word of the old failure, never a new one. A log shared by every attempt (a server that
outlives its client) is the one case offsets cannot settle: after a relaunch decision the loop
waits until such logs are quiet (``_settle``) before launching again.
One attempt reacts to one OOM: several ranks or files reporting the same failure are one event.
A fatal OOM is acted on only with evidence that the job failed (``_OomPending``): its exit,
the server's 5xx (or a request's traceback, or its death) after it, or no request progress for
``oom_wait_s``; progress after it means the job survived it, and the decision is dropped.
On a restart the adopted attempt's own output since its launch offsets is parsed once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from evalmon import fmt
from evalmon.events import (
    ApiFailure,
    EngineStats,
    FileBatch,
    GpuSample,
    GpuUnavailable,
    JobSignal,
    Located,
    OutOfMemory,
    Progress,
    RunConfig,
    ServerException,
    ServerShutdown,
    ServerTraffic,
)
from evalmon.state import EvalState
from evalmon.state.bars import is_request_bar
from evalmon.state.grouping import run_key
from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor import control as control_mod
from evalmon.supervisor.cgroup import MemoryCgroup, memory_cgroup, oom_kills
from evalmon.supervisor.launchers import Job, Launcher, LocalJobView
from evalmon.supervisor.local import LaunchError
from evalmon.supervisor.model import Attempt, SupervisorState, SupervisorStatus
from evalmon.supervisor.policy import (
    Decision,
    Policy,
    decide_on_cause,
    decide_on_exit,
    decide_on_oom,
    decide_on_stall,
    describe_exit,
    next_batch_size,
)
from evalmon.supervisor.record import RecordError, RecordWriter, Session, read_record
from evalmon.supervisor.stall import (
    REFUSED,
    StallEvidence,
    diagnose,
    http_crash,
    progress_line,
    server_died,
)
from evalmon.supervisor.watch import LogSource, RunLogs, read_span
from evalmon.text import inert

Printer = Callable[[str], None]
# written continuously by samplers (gpu-log): never a sign that a job is still talking
_SAMPLER_EVENTS = (GpuSample, GpuUnavailable)


@dataclass(slots=True)
class SupervisorOptions:
    command: list[str]
    log_dir: str
    policy: Policy
    batch_env: tuple[str, ...] = ()
    resume: bool = True
    grace: float = 10.0
    poll_interval: float = 0.1  # a round of the loop (an OOM read wakes it at once)
    lm_eval_aware: bool = True
    progress_every_s: float = 5.0  # headless: at most one progress line per this interval
    watch_paths: tuple[str, ...] = ()  # more logs to watch besides the log dir
    status_every_s: float = 0.5  # how often a running attempt's figures are refreshed
    settle_quiet_s: float = 0.5  # _settle: a shared log is quiet after this long
    settle_max_s: float = 5.0
    #: --stall-timeout: no progress and no server activity for this long is a stall (None: off)
    stall_timeout_s: float | None = None
    #: outcomes to relaunch at the same batch size: server_died (--relaunch-on server-died),
    #: timeout, preempted, node_fail (--requeue-on, SLURM)
    relaunch_on: frozenset[str] = frozenset()
    #: --oom-wait: a fatal OOM is acted on at once when the job exits or the server answers
    #: 5xx after it; with neither, after this long if no request progressed since (ranks hung
    #: in NCCL after one rank died). 30 s: torchrun/srun tear the other ranks down within
    #: seconds (an exit), and a job that caught its OOM shows a bar step by then.
    oom_wait_s: float = 30.0


@dataclass(slots=True)
class _AttemptWatch:
    """What the loop learns about the running attempt from its logs."""

    oom_decision: Decision | None = None
    oom_where: tuple[str, int] | None = None
    ignored_ooms: int = 0
    late_ooms: int = 0  # OOMs in the files of earlier attempts, read during this one
    peak_gpu: dict[tuple[str, int], int] = field(default_factory=dict)
    own_files: frozenset[str] = frozenset()  # normalised paths
    #: each followed file's offset at launch: the attempt's bytes are the ones past it
    offsets: dict[str, int] = field(default_factory=dict)
    restarted: set[str] = field(default_factory=set)  # truncated or replaced since the launch
    shared_active: bool = False  # a log not of this attempt alone (a server's) was written
    #: the attempt's own logs through the same reducer as the dashboard and the report,
    #: so the summary's samples/s is the figure they show
    state: EvalState = field(default_factory=EvalState)
    seeded: set[str] = field(default_factory=set)
    stall: StallEvidence | None = None  # set at launch / adoption
    stall_decision: Decision | None = None
    stall_place: str = ""
    stall_outcome: str = "stalled"  # or server_died: stopped early for a dead server
    #: a fatal OOM read, not acted on until the job shows it failed (see _OomPending)
    oom_pending: _OomPending | None = None
    bar_n: dict[str, float] = field(default_factory=dict)  # own request bars' last counts
    #: the job's exit code once it ended: an OOM read after that is confirmed by it
    exit_code: int | None = None
    ended: bool = False
    #: the fatal OOM behind oom_decision, when it came from the logs
    oom_event: OutOfMemory | None = None
    #: the memory cgroup the job was launched in and its OOM-kill count then (local jobs)
    cgroup: MemoryCgroup | None = None
    oom_kills_before: int | None = None
    oom_killed: bool | None = None  # once it ended: did the cgroup count an OOM kill since


@dataclass(slots=True)
class _OomPending:
    """A fatal OOM read in the attempt's logs, waiting for evidence that the job failed.

    The classifier judges text; a job may catch an OOM and go on (a smaller batch, a skipped
    request) after printing a whole traceback. A false relaunch kills a healthy job, so the
    decision waits for the job to exit, the server to answer 5xx (or log a request's
    traceback, or die), or no progress for ``oom_wait_s``.
    """

    decision: Decision
    path: str
    line: int
    read_at: float
    failure: str = ""  # the evidence that the job failed, once seen
    progressed: bool = False  # a request bar moved or the server served since


#: lm-eval's bars before its requests: they move on a relaunch that is stuck all the same
_SETUP_BARS = ("checking cached requests", "tokenizing", "generating ", "map", "filter",
               "building contexts", "loading")


def _is_request_bar(desc: str) -> bool:
    low = desc.strip().lower()
    return bool(low) and not low.startswith(_SETUP_BARS)


def _inert(text: str, limit: int = 300) -> str:
    """Log text for a plain terminal line (the one sanitizer, :func:`evalmon.text.inert`)."""
    return inert(text, limit)


class Supervisor:
    def __init__(
        self,
        options: SupervisorOptions,
        launcher: Launcher,
        monitor: LogSource,
        printer: Printer | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``monitor``: the process's :class:`evalmon.pipeline.Monitor` over the log dir and
        ``options.watch_paths`` (started by the caller); the loop subscribes to it."""
        self.options = options
        self.launcher = launcher
        self.monitor = monitor
        self._print = printer or (lambda line: None)
        self._clock = clock
        self._lock = threading.Lock()
        self._stop_requested = threading.Event()
        self._stop_reason = "stopped by the user"
        self._attempts: list[Attempt] = []
        self._state: SupervisorState = "launching"
        self._message = ""
        self._next_batch: int | None = options.policy.first_batch_size()
        self._status = self._make_status()
        self.run_key = argv_mod.run_key(options.command, launcher.kind, options.batch_env)
        self._session_id = ""
        self._record: RecordWriter | None = None
        self._last_progress_print = 0.0
        # files of earlier attempts: normalised path -> attempt number; SLURM job id -> number
        self._earlier_files: dict[str, int] = {}
        self._earlier_jobs: dict[str, int] = {}
        self._late_said: set[tuple[int, str]] = set()
        self._record_failed = False
        self._last_stall_place = ""  # the place the previous attempt stalled at, if it did
        self._last_cause = ""  # the previous attempt's outcome if outside the job (server...)
        self._stall_said = 0.0
        # live retuning (control.py): requests from the dashboard and the control file
        self._base_policy = options.policy
        self._control = control_mod.ControlChannel(options.log_dir, self._say, clock)
        self._retuning: control_mod.Taken | None = None

    # ---------------------------------------------------------------- public, any thread

    def status(self) -> SupervisorStatus:
        with self._lock:
            return self._status

    def set_printer(self, printer: Printer) -> None:
        """Where plain progress lines go from now on (e.g. after the dashboard closed)."""
        self._print = printer

    def stop(self, reason: str = "stopped by the user") -> None:
        """Ask the loop to stop the job (SIGTERM, SIGKILL after grace) and end as cancelled,
        with ``reason`` in the record (the first stop's reason is kept)."""
        if not self._stop_requested.is_set():
            self._stop_reason = reason
        self._stop_requested.set()

    def preview_retune(self, request: control_mod.Retune) -> control_mod.Preview:
        """What relaunching now at ``request``'s values would do, or why it cannot be done."""
        status = self.status()
        return control_mod.preview(request, status.current, self._retune_facts(),
                                   status.attempts, status.state)

    def retune(self, request: control_mod.Retune) -> control_mod.Preview:
        """Relaunch the running attempt now at new values (the dashboard's; any thread). The
        loop checks the request again when it takes it, within a round."""
        status = self.status()
        checked = control_mod.preview(request, status.current, self._retune_facts(),
                                      status.attempts, status.state)
        if checked.ok and status.current is not None:
            self._control.submit(request, status.current.number)
        return checked

    # ---------------------------------------------------------------- status plumbing

    def _make_status(self) -> SupervisorStatus:
        return SupervisorStatus(
            command=tuple(self.options.command),
            log_dir=self.options.log_dir,
            state=self._state,
            attempts=tuple(self._attempts),
            next_batch_size=self._next_batch,
            message=self._message,
            launcher=self.launcher.kind,
            max_attempts=self.options.policy.max_attempts,
            min_batch_size=self.options.policy.min_batch_size,
            updated_at=self._clock(),
        )

    def _publish(self, state: SupervisorState | None = None, message: str | None = None) -> None:
        with self._lock:
            if state is not None:
                self._state = state
            if message is not None:
                self._message = message
            self._status = self._make_status()

    def _set_attempt(self, attempt: Attempt, persist: bool = True) -> None:
        with self._lock:
            for i, old in enumerate(self._attempts):
                if old.number == attempt.number:
                    self._attempts[i] = attempt
                    break
            else:
                self._attempts.append(attempt)
            # a retuned attempt does not count toward --max-attempts (control.py)
            self.options.policy = control_mod.effective_policy(self._base_policy, self._attempts)
            self._status = self._make_status()
        if persist and self._record is not None:
            try:
                self._record.attempt(self._session_id, attempt)
            except RecordError as exc:
                if attempt.state == "launching":
                    raise  # the intent must be on disk before the launch
                if not self._record_failed:
                    self._record_failed = True
                    self._say(
                        f"warning: {exc}; still supervising {attempt.job_label}, but an "
                        "evalmon killed now could not find it again"
                    )

    def _say(self, text: str) -> None:
        # file names and log text are data: no escape sequence reaches the terminal
        self._print(f"evalmon: {_inert(text, 2000)}")

    # ---------------------------------------------------------------- the loop

    def run(self) -> int:
        """Run until success (0), or until no relaunch can help (1); 2 on a setup error."""
        opts = self.options
        try:
            os.makedirs(opts.log_dir, exist_ok=True)
            self._record = RecordWriter(opts.log_dir).open()
        except Exception as exc:  # RecordError, OSError: one clear line
            self._publish("failed", str(exc))
            self._say(f"error: {exc}")
            return 2
        logs = RunLogs(self.monitor)
        try:
            return self._run(logs)
        except _Finished as fin:
            return self._finish(fin.decision, fin.state)
        except RecordError as exc:  # before any job of this session was launched
            self._publish("failed", str(exc))
            self._say(f"error: {exc}; no job was launched")
            return 2
        except _Abort as abort:  # the session stays open: the next evalmon picks it up
            self._publish("failed", str(abort))
            self._say(f"error: {abort}")
            return 2
        except Exception as exc:  # a bug must not leave a traceback and a silent job
            msg = (
                f"internal error: {type(exc).__name__}: {exc}; the job (if any) keeps running: "
                "run the same command again to adopt it"
            )
            self._publish("failed", msg)
            self._say(msg)
            return 2
        finally:
            logs.close()
            self._record.close()

    def _run(self, logs: RunLogs) -> int:
        job, watch = self._resume_or_start(logs)
        while True:
            if job is None and self._stop_requested.is_set():
                # a stop asked for while the last attempt was being stopped wins: no launch
                raise _Finished(Decision("fail", self._stop_reason), state="cancelled")
            if job is None:
                size = self._next_batch
                job, watch = self._launch(logs, size)
                if job is None:
                    return 2
            decision = self._follow(job, watch, logs)
            if decision.action == "relaunch":
                self._next_batch = decision.batch_size
                self._publish("relaunching", decision.reason)
                self._settle(logs, watch)  # whatever the old attempt caused is old from here on
                job = None
                continue
            return self._finish(decision)

    # ---------------------------------------------------------------- start / adopt

    def _resume_or_start(self, logs: RunLogs) -> tuple[Job | None, _AttemptWatch]:
        """Continue an unfinished session of the same command (adopting its job) or start one."""
        assert self._record is not None
        contents = read_record(self.options.log_dir)
        if contents.skipped_lines:
            self._say(f"warning: skipped {contents.skipped_lines} unreadable line(s) of the record")
        session = contents.last_session(self.run_key)
        now = self._clock()
        unrecorded = self._unrecorded_jobs(session)
        if session is None or session.finished:
            self._session_id = uuid.uuid4().hex[:12]
            self._record.session(self._session_id, self.run_key, list(self.options.command), now)
            if unrecorded:
                return self._adopt_unrecorded(unrecorded, logs)
            return None, _AttemptWatch()  # the launch takes the offsets: what exists is older
        return self._resume(session, logs, unrecorded)

    def _unrecorded_jobs(self, session: Session | None) -> list[Attempt]:
        """Running jobs of this run and log dir that the record does not account for (a torn
        last line, a record lost with a full disk): found by the markers in their
        environment, newest first. Local jobs only (SLURM: by the recorded launch token)."""
        if self.launcher.kind != "local":
            return []
        from evalmon.supervisor import local

        known = set()
        if session is not None and not session.finished:
            known = {
                a.launch_token for a in session.attempts.values()
                if a.launch_token and a.outcome in ("running", "adopted")
            }
        found: list[Attempt] = []
        for proc in local.marked_processes(log_dir=self.options.log_dir, run=self.run_key):
            try:
                if os.getpgid(proc.pid) != proc.pid:
                    continue  # a member: its leader (the reaper) stands for the attempt
                env = proc.environ()
                created = proc.create_time()
            except Exception:
                continue
            token = env.get(local.TOKEN_ENV)
            number = env.get("EVALMON_ATTEMPT", "")
            if not token or token in known or not number.isdigit():
                continue
            size = env.get("EVALMON_BATCH_SIZE", "")
            found.append(Attempt(
                number=int(number),
                batch_size=int(size) if size.isdigit() else None,
                started_at=created,
                launcher="local",
                pid=proc.pid,
                pid_create_time=created,
                state="running",
                log_files=_planned_files(self.launcher, int(number)),
                launch_token=token,
                reason="found running, not in the record",
            ))
        found.sort(key=lambda a: (a.number, a.started_at), reverse=True)
        return found

    def _stop_unrecorded(self, extra: Sequence[Attempt]) -> None:
        """Second copies the record does not know: stop them (never two jobs at once)."""
        for attempt in extra:
            job = self.launcher.adopt(attempt)
            if job is None:
                continue
            how = job.stop(self.options.grace)
            self._say(
                f"stopped an unrecorded copy of this job ({job.label}, attempt "
                f"{attempt.number}): {how}"
            )

    def _adopt_unrecorded(
        self, unrecorded: list[Attempt], logs: RunLogs
    ) -> tuple[Job | None, _AttemptWatch]:
        newest, *extra = unrecorded
        self._stop_unrecorded(extra)
        for old in [a for a in self._attempts if a.number >= newest.number]:
            self._attempts.remove(old)
        self._say(
            f"the record does not name {newest.job_label} (attempt {newest.number}), but it "
            "runs with this run's markers: adopting it instead of starting a second copy"
        )
        self._set_attempt(newest)
        return self._adopt(newest, logs)

    def _resume(
        self, session: Session, logs: RunLogs, unrecorded: list[Attempt] = ()  # type: ignore[assignment]
    ) -> tuple[Job | None, _AttemptWatch]:
        self._session_id = session.session_id
        for attempt in session.ordered_attempts():
            self._set_attempt(attempt, persist=False)
        last = self._attempts[-1] if self._attempts else None
        self._say(f"resuming session {session.session_id} ({len(self._attempts)} attempt(s))")
        live_recorded = last is not None and last.outcome in ("running", "adopted")
        if unrecorded and (not live_recorded or unrecorded[0].number > last.number):  # type: ignore[union-attr]
            return self._adopt_unrecorded(list(unrecorded), logs)
        self._stop_unrecorded(unrecorded)
        if last is None or last.outcome not in ("running", "adopted"):
            self._after_ended(last)
            return None, _AttemptWatch()
        if last.pid is None and last.slurm_job_id is None and last.launch_token:
            # evalmon was killed between writing the intent and recording the job
            find = getattr(self.launcher, "find", None)
            try:
                identity = None if find is None else find(last.launch_token)
            except LaunchError as exc:
                raise _Abort(str(exc)) from None
            if identity is None:
                self._say(
                    f"attempt {last.number} was about to be launched when evalmon stopped, "
                    "and no job carries its token: launching it now"
                )
                self._attempts.remove(last)
                self._next_batch = last.batch_size
                return None, _AttemptWatch()
            last = replace(last, **identity)  # type: ignore[arg-type]
            self._set_attempt(last)
        return self._adopt(last, logs)

    def _adopt(self, last: Attempt, logs: RunLogs) -> tuple[Job | None, _AttemptWatch]:
        try:
            job = self.launcher.adopt(last)
        except LaunchError as exc:
            raise _Abort(str(exc)) from None
        self._index_earlier_attempts()
        self._watch_job_files(logs, last.log_files)
        # everything present now is read; what the attempt wrote since its launch is caught up
        # from disk, and the rest arrives live
        offsets, _ = logs.read_now(flush=True, cut=True)
        watch = _AttemptWatch(own_files=_norm_all(last.log_files), offsets=offsets)
        watch.stall = StallEvidence(launched_at=self._clock())
        if job is not None:
            adopted = replace(last, outcome="adopted", state=job.state)
            self._set_attempt(adopted)
            self._next_batch = last.batch_size
            self._say(f"adopted attempt {last.number} ({job.label}), batch size {last.batch_size}")
            self._publish("running", f"adopted attempt {last.number} ({job.label})")
            self._catch_up(last, offsets, watch)
            return job, watch
        # it ended while evalmon was away: learn how from its exit file and its logs
        self._catch_up(last, offsets, watch)
        code = self.launcher.ended_exit_code(last)
        watch.ended, watch.exit_code = True, code
        self._oom_on_exit(watch)
        decision = decide_on_exit(code, watch.oom_decision)
        self._end_attempt(last, decision, code, watch, note=" (ended while evalmon was away)")
        if decision.action == "relaunch":
            self._next_batch = decision.batch_size
            return None, _AttemptWatch()
        raise _Finished(decision)

    def _catch_up(self, attempt: Attempt, offsets: dict[str, int], watch: _AttemptWatch) -> None:
        """The adopted attempt's own output from its launch offsets up to ``offsets``."""
        launched = {os.path.normpath(p): n for p, n in attempt.log_offsets}
        for path, end in offsets.items():
            norm = os.path.normpath(path)
            if norm not in watch.own_files:
                continue
            start = launched.get(norm, 0)
            batch = read_span(path, start if start <= end else 0, end)
            if batch is not None:
                self._scan_current(batch, watch, attempt)

    def _after_ended(self, last: Attempt | None) -> None:
        """evalmon died after an attempt ended but before it acted on it: act now."""
        if last is None:
            self._next_batch = self.options.policy.first_batch_size()
            return
        if last.outcome == "succeeded":
            raise _Finished(Decision("succeed", last.reason or "exited 0"))
        if (
            last.outcome in ("stalled", "server_died", "timeout", "preempted", "node_fail")
            and "relaunching" in last.reason
        ):
            if len(self._attempts) >= self.options.policy.max_attempts:
                raise _Finished(Decision("give_up", last.reason))
            self._next_batch = last.batch_size
            return
        if last.outcome == "retuned":  # stopped for a live retune: launch at what was asked
            self._next_batch = control_mod.asked_batch(last)
            return
        if last.outcome != "oom" or last.batch_size is None:
            raise _Finished(Decision("fail", last.reason or f"attempt {last.number} failed"))
        policy = self.options.policy
        size = next_batch_size(policy, last.batch_size)
        if size is None or len(self._attempts) >= policy.max_attempts:
            raise _Finished(Decision("give_up", last.reason or "no attempt left"))
        self._next_batch = size

    def _launch(self, logs: RunLogs, size: int | None) -> tuple[Job | None, _AttemptWatch]:
        opts = self.options
        number = len(self._attempts) + 1
        cache = self._cache_path() if opts.resume else None
        rewritten = argv_mod.rewrite(
            opts.command, size, opts.batch_env, cache, lm_eval_aware=opts.lm_eval_aware
        )
        concurrent = control_mod.concurrency_after(self._attempts)  # a live retune's, if any
        rewritten = argv_mod.Rewritten(*control_mod.with_concurrency(
            rewritten.argv, rewritten.env, concurrent, opts.lm_eval_aware))
        env = {**rewritten.env, **self._job_env(number, size)}
        self._publish("launching", f"launching attempt {number} at batch size {size}")
        self._index_earlier_attempts()
        # every byte present now is delivered, and older than this attempt: its bytes start
        # at these offsets, and the OOM classifier judges what follows on its own
        offsets, before = logs.read_now(flush=True, cut=True)
        self._scan_late(before)
        # the intent goes on disk first: an evalmon killed right after the launch finds the
        # job by its token on the next run instead of starting a second copy
        planned = _planned_files(self.launcher, number)
        intent = Attempt(
            number=number,
            batch_size=size,
            started_at=self._clock(),
            launcher=self.launcher.kind,
            state="launching",
            log_files=planned,
            log_offsets=_offsets_of(planned, offsets),
            launch_token=env["EVALMON_TOKEN"],
            num_concurrent=concurrent,
        )
        self._set_attempt(intent)  # RecordError: nothing launched, one line
        if self._stop_requested.is_set():
            raise _Finished(Decision("fail", self._stop_reason), state="cancelled")
        # a local job starts in evalmon's own memory cgroup: its OOM-kill count from now
        cgroup = memory_cgroup(os.getpid()) if self.launcher.kind == "local" else None
        kills_before = oom_kills(cgroup) if cgroup is not None else None
        try:
            job = self.launcher.launch(rewritten.argv, env, number)
        except (LaunchError, OSError) as exc:
            msg = f"cannot launch attempt {number}: {exc}"
            self._set_attempt(replace(intent, outcome="failed", state="not launched",
                                      reason=msg, ended_at=self._clock()))
            self._publish("failed", msg)
            self._say(f"error: {msg}")
            assert self._record is not None
            self._record.finish(self._session_id, "failed", msg, self._clock())
            return None, _AttemptWatch()
        if os.environ.get("EVALMON_TEST_KILL_AFTER_LAUNCH") == "1":  # tests: the crash window
            os.kill(os.getpid(), signal.SIGKILL)
        files = job.log_files()
        attempt = replace(
            intent,
            state=job.state,
            log_files=files,
            log_offsets=_offsets_of(files, offsets),
            **job.identity(),  # type: ignore[arg-type]
        )
        self._set_attempt(attempt)
        self._watch_job_files(logs, attempt.log_files)
        batch = f"batch size {size}" if size is not None else "batch size not set by evalmon"
        self._say(f"attempt {number} started: {batch}, {job.label}")
        self._publish("running", f"attempt {number} running at batch size {size}")
        watch = _AttemptWatch(own_files=_norm_all(files), offsets=offsets)
        watch.stall = StallEvidence(launched_at=self._clock())
        watch.cgroup, watch.oom_kills_before = cgroup, kills_before
        return job, watch

    def _job_env(self, number: int, size: int | None) -> dict[str, str]:
        """What every attempt can read, e.g. a batch script: ``--use_cache $EVALMON_CACHE``."""
        env = {
            "EVALMON_ATTEMPT": str(number),
            "EVALMON_RUN": self.run_key,
            "EVALMON_LOG_DIR": os.path.abspath(self.options.log_dir),
            # marks every process of this attempt, even those that leave its group
            "EVALMON_TOKEN": uuid.uuid4().hex[:16],
        }
        if size is not None:
            env["EVALMON_BATCH_SIZE"] = str(size)
        if self.options.resume:
            env["EVALMON_CACHE"] = os.path.join(
                os.path.abspath(self.options.log_dir), ".evalmon", "cache", self.run_key
            )
        return env

    def _cache_path(self) -> str | None:
        if argv_mod.find_lm_eval(self.options.command) is None:
            return None
        folder = os.path.join(os.path.abspath(self.options.log_dir), ".evalmon", "cache")
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, self.run_key)  # lm-eval adds _rank<N>.db

    # ---------------------------------------------------------------- following one attempt

    def _follow(self, job: Job, watch: _AttemptWatch, logs: RunLogs) -> Decision:
        attempt = self._attempts[-1]
        stopping_for: Decision | None = None
        last_update = 0.0
        while True:
            # an OOM read wakes the loop at once; it is acted on once the job shows it failed
            # (while one waits for that, the loop turns faster: the exit is the usual word)
            wait = self.options.poll_interval
            self._scan(logs.take(min(wait, 0.02) if watch.oom_pending else wait), watch)
            self._check_oom_pending(watch)
            oom = watch.oom_decision
            if stopping_for is None and oom is not None and oom.action in ("relaunch", "give_up"):
                stopping_for = oom
                self._publish("stopping", oom.reason)
                how = job.stop(self.options.grace)
                self._say(f"attempt {attempt.number} stopped ({how})")
                self._note_left_running(job)
            if stopping_for is None and watch.oom_pending is None:
                stalled = self._check_server_died(watch) or self._check_stall(watch)
                if stalled is not None:
                    stopping_for = stalled
                    self._publish("stopping", stalled.reason)
                    how = job.stop(self.options.grace)
                    self._say(f"attempt {attempt.number} stopped ({how})")
                    self._note_left_running(job)
            now = time.monotonic()
            if now - last_update >= self.options.status_every_s:
                last_update = now
                self._update_running(attempt, job, watch, logs)
            if self._stop_requested.is_set() and stopping_for is None:
                self._publish("stopping", "stop requested")
                how = job.stop(self.options.grace)
                self._say(f"attempt {attempt.number} stopped on request ({how})")
                self._note_left_running(job)
                code = job.exit_code
                cancelled = Decision("fail", self._stop_reason)
                self._end_attempt(
                    self._attempts[-1], cancelled, code, watch, outcome="cancelled",
                    job_state=job.state,
                )
                raise _Finished(Decision("fail", self._stop_reason), state="cancelled")
            if stopping_for is None:
                stopping_for = self._retune_now(job)  # a live retune asked for (control.py)
            if job.poll():
                break
        if isinstance(job, LocalJobView):
            job.reap_stragglers(self.options.grace)
            self._note_left_running(job)
        watch.ended, watch.exit_code = True, job.exit_code
        _, batches = logs.read_now(flush=True)  # the job's last words, held OOM candidates too
        self._scan(batches, watch)
        self._oom_on_exit(watch)  # the exit is the evidence a pending OOM waited for
        if job.exit_code != 0 and watch.oom_decision is None:
            self._drain_for_oom(logs, watch)
        if job.exit_code != 0:
            self._weigh_oom_kills(watch)
        self._update_running(attempt, job, watch, logs)
        retuned = self._end_retuned(job, watch)
        if retuned is not None:
            return retuned
        if watch.stall_decision is not None and watch.oom_decision is None:
            decision = watch.stall_decision
            self._last_stall_place = watch.stall_place
            self._last_cause = watch.stall_outcome if watch.stall_outcome != "stalled" else ""
            self._end_attempt(self._attempts[-1], decision, job.exit_code, watch,
                              outcome=watch.stall_outcome, job_state=job.state)
            return decision
        self._last_stall_place = ""
        cause = None if watch.oom_decision is not None else self._exit_cause(job, watch)
        if cause is not None:
            outcome, text = cause
            ev = watch.stall
            same = self._last_cause == outcome and (ev is None or ev.progress_at is None)
            decision = decide_on_cause(
                self.options.policy, outcome, text, attempt.batch_size, len(self._attempts),
                self.options.relaunch_on, same,
            )
            self._last_cause = outcome
            self._end_attempt(self._attempts[-1], decision, job.exit_code, watch,
                              outcome=outcome, job_state=job.state)
            return decision
        self._last_cause = ""
        decision = decide_on_exit(job.exit_code, watch.oom_decision)
        crash = http_crash(watch.stall) if watch.stall is not None else None
        if crash and decision.action == "fail" and watch.oom_decision is None:
            decision = Decision("fail", f"{crash}, {decision.reason}")
        self._end_attempt(self._attempts[-1], decision, job.exit_code, watch, job_state=job.state)
        return decision

    def _exit_cause(self, job: Job, watch: _AttemptWatch) -> tuple[str, str] | None:
        """An ended attempt's cause outside the job: SLURM's time limit, preemption, node
        failure (its state or its own ``*** JOB ... ***`` line), or a server that died."""
        state = (job.state or "").split(" ")[0]
        signal_kind = watch.stall.job_signal if watch.stall is not None else ""
        if state == "COMPLETED":  # a rerun finished after the line: the state is the truth
            signal_kind = ""
        if self.launcher.kind == "slurm":
            if state == "TIMEOUT" or signal_kind == "time_limit":
                return "timeout", f"SLURM time limit ({_inert(job.state, 40)})"
            if state == "PREEMPTED" or signal_kind == "preempted":
                return "preempted", f"preempted by SLURM ({_inert(job.state, 40)})"
            if state == "NODE_FAIL" or signal_kind == "node_fail":
                return "node_fail", f"SLURM node failure ({_inert(job.state, 40)})"
        if job.exit_code != 0 and watch.stall is not None:
            died = server_died(watch.stall)
            if died:
                return "server_died", died
        return None

    def _check_server_died(self, watch: _AttemptWatch) -> Decision | None:
        """--relaunch-on server-died: a client retrying against a server that is gone is
        stopped at once (refused connections or the server's shutdown since its last
        progress) instead of waiting for --stall-timeout."""
        ev = watch.stall
        if "server_died" not in self.options.relaunch_on or ev is None:
            return None
        if watch.oom_decision is not None or not (ev.refused >= 5 or ev.shutdown_at):
            return None
        died = server_died(ev)
        if died is None:
            return None
        attempt = self._attempts[-1]
        same = self._last_cause == "server_died" and ev.progress_at is None
        decision = decide_on_cause(
            self.options.policy, "server_died", died, attempt.batch_size, len(self._attempts),
            self.options.relaunch_on, same,
        )
        self._say(f"attempt {attempt.number}: {died} -> {decision.action}: {decision.reason}")
        watch.stall_decision = decision
        watch.stall_outcome = "server_died"
        return decision

    def _check_stall(self, watch: _AttemptWatch) -> Decision | None:
        """A stall (--stall-timeout) of the running attempt: the decision, said once."""
        timeout = self.options.stall_timeout_s
        ev = watch.stall
        if not timeout or ev is None or watch.oom_decision is not None:
            return None
        now = self._clock()
        quiet = now - ev.quiet_since
        if quiet < min(60.0, timeout / 4) and self._stall_said:
            self._stall_said = 0.0  # progress again: the stall line goes
            attempt = self._attempts[-1]
            self._publish(message=f"attempt {attempt.number} running at batch size "
                          f"{attempt.batch_size}")
        elif quiet >= min(60.0, timeout / 4) and now - self._stall_said >= 1.0:
            # "no progress for 7m12s (server not answering since 03:14:05)", long before
            # the timeout: the dashboard's supervisor line and the headless progress lines
            from evalmon import fmt

            self._stall_said = now
            self._publish(message=progress_line(ev, now, fmt.duration))
        if quiet < timeout:
            return None
        diag = diagnose(ev)
        attempt = self._attempts[-1]
        same = bool(self._last_stall_place) and self._last_stall_place == diag.place
        decision = decide_on_stall(
            self.options.policy, attempt.batch_size, len(self._attempts), diag.text, same
        )
        self._say(
            f"attempt {attempt.number}: no progress for {int(quiet)} s: {diag.text} -> "
            f"{decision.action}: {decision.reason}"
        )
        watch.stall_decision = decision
        watch.stall_place = diag.place
        return decision

    def _note_left_running(self, job: Job) -> None:
        """Processes of the job that survived even SIGKILL: named in the record and said."""
        left = tuple(getattr(job, "left_running", ()) or ())
        current = self._attempts[-1]
        if not left or left == current.left_running:
            return
        self._set_attempt(replace(current, left_running=left))
        for what in left:
            self._say(f"warning: attempt {current.number} left {what} running")

    # ---------------------------------------------------------------- live retuning

    def _retune_facts(self) -> control_mod.JobFacts:
        opts = self.options
        lm = opts.lm_eval_aware and argv_mod.find_lm_eval(opts.command) is not None
        ours = os.path.join(os.path.abspath(opts.log_dir), ".evalmon", "cache", self.run_key)
        cache = (argv_mod.user_cache_path(opts.command) or (ours if opts.resume else None)
                 if lm else None)
        return control_mod.JobFacts(
            command=tuple(opts.command), launcher=self.launcher.kind, policy=opts.policy,
            batch_env=opts.batch_env, lm_eval_aware=opts.lm_eval_aware, resume=opts.resume,
            grace=opts.grace, cache_path=cache,
        )

    def _retune_now(self, job: Job) -> Decision | None:
        """A retune request, if one waits: stop the attempt as an OOM'd one is stopped."""
        attempt = self._attempts[-1]
        taken = self._control.take(attempt, self._retune_facts(), self._attempts)
        if taken is None:
            return None
        self._retuning = taken
        self._publish("stopping", taken.decision.reason)
        how = job.stop(self.options.grace)
        self._say(f"attempt {attempt.number} stopped for the retune ({how})")
        self._note_left_running(job)
        return taken.decision

    def _end_retuned(self, job: Job, watch: _AttemptWatch) -> Decision | None:
        """The attempt stopped for a retune: record it as retuned, relaunch at the new values."""
        taken, self._retuning = self._retuning, None
        if taken is None:
            return None
        if job.exit_code == 0:  # it finished before the stop reached it: nothing to relaunch
            self._say("the attempt finished before it was stopped: the retune is not needed")
            return None
        attempt = replace(self._attempts[-1], retune=taken.request.to_text())
        self._last_stall_place = self._last_cause = ""
        self._end_attempt(attempt, taken.decision, job.exit_code, watch, outcome="retuned",
                          job_state=job.state)
        return taken.decision

    def _settle(self, logs: RunLogs, watch: _AttemptWatch) -> None:
        """A fallback for logs that every attempt shares, before the next launch.

        The files of the stopped attempt stay its own however late their lines are read. But
        a server that outlives its client (its own job, or the demo's) may still be finishing
        the stopped attempt's requests and log more OOMs into a log the next attempt shares,
        after the next launch's offsets. If such a log was written during the attempt, wait
        until shared logs are quiet (``settle_quiet_s``, at most ``settle_max_s``).
        """
        _, batches = logs.read_now(flush=True)
        self._scan(batches, watch)
        if not watch.shared_active:
            return
        opts = self.options
        started = last_event = time.monotonic()
        while True:
            now = time.monotonic()
            if now - last_event >= opts.settle_quiet_s or now - started >= opts.settle_max_s:
                return
            batches = logs.take(min(opts.poll_interval, opts.settle_quiet_s))
            self._scan(batches, watch)
            if any(self._is_shared(b.path, watch) and _talks(b) for b in batches):
                last_event = time.monotonic()

    def _drain_for_oom(self, logs: RunLogs, watch: _AttemptWatch, wait_s: float = 1.0) -> None:
        """The job failed and its logs said nothing yet: a shared filesystem may show its last
        words late (another node's writes), so look a little longer."""
        deadline = time.monotonic() + wait_s
        while watch.oom_decision is None and time.monotonic() < deadline:
            self._scan(logs.take(self.options.poll_interval), watch)
        if watch.oom_decision is None:
            _, batches = logs.read_now(flush=True)
            self._scan(batches, watch)

    # ---------------------------------------------------------------- whose bytes

    def _index_earlier_attempts(self) -> None:
        """Files (and SLURM job ids) of the attempts before the newest one."""
        self._earlier_files.clear()
        self._earlier_jobs.clear()
        for attempt in self._attempts[:-1] if self._attempts else ():
            self._add_earlier(attempt)
        # at a launch the newest recorded attempt is an earlier one too
        if self._attempts and self._attempts[-1].outcome not in ("running", "adopted"):
            self._add_earlier(self._attempts[-1])

    def _add_earlier(self, attempt: Attempt) -> None:
        for path in attempt.log_files:
            self._earlier_files[os.path.normpath(path)] = attempt.number
        if attempt.slurm_job_id:
            self._earlier_jobs[attempt.slurm_job_id] = attempt.number

    def _earlier_owner(self, path: str, own_files: frozenset[str]) -> int | None:
        """The earlier attempt whose file this is, if any (never for the current one's)."""
        norm = os.path.normpath(path)
        if norm in own_files:
            return None
        owner = self._earlier_files.get(norm)
        if owner is None and self._earlier_jobs:
            owner = self._earlier_jobs.get(run_key(path).name)  # server-<job id>.log
        return owner

    def _is_shared(self, path: str, watch: _AttemptWatch) -> bool:
        return (
            os.path.normpath(path) not in watch.own_files
            and self._earlier_owner(path, watch.own_files) is None
        )

    def _scan(self, batches: Sequence[FileBatch], watch: _AttemptWatch) -> None:
        attempt = self._attempts[-1] if self._attempts else None
        for batch in batches:
            path = batch.path
            if batch.history:
                # the start of a big file read tail first: older than its tail, and this
                # attempt's only if the whole file is (it appeared or restarted since launch)
                if path in watch.offsets and path not in watch.restarted:
                    continue
            elif batch.truncated:
                watch.restarted.add(path)  # the file starts over: all of it is new
            if not batch.events:
                continue
            if path not in watch.restarted and batch.scanned_bytes <= watch.offsets.get(path, 0):
                continue  # bytes from before the launch, read now
            owner = self._earlier_owner(path, watch.own_files)
            if owner is not None:
                self._late(batch, owner)
                continue
            self._scan_current(batch, watch, attempt)

    def _scan_current(
        self, batch: FileBatch, watch: _AttemptWatch, attempt: Attempt | None
    ) -> None:
        """A batch of the current attempt's bytes."""
        own = os.path.normpath(batch.path) in watch.own_files
        if own:
            self._reduce(batch, watch, attempt)
        ev = watch.stall
        now = self._clock()
        if ev is not None and batch.events:
            if own:
                ev.written_at = now
            elif _talks(batch):
                ev.server_wrote_at = now
        pending_before = watch.oom_pending
        for located in batch.events:
            item = located.event
            if not own and not isinstance(item, _SAMPLER_EVENTS):
                watch.shared_active = True
            if ev is not None:
                _evidence(ev, item, own, batch.path, now)
            # a redraw of a bar at the same count says nothing about progress
            moved = not isinstance(item, Progress) or not own or _bar_moved(item, batch.path, watch)
            if moved and watch.oom_pending is not None and watch.oom_pending is pending_before:
                self._oom_evidence(item, own, batch.path, located.line, watch, same_read=False)
            if isinstance(item, OutOfMemory):
                self._on_oom(item, batch.path, located.line, watch, attempt)
            elif isinstance(item, Progress):
                self._maybe_print_progress(item, attempt)
            elif isinstance(item, GpuSample) and item.memory_used is not None:
                key = (item.host, item.index)
                watch.peak_gpu[key] = max(watch.peak_gpu.get(key, 0), item.memory_used)
        if watch.oom_pending is not None and watch.oom_pending is not pending_before:
            # an OOM of this read: what else the read holds (held OOM candidates come out
            # after later lines) is evidence too
            for located in batch.events:
                self._oom_evidence(located.event, own, batch.path, located.line, watch,
                                   same_read=True)

    def _scan_late(self, batches: Sequence[FileBatch]) -> None:
        """Batches read at a launch, before it: only late words of earlier attempts matter."""
        for batch in batches:
            if batch.history or not batch.events:
                continue
            owner = self._earlier_owner(batch.path, frozenset())
            if owner is not None:
                self._late(batch, owner)

    def _late(self, batch: FileBatch, owner: int) -> None:
        """Lines written to an earlier attempt's files after it was replaced (a slow shared
        filesystem, a rank that outlived the stop): that attempt's, never the current one's."""
        current = self._attempts[-1].number if self._attempts else 0
        for located in batch.events:
            if not isinstance(located.event, OutOfMemory) or not located.event.fatal:
                continue
            key = (owner, batch.path)
            if key in self._late_said:
                continue  # one line per file: eight ranks are one failure
            self._late_said.add(key)
            where = f"{os.path.basename(batch.path)}:{located.line}"
            after = f" after attempt {current} started" if current != owner else ""
            self._say(
                f"OOM at {where} read{after}: a late report in attempt {owner}'s log, "
                f"part of attempt {owner}'s failure"
            )

    def _on_oom(
        self,
        oom: OutOfMemory,
        path: str,
        line: int,
        watch: _AttemptWatch,
        attempt: Attempt | None,
    ) -> None:
        where = f"{os.path.basename(path)}:{line}"
        if watch.oom_decision is not None or watch.oom_pending is not None:
            watch.ignored_ooms += 1  # the same failure seen by another rank / file
            return
        used = len(self._attempts)
        size = attempt.batch_size if attempt is not None else None
        decision = decide_on_oom(self.options.policy, oom, size, used)
        acts = decision.action in ("relaunch", "give_up")
        wait = (
            f" once the job shows it failed (an exit, HTTP 5xx, or no progress for "
            f"{self.options.oom_wait_s:g} s)" if acts and not watch.ended else ""
        )
        self._say(
            f"OOM at {where}: {oom.kind} {oom.origin}: {_inert(oom.message, 160)} -> "
            f"{decision.action}{wait}: {decision.reason}"
        )
        if decision.action == "ignore":
            return
        if not acts:  # fail: nothing is stopped for it, the exit message names it
            watch.oom_decision = decision
            watch.oom_where = (path, line)
            watch.oom_event = oom
            return
        watch.oom_pending = _OomPending(decision, path, line, self._clock())
        if watch.ended:
            self._oom_on_exit(watch)

    def _oom_evidence(
        self, item: object, own: bool, path: str, line: int, watch: _AttemptWatch,
        same_read: bool,
    ) -> None:
        """What one event read after a pending OOM says: the job failed, or it went on.

        ``same_read``: the event came in the OOM's own read. Its 5xx count (the access
        line of the failed request is often written just before the traceback) is evidence;
        its progress is not (a bar redrawn as the job dies)."""
        pending = watch.oom_pending
        if pending is None or pending.failure:
            return
        if isinstance(item, ServerTraffic):
            bad = sum(c for status, c in item.http_statuses if status >= 500)
            if bad:
                pending.failure = f"the server answered HTTP 5xx ({bad}x)"
            elif not same_read and (
                item.engine_calls or any(status < 400 for status, _ in item.http_statuses)
            ):
                pending.progressed = True
        elif isinstance(item, ApiFailure):
            if item.status is not None and item.status >= 500:
                pending.failure = f"a request got HTTP {item.status}"
            elif item.status is None and any(w in item.message.lower() for w in REFUSED):
                pending.failure = "the server refused connections"
        elif isinstance(item, ServerException):
            # Flask logs the failed request's line before its traceback: only a later one
            if path != pending.path or line > pending.line:
                pending.failure = f"the server logged a traceback for {item.method} {item.path}"
        elif isinstance(item, ServerShutdown):
            pending.failure = "the server shut down"
        elif isinstance(item, Progress) and own and not same_read and _is_request_bar(item.desc):
            pending.progressed = True  # _scan_current only passes bars that moved

    def _check_oom_pending(self, watch: _AttemptWatch) -> None:
        """While the job runs: act on a pending OOM with failure evidence or past its wait."""
        pending = watch.oom_pending
        if pending is None:
            return
        if pending.failure:
            self._oom_confirm(watch, pending.failure)
            return
        waited = self._clock() - pending.read_at
        if waited < self.options.oom_wait_s:
            return
        if pending.progressed:
            self._oom_survived(watch, "progress went on")
        else:
            self._oom_confirm(watch, f"no progress for {self.options.oom_wait_s:g} s after it")

    def _oom_on_exit(self, watch: _AttemptWatch) -> None:
        """The job ended: a non-zero exit confirms a pending OOM; exiting 0 shows it survived."""
        pending = watch.oom_pending
        if pending is None:
            return
        code = watch.exit_code
        if pending.failure:
            self._oom_confirm(watch, pending.failure)
        elif code == 0:
            self._oom_survived(watch, "progress went on" if pending.progressed else "it exited 0")
        else:
            self._oom_confirm(
                watch, "exit code unknown" if code is None else describe_exit(code)
            )

    def _weigh_oom_kills(self, watch: _AttemptWatch) -> None:
        """A failed local attempt against the OOM kills its memory cgroup counted while it ran
        (see cgroup.py). A job that died of SIGKILL, with a kill counted that the logs do not
        name, was the OOM killer's: it died of host memory. A bare ``Killed`` read from the
        logs, with none counted, was another SIGKILL (not judged where v1 counts only the
        cgroup's own processes and the job made cgroups under it)."""
        cgroup, before = watch.cgroup, watch.oom_kills_before
        if cgroup is None or before is None:
            return
        now = oom_kills(cgroup)
        if now is None:
            return
        counted = now - before
        name = _inert(cgroup.name, 80)
        if counted > 0 or cgroup.counts_descendants or not cgroup.has_descendants():
            watch.oom_killed = counted > 0
        # (a kill counted while the job failed some other way may be another process's: only
        # a job that itself died of SIGKILL is read as killed by it)
        sigkilled = watch.exit_code in (-signal.SIGKILL, 128 + signal.SIGKILL)
        if counted > 0 and sigkilled and watch.oom_decision is None and watch.oom_pending is None:
            kills = "1 process" if counted == 1 else f"{counted} processes"
            watch.oom_decision = Decision(
                "fail",
                f"host (CPU RAM) out of memory: the kernel's OOM killer killed {kills} in the "
                "job's memory cgroup: a smaller GPU batch will not help",
            )
            self._say(f"no OOM in its logs, but its memory cgroup {name} counted {counted} "
                      f"OOM kill{'s' if counted > 1 else ''} since the launch")
            return
        event = watch.oom_event
        if (
            counted == 0
            and event is not None
            and event.signal_only
            and watch.oom_decision is not None
            and watch.oom_decision.action == "fail"
            and watch.oom_killed is False
        ):
            where = ""
            if watch.oom_where is not None:
                where = f" at {os.path.basename(watch.oom_where[0])}:{watch.oom_where[1]}"
            self._say(f"the kill{where} ({_inert(event.message, 60)}) was not the OOM "
                      f"killer's: its memory cgroup {name} counted no OOM kill since the launch")
            watch.oom_decision = watch.oom_event = watch.oom_where = None

    def _oom_confirm(self, watch: _AttemptWatch, evidence: str) -> None:
        pending = watch.oom_pending
        assert pending is not None
        watch.oom_pending = None
        watch.oom_decision = pending.decision
        watch.oom_where = (pending.path, pending.line)
        where = f"{os.path.basename(pending.path)}:{pending.line}"
        self._say(f"OOM at {where} confirmed: {evidence} -> {pending.decision.action}")

    def _oom_survived(self, watch: _AttemptWatch, how: str) -> None:
        pending = watch.oom_pending
        assert pending is not None
        watch.oom_pending = None  # a later OOM of this attempt is judged afresh
        where = f"{os.path.basename(pending.path)}:{pending.line}"
        self._say(f"OOM at {where} was survived: {how}")

    def _maybe_print_progress(self, progress: Progress, attempt: Attempt | None) -> None:
        if progress.desc and not is_request_bar(progress.desc, False, progress.unit):
            return  # a set-up bar (contexts, tokenizing, a dataset map): not the job's progress
        now = time.monotonic()
        if now - self._last_progress_print < self.options.progress_every_s:
            return
        self._last_progress_print = now
        total = f"/{fmt.count(progress.total)}" if progress.total is not None else ""
        rate = f" {fmt.rate(progress.rate)} {progress.unit}/s" if progress.rate else ""
        label = f"attempt {attempt.number}" if attempt else "run"
        desc = _inert(progress.desc, 60) or "progress"
        self._say(f"[{label}] {desc} {fmt.count(progress.n)}{total}{rate}")

    # ---------------------------------------------------------------- bookkeeping

    def _reduce(self, batch: FileBatch, watch: _AttemptWatch, attempt: Attempt | None) -> None:
        batches = []
        if attempt is not None and attempt.batch_size and batch.path not in watch.seeded:
            # evalmon chose this attempt's batch size: the one fact no log may state
            # (lm-eval prints it only in its closing summary)
            watch.seeded.add(batch.path)
            seed = RunConfig(batch_size=str(attempt.batch_size), source="evalmon run")
            batches.append(FileBatch(batch.path, (Located(0, seed),)))
        batches.append(batch)
        watch.state.apply_batches(batches)

    def _samples_per_s(self, attempt: Attempt, watch: _AttemptWatch) -> float | None:
        """Exact samples/s of the attempt's own logs, computed as the report computes it."""
        rates = [r.samples_per_s for r in watch.state.snapshot().runs if r.samples_per_s]
        return max(rates) if rates else None

    def _watch_job_files(self, logs: RunLogs, files: Sequence[str]) -> None:
        root = os.path.abspath(self.options.log_dir) + os.sep
        logs.add_paths([f for f in files if not os.path.abspath(f).startswith(root)])

    def _update_running(
        self, attempt: Attempt, job: Job, watch: _AttemptWatch, logs: RunLogs
    ) -> None:
        current = self._attempts[-1]
        track = getattr(job, "track", None)
        if track is not None:
            track()  # the job's process tree, so children that leave its group are stopped
        if watch.stall is not None and getattr(job, "waiting", False):
            watch.stall.launched_at = self._clock()  # queued, not started: it cannot stall
        files = job.log_files() if not current.log_files else current.log_files
        offsets = current.log_offsets
        if files != current.log_files:  # a SLURM job's StdOut/StdErr became known
            self._watch_job_files(logs, files)
            watch.own_files = _norm_all(files)
            offsets = _offsets_of(files, watch.offsets)
        new = replace(
            current,
            log_files=files,
            log_offsets=offsets,
            state=job.state,
            samples_per_s=self._samples_per_s(attempt, watch),
            peak_gpu_bytes=max(watch.peak_gpu.values()) if watch.peak_gpu else None,
        )
        if new != current:
            self._set_attempt(new, persist=new.state != current.state)
            if new.state != current.state and self.launcher.kind == "slurm":
                self._say(f"attempt {new.number} ({job.label}): {_inert(new.state, 80)}")

    def _end_attempt(
        self,
        attempt: Attempt,
        decision: Decision,
        code: int | None,
        watch: _AttemptWatch,
        note: str = "",
        outcome: str | None = None,
        job_state: str = "",
    ) -> None:
        if outcome is None:
            outcome = {
                "relaunch": "oom",
                "give_up": "oom",
                "succeed": "succeeded",
            }.get(decision.action, "failed")
        oom_file, oom_line = watch.oom_where or (None, None)
        ended = replace(
            attempt,
            ended_at=self._clock(),
            outcome=outcome,  # type: ignore[arg-type]
            reason=decision.reason + note,
            exit_code=code,
            state=job_state or ("ended" if code is None else f"exited {code}"),
            samples_per_s=self._samples_per_s(attempt, watch) or attempt.samples_per_s,
            peak_gpu_bytes=(
                max(watch.peak_gpu.values()) if watch.peak_gpu else attempt.peak_gpu_bytes
            ),
            oom_file=oom_file,
            oom_line=oom_line,
            oom_killed=watch.oom_killed,
        )
        self._set_attempt(ended)
        self._say(f"attempt {attempt.number} ended: {outcome}: {ended.reason}")

    def _finish(self, decision: Decision, state: SupervisorState | None = None) -> int:
        if state is None:
            state = {"succeed": "succeeded", "give_up": "gave_up"}.get(  # type: ignore[assignment]
                decision.action, "failed"
            )
        assert state is not None
        message = decision.reason
        if state == "gave_up":
            message = f"gave up: {decision.reason}"
        self._next_batch = None if state != "succeeded" else self._next_batch
        self._publish(state, message)
        assert self._record is not None
        self._record.finish(self._session_id, state, message, self._clock())
        return 0 if state == "succeeded" else 1


def _planned_files(launcher: Launcher, number: int) -> tuple[str, ...]:
    """The attempt's own log files before its launch, where the launcher knows them."""
    planned = getattr(launcher, "planned_log_files", None)
    return tuple(planned(number)) if planned is not None else ()


def _norm_all(paths: Sequence[str]) -> frozenset[str]:
    return frozenset(os.path.normpath(p) for p in paths)


def _offsets_of(files: Sequence[str], offsets: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """Each of ``files``' offset at the launch (0: not there yet, so all of it is new)."""
    by_norm = {os.path.normpath(p): n for p, n in offsets.items()}
    return tuple((f, by_norm.get(os.path.normpath(f), 0)) for f in files)


def _evidence(ev: StallEvidence, item: object, own: bool, path: str, now: float) -> None:
    """What one event says about a stall (see :mod:`evalmon.supervisor.stall`)."""
    if isinstance(item, Progress):
        if own and _is_request_bar(item.desc):
            total = f"/{item.total:g}" if item.total is not None else ""
            where = f"{_inert(item.desc, 40)} {item.n:g}{total}"
            ev.on_progress(f"{path}\0{item.desc}", item.n, where, now)
    elif isinstance(item, ApiFailure):
        ev.on_api_failure(item.status, item.message, now)
    elif isinstance(item, JobSignal):
        if item.kind in ("time_limit", "preempted", "node_fail"):
            ev.job_signal = item.kind
    elif own:
        return
    elif isinstance(item, ServerTraffic):
        bad = sum(c for status, c in item.http_statuses if status >= 500)
        if bad:
            ev.on_5xx(bad, now)
        if item.engine_calls or any(status < 500 for status, _ in item.http_statuses):
            ev.served_at = now
    elif isinstance(item, EngineStats):
        if item.running:
            ev.served_at = now
    elif isinstance(item, ServerShutdown):
        ev.shutdown_at = now


def _bar_moved(item: Progress, path: str, watch: _AttemptWatch) -> bool:
    """Did this request bar of the attempt's own logs count up since its last line?"""
    if not _is_request_bar(item.desc):
        return False
    key = f"{path}\0{item.desc}"
    before = watch.bar_n.get(key, 0.0)
    watch.bar_n[key] = item.n
    return item.n > before


def _talks(batch: FileBatch) -> bool:
    """Did a job write this (not a GPU sampler's continuous samples)?"""
    return any(not isinstance(loc.event, _SAMPLER_EVENTS) for loc in batch.events)


class _Finished(Exception):  # control flow: the session ends early
    def __init__(self, decision: Decision, state: SupervisorState | None = None) -> None:
        super().__init__(decision.reason)
        self.decision = decision
        self.state = state


class _Abort(Exception):
    """Stop this evalmon without closing the session (its job may still be alive)."""
