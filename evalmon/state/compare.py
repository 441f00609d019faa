"""Speedups: which runs did comparable work, which of them counts as 1x, and each run's
speedup against it.

One rule for the dashboard, the report and ``evalmon run``'s summary. Like is compared only
with like: two runs compare when they served the same work, request type by request type
(loglikelihood, loglikelihood_rolling, generate_until), for the same tasks and the same
number of requests. A type that was partly answered from lm-eval's cache is not the same
work (the cache holds the longest requests, sent first), and neither is a type a run died in
the middle of. A speedup is a ratio of requests/s over that work; the reference (1x) is the
slowest of the runs that did it. A run that did work no other run did has no speedup.

With ``--baseline`` (a requests/s measured elsewhere, the seed's HuggingFace 127), every run
that did not end part way is compared with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evalmon.state.model import RunView, WorkRate

#: one unit of work: (request type, tasks, requests of the type)
WorkUnit = tuple[str | None, tuple[str, ...] | None, int | None]


@dataclass(frozen=True, slots=True)
class Speedup:
    ratio: float
    reference: str  # the run id that counts as 1x, or "baseline"


def _comparable(run: RunView, rate: WorkRate) -> bool:
    if rate.requests_per_s is None or rate.requests_cached:
        return False
    return rate.finished or not run.partial


def work_key(run: RunView) -> frozenset[WorkUnit] | None:
    """The work a run's rate measures; None when it has no comparable rate."""
    units = [r for r in run.rates if _comparable(run, r)]
    if not units or len(units) != len([r for r in run.rates if r.requests_per_s is not None]):
        return None  # part of what it served is not comparable: its rate is not either
    return frozenset((r.request_type, r.tasks, r.requests_total) for r in units)


def speedup(run: RunView, reference: float | None) -> float | None:
    """``run``'s requests/s over ``reference`` (a baseline); None for a run that ended part way
    or either figure unknown."""
    if not run.samples_per_s or not reference or run.partial:
        return None
    return run.samples_per_s / reference


def speedups(runs: Iterable[RunView], baseline: float | None = None) -> dict[str, Speedup | None]:
    """Run id -> its speedup (and what it is against), by the rule above."""
    runs = tuple(runs)
    if baseline:
        out: dict[str, Speedup | None] = {}
        for run in runs:
            ratio = speedup(run, baseline)
            out[run.id] = Speedup(ratio, "baseline") if ratio is not None else None
        return out
    groups: dict[frozenset[WorkUnit], list[RunView]] = {}
    for run in runs:
        key = work_key(run)
        if key is not None and run.samples_per_s:
            groups.setdefault(key, []).append(run)
    result: dict[str, Speedup | None] = {run.id: None for run in runs}
    for group in groups.values():
        if len(group) < 2:
            continue  # nothing else did this work
        slowest = min(group, key=lambda r: r.samples_per_s or 0.0)
        for run in group:
            result[run.id] = Speedup((run.samples_per_s or 0.0) / slowest.samples_per_s, slowest.id)
    return result


def ratio(value: Speedup | None) -> float | None:
    return value.ratio if value is not None else None
