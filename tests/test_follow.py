"""The folder follower on real files and real threads: no sleep-and-hope, deadlines only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from evalmon.events import FileBatch, Located, OutOfMemory, ServerException
from evalmon.parsers.stream import LogParser
from evalmon.sources import follow as follow_mod
from evalmon.sources.follow import (
    Follower,
    FollowOptions,
    resolve_paths,
    watch_roots,
)
from evalmon.sources.logfile import LONG_LINE_WARNING
from evalmon.sources.sniff import looks_binary
from tests.collector import Collector, mark


def parser_factory() -> LogParser:
    return LogParser()


def line(n: int) -> str:
    return mark(n)


def mark_number(event: object) -> int:
    assert isinstance(event, ServerException)
    return int(event.path.rsplit("/", 1)[1])


def write(path: Path, text: str, mode: str = "a") -> None:
    with open(path, mode) as fh:
        fh.write(text)


def make(paths: list[Path | str], **opts) -> tuple[Follower, Collector]:
    sink = Collector()
    options = FollowOptions(**{"parser_factory": parser_factory, **opts})
    return Follower([str(p) for p in paths], sink, options), sink


# --------------------------------------------------------------------------- resolve_paths


def test_resolve_folders_patterns_globs_and_errors(tmp_path: Path) -> None:
    (tmp_path / "logs" / "sub").mkdir(parents=True)
    (tmp_path / "logs" / ".evalmon").mkdir()
    for name in ["eval-1.out", "server-1.log", "sub/eval-2.out", "notes.md", ".evalmon/a.jsonl",
                 "gpu-node1.jsonl"]:
        write(tmp_path / "logs" / name, "x\n")
    files, errors = resolve_paths([str(tmp_path / "logs")])
    names = sorted(os.path.relpath(f, tmp_path / "logs") for f in files)
    assert names == ["eval-1.out", "gpu-node1.jsonl", "server-1.log", "sub/eval-2.out"]
    assert errors == []

    files, errors = resolve_paths([str(tmp_path / "logs" / "**" / "eval-*.out")])
    assert sorted(os.path.basename(f) for f in files) == ["eval-1.out", "eval-2.out"]

    files, _ = resolve_paths([str(tmp_path / "logs")], recursive=False)
    assert "eval-2.out" not in {os.path.basename(f) for f in files}

    # a file named explicitly is followed whatever its name; duplicates collapse
    md = str(tmp_path / "logs" / "notes.md")
    files, _ = resolve_paths([md, md, str(tmp_path / "logs" / "notes.md")])
    assert files == [md]

    files, errors = resolve_paths(["nope/", str(tmp_path / "logs" / "*.zzz")])
    assert files == []
    assert errors == ["no such file or directory: nope/",
                      f"no files match: {tmp_path / 'logs' / '*.zzz'}"]


def test_resolve_skips_fifo_and_watch_roots(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    files, errors = resolve_paths([str(fifo)])
    assert files == [] and errors == [f"not a regular file (skipped): {fifo}"]
    files, errors = resolve_paths([str(tmp_path)])  # in a folder a FIFO is silently ignored
    assert files == [] and errors == []
    roots = dict(watch_roots([str(tmp_path), str(tmp_path / "a.log"), "logs/**/eval-*.out"]))
    assert roots[str(tmp_path)] is True and roots["logs"] is True


def test_looks_binary() -> None:
    assert looks_binary(b"\x1f\x8b\x08\x00" + b"abc" * 100)
    assert looks_binary(bytes(range(256)) * 8)
    assert looks_binary(b"\0" * 100 + b"text")
    assert not looks_binary(b"hello\x00 world\n" * 100)  # a stray NUL is still a log
    assert not looks_binary("Grüße ✓ 100%|██████████| 56/56\r\n".encode() * 50)
    assert not looks_binary(b"\x1b[31mred\x1b[0m\n" * 50)
    assert not looks_binary(b"")


# --------------------------------------------------------------------------- poll_once


def test_reads_only_appended_bytes_and_holds_incomplete_lines(tmp_path: Path) -> None:
    log = tmp_path / "server-1.log"
    write(log, line(1) + line(2) + line(3)[:40])
    f, sink = make([tmp_path])
    f.poll_once()
    assert sink.marks() == [1, 2]
    write(log, line(3)[40:] + line(4))
    f.poll_once()
    assert sink.marks() == [1, 2, 3, 4]
    assert sink.mark_lines(log) == [1, 2, 3, 4]
    f.poll_once()
    assert sink.marks() == [1, 2, 3, 4]  # nothing new, nothing repeated
    f.stop()
    f.stop()  # idempotent


def test_new_files_are_discovered(tmp_path: Path) -> None:
    f, sink = make([tmp_path])
    f.poll_once()
    assert sink.batches == [] and f.errors == []
    (tmp_path / "deep" / "er").mkdir(parents=True)
    write(tmp_path / "deep" / "er" / "eval-7.out", line(7))
    write(tmp_path / "ignored.bin", line(99))
    f.poll_once()
    assert sink.marks() == [7]
    assert [p.path for p in f.files] == [str(tmp_path / "deep" / "er" / "eval-7.out")]
    f.stop()


def full_pass(f: Follower) -> None:
    f.poll_once()


def quick_pass(f: Follower) -> None:
    """One pass as the reader thread makes it after the observer reported only writes (the
    folders are not walked): truncations and rewrites must show anyway."""
    f._pass(cap=None, force_rescan=False, quick=True)


QUICK_PASSES = pytest.mark.parametrize("next_pass", [quick_pass], ids=["quick"])
PASSES = pytest.mark.parametrize("next_pass", [full_pass, quick_pass], ids=["full", "quick"])


@PASSES
def test_copytruncate_loses_nothing_counts_nothing_twice(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, "".join(line(i) for i in range(10)))
    f, sink = make([log])
    f.poll_once()
    shutil.copyfile(log, tmp_path / "server.log.1")  # logrotate copytruncate
    with open(log, "r+") as fh:
        fh.truncate(0)
    next_pass(f)
    assert sink.batches[-1].truncated and sink.batches[-1].events == ()
    write(log, line(10) + line(11))
    next_pass(f)
    assert sink.marks() == list(range(12))
    assert sink.mark_lines(log)[-2:] == [1, 2]  # line numbers restart with the file
    f.stop()


@PASSES
def test_copytruncate_lines_written_before_the_copy_come_from_the_copy(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    """Lines written after our last read and before logrotate's copy exist only in the copy:
    they are read from it (the truncation itself is noticed as before)."""
    log = tmp_path / "server.log"
    write(log, "".join(line(i) for i in range(10)))
    f, sink = make([log])
    f.poll_once()
    write(log, line(10) + line(11) + line(12)[:20])  # not read yet (the last one unfinished)
    shutil.copyfile(log, tmp_path / "server.log-20261202")  # logrotate copytruncate, dateext
    with open(log, "r+") as fh:
        fh.truncate(0)
    write(log, line(13))
    next_pass(f)
    assert sink.marks() == [*range(12), 13]  # line 12 was cut off by the rotation
    assert sink.mark_lines(log)[-1] == 1
    f.stop()


def test_a_copy_that_does_not_continue_our_bytes_is_not_read(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    write(log, "".join(line(i) for i in range(10)))
    f, sink = make([log])
    f.poll_once()
    write(tmp_path / "server.log.1", "".join(line(100 + i) for i in range(20)))  # another file
    write(log, line(1), mode="w")  # truncated and rewritten
    f.poll_once()
    assert sink.marks() == [*range(10), 1]
    f.stop()


@PASSES
def test_truncate_and_rewrite_past_old_offset_is_noticed(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, line(1) + line(2))
    f, sink = make([log])
    f.poll_once()
    # truncated and rewritten to a larger size before we looked again
    write(log, "".join(line(100 + i) for i in range(5)), mode="w")
    next_pass(f)
    assert sink.marks() == [1, 2, 100, 101, 102, 103, 104]
    assert any(b.truncated for b in sink.batches)
    f.stop()


def test_rotation_finishes_old_file_first(tmp_path: Path) -> None:
    log = tmp_path / "eval-5.out"
    write(log, line(1) + line(2))
    f, sink = make([tmp_path])
    f.poll_once()
    write(log, line(3) + line(4).rstrip("\n"))  # no \n
    os.rename(log, tmp_path / "eval-5.out.1")  # not a followed name
    write(log, line(5))
    f.poll_once()
    assert sink.marks() == [1, 2, 3, 4, 5]
    replaced = [i for i, b in enumerate(sink.batches) if b.truncated]
    assert len(replaced) == 1
    # everything after the replacement marker is the new file
    after = [mark_number(loc.event) for b in sink.batches[replaced[0]:] for loc in b.events]
    assert after == [5]
    assert sink.mark_lines(log)[-1] == 1
    f.stop()


def test_rename_into_a_followed_name_is_not_read_twice(tmp_path: Path) -> None:
    log = tmp_path / "eval-5.out"
    write(log, line(1) + line(2))
    f, sink = make([tmp_path])
    f.poll_once()
    os.rename(log, tmp_path / "eval-5-old.out")
    write(tmp_path / "eval-5-old.out", line(3))
    write(log, line(4))
    f.poll_once()
    write(tmp_path / "eval-5-old.out", line(6))
    f.poll_once()
    assert sorted(sink.marks()) == [1, 2, 3, 4, 6]
    # the old file's lines continue under its new name; the new file restarts at line 1
    assert sink.mark_lines(tmp_path / "eval-5-old.out") == [3, 4]
    assert sink.mark_lines(log) == [1, 2, 1]
    new_file = [b for b in sink.batches if b.path == str(log)]
    assert any(b.truncated for b in new_file)
    f.stop()


def test_delete_and_recreate(tmp_path: Path) -> None:
    log = tmp_path / "eval-1.out"
    write(log, line(1))
    f, sink = make([tmp_path])
    f.poll_once()
    write(log, line(2))
    os.unlink(log)  # written, then deleted before we looked: still read via our descriptor
    f.poll_once()
    assert sink.marks() == [1, 2]
    assert f.files == []
    write(log, line(3))
    f.poll_once()
    assert sink.marks() == [1, 2, 3]
    mine = [b for b in sink.batches if b.path == str(log)]
    assert mine[-2].truncated and mine[-2].events == ()  # "a new file here" comes first
    assert sink.mark_lines(log)[-1] == 1
    f.stop()


def test_flush_is_called_once_when_a_file_goes_idle(tmp_path: Path) -> None:
    calls: list[str] = []

    class Spy(LogParser):
        def flush(self) -> list[Located]:
            calls.append("flush")
            return [*super().flush(), Located(0, ServerException('POST', '/mark/-1'))]

    log = tmp_path / "a.log"
    write(log, line(1))
    sink = Collector()
    f = Follower([str(log)], sink, FollowOptions(parser_factory=Spy))
    f.poll_once()  # reads
    assert calls == []
    f.poll_once()  # idle: flush
    f.poll_once()  # still idle: no second flush
    assert calls == ["flush"]
    assert sink.marks() == [1, -1]
    f.stop()


def test_binary_and_empty_then_binary_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "core.log").write_bytes(b"\x7fELF" + bytes(range(256)) * 40)
    empty = tmp_path / "later.log"
    empty.touch()
    f, sink = make([tmp_path])
    f.poll_once()
    assert sink.warnings() == {str(tmp_path / "core.log"): "binary file skipped"}
    empty.write_bytes(b"\0" * 5000)
    f.poll_once()
    f.poll_once()
    assert sink.warnings()[str(empty)] == "binary file skipped"
    assert [b.warning for b in sink.batches].count("binary file skipped") == 2  # warned once each
    assert f.files == []
    f.stop()


def test_permission_denied_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tests run as root, which reads a chmod-000 file anyway: simulate EACCES at open
    secret = tmp_path / "secret.log"
    write(secret, line(1))
    write(tmp_path / "ok.log", line(2))
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(follow_mod.os, "open", fake_open)
    f, sink = make([tmp_path])
    f.poll_once()
    f.poll_once()
    assert sink.warnings() == {str(secret): "permission denied"}
    assert sink.marks() == [2]
    f.stop()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv"
)
def test_permission_denied_for_real_as_another_user() -> None:
    """As root chmod 000 does not stop us: drop to nobody in a child process to see real EACCES."""
    tmp_path = Path(tempfile.mkdtemp(prefix="evalmon-eacces-"))  # pytest's tmp is root-only
    try:
        _check_eacces_as_nobody(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _check_eacces_as_nobody(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    secret = tmp_path / "secret.log"
    write(secret, line(1))
    secret.chmod(0)
    write(tmp_path / "ok.log", line(2))
    (tmp_path / "ok.log").chmod(0o644)
    repo = Path(__file__).resolve().parents[1]
    code = (
        "import sys; from evalmon.sources.follow import Follower, FollowOptions\n"
        "sys.path.insert(0, sys.argv[2]); from test_follow import parser_factory\n"
        "out = []\n"
        "f = Follower([sys.argv[1]], out.append, FollowOptions(parser_factory=parser_factory))\n"
        "f.poll_once(); f.stop()\n"
        "print(sorted((b.path.rsplit('/', 1)[1], b.warning, len(b.events)) for b in out))\n"
        "print(f.errors)\n"
    )
    res = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code,
         str(tmp_path), str(repo / "tests")],
        capture_output=True, text=True, timeout=60, cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    if res.returncode != 0 and "Permission denied" in res.stderr and "python" in res.stderr:
        pytest.skip("nobody cannot run the venv's python here")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "[('ok.log', '', 1), ('secret.log', 'permission denied', 0)]",
        "[]",
    ]


def test_fifo_in_folder_never_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.log")
    write(tmp_path / "real.log", line(3))
    f, sink = make([tmp_path])
    done = threading.Event()
    t = threading.Thread(target=lambda: (f.poll_once(), done.set()), daemon=True)
    t.start()
    assert done.wait(5), "poll_once blocked on a FIFO"
    assert sink.marks() == [3]
    f.stop()


def test_missing_path_is_an_error_string_and_may_appear_later(tmp_path: Path) -> None:
    later = tmp_path / "later"
    f, sink = make([later])
    f.poll_once()
    assert f.errors == [f"no such file or directory: {later}"]
    later.mkdir()
    write(later / "eval-1.out", line(1))
    f.poll_once()
    assert f.errors == [] and sink.marks() == [1]
    f.stop()


def test_too_many_files(tmp_path: Path) -> None:
    for i in range(4):
        write(tmp_path / f"f{i}.log", line(i))
    f, sink = make([tmp_path], max_files=3)
    f.poll_once()
    assert len(f.files) == 3
    assert list(sink.warnings().values()) == ["not followed: more than 3 files"]
    f.stop()


# --------------------------------------------------------------------------- threads


@QUICK_PASSES
def test_quick_pass_reads_appends_with_one_pread_each(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, line(1))
    f, sink = make([log])
    f.poll_once()
    write(log, line(2) + line(3))
    next_pass(f)
    assert sink.marks() == [1, 2, 3]
    assert sink.mark_lines(log) == [1, 2, 3]
    batch = sink.batches[-1]  # every field of a live batch in its place
    size = log.stat().st_size
    assert (batch.path, batch.history, batch.relative_lines, batch.line_shift) == (
        str(log), False, False, 0
    )
    assert (batch.truncated, batch.scanned_bytes, batch.size_bytes, batch.warning) == (
        False, size, size, ""
    )
    f.stop()


@QUICK_PASSES
def test_quick_pass_hands_a_big_append_to_the_full_path(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, line(0))
    f, sink = make([log])
    f.poll_once()
    many = [line(i) for i in range(1, 3000)]  # ~170 KB: more than one quick read
    write(log, "".join(many))
    next_pass(f)
    assert sink.marks() == list(range(3000))
    f.stop()


@QUICK_PASSES
def test_quick_pass_flushes_an_idle_file_and_warns_of_a_cut_line_once(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, line(1))
    f, sink = make([log], parser_factory=lambda: LogParser(max_line_bytes=1024))
    f.poll_once()
    write(log, "x" * 2048 + "\n" + line(2))  # a line over the cap, in one quick read
    reads = f.stats.reads
    next_pass(f)
    assert f.stats.reads == reads + 1
    next_pass(f)  # nothing new: the file is idle
    assert sink.marks() == [1, 2]
    warnings = [b.warning for b in sink.batches if b.warning]
    assert warnings == [LONG_LINE_WARNING]
    write(log, line(3))
    next_pass(f)
    assert sink.marks() == [1, 2, 3]
    assert [b.warning for b in sink.batches if b.warning] == warnings
    f.stop()


@QUICK_PASSES
def test_quick_pass_shifts_live_lines_once_the_history_is_in(
    tmp_path: Path, next_pass: Callable[[Follower], None]
) -> None:
    log = tmp_path / "server.log"
    write(log, "".join(line(i) for i in range(2000)))  # > tail_first_bytes: read tail first
    f, sink = make([log], tail_first_bytes=4096)
    f.poll_once()  # tail, then the history (poll_once runs it when not started)
    assert sorted(sink.marks()) == list(range(2000))
    write(log, line(2000))
    next_pass(f)
    last = sink.batches[-1]
    assert not last.relative_lines and last.events[-1].line == 2001
    f.stop()


def test_live_copytruncate_with_the_observer(tmp_path: Path) -> None:
    f, sink = make([tmp_path], poll_interval_s=5.0, rescan_interval_s=5.0)
    f.start()
    try:
        log = tmp_path / "server.log"
        write(log, "".join(line(i) for i in range(5)))
        sink.wait_for(lambda: sink.marks() == list(range(5)))
        with open(log, "r+") as fh:
            fh.truncate(0)
        write(log, line(5) + line(6))
        sink.wait_for(lambda: sink.marks() == list(range(7)), timeout=3)
        assert any(b.truncated for b in sink.batches)
        assert sink.mark_lines(log)[-2:] == [1, 2]
    finally:
        f.stop()


@pytest.mark.parametrize("wake", ["watchdog", "poll"])
def test_live_follow_in_threads(tmp_path: Path, wake: str) -> None:
    f, sink = make([tmp_path], wake=wake, poll_interval_s=0.02, rescan_interval_s=0.1)
    f.start()
    try:
        log = tmp_path / "eval-9.out"
        expected: list[int] = []
        for i in range(20):
            write(log, line(i))
            expected.append(i)
            sink.wait_for(lambda: sink.marks() == expected, timeout=5)
        assert sink.mark_lines(log) == list(range(1, 21))
    finally:
        f.stop()
    f.stop()
    assert f.files == []


OOM_TAIL = (
    "Traceback (most recent call last):\n"
    '  File "/opt/megatron/tools/run_text_generation_server.py", line 88, in <module>\n'
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
    "capacity of 79.15 GiB of which 1.02 GiB is free.\n"
)


def test_idle_file_releases_an_oom_waiting_for_context(tmp_path: Path) -> None:
    """The OOM classifier waits for lines after the error; an idle file must not keep it."""
    f, sink = make([tmp_path], poll_interval_s=0.05)
    f.start()
    try:
        write(tmp_path / "server-3.log", line(1))
        sink.wait_for(lambda: sink.marks() == [1])
        write(tmp_path / "server-3.log", OOM_TAIL)  # and then nothing more: the job died

        def ooms() -> list[Located]:
            return [loc for b in sink.batches for loc in b.events
                    if isinstance(loc.event, OutOfMemory)]

        sink.wait_for(lambda: len(ooms()) == 1, timeout=5)
        [oom] = ooms()
        assert oom.line == 4 and oom.event.bytes_tried == 2 << 30
    finally:
        f.stop()


@pytest.mark.slow
def test_tail_first_on_a_50mb_file(tmp_path: Path) -> None:
    log = tmp_path / "server-big.log"
    filler = "x" * 90 + "\n"
    n_lines = 0
    with open(log, "w") as fh:
        block = (filler * 99 + "{}")
        for i in range(5500):  # ~50 MB: 100 lines per block, one of them an event
            fh.write(block.replace("{}", line(i)))
            n_lines += 100
    size = log.stat().st_size
    assert size > 45e6
    first_tail: list[float] = []
    sink = Collector()

    def on_batch(batch: FileBatch) -> None:
        if batch.events and not batch.history and not first_tail:
            first_tail.append(time.monotonic())
        sink(batch)

    opts = FollowOptions(parser_factory=parser_factory, tail_first_bytes=1 << 20)
    f = Follower([str(log)], on_batch, opts)
    f.start()
    try:
        sink.wait_for(lambda: bool(first_tail), timeout=30)
        write(log, line(99998))  # appended while the history is (most likely) being scanned
        sink.wait_for(lambda: any(b.line_shift for b in sink.batches), timeout=120)
        first_tail_index = next(
            i for i, b in enumerate(sink.batches) if b.events and not b.history
        )
        assert sink.batches[first_tail_index].relative_lines  # (its speed: benchmarks/follow.py)
        shift_index = next(i for i, b in enumerate(sink.batches) if b.line_shift)
        history_indexes = [i for i, b in enumerate(sink.batches) if b.history]
        assert first_tail_index < history_indexes[0]  # the tail came before any history
        assert len(history_indexes) > 3  # scanned in chunks, with progress
        assert all(not b.line_shift for b in sink.batches[:shift_index])
        assert sink.batches[shift_index].history
        shift = sink.batches[shift_index].line_shift
        # live appends while (and after) the history scan are absolute after the shift
        write(log, line(99999))
        sink.wait_for(lambda: 99999 in sink.marks(), timeout=10)
        events: dict[int, int] = {}
        for b in sink.batches:
            for loc in b.events:
                ln = loc.line + (shift if b.relative_lines else 0)
                assert mark_number(loc.event) not in events, "event delivered twice"
                events[mark_number(loc.event)] = ln
        assert sorted(events) == [*range(5500), 99998, 99999]
        for i in range(5500):
            assert events[i] == 100 * i + 100, i  # the event is the last line of its block
        assert events[99998] == n_lines + 1
        assert events[99999] == n_lines + 2
        progress = [b for b in sink.batches if b.history and not b.line_shift]
        assert progress and progress[-1].scanned_bytes <= progress[-1].size_bytes
        assert progress[0].scanned_bytes < progress[-1].scanned_bytes
    finally:
        f.stop()


def test_the_observer_notices_new_folders_and_files_without_polling(tmp_path: Path) -> None:
    # polling and rescans so slow that only inotify can explain a prompt delivery
    f, sink = make([tmp_path], poll_interval_s=30, rescan_interval_s=60)
    f.start()
    try:
        assert f.wake_mode == "watchdog-observer"
        sink.wait_for(lambda: f.stats.passes >= 1)
        (tmp_path / "run-2" / "logs").mkdir(parents=True)
        write(tmp_path / "run-2" / "logs" / "server-2.log", line(5))
        sink.wait_for(lambda: sink.marks() == [5], timeout=5)
        write(tmp_path / "run-2" / "logs" / "server-2.log", line(6))
        sink.wait_for(lambda: sink.marks() == [5, 6], timeout=5)
    finally:
        f.stop()


def test_a_new_file_is_found_at_once_while_another_streams(tmp_path: Path) -> None:
    """Under streaming writes the follower makes quick passes and its safety-net rescan is
    rare: a file created meanwhile must still come in through the observer's create event."""
    f, sink = make(
        [tmp_path], poll_interval_s=30, rescan_interval_s=60, notified_rescan_interval_s=60
    )
    f.start()
    busy = tmp_path / "server-1.log"
    try:
        assert f.wake_mode == "watchdog-observer"
        sink.wait_for(lambda: f.stats.passes >= 1)
        for n in range(1, 6):  # streaming: each line read by a quick pass
            write(busy, line(n))
            sink.wait_for(lambda n=n: n in sink.marks(), timeout=5)
        write(tmp_path / "server-2.log", line(100))
        write(busy, line(6))
        sink.wait_for(lambda: 100 in sink.marks() and 6 in sink.marks(), timeout=5)
    finally:
        f.stop()


def test_watchdog_observer(tmp_path: Path) -> None:
    f, sink = make([tmp_path], wake="watchdog", poll_interval_s=30, rescan_interval_s=60)
    f.start()
    try:
        assert f.wake_mode == "watchdog-observer"
        sink.wait_for(lambda: f.stats.passes >= 1)
        write(tmp_path / "eval-1.out", line(1))
        sink.wait_for(lambda: sink.marks() == [1], timeout=5)
        write(tmp_path / "eval-1.out", line(2))
        sink.wait_for(lambda: sink.marks() == [1, 2], timeout=5)
    finally:
        f.stop()


def test_stop_does_not_wait_out_a_long_poll_interval(tmp_path: Path) -> None:
    f, _ = make([tmp_path], poll_interval_s=600, wake="poll")
    f.start()
    stopper = threading.Thread(target=f.stop)
    stopper.start()
    stopper.join(timeout=30)  # a deadline far below the 600 s interval it must not wait out
    assert not stopper.is_alive()


def test_a_failing_consumer_does_not_kill_the_reader(tmp_path: Path) -> None:
    sink = Collector()
    calls = [0]

    def flaky(batch: FileBatch) -> None:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("consumer bug")
        sink(batch)

    log = tmp_path / "eval-1.out"
    write(log, line(1))
    f = Follower([str(tmp_path)], flaky, FollowOptions(parser_factory=parser_factory,
                                                        poll_interval_s=0.02))
    f.start()
    try:
        sink.wait_for(lambda: any("consumer bug" in b.warning for b in sink.batches))
        write(log, line(2))
        sink.wait_for(lambda: 2 in sink.marks())
    finally:
        f.stop()


def test_a_100mb_line_without_newline_is_a_warning_with_bounded_memory(tmp_path):
    """The line cap keeps the head; the user is told once that the rest was not parsed."""
    from evalmon.sources.follow import Follower, FollowOptions
    from evalmon.sources.logfile import LONG_LINE_WARNING

    log = tmp_path / "big.log"
    with open(log, "wb") as fh:
        for _ in range(100):
            fh.write(b"A" * (1 << 20))
    batches = []
    follower = Follower([str(tmp_path)], batches.append, FollowOptions(tail_first_bytes=0))
    follower.poll_once()
    follower.poll_once()
    warnings = [b.warning for b in batches if b.warning]
    assert warnings == [LONG_LINE_WARNING]
    assert not any(b.events for b in batches)
