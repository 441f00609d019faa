"""The simulated GPU: how long an engine call takes and how much memory it needs. Pure.

The shape follows a real inference GPU (the seed's table: batch 8 -> 64 -> 256 gets faster):
each engine call pays a fixed cost (kernel launches, scheduling, Python), a cost per prompt
and per prompt token (prefill), then one decode step per generated token whose cost grows
only slowly with the batch, so samples/s rises with the batch size and saturates. A call
decodes until its longest generation stops, but its KV cache is allocated up front for
``max_tokens`` (a static engine): memory is the model weights plus KV cache / activations per
token of the padded batch (prompts padded to the longest, plus ``max_tokens``); a call that
does not fit raises a modelled CUDA out-of-memory error.

The default costs are chosen so the demo's bars last several seconds each (tqdm prints elapsed
times in whole seconds: a bar of one second cannot give an exact rate) while the whole demo
stays well under a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class GpuModel:
    """Costs in seconds, sizes in GiB/MiB as a user would type them on the command line."""

    call_overhead_s: float = 1.0
    per_prompt_s: float = 0.006
    per_token_s: float = 0.0001
    decode_step_s: float = 0.03
    decode_step_per_prompt_s: float = 0.0002
    capacity_gib: float = 79.15  # an 80 GB H100 as PyTorch reports it
    weights_gib: float = 62.0
    kv_mib_per_token: float = 1.25
    runtime_overhead_gib: float = 0.9  # CUDA context, NCCL and allocator slack beside the weights
    time_scale: float = 1.0  # 0 makes every call instant (tests)

    def service_time_s(self, prompts: int, prompt_tokens: int, decode_steps: int = 1) -> float:
        """Modelled wall time of one engine call.

        ``prompt_tokens``: tokens prefilled (the padded batch); ``decode_steps``: generated
        tokens per sequence (1 for a loglikelihood request: ``echo`` with ``max_tokens=1``).
        """
        if prompts <= 0:
            return 0.0
        raw = (
            self.call_overhead_s
            + prompts * self.per_prompt_s
            + prompt_tokens * self.per_token_s
            + max(0, decode_steps) * (self.decode_step_s + prompts * self.decode_step_per_prompt_s)
        )
        return raw * self.time_scale

    def samples_per_s(self, batch: int, tokens_per_prompt: int, decode_steps: int = 1) -> float:
        """Throughput of back-to-back engine calls of ``batch`` prompts (for tuning and tests)."""
        t = self.service_time_s(batch, batch * tokens_per_prompt, decode_steps)
        return batch / t if t > 0 else float("inf")

    @property
    def capacity_bytes(self) -> int:
        return int(self.capacity_gib * GIB)

    @property
    def weights_bytes(self) -> int:
        return int(self.weights_gib * GIB)

    def activation_bytes(self, padded_tokens: int) -> int:
        """KV cache + activations of a batch: proportional to its padded token count."""
        return int(padded_tokens * self.kv_mib_per_token * MIB)

    @property
    def idle_bytes(self) -> int:
        """Memory in use between calls: weights plus the runtime's own overhead."""
        return int((self.weights_gib + self.runtime_overhead_gib) * GIB)

    def fits(self, padded_tokens: int) -> bool:
        return self.idle_bytes + self.activation_bytes(padded_tokens) <= self.capacity_bytes

    def max_padded_tokens(self) -> int:
        free = self.capacity_bytes - self.idle_bytes
        return max(0, int(free // (self.kv_mib_per_token * MIB)))


def padded_tokens(prompt_lengths: list[int], max_new_tokens: int) -> int:
    """Tokens an engine call holds at its peak: every prompt padded to the longest, plus output."""
    if not prompt_lengths:
        return 0
    return len(prompt_lengths) * (max(prompt_lengths) + max(0, max_new_tokens))


def _fmt_gib(n_bytes: float) -> str:
    if n_bytes < GIB:
        return f"{n_bytes / MIB:.2f} MiB"
    return f"{n_bytes / GIB:.2f} GiB"


def oom_message(model: GpuModel, padded: int, device: int = 0) -> str:
    """The text of PyTorch's ``torch.OutOfMemoryError`` for a call that does not fit.

    Same wording as PyTorch 2.x's caching allocator, so evalmon's OOM parser (and a human)
    reads it as the real thing.
    """
    tried = model.activation_bytes(padded)
    in_use = model.idle_bytes
    free = max(0, model.capacity_bytes - in_use)
    reserved_unallocated = 0.42 * GIB
    return (
        f"CUDA out of memory. Tried to allocate {_fmt_gib(tried)}. "
        f"GPU {device} has a total capacity of {_fmt_gib(model.capacity_bytes)} of which "
        f"{_fmt_gib(free)} is free. Including non-PyTorch memory, this process has "
        f"{_fmt_gib(in_use)} memory in use. Of the allocated memory "
        f"{_fmt_gib(in_use - reserved_unallocated)} is allocated by PyTorch, and "
        f"{_fmt_gib(reserved_unallocated)} is reserved by PyTorch but unallocated. "
        "If reserved but unallocated memory is large try setting "
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  "
        "See documentation for Memory Management  "
        "(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)"
    )
