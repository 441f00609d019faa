"""The scan benchmark at ~20 MB: every count evalmon extracts equals the generator's truth.

No timing is asserted here (that is the benchmark's job, on a quiet machine); this checks
that the benchmark runs end to end and that evalmon and grep agree with the truth.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
