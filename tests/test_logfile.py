"""One followed file's raw-line ring: what the log panel shows, from the follower's own reads."""

from __future__ import annotations

from pathlib import Path

from evalmon.sources.follow import Follower
from evalmon.sources.logfile import LineSeq, RecentLines

HUGE = "A" * 100_000 + " (100000 bytes)"


def ring(**options: int) -> RecentLines:
    return RecentLines("eval-1.out", LineSeq(), **options)


def test_a_line_is_kept_when_its_newline_arrives_and_a_burst_keeps_its_last_update() -> None:
    recent = ring()
    recent.add(b"first line\nsecond")
    assert [line.text for line in recent.lines()] == ["first line"]
    recent.add(b" half\nnext\r50%\r100% done\r\n")
    assert [line.text for line in recent.lines()] == ["first line", "second half", "100% done"]


def test_a_100kb_line_is_cut_and_undecodable_bytes_are_replaced() -> None:
    recent = ring(max_line_chars=4000)
    recent.add(b"first line\n" + HUGE.encode() + b"\x00\xff\xfe tail")
    assert [line.text for line in recent.lines()] == ["first line"]  # the rest is incomplete
    recent.add(b"\n")
    texts = [line.text for line in recent.lines()]
    assert texts[0] == "first line"
    assert texts[1].startswith("A" * 4000) and len(texts[1]) == 4000


def test_the_ring_is_bounded_in_lines() -> None:
    recent = ring(max_lines=10)
    recent.add("".join(f"line {i}\n" for i in range(1000)).encode())
    assert [line.text for line in recent.lines()] == [f"line {i}" for i in range(990, 1000)]
    recent.add(b"one more\n")
    assert [line.text for line in recent.lines()][-2:] == ["line 999", "one more"]


def test_a_long_burst_of_updates_shows_its_last_update() -> None:
    recent = ring(max_line_chars=100)
    updates = "\r".join(f"Requesting API: {i}/50000" for i in range(50_000))
    recent.add(updates[:300_000].encode())
    recent.add(updates[300_000:].encode() + b"\n")
    assert [line.text for line in recent.lines()] == ["Requesting API: 49999/50000"]


def test_follower_keeps_each_files_last_lines_in_read_order(tmp_path: Path) -> None:
    a, b = tmp_path / "eval-1.out", tmp_path / "server-1.log"
    a.write_text("a1\na2\n")
    follower = Follower([str(tmp_path)], lambda batch: None)
    follower.poll_once()
    b.write_text("b1\n")
    follower.poll_once()
    with a.open("a") as fh:
        fh.write("a3\n")
    follower.poll_once()
    both = [str(a), str(b)]
    assert [line.text for line in follower.recent_lines(both)] == ["a1", "a2", "b1", "a3"]
    assert [line.text for line in follower.recent_lines([str(b)])] == ["b1"]
    version = follower.recent_version(both)
    follower.poll_once()
    assert follower.recent_version(both) == version  # nothing new, nothing changes
    a.write_text("fresh start\n")  # copytruncate
    follower.poll_once()
    assert follower.recent_lines([str(a)])[-1].text == "fresh start"
    assert follower.recent_version(both) != version
    follower.stop()


def test_small_reads_kept_as_bytes_give_the_same_lines_in_order() -> None:
    """Reads are kept unsplit until asked; the lines, their order and their numbers are the
    same as if every read had been split at once, within the line and byte bounds."""
    for budget in (64 * 1024, 100):  # the second forces splitting on the byte budget
        recent = ring(max_lines=10, unsplit_bytes=budget)
        for i in range(300):
            recent.add(f"line {3 * i}\nline {3 * i + 1}\nline {3 * i + 2}\n".encode())
        lines = recent.lines()
        assert [line.text for line in lines] == [f"line {i}" for i in range(890, 900)]
        seqs = [line.seq for line in lines]
        assert seqs == sorted(seqs) and len(set(seqs)) == 10
        assert recent.last_seq() == seqs[-1]
        assert recent.lines() == lines  # asking again changes nothing
