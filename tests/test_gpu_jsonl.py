"""gpu-<host>.jsonl: round trip, the documented shape, and garbage."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalmon.events import GpuProcess, GpuSample, GpuUnavailable
from evalmon.parsers import gpu_jsonl
from evalmon.parsers.gpu_jsonl import CANDIDATE, parse, to_json_line

SAMPLE = GpuSample(
    host="node7", index=1, name="NVIDIA H100 80GB HBM3", memory_used=71_468_255_232,
    memory_total=85_520_809_984, utilization_pct=97.0, temperature_c=71.0, power_w=612.4,
    power_limit_w=700.0, timestamp=1764000000.25,
    processes=(GpuProcess(4242, 70_000_000_000, "python"), GpuProcess(7, None)),
    uuid="GPU-abc",
)


def test_round_trip_sample_and_unavailable() -> None:
    line = to_json_line(SAMPLE)
    assert "\n" not in line
    assert CANDIDATE.search(line.encode())
    assert parse(line) == [SAMPLE]
    sim = GpuSample(host="laptop", index=0, name="Simulated", memory_used=1, memory_total=2,
                    simulated=True)
    assert parse(to_json_line(sim)) == [sim]
    gone = GpuUnavailable("node8", "NVIDIA driver not loaded")
    line = to_json_line(gone, timestamp=5.0)
    assert json.loads(line) == {"evalmon": "gpu", "v": 1, "host": "node8", "timestamp": 5.0,
                                "unavailable": "NVIDIA driver not loaded"}
    assert parse(line) == [gone]


def test_documented_example_and_nulls() -> None:
    doc = (
        '{"evalmon": "gpu", "v": 1, "host": "node7", "timestamp": 1764000000.25, "index": 0, '
        '"name": "NVIDIA H100 80GB HBM3", "memory_used": null, "memory_total": 85520809984, '
        '"utilization_pct": null, "power_w": 612, "future_field": {"x": 1}}'
    )
    [s] = parse(doc)
    assert (s.host, s.index, s.memory_used, s.memory_total, s.utilization_pct, s.power_w) == (
        "node7", 0, None, 85520809984, None, 612.0)
    assert s.processes == () and s.simulated is False


def test_glued_text_and_wrong_types() -> None:
    line = "2026-11-24 03:00:01 " + to_json_line(SAMPLE) + " trailing"
    assert parse(line) == [SAMPLE]
    bad = {"evalmon": "gpu", "v": 1, "host": 5, "index": 0, "memory_used": "lots",
           "temperature_c": True, "power_w": 1e999, "processes": [{"pid": "x"}, 3, {"pid": 9}],
           "simulated": "yes"}
    [s] = parse(json.dumps(bad).replace("Infinity", "1e999"))
    assert s.host == "?" and s.memory_used is None and s.temperature_c is None
    assert s.power_w is None and s.processes == (GpuProcess(9, None),) and not s.simulated


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json at all",
        '{"evalmon": "gpu"',  # cut off
        '{"evalmon": "gpu", "v": 1, "host": "h"}',  # no index, not unavailable
        '{"evalmon": "gpu", "index": -1}',
        '{"evalmon": "cpu", "index": 0}',
        '["evalmon", "gpu"]',
        '{"evalmon": "gpu", "index": 0, "processes": ' + "[" * 5000 + "]" * 5000 + "}",
        "\x00\x1b[31m{\"evalmon\": \"gpu\"}",
    ],
)
def test_garbage_gives_nothing(text: str) -> None:
    assert parse(text) == []


@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    assert isinstance(parse(text), list)
    assert isinstance(parse('{"evalmon": "gpu", ' + text), list)


def test_module_follows_the_parser_contract() -> None:
    assert CANDIDATE.pattern and gpu_jsonl.parse is parse
    assert CANDIDATE.search(b'{"evalmon":"gpu"}')


def test_a_sample_read_from_a_file_names_the_file_as_its_source() -> None:
    from evalmon.events import FileBatch, Located
    from evalmon.state import EvalState

    state = EvalState()
    line = ('{"evalmon": "gpu", "v": 1, "host": "node7", "timestamp": 1764000000.25, '
            '"index": 0, "memory_used": 1, "memory_total": 2}')
    state.apply_batch(FileBatch("logs/gpu-node7.jsonl",
                                tuple(Located(1, e) for e in parse(line))))
    [gpu] = state.snapshot().gpus
    assert gpu.latest.source == "gpu-log gpu-node7.jsonl"  # the GPU panel's "from" row
