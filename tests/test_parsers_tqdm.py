"""tqdm bars in every shape that reaches a log file (evalmon.parsers.tqdm)."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tqdm import tqdm as real_tqdm

from evalmon.events import Progress
from evalmon.parsers import tqdm as tqdm_parser
from evalmon.parsers.tqdm import CANDIDATE, parse


def P(desc, n, total, unit="it", rate=None, elapsed=None, remaining=None, postfix=""):
    return Progress(
        desc=desc,
        n=n,
        total=total,
        unit=unit,
        rate=rate,
        elapsed_s=elapsed,
        remaining_s=remaining,
        postfix=postfix,
    )


# (segment, expected events): real-looking samples, one shape per row.
CASES: list[tuple[str, list[Progress]]] = [
    # lm-eval local-completions, unicode bar
    (
        "Requesting API:  45%|████▌     | 360/800 [01:12<01:28,  4.98it/s]",
        [P("Requesting API", 360, 800, rate=4.98, elapsed=72, remaining=88)],
    ),
    # s/it is stored as units per second
    (
        "Requesting API:   2%|▏         | 1/50 [00:02<01:38,  2.00s/it]",
        [P("Requesting API", 1, 50, rate=0.5, elapsed=2, remaining=98)],
    ),
    # unknown rate and remaining
    (
        "Requesting API:   0%|          | 0/50 [00:00<?, ?it/s]",
        [P("Requesting API", 0, 50, elapsed=0)],
    ),
    # bar without a description (lm-eval building contexts)
    ("  0%|          | 0/200 [00:00<?, ?it/s]", [P("", 0, 200, elapsed=0)]),
    (
        "100%|██████████| 200/200 [00:00<00:00, 2337.05it/s]",
        [P("", 200, 200, rate=2337.05, elapsed=0, remaining=0)],
    ),
    # unknown total
    ("123it [00:05, 24.1it/s]", [P("", 123, None, rate=24.1, elapsed=5)]),
    (
        "Generating test split: 20 examples [00:00, 5427.76 examples/s]",
        [P("Generating test split", 20, None, unit="examples", rate=5427.76, elapsed=0)],
    ),
    (
        "Generating test split: 0 examples [00:00, ? examples/s]",
        [P("Generating test split", 0, None, unit="examples", elapsed=0)],
    ),
    # postfix: key=value, dict-like, keys with spaces, nested brackets
    (
        "train:  45%|████▌     | 45/100 [00:05<00:06,  9.00it/s, loss=0.3]",
        [P("train", 45, 100, rate=9.0, elapsed=5, remaining=6, postfix="loss=0.3")],
    ),
    (
        "train:  45%|████▌     | 45/100 [00:05<00:06,  9.00it/s, {'loss': 0.3, 'acc': [1, 2]}]",
        [
            P(
                "train",
                45,
                100,
                rate=9.0,
                elapsed=5,
                remaining=6,
                postfix="{'loss': 0.3, 'acc': [1, 2]}",
            )
        ],
    ),
    (
        "eval:  45%|████▌     | 45/100 [00:05<00:06,  9.00it/s, eval loss=0.3, lr=1e-4]",
        [P("eval", 45, 100, rate=9.0, elapsed=5, remaining=6, postfix="eval loss=0.3, lr=1e-4")],
    ),
    # other units; unit_scale with SI-scaled counts and rate
    (
        "Map: 100%|██████████| 1000/1000 [00:00<00:00, 12345.67 examples/s]",
        [P("Map", 1000, 1000, unit="examples", rate=12345.67, elapsed=0, remaining=0)],
    ),
    (
        "Downloading: 27%|██▋       | 12.3M/45.6M [00:05<00:13, 2.46MB/s]",
        [P("Downloading", 12.3e6, 45.6e6, unit="B", rate=2.46e6, elapsed=5, remaining=13)],
    ),
    (
        "100%|██████████| 10/10 [00:00<00:00, 50.12ba/s]",
        [P("", 10, 10, unit="ba", rate=50.12, elapsed=0, remaining=0)],
    ),
    (
        "tokens: 1.23k [00:01, 1.23ktok/s]",
        [P("tokens", 1230, None, unit="tok", rate=1230, elapsed=1)],
    ),
    ("dl: 5MB [00:01, 5.00MB/s]", [P("dl", 5, None, unit="MB", rate=5.0, elapsed=1)]),
    # notebook / ncols=0 form without bar glyphs, ETA hours above 99
    (
        "Running loglikelihood requests:   0% 13/56168 [00:28<31:07:29,  2.00s/it]",
        [
            P(
                "Running loglikelihood requests",
                13,
                56168,
                rate=0.5,
                elapsed=28,
                remaining=31 * 3600 + 7 * 60 + 29,
            )
        ],
    ),
    (
        "big:   1%|          | 5/1000 [1:02:03<123:04:05,  4.50s/it]",
        [
            P(
                "big",
                5,
                1000,
                rate=1 / 4.5,
                elapsed=3723,
                remaining=123 * 3600 + 4 * 60 + 5,
            )
        ],
    ),
    # old ASCII bars (ascii=True, and what tqdm writes to a non-UTF file)
    (
        "eval:  46%|####6     | 46/100 [00:05<00:06,  9.00it/s]",
        [P("eval", 46, 100, rate=9.0, elapsed=5, remaining=6)],
    ),
    (
        "x:  45%|####5     | 45/100 [00:05<00:06,  9.00it/s]",
        [P("x", 45, 100, rate=9.0, elapsed=5, remaining=6)],
    ),
    # colour escapes inside the bar
    (
        " 72%|\x1b[32m#######2  \x1b[0m| 36/50 [00:01<00:00, 30.00it/s]",
        [P("", 36, 50, rate=30.0, elapsed=1, remaining=0)],
    ),
    # position>0 bars carry cursor-up escapes
    (
        "pos:  72%|#######2  | 36/50 [00:01<00:00, 30.00it/s]\x1b[A",
        [P("pos", 36, 50, rate=30.0, elapsed=1, remaining=0)],
    ),
    # glued after other text: no ': ' before the bar -> no description taken from it
    (
        "WARNING something happened 45%|████▌     | 45/100 [00:05<00:05, 9.0it/s]",
        [P("", 45, 100, rate=9.0, elapsed=5, remaining=5)],
    ),
    # a log line glued after the bar (lm-eval warning printed mid-bar)
    (
        "Requesting API:   0%|          | 0/5 [00:00<?, ?it/s]2026-11-24:04:15:59 WARNING  "
        "[models.api_models:521] API request failed! Status code: 500, Response text: boom.",
        [P("Requesting API", 0, 5, elapsed=0)],
    ),
    (
        "x:  45%|████▌     | 45/100 [00:05<00:05, 9.00it/s]2026-11-24:03:08:06 INFO     [x:1] ok",
        [P("x", 45, 100, rate=9.0, elapsed=5, remaining=5)],
    ),
    # an lm-eval log prefix glued before the description is dropped
    (
        "2026-11-24:03:08:06 INFO     [evaluator:589] Running loglikelihood requests:  "
        " 5%|▌         | 5/100 [00:05<01:35,  1.00it/s]",
        [P("Running loglikelihood requests", 5, 100, rate=1.0, elapsed=5, remaining=95)],
    ),
    (
        "[rank0]: Requesting API:  50%|█████     | 1/2 [00:01<00:01, 1.00it/s]",
        [P("Requesting API", 1, 2, rate=1.0, elapsed=1, remaining=1)],
    ),
    # vLLM: a custom bar_format, and a postfix with colons
    (
        "Loading safetensors checkpoint shards: 100% Completed | 4/4 [00:02<00:00,  1.51it/s]",
        [P("Loading safetensors checkpoint shards", 4, 4, rate=1.51, elapsed=2, remaining=0)],
    ),
    (
        "Processed prompts: 100%|██████████| 1000/1000 [00:30<00:00, 33.10it/s, est. speed "
        "input: 1234.56 toks/s, output: 567.89 toks/s]",
        [
            P(
                "Processed prompts",
                1000,
                1000,
                rate=33.1,
                elapsed=30,
                remaining=0,
                postfix="est. speed input: 1234.56 toks/s, output: 567.89 toks/s",
            )
        ],
    ),
    (
        "Downloading readme: 100%|██████████| 7.81k/7.81k [00:00<00:00, 29.6kB/s]",
        [P("Downloading readme", 7810, 7810, unit="B", rate=29600, elapsed=0, remaining=0)],
    ),
    # trailing padding written by tqdm to blank the previous, longer update
    (
        "gen: 36 examples [00:00, 524288.00 examples/s]   ",
        [P("gen", 36, None, unit="examples", rate=524288.0, elapsed=0)],
    ),
    # pipes escaped on the way to the log (a markdown-escaped copy): the description stays
    (
        "Requesting API:  40%\\|████      \\| 20/50 [00:10<00:15,  2.00it/s]",
        [P("Requesting API", 20, 50, rate=2.0, elapsed=10, remaining=15)],
    ),
    (
        "Requesting API:   0%\\|          \\| 0/50 [00:00<?, ?it/s]",
        [P("Requesting API", 0, 50, rate=None, elapsed=0)],
    ),
]

NOT_BARS = [
    # source quoted in a traceback
    '    for x in tqdm(requests, desc="Requesting API", total=n):',
    '  File "/venv/lib/python3.11/site-packages/lm_eval/api_models.py", line 12, in <module>',
    "pbar = tqdm(total=len(requests), desc='Requesting API', disable=(disable_tqdm or rank))",
    # log lines with brackets and times that are not bars
    "2026-11-24:03:08:06 INFO     [evaluator:589] Running loglikelihood requests",
    '127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 200 -',
    "[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]",
    "INFO 05-01 12:00:00 [loggers.py:116] Engine 000: Avg prompt throughput: 0.0 tokens/s",
    "[12:00, done]",
    "took [00:05, fast]",
    "45%|█████| 45/100 [00:05<00:05, fast]",
    "",
    "|",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_table(segment: str, expected: list[Progress]) -> None:
    got = parse(segment)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert isinstance(g, Progress)
        assert (g.desc, g.total is None, g.unit, g.postfix) == (
            e.desc,
            e.total is None,
            e.unit,
            e.postfix,
        )
        assert g.n == pytest.approx(e.n)
        assert g.total == pytest.approx(e.total)
        assert g.elapsed_s == e.elapsed_s
        assert g.remaining_s == e.remaining_s
        assert g.rate == pytest.approx(e.rate)
    assert CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NOT_BARS)
def test_near_misses_give_nothing(segment: str) -> None:
    assert parse(segment) == []


def test_two_bars_in_one_segment_are_both_read() -> None:
    seg = (
        "a:  10%|█         | 1/10 [00:01<00:09, 1.00it/s]"
        "b:  20%|██        | 2/10 [00:02<00:08, 1.00it/s]"
    )
    assert [(p.desc, p.n) for p in parse(seg)] == [("a", 1), ("b", 2)]


# --------------------------------------------------------------------------- real tqdm output


def _segments(text: str) -> list[str]:
    return [s for s in text.replace("\r", "\n").split("\n") if s.strip()]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"desc": "Requesting API", "total": 50},
        {"desc": "x", "total": 50, "ascii": True},
        {"total": 50, "colour": "green"},
        {"desc": "nb", "total": 50, "ncols": 0},
        {"desc": "dl", "total": 45_600_000, "unit": "B", "unit_scale": True},
        {"desc": "gen", "unit": " examples"},
        {"desc": "pos", "total": 50, "position": 1},
        {"desc": "Running loglikelihood requests", "total": 56168},
    ],
)
def test_every_update_written_by_real_tqdm_parses(kwargs: dict) -> None:
    step = 12_300_000 if kwargs.get("unit_scale") else 12
    buf = io.StringIO()
    bar = real_tqdm(file=buf, mininterval=0, miniters=1, **kwargs)
    for _ in range(3):
        bar.update(step)
    bar.set_postfix_str("eval loss=0.2, {'a': [1, 2]}")
    bar.close()
    segments = _segments(buf.getvalue())
    assert len(segments) >= 4
    expected_desc = kwargs.get("desc", "")
    for segment in segments:
        events = parse(segment)
        assert len(events) == 1, segment
        assert events[0].desc == expected_desc
        assert CANDIDATE.search(segment.encode())
    last = parse(segments[-1])[0]
    assert last.n == pytest.approx(3 * step, rel=0.01)
    assert last.postfix == "eval loss=0.2, {'a': [1, 2]}"
    if "total" in kwargs:
        assert last.total == pytest.approx(kwargs["total"], rel=0.01)
    else:
        assert last.total is None


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=10**7),
    extra=st.integers(min_value=0, max_value=10**7),
    has_total=st.booleans(),
    # tqdm measures elapsed with time.time(): 0 or at least microseconds
    elapsed=st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=10**6)),
    unit=st.sampled_from(["it", "B", "examples", " examples", "ba", "tok", "samples"]),
    unit_scale=st.booleans(),
    ascii_bar=st.booleans(),
    desc=st.sampled_from(["", "Requesting API", "Map (num_proc=4)", "eval loss"]),
    postfix=st.sampled_from(["", "loss=0.3", "{'loss': 0.3}", "eval loss=0.3, acc=1"]),
    ncols=st.sampled_from([None, 0]),
)
def test_format_meter_roundtrip(
    n, extra, has_total, elapsed, unit, unit_scale, ascii_bar, desc, postfix, ncols
) -> None:
    """Whatever tqdm's own format_meter prints, parse gives back its numbers."""
    total = n + extra if has_total and n + extra > 0 else None
    text = real_tqdm.format_meter(
        n,
        total,
        elapsed,
        ncols=ncols,
        prefix=desc,
        ascii=ascii_bar,
        unit=unit,
        unit_scale=unit_scale,
        postfix=postfix or None,
    )
    events = parse(text)
    assert len(events) == 1, text
    got = events[0]
    assert got.desc == desc
    assert got.postfix == postfix
    assert got.elapsed_s == float(int(elapsed))
    scaled = unit_scale and n >= 1000
    assert got.n == pytest.approx(n, rel=0.006 if scaled else 0, abs=0 if scaled else 1e-9) or (
        unit_scale and got.n == pytest.approx(n, rel=0.006)
    )
    if total is None:
        assert got.total is None
    else:
        assert got.total == pytest.approx(total, rel=0.006)
    rate = n / elapsed if elapsed else None
    if not rate:
        assert got.rate is None
    else:
        assert got.rate is not None
        assert got.rate == pytest.approx(rate, rel=0.011, abs=0.006), text
    assert got.unit == unit.strip() or (unit_scale and got.unit.endswith(unit.strip()))
    assert CANDIDATE.search(text.encode())


def test_bars_written_by_a_real_process_into_a_log_file(tmp_path: Path) -> None:
    """A child process whose stderr is a file, as under sbatch: ``\r`` updates, then ``\n``."""
    log = tmp_path / "eval.err"
    program = (
        "from tqdm import tqdm\n"
        "for _ in tqdm(range(200), desc='Requesting API', mininterval=0, miniters=1):\n"
        "    pass\n"
        "for _ in tqdm(iter(range(37)), desc='Generating test split', unit=' examples',"
        " mininterval=0):\n"
        "    pass\n"
    )
    with log.open("wb") as err:
        subprocess.run([sys.executable, "-c", program], stderr=err, check=True, timeout=60)
    data = log.read_bytes()
    assert b"\r" in data
    segments = [s.decode() for s in data.replace(b"\r", b"\n").split(b"\n") if s.strip()]
    bars = [e for s in segments for e in parse(s)]
    assert len(bars) == len(segments)  # every update is one bar, nothing else
    requesting = [b for b in bars if b.desc == "Requesting API"]
    assert requesting[-1].n == 200 and requesting[-1].total == 200
    assert [b.n for b in requesting] == sorted(b.n for b in requesting)
    generating = [b for b in bars if b.desc == "Generating test split"]
    assert generating[-1].n == 37 and generating[-1].total is None
    assert generating[-1].unit == "examples"


def test_module_contract() -> None:
    assert tqdm_parser.CANDIDATE.pattern.startswith(b"\\[")
    assert not math.isnan(parse("1/2 [00:01<00:01, 1.00it/s]")[0].n)


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=10**6),
    extra=st.integers(min_value=0, max_value=10**6),
    elapsed=st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=10**5)),
    desc=st.sampled_from(["Requesting API", "Running loglikelihood requests", "eval_1 x", "a.b-c"]),
    ascii_bar=st.booleans(),
)
def test_the_plain_bar_shortcut_agrees_with_the_general_reader(
    n: int, extra: int, elapsed: float, desc: str, ascii_bar: bool
) -> None:
    """parse() reads lm-eval's default bar with one match: it must give exactly what the
    general reader gives, on every bar tqdm itself prints in that shape."""
    from evalmon.parsers.tqdm import parse_any_bar, takes_shortcut

    total = n + extra if n + extra > 0 else 1
    text = real_tqdm.format_meter(min(n, total), total, elapsed, prefix=desc, ascii=ascii_bar)
    assert parse(text) == parse_any_bar(text)
    if n and elapsed >= 1 and total < 10 * n:  # a bar well under way: lm-eval's usual shape
        assert takes_shortcut(text), text


def test_the_plain_bar_shortcut_on_the_table() -> None:
    from evalmon.parsers.tqdm import parse_any_bar

    for segment, _ in CASES:
        assert parse(segment) == parse_any_bar(segment), segment
