"""The NVML adapter against a pynvml stand-in (no GPU here), and against the real pynvml."""

from __future__ import annotations

import threading

import pynvml
import pytest

from evalmon.events import GpuProcess, GpuSample, GpuUnavailable
from evalmon.sources.nvml import RETRY_INIT_S, GpuPoller, GpuSampler, Poller
from tests.nvml_standin import GIB, FakeDevice, StandInNvml


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def sampler(nvml: StandInNvml, clock: Clock | None = None) -> GpuSampler:
    return GpuSampler(host="node1", nvml=nvml, clock=clock or Clock(), wall=lambda: 1234.5,
                      process_names=False)


def test_standin_raises_pynvml_own_classes() -> None:
    nv = StandInNvml([FakeDevice(unsupported={"power"})])
    nv.nvmlInit()
    handle = nv.nvmlDeviceGetHandleByIndex(0)
    with pytest.raises(pynvml.NVMLError) as info:
        nv.nvmlDeviceGetPowerUsage(handle)
    assert type(info.value) is pynvml.NVMLError_NotSupported
    assert info.value.value == pynvml.NVML_ERROR_NOT_SUPPORTED
    assert str(info.value) == "Not Supported"
    with pytest.raises(pynvml.NVMLError_DriverNotLoaded):
        StandInNvml(init_error=pynvml.NVML_ERROR_DRIVER_NOT_LOADED).nvmlInit()


def test_two_devices_every_field() -> None:
    nv = StandInNvml([
        FakeDevice(processes=[(4242, 3 * GIB), (4343, None)]),
        FakeDevice(name="NVIDIA A100-SXM4-40GB", uuid="GPU-1", memory_total=40 * GIB,
                   memory_used=39 * GIB, utilization=99, temperature=81, power_mw=398_500),
    ])
    s = sampler(nv)
    out = s.sample()
    assert isinstance(out, list) and len(out) == 2
    a, b = out
    assert a == GpuSample(
        host="node1", index=0, name="NVIDIA H100 80GB HBM3", memory_used=10 * GIB,
        memory_total=80 * GIB, utilization_pct=50.0, temperature_c=60.0, power_w=300.0,
        power_limit_w=700.0, timestamp=1234.5,
        processes=(GpuProcess(4242, 3 * GIB), GpuProcess(4343, None)),
        uuid="GPU-00000000-0000-0000-0000-000000000000", source="nvml",
    )
    assert (b.index, b.name, b.memory_used, b.utilization_pct, b.power_w) == (
        1, "NVIDIA A100-SXM4-40GB", 39 * GIB, 99.0, 398.5)
    assert nv.init_calls == 1
    s.sample()
    assert nv.init_calls == 1  # initialised once
    s.close()
    assert nv.shutdown_calls == 1 and not nv.initialised


def test_unsupported_fields_are_none_for_that_field_only() -> None:
    nv = StandInNvml([FakeDevice(unsupported={"power", "temperature", "processes", "uuid"})])
    [dev] = sampler(nv).sample()
    assert dev.power_w is None and dev.temperature_c is None and dev.uuid == ""
    assert dev.processes == ()
    assert dev.memory_used == 10 * GIB and dev.utilization_pct == 50.0 and dev.power_limit_w == 700


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (pynvml.NVML_ERROR_DRIVER_NOT_LOADED, "NVIDIA driver not loaded"),
        (pynvml.NVML_ERROR_LIBRARY_NOT_FOUND, "NVML library not found (libnvidia-ml.so.1)"),
        (pynvml.NVML_ERROR_NO_PERMISSION, "no permission to use NVML"),
        (pynvml.NVML_ERROR_UNKNOWN, "NVML error: Unknown Error"),
    ],
)
def test_init_failures_give_a_reason_and_retry_every_30s(code: int, reason: str) -> None:
    clock = Clock()
    nv = StandInNvml(init_error=code)
    s = sampler(nv, clock)
    assert s.sample() == GpuUnavailable("node1", reason)
    clock.t += RETRY_INIT_S - 1
    assert s.sample() == GpuUnavailable("node1", reason)
    assert nv.init_calls == 1  # not hammered
    nv.init_error = None  # the driver came back
    clock.t += 1
    out = s.sample()
    assert isinstance(out, list) and len(out) == 1
    assert nv.init_calls == 2


def test_no_devices() -> None:
    s = sampler(StandInNvml(devices=[]))
    assert s.sample() == GpuUnavailable("node1", "no NVIDIA GPU found")


def test_gpu_lost_mid_run_then_recovered() -> None:
    clock = Clock()
    devices = [FakeDevice(), FakeDevice(uuid="GPU-1")]
    nv = StandInNvml(devices)
    s = sampler(nv, clock)
    assert len(s.sample()) == 2
    devices[1].lost = True
    assert s.sample() == GpuUnavailable("node1", "GPU 1: GPU is lost (fell off the bus)")
    assert nv.shutdown_calls == 1 and nv.init_calls == 1
    clock.t += 5
    assert isinstance(s.sample(), GpuUnavailable) and nv.init_calls == 1
    devices[1].lost = False
    clock.t += RETRY_INIT_S
    assert len(s.sample()) == 2
    assert nv.init_calls == 2


def test_a_library_raising_anything_never_escapes() -> None:
    class Broken(StandInNvml):
        def nvmlDeviceGetCount(self) -> int:
            raise RuntimeError("boom")

    out = sampler(Broken()).sample()
    assert out == GpuUnavailable("node1", "NVML error: boom")


def test_real_pynvml_on_this_machine_says_why() -> None:
    s = GpuSampler(host="here")
    out = s.sample()
    s.close()
    if isinstance(out, list):
        pytest.skip("this machine has a GPU")
    assert out.host == "here"
    assert out.reason in {
        "NVML library not found (libnvidia-ml.so.1)",
        "NVIDIA driver not loaded",
        "no NVIDIA GPU found",
    }


def test_gpu_poller_samples_in_background_and_stops() -> None:
    got: list[object] = []
    enough = threading.Event()

    def on_sample(result: object) -> None:
        got.append(result)
        if len(got) >= 3:
            enough.set()

    nv = StandInNvml()
    real = sampler(nv)
    sampling, release = threading.Event(), threading.Event()

    class Slow:  # the first sample blocks until released: start() must not wait for it
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def sample(self) -> object:
            sampling.set()
            release.wait(10)
            return real.sample()

    poller = GpuPoller(on_sample, interval_s=0.02, sampler=Slow())  # type: ignore[arg-type]
    poller.start()  # returns while the first sample is still blocked
    assert sampling.wait(10) and not release.is_set()
    release.set()
    assert enough.wait(10)
    poller.stop()
    poller.stop()
    assert all(isinstance(r, list) and r[0].host == "node1" for r in got)
    assert nv.shutdown_calls == 1


def test_poller_survives_exceptions() -> None:
    calls: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("first call fails")
        if len(calls) >= 3:
            done.set()
        return len(calls)

    p = Poller(flaky, lambda _: None, interval_s=0.01, on_error=errors.append)
    p.start()
    assert done.wait(5)
    p.stop()
    assert [str(e) for e in errors] == ["first call fails"]
    with pytest.raises(ValueError):
        Poller(flaky, print, interval_s=0)
