"""Real log lines for the OOM classifier, each with where it was found.

Three tables, one per verdict the supervisor must reach:

* ``FATAL``: a process died of (or failed its work on) an out-of-memory error. classify()
  must report exactly one event, ``fatal=True``, of the stated kind and origin.
* ``SURVIVED``: the text reports an OOM the process went on after (it logged a warning, it
  caught the exception and halves its batch, a client quotes a server's JSON error). The
  dashboard may show it; it must never be fatal (a false fatal OOM relaunches a healthy job).
* ``NOT_REPORTS``: a copy of some other log's OOM line (grep/rg output, a ``> `` quote,
  ``uniq -c`` output, a pasted JSON body, a pytest summary) or a near-miss: never an event.

Lines are copied verbatim from public issue threads and files; sources are in the comments.
Where no public sample of a quoted form could be found, the entry says so and uses the exact
shape given by our users' reports (evalmon issue: healthy jobs relaunched 16 -> 8 -> 4 -> 2
-> 1, "gave up"). Log lines are kept whole, hence the file-wide E501 exemption.
"""

# ruff: noqa: E501

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fatal:
    text: str
    kind: str  # "gpu" / "host"
    origin: str
    source: str


# --------------------------------------------------------------------------- fatal

FATAL: dict[str, Fatal] = {
    "PyTorch 2.x, [rank6]: prefix": Fatal(
        "[rank6]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 270.00 MiB. GPU 6 has a total capacity of 23.65 GiB of which 208.06 MiB is free. Process 2271801 has 23.44 GiB memory in use. Of the allocated memory 22.87 GiB is allocated by PyTorch, and 6.23 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "gpu",
        "pytorch",
        "https://github.com/hiyouga/LlamaFactory/issues/7781",
    ),
    "torch.cuda.OutOfMemoryError, 2.1 typo 'capacty'": Fatal(
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.70 GiB. GPU 0 has a total capacty of 6.00 GiB of which 0 bytes is free. Of the allocated memory 2.93 GiB is allocated by PyTorch, and 2.30 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
        "gpu",
        "pytorch",
        "https://github.com/carolchenyx/MGFN./issues/35",
    ),
    "torch.cuda.OutOfMemoryError, 2.2 wording": Fatal(
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.00 MiB. GPU 0 has a total capacity of 23.65 GiB of which 11.06 MiB is free. Including non-PyTorch memory, this process has 23.60 GiB memory in use. Of the allocated memory 22.90 GiB is allocated by PyTorch, and 194.87 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "gpu",
        "pytorch",
        "https://github.com/pytorch/pytorch/issues/16417 (comment of 2024-03-13)",
    ),
    "RuntimeError: CUDA out of memory (PyTorch 1.x)": Fatal(
        "RuntimeError: CUDA out of memory. Tried to allocate 1006.00 MiB (GPU 0; 10.91 GiB total capacity; 9.18 GiB already allocated; 569.81 MiB free; 9.49 GiB reserved in total by PyTorch)",
        "gpu",
        "pytorch",
        "https://github.com/open-mmlab/mmsegmentation/issues/944",
    ),
    "RuntimeError: CUDA error: out of memory": Fatal(
        "RuntimeError: CUDA error: out of memory",
        "gpu",
        "pytorch",
        "https://github.com/KoboldAI/KoboldAI-Client/issues/437",
    ),
    "cuBLAS handle": Fatal(
        "RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
        "gpu",
        "cublas",
        "https://github.com/QwenLM/Qwen3/issues/873",
    ),
    "HIP out of memory (ROCm)": Fatal(
        "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 4.50 GiB. GPU 0 has a total capacity of 15.98 GiB of which 1.40 GiB is free. Of the allocated memory 1.26 GiB is allocated by PyTorch, and 152.50 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_HIP_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "gpu",
        "hip",
        "https://github.com/ROCm/legacy-rocm-build/issues/4358",
    ),
    "HIP out of memory, 16 GiB": Fatal(
        "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 16.00 GiB. GPU 0 has a total capacity of 15.24 GiB of which 15.09 GiB is free. Of the allocated memory 0 bytes is allocated by PyTorch, and 0 bytes is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_HIP_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "gpu",
        "hip",
        "https://github.com/ROCm/TheRock/issues/1054",
    ),
    "XLA RESOURCE_EXHAUSTED (jaxlib)": Fatal(
        "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 7406166528 bytes.",
        "gpu",
        "xla",
        "https://github.com/google-deepmind/alphafold/issues/1023",
    ),
    "XLA RESOURCE_EXHAUSTED (older jax)": Fatal(
        "RuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 14285187448 bytes.",
        "gpu",
        "xla",
        "https://github.com/sokrypton/ColabFold/issues/65",
    ),
    "vLLM V0 KV cache too small": Fatal(
        "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV cache (7344). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
        "gpu",
        "vllm-kv",
        "https://github.com/QwenLM/Qwen3/issues/295",
    ),
    # the line goes on with " See https://docs.vllm.ai/...": the index cut it there
    "vLLM V1 KV cache too small, engine-core prefix": Fatal(
        "(EngineCore_DP0 pid=1094) ValueError: To serve at least one request with the models's max seq len (262144), (24.0 GiB KV cache is needed, which is larger than the available KV cache memory (3.18 GiB). Based on the available memory, the estimated maximum model length is 34736. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
        "gpu",
        "vllm-kv",
        "https://github.com/vllm-project/vllm/issues/34076",
    ),
    # an eval harness that logs the OOM at ERROR and moves on to the next task: the task's
    # results are lost, a smaller batch is what the user needs. Hard-wrapped in the issue.
    "MTEB logs the OOM of a task at ERROR (wrapped)": Fatal(
        "ERROR:mteb.evaluation.MTEB:Error while evaluating NTREXBitextMining: CUDA out of memory. Tried to allocate 848.00 MiB. GPU 0 has a total capacity of 79.11 GiB of which 356.88 Mi\n"
        "B is free. Process 2751276 has 78.75 GiB memory in use. Of the allocated memory 67.81 GiB is allocated by PyTorch, and 8.04 GiB is reserved by PyTorch but unallocated. If reserv\n"
        "ed but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorc\n"
        "h.org/docs/stable/notes/cuda.html#environment-variables) ",
        "gpu",
        "pytorch",
        "https://github.com/embeddings-benchmark/mteb/issues/2426",
    ),
    "slurmstepd oom-kill event(s), then srun Out Of Memory": Fatal(
        "slurmstepd: error: Detected 1 oom-kill event(s) in step 3495064.0 cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.\n"
        "srun: error: Orion-01-01: task 4: Out Of Memory\n"
        "srun: Terminating job step 3495064.0",
        "host",
        "slurm",
        "https://github.com/hafs-community/HAFS/issues/101",
    ),
    "slurmstepd oom_kill events (newer SLURM)": Fatal(
        "slurmstepd: error: Detected 2 oom_kill events in StepId=JOBID.4. Some of the step tasks have been OOM Killed.",
        "host",
        "slurm",
        "https://github.com/snakemake/snakemake-executor-plugin-slurm/pull/371",
    ),
    "srun task Out Of Memory alone": Fatal(
        "srun: error: NODE: task 0: Out Of Memory",
        "host",
        "slurm",
        "https://github.com/snakemake/snakemake-executor-plugin-slurm/pull/371",
    ),
    "kernel OOM killer, dmesg -T": Fatal(
        "[Sun Mar 30 08:24:00 2025] Out of memory: Killed process 7899 (python) total-vm:26,184,840kB, anon-rss:153,700,88kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:38964kB oom_score_adj:0",
        "host",
        "kernel",
        "https://github.com/0jc1/py-autovod/issues/7",
    ),
    "kernel OOM killer, dmesg --time-format iso": Fatal(
        "2024-04-29T14:55:41,679700+02:00 Out of memory: Killed process 1440763 (perl) total-vm:87033376kB, anon-rss:60356340kB, file-rss:0kB, shmem-rss:0kB, UID:21417 pgtables:169956kB oom_score_adj:0",
        "host",
        "kernel",
        "https://github.com/equinor/ert/issues/7797",
    ),
    "kernel OOM killer, syslog": Fatal(
        "May 15 23:09:30 ubuntu-s-1vcpu-2gb-ams3-01 kernel: [  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB",
        "host",
        "kernel",
        "https://github.com/docker/for-linux/issues/1001",
    ),
    "kernel OOM killer, older wording": Fatal(
        "[Thu Mar 14 01:57:54 2019] Out of memory: Kill process 89746 (python) score 1031 or sacrifice child",
        "host",
        "kernel",
        "https://github.com/intel/platform-resource-manager/issues/42",
    ),
    # ----------------------------------------------------------------- other runtimes
    "vLLM V1 sampler warm-up (advises lowering max_num_seqs)": Fatal(
        "(VllmWorker rank=1 pid=2445156) ERROR 05-10 16:00:15 [multiproc_executor.py:470] RuntimeError: CUDA out of memory occurred when warming up sampler with 256 dummy requests. Please try lowering `max_num_seqs` or `gpu_memory_utilization` when initializing the engine.",
        "gpu",
        "vllm",
        "https://github.com/vllm-project/vllm/issues/17939",
    ),
    "llama.cpp cudaMalloc while loading": Fatal(
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 144817.04 MiB on device 0: cudaMalloc failed: out of memory",
        "gpu",
        "ggml",
        "https://github.com/ggml-org/llama.cpp/issues/20431",
    ),
    "TGI router panic at warm-up, (out of memory)": Fatal(
        """thread 'main' panicked at 'Unable to warmup model: Generation("Allocation on device 0 would exceed allowed memory. (out of memory)\\nCurrently allocated     : 16.08 GiB\\nRequested               : 4.83 GiB\\nDevice limit            : 22.20 GiB\\nFree (according to CUDA): 11.12 MiB\\nPyTorch limit (set by user-supplied memory fraction)\\n                        : 22.20 GiB")', router/src/main.rs:216:18""",
        "gpu",
        "tgi",
        "https://github.com/huggingface/text-generation-inference/issues/563",
    ),
    "XLA Failed to allocate request for": Fatal(
        "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Failed to allocate request for 2.99GiB (3206250496B) on device ordinal 0",
        "gpu",
        "xla",
        "https://github.com/ecmwf-lab/ai-models-graphcast/issues/18",
    ),
    "TensorFlow ResourceExhaustedError, OOM when allocating tensor": Fatal(
        "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[8,64,256,256] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
        "gpu",
        "tensorflow",
        "https://github.com/miemie2013/Keras-YOLOv4/issues/39",
    ),
    "ROCm error code under an abort": Fatal(
        "amrex::Abort::1::HIP error in file WarpX/build/_deps/fetchedamrex-src/Src/Base/AMReX_GpuDevice.cpp line 402 hipErrorOutOfMemory !!!\n"
        "SIGABRT",
        "gpu",
        "hip",
        "https://github.com/BLAST-WarpX/warpx/issues/3398",
    ),
    "C++ runtime: c10::OutOfMemoryError under terminate": Fatal(
        "terminate called after throwing an instance of 'c10::OutOfMemoryError'       \n"
        "  what():  CUDA out of memory. Tried to allocate 212.00 MiB (GPU 0; 23.56 GiB total capacity; 23.02 GiB already allocated; 187.44 MiB free; 23.02 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
        "gpu",
        "pytorch",
        "https://github.com/liquorleaf/OmniGS/issues/10",
    ),
    "C++ runtime: MXNet's cudaMalloc fail|ed cut by the terminal": Fatal(
        "terminate called after throwing an instance of 'dmlc::Error'\n"
        "  what():  [10:44:35] src/engine/./threaded_engine.h:359: [10:44:35] src/storage/./pooled_storage_manager.h:107: cudaMalloc fail\n"
        "ed: out of memory",
        "gpu",
        "cxx",
        "https://github.com/TuSimple/mx-maskrcnn/issues/98",
    ),
    "Apple MPS (GB printed for GiB)": Fatal(
        "RuntimeError: MPS backend out of memory (MPS allocated: 8.89 GB, other allocations: 172.98 MB, max allowed: 9.07 GB). Tried to allocate 6.25 MB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure).",
        "gpu",
        "mps",
        "https://github.com/lllyasviel/Fooocus/issues/1139",
    ),
    "kernel OOM report: invoked oom-killer": Fatal(
        "[597411.196310] p2pd invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
        "host",
        "kernel",
        "https://github.com/gensyn-ai/rl-swarm/issues/463",
    ),
    # the title quotes the exception line of the reporter's log (an image)
    "DeepSpeed-Inference: the kernels' workspace": Fatal(
        "RuntimeError: Workspace can't be allocated, no enough memory.",
        "gpu",
        "deepspeed",
        "https://github.com/daswer123/xtts-webui/issues/25",
    ),
    # XLA's error-code pages (openxla/xla docs/errors): the messages as XLA prints them
    "XLA E1001: an allocation would exceed VMEM": Fatal(
        "XlaRuntimeError: RESOURCE_EXHAUSTED: Allocation (size=134217728) would exceed memory (size=67108864) :: #allocation25 [shape = 'u8[134217728]{0}', space=vmem, size = 0x8000000, tag = 'scoped memory for ragged_latency_optimized_all_gather_lhs_contracting_gated_matmul_kernel.2'] :: ragged_latency_optimized_all_gather_lhs_contracting_gated_matmul_kernel.2",
        "gpu",
        "xla",
        "https://github.com/openxla/xla/blob/main/docs/errors/error_1001.md",
    ),
    "XLA E1002: TensorCore and SparseCore HBM": Fatal(
        "XlaRuntimeError: RESOURCE_EXHAUSTED: TPU TensorCore Hbm usage: 34.82G, SparseCore Hbm usage 174.10G, exceeding available bytes: 95.74G",
        "gpu",
        "xla",
        "https://github.com/openxla/xla/blob/main/docs/errors/error_1002.md",
    ),
    "XLA E1000: the compiler gives up early": Fatal(
        "RESOURCE_EXHAUSTED: Compilation failure: Aborting compilation early because it's unlikely to have enough memory. Requires 3.84T, has 90.96G available. If more detailed logging is desired, set --xla_tpu_impure_oom_fast_exit_threshold=-1",
        "gpu",
        "xla",
        "https://github.com/openxla/xla/blob/main/docs/errors/error_1000.md",
    ),
    "XLA:GPU constant allocation": Fatal(
        "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to allocate 98697216 bytes for new constant",
        "gpu",
        "xla",
        "https://github.com/octo-models/octo/issues/22",
    ),
}


# --------------------------------------------------------------------------- survived

SURVIVED: dict[str, tuple[str, str]] = {
    # A loop that catches the OOM, logs it at WARNING and skips the batch: the progress bar
    # (glued to the line) goes on. Two consecutive lines of the issue.
    "WARNING:root: per skipped batch, progress goes on": (
        "WARNING:root:CUDA out of memory. Tried to allocate 1.72 GiB (GPU 0; 10.76 GiB total capacity; 4.01 GiB already allocated; 356.00 MiB free; 5.54 GiB cached)                      | 1/2538 [00:00<?, ?batch/s]\n"
        "WARNING:root:CUDA out of memory. Tried to allocate 1.68 GiB (GPU 0; 10.76 GiB total capacity; 5.65 GiB already allocated; 356.00 MiB free; 3.90 GiB cached)              | 2/2538 [00:01<53:05,  1.26s/batch]",
        "https://github.com/pytorch/pytorch/issues/31252",
    ),
    # No public sample found of a job logging the repr of a caught OOM while halving its
    # batch; this is the exact line of our users' report.
    "caught OutOfMemoryError(...) repr, halving the batch": (
        "WARNING:root:caught OutOfMemoryError('CUDA out of memory. Tried to allocate 2.00 GiB'), halving the batch",
        "evalmon user report (no public sample found)",
    ),
    # A client printing a server's JSON error response (Chinese: "the server returned an
    # error message:"); the OOM text is a JSON array element.
    "server's JSON error response printed by a client": (
        '服务端返回错误信息: {"error":"unknown error","warnings":["CUDA out of memory. Tried to allocate 1024.00 MiB (GPU 0; 14.75 GiB total capacity; 8.46 GiB already allocated; 985.06 MiB free; 8.99 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation. See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF","There was an inference error: CUDA out of memory. Tried to allocate 1024.00 MiB (GPU 0; 14.75 GiB total capacity; 8.46 GiB already allocated; 985.06 MiB free; 8.99 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation. See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF"]}',
        "https://github.com/LeafYeeXYZ/PainterLeaf/issues/9",
    ),
    # No public one-line JSON log with this field was found (the ones found are pretty-printed,
    # hence indented: see NOT_REPORTS); the exact shape of our users' report.
    "JSON error field": (
        '{"error": "CUDA out of memory. Tried to allocate ..."}',
        "evalmon user report (no public sample found)",
    ),
    # TensorFlow's stream executor failing one allocation: its BFC allocator asks for less
    # (I level here; the same message at E level repeats with shrinking sizes: #30912)
    "TF cuda_driver: failed to allocate from device, retried": (
        "2020-01-03 14:18:34.461297: I tensorflow/stream_executor/cuda/cuda_driver.cc:830] failed to allocate 3.43G (3678928896 bytes) from device: CUDA_ERROR_OUT_OF_MEMORY: out of memory",
        "https://github.com/tensorflow/tensorflow/issues/26218",
    ),
}


# --------------------------------------------------------------------------- not reports

NOT_REPORTS: dict[str, tuple[str, str]] = {
    # A markdown quote of an OOM in an issue ("met errors like this many times:")
    "> quote": (
        "> RuntimeError: CUDA out of memory. Tried to allocate 2.81 GiB (GPU 0; 23.69 GiB total capacity; 16.12 GiB already allocated; 374.94 MiB free; 19.00 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
        "https://github.com/JiaweiLian/AP-PA/issues/3",
    ),
    # `rg -n -C 20 'torch\.OutOfMemoryError|CUDA out of memory' stderr.log` output kept in a
    # public evidence file (found by the code index, id 61722291549; the index does not name
    # its repository). Match line "64:", context line "63-".
    "rg -n -C output on one file": (
        '61:  File "/workspace/Wan-Move/wan/modules/model.py", line 70, in rope_apply\n'
        "62:    return torch.stack(output).float()\n"
        "63-           ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "64:torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 620.00 MiB. GPU 0 has a total capacity of 44.32 GiB of which 84.31 MiB is free. Process 387090 has 36.25 GiB memory in use. Process 413847 has 4.07 GiB memory in use. Process 413851 has 3.89 GiB memory in use. Of the allocated memory 35.45 GiB is allocated by PyTorch, and 301.95 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation. See documentation for Memory Management.",
        "public file, code index id 61722291549 (repository not named by the index)",
    ),
    # `grep -n` markers in a job-monitoring note (code index id 69148162635, repository not
    # named by the index): the job was RUNNING when these were collected.
    "grep -n markers of an old failure": (
        "4878:Traceback (most recent call last):\n"
        "4924:torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 25.96 GiB. GPU 4 has a total capacity of 79.18 GiB of which 23.04 GiB is free. Process 7478 has 4.08 GiB memory in use. Including non-PyTorch memory, this process has 52.02 GiB memory in use. Of the allocated memory 45.89 GiB is allocated by PyTorch, with 1.38 MiB allocated in private pools (e.g., CUDA Graphs), and 3.01 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://docs.pytorch.org/docs/stable/notes/cuda.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf)\n"
        "4925:Traceback (most recent call last):",
        "public file, code index id 69148162635 (repository not named by the index)",
    ),
    # `grep ... | sort | uniq -c` of old debug logs, with the command line
    "grep | uniq -c of old logs": (
        "(0) sebastiaan@almavm:sd-scripts $ grep debug*.log -he 'torch.OutOfMemoryError' | sort | uniq -c | sort -n\n"
        "      2 [rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.99 GiB. GPU 0 has a total capacity of 23.56 GiB of which 1.23 GiB is free. Including non-PyTorch memory, this process has 22.27 GiB memory in use. Of the allocated memory 14.73 GiB is allocated by PyTorch, and 6.39 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "https://github.com/kohya-ss/sd-scripts/issues/2029",
    ),
    # No public sample found of `grep -r` output (a path prefix, no line number) over OOM
    # logs; the exact shapes of our users' report.
    "grep -r output (path:)": (
        "old-logs/eval-1.err:torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ...",
        "evalmon user report (no public sample found)",
    ),
    "grep -rn output (path:lineno:)": (
        "old-logs/x.log:123:torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ...",
        "evalmon user report (no public sample found)",
    ),
    # a pretty-printed JSON error body (the API's response pasted into the issue)
    "pretty-printed JSON error body": (
        "{\n"
        '  "detail": "The following error occurred: CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 31.75 GiB total capacity; 13.38 GiB already allocated; 15.96 GiB free; 14.63 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF"\n'
        "}",
        "https://github.com/gladiaio/gladia/issues/802",
    ),
    # a CI log's pytest summary line naming the exception of a failed test
    "pytest FAILED summary": (
        "2025-11-14T08:52:38.3746210Z FAILED [0.0004s] external-builds/pytorch/pytorch/test/test_autograd.py::TestAutogradDeviceTypeCUDA::test_set_requires_grad_only_for_floats_cuda_int32 - torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 MiB. GPU 0 has a total capacity of 287.98 GiB of which 275.86 GiB is free. 1.05 GiB allowed; Of the allocated memory 1017.01 MiB is allocated by PyTorch, with 17.00 MiB allocated in private pools (e.g., HIP Graphs), and 54.99 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        "https://github.com/ROCm/TheRock/issues/2118",
    ),
    # TensorFlow's BFC allocator says itself that this is not a failure
    "TF BFC: the caller indicates that this is not a failure": (
        "2020-09-24 21:35:23.363348: W tensorflow/core/common_runtime/bfc_allocator.cc:246] Allocator (GPU_0_bfc) ran out of memory trying to allocate 1.02GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.",
        "https://github.com/tensorflow/tensorflow/issues/43546",
    ),
    # an error code's name alone on a line of prose, then the header that defines it
    "HIP enum name in prose": (
        "On MI-25, hipMalloc is OK, but I see hipHostRegister returns 2 which by definition appears to be:\n"
        "hipErrorOutOfMemory \n"
        "\n"
        "looking at /root/ROCm-4.2/HIP/build/include/hip/hip_runtime_api.h",
        "https://github.com/ROCm/legacy-rocm-build/issues/1483",
    ),
    # the reporter quotes the NCCL warning inside a sentence
    "NCCL warning quoted in a sentence": (
        "when running lm_eval across 8xH100 using accelerate and auto-detect batchsize I'm getting include/alloc.h:103 NCCL WARN Cuda failure 2 'out of memory' at the end after running all loglikelihood requests and it crashes due to OOM",
        "https://github.com/EleutherAI/lm-evaluation-harness/issues/2458",
    ),
    # a README's troubleshooting table (markdown cells are advice, not this process's report)
    "markdown troubleshooting row": (
        "| Issue | Solution |\n"
        "|-------|----------|\n"
        "| CUDA out of memory | `--batch-size 1` or use smaller model |",
        "public file, code index id 55446170048 (repository not named by the index)",
    ),
    # a job script keeping an old failure as comments
    "SLURM lines commented out in a script": (
        "# slurmstepd: error: Detected 2 oom_kill events in StepId=53023285.interactive. Some of the step tasks have been OOM Killed.\n"
        "# srun: error: bc11945: task 0: Out Of Memory",
        "public file, code index id 33453756784 (repository not named by the index)",
    ),
    # SGLang's capture failure advises --mem-fraction-static, but this one is no OOM
    "SGLang capture failure that is not an OOM": (
        "Exception: Capture cuda graph failed: Triton Error [CUDA]: an illegal memory access was encountered\n"
        "Possible solutions:\n"
        "1. disable cuda graph by --disable-cuda-graph\n"
        "2. set --mem-fraction-static to a smaller value",
        "https://github.com/sgl-project/sglang/issues/1467",
    ),
    # SLURM's end-of-step note: the step went over its limit once, nothing was killed
    "slurm: exceeded step memory limit at some point": (
        "slurmstepd: error: Exceeded step memory limit at some point. Step may have been partially swapped out to disk.",
        "https://github.com/galaxyproject/galaxy/pull/2309",
    ),
}


# --------------------------------------------------------------------------- whole excerpts

CORPUS_DIR = Path(__file__).parent / "data" / "oom_corpus"
_HEADER_END = "# ---"


@dataclass(frozen=True)
class Excerpt:
    """One real log excerpt of ``tests/data/oom_corpus/<runtime>/<name>.log``.

    The file starts with ``# key: value`` header lines up to ``# ---``; the rest is the log,
    verbatim. ``expect`` is ``fatal <kind> [origin] [key=value ...]`` (at least one fatal event,
    every fatal event of that kind), ``survived`` (events allowed, none fatal) or ``none`` (no
    event at all). ``known`` documents a miss the classifier is expected to make, and why.
    ``policy`` names the form of issue 12, item 2 (a markdown quote, grep output, a caught
    exception's repr) that the issue requires be read as no report, where the collector read a
    fatal OOM: evalmon must not report it fatal, and recall is counted without it. ``split`` is
    ``dev`` or ``holdout``, fixed by a hash of the file's path so that nobody chooses it.
    """

    path: str  # relative to CORPUS_DIR
    runtime: str
    source: str
    verdict: str  # "fatal" / "survived" / "none"
    kind: str | None
    origin: str | None
    options: dict[str, str]
    text: str
    known: str = ""  # a documented miss of the classifier, with the reason
    policy: str = ""  # issue 12, item 2: a quoted form that must be read as no report

    @property
    def split(self) -> str:
        digest = hashlib.sha1(self.path.encode()).digest()
        return "holdout" if digest[0] % 2 else "dev"


def _read_excerpt(path: Path, root: Path = CORPUS_DIR) -> Excerpt:
    # an excerpt keeps the bytes of its log, garbage included (a C string printed unset): read
    # as evalmon decodes a log, with U+FFFD for what is not UTF-8
    raw = path.read_bytes().decode("utf-8", errors="replace")
    head, sep, text = raw.partition("\n" + _HEADER_END + "\n")
    if not sep:
        raise ValueError(f"{path}: no '{_HEADER_END}' line")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, _, value = line.removeprefix("# ").partition(": ")
        fields[key.strip()] = value.strip()
    words = fields["expect"].split()
    verdict, rest = words[0], words[1:]
    options = dict(word.split("=", 1) for word in rest if "=" in word)
    plain = [word for word in rest if "=" not in word]
    if verdict not in ("fatal", "survived", "none"):
        raise ValueError(f"{path}: unknown verdict {verdict!r}")
    return Excerpt(
        path=path.relative_to(root).as_posix(),
        runtime=path.parent.name,
        source=fields["source"],
        verdict=verdict,
        kind=plain[0] if plain else None,
        origin=plain[1] if len(plain) > 1 else None,
        options=options,
        text=text.rstrip("\n"),
        known=fields.get("known", ""),
        policy=fields.get("policy", ""),
    )


def load_corpus() -> list[Excerpt]:
    return [_read_excerpt(path) for path in sorted(CORPUS_DIR.glob("*/*.log"))]
