"""scan_file: whole files through one LogParser; bad files give a warning, never a traceback."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from evalmon.events import ServerTraffic
from evalmon.sources import scan
from evalmon.sources.scan import scan_file
from evalmon.sources.sniff import looks_binary

LOG = (
    b"[BATCHING DEBUG] run_mcore_engine called with 64 prompts\n"
    b'127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 200 -\n'
    b"\rRequesting API:  10%|#         | 5/50 [00:10<01:30,  2.00s/it]"
    b"\rRequesting API:  20%|##        | 10/50 [00:20<01:20,  2.00s/it]\n"
    b"[BATCHING DEBUG] run_mcore_engine called with 8 prompts"  # no final newline
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("chunk_bytes", [16 << 20, 1, 7, 64])
def test_scans_a_whole_file_in_any_chunk_size(tmp_path: Path, chunk_bytes: int) -> None:
    result = scan_file(write(tmp_path, "server.log", LOG), chunk_bytes=chunk_bytes)
    assert result.warning == ""
    assert result.bytes == len(LOG)
    assert result.lines == 4
    events = [(loc.line, loc.event) for loc in result.events]
    traffic = ServerTraffic()
    for _, ev in events:
        if isinstance(ev, ServerTraffic):
            traffic = traffic.merged(ev)
    assert traffic == ServerTraffic(((8, 1), (64, 1)), (64, 8), ((200, 1),))
    progress = [ev for _, ev in events if type(ev).__name__ == "Progress"]
    assert progress[-1].n == 10.0
    assert events[-1] == (4, ServerTraffic(((8, 1),), (8,)))  # the unterminated last line


def test_on_events_gets_every_chunk_and_the_result_keeps_none(tmp_path: Path) -> None:
    chunks: list[list[object]] = []
    result = scan_file(write(tmp_path, "server.log", LOG), chunk_bytes=64, on_events=chunks.append)
    assert result.events == [] and result.lines == 4
    whole = scan_file(write(tmp_path, "server.log", LOG), chunk_bytes=64)
    assert [loc for chunk in chunks for loc in chunk] == whole.events


def test_empty_file(tmp_path: Path) -> None:
    result = scan_file(write(tmp_path, "empty.log", b""))
    assert (result.warning, result.events, result.bytes, result.lines) == ("", [], 0, 0)


def test_counts_the_bytes_the_line_cap_dropped(tmp_path: Path) -> None:
    data = b"{" + b"1, " * 100_000 + b"}\n"
    result = scan_file(write(tmp_path, "body.log", data))
    assert result.dropped_bytes == len(data) - 1 - 64 * 1024
    assert result.lines == 1


@pytest.mark.parametrize(
    ("make", "warning"),
    [
        (lambda tmp: tmp / "missing.log", "file not found"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: write(tmp, "x.gz", gzip.compress(os.urandom(20_000))), "binary file skipped"),
        (
            lambda tmp: write(tmp, "core", b"\x7fELF\x02\x01\x01" + b"\x00" * 5000),
            "binary file skipped",
        ),
        (
            lambda tmp: write(tmp, "utf16.log", "hello\n".encode("utf-16") * 100),
            "binary file skipped",
        ),
        (lambda tmp: str(tmp / "bad\x00name"), "invalid path"),
    ],
)
def test_bad_files_give_a_warning_not_an_exception(tmp_path: Path, make, warning: str) -> None:
    result = scan_file(make(tmp_path))
    assert result.warning == warning
    assert result.events == []


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert scan_file(fifo).warning == "not a regular file"  # and it did not block


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.log", LOG)

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(scan, "open", refuse, raising=False)
    assert scan_file(path).warning == "permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.log", LOG)
    path.chmod(0)
    assert scan_file(path).warning == "permission denied"


def test_a_few_nuls_and_escapes_are_still_text(tmp_path: Path) -> None:
    data = b"\x00\x00\x00\x1b[31mred\x1b[0m\n" + LOG
    result = scan_file(write(tmp_path, "nul.log", data))
    assert result.warning == ""
    traffic = [loc.event for loc in result.events if isinstance(loc.event, ServerTraffic)]
    assert traffic[0].engine_recent[0] == 64


@pytest.mark.parametrize(
    ("sample", "binary"),
    [
        (b"", False),
        (b"plain text\n" * 100, False),
        ("ünïcödé ✓ │ █▏\n".encode() * 100, False),
        (b"\x00" * 2 + b"text\n" * 100, False),
        (b"caf\xe9 na\xefve\n" * 100, False),
        (b"\x00" * 200 + b"text" * 100, True),
        (bytes(range(32)) * 50, True),
    ],
)
def test_looks_binary(sample: bytes, binary: bool) -> None:
    assert looks_binary(sample) is binary
