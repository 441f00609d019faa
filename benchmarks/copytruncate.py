"""Lines lost to logrotate's ``copytruncate``: evalmon's follower beside ``tail -F``.

A writer appends numbered lines at a steady rate; a rotator copies the file to
``<name>.1`` and truncates it in place, again and again (what ``copytruncate`` does). Lines
written between the copy and the truncation are in neither file: that gap is the method's
own, and the rotator measures it (the file's size at the copy and at the truncation).
Every other line can be seen by a reader. This prints, per truncation, how many lines
each reader missed beyond that unavoidable gap.

    python benchmarks/copytruncate.py [--rate 2000] [--rotations 10] [--every 1.0]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evalmon.events import FileBatch, ServerException
from evalmon.sources.follow import Follower, FollowOptions

# a real Flask error line from Megatron's server: a rare line, parsed with its number
LINE = "[2026-11-24 03:00:02,123] ERROR in app: Exception on /mark/{} [POST]\n"
NUMBER = re.compile(r"/mark/(\d+) ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=2000, help="lines per second")
    parser.add_argument("--rotations", type=int, default=10)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between rotations")
    parser.add_argument("--wake", default="auto", choices=("auto", "poll"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="evalmon-copytruncate-"))
    log = folder / "server.log"
    log.write_text("")
    seen_evalmon: set[int] = set()

    def on_batch(batch: FileBatch) -> None:
        for loc in batch.events:
            if isinstance(loc.event, ServerException):
                seen_evalmon.add(int(loc.event.path.rsplit("/", 1)[1]))

    follower = Follower([str(log)], on_batch, FollowOptions(wake=args.wake))
    follower.start()
    tail = subprocess.Popen(
        ["tail", "-F", "-n", "+1", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen_tail: set[int] = set()

    def read_tail() -> None:
        assert tail.stdout is not None
        for text in tail.stdout:
            m = NUMBER.search(text)
            if m:
                seen_tail.add(int(m.group(1)))

    reader = threading.Thread(target=read_tail, daemon=True)
    reader.start()

    lock = threading.Lock()  # the writer's line number and the file's bytes move together
    written = 0
    stop = threading.Event()

    def write() -> None:
        nonlocal written
        with open(log, "a", buffering=1) as fh:
            next_at = time.monotonic()
            while not stop.is_set():
                with lock:
                    fh.write(LINE.format(written))
                    written += 1
                next_at += 1 / args.rate
                time.sleep(max(0.0, next_at - time.monotonic()))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    lost_to_rotation: set[int] = set()
    file_starts_at = 0  # the number of the file's first line (0, then after each truncation)
    for _ in range(args.rotations):
        time.sleep(args.every)
        copy = folder / "server.log.1"
        shutil.copyfile(log, copy)
        with lock:
            in_copy = file_starts_at + copy.read_text().count("\n")
            with open(log, "r+") as fh:
                lost_to_rotation.update(range(in_copy, written))  # after the copy, before this
                fh.truncate(0)
            file_starts_at = written
    stop.set()
    writer.join()
    deadline = time.monotonic() + 10
    everything = set(range(written)) - lost_to_rotation
    while time.monotonic() < deadline and not (
        everything <= seen_evalmon and everything <= seen_tail
    ):
        time.sleep(0.05)
    follower.stop()
    tail.terminate()
    tail.wait()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"{written} lines at {args.rate}/s, {args.rotations} copytruncates every {args.every}s")
    print(f"  lost by copytruncate itself (between copy and truncate): {len(lost_to_rotation)}")
    for name, seen in (("evalmon follower", seen_evalmon), ("tail -F", seen_tail)):
        missed = len(everything - seen)
        print(f"  {name:<17} missed {missed:>5} other lines  ({missed / args.rotations:.1f} per "
              f"truncation), wake={args.wake if name.startswith('evalmon') else 'inotify'}")


if __name__ == "__main__":
    main()
