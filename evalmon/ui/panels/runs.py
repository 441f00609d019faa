"""The runs table: every run found, selectable; the rest of the screen follows the selection."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from evalmon import fmt
from evalmon.state import compare
from evalmon.state.model import RunView
from evalmon.ui.inert import inert_text
from evalmon.ui.view import DashboardView

STATUS_STYLES = {
    "running": "bold green",
    "finished": "bold blue",
    "oom": "bold red",
    "failed": "bold red",
    "cancelled": "yellow",
    "timeout": "yellow",
}

COLUMNS = (
    ("run", "Run"),
    ("status", "Status"),
    ("batch", "Batch"),
    ("conc", "Conc"),
    ("engine", "Engine"),
    ("rate", "Samples/s"),
    ("speedup", "Speedup"),
    ("progress", "Done"),
    ("eta", "ETA"),
    ("t1000", "1000 in"),
    ("issues", "Issues"),
)


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


def run_cells(run: RunView, reference: float | None) -> tuple[Text, ...]:
    """One table row; ``reference`` is the samples/s that counts as 1x (see state.compare)."""
    config = run.config
    request_bar = next((b for b in run.bars if b.is_request_bar), None)
    if request_bar is not None and request_bar.fraction is not None:
        done = fmt.percent(request_bar.fraction)
    else:
        done = fmt.DASH
    issues: list[str] = []
    failures = run.oom_failures
    if failures:
        issues.append(f"{len(failures)} OOM")
    http_errors = sum(c for s, c in run.http.items() if s >= 500)
    if http_errors:
        issues.append(f"{http_errors}×5xx")
    if run.exceptions:
        issues.append(f"{len(run.exceptions)} exc")
    worst = max((a.level for a in run.alerts), key=_level_rank, default=None)
    issue_style = "red" if failures or http_errors else ("yellow" if worst else "")
    if not issues and run.alerts:
        issues.append(f"{len(run.alerts)} advice")
    return (
        inert_text(run.id, style="bold"),
        Text(run.status, style=STATUS_STYLES.get(run.status, "")),
        _right(fmt.optional(config.batch_size)),
        _right(fmt.optional(config.num_concurrent)),
        _right(fmt.optional(run.engine_max_batch)),
        _right(fmt.rate(run.samples_per_s), "bold"),
        _right(fmt.speedup(compare.speedup(run, reference))),
        _right(done),
        _right(fmt.duration(run.eta_s) if run.status == "running" else fmt.DASH),
        _right(fmt.duration(run.time_for(1000))),
        Text(" ".join(issues) or fmt.DASH, style=issue_style, no_wrap=True),
    )


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

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def update_view(self, view: DashboardView) -> None:
        runs = view.snapshot.runs
        ids = tuple(r.id for r in runs)
        reference = compare.reference_rate(view.snapshot.runs, view.baseline)
        if ids != self._row_ids:
            self.clear()
            self._cells = {}
            for run in runs:
                cells = run_cells(run, reference)
                self.add_row(*cells, key=run.id)
                self._cells[run.id] = cells
            self._row_ids = ids
        else:
            for run in runs:
                cells = run_cells(run, reference)
                old = self._cells.get(run.id, ())
                for i, ((key, _), new_cell) in enumerate(zip(COLUMNS, cells, strict=True)):
                    if i >= len(old) or old[i] != new_cell:
                        self.update_cell(run.id, key, new_cell, update_width=True)
                self._cells[run.id] = cells
        self._shown_selection = view.selected_run
        if view.selected_run in ids:
            row = ids.index(view.selected_run)
            if self.cursor_row != row:
                self.move_cursor(row=row)
        label = "runs" if len(ids) != 1 else "run"
        self.border_subtitle = f"{len(ids)} {label}"

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key is None or event.row_key.value is None:
            return
        if event.cursor_row != self.cursor_row:
            return  # stale: the table was rebuilt or moved again since
        if event.row_key.value == self._shown_selection:
            return  # the app's own selection, not the user's
        self.post_message(self.RunChosen(str(event.row_key.value)))
