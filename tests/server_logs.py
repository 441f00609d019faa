"""Real inference-server log excerpts, as their users pasted them in public issues.

Each excerpt is a run of consecutive complete lines copied from the issue or pull request
named in its key (lines the issue text cut short are left out, nothing else is changed).
``STATS_ONLY`` are the 16 vLLM and SGLang logs of issue 11's measurement: server logs
holding nothing but the engine's periodic statistics lines, which evalmon used to drop.
``MIXED`` excerpts interleave statistics with access lines or speculative-decoding lines.
``FIRST_SIGHT`` are the second measurement's excerpts: statistics behind more prefixes, start-up,
shutdown, crash and OOM endings, TGI lines, lines cut short.
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


# The second measurement (December 2026): 41 more excerpts, none in the tables above,
# each read as a user pointing `evalmon report` at one server log would. At first sight:
# 28 correct, 4 wrong, 9 silent (the last 9 were read after the fixes the first 32 called
# for: 7 correct, 2 silent; the expectations and reasons are test_server_runs.py's).
FIRST_SIGHT: dict[str, tuple[str, str]] = {
    "vllm-19483": (
        "vllm-project/vllm#19483",
        """\
INFO 07-30 17:41:09 [loggers.py:122] Engine 000: Avg prompt throughput: 72.5 tokens/s, Avg generation throughput: 33.7 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.7%, Prefix cache hit rate: 24.5%                                                                                                                                                                                                                \n\
INFO 07-30 17:41:19 [loggers.py:122] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 34.4 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.8%, Prefix cache hit rate: 24.5%                                                                                                                                                                                                                 \n\
INFO 07-30 17:41:29 [loggers.py:122] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 35.0 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.0%, Prefix cache hit rate: 24.5%                                                                                                                                                                                                                 \n\
""",
    ),
    "vllm-18916": (
        "vllm-project/vllm#18916",
        """\
2025-05-30 09:55:22.282 | INFO:     172.17.0.1:41148 - "POST /v1/chat/completions HTTP/1.1" 200 OK
2025-05-30 09:55:22.282 | INFO 05-30 07:55:22 [async_llm.py:261] Added request chatcmpl-b3d58e2e13db479a97ffd1fea671f18f.
2025-05-30 09:55:29.284 | INFO 05-30 07:55:29 [loggers.py:116] Engine 000: Avg prompt throughput: 1.1 tokens/s, Avg generation throughput: 315.1 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 2.9%, Prefix cache hit rate: 0.0%
""",
    ),
    "vllm-42363": (
        "vllm-project/vllm#42363",
        """\
(APIServer pid=1) INFO 07-29 06:22:21 [loggers.py:310] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 25.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 64.4%, MM cache hit rate: 66.7%
(APIServer pid=1) INFO 07-29 06:22:21 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 3.97, Accepted throughput: 18.70 tokens/s, Drafted throughput: 18.90 tokens/s, Accepted: 187 tokens, Drafted: 189 tokens, Per-position acceptance rate: 1.000, 1.000, 0.968, Avg Draft acceptance rate: 98.9%
(APIServer pid=1) INFO:     172.22.0.1:52348 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=1) INFO 07-29 06:22:31 [loggers.py:310] Engine 000: Avg prompt throughput: 657.5 tokens/s, Avg generation throughput: 1.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 22.0%, Prefix cache hit rate: 72.2%, MM cache hit rate: 75.0%
(APIServer pid=1) INFO 07-29 06:22:31 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 3.33, Accepted throughput: 0.70 tokens/s, Drafted throughput: 0.90 tokens/s, Accepted: 7 tokens, Drafted: 9 tokens, Per-position acceptance rate: 1.000, 0.667, 0.667, Avg Draft acceptance rate: 77.8%
""",
    ),
    "vllm-16259": (
        "vllm-project/vllm#16259",
        """\
INFO:     172.18.0.5:43002 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43018 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43028 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43034 - "GET /health HTTP/1.1" 200 OK
INFO 04-08 03:58:25 [loggers.py:87] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%
INFO:     172.18.0.5:43036 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43052 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43068 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:43080 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.4:51358 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.4:51374 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.2:44628 - "GET /metrics HTTP/1.1" 200 OK
INFO:     172.18.0.5:46902 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:46906 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:46912 - "GET /health HTTP/1.1" 200 OK
INFO:     172.18.0.5:46918 - "GET /health HTTP/1.1" 200 OK
INFO 04-08 03:58:35 [loggers.py:87] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%
""",
    ),
    # Ray's log deduplication: "[repeated 2x across cluster]"
    "vllm-ray-54070": (
        "ray-project/ray#54070",
        """\
1758 -- Didn't receive health check response for replica Replica(id='rut1591v', deployment='vLLM:Qwen--Qwen3-32B', app='RayServeApp') after 10.0s, marking it unhealthy.
(_EngineBackgroundProcess pid=194388) INFO 06-25 04:39:52 [metrics.py:486] Avg prompt throughput: 27408.8 tokens/s, Avg generation throughput: 4.9 tokens/s, Running: 49 reqs, Swapped: 0 reqs, Pending: 951 reqs, GPU KV cache usage: 16.8%, CPU KV cache usage: 0.0%. [repeated 2x across cluster]
(_EngineBackgroundProcess pid=194388) INFO 06-25 04:39:52 [metrics.py:502] Prefix cache hit rate: GPU: 12.55%, CPU: 0.00% [repeated 2x across cluster]
""",
    ),
    # a custom logging config: a bare time before the message
    "vllm-41081": (
        "vllm-project/vllm#41081",
        """\
13:57:45 Avg prompt throughput: 2598.6 tokens/s, Avg generation throughput: 1684.2 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.3%, Prefix cache hit rate: 96.9%
13:57:55 Avg prompt throughput: 83.6 tokens/s, Avg generation throughput: 1.8 tokens/s, Running: 11 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.3%, Prefix cache hit rate: 96.9%
13:58:05 Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 11 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.3%, Prefix cache hit rate: 96.9%
""",
    ),
    # the same issue's access line: an extra field and no leading slash
    "vllm-41081a": (
        "vllm-project/vllm#41081",
        """\
INFO: 127.0.0.1:32768 0 "POST v1/completions HTTP/1.1" 200 OK
""",
    ),
    "vllm-3231": (
        "tenstorrent/tt-inference-server#3231",
        """\
(APIServer pid=962) INFO 04-28 04:15:05 [loggers.py:259] Engine 000: Avg prompt throughput: 10.0 tokens/s, Avg generation throughput: 0.1 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.1%, Prefix cache hit rate: 0.0%, MM cache hit rate: 0.0%
""",
    ),
    "vllm-6640": (
        "vllm-project/vllm#6640",
        """\
INFO 07-22 07:54:32 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 07-22 07:54:42 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 07-22 07:54:52 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 07-22 07:55:02 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 07-22 07:55:12 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
INFO 07-22 07:55:22 metrics.py:341] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.0%, CPU KV cache usage: 0.0%.
""",
    ),
    # the KV cache 94-96% full with nothing waiting: not KV-bound
    "vllm-21809": (
        "vllm-project/vllm#21809",
        """\
INFO 07-28 06:42:09 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 240.8 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 93.9%, Prefix cache hit rate: 0.0%
INFO 07-28 06:42:19 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 241.6 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 94.3%, Prefix cache hit rate: 0.0%
INFO 07-28 06:42:29 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 241.6 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 94.7%, Prefix cache hit rate: 0.0%
INFO 07-28 06:42:39 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 240.8 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 95.0%, Prefix cache hit rate: 0.0%
INFO 07-28 06:42:49 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 240.8 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 95.4%, Prefix cache hit rate: 0.0%
INFO 07-28 06:42:59 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 240.0 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 95.8%, Prefix cache hit rate: 0.0%
""",
    ),
    "vllm-567": (
        "noonghunna/club-3090#567",
        """\
(APIServer pid=1) INFO:     172.28.0.1:32828 - "GET /v1/models HTTP/1.1" 200 OK
(APIServer pid=1) INFO:     172.28.0.1:32834 - "GET /v1/models HTTP/1.1" 200 OK
(APIServer pid=1) INFO:     172.28.0.1:32836 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(Worker_TP0 pid=127) WARNING 07-04 04:43:17 [jit_monitor.py:106] Triton kernel JIT compilation during inference: apply_token_bitmask_inplace_kernel. This causes a latency spike; consider extending warmup to cover this shape/config.
(APIServer pid=1) INFO:     172.28.0.1:32842 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=1) INFO:     172.28.0.1:32858 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=1) INFO 07-04 04:43:19 [loggers.py:273] Engine 000: Avg prompt throughput: 282.0 tokens/s, Avg generation throughput: 159.7 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 2.0%, Prefix cache hit rate: 44.8%
(APIServer pid=1) INFO 07-04 04:43:19 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 3.53, Accepted throughput: 114.80 tokens/s, Drafted throughput: 135.80 tokens/s, Accepted: 1148 tokens, Drafted: 1358 tokens, Per-position acceptance rate: 0.947, 0.850, 0.731, Avg Draft acceptance rate: 84.5%
(APIServer pid=1) INFO:     172.28.0.1:32860 - "POST /v1/chat/completions HTTP/1.1" 200 OK
""",
    ),
    "vllm-57047": (
        "vllm-project/vllm#57047",
        """\
(APIServer pid=18087) INFO 09-16 13:48:08 [hf.py:642] Detected the chat template content format to be 'string'. You can set `--chat-template-content-format` to override this.
(APIServer pid=18087) WARNING 09-16 13:48:08 [model.py:1772] Default vLLM sampling parameters have been overridden by the model's `generation_config.json`: `{'temperature': 0.6, 'top_k': 20, 'top_p': 0.95}`. If this is not intended, please relaunch vLLM instance with `--generation-config vllm`.
(APIServer pid=18087) INFO 09-16 13:48:08 [entry.py:139] Starting vLLM server on http://0.0.0.0:8130
(APIServer pid=18087) INFO 09-16 13:48:08 [launcher.py:61] Available routes are:
(APIServer pid=18087) INFO:     Started server process [18087]
(APIServer pid=18087) INFO:     Waiting for application startup.
(APIServer pid=18087) INFO:     Application startup complete.
(APIServer pid=18087) INFO 09-16 13:48:48 [loggers.py:311] Engine 000: Avg prompt throughput: 1024.1 tokens/s, Avg generation throughput: 256.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%
(APIServer pid=18087) INFO 09-16 13:48:58 [loggers.py:311] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%
""",
    ),
    # start-up only: nothing served yet
    "vllm-50841": (
        "vllm-project/vllm#50841",
        """\
(EngineCore pid=123) INFO 08-03 09:00:08 [compilation.py:329] Enabled custom fusions: norm_quant, act_quant
(APIServer pid=1) INFO 08-03 09:00:08 [api_server.py:676] Supported tasks: ['generate']
(APIServer pid=1) INFO 08-03 09:00:10 [hf.py:540] Detected the chat template content format to be 'string'. You can set `--chat-template-content-format` to override this.
(APIServer pid=1) INFO 08-03 09:00:10 [api_server.py:680] Starting vLLM server on http://0.0.0.0:8000
(APIServer pid=1) INFO 08-03 09:00:10 [launcher.py:37] Available routes are:
(APIServer pid=1) INFO 08-03 09:00:10 [launcher.py:46] Route: /openapi.json, Methods: HEAD, GET
(APIServer pid=1) INFO 08-03 09:00:10 [launcher.py:46] Route: /docs, Methods: HEAD, GET
(APIServer pid=1) INFO 08-03 09:00:10 [launcher.py:46] Route: /metrics, Methods: GET
""",
    ),
    "vllm-9272": (
        "vllm-project/vllm#9272",
        """\
INFO 10-10 20:41:04 scheduler.py:805] tonyaw: _schedule_priority_preemption: waiting_queue is not None.
INFO 10-10 20:41:04 scheduler.py:806] tonyaw: seq_group chat-99ecf05662434d9c9dd85240c44cbcd8 priority:-10
INFO 10-10 20:41:04 scheduler.py:832] tonyaw: _schedule_priority_preemption: vseq_group chat-939561076e37472e9902d0cd38511301 is pop up.
INFO 10-10 20:41:04 scheduler.py:1488] tonyaw: Sequence group chat-939561076e37472e9902d0cd38511301 will be preempted.
WARNING 10-10 20:41:04 scheduler.py:1491] Sequence group chat-939561076e37472e9902d0cd38511301 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. total_num_cumulative_preemption=1
INFO 10-10 20:41:04 scheduler.py:832] tonyaw: _schedule_priority_preemption: vseq_group chat-51ed29cb50d248a596752e547ac27ebb is pop up.
""",
    ),
    # vllm-ascend's own log format for the shutdown
    "vllm-11051": (
        "vllm-project/vllm-ascend#11051",
        """\
[2026-06-29 04:26:31.716397][UC][I] [shutdown] API server: shutdown triggered [27696,27696][launcher.py:100,signal_handler]
[2026-06-29 04:26:31.716519][UC][I] [shutdown] API server: stopping engine client mode=abort timeout=0s [27696,27696][launcher.py:116,handle_shutdown]
[2026-06-29 04:26:31.717271][UC][I] [shutdown] MPClient: start timeout=0s [27696,103546][core_client.py:652,shutdown]
[2026-06-29 04:26:31.717309][UC][I] [shutdown] MPClient: stopping engine manager [27696,103546][core_client.py:654,shutdown]
[2026-06-29 04:26:31.717661][UC][W] [shutdown] Process manager: force killing remaining processes count=1 [27696,103546][utils.py:607,shutdown]
[2026-06-29 04:26:31.717859][UC][I] [shutdown] EngineCore: trigger received signal=SIGTERM [27731,27731][core.py:1178,signal_handler]
[2026-06-29 04:26:31.718344][UC][I] [shutdown] EngineCore: start mode=abort timeout=0s [27731,27731][core.py:1297,_handle_shutdown]
""",
    ),
    # a request's CUDA OOM kills the engine
    "vllm-club-58": (
        "noonghunna/club-3090#58",
        """\
(APIServer pid=1) ERROR 05-05 12:36:59 [serving.py:1173] vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root cause.
(EngineCore pid=104) Process EngineCore:
(EngineCore pid=104) Traceback (most recent call last):
(EngineCore pid=104)   File "/usr/lib/python3.12/multiprocessing/process.py", line 314, in _bootstrap
(EngineCore pid=104)     self.run()
(EngineCore pid=104)   File "/usr/lib/python3.12/multiprocessing/process.py", line 108, in run
(EngineCore pid=104)     self._target(*self._args, **self._kwargs)
(EngineCore pid=104)   File "/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py", line 1140, in run_engine_core
(EngineCore pid=104)     raise e
(EngineCore pid=104)   File "/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py", line 1129, in run_engine_core
(EngineCore pid=104)     engine_core.run_busy_loop()
(EngineCore pid=104)   File "/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py", line 1170, in run_busy_loop
(EngineCore pid=104)     self._process_engine_step()
""",
    ),
    # quoted in a comment ("> " removed: the quoting, not the log's)
    "vllm-5060": (
        "vllm-project/vllm#5060",
        """\
- 2024-06-22T20:17:30.186+00:00 INFO:     10.42.15.50:60988 - "GET /health HTTP/1.1" 500 Internal Server Error
- 2024-06-22T20:17:30.187+00:00 ERROR:    Exception in ASGI application
- 2024-06-22T20:17:30.187+00:00 Traceback (most recent call last):
- 2024-06-22T20:17:30.187+00:00   File "/usr/local/lib/python3.10/dist-packages/uvicorn/protocols/http/httptools_impl.py", line 411, in run_asgi
- 2024-06-22T20:17:30.187+00:00     result = await app(  # type: ignore[func-returns-value]
- 2024-06-22T20:17:30.187+00:00   File "/usr/local/lib/python3.10/dist-packages/uvicorn/middleware/proxy_headers.py", line 69, in __call__
- 2024-06-22T20:17:30.187+00:00     return await self.app(scope, receive, send)
- 2024-06-22T20:17:30.187+00:00   File "/usr/local/lib/python3.10/dist-packages/fastapi/applications.py", line 1054, in __call__
- 2024-06-22T20:17:30.187+00:00     await super().__call__(scope, receive, send)
""",
    ),
    "vllm-5173": (
        "vllm-project/vllm#5173",
        """\
TRACE:    10.0.3.98:41394 - ASGI [11728] Send {'type': 'http.response.body', 'body': '<1259 bytes>'}



TRACE:    10.0.3.98:41394 - ASGI [11728] Completed
ERROR 07-08 09:27:29 async_llm_engine.py:52] Engine background task failed
ERROR 07-08 09:27:29 async_llm_engine.py:52] Traceback (most recent call last):
ERROR 07-08 09:27:29 async_llm_engine.py:52]   File "/usr/local/lib/python3.10/dist-packages/vllm/engine/async_llm_engine.py", line 42, in _log_task_completion
ERROR 07-08 09:27:29 async_llm_engine.py:52]     return_value = task.result()
ERROR 07-08 09:27:29 async_llm_engine.py:52]   File "/usr/local/lib/python3.10/dist-packages/vllm/engine/async_llm_engine.py", line 529, in run_engine_loop
ERROR 07-08 09:27:29 async_llm_engine.py:52]     has_requests_in_progress = await asyncio.wait_for(
ERROR 07-08 09:27:29 async_llm_engine.py:52]   File "/usr/lib/python3.10/asyncio/tasks.py", line 445, in wait_for
ERROR 07-08 09:27:29 async_llm_engine.py:52]     return fut.result()
""",
    ),
    "vllm-18446": (
        "vllm-project/vllm#18446",
        """\
(VllmWorker rank=7 pid=240)   File "/usr/local/lib/python3.12/dist-packages/vllm/distributed/parallel_state.py", line 1085, in destroy_model_parallel
(VllmWorker rank=7 pid=240)     _TP.destroy()
(VllmWorker rank=7 pid=240)   File "/usr/local/lib/python3.12/dist-packages/vllm/distributed/parallel_state.py", line 750, in destroy
(VllmWorker rank=7 pid=240)     torch.distributed.destroy_process_group(self.device_group)
(VllmWorker rank=7 pid=240)   File "/usr/local/lib/python3.12/dist-packages/torch/distributed/distributed_c10d.py", line 2168, in destroy_process_group
(VllmWorker rank=7 pid=240)     _shutdown_backend(pg)
(VllmWorker rank=7 pid=240)   File "/usr/local/lib/python3.12/dist-packages/torch/distributed/distributed_c10d.py", line 1815, in _shutdown_backend
(VllmWorker rank=7 pid=240)     backend._shutdown()
(VllmWorker rank=7 pid=240) torch.distributed.DistBackendError: NCCL error in: /pytorch/torch/csrc/distributed/c10d/NCCLUtils.cpp:133, unhandled cuda error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5
(VllmWorker rank=7 pid=240) ncclUnhandledCudaError: Call to CUDA function failed.
(VllmWorker rank=7 pid=240) Last error:
(VllmWorker rank=7 pid=240) Cuda failure 'out of memory'
""",
    ),
    # ------------------------------------------------------------------ SGLang
    "sglang-6291": (
        "sgl-project/sglang#6291",
        """\
[2025-05-14 09:31:43] Prefill batch. #new-seq: 2, #new-token: 2, #cached-token: 8027, token usage: 0.26, #running-req: 28, #queue-req: 0
[2025-05-14 09:31:43] INFO:     127.0.0.1:20504 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20520 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20534 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20546 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20554 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] Prefill batch. #new-seq: 4, #new-token: 4, #cached-token: 16030, token usage: 0.30, #running-req: 30, #queue-req: 0
[2025-05-14 09:31:43] INFO:     127.0.0.1:20562 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20572 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20586 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] Prefill batch. #new-seq: 5, #new-token: 5, #cached-token: 20050, token usage: 0.34, #running-req: 34, #queue-req: 0
[2025-05-14 09:31:43] INFO:     127.0.0.1:20590 - "POST /v1/completions HTTP/1.1" 200 OK
[2025-05-14 09:31:43] INFO:     127.0.0.1:20598 - "POST /v1/completions HTTP/1.1" 200 OK
""",
    ),
    # the token pool 94% full with 5 queued; a trailing ","
    "sglang-14972": (
        "sgl-project/sglang#14972",
        """\
[2025-12-12 08:43:59 TP0] Decode batch, #running-req: 6, #token: 1920, token usage: 0.94, cuda graph: True, gen throughput (token/s): 446.45, #queue-req: 5,
[2025-12-12 08:43:59 TP0] Decode batch, #running-req: 6, #token: 1920, token usage: 0.94, cuda graph: True, gen throughput (token/s): 445.85, #queue-req: 5,
[2025-12-12 08:43:59 TP0] Decode batch, #running-req: 6, #token: 1920, token usage: 0.94, cuda graph: True, gen throughput (token/s): 443.41, #queue-req: 5,
[2025-12-12 08:43:59 TP0] Decode batch, #running-req: 6, #token: 1920, token usage: 0.94, cuda graph: True, gen throughput (token/s): 440.85, #queue-req: 5,
[2025-12-12 08:43:59 TP0] Decode batch, #running-req: 6, #token: 1920, token usage: 0.94, cuda graph: True, gen throughput (token/s): 445.73, #queue-req: 5,
""",
    ),
    # the scheduler dies
    "sglang-lmcache-869": (
        "LMCache/LMCache#869",
        """\
[2025-06-26 02:16:20 TP0] Decode batch. #running-req: 1, #token: 2102, token usage: 0.51, cuda graph: True, gen throughput (token/s): 93.51, #queue-req: 0
[2025-06-26 02:16:20 TP0] Scheduler hit an exception: Traceback (most recent call last):
  File "/sgl-workspace/sglang/python/sglang/srt/managers/scheduler.py", line 2620, in run_scheduler_process
    scheduler.event_loop_overlap()
  File "/usr/local/lib/python3.10/dist-packages/torch/utils/_contextlib.py", line 116, in decorate_context
    return func(*args, **kwargs)
  File "/sgl-workspace/sglang/python/sglang/srt/managers/scheduler.py", line 745, in event_loop_overlap
    batch = self.get_next_batch_to_run()
  File "/sgl-workspace/sglang/python/sglang/srt/managers/scheduler.py", line 1425, in get_next_batch_to_run
    new_batch = self.get_new_batch_prefill()
  File "/sgl-workspace/sglang/python/sglang/srt/managers/scheduler.py", line 1529, in get_new_batch_prefill
    req.init_next_round_input(
  File "/sgl-workspace/sglang/python/sglang/srt/managers/schedule_batch.py", line 661, in init_next_round_input
    tree_cache.match_prefix_lmcache(
  File "/sgl-workspace/sglang/python/sglang/srt/mem_cache/radix_cache.py", line 254, in match_prefix_lmcache
    raise ValueError("Failed to allocate token prealloc indices")
ValueError: Failed to allocate token prealloc indices

""",
    ),
    "sglang-26082": (
        "sgl-project/sglang#26082",
        """\
[2026-05-28 08:41:19] Prefill batch, #new-seq: 1, #new-token: 11, #cached-token: 12, token usage: 0.00, #running-req: 0, #queue-req: 0, #pending-token: 0, cuda graph: False, input throughput (token/s): 11.79
[2026-05-28 08:41:19] INFO:     127.0.0.1:53826 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-05-28 08:41:19] Image processor KimiVLImageProcessor.preprocess() does not accept {'device'}; retrying without them. Update the model's image processor to accept **kwargs.
""",
    ),
    # expert parallelism: "TP0 EP0"; speculative decoding on an NPU
    "sglang-npu-608": (
        "sgl-project/sgl-kernel-npu#608",
        """\
[2026-07-21 15:00:13 TP0 EP0] Prefill batch, #new-seq: 8, #new-token: 54400, #cached-token: 482304, token usage: 0.66, #running-req: 16, #queue-req: 2, #pending-token: 0, npu graph: False, input throughput (token/s): 2793.64
[2026-07-21 15:00:13 TP0 EP0] Decode batch, #running-req: 24, #token: 233600, token usage: 0.66, accept len: 3.05, accept rate: 0.68, npu graph: True, gen throughput (token/s): 239.06, #queue-req: 2
[2026-07-21 15:00:15] INFO:     127.0.0.1:43514 - "POST /generate HTTP/1.1" 200 OK
[2026-07-21 15:00:17 TP0 EP0] Decode batch, #running-req: 23, #token: 227968, token usage: 0.64, accept len: 2.63, accept rate: 0.54, npu graph: True, gen throughput (token/s): 631.96, #queue-req: 3
[2026-07-21 15:00:19] INFO:     127.0.0.1:50784 - "POST /generate HTTP/1.1" 200 OK
[2026-07-21 15:00:21 TP0 EP0] Decode batch, #running-req: 22, #token: 222720, token usage: 0.63, accept len: 2.83, accept rate: 0.61, npu graph: True, gen throughput (token/s): 648.87, #queue-req: 4
[2026-07-21 15:00:23] INFO:     127.0.0.1:50800 - "POST /generate HTTP/1.1" 200 OK
[2026-07-21 15:00:23] INFO:     127.0.0.1:50806 - "POST /generate HTTP/1.1" 200 OK
[2026-07-21 15:00:24] INFO:     127.0.0.1:50810 - "POST /generate HTTP/1.1" 200 OK
[2026-07-21 15:00:24] INFO:     127.0.0.1:50822 - "POST /generate HTTP/1.1" 200 OK
""",
    ),
    # a sliding-window model: "#swa token" next to "#full token"
    "sglang-36081": (
        "sgl-project/sglang#36081",
        """\
[2026-08-23 09:06:20 TP0 EP0] Prefill batch, #new-seq: 1, #new-token: 2304, #cached-token: 0, full token usage: 0.02, swa token usage: 0.01, #running-req: 0, #queue-req: 0, #pending-token: 0, cuda graph: False, input throughput (token/s): 49004.48
[2026-08-23 09:06:20] INFO:     10.90.1.5:44476 - "POST /v1/chat/completions HTTP/1.1" 200 OK
[2026-08-23 09:06:21 TP0 EP0] Decode batch, #running-req: 1, #full token: 166144, full token usage: 0.02, #swa token: 512, swa token usage: 0.00, accept len: 3.55, accept rate: 0.51, cuda graph: True, gen throughput (token/s): 3.22, #queue-req: 0
[2026-08-23 09:06:22 TP0 EP0] Decode batch, #running-req: 1, #full token: 166400, full token usage: 0.02, #swa token: 768, swa token usage: 0.00, accept len: 4.42, accept rate: 0.69, cuda graph: True, gen throughput (token/s): 140.78, #queue-req: 0
[2026-08-23 09:07:17 TP0 EP0] Prefill batch, #new-seq: 1, #new-token: 256, #cached-token: 0, full token usage: 0.00, swa token usage: 0.00, #running-req: 0, #queue-req: 0, #pending-token: 0, cuda graph: False, input throughput (token/s): 4.47
[2026-08-23 09:07:17] INFO:     10.90.1.5:37880 - "POST /v1/chat/completions HTTP/1.1" 200 OK
""",
    ),
    # data-parallel attention with "pre-allocated usage"
    "sglang-17392": (
        "sgl-project/sglang#17392",
        """\
[2026-05-07 13:40:41] INFO:     127.0.0.1:47182 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42] INFO:     127.0.0.1:47318 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42] INFO:     127.0.0.1:47146 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42 DP0 TP0 EP0] Decode batch, #running-req: 8, #token: 7198, token usage: 0.01, pre-allocated usage: 0.00, #prealloc-req: 0, #transfer-req: 0, #retracted-req: 0, cuda graph: True, gen throughput (token/s): 1082.11, #queue-req: 0
[2026-05-07 13:40:42] INFO:     127.0.0.1:47120 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42] INFO:     127.0.0.1:47440 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42 DP3 TP3 EP3] Decode batch, #running-req: 6, #token: 6037, token usage: 0.01, pre-allocated usage: 0.00, #prealloc-req: 0, #transfer-req: 0, #retracted-req: 0, cuda graph: True, gen throughput (token/s): 653.92, #queue-req: 0
[2026-05-07 13:40:42 DP2 TP2 EP2] Decode batch, #running-req: 11, #token: 10385, token usage: 0.01, pre-allocated usage: 0.00, #prealloc-req: 0, #transfer-req: 0, #retracted-req: 0, cuda graph: True, gen throughput (token/s): 1111.11, #queue-req: 0
[2026-05-07 13:40:42] INFO:     127.0.0.1:47266 - "POST /generate HTTP/1.1" 200 OK
[2026-05-07 13:40:42] INFO:     127.0.0.1:46808 - "POST /generate HTTP/1.1" 200 OK
""",
    ),
    # lines cut by the terminal they were copied from (as the issue has them)
    "sglang-25960": (
        "sgl-project/sglang#25960",
        """\
[2026-05-28 02:59:59 TP0] Decode batch, #running-req: 45, #token: 44672, token usaccept rate: 0.32, npu graph: False, gen throughput (token/s): 863.65, #queue-req
[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 45, #queue-req: 81, #pending-token: 70187, npu graph: False, input th
[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 46, #queue-req: 80, #pending-token: 69308, npu graph: False, input th
[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 47, #queue-req: 80, #pending-token: 68464, npu graph: False, input th
[2026-05-28 02:59:59] INFO:     127.0.0.1:37664 - "POST /v1/completions HTTP/1.1"
[2026-05-28 02:59:59] INFO:     127.0.0.1:37876 - "POST /v1/completions HTTP/1.1"
[2026-05-28 02:59:59] INFO:     127.0.0.1:37742 - "POST /v1/completions HTTP/1.1"
[2026-05-28 02:59:59] INFO:     127.0.0.1:37970 - "POST /v1/completions HTTP/1.1"
[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 46, #queue-req: 82, #pending-token: 69361, npu graph: False, input th
[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 47, #queue-req: 82, #pending-token: 70234, npu graph: False, input th
""",
    ),
    # SGLang's lines relayed by a client's Python logger
    "sglang-olmocr-105": (
        "allenai/olmocr#105",
        """\
2025-03-07 23:50:27,531 - __main__ - INFO - [2025-03-07 23:50:27 TP0] Automatically reduce --mem-fraction-static to 0.760 because this is a multimodal model.
2025-03-07 23:50:27,531 - __main__ - INFO - [2025-03-07 23:50:27 TP0] Automatically turn off --chunked-prefill-size and disable radix cache for qwen2-vl.
2025-03-07 23:50:27,532 - __main__ - INFO - [2025-03-07 23:50:27 TP0] Init torch distributed begin.
2025-03-07 23:50:27,532 - __main__ - WARNING - Attempt 13: Please wait for sglang server to become ready...
2025-03-07 23:50:27,727 - __main__ - INFO - [2025-03-07 23:50:27 TP0] Load weight begin. avail mem=22.46 GB
2025-03-07 23:50:28,550 - __main__ - WARNING - Attempt 14: Please wait for sglang server to become ready...
2025-03-07 23:50:28,606 - __main__ - INFO - [2025-03-07 23:50:28 TP0] Using model weights format ['*.safetensors']
""",
    ),
    # ------------------------------------------------------------------ TGI
    "tgi-7395": (
        "triton-inference-server/server#7395",
        """\
INFO generate{parameters=GenerateParameters { best_of: None, temperature: None, repetition_penalty: None, frequency_penalty: None, top_k: None, top_p: None, typical_p: None, do_sample: false, max_new_tokens: Some(512), return_full_text: None, stop: ["//", "[Response]"], truncate: None, watermark: false, details: false, decoder_input_details: false, seed: None, top_n_tokens: None, grammar: None } total_time="357.867572ms" validation_time="1.96844ms" queue_time="49.382µs" inference_time="355.849981ms" time_per_token="14.827082ms" seed="None"}: text_generation_router::server: router/src/server.rs:309: Success
""",
    ),
    # the line as the user pasted it: cut after inference_time
    "tgi-1440": (
        "huggingface/text-generation-inference#1440",
        """\
INFO generate{parameters=GenerateParameters { best_of: Some(1), temperature: Some(0.2), repetition_penalty: None, top_k: None, top_p: Some(0.95), typical_p: None, do_sample: true, max_new_tokens: 48, return_full_text: None, stop: ["<fim_pad>", "<|endoftext|>", "\\n}", "<｜end▁of▁sentence｜>"], truncate: None, watermark: false, details: true, decoder_input_details: false, seed: None, top_n_tokens: None } total_time="667.179861ms" validation_time="11.640733ms" queue_time="129.535µs" inference_time="655.410281ms
""",
    ),
    "tgi-2280": (
        "huggingface/text-generation-inference#2280",
        """\
2024-07-22T19:57:05.908774Z  INFO shard-manager: text_generation_launcher: shard terminated rank=3
2024-07-22T19:57:06.504541Z  INFO shard-manager: text_generation_launcher: shard terminated rank=2
Error: ShardFailed
""",
    ),
    # start-up that never finished
    "tgi-2728": (
        "huggingface/text-generation-inference#2728",
        """\
2024-11-06T04:40:34.739375Z  INFO shard-manager: text_generation_launcher: Waiting for shard to be ready... rank=0
2024-11-06T04:40:44.747625Z  INFO shard-manager: text_generation_launcher: Waiting for shard to be ready... rank=0
2024-11-06T04:40:54.757904Z  INFO shard-manager: text_generation_launcher: Waiting for shard to be ready... rank=0
2024-11-06T04:41:04.768215Z  INFO shard-manager: text_generation_launcher: Waiting for shard to be ready... rank=0
""",
    ),
    # measured after the fixes the 32 above called for, before any change for these
    # Ray Data's nested actor tag around vLLM's lines
    "vllm-anyscale-442": (
        "anyscale/templates#442",
        """\
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) INFO 07-27 22:30:35 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 374.7 tokens/s, Running: 20 reqs, Waiting: 0 reqs, GPU KV cache usage: 50.3%, Prefix cache hit rate: 21.8%
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) [vLLM] Elapsed time for batch 794e7d2d761243c3a9a57515954f95e6 with size 16: 20.362185237000176
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) INFO 07-27 22:30:38 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 188.2 tokens/s, Running: 6 reqs, Waiting: 0 reqs, GPU KV cache usage: 15.9%, Prefix cache hit rate: 21.8%
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) [vLLM] Elapsed time for batch 9bc4df89ffa841c2be462e4f927ea90a with size 10: 13.92767948599976
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) INFO 07-27 22:30:39 [loggers.py:118] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 83.8 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 21.8%
(MapWorker(MapBatches(vLLMEngineStageUDF)) pid=20874) [vLLM] Elapsed time for batch e39ca435c1a948f6a4de6ee39117486d with size 16: 27.59387874899994
""",
    ),
    # a disaggregated decode instance: Engine 001 alone, Deferred, external prefix cache
    "vllm-ascend-11876": (
        "vllm-project/vllm-ascend#11876",
        """\
(APIServer pid=426984) INFO 07-13 17:41:54 [loggers.py:271] Engine 001: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 34.9 tokens/s, Running: 2 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.0%, Prefix cache hit rate: 0.0%, External prefix cache hit rate: 100.0%
(APIServer pid=426984) INFO 07-13 17:41:54 [metrics.py:101] SpecDecoding metrics: Mean acceptance length: 1.92, Accepted throughput: 16.70 tokens/s, Drafted throughput: 18.20 tokens/s, Accepted: 167 tokens, Drafted: 182 tokens, Per-position acceptance rate: 0.918, Avg Draft acceptance rate: 91.8%
(APIServer pid=426984) INFO:     172.16.18.73:49374 - "POST /v1/chat/completions HTTP/1.1" 200 OK
(APIServer pid=426984) INFO 07-13 17:42:04 [loggers.py:271] Engine 001: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 5.9 tokens/s, Running: 0 reqs, Waiting: 1 reqs, Deferred: 1 reqs, GPU KV cache usage: 0.5%, Prefix cache hit rate: 0.0%, External prefix cache hit rate: 100.0%
(APIServer pid=426984) INFO 07-13 17:42:04 [metrics.py:101] SpecDecoding metrics: Mean acceptance length: 1.90, Accepted throughput: 2.80 tokens/s, Drafted throughput: 3.10 tokens/s, Accepted: 28 tokens, Drafted: 31 tokens, Per-position acceptance rate: 0.903, Avg Draft acceptance rate: 90.3%
""",
    ),
    # two Ray tags on one line, "[repeated 32x across cluster]", then the statistics
    "vllm-38476": (
        "vllm-project/vllm#38476",
        """\
(EngineCore pid=925) (RayWorkerProc pid=8272) node64:8272:8272 [7] NCCL INFO Using network IB [repeated 32x across cluster]
(APIServer pid=719) INFO 06-05 14:58:46 [loggers.py:271] Engine 000: Avg prompt throughput: 410.1 tokens/s, Avg generation throughput: 0.2 tokens/s, Running: 8 reqs, Waiting: 0 reqs, GPU KV cache usage: 16.6%, Prefix cache hit rate: 0.0%
(APIServer pid=719) INFO 06-05 14:58:56 [loggers.py:271] Engine 000: Avg prompt throughput: 2870.5 tokens/s, Avg generation throughput: 0.8 tokens/s, Running: 10 reqs, Waiting: 0 reqs, GPU KV cache usage: 20.8%, Prefix cache hit rate: 0.0%
(APIServer pid=719) INFO 06-05 14:59:06 [loggers.py:271] Engine 000: Avg prompt throughput: 820.2 tokens/s, Avg generation throughput: 30.0 tokens/s, Running: 10 reqs, Waiting: 0 reqs, GPU KV cache usage: 20.8%, Prefix cache hit rate: 0.0%
(APIServer pid=719) INFO 06-05 14:59:16 [loggers.py:271] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 35.0 tokens/s, Running: 10 reqs, Waiting: 0 reqs, GPU KV cache usage: 21.1%, Prefix cache hit rate: 0.0%
(APIServer pid=719) INFO 06-05 14:59:26 [loggers.py:271] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 35.0 tokens/s, Running: 10 reqs, Waiting: 0 reqs, GPU KV cache usage: 21.1%, Prefix cache hit rate: 0.0%
""",
    ),
    # V0 (0.4) statistics without the closing full stop, after a request's log line
    "vllm-2136": (
        "vllm-project/vllm#2136",
        """\
INFO 05-22 02:20:59 async_llm_engine.py:524] Received request 10390bd4d2dc4936bd1a62e5793a4fd8: prompt: '<bos><start_of_turn>user\\nplease tell me something about python<end_of_turn>\\n<start_of_turn>model\\n', sampling_params: SamplingParams(n=1, best_of=1, presence_penalty=0.0, frequency_penalty=0.0, repetition_penalty=1.0, temperature=0.8, top_p=0.8, top_k=1, min_p=0.0, seed=None, use_beam_search=False, length_penalty=1.0, early_stopping=False, stop=[], stop_token_ids=[1], include_stop_str_in_output=False, ignore_eos=False, max_tokens=4096, min_tokens=0, logprobs=None, prompt_logprobs=None, skip_special_tokens=True, spaces_between_special_tokens=True, truncate_prompt_tokens=None), prompt_token_ids: None, lora_request: None.
INFO 05-22 02:20:59 metrics.py:229] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 0.1 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.1%, CPU KV cache usage: 0.0%
INFO 05-22 02:21:04 metrics.py:229] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 12.0 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: 0.3%, CPU KV cache usage: 0.0%
""",
    ),
    # start-up then a client probing routes (404s)
    "vllm-club-104": (
        "noonghunna/club-3090#104",
        """\
(APIServer pid=1) INFO 05-07 20:28:31 [launcher.py:46] Route: /v1/messages, Methods: POST
(APIServer pid=1) INFO 05-07 20:28:31 [launcher.py:46] Route: /v1/messages/count_tokens, Methods: POST
(APIServer pid=1) INFO 05-07 20:28:31 [launcher.py:46] Route: /inference/v1/generate, Methods: POST
(APIServer pid=1) INFO:     Started server process [1]
(APIServer pid=1) INFO:     Waiting for application startup.
(APIServer pid=1) INFO:     Application startup complete.
(APIServer pid=1) INFO:     172.21.0.1:36390 - "GET /v1/models HTTP/1.1" 200 OK
(APIServer pid=1) INFO:     172.21.0.1:36392 - "GET /api/v1/models HTTP/1.1" 404 Not Found
(APIServer pid=1) INFO:     172.21.0.1:36392 - "GET /api/tags HTTP/1.1" 404 Not Found
""",
    ),
    # k8s timestamps before uvicorn's access lines (ms-swift's deploy server)
    "uvicorn-1978": (
        "modelscope/ms-swift#1978",
        """\
2024-09-08T13:03:36.005699205Z 2024-09-08 21:03:36,005 - ChatAPI - INFO - No
2024-09-08T13:03:36.202571823Z INFO:     127.0.0.1:38208 - "POST /v1/chat/completions HTTP/1.1" 200 OK
2024-09-08T13:03:36.203470009Z 2024-09-08 21:03:36,203 - ChatAPI - INFO - No
2024-09-08T13:03:36.472538533Z INFO:     127.0.0.1:38156 - "POST /v1/chat/completions HTTP/1.1" 200 OK
2024-09-08T13:03:36.473498118Z 2024-09-08 21:03:36,473 - ChatAPI - INFO - No
2024-09-08T13:03:36.673572061Z INFO:     127.0.0.1:38164 - "POST /v1/chat/completions HTTP/1.1" 200 OK
""",
    ),
    # read after that too: 1 correct, 2 silent (a worker's death), then fixed
    # docker compose's "name  | " column; a worker dies, then the engine
    "vllm-llm-scaler-154": (
        "intel/llm-scaler#154",
        """\
eap-llm-server-on-arc  | INFO:     127.0.0.1:48802 - "GET /health HTTP/1.1" 200 OK
eap-llm-server-on-arc  | ERROR 11-08 11:01:29 [multiproc_executor.py:135] Worker proc VllmWorker-3 died unexpectedly, shutting down executor.
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502] EngineCore encountered a fatal error.
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502] Traceback (most recent call last):
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]   File "/usr/local/lib/python3.10/dist-packages/vllm/v1/engine/core.py", line 493, in run_engine_core
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]     engine_core.run_busy_loop()
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]   File "/usr/local/lib/python3.10/dist-packages/vllm/v1/engine/core.py", line 518, in run_busy_loop
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]     self._process_input_queue()
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]   File "/usr/local/lib/python3.10/dist-packages/vllm/v1/engine/core.py", line 531, in _process_input_queue
eap-llm-server-on-arc  | ERROR 11-08 11:01:30 [core.py:502]     self._handle_client_request(*req)
""",
    ),
    # a worker dies; the engine keeps waiting on shared memory
    "vllm-art-201": (
        "OpenPipe/ART#201",
        """\
DEBUG 07-04 17:35:10 [shm_broadcast.py:456] No available shared memory broadcast block found in 60 second.
ERROR 07-04 17:35:16 [multiproc_executor.py:140] Worker proc VllmWorker-1 died unexpectedly, shutting down executor.
DEBUG 07-04 17:36:10 [shm_broadcast.py:456] No available shared memory broadcast block found in 60 second.
DEBUG 07-04 17:37:10 [shm_broadcast.py:456] No available shared memory broadcast block found in 60 second.
DEBUG 07-04 17:38:10 [shm_broadcast.py:456] No available shared memory broadcast block found in 60 second.
""",
    ),
    # workers fail at start-up; the executor's CRITICAL line (its own spelling)
    "vllm-14452": (
        "vllm-project/vllm#14452",
        """\
(VllmWorker rank=4 pid=907) INFO 03-15 17:24:17 [pynccl.py:69] vLLM is using nccl==2.25.1
(VllmWorker rank=3 pid=866) INFO 03-15 17:24:17 [pynccl.py:69] vLLM is using nccl==2.25.1
(VllmWorker rank=1 pid=788) INFO 03-15 17:24:17 [pynccl.py:69] vLLM is using nccl==2.25.1
(VllmWorker rank=7 pid=1030) Process SpawnProcess-1:8:
(VllmWorker rank=6 pid=989) Process SpawnProcess-1:7:
(VllmWorker rank=5 pid=948) Process SpawnProcess-1:6:
(VllmWorker rank=4 pid=907) Process SpawnProcess-1:5:
CRITICAL 03-15 17:24:18 [multiproc_executor.py:48] MulitprocExecutor got fatal signal from worker processes, shutting down. See stack trace above for root cause issue.
(VllmWorker rank=2 pid=825) Process SpawnProcess-1:3:
(VllmWorker rank=3 pid=866) Process SpawnProcess-1:4:
(VllmWorker rank=1 pid=788) Process SpawnProcess-1:2:
(VllmWorker rank=0 pid=754) Process SpawnProcess-1:1:
CRITICAL 03-15 17:24:18 [multiproc_executor.py:48] MulitprocExecutor got fatal signal from worker processes, shutting down. See stack trace above for root cause issue.
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
