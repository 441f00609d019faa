"""Local launcher: the job in its own process group, output into files of the log dir.

The job is started through a tiny reaper (a constant Python snippet run with ``python -I -S``):
it is the process-group leader, forks and execs the real argv, waits for it, and writes the
exit status to a file. That way an evalmon that was killed and restarted can still learn how
an adopted attempt ended (it is not our child any more, so ``waitpid`` cannot tell us).

Signals go only to the group we created (``os.killpg(pgid)``), and only after checking that
the leader is still the process we started (same pid AND same psutil create_time).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil

# The reaper. Never built from log text: a fixed string; argv follows as separate items.
# A Python signal *handler* (not SIG_IGN) keeps the reaper alive on SIGTERM while the exec'd
# job gets the default disposition back (handlers are reset by exec, ignores are not).
_REAPER = r"""
import os, signal, sys
exit_file = sys.argv[1]
argv = sys.argv[2:]
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, lambda *_: None)
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        sys.stderr.write("evalmon: cannot run %r: %s\n" % (argv[0], e.strerror))
        sys.stderr.flush()
        os._exit(127)
while True:
    try:
        _, status = os.waitpid(pid, 0)
        break
    except ChildProcessError:
        status = 0
        break
code = os.waitstatus_to_exitcode(status)
tmp = exit_file + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % code)
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, exit_file)
sys.exit(code if code >= 0 else 128 - code)
"""


class LaunchError(RuntimeError):
    """The job could not be started (message for the user as is)."""


@dataclass(frozen=True, slots=True)
class LocalPaths:
    stdout: str
    stderr: str
    exit_file: str


def attempt_paths(log_dir: str, number: int) -> LocalPaths:
    base = os.path.join(log_dir, f"attempt-{number}")
    return LocalPaths(
        stdout=base + ".out",
        stderr=base + ".err",
        exit_file=os.path.join(log_dir, ".evalmon", f"attempt-{number}.exit"),
    )


def _create_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def _same_process(pid: int, create_time: float | None) -> bool:
    if create_time is None:
        return False
    now = _create_time(pid)
    return now is not None and abs(now - create_time) < 0.05


class LocalJob:
    """One attempt's process group."""

    def __init__(
        self,
        pid: int,
        create_time: float | None,
        paths: LocalPaths,
        popen: subprocess.Popen[bytes] | None,
    ) -> None:
        self.pid = pid
        self.create_time = create_time
        self.paths = paths
        self._popen = popen
        self._exit_code: int | None = None
        self._ended = False

    @property
    def label(self) -> str:
        return f"pid {self.pid}"

    @property
    def adopted(self) -> bool:
        return self._popen is None

    def log_files(self) -> tuple[str, ...]:
        return (self.paths.stdout, self.paths.stderr)

    # ---------------------------------------------------------------- state

    def poll(self) -> bool:
        """True once the job has ended (its exit code is then in ``exit_code``)."""
        if self._ended:
            return True
        if self._popen is not None:
            code = self._popen.poll()
            if code is None:
                return False
            self._exit_code = self._reaper_code(code)
            self._ended = True
            return True
        if _same_process(self.pid, self.create_time) and not _is_zombie(self.pid):
            return False
        self._exit_code = self._read_exit_file()
        self._ended = True
        return True

    @property
    def exit_code(self) -> int | None:
        return self._exit_code

    def _reaper_code(self, popen_code: int) -> int | None:
        # The reaper exits with the job's code (128+N for a signal N); its exit file is exact.
        from_file = self._read_exit_file()
        if from_file is not None:
            return from_file
        return popen_code  # killed before it could write: e.g. -9 from our SIGKILL

    def _read_exit_file(self) -> int | None:
        try:
            with open(self.paths.exit_file) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.poll():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    # ---------------------------------------------------------------- stopping

    def group_alive(self) -> bool:
        """Any process left in our group (the leader may be gone while children linger)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def signal_group(self, sig: int) -> bool:
        """Signal our group, unless the leader pid now belongs to another process.

        While any member of our group lives, Linux never hands the group's id to a new
        process, so once the leader is gone, ``killpg`` still reaches only our leftovers.
        """
        if not _same_process(self.pid, self.create_time) and _create_time(self.pid) is not None:
            return False
        try:
            os.killpg(self.pid, sig)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop(self, grace: float) -> str:
        """SIGTERM the group, SIGKILL after ``grace`` seconds, wait until every member is gone."""
        if not self.group_alive():
            self.poll()
            return "already gone"
        self.signal_group(signal.SIGTERM)
        how = "terminated"
        deadline = time.monotonic() + grace
        while self.group_alive() and time.monotonic() < deadline:
            self.poll()  # reap the leader so the group can empty
            time.sleep(0.02)
        if self.group_alive():
            self.signal_group(signal.SIGKILL)
            how = f"killed (ignored SIGTERM for {grace:g} s)"
        deadline = time.monotonic() + 10.0
        while self.group_alive() and time.monotonic() < deadline:
            self.poll()
            time.sleep(0.02)
        self.poll()
        if self._popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=5)
            self.poll()
        return how


def _is_zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def command_echo(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """The command as ``set -x`` would echo it, first line of the attempt's stdout file.

    lm-eval prints its batch size only in its closing summary; for an attempt that crashes
    this line is the log's only witness of the configuration (the parsers read it).
    """
    assignments = [f"{name}={shlex.quote(value)}" for name, value in sorted(env.items())]
    return "+ " + " ".join([*assignments, shlex.join(argv)]) + "\n"


def launch(
    argv: Sequence[str],
    env: Mapping[str, str],
    log_dir: str,
    number: int,
    cwd: str | None = None,
) -> LocalJob:
    """Start one attempt. ``env`` is added to (and overrides) this process's environment."""
    if not argv:
        raise LaunchError("no command given")
    if shutil.which(argv[0]) is None and not os.path.exists(argv[0]):
        raise LaunchError(f"command not found: {argv[0]}")
    paths = attempt_paths(log_dir, number)
    os.makedirs(os.path.dirname(paths.exit_file), exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(paths.exit_file)
    full_env = {**os.environ, **env}
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    try:
        with open(paths.stdout, "ab") as out, open(paths.stderr, "ab") as err:
            out.write(command_echo(argv, env).encode("utf-8", "replace"))
            out.flush()
            popen = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _REAPER, paths.exit_file, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=full_env,
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
            )
    except OSError as exc:
        raise LaunchError(f"cannot start {argv[0]}: {exc.strerror}") from None
    return LocalJob(popen.pid, _create_time(popen.pid), paths, popen)


def adopt(pid: int, create_time: float | None, log_dir: str, number: int) -> LocalJob | None:
    """The attempt's group leader if it is still the very process we started, else None."""
    if not _same_process(pid, create_time) or _is_zombie(pid):
        return None
    return LocalJob(pid, create_time, attempt_paths(log_dir, number), None)


def finished_exit_code(log_dir: str, number: int) -> int | None:
    """How a no-longer-running attempt ended, if its reaper got to write it down."""
    return LocalJob(0, None, attempt_paths(log_dir, number), None)._read_exit_file()
