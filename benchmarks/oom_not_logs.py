"""OOM precision on text that is not a log: installed packages' sources and docs.

    .venv/bin/python benchmarks/oom_not_logs.py                  # site-packages + /usr/share/doc
    .venv/bin/python benchmarks/oom_not_logs.py DIR [DIR ...]    # other folders

Source code, docs, changelogs and tests of PyTorch, vLLM, lm-eval, transformers... quote every
OOM message there is (in strings, comments, docstrings, tests). Scanned as evalmon scans a log
(``scan_file``), none of it may give an OOM event: each one printed here is a false alarm
that would relaunch a healthy job if a job printed it. Exit status 1 when there is one.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import time

from evalmon.events import OutOfMemory
from evalmon.sources.scan import scan_file

SUFFIXES = (".py", ".md", ".txt", ".rst", ".html", ".yaml", ".json")
MAX_FILE_BYTES = 2_000_000  # generated data files (vocabularies, fixtures) say nothing here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="*",
                        default=[sysconfig.get_paths()["purelib"], "/usr/share/doc"])
    args = parser.parse_args()
    started = time.perf_counter()
    files = scanned = 0
    found: list[tuple[str, int, bool, str]] = []
    for root in args.dirs:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if not name.endswith(SUFFIXES) or not os.path.isfile(path):
                    continue
                if os.path.getsize(path) > MAX_FILE_BYTES:
                    continue
                result = scan_file(path, workers=1)
                files += 1
                scanned += result.bytes
                found += [(path, loc.line, loc.event.fatal, loc.event.message[:100])
                          for loc in result.events if isinstance(loc.event, OutOfMemory)]
    seconds = time.perf_counter() - started
    print(f"  scanned   {files:,} files, {scanned / 1e6:.0f} MB in {seconds:.0f} s "
          f"({', '.join(args.dirs)})")
    fatal = sum(1 for *_, is_fatal, _ in found if is_fatal)
    print(f"  OOM events {len(found)} ({fatal} fatal): target 0")
    for path, line, is_fatal, message in found[:50]:
        print(f"    {'fatal' if is_fatal else 'shown'}  {path}:{line}  {message!r}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
