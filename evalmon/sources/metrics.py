"""Prometheus ``/metrics`` of inference servers as a source: vLLM, SGLang, TGI.

One scrape is one :class:`~evalmon.events.MetricsScrape`: gauges as read, counters and
histograms cumulative (the state turns two consecutive scrapes into rates and latency
percentiles). A scrape never raises and never hangs: the request has a deadline (2 s by
default, connect included), the body a cap (4 MiB), and every failure is a one-line
``error`` ("metrics unreachable: connection refused", "timed out after 2 s") with every figure
None. The text is read with ``prometheus_client``'s own parser.

* :func:`scrape` — one scrape of one URL (blocking, at most the timeout);
* :func:`reduce_metrics` — PURE: Prometheus text in, :class:`MetricsScrape` out;
* :class:`MetricsPoller` — one URL every ``interval_s`` on its own daemon thread;
* :class:`MetricsScraper` — the pollers of a process: the URLs asked for (``--metrics``) and
  those found in server logs (:meth:`MetricsScraper.observe`: a ``ServerStarted`` line that
  names an address on this host whose ``/metrics`` answers). Scrapes reach the pipeline as
  ``FileBatch(path=<url>, events=(Located(0, scrape),))``.

Metric names, and where they come from (each module reads a name only where the server's
own source defines it):

* vLLM (``vllm/v1/metrics/loggers.py``, ``PrometheusStatLogger``; labels ``model_name``,
  ``engine``): gauges ``vllm:num_requests_running``, ``vllm:num_requests_waiting``,
  ``vllm:kv_cache_usage_perc`` (0..1; before 0.10 ``vllm:gpu_cache_usage_perc``, read when
  the new name is absent); counters ``vllm:prompt_tokens_total``,
  ``vllm:generation_tokens_total``, ``vllm:num_preemptions_total``,
  ``vllm:prefix_cache_queries_total`` / ``vllm:prefix_cache_hits_total`` (before:
  ``vllm:gpu_prefix_cache_*``), ``vllm:request_success_total{finished_reason}``; histograms
  ``vllm:time_to_first_token_seconds``, ``vllm:inter_token_latency_seconds`` (older:
  ``vllm:time_per_output_token_seconds``), ``vllm:e2e_request_latency_seconds``.
* SGLang (``python/sglang/srt/metrics/collector.py``; ``--enable-metrics``): gauges
  ``sglang:num_running_reqs``, ``sglang:num_queue_reqs``, ``sglang:token_usage`` (0..1);
  counters ``sglang:prompt_tokens_total``, ``sglang:generation_tokens_total``,
  ``sglang:cached_tokens_total`` (prefix-cache hits, in prompt tokens: the queries are the
  prompt tokens), ``sglang:num_retracted_requests_total`` (SGLang's preemption: a running
  request sent back to the queue), ``sglang:num_requests_total`` /
  ``sglang:num_aborted_requests_total``; histograms ``sglang:time_to_first_token_seconds``,
  ``sglang:inter_token_latency_seconds`` (older ``sglang:time_per_output_token_seconds``),
  ``sglang:e2e_request_latency_seconds``. The ``sglang:cache_hit_rate`` gauge is NOT read:
  the scheduler sets it from the last prefill batch and back to 0 on every decode line.
* TGI (``router/src/server.rs``, ``backends/v3/src/{backend,queue}.rs``,
  ``docs/source/reference/metrics.md``): gauges ``tgi_batch_current_size`` (running) and
  ``tgi_queue_size`` (waiting); ``tgi_request_input_length_sum`` and
  ``tgi_request_generated_tokens_sum`` (the sums of per-request histograms: prompt and
  generated tokens of the requests served); counters ``tgi_request_success`` and
  ``tgi_request_failure{err}``; histograms ``tgi_request_mean_time_per_token_duration``
  (inter-token) and ``tgi_request_duration`` (end to end). TGI has no time-to-first-token
  histogram and no KV usage gauge: those stay empty.
* any kind: ``http_requests_total{status}`` (prometheus-fastapi-instrumentator, which vLLM
  mounts), summed by status.

Several engines (vLLM data parallel ``engine="N"``, SGLang ``dp_rank``) are summed; a usage
fraction is their mean.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import math
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from evalmon.events import (
    Buckets,
    FileBatch,
    Located,
    MetricsScrape,
    ServerShutdown,
    ServerStarted,
)

DEFAULT_INTERVAL_S = 2.0
DEFAULT_TIMEOUT_S = 2.0
MAX_BODY_BYTES = 4 * 1024 * 1024
#: how long an endpoint found in a log may take to answer its first scrape before it is
#: dropped (vLLM prints where it listens a moment before uvicorn accepts connections)
DISCOVERY_WINDOW_S = 60.0
_READ_CHUNK = 64 * 1024
_ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"

Clock = Callable[[], float]
ScrapeCallback = Callable[[FileBatch], None]

# --------------------------------------------------------------------------- URLs


def normalize_url(url: str) -> str:
    """``host:port`` and ``http://host:port`` get the ``/metrics`` path every server here
    serves; anything else is kept as given (checked by :func:`url_error`)."""
    text = url.strip()
    if text and "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return url
    if parts.scheme in ("http", "https") and parts.path in ("", "/"):
        parts = parts._replace(path="/metrics")
    return urlunsplit(parts)


def url_error(url: str) -> str:
    """Why ``url`` cannot be scraped ("" when it can). No I/O."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return "not an http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    if port == 0:
        return "not an http(s) URL"
    if any(c in url for c in "\r\n\t\x00 "):
        return "not an http(s) URL"
    return ""


def endpoint_key(url: str) -> tuple[str, str, int | None, str]:
    """Two spellings of one endpoint compare equal: ``localhost``, ``127.0.0.1`` and the
    wildcard addresses are the same host; default ports are filled in."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return (url, "", None, "")
    if host in ("localhost", "0.0.0.0", "::", "::1") or host.startswith("127."):
        host = "127.0.0.1"
    return (parts.scheme, host, port, parts.path or "/")


# --------------------------------------------------------------------------- this host


def _local_addresses() -> set[str]:
    addresses = {"127.0.0.1", "::1"}
    try:
        import psutil

        for entries in psutil.net_if_addrs().values():
            for entry in entries:
                if entry.family in (socket.AF_INET, socket.AF_INET6):
                    addresses.add(entry.address.split("%", 1)[0])
    except Exception:  # no psutil, or no permission: loopback only
        pass
    return addresses


def _host_names() -> set[str]:
    names = {"localhost"}
    with contextlib.suppress(OSError):
        names.add(socket.gethostname().lower())
    return {n for n in names if n}


def discovered_url(address: str, *, local_addresses: Iterable[str] | None = None,
                   host_names: Iterable[str] | None = None) -> str | None:
    """The ``/metrics`` URL of a server that says it listens on ``address`` (vLLM's
    ``http://0.0.0.0:8000``), or None when that is not on this host.

    On this host: loopback, the wildcard addresses (scraped through loopback), an address
    of one of this host's interfaces, or this host's own name. Names are never resolved
    here (a lookup can block); another host is never scraped unasked.
    """
    text = address.strip().rstrip("/.,;")
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or not port:
        return None
    locals_ = set(local_addresses) if local_addresses is not None else None
    names = set(host_names) if host_names is not None else None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_unspecified:
            host = "127.0.0.1" if ip.version == 4 else "::1"
        elif not ip.is_loopback:
            if locals_ is None:
                locals_ = _local_addresses()
            if str(ip) not in locals_:
                return None
    else:
        if names is None:
            names = _host_names()
        if host not in names:
            return None
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, "/metrics", "", ""))


# --------------------------------------------------------------------------- one scrape


@dataclass(frozen=True, slots=True)
class Fetched:
    """The body of one answer, or why there is none. ``at``: when the answer began."""

    body: bytes | None
    error: str
    at: float
    content_type: str = ""


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _os_error(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "metrics unreachable: connection refused"
    if isinstance(exc, ConnectionResetError):
        return "metrics unreachable: connection reset"
    if isinstance(exc, socket.gaierror):
        return "metrics unreachable: host not found"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "metrics unreachable: TLS certificate not trusted"
    if isinstance(exc, ssl.SSLError):
        return "metrics unreachable: TLS handshake failed"
    reason = exc.strerror or type(exc).__name__
    return f"metrics unreachable: {reason[:1].lower()}{reason[1:]}"


def fetch(
    url: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = MAX_BODY_BYTES,
    clock: Clock = time.monotonic,
) -> Fetched:
    """GET ``url`` within ``timeout_s`` in all (connect, headers and body), at most
    ``max_bytes`` of body. Redirects are not followed. Never raises."""
    start = clock()
    error = url_error(url)
    if error:
        return Fetched(None, error, start)
    parts = urlsplit(url)
    deadline = start + timeout_s
    timed_out = f"timed out after {_seconds(timeout_s)}"
    conn: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
    except Exception:
        return Fetched(None, "not an http(s) URL", start)
    at = start
    try:
        conn.connect()

        def remaining() -> float:
            left = deadline - clock()
            if left <= 0:
                raise TimeoutError
            if conn.sock is not None:
                conn.sock.settimeout(left)
            return left

        remaining()
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        conn.request("GET", target, headers={
            "Accept": _ACCEPT, "Accept-Encoding": "identity", "User-Agent": "evalmon",
        })
        response = conn.getresponse()
        at = clock()
        content_type = (response.getheader("Content-Type") or "").lower()
        if response.status != 200:
            try:
                phrase = HTTPStatus(response.status).phrase
            except ValueError:
                phrase = ""
            status = f"HTTP {response.status} {phrase}".rstrip()
            if 300 <= response.status < 400:
                status += " (redirects are not followed)"
            return Fetched(None, f"metrics endpoint answered {status}", at, content_type)
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining()
            data = response.read1(_READ_CHUNK)
            if not data:
                break
            size += len(data)
            if size > max_bytes:
                limit = f"{max_bytes // (1024 * 1024)} MiB" if max_bytes >= 1024 * 1024 else (
                    f"{max_bytes} bytes")
                return Fetched(None, f"metrics body over {limit}: cut", at, content_type)
            chunks.append(data)
        return Fetched(b"".join(chunks), "", at, content_type)
    except TimeoutError:  # socket.timeout is TimeoutError
        return Fetched(None, timed_out, at)
    except http.client.RemoteDisconnected:
        return Fetched(None, "metrics unreachable: the server closed the connection", at)
    except (http.client.HTTPException, ValueError):
        return Fetched(None, "metrics endpoint did not answer HTTP", at)
    except OSError as exc:
        return Fetched(None, _os_error(exc), at)
    except Exception as exc:  # nothing a server sends may raise past here
        return Fetched(None, f"metrics unreachable: {type(exc).__name__}", at)
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def scrape(
    url: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = MAX_BODY_BYTES,
    clock: Clock = time.monotonic,
    discovered_from: str = "",
) -> MetricsScrape:
    """One scrape of ``url`` reduced to a :class:`MetricsScrape`. Never raises."""
    fetched = fetch(url, timeout_s=timeout_s, max_bytes=max_bytes, clock=clock)
    if fetched.body is None:
        return MetricsScrape(url=url, at=fetched.at, error=fetched.error,
                             discovered_from=discovered_from)
    not_text = _not_prometheus(fetched.body, fetched.content_type)
    if not_text:
        return MetricsScrape(url=url, at=fetched.at, error=not_text,
                             discovered_from=discovered_from)
    return reduce_metrics(fetched.body.decode("utf-8", "replace"), url, fetched.at,
                          discovered_from=discovered_from)


def _not_prometheus(body: bytes, content_type: str) -> str:
    head = body[:512].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype", b"<html", b"<head", b"<body")):
        return "metrics endpoint answered HTML, not Prometheus text"
    if "json" in content_type or head.startswith((b"{", b"[")):
        return "metrics endpoint answered JSON, not Prometheus text"
    if head.startswith(b"<"):
        return "metrics endpoint answered markup, not Prometheus text"
    if b"\x00" in body:
        return "metrics endpoint answered binary data, not Prometheus text"
    return ""


# --------------------------------------------------------------------------- reduce (pure)


class _Samples:
    """Every sample of one exposition by name; the families' names, samples or not."""

    def __init__(self, text: str) -> None:
        from prometheus_client.parser import text_string_to_metric_families

        self.by_name: dict[str, list[tuple[dict[str, str], float]]] = {}
        self.families: set[str] = set()
        for family in text_string_to_metric_families(text):
            self.families.add(family.name)
            for sample in family.samples:
                value = float(sample.value)
                if math.isnan(value):
                    continue
                self.by_name.setdefault(sample.name, []).append((dict(sample.labels), value))

    def has(self, name: str) -> bool:
        return name in self.by_name

    def total(self, *names: str) -> float | None:
        """The sum over every label set of the first of ``names`` present."""
        for name in names:
            values = self.by_name.get(name)
            if values:
                return sum(v for _, v in values)
        return None

    def mean(self, *names: str) -> float | None:
        for name in names:
            values = self.by_name.get(name)
            if values:
                return sum(v for _, v in values) / len(values)
        return None

    def by_label(self, name: str, label: str, *, prefix: str = "",
                 skip: Callable[[dict[str, str]], bool] | None = None
                 ) -> tuple[tuple[str, float], ...]:
        counts: dict[str, float] = {}
        for labels, value in self.by_name.get(name, ()):
            key = labels.get(label)
            if key is None or (skip is not None and skip(labels)):
                continue
            counts[prefix + key] = counts.get(prefix + key, 0.0) + value
        return tuple(sorted(counts.items()))

    def histogram(self, *bases: str) -> Buckets:
        """The cumulative buckets of the first of ``bases`` present, summed over its other
        labels: ``((le, count), ...)`` ascending, ``+Inf`` as ``math.inf``."""
        for base in bases:
            rows = self.by_name.get(base + "_bucket")
            if not rows:
                continue
            counts: dict[float, float] = {}
            for labels, value in rows:
                try:
                    le = float(labels.get("le", "nan"))
                except ValueError:
                    continue
                if math.isnan(le):
                    continue
                counts[le] = counts.get(le, 0.0) + value
            if counts:
                return tuple(sorted(counts.items()))
        return ()


def _kind(samples: _Samples) -> str:
    names = samples.families | set(samples.by_name)
    for kind, prefix in (("vllm", "vllm:"), ("sglang", "sglang:"), ("tgi", "tgi_")):
        if any(n.startswith(prefix) for n in names):
            return kind
    return "unknown"


def _http_statuses(samples: _Samples) -> tuple[tuple[str, float], ...]:
    # our own scrapes are not the server's traffic (the instrumentator vLLM mounts already
    # leaves /metrics out; other servers may not)
    return samples.by_label("http_requests_total", "status",
                            skip=lambda labels: labels.get("handler") == "/metrics")


def reduce_metrics(text: str, url: str, at: float, *, discovered_from: str = "") -> MetricsScrape:
    """Prometheus text exposition in, one :class:`MetricsScrape` out. PURE; never raises:
    text that is not Prometheus is a scrape with ``error`` set."""
    try:
        samples = _Samples(text)
    except Exception:
        return MetricsScrape(url=url, at=at, discovered_from=discovered_from,
                             error="metrics endpoint answered something that is not "
                             "Prometheus text")
    if not samples.families:
        return MetricsScrape(url=url, at=at, discovered_from=discovered_from,
                             error="metrics endpoint answered no metrics")
    kind = _kind(samples)
    common: dict[str, Any] = {
        "url": url, "at": at, "kind": kind, "http_statuses": _http_statuses(samples),
        "discovered_from": discovered_from,
    }
    try:
        if kind == "vllm":
            return MetricsScrape(**common, **_vllm(samples))
        if kind == "sglang":
            return MetricsScrape(**common, **_sglang(samples))
        if kind == "tgi":
            return MetricsScrape(**common, **_tgi(samples))
    except Exception:  # a shape nobody foresaw: say so rather than guess
        return MetricsScrape(url=url, at=at, kind=kind, discovered_from=discovered_from,
                             error=f"{kind} metrics in an unexpected shape")
    return MetricsScrape(**common)


def _vllm(s: _Samples) -> dict[str, Any]:
    queries = "vllm:prefix_cache_queries_total"
    hits = "vllm:prefix_cache_hits_total"
    if not s.has(queries) and not s.has(hits):  # before 0.10 (deprecated in 0.9)
        queries, hits = "vllm:gpu_prefix_cache_queries_total", "vllm:gpu_prefix_cache_hits_total"
    return {
        "running": s.total("vllm:num_requests_running"),
        "waiting": s.total("vllm:num_requests_waiting"),
        "kv_cache_usage": s.mean("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
        "prompt_tokens_total": s.total("vllm:prompt_tokens_total"),
        "generation_tokens_total": s.total("vllm:generation_tokens_total"),
        "preemptions_total": s.total("vllm:num_preemptions_total"),
        "prefix_cache_queries_total": s.total(queries),
        "prefix_cache_hits_total": s.total(hits),
        "requests_total": s.by_label("vllm:request_success_total", "finished_reason"),
        "ttft_s": s.histogram("vllm:time_to_first_token_seconds"),
        "itl_s": s.histogram("vllm:inter_token_latency_seconds",
                             "vllm:time_per_output_token_seconds"),
        "e2e_s": s.histogram("vllm:e2e_request_latency_seconds"),
    }


def _sglang(s: _Samples) -> dict[str, Any]:
    hits = s.total("sglang:cached_tokens_total")
    requests: list[tuple[str, float]] = []
    finished = s.total("sglang:num_requests_total")
    if finished is not None:
        requests.append(("finished", finished))
    aborted = s.total("sglang:num_aborted_requests_total")
    if aborted is not None:
        requests.append(("aborted", aborted))
    prompt = s.total("sglang:prompt_tokens_total")
    return {
        "running": s.total("sglang:num_running_reqs"),
        "waiting": s.total("sglang:num_queue_reqs"),
        "kv_cache_usage": s.mean("sglang:token_usage"),
        "prompt_tokens_total": prompt,
        "generation_tokens_total": s.total("sglang:generation_tokens_total"),
        "preemptions_total": s.total("sglang:num_retracted_requests_total"),
        # the hit rate is cached prompt tokens over prompt tokens, both counted per finished
        # request; without the hits counter (older versions) there is no rate to give
        "prefix_cache_queries_total": prompt if hits is not None else None,
        "prefix_cache_hits_total": hits,
        "requests_total": tuple(requests),
        "ttft_s": s.histogram("sglang:time_to_first_token_seconds"),
        "itl_s": s.histogram("sglang:inter_token_latency_seconds",
                             "sglang:time_per_output_token_seconds"),
        "e2e_s": s.histogram("sglang:e2e_request_latency_seconds"),
    }


def _tgi(s: _Samples) -> dict[str, Any]:
    requests: list[tuple[str, float]] = []
    success = s.total("tgi_request_success", "tgi_request_success_total")
    if success is not None:
        requests.append(("success", success))
    requests += s.by_label("tgi_request_failure", "err", prefix="failed:")
    requests += s.by_label("tgi_request_failure_total", "err", prefix="failed:")
    return {
        "running": s.total("tgi_batch_current_size"),
        "waiting": s.total("tgi_queue_size"),
        "prompt_tokens_total": s.total("tgi_request_input_length_sum"),
        "generation_tokens_total": s.total("tgi_request_generated_tokens_sum"),
        "requests_total": tuple(requests),
        "itl_s": s.histogram("tgi_request_mean_time_per_token_duration"),
        "e2e_s": s.histogram("tgi_request_duration"),
    }


# --------------------------------------------------------------------------- polling


class MetricsPoller:
    """Scrapes one URL every ``interval_s`` on its own daemon thread (the first at once)
    and hands each :class:`MetricsScrape` to ``on_scrape``. A scrape takes at most
    ``timeout_s``, so :meth:`stop` returns within about that."""

    def __init__(
        self,
        url: str,
        on_scrape: Callable[[MetricsScrape], None],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_bytes: int = MAX_BODY_BYTES,
        clock: Clock = time.monotonic,
        discovered_from: str = "",
    ) -> None:
        if interval_s <= 0 or timeout_s <= 0:
            raise ValueError("interval_s and timeout_s must be positive")
        self.url = url
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.discovered_from = discovered_from
        self._clock = clock
        self._on_scrape = on_scrape
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evalmon-metrics", daemon=True)
        self._started = False
        self.scrapes = 0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def cancel(self) -> None:
        """Stop asking (from any thread, its own included); does not wait."""
        self._stop.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop and wait for the scrape under way. Idempotent."""
        self._stop.set()
        if (self._started and self._thread.is_alive()
                and self._thread is not threading.current_thread()):
            self._thread.join(self.timeout_s + 1.0 if timeout is None else timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            t0 = time.monotonic()
            result = scrape(self.url, timeout_s=self.timeout_s, max_bytes=self.max_bytes,
                            clock=self._clock, discovered_from=self.discovered_from)
            self.scrapes += 1
            if self._stop.is_set():
                return
            with contextlib.suppress(Exception):
                self._on_scrape(result)
            delay = max(0.0, self.interval_s - (time.monotonic() - t0))


def as_batch(result: MetricsScrape) -> FileBatch:
    """How a scrape travels the pipeline: a batch whose path is the URL."""
    return FileBatch(path=result.url, events=(Located(0, result),))


@dataclass(slots=True)
class _Endpoint:
    poller: MetricsPoller
    asked: bool  # --metrics: every scrape is delivered, failures too
    since: float  # when it was found (discovered endpoints answer within the window)
    answered: bool = False


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """A log's server found (``url`` set) or gone (``url`` empty, ``previous_url`` set)."""

    path: str
    url: str = ""
    address: str = ""
    previous_url: str = ""


class EndpointFinder:
    """Reads, from the batches of server logs, which ``/metrics`` endpoints on this host the
    servers named (``ServerStarted``: vLLM's ``Starting vLLM server on URL``) and which of
    them stopped since (``ServerShutdown``). No network: whether one answers is the
    scraper's business. Feed it from one thread at a time.

    A big log is read tail first, its history later (from the start, in order): an event in
    a history batch is older than anything in the tail, so history only counts for a file
    whose tail said nothing of its server.
    """

    def __init__(self, *, local_addresses: Iterable[str] | None = None) -> None:
        self._local_addresses = set(local_addresses) if local_addresses is not None else None
        self._by_file: dict[str, tuple[str, str]] = {}  # path -> (url, address)
        self._known: set[str] = set()  # files whose tail had a start or a stop

    def observe(self, batch: FileBatch) -> list[EndpointChange]:
        changes: list[EndpointChange] = []
        if not batch.events:
            return changes
        path = batch.path
        if batch.history and path in self._known:
            return changes
        for located in batch.events:
            event = located.event
            if isinstance(event, ServerStarted):
                if not batch.history:
                    self._known.add(path)
                url = discovered_url(event.address, local_addresses=self._local_addresses)
                previous = self._by_file.pop(path, None)
                if url is None:  # elsewhere, or no address (TGI's "Connected")
                    if previous is not None:
                        changes.append(EndpointChange(path, previous_url=previous[0]))
                    continue
                if previous is not None and previous[0] != url:
                    changes.append(EndpointChange(path, previous_url=previous[0]))
                self._by_file[path] = (url, event.address)
                changes.append(EndpointChange(path, url, event.address))
            elif isinstance(event, ServerShutdown):
                if not batch.history:
                    self._known.add(path)
                previous = self._by_file.pop(path, None)
                if previous is not None:
                    changes.append(EndpointChange(path, previous_url=previous[0]))
        return changes

    def endpoints(self) -> list[tuple[str, str]]:
        """``(url, address)`` of every server whose log says it serves now, one per URL."""
        seen: dict[tuple[str, str, int | None, str], tuple[str, str]] = {}
        for url, address in self._by_file.values():
            seen.setdefault(endpoint_key(url), (url, address))
        return list(seen.values())


class MetricsScraper:
    """The ``/metrics`` endpoints of a process: those asked for and those found in logs.

    ``deliver`` gets one :class:`FileBatch` per scrape, from the pollers' threads. An
    endpoint asked for (:meth:`add`) reports every scrape, failures included, so a bad URL
    is a clear state on screen. One found in a log (:meth:`observe`) is used only once it
    answers: until its first good scrape nothing is delivered, and after
    :data:`DISCOVERY_WINDOW_S` without one it is dropped without a word. After that it is
    like the others (a server that dies shows as "metrics unreachable: connection
    refused"); its log's ``ServerShutdown`` ends it.
    """

    def __init__(
        self,
        deliver: ScrapeCallback,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        discover: bool = True,
        clock: Clock = time.monotonic,
        discovery_window_s: float = DISCOVERY_WINDOW_S,
        local_addresses: Iterable[str] | None = None,
    ) -> None:
        self.deliver = deliver
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.discover = discover
        self.clock = clock
        self.discovery_window_s = discovery_window_s
        self._finder = EndpointFinder(local_addresses=local_addresses)
        self._lock = threading.Lock()
        self._endpoints: dict[tuple[str, str, int | None, str], _Endpoint] = {}
        self._started = False
        self._stopped = False

    # ------------------------------------------------------------------ endpoints

    @property
    def urls(self) -> list[str]:
        with self._lock:
            return [e.poller.url for e in self._endpoints.values() if not e.poller.stopped]

    def add(self, url: str) -> str:
        """Scrape ``url`` (normalized: a bare ``host:port`` gets ``/metrics``); returns it.
        A URL that can never be scraped still gets its endpoint: its one-line error is what
        the user sees."""
        url = normalize_url(url)
        key = endpoint_key(url)
        with self._lock:
            if self._stopped:
                return url
            existing = self._endpoints.get(key)
            if existing is not None and not existing.poller.stopped:
                existing.asked = True
                return existing.poller.url
            self._endpoints[key] = endpoint = _Endpoint(self._poller(url), True, self.clock())
            if self._started:
                endpoint.poller.start()
        return url

    def observe(self, batch: FileBatch) -> None:
        """Look at a batch read from a log for a server saying where it listens (call from
        the follower's thread; cheap, no I/O)."""
        if not self.discover:
            return
        for change in self._finder.observe(batch):
            if change.url:
                self._found(change.url, change.address)
            else:
                self._lost(change.previous_url)

    def _found(self, url: str, address: str) -> None:
        key = endpoint_key(url)
        with self._lock:
            if self._stopped:
                return
            existing = self._endpoints.get(key)
            if existing is not None and not existing.poller.stopped:
                return
            poller = self._poller(url, discovered_from=address)
            self._endpoints[key] = endpoint = _Endpoint(poller, False, self.clock())
            if self._started:
                endpoint.poller.start()

    def _lost(self, url: str) -> None:
        key = endpoint_key(url)
        with self._lock:
            endpoint = self._endpoints.get(key)
            if endpoint is None or endpoint.asked:
                return
            del self._endpoints[key]
        endpoint.poller.cancel()

    def _poller(self, url: str, discovered_from: str = "") -> MetricsPoller:
        holder: list[MetricsPoller] = []
        poller = MetricsPoller(
            url, lambda result: self._on_scrape(holder[0], result), interval_s=self.interval_s,
            timeout_s=self.timeout_s, clock=self.clock, discovered_from=discovered_from,
        )
        holder.append(poller)
        return poller

    def _on_scrape(self, poller: MetricsPoller, result: MetricsScrape) -> None:
        with self._lock:
            endpoint = self._endpoints.get(endpoint_key(poller.url))
            if endpoint is None or endpoint.poller is not poller:
                return
            if not endpoint.asked and not endpoint.answered:
                if result.error:
                    if self.clock() - endpoint.since > self.discovery_window_s:
                        del self._endpoints[endpoint_key(poller.url)]
                        poller.cancel()
                    return
                endpoint.answered = True
        self.deliver(as_batch(result))

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        with self._lock:
            if self._started or self._stopped:
                return
            self._started = True
            pollers = [e.poller for e in self._endpoints.values()]
        for poller in pollers:
            poller.start()

    def stop(self) -> None:
        """Stop every poller; waits at most about one timeout in all. Idempotent."""
        with self._lock:
            self._stopped = True
            pollers = [e.poller for e in self._endpoints.values()]
        for poller in pollers:
            poller.cancel()
        for poller in pollers:
            poller.stop()


# --------------------------------------------------------------------------- one-off


def scrape_all(
    urls: Sequence[str],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Clock = time.monotonic,
    discovered_from: Sequence[str] | None = None,
) -> list[MetricsScrape]:
    """One scrape of each URL, all at once (``evalmon report``): about one timeout in all,
    whatever their number. In the order given."""
    results: list[MetricsScrape | None] = [None] * len(urls)
    origins = list(discovered_from) if discovered_from is not None else [""] * len(urls)

    def one(i: int) -> None:
        results[i] = scrape(urls[i], timeout_s=timeout_s, clock=clock,
                            discovered_from=origins[i])

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s + 2.0)
    return [r if r is not None else MetricsScrape(url=u, at=clock(),
                                                   error=f"timed out after {_seconds(timeout_s)}")
            for r, u in zip(results, urls, strict=True)]


def scrape_twice(
    asked: Sequence[str],
    found: Sequence[tuple[str, str]] = (),
    *,
    interval_s: float | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[MetricsScrape]:
    """What ``evalmon report`` shows: one scrape of every endpoint, or two ``interval_s``
    apart (counters need two for a rate). ``asked`` (``--metrics``) are reported whatever
    happens, failures included; ``found`` ``(url, address)`` pairs from the logs only when
    they answer. In scrape order."""
    urls: list[str] = []
    origins: list[str] = []
    keys: set[tuple[str, str, int | None, str]] = set()
    for url in asked:
        url = normalize_url(url)
        if endpoint_key(url) not in keys:
            keys.add(endpoint_key(url))
            urls.append(url)
            origins.append("")
    n_asked = len(urls)
    for url, address in found:
        if endpoint_key(url) not in keys:
            keys.add(endpoint_key(url))
            urls.append(url)
            origins.append(address)
    if not urls:
        return []
    first = scrape_all(urls, timeout_s=timeout_s, clock=clock, discovered_from=origins)
    keep = [i for i, r in enumerate(first) if i < n_asked or not r.error]
    results = [first[i] for i in keep]
    if interval_s and keep:
        sleep(interval_s)
        results += scrape_all([urls[i] for i in keep], timeout_s=timeout_s, clock=clock,
                              discovered_from=[origins[i] for i in keep])
    return results


__all__ = [
    "DEFAULT_INTERVAL_S",
    "DEFAULT_TIMEOUT_S",
    "DISCOVERY_WINDOW_S",
    "MAX_BODY_BYTES",
    "EndpointChange",
    "EndpointFinder",
    "Fetched",
    "MetricsPoller",
    "MetricsScraper",
    "as_batch",
    "discovered_url",
    "endpoint_key",
    "fetch",
    "normalize_url",
    "reduce_metrics",
    "scrape",
    "scrape_all",
    "scrape_twice",
    "url_error",
]
