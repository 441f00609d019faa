"""Shared fixtures: where the repository and its sample logs are."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_LOGS = REPO / "sample_logs"

# evalmon's cache (compiled scan databases, remembered tuning) goes to a folder of this run's
# own, never the user's; the tests that need an empty one set their own
if "EVALMON_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="evalmon-test-cache-")
    os.environ["EVALMON_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def sample_logs() -> Path:
    """The committed synthetic logs (read-only: copy before appending)."""
    return SAMPLE_LOGS


@pytest.fixture
def sample_logs_copy(tmp_path: Path) -> Path:
    """A private copy of the sample logs that a test may append to."""
    target = tmp_path / "logs"
    target.mkdir()
    for path in SAMPLE_LOGS.iterdir():
        if path.suffix in (".out", ".log"):
            shutil.copy2(path, target / path.name)
    return target



@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups into node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``scripts/test.sh`` runs ``--dist loadgroup``), a module's tests
    stay in one worker, so an expensive module fixture (a real vLLM server, the demo) starts
    once, and every test of the one SLURM cluster runs in the same worker."""
    for item in items:
        uses_slurm = "slurm_cluster" in getattr(item, "fixturenames", ())
        group = "slurm" if uses_slurm else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
