"""A real single-node SLURM cluster on loopback, for tests (see shared notes on SLURM).

munged, slurmctld and slurmd run under one temporary base directory with their own
slurm.conf; clients find it through ``SLURM_CONF``. Daemons are stopped by the pids this
module kept (never by name). Use the session fixture::

    from tests.slurm_cluster import slurm_cluster  # noqa: F401

Two partitions on the one node: ``debug`` (the default, PriorityTier=1) and ``high``
(PriorityTier=10); preempt/partition_prio with PreemptMode=REQUEUE lets a job in ``high``
preempt one in ``debug`` (tests/test_slurm_preempt.py). ``sinfo -N`` prints a line per
partition.

Missing SLURM binaries: the fixture FAILS when ``EVALMON_REQUIRE_SLURM=1`` (CI), else skips.
Also runnable by hand: ``python tests/slurm_cluster.py`` starts a cluster and prints its
SLURM_CONF, then stops it on Enter.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "scancel", "sacct", "sinfo")

CONF = """\
ClusterName=evalmontest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={base}/munge/munge.socket.2
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
StateSaveLocation={base}/state
SlurmdSpoolDir={base}/spool
SlurmctldPidFile={base}/run/slurmctld.pid
SlurmdPidFile={base}/run/slurmd.pid
SlurmctldLogFile={base}/logs/slurmctld.log
SlurmdLogFile={base}/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={base}/logs/jobcomp.txt
MinJobAge=300
KillWait=5
ReturnToService=2
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={cpus} Sockets=1 \
CoresPerSocket={cpus} ThreadsPerCore=1 RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=high Nodes=localhost MaxTime=INFINITE State=UP PriorityTier=10 PreemptMode=OFF
"""


class SlurmUnavailable(RuntimeError):
    pass


@dataclass
class SlurmCluster:
    base: str
    conf: str
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Environment for client commands (and for evalmon runs that call them)."""
        return {**os.environ, "SLURM_CONF": self.conf}

    def run(self, *argv: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(argv), env=self.env, capture_output=True, text=True, timeout=timeout,
            check=False,
        )

    def node_state(self) -> str:
        res = self.run("sinfo", "-h", "-N", "-n", "localhost", "-o", "%T", timeout=15)
        lines = res.stdout.split()
        return lines[0] if lines else ""  # one line per partition, the same node state

    def controller_alive(self) -> bool:
        pid = self.pids.get("slurmctld")
        return pid is not None and _alive(pid)

    def stop_controller(self) -> None:
        """Stop only slurmctld (tests of "controller down")."""
        pid = self.pids.pop("slurmctld", None)
        if pid is not None:
            _terminate(pid)

    def start_controller(self) -> None:
        self.pids["slurmctld"] = _spawn(
            ["slurmctld", "-D", "-f", self.conf],
            os.path.join(self.base, "logs", "slurmctld.stdout"),
        )
        _wait_idle(self, 30.0)

    def job_story(self, job: str, tail: int = 40) -> str:
        """What SLURM itself says about ``job``: for a test's failure message."""
        parts = [self.run("scontrol", "show", "job", job, timeout=15).stdout]
        names_job = re.compile(rf"(JobId=|[Jj]ob |StepId=|\[){re.escape(job)}\b")
        for name in ("slurmctld.log", "slurmd.log"):
            path = os.path.join(self.base, "logs", name)
            with contextlib.suppress(OSError), open(path, errors="replace") as log:
                lines = [line for line in log if names_job.search(line)]
            parts.append(f"--- {name}, lines naming {job}:\n" + "".join(lines[-tail:]))
        return "\n".join(parts)

    def stop(self) -> None:
        for name in ("slurmd", "slurmctld", "munged"):
            pid = self.pids.pop(name, None)
            if pid is not None:
                _terminate(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap our own children
        if done == pid:
            return False
    return True


def _terminate(pid: int, timeout: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _spawn(argv: list[str], log: str) -> int:
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc.pid


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _real_memory() -> int:
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"RealMemory=(\d+)", out)
    return max(1, int(m.group(1)) - 64) if m else 1000  # never more than the machine has


def _wait_idle(cluster: SlurmCluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = cluster.node_state()
        if state in ("idle", "mixed", "allocated"):
            return
        time.sleep(0.2)
    raise SlurmUnavailable(f"SLURM node not idle after {timeout:g} s (state {state!r})")


def missing_binaries() -> list[str]:
    return [b for b in (*DAEMONS, *CLIENTS) if shutil.which(b) is None]


# Memory as a consumable resource, enforced by slurmstepd's accounting poll (no cgroups
# here): a job over its --mem is killed with "exceeded memory limit", as on real clusters
# without cgroup enforcement.
MEMORY_LIMITS = {
    "JobAcctGatherType=jobacct_gather/none": "JobAcctGatherType=jobacct_gather/linux\n"
    "JobAcctGatherParams=OverMemoryKill\nJobAcctGatherFrequency=task=1",
    "SelectTypeParameters=CR_Core\n": "SelectTypeParameters=CR_Core_Memory\n",
}


def start_cluster(base: str | None = None, memory_limits: bool = False) -> SlurmCluster:
    missing = missing_binaries()
    if missing:
        raise SlurmUnavailable(
            "SLURM binaries missing: " + ", ".join(missing) + " (apt-get install -y "
            "--no-install-recommends slurmctld slurmd slurm-client munge)"
        )
    base = base or tempfile.mkdtemp(prefix="evalmon-slurm-")
    for sub in ("etc", "munge", "state", "spool", "logs", "run"):
        os.makedirs(os.path.join(base, sub), exist_ok=True)
    os.chmod(base, 0o755)  # munged wants every directory above its socket traversable
    os.chmod(os.path.join(base, "munge"), 0o755)
    key = os.path.join(base, "munge", "munge.key")
    with open(key, "wb") as fh:
        fh.write(os.urandom(1024))
    os.chmod(key, 0o400)
    conf = os.path.join(base, "etc", "slurm.conf")
    cpus = max(1, min(os.cpu_count() or 1, 2))
    text = CONF
    for plain, enforced in MEMORY_LIMITS.items() if memory_limits else ():
        assert plain in text
        text = text.replace(plain, enforced)
    with open(conf, "w") as fh:
        fh.write(text.format(base=base, ctld_port=_free_port(), slurmd_port=_free_port(),
                             cpus=cpus, memory=_real_memory()))
    cluster = SlurmCluster(base=base, conf=conf)
    try:
        subprocess.run(
            ["munged", f"--key-file={key}", f"--socket={base}/munge/munge.socket.2",
             f"--pid-file={base}/run/munged.pid", f"--log-file={base}/logs/munged.log",
             f"--seed-file={base}/munge/munged.seed"],
            check=True, capture_output=True, timeout=30,
        )
        with open(os.path.join(base, "run", "munged.pid")) as fh:
            cluster.pids["munged"] = int(fh.read().strip())
        cluster.pids["slurmctld"] = _spawn(
            ["slurmctld", "-D", "-c", "-f", conf], os.path.join(base, "logs", "slurmctld.stdout")
        )
        cluster.pids["slurmd"] = _spawn(
            ["slurmd", "-D", "-N", "localhost", "-f", conf],
            os.path.join(base, "logs", "slurmd.stdout"),
        )
        _wait_idle(cluster, 30.0)
    except Exception as exc:
        cluster.stop()
        logs = os.path.join(base, "logs")
        raise SlurmUnavailable(f"could not start the SLURM cluster ({exc}); see {logs}") from exc
    return cluster


def cluster_or_skip(memory_limits: bool = False) -> Iterator[SlurmCluster]:
    """A started cluster for a fixture, skipped where SLURM cannot run here (failed instead
    under EVALMON_REQUIRE_SLURM=1, as in CI), stopped and removed after."""
    required = os.environ.get("EVALMON_REQUIRE_SLURM") == "1"
    try:
        cluster = start_cluster(memory_limits=memory_limits)
    except SlurmUnavailable as exc:
        if required:
            pytest.fail(f"EVALMON_REQUIRE_SLURM=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    yield from cluster_or_skip()
