"""Score a newly collected set of real log excerpts at first sight, before any rule is
written for it: ``python -m tests.oom_first_sight DIR [-v]``.

DIR holds ``<runtime>/<name>.log`` files in the corpus's format (see
:class:`tests.oom_real_lines.Excerpt`). Printed: the strict judge (every detail right), the
fatal OOMs found at all, and the false alarms among the texts that report no failure; with
``-v`` every excerpt's verdict. The README's "at first sight" figures come from this, run on
the commit before the set's rules. ``# policy:`` excerpts are left out of both counts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.oom_real_lines import _read_excerpt
from tests.test_parsers_oom import detected, judge


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.oom_first_sight")
    parser.add_argument("folder", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    root = args.folder.resolve()
    excerpts = [_read_excerpt(p, root) for p in sorted(root.glob("*/*.log"))]
    positives = [e for e in excerpts if e.verdict == "fatal" and not e.policy]
    negatives = [e for e in excerpts if e.verdict != "fatal"]
    strict = sum(not judge(e) for e in positives)
    found = sum(detected(e) for e in positives)
    alarms = [e for e in negatives if judge(e).startswith("false")]
    print(f"{root.name}: strict {strict}/{len(positives)}, found {found}/{len(positives)}, "
          f"false alarms {len(alarms)}/{len(negatives)}")
    for e in positives:
        why = judge(e)
        if why or args.verbose:
            state = "MISS" if not detected(e) else "DETAIL" if why else "ok"
            print(f"  {state} {e.path}: {why}")
    for e in alarms:
        print(f"  FALSE ALARM {e.path}: {judge(e)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # read through `head`: the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)
