"""Local launcher: the job in its own process group, output into files of the log dir.

The job is started through a tiny reaper (a constant Python snippet run with ``python -I -S``):
it is the process-group leader, forks and execs the real argv, waits for it, and writes the
exit status to a file. That way an evalmon that was killed and restarted can still learn how
an adopted attempt ended (it is not our child any more, so ``waitpid`` cannot tell us).

Signals go only to the group we created (``os.killpg(pgid)``), and only after checking that
the leader is still the process we started (same pid AND same psutil create_time).

A job's children may leave the group (``setsid``, a daemonising server). Two ways keep them
the job's: every process of the job inherits ``EVALMON_TOKEN`` (the attempt's launch token)
in its environment, and the job's process tree is sampled with psutil while it runs. A stop
signals the group, every tracked descendant still alive (same pid and create_time) and
every process whose environment carries the token; what survives SIGKILL is named.
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


#: environment markers every process of an attempt inherits
TOKEN_ENV = "EVALMON_TOKEN"
LOG_DIR_ENV = "EVALMON_LOG_DIR"
RUN_ENV = "EVALMON_RUN"


def marked_processes(
    token: str | None = None, log_dir: str | None = None, run: str | None = None
) -> list[psutil.Process]:
    """Processes of this user whose environment carries the given markers (all that are
    given must match). Processes whose environment cannot be read are skipped."""
    want: dict[str, str] = {}
    if token:
        want[TOKEN_ENV] = token
    if log_dir:
        want[LOG_DIR_ENV] = os.path.abspath(log_dir)
    if run:
        want[RUN_ENV] = run
    if not want:
        return []
    me = os.getpid()
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == me:
            continue
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if all(env.get(k) == v for k, v in want.items()):
            found.append(proc)
    return found


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
        token: str | None = None,
    ) -> None:
        self.pid = pid
        self.create_time = create_time
        self.paths = paths
        self._popen = popen
        self._exit_code: int | None = None
        self._ended = False
        self.token = token
        #: every descendant seen so far: pid -> create_time (psutil), kept after it leaves
        #: the group (setsid) or its parent dies (re-parented to init)
        self.tree: dict[int, float] = {}
        self.left_running: tuple[str, ...] = ()
        self.track()

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

    # ---------------------------------------------------------------- the process tree

    def track(self) -> None:
        """Remember the job's current descendants (called at launch and while it runs)."""
        if not _same_process(self.pid, self.create_time):
            return
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            with contextlib.suppress(psutil.Error):
                self.tree.setdefault(child.pid, child.create_time())

    def outside_group(self) -> list[psutil.Process]:
        """Live processes of the job outside its process group: tracked descendants and
        processes carrying its token (never the same pid with another create_time)."""
        procs: dict[int, psutil.Process] = {}
        for pid, created in self.tree.items():
            if _same_process(pid, created) and not _is_zombie(pid):
                with contextlib.suppress(psutil.Error):
                    procs[pid] = psutil.Process(pid)
        if self.token:
            for proc in marked_processes(token=self.token):
                procs.setdefault(proc.pid, proc)
        out = []
        for pid, proc in procs.items():
            try:
                if os.getpgid(pid) != self.pid and proc.status() != psutil.STATUS_ZOMBIE:
                    out.append(proc)
            except (OSError, psutil.Error):
                continue
        return out

    def _signal_outside(self, procs: list[psutil.Process], sig: int) -> None:
        for proc in procs:
            with contextlib.suppress(psutil.Error, OSError):
                proc.send_signal(sig)  # psutil checks the pid was not reused

    def alive(self) -> bool:
        """Any process of the job left: in its group, or outside it (setsid children)."""
        return self.group_alive() or bool(self.outside_group())

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
        """SIGTERM the group and the job's processes outside it, SIGKILL after ``grace``
        seconds, wait until every one is gone; ``left_running`` names any survivor."""
        self.track()
        outside = self.outside_group()

        def alive() -> bool:
            return self.group_alive() or any(_running(p) for p in outside)

        if not alive():
            self.poll()
            return "already gone"
        self.signal_group(signal.SIGTERM)
        self._signal_outside(outside, signal.SIGTERM)
        how = "terminated"
        deadline = time.monotonic() + grace
        while alive() and time.monotonic() < deadline:
            self.poll()  # reap the leader so the group can empty
            time.sleep(0.02)
        if alive():
            self.signal_group(signal.SIGKILL)
            self._signal_outside([p for p in outside if _running(p)], signal.SIGKILL)
            how = f"killed (ignored SIGTERM for {grace:g} s)"
        deadline = time.monotonic() + 10.0
        while alive() and time.monotonic() < deadline:
            self.poll()
            time.sleep(0.02)
        self.poll()
        self.left_running = tuple(_describe(p) for p in outside if _running(p))
        if outside and not self.left_running:
            how += f", with {len(outside)} process(es) that had left its group"
        if self._popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=5)
            self.poll()
        return how


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _describe(proc: psutil.Process) -> str:
    try:
        name = " ".join(proc.cmdline())[:120] or proc.name()
    except psutil.Error:
        name = "?"
    return f"pid {proc.pid} ({name})"


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
    """Start one attempt. ``env`` is added to (and overrides) this process's environment;
    its ``EVALMON_TOKEN`` (if any) marks every process of the job."""
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
    return LocalJob(popen.pid, _create_time(popen.pid), paths, popen, env.get(TOKEN_ENV))


def adopt(
    pid: int, create_time: float | None, log_dir: str, number: int, token: str | None = None
) -> LocalJob | None:
    """The attempt's group leader if it is still the very process we started, else None."""
    if not _same_process(pid, create_time) or _is_zombie(pid):
        return None
    return LocalJob(pid, create_time, attempt_paths(log_dir, number), None, token)


def find_leader(token: str) -> psutil.Process | None:
    """The group leader (the reaper) of the attempt launched with ``token``, if it runs."""
    for proc in marked_processes(token=token):
        try:
            if os.getpgid(proc.pid) == proc.pid and proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except (OSError, psutil.Error):
            continue
    return None


def finished_exit_code(log_dir: str, number: int) -> int | None:
    """How a no-longer-running attempt ended, if its reaper got to write it down."""
    return LocalJob(0, None, attempt_paths(log_dir, number), None)._read_exit_file()
