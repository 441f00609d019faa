"""Real inference-server log excerpts, as their users pasted them in public issues.

Each excerpt is a run of consecutive complete lines copied from the issue or pull request
named in its key (lines the issue text cut short are left out, nothing else is changed).
``STATS_ONLY`` are the 16 vLLM and SGLang logs of issue 11's measurement: server logs
holding nothing but the engine's periodic statistics lines, which evalmon used to drop.
``MIXED`` excerpts interleave statistics with access lines or speculative-decoding lines.
"""

# ruff: noqa: E501, W291  (log lines are kept whole, with their trailing ", ")

from __future__ import annotations

# name -> (source, text). The name is the file's stem: "vllm-12314" -> run id "12314".
STATS_ONLY: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ vLLM V0
    "vllm-12314": (
        "vllm-project/vllm#12314",
        """\
INFO 01-22 18:27:20 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.7 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.0%, CPU KV cache usage: 0.0%.
INFO 01-22 18:27:25 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.7 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.1%, CPU KV cache usage: 0.0%.
INFO 01-22 18:27:30 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.5 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.1%, CPU KV cache usage: 0.0%.
INFO 01-22 18:27:35 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.8 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.2%, CPU KV cache usage: 0.0%.
INFO 01-22 18:27:40 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.8 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.2%, CPU KV cache usage: 0.0%.
INFO 01-22 18:27:45 metrics.py:449] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 41.7 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 2.3%, CPU KV cache usage: 0.0%.
""",
    ),
    "vllm-6689": (
        "vllm-project/vllm#6689",
        """\
INFO 08-22 20:52:46 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 08-22 20:52:56 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 08-22 20:53:06 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 08-22 20:53:16 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 08-22 20:53:26 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 08-22 20:53:36 metrics.py:406] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
""",
    ),
    "vllm-15018": (
        "vllm-project/vllm#15018",
        """\
INFO 03-18 09:04:46 [metrics.py:481] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.4 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.6%, CPU KV cache usage: 0.0%.
INFO 03-18 09:04:56 [metrics.py:481] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.4 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.6%, CPU KV cache usage: 0.0%.
INFO 03-18 09:05:05 [metrics.py:481] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.4 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.6%, CPU KV cache usage: 0.0%.
INFO 03-18 09:05:15 [metrics.py:481] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.4 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.6%, CPU KV cache usage: 0.0%.
""",
    ),
    # the KV cache full, the queue growing
    "vllm-6737": (
        "vllm-project/vllm#6737",
        """\
INFO 07-24 09:55:30 metrics.py:334] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 2136.3 tokens/s, Running: 247 reqs, Swapped: 0 reqs, Pending: 740 reqs, GPU KV cache usage: 99.7%, CPU KV cache usage: 0.0%
INFO 07-24 09:55:35 metrics.py:334] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1970.3 tokens/s, Running: 241 reqs, Swapped: 0 reqs, Pending: 746 reqs, GPU KV cache usage: 99.6%, CPU KV cache usage: 0.0%
INFO 07-24 09:55:40 metrics.py:334] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 2349.2 tokens/s, Running: 233 reqs, Swapped: 0 reqs, Pending: 754 reqs, GPU KV cache usage: 99.7%, CPU KV cache usage: 0.0%
INFO 07-24 09:55:45 metrics.py:334] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 2161.6 tokens/s, Running: 226 reqs, Swapped: 0 reqs, Pending: 761 reqs, GPU KV cache usage: 99.9%, CPU KV cache usage: 0.0%
INFO 07-24 09:55:50 metrics.py:334] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 2103.3 tokens/s, Running: 219 reqs, Swapped: 0 reqs, Pending: 768 reqs, GPU KV cache usage: 100.0%, CPU KV cache usage: 0.0%
""",
    ),
    "vllm-546": (
        "vllm-project/vllm#546",
        """\
INFO 10-28 11:16:34 metrics.py:349] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 7220.5 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 98 reqs, GPU KV cache usage: 73.8%, CPU KV cache usage: 0.0%.
INFO 10-28 11:16:39 metrics.py:349] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 7154.5 tokens/s, Running: 2 reqs, Swapped: 0 reqs, Pending: 98 reqs, GPU KV cache usage: 86.1%, CPU KV cache usage: 0.0%.
""",
    ),
    # ------------------------------------------------------------------ vLLM V1
    "vllm-43295": (
        "vllm-project/vllm#43295",
        """\
(APIServer pid=3646) INFO 05-19 10:13:11 [loggers.py:271] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1055.3 tokens/s, Running: 18 reqs, Waiting: 43 reqs, GPU KV cache usage: 95.9%, Prefix cache hit rate: 0.0%
(APIServer pid=3646) INFO 05-19 10:13:21 [loggers.py:271] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1226.3 tokens/s, Running: 18 reqs, Waiting: 42 reqs, GPU KV cache usage: 95.5%, Prefix cache hit rate: 0.0%
(APIServer pid=3646) INFO 05-19 10:13:31 [loggers.py:271] Engine 000: Avg prompt throughput: 12068.8 tokens/s, Avg generation throughput: 734.9 tokens/s, Running: 18 reqs, Waiting: 33 reqs, GPU KV cache usage: 87.7%, Prefix cache hit rate: 0.0%
(APIServer pid=3646) INFO 05-19 10:13:41 [loggers.py:271] Engine 000: Avg prompt throughput: 18032.5 tokens/s, Avg generation throughput: 589.8 tokens/s, Running: 21 reqs, Waiting: 23 reqs, GPU KV cache usage: 95.9%, Prefix cache hit rate: 0.0%
(APIServer pid=3646) INFO 05-19 10:13:51 [loggers.py:271] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1242.7 tokens/s, Running: 20 reqs, Waiting: 23 reqs, GPU KV cache usage: 98.4%, Prefix cache hit rate: 0.0%
""",
    ),
    "vllm-37307": (
        "vllm-project/vllm#37307",
        """\
(APIServer pid=11574) INFO 03-17 15:38:10 [loggers.py:259] Engine 000: Avg prompt throughput: 23998.2 tokens/s, Avg generation throughput: 18.1 tokens/s, Running: 10 reqs, Waiting: 90 reqs, GPU KV cache usage: 19.3%, Prefix cache hit rate: 0.0%
(APIServer pid=11574) INFO 03-17 15:38:20 [loggers.py:259] Engine 000: Avg prompt throughput: 23999.9 tokens/s, Avg generation throughput: 35.4 tokens/s, Running: 16 reqs, Waiting: 84 reqs, GPU KV cache usage: 30.9%, Prefix cache hit rate: 0.0%
(APIServer pid=11574) INFO 03-17 15:38:30 [loggers.py:259] Engine 000: Avg prompt throughput: 23999.8 tokens/s, Avg generation throughput: 52.6 tokens/s, Running: 22 reqs, Waiting: 78 reqs, GPU KV cache usage: 42.5%, Prefix cache hit rate: 0.0%
(APIServer pid=11574) INFO 03-17 15:38:40 [loggers.py:259] Engine 000: Avg prompt throughput: 23998.3 tokens/s, Avg generation throughput: 69.6 tokens/s, Running: 28 reqs, Waiting: 72 reqs, GPU KV cache usage: 54.2%, Prefix cache hit rate: 0.0%
(APIServer pid=11574) INFO 03-17 15:38:50 [loggers.py:259] Engine 000: Avg prompt throughput: 24000.7 tokens/s, Avg generation throughput: 83.7 tokens/s, Running: 34 reqs, Waiting: 66 reqs, GPU KV cache usage: 65.4%, Prefix cache hit rate: 0.0%
""",
    ),
    "vllm-50219": (
        "vllm-project/vllm#50219",
        """\
(APIServer pid=1) INFO 07-29 07:22:56 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 07-29 07:23:06 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 07-29 07:23:16 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1.2 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 07-29 07:23:26 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 07-29 07:23:36 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 1.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%
""",
    ),
    # ------------------------------------------------------------------ SGLang
    "sglang-22331": (
        "sgl-project/sglang#22331",
        """\
[2026-04-08 14:05:21 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 144.95, #queue-req: 0
[2026-04-08 14:05:22 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 140.27, #queue-req: 0
[2026-04-08 14:05:24 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 136.39, #queue-req: 0
[2026-04-08 14:05:25 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 139.89, #queue-req: 0
[2026-04-08 14:05:27 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 144.10, #queue-req: 0
[2026-04-08 14:05:28 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 157.64, #queue-req: 0
[2026-04-08 14:05:29 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 153.78, #queue-req: 0
[2026-04-08 14:05:30 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 157.11, #queue-req: 0
""",
    ),
    "sglang-1270": (
        "sgl-project/sglang#1270",
        """\
[04:40:55 TP0] Decode batch. #running-req: 2, #token: 4078, token usage: 0.00, gen throughput (token/s): 447.31, #queue-req: 0
[04:40:55 TP0] Decode batch. #running-req: 2, #token: 4158, token usage: 0.00, gen throughput (token/s): 405.38, #queue-req: 0
[04:40:55 TP0] Decode batch. #running-req: 2, #token: 4238, token usage: 0.00, gen throughput (token/s): 446.97, #queue-req: 0
[04:40:56 TP0] Decode batch. #running-req: 1, #token: 3902, token usage: 0.00, gen throughput (token/s): 333.97, #queue-req: 0
[04:40:56 TP0] Decode batch. #running-req: 1, #token: 3942, token usage: 0.00, gen throughput (token/s): 238.27, #queue-req: 0
[04:40:56 TP0] Decode batch. #running-req: 1, #token: 3982, token usage: 0.00, gen throughput (token/s): 238.71, #queue-req: 0
[04:40:56 TP0] Decode batch. #running-req: 1, #token: 4022, token usage: 0.00, gen throughput (token/s): 212.82, #queue-req: 0
[04:40:56 TP0] Decode batch. #running-req: 1, #token: 4062, token usage: 0.00, gen throughput (token/s): 238.82, #queue-req: 0
[04:40:57 TP0] Decode batch. #running-req: 1, #token: 4102, token usage: 0.00, gen throughput (token/s): 237.51, #queue-req: 0
[04:40:57 TP0] Decode batch. #running-req: 1, #token: 4142, token usage: 0.00, gen throughput (token/s): 239.00, #queue-req: 0
""",
    ),
    "sglang-564": (
        "sgl-project/sglang-jax#564",
        """\
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.39, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.23, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.41, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.92, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.52, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.40, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.57, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.50, #queue-req: 0, #cache_miss: 1
[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.69, #queue-req: 0, #cache_miss: 1
""",
    ),
    # the prefill lines of 2024 with their cumulative "cache hit rate"; a queue draining
    "sglang-1612": (
        "sgl-project/sglang#1612",
        """\
[16:43:29 TP0] Prefill batch. #new-seq: 1, #new-token: 2062, #cached-token: 0, cache hit rate: 0.00%, token usage: 0.00, #running-req: 0, #queue-req: 0
[16:43:29 TP0] Prefill batch. #new-seq: 4, #new-token: 8192, #cached-token: 291, cache hit rate: 2.76%, token usage: 0.04, #running-req: 1, #queue-req: 38
[16:43:30 TP0] Prefill batch. #new-seq: 6, #new-token: 8192, #cached-token: 2753, cache hit rate: 14.16%, token usage: 0.18, #running-req: 4, #queue-req: 34
[16:43:30 TP0] Prefill batch. #new-seq: 5, #new-token: 8192, #cached-token: 897, cache hit rate: 12.89%, token usage: 0.33, #running-req: 9, #queue-req: 30
[16:43:31 TP0] Prefill batch. #new-seq: 5, #new-token: 8192, #cached-token: 523, cache hit rate: 11.36%, token usage: 0.48, #running-req: 13, #queue-req: 26
[16:43:32 TP0] Prefill batch. #new-seq: 5, #new-token: 8192, #cached-token: 632, cache hit rate: 10.59%, token usage: 0.62, #running-req: 17, #queue-req: 22
[16:43:33 TP0] Prefill batch. #new-seq: 5, #new-token: 8192, #cached-token: 1832, cache hit rate: 11.92%, token usage: 0.77, #running-req: 21, #queue-req: 18
""",
    ),
    "sglang-938": (
        "sgl-project/sglang#938",
        """\
Decode batch. #running-req: 1010, #token: 55006, token usage: 0.93, gen throughput (token/s): 1397.13, #queue-req: 12279
""",
    ),
    "sglang-13023": (
        "sgl-project/sglang#13023",
        """\
[2025-11-11 04:06:27] Decode batch, #running-req: 46, #token: 34901, token usage: 0.19, cuda graph: False, gen throughput (token/s): 1447.08, #queue-req: 0, 
[2025-11-11 04:06:29] Decode batch, #running-req: 36, #token: 28419, token usage: 0.16, cuda graph: False, gen throughput (token/s): 1262.64, #queue-req: 0, 
[2025-11-11 04:06:30] Decode batch, #running-req: 28, #token: 22920, token usage: 0.13, cuda graph: True, gen throughput (token/s): 1086.59, #queue-req: 0, 
[2025-11-11 04:06:31] Decode batch, #running-req: 22, #token: 20033, token usage: 0.11, cuda graph: True, gen throughput (token/s): 895.36, #queue-req: 0, 
[2025-11-11 04:06:32] Decode batch, #running-req: 20, #token: 19777, token usage: 0.11, cuda graph: True, gen throughput (token/s): 768.87, #queue-req: 0, 
[2025-11-11 04:06:33] Decode batch, #running-req: 15, #token: 17273, token usage: 0.09, cuda graph: True, gen throughput (token/s): 681.65, #queue-req: 0, 
[2025-11-11 04:06:34] Decode batch, #running-req: 12, #token: 13812, token usage: 0.08, cuda graph: True, gen throughput (token/s): 532.14, #queue-req: 0, 
[2025-11-11 04:06:35] Decode batch, #running-req: 11, #token: 13642, token usage: 0.07, cuda graph: True, gen throughput (token/s): 475.19, #queue-req: 0, 
""",
    ),
    # data-parallel attention: every DP rank logs its own line
    "sglang-20766": (
        "sgl-project/sglang#20766",
        """\
[2026-03-17 17:35:07 DP9 TP9] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
[2026-03-17 17:35:07 DP13 TP13] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
[2026-03-17 17:35:07 DP15 TP15] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.82, #queue-req: 0
[2026-03-17 17:35:07 DP10 TP10] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.84, #queue-req: 0
[2026-03-17 17:35:07 DP14 TP14] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
[2026-03-17 17:35:07 DP11 TP11] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
[2026-03-17 17:35:07 DP12 TP12] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
[2026-03-17 17:35:07 DP8 TP8] Decode batch, #running-req: 12, #token: 768, token usage: 0.00, cuda graph: True, gen throughput (token/s): 3.83, #queue-req: 0
""",
    ),
    # a hybrid (sliding-window) model: "full token usage"
    "sglang-15": (
        "eugr/llama-benchy#15",
        """\
[2026-05-15 12:50:14] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.36, cuda graph: False
[2026-05-15 12:50:58] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.38, cuda graph: False
[2026-05-15 12:51:43] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.20, cuda graph: False
[2026-05-15 12:52:27] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.22, cuda graph: False
[2026-05-15 12:53:11] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.11, cuda graph: False
[2026-05-15 12:53:56] Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.01, swa token usage: 0.02, #running-req: 0, #queue-req: 0, input throughput (token/s): 46.19, cuda graph: False
""",
    ),
}

MIXED: dict[str, tuple[str, str]] = {
    # statistics between Prometheus scrapes of /metrics (uvicorn access lines)
    "vllm-391": (
        "intel/llm-scaler#391",
        """\
(APIServer pid=851) INFO 04-28 22:54:32 [loggers.py:257] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 5.4 tokens/s, Running: 1 reqs, Waiting: 14 reqs, GPU KV cache usage: 76.5%, Prefix cache hit rate: 92.0%
(APIServer pid=851) INFO:     10.109.20.86:59146 - "GET /metrics HTTP/1.1" 200 OK
(APIServer pid=851) INFO:     10.109.20.86:59146 - "GET /metrics HTTP/1.1" 200 OK
(APIServer pid=851) INFO 04-28 22:54:42 [loggers.py:257] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 5.4 tokens/s, Running: 1 reqs, Waiting: 14 reqs, GPU KV cache usage: 76.7%, Prefix cache hit rate: 92.0%
(APIServer pid=851) INFO:     10.109.20.86:59146 - "GET /metrics HTTP/1.1" 200 OK
(APIServer pid=851) INFO:     10.109.20.86:59146 - "GET /metrics HTTP/1.1" 200 OK
(APIServer pid=851) INFO 04-28 22:54:52 [loggers.py:257] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 5.5 tokens/s, Running: 1 reqs, Waiting: 14 reqs, GPU KV cache usage: 76.8%, Prefix cache hit rate: 92.0%
""",
    ),
    # speculative decoding: a SpecDecoding line after each statistics line
    "vllm-93": (
        "noonghunna/club-3090#93",
        """\
(APIServer pid=1) INFO:     172.31.0.1:37016 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=1) INFO 05-07 04:56:17 [loggers.py:271] Engine 000: Avg prompt throughput: 2.5 tokens/s, Avg generation throughput: 123.8 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 17.5%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 05-07 04:56:17 [metrics.py:101] SpecDecoding metrics: Mean acceptance length: 2.63, Accepted throughput: 76.80 tokens/s, Drafted throughput: 235.49 tokens/s, Accepted: 768 tokens, Drafted: 2355 tokens, Per-position acceptance rate: 0.726, 0.467, 0.240, 0.134, 0.064, Avg Draft acceptance rate: 32.6%
(APIServer pid=1) INFO:     172.31.0.1:34914 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=1) INFO 05-07 04:56:27 [loggers.py:271] Engine 000: Avg prompt throughput: 2.5 tokens/s, Avg generation throughput: 124.5 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 18.9%, Prefix cache hit rate: 0.0%
(APIServer pid=1) INFO 05-07 04:56:27 [metrics.py:101] SpecDecoding metrics: Mean acceptance length: 2.66, Accepted throughput: 77.69 tokens/s, Drafted throughput: 234.48 tokens/s, Accepted: 777 tokens, Drafted: 2345 tokens, Per-position acceptance rate: 0.733, 0.458, 0.254, 0.141, 0.070, Avg Draft acceptance rate: 33.1%
""",
    ),
    # decode and prefill lines between access lines
    "sglang-22166": (
        "sgl-project/sglang#22166",
        """\
[2026-04-05 20:02:51] Decode batch, #running-req: 32, #token: 11179, token usage: 0.08, cuda graph: True, gen throughput (token/s): 1635.11, #queue-req: 0
[2026-04-05 20:02:51] INFO:     127.0.0.1:40052 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-04-05 20:02:51] Prefill batch, #new-seq: 1, #new-token: 158, #cached-token: 0, token usage: 0.08, #running-req: 31, #queue-req: 0, cuda graph: True, input throughput (token/s): 559.53
[2026-04-05 20:02:51] INFO:     127.0.0.1:40086 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-04-05 20:02:52] Prefill batch, #new-seq: 1, #new-token: 290, #cached-token: 0, token usage: 0.08, #running-req: 31, #queue-req: 0, cuda graph: True, input throughput (token/s): 1670.03
[2026-04-05 20:02:52] INFO:     127.0.0.1:40180 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-04-05 20:02:52] Prefill batch, #new-seq: 1, #new-token: 160, #cached-token: 0, token usage: 0.08, #running-req: 31, #queue-req: 0, cuda graph: True, input throughput (token/s): 4099.38
[2026-04-05 20:02:52] INFO:     127.0.0.1:40130 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-04-05 20:02:52] INFO:     127.0.0.1:40232 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-04-05 20:02:52] INFO:     127.0.0.1:40254 - "POST /v1/chat/completions HTTP/1.1" 200 OK
""",
    ),
}


def write_logs(folder, logs: dict[str, tuple[str, str]]) -> list:
    """Each excerpt as ``<folder>/<name>.log``; returns the paths in ``logs``' order."""
    paths = []
    for name, (_source, text) in logs.items():
        path = folder / f"{name}.log"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
