"""SLURM's own messages in a job log -> :class:`JobSignal`.

From slurmstepd (``src/slurmd/slurmstepd/req.c``), via ``slurmstepd: error:`` or
``slurmstepd-<host>: error:`` (and srun relaying them):

* ``*** JOB 123 ON node01 CANCELLED AT 2026-11-24T03:07:11 ***`` -> ``cancelled``
* ``... DUE TO TIME LIMIT ***`` -> ``time_limit``; ``... DUE TO PREEMPTION ***`` -> ``preempted``
* ``... DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***`` -> ``node_fail``
* ``... DUE TO JOB REQUEUE ***`` -> ``requeued``
* ``STEP 123.0`` instead of ``JOB 123``; older releases put the host last
  (``*** JOB 1 CANCELLED AT t DUE TO TIME LIMIT on node01 ***``, ``*** JOB 1 CANCELLED AT t
  *** on node01``) or leave it out.

Other requeue notices from a SLURM tool (``... job 123 requeued``) -> ``requeued``;
``srun: error: node01: task 0: Exited with exit code 1`` and any other ``srun: error:``
line -> ``srun_error``. Out-of-memory texts (``oom-kill event``) belong to ``oom.py``:
this module gives nothing for them.
"""

from __future__ import annotations

import re

from evalmon.events import Event, JobSignal
from evalmon.parsers.lines import ascii_re

CANDIDATE: re.Pattern[bytes] = re.compile(rb"\*\*\* (?:JOB|STEP) |srun: error: |(?i:requeue)")

_BANNER = ascii_re(
    r"\*\*\* (?:JOB|STEP) (?P<id>\d[\w.+]{0,40})(?: ON (?P<host>\S{1,200}))? "
    r"CANCELLED AT (?P<when>\S{1,40})"
    r"(?: DUE TO (?P<reason>.{1,120}?))?(?: on (?P<host_late>\S{1,200}))? \*\*\*"
    r"(?: on (?P<host_after>\S{1,200}))?"
)
_SRUN_TASK = ascii_re(
    r"srun: error: (?P<host>[\w.\-]{1,200}): tasks? [\d,\-\[\]]{1,200}: (?P<what>.{1,500})"
)
_SRUN_ERROR = ascii_re(r"srun: error: (?P<what>.{1,500})")
# A SLURM tool speaking (not the user's program): ``slurmstepd-node01: error: ...``.
_SLURM_TOOL = ascii_re(
    r"(?:^|(?<=\s))(?:slurmstepd|slurmd|srun|sbatch|salloc|scontrol)(?:-[\w.\-]+)?: "
)
_REQUEUE_WORD = ascii_re(r"\brequeu(?:e|ed|ing)\b", re.IGNORECASE)
_JOB_ID = ascii_re(r"\b(?:JOB|[Jj]ob|JobId=)\s?(?P<id>\d{1,12})\b")


def parse(segment: str) -> list[Event]:
    """A JobSignal if the segment is one of SLURM's job messages; never raises."""
    try:
        if "***" in segment:
            banner = _BANNER.search(segment)
            if banner:
                return [_from_banner(banner)]
        if "srun: error: " in segment:
            return _srun_error(segment)
        if (
            ("equeu" in segment or "EQUEU" in segment)
            and _SLURM_TOOL.search(segment)
            and _REQUEUE_WORD.search(segment)
        ):
            job = _JOB_ID.search(segment)
            return [
                JobSignal(
                    kind="requeued",
                    job_id=job["id"] if job else None,
                    message=segment.strip()[:500],
                )
            ]
        return []
    except Exception:
        return []


def _from_banner(banner: re.Match[str]) -> JobSignal:
    reason = (banner["reason"] or "").upper()
    if "TIME LIMIT" in reason:
        kind = "time_limit"
    elif "PREEMPT" in reason:
        kind = "preempted"
    elif "NODE" in reason and "FAIL" in reason:
        kind = "node_fail"
    elif "REQUEUE" in reason:
        kind = "requeued"
    else:
        kind = "cancelled"
    host = banner["host"] or banner["host_late"] or banner["host_after"]
    return JobSignal(
        kind=kind,  # type: ignore[arg-type]
        job_id=banner["id"],
        host=host,
        when=banner["when"],
        message=banner.group(0),
    )


def _srun_error(segment: str) -> list[Event]:
    task = _SRUN_TASK.search(segment)
    if task:
        return [JobSignal(kind="srun_error", host=task["host"], message=task.group(0).strip())]
    error = _SRUN_ERROR.search(segment)
    if error is None or not error["what"].strip():
        return []
    return [JobSignal(kind="srun_error", message=error.group(0).strip())]
