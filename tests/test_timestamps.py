"""Line timestamps and the merged log in time order (the log panel)."""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass

import pytest

from evalmon.parsers.timestamps import in_time_order, line_time


def local(*fields: int) -> float:
    return time.mktime((*fields, 0, 0, -1))


# real line shapes: lm-eval (0.4.x), werkzeug (Megatron's server), uvicorn/vLLM, Flask,
# Megatron's start time, a container runtime's prefix, SLURM
CASES = [
    ("2026-11-24:03:08:06 INFO     [evaluator:589] Running loglikelihood requests",
     local(2026, 11, 24, 3, 8, 6)),
    ('127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -',
     local(2026, 11, 24, 3, 0, 1)),
    ('10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326',
     calendar.timegm((2000, 10, 10, 20, 55, 36, 0, 0, 0))),
    ("INFO 05-01 12:00:00 [loggers.py:116] Engine 000: Avg prompt throughput: 0.0 tokens/s",
     local(2026, 5, 1, 12, 0, 0)),
    ("(APIServer pid=1) INFO 09-01 10:00:00 [api_server.py:1] Starting vLLM API server",
     local(2026, 9, 1, 10, 0, 0)),
    ("[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]",
     local(2026, 11, 24, 3, 0, 2) + 0.123),
    ("start time:  2026-11-24 03:00:01.500000", local(2026, 11, 24, 3, 0, 1) + 0.5),
    ("2025-01-09T10:00:00.250Z INFO:     10.1.2.3:5000 - \"POST /v1/completions HTTP/1.1\" 200 OK",
     calendar.timegm((2025, 1, 9, 10, 0, 0, 0, 0, 0)) + 0.25),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_line_time(text: str, expected: float) -> None:
    assert line_time(text, 2026) == pytest.approx(expected)


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):",
    "[BATCHING DEBUG] run_mcore_engine called with 8 prompts",
    "Requesting API:  45%|████▌     | 360/800 [01:12<01:28,  4.98it/s]",
    "x" * 200 + " 2026-11-24 03:00:02",  # a date deep inside a message is not the line's
])
def test_lines_without_a_leading_timestamp(text: str) -> None:
    assert line_time(text, 2026) is None


@dataclass(frozen=True)
class Line:
    path: str
    text: str
    arrived: float = 0.0


def test_files_merge_by_time_and_untimed_lines_stay_with_theirs() -> None:
    client = [
        Line("eval-1.out", "2026-11-24:03:00:00 INFO     [evaluator:1] Running requests"),
        Line("eval-1.out", "2026-11-24:03:00:05 INFO     [evaluator:2] results"),
        Line("eval-1.out", "|hellaswag|1|none|0|acc|0.41|"),  # the results table: no timestamp
    ]
    server = [
        Line("server-1.log", '127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -'),
        Line("server-1.log", "Traceback (most recent call last):"),  # takes 03:00:01
        Line("server-1.log", "torch.OutOfMemoryError: CUDA out of memory."),
        Line("server-1.log", '127.0.0.1 - - [24/Nov/2026 03:00:06] "PUT /api HTTP/1.1" 200 -'),
    ]
    merged = [line.text[:24] for line in in_time_order(server + client, 2026)]
    assert merged == [
        "2026-11-24:03:00:00 INFO",
        "127.0.0.1 - - [24/Nov/20",
        "Traceback (most recent c",
        "torch.OutOfMemoryError: ",
        "2026-11-24:03:00:05 INFO",
        "|hellaswag|1|none|0|acc|",
        "127.0.0.1 - - [24/Nov/20",
    ]


def test_a_file_without_timestamps_keeps_arrival_order_and_its_own_order() -> None:
    a = [Line("a.log", "first", 10.0), Line("a.log", "second", 30.0)]
    b = [Line("b.log", "middle", 20.0)]
    assert [x.text for x in in_time_order(a + b)] == ["first", "middle", "second"]
    backwards = [Line("c.log", "2026-11-24 03:00:05 late"), Line("c.log", "2026-11-24 03:00:01 x")]
    assert [x.text[-4:] for x in in_time_order(backwards)] == ["late", "01 x"]  # file order kept
