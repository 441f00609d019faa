"""Make untrusted text (log lines, file names, messages read from logs) safe to draw.

Log text is data. It must never move the cursor, set a window title, switch the
terminal's character set or be read as Rich markup. Everything a widget shows that
came from a log goes through :func:`inert` and then into a ``rich.text.Text`` (never a
markup string), so ``[bold red]x[/]`` is drawn as those nine characters.
"""

from __future__ import annotations

import re

from rich.text import Text

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
#: Remaining C0/C1 control characters (tab is expanded separately; newline never reaches here).
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")

#: Longest text drawn for one log line; the rest is counted, not drawn.
MAX_DRAWN_CHARS = 2_000


def inert(text: str, max_chars: int = MAX_DRAWN_CHARS) -> str:
    """Plain, printable text: escapes removed, control characters shown as ``�``-free gaps.

    Long text keeps its head and says how much was cut, so a 100 KB line stays one line.
    """
    if len(text) > max_chars * 4:
        # Do not run the regexes over megabytes we will not draw.
        hidden = len(text) - max_chars * 4
        text = text[: max_chars * 4]
    else:
        hidden = 0
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:
        text = _ESCAPES.sub("", text)
    text = text.replace("\t", "    ")
    text = _CONTROLS.sub("", text)
    if len(text) > max_chars:
        hidden += len(text) - max_chars
        text = text[:max_chars]
    if hidden:
        text = f"{text}… (+{hidden:,} chars)"
    return text


def inert_text(text: str, style: str = "", max_chars: int = MAX_DRAWN_CHARS) -> Text:
    """A ``Text`` holding :func:`inert` text: never parsed as markup."""
    return Text(inert(text, max_chars), style=style, no_wrap=True, overflow="ellipsis")
