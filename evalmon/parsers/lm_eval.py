"""lm-evaluation-harness client output -> RunConfig, ResultRow, ResultsTableStart, LmEvalTask,
ApiFailure, ApiRetrying, RetryAttempt, CacheStatus, AutoBatchSize, LmEvalStage.

Texts are those of lm-eval 0.4.x (``evaluator.py``, ``models/api_models.py``,
``models/huggingface.py``, ``api/model.py``, ``_cli/run.py`` and ``utils.make_table``).
Log lines look like ``2026-11-24:03:08:06 INFO     [evaluator:589] ...``; the prefix is
optional everywhere because the same texts also reach logs through ``print``.

Results table rows: a continuation row (another metric or filter of the task above) has a
blank task cell. ``parse`` sees one segment and is pure, so it emits ``ResultRow(task="")``
for such a row; whoever sees the rows in order (the state reducer, or a caller holding a
whole table) fills the task from the previous row with :func:`fill_result_tasks`. A header row
is a :class:`ResultsTableStart`: lm-eval prints its groups again in a ``|Groups|`` table.

What a run's rates are made of: ``Building contexts for T on rank 0...`` then an unlabelled bar
counting T's documents (:class:`LmEvalTask` ``contexts``), ``T: Using gen_kwargs: ...`` for a
generation task, ``Running <type> requests``, ``Cached requests: X, Requests remaining: Y``.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterable

from evalmon.events import (
    ApiFailure,
    ApiRetrying,
    AutoBatchSize,
    CacheStatus,
    Event,
    LmEvalStage,
    LmEvalTask,
    ResultRow,
    ResultsTableStart,
    RetryAttempt,
    RunConfig,
)
from evalmon.parsers.lines import ascii_re, lm_eval_message, strip_ansi, to_float, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"model, with arguments: "
    rb"|, num_fewshot: "
    rb"|\|(?:   |\xc2\xb1  |\xe2\x86\x91  |\xe2\x86\x93  )\|"  # |   | |±  | |↑  | |↓  |
    rb"|API request failed"
    rb"|\. ?Retrying\.\.\."  # lm-eval's failure warnings end so; a response text may wrap
    rb"|Building contexts for "
    rb"|: Using gen_kwargs: "
    rb"|Retry attempt \d"
    rb"|Cached requests: "
    rb"|batch_size = auto"
    rb"|argest batch size: "
    rb"|Running \w+ requests"
    rb"| {8}'"  # a continuation line of a wrapped init message
    rb"|--batch[_-]size"  # the lm_eval command line, echoed by `set -x` or a launcher
)

_INIT = ascii_re(r"Initializing (?P<model_type>[\w.\-]+) model, with arguments: (?P<args>.*)")
# ``local-completions ({...}), gen_kwargs: ({}), limit: None, num_fewshot: None, batch_size: 16``
# and the older ``hf (pretrained=x,dtype=y), gen_kwargs: (None), ...`` (0.3: no gen_kwargs).
_SUMMARY = ascii_re(
    r"(?<![\w.\-])(?P<model_type>[\w.\-]+) \((?P<args>.*?)\), "
    r"(?:gen_kwargs: \((?P<gen>.*?)\), )?"
    r"limit: (?P<limit>[^,]*), "
    r"(?:provide_description: [^,]*, )?"
    r"num_fewshot: (?P<fewshot>[^,]*), "
    r"batch_size: (?P<batch_size>[^\s(,]+)"
    r"(?: \((?P<sizes>\d{1,9}(?:, ?\d{1,9}){0,63})\))?"  # ``auto (16)``: what auto detected
)
# One ``'key': value`` of a printed dict; the value is a quoted string or a bare literal.
_DICT_ITEM = ascii_re(
    r"""['"](?P<key>\w+)['"]\s*:\s*(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<bare>[^,{}'"\s]+))"""
)
_CONFIG_KEYS = (
    "model",
    "pretrained",
    "batch_size",
    "num_concurrent",
    "tokenized_requests",
    "base_url",
    "max_retries",
)
_STATUS_FAILURE = ascii_re(
    r"API request failed! Status code: (?P<status>\d{3}), Response text: (?P<text>.*)"
)
_MESSAGE_FAILURE = ascii_re(r"API request failed with error message: (?P<text>.*)")
_RETRY = ascii_re(r"(?:^|\] )Retry attempt (?P<n>\d{1,6})\s*$")
# ``{text}. Retrying...``: the end of lm-eval's failure warnings (the text may span lines)
_RETRYING = ascii_re(r"\. ?Retrying\.\.\.\s*$")
_CONTEXTS = ascii_re(r"Building contexts for (?P<task>\S{1,500}) on rank (?P<rank>\d{1,6})\.\.\.")
_GEN_KWARGS = ascii_re(r"^(?P<task>\S{1,500}?): Using gen_kwargs: ")
_CACHE = ascii_re(r"Cached requests: (?P<cached>\d{1,15}), Requests remaining: (?P<rem>\d{1,15})")
_AUTO_START = ascii_re(
    r"Passed argument batch_size = auto(?::(?P<schedule>\d+))?\. Detecting largest batch size"
)
_AUTO_DONE = ascii_re(r"Determined [Ll]argest batch size: (?P<size>\d{1,9})")
_STAGE = ascii_re(
    r"(?:^|\] )Running (?P<kind>loglikelihood_rolling|loglikelihood|generate_until"
    r"|multiple_choice) requests\s*$"
)
_COMMAND = ascii_re(r"(?:^|[\s/+])(?:lm_eval|lm-eval)(?:\s|$)")
_BATCH_VALUE = ascii_re(r"^(?:\d{1,9}|auto(?::\d{1,9})?)$")
_ORPHAN_URL = ascii_re(r" {8}'(?P<url>https?://[^'\s]{1,2000})'\s*[,}]")
_DASHES = ascii_re(r":?-+:?")
_TREE_MARK = ascii_re(r"^(?:-\s+)+")
_HEADER_FIRST_CELLS = {"Tasks", "Groups", "Task", "Group"}


def parse(segment: str) -> list[Event]:
    """Events from one segment of lm-eval output; never raises."""
    try:
        return _parse(strip_ansi(segment))
    except Exception:  # never let an odd line escape as a traceback
        return []


def _parse(text: str) -> list[Event]:
    if text.startswith("|"):
        row = _result_row(text)
        return [row] if row is not None else []
    if "with arguments: " in text:
        return _init_config(text)
    if text.startswith("        '"):
        return _init_continuation(text)
    if ", num_fewshot: " in text:
        return _summary_config(text)
    if "--batch" in text and _COMMAND.search(text):
        return _command_config(text)
    if "API request failed" in text:
        failure = _api_failure(text)
        return [*failure, ApiRetrying()] if _RETRYING.search(text) else failure
    if "Retrying..." in text:
        return [ApiRetrying()] if _RETRYING.search(text) else []
    if "Building contexts for " in text:
        match = _CONTEXTS.search(text)
        if match is None:
            return []
        return [LmEvalTask(task=match["task"], what="contexts", rank=to_int(match["rank"]))]
    if ": Using gen_kwargs: " in text:
        match = _GEN_KWARGS.search(lm_eval_message(text))
        return [LmEvalTask(task=match["task"], what="generate_until")] if match else []
    if "Retry attempt " in text:
        match = _RETRY.search(text)
        n = to_int(match["n"]) if match else None
        return [RetryAttempt(attempt=n)] if n is not None else []
    if "Cached requests: " in text:
        match = _CACHE.search(text)
        if match:
            return [CacheStatus(cached=int(match["cached"]), remaining=int(match["rem"]))]
        return []
    if "batch size" in text:
        return _auto_batch(text)
    if "Running " in text:
        match = _STAGE.search(text)
        return [LmEvalStage(request_type=match["kind"])] if match else []
    return []


# --------------------------------------------------------------------------- configuration


def _init_config(text: str) -> list[Event]:
    match = _INIT.search(text)
    if match is None:
        return []
    return [_config(match["model_type"], match["args"], source="init")]


def _init_continuation(text: str) -> list[Event]:
    """A continuation of an init line that lm-eval's ``wrap_text`` broke at 140 columns
    (8-space indent): ``        'num_concurrent': 4, 'max_retries': 3}``."""
    values = _dict_args(text)
    orphan = _ORPHAN_URL.match(text)
    if orphan and "base_url" not in values:
        # ``'base_url':`` ended the line above; its value opens this one.
        values["base_url"] = orphan["url"]
    if not values:
        return []
    return [_config_from_values(None, values, source="init")]


def _command_config(text: str) -> list[Event]:
    """An echoed ``lm_eval ... --model_args k=v,... --batch_size N`` command line.

    lm-eval logs its client batch size only in the closing summary, so for a run that
    crashed the command line (a ``set -x`` echo, a launcher's log) is the only witness.
    """
    try:
        words = shlex.split(text)
    except ValueError:  # an unbalanced quote in a cut-off line
        words = text.split()
    options: dict[str, str] = {}
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in ("--model", "--model_args", "--model-args", "--batch_size", "--batch-size"):
            if not eq:
                value = words[i + 1] if i + 1 < len(words) else ""
            options.setdefault(name.replace("-", "_").lstrip("_"), value)
    batch = options.get("batch_size", "")
    if not _BATCH_VALUE.match(batch):
        return []  # usage text (``--batch_size BATCH_SIZE``) or a cut-off line
    args = options.get("model_args", "")
    values = _dict_args(args) if args.lstrip().startswith("{") else _kv_args(args)
    config = _config_from_values(options.get("model") or None, values, source="command")
    return [dataclasses.replace(config, batch_size=batch)]


def _summary_config(text: str) -> list[Event]:
    match = _SUMMARY.search(text)
    if match is None:
        return []
    limit = match["limit"].strip()
    config = _config(match["model_type"], match["args"], source="summary")
    sizes = match["sizes"]
    return [
        dataclasses.replace(
            config,
            batch_size=match["batch_size"].strip() or config.batch_size,
            limit=None if limit in ("", "None") else limit,
            batch_sizes=sizes.replace(" ", "") if sizes else None,
        )
    ]


def _config(model_type: str, args: str, *, source: str) -> RunConfig:
    values = _dict_args(args) if args.lstrip().startswith("{") else _kv_args(args)
    return _config_from_values(model_type, values, source=source)


def _config_from_values(
    model_type: str | None, values: dict[str, str], *, source: str
) -> RunConfig:
    return RunConfig(
        model_type=model_type,
        model=values.get("model") or values.get("pretrained"),
        batch_size=values.get("batch_size"),
        num_concurrent=to_int(values.get("num_concurrent")),
        tokenized_requests=_to_bool(values.get("tokenized_requests")),
        base_url=values.get("base_url"),
        max_retries=to_int(values.get("max_retries")),
        source=source,
    )


def _dict_args(text: str) -> dict[str, str]:
    """Known keys of a printed Python dict (tolerates a dict cut off by wrapping)."""
    found: dict[str, str] = {}
    for item in _DICT_ITEM.finditer(text):
        key = item["key"]
        if key in _CONFIG_KEYS and key not in found:
            value = item["sq"] if item["sq"] is not None else item["dq"]
            found[key] = value if value is not None else item["bare"]
    return found


def _kv_args(text: str) -> dict[str, str]:
    """``model=x,num_concurrent=4`` as lm-eval's ``simple_parse_args_string`` splits it."""
    found: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if sep and key in _CONFIG_KEYS and key not in found:
            found[key] = value.strip()
    return found


def _to_bool(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    return None


# --------------------------------------------------------------------------- failures


def _api_failure(text: str) -> list[Event]:
    match = _STATUS_FAILURE.search(text)
    if match:
        return [ApiFailure(status=int(match["status"]), message=_trim_retrying(match["text"]))]
    match = _MESSAGE_FAILURE.search(text)
    if match:
        return [ApiFailure(status=None, message=_trim_retrying(match["text"]))]
    return []


def _trim_retrying(message: str) -> str:
    message = message.strip()
    if message.endswith(". Retrying..."):
        message = message[: -len(". Retrying...")]
    return message[:500]


def _auto_batch(text: str) -> list[Event]:
    match = _AUTO_DONE.search(text)
    if match:
        return [AutoBatchSize(batch_size=int(match["size"]), message=lm_eval_message(text).strip())]
    match = _AUTO_START.search(text)
    if match:
        return [AutoBatchSize(batch_size=None, message=lm_eval_message(text).strip())]
    return []


# --------------------------------------------------------------------------- results table


def _result_row(text: str) -> ResultRow | ResultsTableStart | None:
    text = text.rstrip()
    if not text.endswith("|") or len(text) > 4000:
        return None
    cells = [cell.strip() for cell in text[1:-1].split("|")]
    if cells and cells[0] in _HEADER_FIRST_CELLS:
        if len(cells) in (6, 8, 9) and "Metric" in cells:
            return ResultsTableStart("groups" if cells[0] in ("Groups", "Group") else "tasks")
        return None
    if all(_DASHES.fullmatch(cell) for cell in cells):
        return None
    if len(cells) == 9:  # 0.4.3+: Tasks|Version|Filter|n-shot|Metric|↑↓|Value|±|Stderr
        task, version, filt, n_shot, metric, hib, value, plus_minus, stderr = cells
    elif len(cells) == 8:  # 0.4.0-0.4.2: no higher-is-better column
        task, version, filt, n_shot, metric, value, plus_minus, stderr = cells
        hib = ""
    elif len(cells) == 6:  # 0.3: Task|Version|Metric|Value|±|Stderr
        task, version, metric, value, plus_minus, stderr = cells
        filt = n_shot = hib = ""
    else:
        return None
    if not metric or hib not in ("", "↑", "↓") or plus_minus not in ("", "±"):
        return None
    number = _metric_value(value)
    if number is None and value != "N/A":
        return None
    if plus_minus == "±" and stderr and _metric_value(stderr) is None and stderr != "N/A":
        return None
    return ResultRow(
        task=_TREE_MARK.sub("", task),
        metric=metric,
        value=number,
        stderr=_metric_value(stderr),
        version=version,
        filter=filt,
        n_shot=n_shot,
        higher_is_better=hib,
    )


def _metric_value(text: str) -> float | None:
    return None if text in ("", "N/A") else to_float(text)


def fill_result_tasks(rows: Iterable[ResultRow]) -> list[ResultRow]:
    """Rows in table order with blank task (and version) cells filled from the row above."""
    filled: list[ResultRow] = []
    task, version = "", ""
    for row in rows:
        if row.task:
            task, version = row.task, row.version
            filled.append(row)
        else:
            filled.append(dataclasses.replace(row, task=task, version=row.version or version))
    return filled


def carry_table_task(row: ResultRow, last_task: str) -> tuple[ResultRow, str]:
    """lm-eval's results table names a task on its first metric row only: the rows below
    it (``|  |  |none  |  0|acc_norm|...``) take the task of the row above."""
    if row.task:
        return row, row.task
    if last_task:
        return dataclasses.replace(row, task=last_task), last_task
    return row, last_task
