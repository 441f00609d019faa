"""Property tests for the line parsers: any text is safe, and CANDIDATE never misses.

For every module: arbitrary text (NULs, escapes, huge numbers, any unicode) never raises
and always gives a list of evalmon events; and whenever ``parse`` finds an event in a
segment, the module's bytes ``CANDIDATE`` matches that segment, because the stream only
calls ``parse`` where it does.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalmon import events as events_module
from evalmon.parsers import (
    lm_eval,
    megatron,
    python_exc,
    sglang,
    slurm,
    tgi,
    tqdm,
    vllm,
)

MODULES: list[ModuleType] = [tqdm, lm_eval, python_exc, megatron, vllm, sglang, tgi, slurm]
EVENT_TYPES = tuple(
    obj
    for obj in vars(events_module).values()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj)
)

# Pieces of real lines, so that generated text often reaches the parsers' inner paths.
FRAGMENTS = [
    "Requesting API:  45%|████▌     | 360/800 [01:12<01:28,  4.98it/s]",
    "123it [00:05, 24.1it/s]",
    " 12.3M/45.6M [00:05<00:10, 2.46MB/s, loss=0.3]",
    "[00:00<?, ?it/s]",
    "[99999999999999999999:00<",
    "%|",
    "| ",
    "/",
    " [",
    "]",
    ", ",
    ": ",
    "Initializing local-completions model, with arguments: {'model': 'm', 'num_concurrent': ",
    "local-completions ({'model': 'm'}), gen_kwargs: ({}), limit: None, num_fewshot: None, "
    "batch_size: 16",
    "|tinygen|Yaml   |none  |     0|exact_match|↑  |    1|±  |     0|",
    "        'http://h:5000/v1/completions', ",
    "        'num_concurrent': 4}",
    "|±  |",
    "API request failed! Status code: 500, Response text: ",
    "API request failed with error message: ",
    "Retry attempt 3",
    "Cached requests: 1, Requests remaining: 2",
    "Passed argument batch_size = auto:4. Detecting largest batch size",
    "Determined Largest batch size: 64",
    "2026-11-24:03:08:06 INFO     [evaluator:589] ",
    "Running loglikelihood requests",
    "torch.OutOfMemoryError: CUDA out of memory.",
    "[rank0]: ",
    "KeyError",
    "[BATCHING DEBUG] run_mcore_engine called with 256 prompts",
    "request IP: 127.0.0.1",
    "start time:  2026-11-24 03:00:01.123456",
    "[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]",
    "  inference_max_batch_size ........................ 256",
    "--inference-max-requests 128",
    '127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 500 -',
    'INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK',
    "Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 2.0 tokens/s, ",
    "Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.2%",
    "Prefill batch. #new-seq: 1, #new-token: 7, token usage: 0.00, #running-req: 0, ",
    "Decode batch [3], #running-req: 1, gen throughput (token/s): 6.73, #queue-req: 0",
    "non-default args: {'max_num_seqs': 128}",
    "--max-num-seqs  ",
    "max_running_requests=",
    "slurmstepd: error: *** JOB 123 ON node01 CANCELLED AT 2026-11-24T03:07:11 ***",
    " DUE TO TIME LIMIT",
    "srun: error: node01: task 0: Exited with exit code 1",
    "slurmstepd: job 1 requeued",
    "\x00",
    "\x1b[31m",
    "\x1b]8;;http://x\x07",
    "\x1b[A",
    "[bold red]",
    "9" * 400,
    "1e999",
    "nan",
    "٣٤",  # non-ASCII digits
    "\u2028",
    "\ufeff",
    "𝟘",
]

SEGMENT_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
    max_size=300,
)
SEGMENTS = st.one_of(
    SEGMENT_TEXT,
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), SEGMENT_TEXT), max_size=8).map("".join),
)


def _check(module: ModuleType, segment: str) -> None:
    result = module.parse(segment)
    assert isinstance(result, list)
    for event in result:
        assert isinstance(event, EVENT_TYPES), event
    if result:
        encoded = segment.encode("utf-8")
        assert module.CANDIDATE.search(encoded), (module.__name__, segment, result)
        # As the stream runs it: over a chunk where the segment sits between other lines.
        chunk = b"previous line\n" + encoded + b"\rnext update\n"
        start = len(b"previous line\n")
        hit = module.CANDIDATE.search(chunk, start)
        assert hit is not None and hit.start() < start + len(encoded), (module.__name__, segment)


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m in MODULES])
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segment=SEGMENTS)
def test_parse_never_raises_and_candidate_covers_events(module: ModuleType, segment: str) -> None:
    _check(module, segment.replace("\r", "").replace("\n", ""))


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m in MODULES])
def test_every_fragment_and_pair_is_safe(module: ModuleType) -> None:
    """Deterministic sweep: each fragment alone and glued to each other one."""
    for first in FRAGMENTS:
        _check(module, first)
        for second in FRAGMENTS:
            _check(module, first + second)


@pytest.mark.timeout(120)  # catastrophic backtracking would run for hours: a deadline, no stopwatch
@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m in MODULES])
def test_hostile_long_segments_are_safe(module: ModuleType) -> None:
    hostile = [
        "[" * 200_000,
        "|" * 200_000,
        "1" * 200_000 + "/",
        ("Error" * 40_000) + ":",
        "a." * 100_000 + "Error: x",
        "*** JOB " * 20_000,
        ("1/2 [00:01<00:01, " * 10_000) + "1it/s]",
        "\x1b[" * 100_000,
        '"' + "A" * 100_000 + ' HTTP/1.1" 200',
    ]
    for segment in hostile:
        _check(module, segment)
