"""sample_logs/ tell one story without contradicting themselves, as real lm-eval 0.4.13 and
Megatron's server would have written it (an ML engineer reads the numbers)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from evalmon.pipeline import replay

JOBS = ("101", "102", "103", "104")


def client(sample_logs: Path, job: str) -> str:
    # bytes as written: read_text would turn tqdm's \r into \n
    return (sample_logs / f"eval-{job}.out").read_bytes().decode("utf-8")


def server(sample_logs: Path, job: str) -> str:
    return (sample_logs / f"server-{job}.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("job", JOBS)
def test_the_contexts_bar_counts_the_limit(sample_logs: Path, job: str) -> None:
    text = client(sample_logs, job)
    limit = int(re.search(r"--limit (\d+)", text).group(1))
    assert limit == 1000
    after = text.split("Building contexts for hellaswag", 1)[1]
    last = after.split("\n", 2)[1].rsplit("\r", 1)[-1]  # the bar's final update
    assert f"| {limit}/{limit} [" in last
    # and the dashboard names it for the task: no "(unnamed bar)" anywhere
    [run] = [r for r in replay([str(sample_logs / f"eval-{job}.out")]).state.snapshot().runs]
    names = [bar.label for bar in run.bars]
    assert "(unnamed bar)" not in names and "docs: hellaswag" in names
    docs = next(bar for bar in run.bars if bar.label == "docs: hellaswag")
    assert (docs.n, docs.total) == (limit, limit)


@pytest.mark.parametrize("job", ("101", "102", "104"))
def test_results_are_those_of_1000_documents(sample_logs: Path, job: str) -> None:
    rows = re.findall(r"\|(acc(?:_norm)?)\s*\|↑\s*\|([0-9.]+)\|±\s*\|([0-9.]+)\|",
                      client(sample_logs, job))
    assert {metric for metric, _, _ in rows} == {"acc", "acc_norm"}
    for _, value, stderr in rows:
        p = float(value)
        assert round(p * 1000, 6).is_integer()  # k correct of 1000 documents
        # lm-eval's stderr of the mean over 1000 documents (0.05 would be 100)
        assert float(stderr) == pytest.approx((p * (1 - p) / 999) ** 0.5, abs=1e-4)


def test_the_dataset_is_generated_once_with_hellaswags_real_splits(sample_logs: Path) -> None:
    splits = {job: re.findall(r"Generating (\w+) split: 100%\|[^|]*\| (\d+)/\2 .*?examples/s",
                              client(sample_logs, job)) for job in JOBS}
    assert set(splits["101"]) == {("train", "39905"), ("test", "10003"),
                                  ("validation", "10042")}
    assert all(not splits[job] for job in JOBS[1:])  # the datasets cache has it after 101


def test_four_batches_in_flight_three_attempts_each_and_the_server_agrees(
        sample_logs: Path) -> None:
    """103 runs num_concurrent=4: four batches in flight, queued by Megatron's one-at-a-time
    lock, each tried max_retries=3 times; the first to fail three times ends lm-eval."""
    text = client(sample_logs, "103")
    assert "num_concurrent=4" in text and "max_retries=3" in text
    # tenacity logs "Retry attempt N" before each wait: after attempts 1 and 2, never 3
    assert re.findall(r"Retry attempt (\d+)", text) == ["1"] * 4 + ["2"] * 4
    client_times = [datetime.strptime(t, "%Y-%m-%d:%H:%M:%S") for t in re.findall(
        r"(\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d) WARNING  \[models\.api_models:521\] API request "
        r"failed", text)]
    server_times = [datetime.strptime(t, "%d/%b/%Y %H:%M:%S") for t in re.findall(
        r"\[([^]]+)\] \"POST /completions HTTP/1.1\" 500", server(sample_logs, "103"))]
    assert len(client_times) == 9  # 4 + 4 + the one that ended it
    # one clock: each 500 the client read, the server sent; and one more, a retry the server
    # had already received, failed after lm-eval had died
    assert server_times[:9] == client_times and len(server_times) == 10
    assert server_times[9] >= client_times[-1]


@pytest.mark.parametrize("job", JOBS)
def test_the_server_answers_after_the_client_is_ready(sample_logs: Path, job: str) -> None:
    setup = client(sample_logs, job).split("Requesting API", 1)[0]
    ready = datetime.strptime(max(re.findall(r"^(\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d) ", setup, re.M)),
                              "%Y-%m-%d:%H:%M:%S")
    first_request = datetime.strptime(re.search(
        r"\[([^]]+)\] \"POST", server(sample_logs, job)).group(1), "%d/%b/%Y %H:%M:%S")
    assert ready <= first_request


def test_one_model_on_one_set_of_documents_scores_the_same_in_every_run(
        sample_logs: Path) -> None:
    # a batch size changes the speed, not the loglikelihoods: the finished runs agree
    tables = {job: re.findall(r"\|(acc\S*)\s*\|↑\s*\|([0-9.]+)\|", client(sample_logs, job))
              for job in ("101", "102", "104")}
    assert tables["101"] and tables["101"] == tables["102"] == tables["104"]


def test_the_relaunch_reads_the_cache_of_the_attempt_it_relaunches(sample_logs: Path) -> None:
    # 104 relaunches 103 under evalmon run: one --use_cache for both, as $EVALMON_CACHE is
    caches = {job: re.findall(r"--use_cache (\S+)", client(sample_logs, job)) for job in JOBS}
    assert caches["101"] == caches["102"] == []
    assert caches["103"] == caches["104"] and len(caches["103"]) == 1
    assert f"Using cache at {caches['104'][0]}_rank0.db" in client(sample_logs, "104")
