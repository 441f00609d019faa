"""Progress bars and the requests they stand for.

The exact requests/s of a run comes from the request bars' own counts and elapsed times,
never from the reader's wall clock, so an old log replayed gives the same figure as a live
one. A bar's count is not always a count of requests: lm-eval's ``Requesting API`` bar
counts *batches* when ``num_concurrent > 1`` (0/50 for 800 requests at batch 16) and
*requests* when ``num_concurrent == 1`` (0/800, jumping by 16). See
``shared/notes/lm-eval-facts.md``.

Only request bars make a run's rate. Set-up bars (a datasets ``Map`` or ``Generating test
split``, lm-eval's unlabelled contexts bar, ``Checking cached requests``, ``Tokenizing
inputs``) are shown with their own rate, never summed into it.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass, field

from evalmon.events import Progress, RunConfig
from evalmon.state.model import BarView, parse_int

#: Bars whose count is requests sent to a model: the ones requests/s is computed from.
REQUEST_BAR_DESCS = frozenset(
    {
        "Requesting API",
        "Running loglikelihood requests",
        "Running generate_until requests",
        "Running loglikelihood_rolling requests",
    }
)
#: lm-eval's set-up bars: they count documents or contexts, not requests to the model.
SETUP_BAR_DESCS = frozenset(
    {"", "Generating test split", "Checking cached requests", "Tokenizing inputs", "Map", "Filter"}
)
#: set-up bars of datasets, transformers and hub downloads, by their descriptions' start
_SETUP_DESC = re.compile(
    r"(?:Map|Filter|Generating \w+ split|Loading|Downloading|Download|Fetching|Resolving"
    r"|Extracting|Saving|Casting|Tokeniz\w*|Building|Checking|Preprocessing|Computing checksums"
    r"|Creating|Concatenating|Flattening|Shuffling|Sorting|Writing|Uploading|Verifying"
    # vLLM's queueing bar beside its "Processed prompts", and its warm-up
    r"|Adding requests|Capturing|Compiling|Warming|Warmup)\b",
    re.IGNORECASE,
)
#: units that count data, not requests (datasets' examples and batches, bytes, files)
_SETUP_UNITS = frozenset({"examples", "ex", "ba", "B", "b", "bit", "files", "file", "shards"})
#: a live bar's rate and time left are early estimates until this much of it has passed
EARLY_FRACTION = 0.10
EARLY_SECONDS = 10.0

THROUGHPUT_WINDOW_S = 30.0  # bar-time window for the "current" samples/s
MAX_SERIES_POINTS = 600
MAX_BARS_PER_RUN = 64


@dataclass(slots=True)
class TrackedBar:
    file: str
    desc: str
    latest: Progress
    ordinal: int  # arrival order, to tell the most recent bar
    #: the lm-eval request type being run when the bar started (None: not said)
    request_type: str | None = None
    #: the task whose documents an unlabelled lm-eval bar counts (``Building contexts for T``)
    task: str | None = None
    #: (elapsed_s, n) points of this bar, bounded, for the windowed rate
    points: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=256))

    def starts_new_bar(self, update: Progress) -> bool:
        """A new bar with the same description (lm-eval runs one per request type)."""
        old = self.latest
        if update.total != old.total:
            return True
        if update.n < old.n:
            return True
        return (
            update.elapsed_s is not None
            and old.elapsed_s is not None
            and update.elapsed_s + 1.0 < old.elapsed_s
        )


def is_setup_bar(desc: str, unit: str = "it") -> bool:
    """A bar that prepares data (datasets, tokenizers, downloads, lm-eval's set-up)."""
    return desc in SETUP_BAR_DESCS or unit in _SETUP_UNITS or bool(_SETUP_DESC.match(desc))


def is_request_bar(desc: str, has_request_bars: bool, unit: str = "it") -> bool:
    """Whether a bar's count stands for requests sent to the model.

    Known lm-eval request bars always do. When a log has none of them (another eval
    client), every bar except set-up bars is taken as counting requests.
    """
    if desc in REQUEST_BAR_DESCS:
        return True
    return not has_request_bars and not is_setup_bar(desc, unit)


def samples_per_unit(desc: str, config: RunConfig) -> tuple[str, float | None]:
    """What one unit of a bar's count is worth in requests: ("batches", 16) or ("requests", 1)."""
    if desc == "Requesting API" and (config.num_concurrent or 1) > 1:
        batch = parse_int(config.batch_size)
        return "batches", (float(batch) if batch else None)
    if desc in REQUEST_BAR_DESCS:
        return "requests", 1.0
    return "items", 1.0


def bar_seconds(update: Progress) -> float | None:
    """The best estimate of how long a bar has run, from what tqdm printed.

    tqdm prints elapsed time truncated to whole seconds (``format_interval`` uses
    ``int(t)``), so a printed ``00:08`` means 8 <= t < 9: the midpoint is unbiased, and
    without it an 8-second bar would read up to 12% fast. A bar that ran under two
    seconds is timed better by tqdm's own rate (measured with its sub-second clock).
    """
    elapsed = update.elapsed_s
    from_rate = update.n / update.rate if (update.rate and update.n) else None
    if elapsed is None or (elapsed < 2 and from_rate is not None):
        return from_rate
    return elapsed + 0.5 if float(elapsed).is_integer() else elapsed


def windowed_rate(points: deque[tuple[float, float]], scale: float) -> float | None:
    """Requests/s over the most recent stretch of at least THROUGHPUT_WINDOW_S of bar time.

    Updates may be sparse (a log read whole keeps only a sample of each burst): the window
    then reaches back to the newest point at least the window's length before the last.
    """
    if len(points) < 2:
        return None
    end_t, end_n = points[-1]
    start_t, start_n = points[0]
    for t, n in reversed(points):
        if end_t - t >= THROUGHPUT_WINDOW_S:
            start_t, start_n = t, n
            break
    if end_t - start_t <= 0:
        return None
    return (end_n - start_n) * scale / (end_t - start_t)


def is_early(update: Progress, seconds: float | None, finished: bool) -> bool:
    """Too little of a live bar has passed for its rate to say much: under EARLY_SECONDS of
    bar time, or under EARLY_FRACTION of its total (lm-eval sends its longest requests
    first, and a bar that counts batches moves in big steps)."""
    if finished:
        return False
    if seconds is None or seconds < EARLY_SECONDS:
        return True
    return bool(update.total) and update.n / update.total < EARLY_FRACTION


def batch_size_of(
    batches: float | None, request_counts: tuple[int, ...], engine_batch: int | None
) -> float | None:
    """Requests per batch of a bar that counts batches when the log has not said the batch
    size yet (lm-eval prints it only in its closing summary; ``evalmon run`` knows it).

    The server's largest engine call is the client's batch when it splits the requests into
    the bar's number of batches (a Megatron-like server logs each call's prompts); else the
    stated requests over the batches: the average batch, exact when the bar finishes.
    """
    if not batches:
        return None
    if engine_batch and any(math.ceil(c / engine_batch) == batches for c in request_counts):
        return float(engine_batch)
    return request_counts[0] / batches if request_counts else None


def bar_view(
    bar: TrackedBar,
    config: RunConfig,
    request_bar: bool,
    request_counts: tuple[int, ...] = (),
    engine_batch: int | None = None,
) -> BarView:
    """``request_counts``: request counts lm-eval stated for the bar's type (``Requests
    remaining: Y``, the ``Tokenizing inputs`` total, the documents of a generation task):
    a finished bar that counts batches counts exactly those when one fits its last batch.
    ``engine_batch``: the largest engine call the run's server logged (see
    :func:`batch_size_of`)."""
    p = bar.latest
    counts, scale = samples_per_unit(p.desc, config)
    if counts == "batches" and not scale and request_bar:
        scale = batch_size_of(p.total, request_counts, engine_batch)
    done = p.n * scale if (request_bar and scale) else None
    finished = p.total is not None and p.n >= p.total
    if done is not None and p.total and scale and counts == "batches":
        exact = [r for r in request_counts if (p.total - 1) * scale < r <= p.total * scale]
        if exact and finished:
            done = float(exact[-1])  # the last batch was partial
        elif exact:
            done = min(done, float(exact[-1]))
    seconds = bar_seconds(p)
    # nothing done yet is no measurement (a bar at 0/16 says nothing about speed)
    rate = done / seconds if (done and seconds) else None
    if request_bar:
        own = rate
    elif p.n and seconds:
        own = p.n / seconds
    else:
        own = p.rate
    eta = None
    if not finished and p.total and p.n and seconds:
        eta = (p.total - p.n) * seconds / p.n
    return BarView(
        file=bar.file,
        desc=p.desc,
        n=p.n,
        total=p.total,
        unit=p.unit,
        rate=p.rate,
        elapsed_s=p.elapsed_s,
        remaining_s=p.remaining_s,
        postfix=p.postfix,
        counts=counts,
        samples_per_unit=scale or 1.0,
        samples_done=done,
        samples_per_s=rate,
        is_request_bar=request_bar,
        finished=finished,
        seconds=seconds,
        request_type=bar.request_type if request_bar else None,
        task=bar.task,
        rate_per_s=own,
        eta_s=eta,
        early=is_early(p, seconds, finished),
    )
