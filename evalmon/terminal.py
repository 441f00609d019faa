"""The controlling terminal: has it hung up, and how to go on printing once it has."""

from __future__ import annotations

import contextlib
import errno
import os
import termios


def detach_from_terminal(errors_to: str | None = None) -> None:
    """Send stdin and stdout to /dev/null, and stderr to ``errors_to`` (appended; /dev/null
    when not given or not writable): after SIGHUP (an SSH drop, a closed window) the terminal
    is gone, and the lines still printed while the job is stopped must neither fail with EIO
    nor end evalmon before its record is complete. An error evalmon hits from then on still
    leaves its traceback somewhere a user can read."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        errors = devnull
        if errors_to is not None:
            with contextlib.suppress(OSError):
                errors = os.open(errors_to, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                                 0o600)
        for fd, target in ((0, devnull), (1, devnull), (2, errors)):
            os.dup2(target, fd)
        if errors != devnull:
            os.close(errors)
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
