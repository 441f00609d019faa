"""The two launchers behind one small interface the supervisor loop uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from evalmon.supervisor import local
from evalmon.supervisor.model import Attempt


class Job(Protocol):
    """One attempt's running job (a local process group or a SLURM job)."""

    @property
    def label(self) -> str: ...

    @property
    def exit_code(self) -> int | None: ...

    @property
    def state(self) -> str: ...

    def poll(self) -> bool: ...

    def stop(self, grace: float) -> str: ...

    def log_files(self) -> tuple[str, ...]: ...

    def identity(self) -> dict[str, object]: ...


class Launcher(Protocol):
    kind: Literal["local", "slurm"]

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> Job: ...

    def adopt(self, attempt: Attempt) -> Job | None: ...

    def find(self, token: str) -> dict[str, object] | None: ...

    def planned_log_files(self, number: int) -> tuple[str, ...]: ...

    def ended_exit_code(self, attempt: Attempt) -> int | None: ...


class LocalJobView:
    """Adapts :class:`local.LocalJob` to :class:`Job`."""

    def __init__(self, job: local.LocalJob) -> None:
        self.job = job

    @property
    def label(self) -> str:
        return self.job.label

    @property
    def exit_code(self) -> int | None:
        return self.job.exit_code

    @property
    def state(self) -> str:
        if not self.job.poll():
            return "running"
        code = self.job.exit_code
        return "exited (code unknown)" if code is None else f"exited {code}"

    def poll(self) -> bool:
        return self.job.poll()

    def stop(self, grace: float) -> str:
        return self.job.stop(grace)

    def log_files(self) -> tuple[str, ...]:
        return self.job.log_files()

    def identity(self) -> dict[str, object]:
        return {"pid": self.job.pid, "pid_create_time": self.job.create_time}

    @property
    def left_running(self) -> tuple[str, ...]:
        return self.job.left_running

    def track(self) -> None:
        self.job.track()

    def reap_stragglers(self, grace: float) -> None:
        """The leader ended but members of its group, or children that left it (setsid),
        may live on: stop them too."""
        if self.job.alive():
            self.job.stop(grace)


class LocalLauncher:
    kind: Literal["local", "slurm"] = "local"

    def __init__(self, log_dir: str, cwd: str | None = None) -> None:
        self.log_dir = log_dir
        self.cwd = cwd

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> Job:
        return LocalJobView(local.launch(argv, env, self.log_dir, number, cwd=self.cwd))

    def planned_log_files(self, number: int) -> tuple[str, ...]:
        paths = local.attempt_paths(self.log_dir, number)
        return (paths.stdout, paths.stderr)

    def adopt(self, attempt: Attempt) -> Job | None:
        if attempt.pid is None:
            return None
        job = local.adopt(
            attempt.pid, attempt.pid_create_time, self.log_dir, attempt.number,
            attempt.launch_token,
        )
        return None if job is None else LocalJobView(job)

    def find(self, token: str) -> dict[str, object] | None:
        """The identity of a running job launched with ``token`` (the record may not know
        it: evalmon was killed between the launch and the record)."""
        leader = local.find_leader(token)
        if leader is None:
            return None
        try:
            return {"pid": leader.pid, "pid_create_time": leader.create_time()}
        except Exception:
            return None

    def ended_exit_code(self, attempt: Attempt) -> int | None:
        return local.finished_exit_code(self.log_dir, attempt.number)
