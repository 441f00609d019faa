"""Speedups: which samples/s counts as 1x, and each run's speedup against it.

One rule for the dashboard and the report. Like is compared only with like: a speedup is a
ratio of exact samples/s (samples per second whatever a run's bars count: requests, or
batches of N under ``num_concurrent>1``), so a run with no samples/s yet (nothing finished, an
OOM on its first request) has no speedup and is never the reference. The reference is the
``--baseline`` samples/s when given (the seed's HuggingFace figure, 127), else the slowest run
that has a samples/s.
"""

from __future__ import annotations

from collections.abc import Iterable

from evalmon.state.model import RunView


def reference_rate(runs: Iterable[RunView], baseline: float | None = None) -> float | None:
    """The samples/s that counts as 1x: ``baseline``, else the slowest run with a samples/s."""
    if baseline:
        return baseline
    rates = [r.samples_per_s for r in runs if r.samples_per_s]
    return min(rates) if rates else None


def speedup(run: RunView, reference: float | None) -> float | None:
    """``run``'s samples/s over ``reference`` (None when either is unknown)."""
    if not run.samples_per_s or not reference:
        return None
    return run.samples_per_s / reference


def speedups(runs: Iterable[RunView], baseline: float | None = None) -> dict[str, float | None]:
    """Run id -> speedup against :func:`reference_rate` of the same runs."""
    runs = tuple(runs)
    reference = reference_rate(runs, baseline)
    return {run.id: speedup(run, reference) for run in runs}
