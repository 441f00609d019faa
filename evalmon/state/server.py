"""The engine model of an inference server: its statistics lines and ``/metrics`` scrapes,
aggregated and bounded.

A busy server logs a statistics line every few seconds (vLLM) or every few decode steps
(SGLang), for days. Nothing here keeps one record per line: each figure keeps its last, max
and min (:class:`FigureAcc`), the chart keeps a bounded series whose buckets double in width
when it fills (:class:`SeriesAcc`), TGI's request timings keep the last
:data:`MAX_TIMINGS` requests. What is kept depends only on the order of the events, never on
how the bytes were read, so a log read in any chunks gives the same figures.

Data-parallel engines each log their own line (vLLM ``Engine 001:``, SGLang ``[... DP3 TP3]``):
the latest line of each is kept and one sample combines them (requests and throughput are
summed, the KV cache is the fullest engine's).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from evalmon.events import (
    EnginePreemption,
    EnginePrefixCache,
    EngineStats,
    Event,
    MetricsScrape,
    OutOfMemory,
    PythonException,
    ServerShutdown,
    ServerStarted,
    SglangBatch,
    SpecDecodeStats,
    TgiConfig,
    TgiError,
    TgiRequest,
)
from evalmon.fmt import count
from evalmon.state.model import (
    EngineFigures,
    EnginePoint,
    FigureView,
    OomRecord,
    Percentiles,
    ServerView,
)

MAX_SERIES_POINTS = 240  # chart buckets kept per source (even)
MAX_ENGINES = 64  # data-parallel engines / DP ranks tracked one by one
MAX_TIMINGS = 4096  # TGI request timings kept for percentiles
RECENT_SAMPLES = 8  # waiting-queue values kept to see a queue grow
KV_FULL = 0.95  # a KV cache this full is "near 100%"


def _none_sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _none_max(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _none_mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass(slots=True)
class FigureAcc:
    """The last, highest and lowest value of one figure."""

    last: float | None = None
    max: float | None = None
    min: float | None = None

    def add(self, value: float | None) -> None:
        value = _finite(value)
        if value is None:
            return
        self.last = value
        self.max = value if self.max is None else max(self.max, value)
        self.min = value if self.min is None else min(self.min, value)

    def view(self, older: FigureAcc | None = None) -> FigureView:
        """This figure after ``older`` (a history scan's, read later but written earlier)."""
        if older is None or older.last is None:
            return FigureView(self.last, self.max, self.min)
        if self.last is None:
            return FigureView(older.last, older.max, older.min)
        return FigureView(
            self.last,
            max(self.max, older.max),  # type: ignore[type-var]
            min(self.min, older.min),  # type: ignore[type-var]
        )


# a chart bucket: [samples, running max, waiting max, kv max, gen sum, gen samples]
_Bucket = list


def _bucket(running: float | None, waiting: float | None, kv: float | None,
            gen: float | None) -> _Bucket:
    return [1, running, waiting, kv, gen or 0.0, 0 if gen is None else 1]


def _fold(a: _Bucket, b: _Bucket) -> _Bucket:
    return [
        a[0] + b[0],
        _none_max([a[1], b[1]]),
        _none_max([a[2], b[2]]),
        _none_max([a[3], b[3]]),
        a[4] + b[4],
        a[5] + b[5],
    ]


def _halve(buckets: list[_Bucket]) -> list[_Bucket]:
    out = [_fold(buckets[i], buckets[i + 1]) for i in range(0, len(buckets) - 1, 2)]
    if len(buckets) % 2:
        out.append(buckets[-1])
    return out


def _point(b: _Bucket) -> EnginePoint:
    return EnginePoint(b[0], b[1], b[2], b[3], b[4] / b[5] if b[5] else None)


@dataclass(slots=True)
class SeriesAcc:
    """Samples in order, folded into at most :data:`MAX_SERIES_POINTS` buckets.

    Every bucket but the last holds ``stride`` samples; when the buckets fill, neighbours
    are folded pairwise and the stride doubles. Deterministic in the sample order."""

    stride: int = 1
    buckets: list[_Bucket] = field(default_factory=list)

    def add(self, running: float | None, waiting: float | None, kv: float | None,
            gen: float | None) -> None:
        new = _bucket(running, waiting, kv, gen)
        if self.buckets and self.buckets[-1][0] < self.stride:
            self.buckets[-1] = _fold(self.buckets[-1], new)
            return
        self.buckets.append(new)
        if len(self.buckets) > MAX_SERIES_POINTS:
            self.buckets = _halve(self.buckets)
            self.stride *= 2

    def points(self, older: SeriesAcc | None = None) -> tuple[EnginePoint, ...]:
        buckets = [*(older.buckets if older else ()), *self.buckets]
        while len(buckets) > MAX_SERIES_POINTS:
            buckets = _halve(buckets)
        return tuple(_point(b) for b in buckets)


def _percentiles(values: deque[float] | list[float]) -> Percentiles:
    ordered = sorted(values)
    if not ordered:
        return Percentiles()

    def nearest_rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return Percentiles(nearest_rank(0.5), nearest_rank(0.99), len(ordered))


# ----------------------------------------------------------------------------- the log


@dataclass(slots=True)
class LogEngine:
    """What a server's log says about its engine (one per run; history scans get their own)."""

    samples: int = 0  # vLLM statistics lines + SGLang batch lines
    engines: dict[object, dict[str, float | None]] = field(default_factory=dict)
    running: FigureAcc = field(default_factory=FigureAcc)
    waiting: FigureAcc = field(default_factory=FigureAcc)
    swapped: FigureAcc = field(default_factory=FigureAcc)
    kv: FigureAcc = field(default_factory=FigureAcc)
    gen: FigureAcc = field(default_factory=FigureAcc)
    prompt: FigureAcc = field(default_factory=FigureAcc)
    prefix: FigureAcc = field(default_factory=FigureAcc)
    spec_rate: FigureAcc = field(default_factory=FigureAcc)
    spec_length: FigureAcc = field(default_factory=FigureAcc)
    tokens: FigureAcc = field(default_factory=FigureAcc)
    series: SeriesAcc = field(default_factory=SeriesAcc)
    recent_waiting: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_SAMPLES))
    kv_full_with_queue: int = 0
    # preemptions: V1 per-interval counts; V0's cumulative counter (restarts add a base)
    preempted_v1: int = 0
    v0_warnings: int = 0
    v0_lines: int = 0  # V0 statistics lines (they print "Swapped")
    v0_cumulative: int | None = None
    v0_base: int = 0
    # SGLang's prefix cache: hit tokens over all prefill tokens (what it printed in 2024)
    sglang_hit_tokens: int = 0
    sglang_prefill_tokens: int = 0
    # TGI
    tgi_requests: int = 0
    tgi_total: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_TIMINGS))
    tgi_queue: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_TIMINGS))
    tgi_inference: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_TIMINGS))
    tgi_per_token: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_TIMINGS))
    tgi_errors: Counter[str] = field(default_factory=Counter)
    tgi_config: TgiConfig | None = None

    # ------------------------------------------------------------------ vLLM

    def vllm_stats(self, stats: EngineStats) -> None:
        key: object = ("all", stats.aggregated_engines) if stats.aggregated_engines else (
            stats.engine or 0
        )
        self._engine_line(
            key,
            {
                "running": stats.running,
                "waiting": stats.waiting,
                "swapped": stats.swapped,
                "kv": None if stats.kv_cache_usage_pct is None else stats.kv_cache_usage_pct / 100,
                "gen": stats.generation_tokens_per_s,
                "prompt": stats.prompt_tokens_per_s,
                "prefix": (
                    None if stats.prefix_cache_hit_pct is None else stats.prefix_cache_hit_pct / 100
                ),
            },
        )
        if stats.preemptions:
            self.preempted_v1 += stats.preemptions
        if stats.swapped is not None:
            self.v0_lines += 1

    def vllm_prefix_cache(self, event: EnginePrefixCache) -> None:
        if event.gpu_hit_pct is not None:
            self.prefix.add(event.gpu_hit_pct / 100)

    def vllm_spec_decode(self, event: SpecDecodeStats) -> None:
        if event.acceptance_rate_pct is not None:
            self.spec_rate.add(event.acceptance_rate_pct / 100)
        self.spec_length.add(event.mean_acceptance_length)

    def vllm_preemption(self, event: EnginePreemption) -> None:
        self.v0_warnings += 1
        if event.cumulative is None:
            return
        if self.v0_cumulative is not None and event.cumulative < self.v0_cumulative:
            self.v0_base += self.v0_cumulative  # the server restarted: its counter too
        self.v0_cumulative = event.cumulative

    # ------------------------------------------------------------------ SGLang

    def sglang_batch(self, batch: SglangBatch) -> None:
        if batch.phase == "prefill" and batch.new_tokens is not None and (
            batch.cached_tokens is not None
        ):
            # only lines that state both: a line without #cached-token (cut short) says
            # nothing of the cache, not "0 hits"
            self.sglang_hit_tokens += batch.cached_tokens
            self.sglang_prefill_tokens += batch.new_tokens + batch.cached_tokens
        if batch.cache_hit_pct is not None:
            prefix: float | None = batch.cache_hit_pct / 100
        elif self.sglang_prefill_tokens:
            prefix = self.sglang_hit_tokens / self.sglang_prefill_tokens
        else:
            prefix = None
        key = batch.dp_rank or 0
        previous = self.engines.get(key, {})
        running = batch.running_reqs
        if batch.phase == "prefill" and running is not None:
            # a prefill line's #running-req is the decode batch it joins: its new
            # sequences run too
            running += batch.new_seqs or 0
        self._engine_line(
            key,
            {
                "running": running,
                "waiting": batch.queue_reqs,
                "kv": batch.token_usage,
                "tokens": batch.tokens,
                # a rank's throughput is its last decode (prefill) line's
                "gen": batch.generation_tokens_per_s
                if batch.phase == "decode"
                else previous.get("gen"),
                "prompt": batch.input_tokens_per_s
                if batch.phase == "prefill"
                else previous.get("prompt"),
            },
            keep=previous,
        )
        self.prefix.add(prefix)
        if batch.spec_accept_rate is not None:
            self.spec_rate.add(batch.spec_accept_rate)
        self.spec_length.add(batch.spec_accept_length)

    # ------------------------------------------------------------------ TGI

    def tgi_request(self, request: TgiRequest) -> None:
        self.tgi_requests += 1
        for values, value in (
            (self.tgi_total, request.total_s),
            (self.tgi_queue, request.queue_s),
            (self.tgi_inference, request.inference_s),
            (self.tgi_per_token, request.time_per_token_s),
        ):
            value = _finite(value)
            if value is not None:
                values.append(value)

    def tgi_settings(self, config: TgiConfig) -> None:
        old = self.tgi_config or TgiConfig()
        merged = {}
        for name in TgiConfig.__dataclass_fields__:
            value = getattr(old, name)
            merged[name] = value if value is not None else getattr(config, name)
        self.tgi_config = TgiConfig(**merged)

    # ------------------------------------------------------------------ shared

    def _engine_line(
        self, key: object, values: dict[str, float | None], keep: dict | None = None
    ) -> None:
        if key in self.engines or len(self.engines) < MAX_ENGINES:
            merged = dict(keep or {})
            merged.update({k: v for k, v in values.items() if v is not None or k not in merged})
            self.engines[key] = merged
        engines = list(self.engines.values()) or [values]
        sample = {
            "running": _none_sum([e.get("running") for e in engines]),
            "waiting": _none_sum([e.get("waiting") for e in engines]),
            "swapped": _none_sum([e.get("swapped") for e in engines]),
            "kv": _none_max([e.get("kv") for e in engines]),
            "gen": _none_sum([e.get("gen") for e in engines]),
            "prompt": _none_sum([e.get("prompt") for e in engines]),
            "prefix": _none_mean([e.get("prefix") for e in engines]),
            "tokens": _none_sum([e.get("tokens") for e in engines]),
        }
        self.samples += 1
        self.running.add(sample["running"])
        self.waiting.add(sample["waiting"])
        self.swapped.add(sample["swapped"])
        self.kv.add(sample["kv"])
        self.gen.add(sample["gen"])
        self.prompt.add(sample["prompt"])
        self.prefix.add(sample["prefix"])
        self.tokens.add(sample["tokens"])
        self.series.add(sample["running"], sample["waiting"], sample["kv"], sample["gen"])
        waiting = sample["waiting"]
        if waiting is not None:
            self.recent_waiting.append(waiting)
        kv = sample["kv"]
        if kv is not None and kv >= KV_FULL and (waiting or 0) > 0:
            self.kv_full_with_queue += 1

    def preemptions(self, older: LogEngine | None = None) -> tuple[int | None, bool]:
        """(preemptions, a lower bound?). V0 warns at the 1st, 51st, 101st... preemption with
        the cumulative count: zero warnings on a V0 log is an exact 0, a warning's count a
        lower bound. V1 lines print the count only when there were some (and older V1
        versions never do): without one, the count is unknown."""
        parts = [self] + ([older] if older else [])
        v1 = sum(p.preempted_v1 for p in parts)
        warned = any(p.v0_warnings for p in parts)
        if v1 or warned:
            v0 = max(
                p.v0_base + (p.v0_cumulative if p.v0_cumulative is not None else p.v0_warnings)
                for p in parts
            )
            return v1 + v0, warned
        return (0 if any(p.v0_lines for p in parts) else None), False

    def figures(self, kind: str, older: LogEngine | None = None) -> EngineFigures:
        if kind == "tgi":
            return self._tgi_figures(older)
        preemptions, at_least = self.preemptions(older)
        recent = list(self.recent_waiting)
        if older is not None and len(recent) < RECENT_SAMPLES:
            recent = [*older.recent_waiting, *recent][-RECENT_SAMPLES:]
        return EngineFigures(
            source="log",
            samples=self.samples + (older.samples if older else 0),
            running=self.running.view(older and older.running),
            waiting=self.waiting.view(older and older.waiting),
            swapped=self.swapped.view(older and older.swapped),
            kv_cache_usage=self.kv.view(older and older.kv),
            gen_tokens_per_s=self.gen.view(older and older.gen),
            prompt_tokens_per_s=self.prompt.view(older and older.prompt),
            prefix_cache_hit_rate=self.prefix.view(older and older.prefix),
            spec_acceptance_rate=self.spec_rate.view(older and older.spec_rate),
            spec_acceptance_length=self.spec_length.view(older and older.spec_length),
            tokens_in_use=self.tokens.view(older and older.tokens),
            preemptions=preemptions,
            preemptions_at_least=at_least,
            series=self.series.points(older and older.series),
            recent_waiting=tuple(recent),
            kv_full_with_queue=self.kv_full_with_queue + (older.kv_full_with_queue if older else 0),
        )

    def _tgi_figures(self, older: LogEngine | None) -> EngineFigures:
        def both(name: str) -> list[float]:
            newer: deque[float] = getattr(self, name)
            if older is None:
                return list(newer)
            return [*getattr(older, name), *newer][-MAX_TIMINGS:]

        total = both("tgi_total")
        requests = self.tgi_requests + (older.tgi_requests if older else 0)
        errors = Counter(self.tgi_errors)
        if older is not None:
            errors.update(older.tgi_errors)
        window = (
            f"the last {count(len(total))} requests" if requests > len(total)
            else f"all {count(len(total))} requests" if len(total) != 1 else "the one request"
        )
        return EngineFigures(
            source="log",
            samples=requests,
            latency_s=(
                ("e2e", _percentiles(total)),
                ("itl", _percentiles(both("tgi_per_token"))),
                ("queue", _percentiles(both("tgi_queue"))),
                ("inference", _percentiles(both("tgi_inference"))),
            ),
            latency_window=window if total else "",
            requests=requests,
            errors=tuple(sorted(errors.items())),
        )


# ----------------------------------------------------------------------------- /metrics


def bucket_quantile(q: float, buckets: tuple[tuple[float, float], ...]) -> float | None:
    """Prometheus' ``histogram_quantile``: linear within the bucket, the highest finite bound
    when the rank falls in ``+Inf``."""
    if not buckets:
        return None
    total = buckets[-1][1]
    if not total or total <= 0:
        return None
    rank = q * total
    prev_le, prev_count = 0.0, 0.0
    for le, cum in buckets:
        if cum >= rank:
            if math.isinf(le):
                return prev_le
            if cum == prev_count:
                return le
            return prev_le + (le - prev_le) * (rank - prev_count) / (cum - prev_count)
        prev_le, prev_count = le, cum
    return prev_le


def _bucket_delta(
    new: tuple[tuple[float, float], ...], old: tuple[tuple[float, float], ...]
) -> tuple[tuple[float, float], ...]:
    """The observations between two scrapes of one histogram (``new`` alone after a reset)."""
    if [le for le, _ in new] != [le for le, _ in old]:
        return new
    delta = tuple((le, c - o) for (le, c), (_, o) in zip(new, old, strict=True))
    return new if any(c < 0 for _, c in delta) else delta


def _counter_rate(new: float | None, old: float | None, seconds: float) -> float | None:
    if new is None or old is None or seconds <= 0 or new < old:
        return None
    return (new - old) / seconds


@dataclass(slots=True)
class MetricsTrack:
    """The scrapes of one ``/metrics`` URL: gauges as read, rates and latency percentiles
    between consecutive successful scrapes, and the last error."""

    url: str
    kind: str = "unknown"
    scrapes: int = 0  # successful
    failures: int = 0
    error: str = ""  # the latest scrape's error; "" when it succeeded
    last: MetricsScrape | None = None
    #: the last pair of consecutive scrapes between which requests finished
    latency_pair: tuple[MetricsScrape, MetricsScrape] | None = None
    running: FigureAcc = field(default_factory=FigureAcc)
    waiting: FigureAcc = field(default_factory=FigureAcc)
    kv: FigureAcc = field(default_factory=FigureAcc)
    gen: FigureAcc = field(default_factory=FigureAcc)
    prompt: FigureAcc = field(default_factory=FigureAcc)
    prefix: FigureAcc = field(default_factory=FigureAcc)
    series: SeriesAcc = field(default_factory=SeriesAcc)
    recent_waiting: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_SAMPLES))
    kv_full_with_queue: int = 0
    last_ok_at: float | None = None  # the reducer's clock when the last good scrape arrived
    #: the server start-up address this URL was derived from (found without being asked)
    discovered_from: str = ""

    def apply(self, scrape: MetricsScrape, now: float) -> None:
        if scrape.kind != "unknown":
            self.kind = scrape.kind
        self.discovered_from = getattr(scrape, "discovered_from", "") or self.discovered_from
        if scrape.error:
            self.failures += 1
            self.error = scrape.error
            return
        self.error = ""
        self.scrapes += 1
        self.last_ok_at = now
        previous = self.last
        gen = prompt = prefix = None
        if previous is not None:
            seconds = scrape.at - previous.at
            gen = _counter_rate(scrape.generation_tokens_total, previous.generation_tokens_total,
                                seconds)
            prompt = _counter_rate(scrape.prompt_tokens_total, previous.prompt_tokens_total,
                                   seconds)
            queries = _counter_rate(scrape.prefix_cache_queries_total,
                                    previous.prefix_cache_queries_total, 1.0)
            hits = _counter_rate(scrape.prefix_cache_hits_total,
                                 previous.prefix_cache_hits_total, 1.0)
            if queries and hits is not None:
                prefix = hits / queries
            finished = _bucket_delta(scrape.e2e_s, previous.e2e_s) or _bucket_delta(
                scrape.ttft_s, previous.ttft_s
            )
            if finished and finished[-1][1] > 0:
                self.latency_pair = (previous, scrape)
        self.last = scrape
        self.running.add(scrape.running)
        self.waiting.add(scrape.waiting)
        self.kv.add(scrape.kv_cache_usage)
        self.gen.add(gen)
        self.prompt.add(prompt)
        self.prefix.add(prefix)
        self.series.add(scrape.running, scrape.waiting, scrape.kv_cache_usage, gen)
        if scrape.waiting is not None:
            self.recent_waiting.append(scrape.waiting)
        if (scrape.kv_cache_usage or 0) >= KV_FULL and (scrape.waiting or 0) > 0:
            self.kv_full_with_queue += 1

    def figures(self) -> EngineFigures:
        latency: list[tuple[str, Percentiles]] = []
        window = ""
        if self.latency_pair is not None:
            old, new = self.latency_pair
            for name, attr in (("ttft", "ttft_s"), ("itl", "itl_s"), ("e2e", "e2e_s")):
                delta = _bucket_delta(getattr(new, attr), getattr(old, attr))
                n = int(delta[-1][1]) if delta else 0
                latency.append(
                    (name, Percentiles(bucket_quantile(0.5, delta), bucket_quantile(0.99, delta), n)
                     if n > 0 else Percentiles())
                )
            window = f"the requests finished in the {new.at - old.at:.0f}s between two scrapes"
        preemptions = (
            int(self.last.preemptions_total)
            if self.last is not None and self.last.preemptions_total is not None
            else None
        )
        return EngineFigures(
            source="metrics",
            samples=self.scrapes,
            running=self.running.view(),
            waiting=self.waiting.view(),
            kv_cache_usage=self.kv.view(),
            gen_tokens_per_s=self.gen.view(),
            prompt_tokens_per_s=self.prompt.view(),
            prefix_cache_hit_rate=self.prefix.view(),
            preemptions=preemptions,
            latency_s=tuple(latency),
            latency_window=window,
            series=self.series.points(),
            recent_waiting=tuple(self.recent_waiting),
            kv_full_with_queue=self.kv_full_with_queue,
        )


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_ANY_HOST = frozenset({"", "0.0.0.0", "::"})


def _host_port(address: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(address if "://" in address else f"http://{address}")
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        return (parts.hostname or "").lower(), port
    except ValueError:
        return None


def same_endpoint(server_address: str, url: str) -> bool:
    """Does the ``/metrics`` at ``url`` belong to the server that said it listens at
    ``server_address``? Same port, and the same host (or the server listens on every
    interface, or both name this machine)."""
    if not server_address:
        return False
    server, scraped = _host_port(server_address), _host_port(url)
    if server is None or scraped is None or server[1] != scraped[1]:
        return False
    (host, _), (other, _) = server, scraped
    return host == other or host in _ANY_HOST or (host in _LOCAL_HOSTS and other in _LOCAL_HOSTS)


def metrics_run_name(url: str) -> str:
    """A run of its own for a ``/metrics`` no server log claims: named after its URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path if parts.path not in ("", "/", "/metrics") else ""
    return (parts.netloc + path) or url


# ----------------------------------------------------------------------------- one run's server

MAX_FAILURE_LINES = 64  # (file, line) of recent TGI errors and OOMs: one failure, two events

#: the server kind each event is evidence of
_KIND_OF: dict[type, str] = {
    EngineStats: "vllm",
    EnginePrefixCache: "vllm",
    SpecDecodeStats: "vllm",
    EnginePreemption: "vllm",
    SglangBatch: "sglang",
    TgiRequest: "tgi",
    TgiError: "tgi",
    TgiConfig: "tgi",
}
#: the events :meth:`ServerTracker.event` takes
SERVER_EVENTS = frozenset({*_KIND_OF, ServerStarted, ServerShutdown})
KINDS = ("vllm", "sglang", "tgi", "megatron")
#: Python exceptions a server prints when it is stopped on purpose
_STOP_EXCEPTIONS = ("KeyboardInterrupt", "CancelledError", "SystemExit")

#: where an event sits in its run's server history: a history scan's lines (older) before
#: the lines read live, each in line order. ServerTraffic has none: it sits at its read's
#: last line, wherever the read ended.
Order = tuple[int, int]


@dataclass(slots=True)
class ServerTracker:
    """A run's inference server: which files it wrote, its kind, its lifecycle marks (last
    start, stop, exception, fatal OOM, statistics line or served request, in file order) and
    its engine model (:class:`LogEngine`; a history scan's apart, merged in the view)."""

    files: set[str] = field(default_factory=set)
    engine: LogEngine = field(default_factory=LogEngine)
    history_engine: LogEngine = field(default_factory=LogEngine)
    kind_votes: Counter[str] = field(default_factory=Counter)
    started: tuple[Order, ServerStarted] | None = None
    stopped: tuple[Order, ServerShutdown] | None = None
    exception: tuple[Order, PythonException] | None = None
    oom: tuple[Order, OomRecord] | None = None
    activity: Order | None = None  # the last statistics line or served request
    activity_at: float | None = None  # the reducer's clock when the server last did work
    failure_lines: dict[tuple[str, int], str] = field(default_factory=dict)

    def _mark(self, name: str, order: Order, value: object) -> None:
        current = getattr(self, name)
        if current is None or order >= current[0]:
            setattr(self, name, (order, value))

    def event(self, file: str, line: int, event: Event, now: float, history: bool) -> None:
        """One of :data:`SERVER_EVENTS`."""
        self.files.add(file)
        order: Order = (1 - history, line)
        engine = self.history_engine if history else self.engine
        kind = _KIND_OF.get(type(event))
        if kind is not None:
            self.kind_votes[kind] += 1
        if isinstance(event, EngineStats):
            engine.vllm_stats(event)
        elif isinstance(event, SglangBatch):
            engine.sglang_batch(event)
        elif isinstance(event, TgiRequest):
            engine.tgi_request(event)
        elif isinstance(event, EnginePreemption):
            engine.vllm_preemption(event)
        elif isinstance(event, TgiError):
            self._tgi_error(engine, file, line, event)
            return
        elif isinstance(event, TgiConfig):
            engine.tgi_settings(event)
            return
        elif isinstance(event, EnginePrefixCache):
            engine.vllm_prefix_cache(event)
            return
        elif isinstance(event, SpecDecodeStats):
            engine.vllm_spec_decode(event)
            return
        elif isinstance(event, (ServerStarted, ServerShutdown)):
            if event.server in KINDS:
                self.kind_votes[event.server] += 1
            self._mark("started" if isinstance(event, ServerStarted) else "stopped", order, event)
            return
        if self.activity is None or order >= self.activity:
            self.activity = order
        if not history:
            self.activity_at = now

    def server_file(self, file: str) -> None:
        """``file`` is the server's (an engine limit, an access line, a Flask error)."""
        self.files.add(file)

    def traffic(self, file: str, now: float, history: bool) -> None:
        """Routine lines were counted in ``file``: the server served (no place in the file)."""
        self.files.add(file)
        if not history:
            self.activity_at = now

    def exception_read(self, file: str, line: int, exc: PythonException, history: bool) -> None:
        if file in self.files and not exc.type.endswith(_STOP_EXCEPTIONS):
            self._mark("exception", (1 - history, line), exc)

    def oom_read(self, file: str, line: int, oom: OutOfMemory, history: bool) -> None:
        """An OOM; TGI logs a request's CUDA OOM as a failed request on the same line: the
        same failure, counted once, as "oom"."""
        key = (file, line)
        seen = self.failure_lines.get(key)
        if seen is not None and seen not in ("oom", "counted"):
            engine = self.history_engine if history else self.engine
            engine.tgi_errors[seen] -= 1
            engine.tgi_errors += Counter()  # drops the zero count
            engine.tgi_errors["oom"] += 1
            self.failure_lines[key] = "counted"
        elif seen is None:
            self._remember_failure(key, "oom")
        if oom.origin == "vllm-kv":
            self.files.add(file)
            self.kind_votes["vllm"] += 1
        if oom.fatal and file in self.files:
            self._mark("oom", (1 - history, line), OomRecord(file, line, oom))

    def _tgi_error(self, engine: LogEngine, file: str, line: int, error: TgiError) -> None:
        key = (file, line)
        if self.failure_lines.get(key) == "oom":
            engine.tgi_errors["oom"] += 1
            self.failure_lines[key] = "counted"
            return
        engine.tgi_errors[error.kind] += 1
        self._remember_failure(key, error.kind)

    def _remember_failure(self, key: tuple[str, int], kind: str) -> None:
        self.failure_lines[key] = kind
        if len(self.failure_lines) > MAX_FAILURE_LINES:
            del self.failure_lines[next(iter(self.failure_lines))]

    def kind(self, engine_calls: int) -> str:
        """From the events only one kind of server writes (Megatron: its engine calls);
        "unknown" for a server file that says no more, "client" without one."""
        votes = {**self.kind_votes, "megatron": engine_calls}
        best = max(votes.values())
        if best:
            return next((k for k in KINDS if votes.get(k) == best), "unknown")
        return "unknown" if self.files else "client"

    def view(
        self,
        engine_calls: int,
        engine_limit: int | None,
        metrics: MetricsTrack | None,
    ) -> ServerView | None:
        """The server's kind and figures; its status is :func:`evalmon.state.advice.server_status`'s
        to say (left empty here)."""
        if not self.files and metrics is None:
            return None
        kind = self.kind(engine_calls)
        if kind in ("client", "unknown"):
            kind = metrics.kind if metrics is not None else "unknown"
        log = None
        if self.files:
            if kind == "megatron":
                log = EngineFigures(source="log", samples=engine_calls)
            else:
                log = self.engine.figures(kind, older=self.history_engine)
        tgi = self.engine.tgi_config or self.history_engine.tgi_config
        return ServerView(
            kind=kind,
            status="",
            status_reason="",
            log=log,
            metrics=metrics.figures() if metrics is not None else None,
            metrics_url=metrics.url if metrics is not None else "",
            metrics_error=metrics.error if metrics is not None else "",
            address=self.started[1].address if self.started else "",
            engine_limit=engine_limit,
            tgi_max_concurrent_requests=tgi.max_concurrent_requests if tgi else None,
        )
