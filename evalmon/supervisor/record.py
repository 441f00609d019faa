"""The persisted attempt record: ``DIR/.evalmon/attempts.jsonl`` and the run lock.

Append-only JSON lines, one per attempt event. "Atomic" for an append log means: each
event is ONE ``write()`` of a complete line on an ``O_APPEND`` descriptor, followed by
``fsync``; the lock keeps a second writer out. A crash can at worst leave a torn last line:
the reader skips lines that do not parse, and the next writer first ends such a line with a
newline so that the torn bytes never glue onto a good event.

Event types: ``session`` (an evalmon invocation started), ``attempt`` (the full Attempt as
it is now: launched, adopted, updated, ended; the last line for a number wins), ``finish``
(the session ended, with its final state).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evalmon.supervisor.model import Attempt

RECORD_VERSION = 1


class RecordError(RuntimeError):
    """Lock held by someone else, unwritable directory... (message for the user as is)."""


def evalmon_dir(log_dir: str) -> str:
    return os.path.join(log_dir, ".evalmon")


def record_path(log_dir: str) -> str:
    return os.path.join(evalmon_dir(log_dir), "attempts.jsonl")


def attempt_to_json(attempt: Attempt) -> dict[str, Any]:
    data = dataclasses.asdict(attempt)
    data["log_files"] = list(attempt.log_files)
    data["log_offsets"] = [[path, offset] for path, offset in attempt.log_offsets]
    return data


def attempt_from_json(data: dict[str, Any]) -> Attempt:
    names = {f.name for f in dataclasses.fields(Attempt)}
    kwargs = {k: v for k, v in data.items() if k in names}
    kwargs["log_files"] = tuple(kwargs.get("log_files") or ())
    offsets = []
    for item in kwargs.get("log_offsets") or ():
        if (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], int) and item[1] >= 0):
            offsets.append((item[0], item[1]))
    kwargs["log_offsets"] = tuple(offsets)
    kwargs["left_running"] = tuple(str(x) for x in kwargs.get("left_running") or ())
    return Attempt(**kwargs)


@dataclass(slots=True)
class Session:
    """One evalmon invocation's history, rebuilt from the record."""

    session_id: str
    run: str
    command: list[str]
    started_at: float
    attempts: dict[int, Attempt] = field(default_factory=dict)
    finished: bool = False
    final_state: str = ""

    def ordered_attempts(self) -> tuple[Attempt, ...]:
        return tuple(self.attempts[n] for n in sorted(self.attempts))


@dataclass(slots=True)
class RecordContents:
    sessions: list[Session] = field(default_factory=list)
    skipped_lines: int = 0  # torn or foreign lines that were ignored

    def last_session(self, run: str) -> Session | None:
        for session in reversed(self.sessions):
            if session.run == run:
                return session
        return None


#: the record's size limit: a record is a few KiB per session; anything bigger is not ours
MAX_RECORD_BYTES = 256 << 20


def _open_regular(path: str, flags: int, mode: int = 0o644) -> int:
    """Open ``path`` only if it is (or is created as) a regular file.

    ``O_NONBLOCK`` keeps a FIFO from hanging the open, and the ``fstat`` turns away FIFOs,
    devices (``/dev/zero`` would never end) and sockets with one clear line.
    """
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY, mode)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise
        raise RecordError(f"cannot open the attempt record {path}: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise RecordError(
            f"the attempt record {path} is not a regular file: remove it or use another --log-dir"
        )
    os.set_blocking(fd, True)
    return fd


def read_record(log_dir: str) -> RecordContents:
    """Fold the record into sessions; never raises on bad content (only
    :class:`RecordError` for a record path that is not a readable regular file)."""
    contents = RecordContents()
    by_id: dict[str, Session] = {}
    path = record_path(log_dir)
    try:
        fd = _open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        return contents
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(MAX_RECORD_BYTES + 1)
        except OSError as exc:
            raise RecordError(f"cannot read the attempt record {path}: {exc.strerror}") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError(
            f"the attempt record {path} is over {MAX_RECORD_BYTES >> 20} MiB: not an evalmon "
            "record; move it away or use another --log-dir"
        )
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            _apply(event, by_id, contents)
        except (ValueError, TypeError, KeyError):
            contents.skipped_lines += 1
    return contents


def _apply(event: dict[str, Any], by_id: dict[str, Session], contents: RecordContents) -> None:
    kind = event["type"]
    sid = event["session"]
    if kind == "session":
        session = Session(sid, event["run"], list(event["command"]), float(event["time"]))
        by_id[sid] = session
        contents.sessions.append(session)
    elif kind == "attempt":
        attempt = attempt_from_json(event["attempt"])
        by_id[sid].attempts[attempt.number] = attempt
    elif kind == "finish":
        by_id[sid].finished = True
        by_id[sid].final_state = str(event.get("state", ""))
    else:
        raise ValueError(kind)


class RecordWriter:
    """Appends events; holds the run lock for as long as it is open."""

    def __init__(self, log_dir: str) -> None:
        self.log_dir = log_dir
        self._lock_fd: int | None = None
        self._fd: int | None = None

    def open(self) -> RecordWriter:
        directory = evalmon_dir(self.log_dir)
        try:
            os.makedirs(directory, exist_ok=True)
            lock_fd = os.open(os.path.join(directory, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RecordError(f"cannot use {directory}: {exc.strerror}") from None
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock_fd)
            raise RecordError(
                f"another evalmon supervisor is already running on {self.log_dir} "
                f"(lock {os.path.join(directory, 'lock')} is held)"
            ) from None
        self._lock_fd = lock_fd
        os.set_inheritable(lock_fd, False)
        with contextlib.suppress(OSError):
            os.ftruncate(lock_fd, 0)
            os.write(lock_fd, f"{os.getpid()}\n".encode())
        try:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            self._fd = _open_regular(record_path(self.log_dir), flags)
            self._end_torn_line()
        except OSError as exc:
            self.close()
            raise RecordError(_write_error(record_path(self.log_dir), exc)) from None
        except RecordError:
            self.close()
            raise
        return self

    def _end_torn_line(self) -> None:
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        with open(record_path(self.log_dir), "rb") as fh:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                os.write(self._fd, b"\n")
                os.fsync(self._fd)

    def append(self, event: dict[str, Any]) -> None:
        if self._fd is None:
            raise RecordError("record is not open")
        line = json.dumps({"v": RECORD_VERSION, **event}, separators=(",", ":")) + "\n"
        data = line.encode("utf-8", "backslashreplace")
        try:
            written = os.write(self._fd, data)
            while written < len(data):  # a short write on a regular file: finish it
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            # a torn line may be left behind: the reader skips it, the next writer ends it
            raise RecordError(_write_error(record_path(self.log_dir), exc)) from None

    def session(self, session_id: str, run: str, command: list[str], now: float) -> None:
        self.append(
            {"type": "session", "session": session_id, "run": run, "command": command, "time": now}
        )

    def attempt(self, session_id: str, attempt: Attempt) -> None:
        self.append({"type": "attempt", "session": session_id, "attempt": attempt_to_json(attempt)})

    def finish(self, session_id: str, state: str, message: str, now: float) -> None:
        self.append(
            {"type": "finish", "session": session_id, "state": state, "message": message,
             "time": now}
        )

    def close(self) -> None:
        for name in ("_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)  # closing the lock descriptor releases the flock
                setattr(self, name, None)

    def __enter__(self) -> RecordWriter:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_error(path: str, exc: OSError) -> str:
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = f"{why} (the disk or quota is full)"
    return f"cannot write the attempt record {path}: {why}"


def iter_attempts(log_dir: str) -> Iterator[tuple[Session, Attempt]]:
    """Every attempt ever recorded in this log dir (for reports)."""
    for session in read_record(log_dir).sessions:
        for attempt in session.ordered_attempts():
            yield session, attempt
