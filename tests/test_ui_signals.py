"""When the terminal goes away under the dashboard (fast, no tmux; the tmux tests in
test_tui_tmux.py close real terminals): Textual's writer must not die on EIO, and a hung-up
terminal must be told from no terminal at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from evalmon.ui.app import _TolerantOutput

REPO = Path(__file__).resolve().parent.parent


class HungUp:
    """A terminal stream after an SSH drop: every write and flush fails with EIO."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise OSError(5, "Input/output error")

    def flush(self) -> None:
        raise OSError(5, "Input/output error")

    def fileno(self) -> int:
        return 2


def test_the_writer_thread_survives_a_hung_up_terminal() -> None:
    """Textual's writer thread died on the first EIO; its bounded queue then filled and the
    app's shutdown blocked forever. Through _TolerantOutput every write returns."""
    stream = HungUp()
    writer = WriterThread(_TolerantOutput(stream))  # type: ignore[arg-type]
    writer.start()
    for _ in range(MAX_QUEUED_WRITES * 4):  # more than the queue holds: would block
        writer.write("\x1b[?1049l")
    writer.stop()  # returns: the thread drained the queue and ended
    assert not writer.is_alive()
    assert stream.writes == 1  # after the first failure, output is dropped, not retried


def test_a_hung_up_terminal_is_told_from_no_terminal() -> None:
    code = """
import os, pty, sys
from evalmon.terminal import terminal_gone
out = os.dup(1)
before_none = terminal_gone()           # pytest's pipes: no terminal at all
master, slave = pty.openpty()
for fd in (0, 1, 2):
    os.dup2(slave, fd)
live = terminal_gone()
os.close(master)                         # the terminal window closes
gone = terminal_gone()
os.write(out, f"{before_none} {live} {gone}".encode())
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert result.stdout == "False False True", result.stderr


def test_after_a_hang_up_evalmon_s_own_errors_still_land_in_a_file(tmp_path: Path) -> None:
    """Once the terminal is gone, stdout goes nowhere but stderr goes to the file given: a
    crash while the job is being stopped must leave its traceback where a user can read it
    (one went unexplained because stderr was /dev/null)."""
    errors = tmp_path / "evalmon-stderr.log"
    code = f"""
from evalmon.terminal import detach_from_terminal
detach_from_terminal({str(errors)!r})
print("a summary line nobody can see")
raise RuntimeError("no running event loop")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert result.stdout == "" and result.stderr == ""  # nothing reaches the old terminal
    text = errors.read_text()
    assert "Traceback" in text and "RuntimeError: no running event loop" in text
    assert "nobody can see" not in text


def test_with_no_writable_errors_file_stderr_goes_nowhere(tmp_path: Path) -> None:
    code = f"""
import sys
from evalmon.terminal import detach_from_terminal
detach_from_terminal({str(tmp_path / "no-such-folder" / "x.log")!r})
sys.stderr.write("lost\\n")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and result.stderr == ""
