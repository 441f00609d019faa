"""TEST AID ONLY: a stand-in for the ``pynvml`` module, for machines without an NVIDIA GPU.

It is never used by evalmon itself. ``StandInNvml()`` is an object with the same names as
the ``pynvml`` module (``nvmlInit``, ``nvmlDeviceGetCount``, ``NVMLError_NotSupported``...),
so it can be handed to ``GpuSampler(nvml=...)`` in place of the module.

The errors are pynvml's own classes, raised the way pynvml raises them: ``NVMLError(code)``,
whose ``__new__`` looks the code up in ``NVMLError._valClassMapping`` and returns an
instance of the matching subclass (``NVMLError(NVML_ERROR_NOT_SUPPORTED)`` is an
``NVMLError_NotSupported``). Importing pynvml needs no driver; only ``nvmlInit`` does.

It simulates N devices, fields a device does not support, a missing library, a driver not
loaded, and a GPU lost in the middle of a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pynvml

GIB = 1 << 30


@dataclass
class FakeDevice:
    name: str = "NVIDIA H100 80GB HBM3"
    uuid: str = "GPU-00000000-0000-0000-0000-000000000000"
    memory_total: int = 80 * GIB
    memory_used: int = 10 * GIB
    utilization: int = 50
    temperature: int = 60
    power_mw: int = 300_000
    power_limit_mw: int = 700_000
    processes: list[tuple[int, int | None]] = field(default_factory=list)  # (pid, used bytes)
    unsupported: set[str] = field(default_factory=set)  # "power", "temperature", ...
    lost: bool = False


class StandInNvml:
    """Behaves like the ``pynvml`` module for the functions evalmon calls."""

    # the real error classes and constants
    NVMLError = pynvml.NVMLError
    NVML_TEMPERATURE_GPU = pynvml.NVML_TEMPERATURE_GPU

    def __init__(
        self,
        devices: list[FakeDevice] | None = None,
        init_error: int | None = None,  # e.g. pynvml.NVML_ERROR_DRIVER_NOT_LOADED
    ) -> None:
        self.devices = devices if devices is not None else [FakeDevice()]
        self.init_error = init_error
        self.initialised = False
        self.init_calls = 0
        self.shutdown_calls = 0
        # every NVMLError_* subclass and NVML_* constant, as on the module
        for name in dir(pynvml):
            if name.startswith(("NVMLError_", "NVML_ERROR_")):
                setattr(self, name, getattr(pynvml, name))

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _raise(code: int) -> None:
        raise pynvml.NVMLError(code)  # pynvml's own mapping picks the subclass

    def _check_init(self) -> None:
        if not self.initialised:
            self._raise(pynvml.NVML_ERROR_UNINITIALIZED)

    def _device(self, handle: Any, field_name: str | None = None) -> FakeDevice:
        self._check_init()
        dev: FakeDevice = handle.device
        if dev.lost:
            self._raise(pynvml.NVML_ERROR_GPU_IS_LOST)
        if field_name is not None and field_name in dev.unsupported:
            self._raise(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return dev

    # ------------------------------------------------------------------ pynvml API

    def nvmlInit(self) -> None:
        self.init_calls += 1
        if self.init_error is not None:
            self._raise(self.init_error)
        self.initialised = True

    def nvmlShutdown(self) -> None:
        self._check_init()
        self.shutdown_calls += 1
        self.initialised = False

    def nvmlDeviceGetCount(self) -> int:
        self._check_init()
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> Any:
        self._check_init()
        if not 0 <= index < len(self.devices):
            self._raise(pynvml.NVML_ERROR_INVALID_ARGUMENT)
        dev = self.devices[index]
        if dev.lost:
            self._raise(pynvml.NVML_ERROR_GPU_IS_LOST)
        return SimpleNamespace(device=dev, index=index)

    def nvmlDeviceGetName(self, handle: Any) -> str:
        return self._device(handle, "name").name

    def nvmlDeviceGetUUID(self, handle: Any) -> str:
        return self._device(handle, "uuid").uuid

    def nvmlDeviceGetMemoryInfo(self, handle: Any, version: int | None = None) -> Any:
        dev = self._device(handle, "memory")
        return SimpleNamespace(
            total=dev.memory_total, used=dev.memory_used, free=dev.memory_total - dev.memory_used
        )

    def nvmlDeviceGetUtilizationRates(self, handle: Any) -> Any:
        dev = self._device(handle, "utilization")
        return SimpleNamespace(gpu=dev.utilization, memory=dev.utilization // 2)

    def nvmlDeviceGetTemperature(self, handle: Any, sensor: int) -> int:
        if sensor != pynvml.NVML_TEMPERATURE_GPU:
            self._raise(pynvml.NVML_ERROR_INVALID_ARGUMENT)
        return self._device(handle, "temperature").temperature

    def nvmlDeviceGetPowerUsage(self, handle: Any) -> int:
        return self._device(handle, "power").power_mw

    def nvmlDeviceGetEnforcedPowerLimit(self, handle: Any) -> int:
        return self._device(handle, "power_limit").power_limit_mw

    def nvmlDeviceGetComputeRunningProcesses(self, handle: Any) -> list[Any]:
        dev = self._device(handle, "processes")
        return [
            SimpleNamespace(pid=pid, usedGpuMemory=used, gpuInstanceId=0xFFFFFFFF,
                            computeInstanceId=0xFFFFFFFF)
            for pid, used in dev.processes
        ]
