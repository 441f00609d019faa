"""Compiled scan databases kept as files in the user's cache folder (``<cache>/scan/``).

The scanner names each by a digest of everything it depends on, so a changed pattern or
Hyperscan version never loads a stale one. Writes are atomic (a reader sees the old file or
the new one), the newest few are kept, and nothing here fails a scan: a folder that cannot be
written only means compiling next time too.
"""

from __future__ import annotations

import os
import tempfile

from evalmon.cachedir import cache_folder

_PREFIX = "scan-"
_SUFFIX = ".hsdb"
_KEEP = 16  # patterns change with evalmon's versions: the old files go


class FileCompiledStore:
    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder or os.path.join(cache_folder(), "scan")

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, f"{_PREFIX}{key}{_SUFFIX}")

    def load(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except OSError:
            return None

    def store(self, key: str, data: bytes) -> None:
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, self._path(key))
            except BaseException:
                os.unlink(tmp)
                raise
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        paths = [
            os.path.join(self.folder, name)
            for name in os.listdir(self.folder)
            if name.startswith(_PREFIX) and name.endswith(_SUFFIX)
        ]
        paths.sort(key=os.path.getmtime, reverse=True)
        for old in paths[_KEEP:]:
            os.unlink(old)
