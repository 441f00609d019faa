"""The stall diagnosis and decision are pure: evidence in, words out."""

from __future__ import annotations

import pytest

from evalmon.supervisor.policy import Policy, decide_on_stall
from evalmon.supervisor.stall import StallEvidence, diagnose

T0 = 1_800_000_000.0


def evidence(**changes) -> StallEvidence:
    ev = StallEvidence(launched_at=T0)
    ev.on_progress("bar", 10, "Requesting API 10/50", T0 + 10)
    for key, value in changes.items():
        setattr(ev, key, value)
    return ev


@pytest.mark.parametrize(
    ("setup", "kind", "words"),
    [
        (lambda ev: setattr(ev, "shutdown_at", T0 + 20), "server_down", "server shut down"),
        (lambda ev: ev.on_api_failure(None, "Cannot connect to host x [Connection refused]",
                                      T0 + 20), "server_down", "connection refused x1"),
        (lambda ev: ev.on_5xx(7, T0 + 20), "server_5xx", "HTTP 5xx"),
        (lambda ev: ev.on_api_failure(None, "ReadTimeout", T0 + 20), "client_retrying",
         "client retrying"),
        (lambda ev: setattr(ev, "served_at", T0 + 12), "server_silent", "server not answering"),
        (lambda ev: setattr(ev, "server_wrote_at", T0 + 30), "engine_idle", "engine idle"),
        (lambda ev: setattr(ev, "written_at", T0 + 10), "silent", "nothing written"),
        (lambda ev: setattr(ev, "written_at", T0 + 40), "no_progress", "no bar moved"),
    ],
)
def test_where_it_is_stuck(setup, kind, words) -> None:
    ev = evidence()
    setup(ev)
    diag = diagnose(ev)
    assert diag.kind == kind and words in diag.text
    assert "Requesting API 10/50" in diag.place


def test_progress_clears_the_failures_since() -> None:
    ev = evidence()
    ev.on_api_failure(None, "Connection refused", T0 + 11)
    ev.on_progress("bar", 11, "Requesting API 11/50", T0 + 12)
    assert ev.refused == 0 and diagnose(ev).kind != "server_down"
    ev.on_progress("bar", 11, "Requesting API 11/50", T0 + 30)  # the same n: no progress
    assert ev.progress_at == T0 + 12


def test_a_stall_relaunches_at_the_same_size_within_the_limits() -> None:
    policy = Policy(initial_batch_size=64, max_attempts=3)
    again = decide_on_stall(policy, 64, 1, "nothing written since 03:14:05", False)
    assert (again.action, again.batch_size) == ("relaunch", 64)
    assert decide_on_stall(policy, 64, 3, "x", False).action == "give_up"
    same = decide_on_stall(policy, 64, 2, "x", True)
    assert same.action == "give_up" and "same place" in same.reason
