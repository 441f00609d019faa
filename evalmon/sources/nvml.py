"""A thin adapter over NVML (package nvidia-ml-py, imported as ``pynvml``).

No GPU is a normal state, never an error: :meth:`GpuSampler.sample` returns either one
:class:`GpuSample` per device or a :class:`GpuUnavailable` with a reason a person can act on,
and it never raises. After a failure it tries ``nvmlInit`` again at most every 30 s.

Tests pass a stand-in module as ``nvml`` (tests/nvml_standin.py); everything here only
uses names that the real ``pynvml`` module has.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, Generic, TypeVar

from evalmon.events import GpuProcess, GpuSample, GpuUnavailable

RETRY_INIT_S = 30.0

# error class name in pynvml -> what the GPU panel says
_REASONS = {
    "NVMLError_LibraryNotFound": "NVML library not found (libnvidia-ml.so.1)",
    "NVMLError_DriverNotLoaded": "NVIDIA driver not loaded",
    "NVMLError_NoPermission": "no permission to use NVML",
    "NVMLError_LibRmVersionMismatch": "NVML and driver versions differ (reload the driver)",
    "NVMLError_GpuIsLost": "GPU is lost (fell off the bus)",
    "NVMLError_ResetRequired": "GPU requires a reset",
    "NVMLError_Uninitialized": "NVML is not initialised",
    "NVMLError_Timeout": "NVML timed out",
}
# a field that raises one of these is just unknown (None); the device is still fine
_FIELD_ONLY = (
    "NVMLError_NotSupported",
    "NVMLError_NoPermission",
    "NVMLError_FunctionNotFound",
    "NVMLError_NotFound",
    "NVMLError_InvalidArgument",
    "NVMLError_InsufficientSize",
    "NVMLError_NoData",
)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class _Lost(Exception):
    """Internal: a device or the library went away while sampling."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GpuSampler:
    """Samples every NVIDIA GPU of this host through NVML."""

    def __init__(
        self,
        host: str | None = None,
        nvml: ModuleType | Any | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        process_names: bool = True,
    ) -> None:
        self.host = host or socket.gethostname()
        self._nvml = nvml
        self._clock = clock
        self._wall = wall
        self._process_names = process_names
        self._initialised = False
        self._next_init = 0.0
        self._last_unavailable: GpuUnavailable | None = None
        self._names: dict[int, str] = {}
        self.init_attempts = 0

    # ------------------------------------------------------------------ public

    def sample(self) -> list[GpuSample] | GpuUnavailable:
        """One sample per device, or why there is none. Never raises."""
        try:
            return self._sample()
        except _Lost as lost:
            self._drop(lost.reason)
            return self._unavailable(lost.reason)
        except Exception as exc:  # a misbehaving library must not take the app down
            reason = self._reason(exc)
            self._drop(reason)
            return self._unavailable(reason)

    def close(self) -> None:
        if self._initialised and self._nvml is not None:
            with contextlib.suppress(Exception):
                self._nvml.nvmlShutdown()
        self._initialised = False

    # ------------------------------------------------------------------ internals

    def _unavailable(self, reason: str) -> GpuUnavailable:
        self._last_unavailable = GpuUnavailable(self.host, reason)
        return self._last_unavailable

    def _drop(self, reason: str) -> None:
        """Forget the NVML session; the next init is tried after RETRY_INIT_S."""
        self.close()
        self._next_init = self._clock() + RETRY_INIT_S

    def _reason(self, exc: BaseException) -> str:
        name = type(exc).__name__
        if name in _REASONS:
            return _REASONS[name]
        if isinstance(exc, ImportError):
            return "nvidia-ml-py is not installed (pip install nvidia-ml-py)"
        text = _text(exc).strip() or name
        return f"NVML error: {text}"

    def _is(self, exc: BaseException, names: tuple[str, ...]) -> bool:
        nvml = self._nvml
        for name in names:
            cls = getattr(nvml, name, None)
            if isinstance(cls, type) and isinstance(exc, cls):
                return True
        return False

    def _ensure_init(self) -> GpuUnavailable | None:
        if self._initialised:
            return None
        now = self._clock()
        if self._last_unavailable is not None and now < self._next_init:
            return self._last_unavailable
        self.init_attempts += 1
        self._next_init = now + RETRY_INIT_S
        if self._nvml is None:
            try:
                import pynvml
            except ImportError as exc:
                return self._unavailable(self._reason(exc))
            self._nvml = pynvml
        try:
            self._nvml.nvmlInit()
        except Exception as exc:
            return self._unavailable(self._reason(exc))
        self._initialised = True
        return None

    def _sample(self) -> list[GpuSample] | GpuUnavailable:
        unavailable = self._ensure_init()
        if unavailable is not None:
            return unavailable
        nvml = self._nvml
        try:
            count = int(nvml.nvmlDeviceGetCount())
        except Exception as exc:
            raise _Lost(self._reason(exc)) from exc
        if count <= 0:
            self._drop("no NVIDIA GPU found")
            return self._unavailable("no NVIDIA GPU found")
        now = self._wall()
        samples = [self._device(i, now) for i in range(count)]
        self._last_unavailable = None
        return samples

    def _required(self, index: int, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            reason = self._reason(exc)
            if "lost" in reason or "reset" in reason:
                reason = f"GPU {index}: {reason}"
            raise _Lost(reason) from exc

    def _optional(self, index: int, fn: Callable[..., Any], *args: Any) -> Any:
        """A field: None when this device does not support (or let us read) it."""
        try:
            return fn(*args)
        except Exception as exc:
            if self._is(exc, _FIELD_ONLY):
                return None
            return self._required(index, _reraise, exc)

    def _device(self, index: int, now: float) -> GpuSample:
        nvml = self._nvml
        handle = self._required(index, nvml.nvmlDeviceGetHandleByIndex, index)
        name = self._optional(index, nvml.nvmlDeviceGetName, handle)
        uuid = self._optional(index, nvml.nvmlDeviceGetUUID, handle)
        memory = self._optional(index, nvml.nvmlDeviceGetMemoryInfo, handle)
        util = self._optional(index, nvml.nvmlDeviceGetUtilizationRates, handle)
        temp = self._optional(
            index, nvml.nvmlDeviceGetTemperature, handle, nvml.NVML_TEMPERATURE_GPU
        )
        power_mw = self._optional(index, nvml.nvmlDeviceGetPowerUsage, handle)
        limit_mw = self._optional(index, nvml.nvmlDeviceGetEnforcedPowerLimit, handle)
        procs = self._optional(index, nvml.nvmlDeviceGetComputeRunningProcesses, handle)
        return GpuSample(
            host=self.host,
            index=index,
            name=_text(name) if name is not None else "",
            memory_used=int(memory.used) if memory is not None else None,
            memory_total=int(memory.total) if memory is not None else None,
            utilization_pct=float(util.gpu) if util is not None else None,
            temperature_c=float(temp) if temp is not None else None,
            power_w=power_mw / 1000.0 if power_mw is not None else None,
            power_limit_w=limit_mw / 1000.0 if limit_mw is not None else None,
            timestamp=now,
            processes=tuple(self._process(p) for p in procs or ()),
            uuid=_text(uuid) if uuid is not None else "",
            source="nvml",
        )

    def _process(self, info: Any) -> GpuProcess:
        pid = int(info.pid)
        used = getattr(info, "usedGpuMemory", None)
        return GpuProcess(pid=pid, used_bytes=int(used) if used is not None else None,
                          name=self._process_name(pid))

    def _process_name(self, pid: int) -> str:
        if not self._process_names:
            return ""
        if pid not in self._names:
            try:
                import psutil

                self._names[pid] = psutil.Process(pid).name()
            except Exception:
                self._names[pid] = ""  # another container's pid namespace, or gone
            if len(self._names) > 4096:
                self._names.clear()
        return self._names.get(pid, "")


def _reraise(exc: BaseException) -> Any:
    raise exc


# --------------------------------------------------------------------------- pollers

T = TypeVar("T")


class Poller(Generic[T]):
    """Calls ``sample()`` every ``interval_s`` on its own daemon thread and hands the result
    to ``on_sample``; the first sample is taken at once. Never blocks its caller; an
    exception in either function is reported through ``on_error`` and polling goes on."""

    def __init__(
        self,
        sample: Callable[[], T],
        on_sample: Callable[[T], None],
        interval_s: float = 1.0,
        name: str = "evalmon-poller",
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.interval_s = interval_s
        self._sample = sample
        self._on_sample = on_sample
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self.samples_taken = 0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join. Idempotent."""
        self._stop.set()
        if self._started and self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            t0 = time.monotonic()
            try:
                result = self._sample()
                self.samples_taken += 1
                self._on_sample(result)
            except Exception as exc:
                if self._on_error is not None:
                    with contextlib.suppress(Exception):
                        self._on_error(exc)
            delay = max(0.0, self.interval_s - (time.monotonic() - t0))


class GpuPoller(Poller["list[GpuSample] | GpuUnavailable"]):
    """Samples the GPUs every ``interval_s`` (default 1 s) in the background."""

    def __init__(
        self,
        on_sample: Callable[[list[GpuSample] | GpuUnavailable], None],
        interval_s: float = 1.0,
        sampler: GpuSampler | None = None,
    ) -> None:
        self.sampler = sampler or GpuSampler()
        super().__init__(self.sampler.sample, on_sample, interval_s, name="evalmon-gpu")

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self.sampler.close()


__all__ = ["RETRY_INIT_S", "GpuPoller", "GpuSampler", "Poller"]
