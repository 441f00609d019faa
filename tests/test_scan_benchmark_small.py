"""The scan benchmarks at small sizes: every count evalmon extracts equals the generator's truth.

No timing is asserted here (that is the benchmark's job, on a quiet machine); this checks
that the benchmark runs end to end and that evalmon and grep agree with the truth.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_small_benchmark_counts_equal_the_truth(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "scan.py"),
            "--size-mb",
            "20",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "all counts equal the truth" in out.stdout
    for kind in ("EngineBatch", "HttpRequest", "Progress", "OutOfMemory", "ResultRow"):
        assert kind in out.stdout
    assert list(tmp_path.glob("mixed-20mb-*.log"))  # built where it was told


@pytest.mark.slow
def test_benchmark_cache_is_reused(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        str(ROOT / "benchmarks" / "scan.py"),
        "--size-mb",
        "2",
        "--data-dir",
        str(tmp_path),
    ]
    first = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "building" in first.stderr
    log = next(tmp_path.glob("mixed-2mb-*.log"))
    before = log.stat().st_mtime_ns
    second = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "building" not in second.stderr
    assert log.stat().st_mtime_ns == before


# --------------------------------------------------------------------------- dense case


def _dense_module() -> ModuleType:
    """``benchmarks/scan_dense.py`` (a script beside ``scan.py``, not a package)."""
    path = ROOT / "benchmarks" / "scan_dense.py"
    spec = importlib.util.spec_from_file_location("scan_dense", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scan_dense"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


_ENGINE = re.compile(rb"\[BATCHING DEBUG\] run_mcore_engine called with (\d+) prompts")
_WERKZEUG = re.compile(
    rb'127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d\] "(?:POST|PUT) /\w+ '
    rb'HTTP/1\.1" (\d{3}) -'
)
_UVICORN = re.compile(
    rb'INFO:     127\.0\.0\.1:\d+ - "(?:POST /v1/completions|GET /health) HTTP/1\.1" (\d{3}) '
    rb"(?:OK|Internal Server Error)"
)
_REQUEST_IP = re.compile(rb"request IP: 127\.0\.0\.1")
_START_TIME = re.compile(rb"start time:  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
_STATS = re.compile(
    rb"(?:\(APIServer pid=\d+\) )?INFO \d\d-\d\d \d\d:\d\d:\d\d \[loggers\.py:116\] Engine 000: "
    rb"Avg prompt throughput: \d+\.\d tokens/s, Avg generation throughput: \d+\.\d tokens/s, "
    rb"Running: \d+ reqs, Waiting: \d+ reqs, GPU KV cache usage: \d+\.\d%, "
    rb"Prefix cache hit rate: \d+\.\d%"
)
_BODY = re.compile(
    rb'\{"prompts": \[.+\], "tokens_to_generate": 1, "logprobs": true, "model": "m", '
    rb'"temperature": 0, "batch_size": \d+\}'
)
_OOM_LAST_LINE = re.compile(rb"torch\.OutOfMemoryError: CUDA out of memory|RuntimeError: CUDA err")
_BAR = re.compile(rb"Requesting API: +\d+%\|[^|]*\| (\d+)/(\d+) \[")


def _digits(line: bytes) -> bytes:
    return re.sub(rb"\d", b"0", line)


def test_dense_generator_truth_is_exact(tmp_path: Path) -> None:
    """Recount the generated log line by line, independently of the generator's bookkeeping."""
    dense = _dense_module()
    log, truth = dense.dense_log(2 << 20, 1, tmp_path)
    data = log.read_bytes()
    assert len(data) == truth.bytes >= 2 << 20
    assert data.endswith(b"\n")
    lines = data[:-1].split(b"\n")
    assert len(lines) == truth.lines

    # every line is of a known real shape: the routine ones, or copied from a real sample
    stamps = {"flask": "2026-11-24 03:00:02,123", "werkzeug": "24/Nov/2026 03:00:02"}
    copied = {
        _digits(line)
        for block in (dense.HEADER.decode(), *dense.OOM_BLOCKS)
        for line in block.format(**stamps).encode().split(b"\n")
    } | {
        _digits(n.replace(b"{0}", b"2026-11-24:03:08:06").replace(b"{1}", b"11-24 03:00:10"))
        for n in dense.NOISE
    }
    engine: Counter[int] = Counter()
    http: Counter[int] = Counter()
    starts = stats = ooms = grep = probes = 0
    bars: list[bytes] = []
    for line in lines:
        grep += dense.GREP_RE.search(line) is not None
        if m := _ENGINE.fullmatch(line):
            engine[int(m[1])] += 1
        elif m := (_WERKZEUG.fullmatch(line) or _UVICORN.fullmatch(line)):
            if b'"GET /health ' in line:  # a probe, not a request of the eval
                probes += 1
            else:
                http[int(m[1])] += 1
        elif _REQUEST_IP.fullmatch(line) or _START_TIME.fullmatch(line):
            starts += 1
        elif _STATS.fullmatch(line):
            stats += 1
        elif line.startswith(b"\r"):
            bars.append(line)
        elif _BODY.fullmatch(line):
            pass
        else:
            assert _digits(line) in copied, line
            ooms += _OOM_LAST_LINE.match(line) is not None

    assert dict(engine) == truth.engine_histogram
    assert sum(n * c for n, c in engine.items()) == truth.engine_prompts
    assert sum(http.values()) + probes == truth.access_lines
    assert dict(http) == truth.http
    assert starts == truth.request_ip_lines + truth.start_time_lines
    assert stats == truth.stats_lines > 0
    assert ooms == truth.ooms == 3
    assert grep == truth.grep_lines
    assert truth.routine_fraction >= 0.4  # a busy server: mostly engine and access lines
    assert {200, 400, 500} <= set(http)

    # one long line of \r updates of one bar; its last update is the truth's bar state
    assert len(bars) == 1
    assert len(bars[0]) + 1 == truth.tqdm_line_bytes > 64 * 1024
    updates = bars[0][1:].split(b"\r")
    assert all(_BAR.match(u) for u in updates)
    last = _BAR.match(updates[-1])
    assert last is not None
    assert (int(last[1]), int(last[2])) == (truth.tqdm_n, truth.tqdm_total)

    # deterministic: the same seed gives the same bytes
    again, _ = dense.dense_log(2 << 20, 1, tmp_path / "again")
    assert again.read_bytes() == data


@pytest.mark.slow
def test_dense_benchmark_counts_are_exact(tmp_path: Path) -> None:
    """The dense case end to end at 2 MB: grep and evalmon's snapshot agree with the truth."""
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "scan_dense.py"),
            "--size",
            "2M",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "counts: exact" in out.stdout
    for label in ("grep -cE", "evalmon replay", "x grep", "peak RSS", "engine histogram"):
        assert label in out.stdout
    assert list(tmp_path.glob("dense-*.log"))  # built where it was told


@pytest.mark.slow
def test_no_oom_event_in_installed_packages_sources_and_docs() -> None:
    """benchmarks/oom_not_logs.py: torch, vLLM, lm-eval... quote every OOM message in code,
    docs and tests; read as a log, none of it is an OOM (each would be a false alarm)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "oom_not_logs.py")],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    files = int(re.search(r"scanned\s+([\d,]+) files", out.stdout).group(1).replace(",", ""))
    assert files > 10_000, out.stdout  # the venv's packages were read, not an empty folder
    assert "OOM events 0 (0 fatal)" in out.stdout
