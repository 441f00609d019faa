# ruff: noqa: E501 - promtool test specs and annotations are one line each
"""The Grafana dashboard and the no-progress alert rule in docs/grafana/: every query names
series the exporter really produces, and the alert fires on a stuck run only (promtool's own
rule unit tests, from Debian's prometheus package)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from evalmon.export import EvalCollector, exposition
from evalmon.pipeline import scan

ROOT = Path(__file__).resolve().parent.parent
GRAFANA = ROOT / "docs" / "grafana"
NAME = re.compile(r"\bevalmon_[a-z_]+\b")


def exported_names() -> set[str]:
    snapshot = scan([str(ROOT / "sample_logs")])
    from evalmon.state.model import Snapshot  # noqa: F401
    from evalmon.supervisor.model import Attempt, SupervisorStatus

    status = SupervisorStatus(command=("x",), log_dir="/l/job", state="running",
                              attempts=(Attempt(1, 8, 0.0, 1.0, outcome="oom"),
                                        Attempt(2, 4, 1.0)))
    text = exposition(EvalCollector(lambda: snapshot, lambda: status))
    names = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    # counters are queried by their sample name
    return names | {n + "_total" for n in names}


def dashboard_exprs() -> list[str]:
    board = json.loads((GRAFANA / "evalmon.json").read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in board["templating"]["list"] if "definition" in v]
    return exprs


def alert_expr(path: Path) -> str:
    return re.search(r"expr: (.+)", path.read_text()).group(1).strip()  # type: ignore[union-attr]


def test_dashboard_queries_name_only_exported_series():
    names = exported_names()
    exprs = dashboard_exprs()
    assert len(exprs) >= 12
    used = {n for e in exprs for n in NAME.findall(e)}
    assert used <= names, used - names
    # the dashboard shows what issue 15 asks for
    for wanted in ("evalmon_requests_done", "evalmon_requests_per_second", "evalmon_eta_seconds",
                   "evalmon_last_progress_timestamp_seconds", "evalmon_ooms_total",
                   "evalmon_relaunches_total", "evalmon_kv_cache_usage_ratio"):
        assert wanted in used, wanted


def exported_labels() -> set[str]:
    """Every label name the exporter puts on a series (and the scrape's job and instance)."""
    from prometheus_client.parser import text_string_to_metric_families

    from evalmon.supervisor.model import Attempt, SupervisorStatus

    snapshot = scan([str(ROOT / "sample_logs")])
    status = SupervisorStatus(command=("x",), log_dir="/l/job", state="running",
                              attempts=(Attempt(1, 8, 0.0, 1.0, outcome="oom"),
                                        Attempt(2, 4, 1.0)))
    text = exposition(EvalCollector(lambda: snapshot, lambda: status))
    return {k for f in text_string_to_metric_families(text) for s in f.samples
            for k in s.labels} | {"job", "instance"}


def test_dashboard_queries_use_only_exported_labels():
    labels = exported_labels()
    assert {"run", "host", "slurm_job_id", "model", "task"} <= labels
    used: set[str] = set()
    for expr in dashboard_exprs():
        for matchers in re.findall(r"\{([^}]*)\}", expr):
            used |= set(re.findall(r"(\w+)\s*=~?", matchers))
        for grouping in re.findall(r"\b(?:by|on)\s*\(([^)]*)\)", expr):
            used |= {x.strip() for x in grouping.split(",")}
    assert "model" in used  # the model variable filters every panel
    assert used <= labels, used - labels


def test_the_grafana_and_prometheus_alert_rules_are_the_same_query():
    prom = alert_expr(GRAFANA / "evalmon-alerts.yml")
    graf = alert_expr(GRAFANA / "alert-rules.yaml")
    assert prom == graf
    assert "evalmon_last_progress_timestamp_seconds" in prom
    assert set(NAME.findall(prom)) <= exported_names()


def promtool() -> str:
    binary = shutil.which("promtool")
    if binary is None:
        if os.environ.get("EVALMON_REQUIRE_PROMETHEUS") == "1":
            pytest.fail("EVALMON_REQUIRE_PROMETHEUS=1 but no promtool", pytrace=False)
        pytest.skip("no promtool (Debian's prometheus package)")
    return binary


RULE_TESTS = """\
rule_files: [{rules}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # stuck: running, last progress at t=0 (labelled as the exporter does; slurm_job_id
      # unknown: "", which Prometheus stores as no label)
      - series: 'evalmon_last_progress_timestamp_seconds{{job="e",instance="n:1",run="stuck",host="n",model="m",task="a,b"}}'
        values: '0x30'
      - series: 'evalmon_run_running{{job="e",instance="n:1",run="stuck",host="n",model="m",task="a,b"}}'
        values: '1x30'
      # moving: progress every minute
      - series: 'evalmon_last_progress_timestamp_seconds{{job="e",instance="n:1",run="moving",host="n"}}'
        values: '0+60x30'
      - series: 'evalmon_run_running{{job="e",instance="n:1",run="moving",host="n"}}'
        values: '1x30'
      # finished long ago: no alert
      - series: 'evalmon_last_progress_timestamp_seconds{{job="e",instance="n:1",run="done",host="n"}}'
        values: '0x30'
      - series: 'evalmon_run_running{{job="e",instance="n:1",run="done",host="n"}}'
        values: '0x30'
    alert_rule_test:
      - eval_time: 5m
        alertname: EvalNoProgress
        exp_alerts: []
      - eval_time: 20m
        alertname: EvalNoProgress
        exp_alerts:
          - exp_labels: {{severity: warning, job: e, instance: "n:1", run: stuck, host: n, model: m, task: "a,b"}}
            exp_annotations:
              summary: "eval run stuck on n has made no progress for 20m 0s"
              description: "evalmon's last_progress timestamp has not moved: look at the server's log and `evalmon report`."
"""


def test_promtool_checks_and_unit_tests_the_alert_rule(tmp_path):
    binary = promtool()
    rules = GRAFANA / "evalmon-alerts.yml"
    check = subprocess.run([binary, "check", "rules", str(rules)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    spec = tmp_path / "rules_test.yml"
    spec.write_text(RULE_TESTS.format(rules=rules))
    test = subprocess.run([binary, "test", "rules", str(spec)], capture_output=True, text=True,
                          timeout=60)
    assert test.returncode == 0, test.stdout + test.stderr


JOIN_TESTS = """\
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # SLURM's *** JOB 9 line came at 4m, after counting began: the run's series split once
      # (a scrape that no longer has a series marks it stale)
      - series: 'evalmon_requests_done{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b"}}'
        values: '0 10 20 30 stale'
      - series: 'evalmon_requests_done{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b",slurm_job_id="9"}}'
        values: '_ _ _ _ 40 50'
      - series: 'evalmon_run_info{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b"}}'
        values: '1 1 1 1 stale'
      - series: 'evalmon_run_info{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b",slurm_job_id="9"}}'
        values: '_ _ _ _ 1 1'
    promql_expr_test:
      - expr: {alone}
        eval_time: 2m
        exp_samples:
          - labels: '{{job="e",instance="n:1",run="r",host="n"}}'
            value: 20
      - expr: {alone}
        eval_time: 5m
        exp_samples:
          - labels: '{{job="e",instance="n:1",run="r",host="n"}}'
            value: 50
      - expr: {expr}
        eval_time: 2m
        exp_samples:
          - labels: '{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b"}}'
            value: 20
      - expr: {expr}
        eval_time: 5m
        exp_samples:
          - labels: '{{job="e",instance="n:1",run="r",host="n",model="m",task="a,b",slurm_job_id="9"}}'
            value: 50
"""


def test_readmes_queries_across_a_split_series(tmp_path):
    """The PromQL the README gives for labels learnt after counting began: one series per run
    before and after the split, and joined, the labels' latest values."""
    binary = promtool()
    readme = (ROOT / "README.md").read_text()
    [alone] = re.findall(r"^`(max without\(slurm_job_id, model, task\) \(evalmon_requests_done\))`$",
                         readme, re.M)
    [expr] = re.findall(r"^`(max without\(slurm_job_id, model, task\) .+ evalmon_run_info)`$",
                        readme, re.M)
    spec = tmp_path / "join_test.yml"
    spec.write_text(JOIN_TESTS.format(alone=json.dumps(alone), expr=json.dumps(expr)))
    test = subprocess.run([binary, "test", "rules", str(spec)], capture_output=True, text=True,
                          timeout=60)
    assert test.returncode == 0, test.stdout + test.stderr
