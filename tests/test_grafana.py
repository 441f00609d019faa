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
      # stuck: running, last progress at t=0
      - series: 'evalmon_last_progress_timestamp_seconds{{job="e",instance="n:1",run="stuck",host="n"}}'
        values: '0x30'
      - series: 'evalmon_run_running{{job="e",instance="n:1",run="stuck",host="n"}}'
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
          - exp_labels: {{severity: warning, job: e, instance: "n:1", run: stuck, host: n}}
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
