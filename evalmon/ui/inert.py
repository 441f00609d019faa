"""Untrusted text (log lines, file names, messages read from logs) as Rich ``Text``.

The sanitizing rule is :func:`evalmon.text.inert`, the one the report and the supervisor use
too; this module only adds the Rich side: inert text goes into a ``rich.text.Text`` (never a
markup string), so ``[bold red]x[/]`` is drawn as those nine characters.
"""

from __future__ import annotations

from rich.text import Text

from evalmon.text import MAX_DRAWN_CHARS, inert

__all__ = ["MAX_DRAWN_CHARS", "inert", "inert_text"]


def inert_text(text: str, style: str = "", max_chars: int = MAX_DRAWN_CHARS) -> Text:
    """A ``Text`` holding :func:`inert` text: never parsed as markup."""
    return Text(inert(text, max_chars), style=style, no_wrap=True, overflow="ellipsis")
