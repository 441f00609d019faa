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

    def reap_stragglers(self, grace: float) -> None:
        """The leader ended but members of its group may live on: stop them too."""
        if self.job.group_alive():
            self.job.stop(grace)


class LocalLauncher:
    kind: Literal["local", "slurm"] = "local"

    def __init__(self, log_dir: str, cwd: str | None = None) -> None:
        self.log_dir = log_dir
        self.cwd = cwd

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> Job:
        return LocalJobView(local.launch(argv, env, self.log_dir, number, cwd=self.cwd))

    def adopt(self, attempt: Attempt) -> Job | None:
        if attempt.pid is None:
            return None
        job = local.adopt(attempt.pid, attempt.pid_create_time, self.log_dir, attempt.number)
        return None if job is None else LocalJobView(job)

    def ended_exit_code(self, attempt: Attempt) -> int | None:
        return local.finished_exit_code(self.log_dir, attempt.number)
