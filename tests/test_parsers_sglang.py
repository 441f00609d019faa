"""SGLang scheduler lines, table-driven from real logs.

Each case cites where its line was seen: a public issue or pull request (its log excerpt,
copied as printed), or an SGLang source file where no printed sample was found.
"""

from __future__ import annotations

import pytest

from evalmon.events import EngineConfig, ServerShutdown, SglangBatch
from evalmon.parsers import sglang

# sgl-project/sglang#3909: the "." form of early 2025
DECODE_LINE = (
    "[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, "
    "gen throughput (token/s): 186.64, #queue-req: 0"
)
DECODE = SglangBatch(
    phase="decode",
    running_reqs=8,
    queue_reqs=0,
    token_usage=0.12,
    generation_tokens_per_s=186.64,
    tokens=62531,
    tp_rank=0,
)
# sgl-project/sglang#22166: the "," form, no rank tag (no tensor parallelism)
PREFILL_LINE = (
    "[2026-04-05 20:02:51] Prefill batch, #new-seq: 1, #new-token: 158, #cached-token: 0, token "
    "usage: 0.08, #running-req: 31, #queue-req: 0, cuda graph: True, input throughput (token/s): "
    "559.53"
)
PREFILL = SglangBatch(
    phase="prefill",
    running_reqs=31,
    queue_reqs=0,
    new_seqs=1,
    new_tokens=158,
    token_usage=0.08,
    cached_tokens=0,
    input_tokens_per_s=559.53,
    graph=True,
)

CASES: list[tuple[str, list[object]]] = [
    # ------------------------------------------------------------------ decode
    (DECODE_LINE, [DECODE]),
    # sgl-project/sglang#938: 2024, no prefix at all
    (
        "Decode batch. #running-req: 1010, #token: 55006, token usage: 0.93, gen throughput "
        "(token/s): 1397.13, #queue-req: 12279",
        [
            SglangBatch(
                phase="decode",
                running_reqs=1010,
                queue_reqs=12279,
                token_usage=0.93,
                generation_tokens_per_s=1397.13,
                tokens=55006,
            )
        ],
    ),
    # sgl-project/sglang#4407: an extra "largest-len" and a trailing ", "
    (
        "[2025-03-14 02:16:14 TP0] Decode batch. #running-req: 509, #token: 180776, token usage: "
        "0.43, gen throughput (token/s): 7897.87, largest-len: 0, #queue-req: 0, ",
        [
            SglangBatch(
                phase="decode",
                running_reqs=509,
                queue_reqs=0,
                token_usage=0.43,
                generation_tokens_per_s=7897.87,
                tokens=180776,
                tp_rank=0,
            )
        ],
    ),
    # sgl-project/sglang#10053: "cuda graph" in the "." form
    (
        "[2025-09-03 18:33:19 TP0] Decode batch. #running-req: 1, #token: 137, token usage: 0.00, "
        "cuda graph: True, gen throughput (token/s): 1.06, #queue-req: 0, ",
        [
            SglangBatch(
                phase="decode",
                running_reqs=1,
                queue_reqs=0,
                token_usage=0.0,
                generation_tokens_per_s=1.06,
                tokens=137,
                graph=True,
                tp_rank=0,
            )
        ],
    ),
    # sgl-project/sglang#22331: the "," form
    (
        "[2026-04-08 14:05:21 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: "
        "0.29, cuda graph: True, gen throughput (token/s): 144.95, #queue-req: 0",
        [
            SglangBatch(
                phase="decode",
                running_reqs=5,
                queue_reqs=0,
                token_usage=0.29,
                generation_tokens_per_s=144.95,
                tokens=20800,
                graph=True,
                tp_rank=0,
            )
        ],
    ),
    # sgl-project/sglang#13023: "cuda graph: False" (batch above the captured sizes)
    (
        "[2025-11-11 04:06:27] Decode batch, #running-req: 46, #token: 34901, token usage: 0.19, "
        "cuda graph: False, gen throughput (token/s): 1447.08, #queue-req: 0, ",
        [
            SglangBatch(
                phase="decode",
                running_reqs=46,
                queue_reqs=0,
                token_usage=0.19,
                generation_tokens_per_s=1447.08,
                tokens=34901,
                graph=False,
            )
        ],
    ),
    # sgl-project/sglang#6081: data-parallel attention ranks, speculative "accept len"
    (
        "[2025-05-31 18:31:21 DP6 TP6] Decode batch. #running-req: 8, #token: 36267, token usage: "
        "0.12, accept len: 2.86, cuda graph: True, gen throughput (token/s): 168.28, #queue-req: 0",
        [
            SglangBatch(
                phase="decode",
                running_reqs=8,
                queue_reqs=0,
                token_usage=0.12,
                generation_tokens_per_s=168.28,
                tokens=36267,
                graph=True,
                spec_accept_length=2.86,
                dp_rank=6,
                tp_rank=6,
            )
        ],
    ),
    # sgl-project/sglang#20766: two-digit ranks
    (
        "[2026-03-17 17:35:07 DP13 TP13] Decode batch, #running-req: 12, #token: 768, token "
        "usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0",
        [
            SglangBatch(
                phase="decode",
                running_reqs=12,
                queue_reqs=0,
                token_usage=0.0,
                generation_tokens_per_s=3.83,
                tokens=768,
                graph=True,
                dp_rank=13,
                tp_rank=13,
            )
        ],
    ),
    # sgl-project/sglang#30047: a hybrid (mamba) model on NPUs, with "accept rate"
    (
        "[2026-07-04 05:01:33 TP0] Decode batch, #running-req: 40, #full token: 350592, full token "
        "usage: 0.74, mamba num: 160, mamba usage: 0.80, accept len: 3.13, accept rate: 0.71, npu "
        "graph: True, gen throughput (token/s): 155.34, #queue-req: 0",
        [
            SglangBatch(
                phase="decode",
                running_reqs=40,
                queue_reqs=0,
                token_usage=0.74,
                generation_tokens_per_s=155.34,
                tokens=350592,
                graph=True,
                spec_accept_length=3.13,
                spec_accept_rate=0.71,
                tp_rank=0,
            )
        ],
    ),
    # Gen-Verse/OpenClaw-RL#44: behind a Ray actor's tag, a trailing ","
    (
        "(SGLangEngine pid=41820) [2026-03-22 13:53:37 TP0] Decode batch, #running-req: 6, "
        "#token: 42414, token usage: 0.04, cuda graph: True, gen throughput (token/s): 1374.02, "
        "#queue-req: 0,",
        [
            SglangBatch(
                phase="decode",
                running_reqs=6,
                queue_reqs=0,
                token_usage=0.04,
                generation_tokens_per_s=1374.02,
                tokens=42414,
                graph=True,
                tp_rank=0,
            )
        ],
    ),
    # sgl-project/sglang-jax#564: SGLang for JAX/TPU, an extra "#cache_miss"
    (
        "[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen "
        "throughput (token/s): 84.39, #queue-req: 0, #cache_miss: 1",
        [
            SglangBatch(
                phase="decode",
                running_reqs=1,
                queue_reqs=0,
                token_usage=0.0,
                generation_tokens_per_s=84.39,
                tokens=64,
            )
        ],
    ),
    # ------------------------------------------------------------------ prefill
    # sgl-project/sglang#2255: 2024, with "cache hit rate"
    (
        "[2024-11-29 10:28:29 TP0] Prefill batch. #new-seq: 2, #new-token: 2048, #cached-token: "
        "888, cache hit rate: 0.00%, token usage: 0.11, #running-req: 69, #queue-req: 130",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=69,
                queue_reqs=130,
                new_seqs=2,
                new_tokens=2048,
                token_usage=0.11,
                cached_tokens=888,
                cache_hit_pct=0.0,
                tp_rank=0,
            )
        ],
    ),
    # sgl-project/sglang#10053: without it, a trailing ", "
    (
        "[2025-09-03 18:33:18 TP0] Prefill batch. #new-seq: 1, #new-token: 103, #cached-token: 1, "
        "token usage: 0.00, #running-req: 0, #queue-req: 0, ",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=0,
                queue_reqs=0,
                new_seqs=1,
                new_tokens=103,
                token_usage=0.0,
                cached_tokens=1,
                tp_rank=0,
            )
        ],
    ),
    (PREFILL_LINE, [PREFILL]),
    # sgl-project/sglang#18570: "cuda graph" after the throughput
    (
        "[2026-02-10 23:32:05] Prefill batch, #new-seq: 2, #new-token: 578, #cached-token: 0, "
        "token usage: 0.00, #running-req: 1, #queue-req: 0, input throughput (token/s): 0.14, "
        "cuda graph: False",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=1,
                queue_reqs=0,
                new_seqs=2,
                new_tokens=578,
                token_usage=0.0,
                cached_tokens=0,
                input_tokens_per_s=0.14,
                graph=False,
            )
        ],
    ),
    # sgl-project/sglang#30047: hybrid model, "#pending-token"
    (
        "[2026-07-04 05:01:20 TP0] Prefill batch, #new-seq: 1, #new-token: 128, #cached-token: "
        "70016, full token usage: 0.28, mamba usage: 0.20, #running-req: 1, #queue-req: 0, "
        "#pending-token: 0, npu graph: False, input throughput (token/s): 16.23",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=1,
                queue_reqs=0,
                new_seqs=1,
                new_tokens=128,
                token_usage=0.28,
                cached_tokens=70016,
                input_tokens_per_s=16.23,
                pending_tokens=0,
                graph=False,
                tp_rank=0,
            )
        ],
    ),
    # sglang python/sglang/srt/managers/tp_worker.py (2024): decode requests riding along a
    # prefill; no printed sample found, the line is the f-string filled in
    (
        "Prefill batch(mixed #running-req: 3). #new-seq: 1, #new-token: 7, #cached-token: 0, "
        "cache hit rate: 0.00%, #queue-req: 0",
        [
            SglangBatch(
                phase="prefill",
                running_reqs=3,
                queue_reqs=0,
                new_seqs=1,
                new_tokens=7,
                cached_tokens=0,
                cache_hit_pct=0.0,
            )
        ],
    ),
    # sglang python/sglang/srt/managers/scheduler_metrics_mixin.py (SGLANG_LOG_FORWARD_ITERS
    # adds " [N]"; a sliding-window model prints "full"/"swa" usage): no printed sample
    # found, the f-string filled in
    (
        "[2025-10-01 12:00:00 TP0] Prefill batch [12], #new-seq: 2, #new-token: 70, "
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
                cached_tokens=0,
                tp_rank=0,
            )
        ],
    ),
    # ------------------------------------------------------------------ cut lines
    # sgl-project/sglang#25960: lines cut by the terminal they were copied from; what is
    # left is read, what was cut is unknown (no #cached-token: no cache figure)
    (
        "[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, "
        "#cached-tounning-req: 45, #queue-req: 81, #pending-token: 70187, npu graph: False, "
        "input th",
        [
            SglangBatch(
                phase="prefill",
                queue_reqs=81,
                new_seqs=1,
                new_tokens=896,
                pending_tokens=70187,
                graph=False,
                tp_rank=0,
            )
        ],
    ),
    # ------------------------------------------------------------------ death
    # LMCache/LMCache#869: the scheduler's exception (its traceback follows)
    (
        "[2025-06-26 02:16:20 TP0] Scheduler hit an exception: Traceback (most recent call last):",
        [ServerShutdown(server="sglang", crashed=True, message="Scheduler hit an exception")],
    ),
    # sgl-project/sglang#3752: the launcher, told by a child that timed out (older releases
    # misspelt "proces.")
    (
        "[2025-03-09 00:57:20] Received sigquit from a child proces. It usually means the child "
        "failed.",
        [
            ServerShutdown(
                server="sglang", crashed=True, message="Received sigquit from a child proces"
            )
        ],
    ),
    # sgl-project/sglang#17941: the newer wording
    (
        "[2026-01-29 13:12:42] SIGQUIT received. signum=None, frame=None. It usually means one "
        "child failed.",
        [ServerShutdown(server="sglang", crashed=True, message="SIGQUIT received")],
    ),
    # ------------------------------------------------------------------ request cap
    # sgl-project/sglang#6623: the launch flags
    (
        "--tp 8 --trust-remote-code --enable-dp-attention --dp 8 --attention-backend flashinfer "
        "--max-running-requests 256 --enable-metrics",
        [EngineConfig(max_requests=256)],
    ),
]

NEAR_MISSES = [
    # sgl-project/sglang#393: the 2024-04 format (before "Prefill batch") is not read
    "new fill batch. #seq: 1. #cached_token: 757. #new_token: 1. #remaining_req: 4. "
    "#running_req: 2. tree_cache_hit_rate: 80.83%.",
    "Prefill batch size list:[1, 2, 4]",
    "Decode batch size: 64",
    "logger.info(f'Decode batch. #running-req: {n}')",
    "server_args=ServerArgs(max_running_requests=None)",
    # sgl-project/sglang#9099: "Why is the Decode batch not displayed?"
    "Why is the Decode batch not displayed?",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_table(segment: str, expected: list[object]) -> None:
    assert sglang.parse(segment) == expected
    assert sglang.CANDIDATE.search(segment.encode())


# Real deployment prefixes (see tests/test_parsers_vllm.py for their sources).
PREFIXES = [
    "2025-01-09T10:00:00.123456789Z ",
    "(SGLangEngine pid=41820) ",
    "(RayWorkerWrapper pid=581, ip=10.225.128.18) ",
    "[rank0]: ",
    "sglang-1  | ",
    "\x1b[1;36m(SGLangEngine pid=41820)\x1b[0;0m ",
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    ("line", "expected"),
    [(DECODE_LINE, DECODE), (PREFILL_LINE, PREFILL)],
    ids=["decode", "prefill"],
)
def test_deployment_prefixes(prefix: str, line: str, expected: SglangBatch) -> None:
    segment = prefix + line
    assert sglang.parse(segment) == [expected]
    assert sglang.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NEAR_MISSES)
def test_near_misses_give_nothing(segment: str) -> None:
    assert sglang.parse(segment) == []


def test_fields_in_any_order() -> None:
    opening, fields = DECODE_LINE.split("Decode batch. ")
    reordered = opening + "Decode batch. " + ", ".join(reversed(fields.split(", ")))
    assert sglang.parse(reordered) == [DECODE]


def test_hostile_input_never_raises() -> None:
    for segment in [
        "Decode batch. #running-req: " + "9" * 100_000,
        "[" * 10_000 + " TP0] Decode batch, #token: 1",
        "Prefill batch, #new-seq: \x00, cuda graph: Maybe",
        "Decode batch, #running-req: 1, \x1b[31mtoken usage: 0.5\x1b[0m",
    ]:
        assert isinstance(sglang.parse(segment), list)
