"""The Prometheus exporter: the series equal the report's figures, HTTP on loopback, the
textfile written atomically, a taken port is one line, and evalmon run's supervisor series."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from evalmon import report
from evalmon.export import (
    MAX_LABEL,
    EvalCollector,
    Exporter,
    exposition,
    requests_total,
    start_exporter,
    textfile_path,
)
from evalmon.pipeline import scan
from evalmon.state.model import Snapshot
from evalmon.supervisor.model import Attempt, SupervisorStatus
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"


def series(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def by_run(text: str, name: str) -> dict[str, float]:
    return {dict(labels)["run"]: v for (n, labels), v in series(text).items() if n == name}


@pytest.fixture(scope="module")
def sample_snapshot() -> Snapshot:
    return scan([str(SAMPLES)])


def test_series_equal_the_report_json(sample_snapshot: Snapshot):
    text = exposition(EvalCollector(lambda: sample_snapshot, host="node1"))
    runs = {r["id"]: r for r in report.to_json(sample_snapshot, report.ReportOptions())["runs"]}
    assert runs
    checks = {
        "evalmon_requests_done": "requests_done",
        "evalmon_docs_done": "docs_done",
        "evalmon_requests_per_second": "requests_per_s",
        "evalmon_docs_per_second": "docs_per_s",
    }
    for name, key in checks.items():
        exported = by_run(text, name)
        expected = {rid: r[key] for rid, r in runs.items() if r[key] is not None}
        assert exported.keys() == expected.keys(), name
        for rid, value in expected.items():
            assert exported[rid] == pytest.approx(value, rel=1e-12), (name, rid)
    totals = by_run(text, "evalmon_requests_total")
    for rid, r in runs.items():
        known = [x["requests_total"] for x in r["rates"] if x["requests_total"] is not None]
        if known:
            assert totals[rid] == sum(known)
    ooms = by_run(text, "evalmon_ooms_total")
    assert ooms == {rid: len(r["oom_failures"]) for rid, r in runs.items()}
    http = {
        (dict(labels)["run"], dict(labels)["status"]): v
        for (n, labels), v in series(text).items() if n == "evalmon_http_responses_total"
    }
    assert http == {(rid, s): c for rid, r in runs.items() for s, c in r["http"].items()}
    batch = by_run(text, "evalmon_batch_size")
    for rid, r in runs.items():
        if isinstance(r["config"]["batch_size"], int):
            assert batch[rid] == r["config"]["batch_size"]
    # a run's series are labelled run and host only (stable for its whole life); what the
    # run is (model, task, SLURM job) is on evalmon_run_info
    for (name, labels), _v in series(text).items():
        names = dict(labels)
        if name == "evalmon_run_info":
            assert names.keys() == {"run", "host", "slurm_job_id", "model", "task"}
            assert names["model"] == runs[names["run"]]["config"]["model"]
        else:
            assert names.keys() - {"status"} == {"run", "host"}
        assert names["host"] == "node1"
    assert by_run(text, "evalmon_run_info") == {rid: 1.0 for rid in runs}


def test_oom_run_counts_failures_and_requests_total(sample_snapshot: Snapshot):
    runs = [r for r in sample_snapshot.runs if r.oom_failures]
    assert runs, "sample_logs has an OOM run"
    text = exposition(EvalCollector(lambda: sample_snapshot))
    ooms = by_run(text, "evalmon_ooms_total")
    for run in runs:
        assert ooms[run.id] == len(run.oom_failures) >= 1
        total = requests_total(run)
        if total is not None:
            assert by_run(text, "evalmon_requests_total")[run.id] == total


def test_unknown_figures_are_absent_not_zero():
    empty = Snapshot(runs=(), gpus=(), gpu_unavailable=(), processes=(), scanning=(),
                     warnings=())
    text = exposition(EvalCollector(lambda: empty))
    assert not [k for k in series(text) if k[0].startswith("evalmon_")]


def test_supervisor_series_attempt_and_relaunches_by_reason():
    empty = Snapshot(runs=(), gpus=(), gpu_unavailable=(), processes=(), scanning=(),
                     warnings=())
    status = SupervisorStatus(
        command=("x",), log_dir="/tmp/logs/job7/", state="running",
        attempts=(
            Attempt(1, 256, 0.0, 1.0, outcome="oom"),
            Attempt(2, 128, 1.0, 2.0, outcome="oom"),
            Attempt(3, 64, 2.0, slurm_job_id="991"),
        ),
    )
    text = exposition(EvalCollector(lambda: empty, lambda: status, host="h"))
    s = series(text)
    assert s[("evalmon_attempt", (("host", "h"), ("run", "job7")))] == 3
    assert s[("evalmon_relaunches_total", (("host", "h"), ("reason", "oom"), ("run", "job7")))] == 2


def test_label_values_are_bounded_and_inert(sample_snapshot: Snapshot):
    from dataclasses import replace

    run = sample_snapshot.runs[0]
    hostile = replace(run, id="x" * 1000 + "\x1b[31m\n")
    snap = replace(sample_snapshot, runs=(hostile,))
    text = exposition(EvalCollector(lambda: snap))
    for (_, labels), _v in series(text).items():
        for _k, value in labels:
            assert len(value) <= MAX_LABEL and "\x1b" not in value and "\n" not in value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_serves_on_loopback_and_counts_scrapes(sample_snapshot: Snapshot):
    collector = EvalCollector(lambda: sample_snapshot)
    exporter = Exporter(collector, port=0)
    exporter.start()
    try:
        host, port = exporter.address  # type: ignore[misc]
        assert host == "127.0.0.1"
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
        assert b"evalmon_requests_done{" in body
        assert collector.scrapes >= 1
    finally:
        exporter.close()


def test_taken_port_is_one_line_and_no_exporter(sample_snapshot: Snapshot, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ns = Namespace(metrics_port=port, metrics_host="127.0.0.1", textfile=None)
        assert start_exporter(ns, lambda: sample_snapshot, prog="evalmon run") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"evalmon run: cannot listen on 127.0.0.1:{port} for /metrics")
    assert "going on without the exporter" in err[0]


def test_non_loopback_host_warns_like_serve(sample_snapshot: Snapshot, capsys):
    ns = Namespace(metrics_port=0, metrics_host="0.0.0.0", textfile=None)
    exporter = start_exporter(ns, lambda: sample_snapshot, prog="evalmon")
    try:
        assert exporter is not None
        err = capsys.readouterr().err
        assert "listening on 0.0.0.0: anyone who can reach port" in err
    finally:
        if exporter is not None:
            exporter.close()


def test_textfile_written_atomically_for_node_exporter(sample_snapshot: Snapshot, tmp_path):
    exporter = Exporter(EvalCollector(lambda: sample_snapshot, host="n/1"),
                        textfile=str(tmp_path))
    exporter.start()
    exporter.close()
    path = Path(textfile_path(str(tmp_path), "n/1"))
    assert path.name == "evalmon-n_1.prom"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind
    assert by_run(path.read_text(), "evalmon_requests_done")


def test_textfile_missing_folder_is_one_line(sample_snapshot: Snapshot, tmp_path, capsys):
    ns = Namespace(metrics_port=None, metrics_host="127.0.0.1", textfile=str(tmp_path / "no"))
    assert start_exporter(ns, lambda: sample_snapshot) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such folder" in err[0]


def test_evalmon_export_prints_series_once():
    proc = subprocess.run([sys.executable, "-m", "evalmon", "export", str(SAMPLES)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert by_run(proc.stdout, "evalmon_requests_done")
    # and the report on the same logs agrees
    rep = subprocess.run([sys.executable, "-m", "evalmon", "report", "--format", "json",
                          str(SAMPLES)], capture_output=True, text=True, timeout=120)
    runs = {r["id"]: r for r in json.loads(rep.stdout)["runs"]}
    for rid, value in by_run(proc.stdout, "evalmon_requests_done").items():
        assert value == runs[rid]["requests_done"]


def test_run_with_port_taken_still_supervises(tmp_path):
    fake = Path(__file__).parent / "fake_eval.py"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "evalmon", "run", "--headless", "--metrics-port", str(port),
             "--log-dir", str(tmp_path / "logs"), "--batch-size", "4", "--",
             sys.executable, str(fake), "--batch_size", "4", "--steps", "5"],
            capture_output=True, text=True, timeout=120, env={**os.environ},
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "cannot listen" in ln]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0]
    assert "evalmon: succeeded" in proc.stdout


def test_run_with_unreachable_gpu_metrics_is_one_line_and_still_supervised(tmp_path):
    fake = Path(__file__).parent / "fake_eval.py"
    port = _free_port()  # nothing listens there
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "run", "--headless", "--gpu-metrics",
         f"http://127.0.0.1:{port}/metrics", "--log-dir", str(tmp_path / "logs"),
         "--batch-size", "8", "--", sys.executable, str(fake), "--batch_size", "{batch_size}",
         "--steps", "4", "--oom-above", "4"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "gpu metrics" in ln]
    assert lines == [f"evalmon run: gpu metrics http://127.0.0.1:{port}/metrics: metrics "
                     "unreachable: connection refused"]
    assert "evalmon: succeeded" in proc.stdout  # the OOM was still relaunched smaller
    assert "oom" in proc.stdout


def test_serve_metrics_port_exports_from_the_serve_process(tmp_path):
    import urllib.error

    port, metrics_port = _free_port(), _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon", "serve", "--port", str(port), "--metrics-port",
         str(metrics_port), "--no-gpu", str(SAMPLES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        def exported() -> bytes:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics",
                                              timeout=2).read()
            except (urllib.error.URLError, OSError):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                return b""
            return body if b"evalmon_requests_done{" in body else b""

        body = wait_for(exported, 60, "serve's /metrics with a run's series", step=0.2)
        assert by_run(body.decode(), "evalmon_requests_done")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_loopback_exporter_refuses_a_foreign_host_header(sample_snapshot: Snapshot):
    import http.client

    from evalmon.export import host_allowed

    exporter = Exporter(EvalCollector(lambda: sample_snapshot), port=0)
    exporter.start()
    try:
        _host, port = exporter.address  # type: ignore[misc]
        for header, expected in (("evil.example", 403), (f"127.0.0.1:{port}", 200),
                                 (f"localhost:{port}", 200)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/metrics", headers={"Host": header})
            assert conn.getresponse().status == expected, header
            conn.close()
    finally:
        exporter.close()
    assert host_allowed("127.0.0.1", "[::1]:9464")
    assert not host_allowed("127.0.0.1", "rebind.attacker.example:9464")
    assert host_allowed("0.0.0.0", "node7.cluster:9464")  # bound on purpose: any name
