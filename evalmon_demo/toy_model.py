"""The demo's "language model": it does arithmetic, and gets some of it wrong. Pure.

It answers the bundled tasks' ``Question: What is A op B?\\nAnswer:`` prompts with a belief
that is right for most questions and deterministically off for some (a stable hash of the
question), so lm-eval computes a real, non-trivial accuracy. Loglikelihoods are graded by how
far a continuation is from the belief; greediness holds only for the believed answer.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

_QUESTION = re.compile(r"What is (\d+) ([-+*]) (\d+)\?")
_ANSWER_MARK = "Answer:"
ERROR_PERCENT = 22  # how often the model is wrong, in percent of distinct questions
_UNKNOWN = " I do not know."
_AFTER_ANSWER = "\nQuestion: What is 1 + 1?\nAnswer: 2\n"  # what a base model rambles on with


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def belief(text: str) -> int | None:
    """The model's answer to the last arithmetic question in ``text`` (None: no question)."""
    found = None
    for match in _QUESTION.finditer(text):
        found = match
    if found is None:
        return None
    a, op, b = int(found.group(1)), found.group(2), int(found.group(3))
    value = a + b if op == "+" else a - b if op == "-" else a * b
    h = _stable_hash(found.group(0))
    if h % 100 < ERROR_PERCENT:
        value += (1, -1, 10, 2)[(h // 100) % 4]
    return max(0, value)


@dataclass(frozen=True)
class Scored:
    """OpenAI ``logprobs`` for an echoed prompt plus one generated token."""

    tokens: list[str]
    token_logprobs: list[float | None]
    top_logprobs: list[dict[str, float] | None]
    text_offset: list[int]

    def as_json(self) -> dict[str, object]:
        return {
            "tokens": self.tokens,
            "token_logprobs": self.token_logprobs,
            "top_logprobs": self.top_logprobs,
            "text_offset": self.text_offset,
        }


def _context_logprob(piece: str) -> float:
    return -1.0 - (_stable_hash(piece) % 20) / 10.0


def _continuation_penalty(continuation: str, believed: int | None) -> float:
    """Log-probability of the first token of a continuation: best when it is the belief."""
    text = continuation.strip()
    if believed is not None and text == str(believed):
        return -0.05
    try:
        distance = abs(int(text) - believed) if believed is not None else 50
    except ValueError:
        distance = 50
    return -(1.5 + math.log1p(distance))


def score(pieces: list[str], generated: str = "\n") -> Scored:
    """Echo-logprobs for a prompt given as its token texts (``echo=True, max_tokens=1``).

    lm-eval sums ``token_logprobs[ctxlen:-1]``: the continuation's tokens, without the
    generated one at the end. The continuation is whatever follows the last ``Answer:``.
    """
    text = "".join(pieces)
    offsets: list[int] = []
    pos = 0
    for piece in pieces:
        offsets.append(pos)
        pos += len(piece)
    mark = text.rfind(_ANSWER_MARK)
    boundary = mark + len(_ANSWER_MARK) if mark >= 0 else len(text)
    believed = belief(text[:boundary])
    first_cont = next((i for i, off in enumerate(offsets) if off >= boundary), len(pieces))
    continuation = text[boundary:]
    is_belief = believed is not None and continuation.strip() == str(believed)

    logprobs: list[float | None] = []
    tops: list[dict[str, float] | None] = []
    for i, piece in enumerate(pieces):
        if i == 0:
            logprobs.append(None)
            tops.append(None)
        elif i < first_cont:
            lp = _context_logprob(piece)
            logprobs.append(lp)
            tops.append({piece: lp})
        elif i == first_cont:
            lp = _continuation_penalty(continuation, believed)
            logprobs.append(lp)
            # the top token is the believed answer's; equal to this one only if it is the belief
            tops.append({piece: lp} if is_belief else {piece: lp, f" {believed}": -0.05})
        else:
            lp = -0.01 if is_belief else -0.4
            logprobs.append(lp)
            tops.append({piece: lp} if is_belief else {piece: lp, "\n": -0.01})
    logprobs.append(-0.3)
    tops.append({generated: -0.3})
    return Scored(
        tokens=[*pieces, generated],
        token_logprobs=logprobs,
        top_logprobs=tops,
        text_offset=[*offsets, pos],
    )


def complete(text: str) -> str:
    """What the model writes after ``text`` (before stop sequences and max_tokens apply)."""
    believed = belief(text)
    if believed is None:
        return _UNKNOWN + _AFTER_ANSWER
    return f" {believed}{_AFTER_ANSWER}"


def apply_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    """Cut at the earliest stop sequence; True when one was found."""
    cut = min((i for s in stop if s and (i := text.find(s)) >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
