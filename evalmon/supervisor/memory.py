"""What sweeps learnt, kept between them: per setup, the largest batch that ran and the
smallest that ran out of memory, with when and which evalmon learnt it.

A setup is the model and the task set (read from the command, so ``evalmon run`` can look
one up before anything ran), with what the trials' logs said about the server (its kind and
its engine's batch limit) and the GPUs (model and count). The store is one small SQLite file
under the user's cache folder (``EVALMON_CACHE_DIR`` overrides it), written in one short
transaction per trial; a store that cannot be opened never stops a sweep or a run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalmon import __version__
from evalmon.cachedir import cache_folder
from evalmon.supervisor import argv as argv_mod

FILE_NAME = "tune-memory.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS learnt (
    job TEXT NOT NULL,          -- model and tasks (or the script), from the command
    setup TEXT NOT NULL,        -- server kind, engine limit, GPU model and count (JSON)
    largest_ok INTEGER,
    largest_ok_rate REAL,       -- requests/s at largest_ok
    largest_ok_at REAL,
    smallest_oom INTEGER,
    smallest_oom_at REAL,
    tool TEXT NOT NULL,         -- evalmon version that learnt it last
    updated_at REAL NOT NULL,
    PRIMARY KEY (job, setup)
)
"""


def store_path() -> str:
    return os.path.join(cache_folder(), FILE_NAME)


def job_of(command: Sequence[str]) -> dict[str, str]:
    """The model and task set of an lm-eval command, or the script a job runs."""
    lm = argv_mod.find_lm_eval(command)
    if lm is None:
        names = [os.path.basename(a) for a in command if not a.startswith("-")]
        if len(names) > 1 and re.fullmatch(r"(python[0-9.]*|bash|sh|env)", names[0]):
            names = names[1:]  # the interpreter is not the job: its script is
        return {"script": names[0] if names else ""}
    out: dict[str, str] = {}
    args = list(command[lm.args_start :])
    for i, arg in enumerate(args):
        flag, eq, inline = arg.partition("=")
        value = inline if eq else (args[i + 1] if i + 1 < len(args) else "")
        if flag == "--tasks":
            out["tasks"] = ",".join(sorted(t for t in value.split(",") if t))
        elif flag == "--model":
            out["model_type"] = value
        elif flag in ("--model_args", "--model-args"):
            for part in argv_mod.split_top_level(value):
                key, _, val = part.partition("=")
                if key.strip() in ("model", "pretrained"):
                    out["model"] = val.strip()
    return out


def _key(data: Mapping[str, Any]) -> str:
    return json.dumps(dict(data), sort_keys=True)


@dataclass(frozen=True, slots=True)
class Learnt:
    job: dict[str, str]
    setup: dict[str, Any]
    largest_ok: int | None
    largest_ok_rate: float | None
    largest_ok_at: float | None
    smallest_oom: int | None
    smallest_oom_at: float | None
    tool: str
    updated_at: float

    @property
    def known_good(self) -> int | None:
        """The largest size that ran, if nothing smaller or equal ran out of memory since."""
        if self.largest_ok is None:
            return None
        if self.smallest_oom is not None and self.smallest_oom <= self.largest_ok:
            return None
        return self.largest_ok


class Memory:
    def __init__(self, path: str | None = None) -> None:
        self.path = path or store_path()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        con = sqlite3.connect(self.path, timeout=5.0)
        try:
            con.execute(_SCHEMA)
            with con:
                yield con
        finally:
            con.close()

    def learn(
        self,
        job: Mapping[str, str],
        setup: Mapping[str, Any],
        batch_size: int,
        outcome: str,
        requests_per_s: float | None = None,
        now: float | None = None,
    ) -> None:
        """One trial's lesson: ``ok`` raises the largest that ran, ``oom`` lowers the smallest
        that did not. A size that ran above a recorded OOM clears it (the setup changed)."""
        if outcome not in ("ok", "oom"):
            return
        now = time.time() if now is None else now
        jk, sk = _key(job), _key(setup)
        with self._db() as con:
            row = con.execute(
                "SELECT largest_ok, largest_ok_rate, largest_ok_at, smallest_oom, smallest_oom_at"
                " FROM learnt WHERE job=? AND setup=?",
                (jk, sk),
            ).fetchone()
            ok, ok_rate, ok_at, oom, oom_at = row or (None, None, None, None, None)
            if outcome == "ok" and (ok is None or batch_size >= ok):
                ok, ok_at = batch_size, now
                ok_rate = requests_per_s if requests_per_s is not None else ok_rate
                if oom is not None and oom <= batch_size:
                    oom, oom_at = None, None
            elif outcome == "oom" and (oom is None or batch_size <= oom):
                oom, oom_at = batch_size, now
                if ok is not None and ok >= batch_size:
                    ok, ok_rate, ok_at = None, None, None
            con.execute(
                "INSERT OR REPLACE INTO learnt VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (jk, sk, ok, ok_rate, ok_at, oom, oom_at, __version__, now),
            )

    def entries(self, job: Mapping[str, str] | None = None) -> list[Learnt]:
        if not os.path.exists(self.path):
            return []
        with self._db() as con:
            if job is None:
                rows = con.execute("SELECT * FROM learnt ORDER BY updated_at DESC").fetchall()
            else:
                rows = con.execute(
                    "SELECT * FROM learnt WHERE job=? ORDER BY updated_at DESC", (_key(job),)
                ).fetchall()
        return [
            Learnt(json.loads(r[0]), json.loads(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8])
            for r in rows
        ]

    def best_known(self, job: Mapping[str, str]) -> Learnt | None:
        """The most recent setup of this job with a known-good size."""
        for entry in self.entries(job):
            if entry.known_good is not None:
                return entry
        return None


def describe(entry: Learnt) -> str:
    """``the sweep of 2026-12-02 13:20 (evalmon 0.1.0) on megatron, engine max batch 256, ...``"""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.updated_at))
    return f"{when} (evalmon {entry.tool}) on {setup_text(entry.setup)}"


def setup_text(setup: Mapping[str, Any]) -> str:
    parts = [str(setup.get("server") or "unknown server")]
    if setup.get("engine_max_batch"):
        parts.append(f"engine max batch {setup['engine_max_batch']}")
    gpu = setup.get("gpu")
    parts.append(f"{setup.get('gpus', 0)}x {gpu}" if gpu else "no GPU samples")
    return ", ".join(parts)


def job_text(job: Mapping[str, str]) -> str:
    if "script" in job:
        return f"script {job['script']}"
    return f"{job.get('model', '?')} on {job.get('tasks', '?')}"
