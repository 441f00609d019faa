"""Which run a file belongs to.

A run is the files of one job. SLURM logs carry the job id in their names
(``eval-123.out`` with ``server-123.log``, array tasks ``eval-123_4.out``), so files in
the same folder with the same trailing number are one run; any other file is a run of
its own. ``gpu-<host>.jsonl`` files (written by ``evalmon gpu-log`` or the demo's
simulated GPU) describe devices, not a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

_JOB_ID = re.compile(r"^(?P<prefix>.*?)[-_.](?P<id>\d+(?:_\d+)?)$")
_ROTATION = re.compile(r"(\.[A-Za-z]{2,6})\.\d+$")
_GPU_LOG = re.compile(r"^gpu-.*\.jsonl$")


@dataclass(frozen=True, slots=True)
class RunKey:
    folder: str
    name: str  # the job id, or the file's stem when no id is found


@lru_cache(maxsize=4096)
def is_gpu_log(path: str) -> bool:
    return bool(_GPU_LOG.match(PurePath(path).name))


@lru_cache(maxsize=4096)  # asked for every batch of every file: a handful of paths
def run_key(path: str) -> RunKey:
    """The run of ``path``: same folder and same job id means same run."""
    pure = PurePath(path)
    # drop a rotation number (eval-123.out.1), then the alphabetic suffixes (.out, .log.txt)
    stem = _ROTATION.sub(r"\1", pure.name)
    while (suffix := PurePath(stem).suffix) and suffix[1:].isalpha():
        stem = stem[: -len(suffix)]
    match = _JOB_ID.match(stem)
    name = match.group("id") if match else stem
    return RunKey(folder=str(pure.parent), name=name)


def display_ids(keys: list[RunKey]) -> dict[RunKey, str]:
    """Short ids for display: the job id alone unless two folders share it."""
    by_name: dict[str, list[RunKey]] = {}
    for key in keys:
        by_name.setdefault(key.name, []).append(key)
    shown: dict[RunKey, str] = {}
    for name, same in by_name.items():
        for key in same:
            folder = PurePath(key.folder).name or key.folder
            shown[key] = name if len(same) == 1 else f"{folder}/{name}"
    return shown
