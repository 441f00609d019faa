"""--gpu-metrics: DCGM exporter and nvitop-exporter text reduced to GpuSample rows.

The DCGM shapes are those of real dcgm-exporter outputs quoted in public issues:
* NVIDIA/dcgm-exporter#250 (V100 node, labels gpu/UUID/device/modelName/Hostname, values
  printed "%f"),
* NVIDIA/dcgm-exporter#317 (A30 with MIG instances: GPU_I_PROFILE/GPU_I_ID, one row each),
* NVIDIA/dcgm-exporter#736 (newer releases: lowercase ``hostname``, ``pci_bus_id``).
nvitop-exporter's text is produced here by prometheus_client itself with the names, units and
labels of XuehaiPan/nvitop nvitop-exporter/nvitop_exporter/exporter.py, as it does.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from evalmon.events import GpuSample, GpuUnavailable
from evalmon.sources.dcgm import MIB, GpuMetricsPoller, reduce_gpu_metrics, scrape_gpus

V100 = 'gpu="{i}",UUID="GPU-a6158b59-2c1e-1e63-0068-9178c4298ab{i}",device="nvidia{i}",modelName="Tesla V100-SXM2-32GB",Hostname="r6i3n0"'  # noqa: E501

DCGM_V100 = "\n".join([
    "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).",
    "# TYPE DCGM_FI_DEV_GPU_TEMP gauge",
    *(f"DCGM_FI_DEV_GPU_TEMP{{{V100.format(i=i)}}} {40 + i}" for i in range(2)),
    "# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).",
    "# TYPE DCGM_FI_DEV_POWER_USAGE gauge",
    *(f"DCGM_FI_DEV_POWER_USAGE{{{V100.format(i=i)}}} 55.123000" for i in range(2)),
    "# HELP DCGM_FI_DEV_POWER_MGMT_LIMIT Power management limit (in W).",
    "# TYPE DCGM_FI_DEV_POWER_MGMT_LIMIT gauge",
    *(f"DCGM_FI_DEV_POWER_MGMT_LIMIT{{{V100.format(i=i)}}} 300.000000" for i in range(2)),
    "# HELP DCGM_FI_DEV_PCIE_REPLAY_COUNTER Total number of PCIe retries.",
    "# TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter",
    *(f"DCGM_FI_DEV_PCIE_REPLAY_COUNTER{{{V100.format(i=i)}}} 0" for i in range(2)),
    "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).",
    "# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
    *(f"DCGM_FI_DEV_GPU_UTIL{{{V100.format(i=i)}}} {97 * i}" for i in range(2)),
    "# HELP DCGM_FI_DEV_FB_FREE Framebuffer memory free (in MiB).",
    "# TYPE DCGM_FI_DEV_FB_FREE gauge",
    *(f"DCGM_FI_DEV_FB_FREE{{{V100.format(i=i)}}} {32510 - 20000 * i}" for i in range(2)),
    "# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).",
    "# TYPE DCGM_FI_DEV_FB_USED gauge",
    *(f"DCGM_FI_DEV_FB_USED{{{V100.format(i=i)}}} {20000 * i}" for i in range(2)),
    "",
])

A30 = 'gpu="0",UUID="GPU-265c9814-6156-355b-e589-ff2064894f16",device="nvidia0",modelName="NVIDIA A30",GPU_I_PROFILE="1g.6gb",GPU_I_ID="{k}",Hostname="yg-data-k8s-gpu-a30-node-test-test0003.mt"'  # noqa: E501
DCGM_MIG = "\n".join([
    "# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).",
    "# TYPE DCGM_FI_DEV_FB_USED gauge",
    *(f"DCGM_FI_DEV_FB_USED{{{A30.format(k=k)}}} 3" for k in (3, 4, 5, 6)),
    "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in °C).",
    "# TYPE DCGM_FI_DEV_GPU_TEMP gauge",
    *(f"DCGM_FI_DEV_GPU_TEMP{{{A30.format(k=k)}}} 35" for k in (3, 4, 5, 6)),
    "",
])

NEW_LABELS = (
    '# HELP DCGM_FI_DEV_FB_FREE Framebuffer memory free (in MiB).\n'
    '# TYPE DCGM_FI_DEV_FB_FREE gauge\n'
    'DCGM_FI_DEV_FB_FREE{gpu="1",UUID="GPU-fc60126e-514d-3522-2828-c5daa8e99d85",'
    'pci_bus_id="00000000:B1:00.0",device="nvidia1",modelName="NVIDIA RTX 2000 Ada Generation",'
    'hostname="dcgm-exporter-wwwjh"} 11275\n'
)


def test_dcgm_rows_become_one_sample_per_gpu_with_units_and_source():
    url = "http://r6i3n0:9400/metrics"
    samples = reduce_gpu_metrics(DCGM_V100, url, 100.0)
    assert isinstance(samples, list) and len(samples) == 2
    idle, busy = samples
    assert (idle.host, idle.index, busy.index) == ("r6i3n0", 0, 1)
    assert idle.name == "Tesla V100-SXM2-32GB"
    assert idle.uuid.startswith("GPU-a6158b59")
    assert busy.memory_used == 20000 * MIB
    assert busy.memory_total == (20000 + 12510) * MIB  # used + free
    assert busy.utilization_pct == 97 and idle.utilization_pct == 0
    assert busy.temperature_c == 41 and busy.power_w == pytest.approx(55.123)
    assert busy.power_limit_w == 300
    assert busy.timestamp == 100.0
    assert busy.source == f"dcgm {url}"


def test_dcgm_mig_instances_add_up_into_their_gpu():
    samples = reduce_gpu_metrics(DCGM_MIG, "u", 1.0)
    assert isinstance(samples, list) and len(samples) == 1
    assert samples[0].memory_used == 12 * MIB
    assert samples[0].temperature_c == 35
    assert samples[0].memory_total is None  # FB_FREE not exported: unknown, not guessed


def test_newer_dcgm_lowercase_hostname():
    samples = reduce_gpu_metrics(NEW_LABELS, "u", 1.0)
    assert isinstance(samples, list)
    assert samples[0].host == "dcgm-exporter-wwwjh" and samples[0].index == 1
    assert samples[0].memory_used is None


def nvitop_text() -> str:
    from prometheus_client import CollectorRegistry, Gauge, generate_latest

    registry = CollectorRegistry()
    labels = ["hostname", "index", "devicename", "uuid"]
    values = {"hostname": "10.0.0.7", "index": "0", "devicename": "NVIDIA H100 80GB HBM3",
              "uuid": "GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77"}
    for name, unit, doc, value in (
        ("gpu_utilization", "Percentage", "GPU utilization (%).", 88),
        ("gpu_memory_total", "MiB", "GPU memory total (MiB).", 81559),
        ("gpu_memory_used", "MiB", "GPU memory used (MiB).", 70000),
        ("gpu_memory_free", "MiB", "GPU memory free (MiB).", 11559),
        ("gpu_power_usage", "W", "GPU power usage (W).", 512.5),
        ("gpu_power_limit", "W", "GPU power limit (W).", 700),
        ("gpu_temperature", "C", "GPU temperature (C).", 61),
    ):
        Gauge(name, doc, unit=unit, labelnames=labels, registry=registry).labels(
            **values).set(value)
    return generate_latest(registry).decode()


def test_nvitop_exporter_text():
    text = nvitop_text()
    assert "gpu_memory_used_MiB{" in text  # the names nvitop-exporter really serves
    samples = reduce_gpu_metrics(text, "http://10.0.0.7:5050/metrics", 2.0)
    assert isinstance(samples, list) and len(samples) == 1
    s = samples[0]
    assert (s.host, s.index, s.name) == ("10.0.0.7", 0, "NVIDIA H100 80GB HBM3")
    assert s.memory_used == 70000 * MIB and s.memory_total == 81559 * MIB
    assert s.utilization_pct == 88 and s.temperature_c == 61 and s.power_w == 512.5
    assert s.source == "nvitop-exporter http://10.0.0.7:5050/metrics"


def test_not_a_gpu_exporter_is_one_line():
    result = reduce_gpu_metrics("# TYPE vllm:num_requests_running gauge\n"
                                "vllm:num_requests_running 3\n", "http://x/metrics", 0.0)
    assert isinstance(result, GpuUnavailable)
    assert result.reason == "gpu metrics http://x/metrics: no DCGM or nvitop-exporter GPU " \
                            "series there"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_url_is_a_one_line_gpu_unavailable():
    port = _free_port()  # nothing listens there
    result = scrape_gpus(f"127.0.0.1:{port}")
    assert isinstance(result, GpuUnavailable)
    assert result.reason == (f"gpu metrics http://127.0.0.1:{port}/metrics: metrics "
                             "unreachable: connection refused")
    assert "\n" not in result.reason


class _Handler(BaseHTTPRequestHandler):
    body = DCGM_V100.encode()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_poller_scrapes_a_real_http_endpoint_and_says_when_it_fails():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got: list[list[GpuSample] | GpuUnavailable] = []
    changes: list[str] = []
    cond = threading.Condition()

    def on_result(result):
        with cond:
            got.append(result)
            cond.notify_all()

    url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
    poller = GpuMetricsPoller(url, on_result, interval_s=0.05, on_change=changes.append)
    poller.start()
    try:
        with cond:
            assert cond.wait_for(lambda: any(isinstance(r, list) for r in got), 10)
        first = next(r for r in got if isinstance(r, list))
        assert [s.index for s in first] == [0, 1] and first[0].source == f"dcgm {url}"
        server.shutdown()
        server.server_close()
        with cond:
            assert cond.wait_for(lambda: isinstance(got[-1], GpuUnavailable), 10)
        assert len(changes) == 1 and "metrics unreachable" in changes[0]
    finally:
        poller.stop()
