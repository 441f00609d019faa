"""Is this file a log at all? One rule for the follower and the whole-file scan."""

from __future__ import annotations

SNIFF_BYTES = 8192  # how much of a file's head is looked at
_MAGIC = (b"\x1f\x8b", b"\x7fELF", b"PK\x03\x04", b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b\x07\x0b")


def looks_binary(head: bytes) -> bool:
    """True for data that is not a log: compressed or executable magic, many NULs, mostly
    control bytes, or mostly invalid UTF-8 in the first :data:`SNIFF_BYTES`.

    A log may hold a few NULs (a crash can leave a zero-filled block), terminal escapes and
    some undecodable bytes: those stay text, and the parser copes with them.
    """
    if not head:
        return False
    if head.startswith(_MAGIC):
        return True
    sample = head[:SNIFF_BYTES]
    if sample.count(0) * 10 > len(sample):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    if controls * 10 > len(sample) * 3:
        return True
    text = sample.decode("utf-8", "replace")
    # the last character may be a multi-byte one cut by the sample's end
    return text.count("\ufffd", 0, len(text) - 1) * 10 > len(text) * 3
