"""The pure reducer (events in, run state out) and its immutable snapshot views.

Usable without Textual: ``evalmon report`` and library users build an :class:`EvalState`,
apply file batches, and read a :class:`Snapshot`.
"""

from evalmon.state.model import (
    BarView,
    EngineBatchStats,
    GpuView,
    OomRecord,
    RunView,
    ScanProgress,
    Snapshot,
)
from evalmon.state.reducer import EvalState

__all__ = [
    "BarView",
    "EngineBatchStats",
    "EvalState",
    "GpuView",
    "OomRecord",
    "RunView",
    "ScanProgress",
    "Snapshot",
]
