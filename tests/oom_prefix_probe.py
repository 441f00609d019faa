"""How the OOM verdicts hold when every line of a corpus excerpt carries a log collector's
prefix: ``python -m tests.oom_prefix_probe [NAME ...]``.

A line as a collector stores it (a CI runner's RFC 3339 stamp, journald's date and program,
compose's service column, srun's task label, Ray's actor tag, torchrun's rank) is still the
program's line: the verdict should not change. Printed per prefix: the found fatal OOMs that
are lost, and the texts that report no failure that read as one. Most of the latter are
documents (READMEs, troubleshooting pages, tables) that no collector prefixes.
"""

from __future__ import annotations

import sys

from tests.test_parsers_oom import CORPUS, events

PREFIXES = {
    "compose": "ollama-1  | ",
    "journald": "Aug 31 13:49:48 ubuntu-desktop ollama[2824048]: ",
    "rank": "[rank0]: ",
    "srun": "0: ",
    "ray": "(RayWorkerWrapper pid=3141) ",
    "iso": "2024-05-01T10:00:00.123456789Z ",
    "k8s": "[pod/vllm-0/vllm] ",
    "default0": "[default0]:",
    "torchrun_pid": "[1,0]<stderr>:",
}


def _fatal(text: str) -> bool:
    return any(event.fatal for event in events(text))


def _prefixed(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def main(names: list[str]) -> int:
    found = [e for e in CORPUS if e.verdict == "fatal" and not e.policy and _fatal(e.text)]
    negatives = [e for e in CORPUS if e.verdict != "fatal"]
    for name in names or list(PREFIXES):
        prefix = PREFIXES[name]
        lost = [e.path for e in found if not _fatal(_prefixed(e.text, prefix))]
        alarms = [e.path for e in negatives if _fatal(_prefixed(e.text, prefix))]
        print(
            f"{name:12s} lost {len(lost)}/{len(found)}  false alarms {len(alarms)}/{len(negatives)}"
        )
        for path in alarms:
            print(f"  false alarm: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
