"""GPU telemetry from the cluster's own exporters: ``--gpu-metrics URL``.

A remote node's GPUs, read from what its monitoring stack already serves, next to NVML
(this host) and the ``gpu-<host>.jsonl`` files of ``evalmon gpu-log``:

* NVIDIA's DCGM exporter (``dcgm-exporter``, port 9400). Names and units from its default
  counters (``etc/default-counters.csv``) and real outputs (NVIDIA/dcgm-exporter#250,
  NVIDIA/dcgm-exporter#736, NVIDIA/gpu-operator#348): gauges ``DCGM_FI_DEV_FB_USED`` and
  ``DCGM_FI_DEV_FB_FREE`` (MiB; total = used + free + ``DCGM_FI_DEV_FB_RESERVED`` when
  exported), ``DCGM_FI_DEV_GPU_UTIL`` (%), ``DCGM_FI_DEV_GPU_TEMP`` (C),
  ``DCGM_FI_DEV_POWER_USAGE`` (W), ``DCGM_FI_DEV_POWER_MGMT_LIMIT`` (W). Labels ``gpu``
  (the index), ``UUID``, ``device``, ``modelName`` and ``Hostname`` (``hostname`` in newer
  releases); a MIG instance adds ``GPU_I_ID`` (its rows are summed into their GPU).
* nvitop-exporter (``XuehaiPan/nvitop``, ``nvitop-exporter/nvitop_exporter/exporter.py``):
  prometheus_client gauges with units, so ``gpu_memory_used_MiB``, ``gpu_memory_total_MiB``,
  ``gpu_utilization_Percentage``, ``gpu_temperature_C``, ``gpu_power_usage_W``,
  ``gpu_power_limit_W``; labels ``hostname``, ``index``, ``devicename``, ``uuid``.

Each sample says where it came from (``GpuSample.source``: ``"dcgm <url>"`` or
``"nvitop-exporter <url>"``). A scrape never raises and never hangs (the ``/metrics``
source's fetch: 2 s deadline, 4 MiB cap); a failure is a :class:`GpuUnavailable` with one
line ("gpu metrics http://node7:9400/metrics: metrics unreachable: connection refused").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from evalmon.events import GpuSample, GpuUnavailable

MIB = 1024 * 1024
DEFAULT_INTERVAL_S = 2.0

GpuResult = list[GpuSample] | GpuUnavailable

# field -> (DCGM name, nvitop-exporter name)
_NAMES = {
    "used": ("DCGM_FI_DEV_FB_USED", "gpu_memory_used_MiB"),
    "free": ("DCGM_FI_DEV_FB_FREE", "gpu_memory_free_MiB"),
    "reserved": ("DCGM_FI_DEV_FB_RESERVED", ""),
    "total": ("DCGM_FI_DEV_FB_TOTAL", "gpu_memory_total_MiB"),
    "util": ("DCGM_FI_DEV_GPU_UTIL", "gpu_utilization_Percentage"),
    "temp": ("DCGM_FI_DEV_GPU_TEMP", "gpu_temperature_C"),
    "power": ("DCGM_FI_DEV_POWER_USAGE", "gpu_power_usage_W"),
    "limit": ("DCGM_FI_DEV_POWER_MGMT_LIMIT", "gpu_power_limit_W"),
}
_SUMMED = frozenset({"used", "free", "reserved", "total"})  # MIG instances add up


def _kind(names: set[str]) -> str | None:
    if any(n.startswith("DCGM_FI_DEV_") for n in names):
        return "dcgm"
    if "gpu_memory_used_MiB" in names or "gpu_utilization_Percentage" in names:
        return "nvitop-exporter"
    return None


def reduce_gpu_metrics(text: str, url: str, at: float, *, default_host: str = "") -> GpuResult:
    """PURE: one exporter's Prometheus text -> one :class:`GpuSample` per GPU."""
    from prometheus_client.parser import text_string_to_metric_families

    rows: list[tuple[str, dict[str, str], float]] = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                rows.append((s.name, dict(s.labels), float(s.value)))
    except Exception as exc:
        return GpuUnavailable(default_host, f"gpu metrics {url}: not Prometheus text "
                                            f"({type(exc).__name__})")
    kind = _kind({name for name, _, _ in rows})
    if kind is None:
        return GpuUnavailable(default_host, f"gpu metrics {url}: no DCGM or nvitop-exporter "
                                            "GPU series there")
    col = 0 if kind == "dcgm" else 1
    field_of = {names[col]: f for f, names in _NAMES.items() if names[col]}
    gpus: dict[tuple[str, int], dict[str, object]] = {}
    for name, labels, value in rows:
        field = field_of.get(name)
        if field is None or value != value:  # NaN: DCGM's blank
            continue
        index_text = labels.get("gpu") if kind == "dcgm" else labels.get("index")
        try:
            index = int(index_text or "")
        except ValueError:
            continue
        host = labels.get("Hostname") or labels.get("hostname") or default_host
        gpu = gpus.setdefault((host, index), {
            "name": labels.get("modelName") or labels.get("devicename") or "",
            "uuid": labels.get("UUID") or labels.get("uuid") or "",
        })
        if field in _SUMMED:
            gpu[field] = float(gpu.get(field, 0.0)) + value  # type: ignore[arg-type]
        else:
            gpu[field] = value
    if not gpus:
        return GpuUnavailable(default_host, f"gpu metrics {url}: no GPU rows")
    out = []
    for (host, index), g in sorted(gpus.items()):
        used = g.get("used")
        total = g.get("total")
        if total is None and used is not None and g.get("free") is not None:
            total = float(used) + float(g["free"]) + float(g.get("reserved", 0.0))  # type: ignore[arg-type]
        out.append(GpuSample(
            host=host, index=index, name=str(g["name"]),
            memory_used=int(float(used) * MIB) if used is not None else None,  # type: ignore[arg-type]
            memory_total=int(float(total) * MIB) if total is not None else None,  # type: ignore[arg-type]
            utilization_pct=g.get("util"),  # type: ignore[arg-type]
            temperature_c=g.get("temp"),  # type: ignore[arg-type]
            power_w=g.get("power"),  # type: ignore[arg-type]
            power_limit_w=g.get("limit"),  # type: ignore[arg-type]
            timestamp=at, uuid=str(g["uuid"]), source=f"{kind} {url}",
        ))
    return out


def scrape_gpus(url: str, *, timeout_s: float = 2.0, wall: Callable[[], float] = time.time,
                default_host: str = "") -> GpuResult:
    """One scrape of ``url`` (blocking, at most ``timeout_s``). Never raises."""
    from evalmon.sources.metrics import _not_prometheus, fetch, normalize_url

    target = normalize_url(url)
    host = default_host or (target.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0])
    fetched = fetch(target, timeout_s=timeout_s)
    if fetched.body is None:
        return GpuUnavailable(host, f"gpu metrics {target}: {fetched.error}")
    not_text = _not_prometheus(fetched.body, fetched.content_type)
    if not_text:
        return GpuUnavailable(host, f"gpu metrics {target}: {not_text}")
    result = reduce_gpu_metrics(fetched.body.decode("utf-8", "replace"), target, wall(),
                                default_host=host)
    return result


class GpuMetricsPoller:
    """Scrapes ``url`` every ``interval_s`` on a daemon thread (sources.nvml.Poller) and hands
    each result to ``on_result``. The first failure, and the first success after failures,
    also go to ``on_change`` (one line for a headless run)."""

    def __init__(self, url: str, on_result: Callable[[GpuResult], None], *,
                 interval_s: float = DEFAULT_INTERVAL_S,
                 on_change: Callable[[str], None] | None = None) -> None:
        from evalmon.sources.nvml import Poller

        self.url = url
        self._on_result = on_result
        self._on_change = on_change
        self._failing: bool | None = None
        self._poller = Poller(lambda: scrape_gpus(url), self._handle, interval_s,
                              name="evalmon-gpu-metrics")

    def _handle(self, result: GpuResult) -> None:
        failing = isinstance(result, GpuUnavailable)
        if self._on_change is not None and failing != self._failing:
            if failing:
                self._on_change(result.reason)  # type: ignore[union-attr]
            elif self._failing:
                self._on_change(f"gpu metrics {self.url}: answering again")
        self._failing = failing
        self._on_result(result)

    def start(self) -> None:
        self._poller.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._poller.stop(timeout)


def with_source(sample: GpuSample, source: str) -> GpuSample:
    return replace(sample, source=source)
