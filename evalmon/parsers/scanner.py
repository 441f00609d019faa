"""One pass over a buffer for many byte patterns: the parser's candidate scan.

Hyperscan reports every match of every pattern in one pass. Patterns it cannot take go to
one RE2 DFA over their alternation (one pass too; a hit there stands for all of them,
re-checked one by one on its segment), or, without RE2, to Python's ``finditer`` pattern
by pattern (slow: ten patterns, ten passes). A hit is ``(position << 5) | pattern index``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Protocol

try:  # a native multi-pattern matcher: one pass over the chunk for every module
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised when the package is absent
    _hs = None

try:  # without Hyperscan: one RE2 DFA over the alternation of every pattern
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None

#: the engines, best first; "auto" takes the best one installed
ENGINES = ("hyperscan", "re2", "python")
_NL = b"\n"
_CR = b"\r"


def relaxed_source(pattern: re.Pattern[bytes]) -> bytes:
    """The pattern without a leading ``^``/``\\A`` or trailing ``$``/``\\Z``.

    Anchors mean "segment start/end" to a module, but a scan runs over a whole chunk where
    segments also start after ``\\r``. The relaxed pattern matches a superset; every hit is
    re-checked with the module's own pattern on its segment.
    """
    src = pattern.pattern
    for head in (b"^", b"\\A"):
        if src.startswith(head):
            src = src[len(head) :]
    for tail in (b"\\Z", b"$"):
        if src.endswith(tail) and not src.endswith(b"\\" + tail):
            src = src[: -len(tail)]
    return src


class Scanner:
    """Finds hits of many byte patterns over a region of a buffer, sorted by position.

    Hyperscan (if installed) reports every match of every pattern in one pass. Patterns it
    cannot take go to one RE2 DFA over their alternation (one pass too; a hit there stands
    for all of them, re-checked one by one on its segment), or, without RE2, to Python's
    ``finditer`` pattern by pattern (slow: ten patterns, ten passes).
    """

    def __init__(self, patterns: Sequence[re.Pattern[bytes]], engine: str = "auto") -> None:
        """``engine``: the best engine to use ("auto": the best installed); the ones after it
        take the patterns it cannot (tests compare engines through this)."""
        if engine != "auto" and engine not in ENGINES:
            raise ValueError(f"unknown scan engine {engine!r}")
        allowed = ENGINES if engine == "auto" else ENGINES[ENGINES.index(engine) :]
        hs = _hs if "hyperscan" in allowed else None
        re2 = _re2 if "re2" in allowed else None
        self._python: list[tuple[int, re.Pattern[bytes]]] = []
        self._db: Any = None
        self._re2: Any = None
        self._re2_ids: list[int] = []
        self._bar_id = -1
        native: list[int] = []
        if hs is not None:
            # all at once (one compile); only if that fails, find which patterns it takes
            native = list(range(len(patterns)))
            self._db = self._hs_database(patterns, native)
            if self._db is None:
                native = [i for i, p in enumerate(patterns) if self._hs_compiles(p)]
                if native:
                    self._db = self._hs_database([patterns[i] for i in native], native)
            if self._db is None:
                native = []
        rest = [i for i in range(len(patterns)) if i not in native]
        if rest and re2 is not None:
            self._re2 = self._re2_alternation([patterns[i] for i in rest])
            if self._re2 is not None:
                self._re2_ids = rest
                rest = []
        for i in rest:
            p = patterns[i]
            self._python.append((i, re.compile(relaxed_source(p), p.flags)))
        self.native = bool(native)
        self.engine = "hyperscan" if native else "re2" if self._re2 is not None else "python"

    def set_bar_module(self, index: int) -> None:
        """A hit from the RE2 alternation counts twice for it: never judged by its start."""
        self._bar_id = index

    # RE2 -------------------------------------------------------------------------------
    @staticmethod
    def _re2_parts(patterns: Sequence[re.Pattern[bytes]]) -> list[bytes]:
        parts = []
        for p in patterns:
            flags = ""
            if p.flags & re.IGNORECASE:
                flags += "i"
            if p.flags & re.DOTALL:
                flags += "s"
            if p.flags & re.MULTILINE:
                flags += "m"
            src = relaxed_source(p)
            parts.append(b"(?%s:%s)" % (flags.encode(), src) if flags else b"(?:%s)" % src)
        return parts

    @classmethod
    def _re2_alternation(cls, patterns: Sequence[re.Pattern[bytes]]) -> Any:
        """The alternation (to find the next matched segment) and a Set (which ones)."""
        try:
            options = _re2.Options()
            options.encoding = _re2.Options.Encoding.LATIN1  # bytes are bytes, not UTF-8
            options.never_capture = True
            options.log_errors = False
            parts = cls._re2_parts(patterns)
            which = _re2.Set.SearchSet(options)
            for part in parts:
                which.Add(part)
            which.Compile()
            return _re2.compile(b"|".join(parts), options=options), which
        except Exception:
            return None

    # Hyperscan -----------------------------------------------------------------------
    @staticmethod
    def _hs_flags(pattern: re.Pattern[bytes]) -> int:
        flags = _hs.HS_FLAG_PREFILTER
        if pattern.flags & re.IGNORECASE:
            flags |= _hs.HS_FLAG_CASELESS
        if pattern.flags & re.DOTALL:
            flags |= _hs.HS_FLAG_DOTALL
        if pattern.flags & re.MULTILINE:
            flags |= _hs.HS_FLAG_MULTILINE
        return flags

    @classmethod
    def _hs_database(cls, patterns: Sequence[re.Pattern[bytes]], ids: Sequence[int]) -> Any:
        expressions = [relaxed_source(p) for p in patterns]
        flags = [cls._hs_flags(p) for p in patterns]
        depends = repr((_hs.__version__, expressions, list(ids), flags)).encode()
        key = hashlib.sha256(depends).hexdigest()[:32]
        db = _load_compiled(key)
        if db is not None:
            return db
        try:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(expressions=expressions, ids=list(ids), elements=len(patterns), flags=flags)
        except Exception:  # hyperscan.error and friends: fall back to Python
            return None
        _store_compiled(key, db)
        return db

    @classmethod
    def _hs_compiles(cls, pattern: re.Pattern[bytes]) -> bool:
        return cls._hs_database([pattern], [0]) is not None

    # -----------------------------------------------------------------------------------
    def new_scratch(self) -> Any:
        return _hs.Scratch(self._db) if self._db is not None else None

    def hits(self, data: bytes, ranges: Sequence[tuple[int, int]], scratch: Any) -> list[int]:
        """Sorted ``(q << 5) | module`` where ``q`` is the last byte of a match.

        Only ``ranges`` of ``data`` are searched (a match never spans two of them).
        """
        out: list[int] = []
        if self._db is not None:
            append = out.append

            def on_match(ident: int, _frm: int, to: int, _flags: int, base: int) -> None:
                append(((base + to - 1) << 5) | ident)

            view = memoryview(data)
            scan = self._db.scan
            for start, end in ranges:
                scan(view[start:end], match_event_handler=on_match, context=start, scratch=scratch)
        if self._re2 is not None:
            self._re2_hits(data, ranges, out)
        for i, pattern in self._python:
            for start, end in ranges:
                out.extend(
                    (max(m.end() - 1, m.start()) << 5) | i
                    for m in pattern.finditer(data, start, end)
                )
        out.sort()
        return out

    def _re2_hits(self, data: bytes, ranges: Sequence[tuple[int, int]], out: list[int]) -> None:
        """For each segment the alternation matches: a hit for each module the Set names."""
        alternation, which = self._re2
        search = alternation.search
        find = data.find
        rfind = data.rfind
        ids = self._re2_ids
        for start, end in ranges:
            pos = start
            while pos < end:
                m = search(data, pos, end)
                if m is None:
                    break
                q = m.start()
                seg_start = max(rfind(_NL, pos, q), rfind(_CR, pos, q), pos - 1) + 1
                nl = find(_NL, q, end)
                cr = find(_CR, q, nl if nl >= 0 else end)
                seg_end = cr if cr >= 0 else nl if nl >= 0 else end
                for k in which.Match(data[seg_start:seg_end]) or ():
                    i = ids[k]
                    out.append((q << 5) | i)
                    if i == self._bar_id:
                        out.append((q << 5) | i)  # count as two bars: no dedupe by start
                pos = seg_end + 1


class CompiledStore(Protocol):
    """Where compiled databases are kept between runs, by a key that names everything a
    database depends on (its patterns, their flags, Hyperscan's version)."""

    def load(self, key: str) -> bytes | None: ...

    def store(self, key: str, data: bytes) -> None: ...


# Compiling the OOM module's candidate alternation takes about half a second, which every
# `evalmon report` and dashboard start would pay; loading a serialized database takes
# microseconds. The parsers do no I/O: the application hands them a store (the CLI's keeps
# the files in the user's cache folder), and without one every run compiles.
_compiled_store: CompiledStore | None = None


def use_compiled_store(store: CompiledStore | None) -> None:
    global _compiled_store
    _compiled_store = store


def compiled_store() -> CompiledStore | None:
    return _compiled_store


def _load_compiled(key: str) -> Any:
    if _compiled_store is None:
        return None
    try:
        data = _compiled_store.load(key)
        return None if data is None else _hs.loadb(data, _hs.HS_MODE_BLOCK)
    except Exception:  # cut, foreign or corrupt: compiled again, and replaced
        return None


def _store_compiled(key: str, db: Any) -> None:
    if _compiled_store is not None:
        try:
            _compiled_store.store(key, _hs.dumpb(db))
        except Exception:  # a store that cannot keep it: compiled again next time
            return


_SCANNERS: dict[tuple[Any, ...], Scanner] = {}


def scanner_for(patterns: Sequence[re.Pattern[bytes]], engine: str = "auto") -> Scanner:
    """Compiling a Hyperscan database takes up to half a second: share one per pattern set."""
    key = (engine, *((p.pattern, p.flags) for p in patterns))
    scanner = _SCANNERS.get(key)
    if scanner is None:
        scanner = _SCANNERS[key] = Scanner(patterns, engine)
    return scanner
