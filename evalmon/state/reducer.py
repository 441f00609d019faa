"""The pure reducer: file batches and samples in, snapshots out.

``EvalState`` holds no threads and reads no clock: callers pass ``now`` (monotonic
seconds). A lock makes it safe to apply batches from a follower thread while the UI
thread takes snapshots.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from evalmon.events import (
    Alert,
    FileBatch,
    GpuSample,
    GpuUnavailable,
    Located,
    MetricsScrape,
    ProcSample,
)
from evalmon.state.advice import run_alerts, run_status, server_status
from evalmon.state.grouping import RunKey, display_ids, is_gpu_log, run_key
from evalmon.state.model import GpuView, RunView, ScanProgress, Snapshot
from evalmon.state.run import RunAccumulator
from evalmon.state.server import MetricsTrack, metrics_run_name, same_endpoint

MAX_GPU_HISTORY = 600
MAX_WARNINGS = 50
MAX_METRICS_URLS = 64


@dataclass(slots=True)
class _GpuTrack:
    latest: GpuSample
    history: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=MAX_GPU_HISTORY))
    peak: int | None = None

    def add(self, sample: GpuSample) -> None:
        self.latest = sample
        if sample.memory_used is not None:
            self.history.append((sample.timestamp, sample.memory_used))
            self.peak = max(self.peak or 0, sample.memory_used)


class EvalState:
    """Every run, GPU and process evalmon knows of."""

    def __init__(self, *, stall_after_s: float = 120.0) -> None:
        self.stall_after_s = stall_after_s
        self._lock = threading.Lock()
        self._runs: dict[RunKey, RunAccumulator] = {}
        self._gpus: dict[tuple[str, int], _GpuTrack] = {}
        self._gpu_unavailable: dict[str, GpuUnavailable] = {}
        self._processes: tuple[ProcSample, ...] = ()
        self._scanning: dict[str, ScanProgress] = {}
        self._warnings: deque[str] = deque(maxlen=MAX_WARNINGS)
        #: /metrics endpoints by URL; each joins the run of the server that listens there
        self._metrics: dict[str, MetricsTrack] = {}

    # ------------------------------------------------------------------ ingest

    def apply_batch(self, batch: FileBatch, now: float = 0.0) -> None:
        with self._lock:
            self._apply_batch(batch, now)

    def apply_batches(self, batches: Iterable[FileBatch], now: float = 0.0) -> None:
        with self._lock:
            for batch in batches:
                self._apply_batch(batch, now)

    # The reducer's vocabulary for one file. A FileBatch (the sources' envelope) is read
    # into these calls by ``_apply_batch``; tests and library users may call them directly.

    def file_warning(self, path: str, warning: str) -> None:
        """A file was skipped or cut (binary, unreadable, over-long lines): said once."""
        with self._lock:
            self._warn(path, warning)

    def file_events(
        self,
        path: str,
        events: Sequence[Located],
        now: float = 0.0,
        *,
        history: bool = False,
        relative_lines: bool = False,
    ) -> None:
        """Events read from ``path``. ``history``: from a tail-first file's background scan,
        older than anything read live; ``relative_lines``: line numbers count from the tail's
        start until :meth:`file_history_done` says how many lines came before it."""
        with self._lock:
            self._events(path, events, now, history, relative_lines)

    def file_scan_progress(self, path: str, scanned_bytes: int, total_bytes: int) -> None:
        """How far a tail-first file's history scan has got ("scanning history 43%")."""
        with self._lock:
            self._scan_progress(path, scanned_bytes, total_bytes)

    def file_history_done(self, path: str, lines_before_tail: int) -> None:
        """A tail-first file's history is in: its live line numbers grow by this many."""
        with self._lock:
            self._history_done(path, lines_before_tail)

    def _apply_batch(self, batch: FileBatch, now: float) -> None:
        if batch.warning:
            self._warn(batch.path, batch.warning)
        if batch.history:
            self._scan_progress(batch.path, batch.scanned_bytes, batch.size_bytes)
        if batch.events and isinstance(batch.events[0].event, MetricsScrape):
            self._apply_scrapes(batch, now)
            return
        # a skipped file (binary, unreadable) or a follower error is a warning, not a run
        if batch.warning and not batch.events and not batch.line_shift:
            return
        if batch.line_shift:
            self._history_done(batch.path, batch.line_shift)
        self._events(batch.path, batch.events, now, batch.history, batch.relative_lines)

    def _warn(self, path: str, warning: str) -> None:
        message = f"{path}: {warning}"
        if message not in self._warnings:
            self._warnings.append(message)

    def _scan_progress(self, path: str, scanned_bytes: int, total_bytes: int) -> None:
        if scanned_bytes >= total_bytes:
            self._scanning.pop(path, None)
        else:
            self._scanning[path] = ScanProgress(path, scanned_bytes, total_bytes)

    def _history_done(self, path: str, lines_before_tail: int) -> None:
        if path and not is_gpu_log(path):
            self._run_for(path).shift_lines(path, lines_before_tail)
        self._scanning.pop(path, None)

    def _events(
        self,
        path: str,
        events: Sequence[Located],
        now: float,
        history: bool,
        relative_lines: bool,
    ) -> None:
        run = self._run_for(path) if path and not is_gpu_log(path) else None
        for located in events:
            event = located.event
            if isinstance(event, GpuSample):
                # a sample read from a file says which file: the GPU panel names its source
                self._add_gpu(event if event.source or not path
                              else replace(event, source=f"gpu-log {path.rsplit('/', 1)[-1]}"))
            elif isinstance(event, GpuUnavailable):
                self._gpu_unavailable[event.host] = event
            elif run is not None:
                run.apply(path, located.line, event, now, history)
        if run is not None and events and not history and not relative_lines:
            last = events[-1].line
            run.lines_by_file[path] = max(run.lines_by_file.get(path, 0), last)

    def _apply_scrapes(self, batch: FileBatch, now: float) -> None:
        """``FileBatch(path=<the metrics URL>, events=(Located(0, scrape), ...))``."""
        for located in batch.events:
            scrape = located.event
            if not isinstance(scrape, MetricsScrape):
                continue
            url = scrape.url or batch.path
            track = self._metrics.get(url)
            if track is None:
                if len(self._metrics) >= MAX_METRICS_URLS:
                    continue
                track = self._metrics[url] = MetricsTrack(url=url)
            track.apply(scrape, now)

    def _run_for(self, path: str) -> RunAccumulator:
        key = run_key(path)
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = RunAccumulator(id=key.name)
        if path not in run.files:
            run.files.append(path)
        return run

    def apply_samples(
        self, samples: Sequence[GpuSample | GpuUnavailable | ProcSample], now: float = 0.0
    ) -> None:
        with self._lock:
            procs = [s for s in samples if isinstance(s, ProcSample)]
            if procs:
                self._processes = tuple(procs)
            for sample in samples:
                if isinstance(sample, GpuSample):
                    self._add_gpu(sample)
                    self._gpu_unavailable.pop(sample.host, None)
                elif isinstance(sample, GpuUnavailable):
                    self._gpu_unavailable[sample.host] = sample

    def set_processes(self, processes: Sequence[ProcSample]) -> None:
        with self._lock:
            self._processes = tuple(processes)

    def _add_gpu(self, sample: GpuSample) -> None:
        key = (sample.host, sample.index)
        track = self._gpus.get(key)
        if track is None:
            track = self._gpus[key] = _GpuTrack(latest=sample)
        track.add(sample)
        self._gpu_unavailable.pop(sample.host, None)

    # ------------------------------------------------------------------ views

    def snapshot(self, now: float = 0.0) -> Snapshot:
        with self._lock:
            gpus = tuple(
                GpuView(
                    host=host,
                    index=index,
                    latest=track.latest,
                    memory_history=tuple(track.history),
                    peak_memory_used=track.peak,
                )
                for (host, index), track in sorted(self._gpus.items())
            )
            alive = (
                any(p.status not in ("zombie", "dead") for p in self._processes)
                if self._processes
                else None
            )
            ids = display_ids(list(self._runs))
            claimed = self._claim_metrics()
            runs: list[RunView] = []
            for key, acc in self._runs.items():
                view = self._run_view(acc, claimed.get(id(acc)), now, gpus, alive)
                if ids[key] != view.id:
                    view = _with_id(view, ids[key])
                runs.append(view)
            taken = {id(t) for t in claimed.values()}
            for url, track in self._metrics.items():
                if id(track) not in taken:
                    alone = RunAccumulator(id=metrics_run_name(url))
                    runs.append(self._run_view(alone, track, now, gpus, alive))
            global_alerts: tuple[Alert, ...] = ()
            return Snapshot(
                runs=tuple(sorted(runs, key=_run_order)),
                gpus=gpus,
                gpu_unavailable=tuple(self._gpu_unavailable.values()),
                processes=self._processes,
                scanning=tuple(self._scanning.values()),
                warnings=tuple(self._warnings),
                generated_at=now,
                alerts=global_alerts,
            )


    def _claim_metrics(self) -> dict[int, MetricsTrack]:
        """Each /metrics URL joins the run whose server said it listens there (same port,
        same host or every interface); id(run accumulator) -> its track."""
        claimed: dict[int, MetricsTrack] = {}
        for track in self._metrics.values():
            for acc in self._runs.values():
                started = acc.server.started
                address = started[1].address if started else ""
                if id(acc) in claimed or not address:
                    continue
                if address == track.discovered_from or same_endpoint(address, track.url):
                    claimed[id(acc)] = track
                    break
        return claimed

    def _run_view(
        self,
        acc: RunAccumulator,
        metrics: MetricsTrack | None,
        now: float,
        gpus: tuple[GpuView, ...],
        alive: bool | None,
    ) -> RunView:
        server = acc.server_view(metrics)
        if server is not None:
            status, reason = server_status(acc, server, metrics, now, self.stall_after_s)
            server = replace(server, status=status, status_reason=reason)
        if server is not None and not acc.has_client:
            run_state = (server.status, server.status_reason)
        else:
            run_state = run_status(acc)
        alerts = run_alerts(acc, run_state[0], now, self.stall_after_s, gpus, alive, server)
        return acc.view(alerts, run_state, server)


def _run_order(run: RunView) -> tuple[int, int | str, str]:
    """Numeric job ids in numeric order, then named runs alphabetically."""
    tail = run.id.rsplit("/", 1)[-1].split("_", 1)[0]
    return (0, int(tail), run.id) if tail.isdigit() else (1, 0, run.id)


def _with_id(view: RunView, run_id: str) -> RunView:
    return replace(view, id=run_id)
