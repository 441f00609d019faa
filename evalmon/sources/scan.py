"""Whole-file scanning: read a finished log in big chunks through one LogParser.

The engine of ``evalmon report`` (and of the history scan of a followed file). Bad input
never raises: a missing, unreadable or binary file gives a ScanResult with a warning.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from evalmon.events import Located
from evalmon.parsers.cuttable import CuttableParser
from evalmon.parsers.stream import LogParser
from evalmon.sources.scan_ranges import RANGE_BYTES, scan_in_ranges, workers_for
from evalmon.sources.sniff import SNIFF_BYTES, looks_binary


@dataclass
class ScanResult:
    path: str
    events: list[Located] = field(default_factory=list)
    bytes: int = 0
    lines: int = 0
    dropped_bytes: int = 0
    warning: str = ""


def scan_file(
    path: str | os.PathLike[str],
    *,
    chunk_bytes: int = 16 << 20,
    on_events: Callable[[list[Located]], None] | None = None,
    workers: int | None = None,
    range_bytes: int = RANGE_BYTES,
    cuts: Sequence[int] = (),
) -> ScanResult:
    """Every event of one file, read in ``chunk_bytes`` chunks; never raises for bad input.

    With ``on_events``, each chunk's events go there as soon as they are parsed and the
    result keeps none: memory then stays at one chunk whatever the file's size.

    ``workers``: processes for a big file (:mod:`evalmon.sources.scan_ranges`); None: one
    per usable CPU when the file is big (:func:`workers_for`); 1: this process.
    The events are the same either way; ``range_bytes`` is the size of a worker's task.

    ``cuts``: byte offsets where a new attempt of ``evalmon run`` began appending to the file
    (a second session in the same folder): what follows a cut is judged on its own, as the
    live reader judged it (no earlier line is OOM context), and line numbers go on counting.
    A file with cuts is read in this process.
    """
    name = os.fspath(path)
    result = ScanResult(path=name)
    try:
        info = os.stat(name)
        if stat.S_ISDIR(info.st_mode):
            result.warning = "is a directory"
            return result
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never ends
            result.warning = "not a regular file"
            return result
        handle = open(name, "rb", buffering=0)  # noqa: SIM115 - closed below, after the loop
    except FileNotFoundError:
        result.warning = "file not found"
        return result
    except PermissionError:
        result.warning = "permission denied"
        return result
    except OSError as exc:
        result.warning = f"cannot open: {exc.strerror or exc}"
        return result
    except ValueError:  # e.g. a NUL byte in the path
        result.warning = "invalid path"
        return result
    with handle:
        try:
            sample = os.pread(handle.fileno(), SNIFF_BYTES, 0)
            if looks_binary(sample):
                result.warning = "binary file skipped"
                return result
            _advise_sequential(handle.fileno())
            events = result.events
            keep = events.extend if on_events is None else on_events
            n_workers = workers_for(info.st_size) if workers is None else max(1, workers)
            pending = sorted({c for c in cuts if 0 < c < info.st_size}, reverse=True)
            if n_workers > 1 and not pending:
                for scan in scan_in_ranges(
                    name, handle.fileno(), info.st_size, n_workers, range_bytes=range_bytes
                ):
                    keep(scan.events)
                    result.lines += scan.lines
                    result.dropped_bytes += scan.dropped_bytes
                    result.bytes = scan.end
                    result.warning = scan.error
                return result
            parser: LogParser | CuttableParser = (
                CuttableParser(LogParser) if pending else LogParser()
            )
            buffer = bytearray(max(chunk_bytes, 1))
            view = memoryview(buffer)
            while True:
                want = len(buffer) if not pending else min(len(buffer), pending[-1] - result.bytes)
                n = handle.readinto(view[:want])
                if not n:
                    break
                result.bytes += n
                keep(parser.feed(buffer if n == len(buffer) else buffer[:n]))
                if pending and result.bytes == pending[-1]:
                    pending.pop()
                    parser.cut()  # type: ignore[union-attr]  # only a CuttableParser has cuts
            keep(parser.finish())
            result.lines = parser.lines
            result.dropped_bytes = parser.dropped_bytes
        except IsADirectoryError:
            result.warning = "is a directory"
        except PermissionError:
            result.warning = "permission denied"
        except OSError as exc:
            result.warning = f"read error: {exc.strerror or exc}"
    return result


def _advise_sequential(fd: int) -> None:
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
