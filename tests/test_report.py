"""`evalmon report` on the seed's logs prints the seed's performance table, computed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evalmon", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def report_json(sample_logs: Path, capsys) -> dict:
    assert main(["report", str(sample_logs), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_one_row_per_run_with_the_seeds_figures(report_json):
    runs = {r["id"]: r for r in report_json["runs"]}
    assert list(runs) == ["101", "102", "103", "104"]
    # the seed's "samples" were requests: 4,000 loglikelihood requests for 1,000 documents
    assert runs["101"]["requests_per_s"] == pytest.approx(0.75, rel=0.03)
    assert runs["102"]["requests_per_s"] == pytest.approx(5.25, rel=0.03)
    assert runs["104"]["requests_per_s"] == pytest.approx(11.8, rel=0.05)
    assert runs["103"]["requests_per_s"] is None  # it failed on its first request
    # speedup against the slowest run that did the same work: the seed's "7x" for batch 64
    assert runs["102"]["speedup"] == pytest.approx(7.0, rel=0.05)
    assert runs["102"]["speedup_vs"] == "101"
    assert runs["101"]["time_for_n_s"] == pytest.approx(1000 / 0.75, rel=0.03)
    assert report_json["per"] == "requests" and report_json["n"] == 1000


def test_requests_and_documents_are_named_and_samples_is_an_alias(report_json):
    run = next(r for r in report_json["runs"] if r["id"] == "101")
    assert run["samples_per_s"] == run["requests_per_s"]  # deprecated alias, one release
    assert run["samples_done"] == run["requests_done"] == 4000
    # --limit 1000 of hellaswag: 1,000 documents, 4 requests each, in 1:28:53
    assert run["docs_done"] == pytest.approx(1000)
    assert run["docs_per_s"] == pytest.approx(1000 / 5333.5, rel=0.01)
    (rate,) = run["rates"]
    assert rate["request_type"] == "loglikelihood" and rate["tasks"] == ["hellaswag"]
    assert (rate["requests_total"], rate["docs_total"]) == (4000, 1000)
    assert rate["docs_per_s"] == pytest.approx(run["docs_per_s"])
    assert run["tasks"] == [{"task": "hellaswag", "request_type": "loglikelihood", "docs": 1000}]
    oom = next(r for r in report_json["runs"] if r["id"] == "103")
    assert oom["requests_per_s"] is None and oom["docs_per_s"] is None  # null when unknown
    assert oom["partial"] is True and oom["done_fraction"] == 0.0


def test_configuration_is_read_from_the_client_and_the_server(report_json):
    runs = {r["id"]: r for r in report_json["runs"]}
    assert runs["101"]["config"] == runs["101"]["config"] | {
        "batch_size": 8,
        "num_concurrent": 1,
        "tokenized_requests": False,
        "engine_max_batch": 32,
    }
    assert runs["104"]["config"]["num_concurrent"] == 4
    assert runs["104"]["config"]["tokenized_requests"] is True
    # batch 64 against an engine capped at 32: every request became two engine calls
    assert runs["102"]["engine_batches"]["max"] == 32
    assert runs["102"]["engine_batches"]["at_client_batch"] == 0
    assert any(a["kind"] == "engine_cap" for a in runs["102"]["alerts"])


def test_bars_know_what_they_count(report_json):
    runs = {r["id"]: r for r in report_json["runs"]}
    api = [p for p in runs["104"]["progress"] if p["desc"] == "Requesting API"]
    assert api and api[-1]["counts"] == "batches" and api[-1]["total"] == 32
    api = [p for p in runs["101"]["progress"] if p["desc"] == "Requesting API"]
    assert api and api[-1]["counts"] == "requests" and api[-1]["total"] == 4000


def test_the_oom_run_is_an_oom_with_its_place(report_json):
    run = next(r for r in report_json["runs"] if r["id"] == "103")
    assert run["status"] == "oom"
    assert run["ooms"], "the server's OOM tracebacks are found"
    first = run["ooms"][0]
    assert first["file"].endswith("server-103.log")
    assert first["kind"] == "gpu" and first["fatal"] is True
    assert first["line"] > 0
    assert run["http"].get("500", 0) >= 1
    assert run["api_failures"] >= 1


def test_finished_run_has_its_metrics(report_json):
    run = next(r for r in report_json["runs"] if r["id"] == "104")
    assert run["status"] == "finished"
    metrics = {(r["task"], r["metric"]): r for r in run["results"]}
    assert metrics[("hellaswag", "acc")]["value"] == pytest.approx(0.41, abs=0.02)
    # lm-eval's stderr of a mean over --limit 1000 documents (it was 0.0502, that of 100)
    value = metrics[("hellaswag", "acc_norm")]["value"]
    assert metrics[("hellaswag", "acc_norm")]["stderr"] == pytest.approx(
        (value * (1 - value) / 999) ** 0.5, abs=1e-4)


def test_markdown_is_the_performance_table(sample_logs: Path, capsys):
    assert main(["report", str(sample_logs), "--format", "markdown", "--baseline", "127"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(
        "| Run | Configuration | Requests/s | Docs/s | Speedup | Time for 1000 requests"
    )
    row_101 = next(line for line in lines if line.startswith("| 101 "))
    # the dashboard's figures (evalmon.fmt): 0.75 req/s, 0.0059x, 22m13s for 1000 requests
    assert "batch=8" in row_101 and "| 0.75 | 0.19 | 0.0059x | 22m13s |" in row_101
    baseline = next(line for line in lines if line.startswith("| baseline "))
    assert "| 127 | - | 1.0x | 8s |" in baseline
    row_103 = next(line for line in lines if line.startswith("| 103 "))
    assert "| - | - | - | - |" in row_103  # no requests/s: nothing to compare
    # three records of one failure (retried requests) are one OOM, as on the dashboard
    assert "| 1 (1 fatal, 10 reports, first server-103.log:27) |" in row_103


def test_table_format_is_readable_text(sample_logs: Path, capsys):
    assert main(["report", str(sample_logs)]) == 0
    out = capsys.readouterr().out
    assert "evalmon report" in out
    assert "oom" in out and "finished" in out
    assert "\x1b[" not in out  # plain text when not a terminal


def test_samples_option_changes_the_time_column(sample_logs: Path, capsys):
    assert main(["report", str(sample_logs), "--format", "json", "--samples", "100"]) == 0
    runs = {r["id"]: r for r in json.loads(capsys.readouterr().out)["runs"]}
    assert runs["101"]["time_for_n_s"] == pytest.approx(100 / 0.75, rel=0.03)


def test_time_for_n_says_n_of_what(sample_logs: Path, capsys):
    assert main(["report", str(sample_logs), "--per", "docs", "-n", "1000"]) == 0
    table = capsys.readouterr().out
    assert "1000 docs" in table and "Req/s" in table and "Docs/s" in table
    row = next(line for line in table.splitlines() if line.startswith("101 "))
    assert "1h28m" in row  # 1000 hellaswag documents took 1:28:53, not the 22m of 1000 requests
    # what the rates count, per request type and task, below the table
    assert "run 101: loglikelihood (hellaswag): 4,000 of 4,000 requests served, 1,000 docs: " \
        "0.75 req/s, 0.19 docs/s" in table
    assert main(["report", str(sample_logs), "--format", "markdown", "--per", "docs"]) == 0
    assert "| Time for 1000 docs |" in capsys.readouterr().out
    assert main(["report", str(sample_logs), "--format", "json", "--per", "docs"]) == 0
    report = json.loads(capsys.readouterr().out)
    runs = {r["id"]: r for r in report["runs"]}
    assert report["per"] == "docs"
    assert runs["101"]["time_for_n_s"] == pytest.approx(5333.5, rel=0.01)


def test_bad_path_is_one_line_and_non_zero(tmp_path: Path):
    result = run_cli("report", str(tmp_path / "nope"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nope" in result.stderr


def test_empty_folder_reports_nothing_found(tmp_path: Path):
    result = run_cli("report", str(tmp_path))
    assert "Traceback" not in result.stderr
    assert "no log files" in result.stderr


def test_a_folder_without_eval_logs_says_why_the_table_is_empty(tmp_path: Path):
    # what `evalmon report /etc` meets: files with the right names and none of the lines
    (tmp_path / "syslog.log").write_text("Dec  2 10:00:01 host CRON[1]: (root) CMD (true)\n")
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "dpkg.log").write_text("2026-12-02 status installed bash:amd64\n")
    (tmp_path / "core.out").write_bytes(bytes(range(256)) * 64)  # skipped: binary
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 0
    why = [line for line in result.stderr.splitlines() if "no eval or server logs" in line]
    assert why == [
        f"evalmon report: no eval or server logs found in {tmp_path}: read 3 files (*.out, *.log, "
        "*.err, *.txt, *.jsonl; 1 more skipped, see the warnings above), "
        "none had lm-eval, inference-server or SLURM lines"
    ]
    # a GPU sample is a line evalmon knows, and still no run: said so, with its count
    (tmp_path / "gpu.jsonl").write_text(
        '{"evalmon": "gpu", "v": 1, "host": "n7", "timestamp": 1764000000.25, "index": 0}\n')
    result = run_cli("report", str(tmp_path), "--format", "json")
    assert json.loads(result.stdout)["runs"] == []  # stdout stays JSON
    assert "read 4 files" in result.stderr and "1 had lines evalmon knows" in result.stderr


def test_logs_with_runs_need_no_such_line(sample_logs: Path):
    assert "no eval or server logs" not in run_cli("report", str(sample_logs)).stderr


def test_bad_option_value_is_a_usage_error(sample_logs: Path):
    result = run_cli("report", str(sample_logs), "--baseline", "fast")
    assert result.returncode == 2
    assert "not a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_hostile_and_binary_files_do_not_break_the_report(tmp_path: Path):
    (tmp_path / "eval-1.out").write_bytes(
        b"\x1b]0;pwned\x07[bold red]x[/] \xff\xfe\x00\x00 Requesting API:  50%|#####     | "
        b"5/10 [00:05<00:05,  1.00it/s]\n" + b"A" * (3 << 20) + b"\n"
    )
    (tmp_path / "core.log").write_bytes(bytes(range(256)) * 64)
    result = run_cli("report", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    run = next(r for r in data["runs"] if r["id"] == "1")
    assert run["progress"][0]["n"] == 5
    assert "binary" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("width", [80, 120, 200])
def test_table_fits_the_terminal_without_cutting_cells(sample_logs: Path, capsys, width):
    assert main(["report", str(sample_logs), "--width", str(width)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("101", "103"))]
    assert len(rows) == 2
    assert all(len(line) <= width and "…" not in line for line in rows)
    assert "0.75" in rows[0] and "finished" in rows[0] and "oom" in rows[1]
    # what the narrow columns cannot hold is said below the table
    assert "run 103: oom: out of GPU memory (pytorch) at server-103.log:" in out
    assert "run 101: hellaswag: acc 0.412" in out


def test_log_text_and_file_names_are_inert_in_every_format(tmp_path: Path, capsys):
    """Escapes, C1 controls, bidi overrides and line breaks in what the report shows (a file
    name becomes the run id, an exception message the status) never reach the terminal."""
    name = "eval-\x1b]0;pwned\x07\u202e.out"
    (tmp_path / name).write_text(
        "Requesting API:  50%|#####     | 5/10 [00:05<00:05,  1.00it/s]\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "RuntimeError: bad \x1b[2J\x9b31m thing | with a pipe\n"
    )
    for form in ("table", "markdown", "json"):
        assert main(["report", str(tmp_path), "--format", form]) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in "\x1b\x07\x9b\u202e"), (form, out)
        if form == "markdown":
            assert "with a pipe" in out and "bad  thing \\| with" in out
        if form == "json":
            run = json.loads(out)["runs"][0]
            assert run["files"][0].endswith(name)  # exact data, escaped in the JSON text


def test_the_library_face_scans_logs_without_textual() -> None:
    """``evalmon.scan`` is the report's analysis as a function: the same runs and figures."""
    import subprocess
    import sys

    code = (
        "import sys, evalmon; s = evalmon.scan(['sample_logs']);"
        "print(sorted(r.id for r in s.runs)); print('textual' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]),
    ).stdout.split("\n")
    assert out[0] == "['101', '102', '103', '104']"
    assert out[1] == "False"


OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # a clipboard write, as a hostile file name could carry


def test_file_names_in_reports_and_run_lines_reach_the_terminal_inert(tmp_path) -> None:
    """An escape sequence in a path or a command is data: `report` and headless `run` print
    it without its ESC (issue 13: an OSC 52 clipboard write was verified before)."""
    import subprocess
    import sys

    evalmon = [sys.executable, "-m", "evalmon.cli"]
    missing = str(tmp_path / f"logs-{OSC52}")
    report = subprocess.run([*evalmon, "report", missing], capture_output=True, text=True)
    assert "\x1b" not in report.stdout + report.stderr and "logs-" in report.stderr
    run = subprocess.run(
        [*evalmon, "run", "--headless", "--log-dir", str(tmp_path / "l"), "--", f"nocmd{OSC52}"],
        capture_output=True, text=True, timeout=120,
    )
    assert "\x1b" not in run.stdout + run.stderr and "nocmd" in run.stdout


# ---------------------------------------------------------------- the README says what is true

README = Path(__file__).resolve().parent.parent / "README.md"


def _sig4(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {k: _sig4(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sig4(v) for v in value]
    return value


def test_the_readmes_json_example_is_the_real_output_trimmed_as_it_says(monkeypatch, capsys):
    monkeypatch.chdir(README.parent)  # the README's command, file names as it prints them
    assert main(["report", "sample_logs/", "--format", "json"]) == 0
    report_json = json.loads(capsys.readouterr().out)
    text = README.read_text(encoding="utf-8")
    intro = text.index("`--format json` prints one object")
    start = text.index("```json\n", intro) + len("```json\n")
    example = json.loads(text[start:text.index("```", start)])
    # the trim the README states: run 104 only, its request bar only, 4 significant digits
    run = dict(next(r for r in report_json["runs"] if r["id"] == "104"))
    run["progress"] = [bar for bar in run["progress"] if bar["request_bar"]]
    assert example == _sig4({**report_json, "runs": [run]})


def test_the_readmes_markdown_table_is_the_real_one(sample_logs: Path, capsys):
    assert main(["report", str(sample_logs), "--format", "markdown"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    readme = README.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 5 and all(row in readme for row in rows)


def test_the_readme_lists_the_file_names_read_in_a_folder():
    from evalmon.sources.paths import DEFAULT_PATTERNS

    text = README.read_text(encoding="utf-8")
    said = text[text.index("**What is read.**"):text.index("A run is the files of one job")]
    assert set(re.findall(r"`(\*\.\w+)`", said)) == set(DEFAULT_PATTERNS)
    example = next(line for line in text.splitlines() if line.startswith("evalmon logs/  "))
    assert set(re.findall(r"\*\.\w+", example)) == set(DEFAULT_PATTERNS)



def test_counts_of_one_are_singular_in_the_report(tmp_path: Path, capsys):
    from evalmon import fmt

    assert [fmt.plural(n, "call") for n in (0, 1, 2, 1234)] == [
        "0 calls", "1 call", "2 calls", "1,234 calls"]
    # one engine call, one HTTP 500, one request of one doc: said in the singular
    (tmp_path / "eval-7.out").write_text(
        "Requesting API: 100%|##########| 4/4 [00:02<00:00,  2.00it/s]\n")
    (tmp_path / "server-7.log").write_text(
        "[BATCHING DEBUG] run_mcore_engine called with 4 prompts\n"
        '127.0.0.1 - - [20/Nov/2026 11:01:40] "POST /completions HTTP/1.1" 500 -\n')
    assert main(["report", str(tmp_path), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "(1 call)" in out and "(1 calls)" not in out
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 HTTP 5xx response from the server" in out and "responses" not in out


def test_the_dashboards_baseline_is_requests_per_s_like_the_reports():
    # the seed's "samples" were requests: every --baseline says so, in --help and the README
    for command in ("dashboard", "serve", "report"):
        result = run_cli(*(["--help-dashboard"] if command == "dashboard" else [command, "--help"]))
        assert "--baseline REQUESTS_PER_S" in result.stdout and "SAMPLES_PER_S" not in result.stdout
    assert "SAMPLES_PER_S" not in README.read_text(encoding="utf-8")


def test_a_file_named_without_eval_lines_is_said_of_that_file(tmp_path: Path):
    (tmp_path / "hostname").write_text("node7\n")  # named: read whatever its name
    result = run_cli("report", str(tmp_path / "hostname"))
    assert result.stderr.splitlines()[-1] == (
        f"evalmon report: no eval or server logs found in {tmp_path / 'hostname'}: read 1 file, "
        "it had no lm-eval, inference-server or SLURM lines")


def test_a_batch_size_the_log_never_states_is_said_plainly_in_every_format(
        tmp_path: Path, capsys):
    # a client bar, no lm-eval configuration line: its batch size is not known
    (tmp_path / "eval-8.out").write_text(
        "Requesting API: 100%|##########| 4/4 [00:02<00:00,  2.00it/s]\n")
    assert main(["report", str(tmp_path), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "batch=?" not in out and "| 8 | batch not stated" in out
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "run 8: batch not stated in its log" in out
