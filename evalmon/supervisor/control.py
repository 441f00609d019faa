"""Live re-tuning: relaunch a supervised run NOW at another batch size or concurrency.

One request, two ways in:

* the dashboard calls :meth:`Supervisor.retune` (same process, any thread);
* anything else (``--headless``, another terminal, a script) writes the control file
  ``LOG_DIR/.evalmon/control``, best with ``evalmon run --log-dir LOG_DIR --retune 128``, which
  checks a supervisor is there, writes the file atomically and prints the supervisor's answer
  (``LOG_DIR/.evalmon/control.reply``).

The loop takes a request while an attempt runs (``Supervisor._follow``), stops that attempt as
it stops an OOM'd one (``job.stop``: SIGTERM to its processes, SIGKILL after --grace; under
SLURM scancel), records it with the outcome ``retuned`` and launches the next attempt at the new
values, resuming from lm-eval's cache as every relaunch does.

A retune does not count toward --max-attempts: that limit bounds evalmon's own relaunches
after failures, so a job that keeps failing cannot loop; a retune is the user's, one per
request. Counting it would take an OOM recovery away exactly when one is most likely (a larger
batch asked for by hand). The limit grows by one per retuned attempt, so "attempt 4/6" counts
launches as before.

The control file is data, never passed to a shell: at most 4 KiB of ``key=value`` lines
(``batch_size``, ``num_concurrent``, ``id``). It is honoured only when it is a regular file
owned by the user evalmon runs as, with one link, not writable by group or others, and
written after this evalmon started; anything else, and a bad value, is one line in the
supervisor's output and changes nothing. It is removed once read: one request, one relaunch.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor.model import Attempt
from evalmon.supervisor.policy import Decision, Policy

CONTROL_NAME = "control"
REPLY_NAME = "control.reply"
MAX_CONTROL_BYTES = 4096
#: sanity bounds: a typo (12800 for 128) is refused, not launched
MAX_BATCH_SIZE = 1 << 16
MAX_CONCURRENT = 1024
#: the environment variable a script (not lm-eval) gets the concurrency in, as `evalmon tune`
CONCURRENCY_ENV = "NUM_CONCURRENT"
_KEYS = {"batch_size": "batch_size", "batch-size": "batch_size", "batch": "batch_size",
         "num_concurrent": "num_concurrent", "num-concurrent": "num_concurrent",
         "concurrency": "num_concurrent", "concurrent": "num_concurrent"}


class ControlError(ValueError):
    """A bad request; the message is one line for the user as is."""


@dataclass(frozen=True, slots=True)
class Retune:
    """Relaunch now with these values (None: keep the current one)."""

    batch_size: int | None = None
    num_concurrent: int | None = None
    why: str = "by the user"  # "by the user", "on advice: room for a larger batch"
    id: str = ""  # the control file's request id, echoed in the reply

    def describe(self) -> str:
        parts = []
        if self.batch_size is not None:
            parts.append(f"batch {self.batch_size}")
        if self.num_concurrent is not None:
            parts.append(f"num_concurrent {self.num_concurrent}")
        return ", ".join(parts) or "nothing"

    def to_text(self) -> str:
        """The control file's form (also kept in the retuned attempt's record)."""
        lines = []
        if self.batch_size is not None:
            lines.append(f"batch_size={self.batch_size}")
        if self.num_concurrent is not None:
            lines.append(f"num_concurrent={self.num_concurrent}")
        if self.id:
            lines.append(f"id={self.id}")
        return "\n".join(lines) + "\n"


def _int_value(key: str, text: str) -> int:
    value = text.strip()
    if not value.isdigit() or len(value) > 9:
        raise ControlError(f"{key} must be a positive whole number, got {value[:40]!r}")
    return int(value)


def parse_request(text: str) -> Retune:
    """``128``, ``batch_size=128``, ``num_concurrent=4``, ``batch_size=128,num_concurrent=4``
    (commas, spaces or newlines between items) -> a :class:`Retune`; ControlError otherwise."""
    items = [i for i in text.replace(",", "\n").replace(" ", "\n").splitlines() if i.strip()]
    if not items:
        raise ControlError("empty request: give batch_size=N and/or num_concurrent=N")
    values: dict[str, int] = {}
    request_id = ""
    for item in items:
        key, sep, value = item.strip().partition("=")
        key = key.strip().lower()
        if not sep and len(items) == 1:
            key, value = "batch_size", item  # a bare number is a batch size
        if key == "id" and sep:
            request_id = "".join(c for c in value.strip() if c.isalnum())[:32]
            continue
        name = _KEYS.get(key)
        if name is None:
            shown = key[:40].encode("ascii", "backslashreplace").decode()
            raise ControlError(f"unknown setting {shown!r}: give batch_size=N and/or "
                               "num_concurrent=N")
        if name in values:
            raise ControlError(f"{name} given twice")
        values[name] = _int_value(name, value)
    if not values:
        raise ControlError("no setting: give batch_size=N and/or num_concurrent=N")
    return Retune(values.get("batch_size"), values.get("num_concurrent"), id=request_id)


# --------------------------------------------------------------------------- what the job runs with


def command_concurrency(command: Sequence[str]) -> int | None:
    """``num_concurrent`` in lm-eval's ``--model_args`` (key=value or JSON), or None."""
    found = argv_mod.model_arg(command, "num_concurrent")
    return int(found.strip()) if found is not None and found.strip().isdigit() else None


def concurrency_after(attempts: Sequence[Attempt]) -> int | None:
    """The num_concurrent evalmon gives the next attempt: the last one a retune asked for
    (None: the command's own). Read from the record, so a restarted evalmon keeps it."""
    value: int | None = None
    for attempt in attempts:
        if attempt.num_concurrent is not None:
            value = attempt.num_concurrent
        if attempt.outcome == "retuned" and attempt.retune:
            with contextlib.suppress(ControlError):
                asked = parse_request(attempt.retune).num_concurrent
                value = asked if asked is not None else value
    return value


def with_concurrency(
    argv: list[str], env: dict[str, str], num_concurrent: int | None, lm_eval_aware: bool = True
) -> tuple[list[str], dict[str, str]]:
    """The attempt's argv and environment with evalmon's num_concurrent, if it set one:
    inside lm-eval's ``--model_args``, else ``NUM_CONCURRENT`` for a script to read."""
    if num_concurrent is None:
        return argv, env
    env = {**env, "EVALMON_NUM_CONCURRENT": str(num_concurrent)}
    if lm_eval_aware and argv_mod.find_lm_eval(argv) is not None:
        from evalmon.supervisor.tune import set_model_arg

        return set_model_arg(argv, "num_concurrent", str(num_concurrent)), env
    return argv, {**env, CONCURRENCY_ENV: str(num_concurrent)}


def effective_policy(base: Policy, attempts: Sequence[Attempt]) -> Policy:
    """--max-attempts plus one per retuned attempt: a retune is not a failure's relaunch."""
    retuned = sum(1 for a in attempts if a.outcome == "retuned")
    return replace(base, max_attempts=base.max_attempts + retuned) if retuned else base


# --------------------------------------------------------------------------- checking a request


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What a check needs to know about the supervised job, from the supervisor."""

    command: tuple[str, ...]
    launcher: str  # "local" or "slurm"
    policy: Policy
    batch_env: tuple[str, ...] = ()
    lm_eval_aware: bool = True
    resume: bool = True
    grace: float = 10.0
    cache_path: str | None = None  # lm-eval's request cache the next attempt resumes from


@dataclass(frozen=True, slots=True)
class Preview:
    """A request checked against the running attempt: an error, or what will happen."""

    error: str = ""
    plan: str = ""
    target_batch: int | None = None
    target_concurrent: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error


def can_set_batch(facts: JobFacts) -> bool:
    cmd = facts.command
    lm = facts.lm_eval_aware and argv_mod.find_lm_eval(cmd) is not None
    return lm or argv_mod.has_placeholder(cmd) or bool(facts.batch_env)


def preview(request: Retune, current: Attempt | None, facts: JobFacts,
            attempts: Sequence[Attempt] = (), state: str = "running") -> Preview:
    """Check ``request`` against the running attempt and say exactly what it would do.
    ``state``: the supervisor's; while it stops an attempt (an OOM, a stall) it takes none."""
    if current is None or current.outcome not in ("running", "adopted") or current.ended_at:
        return Preview("no attempt is running: a relaunch is asked of a running job")
    if state in ("stopping", "relaunching"):
        return Preview(f"the supervisor is {state} attempt {current.number} already: ask again "
                       "once the next one runs")
    if request.batch_size is None and request.num_concurrent is None:
        return Preview("nothing to change: give a batch size and/or num_concurrent")
    size = request.batch_size
    if size is not None:
        if not can_set_batch(facts):
            return Preview("evalmon cannot give this job a batch size: it is not lm-eval, has "
                           "no {batch_size} and no --batch-env")
        if size < max(1, facts.policy.min_batch_size):
            return Preview(f"batch {size} is below --min-batch-size "
                           f"{facts.policy.min_batch_size}")
        if size > MAX_BATCH_SIZE:
            return Preview(f"batch {size} is over {MAX_BATCH_SIZE}: a typo?")
    nc = request.num_concurrent
    if nc is not None and not 1 <= nc <= MAX_CONCURRENT:
        return Preview(f"num_concurrent must be 1 to {MAX_CONCURRENT}, got {nc}")
    now_nc = concurrency_after(attempts) or command_concurrency(facts.command)
    same_batch = size is None or size == current.batch_size
    same_nc = nc is None or nc == now_nc
    if same_batch and same_nc:
        return Preview(f"attempt {current.number} already runs at {request.describe()}")
    new_size = size if size is not None else current.batch_size
    return Preview(plan=_plan(request, current, facts, now_nc, new_size),
                   target_batch=new_size, target_concurrent=nc)


def _plan(request: Retune, current: Attempt, facts: JobFacts, now_nc: int | None,
          new_size: int | None) -> str:
    how = (f"scancel {current.job_label}" if facts.launcher == "slurm" else
           f"SIGTERM to its processes ({current.job_label}), SIGKILL after {facts.grace:g} s")
    changes = []
    if request.batch_size is not None and request.batch_size != current.batch_size:
        changes.append(f"batch {current.batch_size if current.batch_size else '?'} → "
                       f"{request.batch_size}")
    if request.num_concurrent is not None and request.num_concurrent != now_nc:
        changes.append(f"num_concurrent {now_nc if now_nc else '?'} → {request.num_concurrent}")
    where = ""
    if request.num_concurrent is not None:
        lm = facts.lm_eval_aware and argv_mod.find_lm_eval(facts.command) is not None
        where = "" if lm else (f" ({CONCURRENCY_ENV} in the job's environment: the script "
                               "must read it)")
    if facts.cache_path:
        resume = (f"resumes from lm-eval's request cache ({facts.cache_path}_rank*.db): requests "
                  "already answered are not sent again")
    elif facts.resume:
        resume = ("gets EVALMON_CACHE in its environment: a script that passes it to lm-eval's "
                  "--use_cache resumes; otherwise it starts over")
    else:
        resume = "starts over (--no-resume)"
    limit = facts.policy.max_attempts
    return (f"{', '.join(changes)}{where}. Attempt {current.number} is stopped now ({how}) and "
            f"recorded as 'retuned'; attempt {current.number + 1} starts at batch "
            f"{new_size if new_size is not None else '?'} and {resume}. A retune does not count "
            f"toward --max-attempts (the limit becomes {limit + 1}).")


def decision_for(request: Retune, current: Attempt, target_batch: int | None) -> Decision:
    """The loop's relaunch decision for an accepted request."""
    reason = f"relaunched at {request.describe()} {request.why}".strip()
    return Decision("relaunch", reason, target_batch if target_batch is not None
                    else current.batch_size)


# --------------------------------------------------------------------------- the channel


def control_path(log_dir: str) -> str:
    return os.path.join(log_dir, ".evalmon", CONTROL_NAME)


def reply_path(log_dir: str) -> str:
    return os.path.join(log_dir, ".evalmon", REPLY_NAME)


@dataclass(frozen=True, slots=True)
class Taken:
    """A request the loop acts on now: its decision and where it came from."""

    request: Retune
    decision: Decision
    from_file: bool


class ControlChannel:
    """The requests waiting for the loop: the dashboard's (in memory) and the control file's.

    ``take`` is called by the loop on each round while an attempt runs; ``submit`` from any
    thread. ``say`` prints one line in the supervisor's output."""

    def __init__(self, log_dir: str, say: Callable[[str], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.log_dir = log_dir
        self._say = say
        self._lock = threading.Lock()
        self._pending: tuple[Retune, int] | None = None  # the request and the attempt it is for
        self._started_at = clock()
        self._seen: tuple[int, int, int] | None = None  # a file we could not remove

    def submit(self, request: Retune, attempt_number: int) -> None:
        with self._lock:
            self._pending = (request, attempt_number)

    def take(self, current: Attempt, facts: JobFacts,
             attempts: Sequence[Attempt]) -> Taken | None:
        """The request to act on now, if any (checked again: the job may have moved on)."""
        with self._lock:
            pending, self._pending = self._pending, None
        from_file = False
        if pending is not None:
            request, number = pending
            if number != current.number:
                self._say(f"retune request for attempt {number} dropped: attempt "
                          f"{current.number} runs now")
                return None
        else:
            request = self._read_file()
            if request is None:
                return None
            from_file = True
        checked = preview(request, current, facts, attempts)
        if not checked.ok:
            self._say(f"retune request ignored: {checked.error}")
            if from_file:
                self._reply(request, False, checked.error)
            return None
        decision = decision_for(request, current, checked.target_batch)
        self._say(f"retune: {decision.reason}")
        if from_file:
            self._reply(request, True, f"attempt {current.number} is stopped and relaunched at "
                        f"{request.describe()}")
        return Taken(request, decision, from_file)

    # ------------------------------------------------------------ the file

    def _read_file(self) -> Retune | None:
        path = control_path(self.log_dir)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
                         | os.O_NOCTTY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return self._refuse(path, None, "it is a symbolic link")
            return self._refuse(path, None, exc.strerror or str(exc))
        try:
            info = os.fstat(fd)
            key = (info.st_dev, info.st_ino, info.st_mtime_ns)
            if key == self._seen:
                return None  # refused already and could not be removed: said once
            problem = _untrusted(info)
            if problem:
                return self._refuse(path, key, problem)
            if info.st_mtime < self._started_at - 1.0:
                return self._refuse(path, key, "it was written before this evalmon started")
            data = os.read(fd, MAX_CONTROL_BYTES + 1)
        finally:
            os.close(fd)
        self._remove(path, key)
        if len(data) > MAX_CONTROL_BYTES:
            self._say(f"retune request ignored: {path} is over {MAX_CONTROL_BYTES} bytes")
            return None
        try:
            return replace(parse_request(data.decode("utf-8", "replace")),
                           why="by the user (control file)")
        except ControlError as exc:
            self._say(f"retune request ignored: {path}: {exc}")
            self._reply(Retune(), False, str(exc))
            return None

    def _refuse(self, path: str, key: tuple[int, int, int] | None, why: str) -> None:
        self._say(f"retune request ignored: {path}: {why}; nothing changed")
        self._remove(path, key)
        return None

    def _remove(self, path: str, key: tuple[int, int, int] | None) -> None:
        try:
            os.unlink(path)
            self._seen = None
        except FileNotFoundError:
            pass
        except OSError:
            self._seen = key  # not ours to remove: never read it again

    def _reply(self, request: Retune, ok: bool, message: str) -> None:
        """One JSON line for `evalmon run --retune`, which waits for it."""
        data = json.dumps({"id": request.id, "ok": ok, "message": message}) + "\n"
        with contextlib.suppress(OSError):
            write_private(reply_path(self.log_dir), data)


def _untrusted(info: os.stat_result) -> str:
    """Why a control file must not be acted on, or ""."""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_uid != os.geteuid():
        return f"owned by uid {info.st_uid}, not by this evalmon's user"
    if info.st_mode & 0o022:
        return "writable by group or others (chmod go-w)"
    if info.st_nlink != 1:
        return "it has other hard links"
    return ""


def write_private(path: str, data: str) -> None:
    """Write ``path`` atomically, readable and writable by the user alone (0600)."""
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- evalmon run --retune


def supervisor_running(log_dir: str) -> bool:
    """Does an evalmon supervisor hold this log folder's lock?

    Read from /proc/locks where it can be: taking the lock to test it, even for an instant,
    could make a supervisor starting at that moment fail on it."""
    lock = os.path.join(log_dir, ".evalmon", "lock")
    if _flock_listed(lock):
        return True
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # held: a supervisor is there
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _flock_listed(path: str) -> bool:
    """Is a flock on ``path`` listed in /proc/locks (Linux)?"""
    try:
        info = os.stat(path)
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            listing = fh.read(1 << 20)
    except OSError:
        return False
    where = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in listing.splitlines():
        parts = line.split()
        if "->" not in parts and len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == where:
            return True
    return False


def send(log_dir: str, request: Retune, wait_s: float = 15.0,
         sleep: Callable[[float], None] = time.sleep) -> tuple[int, str]:
    """Write the control file and wait for the supervisor's reply: (exit status, one line)."""
    folder = os.path.join(log_dir, ".evalmon")
    if not supervisor_running(log_dir):
        return 1, f"no evalmon run is supervising {log_dir} (nothing holds {folder}/lock)"
    request = replace(request, id=uuid.uuid4().hex[:12])
    reply = reply_path(log_dir)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(reply)
    try:
        write_private(control_path(log_dir), request.to_text())
    except OSError as exc:
        return 2, f"cannot write {control_path(log_dir)}: {exc.strerror or exc}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        answer = _read_reply(reply, request.id)
        if answer is not None:
            ok, message = answer
            return (0 if ok else 1), message
        sleep(0.1)
    waiting = os.path.exists(control_path(log_dir))
    if waiting:
        return 0, (f"request written to {control_path(log_dir)}; the supervisor acts on it "
                   "when an attempt runs")
    return 0, ("the supervisor read the request but gave no answer within "
               f"{wait_s:g} s: its output says what it did")


def _read_reply(path: str, request_id: str) -> tuple[bool, str] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            data = json.loads(fh.read(MAX_CONTROL_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("id") not in (request_id, ""):
        return None
    return bool(data.get("ok")), str(data.get("message", ""))


def asked_batch(attempt: Attempt) -> int | None:
    """The batch size a retuned attempt's request asked for (its own, when it asked none)."""
    try:
        asked = parse_request(attempt.retune).batch_size if attempt.retune else None
    except ControlError:
        asked = None
    return asked if asked is not None else attempt.batch_size
