"""Jobs played by a test: a fake launcher whose "jobs" are files the test writes and exit
codes it sets, and a supervisor session over them on a real Monitor, so each case says exactly
what was written when (every wait has a deadline)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from evalmon.pipeline import Monitor
from evalmon.supervisor.model import Attempt
from evalmon.supervisor.policy import Policy
from evalmon.supervisor.supervisor import Supervisor, SupervisorOptions
from tests.fake_eval import OOM_TRACEBACK
from tests.waiting import wait_for

COMMAND = ["fake-eval", "--batch_size", "{batch_size}"]
TRACEBACK = OOM_TRACEBACK.replace("{tried:.2f}", "4.00")
ACCESS_500 = '127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /completions HTTP/1.1" 500 -\n'


def ranked(text: str, rank: int) -> str:
    return "".join(f"[rank{rank}]: {line}\n" for line in text.splitlines())


def append(path: Path | str, text: str) -> None:
    with open(path, "a") as fh:
        fh.write(text)


class FakeJob:
    def __init__(self, folder: Path, number: int, running: bool = True) -> None:
        self.out = str(folder / f"attempt-{number}.out")
        self.err = str(folder / f"attempt-{number}.err")
        for path in (self.out, self.err):
            append(path, "")
        self.code: int | None = None if running else 1
        self.label = f"fake {number}"

    @property
    def exit_code(self) -> int | None:
        return self.code

    @property
    def state(self) -> str:
        return "running" if self.code is None else f"exited {self.code}"

    def poll(self) -> bool:
        return self.code is not None

    def stop(self, grace: float) -> str:
        if self.code is None:
            self.code = -15
        return "terminated"

    def log_files(self) -> tuple[str, ...]:
        return (self.out, self.err)

    def identity(self) -> dict[str, object]:
        return {}

    def exit(self, code: int) -> None:
        self.code = code


class FakeLauncher:
    kind = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.jobs: list[FakeJob] = []
        self.adoptable: FakeJob | None = None

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> FakeJob:
        job = FakeJob(self.folder, number)
        self.jobs.append(job)
        return job

    def adopt(self, attempt: Attempt) -> FakeJob | None:
        return self.adoptable

    def ended_exit_code(self, attempt: Attempt) -> int | None:
        return None


class Session:
    """One supervisor session over ``folder`` in a thread, on its own Monitor."""

    def __init__(
        self, folder: Path, launcher: FakeLauncher | None = None, settle_quiet_s: float = 0.05,
        oom_wait_s: float = 30.0,
    ) -> None:
        self.folder = folder
        self.launcher = launcher or FakeLauncher(folder)
        self.lines: list[str] = []
        self.monitor = Monitor([str(folder)], reduce=False)
        options = SupervisorOptions(
            command=COMMAND, log_dir=str(folder), policy=Policy(initial_batch_size=256),
            grace=0.1, settle_quiet_s=settle_quiet_s, oom_wait_s=oom_wait_s,
        )
        self.supervisor = Supervisor(options, self.launcher, self.monitor,
                                     printer=self.lines.append)
        self.code: list[int] = []
        self.thread = threading.Thread(target=lambda: self.code.append(self.supervisor.run()))

    def __enter__(self) -> Session:
        self.monitor.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.supervisor.stop()
        for job in self.launcher.jobs:
            if job.code is None:
                job.exit(0)
        self.thread.join(30)
        self.monitor.stop()

    def job(self, n: int) -> FakeJob:
        return wait_for(lambda: len(self.launcher.jobs) >= n and self.launcher.jobs[n - 1],
                        20, f"attempt {n} to start")  # type: ignore[return-value]

    def said(self, text: str) -> str:
        """The first line the supervisor printed that holds ``text`` (waited for)."""
        return wait_for(lambda: next((x for x in self.lines if text in x), ""), 20, repr(text))

    def result(self) -> int:
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.code[0]

    def sizes(self) -> list[tuple[int | None, str]]:
        return [(a.batch_size, a.outcome) for a in self.supervisor.status().attempts]

