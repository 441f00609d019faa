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
    # every per-run series carries what the run is: run, host, slurm_job_id, model, task
    # (one value per run: its tasks sorted and joined), and evalmon_run_info the same
    for (name, labels), _v in series(text).items():
        names = dict(labels)
        assert names.keys() - {"status"} == {"run", "host", "slurm_job_id", "model", "task"}, name
        r = runs[names["run"]]
        assert names["model"] == r["config"]["model"] == "megatron-8b"
        assert names["task"] == ",".join(sorted({t["task"] for t in r["tasks"]})) == "hellaswag"
        assert names["slurm_job_id"] == ""  # no SLURM line in the sample logs: unknown
        assert names["host"] == "node1"
    assert by_run(text, "evalmon_run_info") == {rid: 1.0 for rid in runs}


LABELS = ("slurm_job_id", "model", "task")


def labels_of(text: str, run: str, name: str = "evalmon_requests_done") -> tuple[str, ...]:
    [labels] = [dict(k) for (n, k), _v in series(text).items()
                if n == name and dict(k)["run"] == run]
    return tuple(labels[k] for k in LABELS)


def test_labels_follow_what_is_known_until_the_run_counts_then_only_fill_in(
        sample_snapshot: Snapshot):
    """While a run has counted nothing its labels follow what is known (a split at 0 loses
    nothing); once it counted, a label only goes from "" to a value: never back to "", never
    to another value (evalmon_run_info has the latest)."""
    from dataclasses import replace

    from evalmon.state.model import TaskView

    base = sample_snapshot.runs[0]
    fresh = replace(base, config=replace(base.config, model=None), tasks=(), samples_done=None,
                    http={}, ooms=(), signals=())
    steps = [
        (fresh, ("", "", ""), ("", "", "")),
        (replace(fresh, config=replace(fresh.config, model="m1"),
                 tasks=(TaskView("b", None, None),)), ("", "m1", "b"), ("", "m1", "b")),
        # more tasks named, still nothing counted: the label follows
        (replace(fresh, config=replace(fresh.config, model="m1"),
                 tasks=(TaskView("b", None, None), TaskView("a", None, None))),
         ("", "m1", "a,b"), ("", "m1", "a,b")),
        # counted: another model name does not move the series, only the info
        (replace(fresh, config=replace(fresh.config, model="m2"), samples_done=8.0,
                 tasks=(TaskView("a", None, None),)), ("", "m1", "a,b"), ("", "m2", "a")),
        # forgotten values never flip a label back to ""
        (replace(fresh, samples_done=16.0), ("", "m1", "a,b"), ("", "m1", "a,b")),
    ]
    snap = [replace(sample_snapshot, runs=(fresh,))]
    collector = EvalCollector(lambda: snap[0], host="h")
    for run, on_series, on_info in steps:
        snap[0] = replace(sample_snapshot, runs=(run,))
        text = exposition(collector)
        assert labels_of(text, run.id, "evalmon_run_running") == on_series
        assert labels_of(text, run.id, "evalmon_ooms_total") == on_series
        assert labels_of(text, run.id, "evalmon_run_info") == on_info
    # a label still unknown when counting began is filled in once: the one split after
    # counting (SLURM's *** JOB N line comes when SLURM ends the job: test_export_slurm_job)
    counted = replace(fresh, config=replace(fresh.config, model="m"), samples_done=8.0)
    snap[0] = replace(sample_snapshot, runs=(counted,))
    collector = EvalCollector(lambda: snap[0], host="h")
    assert labels_of(exposition(collector), counted.id) == ("", "m", "")
    snap[0] = replace(sample_snapshot, runs=(replace(counted, tasks=(TaskView("t", None, None),)),))
    assert labels_of(exposition(collector), counted.id) == ("", "m", "t")


def test_many_tasks_are_one_sorted_capped_value(sample_snapshot: Snapshot):
    from dataclasses import replace

    from evalmon.state.model import TaskView

    tasks = tuple(TaskView(f"mmlu_subject_{i:03d}", None, None) for i in range(57, -1, -1))
    snap = replace(sample_snapshot, runs=(replace(sample_snapshot.runs[0], tasks=tasks),))
    text = exposition(EvalCollector(lambda: snap))
    for name in ("evalmon_requests_done", "evalmon_run_info"):
        task = labels_of(text, snap.runs[0].id, name)[2]
        assert len(task) == MAX_LABEL
        assert task.startswith("mmlu_subject_000,mmlu_subject_001,")  # sorted, not lm-eval's
    assert len({k for k in series(text) if k[0] == "evalmon_requests_done"}) == 1


def _events_in_time_order(paths: list[Path]) -> list[tuple[str, object]]:
    """A job's events as they were written: client lines take the stamp before them (tqdm's
    bars follow lm-eval's log lines), server lines the access line after them (werkzeug
    prints a request's line once it answered, a traceback before); each file keeps its
    order."""
    import re

    from evalmon.sources.scan import scan_file

    stamp = re.compile(rb"^\d{4}-\d\d-\d\d:(\d\d:\d\d:\d\d)|\[\d\d/\w+/\d{4} (\d\d:\d\d:\d\d)\]")
    merged = []
    for order, path in enumerate(paths):
        stamps: list[bytes | None] = []
        for line in path.read_bytes().split(b"\n"):
            m = stamp.search(line)
            stamps.append((m.group(1) or m.group(2)) if m else None)
        server = path.suffix == ".log"
        held = None
        for i in (range(len(stamps) - 1, -1, -1) if server else range(len(stamps))):
            held = stamps[i] = stamps[i] or held
        first = next((x for x in stamps if x), b"")
        events: list = []
        scan_file(str(path), on_events=events.extend)
        merged += [(stamps[e.line - 1] or (b"99" if server else first), order, i, str(path), e)
                   for i, e in enumerate(events)]
    merged.sort(key=lambda x: x[:3])
    return [(path, event) for _ts, _o, _i, path, event in merged]


def test_sample_logs_as_written_split_a_runs_series_only_while_its_counters_are_0():
    """The sample jobs' events applied one at a time in the order they were written, the
    exporter collecting after each: lm-eval names its model and tasks before it sends a
    request, so every label set but a run's last holds only zeros."""
    from evalmon.events import FileBatch
    from evalmon.state import EvalState

    state = EvalState()
    snap = [state.snapshot()]
    collector = EvalCollector(lambda: snap[0], host="h")
    seen: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for job in ("101", "102", "103", "104"):
        files = [SAMPLES / f"eval-{job}.out", SAMPLES / f"server-{job}.log"]
        for path, event in _events_in_time_order(files):
            state.apply_batch(FileBatch(path=path, events=(event,)))  # type: ignore[arg-type]
            snap[0] = state.snapshot()
            counted: dict[tuple[str, tuple[str, ...]], float] = {}
            for (name, labels), value in series(exposition(collector)).items():
                if name in ("evalmon_requests_done", "evalmon_http_responses_total",
                            "evalmon_ooms_total"):
                    names = dict(labels)
                    key = (names["run"], tuple(names[k] for k in LABELS))
                    counted[key] = counted.get(key, 0.0) + value
            for (run, labels), total in counted.items():
                history = seen.setdefault(run, [])
                if history and history[-1][0] == labels:
                    history[-1] = (labels, total)
                else:
                    history.append((labels, total))
    assert seen.keys() == {"101", "102", "103", "104"}
    for run, history in seen.items():
        assert history[-1][0] == ("", "megatron-8b", "hellaswag"), run
        assert history[-1][1] > 0, run
        # the model came with lm-eval's first lines, the task before the first request
        assert [labels for labels, _ in history] == [("", "megatron-8b", ""),
                                                     ("", "megatron-8b", "hellaswag")], run
        assert [total for _labels, total in history[:-1]] == [0.0], run


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
    # no run has said its model or tasks yet: "" (Prometheus: no label)
    job = (("host", "h"), ("model", ""), ("run", "job7"), ("task", ""))
    assert s[("evalmon_attempt", job)] == 3
    assert s[("evalmon_relaunches_total", (*job[:2], ("reason", "oom"), *job[2:]))] == 2


def test_supervisor_series_carry_the_jobs_model_and_tasks(sample_snapshot: Snapshot):
    status = SupervisorStatus(
        command=("x",), log_dir="/tmp/logs/job7", state="running",
        attempts=(Attempt(1, 256, 0.0, 1.0, outcome="oom"), Attempt(2, 128, 1.0)),
    )
    text = exposition(EvalCollector(lambda: sample_snapshot, lambda: status, host="h"))
    for name in ("evalmon_attempt", "evalmon_relaunches_total"):
        [labels] = [dict(k) for (n, k), _v in series(text).items() if n == name]
        assert labels.keys() - {"reason"} == {"run", "host", "model", "task"}
        assert (labels["run"], labels["model"], labels["task"]) == ("job7", "megatron-8b",
                                                                    "hellaswag")


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
