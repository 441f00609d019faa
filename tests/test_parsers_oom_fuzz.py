"""Property tests for the OOM classifier: no input raises, and its promises hold on any text.

``_classify`` is the classifier without the defensive ``try``: a bug must show up here
instead of being swallowed by :func:`classify`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evalmon.parsers.oom import (
    _WRAP_WIDTHS,
    CANDIDATE,
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    _classify,
    _split,
)

# Pieces of real OOM reports, prefixes and near-misses, glued together at random so the
# search reaches the deep paths (prefix stripping, joining, dedup, phase, extraction).
FRAGMENTS = [
    "torch.OutOfMemoryError: ",
    "CUDA out of memory. Tried to allocate ",
    "2.00 GiB",
    "12.5GiB",
    "0 bytes",
    " GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.",
    "(GPU 1; 7.93 GiB total capacity; 5.69 MiB free; ",
    "RuntimeError: CUDA error: out of memory",
    "HIP out of memory",
    "NCCL WARN Cuda failure 2 'out of memory'",
    "Cuda failure 'out of memory'",
    "RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1234 bytes.",
    "ValueError: The model's max seq len (32768) is larger than the maximum number of ",
    "tokens that can be stored in KV cache (20000).",
    "(5.62 GiB KV cache is needed, which is larger than the available KV cache memory (4.5 GiB)",
    "No available memory for the cache blocks",
    "Free memory on device (6.9/8.0 GiB) on startup is less than desired GPU memory ",
    "utilization (0.9, 7.2 GiB)",
    "slurmstepd: error: Detected 1 oom_kill event in StepId=1.batch",
    "srun: error: n1: task 0: Out Of Memory",
    "Killed",
    "/bin/bash: line 1: 12 Killed  python x.py",
    "MemoryError",
    "No executable batch size found, reached zero.",
    "Detecting largest batch size",
    "Determined Largest batch size: 16",
    "Reducing batch size to 8",
    "Retrying",
    "[rank3]: ",
    "[default1]:",
    "[1,2]<stderr>:",
    "0: ",
    "(EngineCore_DP0 pid=1) ",
    "ERROR 11-24 03:00:09 [core.py:387] ",
    "2026-11-24:03:08:06 INFO     [evaluator:589] ",
    "[2025-03-07 21:49:33 TP13] ",
    "vllm-1  | ",
    "  | ",
    "    ",
    '  File "/x.py", line 3, in from_pretrained',
    '  File "/x.py", line 3, in forward',
    "Traceback (most recent call last):",
    "During handling of the above exception, another exception occurred:",
    '127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /completions HTTP/1.1" 500 -',
    "Loading checkpoint shards",
    "# ",
    "grep ",
    "\x1b[31m",
    "\x00",
    "\udcff",
    "(",
    ")",
    ":",
    " ",
    "é",
    "9" * 40,
    ".",
    # quoted and survived forms
    "old-logs/eval-1.err:",
    "x.log:12:",
    "12:",
    "> ",
    "WARNING:root:",
    "caught OutOfMemoryError('",
    # other runtimes' forms and their look-alikes
    "terminate called after throwing an instance of 'c10::Error'",
    "  what():  ",
    "std::bad_alloc",
    "tensorflow.python.framework.errors_impl.ResourceExhaustedError: ",
    "OOM when allocating tensor with shape[8,64] ",
    "Resource exhausted: ",
    "Failed to allocate request for 32.00MiB (33554432B) on device ordinal 0",
    "Out of memory while trying to allocate 7406166528 bytes.",
    "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9866.00 MiB on device 1: ",
    "cudaMalloc failed: out of memory",
    "hipErrorOutOfMemory",
    "HIP_ERROR_OutOfMemory",
    "HIPBLAS_STATUS_ALLOC_FAILED",
    "CUDA out of memory occurred when warming up sampler with 256 dummy requests.",
    "Unable to warmup model: ",
    "Allocator (GPU_0_bfc) ran out of memory trying to allocate 1.02GiB",
    " with freed_by_count=0. The caller indicates that this is not a failure",
    ".  Current allocation summary follows.",
    "p2pd invoked oom-killer: gfp_mask=0x140cca",
    "2020-01-03 14:18:34.461297: ",
    "I tensorflow/core/x.cc:830] ",
    "W tensorflow/core/x.cc:830] ",
    "1.06.520.077 E ",
    "| ",
    " |",
    "---",
    "error: ",
    "I'm getting ",
    "retrying without pipeline parallelism",
    "'), halving the batch",
    '{"error": "',
    '"}',
    "{'error': '",
]

fragment_lines = st.lists(st.sampled_from(FRAGMENTS), min_size=0, max_size=8).map("".join)
any_lines = st.one_of(fragment_lines, st.text(max_size=200))
contexts_before = st.lists(any_lines, max_size=CONTEXT_BEFORE)
contexts_after = st.lists(any_lines, max_size=CONTEXT_AFTER)

# EVALMON_FUZZ_EXAMPLES: a longer hunt by hand (CI keeps the default)
FUZZ = settings(
    max_examples=int(os.environ.get("EVALMON_FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _matches_candidate(line: str) -> bool:
    return CANDIDATE.search(line.encode("utf-8", "surrogatepass")) is not None


@FUZZ
@given(line=any_lines, before=contexts_before, after=contexts_after)
def test_never_raises_and_accepts_only_candidate_lines(
    line: str, before: list[str], after: list[str]
) -> None:
    event = _classify(line, before, after)
    if event is not None:
        assert _matches_candidate(line)
        assert event.kind in ("gpu", "host")
        assert 0 < len(event.message) <= 300
        for size in (event.bytes_tried, event.capacity_bytes, event.free_bytes):
            assert size is None or size >= 0


@FUZZ
@given(line=any_lines, before=contexts_before, after=contexts_after)
def test_the_verdict_never_depends_on_the_following_lines(
    line: str, before: list[str], after: list[str]
) -> None:
    """A line read live (no ``after`` yet) is an OOM exactly when it is one with context.

    The one exception: a line a terminal cut at its full width is judged with its end, which
    the program wrote with it (see _joined_ahead)."""
    cols = _split(line).cols
    assume(cols not in _WRAP_WIDTHS and cols + 1 not in _WRAP_WIDTHS)
    with_context = _classify(line, before, after)
    live = _classify(line, before, [])
    assert (with_context is None) == (live is None)


@settings(max_examples=300, deadline=None)
@given(
    line=st.text(max_size=2000),
    before=st.lists(st.text(max_size=300), max_size=10),
    after=st.lists(st.text(max_size=300), max_size=CONTEXT_AFTER),
)
def test_arbitrary_unicode_never_raises(line: str, before: list[str], after: list[str]) -> None:
    event = _classify(line, before, after)
    assert event is None or _matches_candidate(line)


@settings(max_examples=50, deadline=None)
@given(
    prefix=st.sampled_from(["", "A" * 5000, "torch." * 2000, "(" * 3000, "1: " * 1000]),
    core=st.sampled_from(FRAGMENTS),
)
def test_long_lines_stay_correct(prefix: str, core: str) -> None:
    line = prefix + core
    event = _classify(line, [line] * 3, [line] * 2)
    assert event is None or _matches_candidate(line)


# The job's own OOM lines, as a grep/rg prefix or a quote would find them.
REPORT_STARTS = [
    "torch.OutOfMemoryError: ",
    "CUDA out of memory. Tried to allocate ",
    "RuntimeError: CUDA error: out of memory",
    "ValueError: No available memory for the cache blocks",
    "slurmstepd: error: Detected 1 oom_kill event in StepId=1.batch",
    "srun: error: n1: task 0: Out Of Memory",
    "Killed",
    "[rank3]: ",
    "MemoryError",
    "No executable batch size found, reached zero.",
    "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying",
]
COPY_PREFIXES = [
    "old-logs/eval-1.err:",
    "logs/x.log:123:",
    "a/b-7-",
    "x.out:",
    "4924:",
    "> ",
    ">> ",
]
report_lines = st.tuples(st.sampled_from(REPORT_STARTS), fragment_lines).map("".join)


@FUZZ
@given(
    prefix=st.sampled_from(COPY_PREFIXES),
    line=report_lines,
    before=contexts_before,
    after=contexts_after,
)
def test_copies_are_never_events(
    prefix: str, line: str, before: list[str], after: list[str]
) -> None:
    """grep/rg output and ``> `` quotes of any OOM line: never an event, whatever is around."""
    assert _classify(prefix + line, before, after) is None


@FUZZ
@given(
    wrap=st.sampled_from(
        [
            ('{"error": "', '"}'),
            ('{"level":"ERROR","fields":{"message":"', '"}}'),
            ("WARNING:root:caught OutOfMemoryError('", "'), halving the batch"),
            ("ERROR: request failed: RuntimeError('", "')"),
            ("2026-11-24:03:08:06 WARNING  [x.py:1] ", ""),
        ]
    ),
    line=report_lines.filter(lambda text: '"' not in text and "'" not in text),
    before=contexts_before,
    after=contexts_after,
)
def test_mentions_and_warnings_are_never_fatal(
    wrap: tuple[str, str], line: str, before: list[str], after: list[str]
) -> None:
    """An OOM inside a JSON value, an exception repr or a WARNING record is never fatal (the
    one exception, an uncaught ``<module>`` traceback after it with no sign the job went on,
    is tested in test_parsers_oom; these contexts hold no such traceback)."""
    # TensorFlow's BFC allocator logs its failure at W ("... Current allocation summary
    # follows."): that rule reads no level, by design (test_parsers_oom covers it)
    assume(not (wrap[0].endswith("[x.py:1] ") and "summary follows" in line))
    event = _classify(wrap[0] + line + wrap[1], before, after)
    assert event is None or event.fatal is False


@FUZZ
@given(line=report_lines, before=contexts_before, after=contexts_after)
def test_table_rows_are_never_events(line: str, before: list[str], after: list[str]) -> None:
    """A markdown table row holding any OOM line is data or advice, never a report."""
    assert _classify("| 64 | " + line + " |", before, after) is None
    assert _classify("| " + line + " |", before, after) is None


@FUZZ
@given(line=report_lines, after=contexts_after)
def test_values_in_a_yaml_document_are_never_events(line: str, after: list[str]) -> None:
    """Under a ``---`` with only mapping entries between, ``error: <any OOM>`` is a value."""
    before = ["---", "batch_size: 64", "status: failed"]
    assert _classify("error: " + line, before, after) is None
