"""The compiled whole-line fast path (``evalmon/parsers/_wholelines.c``) against the Python one.

The C mirrors the ``WHOLE_LINES`` regexes of megatron, access_log and tqdm by hand. The
promise pinned down here: whenever it answers for a read, the answer is exactly what the
Python fast path gives (the same ``Located`` objects, line count and context lines); when it
is not sure it answers ``None`` and the Python path runs. And it is not too shy: every line
the Python shapes accept, it accepts too (else it would be slow for nothing).

CI builds it (``scripts/test.sh`` sets ``EVALMON_REQUIRE_NATIVE=1``); elsewhere these tests
skip when it could not be compiled.
"""

# ruff: noqa: E501

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evalmon.events import Located, Progress, ServerTraffic
from evalmon.parsers import megatron, stream
from evalmon.parsers.stream import DEFAULT_MODULES, LogParser, whole_line_shapes_digest
from tests.test_fast_lines import (
    FLUSH,
    bar_line,
    engine_line,
    fed_log,
    request_start_line,
    uvicorn_line,
    werkzeug_line,
)

native = stream._wholelines
REQUIRED = os.environ.get("EVALMON_REQUIRE_NATIVE") == "1"
pytestmark = pytest.mark.skipif(
    native is None and not REQUIRED, reason="the compiled fast path is not built here"
)
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


def python_parser(**kwargs: object) -> LogParser:
    """A summarising parser with the compiled path switched off: the reference."""
    parser = LogParser(summarise=True, **kwargs)  # type: ignore[arg-type]
    parser._native = None
    return parser


def feed_both(chunks: Sequence[bytes | None], **kwargs: object) -> tuple[LogParser, LogParser]:
    """Feed ``chunks`` to a compiled and a Python parser; each feed's output must agree."""
    compiled = LogParser(summarise=True, **kwargs)  # type: ignore[arg-type]
    assert compiled._native is not None
    reference = python_parser(**kwargs)
    for chunk in [*chunks, "finish"]:
        if chunk is FLUSH:
            got, want = compiled.flush(), reference.flush()
        elif chunk == "finish":
            got, want = compiled.finish(), reference.finish()
        else:
            got, want = compiled.feed(chunk), reference.feed(chunk)
        assert got == want
    assert (compiled.lines, compiled.dropped_bytes) == (reference.lines, reference.dropped_bytes)
    assert list(compiled._ring) == list(reference._ring)
    return compiled, reference


def answer(data: bytes, first_line: int = 0) -> tuple[list[Located], int, list[bytes]] | None:
    """The compiled path's raw answer for one read (after the Python path has vetted the
    read's free texts, as it has by the time a follower reads a file again)."""
    python_parser()._match_whole_lines(data, 0, len(data))  # fills the free-text memos
    fixed = LogParser(summarise=True)._native
    assert fixed is not None
    return native.summarise(data, first_line, fixed)


def python_answer(data: bytes, first_line: int = 0) -> tuple[list[Located], int, list[bytes]] | None:
    """The Python fast path's answer for one read, or None if a line has no shape."""
    parser = python_parser()
    parser.lines = first_line
    events, others, lines = parser._match_whole_lines(data, 0, len(data))
    if others:
        return None
    return events, len(lines), lines[-60:]


# --------------------------------------------------------------------------- the build


def test_it_is_built_where_required() -> None:
    if REQUIRED:
        assert native is not None, "evalmon/parsers/_wholelines.c was not compiled (pip install -e .)"


def test_it_mirrors_the_current_shapes() -> None:
    digest = whole_line_shapes_digest()
    assert digest == native.SHAPES_SHA256, (
        "a WHOLE_LINES shape changed: update evalmon/parsers/_wholelines.c to match it, then "
        f"set its SHAPES_SHA256 to {digest}"
    )


def test_only_default_summarising_parsers_use_it() -> None:
    assert LogParser(summarise=True)._native is not None
    assert LogParser()._native is None
    others = tuple(m for m in DEFAULT_MODULES if m is not megatron)
    assert LogParser(summarise=True, modules=others)._native is None


def test_a_changed_shape_switches_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "_DEFAULT_SHAPES_DIGEST", "0" * 64)
    assert LogParser(summarise=True)._native is None


# --------------------------------------------------------------------------- examples

SERVER_READ = (
    b"request IP: 127.0.0.1\n"
    b"start time:  2026-11-24 03:00:01.123456\n"
    b"[BATCHING DEBUG] run_mcore_engine called with 8 prompts\n"
    b'127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -\n'
    b"[BATCHING DEBUG] run_mcore_engine called with 1 prompt\n"
    b'INFO:     ::1:8000 - "POST /v1/completions HTTP/1.1" 500 Internal Server Error\n'
)
BAR = "Requesting API:  42%|████▏     | 168/400 [01:02<01:26,  2.69it/s]\n".encode()


def test_a_server_read_is_one_server_traffic() -> None:
    got = answer(SERVER_READ, first_line=10)
    assert got is not None
    events, lines, last = got
    assert events == [
        Located(16, ServerTraffic((8, 1), ((200, 1), (500, 1)), 2)),
    ]
    assert lines == 6 and last == SERVER_READ.split(b"\n")[:-1]
    assert got == python_answer(SERVER_READ, first_line=10)


def test_bars_and_server_lines_keep_line_order() -> None:
    data = BAR + SERVER_READ + BAR
    got = answer(data)
    assert got is not None
    assert [type(loc.event) for loc in got[0]] == [Progress, ServerTraffic, Progress]
    assert [loc.line for loc in got[0]] == [1, 7, 8]
    assert got == python_answer(data)


@pytest.mark.parametrize(
    "line, progress",
    [
        (BAR, Progress("Requesting API", 168.0, 400.0, "it", 2.69, 62.0, 86.0)),
        (b"eval: 0%|          | 0/4000 [00:00<?, ?it/s]\n", Progress("eval", 0.0, 4000.0, "it", None, 0.0, None)),
        (b"A b_c.d-e : 7%|##        | 7/100 [1:01:02<12:00:00,  0.00s/it]\n", Progress("A b_c.d-e", 7.0, 100.0, "it", None, 3662.0, 43200.0)),
        (b"x:   1%|0123|   999999999999/999999999999 [9999:59<?, 123456789.99it/s]\n", Progress("x", 999999999999.0, 999999999999.0, "it", 123456789.99, 599999.0, None)),
        (b"Slow: 50%|#####     | 5/10 [00:10<00:10,  3.00s/it]\n", Progress("Slow", 5.0, 10.0, "it", 1 / 3.0, 10.0, 10.0)),
    ],
)
def test_bar_values_are_exactly_pythons(line: bytes, progress: Progress) -> None:
    got = answer(line)
    assert got is not None and got[0] == [Located(1, progress)]
    assert got == python_answer(line)


@pytest.mark.parametrize(
    "line",
    [
        b"[BATCHING DEBUG] run_mcore_engine called with 1234567890 prompts",  # 10 digits
        b"[BATCHING DEBUG] run_mcore_engine called with 8 promptss",
        b"[rank0]: [BATCHING DEBUG] run_mcore_engine called with 8 prompts",
        b"request IP: ",
        b"request IP: 10.0.0.1 ",
        b"start time: 2026-11-24 03:00:01.1234567890",
        b"start time:2026-11-24 03:00:01",
        b'127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /API HTTP/1.1" 200 -',  # uppercase path
        b'127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 1234567890123',
        b'127.0.0.1 - - [24/nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -',
        b'127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /' + b"a" * 200 + b' HTTP/1.1" 200 -',
        b'INFO:     127.0.0.1:123456 - "GET / HTTP/1.1" 200 OK',  # 6-digit port
        b'INFO:     127.0.0.1 - "GET / HTTP/1.1" 200 OK',  # no port
        b'INFO:     127.0.0.1:80 - "GET / HTTP/1.1" 200 Okay',
        b'INFO:     127.0.0.1:80 - "GET / HTTP/2" 200 OK',
        b"Requesting API:  42%|\xe2\x96\x88\xe2\x96\x88\xe2\x96| 168/400 [01:02<01:26,  2.69it/s]",
        b"Requesting API:    42%|#####     | 168/400 [01:02<01:26,  2.69it/s]",  # 4 spaces
        b"Requesting API:  42%|###| 168/400 [01:02<01:26,  2.69it/s]",  # 3 cells
        b"Requesting API:  42%|#####     | 168/400 [01:02<01:26,  2.69it/s, loss=1]",
        b"Requesting API:  42%|#####     | 168/400 [01:02:0<01:26,  2.69it/s]",
        b"9lives:  42%|#####     | 168/400 [01:02<01:26,  2.69it/s]",
        b"",
    ],
)
def test_near_misses_go_to_python(line: bytes) -> None:
    data = line + b"\n"
    assert python_answer(data) is None
    assert answer(data) is None


def test_a_path_not_vetted_yet_goes_to_python() -> None:
    line = b'127.0.0.1 - - [24/Nov/2026 03:00:01] "GET /never/seen/before HTTP/1.1" 200 -\n'
    fixed = LogParser(summarise=True)._native
    assert fixed is not None
    assert native.summarise(line, 0, fixed) is None  # the memo does not know the path
    assert answer(line) == python_answer(line)  # vetted by the Python path: now it does


def test_many_statuses_in_one_read_go_to_python() -> None:
    data = b"".join(
        f'127.0.0.1 - - [24/Nov/2026 03:00:01] "GET /x HTTP/1.1" {status} -\n'.encode()
        for status in range(200, 220)
    )
    assert answer(data) is None  # more distinct statuses than it counts
    feed_both([data])


def test_the_ring_keeps_the_last_sixty_lines() -> None:
    lines = [f"[BATCHING DEBUG] run_mcore_engine called with {n} prompts\n" for n in range(100)]
    compiled, _ = feed_both(["".join(lines).encode()])
    assert next(iter(compiled._ring)) == lines[40].rstrip("\n").encode()


# --------------------------------------------------------------------------- properties

shaped_line = st.one_of(engine_line(), werkzeug_line(), uvicorn_line(), request_start_line(), bar_line())
NASTY = [*b" :|%/[]-.?0123456789aAzZ\t\x00\x7f\xff", 0xE2, 0x96, 0x88, 0x9F, 0xA0]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A shaped line, often with a byte inserted, deleted or replaced somewhere."""
    line = bytearray(draw(shaped_line).encode("utf-8", "replace"))
    for _ in range(draw(st.integers(0, 2))):
        if not line:
            break
        at = draw(st.integers(0, len(line) - 1))
        how = draw(st.integers(0, 2))
        byte = draw(st.sampled_from(NASTY))
        if how == 0:
            line.insert(at, byte)
        elif how == 1:
            del line[at]
        else:
            line[at] = byte
    return bytes(line).replace(b"\n", b" ").replace(b"\r", b" ")


@settings(max_examples=300, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(mutated(), min_size=1, max_size=6), st.integers(0, 10**6))
@example([b"INFO:     a:1 - \"GET / HTTP/1.1\" 200 OK"], 0)
def test_it_answers_only_as_python_does_and_whenever_python_does(
    lines: list[bytes], first_line: int
) -> None:
    data = b"\n".join(lines) + b"\n"
    want = python_answer(data, first_line)
    got = answer(data, first_line)
    if got is None and want is not None:
        # allowed only where the C is knowingly conservative
        statuses = {s for loc in want[0] if isinstance(loc.event, ServerTraffic) for s, _ in loc.event.http_statuses}
        assert len(statuses) > 16, f"the C refused a read Python takes: {data!r}"
    assert got == want


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=_HEALTH)
@given(fed_log())
def test_any_text_any_cuts_same_events_compiled_or_not(chunks: list[bytes | None]) -> None:
    feed_both(chunks)


@settings(max_examples=40, deadline=None, suppress_health_check=_HEALTH)
@given(fed_log(), st.sampled_from([64, 64 * 1024]))
def test_any_text_any_cuts_same_events_compiled_or_not_quick(
    chunks: list[bytes | None], cap: int
) -> None:
    feed_both(chunks, max_line_bytes=cap)


# --------------------------------------------------------------------------- the objects


def test_built_events_are_whole_dataclasses() -> None:
    """The C fills the frozen dataclasses' slots directly: they must be indistinguishable
    from instances made by their __init__ (every field set, equal, same hash and repr)."""
    import copy
    import pickle

    data = BAR + SERVER_READ
    got = answer(data)
    want = python_answer(data)
    assert got is not None and want is not None
    for mine, theirs in zip(got[0], want[0], strict=True):
        assert mine == theirs and hash(mine) == hash(theirs) and repr(mine) == repr(theirs)
        assert pickle.loads(pickle.dumps(mine)) == theirs
        assert copy.copy(mine) == theirs
        with pytest.raises(AttributeError):
            mine.line = 0  # type: ignore[misc]  # still frozen


def test_no_reference_is_leaked() -> None:
    import gc
    import sys

    fixed = list(LogParser(summarise=True)._native or ())
    unit = "".join(["i", "t"])  # a string of our own: its reference count is ours to read
    fixed[5] = unit
    args = tuple(fixed)
    data = BAR + SERVER_READ
    answer(data)  # vet the free texts
    before = (sys.getrefcount(unit), sys.getrefcount(data), [sys.getrefcount(m) for m in fixed[6:]])
    gc.collect()
    objects = len(gc.get_objects())
    for _ in range(2000):
        assert native.summarise(data, 0, args) is not None
    gc.collect()
    after = (sys.getrefcount(unit), sys.getrefcount(data), [sys.getrefcount(m) for m in fixed[6:]])
    assert after == before
    assert len(gc.get_objects()) - objects < 50


def test_too_big_cut_or_odd_reads_go_to_python() -> None:
    fixed = LogParser(summarise=True)._native
    assert fixed is not None
    line = b"request IP: 127.0.0.1\n"
    assert native.summarise(line * 1000, 0, fixed) is None  # > 16 KiB: not a live read
    assert native.summarise(line[:-1], 0, fixed) is None  # no final newline
    assert native.summarise(line.replace(b"\n", b"\r\n"), 0, fixed) is None
    assert native.summarise(bytearray(line), 0, fixed) is None
    assert native.summarise(b"", 0, fixed) is None
    small = LogParser(summarise=True, max_line_bytes=64)._native
    assert small is not None and native.summarise(line * 3, 0, small) is None  # > 64 bytes
    with pytest.raises(TypeError):
        native.summarise(line, 0, fixed[:3])
