"""Follow every log under some paths: appended bytes in, :class:`FileBatch` out.

One reader thread owns every live file: it wakes when watchdog's observer (inotify) says
something changed, or every ``poll_interval_s`` anyway (inotify is blind on NFS/Lustre to
writes made by other nodes). A burst of changes costs one pass, not one read per event:
after a quiet spell the reader looks ``min_read_gap_s`` after the first change, under
sustained writes at most once per ``read_period_s``, so writes arriving meanwhile are read
together. When the observer saw only writes, a pass does not walk the folders (a walk,
which finds new files, runs at least every ``rescan_interval_s``, or every
``notified_rescan_interval_s`` while the observer reports every change).

A file bigger than ``tail_first_bytes`` is read tail first: its last bytes (from a line
boundary) are parsed at once with line numbers relative to the tail, then a history thread
scans the rest and ends with a ``line_shift`` batch (see :class:`FileBatch`). From that
batch on, live batches of that file carry absolute line numbers again.

Sources never parse: bytes go to one ``LogParser`` per file (``parser_factory``).
``on_batch`` is called from the reader and history threads, one call at a time; it must be
quick (post to a queue or a Textual message) and must not call back into the follower.
"""

from __future__ import annotations

import contextlib
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evalmon.events import FileBatch, Located
from evalmon.sources import history as history_scan
from evalmon.sources.history import History, line_start_after
from evalmon.sources.logfile import LineParser, LineSeq, LogFile, RawLine
from evalmon.sources.paths import DEFAULT_PATTERNS, resolve_paths, watch_roots
from evalmon.sources.sniff import SNIFF_BYTES, looks_binary
from evalmon.sources.wake import Waiter, WakeKind, make_waiter


def _default_parser() -> LineParser:
    from evalmon.parsers.stream import LogParser  # late: parsers must not be needed to import us

    return LogParser()


@dataclass
class FollowOptions:
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    poll_interval_s: float = 0.2
    recursive: bool = True
    wake: WakeKind = "auto"  # how changes are noticed (see sources/wake.py)
    tail_first_bytes: int = 8 << 20  # 0 disables tail-first reading
    read_chunk_bytes: int = 1 << 20
    max_files: int = 512  # each followed file keeps one descriptor open
    rescan_interval_s: float = 1.0  # look for new files (the observer also triggers a rescan)
    # ...only a safety net while the observer wakes us with writes, since it also reports every
    # file created, moved or deleted in the watched folders (a rescan is ~0.5 ms of CPU)
    notified_rescan_interval_s: float = 5.0
    # After a quiet spell, read this long after the first change (so a burst lands whole);
    # under sustained writes, read at most once per ``read_period_s``: a dashboard redraws
    # four times a second, so a line waits at most one frame. CPU then grows with the files
    # that change, not with the lines written.
    min_read_gap_s: float = 0.005
    read_period_s: float = 0.2
    max_bytes_per_pass: int = 16 << 20  # per file and pass, so one busy file cannot starve others
    parser_factory: Callable[[], LineParser] = _default_parser
    # The tail-first history scan's parser, one per range: a module-level callable, as it
    # is sent to the scan's worker processes (None: as many as help; see scan_ranges).
    history_parser: Callable[[], LineParser] = _default_parser
    history_workers: int | None = None


@dataclass(frozen=True)
class FileProgress:
    """A followed file and how far reading it has got (for "scanning history 43%")."""

    path: str
    size_bytes: int
    offset: int  # next live byte to read
    history_total: int = 0  # bytes before the tail that the history scan covers (0: none)
    history_scanned: int = 0

    @property
    def history_done(self) -> bool:
        return self.history_scanned >= self.history_total

    @property
    def fraction(self) -> float:
        """How much of the file has been read, 0..1 (history and live together)."""
        if self.size_bytes <= 0:
            return 1.0
        read = self.history_scanned + max(0, self.offset - self.history_total)
        return min(1.0, read / self.size_bytes)


@dataclass
class _Stats:
    reads: int = 0
    bytes_read: int = 0
    passes: int = 0
    wakeups: int = 0


class Follower:
    """Follows logs under ``paths`` and hands each file's events to ``on_batch``."""

    def __init__(
        self,
        paths: Sequence[str],
        on_batch: Callable[[FileBatch], None],
        options: FollowOptions | None = None,
    ) -> None:
        self.paths = list(paths)
        self.options = options or FollowOptions()
        self._on_batch = on_batch
        self._files: dict[str, LogFile] = {}
        self._skipped: dict[str, tuple[int, int] | None] = {}  # path -> identity warned about
        self._gone: set[str] = set()  # paths whose file vanished (re-creation = replacement)
        self._errors: list[str] = []
        self._lock = threading.RLock()  # files dict + delivery order
        self._pass_lock = threading.Lock()  # one pass at a time (reader thread, read_now)
        self._waiter: Waiter = Waiter()
        self._stop = threading.Event()
        self._rescan_needed = True
        self._last_rescan = 0.0
        self._realpaths: dict[str, str] = {}  # see _realpath
        self._history_jobs: queue.Queue[LogFile | None] = queue.Queue()
        self._line_seq = LineSeq()  # arrival order of raw lines over all files
        self._new_history: list[LogFile] = []
        self._reader: threading.Thread | None = None
        self._historian: threading.Thread | None = None
        self._started = False
        self._stopped = False
        self.stats = _Stats()

    # ------------------------------------------------------------------ public API

    @property
    def errors(self) -> list[str]:
        """One-line problems with the given paths as of the last scan (missing paths...)."""
        return list(self._errors)

    @property
    def files(self) -> list[FileProgress]:
        with self._lock:
            out = []
            for f in self._files.values():
                h = f.history
                out.append(
                    FileProgress(
                        path=f.path,
                        size_bytes=max(f.size, f.offset),
                        offset=f.offset,
                        history_total=h.end if h else 0,
                        history_scanned=h.scanned if h else 0,
                    )
                )
            return sorted(out, key=lambda p: p.path)

    def recent_lines(self, paths: Sequence[str]) -> list[RawLine]:
        """The last lines read from these files, in the order they were read (the log panel's
        lines: the follower's own reads, so the bytes are read once)."""
        with self._lock:
            files = [self._files[p] for p in dict.fromkeys(paths) if p in self._files]
            lines = [line for f in files for line in f.recent.lines()]
        lines.sort(key=lambda line: line.seq)
        return lines

    def recent_version(self, paths: Sequence[str]) -> int:
        """Changes whenever :meth:`recent_lines` of ``paths`` would (cheap: no copy)."""
        with self._lock:
            return hash(tuple((p, self._files[p].recent.last_seq()) for p in paths
                              if p in self._files))

    def start(self) -> None:
        """Start the reader (and history) threads; returns at once."""
        if self._started or self._stopped:
            return
        self._started = True
        self._waiter = make_waiter(self.options.wake)
        self._waiter.watch(watch_roots(self.paths))
        self._historian = threading.Thread(
            target=self._history_loop, name="evalmon-history", daemon=True
        )
        self._historian.start()
        self._reader = threading.Thread(target=self._read_loop, name="evalmon-follow", daemon=True)
        self._reader.start()

    def stop(self) -> None:
        """Stop the threads, close every file. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        self._waiter.wake()
        self._history_jobs.put(None)
        for thread in (self._reader, self._historian):
            if thread is not None:
                thread.join(timeout=5)
        self._waiter.close()
        with self._lock:
            for f in self._files.values():
                self._close_file(f)
            self._files.clear()

    def poll_once(self) -> None:
        """One synchronous pass: find files, read everything new, flush idle files.

        Without :meth:`start`, pending history scans run here too, so after one call every
        byte present has been delivered (tail first, then history).
        """
        self._pass(cap=None, force_rescan=True)
        if not self._started:
            while True:
                try:
                    job = self._history_jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    self._scan_history(job)

    def read_now(self, *, flush: bool = False) -> dict[str, int]:
        """Read everything present now, from any thread; returns each file's offset after it.

        When this returns, every byte written before the call has been delivered to
        ``on_batch`` (history scans of big files aside: they are older still). So a caller
        that launches something right after knows its bytes start at these offsets.
        ``flush``: a second pass, so files that are now idle release the OOM candidates
        their parser holds for context.
        """
        self._pass(cap=None, force_rescan=True)
        if flush:
            self._pass(cap=None, force_rescan=False)
        with self._lock:
            return {f.path: f.offset for f in self._files.values()}

    # ------------------------------------------------------------------ threads

    @property
    def wake_mode(self) -> str:
        """How changes are noticed: "watchdog-observer" or "poll"."""
        return self._waiter.kind

    def _read_loop(self) -> None:
        opts = self.options
        waiter = self._waiter
        quick = False
        last_read_at = -opts.read_period_s  # when the last pass that found new bytes began
        while not self._stop.is_set():
            started = time.monotonic()
            reads = self.stats.reads
            try:
                more = self._pass(cap=opts.max_bytes_per_pass, force_rescan=False, quick=quick)
            except Exception as exc:  # never let the reader die silently
                with contextlib.suppress(Exception):
                    self._deliver(FileBatch(path="", warning=f"follower error: {exc!r}"))
                more = False
            if self.stats.reads != reads:
                last_read_at = started
            if more:
                quick = False
                continue
            woke = waiter.wait(opts.poll_interval_s)
            if woke:
                self.stats.wakeups += 1
                # After a quiet spell (the last pass that found bytes is a period old), read
                # at once, letting the rest of a burst land; under sustained writes, one pass
                # per period, so a line waits at most one period.
                delay = last_read_at + opts.read_period_s - time.monotonic()
                self._sleep(max(opts.min_read_gap_s, delay))
            waiter.drain()
            if waiter.rescan_needed:
                waiter.rescan_needed = False
                self._rescan_needed = True
                self._realpaths.clear()  # a link may have been made, moved or removed
            # the observer saw only writes: no file can have been renamed, replaced or created
            quick = woke and waiter.reports_structure and not self._rescan_needed

    def _sleep(self, seconds: float) -> None:
        """Sleep, cut short by :meth:`stop`."""
        self._stop.wait(seconds)

    def _history_loop(self) -> None:
        while not self._stop.is_set():
            job = self._history_jobs.get()
            if job is None:
                return
            try:
                self._scan_history(job)
            except Exception as exc:
                with contextlib.suppress(Exception):
                    self._deliver(
                        FileBatch(path=job.path, warning=f"history scan failed: {exc!r}")
                    )

    # ------------------------------------------------------------------ one pass

    def _pass(self, cap: int | None, force_rescan: bool, quick: bool = False) -> bool:
        """Rescan if due, then read every file; True if some file has more to read now.

        ``quick``: the observer reported writes and nothing else since the last pass, so no file
        can have appeared: the folders are walked again only every
        ``notified_rescan_interval_s`` (else every ``rescan_interval_s``).
        """
        with self._pass_lock:
            return self._locked_pass(cap, force_rescan, quick)

    def _locked_pass(self, cap: int | None, force_rescan: bool, quick: bool) -> bool:
        self.stats.passes += 1
        now = time.monotonic()
        opts = self.options
        interval = opts.notified_rescan_interval_s if quick else opts.rescan_interval_s
        if force_rescan or self._rescan_needed or now - self._last_rescan >= interval:
            self._rescan_needed = False
            self._last_rescan = now
            self._rescan()
            quick = False
        more = False
        files = list(self._files.values())
        for f in files:
            if self._stop.is_set() and self._started:
                break
            more = self._service(f, cap) or more
        for f in self._new_history:
            self._history_jobs.put(f)
        self._new_history.clear()
        return more

    def _rescan(self) -> None:
        files, errors = resolve_paths(
            self.paths, self.options.patterns, self.options.recursive, self._realpath
        )
        self._errors = errors
        if self._started:
            self._waiter.watch(watch_roots(self.paths))
        for path in files:
            if path in self._files:
                continue
            self._discover(path)

    def _realpath(self, path: str) -> str:
        """``os.path.realpath``, remembered between rescans while the observer reports every
        change of structure (which clears the memory): it is most of a rescan's cost."""
        if not self._waiter.reports_structure:
            return os.path.realpath(path)
        found = self._realpaths.get(path)
        if found is None:
            if len(self._realpaths) >= 4 * self.options.max_files:
                self._realpaths.clear()
            found = self._realpaths[path] = os.path.realpath(path)
        return found

    def _discover(self, path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        identity = (st.st_dev, st.st_ino)
        if path in self._skipped and self._skipped[path] in (identity, None):
            return
        if not stat.S_ISREG(st.st_mode):
            self._skip(path, identity, "not a regular file (skipped)")
            return
        # a followed file renamed to another followed name: keep reading it, do not restart
        for other in list(self._files.values()):
            if other.identity == identity and other.path != path and not other.still_at_path():
                with self._lock:
                    del self._files[other.path]
                    self._gone.add(other.path)  # a file there now is a new one
                    other.path = path
                    self._files[path] = other
                return
        if len(self._files) >= self.options.max_files:
            self._skip(path, identity, f"not followed: more than {self.options.max_files} files")
            return
        self._open(path, replaced=path in self._gone)

    def _skip(self, path: str, identity: tuple[int, int] | None, warning: str) -> None:
        self._skipped[path] = identity
        self._deliver(FileBatch(path=path, warning=warning))

    def _open(self, path: str, replaced: bool) -> LogFile | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return  # vanished between listing and opening
        except PermissionError:
            self._skip(path, _identity_or_none(path), "permission denied")
            return
        except OSError as exc:
            self._skip(path, _identity_or_none(path), f"cannot read: {exc.strerror or exc}")
            return
        try:
            return self._adopt(path, fd, replaced)
        except OSError as exc:  # an I/O error (EIO on a flaky filesystem) while sizing it up
            with contextlib.suppress(OSError):
                os.close(fd)
            self._files.pop(path, None)
            self._skip(path, _identity_or_none(path), f"cannot read: {exc.strerror or exc}")
            return None

    def _adopt(self, path: str, fd: int, replaced: bool) -> LogFile | None:
        """Start following the file open on ``fd``: sniff it, plan tail-first reading."""
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            self._skip(path, (st.st_dev, st.st_ino), "not a regular file (skipped)")
            return None
        f = LogFile.open(path, fd, self.options.parser_factory(), self._line_seq)
        f.pending_truncated = replaced
        self._gone.discard(path)
        if not self._sniff(f):
            return None
        limit = self.options.tail_first_bytes
        if limit > 0 and st.st_size > limit:
            tail_start = line_start_after(fd, st.st_size - limit, st.st_size)
            if tail_start is not None and tail_start > 0:
                try:
                    f.history = History(fd=os.dup(fd), end=tail_start)
                except OSError:
                    f.history = None
                else:
                    f.start_at(tail_start)
                    f.relative = True
        with self._lock:
            self._files[path] = f
        if replaced:
            self._deliver_live(f, [])  # a new file at a known path: line numbers restart
        if f.history is not None:
            self._new_history.append(f)  # queued after this pass: the tails come first
        return f

    def _sniff(self, f: LogFile) -> bool:
        """Skip binary files; False if the file was skipped."""
        if f.sniffed:
            return True
        try:
            head = os.pread(f.fd, SNIFF_BYTES, 0)
        except OSError:
            head = b""
        if not head:
            return True  # empty so far: sniff when the first bytes arrive
        f.sniffed = True
        if looks_binary(head):
            self._close_file(f)
            with self._lock:
                self._files.pop(f.path, None)
            self._skip(f.path, f.identity, "binary file skipped")
            return False
        return True

    # ------------------------------------------------------------------ live reading

    def _service(self, f: LogFile, cap: int | None) -> bool:
        """Read what is new in one file; True if more remains than ``cap`` allowed."""
        try:
            st = os.stat(f.path)
        except OSError:
            st = None
        if st is None or (st.st_dev, st.st_ino) != f.identity:
            successor = self._replaced(f, st)
            return self._service(successor, cap) if successor is not None else False
        size = st.st_size
        f.size = size
        if not f.sniffed and size > 0 and not self._sniff(f):
            return False
        if size < f.offset or (size > f.offset and not f.unchanged_before_offset()):
            self._truncated(f)
        if size > f.offset:
            f.flushed = False
            return self._read_new(f, size, cap)
        if not f.flushed:
            f.flushed = True
            events = f.parser.flush()
            if events:
                self._deliver_live(f, events)
        return False

    def _read_new(self, f: LogFile, size: int, cap: int | None) -> bool:
        """Read and deliver ``f`` up to ``size`` (at most ``cap`` bytes), chunk by chunk.

        Each chunk's events are delivered before the next chunk is read: memory stays at
        one chunk, and the first events of a big read show up at once. True if more
        remains than ``cap`` allowed.
        """
        end = size if cap is None else min(size, f.offset + cap)
        for data in f.read(end, self.options.read_chunk_bytes):
            self.stats.reads += 1
            self.stats.bytes_read += len(data)
            events = f.parser.feed(data)
            if events or f.long_line_warning_due():
                self._deliver_live(f, events)
        return f.offset < size

    def _truncated(self, f: LogFile) -> None:
        """copytruncate (or an in-place rewrite): restart at 0 with a fresh line count."""
        if f.history is not None:
            f.history.cancelled = True  # its bytes are gone
        with self._lock:
            for data in f.rotated_copy_tail(self.options.read_chunk_bytes):
                events = f.parser.feed(data)  # what we missed of the old content
                if events:
                    self._deliver_live(f, events)
            pending = f.parser.finish()  # the old content's last words, before the marker
            if pending:
                self._deliver_live(f, pending)
            f.restart()
        self._deliver_live(f, [])  # tell the consumer now, even before new bytes arrive

    def _replaced(self, f: LogFile, st: os.stat_result | None) -> LogFile | None:
        """The path no longer names our file: rotated (renamed), or deleted.

        Returns the file now at the path, if any, so the caller reads it in the same pass.
        """
        # finish the old file to its end first: its descriptor still reads it
        try:
            end = os.fstat(f.fd).st_size
        except OSError:
            end = f.offset
        if end > f.offset:
            self._read_new(f, end, None)
        # renamed into another name we follow: keep following it there
        files, _ = resolve_paths(self.paths, self.options.patterns, self.options.recursive)
        for path in files:
            if path == f.path or path in self._files:
                continue
            try:
                other = os.stat(path)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == f.identity:
                with self._lock:
                    self._files.pop(f.path, None)
                    old = f.path
                    f.path = path
                    self._files[path] = f
                if st is not None:
                    return self._open(old, replaced=True)
                self._gone.add(old)
                return None
        events = f.parser.finish()
        if events:
            self._deliver_live(f, events)
        with self._lock:
            self._files.pop(f.path, None)
        self._close_file(f, keep_history=True)
        if st is not None and stat.S_ISREG(st.st_mode):
            return self._open(f.path, replaced=True)
        self._gone.add(f.path)
        return None

    def _close_file(self, f: LogFile, keep_history: bool = False) -> None:
        f.close()
        if f.history is not None and not keep_history:
            f.history.cancelled = True

    # ------------------------------------------------------------------ history scan

    def _scan_history(self, f: LogFile) -> None:
        h = f.history
        if not isinstance(h, History):
            return

        def finish(h: History) -> None:
            with self._lock:
                if h.cancelled:
                    return
                f.line_shift = h.newlines
                f.relative = False
                self._deliver(
                    FileBatch(
                        path=f.path,
                        history=True,
                        line_shift=h.newlines,
                        scanned_bytes=h.end,
                        size_bytes=h.end,
                    )
                )

        history_scan.scan(
            h,
            lambda: f.path,
            self.options.history_parser,
            self.options.history_workers,
            self._deliver,
            f.long_line_warning_for,
            lambda: self._stop.is_set() and self._started,
            finish,
        )

    # ------------------------------------------------------------------ delivery

    def _deliver_live(self, f: LogFile, events: list[Located]) -> None:
        with self._lock:
            self._on_batch(self._live_batch(f, events))  # held: _deliver would take it again

    @staticmethod
    def _live_batch(f: LogFile, events: list[Located]) -> FileBatch:
        """The batch of ``f``'s newly parsed events (the caller holds the lock)."""
        shift = f.line_shift
        if shift and not f.relative:
            events = [Located(e.line + shift, e.event) for e in events]
        truncated = f.pending_truncated
        if truncated:
            f.pending_truncated = False
        return FileBatch(
            f.path,
            tuple(events),
            False,  # history
            f.relative,
            0,  # line_shift
            truncated,
            f.offset,  # scanned_bytes
            f.size,
            f.long_line_warning(),
        )

    def _deliver(self, batch: FileBatch) -> None:
        with self._lock:
            self._on_batch(batch)


def _identity_or_none(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


__all__ = [
    "DEFAULT_PATTERNS",
    "FileProgress",
    "FollowOptions",
    "Follower",
    "LineParser",
    "looks_binary",
    "resolve_paths",
    "watch_roots",
]
