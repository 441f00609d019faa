"""--notify: apprise messages about the supervised job, delivered to a real local HTTP
receiver (apprise's json:// webhook); a receiver that is down or a bad URL changes nothing
about the job."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from evalmon.notify import Message, Notifier, messages_between
from evalmon.supervisor.model import Attempt, SupervisorStatus

FAKE = Path(__file__).parent / "fake_eval.py"


class Receiver:
    """A local webhook: every JSON body POSTed to it, in order."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length) or b"{}")
                with outer.cond:
                    outer.bodies.append(data)
                    outer.cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait(self, predicate, timeout: float = 20.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self.bodies), timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(state="running", *attempts: Attempt, message: str = "") -> SupervisorStatus:
    return SupervisorStatus(command=("x",), log_dir="/l", state=state, attempts=attempts,
                            message=message)


A1_OOM = Attempt(1, 256, 0.0, 5.0, outcome="oom", reason="CUDA out of memory")
A2_RUN = Attempt(2, 128, 6.0)
A2_OK = Attempt(2, 128, 6.0, 9.0, outcome="succeeded")


def test_messages_oom_relaunch_then_finished_with_the_table():
    table = lambda s: "TABLE"  # noqa: E731
    first = status("running", Attempt(1, 256, 0.0))
    assert messages_between(None, first, table=table) == []
    relaunch = messages_between(first, status("running", A1_OOM, A2_RUN), table=table)
    assert [m.title for m in relaunch] == ["evalmon: OOM relaunch"]
    assert relaunch[0].body == ("attempt 1 (batch 256) ended oom: CUDA out of memory; "
                                "attempt 2 launched at batch 128")
    done = messages_between(status("running", A1_OOM, A2_RUN),
                            status("succeeded", A1_OOM, A2_OK, message="exit 0"), table=table)
    assert [m.title for m in done] == ["evalmon: finished"]
    assert done[0].final and done[0].level == "success" and done[0].body.endswith("TABLE")
    # a final state is said once
    again = status("succeeded", A1_OOM, A2_OK)
    assert messages_between(again, again, table=table) == []


def test_messages_stall_server_died_and_gave_up():
    table = lambda s: ""  # noqa: E731
    stalled = Attempt(1, 64, 0.0, 1.0, outcome="stalled", reason="server not answering")  # type: ignore[arg-type]
    died = Attempt(2, 64, 1.0, 2.0, outcome="server_died")  # type: ignore[arg-type]
    s = status("gave_up", stalled, died, Attempt(3, 64, 2.0, 3.0, outcome="oom"),
               message="no attempts left")
    titles = [m.title for m in messages_between(status("running", stalled), s, table=table)]
    assert titles == ["evalmon: stall relaunch", "evalmon: server died, relaunched",
                      "evalmon: gave up"]


def test_rate_limit_holds_back_relaunches_never_the_final(receiver):
    now = [0.0]
    n = Notifier([receiver.url], min_interval_s=60, clock=lambda: now[0])
    try:
        m = Message("relaunch:oom", "t", "b")
        assert n.post(m)
        assert not n.post(m) and not n.post(m)  # within the minute
        assert n.post(Message("final", "done", "ok", final=True))
        now[0] = 61.0
        assert n.post(m)
        assert receiver.wait(lambda b: len(b) == 3)
        assert "(2 earlier messages of this kind held back)" in receiver.bodies[2]["message"]
    finally:
        n.close()


def test_bad_url_is_one_line_and_ignored():
    lines: list[str] = []
    n = Notifier(["notaurl", "foo://bar"], printer=lines.append)
    assert not n.active and len(lines) == 2
    assert lines[0] == "evalmon run: --notify: not a notification URL apprise knows: notaurl " \
                       "(ignored)"
    assert not n.post(Message("final", "t", "b", final=True))
    n.close()


def test_receiver_down_is_one_line_per_failure():
    lines: list[str] = []
    n = Notifier([f"json://127.0.0.1:{_free_port()}/hook"], printer=lines.append)
    n.post(Message("final", "evalmon: finished", "b", final=True))
    n.close(timeout_s=30)
    assert n.failed == 1 and n.sent == 0
    assert lines == ["evalmon run: notification failed (evalmon: finished): a receiver did "
                     "not take it (the job goes on)"]


def _run(tmp_path: Path, *notify: str, oom: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "evalmon", "run", "--headless", "--batch-size", "8",
           "--log-dir", str(tmp_path / "logs"), "--grace", "2"]
    for url in notify:
        cmd += ["--notify", url]
    cmd += ["--", sys.executable, str(FAKE), "--batch_size", "{batch_size}", "--steps", "4"]
    if oom:
        cmd += ["--oom-above", "4"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180,
                          env={**os.environ})


@pytest.mark.slow
def test_run_notifies_oom_relaunch_and_finished(tmp_path, receiver):
    proc = _run(tmp_path, receiver.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert receiver.wait(lambda b: len(b) >= 2, 30), receiver.bodies
    titles = [b["title"] for b in receiver.bodies]
    assert titles == ["evalmon: OOM relaunch", "evalmon: finished"]
    assert "attempt 1 (batch 8) ended oom" in receiver.bodies[0]["message"]
    assert "attempt 2 launched at batch 4" in receiver.bodies[0]["message"]
    final = receiver.bodies[1]
    assert final["type"] == "success"
    assert "outcome" in final["message"] and "succeeded" in final["message"]  # the table


@pytest.mark.slow
def test_receiver_down_or_bad_url_changes_nothing_about_the_job(tmp_path):
    baseline = _run(tmp_path / "a")
    down = _run(tmp_path / "b", f"json://127.0.0.1:{_free_port()}/hook", "notaurl")
    assert baseline.returncode == down.returncode == 0
    tail = lambda p: p.stdout.strip().splitlines()[-1]  # noqa: E731
    assert tail(down) == tail(baseline)  # "evalmon: succeeded: ..."
    err = down.stderr.splitlines()
    assert sum("not a notification URL apprise knows: notaurl" in ln for ln in err) == 1
    assert 1 <= sum("notification failed" in ln for ln in err) <= 2
    assert "Traceback" not in down.stderr
