"""A simulated Megatron-LM inference server for the demo: no GPU, real HTTP, real-looking logs.

    python -m evalmon_demo.server --port 0 --port-file PORT --log server.log \\
        --gpu-log-dir DIR --inference-max-batch-size 256 --tokenizer TOKDIR

Speaks what lm-eval's ``local-completions`` sends (``POST /v1/completions`` and
``/completions``: string or token-id prompts, ``echo``+``logprobs`` for loglikelihood,
generation with ``max_tokens``/``stop``) and Megatron's ``PUT /api``. Behaves like the Flask
server of Megatron-LM: one global lock around generation, a ``[BATCHING DEBUG]`` line per
engine call, werkzeug access lines, an engine max batch that splits larger requests, and a
GPU memory budget whose overflow is a PyTorch OOM traceback plus HTTP 500. Its modelled
memory is published as simulated GPU samples in ``DIR/gpu-<host>.jsonl``.

With ``--flavor vllm`` it is a vLLM server instead (evalmon_demo/vllm_engine.py): continuous
batching with no global lock, vLLM V1 statistics lines, uvicorn access lines and a real
Prometheus ``GET /metrics`` with vLLM's metric names.

With ``--log 'server-{attempt}.log' --attempt-dir DIR`` the log file follows the attempts of
``evalmon run`` in DIR (``attempt-N.out``): each attempt's requests land in ``server-N.log``,
so ``evalmon report`` shows every attempt as its own run with its own server log.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, TextIO

from evalmon.events import GpuProcess, GpuSample
from evalmon_demo import toy_model
from evalmon_demo.gpu_model import GpuModel, oom_message, padded_tokens

MEGATRON_API_MAX_PROMPTS = 128  # Megatron's PUT /api refuses more prompts per request
_MAX_BODY_BYTES = 64 * 1024 * 1024

# --------------------------------------------------------------------------- vocabularies


class Vocab(Protocol):
    def pieces(self, ids: Sequence[int]) -> list[str]: ...
    def split(self, text: str) -> list[str]: ...


class TokenizerVocab:
    """The demo tokenizer's ``tokenizer.json`` (the ``tokenizers`` package; no transformers)."""

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.size = self._tok.get_vocab_size()

    def pieces(self, ids: Sequence[int]) -> list[str]:
        bad = [i for i in ids if not 0 <= i < self.size]
        if bad:
            raise BadRequest(f"token id {bad[0]} is outside the vocabulary (size {self.size})")
        return self._tok.decode_batch([[i] for i in ids], skip_special_tokens=False)

    def split(self, text: str) -> list[str]:
        ids = self._tok.encode(text, add_special_tokens=False).ids
        return self.pieces(ids)


class SimpleVocab:
    """Without a tokenizer: words and punctuation are tokens; token-id prompts are refused."""

    _TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")

    def pieces(self, ids: Sequence[int]) -> list[str]:
        raise BadRequest("token-id prompts need the server to be started with --tokenizer")

    def split(self, text: str) -> list[str]:
        return self._TOKEN.findall(text)


class BadRequest(ValueError):
    """A request the server refuses with HTTP 400 and this message."""


class SimulatedOutOfMemory(RuntimeError):
    """Raised inside the simulated engine; logged as ``torch.OutOfMemoryError``."""


# --------------------------------------------------------------------------- the log


def _attempt_number(attempt_dir: Path) -> int:
    """The newest ``attempt-N.out`` of ``evalmon run`` in ``attempt_dir`` (1 if none yet)."""
    best = 1
    with contextlib.suppress(OSError), os.scandir(attempt_dir) as entries:
        for entry in entries:
            m = re.fullmatch(r"attempt-(\d+)\.out", entry.name)
            if m:
                best = max(best, int(m.group(1)))
    return best


class ServerLog:
    """Thread-safe line writer; optionally one file per supervised attempt."""

    def __init__(self, pattern: str | None, attempt_dir: Path | None, banner: list[str]) -> None:
        self._pattern = pattern
        self._attempt_dir = attempt_dir
        self._banner = banner
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self._path: str | None = None
        self.switch_to_current_attempt()

    def _target(self) -> str | None:
        if self._pattern is None:
            return None
        if "{attempt}" in self._pattern:
            number = _attempt_number(self._attempt_dir) if self._attempt_dir else 1
            return self._pattern.replace("{attempt}", str(number))
        return self._pattern

    def switch_to_current_attempt(self) -> None:
        """Reopen the log if a new attempt started (cheap: one small directory listing)."""
        target = self._target()
        with self._lock:
            if target is None or target == self._path:
                return
            previous = self._path
            try:
                new = open(target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
            except OSError as exc:
                if self._file is None:
                    raise  # at start: the caller reports it in one line
                self._file.write(f"evalmon demo: cannot switch the log to {target}: {exc}\n")
                self._path = target  # do not retry on every request
                return
            if self._file is not None:
                self._file.close()
            self._file, self._path = new, target
            if previous is not None:
                self._file.write(f"(evalmon demo: the same server continues from {previous})\n")
            for line in self._banner:
                self._file.write(line + "\n")

    def write(self, text: str) -> None:
        """Write whole lines (``text`` may hold several) in one piece."""
        if not text.endswith("\n"):
            text += "\n"
        with self._lock:
            if self._file is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                self._file.write(text)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def werkzeug_time(now: float) -> str:
    return time.strftime("%d/%b/%Y %H:%M:%S", time.localtime(now))


def flask_time(now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now)
    return stamp.strftime("%Y-%m-%d %H:%M:%S,") + f"{stamp.microsecond // 1000:03d}"


def megatron_args_dump(args: dict[str, object]) -> list[str]:
    """Megatron's ``_print_args`` layout: ``  name ........ value`` between two rulers."""
    lines = ["------------------------ arguments ------------------------"]
    for name in sorted(args):
        lines.append(f"  {name} {'.' * (48 - len(name))} {args[name]}")
    lines.append("-------------------- end of arguments ---------------------")
    return lines


# --------------------------------------------------------------------------- the engine


@dataclass
class GpuActivity:
    """What the GPU sampler reads: current modelled memory and busy time."""

    memory_used: int
    busy_s: float = 0.0
    busy_since: float | None = None


class Engine:
    """One process-wide lock around generation, like Megatron's ``LOCK``."""

    def __init__(self, model: GpuModel, max_batch: int, log: ServerLog) -> None:
        self.model = model
        self.max_batch = max(1, max_batch)
        self.log = log
        self.lock = threading.Lock()
        self.activity = GpuActivity(memory_used=model.idle_bytes)
        self._activity_lock = threading.Lock()
        self.engine_calls = 0

    def _busy(self, extra_bytes: int) -> None:
        with self._activity_lock:
            self.activity.memory_used = self.model.idle_bytes + extra_bytes
            self.activity.busy_since = time.monotonic()

    def _idle(self) -> None:
        with self._activity_lock:
            if self.activity.busy_since is not None:
                self.activity.busy_s += time.monotonic() - self.activity.busy_since
            self.activity.busy_since = None
            self.activity.memory_used = self.model.idle_bytes

    def read_activity(self) -> tuple[int, float]:
        with self._activity_lock:
            busy = self.activity.busy_s
            if self.activity.busy_since is not None:
                busy += time.monotonic() - self.activity.busy_since
            return self.activity.memory_used, busy

    def run(self, prompts: list[list[str]], max_new_tokens: int, steps: list[int]) -> None:
        """Serve one request's prompts in engine calls of at most ``max_batch`` prompts.

        ``max_new_tokens`` sizes the KV cache (allocated up front, as a static engine does);
        ``steps[i]`` is how many tokens prompt i really decodes before it stops: a call ends
        when its longest generation does. Must be called with ``self.lock`` held.
        """
        for start in range(0, len(prompts), self.max_batch):
            end = start + self.max_batch
            self._engine_call(prompts[start:end], max_new_tokens, max(steps[start:end]))

    def _engine_call(self, chunk: list[list[str]], max_new: int, decode_steps: int) -> None:
        self.engine_calls += 1
        self.log.write(f"[BATCHING DEBUG] run_mcore_engine called with {len(chunk)} prompts")
        lengths = [len(p) for p in chunk]
        padded = padded_tokens(lengths, max_new)
        if not self.model.fits(padded):
            # the allocator gets as far as the free memory before it fails
            self._busy(self.model.capacity_bytes - self.model.idle_bytes)
            self._idle()
            raise SimulatedOutOfMemory(oom_message(self.model, padded))
        self._busy(self.model.activation_bytes(padded))
        try:
            prefill = len(chunk) * max(lengths)
            time.sleep(self.model.service_time_s(len(chunk), prefill, decode_steps))
        finally:
            self._idle()


# --------------------------------------------------------------------------- requests


def _as_prompts(raw: Any, vocab: Vocab) -> list[list[str]]:
    """lm-eval sends a string, a list of strings, a list of token ids or a list of those."""
    if isinstance(raw, str):
        return [vocab.split(raw)]
    if not isinstance(raw, list) or not raw:
        raise BadRequest("prompt must be a string, a list of strings or a list of token-id lists")
    if all(isinstance(x, int) and not isinstance(x, bool) for x in raw):
        return [vocab.pieces(raw)]
    out: list[list[str]] = []
    for item in raw:
        if isinstance(item, str):
            out.append(vocab.split(item))
        elif isinstance(item, list) and all(
            isinstance(x, int) and not isinstance(x, bool) for x in item
        ):
            out.append(vocab.pieces(item))
        else:
            raise BadRequest("every prompt must be a string or a list of token ids")
    if any(not p for p in out):
        raise BadRequest("empty prompt")
    return out


def _int_field(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest(f"{name} must be a non-negative integer")
    return value


def _stop_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return value
    raise BadRequest("stop must be a string or a list of strings")


def _generate(text: str, max_tokens: int, stop: list[str], vocab: Vocab) -> tuple[str, str, int]:
    """(text, finish_reason, decode steps) for one prompt: the stop sequence costs a step too."""
    out, stopped = toy_model.apply_stop(toy_model.complete(text), stop)
    pieces = vocab.split(out) if out else []
    if len(pieces) >= max_tokens:
        return "".join(pieces[:max_tokens]), "length", max_tokens
    return out, "stop" if stopped else "length", len(pieces) + (1 if stopped else 0)


@dataclass
class Served:
    status: int
    body: bytes
    content_type: str = "application/json"


def _json(status: int, payload: object) -> Served:
    return Served(status, json.dumps(payload).encode("utf-8"))


def _text(status: int, message: str) -> Served:
    return Served(status, message.encode("utf-8"), "text/plain; charset=utf-8")


class DemoServer:
    """The request logic, independent of the HTTP plumbing."""

    def __init__(self, engine: Engine, vocab: Vocab, log: ServerLog) -> None:
        self.engine = engine
        self.vocab = vocab
        self.log = log

    def completions(self, body: dict[str, Any]) -> Served:
        prompts = _as_prompts(body.get("prompt"), self.vocab)
        max_tokens = _int_field(body, "max_tokens", 16)
        echo = bool(body.get("echo", False))
        logprobs = body.get("logprobs")
        stop = _stop_list(body.get("stop"))
        if logprobs and not echo and max_tokens > 0:
            # Megatron's completions endpoint refuses this combination in the same words
            raise BadRequest("cannot return top-k unless tokens_to_generate=0 at this time")
        texts = ["".join(p) for p in prompts]
        if echo:
            with self.engine.lock:
                self.engine.run(prompts, max(1, max_tokens), [1] * len(prompts))
            choices = []
            for i, pieces in enumerate(prompts):
                scored = toy_model.score(pieces)
                choices.append(
                    {
                        "index": i,
                        "text": texts[i] + scored.tokens[-1],
                        "logprobs": scored.as_json() if logprobs is not None else None,
                        "finish_reason": "length",
                    }
                )
            completion_tokens = len(prompts)
        else:
            generations = [_generate(t, max_tokens, stop, self.vocab) for t in texts]
            with self.engine.lock:
                self.engine.run(prompts, max_tokens, [g[2] for g in generations])
            choices = [
                {"index": i, "text": g[0], "logprobs": None, "finish_reason": g[1]}
                for i, g in enumerate(generations)
            ]
            completion_tokens = sum(g[2] for g in generations)
        prompt_tokens = sum(len(p) for p in prompts)
        return _json(
            200,
            {
                "id": f"cmpl-demo-{self.engine.engine_calls}",
                "object": "text_completion",
                "created": int(time.time()),
                "model": str(body.get("model", "demo")),
                "choices": choices,
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def megatron_api(self, body: dict[str, Any], client: str) -> Served:
        if not body.get("no_log"):
            self.log.write(
                f"request IP: {client}\n{json.dumps(body)}\n"
                f"start time:  {dt.datetime.now().isoformat(' ')}"
            )
        raw = body.get("prompts")
        if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
            raise BadRequest("prompts is not a list of strings")
        if len(raw) > MEGATRON_API_MAX_PROMPTS:
            raise BadRequest(f"Maximum number of prompts is {MEGATRON_API_MAX_PROMPTS}")
        tokens_to_generate = _int_field(body, "tokens_to_generate", 64)
        want_logprobs = bool(body.get("logprobs", False))
        prompts = [self.vocab.split(p) for p in raw]
        generations = [_generate(p, tokens_to_generate, [], self.vocab) for p in raw]
        with self.engine.lock:
            self.engine.run(prompts, max(1, tokens_to_generate), [g[2] for g in generations] or [1])
        texts = [p + g[0] for p, g in zip(raw, generations, strict=True)]
        payload: dict[str, object] = {
            "text": texts,
            "segments": [
                [*p, *self.vocab.split(g[0])] for p, g in zip(prompts, generations, strict=True)
            ],
        }
        if want_logprobs:
            payload["logprobs"] = [
                [lp for lp in toy_model.score(p).token_logprobs[1:-1] if lp is not None]
                for p in prompts
            ]
        return _json(200, payload)


# --------------------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/3.0.3"
    sys_version = "Python/3.10.12"
    app: DemoServer  # set on the subclass made by make_handler

    def log_message(self, format: str, *args: Any) -> None:
        # werkzeug's access line: 127.0.0.1 - - [24/Nov/2026 03:00:01] "POST ..." 200 -
        line = f"{self.client_address[0]} - - [{werkzeug_time(time.time())}] {format % args}"
        self.app.log.write(line.replace("\n", "\\n"))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message('"%s" %s %s', self.requestline, str(getattr(code, "value", code)), "-")

    def _read_json(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as exc:
            raise BadRequest("bad Content-Length") from exc
        if length > _MAX_BODY_BYTES:
            raise BadRequest("request body too large")
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest("request body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise BadRequest("request body must be a JSON object")
        return body

    def _send(self, served: Served) -> None:
        self.send_response(served.status)
        self.send_header("Content-Type", served.content_type)
        self.send_header("Content-Length", str(len(served.body)))
        self.end_headers()
        self.wfile.write(served.body)

    def _dispatch(self, route: str) -> None:
        self.app.log.switch_to_current_attempt()
        try:
            body = self._read_json()
            if route == "completions":
                served = self.app.completions(body)
            else:
                served = self.app.megatron_api(body, self.client_address[0])
        except BadRequest as exc:
            served = _text(400, str(exc))
        except SimulatedOutOfMemory as exc:
            self._log_exception(exc)
            served = _text(500, _INTERNAL_ERROR)
        except Exception as exc:  # a server answers 500, as Flask does
            self._log_exception(exc)
            served = _text(500, _INTERNAL_ERROR)
        with contextlib.suppress(OSError):
            self._send(served)

    def _log_exception(self, exc: BaseException) -> None:
        head = (
            f"[{flask_time(time.time())}] ERROR in app: Exception on {self.path} [{self.command}]"
        )
        if isinstance(exc, SimulatedOutOfMemory):
            text = _oom_traceback(self.path, str(exc))
        else:
            text = "".join(traceback.format_exception(exc)).rstrip("\n")
        self.app.log.write(f"{head}\n{text}")

    def do_POST(self) -> None:
        if self.path.split("?")[0] in ("/v1/completions", "/completions"):
            self._dispatch("completions")
        else:
            self._send(_text(404, _NOT_FOUND))

    def do_PUT(self) -> None:
        if self.path.split("?")[0] == "/api":
            self._dispatch("api")
        else:
            self._send(_text(404, _NOT_FOUND))

    def do_GET(self) -> None:
        self._send(_text(404, _NOT_FOUND))


_INTERNAL_ERROR = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was "
    "unable to complete your request. Either the server is overloaded or there is an error "
    "in the application.</p>\n"
)
_NOT_FOUND = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server.</p>\n"
)


def _oom_traceback(path: str, message: str) -> str:
    """The traceback a CUDA OOM inside Megatron's engine leaves in a Flask server log."""
    endpoint = "api.py" if path.startswith("/api") else "completions.py"
    frames = [
        (
            "/usr/local/lib/python3.10/dist-packages/flask/app.py",
            1511,
            "wsgi_app",
            "response = self.full_dispatch_request()",
        ),
        (
            "/usr/local/lib/python3.10/dist-packages/flask/app.py",
            919,
            "full_dispatch_request",
            "rv = self.handle_user_exception(e)",
        ),
        (
            "/usr/local/lib/python3.10/dist-packages/flask/app.py",
            917,
            "full_dispatch_request",
            "rv = self.dispatch_request()",
        ),
        (
            "/usr/local/lib/python3.10/dist-packages/flask/app.py",
            902,
            "dispatch_request",
            "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
        ),
        (
            "/usr/local/lib/python3.10/dist-packages/flask_restful/__init__.py",
            604,
            "dispatch_request",
            "resp = meth(*args, **kwargs)",
        ),
        (
            f"/workspace/megatron-lm/megatron/inference/endpoints/{endpoint}",
            186,
            "post",
            "result = run_mcore_engine(self.engine, prompts, temperature, top_k, top_p,",
        ),
        (
            "/workspace/megatron-lm/megatron/inference/text_generation/mcore_engine_server.py",
            88,
            "run_mcore_engine",
            "result = engine.generate(inference_requests=requests)",
        ),
        (
            "/workspace/megatron-lm/megatron/core/inference/engines/static_engine.py",
            189,
            "generate",
            "self.run_engine()",
        ),
        (
            "/workspace/megatron-lm/megatron/core/inference/text_generation_controllers/"
            "text_generation_controller.py",
            598,
            "generate_all_output_tokens_static_batch",
            "logits = self.inference_wrapped_model.run_one_forward_step(",
        ),
        (
            "/workspace/megatron-lm/megatron/core/transformer/attention.py",
            642,
            "forward",
            "key, value = self._adjust_key_value_for_inference(",
        ),
        (
            "/workspace/megatron-lm/megatron/core/transformer/attention.py",
            338,
            "_adjust_key_value_for_inference",
            "inference_key_memory = self._allocate_memory(",
        ),
        (
            "/workspace/megatron-lm/megatron/core/transformer/attention.py",
            167,
            "_allocate_memory",
            "return torch.empty(",
        ),
    ]
    lines = ["Traceback (most recent call last):"]
    for file, line, func, code in frames:
        lines.append(f'  File "{file}", line {line}, in {func}')
        lines.append(f"    {code}")
    lines.append(f"torch.OutOfMemoryError: {message}")
    return "\n".join(lines)


def make_handler(app: DemoServer) -> type[_Handler]:
    return type("DemoHandler", (_Handler,), {"app": app})


class _VllmHandler(_Handler):
    """The vLLM flavour's HTTP side: uvicorn access lines, JSON errors, ``GET /metrics``."""

    server_version = "uvicorn"
    sys_version = ""

    def _metrics(self) -> Any:
        return self.app.engine.metrics  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        self.app.log.write((format % args).replace("\n", "\\n"))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(getattr(code, "value", code)) if str(code).isdigit() else 0
        from evalmon_demo.vllm_engine import uvicorn_access

        handler = self.path.split("?")[0]
        if handler != "/metrics":  # the instrumentator vLLM mounts leaves /metrics out
            self._metrics().http_request(handler, self.command, status)
        self.log_message("%s", uvicorn_access(self.client_address[0], self.client_address[1],
                                              self.requestline, status))

    def _send(self, served: Served) -> None:
        if served.status >= 400 and served.content_type.startswith(("text/plain", "text/html")):
            message = served.body.decode("utf-8", "replace")
            if served.content_type.startswith("text/html"):
                message = "Internal Server Error" if served.status >= 500 else "Not Found"
            served = _json(served.status, {"object": "error", "message": message,
                                           "type": "BadRequestError" if served.status == 400
                                           else "InternalServerError", "code": served.status})
        super()._send(served)

    def do_PUT(self) -> None:
        self._send(_json(404, {"detail": "Not Found"}))

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route == "/metrics":
            body, content_type = self._metrics().exposition()
            self._send(Served(200, body, content_type))
        elif route == "/health":
            self._send(Served(200, b"", "application/json"))
        elif route == "/v1/models":
            self._send(_json(200, {"object": "list", "data": [
                {"id": "demo", "object": "model", "owned_by": "vllm", "max_model_len":
                 self.app.engine.max_model_len}]}))  # type: ignore[attr-defined]
        else:
            self._send(_json(404, {"detail": "Not Found"}))


def make_vllm_handler(app: DemoServer) -> type[_Handler]:
    return type("DemoVllmHandler", (_VllmHandler,), {"app": app})


# --------------------------------------------------------------------------- GPU samples


def _to_json_line(sample: GpuSample) -> str:
    try:
        from evalmon.parsers.gpu_jsonl import to_json_line
    except ImportError:  # the gpu_jsonl module has not landed: same fields, plain JSON
        return json.dumps(dataclasses.asdict(sample))
    return to_json_line(sample)


class GpuPublisher(threading.Thread):
    """Writes the engine's modelled memory as simulated GPU samples, like ``evalmon gpu-log``."""

    def __init__(self, engine: Engine, directory: Path, interval_s: float) -> None:
        super().__init__(name="demo-gpu-publisher", daemon=True)
        self.engine = engine
        self.host = socket.gethostname() or "localhost"
        self.path = directory / f"gpu-{self.host}.jsonl"
        self.interval_s = max(0.05, interval_s)
        self._stop_event = threading.Event()

    def sample(self, busy_fraction: float) -> GpuSample:
        memory_used, _ = self.engine.read_activity()
        util = round(100.0 * min(1.0, busy_fraction), 1)
        return GpuSample(
            host=self.host,
            index=0,
            name="Simulated H100 80GB HBM3 (evalmon demo)",
            memory_used=memory_used,
            memory_total=self.engine.model.capacity_bytes,
            utilization_pct=util,
            temperature_c=round(38.0 + 0.35 * util, 1),
            power_w=round(90.0 + 5.5 * util, 1),
            power_limit_w=700.0,
            timestamp=time.time(),
            processes=(GpuProcess(pid=os.getpid(), used_bytes=memory_used, name="python"),),
            simulated=True,
            uuid="GPU-00000000-demo-0000-0000-simulated000",
        )

    def run(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8", buffering=1) as out:
            last_busy = self.engine.read_activity()[1]
            last_t = time.monotonic()
            while True:
                now = time.monotonic()
                busy = self.engine.read_activity()[1]
                fraction = (busy - last_busy) / (now - last_t) if now > last_t else 0.0
                last_busy, last_t = busy, now
                out.write(_to_json_line(self.sample(fraction)).rstrip("\n") + "\n")
                if self._stop_event.wait(self.interval_s):
                    return

    def stop(self) -> None:
        self._stop_event.set()


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m evalmon_demo.server",
        description="A simulated Megatron-LM text generation server (no GPU) for evalmon's demo.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", type=Path, help="write the bound port here (atomically)")
    p.add_argument("--log", help="server log file; '{attempt}' follows evalmon run's attempts")
    p.add_argument("--attempt-dir", type=Path, help="where evalmon run writes attempt-N.out")
    p.add_argument("--gpu-log-dir", type=Path, help="write simulated gpu-<host>.jsonl here")
    p.add_argument("--gpu-interval", type=float, default=0.5, help="seconds between GPU samples")
    p.add_argument("--tokenizer", type=Path, help="dir with tokenizer.json")
    p.add_argument("--inference-max-batch-size", type=int, default=256)
    p.add_argument("--inference-max-requests", type=int, default=None)
    p.add_argument("--memory-gib", type=float, default=GpuModel.capacity_gib)
    p.add_argument("--weights-gib", type=float, default=GpuModel.weights_gib)
    p.add_argument("--kv-mib-per-token", type=float, default=GpuModel.kv_mib_per_token)
    p.add_argument("--call-overhead-s", type=float, default=GpuModel.call_overhead_s)
    p.add_argument("--per-prompt-s", type=float, default=GpuModel.per_prompt_s)
    p.add_argument("--per-token-s", type=float, default=GpuModel.per_token_s)
    p.add_argument("--decode-step-s", type=float, default=GpuModel.decode_step_s)
    p.add_argument("--time-scale", type=float, default=1.0, help="0 makes engine calls instant")
    p.add_argument("--parent-pid", type=int, help="exit when this process (the demo) is gone")
    p.add_argument("--flavor", choices=("megatron", "vllm"), default="megatron",
                   help="the server imitated (default megatron)")
    p.add_argument("--max-num-seqs", type=int, default=128, help="vllm: sequences in flight")
    p.add_argument("--num-gpu-blocks", type=int, default=1024,
                   help="vllm: KV cache blocks of 16 tokens")
    p.add_argument("--max-model-len", type=int, default=4096, help="vllm: longest sequence")
    p.add_argument("--log-stats-interval", type=float, default=2.0,
                   help="vllm: seconds between statistics lines (vLLM's VLLM_LOG_STATS_INTERVAL)")
    return p


def gpu_model_from_args(args: argparse.Namespace) -> GpuModel:
    return GpuModel(
        call_overhead_s=args.call_overhead_s,
        per_prompt_s=args.per_prompt_s,
        per_token_s=args.per_token_s,
        decode_step_s=args.decode_step_s,
        capacity_gib=args.memory_gib,
        weights_gib=args.weights_gib,
        kv_mib_per_token=args.kv_mib_per_token,
        time_scale=args.time_scale,
    )


def _banner(args: argparse.Namespace, model: GpuModel) -> list[str]:
    dump = megatron_args_dump(
        {
            "inference_max_batch_size": args.inference_max_batch_size,
            "inference_max_requests": args.inference_max_requests or args.inference_max_batch_size,
            "tensor_model_parallel_size": 1,
            "pipeline_model_parallel_size": 1,
            "micro_batch_size": 1,
            "seq_length": 2048,
            "max_position_embeddings": 2048,
            "bf16": True,
            "load": "/checkpoints/simulated-30b (evalmon demo: no weights are loaded)",
            "port": "(see below)",
        }
    )
    return [
        "evalmon demo: a SIMULATED Megatron-LM text generation server (no GPU, no model)",
        f"evalmon demo: modelled GPU memory {model.capacity_gib:.2f} GiB, weights "
        f"{model.weights_gib:.2f} GiB, KV {model.kv_mib_per_token} MiB/token",
        *dump,
    ]


class RunningServer:
    """A started server: ``port``, ``stop()``. Usable in-process (tests) or from ``main``."""

    def __init__(self, args: argparse.Namespace) -> None:
        if args.inference_max_batch_size < 1:
            raise ValueError("--inference-max-batch-size must be at least 1")
        self.model = gpu_model_from_args(args)
        if self.model.idle_bytes >= self.model.capacity_bytes:
            raise ValueError("--weights-gib leaves no memory on the simulated GPU")
        self.flavor = getattr(args, "flavor", "megatron")
        vocab: Vocab = TokenizerVocab(args.tokenizer) if args.tokenizer else SimpleVocab()
        self.host = args.host
        self.gpu: GpuPublisher | None = None
        if self.flavor == "vllm":
            self._init_vllm(args, vocab)
            return
        banner = _banner(args, self.model)
        self.log = ServerLog(args.log, args.attempt_dir, banner)
        self.engine = Engine(self.model, args.inference_max_batch_size, self.log)
        self.app = DemoServer(self.engine, vocab, self.log)
        self.httpd = ThreadingHTTPServer((args.host, args.port), make_handler(self.app))
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.log.write(
            " * Serving Flask app 'megatron.inference.text_generation_server'\n"
            " * Debug mode: off\n"
            "WARNING: This is a development server. Do not use it in a production deployment. "
            "Use a production WSGI server instead.\n"
            f" * Running on http://{args.host}:{self.port}\n"
            "Press CTRL+C to quit"
        )
        # later attempts' logs repeat where the server listens
        banner.append(f" * Running on http://{args.host}:{self.port}")
        self._finish_init(args)

    def _init_vllm(self, args: argparse.Namespace, vocab: Vocab) -> None:
        from evalmon_demo.vllm_engine import VllmEngine, vllm_banner

        for name in ("max_num_seqs", "num_gpu_blocks", "max_model_len"):
            if getattr(args, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        banner: list[str] = []  # filled once the port is known; later attempts repeat it
        self.log = ServerLog(args.log, args.attempt_dir, banner)
        self.engine = VllmEngine(  # type: ignore[assignment]
            self.model, self.log, max_num_seqs=args.max_num_seqs,
            num_gpu_blocks=args.num_gpu_blocks, max_model_len=args.max_model_len,
            log_interval_s=args.log_stats_interval,
        )
        self.app = DemoServer(self.engine, vocab, self.log)  # type: ignore[arg-type]
        self.httpd = ThreadingHTTPServer((args.host, args.port), make_vllm_handler(self.app))
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        banner += vllm_banner(args.host, self.port, self.engine, self.model)  # type: ignore[arg-type]
        self.log.write("\n".join(banner))
        self._finish_init(args)

    def _finish_init(self, args: argparse.Namespace) -> None:
        if args.gpu_log_dir is not None:
            self.gpu = GpuPublisher(self.engine, args.gpu_log_dir, args.gpu_interval)  # type: ignore[arg-type]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> RunningServer:
        if self.gpu is not None:
            self.gpu.start()
        if self.flavor == "vllm":
            self.engine.start()  # type: ignore[attr-defined]
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.flavor == "vllm":
            self.engine.stop()  # type: ignore[attr-defined]
        if self.gpu is not None:
            self.gpu.stop()
            self.gpu.join(timeout=2)
        self.log.close()


def _write_port_file(path: Path, port: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{port}\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        server = RunningServer(args)
    except (OSError, ValueError) as exc:
        print(f"evalmon demo server: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    server.start()
    if args.port_file is not None:
        _write_port_file(args.port_file, server.port)
    print(f"evalmon demo server listening on {server.base_url}", flush=True)
    while not stopping.wait(0.2):
        if args.parent_pid is not None and os.getppid() != args.parent_pid:
            break  # the demo that started us died without stopping us: do not linger
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
