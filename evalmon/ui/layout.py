"""Where each panel goes, for any terminal size: pure arithmetic, no Textual.

The dashboard has three layouts, chosen by the terminal's size:

* ``wide`` (at least 160x40: a full screen): three bands, runs and progress on top, the charts
  and the GPU in the middle, the log, events and attempts at the bottom;
* ``columns`` (at least 100x30: half a laptop screen, a tmux split): two columns, what the
  run is doing on the left (runs, progress, log), why on the right (events, attempts,
  throughput, engine batches, GPU);
* ``focused`` (anything smaller, e.g. the 80x24 default): one view at a time (Runs, Progress,
  Engine, GPU, Events, Log), switched with the tabs or the keys 1-6.

The breakpoints come from the terminals people open (cell counts measured at default fonts):
80x24 is the default of xterm, GNOME Terminal, macOS Terminal and PuTTY; a 13-14" laptop
screen split in halves gives 90-120 columns by 45-60 rows (a 1920 px screen at 9 px cells: 106
columns); VS Code's terminal panel is wide but 12-20 rows high; a full 1920 px screen gives
180-215 columns by 50-60 rows, a MacBook's full screen 160-205. Below 100 columns a second
column would leave each panel under 50 cells, too narrow for the runs table's key columns or
a chart; below 30 rows stacking four panels leaves each under 6 rows; below 160x40 the wide
layout's four charts shrink to slivers.

A layout is a tree of splits; :func:`tile` turns it into one rectangle per visible panel
(hidden panels give their room to the others), and :func:`grid_plan` into the column widths,
row heights and spans of a Textual grid that draws exactly those rectangles.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Union

Mode = Literal["wide", "columns", "focused"]

#: Columns from which two columns fit (half a laptop screen).
COLUMNS_MIN_WIDTH = 100
#: Rows from which panels can be stacked four high.
COLUMNS_MIN_HEIGHT = 30
#: The wide layout: a full screen.
WIDE_MIN_WIDTH = 160
WIDE_MIN_HEIGHT = 40

#: The focused layout's views, in tab order (the keys 1-6).
VIEWS: tuple[tuple[str, str], ...] = (
    ("runs", "Runs"),
    ("progress", "Progress"),
    ("engine", "Engine"),
    ("gpu", "GPU"),
    ("events", "Events"),
    ("log", "Log"),
)

PANEL_IDS: tuple[str, ...] = (
    "runs", "progress", "throughput", "engine", "histogram", "gpu", "log", "events",
    "attempts", "processes",
)


def mode_for(width: int, height: int) -> Mode:
    """The layout for a terminal of ``width`` x ``height`` cells."""
    if width >= WIDE_MIN_WIDTH and height >= WIDE_MIN_HEIGHT:
        return "wide"
    if width >= COLUMNS_MIN_WIDTH and height >= COLUMNS_MIN_HEIGHT:
        return "columns"
    return "focused"


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True, slots=True)
class Size:
    """A part's share of its split: ``cells`` fixed cells, else ``fr`` of what is left."""

    cells: int | None = None
    fr: float = 1.0


def fixed(cells: int) -> Size:
    return Size(cells=max(1, cells))


def share(fr: float = 1.0) -> Size:
    return Size(fr=fr)


@dataclass(frozen=True, slots=True)
class Split:
    """Parts side by side (``across``) or stacked."""

    across: bool
    parts: tuple[tuple[Node, Size], ...]


Node = Union[str, Split]  # a panel id or a split  # noqa: UP007 (a runtime alias)


def row(*parts: tuple[Node, Size]) -> Split:
    return Split(True, parts)


def stack(*parts: tuple[Node, Size]) -> Split:
    return Split(False, parts)


@dataclass(frozen=True, slots=True)
class Rect:
    x: int
    y: int
    width: int
    height: int


def _prune(node: Node, visible: frozenset[str]) -> Node | None:
    """The tree without hidden panels; a split left with one part becomes that part."""
    if isinstance(node, str):
        return node if node in visible else None
    parts = [(p, s) for p, s in ((_prune(p, visible), s) for p, s in node.parts) if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0][0]
    return Split(node.across, tuple(parts))  # type: ignore[arg-type]


def _divide(total: int, sizes: Sequence[Size]) -> list[int]:
    """Cells for each part: fixed parts first (shrunk if they do not fit), the rest by fr.

    Without any fr part the last part takes what is left, so a split always fills its room.
    """
    cells = [s.cells or 0 for s in sizes]
    flexible = [i for i, s in enumerate(sizes) if s.cells is None]
    fixed_total = sum(cells)
    if fixed_total > total or (flexible and fixed_total > total - len(flexible)):
        # not enough room: the fixed parts give up cells, keeping one each for the flexible
        room = max(0, total - len(flexible))
        cells = _proportional(room, [float(c) for c in cells])
        fixed_total = sum(cells)
    rest = total - fixed_total
    if flexible:
        shares = _proportional(rest, [sizes[i].fr for i in flexible])
        for i, n in zip(flexible, shares, strict=True):
            cells[i] = n
    elif cells:
        cells[-1] += rest
    return cells


def _proportional(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` cells split by ``weights``, whole cells, summing exactly to ``total``."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1.0] * len(weights)
    weight = sum(weights)
    exact = [total * w / weight for w in weights]
    cells = [int(e) for e in exact]
    leftover = total - sum(cells)
    # the largest remainders get the leftover cells (earlier parts first on ties)
    order = sorted(range(len(exact)), key=lambda i: (cells[i] - exact[i], i))
    for i in order[:leftover]:
        cells[i] += 1
    return cells


def tile(node: Node, width: int, height: int, visible: frozenset[str]) -> dict[str, Rect]:
    """One rectangle per visible panel, together covering ``width`` x ``height`` exactly."""
    rects: dict[str, Rect] = {}
    pruned = _prune(node, visible)
    if pruned is None or width <= 0 or height <= 0:
        return rects

    def place(n: Node, x: int, y: int, w: int, h: int) -> None:
        if isinstance(n, str):
            rects[n] = Rect(x, y, w, h)
            return
        lengths = _divide(w if n.across else h, [s for _, s in n.parts])
        offset = 0
        for (part, _), length in zip(n.parts, lengths, strict=True):
            if length <= 0:
                continue  # no room at all: the part is not drawn
            if n.across:
                place(part, x + offset, y, length, h)
            else:
                place(part, x, y + offset, w, length)
            offset += length

    place(pruned, 0, 0, width, height)
    return rects


# --------------------------------------------------------------------------- to a grid


@dataclass(frozen=True, slots=True)
class GridPlan:
    """A Textual grid drawing given rectangles: ``order`` is the panels' order in the DOM."""

    columns: tuple[int, ...]
    rows: tuple[int, ...]
    order: tuple[str, ...]
    spans: Mapping[str, tuple[int, int]]  # panel -> (column span, row span)


def grid_plan(rects: Mapping[str, Rect]) -> GridPlan:
    """The grid whose cells are cut at every rectangle edge; each panel spans its cells.

    Panels are ordered by their top-left corner, row by row, which is the order in which a
    grid places its children, so each lands exactly on its rectangle.
    """
    if not rects:
        return GridPlan((), (), (), {})
    xs = sorted({r.x for r in rects.values()} | {r.x + r.width for r in rects.values()})
    ys = sorted({r.y for r in rects.values()} | {r.y + r.height for r in rects.values()})
    col_index = {x: i for i, x in enumerate(xs)}
    row_index = {y: i for i, y in enumerate(ys)}
    spans = {
        name: (col_index[r.x + r.width] - col_index[r.x],
               row_index[r.y + r.height] - row_index[r.y])
        for name, r in rects.items()
    }
    order = tuple(sorted(rects, key=lambda n: (rects[n].y, rects[n].x)))
    columns = tuple(b - a for a, b in itertools.pairwise(xs))
    rows = tuple(b - a for a, b in itertools.pairwise(ys))
    return GridPlan(columns, rows, order, spans)


# --------------------------------------------------------------------------- the layouts


@dataclass(frozen=True, slots=True)
class Needs:
    """Heights panels would like, from what they show (rows, borders included)."""

    runs: int = 8
    progress: int = 10
    attempts: int = 5
    histogram: int = 9
    gpu: int = 10
    processes: bool = False  # the job's processes are sampled (evalmon run): their panel shows


#: rows under which a chart shows no more than a tick or two
CHARTS_MIN = 10


def layout_tree(mode: Mode, view: str, width: int, height: int, needs: Needs) -> Node:
    """The split tree of ``mode`` (``view``: the focused layout's current view)."""
    if mode == "wide":
        top = min(max(needs.runs, needs.progress, 8), max(8, height * 2 // 5))
        return stack(
            (row(("runs", share(3)), ("progress", share(2))), fixed(top)),
            (row(("throughput", share(1)), ("engine", share(1)), ("histogram", share(0.8)),
                 ("gpu", share(1))), share(1)),
            (row(("log", share(2)), ("events", share(1)),
                 (stack(("attempts", fixed(needs.attempts)), ("processes", share(1))), share(1))),
             share(1)),
        )
    if mode == "columns":
        # left: what the run does (runs, progress, the two charts side by side, tall enough to
        # read); right: why (events, attempts, the GPU) and the raw log
        third = max(5, height // 3)
        processes = min(7, max(5, height // 6))
        # the progress panel takes the charts' rows beyond the 10 that keep them readable
        spare = (height - min(needs.runs, third) - (processes if needs.processes else 0)
                 - CHARTS_MIN)
        left = stack(
            ("runs", fixed(min(needs.runs, third))),
            ("progress", fixed(min(needs.progress, max(third, min(height // 2, spare))))),
            (row(("throughput", share(1)), ("engine", share(1))), share(1)),
            ("processes", fixed(processes)),
        )
        right = stack(
            ("events", share(1)),
            ("attempts", fixed(min(needs.attempts, max(4, height // 4)))),
            ("gpu", fixed(min(needs.gpu, max(4, height // 4)))),
            ("log", share(1.2)),
        )
        return row((left, share(1)), (right, share(1)))
    # focused: one view at a time
    if view == "progress":
        return stack(("progress", fixed(min(needs.progress, height // 2))),
                     ("throughput", share(1)))
    if view == "engine":
        if width >= COLUMNS_MIN_WIDTH:
            return row(("engine", share(3)), ("histogram", share(2)))
        return stack(("engine", share(1)), ("histogram", fixed(min(needs.histogram, height // 2))))
    if view == "gpu":
        return stack(("gpu", share(1)), ("processes", share(1)))
    if view == "events":
        return stack(("events", share(1)), ("attempts", fixed(min(needs.attempts, height // 2))))
    if view == "log":
        return "log"
    return stack(("runs", fixed(min(needs.runs, max(5, height * 2 // 5)))), ("progress", share(1)))


#: Panels that only exist in some layouts (the histogram's summary is on the engine chart in
#: the columns layout, where a fifth panel in the right column would leave each too short).
NOT_IN: Mapping[Mode, frozenset[str]] = {
    "wide": frozenset(),
    "columns": frozenset({"histogram"}),
    "focused": frozenset(),
}


def view_panels(view: str, width: int) -> frozenset[str]:
    """The panels of a focused view."""
    tree = layout_tree("focused", view, width, 24, Needs())
    return frozenset(_leaves(tree))


def _leaves(node: Node) -> list[str]:
    if isinstance(node, str):
        return [node]
    return [leaf for part, _ in node.parts for leaf in _leaves(part)]
