"""SGLang scheduler batch lines -> :class:`SglangBatch`.

Real variants (``sglang/srt/managers/scheduler*.py``, later ``scheduler_metrics_mixin.py``,
over releases), usually behind a ``[2025-02-27 04:46:39 TP0] `` prefix (``DP3 TP3`` with
data-parallel attention, none without tensor parallelism):

* ``Prefill batch. #new-seq: 1, #new-token: 8, #cached-token: 0, cache hit rate: 0.00%,
  token usage: 0.00, #running-req: 0, #queue-req: 0`` (2024; ``Prefill batch(mixed
  #running-req: 3). ...`` when decode requests ride along); later without ``cache hit
  rate`` and with a trailing ``, ``; newer ``Prefill batch, ...`` / ``Prefill batch [12],
  ...`` adding ``#pending-token``, ``cuda graph: True`` (``npu graph``, ``cpu graph``),
  ``input throughput (token/s): 559.53``, hybrid models' ``full token usage: 0.28, swa
  token usage: ...`` / ``mamba usage: ...``, and the disaggregated queues
  ``#prealloc-req``, ``#inflight-req``.
* ``Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, gen throughput
  (token/s): 186.64, #queue-req: 0`` and the same ``, `` / `` [N], `` openings, adding
  ``accept len: 2.90, accept rate: 0.71`` (speculative decoding), ``cuda graph: True``,
  ``#full token: N`` (hybrid models), ``#prealloc-req``, ``#transfer-req``,
  ``#retracted-req``.

Fields are read by name. ``token usage`` is a fraction (0..1) as SGLang prints it.

A process's death -> ``ServerShutdown(server="sglang", crashed=True)``: ``Scheduler hit an
exception: Traceback ...`` (also ``DataParallelController``, ``DetokenizerManager``,
``TpModelWorkerClient``), after which the child signals its parent, which logs ``Received
sigquit from a child process. It usually means the child failed.`` (older releases misspelt
``proces.``; newer ones log ``SIGQUIT received. signum=None, frame=None. It usually means one
child failed.``)

The scheduler's cap ``max_running_requests`` -> ``EngineConfig(max_requests=N)``, from
``server_args=ServerArgs(..., max_running_requests=128, ...)`` or ``--max-running-requests 128``.
"""

from __future__ import annotations

import re

from evalmon.events import EngineConfig, Event, ServerShutdown, SglangBatch
from evalmon.parsers.lines import ascii_re, strip_ansi, to_float, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"(?:Prefill|Decode) batch|max[_-]running[_-]requests(?:=| +)\d"
    rb"|(?:Scheduler|DataParallelController|DetokenizerManager|TpModelWorkerClient)"
    rb" hit an exception"
    rb"|Received sigquit from a child proces|SIGQUIT received\. signum="
)
_CANDIDATE_STR = ascii_re(CANDIDATE.pattern.decode())

_OPENING = ascii_re(
    r"(?P<phase>Prefill|Decode) batch"
    r"(?:\(mixed #running-req: (?P<mixed>\d{1,9})\))?"
    r"(?: \[\d{1,12}\])?[.,] #"
)
_INT_FIELD = ascii_re(
    r"#(?P<key>new-seq|new-token|cached-token|running-req|queue-req|token|full token"
    r"|pending-token|prealloc-req|inflight-req|transfer-req|retracted-req): "
    r"(?P<value>\d{1,15})\b"
)
_TOKEN_USAGE = ascii_re(r"(?:(?<=[,.] )|(?<=\]))(?:full )?token usage: (?P<value>\d{1,6}\.\d{1,6})")
_GEN_THROUGHPUT = ascii_re(r"gen throughput \(token/s\): (?P<value>\d{1,12}(?:\.\d{1,9})?)")
_INPUT_THROUGHPUT = ascii_re(r"input throughput \(token/s\): (?P<value>\d{1,12}(?:\.\d{1,9})?)")
_CACHE_HIT = ascii_re(r"cache hit rate: (?P<value>\d{1,3}(?:\.\d{1,6})?)%")
_GRAPH = ascii_re(r"\b(?:cuda|npu|cpu) graph: (?P<value>True|False)\b")
_ACCEPT_LEN = ascii_re(r"\baccept len: (?P<value>\d{1,6}(?:\.\d{1,6})?)")
_ACCEPT_RATE = ascii_re(r"\baccept rate: (?P<value>\d{1,6}(?:\.\d{1,6})?)")
# ``[2025-05-31 18:31:21 DP0 TP0] `` right before the opening
_RANKS = ascii_re(r"\[[^\[\]]{0,120}\] *$")
_DP = ascii_re(r"\bDP(?P<n>\d{1,6})\b")
_TP = ascii_re(r"\bTP(?P<n>\d{1,6})\b")
_DIED = ascii_re(
    r"\b(?:(?:Scheduler|DataParallelController|DetokenizerManager|TpModelWorkerClient) hit an "
    r"exception|Received sigquit from a child process?\b|SIGQUIT received(?=\. signum=))"
)
_MAX_RUNNING = ascii_re(
    r"(?:(?<![\w-])max_running_requests=|(?<![\w-])--max[-_]running[-_]requests(?:=| +))"
    r"(?P<value>\d{1,9})\b"
)


def parse(segment: str) -> list[Event]:
    """The batch of one SGLang Prefill/Decode line, or its request cap; never raises."""
    try:
        if _CANDIDATE_STR.search(segment) is None:
            return []
        text = strip_ansi(segment)
        if "running" in text and "requests" in text:
            cap = _MAX_RUNNING.search(text)
            if cap:
                return [EngineConfig(max_requests=int(cap["value"]))]
        if "hit an exception" in text or "sigquit" in text or "SIGQUIT" in text:
            died = _DIED.search(text)
            if died:
                return [ServerShutdown(server="sglang", crashed=True, message=died[0])]
        if " batch" not in text:
            return []
        opening = _OPENING.search(text)
        if opening is None:
            return []
        rest = text[opening.end() - 1 :]
        ints: dict[str, str] = {}
        for match in _INT_FIELD.finditer(rest):
            ints.setdefault(match["key"], match["value"])
        usage = _TOKEN_USAGE.search(rest)
        throughput = _GEN_THROUGHPUT.search(rest)
        running = ints.get("running-req", opening["mixed"])
        if not ints and usage is None and throughput is None and running is None:
            return []  # e.g. source code quoting the format string
        ranks = _RANKS.search(text, 0, opening.start())
        dp = _DP.search(ranks[0]) if ranks else None
        tp = _TP.search(ranks[0]) if ranks else None
        phase = "prefill" if opening["phase"] == "Prefill" else "decode"
        return [
            SglangBatch(
                phase=phase,
                running_reqs=to_int(running),
                queue_reqs=to_int(ints.get("queue-req")),
                new_seqs=to_int(ints.get("new-seq")),
                new_tokens=to_int(ints.get("new-token")),
                token_usage=_number(usage),
                generation_tokens_per_s=_number(throughput),
                tokens=to_int(ints.get("token", ints.get("full token"))),
                cached_tokens=to_int(ints.get("cached-token")),
                cache_hit_pct=_number(_CACHE_HIT.search(rest)),
                input_tokens_per_s=_number(_INPUT_THROUGHPUT.search(rest)),
                pending_tokens=to_int(ints.get("pending-token")),
                graph=_graph(rest),
                spec_accept_length=_number(_ACCEPT_LEN.search(rest)),
                spec_accept_rate=_number(_ACCEPT_RATE.search(rest)),
                prealloc_reqs=to_int(ints.get("prealloc-req")),
                inflight_reqs=to_int(ints.get("inflight-req")),
                transfer_reqs=to_int(ints.get("transfer-req")),
                retracted_reqs=to_int(ints.get("retracted-req")),
                dp_rank=to_int(dp["n"]) if dp else None,
                tp_rank=to_int(tp["n"]) if tp else None,
            )
        ]
    except Exception:
        return []


def _number(match: re.Match[str] | None) -> float | None:
    return to_float(match["value"]) if match else None


def _graph(rest: str) -> bool | None:
    match = _GRAPH.search(rest)
    return None if match is None else match["value"] == "True"
