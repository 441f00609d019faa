"""A tiny eval client for the tuner's tests (stdlib only, starts fast, never sleeps for a rate).

It prints what lm-eval prints for loglikelihood requests: the log line, a ``Requesting API``
bar whose counts and elapsed time state a rate that depends on the batch size and the
concurrency (so a sweep has something to find), and the summary line. The bar's own elapsed
time is the model's, not the clock's: rates are exact and tests need no timing.

Environment: BATCH_SIZE, NUM_CONCURRENT (default 1), FAKE_OOM_ABOVE (a CUDA OOM traceback and
exit 1 above this batch size), FAKE_SATURATE (the engine caps batches here: no gain above),
FAKE_STARTS (append ``<config>`` per start), FAKE_HOLD (wait while this file exists: a trial
that is "running" for as long as a test needs), FAKE_HOLD_MID (hang half-way through the bar
while this file exists), FAKE_HANG_AFTER_OOM (hang after the OOM), FAKE_HOLD_BATCH (hold
only at this batch size), FAKE_REQUESTS (default 20000: the bar's whole seconds then cost
little precision).
"""

from __future__ import annotations

import os
import sys
import time

OOM = """Traceback (most recent call last):
  File "/opt/eval/run.py", line 187, in main
    logits = model(input_ids)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.08 GiB memory in use. Of the allocated memory 76.30 GiB is allocated by PyTorch, and 1.27 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.
"""  # noqa: E501


def rate(batch: int, concurrent: int, saturate: int | None) -> float:
    """Requests/s: a fixed cost per call plus a cost per prompt, as a batching server has."""
    effective = min(batch, saturate) if saturate else batch
    per_call = 1.0 + 0.01 * effective
    return effective / per_call * (1.0 + 0.02 * (concurrent - 1))


def main() -> int:
    batch = int(os.environ.get("BATCH_SIZE", "8"))
    concurrent = int(os.environ.get("NUM_CONCURRENT", "1"))
    oom_above = os.environ.get("FAKE_OOM_ABOVE")
    saturate = os.environ.get("FAKE_SATURATE")
    total = int(os.environ.get("FAKE_REQUESTS", "20000"))
    starts = os.environ.get("FAKE_STARTS")
    if starts:
        with open(starts, "a") as fh:
            fh.write(f"batch={batch} concurrent={concurrent}\n")
    hold = os.environ.get("FAKE_HOLD")
    hold_batch = os.environ.get("FAKE_HOLD_BATCH")
    if hold_batch and int(hold_batch) != batch:
        hold = None
    stamp = time.strftime("%Y-%m-%d:%H:%M:%S")
    sys.stderr.write(f"{stamp} INFO     [evaluator:589] Running loglikelihood requests\n")
    sys.stderr.flush()
    while hold and os.path.exists(hold):
        time.sleep(0.02)
    if oom_above is not None and batch > int(oom_above):
        sys.stderr.write(f"Requesting API:   0%|          | 0/{total} [00:00<?, ?it/s]\n" + OOM)
        sys.stderr.flush()
        while os.environ.get("FAKE_HANG_AFTER_OOM"):  # only a stop (scancel) ends it
            time.sleep(1)
        return 1
    r = rate(batch, concurrent, int(saturate) if saturate else None)
    elapsed = total / r
    mm, ss = divmod(round(elapsed), 60)
    half = total // 2
    half_bar = (
        f"\rRequesting API:  50%|#####     | {half}/{total} "
        f"[{int(elapsed / 2) // 60:02d}:{int(elapsed / 2) % 60:02d}<00:00, {r:.2f}it/s]"
    )
    sys.stderr.write(half_bar + half_bar)  # tqdm's refresh: the first one is complete
    sys.stderr.flush()
    mid = os.environ.get("FAKE_HOLD_MID")  # hang half-way, until this file is gone
    while mid and os.path.exists(mid):
        time.sleep(0.02)
    sys.stderr.write(
        f"\rRequesting API: 100%|##########| {total}/{total} "
        f"[{mm:02d}:{ss:02d}<00:00, {r:.2f}it/s]\n"
    )
    sys.stderr.flush()
    print(f"fake (), gen_kwargs: ({{}}), limit: None, num_fewshot: None, batch_size: {batch}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
