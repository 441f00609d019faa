"""The relaunch policy: next sizes, limits, and which OOMs may cause a relaunch."""

from __future__ import annotations

import pytest

from evalmon.events import OutOfMemory
from evalmon.parsers.oom import classify
from evalmon.supervisor.policy import (
    Policy,
    PolicyError,
    decide_on_exit,
    decide_on_oom,
    next_batch_size,
    parse_schedule,
)

GPU_OOM = OutOfMemory(kind="gpu", origin="pytorch", message="CUDA out of memory.")


@pytest.mark.parametrize(
    ("policy", "failed", "expected"),
    [
        (Policy(backoff=0.5), 256, 128),
        (Policy(backoff=0.5), 3, 1),
        (Policy(backoff=0.5), 1, None),
        (Policy(backoff=0.75), 256, 192),
        (Policy(backoff=0.99), 10, 9),  # always at least one smaller
        (Policy(backoff=0.5, min_batch_size=100), 256, 128),
        (Policy(backoff=0.5, min_batch_size=129), 256, None),
        (Policy(schedule=(256, 192, 128, 64)), 256, 192),
        (Policy(schedule=(256, 192, 128, 64)), 200, 192),  # first scheduled size below
        (Policy(schedule=(256, 192, 128, 64)), 64, None),
        (Policy(schedule=(256, 192, 128, 64), min_batch_size=100), 128, None),
    ],
)
def test_next_batch_size(policy: Policy, failed: int, expected: int | None) -> None:
    assert next_batch_size(policy, failed) == expected


def test_schedule_parsing_and_validation() -> None:
    assert parse_schedule("256, 192,128,64") == (256, 192, 128, 64)
    with pytest.raises(PolicyError, match="comma-separated"):
        parse_schedule("256,big")
    with pytest.raises(PolicyError, match="decreasing"):
        Policy(schedule=(64, 128)).validate()
    with pytest.raises(PolicyError, match="backoff"):
        Policy(backoff=1.0).validate()
    with pytest.raises(PolicyError, match="max-attempts"):
        Policy(max_attempts=0).validate()
    assert Policy(schedule=(8, 4), initial_batch_size=99).first_batch_size() == 8


def test_fatal_gpu_oom_relaunches_with_next_size() -> None:
    d = decide_on_oom(Policy(max_attempts=3), GPU_OOM, 256, attempts_used=1)
    assert (d.action, d.batch_size) == ("relaunch", 128)
    assert "256" in d.reason and "128" in d.reason


def test_limits_give_up_with_reason() -> None:
    d = decide_on_oom(Policy(max_attempts=2), GPU_OOM, 128, attempts_used=2)
    assert d.action == "give_up" and "max attempts (2)" in d.reason
    d = decide_on_oom(Policy(min_batch_size=64), GPU_OOM, 64, attempts_used=1)
    assert d.action == "give_up" and "--min-batch-size 64" in d.reason
    d = decide_on_oom(Policy(schedule=(256, 128)), GPU_OOM, 128, attempts_used=1)
    assert d.action == "give_up" and "schedule" in d.reason


@pytest.mark.parametrize(
    ("oom", "action", "words"),
    [
        (OutOfMemory("gpu", "pytorch", "m", fatal=False), "ignore", "recovered"),
        (OutOfMemory("host", "kernel", "Killed", batch_helps=False), "fail", "host"),
        (OutOfMemory("gpu", "pytorch", "m", batch_helps=False), "fail", "loading"),
    ],
)
def test_ooms_a_smaller_batch_cannot_cure_never_relaunch(oom, action, words) -> None:
    d = decide_on_oom(Policy(), oom, 256, attempts_used=1)
    assert d.action == action and words in d.reason and d.batch_size is None


def test_unknown_batch_size_cannot_relaunch() -> None:
    assert decide_on_oom(Policy(), GPU_OOM, None, 1).action == "fail"


def test_exit_decisions() -> None:
    assert decide_on_exit(0, None).action == "succeed"
    crash = decide_on_exit(3, None)
    assert crash.action == "fail" and "exited 3" in crash.reason and "no GPU OOM" in crash.reason
    assert "signal 9" in decide_on_exit(-9, None).reason
    oom = decide_on_oom(Policy(), GPU_OOM, 256, 1)
    # killed by our own SIGTERM after the OOM: the OOM decision stands
    assert decide_on_exit(-15, oom) == oom
    load = decide_on_oom(Policy(), OutOfMemory("gpu", "pytorch", "m", batch_helps=False), 8, 1)
    assert decide_on_exit(1, load).action == "fail"


def test_a_host_oom_the_batch_fills_relaunches_smaller() -> None:
    """vLLM's CPU swap space holds preempted sequences' KV blocks: fewer at once fit it, so the
    parser says a smaller batch helps, and the supervisor relaunches as for a GPU OOM."""
    swap = classify("RuntimeError: Aborted due to the lack of CPU swap space. Please increase "
                    "the swap space to avoid this error.", [], [])
    assert swap is not None and (swap.kind, swap.batch_helps) == ("host", True)
    d = decide_on_oom(Policy(), swap, 256, attempts_used=1)
    assert (d.action, d.batch_size) == ("relaunch", 128) and "host memory" in d.reason
    # the kernel's OOM killer takes any process: never a smaller batch
    killed = classify("Killed", [], [])
    assert killed is not None and killed.kind == "host"
    assert decide_on_oom(Policy(), killed, 256, attempts_used=1).action == "fail"
