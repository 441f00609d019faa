"""A REAL Prometheus scrapes ``evalmon run --metrics-port`` during a real demo run (the
simulated Megatron server, the real lm-eval client, an OOM and a relaunch): the series it
stored hold the values ``evalmon report`` gives for the same logs, labelled with the run's
model and tasks; a run's series split only while its counters were 0 (lm-eval names its
model and tasks before it sends a request); the Grafana dashboard's queries answer."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.prometheus_server import free_port, prometheus, require_prometheus


def _value(result: list[dict], **labels: str) -> float:
    rows = [r for r in result if all(r["metric"].get(k) == v for k, v in labels.items())]
    assert len(rows) == 1, (labels, result)
    return float(rows[0]["value"][1])


@pytest.mark.slow
def test_real_prometheus_scrapes_evalmon_run_and_agrees_with_the_report(tmp_path: Path):
    require_prometheus()
    from evalmon.cli.demo import running_server, server_argv, supervisor_argv
    from evalmon_demo.lm_eval_cmd import LmEvalSettings, build_argv, build_env
    from evalmon_demo.tasks import materialize
    from evalmon_demo.tokenizer import ensure_tokenizer

    folder = tmp_path / "demo"
    folder.mkdir()
    work = folder / ".lm-eval"
    work.mkdir()
    ns = argparse.Namespace(server="megatron", inference_max_batch_size=256, time_scale=1.0,
                            max_num_seqs=128, batch_size=256, max_attempts=4, headless=True)
    tokenizer = ensure_tokenizer(None)
    tasks = materialize(work / "tasks")
    exporter_port = free_port()
    with prometheus([f"127.0.0.1:{exporter_port}"], tmp_path / "prom") as prom, \
            running_server(server_argv(folder, tokenizer, work / "port", ns), work / "port",
                           work / "server.stderr") as port:
        settings = LmEvalSettings(base_url=f"http://127.0.0.1:{port}", tokenizer_dir=tokenizer,
                                  tasks=tasks, output_path=work / "output", batch_size=256,
                                  num_concurrent=1)
        argv = supervisor_argv(folder, ns, build_argv(settings))
        run = subprocess.Popen(
            [sys.executable, "-m", "evalmon", "run", "--metrics-port", str(exporter_port),
             "--metrics-linger", "30", *argv],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=build_env(None),
        )
        try:
            # Prometheus sees evalmon's endpoint while the job runs
            prom.wait(lambda: any(t["health"] == "up" for t in prom.targets()), 120,
                      "the evalmon target to be up")
            out, err = run.communicate(timeout=300)
        finally:
            if run.poll() is None:
                run.terminate()
                run.wait(30)
        assert run.returncode == 0, out[-3000:] + err[-3000:]
        assert f"Prometheus series on http://127.0.0.1:{exporter_port}/metrics" in err
        report = subprocess.run(
            [sys.executable, "-m", "evalmon", "report", "--format", "json", str(folder)],
            capture_output=True, text=True, timeout=120,
        )
        assert report.returncode == 0, report.stderr
        runs = {r["id"]: r for r in json.loads(report.stdout)["runs"]}
        assert {"1", "2"} <= runs.keys()

        def last(name: str) -> list[dict]:
            # the target is gone (stale) once evalmon exited: the last value stored
            return prom.query(f"last_over_time({name}[15m])")

        done = prom.wait(lambda: last("evalmon_requests_done"), 30, "evalmon_requests_done")
        model = runs["2"]["config"]["model"]
        tasks = ",".join(sorted({t["task"] for t in runs["2"]["tasks"]}))
        assert model and "," in tasks  # the demo runs two tasks: one value, sorted and joined
        what = {"model": model, "task": tasks}  # slurm_job_id "": Prometheus has no label
        for rid in ("1", "2"):
            r = runs[rid]
            assert _value(done, run=rid, **what) == pytest.approx(r["requests_done"], rel=1e-9)
            rate = last("evalmon_requests_per_second")
            assert _value(rate, run=rid, **what) == pytest.approx(r["requests_per_s"], rel=1e-9)
            assert _value(last("evalmon_ooms_total"), run=rid, **what) == len(r["oom_failures"])
            for status, count in r["http"].items():
                http = last("evalmon_http_responses_total")
                assert _value(http, run=rid, status=status, **what) == count
            labels = done[[x["metric"]["run"] for x in done].index(rid)]["metric"]
            assert labels["job"] == "evalmon" and labels["instance"].endswith(
                f":{exporter_port}")
            assert labels.keys() == {"__name__", "run", "host", "job", "instance", "model",
                                     "task"}
            # the run's series split only while nothing was counted: under every other label
            # set (before lm-eval named its model and tasks) each counter stayed 0
            for name in ("evalmon_requests_done", "evalmon_ooms_total",
                         "evalmon_http_responses_total"):
                earlier = [x for x in prom.query(f"max_over_time({name}[15m])")
                           if x["metric"]["run"] == rid and x["metric"].get("task") != tasks]
                assert all(float(x["value"][1]) == 0 for x in earlier), (name, earlier)
        info = last("evalmon_run_info")
        assert {x["metric"]["run"] for x in info} >= {"1", "2"}
        assert _value(info, run="2", **what) == 1
        assert _value(last("evalmon_batch_size"), run="2", **what) == 128
        assert runs["1"]["status"] == "oom" and runs["2"]["status"] == "finished"
        assert len(runs["1"]["oom_failures"]) == 1
        # the supervisor's story: attempt 2 after one OOM relaunch (labelled with the job's
        # model and tasks; the first attempt began before lm-eval named them)
        assert _value(last("evalmon_attempt"), run="demo", **what) == 2
        assert _value(last("evalmon_relaunches_total"), run="demo", reason="oom", **what) == 1
        # and the final figures were scraped (the run is over in Prometheus too)
        assert _value(last("evalmon_run_running"), run="2", **what) == 0
        # the dashboard's queries (every variable on All) answer over the run's time, and the
        # panels of a run's figures show its model
        board = json.loads((Path(__file__).resolve().parent.parent / "docs" / "grafana" /
                            "evalmon.json").read_text())
        now = time.time()
        for panel in board["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for var in ("$run", "$host", "$model"):
                    expr = expr.replace(var, ".*")
                result = prom.api("/api/v1/query_range", query=expr, start=str(now - 900),
                                  end=str(now), step="1s")["result"]
                if panel["title"] not in ("Engine: running and waiting requests",
                                          "KV cache usage", "ETA"):
                    assert result, (panel["title"], expr)
                if result and "sum by" not in expr and not expr.startswith("time()"):
                    assert any(x["metric"].get("model") == model for x in result), expr
