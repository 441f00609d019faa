"""The controlling terminal: has it hung up, and how to go on printing once it has."""

from __future__ import annotations

import contextlib
import errno
import os
import termios


def detach_from_terminal() -> None:
    """Send stdin, stdout and stderr to /dev/null: after SIGHUP (an SSH drop, a closed window)
    the terminal is gone, and the lines still printed while the job is stopped must neither
    fail with EIO nor end evalmon before its record is complete."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)


def terminal_gone() -> bool:
    """The controlling terminal hung up: reading its attributes fails with EIO. False when
    stdin, stdout and stderr are no terminals (textual-serve, tests), or one is a live
    terminal."""
    for fd in (0, 1, 2):
        try:
            termios.tcgetattr(fd)
        except termios.error as exc:
            if exc.args and exc.args[0] == errno.EIO:
                return True
            continue  # ENOTTY, EBADF: not a terminal
        return False
    return False
