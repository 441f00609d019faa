"""The kernel's count of OOM kills in a process's memory cgroup (Linux).

A job killed by SIGKILL prints nothing of why; bash's ``Killed`` or a launcher's exit code -9
is all its log shows, and the kernel's OOM killer is only the usual sender. The memory cgroup
counts the kills its OOM killer made: ``oom_kill`` in cgroup v2's ``memory.events`` (the cgroup
and its descendants) or in v1's ``memory.oom_control`` (the cgroup's own processes). The
supervisor reads the count before an attempt and after it ends: a kill counted in between is
the OOM killer's, none counted means the SIGKILL came from elsewhere.

Every read is best effort: no cgroup, an unreadable file or an odd line gives None, never an
error (a laptop's macOS, a container that hides /sys/fs/cgroup).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MemoryCgroup:
    """A memory cgroup and the file that counts its OOM kills."""

    name: str  # the cgroup's path as /proc/<pid>/cgroup names it, e.g. "/user.slice/x.scope"
    counter_file: str  # memory.events (v2) or memory.oom_control (v1)

    @property
    def counts_descendants(self) -> bool:
        """v2 counts the kills in the cgroup's descendants too; v1 only its own processes'."""
        return self.counter_file.endswith("memory.events")

    def has_descendants(self) -> bool:
        """Has a cgroup been made under this one (a container, a systemd-run scope)?"""
        try:
            with os.scandir(os.path.dirname(self.counter_file)) as entries:
                return any(entry.is_dir(follow_symlinks=False) for entry in entries)
        except OSError:
            return True  # cannot tell: as if a kill could have been counted elsewhere


def memory_cgroup(pid: int, proc: str = "/proc") -> MemoryCgroup | None:
    """The memory cgroup ``pid`` is in, if its OOM-kill counter can be read."""
    try:
        with open(f"{proc}/{pid}/cgroup", encoding="utf-8", errors="replace") as file:
            memberships = file.read().splitlines()
        with open(f"{proc}/{pid}/mountinfo", encoding="utf-8", errors="replace") as file:
            mounts = file.read().splitlines()
    except OSError:
        return None
    v1 = v2 = None
    for line in memberships:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":
            v2 = path
        elif "memory" in controllers.split(","):
            v1 = path
    # v2 first: with v1's memory controller mounted too, v2 has no memory.events to read
    for fstype, root, mountpoint, options in _cgroup_mounts(mounts):
        if fstype == "cgroup2" and v2 is not None:
            name, counter = v2, _counter(mountpoint, root, v2, "memory.events")
        elif fstype == "cgroup" and v1 is not None and "memory" in options.split(","):
            name, counter = v1, _counter(mountpoint, root, v1, "memory.oom_control")
        else:
            continue
        if counter is not None:
            cgroup = MemoryCgroup(name, counter)
            if oom_kills(cgroup) is not None:
                return cgroup
    return None


def oom_kills(cgroup: MemoryCgroup) -> int | None:
    """The cgroup's ``oom_kill`` count now, or None when it cannot be read."""
    try:
        with open(cgroup.counter_file, encoding="ascii", errors="replace") as file:
            for line in file:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    except (OSError, ValueError):
        return None
    return None


def _cgroup_mounts(mountinfo: list[str]) -> list[tuple[str, str, str, str]]:
    """(fstype, root, mount point, super options) of every cgroup mount, v2 first."""
    found = []
    for line in mountinfo:
        fields, sep, tail = line.partition(" - ")
        parts, rest = fields.split(), tail.split()
        if not sep or len(parts) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        found.append((rest[0], _unescape(parts[3]), _unescape(parts[4]), rest[2]))
    return sorted(found, key=lambda mount: mount[0] != "cgroup2")


def _counter(mountpoint: str, root: str, path: str, name: str) -> str | None:
    """The counter file of cgroup ``path`` under a mount of the hierarchy at ``root``: a
    container sees its own cgroup as the mount's root."""
    root = root.rstrip("/")
    if root and not (path == root or path.startswith(root + "/")):
        return None
    relative = path[len(root):].lstrip("/")
    counter = os.path.join(mountpoint, relative, name)
    return counter if os.path.isfile(counter) else None


def _unescape(field: str) -> str:
    """mountinfo writes a space in a path as \\040 (and tab, newline, backslash so)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
