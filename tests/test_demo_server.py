"""The demo's simulated Megatron-like server: protocol, logs, engine splits, OOM, time model."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalmon_demo import toy_model
from evalmon_demo.gpu_model import GpuModel, padded_tokens
from evalmon_demo.server import RunningServer, build_parser
from evalmon_demo.tokenizer import ensure_tokenizer
from tests.waiting import wait_for

WERKZEUG = re.compile(
    r"^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}\] "
    r'"(POST|PUT|GET) (\S+) HTTP/1\.[01]" (\d{3}) -$'
)


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_tokenizer(tmp_path_factory.mktemp("tok") / "tokenizer")


def start(tmp_path: Path, *extra: str) -> RunningServer:
    args = build_parser().parse_args(
        ["--port", "0", "--log", str(tmp_path / "server.log"), "--time-scale", "0", *extra]
    )
    return RunningServer(args).start()


@pytest.fixture
def server(tmp_path: Path, tokenizer_dir: Path) -> Iterator[RunningServer]:
    srv = start(tmp_path, "--tokenizer", str(tokenizer_dir), "--inference-max-batch-size", "3")
    yield srv
    srv.stop()


def call(srv: RunningServer, method: str, path: str, body: object) -> tuple[int, str]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(srv.base_url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def log_lines(tmp_path: Path, name: str = "server.log") -> list[str]:
    return (tmp_path / name).read_text(encoding="utf-8").splitlines()


def lm_eval_parse_logprobs(outputs: dict, ctxlens: list[int]) -> list[tuple[float, bool]]:
    from lm_eval.models.openai_completions import LocalCompletionsAPI

    return LocalCompletionsAPI.parse_logprobs(outputs=outputs, ctxlens=ctxlens)


# --------------------------------------------------------------------------- protocol


def test_echo_logprobs_string_prompts_score_the_believed_answer_best(server: RunningServer):
    context = "Question: What is 4 + 5?\nAnswer:"
    body = {
        "prompt": [context + " 9", context + " 8", context + " 19"],
        "echo": True,
        "logprobs": 1,
        "max_tokens": 1,
        "temperature": 0,
    }
    status, text = call(server, "POST", "/v1/completions", body)
    assert status == 200
    out = json.loads(text)
    assert [c["index"] for c in out["choices"]] == [0, 1, 2]
    for choice in out["choices"]:
        lp = choice["logprobs"]
        n = len(lp["tokens"])
        assert n == len(lp["token_logprobs"]) == len(lp["top_logprobs"]) == len(lp["text_offset"])
        assert lp["token_logprobs"][0] is None
        assert "".join(lp["tokens"]) == choice["text"]
    # ctxlen: tokens of the context; lm-eval sums token_logprobs[ctxlen:-1]
    ctxlen = len(out["choices"][0]["logprobs"]["tokens"]) - 2
    scores = lm_eval_parse_logprobs(out, [ctxlen] * 3)
    assert toy_model.belief(context) == 9
    assert scores[0][1] is True and scores[1][1] is False and scores[2][1] is False
    assert scores[0][0] > scores[1][0] > scores[2][0]


def test_token_id_prompts_are_decoded_with_the_tokenizer(server: RunningServer, tokenizer_dir):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    context = tok.encode("Question: What is 12 + 30?\nAnswer:").ids
    right, wrong = tok.encode(" 42").ids, tok.encode(" 43").ids
    body = {
        "prompt": [context + right, context + wrong],
        "echo": True,
        "logprobs": 1,
        "max_tokens": 1,
    }
    status, text = call(server, "POST", "/completions", body)
    assert status == 200
    out = json.loads(text)
    assert out["choices"][0]["text"].startswith("Question: What is 12 + 30?\nAnswer: 42")
    scores = lm_eval_parse_logprobs(out, [len(context)] * 2)
    assert scores[0][1] and not scores[1][1]
    assert scores[0][0] > scores[1][0]


def test_generation_honours_stop_and_max_tokens(server: RunningServer):
    from lm_eval.models.openai_completions import LocalCompletionsAPI

    prompt = "Question: What is 20 + 22?\nAnswer:"
    status, text = call(
        server,
        "POST",
        "/v1/completions",
        {"prompt": [prompt, prompt], "max_tokens": 32, "stop": ["\n"]},
    )
    assert status == 200
    out = json.loads(text)
    assert LocalCompletionsAPI.parse_generations(out) == [" 42", " 42"]
    assert out["choices"][0]["finish_reason"] == "stop"
    status, text = call(server, "POST", "/v1/completions", {"prompt": prompt, "max_tokens": 32})
    long = json.loads(text)["choices"][0]["text"]
    assert long.startswith(" 42\nQuestion:")  # without a stop sequence it rambles on
    status, text = call(server, "POST", "/v1/completions", {"prompt": prompt, "max_tokens": 1})
    one = json.loads(text)["choices"][0]
    assert one["text"] == " 42" and one["finish_reason"] == "length"


def test_megatron_put_api(server: RunningServer, tmp_path: Path):
    status, text = call(
        server, "PUT", "/api", {"prompts": ["What is 3 + 4?"], "tokens_to_generate": 2}
    )
    assert status == 200
    assert json.loads(text)["text"] == ["What is 3 + 4? 7\n"]
    lines = log_lines(tmp_path)
    assert "request IP: 127.0.0.1" in lines
    assert any(line.startswith("start time:  ") for line in lines)
    status, text = call(server, "PUT", "/api", {"prompts": ["x"] * 129})
    assert status == 400 and "Maximum number of prompts is 128" in text


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        {"prompt": 5},
        {"prompt": []},
        {"prompt": [[1, "a"]]},
        {"prompt": "x", "max_tokens": -1},
        {"prompt": "x", "max_tokens": 4, "logprobs": 1},
        {"prompt": "x", "stop": 3},
        {"prompt": [[10**9]]},
    ],
)
def test_bad_requests_get_a_400_and_the_server_keeps_serving(server: RunningServer, body):
    status, text = call(server, "POST", "/v1/completions", body)
    assert status == 400 and text and "Traceback" not in text
    assert call(server, "POST", "/v1/completions", {"prompt": "hi", "max_tokens": 1})[0] == 200


# --------------------------------------------------------------------------- Megatron-like logs


def test_engine_max_batch_splits_a_request_into_engine_calls(server: RunningServer, tmp_path):
    prompts = [f"Question: What is {i} + 1?\nAnswer:" for i in range(7)]
    status, _ = call(server, "POST", "/v1/completions", {"prompt": prompts, "max_tokens": 2})
    assert status == 200
    debug = [line for line in log_lines(tmp_path) if "BATCHING DEBUG" in line]
    assert debug == [
        f"[BATCHING DEBUG] run_mcore_engine called with {n} prompts" for n in (3, 3, 1)
    ]


def test_startup_lines_and_werkzeug_access_lines(server: RunningServer, tmp_path: Path):
    call(server, "POST", "/v1/completions", {"prompt": "hi", "max_tokens": 1})
    call(server, "PUT", "/api", {"prompts": ["hi"], "tokens_to_generate": 1})
    call(server, "GET", "/nothing", b"")
    lines = log_lines(tmp_path)
    assert f" * Running on http://127.0.0.1:{server.port}" in lines
    assert "  inference_max_batch_size ........................ 3" in lines
    access = [m.groups() for line in lines if (m := WERKZEUG.match(line))]
    assert access == [
        ("POST", "/v1/completions", "200"),
        ("PUT", "/api", "200"),
        ("GET", "/nothing", "404"),
    ]


def test_a_batch_above_the_memory_budget_is_a_500_with_a_pytorch_oom_traceback(
    tmp_path: Path,
):
    srv = start(tmp_path, "--memory-gib", "80", "--weights-gib", "70", "--kv-mib-per-token", "64")
    try:
        # 9.1 GiB free / 64 MiB per token = 145 tokens: 8 prompts x (1 word + 16 new) fit
        ok = call(srv, "POST", "/v1/completions", {"prompt": ["hi"] * 8, "max_tokens": 16})
        assert ok[0] == 200
        status, text = call(
            srv, "POST", "/v1/completions", {"prompt": ["hi"] * 64, "max_tokens": 16}
        )
        assert status == 500 and "Internal Server Error" in text
        assert "OutOfMemory" not in text  # the client never sees the OOM text
        lines = log_lines(tmp_path)
        err = next(i for i, line in enumerate(lines) if "ERROR in app:" in line)
        assert re.match(
            r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR in app: "
            r"Exception on /v1/completions \[POST\]$",
            lines[err],
        )
        assert lines[err + 1] == "Traceback (most recent call last):"
        oom = next(line for line in lines[err:] if line.startswith("torch.OutOfMemoryError"))
        assert re.search(
            r"CUDA out of memory\. Tried to allocate [\d.]+ GiB\. GPU 0 has a total "
            r"capacity of 80\.00 GiB of which [\d.]+ GiB is free\.",
            oom,
        )
        assert lines.index(oom) > err
        assert WERKZEUG.match(lines[-1]) and lines[-1].endswith('" 500 -')
        assert lines[lines.index(oom) - 1].strip().startswith("return torch.empty(")
        # the server survives the OOM
        assert call(srv, "POST", "/v1/completions", {"prompt": "hi", "max_tokens": 1})[0] == 200
    finally:
        srv.stop()


def test_log_follows_supervised_attempts(tmp_path: Path):
    (tmp_path / "attempt-1.out").write_text("")
    srv = start(
        tmp_path, "--log", str(tmp_path / "server-{attempt}.log"), "--attempt-dir", str(tmp_path)
    )
    try:
        call(srv, "POST", "/v1/completions", {"prompt": "one", "max_tokens": 1})
        (tmp_path / "attempt-2.out").write_text("")
        call(srv, "POST", "/v1/completions", {"prompt": "two", "max_tokens": 1})
    finally:
        srv.stop()
    first, second = log_lines(tmp_path, "server-1.log"), log_lines(tmp_path, "server-2.log")
    assert sum(bool(WERKZEUG.match(line)) for line in first) == 1
    assert sum(bool(WERKZEUG.match(line)) for line in second) == 1
    # every attempt's log carries the engine configuration, as a restarted server's would
    for lines in (first, second):
        assert any(line.startswith("  inference_max_batch_size ....") for line in lines)


def test_gpu_samples_are_written_and_marked_simulated(tmp_path: Path):
    srv = start(tmp_path, "--gpu-log-dir", str(tmp_path), "--gpu-interval", "0.05")
    try:
        path = srv.gpu.path  # type: ignore[union-attr]
        wait_for(lambda: path.exists() and path.read_text().count("\n") >= 2, what="gpu samples")
    finally:
        srv.stop()
    assert path.name.startswith("gpu-") and path.suffix == ".jsonl"
    from evalmon.events import GpuSample
    from evalmon.parsers import gpu_jsonl

    # read back with the parser the dashboard uses for `evalmon gpu-log` files
    samples = [e for line in path.read_text().splitlines() for e in gpu_jsonl.parse(line)]
    assert samples and all(isinstance(s, GpuSample) and s.simulated for s in samples)
    assert samples[0].memory_used == srv.model.idle_bytes
    assert samples[0].memory_total == srv.model.capacity_bytes


# --------------------------------------------------------------------------- time model


def test_service_time_model_larger_batches_are_faster_until_they_saturate():
    model = GpuModel()
    rates = {b: model.samples_per_s(b, tokens_per_prompt=16) for b in (8, 64, 256, 1024)}
    assert rates[8] < rates[64] < rates[256] < rates[1024]
    # saturation: each 4x-8x step buys less than the one before
    assert rates[64] / rates[8] > rates[256] / rates[64] > rates[1024] / rates[256]
    assert GpuModel(time_scale=0).service_time_s(64, 1000) == 0


def test_memory_model_is_weights_plus_padded_tokens():
    model = GpuModel(capacity_gib=80, weights_gib=60, runtime_overhead_gib=0, kv_mib_per_token=1)
    assert padded_tokens([3, 10, 5], max_new_tokens=6) == 3 * 16
    assert model.max_padded_tokens() == 20 * 1024
    assert model.fits(20 * 1024) and not model.fits(20 * 1024 + 1)


def test_measured_throughput_rises_with_the_batch(tmp_path: Path):
    srv = start(tmp_path, "--time-scale", "0.2")
    try:
        rates = {}
        for batch in (8, 64):
            t0 = time.perf_counter()
            call(srv, "POST", "/v1/completions", {"prompt": ["hi there"] * batch, "max_tokens": 1})
            rates[batch] = batch / (time.perf_counter() - t0)
    finally:
        srv.stop()
    assert rates[64] > 3 * rates[8]


# --------------------------------------------------------------------------- as a process


def test_runs_as_a_process_writes_its_port_and_stops_on_sigterm(tmp_path: Path):
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "evalmon_demo.server",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--log",
            str(tmp_path / "server.log"),
            "--time-scale",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        port = int(wait_for(lambda: port_file.exists() and port_file.read_text(), 15, "port"))
        url = f"http://127.0.0.1:{port}/v1/completions"
        req = urllib.request.Request(url, data=b'{"prompt": "hi", "max_tokens": 1}', method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_configuration_is_one_line_not_a_traceback(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon_demo.server", "--weights-gib", "100"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


# --------------------------------------------------------------------------- robustness


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=30))
def test_scoring_any_token_texts_gives_aligned_well_formed_logprobs(pieces: list[str]):
    scored = toy_model.score(pieces)
    n = len(pieces) + 1
    assert len(scored.tokens) == len(scored.token_logprobs) == len(scored.top_logprobs) == n
    assert scored.text_offset == sorted(scored.text_offset)
    for lp, top in zip(scored.token_logprobs[1:], scored.top_logprobs[1:], strict=True):
        assert lp is not None and lp < 0 and top and max(top.values()) >= lp
    json.dumps(scored.as_json())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.text(max_size=3), max_size=3))
def test_generation_of_any_text_never_raises(text: str, stop: list[str]):
    out, _ = toy_model.apply_stop(toy_model.complete(text), stop)
    assert isinstance(out, str)
    assert not any(s and s in out for s in stop)
