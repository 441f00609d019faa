"""The tests' one way to wait: a condition polled until a deadline (no sleep-and-hope)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition", step: float = 0.02
) -> T:
    """Poll ``predicate`` until it returns something true, and return that; fail after
    ``timeout`` seconds saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(step)


def communicate_or_dump(proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """``proc.communicate(timeout)``; if it hangs, SIGABRT it so Python's faulthandler (started
    with ``-X faulthandler``) prints every thread's stack, and fail with that output: a rare
    hang seen once in CI is then diagnosable from its log."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        raise AssertionError(
            f"{proc.args!r} did not end within {timeout:g} s; its output and stacks:\n"
            f"{out or ''}{err or ''}"
        ) from None
    return out or "", err or ""
