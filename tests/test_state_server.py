"""The engine model per server kind in the state: status, figures, advice, /metrics, bounds.

Log text is real: the excerpts of ``tests/server_logs.py`` and the lines of the parser tables
(each with its source there). Where a test puts lines of different issues into one log, it
says which; the order is the one a server writes them in (start, statistics, stop).
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evalmon.events import (
    EngineStats,
    FileBatch,
    Located,
    MetricsScrape,
    RunConfig,
)
from evalmon.parsers.stream import LogParser
from evalmon.report import server_json
from evalmon.state import EvalState
from evalmon.state.server import (
    MAX_ENGINES,
    MAX_SERIES_POINTS,
    MAX_TIMINGS,
    bucket_quantile,
    same_endpoint,
)
from tests import test_parsers_tgi as tgi_table
from tests import test_parsers_vllm as vllm_table
from tests.oom_real_lines import FATAL
from tests.server_logs import MIXED, STATS_ONLY


def segment(table: list[tuple[str, list[object]]], needle: str) -> str:
    return next(text for text, _ in table if needle in text)


# vLLM lifecycle lines (vllm_table cites each): kyuz0/amd-strix-halo-vllm-toolboxes#12,
# vllm-project/vllm#43707; the "Setting max_num_seqs" line: openshift-psap/auto-tuning-vllm#106
VLLM_START = segment(vllm_table.CASES, "Starting vLLM server on")  # http://0.0.0.0:8080
VLLM_STOP = segment(vllm_table.CASES, "shutdown triggered")
VLLM_MAX_SEQS = segment(vllm_table.CASES, "Setting max_num_seqs to 1024")
# TGI lines (tgi_table cites each)
TGI_CONNECTED = segment(tgi_table.CASES, "2266: Connected")
TGI_CRASHED = "2024-04-23T08:26:48.209311Z ERROR text_generation_launcher: Webserver Crashed"
TGI_OOM = segment(tgi_table.CASES, "Request failed during generation: Server error: CUDA")
TGI_SUCCESS = tgi_table.SUCCESS_LINE
TGI_CHAT = segment(tgi_table.CASES, "INFO chat_completions{total_time")


def text_of(*parts: str) -> str:
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def read(text: str, path: str = "logs/server-7.log", state: EvalState | None = None,
         now: float = 0.0) -> EvalState:
    """The whole text through the parser and into a state, as `evalmon report` reads it."""
    state = state or EvalState()
    parser = LogParser()
    events = parser.feed(text.encode()) + parser.finish()
    state.apply_batch(FileBatch(path=path, events=tuple(events)), now)
    return state


def only_run(state: EvalState, now: float = 0.0):
    (run,) = state.snapshot(now).runs
    return run


# ----------------------------------------------------------------------------- kind and status


def test_a_stopped_vllm_server():
    state = read(text_of(VLLM_START, STATS_ONLY["vllm-50219"][1], VLLM_STOP))
    run = only_run(state)
    assert (run.kind, run.status, run.client) == ("vllm", "stopped", False)
    assert run.server.status_reason == "[shutdown] API server: shutdown triggered"
    assert run.server.address == "http://0.0.0.0:8080"


def test_a_vllm_server_that_could_not_fit_its_kv_cache_is_oom():
    """Qwen3#295's start-up failure (tests/oom_real_lines.py), after the start line."""
    line = FATAL["vLLM V1 KV cache too small, engine-core prefix"].text
    run = only_run(read(text_of(VLLM_START, line)))
    assert (run.kind, run.status) == ("vllm", "oom")
    assert run.server.status_reason.startswith("out of GPU memory (vllm-kv) at server-7.log:2")


def test_tgi_crash_stop_and_idle():
    run = only_run(read(text_of(TGI_CONNECTED)))
    assert (run.kind, run.status) == ("tgi", "idle")
    assert "no request yet" in run.status_reason
    run = only_run(read(text_of(TGI_CONNECTED, TGI_SUCCESS, TGI_CRASHED)))
    assert (run.status, run.status_reason) == ("crashed", "Webserver Crashed")


def test_a_tgi_oom_is_one_failure_and_the_server_serves_on():
    """TGI logs a shard's CUDA OOM as a failed request: one TgiError and one OutOfMemory
    from the same line, one failure. Requests served after it: the server is serving."""
    run = only_run(read(text_of(TGI_CONNECTED, TGI_OOM, TGI_SUCCESS, TGI_CHAT)))
    assert run.status == "serving" and run.status_reason == "2 requests served"
    log = run.server.log
    assert log.errors == (("oom", 1),) and log.requests == 2
    assert len(run.oom_failures) == 1
    alerts = {a.kind: a.message for a in run.alerts}
    assert alerts["request_errors"] == "1 request failed (1 oom)"
    # nothing served after the OOM: the OOM explains the state
    run = only_run(read(text_of(TGI_CONNECTED, TGI_SUCCESS, TGI_OOM)))
    assert run.status == "oom"


def test_tgi_timings_give_percentiles():
    run = only_run(read(text_of(TGI_CONNECTED, TGI_SUCCESS, TGI_CHAT)))
    log = run.server.log
    e2e = log.latency("e2e")
    assert e2e.count == 2 and e2e.p50 == 0.735200735 and e2e.p99 == 2.458150804
    assert log.latency("itl").p50 == 0.036708605
    assert log.latency_window == "all 2 requests"
    block = server_json(run.server)
    assert block["latency_s"]["e2e"] == {"p50": 0.735200735, "p99": 2.458150804}
    assert block["latency_s"]["ttft"] is None and block["running"] is None


def test_a_client_beside_a_vllm_server_keeps_its_run_and_gets_a_server():
    state = EvalState()
    config = RunConfig(model_type="local-completions", batch_size="8", num_concurrent=2,
                       source="init")
    state.apply_batch(FileBatch("logs/eval-7.out", (Located(1, config),)))
    read(text_of(VLLM_MAX_SEQS, STATS_ONLY["vllm-12314"][1]), state=state)
    run = only_run(state)
    assert run.client and run.kind == "vllm" and run.status == "running"
    assert run.server.status == "serving" and run.server.engine_limit == 1024
    kinds = [a.kind for a in run.alerts]
    assert "concurrency_lock" not in kinds  # vLLM has no global lock
    advice = next(a for a in run.alerts if a.kind == "raise_concurrency")
    assert advice.message.startswith(
        "the client keeps at most 16 requests in flight (batch 8 x num_concurrent 2) while the"
        " engine allows 1,024 (max_num_seqs); nothing waited and the KV cache peaked at 2%:"
        " raise num_concurrent"
    )


def test_megatron_keeps_its_lock_advice_and_vllm_never_gets_it():
    state = EvalState()
    config = RunConfig(model_type="local-completions", batch_size="8", num_concurrent=4,
                       source="init")
    state.apply_batch(FileBatch("logs/eval-3.out", (Located(1, config),)))
    read("[BATCHING DEBUG] run_mcore_engine called with 8 prompts\n", "logs/server-3.log", state)
    run = only_run(state)
    assert run.kind == "megatron"
    assert "concurrency_lock" in [a.kind for a in run.alerts]
    assert "raise_concurrency" not in [a.kind for a in run.alerts]


def test_preemptions_make_a_vllm_engine_kv_bound():
    """vllm-project/vllm#546's two V0 lines, then GAIR-NLP/LIMO#29's V0 preemption warning
    (vLLM warns at the 1st, 51st, 101st preemption: its count is a lower bound)."""
    run = only_run(read(text_of(STATS_ONLY["vllm-546"][1], vllm_table.PREEMPTION_LINE)))
    log = run.server.log
    assert (log.preemptions, log.preemptions_at_least) == (101, True)
    kv = next(a for a in run.alerts if a.kind == "kv_bound")
    assert "at least 101 requests preempted for lack of KV cache" in kv.message


def test_a_server_without_engine_lines_is_unknown():
    """Access lines only (a Megatron server without the debug patch): a run, kind unknown."""
    line = '127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 200 -\n'
    run = only_run(read(line * 3))
    assert (run.kind, run.status, run.status_reason) == ("unknown", "serving", "3 HTTP requests")


def test_history_and_live_merge_in_file_order():
    """Tail-first reading: the tail arrives live, the history later; figures as if read whole."""
    lines = STATS_ONLY["vllm-6737"][1].splitlines(keepends=True)
    older, newer = "".join(lines[:3]), "".join(lines[3:])
    state = EvalState()
    parser = LogParser()
    tail = parser.feed(newer.encode()) + parser.finish()
    state.apply_batch(FileBatch("s-1.log", tuple(tail), relative_lines=True))
    parser = LogParser()
    head = parser.feed(older.encode()) + parser.finish()
    state.apply_batch(FileBatch("s-1.log", tuple(head), history=True, scanned_bytes=1,
                                size_bytes=1))
    whole = only_run(read(STATS_ONLY["vllm-6737"][1], "s-1.log"))
    merged = only_run(state)
    assert server_json(merged.server) == server_json(whole.server)
    assert merged.server.log.series == whole.server.log.series
    assert [a.message for a in merged.alerts] == [a.message for a in whole.alerts]


# ----------------------------------------------------------------------------- bounded


def test_memory_stays_bounded_however_long_the_log():
    state = EvalState()
    n = 50_000
    for start in range(0, n, 1000):
        events = tuple(
            Located(i + 1, EngineStats(running=i % 7, waiting=0, kv_cache_usage_pct=10.0,
                                       generation_tokens_per_s=100.0, engine=i % 100))
            for i in range(start, start + 1000)
        )
        state.apply_batch(FileBatch("s-2.log", events))
    run = only_run(state)
    log = run.server.log
    assert log.samples == n
    assert len(log.series) <= MAX_SERIES_POINTS
    assert sum(p.samples for p in log.series) == n
    acc = next(iter(state._runs.values()))  # the accumulator's own sizes
    assert len(acc.server.engine.engines) == MAX_ENGINES
    assert acc.server.engine.tgi_total.maxlen == MAX_TIMINGS


# ----------------------------------------------------------------------------- chunking

# Real lines as one server writes them (each excerpt's source in tests/server_logs.py and the
# parser tables): vLLM statistics, speculative decoding, V0 prefix cache and preemption lines,
# access lines; SGLang decode/prefill lines with data-parallel ranks; TGI router lines.
VLLM_LOG = text_of(
    VLLM_START, MIXED["vllm-93"][1], STATS_ONLY["vllm-6737"][1], vllm_table.PREFIX_CACHE_LINE,
    vllm_table.PREEMPTION_LINE, MIXED["vllm-391"][1], VLLM_STOP,
).encode()
SGLANG_LOG = text_of(
    MIXED["sglang-22166"][1], STATS_ONLY["sglang-1612"][1], STATS_ONLY["sglang-20766"][1],
).encode()
TGI_LOG = text_of(TGI_CONNECTED, TGI_SUCCESS, TGI_OOM, TGI_CHAT, TGI_SUCCESS).encode()


def read_in_pieces(data: bytes, cuts: list[int]) -> dict:
    state = EvalState()
    parser = LogParser()
    last = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        events = parser.feed(data[last:cut])
        last = cut
        if events:
            state.apply_batch(FileBatch("logs/server-9.log", tuple(events)))
    events = parser.finish()
    if events:
        state.apply_batch(FileBatch("logs/server-9.log", tuple(events)))
    run = only_run(state)
    return {
        "server": server_json(run.server),
        "status": (run.status, run.status_reason),
        "alerts": [a.message for a in run.alerts],
        "series": run.server.log.series,
        "errors": run.server.log.errors,
    }


WHOLE = {name: read_in_pieces(data, []) for name, data in
         (("vllm", VLLM_LOG), ("sglang", SGLANG_LOG), ("tgi", TGI_LOG))}


def test_the_mixed_logs_read_as_expected():
    assert WHOLE["vllm"]["status"][0] == "stopped"
    assert WHOLE["vllm"]["server"]["stats"] == 2 + 5 + 3
    assert WHOLE["vllm"]["server"]["preemptions"] == 101
    assert WHOLE["sglang"]["server"]["stats"] == 4 + 7 + 8
    assert WHOLE["tgi"]["errors"] == (("oom", 1),)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["vllm", "sglang", "tgi"]),
    st.lists(st.integers(min_value=0, max_value=len(VLLM_LOG)), max_size=30),
)
@example("vllm", list(range(0, len(VLLM_LOG), 7)))
def test_chunking_never_changes_the_aggregate(kind: str, cuts: list[int]):
    data = {"vllm": VLLM_LOG, "sglang": SGLANG_LOG, "tgi": TGI_LOG}[kind]
    cuts = [c for c in cuts if c <= len(data)]
    assert read_in_pieces(data, cuts) == WHOLE[kind]


# ----------------------------------------------------------------------------- /metrics

# tests/metrics_samples/vllm-0.32.0-cpu-busy.prom (a real vLLM 0.32 on this machine's CPU
# backend, under load) reduced to a scrape; EARLIER is the same server before more work.
BUSY = MetricsScrape(
    url="http://127.0.0.1:8080/metrics", at=20.0, kind="vllm", running=128.0, waiting=112.0,
    kv_cache_usage=0.015626907581491878, prompt_tokens_total=1208.0,
    generation_tokens_total=4983.0, preemptions_total=0.0, prefix_cache_queries_total=1208.0,
    prefix_cache_hits_total=0.0,
    ttft_s=((0.04, 10.0), (0.06, 67.0), (0.08, 104.0), (0.1, 141.0), (0.25, 208.0),
            (float("inf"), 208.0)),
    itl_s=((0.01, 2447.0), (0.025, 4128.0), (0.05, 4903.0), (float("inf"), 4903.0)),
    e2e_s=((0.3, 80.0), (0.5, 80.0), (float("inf"), 80.0)),
)
EARLIER = dataclasses.replace(
    BUSY, at=10.0, running=64.0, waiting=150.0, prompt_tokens_total=208.0,
    generation_tokens_total=983.0, prefix_cache_queries_total=208.0,
    ttft_s=((0.04, 10.0), (0.06, 10.0), (0.08, 10.0), (0.1, 10.0), (0.25, 10.0),
            (float("inf"), 10.0)),
    itl_s=((0.01, 47.0), (0.025, 128.0), (0.05, 903.0), (float("inf"), 903.0)),
    e2e_s=((0.3, 0.0), (0.5, 0.0), (float("inf"), 0.0)),
)


def scrape(state: EvalState, *scrapes: MetricsScrape, now: float = 0.0) -> None:
    for s in scrapes:
        state.apply_batch(FileBatch(path=s.url, events=(Located(0, s),)), now)


def test_a_scrape_joins_the_run_of_the_server_that_listens_there():
    state = read(text_of(VLLM_START, STATS_ONLY["vllm-50219"][1]))  # 0.0.0.0:8080
    scrape(state, EARLIER, BUSY)
    run = only_run(state)
    server = run.server
    assert server.metrics_url == BUSY.url and server.figures.source == "metrics"
    assert server.log.samples == 5 and server.metrics.samples == 2
    m = server.metrics
    assert m.gen_tokens_per_s.last == (4983 - 983) / 10  # counters over the scrape window
    assert m.prompt_tokens_per_s.last == 100.0
    assert m.prefix_cache_hit_rate.last == 0.0
    assert (m.running.last, m.running.max, m.waiting.max) == (128, 128, 150)
    # percentiles of the requests finished between the two scrapes (198 first tokens)
    ttft = m.latency("ttft")
    assert ttft.count == 198
    assert ttft.p50 == bucket_quantile(0.5, ((0.04, 0), (0.06, 57), (0.08, 94), (0.1, 131),
                                             (0.25, 198), (float("inf"), 198)))
    assert 0.08 < ttft.p50 < 0.1 and 0.1 < ttft.p99 <= 0.25
    assert m.latency("e2e").p50 is not None
    block = server_json(server)
    assert block["source"] == "metrics" and block["stats"] == 2
    assert block["running"] == {"last": 128, "max": 128}
    assert block["latency_s"]["ttft"] == {"p50": ttft.p50, "p99": ttft.p99}
    assert (run.status, run.server.status) == ("serving", "serving")
    assert run.server.status_reason == "128 running, 112 waiting at the last scrape"


def test_a_scrape_nobody_claims_is_a_run_named_after_its_url():
    state = EvalState()
    scrape(state, dataclasses.replace(BUSY, url="http://10.0.0.5:9000/metrics"))
    run = only_run(state)
    assert run.id == "10.0.0.5:9000" and run.kind == "vllm" and not run.client
    assert run.server.figures.source == "metrics"
    assert run.server.figures.latency_s == ()  # one scrape: no window to measure yet
    assert server_json(run.server)["latency_s"] == {"ttft": None, "itl": None, "e2e": None}


def test_a_failed_scrape_is_a_visible_state():
    failed = MetricsScrape(url="http://127.0.0.1:9/metrics", at=1.0,
                           error="metrics unreachable: connection refused")
    state = EvalState()
    scrape(state, failed)
    run = only_run(state)
    assert (run.status, run.status_reason) == (
        "unreachable", "metrics unreachable: connection refused"
    )
    # beside a log: the log still speaks; the error is advice with its URL
    state = read(text_of(VLLM_START, STATS_ONLY["vllm-50219"][1]))
    scrape(state, EARLIER, BUSY, dataclasses.replace(failed, url=BUSY.url))
    run = only_run(state)
    assert run.server.metrics_error == "metrics unreachable: connection refused"
    assert any(a.kind == "metrics_error" and BUSY.url in a.message for a in run.alerts)
    assert server_json(run.server)["source"] == "metrics"  # the last good scrapes' figures


def test_one_scrape_beside_a_log_gives_its_gauges_and_no_rates():
    """The block's figures come from one source: a scrape's exact gauges, but rates and
    latencies need a second scrape (the log's rates stay in the dashboard's panel)."""
    state = read(text_of(VLLM_START, STATS_ONLY["vllm-50219"][1]))
    scrape(state, BUSY)
    run = only_run(state)
    block = server_json(run.server)
    assert (block["source"], block["stats"]) == ("metrics", 1)
    assert block["running"] == {"last": 128, "max": 128} and block["gen_tokens_per_s"] is None
    assert run.server.log.gen_tokens_per_s.last == 1.1
    assert run.server.status_reason == "128 running, 112 waiting at the last scrape"


def test_same_endpoint():
    assert same_endpoint("http://0.0.0.0:8000", "http://node7:8000/metrics")
    assert same_endpoint("http://localhost:8000", "http://127.0.0.1:8000/metrics")
    assert not same_endpoint("http://0.0.0.0:8000", "http://127.0.0.1:8001/metrics")
    assert not same_endpoint("http://10.0.0.5:8000", "http://10.0.0.6:8000/metrics")
    assert not same_endpoint("", "http://127.0.0.1:8000/metrics")
    assert not same_endpoint("http://[::1:8000", "http://127.0.0.1:8000/metrics")
