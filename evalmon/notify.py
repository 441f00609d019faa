"""Notifications about a supervised job, through apprise (Slack, Discord, email, ntfy,
generic ``json://`` webhooks, ...): ``evalmon run --notify URL`` (repeatable).

What is said, read from the supervisor's status (``Supervisor.status()``, a frozen snapshot
polled by :class:`StatusWatcher` on its own thread; the supervisor knows nothing of this):

* an attempt ended and another started: "OOM relaunch" (outcome ``oom``), "stall relaunch"
  (``stalled``), "server died, relaunched" (``server_died``), else "relaunch";
* the run ended: "finished", "gave up", "failed" or "cancelled", with the attempts table.

Relaunch messages of one kind are rate-limited (at most one per ``min_interval_s``; the next
one says how many were held back); the final message is never held back. Delivery happens on
a worker thread: a slow or dead receiver never delays the job, and a failure is one line on
stderr, nothing more. At exit, :meth:`Notifier.close` waits a bounded time for the queue.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evalmon.text import inert

DEFAULT_MIN_INTERVAL_S = 60.0
SEND_TIMEOUT_S = 10.0

Printer = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Message:
    kind: str  # "relaunch:oom", "finished", ...
    title: str
    body: str
    level: str = "info"  # apprise NotifyType: info, success, warning, failure
    final: bool = False


class Notifier:
    """Sends :class:`Message` s to every URL apprise accepted, from a worker thread."""

    def __init__(self, urls: Sequence[str], *, min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
                 printer: Printer = _stderr, clock: Callable[[], float] = time.monotonic,
                 prog: str = "evalmon run") -> None:
        import apprise

        self._print = printer
        self._prog = prog
        self._clock = clock
        self.min_interval_s = min_interval_s
        self._apprise = apprise.Apprise()
        self.urls: list[str] = []
        for url in urls:
            if self._apprise.add(url):
                self.urls.append(url)
            else:
                printer(f"{prog}: --notify: not a notification URL apprise knows: "
                        f"{inert(url, 200)} (ignored)")
        self._last_sent: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._queue: queue.Queue[Message | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="evalmon-notify", daemon=True)
        self.sent = 0
        self.failed = 0
        if self.urls:
            self._thread.start()

    @property
    def active(self) -> bool:
        return bool(self.urls)

    def post(self, message: Message) -> bool:
        """Queue ``message`` unless rate-limited; never blocks, never raises."""
        if not self.urls:
            return False
        now = self._clock()
        if not message.final:
            last = self._last_sent.get(message.kind)
            if last is not None and now - last < self.min_interval_s:
                self._held[message.kind] = self._held.get(message.kind, 0) + 1
                return False
        held = self._held.pop(message.kind, 0)
        if held:
            more = "message" if held == 1 else "messages"
            message = Message(message.kind, message.title,
                              f"{message.body}\n({held} earlier {more} of this kind held back)",
                              message.level, message.final)
        self._last_sent[message.kind] = now
        self._queue.put(message)
        return True

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            try:
                ok = self._apprise.notify(body=message.body, title=message.title,
                                          notify_type=message.level)
            except Exception as exc:  # a plugin bug must not end the thread
                ok = False
                self._print(f"{self._prog}: notification failed: {type(exc).__name__}")
            else:
                if not ok:
                    self._print(f"{self._prog}: notification failed ({message.title}): a "
                                "receiver did not take it (the job goes on)")
            if ok:
                self.sent += 1
            else:
                self.failed += 1

    def close(self, timeout_s: float = SEND_TIMEOUT_S) -> None:
        """Deliver what is queued, at most ``timeout_s``, then stop."""
        if not self._thread.is_alive():
            return
        self._queue.put(None)
        self._thread.join(timeout_s)


# ---------------------------------------------------------------------------- status -> messages

_RELAUNCH_TITLES = {
    "oom": "OOM relaunch",
    "stalled": "stall relaunch",
    "server_died": "server died, relaunched",
    "retuned": "relaunched at new values (live retune)",
}

_FINAL = {
    "succeeded": ("finished", "success"),
    "gave_up": ("gave up", "failure"),
    "failed": ("failed", "failure"),
    "cancelled": ("cancelled", "warning"),
}


def _size(value: int | None) -> str:
    return "?" if value is None else str(value)


def messages_between(before: Any, after: Any, *, table: Callable[[Any], str],
                     name: str = "") -> list[Message]:
    """What changed from status ``before`` (None: nothing seen yet) to ``after``. PURE."""
    out: list[Message] = []
    seen = len(before.attempts) if before is not None else 0
    who = f"{name}: " if name else ""
    for i in range(max(1, seen), len(after.attempts)):
        ended, new = after.attempts[i - 1], after.attempts[i]
        title = _RELAUNCH_TITLES.get(ended.outcome, "relaunch")
        reason = f": {inert(ended.reason, 300)}" if ended.reason else ""
        body = (f"{who}attempt {ended.number} (batch {_size(ended.batch_size)}) ended "
                f"{ended.outcome}{reason}; attempt {new.number} launched at batch "
                f"{_size(new.batch_size)}")
        out.append(Message(f"relaunch:{ended.outcome}", f"evalmon: {who}{title}", body,
                           "warning"))
    was_final = before is not None and before.finished
    if after.finished and not was_final:
        word, level = _FINAL.get(after.state, (after.state, "info"))
        body = f"{who}{word}: {inert(after.message, 300)}"
        if after.attempts:
            body += "\n\n" + table(after)
        out.append(Message("final", f"evalmon: {who}{word}", body, level, final=True))
    return out


class StatusWatcher:
    """Polls ``status()`` every ``interval_s`` on a daemon thread and posts what changed."""

    def __init__(self, status: Callable[[], Any], notifier: Notifier, *,
                 table: Callable[[Any], str], interval_s: float = 0.5, name: str = "") -> None:
        self._status = status
        self._notifier = notifier
        self._table = table
        self._name = name
        self.interval_s = interval_s
        self._last: Any = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="evalmon-notify-watch",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def check(self) -> None:
        """One poll (also the last one, from :meth:`stop`)."""
        with self._lock:
            try:
                current = self._status()
            except Exception:
                return
            if current is self._last:
                return
            for message in messages_between(self._last, current, table=self._table,
                                            name=self._name):
                self._notifier.post(message)
            self._last = current

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            with contextlib.suppress(Exception):
                self.check()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.check()
