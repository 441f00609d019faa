"""Process-tree sampling on real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from evalmon.events import ProcSample
from evalmon.sources.procs import MAX_CMDLINE_CHARS, ProcPoller, ProcSampler, sample_tree

# a parent that starts a CPU-burning child and a sleeping grandchild chain
TREE = r"""
import subprocess, sys, time
burn = "import time\nt=time.time()\nwhile time.time()-t<60: pass"
sleeper = ("import subprocess,sys,time; "
           "subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)']); time.sleep(60)")
subprocess.Popen([sys.executable, "-c", burn])
subprocess.Popen([sys.executable, "-c", sleeper])
print("ready", flush=True)
time.sleep(60)
"""


def poll(predicate: Callable[[], object], timeout: float = 10.0, every: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(every)


@pytest.fixture
def tree():
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    os.killpg(proc.pid, 9)
    proc.wait(10)


def test_tree_with_descendants_and_cpu(tree: subprocess.Popen) -> None:
    sampler = ProcSampler()
    samples = poll(lambda: (s := sampler.sample([tree.pid])) and len(s) == 4 and s)
    assert isinstance(samples, list)
    by_pid = {s.pid: s for s in samples}
    root = by_pid[tree.pid]
    assert samples[0].pid == tree.pid  # the root first
    children = [s for s in samples if s.ppid == tree.pid]
    assert len(children) == 2
    grandchildren = [s for s in samples if s.ppid in {c.pid for c in children}]
    assert len(grandchildren) == 1  # the sleeper's child
    assert all(s.rss_bytes > 0 and s.started_at > 0 and s.name for s in samples)
    assert "python" in root.name.lower() or "python" in root.cmdline
    # cpu_percent needs two looks at the same process objects: the burner shows ~100%
    burner = next(s for s in samples if s.cmdline.endswith("t<60: pass"))
    busy = poll(lambda: next((s for s in sampler.sample([tree.pid]) if s.pid == burner.pid
                              and s.cpu_pct > 30), None), every=0.2)
    assert isinstance(busy, ProcSample)
    idle = next(s for s in sampler.sample([tree.pid]) if s.pid == tree.pid)
    assert idle.cpu_pct < 30


def test_vanished_processes_are_skipped(tree: subprocess.Popen) -> None:
    sampler = ProcSampler()
    first = poll(lambda: (s := sampler.sample([tree.pid])) and len(s) == 4 and s)
    assert isinstance(first, list)
    burner = next(s for s in first if s.cmdline.endswith("t<60: pass"))
    os.kill(burner.pid, 9)
    # its parent never reaps it: it stays a zombie (shown as such) or is gone
    poll(lambda: all(s.pid != burner.pid or s.status == "zombie"
                     for s in sampler.sample([tree.pid])))
    os.killpg(tree.pid, 9)
    tree.wait(10)
    assert sample_tree(tree.pid) == []


def test_missing_and_odd_pids_never_raise() -> None:
    assert sample_tree(2**22 + 12345) == []
    assert sample_tree(-5) == []
    mine = sample_tree(os.getpid())
    assert mine[0].pid == os.getpid() and mine[0].ppid == os.getppid()
    assert len(mine[0].cmdline) <= MAX_CMDLINE_CHARS


def test_proc_poller_follows_changing_roots(tree: subprocess.Popen) -> None:
    roots = [os.getpid()]
    got: list[list[ProcSample]] = []
    seen_tree = threading.Event()

    def on_sample(samples: list[ProcSample]) -> None:
        got.append(samples)
        if any(s.pid == tree.pid for s in samples):
            seen_tree.set()

    poller = ProcPoller(lambda: roots, on_sample, interval_s=0.02)
    poller.start()
    try:
        poll(lambda: got)
        assert got[0][0].pid == os.getpid()
        roots[:] = [tree.pid]  # e.g. a relaunch
        assert seen_tree.wait(5)
    finally:
        poller.stop()
