"""Routine server lines, counted in bulk into ServerTraffic: engine calls and access lines.

The lines come from real servers: Megatron's text generation server (werkzeug access lines,
its ``[BATCHING DEBUG]`` print, see ../shared/notes/megatron-server-facts.md), uvicorn
(vLLM, SGLang) and kserve's uvicorn access logger.
"""

# ruff: noqa: E501

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evalmon.events import RECENT_ENGINE_CALLS, Located, Progress, ServerTraffic
from evalmon.parsers.stream import LogParser, parse_text


def traffic_of(text: str) -> ServerTraffic:
    """Every ServerTraffic of ``text``, merged; asserts nothing else came out."""
    total = ServerTraffic()
    for event in parse_text(text):
        assert isinstance(event, ServerTraffic), event
        total = total.merged(event)
    return total


ACCESS_LINES: list[tuple[str, int]] = [
    ('127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 500 -', 500),
    ('127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -', 200),
    # werkzeug on a tty: the request line wrapped in colour codes (bold magenta for 5xx)
    ('127.0.0.1 - - [24/Nov/2026 03:00:01] "\x1b[35m\x1b[1mPOST /completions HTTP/1.1\x1b[0m" 500 -', 500),
    ('127.0.0.1 - - [24/Nov/2026 03:00:01] "\x1b[33mGET /nope HTTP/1.1\x1b[0m" 404 -', 404),
    ('INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK', 200),
    ("\x1b[32mINFO\x1b[0m:     127.0.0.1:53420 - "
     '"\x1b[1mPOST /v1/completions HTTP/1.1\x1b[0m" \x1b[91m500 Internal Server Error\x1b[0m', 500),
    ('(APIServer pid=4242) INFO:     ::1:40000 - "POST /v1/completions HTTP/1.1" 200 OK', 200),
    ('10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326', 200),
    # kserve's uvicorn access logger adds a field (kserve/kserve issue tracker)
    ('uvicorn.access INFO:     127.0.0.1:42226 1647689 - "POST /v1/models/m:predict HTTP/1.1" 200 OK', 200),
    # a container runtime's timestamp in front
    ('2025-01-09T10:00:00.123456789Z INFO:     10.1.2.3:5000 - "POST /v1/completions HTTP/1.1" 200 OK', 200),
]


@pytest.mark.parametrize(("line", "status"), ACCESS_LINES, ids=[a[0][:50] for a in ACCESS_LINES])
def test_access_lines_are_counted_by_status(line: str, status: int) -> None:
    assert traffic_of(line + "\n") == ServerTraffic(http_statuses=((status, 1),))


PROBE_LINES = [
    # a Prometheus scrape and health checks (vLLM and k8s deployments log them like any request)
    'INFO:     127.0.0.1:53420 - "GET /metrics HTTP/1.1" 200 OK',
    '(APIServer pid=4242) INFO:     ::1:40000 - "GET /health HTTP/1.1" 200 OK',
    '10.0.0.7 - - [24/Nov/2026 03:00:01] "GET /healthz?verbose=1 HTTP/1.1" 503 -',
]


@pytest.mark.parametrize("line", PROBE_LINES)
def test_monitoring_probes_are_not_requests_of_the_eval(line: str) -> None:
    text = line + "\n" + 'INFO:     127.0.0.1:1 - "POST /v1/completions HTTP/1.1" 200 OK\n'
    assert traffic_of(text) == ServerTraffic(http_statuses=((200, 1),))


ENGINE_LINES: list[tuple[str, int]] = [
    ("[BATCHING DEBUG] run_mcore_engine called with 256 prompts", 256),
    ("[rank0]: [BATCHING DEBUG] run_mcore_engine called with 1 prompt", 1),
]


@pytest.mark.parametrize(("line", "prompts"), ENGINE_LINES)
def test_engine_calls_are_counted_by_size(line: str, prompts: int) -> None:
    assert traffic_of(line + "\n") == ServerTraffic(
        engine_calls=((prompts, 1),), engine_recent=(prompts,)
    )


NOT_TRAFFIC = [
    "[BATCHING DEBUG] run_mcore_engine called",
    'print(f"[BATCHING DEBUG] run_mcore_engine called with {len(prompts)} prompts")',
    "curl -X POST http://127.0.0.1:5000/completions HTTP/1.1",
    "WARNING: This is a development server. Do not use it in a production deployment.",
    " * Running on http://127.0.0.1:5000",
    # an HTTP client's own log (httpx): the status is inside the quotes
    'INFO:httpx:HTTP Request: POST http://localhost:8000/v1/completions "HTTP/1.1 200 OK"',
    # request-start lines are a pair per request that the access line already counts
    "request IP: 127.0.0.1",
    "start time:  2026-11-24 03:00:01.123456",
]


@pytest.mark.parametrize("line", NOT_TRAFFIC)
def test_near_misses_are_not_traffic(line: str) -> None:
    assert parse_text(line + "\n") == []


def test_a_busy_server_log_is_one_traffic_per_read_at_its_last_line() -> None:
    lines = []
    for i in range(300):
        lines.append(f"[BATCHING DEBUG] run_mcore_engine called with {i % 7 + 1} prompts")
        lines.append(f'127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" {500 if i % 100 == 0 else 200} -')
        lines.append("request IP: 127.0.0.1")
    parser = LogParser()
    out = parser.feed(("\n".join(lines) + "\n").encode()) + parser.finish()
    assert len(out) == 1 and out[0].line == 900
    traffic = out[0].event
    assert isinstance(traffic, ServerTraffic)
    assert traffic.http_statuses == ((200, 297), (500, 3))
    assert sum(n for _, n in traffic.engine_calls) == 300
    assert traffic.engine_recent == tuple(i % 7 + 1 for i in range(300))


def test_the_recent_window_keeps_the_last_calls_in_order() -> None:
    n = RECENT_ENGINE_CALLS + 500
    text = "".join(f"[BATCHING DEBUG] run_mcore_engine called with {i % 300} prompts\n" for i in range(n))
    traffic = traffic_of(text)
    assert traffic.engine_recent == tuple(i % 300 for i in range(500, n))
    assert sum(c for _, c in traffic.engine_calls) == n


# ------------------------------------------------------------- cut anywhere, same output

# Real line shapes, rare and routine, mixed: a Megatron server log with an OOM traceback, an
# lm-eval client's tqdm bar with \r updates, uvicorn access lines.
MIXED = (
    "  inference_max_batch_size ........................ 32\n"
    "[BATCHING DEBUG] run_mcore_engine called with 8 prompts\n"
    '127.0.0.1 - - [20/Nov/2026 09:01:50] "POST /completions HTTP/1.1" 200 -\n'
    "request IP: 127.0.0.1\n"
    "Requesting API:   0%|          | 0/40 [00:00<?, ?it/s]\r"
    "Requesting API:  50%|█████     | 20/40 [00:10<00:10,  2.00it/s]\r"
    "Requesting API: 100%|██████████| 40/40 [00:20<00:00,  2.00it/s]\n"
    "[BATCHING DEBUG] run_mcore_engine called with 16 prompts\n"
    'INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 500 Internal Server Error\n'
    "[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]\n"
    "Traceback (most recent call last):\n"
    '  File "/opt/megatron/megatron/core/inference/engines/mcore_engine.py", line 120, in generate\n'
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
    "capacity of 79.15 GiB of which 1.02 GiB is free.\n"
    "[BATCHING DEBUG] run_mcore_engine called with 4 prompts\n"
    '127.0.0.1 - - [20/Nov/2026 09:01:51] "POST /completions HTTP/1.1" 200 -\n'
).encode()


def normalise(located: list[Located]) -> tuple[list[tuple[int, object]], ServerTraffic]:
    """Rare events with their lines, in order; and every ServerTraffic merged.

    Of a tqdm bar's ``\r`` updates on one line, a big read parses only the last, while reads
    made as the bar is written see it move: only the last update of each bar on each line
    is the same whatever the cuts (it is what the state keeps of the bar).
    """
    rare: list[tuple[int, object]] = []
    traffic = ServerTraffic()
    for loc in located:
        if isinstance(loc.event, ServerTraffic):
            traffic = traffic.merged(loc.event)
            continue
        if isinstance(loc.event, Progress) and rare:
            line, last = rare[-1]
            if line == loc.line and isinstance(last, Progress) and last.desc == loc.event.desc:
                rare[-1] = (loc.line, loc.event)
                continue
        rare.append((loc.line, loc.event))
    return rare, traffic


def feed_in_pieces(data: bytes, cuts: list[int], max_line_bytes: int = 64 * 1024) -> tuple[list[Located], int]:
    parser = LogParser(max_line_bytes=max_line_bytes)
    out: list[Located] = []
    last = 0
    for cut in sorted(set(cuts)):
        out += parser.feed(data[last:cut])
        last = cut
    out += parser.feed(data[last:])
    out += parser.finish()
    return out, parser.lines


WHOLE, WHOLE_LINES = feed_in_pieces(MIXED, [])


def test_the_mixed_log_reads_as_expected() -> None:
    rare, traffic = normalise(WHOLE)
    kinds = [type(ev).__name__ for _, ev in rare]
    assert kinds == ["EngineConfig", "Progress", "ServerException", "PythonException", "OutOfMemory"]
    assert traffic.engine_recent == (8, 16, 4)
    assert traffic.http_statuses == ((200, 2), (500, 1))
    assert MIXED.count(b"\n") == WHOLE_LINES


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(MIXED)), max_size=40))
@example(list(range(len(MIXED))))  # one byte at a time
def test_output_does_not_depend_on_how_the_bytes_were_cut(cuts: list[int]) -> None:
    out, lines = feed_in_pieces(MIXED, cuts)
    assert normalise(out) == normalise(WHOLE)
    assert lines == WHOLE_LINES


def test_uvicorn_says_where_it_listens() -> None:
    """uvicorn's own start-up line (uvicorn/server.py), as SGLang and vLLM print it: the
    address /metrics discovery needs."""
    from evalmon.events import ServerStarted

    line = "INFO:     Uvicorn running on http://0.0.0.0:30000 (Press CTRL+C to quit)\n"
    assert parse_text(line) == [ServerStarted(server="uvicorn", address="http://0.0.0.0:30000")]
    coloured = "\x1b[32mINFO\x1b[0m:     Uvicorn running on \x1b[1mhttp://127.0.0.1:8000\x1b[0m (Press CTRL+C to quit)\n"
    assert parse_text(coloured) == [ServerStarted(server="uvicorn", address="http://127.0.0.1:8000")]
