"""The runs table: every run found, selectable; the rest of the screen follows the selection."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from evalmon import fmt
from evalmon.state import compare
from evalmon.state.model import RunView
from evalmon.ui.inert import inert_text
from evalmon.ui.panels.events import is_oom_traceback
from evalmon.ui.view import DashboardView

STATUS_STYLES = {
    "running": "bold green",
    "finished": "bold blue",
    "oom": "bold red",
    "failed": "bold red",
    "cancelled": "yellow",
    "timeout": "yellow",
}

#: (key, header), most important first: a narrow table keeps the first ones that fit (run,
#: status, rate, ETA and issues fit 80 columns) and drops the rest; it never scrolls sideways
COLUMNS = (
    ("run", "Run"),
    ("status", "Status"),
    ("rate", "Req/s"),
    ("eta", "ETA"),
    ("issues", "Issues"),
    ("progress", "Done"),
    ("docs", "Docs/s"),
    ("batch", "Batch"),
    ("conc", "Conc"),
    ("engine", "Engine"),
    ("speedup", "Speedup"),
    ("t1000", "1000 req in"),
)
#: columns kept at any width
ALWAYS = ("run", "status")
#: DataTable's cell padding, both sides
_PADDING = 2


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


#: the runs table's mark of a rate of a run that ended part way, explained under the table
PARTIAL_MARK = "*"


def rate_cell(run: RunView, value: float | None) -> str:
    """A run's rate: ``~`` while it is an early estimate, ``*`` when the run ended before its
    work was done (as the report's terminal table writes it): "(partial)" twice in a row took
    the room of three columns at 80 columns."""
    if value is None:
        return fmt.DASH
    if run.partial:
        return f"{fmt.rate(value)}{PARTIAL_MARK}"
    if run.early and run.status == "running":
        return fmt.early(fmt.rate(value))
    return fmt.rate(value)


def run_cells(run: RunView, speedup: compare.Speedup | None = None) -> tuple[Text, ...]:
    """One table row; ``speedup`` is the run's, from :func:`evalmon.state.compare.speedups`."""
    config = run.config
    # the run's work done (documents when lm-eval counted them), rounded down: a run that
    # died part way never reads 100%
    done = fmt.done(run.done_fraction)
    issues: list[str] = []
    failures = run.oom_failures
    ooms = run.oom_count
    if ooms:
        issues.append(f"{ooms} OOM")
    http_errors = sum(c for s, c in run.http.items() if s >= 500)
    if http_errors:
        issues.append(f"{http_errors}×5xx")
    # a traceback that ends in the OOM is the OOM, already counted
    crashes = [r for r in run.exceptions if not (failures and is_oom_traceback(r.event))]
    if crashes:
        issues.append(f"{len(crashes)} exc")
    worst = max((a.level for a in run.alerts), key=_level_rank, default=None)
    issue_style = "red" if ooms or http_errors else ("yellow" if worst else "")
    if not issues and run.alerts:
        issues.append(f"{len(run.alerts)} advice")
    return (
        inert_text(run.id, style="bold", max_chars=28),
        Text(run.status, style=STATUS_STYLES.get(run.status, "")),
        _right(rate_cell(run, run.samples_per_s), "bold"),
        _right(_eta(run)),
        Text(" ".join(issues) or fmt.DASH, style=issue_style, no_wrap=True),
        _right(done),
        _right(rate_cell(run, run.docs_per_s)),
        _right(fmt.optional(config.batch_size)),
        _right(fmt.optional(config.num_concurrent)),
        _right(fmt.optional(run.engine_max_batch)),
        _right(fmt.speedup(compare.ratio(speedup))),
        _right(fmt.duration(run.time_for(1000))),
    )


def _eta(run: RunView) -> str:
    if run.status != "running":
        return fmt.DASH
    text = fmt.duration(run.eta_s)
    return fmt.early(text) if run.eta_early else text


def fit_columns(width: int, cells: list[tuple[Text, ...]]) -> tuple[str, ...]:
    """The column keys to show in ``width`` cells, in table order: the most important ones
    that fit, whatever their content's width."""
    if width <= 0:
        return tuple(key for key, _ in COLUMNS)
    widths = []
    for i, (_, label) in enumerate(COLUMNS):
        content = max((row[i].cell_len for row in cells), default=0)
        widths.append(max(len(label), content) + _PADDING)
    used = sum(w for (key, _), w in zip(COLUMNS, widths, strict=True) if key in ALWAYS)
    keep = set(ALWAYS)
    for (key, _), w in zip(COLUMNS, widths, strict=True):
        if key in keep:
            continue
        if used + w <= width:
            keep.add(key)
            used += w
    return tuple(key for key, _ in COLUMNS if key in keep)


def _level_rank(level: str) -> int:
    return {"info": 0, "warning": 1, "error": 2}.get(level, 0)


class RunsTable(DataTable):
    """Runs, one per row, keyed by run id."""

    BORDER_TITLE = "Runs"

    class RunChosen(Message):
        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._row_ids: tuple[str, ...] = ()
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._shown_selection: str | None = None
        self._columns: tuple[str, ...] = ()
        self._widths: tuple[int, ...] = ()
        self._view: DashboardView | None = None

    def on_resize(self) -> None:
        if self._view is not None:
            self.update_view(self._view)

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        runs = view.snapshot.runs
        ids = tuple(r.id for r in runs)
        speedups = compare.speedups(view.snapshot.runs, view.baseline)
        cells = {run.id: run_cells(run, speedups.get(run.id)) for run in runs}
        columns = fit_columns(self.scrollable_content_region.width, list(cells.values()))
        index = {key: i for i, (key, _) in enumerate(COLUMNS)}
        # a column wider than it was drawn: draw the table again (DataTable's own resizing
        # of a column after update_cell left "finishe" where "running" had been)
        widths = tuple(max((c[index[k]].cell_len for c in cells.values()), default=0)
                       for k in columns)
        if columns != self._columns or ids != self._row_ids or widths != self._widths:
            self.clear(columns=True)
            # explicit widths: DataTable measures auto widths only when its message pump
            # goes idle, which a busy machine can put off for seconds (header-wide columns)
            labels = dict(COLUMNS)
            for key, content in zip(columns, widths, strict=True):
                self.add_column(labels[key], key=key, width=max(content, len(labels[key])))
            for run in runs:
                self.add_row(*(cells[run.id][index[k]] for k in columns), key=run.id)
            self._columns = columns
            self._row_ids = ids
            self._widths = widths
        else:
            for run in runs:
                old = self._cells.get(run.id, ())
                for key in columns:
                    i = index[key]
                    if i >= len(old) or old[i] != cells[run.id][i]:
                        self.update_cell(run.id, key, cells[run.id][i], update_width=True)
        self._cells = cells
        self._shown_selection = view.selected_run
        if view.selected_run in ids:
            row = ids.index(view.selected_run)
            if self.cursor_row != row:
                self.move_cursor(row=row)
        label = "runs" if len(ids) != 1 else "run"
        hidden = len(COLUMNS) - len(columns)
        more = f" · +{hidden} column{'s' if hidden != 1 else ''} when wider" if hidden else ""
        partial = any(r.partial and (r.samples_per_s is not None or r.docs_per_s is not None)
                      for r in runs)
        note = f" · {PARTIAL_MARK} ended part way" if partial else ""
        self.border_subtitle = f"{len(ids)} {label}{note}{more}"

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key is None or event.row_key.value is None:
            return
        if event.cursor_row != self.cursor_row:
            return  # stale: the table was rebuilt or moved again since
        if event.row_key.value == self._shown_selection:
            return  # the app's own selection, not the user's
        self.post_message(self.RunChosen(str(event.row_key.value)))
