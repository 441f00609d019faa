"""evalmon.Monitor: one follower and one state for every consumer of a process's logs."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import evalmon
from evalmon.events import AttemptCut, Located, OutOfMemory
from evalmon.parsers.cuttable import CuttableParser
from evalmon.parsers.stream import LogParser
from evalmon.pipeline import Monitor
from tests.collector import Collector, mark
from tests.fake_eval import OOM_TRACEBACK

TRACEBACK = OOM_TRACEBACK.replace("{tried:.2f}", "4.00")  # 10 lines, no line around it


def ooms(collector: Collector, path: Path) -> list[int]:
    with collector.cond:
        return [loc.line for b in collector.batches if b.path == str(path)
                for loc in b.events if isinstance(loc.event, OutOfMemory)]


def append(path: Path, text: str) -> None:
    with open(path, "a") as fh:
        fh.write(text)


def test_every_subscriber_gets_every_batch_until_it_unsubscribes(tmp_path: Path) -> None:
    log = tmp_path / "eval-7.out"
    log.write_text(mark(0))
    first, second = Collector(), Collector()

    def broken(batch: object) -> None:
        raise RuntimeError("a subscriber's bug must not stop the reader")

    with Monitor([str(tmp_path)]) as monitor:
        monitor.subscribe(broken)
        monitor.subscribe(first)
        leave = monitor.subscribe(second)
        append(log, mark(1))
        first.wait_for(lambda: first.marks(log)[-1:] == [1])
        second.wait_for(lambda: second.marks(log)[-1:] == [1])
        leave()
        append(log, mark(2))
        first.wait_for(lambda: first.marks(log)[-1:] == [2])
        monitor.read_now()
        assert second.marks(log)[-1] == 1  # gone before line 2 was written
        # one state for everyone
        assert [r.id for r in monitor.snapshot().runs] == ["7"]


def test_read_now_has_delivered_every_byte_written_before_it(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text(mark(0) + mark(1))
    monitor = Monitor([str(tmp_path)])  # not started: read_now is the only reader
    seen = Collector()
    monitor.subscribe(seen)
    try:
        assert monitor.read_now() == {str(log): log.stat().st_size}
        assert seen.marks(log) == [0, 1]
        append(log, mark(2))
        assert monitor.read_now()[str(log)] == log.stat().st_size
        assert seen.marks(log) == [0, 1, 2]
        assert seen.batches[-1].scanned_bytes == log.stat().st_size
    finally:
        monitor.stop()


@pytest.mark.parametrize("cut", [False, True])
def test_a_cut_makes_the_next_oom_a_failure_of_its_own(tmp_path: Path, cut: bool) -> None:
    """Two bare tracebacks of one source are one failure (a chained traceback repeats its
    message) unless a relaunch came between them: the cut at the launch."""
    log = tmp_path / "attempt-1.err"
    log.write_text(TRACEBACK)
    monitor = Monitor([str(tmp_path)])
    seen = Collector()
    monitor.subscribe(seen)
    try:
        monitor.read_now(flush=True, cut=cut)
        append(log, TRACEBACK)
        monitor.read_now(flush=True)
    finally:
        monitor.stop()
    assert ooms(seen, log) == ([10, 20] if cut else [10])  # line numbers go on counting
    # and the dashboard counts failures per attempt: the cut one is a failure of its own
    failures = [len(f.records) for r in monitor.snapshot().runs for f in r.oom_failures]
    assert failures == ([1, 1] if cut else [1])


def test_a_cut_in_the_middle_of_a_line_takes_effect_at_its_end(tmp_path: Path) -> None:
    log = tmp_path / "attempt-1.err"
    log.write_text(TRACEBACK + "an unfinished li")
    monitor = Monitor([str(tmp_path)])
    seen = Collector()
    monitor.subscribe(seen)
    try:
        monitor.read_now(flush=True, cut=True)
        append(log, "ne\n" + TRACEBACK)
        monitor.read_now(flush=True)
    finally:
        monitor.stop()
    assert ooms(seen, log) == [10, 21]


def _parse_in_chunks(parser: object, data: bytes, rng: random.Random) -> list[Located]:
    out: list[Located] = []
    pos = 0
    while pos < len(data):
        n = rng.choice((1, 7, 100, 4096, 65536))
        out += parser.feed(data[pos:pos + n])  # type: ignore[attr-defined]
        pos += n
    out += parser.finish()  # type: ignore[attr-defined]
    return out


def test_the_cuttable_parser_is_the_parser_when_nothing_is_cut(sample_logs: Path) -> None:
    # the same chunks for both: routine lines are summed per read (ServerTraffic)
    for path in sorted(sample_logs.glob("*.log")) + sorted(sample_logs.glob("*.out")):
        data = path.read_bytes()
        for seed in range(3):
            expected = _parse_in_chunks(LogParser(), data, random.Random(seed))
            got = _parse_in_chunks(CuttableParser(LogParser), data, random.Random(seed))
            assert got == expected, path.name


def test_after_a_cut_the_rest_parses_as_a_file_of_its_own(sample_logs: Path) -> None:
    data = (sample_logs / "server-103.log").read_bytes()
    lines = data.splitlines(keepends=True)
    head, tail = b"".join(lines[:20]), b"".join(lines[20:])
    parser = CuttableParser(LogParser)
    got = parser.feed(head)
    parser.cut()
    got += _parse_in_chunks(parser, tail, random.Random(1))
    first = LogParser()
    expected = first.feed(head) + first.flush() + [Located(21, AttemptCut())]
    alone = _parse_in_chunks(LogParser(), tail, random.Random(1))
    expected += [Located(loc.line + 20, loc.event) for loc in alone]
    assert got == expected
    assert any(isinstance(loc.event, OutOfMemory) for loc in got)
    assert parser.lines == len(lines)


def test_add_paths_follows_a_file_outside_the_folder(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "logs", tmp_path / "slurm-42.out"
    folder.mkdir()
    elsewhere.write_text(mark(5))
    monitor = Monitor([str(folder)])
    seen = Collector()
    monitor.subscribe(seen)
    try:
        assert monitor.read_now() == {}
        monitor.add_paths([str(elsewhere)])
        monitor.add_paths([str(elsewhere)])  # once is enough
        assert monitor.read_now() == {str(elsewhere): elsewhere.stat().st_size}
        assert seen.marks(elsewhere) == [5]
    finally:
        monitor.stop()


def test_the_library_face(sample_logs_copy: Path) -> None:
    assert evalmon.Monitor is Monitor
    with evalmon.Monitor([str(sample_logs_copy)]) as monitor:
        monitor.read_now(flush=True)
        runs = {r.id: r for r in monitor.snapshot().runs}
    assert set(runs) >= {"101", "102", "103", "104"}
    assert runs["103"].status == "oom"


def test_reduce_false_only_fans_out(tmp_path: Path) -> None:
    (tmp_path / "eval-7.out").write_text(mark(0))
    monitor = Monitor([str(tmp_path)], reduce=False)
    seen = Collector()
    monitor.subscribe(seen)
    try:
        monitor.read_now()
    finally:
        monitor.stop()
    assert seen.marks() == [0]
    assert monitor.snapshot().runs == ()


def _feed_under_evalmon_run(folder: Path, attempt: object) -> Any:
    """The dashboard's feed of ``folder`` with a supervisor that reports this one attempt."""
    from evalmon.pipeline import LiveFeed
    from evalmon.supervisor.model import SupervisorStatus

    status = SupervisorStatus(command=("python", "job.py"), log_dir=str(folder),
                              state="running", attempts=(attempt,))  # type: ignore[arg-type]

    class Supervisor:
        def status(self) -> SupervisorStatus:
            return status

    return LiveFeed([str(folder)], gpu=False, supervisor=Supervisor())


def test_the_dashboard_shows_the_batch_size_evalmon_run_gave_a_job_that_is_not_lm_eval(
    tmp_path: Path,
) -> None:
    """A job whose log never states its batch size: the run's batch is the one the supervisor
    launched the attempt with (issue 12: any job under evalmon run is a first-class run)."""
    from evalmon.supervisor.model import Attempt

    out = tmp_path / "attempt-1.out"
    out.write_text("train step 1/10 loss 0.3\n")
    attempt = Attempt(number=1, batch_size=48, started_at=0.0, log_files=(str(out),))
    feed = _feed_under_evalmon_run(tmp_path, attempt)
    feed.monitor.read_now()
    runs = feed.view_data().snapshot.runs
    assert [r.config.batch_size for r in runs if str(out) in r.files] == ["48"]
    feed.stop()


@pytest.mark.parametrize(
    ("outcome", "exit_code", "reason", "expected"),
    [
        ("succeeded", 0, "exited 0", ("finished", "exited 0")),
        ("failed", 2, "exited 2, no GPU OOM in its logs: not relaunched",
         ("failed", "exited 2, no GPU OOM in its logs: not relaunched")),
        # the OOM was read in the server's log: the client's own log says nothing of it
        ("oom", -15, "GPU out of memory at batch size 64; relaunching with 32",
         ("oom", "GPU out of memory at batch size 64; relaunching with 32")),
        ("stalled", -15, "no progress for 2m", ("cancelled", "stalled by evalmon run")),
        ("running", None, "", ("waiting", "no events yet")),
    ],
)
def test_an_attempt_of_a_job_that_is_not_lm_eval_shows_how_it_ended(
    tmp_path: Path, outcome: str, exit_code: int | None, reason: str,
    expected: tuple[str, str],
) -> None:
    """A program that prints no results: its run's status is the supervisor's word on the
    attempt once it ended (exit 0 is finished), not "waiting" for good (issue 12)."""
    from evalmon.supervisor.model import Attempt

    out = tmp_path / "attempt-2.out"
    out.write_text("evaluating with batch size 32\nstep 0\ndone\n")
    attempt = Attempt(number=2, batch_size=32, started_at=0.0,
                      ended_at=None if outcome == "running" else 1.0, outcome=outcome,
                      exit_code=exit_code, reason=reason, log_files=(str(out),))
    feed = _feed_under_evalmon_run(tmp_path, attempt)
    try:
        feed.monitor.read_now()
        feed.view_data()
        feed.view_data()  # applied once: a second frame changes nothing
        runs = [r for r in feed.view_data().snapshot.runs if str(out) in r.files]
    finally:
        feed.stop()
    assert [(r.config.batch_size, r.status, r.status_reason) for r in runs] == [
        ("32", *expected)
    ]
    # no "yet" once it ended: a rate will never come
    ended = expected[0] != "waiting"
    assert runs[0].no_rate == ("no request rate: no request bar in its log" if ended
                               else "no requests/s yet")


@pytest.mark.parametrize("cut_inside_a_line", [False, True])
def test_a_scan_cut_where_an_attempt_began_judges_each_attempt_on_its_own(
    tmp_path: Path, cut_inside_a_line: bool
) -> None:
    """``evalmon report`` cuts a file where a recorded attempt began appending (the same
    command run twice in one folder), as the live reader cut it at the launch."""
    from evalmon.sources.scan import scan_file

    log = tmp_path / "attempt-1.err"
    first = TRACEBACK + ("no newline at the end" if cut_inside_a_line else "")
    log.write_text(first + TRACEBACK)
    cut = len(first.encode())

    def ooms_of(cuts: tuple[int, ...]) -> list[int]:
        result = scan_file(log, cuts=cuts, chunk_bytes=7)  # cuts inside small reads too
        return [loc.line for loc in result.events if isinstance(loc.event, OutOfMemory)]

    assert ooms_of(()) == [10]  # one source's bare tracebacks, uncut: one failure
    # a cut inside a line (a session left an unfinished line) takes effect at its end
    assert ooms_of((cut,)) == [10, 20]
