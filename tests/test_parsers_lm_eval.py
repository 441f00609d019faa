"""lm-evaluation-harness client lines (evalmon.parsers.lm_eval).

Most samples were captured from real ``lm_eval run --model local-completions`` 0.4.13 runs
against a local server that answered some requests with HTTP 500.
"""

from __future__ import annotations

import pytest
from lm_eval.utils import make_table

from evalmon.events import (
    ApiFailure,
    ApiRetrying,
    AutoBatchSize,
    CacheStatus,
    LmEvalStage,
    LmEvalTask,
    ResultRow,
    ResultsTableStart,
    RetryAttempt,
    RunConfig,
)
from evalmon.parsers.lm_eval import CANDIDATE, fill_result_tasks, parse

INIT_LINE = (
    "2026-11-24:04:15:58 INFO     [evaluator:239] Initializing local-completions model, with "
    "arguments: {'model': 'foo', 'base_url': 'http://127.0.0.1:18731/v1/completions', "
    "'num_concurrent': 4, 'max_retries': 3, 'tokenized_requests': False, 'tokenizer': "
    "'/tmp/lmx/tok', 'tokenizer_backend': 'huggingface'}"
)
SUMMARY_LINE = (
    "local-completions ({'model': 'foo', 'base_url': 'http://127.0.0.1:18731/v1/completions', "
    "'num_concurrent': 4, 'max_retries': 3, 'tokenized_requests': False, 'tokenizer': "
    "'/tmp/lmx/tok', 'tokenizer_backend': 'huggingface'}), gen_kwargs: ({}), limit: None, "
    "num_fewshot: None, batch_size: 4"
)

CASES: list[tuple[str, list[object]]] = [
    (
        INIT_LINE,
        [
            RunConfig(
                model_type="local-completions",
                model="foo",
                num_concurrent=4,
                tokenized_requests=False,
                base_url="http://127.0.0.1:18731/v1/completions",
                max_retries=3,
                source="init",
            )
        ],
    ),
    (
        SUMMARY_LINE,
        [
            RunConfig(
                model_type="local-completions",
                model="foo",
                batch_size="4",
                num_concurrent=4,
                tokenized_requests=False,
                base_url="http://127.0.0.1:18731/v1/completions",
                max_retries=3,
                source="summary",
            )
        ],
    ),
    # older summary form with a k=v model_args string
    (
        "local-completions (model=m,base_url=http://h:8000/v1/completions,num_concurrent=1,"
        "tokenized_requests=True), gen_kwargs: (None), limit: 100.0, num_fewshot: 5, "
        "batch_size: 16",
        [
            RunConfig(
                model_type="local-completions",
                model="m",
                batch_size="16",
                num_concurrent=1,
                tokenized_requests=True,
                base_url="http://h:8000/v1/completions",
                limit="100.0",
                source="summary",
            )
        ],
    ),
    # hf with an automatic batch size and its detected sizes
    (
        "hf (pretrained=EleutherAI/pythia-160m,dtype=float16), gen_kwargs: (None), limit: None, "
        "num_fewshot: None, batch_size: auto:4 (64,64,32,32)",
        [
            RunConfig(
                model_type="hf",
                model="EleutherAI/pythia-160m",
                batch_size="auto:4",
                batch_sizes="64,64,32,32",
                source="summary",
            )
        ],
    ),
    # the size ``auto`` detected is kept (issue 12: it was dropped)
    (
        "hf (pretrained=gpt2), gen_kwargs: (None), limit: None, num_fewshot: None, "
        "batch_size: auto (16)",
        [
            RunConfig(
                model_type="hf", model="gpt2", batch_size="auto", batch_sizes="16",
                source="summary",
            )
        ],
    ),
    # lm-eval 0.3 summary (no gen_kwargs, provide_description)
    (
        "hf-causal (pretrained=gpt2), limit: None, provide_description: False, num_fewshot: 0, "
        "batch_size: 8",
        [RunConfig(model_type="hf-causal", model="gpt2", batch_size="8", source="summary")],
    ),
    # a dict cut off by line wrapping still gives what it holds
    (
        "Initializing vllm model, with arguments: {'pretrained': 'meta/llama', 'batch_size': "
        "'auto', 'num_concurrent':",
        [RunConfig(model_type="vllm", model="meta/llama", batch_size="auto", source="init")],
    ),
    # failures (both client code paths), retries
    (
        "2026-11-24:04:16:23 WARNING  [models.api_models:521] API request failed! Status code: "
        "500, Response text: boom OOM. Retrying...",
        [ApiFailure(status=500, message="boom OOM"), ApiRetrying()],
    ),
    (
        "Requesting API:   0%|          | 0/5 [00:00<?, ?it/s]2026-11-24:04:16:23 WARNING  "
        "[models.api_models:521] API request failed! Status code: 503, Response text: "
        "<!doctype html>",
        [ApiFailure(status=503, message="<!doctype html>")],
    ),
    (
        "2026-11-24:04:16:17 WARNING  [models.api_models:479] API request failed with error "
        "message: boom OOM. Retrying...",
        [ApiFailure(status=None, message="boom OOM"), ApiRetrying()],
    ),
    # a response text with line breaks (Flask's HTML error page): "Retrying..." ends its
    # last line, and that line is a retry (num_concurrent=1 logs no "Retry attempt N")
    (". Retrying...", [ApiRetrying()]),
    ("<p>The server encountered an internal error</p>. Retrying...", [ApiRetrying()]),
    # the tasks a run is made of: the documents bar follows, and generation tasks say so
    (
        "2026-12-02:12:36:55 INFO     [api.task:312] Building contexts for demo_arith_choice "
        "on rank 0...",
        [LmEvalTask(task="demo_arith_choice", what="contexts", rank=0)],
    ),
    (
        "2026-12-02:12:36:55 INFO     [evaluator:314] demo_arith_gen: Using gen_kwargs: "
        "{'until': ['\\n'], 'max_gen_toks': 64, 'do_sample': False}",
        [LmEvalTask(task="demo_arith_gen", what="generate_until")],
    ),
    # the header rows tell the tasks' table from the Groups table that repeats the groups
    (
        "|  Tasks  |Version|Filter|n-shot|  Metric   |   |Value|   |Stderr|",
        [ResultsTableStart("tasks")],
    ),
    ("|Groups|Version|Filter|n-shot|Metric|   |Value|   |Stderr|", [ResultsTableStart("groups")]),
    (
        "2026-11-24:04:16:23 INFO     [models.api_models:607] Retry attempt 1",
        [RetryAttempt(attempt=1)],
    ),
    ("Retry attempt 12", [RetryAttempt(attempt=12)]),
    # --use_cache resume
    (
        "2026-11-24:04:16:23 INFO     [api.model:330] Cached requests: 304, "
        "Requests remaining: 496",
        [CacheStatus(cached=304, remaining=496)],
    ),
    # automatic batch size (huggingface.py prints these)
    (
        "Passed argument batch_size = auto. Detecting largest batch size",
        [
            AutoBatchSize(
                batch_size=None,
                message="Passed argument batch_size = auto. Detecting largest batch size",
            )
        ],
    ),
    (
        "Passed argument batch_size = auto:4. Detecting largest batch size",
        [
            AutoBatchSize(
                batch_size=None,
                message="Passed argument batch_size = auto:4. Detecting largest batch size",
            )
        ],
    ),
    (
        "Determined Largest batch size: 64",
        [AutoBatchSize(batch_size=64, message="Determined Largest batch size: 64")],
    ),
    (
        "Determined largest batch size: 32",
        [AutoBatchSize(batch_size=32, message="Determined largest batch size: 32")],
    ),
    # stages
    (
        "2026-11-24:04:15:59 INFO     [evaluator:589] Running generate_until requests",
        [LmEvalStage(request_type="generate_until")],
    ),
    (
        "2024-05-01:12:00:00,123 INFO     [evaluator.py:366] Running loglikelihood requests",
        [LmEvalStage(request_type="loglikelihood")],
    ),
    ("Running loglikelihood_rolling requests", [LmEvalStage(request_type="loglikelihood_rolling")]),
    # result rows (0.4.13 nine columns, 0.4.0 eight, 0.3 six)
    (
        "|tinygen|Yaml   |none  |     0|exact_match|↑  |    1|±  |     0|",
        [
            ResultRow(
                task="tinygen",
                metric="exact_match",
                value=1.0,
                stderr=0.0,
                version="Yaml",
                filter="none",
                n_shot="0",
                higher_is_better="↑",
            )
        ],
    ),
    (
        "|                      |       |strict-match    |     5|exact_match    |   "
        "| 0.10|±  |0.0100|",
        [
            ResultRow(
                task="",
                metric="exact_match",
                value=0.1,
                stderr=0.01,
                filter="strict-match",
                n_shot="5",
            )
        ],
    ),
    (
        "| -  - abstract_algebra|    N/A|none            |     0|acc            |   "
        "| 0.30|±  |   N/A|",
        [
            ResultRow(
                task="abstract_algebra",
                metric="acc",
                value=0.3,
                stderr=None,
                version="N/A",
                filter="none",
                n_shot="0",
            )
        ],
    ),
    (
        "|wikitext|      2|none  |      |word_perplexity|↓  |12.50|   |      |",
        [
            ResultRow(
                task="wikitext",
                metric="word_perplexity",
                value=12.5,
                version="2",
                filter="none",
                higher_is_better="↓",
            )
        ],
    ),
    (
        "|hellaswag|      1|none  |     0|acc     |0.5000|±  |0.0503|",
        [
            ResultRow(
                task="hellaswag",
                metric="acc",
                value=0.5,
                stderr=0.0503,
                version="1",
                filter="none",
                n_shot="0",
            )
        ],
    ),
    (
        "|hellaswag|      0|acc     |0.5000|±  |0.0503|",
        [ResultRow(task="hellaswag", metric="acc", value=0.5, stderr=0.0503, version="0")],
    ),
]

NEAR_MISSES = [
    "|-------|-------|------|-----:|-----------|---|----:|---|-----:|",
    "| Configuration | Samples/s | Speedup | Time for 1000 samples |",
    "| Original (batch=8) | 0.75 | 1x | 22 minutes |",
    "|a|b|c|d|e|f|g|h|i|",
    "|tinygen|Yaml|none|0|exact_match|↑|high|±|0|",
    "API request failed after multiple retries. Please check the API status.",
    "    raise RetryError(...)  # Retry attempt 3 failed",
    "Cached requests: many",
    '            desc="Running loglikelihood requests",',
    "Running loglikelihood requests:  45%|████▌     | 45/100 [00:05<00:05,  9.00it/s]",
    "2026-11-24:03:08:06 INFO     [models.api_models:179] Concurrent requests are disabled.",
    "2026-11-24:03:08:06 WARNING  [models.api_models:166] Batch size > 1 detected.",
    "Exception:ClientResponseError(500), (no outputs), retrying.",  # the same failure again
    "Retrying (Retry(total=2, connect=None)) after connection broken by ...",  # urllib3
    "Building contexts for hellaswag",
    "Initializing Megatron with args: --tp 8",
    "",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_table(segment: str, expected: list[object]) -> None:
    assert parse(segment) == expected
    assert CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NEAR_MISSES)
def test_near_misses_give_nothing(segment: str) -> None:
    assert parse(segment) == []


def _real_results() -> dict:
    return {
        "results": {
            "gsm8k": {
                "alias": "gsm8k",
                "exact_match,strict-match": 0.1,
                "exact_match_stderr,strict-match": 0.01,
                "exact_match,flexible-extract": 0.2,
                "exact_match_stderr,flexible-extract": 0.02,
            },
            "hellaswag": {
                "alias": "hellaswag",
                "acc,none": 0.5,
                "acc_stderr,none": 0.05,
                "acc_norm,none": 0.6,
                "acc_norm_stderr,none": 0.049,
            },
        },
        "versions": {"gsm8k": 3.0, "hellaswag": 1.0},
        "n-shot": {"gsm8k": 5, "hellaswag": 0},
        "higher_is_better": {"hellaswag": {"acc": True, "acc_norm": True}},
    }


def test_lm_evals_own_make_table_round_trips_with_filled_tasks() -> None:
    table = make_table(_real_results())
    events = [event for line in table.splitlines() for event in parse(line)]
    assert events[0] == ResultsTableStart("tasks")
    rows = events[1:]
    assert all(isinstance(r, ResultRow) for r in rows)
    assert [r.task for r in rows] == ["gsm8k", "", "hellaswag", ""]
    filled = fill_result_tasks(rows)  # type: ignore[arg-type]
    assert [(r.task, r.metric, r.filter, r.value, r.stderr) for r in filled] == [
        ("gsm8k", "exact_match", "flexible-extract", 0.2, 0.02),
        ("gsm8k", "exact_match", "strict-match", 0.1, 0.01),
        ("hellaswag", "acc", "none", 0.5, 0.05),
        ("hellaswag", "acc_norm", "none", 0.6, 0.049),
    ]
    assert {r.version for r in filled} == {"3", "1"}
    for line in table.splitlines()[2:]:
        assert CANDIDATE.search(line.encode()), line


def test_fill_result_tasks_keeps_named_rows_and_leading_blank() -> None:
    rows = [
        ResultRow(task="", metric="m", value=1.0),
        ResultRow(task="a", metric="m", value=1.0, version="2"),
        ResultRow(task="", metric="n", value=2.0),
        ResultRow(task="b", metric="m", value=3.0),
    ]
    assert [(r.task, r.version) for r in fill_result_tasks(rows)] == [
        ("", ""),
        ("a", "2"),
        ("a", "2"),
        ("b", ""),
    ]


def test_init_line_wrapped_by_lm_evals_wrap_text_gives_every_field() -> None:
    """lm-eval wraps a string-args init message at 140 columns with an 8-space indent."""
    from lm_eval.utils import wrap_text

    args = {
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "base_url": "http://gpu-node-017.cluster.internal:5000/v1/completions",
        "num_concurrent": 4,
        "max_retries": 3,
        "tokenized_requests": True,
        "tokenizer_backend": "huggingface",
    }
    message = wrap_text(f"Initializing local-completions model, with arguments: {args}")
    lines = message.splitlines()
    assert len(lines) > 1 and lines[1].startswith("        '")
    lines[0] = "2024-08-01:10:00:00,123 INFO     [evaluator.py:180] " + lines[0]
    configs = []
    for line in lines:
        found = parse(line)
        if found:
            assert CANDIDATE.search(line.encode())
        configs.extend(found)
    assert len(configs) >= 2
    merged: dict[str, object] = {}
    for config in configs:
        assert isinstance(config, RunConfig) and config.source == "init"
        for key in ("model_type", "model", "num_concurrent", "max_retries", "tokenized_requests"):
            if getattr(config, key) is not None:
                merged.setdefault(key, getattr(config, key))
        if config.base_url is not None:
            merged.setdefault("base_url", config.base_url)
    assert merged == {
        "model_type": "local-completions",
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "base_url": "http://gpu-node-017.cluster.internal:5000/v1/completions",
        "num_concurrent": 4,
        "max_retries": 3,
        "tokenized_requests": True,
    }


def test_indented_text_without_config_keys_is_not_a_continuation() -> None:
    assert parse("        'foo': 1, 'bar': 2}") == []
    assert parse("        return {'x': 1}") == []


# ---------------------------------------------------------------------------- command lines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "+ lm_eval --model local-completions --model_args model=m,num_concurrent=4,"
            "tokenized_requests=True --tasks hellaswag --batch_size 256 --use_cache /c",
            ("local-completions", "256", 4, True),
        ),
        ("python -m lm_eval run --model=hf --batch-size=auto:4", ("hf", "auto:4", None, None)),
        (
            "srun lm-eval --model_args '{\"model\": \"x\", \"num_concurrent\": 2}' --batch_size 8",
            (None, "8", 2, None),
        ),
    ],
)
def test_echoed_command_line_gives_the_client_batch_size(line, expected):
    (config,) = parse(line)
    assert isinstance(config, RunConfig) and config.source == "command"
    assert (
        config.model_type,
        config.batch_size,
        config.num_concurrent,
        config.tokenized_requests,
    ) == expected
    assert CANDIDATE.search(line.encode())


@pytest.mark.parametrize(
    "line",
    [
        "usage: lm_eval [-h] [--model MODEL] [--batch_size BATCH_SIZE]",  # argparse usage
        "echo --batch_size 5",  # not lm-eval
        "lm_eval --batch_size",  # cut off
    ],
)
def test_not_a_command_line(line):
    assert parse(line) == []
