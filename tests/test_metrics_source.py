"""sources/metrics.py against real sockets: bad endpoints are one clear line, never a hang and
never a traceback; pollers stop promptly; endpoints found in logs are used only when they are
on this host and answer."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evalmon.events import FileBatch, Located, MetricsScrape, ServerShutdown, ServerStarted
from evalmon.sources.metrics import (
    EndpointFinder,
    MetricsPoller,
    MetricsScraper,
    discovered_url,
    endpoint_key,
    fetch,
    normalize_url,
    scrape,
    scrape_twice,
    url_error,
)
from tests.waiting import wait_for

PROM = (b"# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
        b"# TYPE vllm:num_requests_running gauge\n"
        b'vllm:num_requests_running{engine="0",model_name="m"} 3.0\n')


# ------------------------------------------------------------------------------ servers


class RawServer:
    """A loopback TCP server whose every connection is handled by ``handle(conn)``."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.handle = handle
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(10)
            self.handle(conn)

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def answer(status: str, body: bytes, content_type: str = "text/plain; version=0.0.4",
           extra: str = "") -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        read_request(conn)
        head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n")
        conn.sendall(head.encode() + body)
    return handle


@contextlib.contextmanager
def serving(handle: Callable[[socket.socket], None]) -> Iterator[RawServer]:
    server = RawServer(handle)
    try:
        yield server
    finally:
        server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def never_answers(conn: socket.socket) -> None:
    read_request(conn)
    time.sleep(5)


def drips_forever(conn: socket.socket) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    for _ in range(100):
        conn.sendall(b"#")
        time.sleep(0.1)


def endless_body(conn: socket.socket) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    line = b'vllm:num_requests_running{engine="0",model_name="m"} 1.0\n' * 1000
    while True:
        conn.sendall(line)


def not_http(conn: socket.socket) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    read_request(conn)


def hangs_up(conn: socket.socket) -> None:
    read_request(conn)


# ------------------------------------------------------------------------------ one scrape


def test_a_good_endpoint() -> None:
    with serving(answer("200 OK", PROM)) as server:
        result = scrape(server.url)
    assert (result.kind, result.error, result.running) == ("vllm", "", 3.0)


@pytest.mark.parametrize(("handle", "error"), [
    (answer("200 OK", b"<!doctype html><html><body>Grafana</body></html>", "text/html"),
     "metrics endpoint answered HTML, not Prometheus text"),
    (answer("200 OK", b"<html><title>index</title></html>", "text/plain"),
     "metrics endpoint answered HTML, not Prometheus text"),
    (answer("200 OK", b'{"detail":"Not Found"}', "application/json"),
     "metrics endpoint answered JSON, not Prometheus text"),
    (answer("404 Not Found", b"Not Found"), "metrics endpoint answered HTTP 404 Not Found"),
    (answer("500 Internal Server Error", b"boom"),
     "metrics endpoint answered HTTP 500 Internal Server Error"),
    (answer("302 Found", b"", extra="Location: http://example.com/metrics\r\n"),
     "metrics endpoint answered HTTP 302 Found (redirects are not followed)"),
    (answer("200 OK", b"\x00\x01\x02binary"),
     "metrics endpoint answered binary data, not Prometheus text"),
    (answer("200 OK", b""), "metrics endpoint answered no metrics"),
    (not_http, "metrics endpoint did not answer HTTP"),
    (hangs_up, "metrics unreachable: the server closed the connection"),
])
def test_bad_endpoints_are_one_line(handle: Callable[[socket.socket], None], error: str) -> None:
    with serving(handle) as server:
        result = scrape(server.url, timeout_s=2.0)
    assert result.error == error
    assert result.running is None and result.kind == "unknown"


def test_down_is_connection_refused() -> None:
    result = scrape(f"http://127.0.0.1:{free_port()}/metrics")
    assert result.error == "metrics unreachable: connection refused"


@pytest.mark.parametrize("handle", [never_answers, drips_forever])
def test_slow_is_a_timeout_within_the_deadline(handle: Callable[[socket.socket], None]) -> None:
    with serving(handle) as server:
        t0 = time.monotonic()
        result = scrape(server.url, timeout_s=0.5)
        took = time.monotonic() - t0
    assert result.error == "timed out after 0.5 s"
    assert took < 1.5  # the deadline is for the whole request: a drip does not extend it


def test_huge_is_cut_at_the_cap() -> None:
    with serving(endless_body) as server:
        result = scrape(server.url, timeout_s=10.0)
        assert result.error == "metrics body over 4 MiB: cut"
        small = fetch(server.url, max_bytes=65536)
    assert small.body is None and small.error == "metrics body over 65536 bytes: cut"


@pytest.mark.parametrize("url", [
    "ftp://127.0.0.1/metrics", "file:///etc/passwd", "http://", "javascript:alert(1)",
    "http://127.0.0.1:99999/metrics", "http://127.0.0.1:0/metrics", "", "metrics",
    "http://127.0.0.1:8000/metrics\r\nX-Injected: 1", "http://[::1/metrics",
])
def test_not_http_urls(url: str) -> None:
    result = scrape(url)
    assert result.error == "not an http(s) URL"
    assert url_error(url) == "not an http(s) URL"


def test_normalize_adds_the_metrics_path() -> None:
    assert normalize_url("127.0.0.1:8000") == "http://127.0.0.1:8000/metrics"
    assert normalize_url("http://localhost:30000/") == "http://localhost:30000/metrics"
    assert normalize_url("https://h:1/custom/metrics") == "https://h:1/custom/metrics"
    assert endpoint_key("http://localhost:8000/metrics") == endpoint_key(
        "http://127.0.0.1:8000/metrics")


# ------------------------------------------------------------------------------ this host


@pytest.mark.parametrize(("address", "url"), [
    # vLLM's own start-up lines (tests/test_parsers_vllm.py)
    ("http://0.0.0.0:8080", "http://127.0.0.1:8080/metrics"),
    ("http://127.0.0.1:18431", "http://127.0.0.1:18431/metrics"),
    ("http://[::]:8000", "http://[::1]:8000/metrics"),
    ("http://localhost:8000/", "http://localhost:8000/metrics"),
    ("127.0.0.1:8000.", "http://127.0.0.1:8000/metrics"),
    ("http://192.0.2.7:8000", "http://192.0.2.7:8000/metrics"),  # one of "our" interfaces
    ("http://10.1.2.3:8000", None),  # another host: never scraped unasked
    ("http://gpu-node-7:8000", None),  # a name that is not ours: not resolved, not used
    ("http://0.0.0.0", None),  # no port
    ("unix:///tmp/vllm.sock", None),
    ("", None),
    ("http://0.0.0.0:99999", None),
])
def test_discovered_url(address: str, url: str | None) -> None:
    local = {"127.0.0.1", "::1", "192.0.2.7"}
    assert discovered_url(address, local_addresses=local, host_names={"localhost"}) == url


def started(path: str, address: str, *, history: bool = False) -> FileBatch:
    return FileBatch(path=path, events=(Located(3, ServerStarted("vllm", address)),),
                     history=history)


def shutdown(path: str) -> FileBatch:
    return FileBatch(path=path, events=(Located(9, ServerShutdown("vllm")),))


def test_finder_follows_starts_and_stops() -> None:
    finder = EndpointFinder(local_addresses={"127.0.0.1"})
    assert [c.url for c in finder.observe(started("a.log", "http://0.0.0.0:8000"))] == [
        "http://127.0.0.1:8000/metrics"]
    assert finder.endpoints() == [("http://127.0.0.1:8000/metrics", "http://0.0.0.0:8000")]
    changes = finder.observe(shutdown("a.log"))
    assert [c.previous_url for c in changes] == ["http://127.0.0.1:8000/metrics"]
    assert finder.endpoints() == []
    # a relaunch in the same log, on another port: the old one is gone, the new one found
    finder.observe(started("a.log", "http://0.0.0.0:8000"))
    changes = finder.observe(started("a.log", "http://0.0.0.0:8001"))
    assert [(c.url, c.previous_url) for c in changes] == [
        ("", "http://127.0.0.1:8000/metrics"), ("http://127.0.0.1:8001/metrics", "")]


def test_finder_history_is_older_than_the_tail() -> None:
    finder = EndpointFinder(local_addresses={"127.0.0.1"})
    # the tail (read first) says the server stopped; an older start in the history is stale
    finder.observe(shutdown("big.log"))
    assert finder.observe(started("big.log", "http://0.0.0.0:8000", history=True)) == []
    assert finder.endpoints() == []
    # a tail that says nothing of the server: the history's start counts
    finder.observe(FileBatch(path="other.log", events=(Located(1, MetricsScrape("x", 0.0)),)))
    finder.observe(started("other.log", "http://0.0.0.0:9000", history=True))
    assert [u for u, _ in finder.endpoints()] == ["http://127.0.0.1:9000/metrics"]


# ------------------------------------------------------------------------------ polling


class Sink:
    def __init__(self) -> None:
        self.batches: list[FileBatch] = []
        self.lock = threading.Lock()

    def __call__(self, batch: FileBatch) -> None:
        with self.lock:
            self.batches.append(batch)

    @property
    def scrapes(self) -> list[MetricsScrape]:
        with self.lock:
            return [b.events[0].event for b in self.batches]  # type: ignore[misc]

    def wait(self, n: int, timeout: float = 10.0) -> list[MetricsScrape]:
        wait_for(lambda: len(self.scrapes) >= n, timeout, f"{n} scrapes")
        return self.scrapes


def test_poller_scrapes_until_stopped_and_stops_promptly() -> None:
    got: list[MetricsScrape] = []
    with serving(never_answers) as server:
        poller = MetricsPoller(server.url, got.append, interval_s=0.05, timeout_s=0.3)
        poller.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        poller.stop()
        assert time.monotonic() - t0 < 1.0
    assert got and all(r.error == "timed out after 0.3 s" for r in got)
    n = len(got)
    time.sleep(0.4)
    assert len(got) == n


def test_asked_endpoints_report_every_failure() -> None:
    sink = Sink()
    scraper = MetricsScraper(sink, interval_s=0.05, timeout_s=0.5)
    url = scraper.add(f"127.0.0.1:{free_port()}")
    scraper.start()
    try:
        first = sink.wait(2)[0]
    finally:
        scraper.stop()
    assert first.url == url == sink.batches[0].path
    assert first.error == "metrics unreachable: connection refused"
    assert sink.batches[0].events[0].line == 0


def test_found_endpoints_are_used_only_once_they_answer() -> None:
    sink = Sink()
    scraper = MetricsScraper(sink, interval_s=0.05, timeout_s=0.5, discovery_window_s=0.3,
                             local_addresses={"127.0.0.1"})
    scraper.start()
    try:
        # a server on this host that never answers: silently dropped after the window
        scraper.observe(started("dead.log", f"http://0.0.0.0:{free_port()}"))
        deadline = time.monotonic() + 5
        while scraper.urls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scraper.urls == [] and sink.scrapes == []
        # another host: never even tried
        scraper.observe(started("remote.log", "http://10.9.8.7:8000"))
        assert scraper.urls == []
        with serving(answer("200 OK", PROM)) as server:
            scraper.observe(started("live.log", f"http://0.0.0.0:{server.port}"))
            got = sink.wait(2)
            assert got[0].running == 3.0
            assert got[0].url == f"http://127.0.0.1:{server.port}/metrics"
            assert got[0].discovered_from == f"http://0.0.0.0:{server.port}"
            # its log says it stopped: no more scrapes
            scraper.observe(shutdown("live.log"))
            time.sleep(0.3)
            n = len(sink.scrapes)
            time.sleep(0.3)
            assert len(sink.scrapes) == n and scraper.urls == []
    finally:
        scraper.stop()


def test_a_found_endpoint_that_dies_later_says_so() -> None:
    sink = Sink()
    scraper = MetricsScraper(sink, interval_s=0.05, timeout_s=0.5, local_addresses={"127.0.0.1"})
    scraper.start()
    try:
        server = RawServer(answer("200 OK", PROM))
        scraper.observe(started("live.log", f"http://127.0.0.1:{server.port}"))
        sink.wait(1)
        server.close()
        wait_for(lambda: sink.scrapes[-1].error, 5, "a scrape of the closed server failing")
        assert sink.scrapes[-1].error.startswith("metrics unreachable")
    finally:
        scraper.stop()


def test_scrape_twice_keeps_asked_failures_and_drops_silent_found() -> None:
    slept: list[float] = []
    with serving(answer("200 OK", PROM)) as server:
        dead = f"http://127.0.0.1:{free_port()}/metrics"
        results = scrape_twice(
            [f"127.0.0.1:{server.port}", dead],
            [(f"http://127.0.0.1:{free_port()}/metrics", "http://0.0.0.0:1"),
             (f"http://localhost:{server.port}/metrics", "dup of the asked one")],
            interval_s=3.0, sleep=slept.append,
        )
    assert slept == [3.0]
    assert [(r.url, r.error) for r in results] == [
        (server.url, ""), (dead, "metrics unreachable: connection refused"),
        (server.url, ""), (dead, "metrics unreachable: connection refused"),
    ]
    assert results[0].at <= results[2].at


def test_monitor_finds_a_server_in_its_log(tmp_path: Path) -> None:
    """The pipeline hook: a log line naming where a server listens is enough."""
    from evalmon.pipeline import Monitor

    with serving(answer("200 OK", PROM)) as server:
        (tmp_path / "server-1.log").write_text(
            "(APIServer pid=1) INFO 12-02 12:40:40 [entry.py:140] Starting vLLM server on "
            f"http://127.0.0.1:{server.port}\n")
        monitor = Monitor([str(tmp_path)], poll_interval_s=0.05)
        seen = Sink()
        apply = monitor.state.apply_batch

        def spy(batch: FileBatch, now: float = 0.0) -> None:
            if batch.path.startswith("http"):
                seen(batch)
            apply(batch, now)

        monitor.state.apply_batch = spy  # type: ignore[method-assign]
        monitor.scrape_metrics([], interval_s=0.1)
        with monitor:
            got = seen.wait(1)
        assert got[0].running == 3.0 and got[0].url == server.url
        assert monitor.metrics is None  # stopped with the monitor


def test_monitor_no_metrics_finds_nothing(tmp_path: Path) -> None:
    from evalmon.pipeline import Monitor

    with serving(answer("200 OK", PROM)) as server:
        (tmp_path / "server-1.log").write_text(
            f"INFO 01-01 00:00:00 api_server.py:1] Starting vLLM API server on "
            f"http://0.0.0.0:{server.port}\n")
        monitor = Monitor([str(tmp_path)], poll_interval_s=0.05)
        monitor.scrape_metrics([], discover=False, interval_s=0.1)
        with monitor:
            monitor.read_now()
            time.sleep(0.3)
            assert monitor.metrics.urls == []
