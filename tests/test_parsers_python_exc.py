"""Final lines of Python tracebacks (evalmon.parsers.python_exc)."""

from __future__ import annotations

import sys
import traceback

import pytest

from evalmon.events import PythonException
from evalmon.parsers.python_exc import CANDIDATE, parse

CASES: list[tuple[str, str, str]] = [
    (
        "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: "
        "http://127.0.0.1:18732/v1/completions",
        "requests.exceptions.HTTPError",
        "500 Server Error: Internal Server Error for url: http://127.0.0.1:18732/v1/completions",
    ),
    (
        "aiohttp.client_exceptions.ClientResponseError: 500, message='Internal Server Error', "
        "url='http://127.0.0.1:18732/v1/completions'",
        "aiohttp.client_exceptions.ClientResponseError",
        "500, message='Internal Server Error', url='http://127.0.0.1:18732/v1/completions'",
    ),
    (
        "aiohttp.client_exceptions.ClientConnectionError: Connector is closed.",
        "aiohttp.client_exceptions.ClientConnectionError",
        "Connector is closed.",
    ),
    ("RuntimeError: CUDA out of memory.", "RuntimeError", "CUDA out of memory."),
    ("KeyError: 'x'", "KeyError", "'x'"),
    ("ValueError", "ValueError", ""),
    ("KeyboardInterrupt", "KeyboardInterrupt", ""),
    ("SystemExit: 2", "SystemExit", "2"),
    (
        "OSError: [Errno 28] No space left on device",
        "OSError",
        "[Errno 28] No space left on device",
    ),
    (
        "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.",
        "torch.OutOfMemoryError",
        "CUDA out of memory. Tried to allocate 2.00 GiB.",
    ),
    (
        "[rank3]:torch.cuda.OutOfMemoryError: CUDA out of memory.",
        "torch.cuda.OutOfMemoryError",
        "CUDA out of memory.",
    ),
    ("[default0]:RuntimeError: NCCL error", "RuntimeError", "NCCL error"),
    ("0: ValueError: bad shape", "ValueError", "bad shape"),
    ("[1,0]<stderr>:ValueError: bad shape", "ValueError", "bad shape"),
    ("(VllmWorkerProcess pid=1234) RuntimeError: boom", "RuntimeError", "boom"),
    (
        "2026-11-24T03:00:00.123Z huggingface_hub.errors.LocalEntryNotFoundError: Cannot find",
        "huggingface_hub.errors.LocalEntryNotFoundError",
        "Cannot find",
    ),
    (
        "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
        "torch.distributed.elastic.multiprocessing.errors.ChildFailedError",
        "",
    ),
    (
        "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)",
        "ExceptionGroup",
        "unhandled errors in a TaskGroup (1 sub-exception)",
    ),
    ("asyncio.exceptions.CancelledError", "asyncio.exceptions.CancelledError", ""),
    ("\x1b[31mRuntimeError\x1b[0m: coloured", "RuntimeError", "coloured"),
]

NOT_EXCEPTIONS = [
    "Error: something went wrong",
    "Exception: foo",
    "ERROR: could not open file",
    "Traceback (most recent call last):",
    '  File "/venv/lib/python3.11/site-packages/requests/models.py", line 1024, in f',
    "    raise HTTPError(http_error_msg, response=self)",
    "    RuntimeError: indented, as in a doc string",
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
    "2026-11-24:04:16:23 ERROR    [models.api_models:557] Exception:ClientResponseError(",
    "[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]",
    "RuntimeWarning: overflow encountered",
    "UserWarning: TypedStorage is deprecated",
    "My Error: spaced name",
    "HTTPError 500 while fetching",
    "Task exception was never retrieved",
    "Error",
    "errors.py: fine",
    "",
]


@pytest.mark.parametrize(("segment", "type_", "message"), CASES, ids=[c[1] for c in CASES])
def test_table(segment: str, type_: str, message: str) -> None:
    assert parse(segment) == [PythonException(type=type_, message=message)]
    assert CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NOT_EXCEPTIONS)
def test_near_misses_give_nothing(segment: str) -> None:
    assert parse(segment) == []


def test_real_traceback_gives_exactly_its_last_line() -> None:
    try:
        {}["missing"]
    except KeyError:
        text = "".join(traceback.format_exception(*sys.exc_info()))
    events = [e for line in text.splitlines() for e in parse(line)]
    assert events == [PythonException(type="KeyError", message="'missing'")]


def test_chained_traceback_gives_each_exception() -> None:
    try:
        try:
            raise ValueError("inner")
        except ValueError as exc:
            raise RuntimeError("outer") from exc
    except RuntimeError:
        text = "".join(traceback.format_exception(*sys.exc_info()))
    events = [e for line in text.splitlines() for e in parse(line)]
    assert events == [
        PythonException(type="ValueError", message="inner"),
        PythonException(type="RuntimeError", message="outer"),
    ]
