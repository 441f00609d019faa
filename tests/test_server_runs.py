"""A server log alone is a run: `evalmon report` on real vLLM and SGLang server logs.

Issue 11 measured it: 0 of 16 stats-only vLLM and SGLang server logs (real excerpts from
public issues, ``tests/server_logs.py``) gave a run. Each must give one run with its kind,
status and ``server`` block, in every format.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon.cli import main
from tests.server_logs import FIRST_SIGHT, MIXED, STATS_ONLY, write_logs

SERVER_KEYS = {
    "kind", "source", "stats", "running", "waiting", "kv_cache_usage", "gen_tokens_per_s",
    "prompt_tokens_per_s", "prefix_cache_hit_rate", "preemptions", "latency_s",
}  # fmt: skip


def report(capsys, *paths: Path, fmt: str = "json") -> dict | str:
    assert main(["report", *map(str, paths), "--format", fmt]) == 0
    out = capsys.readouterr().out
    return json.loads(out) if fmt == "json" else out


def test_every_stats_only_log_gives_a_run(tmp_path: Path, capsys):
    """The measured failure, reproduced and fixed: 16 of 16 logs give one run each."""
    paths = write_logs(tmp_path, STATS_ONLY)
    assert len(paths) == 16
    gave = 0
    for path, name in zip(paths, STATS_ONLY, strict=True):
        runs = report(capsys, path)["runs"]
        assert len(runs) == 1, name
        run = runs[0]
        kind = name.split("-")[0]
        assert run["kind"] == kind
        assert run["status"] in ("serving", "idle")
        assert run["server_status"]["status"] == run["status"]
        server = run["server"]
        assert set(server) == SERVER_KEYS
        assert server["kind"] == kind and server["source"] == "log"
        lines = STATS_ONLY[name][1].count("\n")
        assert server["stats"] == lines, name  # one sample per statistics line
        assert server["running"] is not None and server["waiting"] is not None
        assert server["latency_s"] == {"ttft": None, "itl": None, "e2e": None}  # log only
        gave += 1
    assert gave == 16


def test_vllm_log_alone_report_json(tmp_path: Path, capsys):
    """vllm-project/vllm#6737: KV cache full, queue growing."""
    (path,) = write_logs(tmp_path, {"vllm-6737": STATS_ONLY["vllm-6737"]})
    run = report(capsys, path)["runs"][0]
    assert run["id"] == "6737" and run["kind"] == "vllm" and run["status"] == "serving"
    assert run["status_reason"] == "219 running, 768 waiting at the last statistics line"
    assert run["server"] == {
        "kind": "vllm",
        "source": "log",
        "stats": 5,
        "running": {"last": 219, "max": 247},
        "waiting": {"last": 768, "max": 768},
        "kv_cache_usage": {"last": 1.0, "max": 1.0},
        "gen_tokens_per_s": {"last": 2103.3, "max": 2349.2},
        "prompt_tokens_per_s": {"last": 0.0, "max": 0.0},
        "prefix_cache_hit_rate": None,  # V0 without prefix caching prints no rate
        "preemptions": 0,  # V0 warns at the first preemption: none here
        "latency_s": {"ttft": None, "itl": None, "e2e": None},
    }
    kinds = [a["kind"] for a in run["alerts"]]
    assert kinds == ["kv_bound", "queue_growing"]
    kv = run["alerts"][0]["message"]
    assert "5 of 5 statistics lines" in kv and "up to 768 waiting" in kv
    assert "--max-num-seqs" in kv and "--gpu-memory-utilization" in kv
    assert "from 740 to 768 over the last 5 statistics lines" in run["alerts"][1]["message"]


def test_sglang_log_alone_report_json(tmp_path: Path, capsys):
    """sgl-project/sglang#1612: prefill lines with their cumulative cache hit rate."""
    (path,) = write_logs(tmp_path, {"sglang-1612": STATS_ONLY["sglang-1612"]})
    run = report(capsys, path)["runs"][0]
    assert run["kind"] == "sglang" and run["status"] == "serving"
    server = run["server"]
    assert server["kind"] == "sglang" and server["stats"] == 7
    # a prefill line's #running-req plus the #new-seq it adds: 21 + 5
    assert server["running"] == {"last": 26, "max": 26}
    assert server["waiting"] == {"last": 18, "max": 38}
    assert server["kv_cache_usage"] == {"last": 0.77, "max": 0.77}  # token usage, a fraction
    assert server["gen_tokens_per_s"] is None  # prefill lines carry no generation rate
    assert server["prefix_cache_hit_rate"]["last"] == pytest.approx(0.1192, abs=1e-4)
    assert server["prefix_cache_hit_rate"]["max"] == pytest.approx(0.1416, abs=1e-4)
    assert server["preemptions"] is None


def test_json_figures_carry_no_binary_noise(tmp_path: Path, capsys):
    """vllm-project/vllm#18916 (2.9% is 0.029, not 0.028999999999999998) and
    sgl-project/sglang#17392 (three DP ranks' gen throughput summed: 2847.14)."""
    names = ("vllm-18916", "sglang-17392")
    paths = write_logs(tmp_path, {k: FIRST_SIGHT[k] for k in names})
    servers = [report(capsys, path)["runs"][0]["server"] for path in paths]
    assert servers[0]["kv_cache_usage"] == {"last": 0.029, "max": 0.029}
    assert servers[1]["gen_tokens_per_s"] == {"last": 2847.14, "max": 2847.14}


def test_sglang_data_parallel_ranks_are_summed(tmp_path: Path, capsys):
    """sgl-project/sglang#20766: 8 DP ranks each log 12 running requests."""
    (path,) = write_logs(tmp_path, {"sglang-20766": STATS_ONLY["sglang-20766"]})
    server = report(capsys, path)["runs"][0]["server"]
    assert server["running"] == {"last": 96, "max": 96}
    assert server["gen_tokens_per_s"]["last"] == pytest.approx(
        3.83 * 6 + 3.82 + 3.84, abs=1e-6
    )


def test_cli_subprocess_on_a_vllm_v1_log(tmp_path: Path):
    """The installed command, as a user runs it: vllm-project/vllm#43295 (V1 lines)."""
    (path,) = write_logs(tmp_path, {"vllm-43295": STATS_ONLY["vllm-43295"]})
    done = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["runs"][0]
    assert (run["kind"], run["status"]) == ("vllm", "serving")
    assert run["server"]["prompt_tokens_per_s"] == {"last": 0.0, "max": 18032.5}
    assert run["server"]["kv_cache_usage"]["max"] == pytest.approx(0.984)
    assert [a["kind"] for a in run["alerts"]] == ["kv_bound"]


def test_table_and_markdown_show_server_runs_with_units_and_source(tmp_path: Path, capsys):
    paths = write_logs(tmp_path, {k: STATS_ONLY[k] for k in ("vllm-6737", "sglang-22331")})
    table = report(capsys, *paths, fmt="table")
    assert "Servers" in table and "Gen tokens/s" in table and "KV cache" in table
    row = next(line for line in table.splitlines() if line.startswith("6737 "))
    assert "vLLM" in row and "serving" in row and "log, 5 stats lines" in row
    assert "219 / 247" in row and "768 / 768" in row and "100% / 100%" in row
    assert "run 6737: vLLM serving: 219 running, 768 waiting" in table
    assert "Samples/s" not in table and "Speedup" not in table  # no client: no client table
    markdown = report(capsys, *paths, fmt="markdown")
    assert markdown.startswith("Servers:")
    assert "| 22331 | SGLang | serving | log, 8 stats lines | 5 / 5 | 0 / 0 | 29% / 29% |" in (
        markdown
    )


@pytest.mark.parametrize("width", [80, 120, 200])
def test_server_table_fits_the_terminal(tmp_path: Path, capsys, width):
    paths = write_logs(tmp_path, STATS_ONLY)
    assert main(["report", *map(str, paths), "--width", str(width)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line[:1].isdigit() and "serving" in line]
    assert rows and all(len(line) <= width and "…" not in line for line in rows)


def test_mixed_logs_read_spec_decoding_and_access_lines(tmp_path: Path, capsys):
    paths = write_logs(tmp_path, MIXED)
    runs = {r["id"]: r for r in report(capsys, *paths)["runs"]}
    assert {r["kind"] for r in runs.values()} == {"vllm", "sglang"}
    # noonghunna/club-3090#93: "Avg Draft acceptance rate: 33.1%" kept beside the stats
    assert runs["93"]["server"]["stats"] == 2
    assert runs["93"]["http"] == {"200": 2}
    # intel/llm-scaler#391: stats between GET /metrics access lines
    assert runs["391"]["server"]["waiting"] == {"last": 14, "max": 14}
    assert runs["391"]["server"]["prefix_cache_hit_rate"] == {"last": 0.92, "max": 0.92}
    # sgl-project/sglang#22166: decode and prefill lines, prompt rate from prefill lines
    assert runs["22166"]["server"]["prompt_tokens_per_s"] == {"last": 4099.38, "max": 4099.38}
    assert runs["22166"]["server"]["gen_tokens_per_s"] == {"last": 1635.11, "max": 1635.11}


# name -> (kind, status, the server block's figures checked), or None: no run. The
# comments name what first sight got wrong or missed, before the fix that the row checks.
FIRST_SIGHT_EXPECTED: dict[str, tuple[str, str, dict] | None] = {
    "vllm-19483": ("vllm", "serving", {"running": {"last": 2, "max": 2},
                                       "prefix_cache_hit_rate": {"last": 0.245, "max": 0.245}}),
    "vllm-18916": ("vllm", "serving", {"running": {"last": 2, "max": 2},
                                       "gen_tokens_per_s": {"last": 315.1, "max": 315.1}}),
    "vllm-42363": ("vllm", "serving", {"prompt_tokens_per_s": {"last": 657.5, "max": 657.5},
                                       "prefix_cache_hit_rate": {"last": 0.722, "max": 0.722}}),
    "vllm-16259": ("vllm", "idle", {"stats": 2, "waiting": {"last": 0, "max": 0}}),
    "vllm-ray-54070": ("vllm", "serving", {"running": {"last": 49, "max": 49},
                                           "waiting": {"last": 951, "max": 951},
                                           "prefix_cache_hit_rate": {"last": 0.1255,
                                                                     "max": 0.1255}}),
    "vllm-41081": ("vllm", "serving", {"running": {"last": 11, "max": 11},
                                       "gen_tokens_per_s": {"last": 0.0, "max": 1684.2}}),
    "vllm-41081a": ("unknown", "serving", {"stats": 0, "running": None}),
    "vllm-3231": ("vllm", "serving", {"prompt_tokens_per_s": {"last": 10.0, "max": 10.0}}),
    "vllm-6640": ("vllm", "idle", {"stats": 6, "preemptions": 0, "prefix_cache_hit_rate": None}),
    "vllm-21809": ("vllm", "serving", {"kv_cache_usage": {"last": 0.958, "max": 0.958}}),
    "vllm-567": ("vllm", "serving", {"prefix_cache_hit_rate": {"last": 0.448, "max": 0.448}}),
    "vllm-57047": ("vllm", "idle", {"gen_tokens_per_s": {"last": 0.0, "max": 256.0}}),
    "vllm-50841": ("vllm", "idle", {"stats": 0, "running": None}),
    # first sight: "idle, no statistics yet" while the scheduler preempted a request
    "vllm-9272": ("vllm", "serving", {"stats": 0, "preemptions": 1}),
    "vllm-11051": ("vllm", "stopped", {"stats": 0}),
    # first sight: no run (the engine's death was not read)
    "vllm-club-58": ("vllm", "crashed", {"stats": 0}),
    "vllm-5173": ("vllm", "crashed", {"stats": 0}),
    # still not read: a health probe's 500 and an ASGI traceback behind "- <time> "
    "vllm-5060": None,
    # still wrong: a run of kind "client" (status oom); the (VllmWorker ...) prefix is the
    # only sign of vLLM, and the NCCL OOM is not vLLM's own
    "vllm-18446": ("client", "oom", {}),
    "sglang-6291": ("sglang", "serving", {"running": {"last": 39, "max": 39},
                                          "gen_tokens_per_s": None}),
    "sglang-14972": ("sglang", "serving", {"waiting": {"last": 5, "max": 5},
                                           "kv_cache_usage": {"last": 0.94, "max": 0.94}}),
    # first sight: "serving" after the scheduler died
    "sglang-lmcache-869": ("sglang", "crashed", {"stats": 1}),
    "sglang-26082": ("sglang", "serving", {"prompt_tokens_per_s": {"last": 11.79,
                                                                   "max": 11.79}}),
    "sglang-npu-608": ("sglang", "serving", {"running": {"last": 22, "max": 24},
                                             "waiting": {"last": 4, "max": 4}}),
    "sglang-36081": ("sglang", "serving", {"kv_cache_usage": {"last": 0.0, "max": 0.02}}),
    "sglang-17392": ("sglang", "serving", {"running": {"last": 25, "max": 25}}),
    # first sight: a 0% prefix-cache hit rate from lines whose #cached-token was cut off
    "sglang-25960": ("sglang", "serving", {"prefix_cache_hit_rate": None,
                                           "kv_cache_usage": None,
                                           "waiting": {"last": 82, "max": 82}}),
    # start-up lines relayed by a client, no statistics: nothing to say
    "sglang-olmocr-105": None,
    "tgi-7395": ("tgi", "serving", {"stats": 1}),
    # a Success line cut before "Success": no request is counted from it
    "tgi-1440": None,
    # first sight: no run (the launcher's exit error was not read)
    "tgi-2280": ("tgi", "crashed", {"stats": 0}),
    # still not read: a start-up that never finished ("Waiting for shard to be ready...")
    "tgi-2728": None,
    # read after the fixes above, first sight: all as expected
    "vllm-anyscale-442": ("vllm", "idle", {"running": {"last": 0, "max": 20}}),
    "vllm-ascend-11876": ("vllm", "serving", {"running": {"last": 0, "max": 2},
                                              "waiting": {"last": 1, "max": 1}}),
    "vllm-38476": ("vllm", "serving", {"stats": 5, "running": {"last": 10, "max": 10}}),
    "vllm-2136": ("vllm", "serving", {"gen_tokens_per_s": {"last": 12.0, "max": 12.0}}),
    "vllm-club-104": ("unknown", "serving", {"stats": 0}),
    "uvicorn-1978": ("unknown", "serving", {"stats": 0}),
    "vllm-llm-scaler-154": ("vllm", "crashed", {"stats": 0}),
    # first sight (after the fixes above): no run, a worker's death was not read
    "vllm-art-201": ("vllm", "crashed", {"stats": 0}),
    "vllm-14452": ("vllm", "crashed", {"stats": 0}),
}


def test_first_sight_excerpts(tmp_path: Path, capsys):
    """The second measurement's 41 excerpts: each gives the run (or no run) expected."""
    assert set(FIRST_SIGHT_EXPECTED) == set(FIRST_SIGHT)
    for path, name in zip(write_logs(tmp_path, FIRST_SIGHT), FIRST_SIGHT, strict=True):
        runs = report(capsys, path)["runs"]
        expected = FIRST_SIGHT_EXPECTED[name]
        if expected is None:
            assert runs == [], name
            continue
        kind, status, figures = expected
        assert len(runs) == 1, name
        run = runs[0]
        assert (run["kind"], run["status"]) == (kind, status), name
        for key, value in figures.items():
            got = run["server"][key]
            if isinstance(value, dict):
                assert got == pytest.approx(value), (name, key)
            else:
                assert got == value, (name, key)
