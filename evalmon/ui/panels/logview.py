"""A merged live tail of the selected run's files, with filter/search and error highlighting.

Log text is drawn inert: escapes stripped, and each line is a ``rich.text.Text`` built from
plain strings, so nothing in a log is ever read as markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, RichLog

from evalmon.sources.logfile import RawLine
from evalmon.ui.inert import inert
from evalmon.ui.view import DashboardView

#: Lines kept in the widget (the tail reader bounds what exists; this bounds what is drawn).
MAX_SHOWN = 1_000

_ERROR = re.compile(
    r"out of memory|OutOfMemory|Traceback|\bERROR\b|Error:|Exception|CANCELLED|"
    r"\" 5\d\d |Status code: 5\d\d|Killed|oom",
    re.IGNORECASE,
)
_WARNING = re.compile(r"\bWARN(ING)?\b|Retry|Retrying|\" 4\d\d ", re.IGNORECASE)
_FILE_STYLES = ("cyan", "magenta", "blue", "green", "yellow")


def line_style(text: str) -> str:
    if _ERROR.search(text):
        return "red"
    if _WARNING.search(text):
        return "yellow"
    return ""


def render_line(line: RawLine, tag: str, tag_style: str, needle: str) -> Text:
    body = inert(line.text)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{tag} │ ", style=tag_style)
    text.append(body, style=line_style(body))
    if needle:
        start = len(tag) + 3
        lowered = body.lower()
        pos = lowered.find(needle)
        while pos >= 0:
            text.stylize("reverse bold", start + pos, start + pos + len(needle))
            pos = lowered.find(needle, pos + max(1, len(needle)))
    return text


def file_tags(paths: Iterable[str]) -> dict[str, str]:
    """Short names for the files of a run: ``eval-103.out`` -> ``eval``; files that share a
    stem keep their extension (``attempt-2.out``, ``attempt-2.err`` -> ``attempt.out``,
    ``attempt.err``)."""
    paths = list(paths)
    names: dict[str, tuple[str, str]] = {}
    for path in paths:
        base = os.path.basename(path)
        stem = re.split(r"[-_.]", base, maxsplit=1)[0] or base
        ext = base.rsplit(".", 1)[1] if "." in base.lstrip(".") else ""
        names[path] = (stem, ext)
    stems = [stem for stem, _ in names.values()]
    tags: dict[str, str] = {}
    for path, (stem, ext) in names.items():
        tag = stem if stems.count(stem) == 1 or not ext else f"{stem}.{ext}"
        if tag in tags.values():  # same names in two folders: the folder tells them apart
            tag = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
        tags[path] = inert(tag, 24)
    width = max((len(t) for t in tags.values()), default=0)
    return {p: t.ljust(width) for p, t in tags.items()}


class LogPanel(Vertical):
    BORDER_TITLE = "Log"

    class FilterClosed(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.needle = ""
        self._shown_paths: tuple[str, ...] = ()
        self._shown_version = -1
        self._shown_needle = ""
        self._last_seq = -1  # seqs start at 0: the follower's very first line is one too
        self._lines: tuple[RawLine, ...] = ()
        self._drawn_width = 0
        self._no_match_shown = False  # the "no line matches" note is the panel's one line

    def compose(self) -> ComposeResult:
        filter_input = Input(placeholder="filter: text to keep (Enter: done, Esc: clear)",
                             id="log-filter")
        filter_input.display = False
        yield filter_input
        yield RichLog(max_lines=MAX_SHOWN, wrap=False, markup=False, highlight=False,
                      id="log-lines", auto_scroll=True, min_width=1)

    def on_resize(self) -> None:
        # lines are cut to the width they were drawn at: draw them again at the new one
        width = self.query_one("#log-lines", RichLog).scrollable_content_region.width
        if width != self._drawn_width:
            self.call_after_refresh(self._redraw)

    # ------------------------------------------------------------------ filter

    def open_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.needle = event.value.strip().lower()
        self._redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#log-lines", RichLog).focus()
        if not event.value.strip():
            event.input.display = False

    @property
    def filtering(self) -> bool:
        """A filter is set, or its box is open."""
        return bool(self.needle) or self.query_one("#log-filter", Input).display

    def clear_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.value = ""
        box.display = False
        self.needle = ""
        self._redraw()

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key == "escape" and self.query_one("#log-filter", Input).has_focus:
            self.clear_filter()
            self.query_one("#log-lines", RichLog).focus()
            getattr(event, "stop", lambda: None)()

    # ------------------------------------------------------------------ drawing

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        paths = run.files if run else ()
        if (paths == self._shown_paths and view.tail_version == self._shown_version
                and self.needle == self._shown_needle):
            return
        same_files = paths == self._shown_paths and self.needle == self._shown_needle
        self._lines = tuple(line for line in view.tail if line.path in paths)
        self._shown_paths = paths
        self._shown_version = view.tail_version
        if same_files:
            self._append_new()
        else:
            self._redraw()
        self.border_title = Text("Log · " + (inert(run.id, 40) if run else "no run"))

    def _visible(self, lines: Iterable[RawLine]) -> Iterable[RawLine]:
        if not self.needle:
            return lines
        return (line for line in lines if self.needle in line.text.lower())

    def _styles(self) -> dict[str, tuple[str, str]]:
        tags = file_tags(self._shown_paths)
        return {
            p: (t, _FILE_STYLES[i % len(_FILE_STYLES)]) for i, (p, t) in enumerate(tags.items())
        }

    def _redraw(self) -> None:
        log = self.query_one("#log-lines", RichLog)
        log.clear()
        self._last_seq = -1
        self._shown_needle = self.needle
        self._no_match_shown = False
        self._write(self._lines)

    def _append_new(self) -> None:
        new = [line for line in self._lines if line.seq > self._last_seq]
        if self._no_match_shown and any(True for _ in self._visible(new)):
            self._redraw()  # the first match replaces the note
            return
        self._write(new)

    def _write(self, lines: Iterable[RawLine]) -> None:
        log = self.query_one("#log-lines", RichLog)
        styles = self._styles()
        width = log.scrollable_content_region.width
        self._drawn_width = width
        for line in lines:
            self._last_seq = max(self._last_seq, line.seq)
            if self.needle and self.needle not in line.text.lower():
                continue
            tag, style = styles.get(line.path, ("?", "dim"))
            text = render_line(line, tag, style, self.needle)
            if width > 0:
                # cut to the panel (with …): a log never scrolls sideways
                text.truncate(width, overflow="ellipsis")
            log.write(text)
        shown = sum(1 for _ in self._visible(self._lines))
        total = len(self._lines)
        if self.needle and not shown and not self._no_match_shown:
            # an empty panel looks broken: say that the filter hides every line
            note = Text(f"no line matches '{inert(self.needle, 60)}' (Esc clears)",
                        style="dim italic", no_wrap=True, overflow="ellipsis")
            if width > 0:
                note.truncate(width, overflow="ellipsis")
            log.write(note)
            self._no_match_shown = True
        noun = "line" if total == 1 else "lines"
        self.border_subtitle = Text(
            f"filter '{inert(self.needle, 30)}': {shown}/{total} {noun} (Esc clears)"
            if self.needle else f"{total} {noun}"
        )

    def visible_text(self) -> list[str]:
        """The lines currently kept by the filter, as plain text (for tests)."""
        return [inert(line.text) for line in self._visible(self._lines)]
