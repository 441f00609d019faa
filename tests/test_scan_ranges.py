"""A big log scanned in byte ranges (worker processes) gives what one whole-file parser gives.

The ranges are cut where a one-pass parser carries state across lines: in an OOM traceback
(the classifier reads lines before and after the candidate), in lm-eval's results table (a
row names its task only on the first row), and in a burst of ``\\r`` tqdm updates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evalmon.events import Located, OutOfMemory, ResultRow, ServerTraffic
from evalmon.parsers import oom
from evalmon.sources.scan import scan_file
from evalmon.sources.scan_ranges import (
    MIN_PARALLEL_BYTES,
    range_starts,
    scan_in_ranges,
    workers_for,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def whole(located: list[Located]) -> tuple[list[Located], ServerTraffic]:
    """The located events but the routine-line counts, and those counts summed (how many
    reads they came in depends on the cutting, what they count does not)."""
    traffic = ServerTraffic()
    rest = []
    for loc in located:
        if isinstance(loc.event, ServerTraffic):
            traffic = traffic.merged(loc.event)
        else:
            rest.append(loc)
    return rest, traffic


def in_ranges(path: Path, range_bytes: int, workers: int = 1) -> tuple[list[Located], int]:
    out: list[Located] = []
    lines = 0
    with open(path, "rb") as handle:
        for scan in scan_in_ranges(
            str(path), handle.fileno(), os.path.getsize(path), workers, range_bytes=range_bytes
        ):
            assert scan.error == "" and not scan.short
            out += scan.events
            lines += scan.lines
    return out, lines


def starts_of(path: Path, size: int, range_bytes: int) -> list[int]:
    with open(path, "rb") as handle:
        return range_starts(handle.fileno(), size, range_bytes)


def range_starts_of(data: bytes, range_bytes: int = 16 << 10) -> list[int]:
    fd = os.memfd_create("log")
    try:
        os.write(fd, data)
        return range_starts(fd, len(data), range_bytes)
    finally:
        os.close(fd)


def line_starts(data: bytes) -> list[int]:
    return [0] + [i + 1 for i, byte in enumerate(data) if byte == 10 and i + 1 < len(data)]


def cut_points(data: bytes, marks: tuple[bytes, ...], around: int = 6) -> list[int]:
    """Line starts near each line that holds one of ``marks``: a few before, a few after."""
    starts = line_starts(data)
    points = set()
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(data)
        if any(mark in data[start:end] for mark in marks):
            points.update(starts[max(1, n - around) : n + around + 1])
    return sorted(p for p in points if p > 0)


@pytest.mark.parametrize(
    ("name", "marks"),
    [
        ("server-103.log", (b"OutOfMemoryError",)),  # five OOM tracebacks
        ("eval-101.out", (b"|hellaswag", b"|  |", b"\r")),  # results table, tqdm bursts
        ("eval-103.out", (b"Traceback", b"Error")),
        ("server-101.log", (b"run_mcore_engine", b"HTTP/1.1")),
    ],
)
def test_a_cut_anywhere_near_what_spans_lines_changes_nothing(name: str, marks: tuple) -> None:
    path = SAMPLES / name
    data = path.read_bytes()
    one = scan_file(path, workers=1)
    want_events, want_traffic = whole(one.events)
    points = cut_points(data, marks)
    assert points, "the sample no longer has what this test cuts through"
    # a last range shorter than a quarter of the others joins the one before
    points = [p for p in points if p < len(data) - p // 4]
    assert points
    for point in points:
        assert starts_of(path, len(data), point)[:2] == [0, point]
        got, lines = in_ranges(path, point)
        got_events, got_traffic = whole(got)
        assert lines == one.lines
        assert got_traffic == want_traffic, f"cut at byte {point}"
        assert got_events == want_events, f"cut at byte {point}"


def test_an_oom_cut_from_its_context_is_judged_as_a_whole_file_parser_judges_it(
    tmp_path: Path,
) -> None:
    """The candidate is the last line of a range: its after-lines are in the next one, its
    before-lines (the traceback) in this one; and the reverse."""
    data = (SAMPLES / "server-103.log").read_bytes()
    path = tmp_path / "server.log"
    path.write_bytes(data)
    want = [loc for loc in scan_file(path, workers=1).events if isinstance(loc.event, OutOfMemory)]
    assert len(want) >= 1
    starts = line_starts(data)
    first_oom_line = want[0].line
    for cut_line in (first_oom_line, first_oom_line + 1, first_oom_line - 3):
        got, _ = in_ranges(path, starts[cut_line - 1])
        assert [loc for loc in got if isinstance(loc.event, OutOfMemory)] == want


def test_results_rows_cut_from_their_task_row_keep_the_task(tmp_path: Path) -> None:
    path = tmp_path / "eval.out"  # the table, then more log: a range can start inside it
    path.write_bytes(
        (SAMPLES / "eval-101.out").read_bytes() + (SAMPLES / "server-101.log").read_bytes()
    )
    rows = [loc for loc in scan_file(path, workers=1).events if isinstance(loc.event, ResultRow)]
    carried = [loc for loc in rows if loc.line > rows[0].line]
    assert carried and carried[0].event.task == rows[0].event.task
    cut = line_starts(path.read_bytes())[carried[0].line - 1]
    assert starts_of(path, path.stat().st_size, cut)[:2] == [0, cut]
    got, _ = in_ranges(path, cut)
    assert [loc for loc in got if isinstance(loc.event, ResultRow)] == rows


# Real excerpts whose OOM verdict reads the lines before the candidate (the NCCL and dmesg
# ones) or after it (the wrapped messages): cut at every line, each must come out the same.
CONTEXT_EXCERPTS = (
    "cxx/nccl-alloc-h-calloc-failed-proxy-nccl-1235.log",
    "cxx/terminate-cuda-error-wrapped-picongpu-3064.log",
    "cxx/terminate-dmlc-cudamalloc-wrapped-mx-maskrcnn-98.log",
    "kernel/dmesg-iso-oom-report-ert-7797.log",
)


@pytest.mark.parametrize("excerpt", CONTEXT_EXCERPTS)
def test_an_oom_reading_lines_across_a_cut_is_judged_the_same(excerpt: str) -> None:
    path = Path(__file__).resolve().parent / "data" / "oom_corpus" / excerpt
    data = path.read_bytes()
    want = whole(scan_file(path, workers=1).events)
    assert any(isinstance(loc.event, OutOfMemory) for loc in want[0])
    cuts = [p for p in line_starts(data)[1:] if p < len(data) - p // 4]
    for cut in cuts:
        assert starts_of(path, len(data), cut)[:2] == [0, cut]
        got, _ = in_ranges(path, cut)
        assert whole(got) == want, f"cut at byte {cut}"


def test_worker_processes_give_the_same_events_as_one_parser(tmp_path: Path) -> None:
    """Real forked workers, many ranges, every sample log back to back."""
    path = tmp_path / "all.log"
    path.write_bytes(b"".join((SAMPLES / n).read_bytes() for n in sorted(os.listdir(SAMPLES))
                              if n.endswith((".log", ".out"))))
    one = scan_file(path, workers=1)
    many = scan_file(path, workers=2, range_bytes=8 << 10)
    assert many.warning == "" and many.lines == one.lines and many.bytes == one.bytes
    assert whole(many.events) == whole(one.events)
    assert len(starts_of(path, path.stat().st_size, 8 << 10)) > 5


def test_a_start_needs_the_lines_an_oom_reads_before_it_whole(tmp_path: Path) -> None:
    """Past 256 KiB of long lines there is no start an OOM's context would fit before: the
    range joins the one before rather than cut the context."""
    long_lines = b"".join(b"x" * 20_000 + b"\n" for _ in range(40))  # 800 KB, 40 lines
    path = tmp_path / "long.log"
    path.write_bytes(long_lines)
    starts = starts_of(path, path.stat().st_size, 300_000)
    assert starts == [0]  # the file's start is within the window only for the first 256 KiB
    short = b"".join(b"line %d\n" % i for i in range(oom.CONTEXT_BEFORE + 5))
    path.write_bytes(long_lines + short + long_lines)
    starts = starts_of(path, path.stat().st_size, len(long_lines))
    assert len(starts) == 2 and starts[1] > len(long_lines)


def test_big_files_use_every_cpu() -> None:
    assert workers_for(MIN_PARALLEL_BYTES - 1) == 1
    assert workers_for(MIN_PARALLEL_BYTES) == min(len(os.sched_getaffinity(0)), 8)


def test_workers_started_from_a_process_with_threads_give_the_same_events(
    tmp_path: Path,
) -> None:
    """The dashboard scans history beside its UI and follower threads: its workers come from
    a fork server, not a fork of a threaded process."""
    path = tmp_path / "server.log"
    path.write_bytes((SAMPLES / "server-101.log").read_bytes() * 4)
    one = scan_file(path, workers=1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        many = scan_file(path, workers=2, range_bytes=16 << 10)
    finally:
        stop.set()
        thread.join()
    assert many.lines == one.lines and whole(many.events) == whole(one.events)


def test_a_file_truncated_under_the_scan_ends_it_with_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    data = (SAMPLES / "server-101.log").read_bytes() * 4
    path.write_bytes(data)
    with open(path, "rb") as handle:
        scans = scan_in_ranges(str(path), handle.fileno(), len(data), 1, range_bytes=16 << 10,
                               to_eof=False)
        first = next(scans)
        path.write_bytes(data[: first.end + 100])  # truncated: later ranges find no bytes
        rest = list(scans)
    ranges = len(range_starts_of(data))
    assert rest and rest[-1].short  # the scan ends there, saying so
    assert 1 + len(rest) < ranges


def test_workers_start_under_a_captured_stderr_with_threads_running(tmp_path: Path) -> None:
    """Textual captures ``sys.stderr`` (``fileno()`` -1) and the dashboard has threads: its
    history workers must still start (a fork server), not fall back to one process."""
    path = tmp_path / "server.log"
    path.write_bytes((SAMPLES / "server-101.log").read_bytes() * 4)
    script = f"""
import os, sys, threading
from evalmon.sources.scan_ranges import scan_in_ranges

class Captured:
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

sys.stderr = Captured()
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()
path = {str(path)!r}
with open(path, "rb") as handle:
    pids = {{scan.pid for scan in scan_in_ranges(path, handle.fileno(), os.path.getsize(path), 2,
                                                 range_bytes=16 << 10)}}
print(len(pids - {{os.getpid()}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 1  # ranges were scanned in other processes
