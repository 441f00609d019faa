"""What every panel is handed a few times a second: one immutable view of everything.

Panels draw a :class:`DashboardView` and nothing else; they never read files, call NVML or
look at the clock, which keeps them testable with hand-made snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evalmon.sources.logfile import RawLine
from evalmon.state.model import RunView, Snapshot
from evalmon.supervisor.model import SupervisorStatus

EMPTY_SNAPSHOT = Snapshot(
    runs=(), gpus=(), gpu_unavailable=(), processes=(), scanning=(), warnings=()
)


@dataclass(frozen=True, slots=True)
class DashboardView:
    snapshot: Snapshot
    selected_run: str | None = None
    baseline: float | None = None  # requests/s to compare with (--baseline)
    now: float = 0.0  # the clock the snapshot was made with (monotonic)
    wall: float | None = None  # unix time of the snapshot (attempt durations), None in tests
    supervisor: SupervisorStatus | None = None
    gpu_enabled: bool = True
    #: paths given on the command line that hold no log yet
    waiting_for: tuple[str, ...] = ()
    #: files followed under those paths (none of them with an eval, server or SLURM line yet)
    followed: int = 0
    #: the raw log tail of the selected run's files, and a number that grows when it changes
    tail: tuple[RawLine, ...] = ()
    tail_version: int = 0
    paused: bool = False
    sources_label: str = ""
    errors: tuple[str, ...] = field(default=())

    def waiting_words(self) -> tuple[str, str]:
        """The words around the waited-for paths: no log file at all is not the same as files
        that hold no eval lines (``evalmon /etc``): ("waiting for logs in ", "")."""
        if self.followed:
            files = f"{self.followed} file{'s' if self.followed != 1 else ''} followed"
            return "no eval, server or SLURM lines yet in ", f" ({files})"
        return "waiting for logs in ", ""

    @property
    def run(self) -> RunView | None:
        if self.selected_run is None:
            return None
        return self.snapshot.run(self.selected_run)
