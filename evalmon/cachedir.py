"""The user's cache folder for evalmon: ``EVALMON_CACHE_DIR``, else the platform's
(``~/.cache/evalmon`` on Linux)."""

from __future__ import annotations

import os


def cache_folder() -> str:
    folder = os.environ.get("EVALMON_CACHE_DIR")
    if folder:
        return folder
    try:
        import platformdirs

        return platformdirs.user_cache_dir("evalmon")
    except ImportError:  # pragma: no cover - platformdirs comes with textual
        return os.path.join(os.path.expanduser("~"), ".cache", "evalmon")
