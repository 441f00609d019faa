"""What a running supervisor shows the world: plain frozen dataclasses, no behaviour.

The dashboard polls ``Supervisor.status()`` and draws a :class:`SupervisorStatus`; the
attempt record (``record.py``) persists the same :class:`Attempt` fields as JSON lines.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Literal

AttemptOutcome = Literal[
    "running",  # still going
    "succeeded",  # exit code 0
    "oom",  # stopped (or died) because of a GPU OOM a smaller batch can cure
    "failed",  # any other failure: non-zero exit, OOM at load, host OOM ...
    "cancelled",  # stopped by the user / by evalmon shutting down
    "adopted",  # found running after a restart of evalmon, now watched again
    "lost",  # was running when evalmon died and is gone without a known result
    "stalled",  # no progress for --stall-timeout: stopped and relaunched at the same size
    "server_died",  # its server died (or refused connections) under it
    "timeout",  # SLURM ended it at its time limit
    "preempted",  # SLURM preempted it
    "node_fail",  # its SLURM node failed
    "retuned",  # stopped by a live retune (dashboard, control file), relaunched at new values
]

SupervisorState = Literal[
    "launching",
    "running",
    "stopping",
    "relaunching",
    "succeeded",
    "gave_up",  # OOM again, but the limits (attempts, min batch size) forbid another try
    "failed",  # a failure no relaunch can cure, or a launcher error
    "cancelled",  # stopped by the user
]

TERMINAL_STATES: frozenset[str] = frozenset({"succeeded", "gave_up", "failed", "cancelled"})


@dataclass(frozen=True, slots=True)
class Attempt:
    """One launch of the job at one batch size."""

    number: int  # 1-based
    batch_size: int | None
    started_at: float  # unix time
    ended_at: float | None = None
    launcher: Literal["local", "slurm"] = "local"
    pid: int | None = None  # local: the process-group leader
    pid_create_time: float | None = None  # psutil create_time, so a recycled pid is not adopted
    slurm_job_id: str | None = None
    state: str = ""  # launcher's view: "RUNNING", "PENDING", "COMPLETED", "exited 1" ...
    outcome: AttemptOutcome = "running"
    reason: str = ""  # one line: why it ended the way it did
    exit_code: int | None = None
    samples_per_s: float | None = None
    peak_gpu_bytes: int | None = None
    log_files: tuple[str, ...] = ()
    #: each own log file's size when the attempt was launched: its bytes start there (a
    #: second session in the same folder appends to ``attempt-1.err``)
    log_offsets: tuple[tuple[str, int], ...] = ()
    oom_file: str | None = None  # where the OOM that ended it was read
    oom_line: int | None = None
    #: written to the record BEFORE the launch, and given to the job (``EVALMON_TOKEN`` in
    #: its environment; SLURM: ``--comment evalmon:TOKEN``): an evalmon killed between the
    #: launch and the record finds the job by it instead of starting a second copy
    launch_token: str | None = None
    #: processes of the job still alive after it was stopped (one line each, for the summary)
    left_running: tuple[str, ...] = ()
    #: the num_concurrent evalmon gave this attempt (a live retune set it), None: the command's
    num_concurrent: int | None = None
    #: outcome "retuned": what the user asked for (control.py's text form, e.g. batch_size=128)
    retune: str = ""
    #: local: did the job's memory cgroup count an OOM kill while it ran (None: not known)
    oom_killed: bool | None = None

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else max(0.0, self.ended_at - self.started_at)

    @property
    def job_label(self) -> str:
        """``pid 1234`` or ``job 56``: what the user would look for in ps or squeue."""
        if self.slurm_job_id:
            return f"job {self.slurm_job_id}"
        return f"pid {self.pid}" if self.pid is not None else "-"


@dataclass(frozen=True, slots=True)
class SupervisorStatus:
    """A consistent snapshot of the supervisor: cheap to make, safe to hand to another thread."""

    command: tuple[str, ...]
    log_dir: str
    state: SupervisorState
    attempts: tuple[Attempt, ...] = ()
    next_batch_size: int | None = None
    message: str = ""
    launcher: Literal["local", "slurm"] = "local"
    max_attempts: int | None = None
    min_batch_size: int | None = None
    updated_at: float = 0.0
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def current(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES


def stop_reason(signum: int) -> str:
    """What a stop signal says in the record: who asked, in words a user recognises."""
    if signum == signal.SIGHUP:
        return "stopped: the terminal closed (SIGHUP)"
    if signum == signal.SIGINT:
        return "stopped by the user (Ctrl-C)"
    try:
        return f"stopped by {signal.Signals(signum).name}"
    except ValueError:
        return f"stopped by signal {signum}"
