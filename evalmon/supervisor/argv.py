"""Argument rewriting: put the batch size into the job's argv and environment.

Pure list-in, list-out. Three ways the batch size reaches a job:
* ``{batch_size}`` anywhere inside any argument (plain ``str.replace``: no format
  mini-language, so braces in other arguments are left alone);
* environment variables named by ``--batch-env`` (several move together);
* lm-eval awareness: ``lm_eval`` / ``lm-eval`` / ``python -m lm_eval`` in the legacy form or
  with the ``run`` subcommand: ``--batch_size N`` (also ``=N``, ``--batch-size``, ``-b``) and
  ``batch_size=`` inside ``--model_args`` (key=value or JSON), plus ``--use_cache DIR`` for resume.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PLACEHOLDER = "{batch_size}"

_BATCH_FLAGS = ("--batch_size", "--batch-size", "-b")
_MODEL_ARGS_FLAGS = ("--model_args", "--model-args", "-a")
_CACHE_FLAGS = ("--use_cache", "--use-cache", "-c")
_LM_EVAL_SUBCOMMANDS = ("run", "ls", "validate")


class ArgvError(ValueError):
    """The command cannot be rewritten; the message is for the user as is."""


# ---------------------------------------------------------------- lm-eval detection


@dataclass(frozen=True, slots=True)
class LmEvalCommand:
    """Where lm-eval's own arguments start inside the argv (after ``run`` if present)."""

    args_start: int
    subcommand: str | None  # "run" or None (legacy form)


def find_lm_eval(argv: Sequence[str]) -> LmEvalCommand | None:
    """Recognise ``lm_eval ...``, ``lm-eval run ...``, ``python -m lm_eval ...`` (any python)."""
    if not argv:
        return None
    prog = os.path.basename(argv[0])
    start: int | None = None
    if prog in ("lm_eval", "lm-eval"):
        start = 1
    elif re.fullmatch(r"python[0-9.]*", prog):
        for i in range(1, len(argv) - 1):
            if argv[i] == "-m" and argv[i + 1] in ("lm_eval", "lm_eval.__main__"):
                start = i + 2
                break
            if not argv[i].startswith("-"):
                break  # a script: not lm-eval
    if start is None:
        return None
    if start < len(argv) and argv[start] in _LM_EVAL_SUBCOMMANDS:
        return LmEvalCommand(start + 1, argv[start])
    return LmEvalCommand(start, None)


# ---------------------------------------------------------------- model_args


def split_top_level(text: str) -> list[str]:
    """lm-eval's own splitter (commas outside brackets and quotes) when it is installed."""
    try:
        from lm_eval._cli.utils import split_top_level
    except ImportError:  # lm-eval is optional: a plain comma split is what older versions did
        return [part for part in text.split(",") if part]
    return split_top_level(text)


def rewrite_model_args(value: str, batch_size: int) -> tuple[str, bool]:
    """Set ``batch_size`` inside one ``--model_args`` value if it is there.

    Returns the new value and whether a ``batch_size`` key was found. JSON values (lm-eval
    0.4.13 accepts ``--model_args '{"pretrained": ...}'``) stay JSON; key=value lists keep
    every other item byte for byte.
    """
    stripped = value.strip()
    if stripped.startswith("{"):
        try:
            parsed = json.loads(stripped)
        except json.JSONDecodeError:
            raise ArgvError(f"--model_args looks like JSON but does not parse: {value!r}") from None
        if isinstance(parsed, dict) and "batch_size" in parsed:
            parsed["batch_size"] = batch_size
            return json.dumps(parsed), True
        return value, False
    items = split_top_level(value)
    found = False
    for i, item in enumerate(items):
        key, sep, _ = item.partition("=")
        if sep and key.strip() == "batch_size":
            items[i] = f"{key}={batch_size}"
            found = True
    return (",".join(items), True) if found else (value, False)


def model_arg(argv: Sequence[str], key: str) -> str | None:
    """The value of ``key`` inside lm-eval's ``--model_args`` (key=value or JSON), as text,
    or None."""
    lm = find_lm_eval(argv)
    if lm is None:
        return None
    for value in _model_args_values(argv, lm.args_start):
        stripped = value.strip()
        if stripped.startswith("{"):
            try:
                parsed = json.loads(stripped)
            except json.JSONDecodeError:
                continue
            if isinstance(parsed, dict) and key in parsed:
                return str(parsed[key])
            continue
        for item in split_top_level(value):
            name, sep, val = item.partition("=")
            if sep and name.strip() == key:
                return val
    return None


def model_args_batch_size(argv: Sequence[str]) -> str | None:
    """The ``batch_size`` inside ``--model_args``, as text, or None."""
    return model_arg(argv, "batch_size")


def _model_args_values(argv: Sequence[str], start: int) -> list[str]:
    """Every value given to --model_args (it takes one or more values in 0.4.13)."""
    values: list[str] = []
    i = start
    while i < len(argv):
        arg = argv[i]
        flag, eq, inline = arg.partition("=")
        if flag in _MODEL_ARGS_FLAGS and eq:
            values.append(inline)
        elif arg in _MODEL_ARGS_FLAGS:
            j = i + 1
            while j < len(argv) and not argv[j].startswith("-"):
                values.append(argv[j])
                j += 1
            i = j
            continue
        i += 1
    return values


# ---------------------------------------------------------------- the flags


def lm_eval_batch_size(argv: Sequence[str]) -> str | None:
    """The value of lm-eval's ``--batch_size`` (last one wins, as in argparse), or None."""
    lm = find_lm_eval(argv)
    if lm is None:
        return None
    found: str | None = None
    i = lm.args_start
    while i < len(argv):
        arg = argv[i]
        flag, eq, inline = arg.partition("=")
        if flag in _BATCH_FLAGS and eq:
            found = inline
        elif arg in _BATCH_FLAGS and i + 1 < len(argv):
            found = argv[i + 1]
            i += 1
        i += 1
    return found


def has_flag(argv: Sequence[str], flags: Sequence[str], start: int = 1) -> bool:
    return any(a in flags or a.partition("=")[0] in flags for a in argv[start:])


def rewrite_lm_eval(argv: Sequence[str], batch_size: int) -> list[str]:
    """Rewrite lm-eval's batch size flags and model_args; add ``--batch_size`` if absent."""
    lm = find_lm_eval(argv)
    out = list(argv)
    if lm is None:
        return out
    saw_flag = False
    saw_model_args_key = False
    i = lm.args_start
    while i < len(out):
        arg = out[i]
        flag, eq, inline = arg.partition("=")
        if flag in _BATCH_FLAGS and eq:
            out[i] = f"{flag}={batch_size}"
            saw_flag = True
        elif arg in _BATCH_FLAGS and i + 1 < len(out):
            out[i + 1] = str(batch_size)
            saw_flag = True
            i += 1
        elif flag in _MODEL_ARGS_FLAGS and eq:
            new, found = rewrite_model_args(inline, batch_size)
            out[i] = f"{flag}={new}"
            saw_model_args_key |= found
        elif arg in _MODEL_ARGS_FLAGS:
            j = i + 1
            while j < len(out) and not out[j].startswith("-"):
                out[j], found = rewrite_model_args(out[j], batch_size)
                saw_model_args_key |= found
                j += 1
            i = j
            continue
        i += 1
    if not saw_flag and not saw_model_args_key:
        out += ["--batch_size", str(batch_size)]
    return out


def add_use_cache(argv: Sequence[str], cache_path: str) -> list[str]:
    """Add ``--use_cache PATH`` to an lm-eval command unless it already caches somewhere."""
    lm = find_lm_eval(argv)
    out = list(argv)
    if lm is None or has_flag(argv, _CACHE_FLAGS, lm.args_start):
        return out
    return [*out, "--use_cache", cache_path]


def user_cache_path(argv: Sequence[str]) -> str | None:
    """The ``--use_cache`` the user already gave, if any."""
    lm = find_lm_eval(argv)
    if lm is None:
        return None
    for i in range(lm.args_start, len(argv)):
        flag, eq, inline = argv[i].partition("=")
        if flag in _CACHE_FLAGS and eq:
            return inline
        if argv[i] in _CACHE_FLAGS and i + 1 < len(argv):
            return argv[i + 1]
    return None


# ---------------------------------------------------------------- everything together


def substitute_placeholders(argv: Sequence[str], batch_size: int) -> list[str]:
    return [arg.replace(PLACEHOLDER, str(batch_size)) for arg in argv]


def has_placeholder(argv: Sequence[str]) -> bool:
    return any(PLACEHOLDER in arg for arg in argv)


def batch_env(names: Sequence[str], batch_size: int) -> dict[str, str]:
    return {name: str(batch_size) for name in names}


def check_env_names(names: Sequence[str]) -> None:
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ArgvError(f"--batch-env {name!r} is not a valid environment variable name")


_FIXED_BATCH_FLAG = re.compile(r"--?(?:[\w-]*batch[_-]?size|bs)(?:=\d+)?", re.IGNORECASE)


def batch_size_reaches(argv: Sequence[str], env_names: Sequence[str]) -> bool:
    """Can evalmon change the batch size of this command (other than by $EVALMON_BATCH_SIZE)?"""
    return bool(env_names) or has_placeholder(argv) or find_lm_eval(argv) is not None


def fixed_batch_flag(argv: Sequence[str]) -> tuple[str, str] | None:
    """A batch-size flag with a number written into a command evalmon does not rewrite:
    the flag and how it is written (``("--batch_size", "--batch_size 64")``, ``("--bs",
    "--bs=8")``), to be replaced with ``{batch_size}``."""
    for i, arg in enumerate(argv[1:], start=1):
        if not _FIXED_BATCH_FLAG.fullmatch(arg):
            continue
        flag, eq, _ = arg.partition("=")
        if eq:
            return flag, arg
        if i + 1 < len(argv) and argv[i + 1].isdigit():
            return flag, f"{arg} {argv[i + 1]}"
    return None


@dataclass(frozen=True, slots=True)
class Rewritten:
    argv: list[str]
    env: dict[str, str]


def rewrite(
    argv: Sequence[str],
    batch_size: int | None,
    env_names: Sequence[str] = (),
    cache_path: str | None = None,
    lm_eval_aware: bool = True,
) -> Rewritten:
    """The argv and extra environment for one attempt.

    ``cache_path`` None: no ``--use_cache`` added (``--no-resume``, or not lm-eval).
    """
    out = list(argv)
    env: dict[str, str] = {}
    if batch_size is not None:
        out = substitute_placeholders(out, batch_size)
        env = batch_env(env_names, batch_size)
        if lm_eval_aware:
            out = rewrite_lm_eval(out, batch_size)
    if cache_path is not None and lm_eval_aware:
        out = add_use_cache(out, cache_path)
    return Rewritten(out, env)


def initial_batch_size(
    argv: Sequence[str], env_names: Sequence[str], environ: Mapping[str, str]
) -> int | None:
    """The batch size the command would run with if evalmon were not there.

    Looks at lm-eval's ``--batch_size`` / model_args, then the first ``--batch-env`` variable
    set in the environment. ``auto`` and anything non-numeric count as unknown.
    """
    for text in (lm_eval_batch_size(argv), model_args_batch_size(argv)):
        if text is not None and text.strip().isdigit():
            return int(text)
    for name in env_names:
        value = environ.get(name, "").strip()
        if value.isdigit():
            return int(value)
    return None


def run_key(argv: Sequence[str], mode: str, env_names: Sequence[str] = ()) -> str:
    """A stable name for "this command": same command -> same key, across evalmon restarts.

    The batch size is masked out so that the key (and the lm-eval cache directory named
    after it) does not change between attempts.
    """
    masked = _mask_batch_size(list(argv))
    blob = json.dumps({"argv": masked, "mode": mode, "env": sorted(env_names)})
    return "run-" + hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _mask_batch_size(argv: list[str]) -> list[str]:
    if find_lm_eval(argv) is None:
        return argv
    return rewrite_lm_eval(argv, 0)
