"""What an lm-eval run's work is: its tasks, their documents, and its requests per type.

lm-eval states all of it in its own output (``shared/notes/lm-eval-facts.md``):

* ``Building contexts for T on rank 0...`` and then an unlabelled bar ``0/150`` that counts
  T's documents (after ``--limit``);
* ``T: Using gen_kwargs: {...}`` for every task that generates (``generate_until``); the
  other tasks score choices (``loglikelihood``, or ``loglikelihood_rolling``);
* ``Running <type> requests``: the request bars that follow serve that type;
* ``Checking cached requests 0/600`` (with ``--use_cache``): the type's requests in all;
  ``Cached requests: X, Requests remaining: Y``: how many of them the cache already held;
  ``Tokenizing inputs 0/600``: the loglikelihood requests to send.

From these a request rate becomes a documents rate: a type's documents over its requests
(hellaswag: 4 requests per document). Whatever is missing stays unknown (``None``), never
guessed. Events read from a file's history (tail-first reading) arrive after newer ones;
the "what comes next" bookkeeping (stage, contexts bar) is kept apart for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evalmon.events import CacheStatus, LmEvalStage, LmEvalTask, Progress
from evalmon.state.model import BarView, TaskView, WorkRate

GENERATE = "generate_until"
#: lm-eval's request types, in the order its docs list them
REQUEST_TYPES = ("loglikelihood", "loglikelihood_rolling", GENERATE)
MAX_TASKS = 2000


def request_type_of_stage(kind: str) -> str:
    """``Running multiple_choice requests`` (older lm-eval) sends loglikelihood requests."""
    return "loglikelihood" if kind == "multiple_choice" else kind


@dataclass(slots=True)
class TypeCounts:
    """Requests of one type, as lm-eval stated them (None: not stated)."""

    built: int | None = None  # all requests of the type (``Checking cached requests`` total)
    cached: int | None = None  # answered from ``--use_cache``: never served
    remaining: int | None = None  # sent to the model (``Requests remaining`` / tokenizing total)

    @property
    def total(self) -> int | None:
        if self.built is not None:
            return self.built
        if self.remaining is not None:
            # no cache line: no --use_cache, every request of the type is sent
            return self.remaining + (self.cached or 0)
        return None

    @property
    def to_send(self) -> int | None:
        if self.remaining is not None:
            return self.remaining
        if self.built is not None and self.cached is not None:
            return self.built - self.cached
        return None


@dataclass(slots=True)
class WorkTracker:
    """lm-eval's statements about a run's work, gathered from all the run's files."""

    docs: dict[str, int] = field(default_factory=dict)  # task -> documents
    tasks: list[str] = field(default_factory=list)  # in lm-eval's order
    generation: set[str] = field(default_factory=set)  # tasks that generate
    built: set[str] = field(default_factory=set)  # tasks whose contexts were built
    types: dict[str, TypeCounts] = field(default_factory=dict)  # in order of first run
    #: (file, history) -> the request type being run / the task whose contexts bar is next
    stage: dict[tuple[str, bool], str] = field(default_factory=dict)
    contexts_for: dict[tuple[str, bool], str] = field(default_factory=dict)

    # ------------------------------------------------------------------ ingest

    def task(self, file: str, event: LmEvalTask, history: bool) -> None:
        if event.task not in self.tasks:
            if len(self.tasks) >= MAX_TASKS:
                return
            self.tasks.append(event.task)
        if event.what == "generate_until":
            self.generation.add(event.task)
            return
        if event.task not in self.built:
            # lm-eval names generation tasks first, then builds every task in its order
            self.built.add(event.task)
            self.tasks.remove(event.task)
            self.tasks.append(event.task)
        self.contexts_for[(file, history)] = event.task

    def stage_started(self, file: str, event: LmEvalStage, history: bool) -> None:
        kind = request_type_of_stage(event.request_type)
        self.stage[(file, history)] = kind
        self.contexts_for.pop((file, history), None)
        self.types.setdefault(kind, TypeCounts())

    def cache(self, file: str, event: CacheStatus, history: bool) -> None:
        kind = self.stage.get((file, history))
        if kind is not None:
            counts = self.types.setdefault(kind, TypeCounts())
            counts.cached, counts.remaining = event.cached, event.remaining

    def progress(self, file: str, update: Progress, history: bool) -> str | None:
        """Learn from a set-up bar; returns the request type being run in ``file``."""
        key = (file, history)
        if update.desc == "":
            task = self.contexts_for.get(key)
            if task is not None and update.total is not None and update.total >= 0:
                self.docs[task] = int(update.total)
            return self.stage.get(key)
        self.contexts_for.pop(key, None)
        kind = self.stage.get(key)
        if kind is None or update.total is None:
            return kind
        counts = self.types.setdefault(kind, TypeCounts())
        if update.desc == "Checking cached requests":
            counts.built = int(update.total)
        elif update.desc == "Tokenizing inputs" and counts.remaining is None:
            counts.remaining = int(update.total)
        return kind

    # ------------------------------------------------------------------ answers

    def stages_without_bar(self, request_bars: Sequence[BarView]) -> list[str]:
        """The request types lm-eval announced (``Running <type> requests``) that no request
        bar has served yet and that have requests to send (the cache may have held them all)."""
        served = {b.request_type for b in request_bars}
        return [
            kind
            for kind, counts in self.types.items()
            if kind not in served and counts.to_send != 0
        ]

    def tasks_of(self, kind: str | None) -> tuple[str, ...] | None:
        """The tasks whose requests are of ``kind`` (None: lm-eval did not say).

        Generation tasks name themselves; the others share the one scoring type that ran. A
        run that ran both ``loglikelihood`` and ``loglikelihood_rolling`` does not say which
        task sent which: unknown.
        """
        if not self.tasks:
            return None
        if kind == GENERATE:
            return tuple(t for t in self.tasks if t in self.generation)
        scoring = {k for k in self.types if k != GENERATE}
        if kind is None:
            # a request bar with no "Running ... requests" line before it
            if len(self.types) > 1 or self.generation:
                return None
        elif len(scoring) > 1 or (GENERATE in self.types and not self.generation):
            return None  # which task sent which type is not in the log
        return tuple(t for t in self.tasks if t not in self.generation)

    def docs_of(self, kind: str | None) -> int | None:
        """Documents of the tasks of ``kind``, when every one of them was counted."""
        tasks = self.tasks_of(kind)
        if not tasks or any(t not in self.docs for t in tasks):
            return None
        return sum(self.docs[t] for t in tasks)

    def counts(self, kind: str | None) -> TypeCounts:
        return self.types.get(kind, TypeCounts()) if kind is not None else TypeCounts()

    def all_docs(self) -> int | None:
        """Documents of every task, when every task was counted."""
        if not self.tasks or any(t not in self.docs for t in self.tasks):
            return None
        return sum(self.docs[t] for t in self.tasks)

    def task_type(self, task: str) -> str | None:
        if task in self.generation:
            return GENERATE
        scoring = [k for k in self.types if k != GENERATE]
        if len(scoring) == 1 and (self.generation or GENERATE not in self.types):
            return scoring[0]
        return None

    def request_counts(self, kind: str | None) -> tuple[int, ...]:
        """Request counts lm-eval stated for ``kind``'s bars: what a bar that counts batches
        may have sent (its last batch may be partial)."""
        counts = self.counts(kind)
        found = [c for c in (counts.to_send,) if c is not None]
        if kind == GENERATE and counts.cached in (None, 0):
            docs = self.docs_of(kind)  # one generation per document (lm-eval's repeats: 1)
            if docs is not None:
                found.append(docs)
        return tuple(found)


def bar_request_type(desc: str, stage: str | None) -> str | None:
    """``Running generate_until requests`` names its type; ``Requesting API`` serves the
    type of the last ``Running ... requests`` line."""
    if desc.startswith("Running ") and desc.endswith(" requests"):
        return request_type_of_stage(desc[len("Running ") : -len(" requests")])
    return stage


@dataclass(frozen=True, slots=True)
class WorkFigures:
    """A run's rates, named: requests/s and documents/s, per request type and in all."""

    rates: tuple[WorkRate, ...] = ()
    tasks: tuple[TaskView, ...] = ()
    requests_done: float | None = None
    requests_per_s: float | None = None
    docs_done: float | None = None
    docs_per_s: float | None = None
    done_fraction: float | None = None
    early: bool = False


def _ratio(docs: int | None, requests: int | None) -> float | None:
    """Documents per request of a type (hellaswag: 0.25)."""
    if docs is None or not requests:
        return None
    return docs / requests


def work_figures(bars: Sequence[BarView], work: WorkTracker) -> WorkFigures:
    """The run's rates from its request bars (requests served, never cached ones) and what
    lm-eval said about its tasks."""
    request_bars = [b for b in bars if b.is_request_bar and b.samples_done is not None]
    # every type lm-eval ran, in its order: one the cache answered whole has no request bar
    kinds: list[str | None] = list(work.types)
    for b in request_bars:
        if b.request_type not in kinds:
            kinds.append(b.request_type)
    rates: list[WorkRate] = []
    for kind in kinds:
        mine = [b for b in request_bars if b.request_type == kind]
        done = sum(b.samples_done or 0.0 for b in mine)
        seconds = sum(b.seconds or 0.0 for b in mine)
        rps = done / seconds if (done and seconds > 0) else None
        counts = work.counts(kind)
        total = _requests_total(mine, work, kind)
        docs_total = work.docs_of(kind)
        ratio = _ratio(docs_total, total)
        measured = [b for b in mine if b.samples_per_s is not None]
        rates.append(
            WorkRate(
                request_type=kind,
                tasks=work.tasks_of(kind),
                requests_total=total,
                requests_cached=counts.cached,
                requests_done=done,
                docs_total=docs_total,
                docs_done=done * ratio if ratio is not None else None,
                seconds=seconds or None,
                requests_per_s=rps,
                docs_per_s=rps * ratio if (rps is not None and ratio is not None) else None,
                finished=all(b.finished for b in mine) if mine else counts.to_send == 0,
                early=bool(measured) and all(b.early for b in measured),
            )
        )
    done = sum(r.requests_done or 0.0 for r in rates) if request_bars else None
    served = [r for r in rates if r.requests_done]
    # a bar that served nothing (it failed on its first batch) is no measurement of speed
    seconds = sum(r.seconds or 0.0 for r in served)
    rps = done / seconds if (done and seconds > 0) else None
    docs_known = bool(served) and all(r.docs_done is not None for r in served)
    docs_done = sum(r.docs_done or 0.0 for r in served) if docs_known else None
    measured = [b for b in request_bars if b.samples_per_s is not None]
    return WorkFigures(
        rates=tuple(rates),
        tasks=tuple(TaskView(t, work.task_type(t), work.docs.get(t)) for t in work.tasks),
        requests_done=done,
        requests_per_s=rps,
        docs_done=docs_done,
        docs_per_s=docs_done / seconds if (docs_done is not None and seconds > 0) else None,
        done_fraction=_done_fraction(request_bars, work),
        early=bool(measured) and all(b.early for b in measured),
    )


def _requests_total(mine: Sequence[BarView], work: WorkTracker, kind: str | None) -> int | None:
    """The type's requests in all: as lm-eval stated them, else from its request bars (a bar
    that counts requests; one that counts batches when a stated count fits its last batch)."""
    counts = work.counts(kind)
    if counts.total is not None:
        return counts.total
    if not mine or not all(b.total for b in mine):
        return None
    cached = counts.cached or 0
    if all(b.counts == "requests" for b in mine):
        return int(sum(b.total or 0 for b in mine)) + cached
    per = {b.samples_per_unit for b in mine}
    if len(per) != 1 or not all(b.counts == "batches" for b in mine):
        return None
    size = per.pop()
    batches = sum(b.total or 0 for b in mine)
    fits = [c for c in work.request_counts(kind) if (batches - 1) * size < c <= batches * size]
    return fits[-1] + cached if fits else None


def _done_fraction(request_bars: Sequence[BarView], work: WorkTracker) -> float | None:
    """Documents done over the run's documents when lm-eval counted them (cached requests are
    done too); else the request bars' own counts."""
    all_docs = work.all_docs()
    if all_docs and work.types:
        done_docs = 0.0
        for kind, counts in work.types.items():
            mine = [b for b in request_bars if b.request_type == kind]
            served = sum(b.samples_done or 0.0 for b in mine)
            total = _requests_total(mine, work, kind)
            ratio = _ratio(work.docs_of(kind), total)
            if ratio is None:
                break
            done_docs += ((counts.cached or 0) + served) * ratio
        else:
            return min(1.0, done_docs / all_docs)
    units = [(b.n * b.samples_per_unit, b.total * b.samples_per_unit) for b in request_bars
             if b.total]
    for kind in work.stages_without_bar(request_bars):
        to_send = work.types[kind].to_send
        if to_send is None:
            return None  # a stage of unknown size has begun: no fraction is true
        units.append((0.0, float(to_send)))
    if not units:
        return None
    total = sum(t for _, t in units)
    return min(1.0, sum(n for n, _ in units) / total) if total else None
