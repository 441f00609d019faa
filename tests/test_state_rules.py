"""One copy of each rule: the speedup reference and the OOM failure live in the state, and
the dashboard and the report read them (and write every figure with evalmon.fmt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalmon import fmt
from evalmon.events import FileBatch, Located, OutOfMemory, Progress
from evalmon.pipeline import replay
from evalmon.report import ReportOptions, build_rows, fmt_ooms, fmt_run_rate, render_markdown
from evalmon.state import EvalState, compare
from evalmon.state.model import OomRecord, RunView, Snapshot, oom_failures
from evalmon.ui.panels.events import event_rows
from evalmon.ui.panels.runs import COLUMNS, run_cells

GIB = 2**30


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    folder = Path(__file__).resolve().parent.parent / "sample_logs"
    return replay([str(folder)]).state.snapshot()


def runs_by_id(snapshot: Snapshot) -> dict[str, RunView]:
    return {r.id: r for r in snapshot.runs}


# --------------------------------------------------------------------------- speedup reference


def test_reference_is_the_slowest_run_that_did_the_same_work(snapshot: Snapshot) -> None:
    runs = runs_by_id(snapshot)
    assert runs["103"].samples_per_s is None  # an OOM on its first request: never the reference
    # 101, 102 and 104 all served hellaswag's 4,000 loglikelihood requests: comparable
    assert len({compare.work_key(runs[i]) for i in ("101", "102", "104")}) == 1
    speedups = compare.speedups(snapshot.runs)
    ratios = {k: compare.ratio(v) for k, v in speedups.items()}
    assert ratios["101"] == pytest.approx(1.0)
    assert ratios["102"] == pytest.approx(7.0, rel=0.05)  # the seed's "7x" for batch 64
    assert speedups["102"].reference == "101"
    assert ratios["103"] is None  # no requests/s, no speedup


def test_a_given_baseline_is_the_reference(snapshot: Snapshot) -> None:
    speedups = compare.speedups(snapshot.runs, 127.0)
    assert compare.ratio(speedups["104"]) == pytest.approx(
        runs_by_id(snapshot)["104"].samples_per_s / 127.0
    )
    assert speedups["104"].reference == "baseline"
    assert speedups["103"] is None


def test_no_rate_anywhere_means_no_speedup() -> None:
    assert compare.speedups(()) == {}
    state = EvalState()
    state.apply_batch(FileBatch("eval-1.out", (Located(1, Progress("Requesting API", 0, 10)),)))
    assert compare.speedups(state.snapshot().runs) == {"1": None}


# --------------------------------------------------------------------------- OOM failures


def oom(line: int, *, file: str = "server-7.log", origin: str = "pytorch", fatal: bool = True,
        rank: int | None = None, gpu: int | None = None, free: float | None = None) -> OomRecord:
    event = OutOfMemory(
        "gpu", origin, "CUDA out of memory", fatal=fatal, bytes_tried=4 * GIB, gpu_index=gpu,
        rank=rank, free_bytes=round(free * GIB) if free is not None else None,
    )
    return OomRecord(file, line, event)


def test_several_ranks_reporting_one_oom_are_one_failure() -> None:
    # tests/test_parsers_oom.py RANKS_INTERLEAVED: each rank reports on its own GPU, its own free
    records = (oom(8, rank=0, gpu=0, free=2.0), oom(9, rank=1, gpu=1, free=2.5))
    (failure,) = oom_failures(records)
    assert failure.records == records and failure.first is records[0]
    assert (failure.gpus, failure.ranks, failure.fatal) == ((0, 1), (0, 1), True)


def test_retried_requests_are_one_failure_and_different_failures_stay_apart() -> None:
    records = (
        oom(27), oom(40), oom(53),  # the same OOM for every retried request
        oom(60, fatal=False),  # a recovered one is another story
        oom(70, origin="cublas"),
        oom(27, file="server-8.log"),  # another file, another process
    )
    failures = oom_failures(records)
    assert [[r.line for r in f.records] for f in failures] == [[27, 40, 53], [60], [70], [27]]
    assert [f.fatal for f in failures] == [True, False, True, True]


def test_the_state_groups_what_it_reads(tmp_path: Path) -> None:
    log = tmp_path / "server-5.log"
    log.write_text(
        "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. "
        "GPU 0 has a total capacity of 79.15 GiB of which 2.00 GiB is free.\n"
        "[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. "
        "GPU 1 has a total capacity of 79.15 GiB of which 2.50 GiB is free.\n"
    )
    (run,) = replay([str(tmp_path)]).state.snapshot().runs
    assert len(run.ooms) == 2
    (failure,) = run.oom_failures
    assert failure.gpus == (0, 1)


def test_dashboard_and_report_count_the_same_failures(snapshot: Snapshot) -> None:
    run = runs_by_id(snapshot)["103"]
    # 4 batches in flight (num_concurrent=4), tried up to 3 times each: 10 reports, 1 failure
    assert len(run.ooms) == 10 and len(run.oom_failures) == 1
    issues = run_cells(run, None)[[k for k, _ in COLUMNS].index("issues")].plain
    assert issues.startswith("1 OOM")
    assert [r.what for r in event_rows(run)].count("OOM") == 1
    assert fmt_ooms(run).startswith("1 (1 fatal, 10 reports, first server-103.log:27)")


# --------------------------------------------------------------------------- one figure, one way


@pytest.mark.parametrize("baseline", [None, 127.0])
def test_dashboard_and_report_print_the_same_figures(snapshot: Snapshot, baseline) -> None:
    keys = [k for k, _ in COLUMNS]
    rows = {row.run.id: row for row in build_rows(snapshot, ReportOptions(baseline=baseline))}
    speedups = compare.speedups(snapshot.runs, baseline)
    markdown = render_markdown(snapshot, ReportOptions(baseline=baseline))
    for run in snapshot.runs:
        cells = [c.plain for c in run_cells(run, speedups[run.id])]
        row = rows[run.id]
        speedup = fmt.speedup(row.speedup)
        rate = fmt_run_rate(run, run.samples_per_s)
        docs = fmt_run_rate(run, run.docs_per_s)
        time_for = fmt.duration(row.time_for_n_s)
        assert cells[keys.index("speedup")] == speedup
        assert cells[keys.index("rate")] == rate
        assert cells[keys.index("docs")] == docs
        assert cells[keys.index("t1000")] == time_for
        assert f"| {rate} | {docs} | {speedup} | {time_for} |" in markdown


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [(None, "-"), (0.0, "-"), (0.00591, "0.0059x"), (0.093, "0.093x"), (0.41, "0.41x"),
     (0.999, "1.0x"), (1.0, "1.0x"), (7.0, "7.0x"), (9.96, "10x"), (16.1, "16x"), (169.3, "169x")],
)
def test_speedup_style(ratio, shown) -> None:
    assert fmt.speedup(ratio) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (-1, "-"), (0.42, "0.4s"), (7.87, "8s"), (85, "1m25s"), (1333, "22m13s"),
     (7500, "2h05m"), (3 * 86400 + 4 * 3600, "3d04h")],
)
def test_duration_style(seconds, shown) -> None:
    assert fmt.duration(seconds) == shown


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(None, "-"), (float("nan"), "-"), (0.012, "0.012"), (0.75, "0.75"), (5.25, "5.25"),
     (11.8, "11.8"), (127.0, "127")],
)
def test_rate_style(rate, shown) -> None:
    assert fmt.rate(rate) == shown


def test_figures_are_ascii() -> None:
    """x and -, not × or –: no ambiguous-width signs in tables, CSV or grep."""
    for text in (fmt.speedup(7.0), fmt.DASH, fmt.duration(1333), fmt.rate(0.75), fmt.percent(0.42)):
        assert text.isascii()
