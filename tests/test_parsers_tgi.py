"""text-generation-inference (TGI) lines, table-driven from real logs.

Each case cites where its line was seen: a public issue (its log excerpt, copied as
printed; a few excerpts are cut short by the issue text itself and are kept so), or the TGI
source (``huggingface/text-generation-inference`` at v3.3.7) where no printed sample was
found.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalmon import events as events_module
from evalmon.events import (
    EngineConfig,
    ServerShutdown,
    ServerStarted,
    TgiConfig,
    TgiError,
    TgiRequest,
)
from evalmon.parsers import tgi

# huggingface/text-generation-inference#1374: a served request behind a docker-compose
# column, the /generate span inside the compat route's
SUCCESS_LINE = (
    "chat_inference-text_generation_inference-1  | 2023-12-22T00:21:24.202169Z  INFO "
    "compat_generate{default_return_full_text=true}:generate{parameters=GenerateParameters { "
    "best_of: None, temperature: None, repetition_penalty: None, top_k: None, top_p: None, "
    "typical_p: None, do_sample: false, max_new_tokens: Some(40), return_full_text: Some(false), "
    "stop: [], truncate: None, watermark: false, details: true, decoder_input_details: false, "
    'seed: None, top_n_tokens: None } total_time="2.458150804s" validation_time="13.678487ms" '
    'queue_time="184.26µs" inference_time="2.444288229s" time_per_token="61.107205ms" '
    'seed="None"}: text_generation_router::server: router/src/server.rs:289: Success'
)
SUCCESS = TgiRequest(
    route="generate",
    total_s=2.458150804,
    validation_s=0.013678487,
    queue_s=184.26e-6,
    inference_s=2.444288229,
    time_per_token_s=0.061107205,
    when="2023-12-22T00:21:24.202169Z",
)

CASES: list[tuple[str, list[object]]] = [
    (SUCCESS_LINE, [SUCCESS]),
    # an Intel guide "Running TGI with PyTorch XPU backend" (TGI 3.0), its console output:
    # the OpenAI chat route, µs times, a seed
    (
        '2024-12-10T21:50:03.478010Z  INFO chat_completions{total_time="735.200735ms" '
        'validation_time="955.594µs" queue_time="73.176µs" inference_time="734.172108ms" '
        'time_per_token="36.708605ms" seed="Some(13465365087046561476)"}: '
        "text_generation_router::server: router/src/server.rs:622: Success",
        [
            TgiRequest(
                route="chat_completions",
                total_s=0.735200735,
                validation_s=955.594e-6,
                queue_s=73.176e-6,
                inference_s=0.734172108,
                time_per_token_s=0.036708605,
                when="2024-12-10T21:50:03.478010Z",
            )
        ],
    ),
    # ------------------------------------------------------------------ failed requests
    # bionic-gpt/bionic-gpt#154: a validation error behind a docker-compose column
    (
        "bionic-tgi-1             | 2023-12-07T13:57:23.464203Z ERROR generate_stream{parameters="
        "GenerateParameters { best_of: None, temperature: Some(0.7), repetition_penalty: None, "
        "top_k: None, top_p: None, typical_p: None, do_sample: false, max_new_tokens: Some(1024), "
        "return_full_text: Some(false), stop: [], truncate: None, watermark: false, details: true, "
        "decoder_input_details: false, seed: None, top_n_tokens: None }}:async_stream:"
        "generate_stream: text_generation_router::infer: router/src/infer.rs:110: `inputs` tokens "
        "+ `max_new_tokens` must be <= 2048. Given: 1235 `inputs` tokens and 1024 "
        "`max_new_tokens`",
        [
            TgiError(
                kind="validation",
                message="`inputs` tokens + `max_new_tokens` must be <= 2048. Given: 1235 "
                "`inputs` tokens and 1024 `max_new_tokens`",
                route="generate_stream",
                when="2023-12-07T13:57:23.464203Z",
            )
        ],
    ),
    # huggingface/text-generation-inference#653: a shard's OOM fails the request (the
    # excerpt starts inside the span list)
    (
        ":infer:send_error: text_generation_router::infer: router/src/infer.rs:554: Request "
        "failed during generation: Server error: CUDA out of memory. Tried to allocate 16.00 MiB "
        "(GPU 0; 22.20 GiB total capacity; 20.75 GiB already allocated; 5.12 MiB free; 22.20 GiB "
        "allowed; 20.86 GiB reserved in total by PyTorch) If reserved memory is >> allocated "
        "memory try setting max_split_size_mb to avoid fragmentation.  See documentation for "
        "Memory Management and PYTORCH_CUDA_ALLOC_CONF",
        [
            TgiError(
                kind="generation",
                message="Request failed during generation: Server error: CUDA out of memory. "
                "Tried to allocate 16.00 MiB (GPU 0; 22.20 GiB total capacity; 20.75 GiB already "
                "allocated; 5.12 MiB free; 22.20 GiB allowed; 20.86 GiB reserved in total by "
                "PyTorch) If reserved memory is >> allocated memory try setting "
                "max_split_size_mb to avoid fragmentation.  See documentation for Memory "
                "Management and PYTORCH_CUDA_ALLOC_CONF",
            )
        ],
    ),
    # huggingface/text-generation-inference#3317: --json-output (Inference Endpoints), the
    # v3 backend (the excerpt ends inside the span list)
    (
        '{"timestamp":"2025-08-29T14:40:17.288163Z","level":"ERROR","message":"Request failed '
        "during generation: Server error: error trying to connect: No such file or directory "
        '(os error 2)","target":"text_generation_router_v3::backend","filename":"backends/v3/'
        'src/backend.rs","line_number":546,"span":{"name":"send_error"},"spans":[{"parameters":'
        '"GenerateParameters { best_of: None, temperature: None, repetition_penalty: None, '
        "frequency_penalty: None, top_k: None, top_p: None, typical_p: None, do_sample: true, "
        "max_new_tokens: Some(4800), return_full_text: None, stop: [], truncate: None, watermark: "
        "false, details: true, decoder_input_details: false, seed: None, top_n_tokens: None, "
        'grammar: None, adapter_id: None }","name":"chat_completions"},{"name":"generate"},'
        '{"name":"generate_stream"},{"name":"schedule"},{"name":"infer"},{"name":"send_erro',
        [
            TgiError(
                kind="generation",
                message="Request failed during generation: Server error: error trying to "
                "connect: No such file or directory (os error 2)",
                route="chat_completions",
            )
        ],
    ),
    # ------------------------------------------------------------------ lifecycle
    # huggingface/text-generation-inference#3203
    (
        "2025-05-01T01:31:02.842858Z  INFO text_generation_router::server: "
        "router/src/server.rs:2266: Connected",
        [ServerStarted(server="tgi", when="2025-05-01T01:31:02.842858Z")],
    ),
    # huggingface/text-generation-inference#1795: the router crashed, the launcher stops
    (
        "2024-04-23T08:26:48.209311Z ERROR text_generation_launcher: Webserver Crashed",
        [
            ServerShutdown(
                server="tgi",
                crashed=True,
                message="Webserver Crashed",
                when="2024-04-23T08:26:48.209311Z",
            )
        ],
    ),
    (
        "2024-04-23T08:26:48.209348Z  INFO text_generation_launcher: Shutting down shards",
        [
            ServerShutdown(
                server="tgi", message="Shutting down shards", when="2024-04-23T08:26:48.209348Z"
            )
        ],
    ),
    # huggingface/text-generation-inference#1627: a shard never came up
    (
        "2024-03-06T17:53:31.149443Z ERROR text_generation_launcher: Shard 0 failed to start",
        [
            ServerShutdown(
                server="tgi",
                crashed=True,
                message="Shard 0 failed to start",
                when="2024-03-06T17:53:31.149443Z",
            )
        ],
    ),
    # launcher/src/main.rs (``tracing::error!("Shard {rank} crashed")``): no printed sample
    # found; the message filled in
    (
        "ERROR text_generation_launcher: Shard 1 crashed",
        [ServerShutdown(server="tgi", crashed=True, message="Shard 1 crashed")],
    ),
    # ------------------------------------------------------------------ budgets
    # huggingface/text-generation-inference#832 (TGI 0.9.4)
    (
        '2023-08-22T18:35:50.966384Z  INFO text_generation_launcher: Args { model_id: "meta-llama/'
        'Llama-2-13b-chat-hf", revision: None, validation_workers: 2, sharded: None, num_shard: '
        "Some(4), quantize: None, dtype: None, trust_remote_code: false, max_concurrent_requests: "
        "128, max_best_of: 2, max_stop_sequences: 4, max_input_length: 4096, max_total_tokens: "
        "8192, waiting_served_ratio: 1.2, max_batch_prefill_tokens: 4096, max_batch_total_tokens: "
        '16000, max_waiting_tokens: 20, hostname: "831e9d857f4c", port: 80, shard_uds_path: '
        '"/tmp/text-generation-server", master_addr: "localhost", master_port: 29500, '
        'huggingface_hub_cache: Some("/data"), weights_cache_override: None, '
        "disable_custom_kernels: false, json_output: false, otlp_endpoint: None, "
        "cors_allow_origin: [], watermark_gamma: None, watermark_delta: None, ngrok: false, "
        "ngrok_authtoken: None, ngrok_domain: None, ngrok_username: None, ngrok_password: None, "
        "env: false }",
        [
            TgiConfig(
                max_concurrent_requests=128,
                max_batch_prefill_tokens=4096,
                max_batch_total_tokens=16000,
                max_input_tokens=4096,
                max_total_tokens=8192,
            )
        ],
    ),
    # huggingface/text-generation-inference#1627 (TGI 1.4; the excerpt ends at
    # "max_batch_size: Non")
    (
        '2024-03-06T18:02:08.913559Z  INFO text_generation_launcher: Args { model_id: "tiiuae/'
        'falcon-7b-instruct", revision: None, validation_workers: 2, sharded: None, num_shard: '
        "None, quantize: None, speculate: None, dtype: None, trust_remote_code: false, "
        "max_concurrent_requests: 128, max_best_of: 2, max_stop_sequences: 4, max_top_n_tokens: "
        "5, max_input_length: 1024, max_total_tokens: 2048, waiting_served_ratio: 1.2, "
        "max_batch_prefill_tokens: 4096, max_batch_total_tokens: None, max_waiting_tokens: 20, "
        "max_batch_size: Non",
        [
            TgiConfig(
                max_concurrent_requests=128,
                max_batch_prefill_tokens=4096,
                max_input_tokens=1024,
                max_total_tokens=2048,
            )
        ],
    ),
    # huggingface/text-generation-inference#2280: the launcher exits with the shards' failure
    (
        "Error: ShardFailed",
        [ServerShutdown(server="tgi", crashed=True, message="Error: ShardFailed")],
    ),
    # huggingface/text-generation-inference#2744: what warm-up found the KV cache holds
    ("Setting max batch total tokens to 30816", [TgiConfig(max_batch_total_tokens=30816)]),
    (
        "Default `max_batch_prefill_tokens` to 10049",
        [TgiConfig(max_batch_prefill_tokens=10049)],
    ),
]

NEAR_MISSES = [
    # huggingface/text-generation-inference#1374: a batch's shard error (the per-request
    # send_error lines follow; the OOM itself is oom.py's)
    "2023-12-22T00:21:35.318928Z ERROR batch{batch_size=1}:prefill:prefill{id=1 size=1}:prefill"
    "{id=1 size=1}: text_generation_client: router/client/src/lib.rs:33: Server error: CUDA out "
    "of memory. Tried to allocate 222.00 MiB.",
    # huggingface/text-generation-inference#2593: the v3 client's batch error
    "2025-05-26T10:46:34.737206Z ERROR batch{batch_size=1}:prefill:clear_cache{batch_id=Some(620)}"
    ":clear_cache{batch_id=Some(620)}: text_generation_router_v3::client: backends/v3/src/client/"
    "mod.rs:45: Server error: Unexpected <class 'RuntimeError'>: CUDA error: an illegal memory "
    "access was encountered",
    # huggingface/text-embeddings-inference#305: TEI's router, not TGI's
    '2025-08-09T19:36:02.798333Z  INFO openai_embed{total_time="1.207716998s" '
    'tokenization_time="11.232786ms" queue_time="686.203µs" inference_time="1.195713965s"}: '
    "text_embeddings_router::http::server: router/src/http/server.rs:1290: Success",
    # huggingface/text-generation-inference#3203: DEBUG input logging
    "2025-05-01T01:31:14.787487Z DEBUG generate{parameters=GenerateParameters { best_of: None, "
    "max_new_tokens: Some(20) }}: text_generation_router::server: router/src/server.rs:291: "
    "Input: <|im_start|>system",
    # huggingface/text-generation-inference#2657: waiting shards are not a lifecycle change
    "2024-10-16T10:48:41.374381Z  INFO shard-manager: text_generation_launcher: Waiting for "
    "shard to be ready... rank=2",
    # huggingface/text-generation-inference#2280: a shard's end, before the launcher's verdict
    "2024-07-22T19:57:05.908774Z  INFO shard-manager: text_generation_launcher: shard "
    "terminated rank=3",
    # predibase/lorax#354: LoRAX, a TGI fork, logs as lorax_launcher
    "2024-03-20T07:57:45.117908Z ERROR lorax_launcher: Webserver Crashed",
    # huggingface/text-generation-inference#1164: warm-up OOM is oom.py's
    "ERROR warmup{max_input_length=64 max_prefill_tokens=256}:warmup: text_generation_client: "
    "router/client/src/lib.rs:33: Server error: Not enough memory to handle 256 prefill tokens. "
    "You need to decrease",
    # huggingface/text-generation-inference#3227: a copy that lost the colour codes' ESC but
    # kept their "m" (``mtotal_time=``); no timings can be read from it
    'INFO chat_completions{mtotal_time="667.249736ms" mvalidation_time="972.818Âµs" '
    'mqueue_time="175.156186ms"}: text_generation_router::server: router/src/server.rs:624: '
    "Success",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_table(segment: str, expected: list[object]) -> None:
    assert tgi.parse(segment) == expected
    assert tgi.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NEAR_MISSES, ids=[s[:60] for s in NEAR_MISSES])
def test_near_misses_give_nothing(segment: str) -> None:
    assert tgi.parse(segment) == []


# Real deployment prefixes (see tests/test_parsers_vllm.py for their sources).
PREFIXES = [
    "2025-01-09T10:00:00.123456789Z ",
    "tgi-1  | ",
    "(RayWorkerWrapper pid=581, ip=10.225.128.18) ",
    "[rank0]: ",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_deployment_prefixes(prefix: str) -> None:
    segment = prefix + SUCCESS_LINE
    assert tgi.parse(segment) == [SUCCESS]
    assert tgi.CANDIDATE.search(segment.encode())


def _coloured(line: str, esc: str) -> str:
    """``line`` as tracing-subscriber colours it (dim time and target, italic field names,
    green level), the escape written as ``esc``: the form of the rsyslog-escaped launcher
    lines in huggingface/text-generation-inference#1763."""
    for name in ("total_time", "validation_time", "queue_time", "inference_time"):
        line = line.replace(f'{name}="', f'{esc}[3m{name}{esc}[0m{esc}[2m={esc}[0m"')
    line = line.replace("time_per_token=", f"{esc}[3mtime_per_token{esc}[0m{esc}[2m={esc}[0m")
    line = line.replace("  INFO ", f" {esc}[32m INFO{esc}[0m ")
    line = line.replace(
        "text_generation_router::server: router/src/server.rs:289: ",
        f"{esc}[2mtext_generation_router::server{esc}[0m{esc}[2m:{esc}[0m "
        f"{esc}[2mrouter/src/server.rs{esc}[0m{esc}[2m:{esc}[0m{esc}[2m289:{esc}[0m ",
    )
    return line


@pytest.mark.parametrize("esc", ["\x1b", "#033"])
def test_coloured_success(esc: str) -> None:
    """TGI colours its log by default (LOG_COLORIZE); rsyslog writes ESC as ``#033``."""
    segment = _coloured(SUCCESS_LINE, esc)
    assert esc in segment
    assert tgi.parse(segment) == [SUCCESS]
    assert tgi.CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("esc", ["\x1b", "#033"])
def test_coloured_connected(esc: str) -> None:
    segment = (
        f"{esc}[2m2025-05-01T01:31:02.842858Z{esc}[0m {esc}[32m INFO{esc}[0m "
        f"{esc}[2mtext_generation_router::server{esc}[0m{esc}[2m:{esc}[0m "
        f"{esc}[2mrouter/src/server.rs{esc}[0m{esc}[2m:{esc}[0m{esc}[2m2266:{esc}[0m Connected"
    )
    assert tgi.parse(segment) == [ServerStarted(server="tgi", when="2025-05-01T01:31:02.842858Z")]
    assert tgi.CANDIDATE.search(segment.encode())


def test_max_batch_size_is_an_engine_cap() -> None:
    """``--max-batch-size`` (launcher/src/main.rs) caps the batch like vLLM's max_num_seqs."""
    segment = (
        'INFO text_generation_launcher: Args { model_id: "m", max_concurrent_requests: 64, '
        "max_batch_size: Some(8), max_total_tokens: 4096 }"
    )
    assert tgi.parse(segment) == [
        TgiConfig(max_concurrent_requests=64, max_batch_size=8, max_total_tokens=4096),
        EngineConfig(max_batch_size=8),
    ]


def test_overloaded() -> None:
    """router/src/infer/mod.rs logs tokio's TryAcquireError when the semaphore is full."""
    segment = (
        "2024-01-01T00:00:00.000000Z ERROR compat_generate{default_return_full_text=true}:"
        "generate_stream{parameters=GenerateParameters { max_new_tokens: Some(20) }}:"
        "async_stream:generate_stream: text_generation_router::infer: router/src/infer.rs:95: "
        "no permits available"
    )
    assert tgi.parse(segment) == [
        TgiError(
            kind="overloaded",
            message="no permits available",
            route="compat_generate",
            when="2024-01-01T00:00:00.000000Z",
        )
    ]


def test_frequent_lines_wake_only_tgi() -> None:
    """A served request is TGI's hot line: no other module's CANDIDATE may wake on it, and
    tgi's must not wake on the other modules' hot lines (see test_parsers_server.py)."""
    from evalmon.parsers import stream

    for module in stream.DEFAULT_MODULES:
        candidate = getattr(module, "CANDIDATE", None)
        if module is not tgi and candidate is not None:
            assert not candidate.search(SUCCESS_LINE.encode()), module.__name__
    for line in [
        '127.0.0.1 - - [20/Nov/2026 10:01:51] "POST /completions HTTP/1.1" 200 -',
        'INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK',
        "Requesting API:  45%|████▌     | 360/800 [01:12<01:28,  4.98it/s]",
        "[BATCHING DEBUG] run_mcore_engine called with 32 prompts",
        "[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: "
        "0.12, gen throughput (token/s): 186.64, #queue-req: 0",
        "INFO 04-10 03:44:38 [loggers.py:87] Engine 000: Avg prompt throughput: 10.8 tokens/s",
    ]:
        assert not tgi.CANDIDATE.search(line.encode()), line


EVENT_TYPES = tuple(
    obj
    for obj in vars(events_module).values()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj)
)
FRAGMENTS = [SUCCESS_LINE, *(c[0] for c in CASES), *NEAR_MISSES, "\x1b[0m", "#033[2m", "µs", '"']


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=6))
def test_any_text_is_safe_and_candidate_never_misses(parts: list[str]) -> None:
    segment = "".join(parts)
    result = tgi.parse(segment)
    assert isinstance(result, list)
    assert all(isinstance(ev, EVENT_TYPES) for ev in result)
    if result:
        assert tgi.CANDIDATE.search(segment.encode("utf-8", "replace"))


def test_hostile_input_never_raises() -> None:
    for segment in [
        "text_generation_router::infer: x.rs:1: " + "x" * 200_000,
        "ERROR " + "a{" * 50_000 + ": text_generation_router::infer: a.rs:1: boom",
        '{"level":"ERROR","message":"Request failed during generation: \\',
        'generate{total_time="9' + "9" * 100 + 's"}: text_generation_router::server: a.rs:1: '
        "Success",
        "Args { model_id: " + "max_batch_size: Some(" * 10_000,
    ]:
        assert isinstance(tgi.parse(segment), list)
