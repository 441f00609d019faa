"""Relaunch policy: PURE functions, no I/O, no clock.

Two questions, answered from the attempt history alone:
* which batch size comes next (``--backoff`` factor or an explicit ``--schedule``), and
* what to do about an attempt that ended or ran out of memory: relaunch, give up, or stop
  with a failure no smaller batch can cure, always with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalmon.events import OutOfMemory


class PolicyError(ValueError):
    """Bad policy options; the message is meant for the user as is."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The user's limits. ``schedule`` wins over ``backoff`` when given."""

    initial_batch_size: int | None = None
    min_batch_size: int = 1
    backoff: float = 0.5
    schedule: tuple[int, ...] = ()
    max_attempts: int = 5

    def validate(self) -> Policy:
        if not 0.0 < self.backoff < 1.0:
            raise PolicyError(f"--backoff must be between 0 and 1 (exclusive), got {self.backoff}")
        if self.min_batch_size < 1:
            raise PolicyError(f"--min-batch-size must be at least 1, got {self.min_batch_size}")
        if self.max_attempts < 1:
            raise PolicyError(f"--max-attempts must be at least 1, got {self.max_attempts}")
        if any(size < 1 for size in self.schedule):
            raise PolicyError("--schedule sizes must be positive integers")
        if any(b >= a for a, b in zip(self.schedule, self.schedule[1:], strict=False)):
            raise PolicyError("--schedule must be strictly decreasing, e.g. 256,192,128,64")
        if self.initial_batch_size is not None and self.initial_batch_size < 1:
            raise PolicyError(f"--batch-size must be at least 1, got {self.initial_batch_size}")
        return self

    def first_batch_size(self) -> int | None:
        if self.schedule:
            return self.schedule[0]
        return self.initial_batch_size


def parse_schedule(text: str) -> tuple[int, ...]:
    """``"256,192,128,64"`` -> ``(256, 192, 128, 64)``; a clear PolicyError otherwise."""
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise PolicyError(f"--schedule must be comma-separated integers, got {text!r}") from None
    if not sizes:
        raise PolicyError("--schedule is empty")
    return sizes


def next_batch_size(policy: Policy, failed_size: int) -> int | None:
    """The size after ``failed_size`` ran out of memory, or None when there is none left.

    With a schedule: the first scheduled size below the failed one. With a backoff: the
    failed size times the factor, rounded down, always at least one smaller. Either way
    never below ``min_batch_size``.
    """
    if policy.schedule:
        candidates = [s for s in policy.schedule if s < failed_size]
        size = candidates[0] if candidates else None
    else:
        size = min(int(failed_size * policy.backoff), failed_size - 1)
    if size is None or size < policy.min_batch_size:
        return None
    return size


Action = Literal["relaunch", "give_up", "fail", "succeed", "ignore"]


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str
    batch_size: int | None = None  # for "relaunch": the next size


def decide_on_oom(
    policy: Policy, oom: OutOfMemory, current_size: int | None, attempts_used: int
) -> Decision:
    """React to an OOM read from the current attempt's logs.

    ``ignore``: not a reason to stop the job (recovered, e.g. an automatic batch search).
    ``fail``: fatal, but no smaller batch can cure it: let the job end, do not relaunch.
    ``relaunch`` / ``give_up``: fatal and a smaller batch helps; the limits decide.
    """
    if not oom.fatal:
        return Decision("ignore", f"recovered {oom.kind} OOM ({oom.origin}): no action")
    if oom.kind == "host" and not oom.batch_helps:
        return Decision("fail", "host (CPU RAM) out of memory: a smaller GPU batch will not help")
    if not oom.batch_helps:
        return Decision(
            "fail",
            "GPU OOM outside the batch's work (loading or saving weights, a fixed memory pool):"
            " a smaller batch size will not help",
        )
    # the one host memory the batch fills: vLLM's CPU swap space for preempted sequences
    what = "GPU out of memory" if oom.kind == "gpu" else f"host memory of the batch ({oom.origin})"
    if current_size is None:
        return Decision("fail", f"{what}, but the batch size of this job is unknown")
    return _relaunch_or_give_up(policy, current_size, attempts_used, what)


def _relaunch_or_give_up(
    policy: Policy, current_size: int, attempts_used: int, what: str
) -> Decision:
    if attempts_used >= policy.max_attempts:
        return Decision(
            "give_up",
            f"{what} at batch size {current_size}; "
            f"max attempts ({policy.max_attempts}) reached",
        )
    size = next_batch_size(policy, current_size)
    if size is None:
        limit = (
            f"no smaller size in the schedule {','.join(map(str, policy.schedule))}"
            if policy.schedule and current_size <= min(policy.schedule)
            else f"next size would be below --min-batch-size {policy.min_batch_size}"
        )
        return Decision("give_up", f"{what} at batch size {current_size}; {limit}")
    return Decision(
        "relaunch", f"{what} at batch size {current_size}; relaunching with {size}", size
    )


def decide_on_exit(exit_code: int | None, oom_decision: Decision | None) -> Decision:
    """The attempt's process (or SLURM job) ended: what does the run do now?

    ``oom_decision`` is the decision already taken on an OOM of this attempt, if any:
    an attempt stopped for a curable OOM keeps that decision whatever its exit code.
    """
    if oom_decision is not None and oom_decision.action in ("relaunch", "give_up"):
        return oom_decision
    if exit_code == 0:
        return Decision("succeed", "exited 0")
    why = "exit code unknown" if exit_code is None else describe_exit(exit_code)
    if oom_decision is not None and oom_decision.action == "fail":
        return Decision("fail", f"{oom_decision.reason} ({why})")
    return Decision("fail", f"{why}, no GPU OOM in its logs: not relaunched")


def describe_exit(code: int) -> str:
    """``exited 1`` / ``killed by signal 9`` (negative codes are signals, as subprocess says)."""
    if code < 0:
        return f"killed by signal {-code}"
    if code > 128 and code - 128 < 65:
        return f"exited {code} (signal {code - 128}?)"
    return f"exited {code}"


def decide_on_stall(
    policy: Policy,
    current_size: int | None,
    attempts_used: int,
    diagnosis: str,
    same_place_as_last: bool,
) -> Decision:
    """The attempt made no progress for --stall-timeout: relaunch at the SAME batch size (a
    stall is not an OOM) unless the limits forbid it or it stalled at the same place as the
    attempt before it (a relaunch did not help once; it will not help twice)."""
    what = f"no progress: {diagnosis}"
    if same_place_as_last:
        return Decision(
            "give_up", f"{what}; the attempt before stalled at the same place: not relaunched"
        )
    if attempts_used >= policy.max_attempts:
        return Decision("give_up", f"{what}; max attempts ({policy.max_attempts}) reached")
    at = f" at batch size {current_size}" if current_size is not None else ""
    return Decision("relaunch", f"{what}; relaunching{at}", current_size)


#: --relaunch-on / --requeue-on names -> the attempt outcome they cover
RELAUNCH_CAUSES = {
    "server-died": "server_died",
    "timeout": "timeout",
    "preempted": "preempted",
    "node-fail": "node_fail",
}


def parse_causes(text: str, allowed: tuple[str, ...], flag: str) -> frozenset[str]:
    """``"timeout,preempted"`` -> outcomes; a clear PolicyError for an unknown name."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise PolicyError(f"{flag} takes {','.join(allowed)} (comma-separated), got {text!r}")
    return frozenset(RELAUNCH_CAUSES[n] for n in names)


def decide_on_cause(
    policy: Policy,
    cause: str,
    text: str,
    current_size: int | None,
    attempts_used: int,
    wanted: frozenset[str],
    same_as_last: bool,
) -> Decision:
    """The attempt ended for a reason outside the job (its server died, SLURM's time limit,
    preemption, node failure): relaunch at the SAME batch size if the user asked for it
    (--relaunch-on / --requeue-on), within --max-attempts."""
    if cause not in wanted:
        flag = "--relaunch-on server-died" if cause == "server_died" else "--requeue-on"
        return Decision("fail", f"{text}: not relaunched (see {flag})")
    if same_as_last:
        return Decision("give_up", f"{text}; the attempt before ended the same way: not "
                        "relaunched again")
    if attempts_used >= policy.max_attempts:
        return Decision("give_up", f"{text}; max attempts ({policy.max_attempts}) reached")
    at = f" at batch size {current_size}" if current_size is not None else ""
    return Decision("relaunch", f"{text}; relaunching{at}", current_size)
