"""vLLM's server log -> :class:`EngineStats` and friends.

Lines read (format strings in ``vllm/engine/metrics.py`` for V0, ``vllm/v1/metrics/
loggers.py`` and ``vllm/v1/spec_decode/metrics.py`` for V1, over releases):

* the statistics line, every few seconds while busy -> :class:`EngineStats`:

  - V0: ``Avg prompt throughput: 123.4 tokens/s, Avg generation throughput: 56.7 tokens/s,
    Running: 8 reqs, Swapped: 0 reqs, Pending: 2 reqs, GPU KV cache usage: 45.6%,
    CPU KV cache usage: 0.0%.``
  - V1: ``Engine 000: Avg prompt throughput: ..., Running: 1 reqs, Waiting: 0 reqs,
    GPU KV cache usage: 0.2%, Prefix cache hit rate: 0.0%`` (early V1: no ``Engine 000:``
    and sometimes no KV fields; newer ones add ``Deferred: N reqs``, ``Preemptions: N``,
    ``Corrupted: N reqs``, ``External prefix cache hit rate``, ``MM cache hit rate``;
    data-parallel engines print ``Engine 001:``...; the CPU backend prints
    ``CPU KV cache usage`` instead of ``GPU ...``). The line is not printed when
    ``--api-server-count > 1`` or ``--disable-log-stats``.

* V0's ``Prefix cache hit rate: GPU: x%, CPU: y%`` on its own line ->
  :class:`EnginePrefixCache`;
* the speculative-decoding line (``Speculative metrics: ...`` in V0 and early V1,
  ``SpecDecoding metrics: ...`` later) -> :class:`SpecDecodeStats`;
* V0's ``Sequence group X is preempted by PreemptionMode.RECOMPUTE mode because there is
  not enough KV cache space ... total_num_cumulative_preemption=N`` ->
  :class:`EnginePreemption`;
* ``Starting vLLM [API ]server on URL`` -> :class:`ServerStarted`; ``Shutting down FastAPI
  HTTP server.`` / ``[shutdown] API server: shutdown triggered`` -> :class:`ServerShutdown`;
* the engine's death -> ``ServerShutdown(crashed=True)``: V1's ``EngineDeadError: EngineCore
  encountered an issue. ...`` (``v1/engine/exceptions.py``, logged by the API server for each
  request it fails afterwards) and ``EngineCore encountered a fatal error.``
  (``v1/engine/core.py``); V0's ``Engine background task failed`` (``async_llm_engine.py``)
  and ``AsyncEngineDeadError: Background loop has errored already.``; a worker's death,
  ``Worker proc VllmWorker-3 died unexpectedly, shutting down executor.`` (Ray's executor:
  ``RayWorkerProc rank=[3] died ...``) and the executor's ``MulitprocExecutor got fatal signal
  from worker processes, shutting down.`` (so spelt, ``multiproc_executor.py``);
* the engine's batch cap ``max_num_seqs`` -> ``EngineConfig(max_batch_size=N)``, from the
  start-up dump (``non-default args: {..., 'max_num_seqs': 256}``, older
  ``args: Namespace(..., max_num_seqs=256, ...)``), the default it picks when none is given
  (``Setting max_num_seqs to 1024 for OPENAI_API_SERVER usage context.``, DEBUG level) or a
  command line with ``--max-num-seqs 256``.

Fields are read by name wherever they sit, so added, dropped or reordered fields do not
break the parse, and whatever prefix a deployment adds (docker/k8s timestamps,
``(APIServer pid=1)``, ``(EngineCore_DP0 pid=7)``, Ray actor tags, ``[rank0]:``, colours)
is skipped.
"""

from __future__ import annotations

import re

from evalmon.events import (
    EngineConfig,
    EnginePreemption,
    EnginePrefixCache,
    EngineStats,
    Event,
    ServerShutdown,
    ServerStarted,
    SpecDecodeStats,
)
from evalmon.parsers.lines import ascii_re, strip_ansi, to_float, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"Avg (?:prompt|generation) throughput: "
    rb"|Prefix cache hit rate: GPU: "
    rb"|Spec(?:Decoding|ulative) metrics: "
    rb"|is preempted by PreemptionMode\."
    rb"|Starting vLLM (?:API )?server |Shutting down FastAPI HTTP server"
    rb"|\[shutdown\] API server: shutdown triggered"
    rb"|EngineCore encountered (?:an issue|a fatal error)|Engine background task failed"
    rb"|EngineDeadError: Background loop has errored"
    rb"|died unexpectedly, shutting down executor|procExecutor got fatal signal from worker"
    rb"|max[_-]num[_-]seqs(?:['\"]?(?:=|:? +)| to )\d"
)
_CANDIDATE_STR = ascii_re(CANDIDATE.pattern.decode())

_NUMBER = r"\d{1,15}(?:\.\d{1,9})?"
_FIELD = ascii_re(
    r"(?P<key>Avg prompt throughput|Avg generation throughput|Running|Waiting|Pending|Swapped"
    r"|Deferred|Preemptions|Corrupted|GPU KV cache usage|CPU KV cache usage|KV cache usage"
    r"|External prefix cache hit rate|MM cache hit rate|Prefix cache hit rate): "
    rf"(?P<value>{_NUMBER})(?!\d|\.\d)(?P<suffix> tokens/s| reqs|%)?"
)
_ENGINE = ascii_re(
    r"(?:\bEngine (?P<engine>\d{1,6})|\b(?P<aggregated>\d{1,6}) Engines Aggregated): [A-Z]"
)
_V0_PREFIX_CACHE = ascii_re(
    rf"Prefix cache hit rate: GPU: (?P<gpu>{_NUMBER})%, CPU: (?P<cpu>{_NUMBER})%"
)
_SPEC_HEAD = ascii_re(r"(?P<head>SpecDecoding|Speculative) metrics: ")
_SPEC_FIELD = ascii_re(
    r"(?P<key>(?:Avg )?Draft acceptance rate|Mean acceptance length|Accepted throughput"
    r"|Drafted throughput|Accepted|Drafted|System efficiency|Number of speculative tokens"
    r"|Number of accepted tokens|Number of draft tokens(?: tokens)?"
    r"|Number of emitted tokens(?: tokens)?): "
    rf"(?P<value>{_NUMBER}|nan)(?!\d|\.\d)(?P<pct>%)?"
)
_PER_POSITION = ascii_re(r"Per-position acceptance rate: (?P<values>\d\.\d{1,9}(?:, \d\.\d{1,9})*)")
_PREEMPTED = ascii_re(
    r"Sequence group (?P<id>\S{1,200}) is preempted by PreemptionMode\.(?P<mode>[A-Z]{1,20}) "
    r"mode\b"
)
_CUMULATIVE = ascii_re(r"\btotal_(?:num_)?cumulative_preemption(?:_cnt)?=(?P<n>\d{1,15})\b")
_STARTED = ascii_re(r"Starting vLLM (?:API )?server (?:\d{1,4} )?on (?P<address>\S{1,300})")
_SHUTDOWN = ascii_re(
    r"Shutting down FastAPI HTTP server\.?|\[shutdown\] API server: shutdown triggered"
)
_ENGINE_DEAD = ascii_re(
    r"(?:\bEngineDeadError: )?EngineCore encountered (?:an issue|a fatal error)"
    r"|\bEngine background task failed\b|\bAsyncEngineDeadError: Background loop has errored"
    r"|\b(?:Worker proc \S{1,100}|RayWorkerProc rank=\S{1,100}) died unexpectedly, shutting down "
    r"executor\b|\bM(?:ulit|ulti)procExecutor got fatal signal from worker processes\b"
)
_MAX_NUM_SEQS = ascii_re(
    r"(?:'max_num_seqs': |(?<![\w-])max_num_seqs=|(?<![\w-])--max[-_]num[-_]seqs(?:=| +)"
    r"|\bSetting max_num_seqs to )"
    r"(?P<value>\d{1,9})\b"
)


def parse(segment: str) -> list[Event]:
    """The events of one vLLM log line; never raises."""
    try:
        if _CANDIDATE_STR.search(segment) is None:
            return []
        text = strip_ansi(segment)
        if "throughput: " in text:
            events = _stats(text)
            if events:
                return events
        if "metrics: " in text:
            events = _spec_decode(text)
            if events:
                return events
        if "GPU: " in text:
            match = _V0_PREFIX_CACHE.search(text)
            if match:
                gpu, cpu = to_float(match["gpu"]), to_float(match["cpu"])
                return [EnginePrefixCache(gpu_hit_pct=gpu, cpu_hit_pct=cpu)]
        if "PreemptionMode." in text:
            events = _preemption(text)
            if events:
                return events
        if "Starting vLLM" in text:
            match = _STARTED.search(text)
            if match:
                return [ServerStarted(server="vllm", address=match["address"])]
        if "Engine" in text or "died unexpectedly" in text or "Executor got fatal" in text:
            dead = _ENGINE_DEAD.search(text)
            if dead:
                return [ServerShutdown(server="vllm", crashed=True, message=dead[0])]
        if "shutdown" in text or "Shutting down" in text:
            match = _SHUTDOWN.search(text)
            if match:
                return [ServerShutdown(server="vllm", message=match[0])]
        cap = _MAX_NUM_SEQS.search(text)
        if cap:
            return [EngineConfig(max_batch_size=int(cap["value"]))]
        return []
    except Exception:
        return []


def _stats(text: str) -> list[Event]:
    found: dict[str, str] = {}
    for match in _FIELD.finditer(text):
        found.setdefault(match["key"], match["value"])
    if "Avg prompt throughput" not in found and "Avg generation throughput" not in found:
        return []
    kv = found.get("GPU KV cache usage", found.get("KV cache usage"))
    cpu_kv = found.get("CPU KV cache usage")
    if kv is None and "Swapped" not in found:
        # a V1 line with only "CPU KV cache usage": the CPU backend's one KV cache
        kv, cpu_kv = cpu_kv, None
    engine = _ENGINE.search(text)
    return [
        EngineStats(
            prompt_tokens_per_s=to_float(found.get("Avg prompt throughput")),
            generation_tokens_per_s=to_float(found.get("Avg generation throughput")),
            running=to_int(found.get("Running")),
            waiting=to_int(found.get("Waiting", found.get("Pending"))),
            swapped=to_int(found.get("Swapped")),
            kv_cache_usage_pct=to_float(kv),
            prefix_cache_hit_pct=to_float(found.get("Prefix cache hit rate")),
            cpu_kv_cache_usage_pct=to_float(cpu_kv),
            external_prefix_cache_hit_pct=to_float(found.get("External prefix cache hit rate")),
            mm_cache_hit_pct=to_float(found.get("MM cache hit rate")),
            preemptions=to_int(found.get("Preemptions")),
            deferred=to_int(found.get("Deferred")),
            corrupted=to_int(found.get("Corrupted")),
            engine=to_int(engine["engine"]) if engine else None,
            aggregated_engines=to_int(engine["aggregated"]) if engine else None,
        )
    ]


def _spec_decode(text: str) -> list[Event]:
    head = _SPEC_HEAD.search(text)
    if head is None:
        return []
    body = text[head.end() :]
    found: dict[str, tuple[str, bool]] = {}
    for match in _SPEC_FIELD.finditer(body):
        key = match["key"].removeprefix("Avg ").replace(" tokens tokens", " tokens")
        found.setdefault(key, (match["value"], match["pct"] is not None))
    if not found:
        return []
    rate = found.get("Draft acceptance rate")
    rate_pct = to_float(rate[0]) if rate else None
    if rate_pct is not None and not rate[1]:  # a fraction (V0 and early V1)
        rate_pct = rate_pct * 100
    per_position = _PER_POSITION.search(body)
    positions = tuple(float(v) for v in per_position["values"].split(", ")) if per_position else ()

    def value(*keys: str) -> str | None:
        for key in keys:
            if key in found:
                return found[key][0]
        return None

    return [
        SpecDecodeStats(
            acceptance_rate_pct=rate_pct,
            mean_acceptance_length=to_float(value("Mean acceptance length")),
            accepted_tokens=to_int(value("Accepted", "Number of accepted tokens")),
            drafted_tokens=to_int(value("Drafted", "Number of draft tokens")),
            accepted_tokens_per_s=to_float(value("Accepted throughput")),
            drafted_tokens_per_s=to_float(value("Drafted throughput")),
            per_position_acceptance=positions,
            system_efficiency=to_float(value("System efficiency")),
            emitted_tokens=to_int(value("Number of emitted tokens")),
            num_speculative_tokens=to_int(value("Number of speculative tokens")),
        )
    ]


def _preemption(text: str) -> list[Event]:
    match = _PREEMPTED.search(text)
    if match is None:
        return []
    cumulative = _CUMULATIVE.search(text, match.end())
    return [
        EnginePreemption(
            mode=match["mode"],
            request_id=match["id"],
            cumulative=to_int(cumulative["n"]) if cumulative else None,
        )
    ]
