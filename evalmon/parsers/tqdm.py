"""tqdm progress bars as they reach a log file -> :class:`Progress`.

Shapes come from tqdm's own ``format_meter`` (tqdm/std.py):

* with a total:
  ``{desc}: {pct:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate}{postfix}]``
  (``ncols=0`` / notebook fallback drops the bar: ``desc:  45% 360/800 [...]``);
* without a total: ``{desc}: {n_fmt}{unit} [{elapsed}, {rate}{postfix}]``;
* ``rate`` is ``4.98it/s``, ``2.00s/it`` (inverse, when slower than one unit a second),
  ``?it/s`` (unknown) or, with ``unit_scale``, SI-scaled (``1.23kit/s``, ``5.00MB/s``);
* ``elapsed``/``remaining`` come from ``format_interval``: ``MM:SS`` or ``H:MM:SS`` with the
  hours unbounded (``123:04:05``). tqdm never prints days.

Descriptions: the text before ``": "`` that precedes the bar, stripped. When the bar is
glued after other text that does not end in ``":"`` (``WARNING something happened 45%|...``)
the description is ``""``: a glued log line is never taken for one. A leading lm-eval log
prefix (``2026-11-24:03:08:06 INFO     [x:1] ``) or ``[rank0]:`` tag is dropped, and a
description keeps at most its last 200 characters.
"""

from __future__ import annotations

import re
from typing import Any

from evalmon.events import Event, Progress
from evalmon.parsers.lines import LM_EVAL_PREFIX, ascii_re, strip_ansi, to_float

# Every bar has ``[elapsed<`` or ``[elapsed,`` with elapsed = ``M+:SS`` or ``H+:MM:SS``.
CANDIDATE: re.Pattern[bytes] = re.compile(rb"\[\d+:\d\d[<,:]")

_NUM = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?[kMGTPEZY]?"
_TIME = r"\d+:\d\d(?::\d\d)?"
# A postfix may hold one level of brackets: ``{'loss': [0.1, 0.2]}``.
_RATE_AND_POSTFIX = (
    r", (?P<rate>[^,\[\]]{1,60})"
    r"(?:, (?P<postfix>(?:[^\[\]]|\[[^\[\]]*\]){0,2000}))?\]"
)
_TAIL_WITH_ETA = (
    r"\[(?P<elapsed>" + _TIME + r")(?:<(?P<remaining>-?" + _TIME + r"|\?))?" + _RATE_AND_POSTFIX
)
_TAIL_NO_ETA = r"\[(?P<elapsed>" + _TIME + r")" + _RATE_AND_POSTFIX
_WITH_TOTAL = ascii_re(
    # pipes may reach a log escaped (``0%\|###   \|``, a markdown-escaped copy): the bar is
    # the same, and so is its description
    r"(?:(?P<pct>\d{1,4})%(?:\\?\|(?P<bar>[^|]{0,400}?)\\?\|)?)?"
    r" *(?P<n>" + _NUM + r")/(?P<total>" + _NUM + r"|\?) " + _TAIL_WITH_ETA
)
_NO_TOTAL = ascii_re(r"(?<!\S)(?P<n>" + _NUM + r")(?P<unit>[^\[\]\d/:]{1,60}?)? " + _TAIL_NO_ETA)
_RATE = ascii_re(
    r"(?P<value>\?|\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?P<unit>.*)/s"  # 4.98it/s, ?it/s
    r"|(?P<inv>\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?P<inv_prefix>[kMGTPEZY]?)s/(?P<inv_unit>.+)"
)
# format_sizeof output: always three significant digits, then an SI prefix.
_SIZEOF = ascii_re(r"(?:\d\.\d\d|\d\d\.\d|\d{3})[kMGTPEZY]")
_SI = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21, "Y": 1e24}
# Units that tqdm users count in; a leading SI letter before one of these is a prefix.
_BASE_UNITS = frozenset(
    {
        "it",
        "B",
        "b",
        "bit",
        "tok",
        "token",
        "tokens",
        "ex",
        "examples",
        "samples",
        "sample",
        "ba",
        "batch",
        "batches",
        "req",
        "reqs",
        "requests",
        "files",
        "file",
        "rows",
        "docs",
        "lines",
        "steps",
        "step",
        "img",
        "images",
    }
)
_CUSTOM_PERCENT_TAIL = ascii_re(r"\s*\d{1,4}%[^:%|]{0,40}\|$")
_RANK_TAG = ascii_re(r"^\[(?:rank|default)\d+\]:? ?")
_MAX_DESC = 200


# tqdm's default bar as lm-eval writes it, the one most segments are:
# ``Requesting API:  42%|████▏     | 168/400 [01:02<01:26,  2.69it/s]``. Read in one match;
# anything else (units, postfixes, scaled counts, escapes) takes the general path below.
_PLAIN_BAR = ascii_re(
    r"([A-Za-z][A-Za-z0-9 _.-]{0,60}): {1,3}\d{1,3}%\|(?:[ #0-9]|[\u2580-\u259f]){4,100}\|"
    r" {1,3}(\d{1,12})/(\d{1,12}) \[(\d{1,4}:\d\d(?::\d\d)?)<(\d{1,4}:\d\d(?::\d\d)?|\?),"
    r" {1,3}(?:(\d{1,9}\.\d\d|\?)it/s|(\d{1,9}\.\d\d)s/it)\]"
)


def _plain_bar(m: re.Match[str]) -> Progress:
    desc, n, total, elapsed, remaining, rate, inverse = m.groups()
    if inverse is not None:
        value: float | None = 1.0 / float(inverse) if float(inverse) else None
    else:
        value = None if rate == "?" else float(rate)
    return Progress(
        desc=desc.strip(),
        n=float(n),
        total=float(total),
        unit="it",
        rate=value,
        elapsed_s=_seconds(elapsed),
        remaining_s=None if remaining == "?" else _seconds(remaining),
    )


def parse(segment: str) -> list[Event]:
    """Every tqdm bar found in one segment (usually zero or one)."""
    try:
        plain = _PLAIN_BAR.fullmatch(segment)
        if plain is not None:
            return [_plain_bar(plain)]
    except Exception:
        return []
    return parse_any_bar(segment)


def takes_shortcut(segment: str) -> bool:
    """Is ``segment`` lm-eval's default bar, read by :func:`parse` in one match?"""
    return _PLAIN_BAR.fullmatch(segment) is not None


def parse_any_bar(segment: str) -> list[Event]:
    """:func:`parse` without its plain-bar shortcut: what the shortcut must agree with."""
    try:
        if "[" not in segment or ":" not in segment:
            return []
        text = strip_ansi(segment)
        events: list[Event] = []
        pos = 0
        while True:
            found = _next_bar(text, pos)
            if found is None:
                return events
            event, pos = found
            events.append(event)
    except Exception:  # a parser never raises: an odd line is simply not a bar
        return []


def _next_bar(text: str, pos: int) -> tuple[Progress, int] | None:
    with_total = _WITH_TOTAL.search(text, pos)
    no_total = _NO_TOTAL.search(text, pos)
    candidates = [m for m in (with_total, no_total) if m is not None]
    while candidates:
        match = min(candidates, key=lambda m: m.start())
        candidates.remove(match)
        event = _progress(text, match, pos, has_total=match.re is _WITH_TOTAL)
        if event is not None:
            return event, match.end()
        # Not a real bar here: look for the next one of this kind after its start.
        retry = match.re.search(text, match.start() + 1)
        if retry is not None:
            candidates.append(retry)
    return None


def _progress(
    text: str, match: re.Match[str], desc_from: int, *, has_total: bool
) -> Progress | None:
    rate_parsed = _parse_rate(match["rate"].strip())
    if rate_parsed is None:
        return None
    rate_value, rate_prefix, inverse, rate_unit = rate_parsed

    n_text = match["n"]
    total_text = match["total"] if has_total else None
    unit_text = None if has_total else (match["unit"] or "").strip()
    scaled = bool(_SIZEOF.fullmatch(n_text)) or bool(total_text and _SIZEOF.fullmatch(total_text))
    if not has_total and not scaled and n_text[-1:] in _SI:
        # ``5MB [...]`` unscaled: the letter belongs to the unit, not to the number.
        unit_text = n_text[-1] + (unit_text or "")
        n_text = n_text[:-1]

    n = _scaled_number(n_text)
    if n is None:
        return None
    total = None
    if total_text is not None and total_text != "?":
        total = _scaled_number(total_text)
        if total is None:
            return None

    prefix_and_unit = _rate_unit(rate_unit, unit_text, scaled=scaled, inverse=inverse)
    if prefix_and_unit is None:
        return None  # ``123it [..., 4.0B/s]``: the two units disagree, not one bar
    if not inverse:
        rate_prefix, unit = prefix_and_unit
    else:
        unit = rate_unit

    rate: float | None = None
    if rate_value is not None:
        value = rate_value * _SI.get(rate_prefix, 1.0)
        rate = (1.0 / value if value else None) if inverse else value

    elapsed = _seconds(match["elapsed"])
    remaining_text = match["remaining"] if has_total else None
    remaining = None if remaining_text in (None, "?") else _seconds(remaining_text)
    postfix = (match["postfix"] or "").strip()
    start = match.start("pct") if has_total and match["pct"] is not None else match.start()
    return Progress(
        desc=_description(text[desc_from:start]),
        n=n,
        total=total,
        unit=unit or "it",
        rate=rate,
        elapsed_s=elapsed,
        remaining_s=remaining,
        postfix=postfix,
    )


def _rate_unit(
    rate_unit: str, count_unit: str | None, *, scaled: bool, inverse: bool
) -> tuple[str, str] | None:
    """Split an SI prefix off the rate's unit when ``unit_scale`` put one there.

    ``1.00kit/s`` is 1000 it/s under ``unit_scale`` but could be 1 "kit"/s otherwise. The
    count's own unit decides when the bar prints one (``250it [...]``); else a scaled count
    (``12.3M/45.6M``) or a familiar base unit after the letter (``kit`` -> ``it``) does.
    """
    if inverse or not rate_unit:
        return "", rate_unit or (count_unit or "")
    has_prefix = len(rate_unit) > 1 and rate_unit[0] in _SI
    if count_unit:
        if rate_unit == count_unit:
            return "", rate_unit
        if has_prefix and rate_unit[1:].strip() == count_unit:
            return rate_unit[0], count_unit
        return None
    if has_prefix and (
        scaled or (rate_unit[1:].strip() in _BASE_UNITS and rate_unit not in _BASE_UNITS)
    ):
        return rate_unit[0], rate_unit[1:].strip()
    return "", rate_unit


def _parse_rate(text: str) -> tuple[float | None, str, bool, str] | None:
    """(value, SI prefix, inverse?, unit) from ``4.98it/s`` / ``2.00s/it`` / ``?it/s``."""
    match = _RATE.fullmatch(text)
    if match is None:
        return None
    if match["inv"] is not None:
        value = to_float(match["inv"])
        if value is None:
            return None
        return value, match["inv_prefix"], True, match["inv_unit"].strip()
    raw = match["value"]
    value = None if raw == "?" else to_float(raw)
    if raw != "?" and value is None:
        return None
    return value, "", False, match["unit"].strip()


def _scaled_number(text: str) -> float | None:
    if text and text[-1] in _SI:
        base = to_float(text[:-1])
        return None if base is None else base * _SI[text[-1]]
    return to_float(text)


def _seconds(text: str) -> float | None:
    if len(text) == 5 and text[2] == ":" and text.isascii():  # the common ``MM:SS``
        minutes, seconds = text[:2], text[3:]
        if minutes.isdigit() and seconds.isdigit():
            return float(int(minutes) * 60 + int(seconds))
    negative = text.startswith("-")
    parts = text.lstrip("-").split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) < 12 for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return float(-seconds if negative else seconds)


def _description(before: str) -> str:
    before = before.rstrip()
    if before.endswith("|") and "%" in before:
        # A custom bar_format such as vLLM's ``{desc}: {percentage:3.0f}% Completed | {n}/...``
        before = _CUSTOM_PERCENT_TAIL.sub("", before)
    if not before.endswith(":"):
        return ""  # tqdm always writes ``desc: ``; anything else is glued text
    desc = before[:-1].strip()
    if desc[:1].isdigit():
        prefix = LM_EVAL_PREFIX.match(desc)
        if prefix:
            desc = desc[prefix.end() :]
    if desc.startswith("["):
        desc = _RANK_TAG.sub("", desc)
    return desc[-_MAX_DESC:].strip()


# --------------------------------------------------------------------------- \r bursts
# A bar written to a log rewrites its line with ``\r``: a physical line may hold thousands
# of updates of the same bar. The parser parses only the last update of each bar on a line
# (walking its segments backwards); these say which segments a later update supersedes.

# How an update of a bar without description starts: `` 45%|`` or ``123it [``.
UNLABELLED_BAR_START = re.compile(
    rb"[ \t]*\d+(?:%(?:\\?\||\s)|(?:\.\d+)?[kMGTPEZY]?[A-Za-z/]* \[)"
)


def last_update_of_each_bar(
    events: list[Any], seen: set[str], keys: list[bytes]
) -> list[Any]:
    """Drop every Progress of a bar already in ``seen`` (a later update); record new bars.

    ``keys`` gets the bytes a segment of each labelled bar starts with (``desc:``).
    """
    if not any(isinstance(ev, Progress) for ev in events):
        return events
    kept: list[Any] = []
    for ev in reversed(events):
        if isinstance(ev, Progress):
            if ev.desc in seen:
                continue
            seen.add(ev.desc)
            if ev.desc:
                keys.append(ev.desc.encode("utf-8", "replace") + b":")
        kept.append(ev)
    kept.reverse()
    return kept
