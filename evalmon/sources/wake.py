"""How the follower learns that something changed: inotify, watchdog's observer, or polling.

inotify is read raw through ``ctypes``: watchdog's observer makes a Python event object and
a thread hop per write, which under thousands of writes a second costs more CPU than the
reading itself (see benchmarks/README.md). It is blind on NFS/Lustre to other nodes'
writes, so the follower polls anyway.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import threading
from typing import Literal

from evalmon.sources.paths import skip_dir

_DRAIN_BYTES = 1 << 16


class Waiter:
    """Polling only: ``wait`` sleeps until the timeout or :meth:`wake`."""

    kind = "poll"
    #: a wake-up without ``rescan_needed`` means: files were only written to
    reports_structure = False

    def __init__(self) -> None:
        self._event = threading.Event()
        self.rescan_needed = False

    def watch(self, roots: list[tuple[str, bool]]) -> None:
        return None

    def wait(self, timeout: float) -> bool:
        """True if woken by a change (False: timeout)."""
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken

    def drain(self) -> None:
        """Forget changes seen so far (the coming read covers them)."""
        self._event.clear()

    def wake(self) -> None:
        self._event.set()

    def close(self) -> None:
        self._event.set()


class ObserverWaiter(Waiter):
    """watchdog's Observer (any platform): its handler only sets the event.

    Costs a Python call per filesystem event in watchdog's threads, so it is the fallback
    when raw inotify is not available.
    """

    kind = "watchdog-observer"

    def __init__(self) -> None:
        super().__init__()
        from watchdog.events import (
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
            FileSystemEvent,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer

        waiter = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type != "modified":
                    waiter.rescan_needed = True
                waiter._event.set()

        self._handler = _Handler()
        self._filter = [FileModifiedEvent, FileCreatedEvent, FileMovedEvent, FileDeletedEvent,
                        DirCreatedEvent, DirMovedEvent, DirDeletedEvent]
        self._watched: set[str] = set()
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()

    def watch(self, roots: list[tuple[str, bool]]) -> None:
        for folder, recursive in roots:
            if folder in self._watched or not os.path.isdir(folder):
                continue
            try:
                self._observer.schedule(
                    self._handler, folder, recursive=recursive, event_filter=self._filter
                )
                self._watched.add(folder)
            except Exception:
                continue  # e.g. out of inotify watches: stat polling still works

    def close(self) -> None:
        super().close()
        with contextlib.suppress(Exception):
            self._observer.stop()
            self._observer.join(timeout=2)


class InotifyWaiter(Waiter):
    """Raw inotify through watchdog's libc bindings, read by the reader thread itself.

    No extra thread and no Python object per event. Two inotify instances watch the same
    folders: one for writes only, whose queue is emptied unread (a busy log makes thousands
    of write events a second and each only says "read again"), and one for what changes the
    folder (a file created, moved, deleted: rescan), which is parsed. ``wait`` blocks in
    ``select`` on both. Folders are watched, not files, so a new file is seen at once.
    """

    kind = "inotify"
    reports_structure = True
    _MAX_DIRS = 4096

    def __init__(self) -> None:
        super().__init__()
        from watchdog.observers import inotify_c

        c = inotify_c.InotifyConstants
        self._add_watch = inotify_c.inotify_add_watch
        self._write_mask = c.IN_MODIFY | c.IN_ATTRIB | c.IN_ONLYDIR
        self._mask = (c.IN_CREATE | c.IN_DELETE | c.IN_MOVED_FROM | c.IN_MOVED_TO
                      | c.IN_DELETE_SELF | c.IN_MOVE_SELF | c.IN_ONLYDIR)
        self._fds: list[int] = []
        try:
            for _ in range(2):
                fd = inotify_c.inotify_init()
                if fd < 0:
                    raise OSError(ctypes.get_errno(), "inotify_init failed")
                os.set_blocking(fd, False)
                self._fds.append(fd)
        except OSError:
            for fd in self._fds:
                os.close(fd)
            raise
        self._fd, self._write_fd = self._fds
        self._pipe_r, self._pipe_w = os.pipe()
        os.set_blocking(self._pipe_r, False)
        self._watch_on = [self._fd, self._write_fd, self._pipe_r]
        self._wake_only = [self._pipe_r]
        self._dirs: set[str] = set()
        self._drain_buffer = [bytearray(_DRAIN_BYTES)]

    def watch(self, roots: list[tuple[str, bool]]) -> None:
        for folder, recursive in roots:
            for d in self._folders(folder, recursive):
                if d in self._dirs or len(self._dirs) >= self._MAX_DIRS:
                    continue
                path = os.fsencode(d)
                if self._add_watch(self._fd, path, self._mask) >= 0:
                    self._add_watch(self._write_fd, path, self._write_mask)
                    self._dirs.add(d)

    @staticmethod
    def _folders(root: str, recursive: bool) -> list[str]:
        if not os.path.isdir(root):
            return []
        if not recursive:
            return [root]
        out, stack = [], [root]
        while stack:
            folder = stack.pop()
            out.append(folder)
            try:
                with os.scandir(folder) as entries:
                    stack.extend(e.path for e in entries
                                 if not skip_dir(e.name) and e.is_dir(follow_symlinks=False))
            except OSError:
                continue
        return out

    def wait(self, timeout: float) -> bool:
        try:
            ready, _, _ = select.select(self._watch_on, [], [], timeout)
        except (OSError, ValueError):
            return False
        return bool(ready)

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` whatever the files do; :meth:`wake` (stopping) cuts it short.

        One ``select`` on the wake pipe: ``threading.Event.wait`` with a timeout builds a
        lock and a condition waiter every time, several times the CPU of the sleep itself.
        """
        if seconds > 0:
            with contextlib.suppress(OSError, ValueError):
                select.select(self._wake_only, [], [], seconds)

    def drain(self) -> None:
        # Only the descriptors with something queued are read (no EAGAIN round trips).
        try:
            ready, _, _ = select.select(self._watch_on, [], [], 0)
        except (OSError, ValueError):
            ready = self._watch_on
        buffer = self._drain_buffer
        for fd in ready:
            try:
                while os.readv(fd, buffer) == _DRAIN_BYTES:  # no new bytes object per read
                    pass
            except OSError:
                pass
            if fd == self._fd:
                # any structure event (or a queue overflow, or a watch removed): rescan
                self.rescan_needed = True
                self._dirs.clear()  # folders may be gone or new: watch them again

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._pipe_w, b"x")

    def close(self) -> None:
        self.wake()
        for fd in (*self._fds, self._pipe_r, self._pipe_w):
            with contextlib.suppress(OSError):
                os.close(fd)


WakeKind = Literal["auto", "inotify", "watchdog", "poll"]


def make_waiter(kind: WakeKind = "auto") -> Waiter:
    """The waiter asked for; ``auto``: inotify, else watchdog's observer, else polling.

    One that cannot start here (no inotify, out of instances) falls back to polling.
    """
    choices: dict[str, tuple[type[Waiter], ...]] = {
        "auto": (InotifyWaiter, ObserverWaiter),
        "inotify": (InotifyWaiter,),
        "watchdog": (ObserverWaiter,),
        "poll": (),
    }
    for waiter in choices[kind]:
        try:
            return waiter()
        except Exception:
            continue
    return Waiter()
