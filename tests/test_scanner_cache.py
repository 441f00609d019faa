"""Compiled Hyperscan databases kept in the cache folder between runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon.parsers import scanner
from evalmon.sources.scan_cache import FileCompiledStore

hs = pytest.importorskip("hyperscan")

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = [re.compile(rb"CUDA out of memory"), re.compile(rb"Killed process \d+")]
TEXT = b"ok\nRuntimeError: CUDA out of memory. Tried\nOut of memory: Killed process 42 (python)\n"


def hits(engine: scanner.Scanner) -> list[int]:
    return engine.hits(TEXT, [(0, len(TEXT))], engine.new_scratch())


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("scan-*.hsdb"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "scan"
    scanner.use_compiled_store(FileCompiledStore(str(folder)))
    yield folder
    scanner.use_compiled_store(None)


def test_a_second_scanner_loads_the_database_instead_of_compiling(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = scanner.Scanner(PATTERNS)
    assert first.engine == "hyperscan"
    assert len(cached_files(store)) == 1
    expected = hits(first)
    assert {h & 31 for h in expected} == {0, 1}

    class NoCompiling:
        """Hyperscan, except that it cannot make a database to compile into."""

        def __getattr__(self, name: str) -> object:
            return getattr(hs, name)

        def Database(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("compiled although a cached database was there")

    monkeypatch.setattr(scanner, "_hs", NoCompiling())
    second = scanner.Scanner(PATTERNS)
    assert second.engine == "hyperscan"
    assert hits(second) == expected


def test_without_a_store_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsers do no I/O of their own: only a store the application hands them."""
    scanner.use_compiled_store(None)
    monkeypatch.setenv("EVALMON_CACHE_DIR", str(tmp_path))
    assert scanner.Scanner(PATTERNS).engine == "hyperscan"
    assert list(tmp_path.iterdir()) == []


def test_another_pattern_set_gets_its_own_file(store: Path) -> None:
    scanner.Scanner(PATTERNS)
    scanner.Scanner(PATTERNS[:1])
    assert len(cached_files(store)) == 2


def test_a_corrupt_file_is_compiled_again_and_replaced(store: Path) -> None:
    expected = hits(scanner.Scanner(PATTERNS))
    (path,) = cached_files(store)
    path.write_bytes(b"not a database")
    again = scanner.Scanner(PATTERNS)
    assert again.engine == "hyperscan"
    assert hits(again) == expected
    assert path.read_bytes() != b"not a database"


def test_an_unwritable_cache_folder_only_means_compiling(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    scanner.use_compiled_store(FileCompiledStore(str(blocker / "scan")))  # under a file
    try:
        engine = scanner.Scanner(PATTERNS)
    finally:
        scanner.use_compiled_store(None)
    assert engine.engine == "hyperscan"
    assert {h & 31 for h in hits(engine)} == {0, 1}


def test_old_files_are_pruned(store: Path) -> None:
    store.mkdir()
    for i in range(20):
        stale = store / f"scan-{i:032d}.hsdb"
        stale.write_bytes(b"")
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
    scanner.Scanner(PATTERNS)
    kept = cached_files(store)
    assert len(kept) == 16
    assert store / f"scan-{0:032d}.hsdb" not in kept  # the oldest went
    assert any(p.stat().st_mtime > 2_000_000 for p in kept)  # the new one stayed


def test_a_report_in_a_fresh_process_reads_the_cache(tmp_path: Path) -> None:
    """Two `evalmon report` runs: the first writes the databases in the cache folder, the
    second only reads them (no file is rewritten) and prints the same report."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EVALMON_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "evalmon", "report", str(ROOT / "sample_logs")]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    written = {p: p.stat().st_mtime_ns for p in cached_files(tmp_path / "scan")}
    assert written
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert {p: p.stat().st_mtime_ns for p in cached_files(tmp_path / "scan")} == written
