"""SLURM launcher: sbatch / squeue / scontrol / sacct / scancel, as argv lists only.

Submission never duplicates a job: every submission carries a unique token in
``--comment``; when sbatch fails or times out (the controller may have accepted the job
before the answer was lost), squeue is asked for a job with that token before trying again.
State: ``squeue -j ID -t all`` while the controller remembers the job, ``sacct -c`` (the
jobcomp file) after it was purged. Only our own job id is ever cancelled.

evalmon, not SLURM, requeues (``--requeue-on``): jobs are submitted ``--no-requeue``, so a
preempted job ends ``PREEMPTED`` and one on a failed node ``NODE_FAIL`` (slurmctld's
``slurm_job_preempt`` kills a job ``job_requeue`` refuses). A job SLURM requeues anyway (the
user's ``--requeue``) would run again under the same id after a 120 s BeginTime, truncating
its own log, outside evalmon's attempts: after a preemption or a node failure that rerun is
cancelled and the attempt ends with the state the jobcomp file gave its run (``PREEMPTED``,
``NODE_FAIL``); an operator's ``scontrol requeue`` is followed as the same attempt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evalmon.supervisor.local import LaunchError
from evalmon.supervisor.model import Attempt

TERMINAL = frozenset(
    {
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
        "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT",
    }
)


#: states of a job whose program is not running (yet): queued for hours after a preemption,
#: or suspended by a preemptor (PreemptMode=SUSPEND)
WAITING = frozenset(
    {"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SUSPENDED",
     "RESV_DEL_HOLD"}
)


@dataclass(frozen=True, slots=True)
class SlurmCommands:
    """How long each client call may take and how often a failed submission is retried."""

    timeout_s: float = 30.0
    submit_retries: int = 3
    retry_delay_s: float = 2.0
    poll_every_s: float = 0.5


@dataclass(frozen=True, slots=True)
class CmdResult:
    code: int
    out: str
    err: str


def _run(argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None) -> CmdResult:
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=None if env is None else {**os.environ, **env},
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return CmdResult(124, "", f"{argv[0]} timed out after {timeout:g} s")
    except OSError as exc:
        return CmdResult(127, "", f"{argv[0]}: {exc.strerror}")
    return CmdResult(proc.returncode, proc.stdout, proc.stderr)


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def parse_scontrol(line: str) -> dict[str, str]:
    """``scontrol -o show job`` prints one ``Key=Value`` line; values may contain spaces
    only in a few keys (Command, WorkDir...), which we do not need, so split on spaces."""
    out: dict[str, str] = {}
    for item in line.split():
        key, sep, value = item.partition("=")
        if sep and key not in out:
            out[key] = value
    return out


def parse_exit_code(text: str) -> int | None:
    """``1:0`` -> 1, ``0:15`` -> -15 (signal, as subprocess reports it), junk -> None."""
    m = re.fullmatch(r"\s*(\d+):(\d+)\s*", text or "")
    if not m:
        return None
    code, sig = int(m.group(1)), int(m.group(2))
    return -sig if sig else code


def _script_head(script: str) -> str:
    try:
        with open(script, errors="replace") as fh:
            return fh.read(65536)
    except OSError:
        return ""


def script_declares_output(script: str) -> bool:
    """Does the batch script set its own ``#SBATCH --output`` / ``-o``?"""
    return bool(re.search(r"^#SBATCH\s+(--output[=\s]|-o\s?)", _script_head(script), re.MULTILINE))


def script_declares_requeue(script: str) -> bool:
    """Does the batch script ask ``#SBATCH --requeue`` (or ``--no-requeue``) itself?"""
    return bool(re.search(r"^#SBATCH\s+--(no-)?requeue[ \t]*$", _script_head(script), re.MULTILINE))


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


class SlurmJob:
    def __init__(self, job_id: str, commands: SlurmCommands, env: Mapping[str, str] | None = None):
        self.job_id = job_id
        self.commands = commands
        self._env = env
        self._state = "PENDING"
        self._exit_code: int | None = None
        self._ended = False
        self._last_poll = 0.0
        self._log_files: tuple[str, ...] = ()
        self.reason = ""
        self.node = ""
        self.unreachable = ""
        self._restarts: int | None = None  # SLURM's Restarts= when first seen
        self._requeued_as = ""  # SLURM requeued the job itself: the state of its run

    @property
    def label(self) -> str:
        return f"job {self.job_id}"

    @property
    def state(self) -> str:
        return self._state + (f" ({self.unreachable})" if self.unreachable else "")

    @property
    def exit_code(self) -> int | None:
        return self._exit_code

    @property
    def waiting(self) -> bool:
        """Not started (queued, nodes booting) or held (suspended by a preemptor): no
        progress is due yet, so --stall-timeout does not run."""
        return not self._ended and self._state in WAITING

    def identity(self) -> dict[str, object]:
        return {"slurm_job_id": self.job_id}

    def log_files(self) -> tuple[str, ...]:
        if not self._log_files:
            self._query_scontrol()
        return self._log_files

    # ---------------------------------------------------------------- state

    def poll(self, force: bool = False) -> bool:
        if self._ended:
            return True
        now = time.monotonic()
        if not force and now - self._last_poll < self.commands.poll_every_s:
            return False
        self._last_poll = now
        info = self._query_scontrol()
        if info is None:
            self._query_sacct()
        return self._ended

    def _query_scontrol(self) -> dict[str, str] | None:
        res = _run(["scontrol", "-o", "show", "job", self.job_id], self.commands.timeout_s)
        if res.code != 0 or "JobState=" not in res.out:
            if "Invalid job id" not in res.err:
                self.unreachable = _one_line(res.err)
            return None
        self.unreachable = ""
        info = parse_scontrol(res.out.strip().splitlines()[0])
        files = [info.get("StdOut", ""), info.get("StdErr", "")]
        self._log_files = tuple(dict.fromkeys(f for f in files if f and f != "(null)"))
        self._state = info.get("JobState", self._state)
        self.reason = info.get("Reason", "")
        self.node = info.get("NodeList", "")
        restarts = _int(info.get("Restarts"))
        if self._restarts is None:
            self._restarts = restarts  # an adopted job may have been requeued before
        elif restarts > self._restarts and self._state not in TERMINAL:
            self._on_slurm_requeue(restarts)
        if self._state in TERMINAL:
            self._exit_code = parse_exit_code(info.get("ExitCode", ""))
            self._ended = True
            if self._requeued_as:
                # short: the supervisor's reason quotes at most 40 characters of it
                self._state = f"{self._requeued_as} (SLURM's requeue cancelled)"
        return info

    def _on_slurm_requeue(self, restarts: int) -> None:
        """SLURM requeued our job (Restarts= went up): it is PENDING with a BeginTime 120 s
        away, and would run again under the same id. After a preemption or a node failure
        (the jobcomp file's state of the run), --requeue-on decides, not SLURM: cancel that
        rerun (the run itself is over) and end the attempt with the run's state. Anything
        else (an operator's ``scontrol requeue``: the run is logged ``PENDING``) is
        followed: the rerun is this attempt, still one job."""
        if not self._requeued_as:
            records = self._jobcomp_records(note_error=False)
            last = records[-1][0] if records else ""
            if last not in ("PREEMPTED", "NODE_FAIL"):
                self._restarts = restarts
                return
            self._requeued_as = last
        res = _run(["scancel", self.job_id], self.commands.timeout_s)
        if res.code != 0:
            self.unreachable = _one_line(res.err)  # tried again at the next poll

    def _jobcomp_records(self, note_error: bool = True) -> list[tuple[str, str]] | None:
        """(state, exit code) of each run of our job in the jobcomp file, oldest first: a job
        SLURM requeued has one line per run (``PREEMPTED`` then ``COMPLETED``). A rerun
        cancelled while the run before it was still COMPLETING gets no line: the last one
        stays ``PREEMPTED``, which is still true of the job's only run."""
        res = _run(
            ["sacct", "-c", "-n", "-j", self.job_id, "-P", "-o", "jobid,state,exitcode,end"],
            self.commands.timeout_s,
        )
        if res.code != 0:
            if note_error:
                self.unreachable = _one_line(res.err)
            return None
        records = []
        for line in res.out.splitlines():
            parts = line.split("|")
            if len(parts) >= 3 and parts[0] == self.job_id and parts[1]:
                records.append((parts[1].split()[0], parts[2]))
        return records

    def _query_sacct(self) -> None:
        records = self._jobcomp_records()
        if not records:
            return
        state, exit_code = records[-1]  # the last run, not the first one SLURM requeued
        if state in TERMINAL:
            self._state = state
            self._exit_code = parse_exit_code(exit_code)
            self._ended = True

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.poll(force=True):
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.commands.poll_every_s)
        return True

    def stop(self, grace: float) -> str:
        """scancel our job; SLURM sends SIGTERM, then SIGKILL after its KillWait."""
        if self.poll(force=True):
            return "already ended"
        res = _run(["scancel", self.job_id], self.commands.timeout_s)
        if res.code != 0:
            return f"scancel failed: {_one_line(res.err)}"
        if self.wait(grace + 60.0):
            return f"cancelled ({self._state})"
        return "cancel requested; job still not ended"


class SlurmLauncher:
    kind = "slurm"

    def __init__(
        self,
        log_dir: str,
        sbatch_args: Sequence[str] = (),
        env_names: Sequence[str] = (),
        commands: SlurmCommands | None = None,
    ) -> None:
        for tool in ("sbatch", "squeue", "scontrol", "scancel"):
            if shutil.which(tool) is None:
                raise LaunchError(f"{tool} not found: --slurm needs the SLURM client commands")
        self.log_dir = log_dir
        self.sbatch_args = tuple(sbatch_args)
        self.env_names = tuple(env_names)
        self.commands = commands or SlurmCommands()

    def sbatch_argv(self, argv: Sequence[str], env: Mapping[str, str], token: str) -> list[str]:
        script = argv[0]
        cmd = ["sbatch", "--parsable", f"--comment=evalmon:{token}"]
        export = ",".join(["ALL", *(f"{k}={v}" for k, v in env.items())])
        cmd.append(f"--export={export}")
        asks_requeue = any(
            a in ("--requeue", "--no-requeue") for a in self.sbatch_args
        ) or script_declares_requeue(script)
        if not asks_requeue:
            cmd.append("--no-requeue")  # evalmon requeues: a new job, its own log, recorded
        own_output = any(
            a.startswith(("--output", "-o")) for a in self.sbatch_args
        ) or script_declares_output(script)
        if not own_output:
            cmd.append(f"--output={os.path.abspath(os.path.join(self.log_dir, 'slurm-%j.out'))}")
        return [*cmd, *self.sbatch_args, *argv]

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> SlurmJob:
        if not argv:
            raise LaunchError("no batch script given")
        if not os.path.isfile(argv[0]):
            raise LaunchError(f"batch script not found: {argv[0]}")
        token = env.get("EVALMON_TOKEN") or uuid.uuid4().hex[:16]
        cmd = self.sbatch_argv(argv, env, token)
        last_error = ""
        for attempt in range(self.commands.submit_retries):
            if attempt:
                time.sleep(self.commands.retry_delay_s)
                found = self.find_by_token(token)
                if found:  # an earlier sbatch got through after all
                    return SlurmJob(found, self.commands)
            res = _run(cmd, self.commands.timeout_s, env)
            job_id = res.out.strip().split(";")[0] if res.code == 0 else ""
            if job_id.isdigit():
                return SlurmJob(job_id, self.commands)
            last_error = _one_line(res.err or res.out)
        found = self.find_by_token(token)
        if found:
            return SlurmJob(found, self.commands)
        raise LaunchError(
            f"sbatch failed {self.commands.submit_retries} times "
            f"(is slurmctld up?): {last_error}"
        )

    def find_by_token(self, token: str) -> str | None:
        res = _run(["squeue", "-h", "-t", "all", "-o", "%i|%k"], self.commands.timeout_s)
        if res.code != 0:
            return None
        for line in res.out.splitlines():
            job_id, _, comment = line.partition("|")
            if comment.strip() == f"evalmon:{token}":
                return job_id.strip()
        return None

    def planned_log_files(self, number: int) -> tuple[str, ...]:
        return ()  # known once the controller has the job (scontrol's StdOut)

    def find(self, token: str) -> dict[str, object] | None:
        """The job submitted with ``token`` (``--comment evalmon:TOKEN``), if the controller
        has it; a controller that does not answer is an error, never "not there"."""
        res = _run(["squeue", "-h", "-t", "all", "-o", "%i|%k"], self.commands.timeout_s)
        if res.code != 0:
            raise LaunchError(
                f"cannot ask SLURM for the job launched with token {token} "
                f"({_one_line(res.err)}); run the same command again when slurmctld answers"
            )
        for line in res.out.splitlines():
            job_id, _, comment = line.partition("|")
            if comment.strip() == f"evalmon:{token}":
                return {"slurm_job_id": job_id.strip()}
        return None

    def adopt(self, attempt: Attempt) -> SlurmJob | None:
        if not attempt.slurm_job_id:
            return None
        job = SlurmJob(attempt.slurm_job_id, self.commands)
        ended = job.poll(force=True)
        if job.unreachable and not ended:
            # never conclude "gone" from a silent controller: that would abandon a live job
            raise LaunchError(
                f"cannot check SLURM job {attempt.slurm_job_id} ({job.unreachable}); "
                "run the same command again when slurmctld answers"
            )
        return None if ended else job

    def ended_exit_code(self, attempt: Attempt) -> int | None:
        if not attempt.slurm_job_id:
            return None
        job = SlurmJob(attempt.slurm_job_id, self.commands)
        job.poll(force=True)
        return job.exit_code
