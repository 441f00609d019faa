"""One run's mutable accumulator: events in, a :class:`RunView` out."""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from dataclasses import dataclass, field

from evalmon.events import (
    RECENT_ENGINE_CALLS,
    Alert,
    ApiFailure,
    ApiRetrying,
    AttemptCut,
    CacheStatus,
    EngineConfig,
    Event,
    JobSignal,
    JobState,
    LmEvalStage,
    LmEvalTask,
    OutOfMemory,
    Progress,
    PythonException,
    ResultRow,
    ResultsTableStart,
    RetryAttempt,
    RunConfig,
    ServerException,
    ServerTraffic,
)
from evalmon.state.bars import (
    MAX_BARS_PER_RUN,
    MAX_SERIES_POINTS,
    TrackedBar,
    bar_view,
    is_request_bar,
    samples_per_unit,
    windowed_rate,
)
from evalmon.state.model import (
    BarView,
    EngineBatchStats,
    ExceptionRecord,
    OomRecord,
    RunView,
    ServerView,
    SignalRecord,
    parse_int,
)
from evalmon.state.server import SERVER_EVENTS, MetricsTrack, ServerTracker
from evalmon.state.work import WorkTracker, bar_request_type, work_figures

MAX_RECORDS = 200  # OOMs, exceptions, signals kept per run
#: client statuses of a run that stopped before its work was done
ENDED_EARLY = frozenset({"failed", "oom", "cancelled", "timeout"})
MAX_ENGINE_SERIES = RECENT_ENGINE_CALLS


def merge_config(old: RunConfig, new: RunConfig) -> RunConfig:
    """Fill what ``old`` left empty from ``new``: the init line and the summary agree or add."""
    changes = {
        f.name: getattr(new, f.name)
        for f in dataclasses.fields(RunConfig)
        if f.name != "source" and getattr(old, f.name) is None and getattr(new, f.name) is not None
    }
    return dataclasses.replace(old, **changes) if changes else old


@dataclass(slots=True)
class RunAccumulator:
    id: str
    files: list[str] = field(default_factory=list)
    config: RunConfig = field(default_factory=RunConfig)
    engine_config: EngineConfig = field(default_factory=EngineConfig)
    bars: dict[tuple[str, str], TrackedBar] = field(default_factory=dict)
    finished_bars: deque[TrackedBar] = field(default_factory=lambda: deque(maxlen=MAX_BARS_PER_RUN))
    bar_ordinal: int = 0
    has_request_bars: bool = False
    engine_hist: Counter[int] = field(default_factory=Counter)
    engine_series: deque[int] = field(default_factory=lambda: deque(maxlen=MAX_ENGINE_SERIES))
    http: Counter[int] = field(default_factory=Counter)
    ooms: RecordLog = field(default_factory=lambda: RecordLog())
    exceptions: RecordLog = field(default_factory=lambda: RecordLog())
    signals: RecordLog = field(default_factory=lambda: RecordLog())
    #: bars read from a file's history (tail-first reading): older than ``bars``
    history_bars: dict[tuple[str, str], TrackedBar] = field(default_factory=dict)
    history_finished_bars: deque[TrackedBar] = field(
        default_factory=lambda: deque(maxlen=MAX_BARS_PER_RUN)
    )
    api_failures: int = 0
    retries: int = 0
    server_exceptions: int = 0
    cache: list[CacheStatus] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    #: (run time, samples/s) points; run time = finished request bars' elapsed + current
    series: deque[tuple[float, float]] = field(
        default_factory=lambda: deque(maxlen=MAX_SERIES_POINTS)
    )
    #: the same for the bars of a history scan (older than every live point)
    history_series: deque[tuple[float, float]] = field(
        default_factory=lambda: deque(maxlen=MAX_SERIES_POINTS)
    )
    last_progress_at: float | None = None
    lines_by_file: dict[str, int] = field(default_factory=dict)
    #: the first update read live of each bar key: where a file's tail started within it
    first_live_update: dict[tuple[str, str], Progress] = field(default_factory=dict)
    # ------------------------------------------------------------------ the client's work
    work: WorkTracker = field(default_factory=WorkTracker)
    retrying: int = 0  # ``. Retrying...`` warnings (lm-eval's num_concurrent=1 logs no others)
    groups_table: set[str] = field(default_factory=set)  # files now in a ``|Groups|`` table
    #: the client said it ended: lm-eval's closing summary line
    summary_seen: bool = False
    job_state: JobState | None = None  # the launcher's last word on the job
    #: per file, the evalmon run attempts that began appending to it after its first bytes
    attempt_cuts: dict[str, int] = field(default_factory=dict)
    #: the run's inference server (its files, kind, lifecycle and engine model)
    server: ServerTracker = field(default_factory=ServerTracker)

    # ------------------------------------------------------------------ ingest

    def apply(self, file: str, line: int, event: Event, now: float, history: bool) -> None:
        if isinstance(event, Progress):
            self._progress(file, event, now, history)
        elif isinstance(event, ServerTraffic):
            self._server_traffic(event, history)
            if event:
                self.server.traffic(file, now, history)
        elif isinstance(event, RunConfig):
            self.config = merge_config(self.config, event)
            if event.source == "summary":
                self.summary_seen = True
        elif isinstance(event, EngineConfig):
            self.server.server_file(file)
            self.engine_config = EngineConfig(
                max_batch_size=self.engine_config.max_batch_size or event.max_batch_size,
                max_requests=self.engine_config.max_requests or event.max_requests,
            )
        elif type(event) in SERVER_EVENTS:
            self.server.event(file, line, event, now, history)
        elif isinstance(event, OutOfMemory):
            segment = self.attempt_cuts.get(file, 0)
            self.ooms.add(OomRecord(file, line, event, segment), history)
            self.server.oom_read(file, line, event, history)
        elif isinstance(event, PythonException):
            self.exceptions.add(ExceptionRecord(file, line, event), history)
            self.server.exception_read(file, line, event, history)
        elif isinstance(event, JobSignal):
            self.signals.add(SignalRecord(file, line, event), history)
        elif isinstance(event, ApiFailure):
            self.api_failures += 1
        elif isinstance(event, RetryAttempt):
            self.retries += 1
        elif isinstance(event, ApiRetrying):
            self.retrying += 1
        elif isinstance(event, LmEvalTask):
            self.work.task(file, event, history)
        elif isinstance(event, LmEvalStage):
            self.work.stage_started(file, event, history)
        elif isinstance(event, ResultsTableStart):
            if event.kind == "groups":
                self.groups_table.add(file)
            else:
                self.groups_table.discard(file)
        elif isinstance(event, JobState):
            self.job_state = event
        elif isinstance(event, AttemptCut):
            self.attempt_cuts[file] = self.attempt_cuts.get(file, 0) + 1
        elif isinstance(event, ServerException):
            self.server.server_file(file)
            self.server_exceptions += 1
        elif isinstance(event, CacheStatus):
            self.cache.append(event)
            del self.cache[:-MAX_RECORDS]
            self.work.cache(file, event, history)
        elif isinstance(event, ResultRow) and len(self.results) < 10_000:
            if file in self.groups_table and _already_counted(event, self.results):
                return  # lm-eval's Groups table repeats the groups' rows of the tasks' table
            self.results.append(event)

    @property
    def has_client(self) -> bool:
        """Did an eval client (lm-eval) write any of this run's files?"""
        return bool(
            self.bars
            or self.finished_bars
            or self.history_bars
            or self.history_finished_bars
            or self.config != RunConfig()
            or self.results
            or self.cache
            or self.api_failures
            or self.retries
            or any(
                r.file not in self.server.files
                for log in (self.ooms, self.exceptions, self.signals)
                for r in log.all()
            )
        )

    def server_view(self, metrics: MetricsTrack | None) -> ServerView | None:
        """The run's server (None when it has neither a server file nor a /metrics)."""
        limit = self.engine_config.max_batch_size or self.engine_config.max_requests
        return self.server.view(sum(self.engine_hist.values()), limit, metrics)

    def _server_traffic(self, traffic: ServerTraffic, history: bool) -> None:
        """The counts of many routine lines (see ServerTraffic); the chart shows live calls."""
        for prompts, calls in traffic.engine_calls:
            self.engine_hist[prompts] += calls
        if not history:
            self.engine_series.extend(traffic.engine_recent)
        for status, count in traffic.http_statuses:
            self.http[status] += count

    def _progress(self, file: str, update: Progress, now: float, history: bool) -> None:
        stage = self.work.progress(file, update, history)
        key = (file, update.desc)
        bars, finished = (
            (self.history_bars, self.history_finished_bars)
            if history
            else (self.bars, self.finished_bars)
        )
        bar = bars.get(key)
        if bar is not None and bar.starts_new_bar(update):
            finished.append(bar)
            bar = None
        if bar is None:
            self.bar_ordinal += 1
            # history bars are older than every live bar: order them first
            ordinal = self.bar_ordinal - (1 << 40 if history else 0)
            bar = TrackedBar(
                file=file,
                desc=update.desc,
                latest=update,
                ordinal=ordinal,
                request_type=bar_request_type(update.desc, stage),
                task=self.work.contexts_for.get((file, history)) if not update.desc else None,
            )
            bars[key] = bar
        if not history:
            self.first_live_update.setdefault(key, update)
        changed = update.n != bar.latest.n or update is bar.latest
        bar.latest = update
        if update.elapsed_s is not None:
            bar.points.append((update.elapsed_s, update.n))
        if update.desc and is_request_bar(update.desc, True):
            self.has_request_bars = True
        if changed and not history:
            self.last_progress_at = now
        if history:
            self._add_series_point(bar, self.history_finished_bars, self.history_series)
        else:
            self._add_series_point(bar, self.finished_bars, self.series)

    def _add_series_point(
        self,
        bar: TrackedBar,
        finished: deque[TrackedBar],
        series: deque[tuple[float, float]],
    ) -> None:
        if (
            not is_request_bar(bar.desc, self.has_request_bars, bar.latest.unit)
            or bar.latest.elapsed_s is None
        ):
            return
        _, scale = samples_per_unit(bar.desc, self.config)
        rate = windowed_rate(bar.points, scale or 1.0)
        if rate is None:
            return
        series.append((self._request_seconds(finished) + bar.latest.elapsed_s, rate))

    def _request_seconds(self, bars: deque[TrackedBar]) -> float:
        return sum(
            b.latest.elapsed_s or 0.0
            for b in bars
            if is_request_bar(b.desc, self.has_request_bars, b.latest.unit)
        )

    def _throughput_series(self) -> tuple[tuple[float, float], ...]:
        """History points, then the live ones moved after the history's finished bars.

        A file read tail first delivers its recent bars before the older ones; the live
        points' run time counts only bars seen live, so the history's finished request bars
        come before them (a bar cut by the tail's start is the same bar in both: not
        counted twice).
        """
        if not self.history_series:
            return tuple(self.series)
        ended = deque(self.history_finished_bars)
        ended.extend(self._history_bars_not_continued())
        shift = self._request_seconds(ended)
        return (*self.history_series, *((t + shift, rate) for t, rate in self.series))

    def shift_lines(self, file: str, shift: int) -> None:
        """The tail's line numbers of ``file`` were relative: make them absolute."""
        for log in (self.ooms, self.exceptions, self.signals):
            log.new = [
                dataclasses.replace(rec, line=rec.line + shift) if rec.file == file else rec
                for rec in log.new
            ]

    # ------------------------------------------------------------------ views

    def _history_bars_not_continued(self) -> list[TrackedBar]:
        """The history's last bar of each key, unless the live tail begins inside it.

        Where a file's tail starts in the middle of a bar, the history holds that bar's
        beginning and the live side the rest: the live copy is the whole bar. What decides
        is the first update read live for the key, not the latest (by then the live side
        may have moved on to later bars of the same description).
        """
        out = []
        for key, bar in self.history_bars.items():
            first = self.first_live_update.get(key)
            if first is None or bar.starts_new_bar(first):
                out.append(bar)
        return out

    def all_bar_views(self) -> list[BarView]:
        older = [*self.history_finished_bars, *self._history_bars_not_continued()]
        bars = sorted([*older, *self.finished_bars, *self.bars.values()], key=lambda b: b.ordinal)
        sent = tuple(c.remaining for c in self.cache)
        engine_batch = max(self.engine_hist) if self.engine_hist else None
        for b in bars:
            if b.request_type is None and b.ordinal > 0:
                # a bar read live before any "Running ... requests" line read live: a file
                # read tail first gave that line with its history, later
                b.request_type = self.work.stage.get((b.file, True))
        return [
            bar_view(
                b,
                self.config,
                is_request_bar(b.desc, self.has_request_bars, b.latest.unit),
                self.work.request_counts(b.request_type) if b.request_type else sent,
                engine_batch,
            )
            for b in bars
        ]

    def view(
        self,
        alerts: tuple[Alert, ...],
        status: tuple[str, str],
        server: ServerView | None = None,
    ) -> RunView:
        bars = self.all_bar_views()
        if status[0] != "running":
            # an ended run's rates are what it did, not estimates of what it will do
            bars = [dataclasses.replace(b, early=False) if b.early else b for b in bars]
        work = work_figures(bars, self.work)
        return RunView(
            id=self.id,
            files=tuple(self.files),
            status=status[0],
            status_reason=status[1],
            config=self.config,
            engine_max_batch=self.engine_config.max_batch_size or self.engine_config.max_requests,
            bars=tuple(bars),
            samples_per_s=work.requests_per_s,
            samples_done=work.requests_done,
            eta_s=self._eta(bars),
            throughput_series=self._throughput_series(),
            engine_batches=self.engine_stats(),
            engine_series=tuple(self.engine_series),
            http=dict(sorted(self.http.items())),
            ooms=self.oom_records(),
            exceptions=self.exceptions.all(),
            signals=self.signals.all(),
            api_failures=self.api_failures,
            retries=self.retries or self.retrying,
            server_exceptions=self.server_exceptions,
            cache=tuple(self.cache),
            results=tuple(self.results),
            alerts=alerts,
            last_progress_at=self.last_progress_at,
            lines=sum(self.lines_by_file.values()),
            kind=server.kind if server is not None else "client",
            server=server,
            client=self.has_client or server is None,
            docs_per_s=work.docs_per_s,
            docs_done=work.docs_done,
            rates=work.rates,
            tasks=work.tasks,
            done_fraction=work.done_fraction,
            partial=status[0] in ENDED_EARLY
            and (work.done_fraction is None or work.done_fraction < 1.0),
            early=work.early,
        )

    def _eta(self, bars: list[BarView]) -> float | None:
        """Time left of the live request bar, at its own average rate (the rate shown)."""
        live = [b for b in bars if b.is_request_bar and not b.finished and b.total]
        if not live:
            return None
        bar = max(live, key=lambda b: (b.elapsed_s or 0.0))
        return bar.eta_s

    def oom_records(self) -> tuple[OomRecord, ...]:
        """The OOMs read, but a SIGKILL the log names with no memory word when the launcher
        saw that the job's memory cgroup counted no OOM kill (evalmon run, local jobs)."""
        records = self.ooms.all()
        if self.job_state is None or self.job_state.oom_killed is not False:
            return records
        return tuple(r for r in records if not r.event.signal_only)

    def engine_stats(self) -> EngineBatchStats:
        count = sum(self.engine_hist.values())
        if not count:
            return EngineBatchStats(count=0, min=None, median=None, max=None, at_client_batch=None)
        sizes = sorted(self.engine_hist.items())
        client = parse_int(self.config.batch_size)
        return EngineBatchStats(
            count=count,
            min=sizes[0][0],
            median=_histogram_median(sizes, count),
            max=sizes[-1][0],
            at_client_batch=(
                sum(c for s, c in sizes if s >= client) if client is not None else None
            ),
            histogram=tuple(sizes),
        )


def _histogram_median(sizes: list[tuple[int, int]], count: int) -> float:
    def nth(k: int) -> int:
        seen = 0
        for size, c in sizes:
            seen += c
            if seen > k:
                return size
        return sizes[-1][0]

    if count % 2:
        return float(nth(count // 2))
    return (nth(count // 2 - 1) + nth(count // 2)) / 2


def _already_counted(row: ResultRow, rows: list[ResultRow]) -> bool:
    """A Groups-table row the tasks' table already had (same group, filter, shots, metric)."""
    key = (row.task, row.filter, row.n_shot, row.metric)
    return any((r.task, r.filter, r.n_shot, r.metric) == key for r in reversed(rows))


@dataclass(slots=True)
class RecordLog:
    """Bounded records in file order: history (older, scanned later) before live ones."""

    old: list = field(default_factory=list)
    new: list = field(default_factory=list)

    def add(self, record: object, history: bool) -> None:
        if history:
            if len(self.old) < MAX_RECORDS:
                self.old.append(record)
            return
        self.new.append(record)
        del self.new[:-MAX_RECORDS]

    def all(self) -> tuple:
        return (*self.old, *self.new)
