"""Regenerates the bundled demo datasets (run once by a developer; the JSONL files are shipped).

    python -m evalmon_demo.tasks.generate_data

Deterministic: the same seed always writes the same files, so the tokenizer trained on them,
the prompt lengths and therefore the simulated memory use of each batch are reproducible.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHOICE_DOCS = 150
GEN_DOCS = 400


def _question(rng: random.Random) -> tuple[str, int]:
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    op = rng.choice("+-*")
    if op == "-" and b > a:
        a, b = b, a
    if op == "*":
        b = rng.randint(2, 12)
    value = a + b if op == "+" else a - b if op == "-" else a * b
    return f"What is {a} {op} {b}?", value


def _distractors(rng: random.Random, value: int) -> list[int]:
    out: list[int] = []
    for delta in rng.sample([-10, -2, -1, 1, 2, 10, 11, -11], 8):
        if len(out) == 3:
            break
        if value + delta >= 0 and value + delta != value:
            out.append(value + delta)
    return out


def choice_docs(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    docs = []
    for i in range(CHOICE_DOCS):
        question, value = _question(rng)
        options = [value, *_distractors(rng, value)]
        rng.shuffle(options)
        docs.append(
            {
                "id": i,
                "question": question,
                "choices": [str(o) for o in options],
                "answer": options.index(value),
            }
        )
    return docs


def gen_docs(seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    docs = []
    for i in range(GEN_DOCS):
        question, value = _question(rng)
        docs.append({"id": i, "question": question, "answer": str(value)})
    return docs


def _write(path: Path, docs: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")


def main() -> None:
    _write(HERE / "arith_choice.jsonl", choice_docs())
    _write(HERE / "arith_gen.jsonl", gen_docs())


if __name__ == "__main__":
    main()
