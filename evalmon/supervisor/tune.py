"""``evalmon tune``: the seed's tuning session, automated and OOM-safe.

The sweep is a coordinate search, one axis at a time in the order given: the batch size
first (a list, or ``auto``: double until an OOM, then bisect), then the concurrency, then each
``--var``, each varied at the fastest configuration found so far. On a numeric axis the
climb stops when a step gains less than ``min_gain`` (saturation: the seed's "the engine caps
batches" moment); a larger batch than one that ran out of memory, other settings equal, is
skipped (it must OOM too).

Each trial is one :class:`~evalmon.supervisor.supervisor.Supervisor` run with one attempt
(``max_attempts=1``: an OOM ends the trial as ``oom``, never the sweep) in its own folder
``LOG_DIR/trials/<config>/``, so its lm-eval cache is fresh and its logs are its own. It is
measured by :func:`evalmon.pipeline.replay` over that folder: the same reducer, so the same
figures, as ``evalmon report LOG_DIR/trials/<config>``.

The planner (:func:`plan`) is pure: given the trials recorded so far it says which rows the
table has and which configuration runs next. The record ``LOG_DIR/tune.json`` is rewritten
atomically after every change, so a sweep killed at any moment (even ``kill -9``) and started
again replays the plan over its record and runs no finished trial twice; a trial that was
running is adopted (or its end learnt) by its supervisor's own attempt record.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from evalmon import fmt
from evalmon.events import Progress
from evalmon.supervisor import argv as argv_mod
from evalmon.text import inert

BATCH = "batch_size"
CONCURRENCY = "num_concurrent"
RECORD_NAME = "tune.json"
RECORD_VERSION = 1

Outcome = Literal["ok", "oom", "failed", "skipped", "stalled", "running"]
Value = int | str
Config = dict[str, Value]


class TuneError(ValueError):
    """Bad tuning options or record; the message is for the user as is."""


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True, slots=True)
class Axis:
    name: str
    values: tuple[Value, ...]  # empty for the batch axis under ``auto``

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, int) for v in self.values)


@dataclass(frozen=True, slots=True)
class AutoSearch:
    start: int = 8
    max_size: int = 4096
    #: bisect until the gap between the largest that ran and the smallest that OOMed is at
    #: most this fraction of the former
    tolerance: float = 0.125
    start_note: str = ""  # why it starts there (e.g. the memory of an earlier sweep)


@dataclass(frozen=True, slots=True)
class TuneSpec:
    command: tuple[str, ...]
    log_dir: str
    batch_sizes: tuple[int, ...] = ()  # empty: auto (see ``auto``) or the command's own
    auto: AutoSearch | None = None
    concurrency: tuple[int, ...] = ()
    variables: tuple[tuple[str, tuple[Value, ...]], ...] = ()
    ties: tuple[tuple[str, str], ...] = ()  # (NAME, axis name): NAME follows that axis
    batch_env: tuple[str, ...] = ()  # env variables that carry the batch size
    concurrency_env: str = "NUM_CONCURRENT"  # for commands that are not lm-eval
    limit: int | None = None
    time_box_s: float | None = None
    budget_s: float | None = None
    min_gain: float = 0.05
    tie_tolerance: float = 0.02
    #: GPU memory kept free: a trial whose peak left less is not recommended (GPU samples)
    memory_margin: float = 0.05
    time_for: int = 1000
    baseline: str | None = None  # "NAME=V,..." (a trial) or a number (requests/s)
    watch: tuple[str, ...] = ()
    grace: float = 10.0

    @property
    def tie(self) -> float:
        """How close to the fastest a configuration is a tie (the one with less memory wins):
        a step the climb calls "not a gain" (under --min-gain) never wins the recommendation."""
        return max(self.tie_tolerance, self.min_gain)

    def axes(self) -> list[Axis]:
        axes = [Axis(BATCH, tuple(self.batch_sizes))]
        if self.concurrency:
            axes.append(Axis(CONCURRENCY, tuple(self.concurrency)))
        axes += [Axis(name, values) for name, values in self.variables]
        return axes

    @property
    def is_lm_eval(self) -> bool:
        return argv_mod.find_lm_eval(self.command) is not None


def parse_int_list(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(p) for p in text.replace(" ", "").split(",") if p)
    except ValueError:
        raise TuneError(f"{what} must be comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise TuneError(f"{what} must be positive integers, got {text!r}")
    return tuple(sorted(set(values)))


def parse_var(text: str) -> tuple[str, tuple[Value, ...]]:
    name, eq, rest = text.partition("=")
    if not eq or not name or not rest:
        raise TuneError(f"--var must be NAME=v1,v2, got {text!r}")
    if not re.fullmatch(r"(--)?[A-Za-z_][A-Za-z0-9_-]*", name):
        raise TuneError(f"--var: not a variable or lm-eval argument name: {name!r}")
    values: list[Value] = []
    for part in rest.split(","):
        part = part.strip()
        if part:
            values.append(int(part) if part.isdigit() else part)
    if not values:
        raise TuneError(f"--var {name} has no values")
    if all(isinstance(v, int) for v in values):
        values = sorted(set(values))  # type: ignore[type-var]
    return name, tuple(values)


def parse_tie(text: str) -> tuple[str, str]:
    name, eq, axis = text.partition("=")
    if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise TuneError(f"--tie must be NAME=batch_size (or NAME=num_concurrent), got {text!r}")
    if axis not in (BATCH, CONCURRENCY):
        raise TuneError(f"--tie {name}: can follow batch_size or num_concurrent, not {axis!r}")
    return name, axis


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class Trial:
    config: Config
    outcome: Outcome
    reason: str = ""
    requests_per_s: float | None = None
    docs_per_s: float | None = None
    #: which rate field of the run the figure came from (``requests_per_s`` or, on a tree
    #: that only has it, ``samples_per_s``)
    rate_field: str = ""
    dir: str = ""  # relative to the log dir
    started_at: float | None = None
    ended_at: float | None = None
    peak_gpu_bytes: int | None = None
    gpu_total_bytes: int | None = None
    job: str = ""
    budget_cut: bool = False  # cut by --budget: not a result, run again on resume
    by_type: tuple[dict[str, Any], ...] = ()  # per request type: requests/s and docs/s

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.started_at)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "config": dict(self.config),
            "outcome": self.outcome,
            "requests_per_s": self.requests_per_s,
            "docs_per_s": self.docs_per_s,
            "reason": self.reason,
        }
        extra = {
            "rate_field": self.rate_field or None,
            "dir": self.dir or None,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": self.duration_s,
            "peak_gpu_bytes": self.peak_gpu_bytes,
            "gpu_total_bytes": self.gpu_total_bytes,
            "job": self.job or None,
            "budget_cut": self.budget_cut or None,
            "by_request_type": list(self.by_type) or None,
        }
        out.update({k: v for k, v in extra.items() if v is not None})
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Trial:
        config = data.get("config")
        if not isinstance(config, dict):
            raise TuneError("a trial without a config")
        return cls(
            config={str(k): v for k, v in config.items()},
            outcome=data.get("outcome", "failed"),
            reason=str(data.get("reason") or ""),
            requests_per_s=_num(data.get("requests_per_s")),
            docs_per_s=_num(data.get("docs_per_s")),
            rate_field=str(data.get("rate_field") or ""),
            dir=str(data.get("dir") or ""),
            started_at=_num(data.get("started_at")),
            ended_at=_num(data.get("ended_at")),
            peak_gpu_bytes=_int(data.get("peak_gpu_bytes")),
            gpu_total_bytes=_int(data.get("gpu_total_bytes")),
            job=str(data.get("job") or ""),
            budget_cut=bool(data.get("budget_cut")),
            by_type=tuple(x for x in data.get("by_request_type") or () if isinstance(x, dict)),
        )

    @property
    def ran(self) -> bool:
        return self.outcome == "ok" and bool(self.requests_per_s)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int) else None


def config_key(config: Mapping[str, Value]) -> str:
    return json.dumps({k: config[k] for k in sorted(config)}, sort_keys=True)


def config_label(config: Mapping[str, Value]) -> str:
    short = {BATCH: "batch", CONCURRENCY: "concurrent"}
    return " ".join(f"{short.get(k, k)}={v}" for k, v in config.items())


def config_slug(config: Mapping[str, Value]) -> str:
    short = {BATCH: "bs", CONCURRENCY: "nc"}
    parts = [f"{short.get(k, k.lstrip('-'))}{v}" for k, v in config.items()]
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", "_".join(parts))[:120] or "default"


# --------------------------------------------------------------------------- the planner (pure)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the table: a trial that ran (or runs next), or one that was skipped."""

    config: Config
    trial: Trial | None  # None: skipped by the planner, or the next to run
    skip_reason: str = ""
    note: str = ""  # why the climb stopped after this row, etc.

    @property
    def outcome(self) -> str:
        if self.trial is not None:
            return self.trial.outcome
        return "skipped" if self.skip_reason else "pending"


@dataclass(frozen=True, slots=True)
class Plan:
    rows: tuple[Row, ...]
    next: Config | None  # the configuration to run now; None: the sweep is done


def full_config(spec: TuneSpec, values: Mapping[str, Value]) -> Config:
    """Axis values plus the tied variables, in a stable order."""
    config: Config = dict(values)
    for name, axis in spec.ties:
        if axis in config:
            config[name] = config[axis]
    return config


def plan(spec: TuneSpec, trials: Mapping[str, Trial]) -> Plan:
    """The table so far and the next configuration, from the recorded trials alone."""
    rows: list[Row] = []
    seen: set[str] = set()
    notes: dict[str, str] = {}
    axes = spec.axes()
    best: Trial | None = None
    base: dict[str, Value] = {}
    for axis in axes[1:]:
        base[axis.name] = axis.values[0]

    def add(row: Row) -> None:
        key = config_key(row.config)
        if key not in seen:
            seen.add(key)
            rows.append(row)

    def finish(next_config: Config | None) -> Plan:
        out = tuple(
            Row(r.config, r.trial, r.skip_reason, notes.get(config_key(r.config), r.note))
            for r in rows
        )
        return Plan(out, next_config)

    for index, axis in enumerate(axes):
        fixed: dict[str, Value] = dict(base)
        if best is not None:
            fixed = {k: v for k, v in best.config.items() if k == BATCH or k in base}
        if index == 0:
            fixed.pop(BATCH, None)
            if spec.auto is not None:
                outcome = _auto_climb(spec, fixed, trials, add, notes)
            else:
                values = axis.values or (None,)
                outcome = _climb(spec, axis, values, fixed, trials, add, notes)
        else:
            outcome = _climb(spec, axis, axis.values, fixed, trials, add, notes)
        if isinstance(outcome, dict):
            return finish(outcome)
        ran = [r.trial for r in rows if r.trial is not None and r.trial.ran]
        best = recommend(ran, spec.tie)
        if best is None:
            break  # nothing ran: no point in varying the other axes
    return finish(None)


_Add = Callable[[Row], None]


def _oom_below(spec: TuneSpec, config: Config, trials: Mapping[str, Trial]) -> Trial | None:
    """A trial with the same settings but a smaller batch that ran out of memory."""
    size = config.get(BATCH)
    if not isinstance(size, int):
        return None
    others = {k: v for k, v in config.items() if k != BATCH and k not in dict(spec.ties)}
    for trial in trials.values():
        if trial.outcome != "oom":
            continue
        tsize = trial.config.get(BATCH)
        t_others = {
            k: v for k, v in trial.config.items() if k != BATCH and k not in dict(spec.ties)
        }
        if isinstance(tsize, int) and tsize < size and t_others == others:
            return trial
    return None


def _visit(
    spec: TuneSpec, config: Config, trials: Mapping[str, Trial], add: _Add
) -> Trial | Config | None:
    """The recorded trial of ``config``; the config itself when it must run now; None when
    it is skipped (a smaller batch ran out of memory)."""
    oom = _oom_below(spec, config, trials)
    if oom is not None:
        add(Row(config, None, f"batch {oom.config[BATCH]} ran out of memory (same settings)"))
        return None
    trial = trials.get(config_key(config))
    if trial is None or trial.outcome == "running" or trial.budget_cut:
        return config
    add(Row(config, trial))
    return trial


def _gain(new: float, old: float) -> float:
    return new / old - 1.0 if old > 0 else math.inf


def _gain_text(gain: float, spec: TuneSpec) -> str:
    """``gained +2% (under 5%)`` or ``was 31% slower``."""
    if gain < 0:
        return f"was {-gain * 100:.0f}% slower"
    return f"gained +{gain * 100:.0f}% (under {spec.min_gain * 100:.0f}%)"


def _climb(
    spec: TuneSpec,
    axis: Axis,
    values: Sequence[Value | None],
    fixed: Mapping[str, Value],
    trials: Mapping[str, Trial],
    add: _Add,
    notes: dict[str, str],
) -> Config | None:
    best_line: Trial | None = None
    stopped = ""
    for index, value in enumerate(values):
        raw: dict[str, Value] = dict(fixed)
        if value is not None:
            raw[axis.name] = value
        config = full_config(spec, _ordered(spec, raw))
        if stopped:
            if config_key(config) in trials and not trials[config_key(config)].budget_cut:
                add(Row(config, trials[config_key(config)]))
            else:
                add(Row(config, None, stopped))
            continue
        got = _visit(spec, config, trials, add)
        if isinstance(got, dict):
            return got
        if got is None or not got.ran:
            continue
        assert got.requests_per_s is not None
        if best_line is not None and axis.numeric:
            assert best_line.requests_per_s is not None
            gain = _gain(got.requests_per_s, best_line.requests_per_s)
            if gain < spec.min_gain:
                prev = best_line.config.get(axis.name)
                word = _axis_word(axis.name)
                stopped = f"saturated: {word} {prev} -> {value} {_gain_text(gain, spec)}"
                if gain < 0:
                    note = f"{-gain * 100:.0f}% slower than {word} {prev}"
                else:
                    note = (
                        f"{gain * 100:+.0f}% over {word} {prev}: not a gain (under "
                        f"{spec.min_gain * 100:.0f}%)"
                    )
                more = index + 1 < len(values)
                notes[config_key(config)] = note + ("; the climb stops here" if more else "")
        if best_line is None or got.requests_per_s > (best_line.requests_per_s or 0):
            best_line = got
    return None


def _auto_climb(
    spec: TuneSpec,
    fixed: Mapping[str, Value],
    trials: Mapping[str, Trial],
    add: _Add,
    notes: dict[str, str],
) -> Config | None:
    """``--batch-size auto``: double until an OOM, then bisect between the largest that ran
    and the smallest that ran out of memory; stop doubling when the rate saturates."""
    auto = spec.auto
    assert auto is not None

    def at(size: int) -> Config:
        return full_config(spec, _ordered(spec, {**fixed, BATCH: size}))

    lo: Trial | None = None  # the largest that ran
    hi: int | None = None  # the smallest that ran out of memory
    size = auto.start
    # climb (or, when the start itself does not fit, halve down)
    while True:
        config = at(size)
        trial = trials.get(config_key(config))
        if trial is None or trial.outcome == "running" or trial.budget_cut:
            return config
        add(Row(config, trial))
        if trial.outcome == "oom":
            hi = size if hi is None else min(hi, size)
            if lo is not None:
                break
            if size <= 1:
                return None
            size = max(1, size // 2)
            continue
        if not trial.ran:
            notes[config_key(config)] = "the search stops: this trial did not run"
            return None
        assert trial.requests_per_s is not None
        if lo is not None and lo.requests_per_s and size > int(lo.config[BATCH]):
            gain = _gain(trial.requests_per_s, lo.requests_per_s)
            if gain < spec.min_gain:
                notes[config_key(config)] = (
                    f"{_gain_text(gain, spec)} over batch {lo.config[BATCH]}: saturated, "
                    "the search stops here"
                )
                return None
        if lo is None or size > int(lo.config[BATCH]):
            lo = trial
        if hi is not None:
            break  # came down from an OOM to one that runs
        if size * 2 > auto.max_size:
            notes[config_key(config)] = f"the search stops at --auto-max {auto.max_size}"
            return None
        size *= 2
    # bisect
    assert lo is not None and hi is not None
    low = int(lo.config[BATCH])
    while hi - low > max(1, int(low * auto.tolerance)):
        mid = (low + hi) // 2
        config = at(mid)
        trial = trials.get(config_key(config))
        if trial is None or trial.outcome == "running" or trial.budget_cut:
            return config
        add(Row(config, trial))
        if trial.outcome == "oom":
            hi = mid
        elif trial.ran:
            low = mid
        else:
            return None
    return None


def _ordered(spec: TuneSpec, values: Mapping[str, Value]) -> dict[str, Value]:
    order = [a.name for a in spec.axes()]
    return {k: values[k] for k in order if k in values}


def _axis_word(name: str) -> str:
    return {BATCH: "batch", CONCURRENCY: "concurrency"}.get(name, name)


def _memory_order(config: Mapping[str, Value]) -> tuple[Any, ...]:
    """Less memory first: a smaller batch, then fewer concurrent requests."""
    return (
        config.get(BATCH) if isinstance(config.get(BATCH), int) else 0,
        config.get(CONCURRENCY) if isinstance(config.get(CONCURRENCY), int) else 0,
    )


def over_margin(trial: Trial, margin: float) -> bool:
    """The trial's peak GPU memory left less than ``margin`` of the GPU free."""
    if not trial.peak_gpu_bytes or not trial.gpu_total_bytes:
        return False
    return trial.peak_gpu_bytes > (1.0 - margin) * trial.gpu_total_bytes


def recommend(
    trials: Sequence[Trial], tie_tolerance: float = 0.02, margin: float | None = None
) -> Trial | None:
    """The fastest that ran; within ``tie_tolerance`` of it, the one that needs less memory.
    With ``margin``: not one whose peak GPU memory left less than that free (when another ran)."""
    ran = [t for t in trials if t.ran]
    if margin is not None:
        ran = [t for t in ran if not over_margin(t, margin)] or ran
    if not ran:
        return None
    fastest = max(t.requests_per_s or 0.0 for t in ran)
    close = [t for t in ran if (t.requests_per_s or 0.0) >= fastest * (1 - tie_tolerance)]
    return min(close, key=lambda t: _memory_order(t.config))


# --------------------------------------------------------------------------- the command


def trial_command(spec: TuneSpec, config: Mapping[str, Value]) -> tuple[list[str], dict[str, str]]:
    """The argv and extra environment of one trial (the batch size is the supervisor's)."""
    argv = list(spec.command)
    env: dict[str, str] = {}
    lm = spec.is_lm_eval
    if lm:
        argv = strip_use_cache(argv)
        if spec.limit is not None:
            argv = set_flag(argv, "--limit", str(spec.limit))
    elif spec.limit is not None:
        env["EVALMON_LIMIT"] = str(spec.limit)
    for name, value in config.items():
        if name == BATCH:
            continue
        if name == CONCURRENCY:
            if lm:
                argv = set_model_arg(argv, CONCURRENCY, str(value))
            else:
                env[spec.concurrency_env] = str(value)
        elif name.startswith("--"):
            argv = set_flag(argv, name, str(value))
        elif lm and name.islower():
            argv = set_model_arg(argv, name, str(value))
        else:
            env[name] = str(value)
    return argv, env


def batch_env_names(spec: TuneSpec) -> tuple[str, ...]:
    tied = tuple(name for name, axis in spec.ties if axis == BATCH)
    return tuple(dict.fromkeys([*spec.batch_env, *tied]))


def strip_use_cache(argv: Sequence[str]) -> list[str]:
    """Drop the user's ``--use_cache``: a shared cache would make every later trial fast."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        flag = arg.partition("=")[0]
        if flag in ("--use_cache", "--use-cache", "-c"):
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


def set_flag(argv: Sequence[str], flag: str, value: str) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == flag and i + 1 < len(out):
            out[i + 1] = value
            return out
        if arg.startswith(flag + "="):
            out[i] = f"{flag}={value}"
            return out
    return [*out, flag, value]


def set_model_arg(argv: Sequence[str], key: str, value: str) -> list[str]:
    """Set ``key=value`` inside lm-eval's ``--model_args`` (added when there is none)."""
    out = list(argv)
    for i, arg in enumerate(out):
        inline = None
        if arg in ("--model_args", "--model-args", "-a") and i + 1 < len(out):
            index, text = i + 1, out[i + 1]
        elif arg.startswith(("--model_args=", "--model-args=")):
            index, text = i, arg.partition("=")[2]
            inline = arg.partition("=")[0]
        else:
            continue
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            data[key] = int(value) if value.isdigit() else value
            new = json.dumps(data)
        else:
            parts = argv_mod.split_top_level(text)
            done = False
            for j, part in enumerate(parts):
                if part.partition("=")[0].strip() == key:
                    parts[j] = f"{key}={value}"
                    done = True
            if not done:
                parts.append(f"{key}={value}")
            new = ",".join(parts)
        out[index] = f"{inline}={new}" if inline else new
        return out
    return [*out, "--model_args", f"{key}={value}"]


def paste_lines(spec: TuneSpec, config: Mapping[str, Value]) -> list[str]:
    """What to put in the batch script, or the lm-eval command to run: exact, no --limit."""
    argv, env = trial_command(TuneSpec(**{**_spec_fields(spec), "limit": None}), config)
    size = config.get(BATCH)
    names = batch_env_names(spec)
    lines: list[str] = []
    if isinstance(size, int):
        env = {**{n: str(size) for n in names}, **env}
    for name, value in env.items():
        lines.append(f"{name}={shlex.quote(value)}")
    if spec.is_lm_eval:
        if isinstance(size, int):
            argv = argv_mod.rewrite_lm_eval(argv, size)
        lines.append(shlex.join(argv))
    elif isinstance(size, int) and argv_mod.has_placeholder(argv):
        lines.append(shlex.join(argv_mod.substitute_placeholders(argv, size)))
    return lines


def _spec_fields(spec: TuneSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}


# --------------------------------------------------------------------------- the record


def record_path(log_dir: str) -> str:
    return os.path.join(log_dir, RECORD_NAME)


@dataclass(slots=True)
class Record:
    command: list[str]
    trials: dict[str, Trial] = field(default_factory=dict)  # config key -> trial
    order: list[str] = field(default_factory=list)

    def put(self, trial: Trial) -> None:
        key = config_key(trial.config)
        if key not in self.trials:
            self.order.append(key)
        self.trials[key] = trial


def load_record(log_dir: str, command: Sequence[str]) -> Record:
    path = record_path(log_dir)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return Record(list(command))
    except (OSError, ValueError) as exc:
        raise TuneError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise TuneError(f"{path} is not a tune record")
    recorded = data.get("command")
    if recorded is not None and list(recorded) != list(command):
        raise TuneError(
            f"{path} is the record of another command; give another --log-dir "
            "(or remove it to start over)"
        )
    record = Record(list(command))
    for item in data.get("trials") or ():
        if not isinstance(item, dict):
            continue
        # a planner's skip is derived again from the rest; a budget cut runs again
        if item.get("outcome") != "skipped" or item.get("budget_cut"):
            record.put(Trial.from_json(item))
    return record


def write_record(log_dir: str, spec: TuneSpec, record: Record, result: TuneResult) -> None:
    """Rewrite ``tune.json`` atomically (temp file, fsync, rename): a kill at any moment
    leaves the old record or the new one, never half of one."""
    rec = result.recommended
    data = {
        "version": RECORD_VERSION,
        "command": list(spec.command),
        "axes": {a.name: list(a.values) or "auto" for a in spec.axes()},
        "ties": dict(spec.ties),
        "limit": spec.limit,
        "rate": "requests/s served per second of the request bars (evalmon report's figure)",
        "trials": [_row_json(row) for row in result.rows],
        "recommended": None if rec is None else {
            "config": dict(rec.config),
            "requests_per_s": rec.requests_per_s,
            "docs_per_s": rec.docs_per_s,
            "paste": paste_lines(spec, rec.config),
        },
        "finished": result.finished,
        "stopped_by_budget": result.budget_hit,
    }
    path = record_path(log_dir)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _row_json(row: Row) -> dict[str, Any]:
    if row.trial is not None:
        out = row.trial.to_json()
        if row.note:
            out["note"] = row.note
        return out
    return {
        "config": dict(row.config),
        "outcome": "skipped",
        "requests_per_s": None,
        "docs_per_s": None,
        "reason": row.skip_reason or "not run",
    }


# --------------------------------------------------------------------------- the result


@dataclass(slots=True)
class TuneResult:
    rows: tuple[Row, ...]
    recommended: Trial | None
    finished: bool
    budget_hit: bool = False
    baseline: Trial | float | None = None


def baseline_of(spec: TuneSpec, rows: Sequence[Row]) -> Trial | float | None:
    ran = [r.trial for r in rows if r.trial is not None and r.trial.ran]
    if spec.baseline:
        text = spec.baseline.strip()
        try:
            return float(text)
        except ValueError:
            pass
        want = dict(parse_var(p) for p in _split_assignments(text))
        for trial in ran:
            if all(trial.config.get(k) in v for k, v in want.items()):
                return trial
        return None
    return ran[0] if ran else None


def _split_assignments(text: str) -> list[str]:
    """``batch_size=64,num_concurrent=1`` -> each assignment."""
    parts = re.split(r",(?=[A-Za-z_-]+=)", text)
    return [p for p in parts if p]


def result_of(spec: TuneSpec, record: Record, finished: bool, budget_hit: bool) -> TuneResult:
    p = plan(spec, record.trials)
    rows = list(p.rows)
    if budget_hit:
        for key in record.order:
            trial = record.trials[key]
            if trial.budget_cut and all(config_key(r.config) != key for r in rows):
                rows.append(Row(trial.config, trial))
        if p.next is not None and all(config_key(r.config) != config_key(p.next) for r in rows):
            rows.append(Row(p.next, None, "--budget ran out before it ran"))
    for key in record.order:  # the trial under way (also after a kill -9: it is adopted)
        trial = record.trials[key]
        if trial.outcome == "running" and all(config_key(r.config) != key for r in rows):
            rows.append(Row(trial.config, trial))
    ran = [r.trial for r in rows if r.trial is not None]
    best = recommend(ran, spec.tie, spec.memory_margin)
    result = TuneResult(tuple(rows), best, finished, budget_hit)
    result.baseline = baseline_of(spec, rows)
    return result


# --------------------------------------------------------------------------- rendering


HEADERS = (
    "configuration", "requests/s", "docs/s", "speedup", "time for N", "peak GPU", "outcome", "why"
)


def table_rows(spec: TuneSpec, result: TuneResult) -> list[tuple[str, ...]]:
    base = result.baseline
    base_rate = base if isinstance(base, float) else (
        base.requests_per_s if isinstance(base, Trial) else None
    )
    rec_key = config_key(result.recommended.config) if result.recommended else None
    out = []
    for row in result.rows:
        t = row.trial
        rate = t.requests_per_s if t is not None else None
        docs = t.docs_per_s if t is not None else None
        speed = rate / base_rate if rate and base_rate else None
        time_for = spec.time_for / rate if rate else None
        outcome = row.outcome
        if t is not None and t.budget_cut:
            outcome = "skipped"
        why = row.skip_reason or (t.reason if t is not None else "")
        if t is not None and t.budget_cut:
            why = "--budget ran out during the trial"
        if row.note:
            why = f"{why}; {row.note}" if why else row.note
        if t is not None and t.ran and over_margin(t, spec.memory_margin):
            left = f"under {spec.memory_margin * 100:.0f}% of GPU memory left free"
            why = f"{why}; {left}" if why else left
        label = config_label(row.config)
        if rec_key == config_key(row.config):
            label = f"* {label}"
            why = f"{why}; recommended" if why else "recommended"
        elif isinstance(base, Trial) and config_key(base.config) == config_key(row.config):
            why = f"{why}; baseline" if why else "baseline"
        out.append(
            (
                inert(label, 120),
                fmt.rate(rate),
                fmt.rate(docs),
                fmt.speedup(speed),
                fmt.duration(time_for),
                _peak(t),
                outcome,
                inert(why, 300),
            )
        )
    return out


def _peak(trial: Trial | None) -> str:
    """Only of a trial that ran: an OOM's samples miss the allocation that failed."""
    if trial is None or not trial.ran or not trial.peak_gpu_bytes:
        return fmt.DASH
    if trial.gpu_total_bytes:
        share = trial.peak_gpu_bytes / trial.gpu_total_bytes
        return f"{fmt.size(trial.peak_gpu_bytes)} ({share:.0%})"
    return fmt.size(trial.peak_gpu_bytes)


def render_table(spec: TuneSpec, result: TuneResult) -> str:
    headers = list(HEADERS)
    headers[4] = f"time for {spec.time_for}"
    rows = [tuple(headers), *table_rows(spec, result)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(headers) - 1)]
    lines = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    return "\n".join(lines)


def render_markdown(spec: TuneSpec, result: TuneResult) -> str:
    headers = list(HEADERS)
    headers[4] = f"time for {spec.time_for}"
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in table_rows(spec, result):
        cells = [c.replace("|", "\\|") for c in r]
        if r[0].startswith("* "):
            cells = [f"**{c}**" if c and i < 6 else c for i, c in enumerate(cells)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_lines(spec: TuneSpec, result: TuneResult) -> list[str]:
    lines = []
    base = result.baseline
    if isinstance(base, float):
        lines.append(f"speedup against --baseline {fmt.rate(base)} requests/s")
    elif isinstance(base, Trial):
        lines.append(f"speedup against {config_label(base.config)}")
    lines.append(
        "rates: requests/s served and documents/s, measured from each trial's logs as "
        "`evalmon report` does (cached requests never count)"
    )
    if result.budget_hit:
        lines.append("--budget ran out: the table is partial; run the same command to go on")
    rec = result.recommended
    if rec is None:
        lines.append("no configuration ran: nothing to recommend")
        return lines
    lines.append(
        f"recommended: {config_label(rec.config)} ({fmt.rate(rec.requests_per_s)} requests/s; "
        "the fastest that ran, ties within "
        f"{spec.tie * 100:.0f}% go to less memory)"
    )
    lines.append("paste:")
    lines += [f"  {inert(line, 2000)}" for line in paste_lines(spec, rec.config)]
    return lines


def render_json(spec: TuneSpec, result: TuneResult) -> str:
    rec = result.recommended
    data = {
        "trials": [_row_json(r) for r in result.rows],
        "recommended": None if rec is None else {
            "config": dict(rec.config),
            "requests_per_s": rec.requests_per_s,
            "docs_per_s": rec.docs_per_s,
            "paste": paste_lines(spec, rec.config),
        },
        "finished": result.finished,
        "stopped_by_budget": result.budget_hit,
    }
    return json.dumps(data, indent=1)


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Measured:
    requests_per_s: float | None
    docs_per_s: float | None
    rate_field: str
    gpu_total_bytes: int | None = None
    #: per request type (loglikelihood, generate_until ...): requests/s and docs/s
    by_type: tuple[dict[str, Any], ...] = ()


def gpu_total(paths: Sequence[str]) -> int | None:
    """The largest GPU's memory in the GPU samples under ``paths`` (None: no samples)."""
    from evalmon.pipeline import replay

    gpus = replay([p for p in paths if p.endswith(".jsonl")]).state.snapshot().gpus
    totals = [g.latest.memory_total for g in gpus if g.latest.memory_total]
    return max(totals) if totals else None


def measure(trial_dir: str) -> Measured:
    """The trial's rates by the report's own code: replay its folder, read its run's rates."""
    from evalmon.pipeline import replay

    snap = replay([trial_dir]).state.snapshot()
    best: tuple[float, float | None, str, Any] | None = None
    for run in snap.runs:
        if not getattr(run, "client", True):
            continue
        field_name = "requests_per_s" if hasattr(run, "requests_per_s") else "samples_per_s"
        rate = getattr(run, field_name, None)
        if rate and (best is None or rate > best[0]):
            best = (rate, getattr(run, "docs_per_s", None), field_name, run)
    total = None
    for gpu in getattr(snap, "gpus", ()) or ():
        t = getattr(gpu.latest, "memory_total", None)
        if t:
            total = max(total or 0, t)
    if best is None:
        return Measured(None, None, "", total)
    by_type = tuple(
        {
            "request_type": getattr(w, "request_type", None),
            "requests_per_s": getattr(w, "requests_per_s", None),
            "docs_per_s": getattr(w, "docs_per_s", None),
        }
        for w in getattr(best[3], "rates", ()) or ()
    )
    return Measured(best[0], best[1], best[2], total, by_type)


# --------------------------------------------------------------------------- running


class _EnvLauncher:
    """A launcher that adds the trial's own variables to every launch (exported by sbatch)."""

    def __init__(self, inner: Any, env: Mapping[str, str]) -> None:
        self._inner = inner
        self._env = dict(env)
        self.kind = inner.kind

    def launch(self, argv: Sequence[str], env: Mapping[str, str], number: int) -> Any:
        return self._inner.launch(argv, {**env, **self._env}, number)

    def adopt(self, attempt: Any) -> Any:
        return self._inner.adopt(attempt)

    def ended_exit_code(self, attempt: Any) -> int | None:
        return self._inner.ended_exit_code(attempt)

    def __getattr__(self, name: str) -> Any:  # the rest of the launcher's face, as it grows
        return getattr(self._inner, name)


LauncherFactory = Callable[[str], Any]  # trial dir -> launcher
Printer = Callable[[str], None]


def setup_of(paths: Sequence[str]) -> dict[str, Any]:
    """What a trial's logs say about the server (kind, engine batch limit) and the GPUs."""
    from evalmon.pipeline import replay

    snap = replay(list(paths)).state.snapshot()
    setup: dict[str, Any] = {"server": None, "engine_max_batch": None, "gpu": None, "gpus": 0}
    for run in snap.runs:
        kind = getattr(run, "kind", "client")
        if kind not in ("client", "unknown", None) and setup["server"] is None:
            setup["server"] = kind
        if getattr(run, "engine_max_batch", None) and setup["engine_max_batch"] is None:
            setup["engine_max_batch"] = run.engine_max_batch
    names = sorted({g.latest.name for g in snap.gpus if g.latest.name})
    if names:
        setup["gpu"] = ",".join(names)
        setup["gpus"] = len({(g.host, g.index) for g in snap.gpus})
    return setup


class Tuner:
    def __init__(
        self,
        spec: TuneSpec,
        launcher_factory: LauncherFactory,
        printer: Printer | None = None,
        clock: Callable[[], float] = time.time,
        memory: Any = None,
    ) -> None:
        self.spec = spec
        self.memory = memory  # evalmon.supervisor.memory.Memory, or None: learn nothing
        self.launcher_factory = launcher_factory
        self._print = printer or (lambda line: None)
        self._clock = clock
        self._stop = threading.Event()
        self._current: Any = None  # the running trial's supervisor
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Stop the running trial (recorded as cut, run again next time) and end the sweep."""
        self._stop.set()
        with self._lock:
            if self._current is not None:
                self._current.stop()

    def run(self) -> TuneResult:
        spec = self.spec
        os.makedirs(spec.log_dir, exist_ok=True)
        record = load_record(spec.log_dir, spec.command)
        started = time.monotonic()
        deadline = None if spec.budget_s is None else started + spec.budget_s
        resumed = [t for t in record.trials.values() if t.outcome != "running"]
        if resumed:
            self._say(f"resuming from {record_path(spec.log_dir)}: {len(resumed)} trial(s) done")
        budget_hit = False
        while True:
            p = plan(spec, record.trials)
            if p.next is None:
                break
            if self._stop.is_set():
                budget_hit = True
                break
            if deadline is not None and time.monotonic() >= deadline:
                budget_hit = True
                self._say(f"--budget of {spec.budget_s / 60:g} min reached: stopping")
                break
            trial = self._run_trial(p.next, record, deadline)
            record.put(trial)
            write_record(spec.log_dir, spec, record, result_of(spec, record, False, False))
            self._learn(trial)
            if trial.budget_cut:
                budget_hit = True
                break
        result = result_of(spec, record, not budget_hit, budget_hit)
        write_record(spec.log_dir, spec, record, result)
        return result

    def _say(self, text: str) -> None:
        self._print(f"evalmon tune: {text}")

    def _learn(self, trial: Trial) -> None:
        """Remember the trial's lesson for later sweeps and ``evalmon run --batch-size auto``."""
        size = trial.config.get(BATCH)
        if self.memory is None or trial.outcome not in ("ok", "oom") or not isinstance(size, int):
            return
        if trial.outcome == "ok" and not trial.ran:
            return
        from evalmon.supervisor.memory import job_of

        try:
            setup = setup_of([os.path.join(self.spec.log_dir, trial.dir), *self.spec.watch])
            self.memory.learn(
                job_of(self.spec.command), setup, size, trial.outcome, trial.requests_per_s
            )
        except Exception as exc:  # sqlite3.Error, OSError: the sweep goes on
            self._say(f"warning: cannot remember this trial in {self.memory.path}: {exc}")
            self.memory = None

    def _run_trial(self, config: Config, record: Record, deadline: float | None) -> Trial:
        from evalmon.pipeline import Monitor
        from evalmon.supervisor.policy import Policy
        from evalmon.supervisor.supervisor import Supervisor, SupervisorOptions

        spec = self.spec
        key = config_key(config)
        old = record.trials.get(key)
        rel = os.path.join("trials", config_slug(config))
        trial_dir = os.path.join(spec.log_dir, rel)
        if old is not None and old.budget_cut:
            # cut by the budget last time: a fresh folder, so no cached request counts
            rel = os.path.join("trials", f"{config_slug(config)}-{int(self._clock())}")
            trial_dir = os.path.join(spec.log_dir, rel)
        elif old is not None and old.dir:
            rel = old.dir  # was running when the sweep died: its supervisor adopts it
            trial_dir = os.path.join(spec.log_dir, rel)
        argv, env = trial_command(spec, config)
        size = config.get(BATCH)
        trial = Trial(
            config=dict(config), outcome="running", dir=rel,
            started_at=(old.started_at if old and not old.budget_cut else None) or self._clock(),
        )  # fmt: skip
        record.put(trial)
        write_record(spec.log_dir, spec, record, result_of(spec, record, False, False))
        self._say(f"trial {config_label(config)} in {trial_dir}")
        done = None if old is not None and old.budget_cut else _finished_attempt(trial_dir)
        if done is not None:
            # the trial ended, but the sweep died before it wrote so: never run it again
            self._say(f"trial {config_label(config)} had ended: reading its record")
            return self._classify(trial, trial_dir, done, done.reason, "")
        options = SupervisorOptions(
            command=argv,
            log_dir=trial_dir,
            policy=Policy(
                initial_batch_size=size if isinstance(size, int) else None, max_attempts=1
            ).validate(),
            batch_env=batch_env_names(spec) if isinstance(size, int) else (),
            resume=True,  # --use_cache in the trial's own fresh folder
            grace=spec.grace,
            watch_paths=spec.watch,
        )
        os.makedirs(trial_dir, exist_ok=True)
        monitor = Monitor([trial_dir, *spec.watch], reduce=False)
        monitor.start()
        launcher = _EnvLauncher(self.launcher_factory(trial_dir), env)
        sup = Supervisor(options, launcher, monitor, printer=self._print)
        cut = {"why": ""}
        timers: list[threading.Timer] = []

        def cut_at(seconds: float, why: str) -> None:
            def fire() -> None:
                if not cut["why"]:
                    cut["why"] = why
                sup.stop()

            timer = threading.Timer(max(0.0, seconds), fire)
            timer.daemon = True
            timer.start()
            timers.append(timer)

        unsubscribe = None
        if spec.time_box_s is not None:
            # the box counts serving time, from the trial's first request bar: an lm-eval that
            # takes long to start (imports on a busy node, a SLURM queue) is not cut for that
            box = spec.time_box_s
            started = threading.Event()
            own = os.path.abspath(trial_dir) + os.sep

            def on_batch(batch: Any) -> None:
                if started.is_set() or not os.path.abspath(batch.path).startswith(own):
                    return
                for located in batch.events:
                    event = located.event
                    if isinstance(event, Progress) and _is_request_bar(event.desc):
                        started.set()
                        cut_at(box, "time box")
                        return

            unsubscribe = monitor.subscribe(on_batch)
            cut_at(max(10 * box, box + 600.0), "time box")  # no request at all: stalled
        if deadline is not None:
            cut_at(deadline - time.monotonic(), "budget")
        with self._lock:
            self._current = sup
        if self._stop.is_set():
            sup.stop()
        try:
            sup.run()
        finally:
            with self._lock:
                self._current = None
            if unsubscribe is not None:
                unsubscribe()
            for timer in list(timers):
                timer.cancel()
            monitor.stop()
        status = sup.status()
        attempt = status.attempts[-1] if status.attempts else None
        reason = attempt.reason if attempt is not None else status.message
        return self._classify(trial, trial_dir, attempt, reason or status.message, cut["why"])

    def _classify(
        self, trial: Trial, trial_dir: str, attempt: Any, a_reason: str, cut_why: str
    ) -> Trial:
        spec = self.spec
        config = trial.config
        measured = measure(trial_dir)
        trial.ended_at = self._clock()
        trial.requests_per_s = measured.requests_per_s
        trial.docs_per_s = measured.docs_per_s
        trial.rate_field = measured.rate_field
        trial.gpu_total_bytes = measured.gpu_total_bytes
        trial.by_type = measured.by_type
        if attempt is not None:
            trial.peak_gpu_bytes = attempt.peak_gpu_bytes
            trial.job = attempt.job_label
        if trial.peak_gpu_bytes and not trial.gpu_total_bytes and spec.watch:
            trial.gpu_total_bytes = gpu_total(spec.watch)
        a_outcome = attempt.outcome if attempt is not None else "failed"
        if cut_why == "budget" or (self._stop.is_set() and a_outcome == "cancelled"):
            trial.outcome = "skipped"
            trial.budget_cut = True
            trial.reason = "--budget ran out during the trial"
        elif a_outcome == "succeeded":
            trial.outcome = "ok" if measured.requests_per_s else "failed"
            trial.reason = "" if measured.requests_per_s else "no request rate in its logs"
        elif a_outcome == "oom":
            trial.outcome = "oom"
            trial.reason = _first_clause(a_reason)
            _no_rates(trial)
        elif a_outcome == "cancelled" and cut_why == "time box":
            if measured.requests_per_s:
                trial.outcome = "ok"
                trial.reason = (
                    f"measured over a {fmt.duration(spec.time_box_s)} time box of serving"
                )
            else:
                trial.outcome = "stalled"
                trial.reason = f"no request served in the {fmt.duration(spec.time_box_s)} time box"
        else:
            trial.outcome = "failed"
            trial.reason = inert(a_reason or "no result", 200)
            _no_rates(trial)
        self._say(
            f"trial {config_label(config)}: {trial.outcome}"
            + (f", {fmt.rate(trial.requests_per_s)} requests/s" if trial.ran else "")
            + (f" ({trial.reason})" if trial.reason and trial.outcome != "ok" else "")
        )
        return trial


def _is_request_bar(desc: str) -> bool:
    """lm-eval's bar of requests sent (``Requesting API``; ``Running loglikelihood requests``
    for in-process models)."""
    return desc.startswith("Requesting API") or desc.startswith("Running ")


def _no_rates(trial: Trial) -> None:
    """A trial that did not run to its end has no rate of its configuration: the figures of
    the part that ran stay in its folder (``evalmon report``), not in the table."""
    trial.requests_per_s = None
    trial.docs_per_s = None
    trial.by_type = ()


def _finished_attempt(trial_dir: str) -> Any:
    """The last attempt of the trial folder's finished supervisor session, if there is one."""
    from evalmon.supervisor.record import read_record

    if not os.path.isdir(trial_dir):
        return None
    sessions = read_record(trial_dir).sessions
    if not sessions or not sessions[-1].finished:
        return None
    attempts = sessions[-1].ordered_attempts()
    return attempts[-1] if attempts else None


def _first_clause(reason: str) -> str:
    """``GPU out of memory at batch size 256; max attempts (1) reached`` -> the first part."""
    return inert(reason.split(";")[0], 200)
