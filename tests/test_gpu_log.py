"""`evalmon gpu-log DIR`: the real CLI on this GPU-less machine, and the writer with a stand-in."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evalmon.cli import gpu_log
from evalmon.cli.gpu_log import main
from evalmon.events import GpuUnavailable
from evalmon.parsers.gpu_jsonl import parse
from evalmon.sources.gpu_log import log_path, run, safe_host
from evalmon.sources.nvml import GpuSampler
from tests.nvml_standin import FakeDevice, StandInNvml
from tests.waiting import wait_for

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalmon.cli", "gpu-log", *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO, **kw)


def no_gpu_here() -> bool:
    out = GpuSampler().sample()
    return isinstance(out, GpuUnavailable)


def test_writer_with_standin_devices(tmp_path: Path) -> None:
    nv = StandInNvml([FakeDevice(), FakeDevice(uuid="GPU-1", memory_used=5)])
    sampler = GpuSampler(host="n1", nvml=nv, process_names=False)
    out = io.StringIO()
    taken = run(out, sampler, 0.001, 3, threading.Event(), lambda _: None)
    lines = out.getvalue().splitlines()
    assert taken == 3 and len(lines) == 6  # one line per device per sample
    events = [e for line in lines for e in parse(line)]
    assert [(e.host, e.index) for e in events] == [("n1", 0), ("n1", 1)] * 3
    assert events[1].memory_used == 5 and events[1].uuid == "GPU-1"


def test_writer_unavailable_written_once_per_reason() -> None:
    import pynvml

    nv = StandInNvml(init_error=pynvml.NVML_ERROR_DRIVER_NOT_LOADED)
    notices: list[str] = []
    clock = [0.0]
    sampler = GpuSampler(host="n2", nvml=nv, clock=lambda: clock[0], process_names=False)
    out = io.StringIO()
    run(out, sampler, 0.001, 5, threading.Event(), notices.append, wall=lambda: 42.0)
    assert out.getvalue().splitlines() == [
        '{"evalmon": "gpu", "v": 1, "host": "n2", "timestamp": 42.0, '
        '"unavailable": "NVIDIA driver not loaded"}'
    ]
    # five samples 1 ms apart end long before NVML's next try: said so, not "retrying every 30 s"
    assert notices == ["evalmon gpu-log: no GPU data on n2: NVIDIA driver not loaded; "
                       "stopping in 0.004 s (--count 5), before the next try (every 30 s)"]


@pytest.mark.parametrize(("count", "interval", "said"), [
    (None, 1.0, "retrying every 30 s"),
    (2, 0.25, "stopping in 0.25 s (--count 2), before the next try (every 30 s)"),
    (121, 0.5, "retrying every 30 s; stopping in 60 s (--count 121)"),
])
def test_the_retry_notice_is_true_for_the_count(count: int | None, interval: float,
                                                said: str) -> None:
    import pynvml

    nv = StandInNvml(init_error=pynvml.NVML_ERROR_DRIVER_NOT_LOADED)
    sampler = GpuSampler(host="n2", nvml=nv, clock=lambda: 0.0, process_names=False)
    notices: list[str] = []
    stop = threading.Event()

    def notice(text: str) -> None:
        notices.append(text)
        stop.set()  # one notice is all this test reads

    run(io.StringIO(), sampler, interval, count, stop, notice)
    assert notices == [f"evalmon gpu-log: no GPU data on n2: NVIDIA driver not loaded; {said}"]


def test_writer_notices_when_gpus_come_back() -> None:
    import pynvml

    nv = StandInNvml(init_error=pynvml.NVML_ERROR_DRIVER_NOT_LOADED)
    clock = [0.0]
    notices: list[str] = []

    def notice(text: str) -> None:
        notices.append(text)
        nv.init_error = None  # the driver is back by the next retry
        clock[0] += 31

    sampler = GpuSampler(host="n2", nvml=nv, clock=lambda: clock[0], process_names=False)
    out = io.StringIO()
    run(out, sampler, 0.001, 3, threading.Event(), notice)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "unavailable" in lines[0] and '"index": 0' in lines[2]
    assert notices[-1] == "evalmon gpu-log: GPUs available again on n2"


def test_bad_dirs_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err == f"evalmon gpu-log: no such folder: {tmp_path / 'missing'}\n"
    (tmp_path / "file").write_text("x")
    assert main([str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["/proc"]) == 2  # not writable, even for root
    err = capsys.readouterr().err
    assert err.startswith("evalmon gpu-log: cannot write /proc/gpu-") and err.count("\n") == 1
    assert main([str(tmp_path), "--interval", "0"]) == 2
    assert main([str(tmp_path), "--count", "0"]) == 2


def test_safe_host() -> None:
    assert safe_host("node-1.cluster") == "node-1.cluster"
    assert safe_host("../../etc/x y") == "etc_x_y"
    assert safe_host("") == "localhost"
    assert log_path("logs", "a/b") == os.path.join("logs", "gpu-a_b.jsonl")


@pytest.mark.skipif(not no_gpu_here(), reason="this machine has a GPU")
def test_real_cli_without_gpu_writes_unavailable_line(tmp_path: Path) -> None:
    res = cli(str(tmp_path), "--count", "2", "--interval", "0.05", "--host", "testnode")
    assert res.returncode == 0, res.stderr
    lines = (tmp_path / "gpu-testnode.jsonl").read_text().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["evalmon"] == "gpu" and obj["host"] == "testnode"
    assert obj["unavailable"] == "NVML library not found (libnvidia-ml.so.1)"
    notices = [ln for ln in res.stderr.splitlines() if "no GPU data" in ln]
    assert notices == ["evalmon gpu-log: no GPU data on testnode: NVML library not found "
                       "(libnvidia-ml.so.1); stopping in 0.05 s (--count 2), before the next "
                       "try (every 30 s)"]
    assert res.stderr.splitlines()[-1] == "evalmon gpu-log: stopped after 2 samples (--count 2)"
    assert "Traceback" not in res.stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_real_cli_stops_cleanly_on_signal(tmp_path: Path, sig: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon.cli", "gpu-log", str(tmp_path), "--interval", "0.1",
         "--host", "sig"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        target = tmp_path / "gpu-sig.jsonl"
        wait_for(lambda: target.exists() and target.read_text().endswith("\n"), 15, "a line")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_module_entry_is_what_cli_dispatches() -> None:
    from evalmon.cli import COMMANDS

    load, _ = COMMANDS["gpu-log"]
    assert load() is gpu_log.main is main
