"""Inference-server lines read one by one: Megatron, vLLM, SGLang.

Routine lines (engine calls, access lines) are counted in bulk: test_parsers_traffic.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from evalmon.events import (
    EngineConfig,
    EngineStats,
    ServerException,
    SglangBatch,
)
from evalmon.parsers import megatron, sglang, vllm

CASES: list[tuple[ModuleType, str, list[object]]] = [
    # ------------------------------------------------------------------ Megatron
    (
        megatron,
        "[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]",
        [ServerException(method="POST", path="/completions", when="2026-11-24 03:00:02,123")],
    ),
    (
        megatron,
        "ERROR in app: Exception on /api [PUT]",
        [ServerException(method="PUT", path="/api")],
    ),
    (
        megatron,
        "  inference_max_batch_size ........................ 256",
        [EngineConfig(max_batch_size=256)],
    ),
    (
        megatron,
        "  inference_max_requests .......... 8",
        [EngineConfig(max_requests=8)],
    ),
    (
        megatron,
        "+ torchrun --nproc-per-node 8 tools/run_text_generation_server.py --tp 8 "
        "--inference-max-batch-size 256 --inference-max-requests 128 --port 5000",
        [EngineConfig(max_batch_size=256, max_requests=128)],
    ),
    (
        megatron,
        "python run_text_generation_server.py --inference-max-requests=64",
        [EngineConfig(max_requests=64)],
    ),
    # ------------------------------------------------------------------ vLLM
    (
        vllm,
        "INFO 05-01 12:00:00 metrics.py:341] Avg prompt throughput: 123.4 tokens/s, Avg "
        "generation throughput: 56.7 tokens/s, Running: 8 reqs, Swapped: 0 reqs, Pending: 2 "
        "reqs, GPU KV cache usage: 45.6%, CPU KV cache usage: 0.0%.",
        [
            EngineStats(
                prompt_tokens_per_s=123.4,
                generation_tokens_per_s=56.7,
                running=8,
                waiting=2,
                swapped=0,
                kv_cache_usage_pct=45.6,
            )
        ],
    ),
    (
        vllm,
        "INFO 05-01 12:00:00 [loggers.py:116] Engine 000: Avg prompt throughput: 0.0 tokens/s, "
        "Avg generation throughput: 38.2 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV "
        "cache usage: 0.2%, Prefix cache hit rate: 0.0%",
        [
            EngineStats(
                prompt_tokens_per_s=0.0,
                generation_tokens_per_s=38.2,
                running=1,
                waiting=0,
                kv_cache_usage_pct=0.2,
                prefix_cache_hit_pct=0.0,
            )
        ],
    ),
    # early V1: no KV fields
    (
        vllm,
        "INFO 02-01 10:00:00 loggers.py:43] Avg prompt throughput: 1.0 tokens/s, Avg generation "
        "throughput: 2.0 tokens/s, Running: 1 reqs, Waiting: 3 reqs ",
        [EngineStats(prompt_tokens_per_s=1.0, generation_tokens_per_s=2.0, running=1, waiting=3)],
    ),
    # a later V1 wording and a worker tag
    (
        vllm,
        "(EngineCore_0 pid=77) INFO 09-01 10:00:00 [loggers.py:123] Engine 001: Avg prompt "
        "throughput: 10.5 tokens/s, Avg generation throughput: 700.0 tokens/s, Running: 64 reqs, "
        "Waiting: 12 reqs, KV cache usage: 91.3%, Prefix cache hit rate: 40.2%",
        [
            EngineStats(
                prompt_tokens_per_s=10.5,
                generation_tokens_per_s=700.0,
                running=64,
                waiting=12,
                kv_cache_usage_pct=91.3,
                prefix_cache_hit_pct=40.2,
            )
        ],
    ),
    # engine cap from the start-up arguments
    (
        vllm,
        "INFO 06-01 10:00:00 [utils.py:326] non-default args: {'model': 'meta/llama', "
        "'max_num_seqs': 128, 'max_model_len': 4096}",
        [EngineConfig(max_batch_size=128)],
    ),
    (
        vllm,
        "INFO 05-01 12:00:00 api_server.py:583] args: Namespace(host=None, port=8000, "
        "max_num_seqs=256, max_num_batched_tokens=None)",
        [EngineConfig(max_batch_size=256)],
    ),
    (
        vllm,
        "+ vllm serve meta/llama --max-num-seqs  64 --port 8000",
        [EngineConfig(max_batch_size=64)],
    ),
    # ------------------------------------------------------------------ SGLang
    (
        sglang,
        "[2026-11-24 03:00:00] server_args=ServerArgs(model_path='x', max_running_requests=128, "
        "max_total_tokens=None)",
        [EngineConfig(max_requests=128)],
    ),
    (
        sglang,
        "python -m sglang.launch_server --model-path x --max-running-requests 32",
        [EngineConfig(max_requests=32)],
    ),
    (
        sglang,
        "[2026-11-24 03:00:00 TP0] Prefill batch. #new-seq: 1, #new-token: 7, #cached-token: 0, "
        "token usage: 0.00, #running-req: 0, #queue-req: 0",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=0,
                queue_reqs=0,
                new_seqs=1,
                new_tokens=7,
                token_usage=0.0,
            )
        ],
    ),
    (
        sglang,
        "[2026-11-24 03:00:00 TP0] Decode batch. #running-req: 1, #token: 40, token usage: 0.00, "
        "gen throughput (token/s): 6.73, #queue-req: 0",
        [
            SglangBatch(
                phase="decode",
                running_reqs=1,
                queue_reqs=0,
                token_usage=0.0,
                generation_tokens_per_s=6.73,
            )
        ],
    ),
    (
        sglang,
        "Prefill batch(mixed #running-req: 3). #new-seq: 1, #new-token: 7, #cached-token: 0, "
        "cache hit rate: 0.00%, #queue-req: 0",
        [SglangBatch(phase="prefill", running_reqs=3, queue_reqs=0, new_seqs=1, new_tokens=7)],
    ),
    (
        sglang,
        "[2026-11-24 03:00:00 DP0 TP0] Prefill batch [12], #new-seq: 2, #new-token: 70, "
        "#cached-token: 0, full token usage: 0.10, swa token usage: 0.20, #running-req: 4, "
        "#queue-req: 1, ",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=4,
                queue_reqs=1,
                new_seqs=2,
                new_tokens=70,
                token_usage=0.1,
            )
        ],
    ),
    (
        sglang,
        "Decode batch, #running-req: 5, #token: 400, token usage: 0.05, cuda graph: True, "
        "gen throughput (token/s): 600.12, #queue-req: 0, ",
        [
            SglangBatch(
                phase="decode",
                running_reqs=5,
                queue_reqs=0,
                token_usage=0.05,
                generation_tokens_per_s=600.12,
            )
        ],
    ),
]

NEAR_MISSES: list[tuple[ModuleType, str]] = [
    (megatron, "  inference_max_seq_length ........................ 2048"),
    (megatron, "  inference_max_batch_size ........................ None"),
    (megatron, "--inference-max-batch-size $INFERENCE_MAX_BATCH"),
    (megatron, "INFERENCE_MAX_BATCH=256  # Changed from 32"),
    (megatron, "ERROR in app: something else"),
    (megatron, 'print("request IP: " + str(request.remote_addr))'),
    (vllm, "INFO 05-01 12:00:00 metrics.py:357] Prefix cache hit rate: GPU: 12.50%, CPU: 0.00%"),
    (vllm, "Throughput: 12.3 requests/s, 4567.8 tokens/s"),
    (vllm, "Avg prompt throughput: fast"),
    (sglang, "Prefill batch size list:[1, 2, 4]"),
    (sglang, "server_args=ServerArgs(max_running_requests=None)"),
    (vllm, "args: Namespace(max_num_seqs=None)"),
    (vllm, "--max-num-seqs $MAX_SEQS"),
    (sglang, "Decode batch size: 64"),
    (sglang, "logger.info(f'Decode batch. #running-req: {n}')"),
]


@pytest.mark.parametrize(("module", "segment", "expected"), CASES, ids=[c[1][:50] for c in CASES])
def test_table(module: ModuleType, segment: str, expected: list[object]) -> None:
    assert module.parse(segment) == expected
    assert module.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize(("module", "segment"), NEAR_MISSES, ids=[c[1][:50] for c in NEAR_MISSES])
def test_near_misses_give_nothing(module: ModuleType, segment: str) -> None:
    assert module.parse(segment) == []


@pytest.mark.parametrize("module", [megatron, vllm, sglang])
def test_other_servers_lines_are_ignored(module: ModuleType) -> None:
    """Each module gives nothing for the other modules' lines."""
    for other, segment, _ in CASES:
        if other is not module:
            assert module.parse(segment) == [], (module.__name__, segment)


def test_frequent_lines_wake_only_their_own_parser() -> None:
    """A CANDIDATE that matches other modules' hot lines costs scan speed (decode + parse)."""
    from evalmon.parsers import lm_eval, python_exc, slurm, tqdm

    modules = {
        "tqdm": tqdm,
        "lm_eval": lm_eval,
        "python_exc": python_exc,
        "megatron": megatron,
        "vllm": vllm,
        "sglang": sglang,
        "slurm": slurm,
    }
    hot_lines = {
        # Megatron PUT /api prints the JSON request body on one (often huge) line
        '{"prompts": ["The model said: \\"yes\\"", "Question: 2+2?"], "tokens_to_generate": 1, '
        '"logprobs": true, "model": "m", "temperature": 0, "batch_size": 16}': set(),
        # routine lines are counted in bulk (test_parsers_traffic.py): they wake no parser
        "[BATCHING DEBUG] run_mcore_engine called with 32 prompts": set(),
        '127.0.0.1 - - [20/Nov/2026 10:01:51] "POST /completions HTTP/1.1" 200 -': set(),
        "request IP: 127.0.0.1": set(),
        "start time:  2026-11-24 03:00:01.123456": set(),
        "Requesting API:  45%|████▌     | 360/800 [01:12<01:28,  4.98it/s]": {"tqdm"},
        'INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK': set(),
    }
    for line, expected in hot_lines.items():
        woken = {name for name, m in modules.items() if m.CANDIDATE.search(line.encode())}
        assert woken == expected, line
