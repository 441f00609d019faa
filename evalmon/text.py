"""The one sanitizer for untrusted text shown to a user: log lines, file names, messages read
from logs, process command lines.

Log text is data. Wherever it is shown (the dashboard, the report, the supervisor's terminal
lines) it must never move the cursor, set a window title, switch the terminal's character set,
start a new line or reorder what follows it. :func:`inert` makes it so; it has no Rich or Textual
dependency, so the report and the supervisor use it as the UI does.

What stays the caller's concern is the *format* it writes into: the UI and the report put inert
text into a ``rich.text.Text`` (never a markup string, so ``[bold red]x[/]`` is drawn as those
nine characters), the markdown report escapes ``|``, JSON escapes what JSON needs. The parsers'
own ``strip_ansi`` is normalisation before matching, not display.
"""

from __future__ import annotations

import re

#: Escape sequences a terminal would act on: CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST),
#: DCS/SOS/PM/APC strings (ESC P/X/^/_ ... ST), two-byte ESC sequences, and the 8-bit
#: C1 forms of CSI (0x9b) and OSC (0x9d).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI ... final byte
  | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
  | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC ... BEL or ST (or cut off)
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?     # 8-bit OSC
  | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS / SOS / PM / APC strings
  | \x1b[ -/]*[0-~]                    # other ESC sequences (charset, keypad, RIS ...)
  | \x1b                               # a lone ESC
    """,
    re.VERBOSE,
)
#: Line breaks (every one ``str.splitlines`` knows): a space, so the text stays one line and
#: its words stay apart.
_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: Other C0/C1 control characters and DEL (tab is expanded first), and the invisible
#: bidirectional controls that would reorder the text after them on screen.
_CONTROLS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
#: Beyond C0: DEL, the C1 controls (8-bit CSI and OSC among them), the line and paragraph
#: separators and the bidirectional controls.
_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
#: Any character :func:`inert` would change (a fast check for the common clean case).
_UNSAFE = re.compile(rf"[\x00-\x1f{_BEYOND_C0}]")
_UNSAFE_IN_JSON = re.compile(rf"[{_BEYOND_C0}]")

#: Longest text shown for one log line; the rest is counted, not shown.
MAX_DRAWN_CHARS = 2_000


def inert(text: str, max_chars: int = MAX_DRAWN_CHARS) -> str:
    """Plain, printable, one-line text: escape sequences and control characters removed, tabs
    expanded, line breaks made spaces.

    Text longer than ``max_chars`` keeps its head and says how much was cut
    (``AAAA… (+98,000 chars)``), so a 100 KB line stays one short line.
    """
    if len(text) > max_chars * 4:
        # Do not run the regexes over megabytes that will not be shown.
        hidden = len(text) - max_chars * 4
        text = text[: max_chars * 4]
    else:
        hidden = 0
    if _UNSAFE.search(text):
        if "\x1b" in text or "\x9b" in text or "\x9d" in text:
            text = _ESCAPES.sub("", text)
        text = text.replace("\t", "    ")
        text = _BREAKS.sub(" ", text)
        text = _CONTROLS.sub("", text)
    if len(text) > max_chars:
        hidden += len(text) - max_chars
        text = text[:max_chars]
    if hidden:
        text = f"{text}… (+{hidden:,} chars)"
    return text


def inert_json(dumped: str) -> str:
    """``json.dumps`` output (``ensure_ascii=False``) with every character :func:`inert` would
    change that JSON leaves raw (DEL, C1, separators, bidi controls) written as ``\\uXXXX``.

    JSON keeps log text exact (scripts get the real message), and the file stays inert when a
    user ``cat``s it: ``json.dumps`` already escapes C0, and these characters can only occur
    inside strings, where ``\\uXXXX`` means the same character.
    """
    if not _UNSAFE_IN_JSON.search(dumped):
        return dumped
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", dumped)
