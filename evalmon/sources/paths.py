"""Which files to follow: folders walked, globs expanded, name patterns, watch roots.

Pure path logic on top of ``os``/``glob``: no reading of file contents.
"""

from __future__ import annotations

import fnmatch
import functools
import glob
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence

DEFAULT_PATTERNS: tuple[str, ...] = ("*.out", "*.log", "*.err", "*.txt", "*.jsonl")


def _has_magic(path: str) -> bool:
    return any(c in path for c in "*?[")


def skip_dir(name: str) -> bool:
    # .evalmon/ holds the supervisor's record and lm-eval's cache, .git/ and friends no logs
    return name.startswith(".") or name == "__pycache__"


@functools.lru_cache(maxsize=32)
def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """One regex for every file-name pattern (``fnmatch`` per pattern per entry is most of a
    folder walk)."""
    if not patterns:
        return lambda name: None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def _walk(root: str, patterns: Sequence[str], recursive: bool, errors: list[str]) -> list[str]:
    found: list[str] = []
    stack = [root]
    name_matches = _name_matcher(tuple(patterns))
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if recursive and not skip_dir(entry.name):
                                stack.append(entry.path)
                        elif entry.is_file() and name_matches(entry.name):
                            found.append(entry.path)
                    except OSError:
                        continue  # vanished while we looked
        except PermissionError:
            errors.append(f"permission denied: {folder}")
        except FileNotFoundError:
            if folder == root:
                errors.append(f"no such file or directory: {root}")
        except OSError as exc:
            errors.append(f"cannot list {folder}: {exc.strerror or exc}")
    return found


def _glob_root(pattern: str) -> str:
    """The deepest folder of a glob pattern without wildcards (what inotify can watch)."""
    parts = pattern.split(os.sep)
    static: list[str] = []
    for part in parts[:-1]:
        if _has_magic(part):
            break
        static.append(part)
    root = os.sep.join(static)
    if pattern.startswith(os.sep) and not root:
        return os.sep
    return root or "."


def resolve_paths(
    paths: Iterable[str],
    patterns: Sequence[str] = DEFAULT_PATTERNS,
    recursive: bool = True,
    realpath: Callable[[str], str] = os.path.realpath,
) -> tuple[list[str], list[str]]:
    """Expand files, folders and glob patterns into the log files to follow.

    A file named explicitly is followed whatever its name; a folder contributes the files
    matching ``patterns`` (recursively, skipping hidden folders); a glob pattern
    (``logs/**/eval-*.out``) contributes what it matches. Returns ``(files, errors)`` where
    each error is one line for the user; nothing here raises.
    """
    files: list[str] = []
    errors: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(os.path.normpath(path))

    for raw in paths:
        path = os.path.expanduser(raw)
        if _has_magic(path):
            matches = sorted(glob.glob(path, recursive=True))
            hit = False
            for match in matches:
                if os.path.isdir(match):
                    for f in sorted(_walk(match, patterns, recursive, errors)):
                        add(f)
                        hit = True
                elif os.path.isfile(match):
                    add(match)
                    hit = True
            if not hit:
                errors.append(f"no files match: {raw}")
            continue
        try:
            st = os.stat(path)
        except FileNotFoundError:
            errors.append(f"no such file or directory: {raw}")
            continue
        except PermissionError:
            errors.append(f"permission denied: {raw}")
            continue
        except OSError as exc:
            errors.append(f"cannot access {raw}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            for f in sorted(_walk(path, patterns, recursive, errors)):
                add(f)
        elif stat.S_ISREG(st.st_mode):
            add(path)
        else:
            errors.append(f"not a regular file (skipped): {raw}")
    return files, errors


def watch_roots(paths: Iterable[str]) -> list[tuple[str, bool]]:
    """The folders to watch with inotify for ``paths``: ``(folder, recursive)`` pairs."""
    roots: dict[str, bool] = {}
    for raw in paths:
        path = os.path.expanduser(raw)
        if _has_magic(path):
            folder, rec = _glob_root(path), True
        elif os.path.isdir(path):
            folder, rec = path, True
        else:
            folder, rec = os.path.dirname(path) or ".", False
        folder = os.path.normpath(folder)
        roots[folder] = roots.get(folder, False) or rec
    return sorted(roots.items())
