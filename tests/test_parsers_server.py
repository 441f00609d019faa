"""Inference-server lines read one by one: Megatron here; vLLM, SGLang and TGI in
test_parsers_vllm.py, test_parsers_sglang.py and test_parsers_tgi.py.

Routine lines (engine calls, access lines) are counted in bulk: test_parsers_traffic.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from evalmon.events import EngineConfig, ServerException
from evalmon.parsers import megatron, sglang, tgi, vllm

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
]

NEAR_MISSES: list[tuple[ModuleType, str]] = [
    (megatron, "  inference_max_seq_length ........................ 2048"),
    (megatron, "  inference_max_batch_size ........................ None"),
    (megatron, "--inference-max-batch-size $INFERENCE_MAX_BATCH"),
    (megatron, "INFERENCE_MAX_BATCH=256  # Changed from 32"),
    (megatron, "ERROR in app: something else"),
    (megatron, 'print("request IP: " + str(request.remote_addr))'),
]


@pytest.mark.parametrize(("module", "segment", "expected"), CASES, ids=[c[1][:50] for c in CASES])
def test_table(module: ModuleType, segment: str, expected: list[object]) -> None:
    assert module.parse(segment) == expected
    assert module.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize(("module", "segment"), NEAR_MISSES, ids=[c[1][:50] for c in NEAR_MISSES])
def test_near_misses_give_nothing(module: ModuleType, segment: str) -> None:
    assert module.parse(segment) == []


@pytest.mark.parametrize("module", [megatron, vllm, sglang, tgi])
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
        "tgi": tgi,
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
