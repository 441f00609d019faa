"""Named rates (issue 12): requests/s and documents/s per request type and task, like with
like, only request bars, cached requests never served, when a run is finished, early
estimates, one rate per bar. The event sequences are those real lm-eval 0.4.13 prints (see
``shared/notes/lm-eval-facts.md``; the slow tests in test_rates_real_lm_eval.py run it)."""

from __future__ import annotations

import pytest

from evalmon import fmt
from evalmon.events import (
    ApiFailure,
    ApiRetrying,
    CacheStatus,
    FileBatch,
    JobState,
    LmEvalStage,
    LmEvalTask,
    Located,
    OutOfMemory,
    Progress,
    ResultRow,
    ResultsTableStart,
    RetryAttempt,
    RunConfig,
    ServerTraffic,
)
from evalmon.parsers.stream import LogParser
from evalmon.state import EvalState, compare
from evalmon.state.model import RunView


def feed(state: EvalState, path: str, *events: object) -> None:
    state.apply_batch(FileBatch(path, tuple(Located(i + 1, e) for i, e in enumerate(events))))


def config(batch: int, concurrent: int, source: str = "init") -> RunConfig:
    return RunConfig(model_type="local-completions", model="m", batch_size=str(batch),
                     num_concurrent=concurrent, source=source)


def bar(desc: str, n: float, total: float | None, elapsed: float, rate: float | None = None,
        unit: str = "it") -> Progress:
    return Progress(desc=desc, n=n, total=total, unit=unit, rate=rate, elapsed_s=elapsed)


def contexts(task: str, docs: int) -> list[object]:
    """``Building contexts for T on rank 0...`` and its unlabelled bar over T's documents."""
    return [LmEvalTask(task, "contexts", 0), bar("", 0, docs, 0.0), bar("", docs, docs, 0.0, 900)]


def two_tasks(concurrent: int, batch: int = 64, *, cached_ll: int = 0) -> list[object]:
    """demo_arith_choice (150 docs, 4 choices: 600 loglikelihood requests) and demo_arith_gen
    (400 docs, one generation each), as lm-eval runs them with --use_cache."""
    ll_sent = 600 - cached_ll
    per = batch if concurrent > 1 else 1
    events: list[object] = [
        config(batch, concurrent),
        LmEvalTask("demo_arith_gen", "generate_until"),
        *contexts("demo_arith_choice", 150),
        *contexts("demo_arith_gen", 400),
        LmEvalStage("loglikelihood"),
        bar("Checking cached requests", 600, 600, 0.0, 7000),
        CacheStatus(cached=cached_ll, remaining=ll_sent),
    ]
    if ll_sent:
        units = -(-ll_sent // per)
        events += [bar("Tokenizing inputs", ll_sent, ll_sent, 0.0, 13000),
                   bar("Requesting API", 0, units, 0.0), bar("Requesting API", units, units, 15.0)]
    units = -(-400 // per)
    events += [
        LmEvalStage("generate_until"),
        bar("Checking cached requests", 400, 400, 0.0, 7000),
        CacheStatus(cached=0, remaining=400),
        bar("Requesting API", 0, units, 0.0),
        bar("Requesting API", units, units, 10.0),
    ]
    return events


def run_of(*events: object, path: str = "eval-1.err") -> RunView:
    state = EvalState()
    feed(state, path, *events)
    (run,) = state.snapshot().runs
    return run


# --------------------------------------------------------------------------- units


def test_requests_and_documents_per_request_type_and_task():
    run = run_of(*two_tasks(concurrent=1))
    ll, gen = run.rates
    assert (ll.request_type, ll.tasks, ll.requests_total, ll.docs_total) == (
        "loglikelihood", ("demo_arith_choice",), 600, 150)
    assert (gen.request_type, gen.tasks, gen.requests_total, gen.docs_total) == (
        "generate_until", ("demo_arith_gen",), 400, 400)
    # tqdm's 00:15 is 15 <= t < 16: the midpoint
    assert ll.requests_per_s == pytest.approx(600 / 15.5)
    assert ll.docs_per_s == pytest.approx(150 / 15.5)  # 4 requests per document
    assert gen.docs_per_s == gen.requests_per_s == pytest.approx(400 / 10.5)
    assert run.requests_per_s == pytest.approx(1000 / 26)
    assert run.docs_per_s == pytest.approx(550 / 26)
    assert (run.requests_done, run.docs_done) == (1000, 550)
    assert [(t.task, t.request_type, t.docs) for t in run.tasks] == [
        ("demo_arith_choice", "loglikelihood", 150), ("demo_arith_gen", "generate_until", 400)]
    assert run.time_for(1000, "docs") == pytest.approx(1000 / (550 / 26))


def test_batches_at_num_concurrent_4_give_the_same_rates_without_a_cache():
    """0/10 batches of 64 for 600 requests: the last batch held 24. Without --use_cache the
    exact counts come from 'Tokenizing inputs' and from the generation task's documents."""
    events = [e for e in two_tasks(concurrent=4)
              if not isinstance(e, CacheStatus) and getattr(e, "desc", "") != "Checking cached "
              "requests"]
    four, one = run_of(*events), run_of(*two_tasks(concurrent=1))
    assert [b.counts for b in four.bars if b.is_request_bar] == ["batches", "batches"]
    assert [r.requests_done for r in four.rates] == [600, 400]  # not 640 and 448
    assert [r.requests_total for r in four.rates] == [600, 400]
    assert four.requests_per_s == pytest.approx(one.requests_per_s)
    assert four.docs_per_s == pytest.approx(one.docs_per_s)
    assert compare.work_key(four) == compare.work_key(one)


def test_cached_requests_are_never_served_and_are_done():
    """The demo's relaunch: the loglikelihood requests all came from the cache."""
    run = run_of(*two_tasks(concurrent=1, cached_ll=600))
    ll, gen = run.rates  # no request bar for loglikelihood: nothing was sent
    assert (ll.requests_done, ll.requests_cached, ll.requests_per_s, ll.finished) == (
        0, 600, None, True)
    assert gen.request_type == "generate_until"
    assert run.requests_done == 400
    assert run.docs_per_s == pytest.approx(400 / 10.5)
    assert run.done_fraction == pytest.approx(1.0)  # 150 cached docs + 400 served
    cached = run_of(*two_tasks(concurrent=1, cached_ll=300))
    ll = cached.rates[0]
    assert (ll.requests_cached, ll.requests_done, ll.requests_total) == (300, 300, 600)
    assert ll.docs_done == pytest.approx(75)  # the served ones' documents


def test_only_request_bars_make_the_rate():
    """A datasets Map bar (examples/s) beside the job's own bar: 33/s summed, 0.06/s real."""
    run = run_of(
        bar("Map", 3000, 3000, 100.0, 30.0, unit="examples"),
        bar("Generating train split", 5000, 5000, 2.0, 2500, unit="examples"),
        bar("Loading checkpoint shards", 4, 4, 20.0),
        bar("eval", 6, 100, 99.5),
        path="job-7.log",
    )
    assert [b.is_request_bar for b in run.bars] == [False, False, False, True]
    assert run.requests_per_s == pytest.approx(0.06, rel=0.01)
    # vLLM offline: "Adding requests" queues the prompts, "Processed prompts" serves them
    vllm = run_of(bar("Adding requests", 800, 800, 0.0, 9000.0),
                  bar("Processed prompts", 800, 800, 40.0), path="job-8.log")
    assert [b.is_request_bar for b in vllm.bars] == [False, True]
    assert vllm.requests_per_s == pytest.approx(800 / 40.5)
    # each bar still has its own one rate, in its own unit
    assert [b.rate_unit for b in run.bars] == ["examples", "examples", "it", "req"]
    assert run.bars[0].rate_per_s == pytest.approx(3000 / 100.5)


# --------------------------------------------------------------------------- like with like


def dead_attempt() -> list[object]:
    """Batch 256: loglikelihood done (600 requests), then the OOM on the first generation."""
    events = [e for e in two_tasks(concurrent=1, batch=256)][:-1]
    return [*events, ApiFailure(500, "boom"), ApiRetrying(),
            OutOfMemory("gpu", "pytorch", "CUDA out of memory", fatal=True)]


def test_a_dead_attempt_is_partial_never_100_percent_and_never_flattered():
    state = EvalState()
    feed(state, "demo/attempt-1.err", *dead_attempt())
    feed(state, "demo/attempt-2.err", *two_tasks(concurrent=1, batch=128, cached_ll=600))
    dead, relaunch = state.snapshot().runs
    assert dead.status == "oom" and dead.partial and not relaunch.partial
    assert fmt.done(dead.done_fraction) == "27%"  # 150 of 550 documents, not "100%"
    assert [r.finished for r in dead.rates] == [True, False]
    # the rate of what it finished: the loglikelihood requests
    assert dead.requests_per_s == pytest.approx(600 / 15.5)
    # 600 loglikelihood requests against 400 generations: nothing to compare
    assert compare.speedups(state.snapshot().runs) == {"1": None, "2": None}
    # and no "time for N" at the rate of its quick requests alone
    assert dead.time_for(1000) is None and relaunch.time_for(1000) is not None


def test_speedups_compare_runs_that_did_the_same_work():
    state = EvalState()
    feed(state, "a/eval-1.err", *two_tasks(concurrent=1))
    slow = [e if getattr(e, "n", 0) == 0 or e.desc != "Requesting API"
            else bar("Requesting API", e.n, e.total, e.elapsed_s * 2 + 1) for e in two_tasks(1)]
    feed(state, "a/eval-2.err", *slow)
    feed(state, "a/eval-3.err", *two_tasks(concurrent=1, cached_ll=300))  # other work
    speedups = compare.speedups(state.snapshot().runs)
    assert speedups["2"].ratio == pytest.approx(1.0) and speedups["2"].reference == "2"
    assert speedups["1"].ratio == pytest.approx((1000 / 26) / (1000 / 53))
    assert speedups["3"] is None


# --------------------------------------------------------------------------- finished


def test_a_job_is_finished_by_its_results_its_summary_or_exit_0():
    running = run_of(*two_tasks(concurrent=1))
    assert running.status == "running"  # every bar complete, but lm-eval prints more
    summary = run_of(*two_tasks(concurrent=1), config(64, 1, source="summary"))
    assert summary.status == "finished"
    exited = run_of(*two_tasks(concurrent=1), JobState("1", "exited", exit_code=0))
    assert exited.status == "finished"
    failed = run_of(*two_tasks(concurrent=1)[:-1], JobState("1", "exited", exit_code=1))
    assert (failed.status, failed.status_reason) == ("failed", "exited 1") and failed.partial


def test_a_stage_announced_after_the_last_bar_is_not_finished():
    """A job that is not lm-eval by its config line, but whose log says ``Running
    loglikelihood requests`` after its generation bar completed (lm-evaluation-harness#1538):
    its next stage has begun, nothing is finished."""
    generated = [LmEvalStage("generate_until"), bar("Processed prompts", 11873, 11873, 935.0)]
    done = run_of(*generated)
    assert (done.status, done.status_reason) == ("finished", "all progress bars complete")
    next_stage = run_of(*generated, LmEvalStage("loglikelihood"))
    assert next_stage.status == "running"
    assert done.done_fraction == 1.0
    assert next_stage.done_fraction is None  # the new stage's size is unknown: not "100%"
    sized = run_of(*generated, LmEvalStage("loglikelihood"), CacheStatus(0, 600))
    assert sized.status == "running"
    assert sized.done_fraction == pytest.approx(11873 / (11873 + 600))
    all_cached = run_of(*generated, LmEvalStage("loglikelihood"), CacheStatus(600, 0))
    assert all_cached.status == "finished"


def test_the_groups_table_is_not_counted_twice():
    row = ResultRow("mmlu", "acc", 0.2295, 0.0035, version="2", filter="none")
    sub = ResultRow("humanities", "acc", 0.2421, 0.0062, version="2", filter="none")
    task = ResultRow("formal_logic", "acc", 0.2857, 0.0404, version="1", filter="none",
                     n_shot="0")
    run = run_of(ResultsTableStart("tasks"), row, sub, task, ResultsTableStart("groups"), row,
                 sub)
    assert [r.task for r in run.results] == ["mmlu", "humanities", "formal_logic"]


# --------------------------------------------------------------------------- estimates


def test_early_estimates_are_marked_until_enough_of_the_bar_passed():
    start = [config(64, 1), LmEvalStage("loglikelihood")]
    first = run_of(*start, bar("Requesting API", 1, 600, 0.0, 5.92))
    assert first.early and first.eta_early
    assert first.bars[-1].eta_s == pytest.approx(599 / 5.92)
    later = run_of(*start, bar("Requesting API", 129, 600, 12.0))
    assert not later.early and not later.eta_early
    assert later.eta_s == pytest.approx((600 - 129) * 12.5 / 129)  # at the rate shown
    dead = run_of(*start, bar("Requesting API", 1, 600, 0.0, 5.92),
                  JobState("1", "exited", exit_code=1))
    assert not dead.early  # an ended run's rate is what it did, not a guess


def test_one_rate_per_bar():
    run = run_of(config(64, 4), LmEvalStage("loglikelihood"), CacheStatus(0, 600),
                 bar("Requesting API", 5, 10, 7.0, 0.76))
    (b,) = run.bars
    # tqdm's own 0.76 it/s (batches, an average of recent updates) is not shown: one rate
    assert b.rate_per_s == b.requests_per_s == pytest.approx(5 * 64 / 7.5)
    assert b.rate_unit == "req"
    assert run.requests_per_s == b.rate_per_s


# --------------------------------------------------------------------------- details


def test_retrying_warnings_are_retries_when_no_retry_attempt_is_logged():
    nc1 = run_of(config(64, 1), ApiFailure(None, "<html>"), ApiRetrying(), ApiRetrying())
    assert nc1.retries == 2 and nc1.api_failures == 1
    nc4 = run_of(config(64, 4), ApiFailure(500, "x"), ApiRetrying(), RetryAttempt(1))
    assert nc4.retries == 1


def test_batch_size_auto_keeps_the_detected_size():
    run = run_of(RunConfig(model_type="hf", batch_size="auto", batch_sizes="16",
                           source="summary"))
    assert run.config.batch_size == "auto" and run.batch_size == 16


def test_escaped_pipes_keep_the_request_bar(tmp_path):
    line = (b"2026-12-02:12:36:55 INFO     [evaluator:589] Running loglikelihood requests\n"
            b"Requesting API:   0%\\|          \\| 0/40 [00:00<?, ?it/s]\r"
            b"Requesting API:  50%\\|#####     \\| 20/40 [00:10<00:10,  2.00it/s]\n")
    parser = LogParser()
    events = [loc.event for loc in [*parser.feed(line), *parser.finish()]]
    run = run_of(config(1, 1), *events)
    assert [b.desc for b in run.bars] == ["Requesting API"]
    assert run.rates[0].request_type == "loglikelihood"
    assert run.requests_per_s == pytest.approx(20 / 10.5)


def test_a_live_bar_of_batches_before_lm_eval_says_its_batch_size():
    """lm-eval prints --batch_size only in its closing summary: live, a bar of batches at
    num_concurrent 4 takes the size from the server's engine calls when they split the stated
    requests into the bar's batches, else the average batch (exact when the bar finishes)."""
    live = [RunConfig(model_type="local-completions", num_concurrent=4, source="init"),
            LmEvalStage("loglikelihood"), CacheStatus(0, 600), bar("Requesting API", 5, 10, 7.0)]
    alone = run_of(*live)
    assert alone.bars[-1].samples_per_unit == pytest.approx(60)  # 600 requests in 10 batches
    assert alone.requests_per_s == pytest.approx(300 / 7.5)
    state = EvalState()
    feed(state, "eval-1.err", *live)
    calls = ServerTraffic(((64, 5),), (64,) * 5)  # five engine calls of 64 prompts
    state.apply_batch(FileBatch("server-1.log", (Located(5, calls),)))
    (run,) = state.snapshot().runs
    assert run.bars[-1].samples_per_unit == 64  # ceil(600 / 64) = 10 batches: it fits
    assert run.requests_per_s == pytest.approx(320 / 7.5)
    done = run_of(*live[:-1], bar("Requesting API", 10, 10, 15.0))
    assert done.requests_done == 600


def test_a_log_read_tail_first_gives_the_same_rates():
    """A big log shows its tail first and its history later: the request bar read live
    learns its request type and documents from lines the history delivers afterwards."""
    events = two_tasks(concurrent=1)
    whole = run_of(*events)
    cut = events.index(LmEvalStage("generate_until")) + 3  # the tail starts in the generations
    state = EvalState()
    state.apply_batch(FileBatch("eval-1.err", tuple(Located(i + 1, e)
                                                    for i, e in enumerate(events[cut:])),
                                relative_lines=True))
    state.apply_batch(FileBatch("eval-1.err", tuple(Located(i + 1, e)
                                                    for i, e in enumerate(events[:cut])),
                                history=True))
    (tail_first,) = state.snapshot().runs
    assert [r.request_type for r in tail_first.rates] == ["loglikelihood", "generate_until"]
    assert tail_first.requests_per_s == pytest.approx(whole.requests_per_s)
    assert tail_first.docs_per_s == pytest.approx(whole.docs_per_s)


def test_a_bare_killed_is_no_oom_when_the_jobs_cgroup_counted_no_oom_kill():
    """bash's ``Killed`` is read as the kernel's OOM kill; evalmon run's launcher, which read
    the job's memory cgroup, says whether one happened: the status and the OOMs follow it."""
    killed = OutOfMemory("host", "kernel", "bash: line 1: 4242 Killed python3 train.py",
                         batch_helps=False, signal_only=True)
    unknown = run_of(killed, JobState("1", "FAILED", exit_code=137))
    assert unknown.status == "oom" and len(unknown.ooms) == 1
    not_oom = run_of(killed, JobState("1", "FAILED", reason="exited 137", exit_code=137,
                                      oom_killed=False))
    assert (not_oom.status, not_oom.status_reason) == ("failed", "exited 137")
    assert not_oom.ooms == ()
    counted = run_of(JobState("1", "FAILED", reason="host (CPU RAM) out of memory: the kernel's "
                              "OOM killer killed 1 process", exit_code=-9, oom_killed=True))
    assert counted.status == "oom" and "OOM killer" in counted.status_reason
    assert (counted.oom_count, not_oom.oom_count, unknown.oom_count) == (1, 0, 1)
    # ...and an OOM the log names in memory words stays one whatever the cgroup counted
    named = OutOfMemory("host", "kernel", "Out of memory: Killed process 4242 (python3)",
                        batch_helps=False)
    assert run_of(named, JobState("1", "FAILED", exit_code=137, oom_killed=False)).status == "oom"
