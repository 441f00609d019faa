"""Read finished logs once, whole, into an :class:`EvalState` (the report's engine)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evalmon.events import FileBatch, Located
from evalmon.sources.paths import resolve_paths
from evalmon.sources.scan import scan_file
from evalmon.state import EvalState


@dataclass(frozen=True, slots=True)
class Replay:
    state: EvalState
    files: tuple[str, ...]
    errors: tuple[str, ...]  # paths that could not be used at all (missing, empty folder)
    warnings: tuple[str, ...]  # files skipped or cut (binary, unreadable, capped lines)


def replay(paths: Sequence[str], *, stall_after_s: float = 120.0) -> Replay:
    """Scan every log under ``paths`` from start to end; never raises for bad input."""
    files, errors = resolve_paths(list(paths))
    state = EvalState(stall_after_s=stall_after_s)
    warnings: list[str] = []
    for path in files:
        result = scan_file(path, on_events=lambda events, path=path: _apply(state, path, events))
        if result.warning:
            warnings.append(f"{path}: {result.warning}")
        else:
            state.apply_batch(FileBatch(path=path))  # a log with no events is still a file
        if result.dropped_bytes:
            warnings.append(
                f"{path}: {result.dropped_bytes} bytes of over-long lines were not parsed"
            )
    return Replay(state=state, files=tuple(files), errors=tuple(errors), warnings=tuple(warnings))


def _apply(state: EvalState, path: str, events: list[Located]) -> None:
    if events:
        state.apply_batch(FileBatch(path=path, events=tuple(events)))
