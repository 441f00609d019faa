"""GPUs: per device memory (with a history sparkline), utilization, temperature, power, and the
processes using it (the job's own marked). No GPU is a normal state that says why."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Sparkline, Static

from evalmon import fmt
from evalmon.events import GpuUnavailable
from evalmon.state.model import GpuView
from evalmon.ui.inert import inert, inert_text
from evalmon.ui.view import DashboardView

#: Points of memory history drawn per device.
HISTORY_POINTS = 120


def memory_fraction(gpu: GpuView) -> float | None:
    used, total = gpu.latest.memory_used, gpu.latest.memory_total
    if used is None or not total:
        return None
    return used / total


def device_header(gpu: GpuView) -> Text:
    sample = gpu.latest
    text = Text()
    text.append(f"{inert(gpu.host, 40)}:{gpu.index} ", style="bold")
    text.append(inert(sample.name, 60), style="dim")
    if sample.simulated:
        text.append("  (simulated)", style="italic yellow")
    if sample.source:  # in the header: a short panel scrolls the card's last rows away
        text.append(f"  from {source_label(gpu)}", style="dim")
    return text


def device_body(gpu: GpuView, job_pids: frozenset[int]) -> RenderableType:
    sample = gpu.latest
    fraction = memory_fraction(gpu)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column("label", style="dim", no_wrap=True)
    grid.add_column("value", ratio=1)
    if fraction is not None:
        style = "red" if fraction >= 0.92 else "yellow" if fraction >= 0.8 else "green"
        meter = Table.grid(padding=(0, 1), expand=True)
        meter.add_column(ratio=1)
        meter.add_column(no_wrap=True)
        meter.add_row(
            ProgressBar(total=1.0, completed=fraction, complete_style=style, finished_style=style),
            Text(f"{fmt.size(sample.memory_used)} / {fmt.size(sample.memory_total)} "
                 f"({fraction:.0%})", style=style),
        )
        grid.add_row("mem", meter)
    else:
        grid.add_row("mem", Text("not reported", style="dim italic"))
    if gpu.peak_memory_used is not None:
        grid.add_row("peak", Text(fmt.size(gpu.peak_memory_used)))
    vitals = Text()
    vitals.append(f"util {_num(sample.utilization_pct, '%')}  ")
    vitals.append(f"temp {_num(sample.temperature_c, '°C')}  ")
    power = _num(sample.power_w, " W")
    if sample.power_limit_w:
        power = f"{_num(sample.power_w, '')}/{sample.power_limit_w:.0f} W"
    vitals.append(f"power {power}")
    grid.add_row("now", vitals)
    procs = Text()
    for proc in sorted(sample.processes, key=lambda p: -(p.used_bytes or 0)):
        if procs:
            procs.append("\n")
        mine = proc.pid in job_pids
        procs.append("★ " if mine else "  ", style="bold green")
        procs.append(f"{proc.pid} ", style="bold" if mine else "")
        procs.append(inert(proc.name or "?", 40), style="" if mine else "dim")
        procs.append(f"  {fmt.size(proc.used_bytes)}")
    grid.add_row("procs", procs if procs else Text("none", style="dim"))
    return grid


def source_label(gpu: GpuView) -> str:
    """Where a device's figures come from, for the card's header: this host's NVML, a
    gpu-log file (another node's, or the demo's simulated GPU), or an exporter's URL."""
    source = gpu.latest.source
    if source == "nvml":
        return f"NVML on {inert(gpu.host, 40)}"
    if source.startswith("gpu-log "):
        return f"{inert(source.removeprefix('gpu-log '), 80)} (gpu-log file)"
    return inert(source, 200)


def _num(value: float | None, unit: str) -> str:
    return fmt.DASH if value is None else f"{value:.0f}{unit}"


class GpuCard(Vertical):
    """One device: figures, then the memory history as a sparkline."""

    def __init__(self, key: tuple[str, int]) -> None:
        super().__init__(classes="gpu-card")
        self.key = key

    def compose(self) -> ComposeResult:
        yield Static("", classes="gpu-header")
        yield Static("", classes="gpu-body")
        yield Sparkline([], classes="gpu-history", summary_function=max)

    def show(self, gpu: GpuView, job_pids: frozenset[int]) -> None:
        self.query_one(".gpu-header", Static).update(device_header(gpu))
        self.query_one(".gpu-body", Static).update(device_body(gpu, job_pids))
        history = [used for _, used in gpu.memory_history[-HISTORY_POINTS:]]
        self.query_one(".gpu-history", Sparkline).data = history or [0]


class GpuPanel(VerticalScroll):
    BORDER_TITLE = "GPU"

    def compose(self) -> ComposeResult:
        yield Static("", id="gpu-status")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._cards: dict[tuple[str, int], GpuCard] = {}
        self._last: object = None

    def update_view(self, view: DashboardView) -> None:
        snap = view.snapshot
        job_pids = frozenset(p.pid for p in snap.processes)
        key = (snap.gpus, snap.gpu_unavailable, job_pids, view.gpu_enabled)
        if key == self._last:
            return
        self._last = key
        status = self.query_one("#gpu-status", Static)
        status.update(render_unavailable(view))
        status.display = bool(unavailable(view)) or not snap.gpus or not view.gpu_enabled
        wanted = {(g.host, g.index): g for g in snap.gpus}
        for gone in set(self._cards) - set(wanted):
            self._cards.pop(gone).remove()
        for gkey, gpu in sorted(wanted.items()):
            card = self._cards.get(gkey)
            if card is None:
                card = GpuCard(gkey)
                self._cards[gkey] = card
                self.mount(card)
                self.call_after_refresh(card.show, gpu, job_pids)
            else:
                card.show(gpu, job_pids)
        hosts = {g.host for g in snap.gpus}
        self.border_subtitle = (
            f"{len(snap.gpus)} GPU{'s' if len(snap.gpus) != 1 else ''}"
            + (f" on {len(hosts)} hosts" if len(hosts) > 1 else "")
        )


def unavailable(view: DashboardView) -> list[GpuUnavailable]:
    """The hosts that said they have no GPU, except those a GPU card is shown for (the demo's
    simulated GPU comes from gpu-<host>.jsonl on a host whose NVML has no library: saying "no
    GPU on vm" above the card of vm's GPU would contradict it)."""
    shown = {g.host for g in view.snapshot.gpus}
    return [u for u in view.snapshot.gpu_unavailable if u.host not in shown]


def render_unavailable(view: DashboardView) -> RenderableType:
    snap = view.snapshot
    if not view.gpu_enabled:
        return Text("GPU sampling off (--no-gpu)", style="dim italic")
    lines: list[RenderableType] = []
    for item in unavailable(view):
        text = Text("no GPU", style="bold yellow")
        text.append(f" on {inert(item.host, 40)}: " if item.host else ": ", style="yellow")
        text.append_text(inert_text(item.reason, style="yellow", max_chars=300))
        lines.append(text)
    if not lines and not snap.gpus:
        lines.append(Text("waiting for GPU samples…", style="dim italic"))
    return Group(*lines)
