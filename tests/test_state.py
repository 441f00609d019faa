"""The pure reducer: runs by job id, exact samples/s, engine stats, status and advice."""

from __future__ import annotations

import pytest

from evalmon.events import (
    CacheStatus,
    EngineConfig,
    FileBatch,
    GpuSample,
    Located,
    OutOfMemory,
    Progress,
    PythonException,
    ResultRow,
    RunConfig,
    ServerTraffic,
)
from evalmon.state import EvalState
from evalmon.state.grouping import is_gpu_log, run_key


def engine_calls(*prompts: int) -> ServerTraffic:
    """The ServerTraffic of a read holding these engine calls, in order."""
    counts: dict[int, int] = {}
    for n in prompts:
        counts[n] = counts.get(n, 0) + 1
    return ServerTraffic(tuple(sorted(counts.items())), prompts)


def test_engine_chart_shows_live_calls_in_order_and_history_only_counts():
    state = EvalState()
    state.apply_batch(batch("server-1.log", engine_calls(4, 8), history=True))
    state.apply_batch(batch("server-1.log", engine_calls(16, 16, 2)))
    run = state.snapshot().run("1")
    assert run.engine_series == (16, 16, 2)
    assert run.engine_batches.histogram == ((2, 1), (4, 1), (8, 1), (16, 2))


def batch(path: str, *events, history=False, relative=False, first_line=1) -> FileBatch:
    return FileBatch(
        path=path,
        events=tuple(Located(first_line + i, e) for i, e in enumerate(events)),
        history=history,
        relative_lines=relative,
    )


def lm_eval_config(batch_size: int, concurrency: int) -> RunConfig:
    return RunConfig(
        model_type="local-completions",
        model="m",
        batch_size=str(batch_size),
        num_concurrent=concurrency,
        tokenized_requests=True,
        source="init",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("logs/eval-123.out", ("logs", "123")),
        ("logs/server-123.log", ("logs", "123")),
        ("logs/slurm-123_4.out", ("logs", "123_4")),
        ("logs/eval-123.out.1", ("logs", "123")),
        ("notes.log", (".", "notes")),
    ],
)
def test_run_key_groups_files_by_job_id(name, expected):
    key = run_key(name)
    assert (key.folder, key.name) == expected


def test_gpu_logs_are_not_runs():
    assert is_gpu_log("logs/gpu-node01.jsonl")
    assert not is_gpu_log("logs/eval-1.out")
    state = EvalState()
    sample = GpuSample(host="n1", index=0, name="H100", memory_used=10, memory_total=80)
    state.apply_batch(batch("logs/gpu-n1.jsonl", sample))
    snap = state.snapshot()
    assert snap.runs == ()
    assert snap.gpus[0].latest.name == "H100"


def test_client_and_server_files_of_one_job_are_one_run():
    state = EvalState()
    state.apply_batch(batch("logs/eval-7.out", lm_eval_config(16, 1)))
    state.apply_batch(batch("logs/server-7.log", engine_calls(16, 16), engine_calls(8)))
    state.apply_batch(batch("logs/eval-8.out", lm_eval_config(32, 1)))
    snap = state.snapshot()
    assert [r.id for r in snap.runs] == ["7", "8"]
    run = snap.run("7")
    assert set(run.files) == {"logs/eval-7.out", "logs/server-7.log"}
    assert run.engine_batches.count == 3
    assert run.engine_batches.median == 16
    assert run.engine_batches.at_client_batch == 2
    assert run.engine_batches.histogram == ((8, 1), (16, 2))


def _requesting(n, total, elapsed):
    return Progress(desc="Requesting API", n=n, total=total, elapsed_s=elapsed, rate=None)


def test_samples_per_s_is_the_same_at_concurrency_1_and_4():
    """800 requests at batch 16: nc=1 counts requests (0/800), nc=4 counts batches (0/50)."""
    state = EvalState()
    state.apply_batch(
        batch("a/eval-1.out", lm_eval_config(16, 1), _requesting(320, 800, 40.0))
    )
    state.apply_batch(
        batch("b/eval-2.out", lm_eval_config(16, 4), _requesting(20, 50, 40.0))
    )
    snap = state.snapshot()
    one, four = snap.run("1"), snap.run("2")
    # tqdm printed 00:40, i.e. 40 <= t < 41 s: the midpoint is the unbiased estimate
    assert one.samples_per_s == pytest.approx(320 / 40.5)
    assert four.samples_per_s == pytest.approx(320 / 40.5)
    assert four.bars[0].counts == "batches"
    assert four.bars[0].samples_done == 320
    assert one.bars[0].counts == "requests"


def test_samples_per_s_comes_from_the_bars_elapsed_not_the_clock():
    state = EvalState()
    done = _requesting(400, 400, 533.3)
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), done), now=5)
    live = state.snapshot(now=10_000).run("1")
    assert live.samples_per_s == pytest.approx(0.75, rel=1e-3)
    assert live.time_for(1000) == pytest.approx(1333.3, rel=1e-3)


def test_two_request_bars_with_one_description_are_two_bars():
    """lm-eval runs one Requesting API bar per request type: both count."""
    state = EvalState()
    state.apply_batch(
        batch(
            "eval-1.out",
            lm_eval_config(10, 1),
            _requesting(100, 100, 10.0),
            _requesting(0, 50, 0.0),
            _requesting(50, 50, 15.0),
        )
    )
    run = state.snapshot().run("1")
    assert [b.total for b in run.bars] == [100, 50]
    assert run.samples_done == 150
    assert run.samples_per_s == pytest.approx(150 / (10.5 + 15.5))


def test_setup_bars_do_not_count_as_samples():
    state = EvalState()
    state.apply_batch(
        batch(
            "eval-1.out",
            lm_eval_config(10, 1),
            Progress(desc="Generating test split", n=10042, total=10042, elapsed_s=0.8),
            Progress(desc="", n=100, total=100, elapsed_s=0.05),
            _requesting(40, 400, 8.0),
        )
    )
    run = state.snapshot().run("1")
    assert run.samples_per_s == pytest.approx(40 / 8.5)
    assert [b.is_request_bar for b in run.bars] == [False, False, True]


def test_other_clients_bars_count_when_no_lm_eval_bar_exists():
    state = EvalState()
    state.apply_batch(batch("job.log", Progress(desc="eval", n=50, total=100, elapsed_s=10.0)))
    assert state.snapshot().run("job").samples_per_s == pytest.approx(50 / 10.5)


def test_finished_batch_bar_uses_cached_request_count_for_the_partial_last_batch():
    state = EvalState()
    state.apply_batch(
        batch(
            "eval-1.out",
            lm_eval_config(16, 4),
            CacheStatus(cached=304, remaining=490),
            _requesting(31, 31, 61.25),
        )
    )
    run = state.snapshot().run("1")
    assert run.samples_done == 490  # not 31 * 16 = 496: the last batch held 10
    assert run.samples_per_s == pytest.approx(8.0)


def test_status_finished_oom_failed_running():
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), ResultRow("t", "acc", 0.5, 0.01)))
    state.apply_batch(batch("eval-2.out", lm_eval_config(8, 1), _requesting(5, 10, 1.0)))
    state.apply_batch(
        batch("server-3.log", OutOfMemory(kind="gpu", origin="pytorch", message="CUDA OOM"))
    )
    state.apply_batch(batch("eval-3.out", PythonException("aiohttp.ClientResponseError", "500")))
    state.apply_batch(batch("eval-4.out", PythonException("KeyError", "'x'")))
    statuses = {r.id: r.status for r in state.snapshot().runs}
    assert statuses == {"1": "finished", "2": "running", "3": "oom", "4": "failed"}
    reason = state.snapshot().run("3").status_reason
    assert "server-3.log:1" in reason


def test_recovered_oom_does_not_make_the_run_an_oom():
    state = EvalState()
    state.apply_batch(
        batch(
            "eval-1.out",
            OutOfMemory(kind="gpu", origin="pytorch", message="oom", fatal=False),
            Progress(desc="x", n=1, total=2, elapsed_s=1.0),
        )
    )
    assert state.snapshot().run("1").status == "running"


def test_stall_alert_after_configured_quiet_time():
    state = EvalState(stall_after_s=60)
    state.apply_batch(batch("eval-1.out", _requesting(1, 10, 1.0)), now=100.0)
    assert not [a for a in state.snapshot(now=150.0).run("1").alerts if a.kind == "stall"]
    stall = [a for a in state.snapshot(now=170.0).run("1").alerts if a.kind == "stall"]
    assert stall and "no progress for 1m10s" in stall[0].message


def test_engine_cap_and_concurrency_advice():
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(64, 4)))
    state.apply_batch(
        batch("server-1.log", EngineConfig(max_batch_size=32), engine_calls(*[32] * 6))
    )
    alerts = {a.kind: a.message for a in state.snapshot().run("1").alerts}
    assert "caps batches at 32" in alerts["engine_cap"]
    assert "--inference-max-batch-size" in alerts["engine_cap"]
    assert "only queues requests" in alerts["concurrency_lock"]


def test_gpu_headroom_and_oom_risk_advice():
    def run_with_peak(used: int) -> set[str]:
        state = EvalState()
        state.apply_batch(batch("eval-1.out", lm_eval_config(64, 1), _requesting(1, 10, 1.0)))
        gib = 1 << 30
        state.apply_samples(
            [GpuSample("n", 0, "H100", memory_used=used * gib, memory_total=80 * gib)]
        )
        return {a.kind for a in state.snapshot().run("1").alerts}

    assert "gpu_headroom" in run_with_peak(20)
    assert "oom_risk" in run_with_peak(78)
    assert not {"gpu_headroom", "oom_risk"} & run_with_peak(60)


def test_http_counts_and_5xx_alert():
    state = EvalState()
    state.apply_batch(batch("server-1.log", ServerTraffic(http_statuses=((200, 1),))))
    state.apply_batch(batch("server-1.log", ServerTraffic(http_statuses=((200, 1), (500, 1)))))
    run = state.snapshot().run("1")
    assert run.http == {200: 2, 500: 1}
    assert any(a.kind == "http_5xx" for a in run.alerts)


def test_tail_first_lines_shift_and_history_comes_first():
    """A 10 GB log: the tail arrives first (relative lines), then history, then the shift."""
    state = EvalState()
    oom = OutOfMemory(kind="gpu", origin="pytorch", message="tail oom")
    state.apply_batch(batch("server-1.log", oom, relative=True, first_line=5))
    old = OutOfMemory(kind="gpu", origin="pytorch", message="history oom")
    state.apply_batch(
        FileBatch(
            "server-1.log", (Located(3, old),), history=True, scanned_bytes=50, size_bytes=100
        )
    )
    assert [s.path for s in state.snapshot().scanning] == ["server-1.log"]
    state.apply_batch(FileBatch("server-1.log", (), history=True, line_shift=1000,
                                scanned_bytes=100, size_bytes=100))
    run = state.snapshot().run("1")
    assert [(o.event.message, o.line) for o in run.ooms] == [("history oom", 3), ("tail oom", 1005)]
    assert state.snapshot().scanning == ()


def test_history_bar_that_the_tail_continues_is_not_counted_twice():
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), _requesting(300, 400, 300.0),
                            relative=True))
    state.apply_batch(batch("eval-1.out", _requesting(100, 400, 100.0), history=True))
    run = state.snapshot().run("1")
    assert run.samples_done == 300


def test_warnings_are_kept_once():
    state = EvalState()
    for _ in range(3):
        state.apply_batch(FileBatch("core.bin", (), warning="binary file skipped"))
    assert state.snapshot().warnings == ("core.bin: binary file skipped",)


def test_throughput_series_uses_bar_time():
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1)))
    for n, t in [(0, 0.0), (80, 10.0), (160, 20.0), (200, 30.0)]:
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t)))
    series = state.snapshot().run("1").throughput_series
    assert [t for t, _ in series] == [10.0, 20.0, 30.0]
    assert series[1][1] == pytest.approx(8.0)


def test_throughput_series_charts_a_history_scan_before_the_live_tail():
    """Read tail first: the tail's points arrive first, the history's later; the chart puts
    the history first and moves the live points after the history's finished bars."""
    state = EvalState()
    # the tail: the second request bar from 75 s on (its start is in the history)
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), relative=True))
    for n, t in [(250, 62.5), (300, 75.0), (400, 100.0)]:
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), relative=True))
    assert [t for t, _ in state.snapshot().run("1").throughput_series] == [75.0, 100.0]
    # the history: a whole first bar (100 s), then the second bar up to 25 s
    history = [(0, 0.0), (200, 50.0), (400, 100.0), (0, 0.0), (100, 25.0)]
    for n, t in history:
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), history=True))
    series = state.snapshot().run("1").throughput_series
    assert [t for t, _ in series] == [50.0, 100.0, 125.0, 175.0, 200.0]
    assert all(rate == pytest.approx(4.0) for _, rate in series)  # 400 requests per 100 s


def test_live_points_follow_a_history_that_ends_with_a_whole_bar():
    """The tail starts with a new bar: the history's last bar, complete, comes before it."""
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), relative=True))
    for n, t in [(0, 0.0), (100, 25.0), (200, 50.0)]:
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), relative=True))
    for n, t in [(0, 0.0), (200, 50.0), (400, 100.0)]:
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), history=True))
    series = state.snapshot().run("1").throughput_series
    assert [t for t, _ in series] == [50.0, 100.0, 125.0, 150.0]


def test_tail_first_counts_every_bar_when_the_tail_holds_several_of_the_same_name():
    """History: bars 1-2 whole. Tail: bars 3 and 4, the same size. The live side's latest
    update (bar 4 done) must not be taken for the continuation of the history's bar 2."""
    state = EvalState()
    state.apply_batch(batch("eval-1.out", lm_eval_config(8, 1), relative=True))
    for n, t in [(0, 0.0), (400, 100.0), (0, 0.0), (400, 100.0)]:  # bars 3 and 4
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), relative=True))
    for n, t in [(0, 0.0), (400, 100.0), (0, 0.0), (400, 100.0)]:  # bars 1 and 2
        state.apply_batch(batch("eval-1.out", _requesting(n, 400, t), history=True))
    run = state.snapshot().run("1")
    assert run.samples_done == 1600
    assert len([b for b in run.bars if b.is_request_bar]) == 4
    assert [t for t, _ in run.throughput_series] == [100.0, 200.0, 300.0, 400.0]


def test_whole_second_elapsed_times_are_read_as_their_midpoint():
    """tqdm truncates elapsed to whole seconds: a short bar must not read 12% fast."""
    state = EvalState()
    state.apply_batch(batch("eval-1.out", Progress(desc="eval", n=80, total=80, elapsed_s=8.0)))
    state.apply_batch(batch("eval-2.out", Progress(desc="eval", n=80, total=80, elapsed_s=8.25)))
    snap = state.snapshot()
    assert snap.run("1").samples_per_s == pytest.approx(80 / 8.5)
    assert snap.run("2").samples_per_s == pytest.approx(80 / 8.25)  # not a truncated value


def test_a_skipped_file_is_a_warning_not_a_run():
    state = EvalState()
    state.apply_batch(FileBatch("logs/core.log", (), warning="binary file skipped"))
    state.apply_batch(FileBatch("", (), warning="inotify: too many watches"))
    snap = state.snapshot()
    assert snap.runs == ()
    assert len(snap.warnings) == 2


def test_a_bar_shorter_than_two_seconds_is_timed_by_tqdms_own_rate():
    """Printed 00:00 only says 0 <= t < 1 s; tqdm's rate came from its sub-second clock."""
    state = EvalState()
    quick = Progress(desc="eval", n=3, total=3, elapsed_s=0.0, rate=19.95)
    state.apply_batch(batch("eval-1.out", quick))
    state.apply_batch(batch("eval-2.out", Progress(desc="eval", n=0, total=3, elapsed_s=0.0)))
    snap = state.snapshot()
    assert snap.run("1").samples_per_s == pytest.approx(19.95)
    assert snap.run("2").samples_per_s is None  # nothing done is no measurement


def test_the_reducer_api_says_what_a_file_batch_means():
    """Tail-first reading through the reducer's own calls: the tail (relative lines), the
    history's progress, then the shift that makes every line absolute."""
    state = EvalState()
    oom = OutOfMemory(kind="gpu", origin="pytorch", message="tail oom")
    state.file_events("server-1.log", [Located(5, oom)], relative_lines=True)
    state.file_scan_progress("server-1.log", 10, 100)
    assert [s.path for s in state.snapshot().scanning] == ["server-1.log"]
    state.file_history_done("server-1.log", 1000)
    snap = state.snapshot()
    assert snap.scanning == ()
    assert [r.line for r in snap.run("1").ooms] == [1005]
    state.file_warning("server-1.log", "over-long lines were cut")
    assert state.snapshot().warnings == ("server-1.log: over-long lines were cut",)
