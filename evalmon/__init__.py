"""evalmon: a terminal dashboard for LLM evaluation jobs on GPUs.

The library face (no Textual needed), in the style of nvitop's ``api``:

* ``evalmon.scan(paths) -> Snapshot``: read finished logs once, the state of every run;
* ``evalmon.Monitor(paths)``: follow logs live and keep the run state
  (see :class:`evalmon.pipeline.Monitor`).

A log from 32 MB is parsed by worker processes (``evalmon.sources.scan_ranges``). From a
process with threads they start as with multiprocessing's "forkserver", which imports the
calling script again in each worker: a script should keep its work under
``if __name__ == "__main__":``, as for any use of multiprocessing.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# exported lazily: ``import evalmon`` (every command) stays cheap
_EXPORTS = {"Monitor": "evalmon.pipeline", "scan": "evalmon.pipeline"}

__all__ = ["Monitor", "__version__", "scan"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'evalmon' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
