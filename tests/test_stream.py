"""The incremental byte-level parser: segments, line numbers, caps, bursts, OOM context."""

from __future__ import annotations

import re
import tracemalloc
import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalmon.events import (
    ApiFailure,
    Located,
    OutOfMemory,
    Progress,
    PythonException,
    ResultRow,
    ServerException,
    ServerTraffic,
)
from evalmon.parsers import stream
from evalmon.parsers.scanner import ENGINES
from evalmon.parsers.segments import count_newlines
from evalmon.parsers.stream import LogParser, parse_text

BATCH = b"[BATCHING DEBUG] run_mcore_engine called with %d prompts"  # routine: ServerTraffic
# a rare line, parsed alone with its line number (a real Flask error line from Megatron)
MARK = b"[2026-11-24 03:00:02,123] ERROR in app: Exception on /mark/%d [POST]"


def mark_of(event: object) -> int:
    assert isinstance(event, ServerException), event
    return int(event.path.rsplit("/", 1)[1])


def Mark(n: int) -> ServerException:
    return ServerException("POST", f"/mark/{n}", "2026-11-24 03:00:02,123")
ACCESS = b'127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" %d -'
OOM_LINE = (
    b"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. "
    b"GPU 0 has a total capacity of 79.15 GiB of which 1.20 GiB is free."
)
WARNING = (
    b"2026-11-24:03:08:06 WARNING  [models.api_models:521] API request failed! "
    b"Status code: 500, Response text: boom. Retrying..."
)
TABLE = (
    "|  Tasks  |Version|Filter|n-shot| Metric |   |Value |   |Stderr|\n"
    "|---------|------:|------|-----:|--------|---|-----:|---|-----:|\n"
    "|mmlu_tiny|      1|none  |     0|acc     |↑  |0.2500|±  |0.0435|\n"
    "|         |       |none  |     0|acc_norm|↑  |0.2700|±  |0.0446|\n"
).encode()


def bar(n: int, total: int = 50, desc: str = "Requesting API") -> bytes:
    pct = 100 * n // total
    prefix = f"{desc}: " if desc else ""
    return f"{prefix}{pct:3d}%|#         | {n}/{total} [00:{n % 60:02d}<00:10,  2.00it/s]".encode()


def feed_all(
    data: bytes, step: int | None = None, parser: LogParser | None = None
) -> list[Located]:
    parser = parser or LogParser()
    step = step or max(len(data), 1)
    out: list[Located] = []
    for i in range(0, len(data), step):
        out += parser.feed(data[i : i + step])
    return out + parser.finish()


def kinds(located: list[Located]) -> list[tuple[int, str]]:
    return [(loc.line, type(loc.event).__name__) for loc in located]


def collapse(located: list[Located]) -> list[Located | ServerTraffic]:
    """Drop a Progress that a later update of the same bar on the same line supersedes, and
    merge every ServerTraffic into one total at the end.

    Feeding in pieces may emit intermediate ``\\r`` updates (each feed reports the latest
    state at once); one feed parses only the last. Routine lines are counted per read, so
    their counts are per cut, but add up to the same. Everything else must be identical.
    """
    out: list[Located | ServerTraffic] = []
    traffic = ServerTraffic()
    for i, loc in enumerate(located):
        ev = loc.event
        if isinstance(ev, ServerTraffic):
            traffic = traffic.merged(ev)
            continue
        if isinstance(ev, Progress) and any(
            later.line == loc.line
            and isinstance(later.event, Progress)
            and later.event.desc == ev.desc
            for later in located[i + 1 :]
        ):
            continue
        out.append(loc)
    return [*out, traffic]


# --------------------------------------------------------------------------- segments


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # \n, \r\n and a missing final newline
        (MARK % 1 + b"\n" + MARK % 2 + b"\n", [(1, 1), (2, 2)]),
        (MARK % 1 + b"\r\n" + MARK % 2 + b"\r\n", [(1, 1), (2, 2)]),
        (MARK % 1 + b"\n\n\n" + MARK % 2, [(1, 1), (4, 2)]),
        # every \r segment of one physical line shares its number
        (b"x\n" + MARK % 1 + b"\r" + MARK % 2 + b"\ry\n" + MARK % 3, [(2, 1), (2, 2), (3, 3)]),
        # text glued before and after
        (b"noise " + MARK % 7 + b" more noise\n", [(1, 7)]),
        # undecodable bytes and NULs around the event
        (b"\xff\xfe\x00" + MARK % 8 + b"\x00\xc3\n", [(1, 8)]),
        (b"\x00" * 1000 + b"\n" + MARK % 9 + b"\n", [(2, 9)]),
    ],
)
def test_line_numbers_and_segments(data: bytes, expected: list[tuple[int, int]]) -> None:
    for step in (None, 1, 3, 17):
        got = [(loc.line, mark_of(loc.event)) for loc in feed_all(data, step)]
        assert got == expected, step


def test_counters_count_lines_and_a_final_unterminated_line() -> None:
    parser = LogParser()
    parser.feed(b"a\nb\r\nc")
    assert parser.lines == 2
    parser.finish()
    assert parser.lines == 3


def test_complete_carriage_return_update_counts_at_once() -> None:
    parser = LogParser()
    out = parser.feed(b"\r" + bar(5) + b"\r")
    assert [loc.event.n for loc in out] == [5.0]
    assert parser.feed(b"\r" + bar(6)) == []  # incomplete: no separator yet
    assert [loc.event.n for loc in parser.finish()] == [6.0]


def test_flush_does_not_consume_an_incomplete_line() -> None:
    parser = LogParser()
    assert parser.feed(MARK % 3) == []
    assert parser.flush() == []
    assert [loc.event for loc in parser.feed(b"\n")] == [Mark(3)]


# --------------------------------------------------------------------------- bursts


def test_burst_keeps_only_the_last_update_of_each_bar() -> None:
    line = b"\r" + b"\r".join(
        [bar(1), bar(2), bar(1, 20, desc=""), bar(3), bar(2, 20, desc=""), bar(4)]
    )
    out = feed_all(line + b"\n" + BATCH % 1 + b"\n")
    progress = [
        (loc.line, loc.event.desc, loc.event.n) for loc in out if isinstance(loc.event, Progress)
    ]
    assert progress == [(1, "", 2.0), (1, "Requesting API", 4.0)]


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        # two bars glued in one segment: both are read, not judged by the segment's start
        ([bar(4, desc="") + bar(3), bar(5, desc="")], ["Progress", "Progress"]),
        # a log line glued before a bar starts with a digit but is not an unlabelled bar
        (
            [bar(4, desc=""), WARNING + bar(3), bar(5, desc="")],
            ["Progress", "ApiFailure", "Progress"],
        ),
    ],
)
def test_burst_dedupe_is_exact(segments: list[bytes], expected: list[str]) -> None:
    line = b"\r" + b"\r".join(segments) + b"\n"
    whole = feed_all(line)
    assert [type(loc.event).__name__ for loc in whole] == expected
    assert whole[-1].event.n == 5.0
    for step in (1, 5, 64):
        assert collapse(feed_all(line, step)) == collapse(whole)


def test_text_glued_mid_burst_is_still_parsed() -> None:
    line = b"\r" + bar(1) + b"\r" + bar(2) + WARNING + b"\r" + bar(3) + b"\n"
    out = feed_all(line)
    # the warning ends ". Retrying...": a failure and a retry
    assert kinds(out) == [(1, "ApiFailure"), (1, "ApiRetrying"), (1, "Progress")]
    assert out[0].event == ApiFailure(status=500, message="boom")
    assert out[2].event.n == 3.0


@pytest.mark.parametrize("step", [None, 65536, 1 << 20])
def test_a_4mb_line_of_updates_yields_its_last_update(step: int | None) -> None:
    total = 70_000
    line = b"\r" + b"\r".join(bar(n, total) for n in range(1, total + 1)) + b"\n"
    assert len(line) > 4 << 20
    out = [loc for loc in feed_all(line, step) if isinstance(loc.event, Progress)]
    assert out[-1].event.n == total
    assert all(loc.line == 1 for loc in out)
    feeds = -(-len(line) // (step or len(line)))
    assert len(out) <= 2 * feeds  # per feed: the segment it completes and its last update


# --------------------------------------------------------------------------- caps


def test_100mb_without_newline_keeps_memory_bounded() -> None:
    piece = b"y " * (1 << 19)
    parser = LogParser(max_line_bytes=64 * 1024)
    out = parser.feed(MARK % 5 + b" ")
    tracemalloc.start()
    try:
        for _ in range(100):
            out += parser.feed(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # nothing accumulates beyond the kept head
    out += parser.feed(b"\n" + MARK % 6 + b"\n")
    out += parser.finish()
    assert [(loc.line, loc.event) for loc in out] == [(1, Mark(5)), (2, Mark(6))]
    assert parser.dropped_bytes == len(MARK % 5) + 1 + 100 * len(piece) - 64 * 1024


@pytest.mark.parametrize("step", [None, 1000, 4096])
def test_long_segments_keep_their_head_and_count_the_rest(step: int | None) -> None:
    cap = 4096
    long_line = MARK % 11 + b" " + b"1234, " * 5000 + MARK % 12  # second event beyond the cap
    short_bursts = b"\r".join([b"z" * 3000] * 10)  # long line, short segments: nothing dropped
    data = long_line + b"\n" + short_bursts + b"\n" + MARK % 13 + b"\n"
    parser = LogParser(max_line_bytes=cap)
    out = feed_all(data, step, parser)
    assert [(loc.line, loc.event) for loc in out] == [(1, Mark(11)), (3, Mark(13))]
    assert parser.dropped_bytes == len(long_line) - cap
    assert parser.lines == 3


def test_undecodable_bytes_become_replacement_characters() -> None:
    out = feed_all(b"\r" + bar(3, desc="Tokens").replace(b"Tokens", b"Tok\xffens") + b"\n")
    assert [loc.event.desc for loc in out] == ["Tok\ufffdens"]


# --------------------------------------------------------------------------- OOM context


def test_oom_waits_for_following_lines_and_keeps_file_order() -> None:
    parser = LogParser()
    after = stream.oom.CONTEXT_AFTER
    out = parser.feed(
        b"Traceback (most recent call last):\n" + OOM_LINE + b"\n" + MARK % 1 + b"\n"
    )
    # The PythonException of the same line comes first; the OOM and what follows it wait.
    assert kinds(out) == [(2, "PythonException")]
    for i in range(after - 2):
        out += parser.feed(b"line %d\n" % i)
    assert not any(isinstance(loc.event, OutOfMemory) for loc in out)
    out += parser.feed(b"last\n")
    assert kinds(out) == [(2, "PythonException"), (2, "OutOfMemory"), (3, "ServerException")]
    assert out[1].event.bytes_tried == int(2.5 * (1 << 30))


def test_flush_releases_a_waiting_oom_with_the_context_it_has() -> None:
    parser = LogParser()
    out = parser.feed(OOM_LINE + b"\n" + ACCESS % 500 + b"\n")
    assert kinds(out) == [(1, "PythonException")]
    out = parser.flush()
    assert kinds(out) == [(1, "OutOfMemory"), (2, "ServerTraffic")]
    assert parser.flush() == []


def test_oom_context_before_comes_from_earlier_feeds() -> None:
    seen: list[tuple[str, list[str], list[str]]] = []

    def classify(line: str, before: list[str], after: list[str]) -> OutOfMemory | None:
        seen.append((line, list(before), list(after)))
        return OutOfMemory(kind="gpu", origin="pytorch", message=line)

    fake_oom = types.SimpleNamespace(
        __name__="fake.oom",
        CANDIDATE=re.compile(rb"out of memory"),
        CONTEXT_BEFORE=2,
        CONTEXT_AFTER=2,
        classify=classify,
    )
    data = b"one\ntwo\r\nthree\rTHREE\nCUDA out of memory\nfour\nfive\nsix\n"
    for step in (None, 1, 5):
        seen.clear()
        out = feed_all(data, step, LogParser(modules=(fake_oom,)))
        assert kinds(out) == [(4, "OutOfMemory")], step
        assert seen == [("CUDA out of memory", ["two", "THREE"], ["four", "five"])], step


def test_not_an_oom_candidate_verdict_drops_nothing_else() -> None:
    advice = b"If reserved but unallocated memory is large try PYTORCH_CUDA_ALLOC_CONF"
    out = feed_all(advice + b"\n" + MARK % 2 + b"\n")
    assert [loc.event for loc in out] == [Mark(2)]


# --------------------------------------------------------------------------- lm-eval table


@pytest.mark.parametrize("step", [None, 1, 40])
def test_continuation_rows_take_the_task_of_the_row_above(step: int | None) -> None:
    rows = [loc.event for loc in feed_all(TABLE, step) if isinstance(loc.event, ResultRow)]
    assert [(r.task, r.metric, r.value) for r in rows] == [
        ("mmlu_tiny", "acc", 0.25),
        ("mmlu_tiny", "acc_norm", 0.27),
    ]


# --------------------------------------------------------------------------- robustness


def test_reset_restarts_line_numbers() -> None:
    parser = LogParser()
    parser.feed(b"a\nb\n" + MARK % 1)
    parser.reset()
    out = parser.feed(MARK % 2 + b"\n")
    assert [(loc.line, loc.event) for loc in out] == [(1, Mark(2))]
    assert parser.lines == 1


def test_a_module_that_raises_is_counted_not_fatal() -> None:
    def boom(_segment: str) -> list:
        raise RuntimeError("parser bug")

    bad = types.SimpleNamespace(__name__="fake.bad", CANDIDATE=re.compile(rb"ERROR"), parse=boom)
    parser = LogParser(modules=(bad, stream.megatron))
    out = feed_all(MARK % 4 + b"\n", parser=parser)
    assert [loc.event for loc in out] == [Mark(4)]
    assert parser.parse_errors == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_anchored_candidates_match_after_carriage_returns(engine: str) -> None:
    anchored = types.SimpleNamespace(
        __name__="fake.anchored",
        CANDIDATE=re.compile(rb"^GO (\d+)$"),
        parse=lambda seg: [Mark(int(seg.split()[1]))],
    )
    data = b"GO 1\nxGO 2\nGO 3\rGO 4\r\nGO 5 x\n"
    for step in (None, 1):
        out = feed_all(data, step, LogParser(modules=(anchored,), scan_engine=engine))
        assert [(loc.line, loc.event) for loc in out] == [(1, Mark(1)), (3, Mark(3)), (3, Mark(4))]


@pytest.mark.parametrize("engine", ["re2", "python"])
def test_fallback_engines_find_the_same_events(engine: str) -> None:
    data = SAMPLE + b"\n".join(FRAGMENTS) * 3
    native = feed_all(data)
    parser = LogParser(scan_engine=engine)
    assert parser.scan_engine == engine
    assert feed_all(data, parser=parser) == native
    assert collapse(feed_all(data, 7, LogParser(scan_engine=engine))) == collapse(native)


def test_hyperscan_is_used_when_installed() -> None:
    pytest.importorskip("hyperscan")
    assert LogParser().scan_engine == "hyperscan"


def test_parse_text_returns_bare_events() -> None:
    events = parse_text((MARK % 3).decode() + "\n" + (ACCESS % 200).decode())
    assert events == [Mark(3), ServerTraffic(http_statuses=((200, 1),))]


@given(st.binary(max_size=3000), st.integers(0, 3000), st.integers(0, 3000))
@settings(max_examples=200, deadline=None)
def test_count_newlines_matches_bytes_count(data: bytes, a: int, b: int) -> None:
    data = data + b"\n" * (a % 7) + b"x" * (b % 600) + b"\n" * (b % 5)
    a, b = sorted((a % (len(data) + 1), b % (len(data) + 1)))
    assert count_newlines(data, a, b) == data.count(b"\n", a, b)


# --------------------------------------------------------------------------- feeding in pieces

SAMPLE = b"".join(
    [
        b"2026-11-24:03:00:00 INFO     [evaluator:589] Running loglikelihood requests\n",
        b"\r" + bar(0) + b"\r" + bar(1) + b"\r" + bar(2) + WARNING + b"\r" + bar(3) + b"\n",
        BATCH % 64 + b"\r\n",
        ACCESS % 200 + b"\n",
        b"Traceback (most recent call last):\n",
        OOM_LINE + b"\n",
        ACCESS % 500 + b"\n",
        b"\xff\x00garbage\x00\n",
        TABLE,
        b"\r" + bar(9, desc="") + b"\r" + bar(10, desc=""),
    ]
)

FRAGMENTS = [
    BATCH % 8,
    ACCESS % 200,
    OOM_LINE,
    WARNING,
    bar(3),
    bar(4, desc=""),
    TABLE,
    b"Retry attempt 2",
    b"\xff\xfe\x00",
    b"plain text ",
    b"\n",
    b"\r",
    b"\r\n",
]


@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=40),
    st.lists(st.integers(1, 400), min_size=1, max_size=60),
    st.sampled_from([64, 200, 64 * 1024]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_feeding_in_pieces_gives_the_same_events(
    fragments: list[bytes], cuts: list[int], cap: int
) -> None:
    data = b"".join(fragments)
    whole_parser = LogParser(max_line_bytes=cap)
    whole = feed_all(data, parser=whole_parser)
    pieces_parser = LogParser(max_line_bytes=cap)
    pieces: list[Located] = []
    pos = 0
    i = 0
    while pos < len(data):
        step = cuts[i % len(cuts)]
        pieces += pieces_parser.feed(data[pos : pos + step])
        pos += step
        i += 1
    pieces += pieces_parser.finish()
    assert collapse(pieces) == collapse(whole)
    assert pieces_parser.lines == whole_parser.lines
    assert pieces_parser.dropped_bytes == whole_parser.dropped_bytes


def test_a_context_line_is_capped_in_bytes_whichever_way_it_arrives() -> None:
    """A line of context before an OOM is capped at the same bytes whether it came in one read
    or byte by byte: its multi-byte characters (a results table's ``↑``, ``±``) once made the
    message differ (found by the test above)."""
    data = TABLE + bar(4, desc="") + OOM_LINE + b"\n"
    whole = feed_all(data, parser=LogParser(max_line_bytes=64))
    parser = LogParser(max_line_bytes=64)
    pieces: list[Located] = []
    for k in range(len(data)):
        pieces += parser.feed(data[k : k + 1])
    pieces += parser.finish()
    assert collapse(pieces) == collapse(whole)
    assert any(isinstance(x.event, OutOfMemory) for x in whole if isinstance(x, Located))


def test_byte_by_byte_equals_one_feed_on_the_sample() -> None:
    whole = feed_all(SAMPLE)
    assert collapse(feed_all(SAMPLE, 1)) == collapse(whole)
    assert {type(loc.event) for loc in whole} >= {
        Progress,
        ApiFailure,
        ServerTraffic,
        PythonException,
        OutOfMemory,
        ResultRow,
    }


def test_progress_samples_keep_a_sparse_history_of_a_burst_in_file_order():
    """The dashboard asks for earlier updates too, so a log read whole still has a rate curve."""
    from tqdm import tqdm

    updates = [tqdm.format_meter(n, 400, n / 4, prefix="Requesting API") for n in range(0, 401, 4)]
    data = ("\r" + "\r".join(updates) + "\n").encode()

    def bar_updates(**options):
        parser = LogParser(**options)
        located = parser.feed(data) + parser.finish()
        return [e.event.n for e in located if isinstance(e.event, Progress)]

    assert bar_updates() == [400]
    sampled = bar_updates(progress_samples=10)
    assert sampled[-1] == 400
    assert 8 <= len(sampled) <= 14
    assert sampled == sorted(sampled)  # in file order, oldest first
