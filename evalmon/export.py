"""Prometheus exposition of the same snapshots the dashboard and the report draw.

:class:`EvalCollector` is a ``prometheus_client`` collector: on every scrape it takes the
latest :class:`~evalmon.state.model.Snapshot` (and, under ``evalmon run``, the supervisor's
:class:`~evalmon.supervisor.model.SupervisorStatus`) and builds the metric families from it.
It reads no log and computes no figure of its own: each value is the one ``evalmon report``
prints (the JSON field is named in each series' help).

Series, one set per run, labelled ``run``, ``host``, ``slurm_job_id``, ``model``, ``task``
(:data:`RUN_LABELS`; a label nobody knows yet is "", which Prometheus treats as no label):

* ``evalmon_requests_done``, ``evalmon_requests_total``, ``evalmon_docs_done``;
* ``evalmon_requests_per_second``, ``evalmon_docs_per_second``, ``evalmon_eta_seconds``;
* ``evalmon_last_progress_timestamp_seconds`` (unix time: ``time() - x > 600`` is a
  no-progress alert) and ``evalmon_run_running`` (1 while the run's client is running);
* ``evalmon_http_responses_total{status}``, ``evalmon_ooms_total``, ``evalmon_batch_size``;
* ``evalmon_engine_running``, ``evalmon_engine_waiting``, ``evalmon_kv_cache_usage_ratio``;
* ``evalmon_run_info`` = 1: the same labels, with the latest values (``slurm_job_id``: the job
  evalmon run --slurm submitted, else SLURM's ``*** JOB N`` line).

A label whose value changes splits a series in two (a counter starts again in the new one),
so the labels of a run's series are held by :class:`RunLabels`: they follow what is known
while the run has counted nothing (lm-eval names its model and tasks before it sends a
request: they split at 0), and once it counted they only go from "" to a value,
never back and never to another value. What can still be learnt after counting began (the
``*** JOB N`` line SLURM prints when it ends a job; a model named only by lm-eval's closing
summary line) splits the series once then; ``evalmon_run_info`` always has the latest values
and joins on ``run, host``.

Under ``evalmon run`` (labels ``run`` = the log folder's name, ``host``, and the job's
``model`` and ``task`` as the runs say them, held the same way; no ``slurm_job_id``: each
attempt is a new SLURM job, which would split the relaunch counter at every relaunch):
``evalmon_attempt`` (the current attempt's number) and
``evalmon_relaunches_total{reason}`` (attempts that ended and were followed by another, by
their outcome: ``oom``, ``failed``, ...).

Cardinality is bounded: at most :data:`MAX_RUNS` runs (the latest), one value per run for
each label (a run's tasks sorted and joined with ",", every value cut to :data:`MAX_LABEL`);
a figure nobody knows yet is absent, never 0.

:class:`Exporter` serves the registry over HTTP (loopback unless told otherwise) and/or
writes it for node_exporter's textfile collector (temp file + rename: atomic).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from evalmon.state.model import RunView, Snapshot

MAX_RUNS = 100
MAX_LABEL = 120
RUN_LABELS = ("run", "host", "slurm_job_id", "model", "task")
INFO_LABELS = RUN_LABELS
JOB_LABELS = ("run", "host", "model", "task")  # evalmon run's own series
LOOPBACK = "127.0.0.1"
DEFAULT_TEXTFILE_INTERVAL_S = 15.0

SnapshotFn = Callable[[], Snapshot]
StatusFn = Callable[[], Any]  # -> SupervisorStatus | None


def _label(value: object) -> str:
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_LABEL]


def requests_total(run: RunView) -> float | None:
    """The run's requests in all (cached ones included): the sum of the report's
    ``rates[].requests_total``; None when lm-eval said none."""
    totals = [r.requests_total for r in run.rates if r.requests_total is not None]
    return float(sum(totals)) if totals else None


def run_labels(run: RunView, host: str) -> list[str]:
    """``run``, ``host``: what identifies a run (its other labels: :func:`info_labels`)."""
    return [_label(run.id), _label(host)]


def info_labels(run: RunView, host: str, jobs: dict[str, str] | None = None) -> list[str]:
    """The values of :data:`RUN_LABELS` known now ("" where unknown). ``jobs``: log file ->
    SLURM job id, as evalmon run --slurm submitted them; without it the job id comes only
    from SLURM's ``*** JOB N ... ***`` lines, which a job that ends normally never prints."""
    known = jobs or {}
    job = next((known[f] for f in map(os.path.normpath, run.files) if f in known), None)
    job = job or next((s.event.job_id for s in reversed(run.signals) if s.event.job_id), None)
    return [*run_labels(run, host), _label(job), _label(run.config.model),
            _label(task_label(run))]


def task_label(run: RunView) -> str:
    """A run's tasks, sorted and joined with "," (one value per run; cut by :func:`_label`)."""
    return ",".join(sorted({t.task for t in run.tasks}))


def has_counted(run: RunView) -> bool:
    """The run's counters have left 0: a request served, a response, an OOM."""
    return bool(run.samples_done) or any(run.http.values()) or bool(run.oom_failures)


class RunLabels:
    """The label values each run's series carry, held across scrapes: while the run has
    counted nothing they follow what is known; after, a value only fills a "" (never goes
    back to "", never changes to another value). Forgets runs no longer exported."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, ...], list[str]] = {}
        self._lock = threading.Lock()

    def hold(self, key: tuple[str, ...], values: list[str], counted: bool) -> list[str]:
        with self._lock:
            held = self._held.get(key)
            if held is None:
                held = self._held[key] = list(values)
            for i, value in enumerate(values):
                if value and (not held[i] or not counted):
                    held[i] = value
            return list(held)

    def keep_only(self, keys: set[tuple[str, ...]]) -> None:
        with self._lock:
            for key in [k for k in self._held if k not in keys]:
                del self._held[key]


class EvalCollector(Collector):
    """Builds the families from the latest snapshot on every scrape (thread-safe: a
    snapshot is immutable). ``scrapes`` counts collections; :meth:`wait_scrape` waits for
    the next one."""

    def __init__(self, snapshot: SnapshotFn, status: StatusFn | None = None, *,
                 host: str | None = None, wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._snapshot = snapshot
        self._status = status
        self.host = host or socket.gethostname()
        self._wall = wall
        self._clock = clock
        self._cond = threading.Condition()
        self.scrapes = 0
        self.labels = RunLabels()  # the values each run's series carry, held across scrapes

    def wait_scrape(self, after: int, timeout: float) -> bool:
        """Wait until more than ``after`` collections happened, at most ``timeout`` s."""
        with self._cond:
            return self._cond.wait_for(lambda: self.scrapes > after, timeout)

    def collect(self) -> Iterator[Metric]:
        try:
            families = self._families()
        finally:
            with self._cond:
                self.scrapes += 1
                self._cond.notify_all()
        yield from families

    # ------------------------------------------------------------------ families

    def _families(self) -> list[Metric]:
        snap = self._snapshot()
        runs = [r for r in snap.runs if r.status != "waiting"][-MAX_RUNS:]
        labels = list(RUN_LABELS)

        def gauge(name: str, doc: str, extra: tuple[str, ...] = ()) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, doc, labels=[*labels, *extra])

        def counter(name: str, doc: str, extra: tuple[str, ...] = ()) -> CounterMetricFamily:
            return CounterMetricFamily(name, doc, labels=[*labels, *extra])

        done = gauge("evalmon_requests_done",
                     "Requests served by the model (cached ones never count); report: "
                     "requests_done")
        total = gauge("evalmon_requests_total",
                      "Requests of the run in all, cached ones included; report: the sum of "
                      "rates[].requests_total")
        docs = gauge("evalmon_docs_done", "Documents the served requests stand for; report: "
                     "docs_done")
        rps = gauge("evalmon_requests_per_second",
                    "Requests served per second over the request bars' run time; report: "
                    "requests_per_s")
        dps = gauge("evalmon_docs_per_second", "Documents per second; report: docs_per_s")
        eta = gauge("evalmon_eta_seconds", "Time left at the current rate, in seconds")
        last = gauge("evalmon_last_progress_timestamp_seconds",
                     "Unix time of the run's last progress (a bar moved)")
        running = gauge("evalmon_run_running", "1 while the run's client is running, else 0")
        http = counter("evalmon_http_responses", "HTTP responses of the server by status; "
                       "report: http", ("status",))
        ooms = counter("evalmon_ooms", "GPU out-of-memory failures (several ranks reporting "
                       "one failure count once); report: oom_failures")
        batch = gauge("evalmon_batch_size", "The client's batch size; report: config.batch_size")
        eng_run = gauge("evalmon_engine_running", "Requests the inference engine runs (last "
                        "sample); report: server.running.last")
        eng_wait = gauge("evalmon_engine_waiting", "Requests waiting in the engine's queue "
                         "(last sample); report: server.waiting.last")
        kv = gauge("evalmon_kv_cache_usage_ratio", "GPU KV cache usage, 0..1 (last sample); "
                   "report: server.kv_cache_usage.last")
        info = GaugeMetricFamily("evalmon_run_info", "What the run is, the latest values known "
                                 "(join on run, host)", labels=list(INFO_LABELS))

        now_mono = snap.generated_at or self._clock()
        now_wall = self._wall()
        jobs = self._slurm_jobs()
        keys: set[tuple[str, ...]] = set()
        for run in runs:
            latest = info_labels(run, self.host, jobs)
            key = ("run", *latest[:2])
            keys.add(key)
            lv = [*latest[:2], *self.labels.hold(key, latest[2:], has_counted(run))]
            info.add_metric([now or held for now, held in zip(latest, lv, strict=True)], 1.0)

            def put(family: Metric, value: float | None, *extra: str, lv: list[str] = lv) -> None:
                if value is not None:
                    family.add_metric([*lv, *extra], float(value))

            put(done, run.samples_done)
            put(total, requests_total(run))
            put(docs, run.docs_done)
            put(rps, run.samples_per_s)
            put(dps, run.docs_per_s)
            put(eta, run.eta_s)
            if run.last_progress_at is not None:
                put(last, now_wall - max(0.0, now_mono - run.last_progress_at))
            put(running, 1.0 if run.status == "running" else 0.0)
            for status, count in sorted(run.http.items()):
                put(http, count, _label(status))
            put(ooms, run.oom_count)
            put(batch, run.batch_size)
            figures = run.server.figures if run.server is not None else None
            if figures is not None:
                put(eng_run, figures.running.last)
                put(eng_wait, figures.waiting.last)
                put(kv, figures.kv_cache_usage.last)
        families: list[Metric] = [done, total, docs, rps, dps, eta, last, running, http, ooms,
                                  batch, eng_run, eng_wait, kv, info]
        families += self._supervisor_families(runs, keys)
        self.labels.keep_only(keys)
        return families

    def _slurm_jobs(self) -> dict[str, str]:
        """Each attempt's log files -> its SLURM job id (evalmon run --slurm)."""
        status = self._status() if self._status is not None else None
        return {
            os.path.normpath(f): a.slurm_job_id
            for a in (status.attempts if status is not None else ())
            if a.slurm_job_id
            for f in a.log_files
        }

    def _supervisor_families(self, runs: list[RunView], keys: set[tuple[str, ...]]
                             ) -> list[Metric]:
        """``evalmon_attempt`` and ``evalmon_relaunches_total``, labelled with the job's
        model and tasks as its runs say them (the latest run that names them), held as a
        run's are; ``keys`` gains the job's key."""
        status = self._status() if self._status is not None else None
        if status is None:
            return []
        job = _label(os.path.basename(os.path.normpath(status.log_dir)) or status.log_dir)
        host = _label(self.host)
        model = next((r.config.model for r in reversed(runs) if r.config.model), None)
        tasks = next((t for t in map(task_label, reversed(runs)) if t), "")
        key = ("job", job, host)
        keys.add(key)
        counted = len(status.attempts) > 1 or any(has_counted(r) for r in runs)
        lv = [job, host, *self.labels.hold(key, [_label(model), _label(tasks)], counted)]
        attempt = GaugeMetricFamily(
            "evalmon_attempt", "The current attempt's number under evalmon run",
            labels=list(JOB_LABELS))
        relaunches = CounterMetricFamily(
            "evalmon_relaunches", "Attempts that ended and were followed by another, by the "
            "ended attempt's outcome", labels=[*JOB_LABELS, "reason"])
        current = status.attempts[-1] if status.attempts else None
        if current is not None:
            attempt.add_metric(lv, float(current.number))
        reasons: dict[str, int] = {}
        for ended in status.attempts[:-1]:
            reasons[ended.outcome] = reasons.get(ended.outcome, 0) + 1
        for reason, count in sorted(reasons.items()):
            relaunches.add_metric([*lv, _label(reason)], float(count))
        return [attempt, relaunches]


# ---------------------------------------------------------------------------- outputs


class ExportError(Exception):
    """One line for the user: the exporter could not start (port taken, folder missing)."""


def textfile_path(target: str, host: str | None = None) -> str:
    """``DIR`` -> ``DIR/evalmon-<host>.prom``; a path ending in ``.prom`` is used as is."""
    if target.endswith(".prom"):
        return target
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in host or socket.gethostname())
    return os.path.join(target, f"evalmon-{safe}.prom")


class Exporter:
    """The registry of one :class:`EvalCollector`, served over HTTP and/or written to a
    textfile every ``textfile_interval_s``. :meth:`start` raises :class:`ExportError`."""

    def __init__(self, collector: EvalCollector, *, port: int | None = None,
                 host: str = LOOPBACK, textfile: str | None = None,
                 textfile_interval_s: float = DEFAULT_TEXTFILE_INTERVAL_S) -> None:
        self.collector = collector
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(collector)
        self.port = port
        self.host = host
        self.textfile = textfile_path(textfile, collector.host) if textfile else None
        self.textfile_interval_s = textfile_interval_s
        self._server: Any = None
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self.address: tuple[str, int] | None = None

    def start(self) -> None:
        if self.textfile:
            folder = os.path.dirname(self.textfile) or "."
            if not os.path.isdir(folder):
                raise ExportError(f"--textfile: no such folder: {folder}")
            self.write_textfile()
        if self.port is not None:
            try:
                server = _serve(self.registry, self.host, self.port)
            except OSError as exc:
                raise ExportError(f"cannot listen on {self.host}:{self.port} for /metrics: "
                                  f"{exc.strerror or exc}") from None
            self._server = server
            self.address = server.server_address[:2]
        if self.textfile:
            self._writer = threading.Thread(target=self._write_loop, name="evalmon-textfile",
                                            daemon=True)
            self._writer.start()

    def write_textfile(self) -> None:
        from prometheus_client.exposition import write_to_textfile

        assert self.textfile
        write_to_textfile(self.textfile, self.registry)  # temp file + rename

    def _write_loop(self) -> None:
        while not self._stop.wait(self.textfile_interval_s):
            try:
                self.write_textfile()
            except OSError as exc:
                print(f"evalmon: --textfile: cannot write {self.textfile}: "
                      f"{exc.strerror or exc}", file=sys.stderr)

    def linger(self, timeout_s: float) -> bool:
        """Once the job is over: keep serving until a scraper that came before has collected
        the final figures (one more scrape), at most ``timeout_s``. No scraper yet: no wait."""
        if self._server is None or self.collector.scrapes == 0 or timeout_s <= 0:
            return False
        return self.collector.wait_scrape(self.collector.scrapes, timeout_s)

    def close(self) -> None:
        self._stop.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        if self.textfile:
            with contextlib.suppress(OSError):
                self.write_textfile()  # the final figures
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(bind: str, header: str) -> bool:
    """On loopback, the ``Host`` header must name loopback: a web page the user opens cannot
    read the figures through DNS rebinding (a name of its own resolved to 127.0.0.1). Bound
    elsewhere on purpose (``--metrics-host``), any name a scraper uses is fine."""
    if not _is_loopback(bind):
        return True
    name = header.strip().lower()
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name in LOOPBACK_NAMES or (bool(name) and _is_loopback(name))


def _serve(registry: CollectorRegistry, host: str, port: int) -> Any:
    """prometheus_client's WSGI app on its threading server (as ``start_http_server``), behind
    the ``Host`` check; returns the server, serving on a daemon thread."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app

    app = make_wsgi_app(registry)

    def guarded(environ: dict[str, Any], start_response: Any) -> Any:
        if not host_allowed(host, environ.get("HTTP_HOST", "")):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"evalmon: this Host is not the address served\n"]
        return app(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = make_server(host, port, guarded, Server, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="evalmon-exporter", daemon=True).start()
    return server


def exposition(collector: EvalCollector) -> str:
    """The Prometheus text of one collection (``evalmon export`` without a port)."""
    from prometheus_client.exposition import generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return generate_latest(registry).decode("utf-8")


# ---------------------------------------------------------------------------- cli glue


def add_exporter_options(parser: Any) -> None:
    """``--metrics-port``, ``--metrics-host``, ``--textfile``: the same words everywhere."""
    parser.add_argument(
        "--metrics-port", type=int, default=None, metavar="PORT",
        help="serve evalmon's own figures as Prometheus series on PORT (/metrics; loopback "
        "unless --metrics-host)")
    parser.add_argument(
        "--metrics-host", default=LOOPBACK, metavar="ADDR",
        help="address for --metrics-port (default 127.0.0.1; anything else is reachable by "
        "whoever reaches the port)")
    parser.add_argument(
        "--textfile", default=None, metavar="DIR",
        help="write the same series to DIR/evalmon-<host>.prom for node_exporter's textfile "
        "collector (atomically, every 15 s and at the end)")


def start_exporter(ns: Any, snapshot: SnapshotFn, status: StatusFn | None = None, *,
                   prog: str = "evalmon") -> Exporter | None:
    """The exporter the options ask for, started; None when none is asked for or it cannot
    start (one line on stderr: the job and the dashboard go on without it)."""
    port = getattr(ns, "metrics_port", None)
    textfile = getattr(ns, "textfile", None)
    if port is None and not textfile:
        return None
    host = getattr(ns, "metrics_host", LOOPBACK) or LOOPBACK
    if port is not None and not 0 <= port < 65536:
        print(f"{prog}: --metrics-port out of range: {port} (no exporter)", file=sys.stderr)
        return None
    from evalmon.cli.dashboard import is_loopback

    if port is not None and not is_loopback(host):
        print(f"{prog}: listening on {host}: anyone who can reach port {port} can read these "
              "figures", file=sys.stderr)
    exporter = Exporter(EvalCollector(snapshot, status), port=port, host=host, textfile=textfile)
    try:
        exporter.start()
    except ExportError as exc:
        print(f"{prog}: {exc} (going on without the exporter)", file=sys.stderr)
        exporter.close()
        return None
    if exporter.address is not None:
        shown = f"[{host}]" if ":" in host else host
        print(f"{prog}: Prometheus series on http://{shown}:{exporter.address[1]}/metrics",
              file=sys.stderr)
    return exporter
