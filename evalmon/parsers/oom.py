"""Out-of-memory classifier: does a line report an OOM, which kind, can a smaller batch help?

Pure: text in, :class:`~evalmon.events.OutOfMemory` out; no I/O, no clocks. The stream calls
:func:`classify` for each line where :data:`CANDIDATE` matched, with up to
:data:`CONTEXT_BEFORE` preceding and :data:`CONTEXT_AFTER` following lines of the same file
(in a paste with a blank line under every line, up to :data:`CONTEXT_AFTER` lines with text,
which it reads without the blanks: see :func:`double_spaced`).

Precision matters as much as recall: a false GPU OOM relaunches a healthy job. So a line is
an OOM report only when the OOM text is *the message of the line* (an exception line such as
``torch.OutOfMemoryError: ...``, a known log message such as ``slurmstepd: error: Detected 1
oom_kill event``), or a long, specific allocator message (``CUDA out of memory. Tried to
allocate 2.00 GiB``) that is not quoted by a command, a comment or code. Indented lines
(traceback source lines, help texts), ``grep`` echoes, memory reports and KV-cache usage
percentages are never OOM reports, and neither are copies of another log's lines: grep/rg
output (``old-logs/eval-1.err:torch.OutOfMemoryError: ...``, ``x.log:123:...``,
``4924:...``), ``tail``/``head`` output over several files (lines under ``==> name <==``)
and ``> `` quotes.

Text that only *mentions* an OOM the process went on after is recognised (the dashboard
shows it) but not fatal: an exception repr inside a message (``caught OutOfMemoryError(
'CUDA out of memory ...'), halving the batch``; a repr that is the whole message of an
ERROR record, then raised, is a report), a JSON string value (``{"error": "CUDA out of
memory ..."}``, a JSON log record's ``"message"``), a record below ERROR (``WARNING:root:CUDA
out of memory ...``: the program caught it), a line that says it halves, reduces the batch,
skips, falls back or retries. Such a line never makes a later report of the same source a
repeat: the job went on, so a later OOM is a new failure. A record that is a mention only by
its level or its own words is fatal after all when, after other lines, a traceback that
reached the top level (its first frame ``<module>``) follows it: the handling failed
(fairseq's ``WARNING | OOM: Ran out of memory``, ``attempting to recover from OOM``, then
``Traceback``); a program that logs the exception it handles prints it right under the record.

Rules the supervisor and the dashboard can rely on:

* **One failure, one event.** The first line of a failure reports it; a later line of the same
  source (same rank prefix) is a repeat when an earlier OOM of the same kind (gpu / host) is
  inside ``before`` with no *boundary* between them (an HTTP access-log line, Flask's
  ``Exception on /completions``, a progress bar, an INFO log line, a batch-size change...).
  Chained tracebacks, ``CUDA kernel errors might be asynchronously reported``, NCCL's
  ``NCCL WARN`` + ``DistBackendError`` + ``Cuda failure 'out of memory'``, a message logged and
  then raised, ``Killed`` followed by ``slurmstepd ... oom_kill``: one event each. A line that
  points back (vLLM's ``Worker failed with error 'CUDA out of memory ...', please check the
  stack trace above``) repeats an earlier OOM of any process in ``before``.
* **Ranks are separate events.** ``[rank3]: ...``, ``[default3]:``, ``[1,3]<stderr>:``, srun's
  ``3: `` labels, vLLM's ``(VllmWorker rank=3 pid=..)`` and SGLang's ``TP3`` set ``rank``; each
  rank's report is its own event. The supervisor merges events close in time into one failure.
* **Whether a line reports an OOM never depends on ``after``** (which may still be short while a
  file is being written). ``after`` only adds details: the rest of a hard-wrapped message,
  recovery lines (``fatal``), a better message (``Killed`` followed by slurmstepd's line).
* **fatal** is True unless the context shows recovery: the line only mentions the OOM (see
  above) or says the caller retries (``... out of memory, retrying in 5 s``), an automatic
  batch-size search is running (lm-eval's ``Detecting largest batch size`` with no
  ``Determined ... batch size`` yet), or a following line reduces the batch size. A
  recovered OOM whose message is printed is returned with ``fatal=False`` (never None) so
  the dashboard can show it; the supervisor ignores it. accelerate's ``No executable batch
  size found, reached zero`` is always fatal (unless only mentioned).
* **batch_helps** is False for host OOMs (but vLLM's CPU swap space for preempted sequences,
  which fewer sequences at once fit), for vLLM/SGLang start-up memory errors (KV cache too
  small, ``gpu_memory_utilization``, ``--mem-fraction-static``), for accelerate's search reaching
  zero, and for a GPU OOM while loading weights (the traceback shows ``from_pretrained``,
  ``load_state_dict``, ``load_checkpoint``, ``_load_...``, ``model.to(``, ``Module._apply``, vLLM's
  KV-cache set-up, or a ``Loading checkpoint`` line is the nearest phase marker). vLLM's profile
  run is no loading: it runs a dummy batch of ``max_num_seqs`` sequences and
  ``max_num_batched_tokens`` tokens, which a smaller batch setting shrinks. When the phase is
  unknown a GPU OOM counts as curable: an eval job spends nearly all its time generating, where
  memory grows with the batch, and a wrong guess costs one short attempt, bounded by the
  supervisor's attempt limit.
* A client that quotes a REMOTE server's OOM (``API request failed ... CUDA out of memory.
  Tried to allocate ... Retrying``) yields a GPU OOM of that server, non-fatal because the
  client retries; the fatal event comes from the server's own log.
* SGLang's ``Decode out of memory happened. #retracted_reqs`` is scheduler pressure that SGLang
  handles itself (like a KV-cache usage figure): not an OOM.
* A bare ``Killed`` (bash reporting SIGKILL; also glued to the end of a tqdm bar, which leaves
  no newline) is the kernel OOM killer unless the lines before
  show a cancellation, a time limit or a deliberate kill; srun's ``task 0: Killed`` is never
  taken as an OOM (it is also how cancellations end), its ``task 0: Out Of Memory`` is. The
  same holds for a launcher reporting its worker killed by SIGKILL: DeepSpeed's ``exits with
  return code = -9``, torchrun's ``failed (exitcode: -9)`` and its summary's ``Signal 9
  (SIGKILL) received by PID``, torch.multiprocessing.spawn's ``terminated with signal
  SIGKILL``, ollama's ``llama runner process has terminated: signal: killed`` and zsh's
  ``zsh: killed     python ...`` (torchrun's own ``closing signal SIGTERM`` to the other ranks
  is no cancellation). A launcher's SIGKILL report after a rank ended with one of Python's own
  program errors (``NameError``, ``KeyError``...) is the agent's teardown: no report.
* A traceback cut before its exception's line: the innermost frame's source line ``raise
  ValueError("No available memory for the cache blocks. "`` right under its ``File ...``
  line is the exception (its own line, once in sight, gives the message); a ``raise`` in code
  or a diff reports nothing.

Every runtime's own form, and what is not a report (tests/data/oom_corpus holds real excerpts
of each, with a near-miss):

* C++ runtimes print the exception's message indented under ``terminate called after throwing
  an instance of 'c10::Error'`` as ``  what():  CUDA error: out of memory``: that header is a
  log header here, and any out-of-memory words in that message (``cudaMalloc fail|ed: out of
  memory`` wrapped by a terminal, ``std::bad_alloc``) report a fatal OOM (origin ``cxx``
  unless a known message names its runtime).
* A traceback captured as an indented block (a workflow manager's or CI step's output) is read
  without the indent of its own ``Traceback`` line, and an entry of a TensorFlow/XLA status
  list logged at error level (glog ``E ... xla_util.cc:88]   (1) RESOURCE_EXHAUSTED: ...``)
  without its indent; other indented lines stay quotes. A paste with line numbers (an
  editor's, ``cat -n``: `` 14 jpype._jexception...``) is read without them when the two lines
  before carry the two numbers before (``uniq -c`` counts do not count up).
* Error codes' names (``hipErrorOutOfMemory``, ``HIP_ERROR_OutOfMemory``,
  ``CUDA_ERROR_OUT_OF_MEMORY``, ``*_STATUS_ALLOC_FAILED``) report only with an error around them
  (``HIP error ... hipErrorOutOfMemory !!!``) or as an exception's whole message (JCuda's
  ``jcuda.CudaException: CUDA_ERROR_OUT_OF_MEMORY``), never alone in prose or a header file.
* TensorFlow: ``ResourceExhaustedError`` and ``OOM when allocating tensor``; its BFC allocator's
  failure ``... ran out of memory trying to allocate 3.72GiB.  Current allocation summary
  follows.`` is logged at W and is fatal, its ``The caller indicates that this is not a
  failure`` warnings are nothing; the stream executor's ``failed to allocate ... from device:
  CUDA_ERROR_OUT_OF_MEMORY`` is retried by the allocator (shown, never fatal), as are its
  pinned-host (``failed to alloc N bytes on host:``) and unified-memory forms; an exception
  whose message is ``Dst tensor is not initialized.`` is a copy to a full GPU. XLA: ``Resource
  exhausted: Failed to allocate request for``, ``Out of memory while trying to allocate``; the
  TPU runtime: ``RESOURCE_EXHAUSTED: Error allocating device buffer: Attempting to allocate
  196.00M. That was not possible.``, ``Attempting to reserve 3.95G at the bottom of memory.
  That was not possible.`` (on the line after ``Resource exhausted: From /job:tpu_worker...:``).
  Apple MLX (origin ``mlx``): ``[metal::malloc] Attempting to allocate ... bytes which is
  greater than the maximum allowed buffer size``, ``[METAL] Command buffer execution failed:
  Insufficient Memory``.
* ggml's ROCm build (``ROCm error: out of memory``) and Metal backend (``error: Insufficient
  Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)``).
* CTranslate2 (faster-whisper): ``RuntimeError: CUDA failed with error out of memory``.
* XLA's other failures (its error codes E1000-E1002): ``Allocation (size=N) would exceed memory
  (size=M)``, ``Aborting compilation early because it's unlikely to have enough memory``,
  ``TPU TensorCore Hbm usage: ... exceeding available bytes``; XLA:GPU's ``Failed to allocate N
  bytes for new constant``; the indented ``Compilation failure: Ran out of memory in memory space
  hbm. Used X of Y`` of a TPU job's error summary.
* glog's fatal CUDA check (Caffe, OpenPose, mshadow/MXNet, old PaddlePaddle): ``Check failed:
  error == cudaSuccess (2 vs. 0)  out of memory``.
* Vulkan (``VK_ERROR_OUT_OF_DEVICE_MEMORY``, ``ErrorOutOfDeviceMemory``) and SYCL/Level Zero
  (``UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY``; ``_OUT_OF_HOST_MEMORY`` is host memory) result
  codes, with an error around them and not inside a person's sentence.
* ggml's graph allocator alone (``ggml_gallocr_reserve_n: failed to allocate Metal buffer of
  size N``) and as ollama returns it (``failed to allocate buffer, size = 33074.89 MiB``).
* DeepSpeed-Inference: ``Workspace can't be allocated, no enough memory.``; Rust's abort
  ``memory allocation of N bytes failed`` (host); Ray's memory monitor: ``N Workers (tasks /
  actors) killed due to memory pressure (OOM)`` (host, N > 0).
* TVM (MLC-LLM): ``Check failed: (e == cudaSuccess || ...) is false: CUDA: out of memory``.
* LMDeploy's TurboMind: ``[TM][ERROR] CUDA runtime error: out of memory /lmdeploy/src/...``.
* Darknet's ``CUDA Error: out of memory`` (its check_error then asserts); the text its perror
  adds after another CUDA error (``...: Cannot allocate memory``) is a stale errno, no report.
* OpenVINO's GPU plugin (origin ``openvino``): ``[GPU] Exceeded max size of memory object
  allocation: requested N bytes, ...`` and ``[GPU] out of GPU resources``.
* Intel Gaudi: ``FATAL ERROR :: MODULE:PT_DEVMEM Allocation failed for size::939524096``;
  Huawei Ascend: ``Memory_Allocation_Failure(EL0004): Failed to allocate memory``.
* ggml's Vulkan backend: ``ggml_vulkan: Device memory allocation of size 118497280 failed.``
  (its ``Failed to allocate pinned memory.`` falls back to host memory: no report).
* TensorRT-LLM: ``CUDA runtime error in ::cudaMallocAsync(...): out of memory (...)``; while
  Triton loads the engine (``loading failed with error``) a smaller client batch cannot help.
* PaddlePaddle: ``Out of memory error on GPU 0. Cannot allocate 3.125000GB memory on GPU 0``
  (its sizes are powers of 1024 written "MB"/"GB", like MPS's).
* The JVM (Spark, a Java tool): ``java.lang.OutOfMemoryError: Java heap space`` is host memory,
  also under ``Exception in thread "main"`` and under py4j's ``Py4JJavaError`` (``: java...``).
* llama.cpp/ggml: ``cudaMalloc failed: out of memory`` while loading or creating the context
  (``batch_helps=False``; its CPU buffers' ``failed to allocate buffer of size N``: host),
  recovered when the next lines retry (``retrying without pipeline
  parallelism``; ollama's layout search: a new ``msg=load request="{Operation:fit|alloc ...``
  with fewer GPU layers, ``model layout did not fit, applying backoff``). TGI's router panic
  ``Unable to warmup model: ... (out of memory)`` (``batch_helps=False``: the token budget, not
  the client's batch). vLLM's warm-up ``CUDA out of
  memory occurred when warming up sampler`` advises fewer sequences (``batch_helps=True``).
* Host memory told by an exception's message only (``RuntimeError: ...``, ``OSError: ...``):
  PyTorch's ``DataLoader worker (pid 123) is killed by signal: Killed.`` (the OOM killer took a
  worker) and ``... killed by signal: Bus error. It is possible that dataloader's workers are
  out of shared memory`` (a full /dev/shm, ``batch_helps=False``; ``exited unexpectedly`` has
  any cause: no report), ENOMEM (``[Errno 12] Cannot allocate memory``, ``unable to mmap 4096
  bytes from file </torch_...>: Cannot allocate memory (12)``), Windows' commit limit
  (``[WinError 1455] The paging file is too small``, any locale), ollama's refusal to load a
  model larger than the RAM (``model requires more system memory (164.8 GiB) than is
  available``). The words alone (a shell's ``-bash: fork: Cannot allocate memory``, prose) are
  no reports. torch-directml's
  ``Could not allocate tensor with N bytes. There is not enough GPU video memory available!``
  is a GPU OOM, as a message only.
* systemd: ``ollama.service: A process of this unit has been killed by the OOM killer.`` and its
  ``Failed with result 'oom-kill'.``: one failure, host memory.
* SLURM: the OOM kills of different jobs in one log (``StepId=`` differs) are separate events;
  a job's step and batch step are one failure. ``sacct`` rows in state ``OUT_OF_MEMORY`` (cut
  to ``OUT_OF_ME+``) and slurmstepd's line relayed after a wrapper's labels are reports too.
* Containers: ``docker inspect``'s ``"OOMKilled": true`` under its ``"State": {``, and a
  Kubernetes pod's ``Reason: OOMKilled`` under the pod's live status.
* Other accelerators and engines: AWS Neuron's ``TDRV:dmem_alloc_internal Failed to alloc
  DEVICE memory`` and ``nrt_tensor_allocate status=4 message="Allocation Failure"``, MIGraphX's
  ``allocate_gpu: Memory not available to allocate buffer``, IPEX's ``Allocation is out of
  device memory on current platform``, MindIE's ``Warmup failed, because of ... out of memory``,
  TensorRT-LLM's ``Executor creation failed due to insufficient GPU memory`` and its KV cache
  too small for one sequence, ExLlamaV2's ``Insufficient VRAM for model and cache``, MLC's
  ``Insufficient GPU memory error``, torch_memory_saver's ``CUresult error: 2 (out of
  memory)`` (it exits the process); vLLM's sleep-mode allocator's own print of ``CUDA Error:
  out of memory at ...cumem_allocator.cpp`` returns to Python (survived), the RuntimeError
  raised from it is the failure.
* Twelfth session's forms: PyTorch's NVML assert on its OOM path (``NVML_SUCCESS == r INTERNAL
  ASSERT FAILED at ".../CUDACachingAllocator.cpp"``), bitsandbytes' ``Error out of memory at
  line N in file ...``, TensorFlow's ``Non-OK-status: GpuLaunchKernel(...) status: Internal:
  out of memory`` and its allocator failure cut after ``(rounded to N)``, IREE's
  ``RESOURCE_EXHAUSTED; VK_ERROR_OUT_OF_DEVICE_MEMORY``, early llama.cpp's ``ggml_metal_add_buffer:
  buffer 'data' size N is larger than buffer maximum of M``, Triton's model status wrapped
  over table rows, TurboMind's weights (``memory_utils.cu``: ``batch_helps=False``), a TPU
  kernel's VMEM (``batch_helps=False``); host: GNU MP's ``Cannot allocate memory (size=N)``,
  R's ``cannot allocate vector of size``, joblib's killed workers with exit codes
  ``{SIGKILL(-9)}``, dagster's child ``terminated by signal 9 (SIGKILL)`` and Neuron's
  ``[F137] neuronx-cc was forcibly killed``, in their own words about memory. A kill during a
  batch-size search is no recovered OOM (the search catches exceptions only); a WARNING right
  after an exception that quotes it says the program caught it. An OOM exception's name cut
  mid-word where a stored copy ends (``torch.cuda.OutOfMemoryErro``) is the OOM.
* Thirteenth session's forms: TensorFlow's op status ``RESOURCE_EXHAUSTED: failed to allocate
  memory``; transformers refusing a quantized model ``device_map`` could not fit on the GPUs
  (``Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM``,
  ``batch_helps=False``); RELION's FFT plan that fit no GPU memory; host: GCC's ``virtual memory
  exhausted: Cannot allocate memory`` and ``cc1: out of memory allocating N bytes after a total
  of M bytes``, Flux's job shell ``oom: Memory cgroup out of memory: killed N task``, Alibaba
  PAI's ``The job has been killed by "OOM Killer"``, earlyoom's ``oom_score`` wording, SLURM's
  oom-kill line without slurmstepd's name and srun's report glued to a progress line. vLLM's
  sleep-mode pool (``CUDA Error: out of memory at .../cumem_allocator.cpp`` raised) and TGI's
  ``Shard N failed to start`` are start-up (``batch_helps=False``), and so is any request no
  batch size explains: a size that wrapped around (2**64 bytes) or 1024 times the device. A
  program's own ``Caught ...Error`` print right before the message says it caught it, and so
  does a benchmark utility's ``Doesn't fit on GPU.`` before it. Also: TensorRT's ``Cuda Error in
  allocate: 2``, LLVM's ``JIT session error: Cannot allocate memory``, ``std::bad_alloc``'s
  abort pasted on one line, R's ``Error: memory exhausted (limit reached?)`` and
  ``std::bad_alloc`` as an R error's message. Only a line a terminal cut at its full width
  is joined with the lines after it; no other verdict waits for them.
* Fourteenth session's forms: ggml's buffers on any backend, a remote RPC device's too
  (``alloc_tensor_range: failed to allocate RPC0[host:port] buffer of size N``), under
  llama-server's router, which prefixes its child's pid (``[41303] 0.01.289.827 E ...``);
  ollama's ``memory layout cannot be allocated`` (at load; its CLI prints the server's ``500
  Internal Server Error:`` before it, read like a quoted body); SGLang killing its own process
  tree (``SIGQUIT received. signum=...``, older ``Received sigquit from a child proces.``)
  makes the ``Killed`` after it deliberate; vLLM's sleep-mode allocator print is fatal when the
  traceback of it raised starts on the next line. No batch is involved when weights are merged,
  saved or exported (``merge_and_unload``, ``_merge_lora``, ``save_pretrained``,
  ``push_to_hub``; IPython's and Colab's frames are read too), when an optimizer creates its
  state at the first step (``_init_group``), when ComfyUI loads a model (``Requested to load``)
  or when MLC reads its parameter shards. A guide's troubleshooting entry (the bare message in
  a one-line fence between a heading and a ``Solution`` label) is never fatal. Also: TensorRT's
  builder finding no tactic for a node (``Error Code 10: ... Could not find any
  implementation``) after it skipped tactics for memory; TensorRT-LLM's KV cache too small in
  its older wording; vLLM's ``# cuda blocks: 0`` under its memory profile where the log lost its
  headers; Triton's Python backend unable to create or grow its shared-memory region (``Error:
  No space left on device``: host memory under /dev/shm); the kernel's ``Killed process N
  (comm) total-vm:...kB, anon-rss:...kB`` where a paste lost the ``Out of memory:`` before it;
  llama-server going on to its slots and ``listening on`` after a compute buffer it could not
  reserve (survived); a saved notebook's error output (``"ename"``, ``"evalue"`` with its newlines
  escaped); ``tf.train.Coordinator`` taking a thread's OOM at INFO (``Error reported to
  Coordinator: <class '...ResourceExhaustedError'>, OOM when allocating tensor``), which stops
  the run; vLLM's KV-cache refusal is host memory where the log shows its CPU back-end
  (``cpu_worker.py``, the ``CPU_ATTN`` layout); a log viewer's time of day without a date is a
  time stamp, so the level after it counts.
* Fifteenth session's forms: a person's ``I got this error: RuntimeError: ...`` is their own
  failure; LM Studio's records with the header alone on the line above (``2026-04-18 21:08:53
  [DEBUG]`` then `` libc++abi: ...``) and its guardrail (``Model loading aborted due to
  insufficient system resources``: host, at load); ollama's ``unable to allocate backend
  buffer`` (the memory is the log's); vLLM's CPU swap space running out is host memory fewer
  sequences at once cure (``batch_helps=True``, the one host OOM so); the kernel's ``Killed``
  glued to a tqdm bar of no total (``3it [05:29, 105.48s/it]Killed``); a caught OOM's record
  right before the shell's prompt is fatal (the program exited of it), one followed by
  ``Falling back to ...`` or Ultralytics' ``AutoBatch: Using batch-size N`` survived; MXNet's
  ``cudaMalloc retry failed: out of memory`` is no retry; the ``GPUassert: out of memory FILE
  LINE`` macro; ``from_checkpoint`` and ``create_train_state``/``init_train_state`` build a
  model or its train state before any batch.
* Sixteenth session's forms: ggml's Metal ``command buffer N failed with status 5`` is its OOM
  after the warning that the buffers passed the working set (``greater than the recommended max
  working set size``); ExLlamaV2's ``AssertionError: Insufficient space in device allocation``;
  TensorRT-LLM's ``CUDA ERROR: 2, error code reference`` (cudaMalloc's error 2); TGI's shard
  ``Out of available cache blocks: asked N, only M free blocks`` (shown, never fatal alone).
  vLLM's profile run is the largest batch's warm-up (``batch_helps=True``); an OOM in an
  optimizer's update (``_multi_tensor_adamw``, after the backward pass freed the activations)
  and TensorFlow creating its CUDA context (``cuDevicePrimaryCtxRetain``) are no batch's. No
  reports: Triton's ``OutOfMemoryError: out of resource:``, TensorFlow's refused zero-byte
  request and its ResourceExhaustedError, UCX's ``ibv_reg_mr(...) failed: Cannot allocate
  memory``, the NVIDIA driver's ``[NV_ERR_NO_MEMORY]`` check.
* Seventeenth session's forms: building, nvcc's ``catastrophic error: out of memory`` and
  BuildKit's ``failed to solve: ResourceExhausted: ... cannot allocate memory`` (host, no
  batch's); Gaudi's ``MODULE:SYNHELPER workspace Allocation of size ::N failed`` and
  ``MODULE:DEVMEM``; pyopencl's ``MEM_OBJECT_ALLOCATION_FAILURE``; tinygrad's ``MemoryError:
  Cannot allocate N bytes: no memory is available``; XLA's ``Failure to initialize cublas may
  be due to OOM`` (no batch's, like a failed ``cublas handle``); ``neuronx-cc failed with -9``
  and TGI's ``Download process was signaled to shutdown with signal 9`` (host kills). SGLang's
  ``_init_pools`` and CUDA's ``set_device`` are no batch's; ggml's compute buffer right after
  llama-server's ``kv cache rm [p0, end)`` is a request's. NCCL's ``Cuda failure 'out of
  memory'`` under its ``[Rem Allocator] Allocation failed`` (a peer's request) is survived; an
  editor's ``Line N:`` search results and PBS's ``job.o123:`` are grep output.
* A notebook's uncaught exception header names the OOM before its frames (IPython's
  ``OutOfMemoryError    Traceback (most recent call last)``); ollama's runner reports ggml's
  buffer failure as ``error loading model: unable to allocate CUDA0 buffer`` (at load).
* Quoted forms: a markdown table row (``| 64 | OOM |``, ``| CUDA out of memory | lower the batch
  |``), a markdown list item that opens with a bold name (``- **model** on 8xH100: [rank0]:
  torch.OutOfMemoryError ...``: a report of failed runs), a fenced block under a heading that
  names examples (``## Error log examples``), a YAML document's value (under ``---``), a quoted
  ``key: "..."`` value, first-person prose (``I'm getting ... NCCL WARN Cuda failure``) are no
  reports. fairseq's handler (``OOM: Ran out of memory with exception: ...``) is a caught OOM.
  Markdown inline code inside a sentence is a quote too, but a whole line of it (or the first
  or last line of a span over several lines) is a log line pasted into an issue: raters shown
  no labels read such pastes as the reporter's own failure. So are a whole line in bold or
  italics, a block indented as markdown code (4 spaces or a tab, under a blank line), a fence
  glued to the first line, HTML entities (``&lt;module&gt;``), a literal ``^M``, and a message a
  progress bar left no newline before; a sentence in any language that runs straight into the
  message (``报错torch.cuda.OutOfMemoryError: ...``) is the reporter telling of their own run,
  and so is a person's "I got this error:" right before it (not "When I get this error:").
* Survived, besides the above: an OOM inside one failed pytest test's report (or on pytest's
  ``E   `` line), an exception at a
  Python prompt that comes back (``>>>``), a message a call typed at a prompt printed itself.
* Any other runtime (origin ``other``): an error line whose plain words say memory ran out
  (``out of ... memory``, ``insufficient/not enough ... memory``, ``failed to allocate ...
  memory/buffer``, ``memory allocation failed``) is a report when it is an exception, an
  error-level record, or a C program's ``function: failed ...`` line; a bare ``Error: ...`` or
  ``Failed ...`` line only among other log lines. Not advice (``to avoid``, ``if``, ``may``),
  a question, a quoted message, pinned or shared memory, or Triton's ``out of resource``. When
  a named rule's line follows within the context, that line is the event.
* A fatal OOM needs text that shows a failure; a message with no exception type, no error level
  and no traceback before it, followed by a bar that moves on, was caught and survived. The rest
  of the evidence (the process exited non-zero, the server answered 5xx) is the supervisor's.

``origin`` names the reporter: ``pytorch`` (CUDA caching allocator, ``CUDA error: out of
memory``), ``hip``, ``mps``, ``cuda`` (driver/runtime error names), ``cublas``, ``cudnn``,
``nccl``, ``xla`` (JAX/XLA, TPU HBM), ``mlx`` (Apple MLX), ``tensorflow``, ``vulkan``,
``sycl``, ``deepspeed``, ``ggml`` (llama.cpp), ``cxx`` (a C++ exception's message), ``vllm-kv``
(KV cache too small), ``vllm`` (free memory below ``gpu_memory_utilization`` at start,
warm-up), ``sglang``, ``tgi``, ``accelerate``, ``directml``, ``metal`` (a Swift program's Metal
error), ``mindspore``, ``sophgo``, ``tenstorrent``, ``darknet``, ``openvino``, ``bitsandbytes``,
``iree``, ``turbomind`` (gpu); ``python``
(``MemoryError``), ``pytorch`` (CPU allocator), ``slurm``, ``kernel`` (also a DataLoader
worker's SIGKILL), ``enomem`` (errno 12), ``windows`` (paging file), ``ray``, ``rust``,
``sycl``, ``gmp``, ``r``, ``joblib``, ``dagster``, ``neuron``, ``shm`` (a DataLoader's
workers out of /dev/shm, or NCCL's segment there) (host); ``caffe``, ``theano``, ``cupy``,
``marian``, ``jetson`` (jetson-utils' mapped memory), ``opencv`` (gpu). Sizes are bytes:
``KiB/MiB/GiB`` and XLA's bare ``K/M/G`` are binary, ``KB/MB/GB`` decimal, except PyTorch's
MPS allocator, which prints binary sizes as ``GB``/``MB``, and Torch's TH allocator, whose
``you tried to allocate 2GB`` is whole GiB.
``bytes_tried`` is the failed request (for vLLM's KV check: the KV cache needed) and
``free_bytes`` what was free (for vLLM's KV check: the KV cache memory available).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import overload

from evalmon.events import OomKind, OutOfMemory
from evalmon.parsers.lines import ascii_re, strip_ansi

__all__ = [
    "CANDIDATE",
    "CONTEXT_AFTER",
    "CONTEXT_AFTER_MAX",
    "CONTEXT_BEFORE",
    "classify",
    "double_spaced",
    "has_text",
    "wants_after",
]

CONTEXT_BEFORE = 60  # a chained traceback repeats the message ~30-50 lines later
CONTEXT_AFTER = 4  # hard-wrapped message continuations, recovery lines (lines with text)
# ...and at most this many lines in all: a paste that puts a blank line between every two
# (a forum's or a console's copy) still shows its four lines of text after a message
CONTEXT_AFTER_MAX = 12
_MAX_CHARS = 16_384  # analyse at most this much of a line (OOM messages are < 2 KB)
_MESSAGE_CHARS = 300

# Every line classify() can accept contains one of these literals (checked by the fuzz test).
CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"out of memory|Out of memory|Out Of Memory|OutOfMemory|MemoryError|OUT_OF_MEMORY"
    rb"|RESOURCE_EXHAUSTED|ALLOC_FAILED|oom[-_]kill|Killed|stored in KV|KV cache is needed"
    rb"|available KV|KV cache memory|cache blocks|max seq len \(|cache exhausted"
    rb"|GPU memory utilization|runs out of memory|Not enough memory|not enough memory"
    rb"|can't allocate memory|No executable batch size|Failed to CUDA calloc"
    rb"|memory limit|OOMKilled|running low on memory|cudaErrorMemoryAllocation"
    rb"|low on resource: memory|malloc_or_wait|failed to extend /dev/shm"
    rb"|Resource exhausted|ResourceExhausted|OOM when allocating|trying to allocate"
    rb"|Tried to allocate|bad_alloc|OUT_OF_ME\+|mem_buffer != NULL|out of device memory"
    rb"|bad allocation|cudaSuccess \(2 vs|Unhandled exception:"
    rb"|Failed to alloc DEVICE memory|bytes on DEVICE|\"Allocation Failure\"|Memory not available"
    rb"|nsufficient GPU memory|maxTokensInPagedKvCache|Insufficient VRAM"
    rb"|ailed to allocate compute|enough host memory|enough GPU memory|Cuda error: 2\["
    rb"|Memory limit exceeded \(|can't malloc |create cublas handle|\*\*\*\*\*\*\*\*\*\*|__________"
    rb"|That was not possible|metal::malloc|Insufficient Memory|alloc_gmem failed|Out of Memory"
    rb"|more than total mem size| blocks: 0, # CPU blocks|Allocation type: "
    rb"|Tasks state \(memory|oom_score_adj +name"
    rb"|failed to allocate buffer of size|failed to allocate CPU buffer of size"
    rb"|unable to allocate \w+ buffer"
    rb"|Cannot allocate memory|not enough GPU video memory|WinError 1455|os error 1455"
    rb"|more system memory|return code = -9|exitcode: -9|ignal 9 \(SIGKILL\)"
    rb"|exit code 137 \(interrupted|Signals\.SIGKILL|died due to signal 9"
    rb"|with signal SIGKILL|Dst tensor is not initialized|DEVMEM Allocation failed"
    rb"|Device memory allocation of size|Memory_Allocation_Failure|EL0004|by the OOM killer"
    rb"|'oom-kill'|!!! Allocation on device|\d killed +\S"
    rb"|ut of \w+ memory|ut of \w+ \w+ memory|UT OF \w+ MEMORY|nsufficient \w"
    rb"|NSUFFICIENT|ot enough \w|OT ENOUGH|o enough"
    rb"|(?:[Ff]ail(?:ed)?|FAIL(?:ED)?|[Uu]nable|UNABLE|[Nn]ot|NOT|[Cc]an't|CAN'T) (?:to |TO )?"
    rb"(?:alloc|ALLOC)"
    rb"|(?:ailed|nable|annot|ould not|an't|ouldn't) (?:to )?(?:reserve|malloc)"
    rb"|emory allocation|EMORY ALLOCATION|emory (?:is |was )?exhausted|emory object allocation"
    rb"|out of GPU resources|Memory isn't enough|allocating <= available failed"
    rb"|(?:emory|VRAM|RAM|HBM) (?:is not|isn't|was not|wasn't) enough"
    rb"|(?:emory|VRAM|RAM|HBM) (?:is |was )?insufficient"
    rb"|terminated by signal 9|OOM detected\. Possible|lack of CPU swap space|must not exceed"
    rb"|zsh: killed|has terminated: signal: killed|maximum allowed buffer size"
    rb"|No space left for only one request|OUT_OF_DEVICE_MEMORY|OutOfDeviceMemory"
    rb"|failed to allocate buffer, size|buffer of size|would exceed memory|OUT_OF_HOST_MEMORY"
    rb"|no enough memory|memory allocation of|memory pressure \(OOM\)"
    rb"|Aborting compilation early|exceeding available bytes|bytes for new constant"
    rb"|Ray killed this worker|Unable to warmup model|Engine building failed|lowmemorykiller: Kill"
    rb"|Could not find any implementation|shared memory pool size|initialize shared memory key"
    rb"|failed in the TorchScript interpreter"
    rb"|using all available RAM|leave no GPU memory|PBS: job killed|memory resource limit"
    rb"|TERM_MEMLIMIT|gone over memory limit|due to memory usage|systemd-oomd|HOLD due to memory"
    rb"|MEM usage hard limit|excessive memory use|exceeded maxPSS|\": badness|process to kill"
    rb"|\": oom_score|killed by \"OOM Killer\"|Error in allocate: 2"
    rb"|than the profiled value -|Cuda failure 2 '|\]Killed|OOMKilled|OOM-killed"
    rb"|EXIT CODE: 9|ran out-of-memory|is larger than buffer maximum|NVML_SUCCESS == "
    rb"|workers are \{SIGKILL|OutOfMe|cannot allocate vector|Error out of memory at line"
    rb"|killed by the operating system due to running out of memory|Non-OK-status: "
    rb"|neuronx-cc was forcibly killed|Some modules are dispatched|layout cannot be allocated"
    rb"|failed with status 5|CUDA ERROR: 2,|workspace Allocation of size|OBJECT_ALLOCATION_FAILURE"
    rb"|may be due to OOM|neuronx-cc failed with -9|failed with exit code -9"
    rb"|beyond max L1 size"
    rb"|cudaMalloc failed: ou|shutdown with signal 9|to cudaMalloc "
    rb"|out of heap space|more memory than max_memory_mb|% memory budget. Restart"
    rb"|LLVM ERROR: out of memory|insufficient memory for the Java|xmalloc: cannot allocate"
    rb"|create cudnn handle"
    rb"|allocation::BadAlloc'|posix_memalign|Failed to apply for memory|using too much memory"
    rb"|Estimated peak HBM|oom_reaper: reaped|Available memory on node|Mamba cache blocks"
    rb"|state cache is too small|leaves no room for the full KV|emory limit of"
    rb"|exited with error: signal: killed|requires more memory than allowed"
    rb"|exceed the desired GPU memory|budget after excluding external|a multi-rank OOM"
    rb"|does not fit in GPU memory|ran out of host RAM|hit an out-of-memory error"
    rb"|MiB of host memory, but only|MiB of POSIX shared memory"
    rb"|Exit code: -9|write to file </torch_|\[Errno 12\] "
    + b"|"
    + "\u5df2\u6740\u6b7b".encode()  # bash's "Killed" under a zh_CN locale
    + b"|"
    + "exit code 137 \uff08interrupted".encode()  # an IDE's, with full-width brackets
)
_CANDIDATE_STR = ascii_re(CANDIDATE.pattern.decode())

# --------------------------------------------------------------------------- prefixes

_LEVEL = r"(?:TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL)"
# RFC 3339 with a zone, as collectors stamp lines (CRI, `docker logs -t`, CI runners)
_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)"
# syslog/journald: the date ("Apr 25 06:31:56 ", "12\u6708 03 18:13:23 " in a zh_CN locale),
# then the host and the program with its pid ("node1 ollama[35]")
_SYSLOG_DATE = r"(?:[A-Z][a-z]{2} {1,2}\d{1,2}|\d{1,2}\u6708 \d{1,2}) \d\d:\d\d:\d\d {1,2}"
_SYSLOG_PROGRAM = r"(?:[\w.\-]{1,64} )?[\w.\-/]{1,64}\[\d{1,9}\]"
_TIMESTAMP = (
    # (the zone after a space: gunicorn's "[2024-02-15 02:53:01 +0000] [1] [ERROR] ")
    r"(?:\[?\d{4}-\d\d-\d\d[T :_]\d\d:\d\d:\d\d(?:[.,:]\d+)?(?:Z| ?[+-]\d\d:?\d\d)?"
    # a log viewer's time of day, with milliseconds and no date (glued to the line's text when
    # that starts a new record: "16:49:33.632torch.cuda.OutOfMemoryError: ...",
    # hiyouga/LlamaFactory#5590)
    r"|\d\d:\d\d:\d\d\.\d{3}(?=[\sA-Za-z])"
    # ...or without them, a level right after ("06:55:27 [WARNING] HF Bridge: ...")
    r"|\d\d:\d\d:\d\d(?= \[?" + _LEVEL + r"\]? ))"
    r"(?P<par>(?: (?:TP|DP|PP|EP)\d+)*)\]?"
)
# Each prefix is consumed with exactly one trailing separator so that the indentation of a
# traceback source line survives (an indented line is never an OOM report).
_PREFIXES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # TorchServe's frontend relaying its worker's stdout at INFO and stderr at WARN
    # ("2023-05-09T05:01:22,927 [WARN ] W-29500-opt_1.0-stderr MODEL_LOG - "): the level is
    # the stream's, not the worker's, so the whole relay is the worker's tag, never a header
    (
        "tag",
        ascii_re(
            r"(?:" + _TIMESTAMP + r" \[(?:TRACE|DEBUG|INFO|WARN|ERROR) ?\] )?"
            r"(?P<tag>W-\d{1,6}-[\w.\-]{1,120}?)-std(?:out|err) MODEL_LOG - "
        ),
    ),
    # (after one space: a paste's, never a traceback's indent)
    ("rank", ascii_re(r" ?\[rank(?P<rank>\d{1,6})\]: ?")),
    # torch elastic's "[{role}{local_rank}]:" ("[default0]:"; multi-node launchers name the role
    # after the host: "[gpu187:1]:", huggingface/accelerate#1519)
    ("rank", ascii_re(r"\[(?P<role>default|[A-Za-z][\w.\-]{0,60}:)(?P<rank>\d{1,6})\]: ?")),
    ("rank", ascii_re(r"\[\d{1,6},(?P<rank>\d{1,6})\]<std(?:out|err)>: ?")),
    ("rank", ascii_re(r" {0,4}(?P<rank>\d{1,5}): (?=\S|  )")),
    # Tenstorrent's tt-metal logger: its level, then the log's type right-aligned in a column
    # ("2025-10-23 04:15:50.252 | critical |          Always | Out of Memory: ..."), or, in
    # older releases, the type first ("                 Always | FATAL    | Out of Memory: ...")
    (
        "header",
        ascii_re(
            r"(?:\| )?(?i:critical|error|warning|info|debug|trace) +\| +[A-Z][A-Za-z]{1,20} \| "
        ),
    ),
    ("header", ascii_re(r" {0,24}[A-Z][A-Za-z]{1,20} \| " + _LEVEL + r" +\| ")),
    ("tag", ascii_re(r"(?P<tag>\[?[A-Za-z][\w.\-]{0,60}\]?) *\| ")),
    # pdsh (DeepSpeed's multi-node launcher) labels each line with its host: "gpu-q-13: ",
    # "worker-0: ", "localhost: ", "10.0.0.2: " (a name with a digit and no dot: no message
    # word, no module like "cv2.error: ", no error code like CANN's "EL0004: ")
    (
        "tag",
        ascii_re(
            r"(?!slurmstepd|srun\b|salloc\b|python|[A-Z]+\d+: )"  # no error code ("EL0004: ")
            r"(?P<tag>localhost|[A-Za-z][\w\-]{0,40}\d[\w\-]{0,40}(?<!Error)(?<!Exception)"
            r"|\d{1,3}(?:\.\d{1,3}){3}): (?=\S|  )"
        ),
    ),
    # Kubernetes: a container's log file as the kubelet writes it (CRI: "<RFC 3339 time>
    # <stream> <F|P> ", on every line), and `kubectl logs --prefix` ("[pod/<pod>/<container>] ")
    (
        "tag",
        ascii_re(_RFC3339 + r" (?P<tag>stdout|stderr) [FP] "),
    ),
    ("tag", ascii_re(r"\[(?P<tag>pod/[\w.\-]{1,253}/[\w.\-]{1,63})\] ")),
    # Docker BuildKit's plain progress: the build step's number and its seconds ("#4 3570.9 ")
    ("tag", ascii_re(r"#(?P<tag>\d{1,5}) \d{1,6}\.\d{1,3} ")),
    (
        "tag",
        ascii_re(
            r"\((?P<tag>[A-Za-z_][\w.\-]{0,40}(?:,? +(?:pid|ip|rank|node|tp|dp)=[\w.:\-]+)*"
            r"|(?:pid|rank)=[\w.:\-]+(?:,? +(?:pid|ip|rank|node)=[\w.:\-]+)*)\) "
        ),
    ),
    # a run script's label on its server's lines before vLLM's header ("[SERVER] ERROR 10-27
    # 19:32:31 [engine.py:187] ...", tenstorrent/tt-inference-server#989)
    ("tag", ascii_re(r"\[(?P<tag>[A-Z][A-Z_]{1,20})\] (?=" + _LEVEL + r" +\d\d-\d\d \d\d:)")),
    # a collector's time stamp (CI runner, `docker logs -t`, `kubectl logs --timestamps`) before
    # vLLM's own header, which must stay whole: its level decides whether the record is handled
    (
        "header",
        ascii_re(_RFC3339 + r" (?=" + _LEVEL + r" +\d\d-\d\d \d\d:\d\d:\d\d)"),
    ),
    (
        "header",
        # vLLM: "ERROR 10-08 20:33:48 [core.py:708] ", older "ERROR 10-11 12:27:29 engine.py:157] "
        ascii_re(
            _LEVEL
            + r" +\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? +(?:\[[^\]]{0,80}\] ?|[\w.\-]+:\d+\] ?)?"
        ),
    ),
    (
        "header",
        ascii_re(
            _TIMESTAMP
            # (a bracketed field glued to the time's bracket: "[2026-09-09 23:58:37.427][sv-882d...]
            # (Worker_DP2_TP0 pid=1315) ERROR ...", a platform's collector before vLLM's header,
            # vllm-project/vllm-ascend#16649)
            # (spaces: up to three, or any number before a level word; more is a line's own
            # indent under a collector's stamp: "2024-...Z     [GPU] Exceeded max size ...")
            + r"(?:(?: - | {1,3}(?! )| +(?="
            + _LEVEL
            + r"\b)| *\| *| *: *|(?<=\])(?=\[))(?:"
            + _LEVEL
            # a level padded to a column ("%(levelname)-8s": "ERROR    Model failed ..."); not
            # Python logging's own "INFO:tensorflow:" header, which is read whole after this one
            + r"\b(?!:[\w.\-]*:)(?: {2,8}(?=\S))?|\[[^\]]{0,80}\]|[\w.\-]{1,60}(?= - )"
            # loguru's "{name}:{function}:{line} - " ("train:main:42 - ", "__main__:<module>:7 - ")
            + r"|[\w.\-]{1,60}:[\w.<>\-]{1,60}:\d{1,6}(?= - )"
            # Rust tracing's target, a module path ("DEBUG dynamo_run::subprocess: ", which
            # relays its child's own record, ai-dynamo/dynamo#1422)
            + r"|\w{1,60}(?:::\w{1,60})+(?=: )"
            # a logger's name or pid before the level ("xinference.core.model 35043 ERROR ")
            + r"|[\w.\-]{1,60}(?= +(?:\d{1,9} +)?"
            + _LEVEL
            + r"\b)))*(?: - |: | |:)?"
        ),
    ),
    ("header", ascii_re(r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [\w./\-]+:\d+\] ?")),
    # PyTorch's c10 logging (often under a rank label): "[W906 07:46:05.008634648
    # CUDACachingAllocator.cpp:3933] ", "[E1204 11:18:17.728425480 compiler_depend.ts:444] "
    ("header", ascii_re(r"\[[IWEF]\d{3,4} \d\d:\d\d:\d\d\.\d+ [\w./\-]+:\d+\] ?")),
    # trtexec's: "[08/02/2023-21:40:02] [E] " (triton-inference-server/server#6064)
    ("header", ascii_re(r"\[\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\] \[[VIWEF]\] ")),
    # llama-server's router, which runs each model in a child and prefixes the child's lines
    # with its pid ("[41303] 0.01.289.827 E alloc_tensor_range: ...", ggml-org/llama.cpp#23858)
    ("tag", ascii_re(r"\[(?P<tag>\d{1,9})\] (?=\d{1,6}\.\d\d\.\d{3}\.\d{3} )")),
    # llama.cpp's common log with timestamps (minutes.seconds.ms.us, then the level's letter):
    # "0.15.079.619 E ggml_backend_cuda_buffer_type_alloc_buffer: ..."
    ("header", ascii_re(r"\d{1,6}\.\d\d\.\d{3}\.\d{3} (?:[IWEDT] )?")),
    # Android's logcat, its tag for an app's uncaught exception, with or without the level and
    # pid ("E/AndroidRuntime( 1234): ", "AndroidRuntime: java.lang.OutOfMemoryError: ...")
    ("header", ascii_re(r"(?:[VDIWEF]/)?AndroidRuntime(?:\(\s*\d+\))?: ")),
    # syslog/journald dates: "Apr 25 06:31:56 ", "12\u6708 03 18:13:23 " (a zh_CN locale)
    # (journalctl leaves the host out when it is empty: "Apr 27 09:35:17  lemond[17105]: ")
    (
        "header",
        ascii_re(_SYSLOG_DATE),
    ),
    # the kernel's ring buffer as syslog or dmesg shows it: "host kernel: [107061.603624] "
    (
        "header",
        ascii_re(r"(?:[\w.\-]{1,64} )?kernel: (?:\[ *\d{1,10}\.\d{6}\] )?|\[ *\d{1,10}\.\d{6}\] "),
    ),
    # then the host and the program with its pid, then a level or a colon: "node1 ollama[35]: ",
    # Python logging's "%(hostname)s %(name)s[%(process)d] %(levelname)s " ("h root[14] DEBUG "),
    # or the program alone ("ollama[1186]: ", a journal read with -o cat or cut by the reporter)
    (
        "header",
        ascii_re(_SYSLOG_PROGRAM + r"(?:: | " + _LEVEL + r"\b ?|:$)"),
    ),
    # TensorFlow/XLA (absl) after a Python timestamp: "I tensorflow/core/.../x.cc:830] " (its
    # colon left when a paste cut the time stamp off: ": F tensorflow/...gpu_device.cc:103] "),
    # torch_xla's with the thread id padded ("E    1578 tensorflow/.../xla_util.cc:76] ")
    (
        "header",
        ascii_re(r"(?:: )?[IWEF](?: +\d+)? (?:[\w.\-]+/)*[\w.\-]+\.(?:cc|h|cpp|py):\d+\] ?"),
    ),
    # a C++ exception's message under "terminate called after throwing an instance of"
    ("header", ascii_re(r" {0,4}what\(\): +")),
    # the JVM's uncaught exception ('Exception in thread "main" java.lang.OutOfMemoryError: ..'),
    # and py4j's Java exception under its Py4JJavaError (': java.lang.OutOfMemoryError: ...')
    (
        "header",
        ascii_re(
            r'(?:Exception in thread "[^"]{1,80}" |: )'
            r"(?=(?:[a-z]\w*\.)+\w*(?:Error|Exception)\b)"
        ),
    ),
    ("header", ascii_re(_LEVEL + r":[\w.\-]*:")),
    # ComfyUI's error report, which ComfyUI writes for a failed prompt: "- **Exception Type:**
    # torch.OutOfMemoryError", "- **Exception Message:** MPS backend out of memory ..."
    ("header", ascii_re(r"- \*\*Exception (?:Type|Message):\*\* (?=\S)")),
    # TF 1.x's TPUEstimator records a worker's error at INFO and raises it at the end:
    # "INFO:tensorflow:Error recorded from training_loop: Compilation failure: Ran out of ..."
    ("header", ascii_re(r"Error recorded from \w+: (?=\S)")),
    # stable-diffusion.cpp: "[ERROR] ggml_extend.hpp:70   - ", "[INFO ] model.cpp:12 - "
    ("header", ascii_re(r"\[" + _LEVEL + r" ?\] [\w.\-]+\.\w+:\d+ +- ")),
    ("header", ascii_re(r"\[" + _LEVEL + r"\] ?")),
    # a bare level ("WARNING: ran out of memory ..."; fairseq's "| WARNING: ...")
    ("header", ascii_re(_LEVEL + r": (?=\S)")),
    ("group", ascii_re(r" *[|] (?=\S)")),  # Python 3.11 exception-group tracebacks
    # a progress bar the next message was printed onto (tqdm ends its line with "\r" only):
    # " 11%|████▉    | 25/232 [01:26<02:49,  1.22it/s][rank0]:[E1204 ...] NPU out of memory."
    (
        "bar",
        ascii_re(
            r"(?:[^|]{0,120}\d{1,3}%\|[^|]{0,400}\| *\d+/\d+ )?"  # (a bar's tail alone: cut)
            # a notebook's bar as text has no bar: "Loading checkpoint shards:  57% 4/7 [00:40<"
            r"(?:[^|\[]{0,120}\d{1,3}% \d+/\d+ )?"
            # (its "<?, ?it/s]" lost in an issue, which took it for an HTML tag)
            r" ?\[\d+:\d\d(?:<[^\]]{0,60}(?:it/s|s/it)\](?=[\[(\w!])|(?=!!! | +\d{1,3}%\|))"
        ),
    ),
    # ...and a bar of no known total, which counts and times alone ("3it [05:29,
    # 105.48s/it]Killed", a test loop's tqdm the kernel's OOM killer cut off)
    (
        "bar",
        ascii_re(
            r"(?:[^|\[]{0,120}: )?\d+it \[\d+:\d\d(?::\d\d)?, +[\d.?]+(?:it/s|s/it)\]"
            r"(?=[\[(\w!])"
        ),
    ),
)
_RANK_IN_TAG = ascii_re(r"\brank=(\d{1,6})\b|\bTP(\d{1,6})\b")


@dataclass(frozen=True, slots=True)
class _Line:
    raw: str  # normalised (no escapes, capped)
    body: str  # without rank labels, process tags and log headers
    rank: int | None
    source: str  # identity of the prefixes: lines of one process share it
    head: str  # the log header stripped ("" if none); a new header starts a new record
    cols: int  # the line's width as printed (a lost escape's text took columns too)


class _Window(Sequence[_Line]):
    """The lines around a candidate, split into prefix and body only when looked at."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._lines: list[_Line | None] = [None] * len(texts)

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> _Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Line]: ...

    def __getitem__(self, index: int | slice) -> _Line | list[_Line]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        line = self._lines[index]
        if line is None:
            line = self._lines[index] = _split(self._texts[index])
        return line


# A color code whose ESC a collector wrote as text (rsyslog: "#033[33m(raylet)#033[0m",
# vllm-project/vllm#1160; a JSON log's "\u001b[0m"): no text of the message.
_LOST_ESCAPE = ascii_re(r"(?:#033|\\033|\\x1[bB]|\\u001[bB])\[(?:\d{1,3}(?:;\d{1,3}){0,4})?m")


# A line of a saved notebook's output list: one JSON string, then a comma or the list's end
_OUTPUT_ENTRY = ascii_re(r'\s*"(?P<text>(?:[^"\\]|\\.)*)",?$')


def _printed(text: str) -> str:
    """The line as a terminal showed it: no escape sequences, no carriage returns, no byte
    order mark (a log written by Windows tools starts with one), and no-break spaces as
    spaces (a log copied out of a web page or a notebook has them for runs of spaces)."""
    printed = strip_ansi(text[:_MAX_CHARS]).replace("\r", "").removeprefix("\ufeff")
    if "\xa0" in printed:
        printed = printed.replace("\xa0", " ")
    return printed.rstrip()


def _container_record(line: str) -> str | None:
    """The program's line in a container log's JSON record (Docker's json-file driver, a
    Kubernetes log shipper: ``{"stream":"stderr","log":"...","kubernetes":...}``,
    danny-avila/LibreChat#10011): its ``log`` is what the program printed, not a value."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("stream") not in ("stdout", "stderr"):
        return None
    text = record.get("log")
    return text.rstrip("\r\n") if isinstance(text, str) else None


def _unescaped(printed: str) -> str:
    if printed.startswith("{") and '"log":' in printed and '"stream":' in printed:
        printed = _container_record(printed) or printed
    if printed.endswith("^M"):  # a carriage return shown as text by a pager or an editor
        printed = printed[:-2]
    if "&" in printed and ";" in printed:  # a log copied out of a web page: "&lt;module&gt;"
        printed = html.unescape(printed)
    if printed.endswith(('"', '",')):
        printed = _notebook_output(printed) or printed
    if "33[" in printed or "1b[" in printed or "1B[" in printed:
        return _LOST_ESCAPE.sub("", printed)
    return printed


def _notebook_output(line: str) -> str | None:
    """The line a saved notebook's output entry holds, as the program printed it: a stream's
    line, its newline escaped ('"[...] [ERROR] [launch.py:322:sigkill_handler] ... exits with
    return code = -9\\n",', a Colab fine-tune), or the exception line of a traceback, coloured
    by IPython ('"\\u001b[1;31mMemoryError\\u001b[0m: "'). Any other JSON string is a value.
    The entry's own indent is the notebook file's JSON layout (an ``.ipynb`` read as a file), not
    the program's: only the spaces inside the string are."""
    decoded = _output_entry(line)
    if decoded is None:
        return None
    printed, stream = decoded
    if not stream and _EXCEPTION_START.match(printed) is None:
        return None  # a traceback's frames: only its last entry is the exception
    return printed


def _output_entry(line: str) -> tuple[str, bool] | None:
    """A saved notebook's output entry decoded (its JSON escapes, IPython's colours), and
    whether it is a stream's line (its newline escaped) rather than a traceback's entry."""
    entry = _OUTPUT_ENTRY.match(line)
    if entry is None:
        return None
    text = entry["text"]
    stream = text.endswith("\\n")
    if not stream and "\\u001b[" not in text:
        return None
    try:
        return strip_ansi(json.loads('"' + text + '"')).rstrip("\n"), stream
    except ValueError:
        return None


def _split(printed: str) -> _Line:
    """A line already read as printed (_classify reads the window so, once) split into its
    collectors' prefixes and the program's body."""
    raw = _unescaped(printed)
    body = _pasted(raw)
    rank: int | None = None
    source: list[str] = []
    head = ""
    for _ in range(8):
        for kind, pattern in _PREFIXES:
            match = pattern.match(body)
            if match is None or match.end() == 0:
                continue
            groups = match.groupdict()
            if kind == "rank":
                rank = int(groups["rank"])
                role = groups.get("role") or "default"
                host = "" if role == "default" else role.rstrip(":")  # ranks of two hosts differ
                source.append(f"{host}r{rank}")
            elif kind == "tag":
                tag = groups["tag"]
                source.append(tag)
                found = _RANK_IN_TAG.search(tag)
                if found:
                    rank = int(found.group(1) or found.group(2))
            elif kind == "header":
                head += match.group(0)
                # SGLang's "[time TP1]" header: a rank, but not part of the source, because
                # the lines of a multi-line log message that follow carry no header.
                found = _RANK_IN_TAG.search(groups.get("par") or "")
                if found:
                    rank = int(found.group(2))
            body = body[match.end() :]
            break
        else:
            break
    return _Line(raw, body, rank, "/".join(source), head, len(printed))


# An issue form's field holding the log as inline code ("Error Log:`[torch_memory_saver.cpp]
# CUresult error: 2 (out of memory) ...`", THUDM/slime#274): the log's own line. "Error:" is
# not one of them: a FAQ's "Error: `CUDA out of memory`" names a message, it logs nothing.
_LOG_FIELD = ascii_re(
    r"(?:\*\*)?(?:[Ee]rror [Ll]ogs?|[Ll]ogs?|(?:[Ee]rror )?[Oo]utput|[Tt]raceback|[Ss]tack ?trace)"
    r":(?:\*\*)? ?`(?P<log>[^`]+)`$"
)


_BOLD_IN_WORD = ascii_re(r"(?<=[A-Za-z])\*\*(?=[A-Za-z_])")
_NAMES_IN_CODE = ascii_re(r"[^`]*(?:`[\w.\-]+`[^`]*)*")  # inner backticks only around names


# Kaggle's log viewer, copied: the seconds since the start and the line's number, each before a
# tab ("14744.8s\t569\t06:55:27 [WARNING] ..."), on every line
_KAGGLE_VIEWER = ascii_re(r"\d{1,7}\.\d{1,3}s\t\d{1,7}\t")


def _pasted(raw: str) -> str:
    """A log line pasted into an issue, read without its markdown: a whole line of inline code
    (`` `RuntimeError: CUDA out of memory. ...` `` under "I got"), the first or last line of a
    span over several lines (``Killed` `` ending a converter's output), a whole line in bold
    or italics, a fence glued to the first line, a whole line between fences. Code inside a
    sentence stays a quote."""
    viewer = _KAGGLE_VIEWER.match(raw)
    if viewer is not None:
        raw = raw[viewer.end() :]
    stripped = raw.strip()
    if (
        len(stripped) > 2
        and stripped[0] == stripped[-1]
        and stripped[0] in "_*"
        and stripped[1] not in " _*"
        and stripped[-2] not in " _*"
    ):
        return stripped[1:-1]  # a whole line in italics ("_CUDA out of memory. Tried to ..._")
    # bold in a pasted log ("**RuntimeError: CUDA out of memory.** Tried ..."); markdown's bold
    # opens on a non-space: Elixir's "** (RuntimeError) ..." is no bold
    if stripped[:2] == "**" and stripped[2:3] not in ("*", " ", ""):
        raw = stripped = stripped[2:]
        if raw.count("**") == 1:
            raw = stripped = raw.replace("**", "")
    if "**" in raw:  # bold toggled inside a word by a paste ("XlaRuntimeError: RESO**URCE_...")
        raw = stripped = _BOLD_IN_WORD.sub("", raw)
    if "`" not in raw:
        return raw
    field = _LOG_FIELD.match(stripped)
    if field is not None:
        return field.group("log")
    ticks = stripped.count("`")
    if stripped.startswith("```") and "`" not in stripped[3:] and " " in stripped[3:]:
        return stripped[3:]  # a fence glued to the log's first line ("```torch.OutOf...")
    if ticks == 6 and len(stripped) > 6 and stripped[:3] == stripped[-3:] == "```":
        # a whole line between fences on that line ("```pyopencl._cl.MemoryError: ...```"
        # under "eventually causes a crash", tinygrad/tinygrad#1989)
        return stripped[3:-3].strip()
    if stripped.startswith("``"):  # a fence, or inline code opened with two backticks
        return raw
    if ticks == 2 and len(stripped) > 2 and stripped[0] == stripped[-1] == "`":
        return stripped[1:-1].strip()
    if (
        ticks % 2 == 0
        and len(stripped) > 2
        and stripped[0] == stripped[-1] == "`"
        and _EXCEPTION_START.match(stripped, 1)
        and _NAMES_IN_CODE.fullmatch(stripped, 1, len(stripped) - 1)
    ):
        # a whole line of inline code whose exception's message has backticks of its own
        # ("`ValueError: ... Try increasing `gpu_memory_utilization` or decreasing
        # `max_model_len` when initializing the engine.`", QwenLM/Qwen1.5#16)
        return stripped[1:-1].strip()
    if ticks == 1 and len(stripped) > 1 and stripped[0] == "`":
        return stripped[1:]
    if ticks == 1 and len(stripped) > 1 and stripped[-1] == "`" and stripped[-2] != " ":
        return raw.rstrip()[:-1]
    return raw


# --------------------------------------------------------------------------- recognition

_SIZE = r"(\d+(?:\.\d+)?)\s*(bytes|[KMGTP]i?B|B|[KMGTP](?![A-Za-z]))"
# A ggml backend's buffer type as llama.cpp names it: "CUDA0", "Vulkan1", "Metal", and a remote
# device over RPC with its address ("RPC0[10.0.69.2:50052]")
_GGML_DEVICE = r"(?:(?:CUDA|ROCm|Vulkan|SYCL|Metal|CANN|MUSA|OpenCL)\d*|RPC\d*\[[^\]\s]{1,80}\])"


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: OomKind
    origin: str
    batch_helps: bool | None = None  # None: decided by the phase
    always_fatal: bool = False
    code: bool = False  # an error code's name: a report only with an error around it
    survivable: bool = False  # the message itself says the caller retries or goes on
    level_blind: bool = False  # logged at WARNING by a runtime that then fails (TensorFlow)
    # names no memory: ``kind`` is only the default, the log may name the other (_kind_from_log)
    unnamed: bool = False
    # a C++ library's own print of an error it then returns to Python: a traceback from
    # ``<module>`` right under it is that error raised, uncaught (see _crash_follows)
    raised_below: bool = False


def _rule(
    pattern: str,
    kind: OomKind,
    origin: str,
    batch_helps: bool | None = None,
    always_fatal: bool = False,
    code: bool = False,
    survivable: bool = False,
    level_blind: bool = False,
    unnamed: bool = False,
    raised_below: bool = False,
) -> _Rule:
    return _Rule(
        ascii_re(pattern),
        kind,
        origin,
        batch_helps,
        always_fatal,
        code,
        survivable,
        level_blind,
        unnamed,
        raised_below,
    )


# A short message ends here: punctuation, the end, or PyTorch's own next sentence on the same
# line (a UI or a JSON field joins the message's lines: "CUDA error: out of memory CUDA
# kernel errors might be asynchronously reported ...").
_END = r"(?=\s*(?:$|[.,;:!(])|\s+(?:CUDA|HIP) kernel errors might)"

# Specific messages: recognised anywhere in the line (unless quoted, see _QUOTING).
# vLLM's error when no KV block fits at start-up (also the failure its "# GPU blocks: 0" count
# announces, see _after_no_blocks)
_VLLM_NO_CACHE_BLOCKS = _rule(
    r"\bNo available memory for the cache\s*blocks\b", "gpu", "vllm-kv", batch_helps=False
)

# joblib's (loky's) error for a worker that died names two causes, a segmentation fault or the
# OS killing it for memory, and prints the workers' exit codes after it, on the same line or
# on its own: SIGKILL is no segmentation fault (hotpotqa/hotpot#39; SIGSEGV(-11) is the other)
_JOBLIB_TERMINATED = (
    r"(?:[\w.]+\.)?TerminatedWorkerError: A worker process managed by the executor was "
    r"unexpectedly terminated\."
)
_JOBLIB_SIGKILL = r"The exit codes of the workers are \{SIGKILL\(-9\)(?:, SIGKILL\(-9\))*\}"

# what may follow "OutOfMe" in a name cut short of "OutOfMemoryError" (never the whole name)
_CUT_NAME_TAIL = r"(?:m(?:o(?:r(?:y(?:E(?:r(?:r(?:o)?)?)?)?)?)?)?)?$"

# wgpu's error chain, each cause indented under the last ("wgpu error: Validation Error",
# "Caused by:", "    In Device::create_buffer", "    Not enough memory left", in a Rust panic:
# Burn's Stable Diffusion on a small card, Gadersd/stable-diffusion-burn#5); the whole line
_WGPU_NO_MEMORY_LEFT = _rule(r"^\s{0,8}Not enough memory left\.?\s*$", "gpu", "wgpu")

_STRONG: tuple[_Rule, ...] = (
    _WGPU_NO_MEMORY_LEFT,
    # PyTorch's DataLoader worker's own SIGBUS handler, printed as it dies, before the main
    # process raises (pytorch/pytorch#16979, ultralytics' validation loader): /dev/shm is full,
    # which a larger shared-memory limit cures, not a smaller batch
    _rule(
        r"\bUnexpected bus error encountered in worker\. This might be caused by"
        r" insufficient shared memory \(shm\)",
        "host",
        "shm",
        batch_helps=False,
    ),
    # NCCL failing to grow its segment in /dev/shm (posix_fallocate: the mount is full, a
    # container's 64 MB default), after which its init fails with a system error ("misc/
    # shmutils.cc:71 NCCL WARN Error: failed to extend /dev/shm/nccl-fjwOOB to 5967876 bytes",
    # an nccl-tests thread); not "Error while creating shared memory segment" alone, which a
    # denied permission prints too
    _rule(
        r"\bNCCL WARN Error: failed to extend /dev/shm/\S+ to \d+ bytes",
        "host",
        "shm",
        batch_helps=False,
    ),
    _rule(r"\bHIP out of memory\.\s*Tried\s*to\s*allocate", "gpu", "hip"),
    _rule(r"\bMPS backend out of memory\b", "gpu", "mps"),
    # PyTorch's caching allocator, whose words each out-of-tree backend copies with its own
    # device's name (XPU, Ascend's NPU, MUSA, Cambricon's MLU, Enflame's "GCU out of memory.
    # Tried to allocate" in torch_gcu's allocator)
    _rule(r"\b(?:CUDA|[A-Z]{2,5}) out of memory\.\s*Tried\s*to\s*allocate", "gpu", "pytorch"),
    # ...its message with the exception's words cut off by the copy, the allocator's own
    # figures whole ("Tried to allocate 20.00 MiB (GPU 0; 1.96 GiB total capacity; ...",
    # ShannonAI/Self_Explaining_Structures_Improve_NLP_Models#6)
    _rule(
        r"^Tried to allocate [\d.]+ [KMGT]?i?B \(GPU \d+; [\d.]+ [KMGT]?i?B total capacity;"
        r" [^()]{1,200} reserved in total by PyTorch\)",
        "gpu",
        "pytorch",
    ),
    _rule(r"\bCUDA error: ?out of memory" + _END, "gpu", "pytorch"),
    # Darknet's check_error (pjreddie's and AlexeyAB's forks) prints the CUDA error's string
    # after whatever it was printing (a layer number, "Iteration: 0, 1, 2, "), then asserts:
    # "CUDA Error: out of memory" / "darknet: ./src/cuda.c:36: check_error: Assertion `0'
    # failed." (pjreddie/darknet#499, AlexeyAB/darknet#4533)
    _rule(r"\bCUDA Error: out of memory(?=$|: |\s*$)", "gpu", "darknet"),
    # OpenVINO's GPU plugin (Intel GPUs): one buffer over the device's largest allocation, the
    # whole model over its memory ("Please try to reduce batch size or use lower precision."),
    # or OpenCL's CL_OUT_OF_RESOURCES / CL_MEM_OBJECT_ALLOCATION_FAILURE while allocating
    # (openvinotoolkit/openvino.genai#2406, immich-app/immich#13674)
    # pyopencl raising OpenCL's CL_MEM_OBJECT_ALLOCATION_FAILURE ("pyopencl._cl.MemoryError:
    # clEnqueueMapBuffer failed: MEM_OBJECT_ALLOCATION_FAILURE", tinygrad's OpenCL backend on a
    # 6 GB card, tinygrad/tinygrad#1989)
    _rule(r"\bMemoryError: \w+ failed: MEM_OBJECT_ALLOCATION_FAILURE\b", "gpu", "opencl"),
    # tinygrad's device allocators (its AMD and NV drivers) turning the kernel driver's ENOMEM
    # into a MemoryError ("MemoryError: Cannot allocate 122341986304 bytes: no memory is
    # available.", BERT on MI300X, tinygrad/tinygrad#11442)
    _rule(r"\bMemoryError: Cannot allocate \d+ bytes: no memory is available\b", "gpu", "tinygrad"),
    _rule(
        r"(?:\[GPU\] |\b)Exceeded max size of memory (?:object )?allocation: "
        r"[Rr]e(?:quest|quir)ed \d+"
        # (with the size left to the debug log: openvinotoolkit/model_server#2316)
        r"|\[GPU\] Exceeded max size of memory allocation, check debug message for size info"
        r"|\[GPU\] out of GPU resources\b"
        # the GPU plugin's OpenCL USM allocation ("[CL ext] Can not allocate 1474560 bytes for
        # USM Host. ptr: 0000000000000000, error: 0", openvinotoolkit/openvino.genai#3195)
        r"|^\[CL ext\] Can not allocate \d+ bytes for USM (?:Host|Device|Shared)\b",
        "gpu",
        "openvino",
    ),
    # TH's host allocator (Torch7 and PyTorch before 1.0), as Lua's error prints it with the
    # calling file first ("THNN.lua:109: $ Torch: not enough memory: you tried to reallocate
    # 11GB. Buy new RAM! at .../TH/THGeneral.c:251", torch/nn#643)
    _rule(
        r"\$ Torch: not enough memory: you tried to (?:re)?allocate \d+GB\. Buy new RAM!",
        "host",
        "torch7",
    ),
    # CuPy's memory pool, as Chainer's trainer prints it before re-raising ("Exception in main
    # training loop: Out of memory allocating 25,600,000 bytes (allocated so far: 3,635,267,072
    # bytes).", chainer/chainer#2537; CuPy 2's words: "out of memory to allocate 163840000 bytes
    # (total 1673061376 bytes)", motokimura/spacenet_building_detection#3)
    _rule(
        r"\bOut of memory allocating [\d,]+ bytes \(allocated so far: [\d,]+ bytes\)"
        r"|\bout of memory to allocate \d+ bytes \(total \d+ bytes\)",
        "gpu",
        "cupy",
    ),
    # RAPIDS Memory Manager's device resources, raised to Python as MemoryError: its pool at its
    # limit ("MemoryError: std::bad_alloc: out_of_memory: RMM failure at:.../rmm/mr/device/
    # pool_memory_resource.hpp:192: Maximum pool size exceeded", rapidsai/dask-cuda#859) or
    # CUDA's own failure under it ("...CUDA error at: ../include/rmm/mr/device/
    # cuda_memory_resource.hpp:70: cudaErrorMemoryAllocation out of memory")
    _rule(
        r"\bRMM failure at: ?\S*rmm/mr/device/\S+: Maximum pool size exceeded"
        r"|\bCUDA error at: \S*rmm/mr/device/\S+: cudaErrorMemoryAllocation out of memory",
        "gpu",
        "rmm",
    ),
    # PyTorch's CPU allocator checking posix_memalign, whose 12 is ENOMEM ("[enforce fail at
    # CPUAllocator.cpp:56] posix_memalign(&data, gAlignment, nbytes) == 0. 12 vs 0",
    # pyg-team/pytorch_geometric#581)
    _rule(
        r"\benforce fail at CPUAllocator\.cpp:\d+\] posix_memalign\(&data, gAlignment, "
        r"nbytes\) == 0\. 12 vs 0\b",
        "host",
        "pytorch",
    ),
    # torch_npu's description of an ACL runtime error in its memory class, under "PTA call acl
    # api failed" ("[Error]: Failed to apply for memory.", then "Check the remaining storage
    # space in the hardware environment.", vllm-project/vllm-ascend#5650)
    _rule(r"^\[Error\]: Failed to apply for memory\.$", "gpu", "ascend"),
    # PyTorch 0.1-0.4 printed the failed CUDA call before raising ("THCudaCheck FAIL
    # file=.../THCStorage.cu line=66 error=2 : out of memory"); a job that catches it goes on
    _rule(r"\bTHCudaCheck FAIL file=\S+ line=\d+ error=2 : out of memory\b", "gpu", "pytorch"),
    _rule(r"\bHIP error: out of memory" + _END, "gpu", "hip"),
    # the HIP samples' check macro, which prints the error and exits, as hipBLASLt has it
    # ("Hip error: 'out of memory'(2) at .../hipblaslt/library/src/amd_detail/hipblaslt.cpp:147",
    # llama-bench on two R9700s, kyuz0/amd-r9700-ai-toolboxes)
    _rule(r"^(?:Hip |HIP )?[Ee]rror: 'out of memory'\(2\) at \S+:\d+$", "gpu", "hip"),
    # torch_memory_saver (SGLang's and verl's sleep mode) exits the process on any CUresult
    # error: "[torch_memory_saver.cpp] CUresult error: 2 (out of memory)  file=csrc/utils.h",
    # and on a runtime call's: "cudaError error: 2 (out of memory)  file=csrc/core.cpp"
    _rule(r"\b(?:CUresult|cudaError) error: 2 \(out of memory\)", "gpu", "torch_memory_saver"),
    # vLLM's sleep-mode allocator waking up: "RuntimeError: CUDA Error: out of memory at
    # /workspace/csrc/cumem_allocator.cpp:62" (OpenRLHF/OpenRLHF#1050). The allocator's own
    # print of it, with no exception, returned to Python, which went on (vllm-project/vllm#12981),
    # unless the traceback of it raised follows (unslothai/unsloth#3302: wake_up() at a resume).
    # Its pool holds only the weights and the KV cache (mapped at start-up and at wake-up), never
    # a batch's activations: no smaller batch helps (vllm-project/vllm#47654)
    _rule(
        r"\b[A-Z]\w*Error: CUDA Error: out of memory at [\w./\-]+:\d+",
        "gpu",
        "vllm",
        batch_helps=False,
    ),
    _rule(
        r"\bCUDA Error: out of memory at [\w./\-]+:\d+",
        "gpu",
        "vllm",
        batch_helps=False,
        survivable=True,
        raised_below=True,
    ),
    # FlashInfer's own check of a CUDA call, then the error it raises ("CUDA Error: out of memory
    # (2) /sglang/3rdparty/flashinfer/include/flashinfer/handler.cuh: line 100 at function
    # cudaMallocAsync(...)", then SGLang's "Exception in ModelRpcClient:", sgl-project/sglang#109)
    _rule(
        r"\bCUDA Error: out of memory \(2\) \S+: line \d+ at function cuda\w+\(",
        "gpu",
        "flashinfer",
    ),
    # a paged KV cache with no free block for a request: that request fails, the server serves
    # on ("ERROR EP worker command failed (rank 1); worker STAYS UP: KV cache exhausted: no free
    # blocks", Avarok-Cybersecurity/atlas#1114), as SGLang retracts requests when its pool is full
    _rule(r"\bKV[ _-]?cache (?:pool )?(?:is |was )?exhausted\b", "gpu", "other", survivable=True),
    # SGLang's PD decode server when its host pool for offloading a request's KV cache is full:
    # that offload is skipped and the request is served on ("Not enough host memory for request
    # <rid>", disaggregation/decode_kvcache_offload_manager.py, at ERROR; a benchmark counts
    # them in its decode logs)
    _rule(r"\bNot enough host memory for request \S+$", "host", "sglang", survivable=True),
    # Mooncake's store client when its buffer for a put is full: that KV put is dropped, the
    # engine serves on ("E0804 05:20:44.874174 1321649 store_py.cpp:495] Failed to allocate
    # buffer for put_parts operation, key: vllm@...", LMCache/LMCache#1224)
    _rule(
        r"\bFailed to allocate buffer for put_parts operation\b",
        "host",
        "mooncake",
        survivable=True,
    ),
    # LMCache's loads and receives whose staging buffer is full log at ERROR and return no
    # object: that chunk is a cache miss, vLLM recomputes it and serves on (from LMCache's
    # source, 0.5: gds_backend.py, local_disk_backend.py, eic_connector.py; its public logs show
    # the same messages at DEBUG, LMCache/LMCache#969)
    _rule(
        r"\bMemory allocation failed during (?:sync disk load\.|async disk load for key \S+"
        r"|get_blocking for \S+)|\bfail to allocate memory during remote receive key \S+",
        "host",
        "lmcache",
        survivable=True,
    ),
    # ...and TGI's flash shard out of blocks for a prefill ("Request failed during generation:
    # Server error: Out of available cache blocks: asked 3666, only 3661 free blocks",
    # huggingface/text-generation-inference#1154): the batch's requests fail, the shard goes on
    _rule(
        r"\bOut of available cache blocks: asked \d+, only \d+ free blocks\b",
        "gpu",
        "tgi",
        batch_helps=True,
        survivable=True,
    ),
    # TensorFlow's stream executor: the BFC allocator then asks for less (not a failure)
    _rule(
        r"\bfailed to allocate [\d.]+\s*[KMGT]?i?B? \(\d+ bytes\) from device:"
        r"\s*(?:CUDA_ERROR_OUT_OF_MEMORY|HIP_ERROR_OutOfMemory)\b",
        "gpu",
        "tensorflow",
        survivable=True,
    ),
    # ... and its pinned-host and unified-memory allocators back off the same way ("failed to
    # alloc 966367744 bytes on host: CUDA_ERROR_OUT_OF_MEMORY", then 869731072, ...)
    _rule(
        r"\bfailed to alloc \d+ bytes on host:\s*CUDA_ERROR_OUT_OF_MEMORY\b",
        "host",
        "tensorflow",
        survivable=True,
    ),
    _rule(
        r"\bfailed to alloc \d+ bytes unified memory; result:\s*CUDA_ERROR_OUT_OF_MEMORY\b",
        "gpu",
        "tensorflow",
        survivable=True,
    ),
    _rule(r"\bhipErrorOutOfMemory\b|\bHIP_ERROR_OutOfMemory\b", "gpu", "hip", code=True),
    _rule(r"\bHIP(?:BLAS|BLASLT|SPARSE)_STATUS_ALLOC_FAILED\b", "gpu", "hip", code=True),
    # compute-sanitizer reports every CUDA API call that returned an error, which the program
    # may handle ("========= Program hit cudaErrorMemoryAllocation (error 2) due to \"out of
    # memory\" on CUDA API call to cudaDeviceGetStreamPriorityRange.", TensorFlow going on to
    # deadlock elsewhere, tensorflow/tensorflow#58006): shown, never fatal on its own
    _rule(
        r"^=+ Program hit cudaErrorMemoryAllocation \(error 2\) due to \"out of memory\" on "
        r"CUDA API call to\b",
        "gpu",
        "cuda",
        survivable=True,
    ),
    _rule(r"\bCUBLAS_STATUS_ALLOC_FAILED\b", "gpu", "cublas", code=True),
    _rule(r"\bCUDNN_STATUS_ALLOC_FAILED\b", "gpu", "cudnn", code=True),
    # TensorFlow's cuDNN runner finding no algorithm whose workspace still fits ("UNKNOWN: CUDNN
    # failed to allocate the scratch space for the runner or to find a working no-scratch
    # runner.", DeepLabCut/DeepLabCut#1919; mid-training with the card nearly full,
    # tensorflow/tensorflow#60783)
    _rule(r"\bCUDNN failed to allocate the scratch space for the runner\b", "gpu", "tensorflow"),
    # Qiskit Aer refusing a circuit whose state needs more than its limit (max_memory_mb, the
    # host's RAM by default): "ERROR:  [Experiment 0] Insufficient memory to run circuit
    # circuit-158 using the matrix_product_state simulator. Required memory: 1638412M, max
    # memory: 64016M" (Qiskit/qiskit-aer#2056), and its extended stabilizer's "ERROR: a circuit
    # requires more memory than max_memory_mb." (Qiskit/qiskit-aer#1921). The circuit's own size,
    # no batch's.
    _rule(
        r"(?:^|^ERROR: +|QiskitError: 'ERROR: +)(?:\[Experiment \d+\] )?"
        r"(?:Insufficient memory to run circuit \S+ using the "
        r"\w+ simulator\.|a circuit requires more memory than max_memory_mb\.)",
        "host",
        "qiskit",
        batch_helps=False,
        always_fatal=True,
    ),
    # the other CUDA libraries' "failed to allocate GPU or CPU memory" status (cupy's
    # ``CuFftError: CUFFT_ALLOC_FAILED``, PyTorch's ``cusolver error: ..._ALLOC_FAILED``)
    _rule(r"\bCU(?:FFT|SOLVER_STATUS|SPARSE_STATUS)_ALLOC_FAILED\b", "gpu", "cuda", code=True),
    _rule(r"\bcudaErrorMemoryAllocation\b|\bCUDA_ERROR_OUT_OF_MEMORY\b", "gpu", "cuda", code=True),
    # glog's fatal check on a CUDA call (Caffe, OpenPose, mshadow/MXNet, old PaddlePaddle):
    # "F0304 14:26:21.611594  4889 syncedmem.cpp:71] Check failed: error == cudaSuccess (2 vs.
    # 0)  out of memory", then "*** Check failure stack trace: ***" and SIGABRT
    _rule(
        r"\bCheck failed: [\w\s=!]{0,40}\bcudaSuccess\b[\w\s=!]{0,40}"
        r"(?:\(\d+ vs\. \d+\)|:)\s*(?:Cuda Error: |CUDA: )?out of memory\b",
        "gpu",
        "cuda",
    ),
    # ...Caffe's own check on its cudaMalloc, which prints the call and CUDA's code, 2 being
    # cudaErrorMemoryAllocation ("F0111 ... syncedmem.cpp:45] Check failed: (cudaMalloc(&gpu_
    # ptr_, size_)) == cudaSuccess (2 vs. 0)", BVLC/caffe's tracker)
    _rule(
        r"\bCheck failed: \(?cudaMalloc\([^()]{1,80}\)\)? == cudaSuccess \(2 vs\. 0\)",
        "gpu",
        "caffe",
    ),
    # jetson-utils' mapped (zero-copy) allocation on a Jetson's shared memory ("Exception:
    # jetson.utils -- cudaAllocMapped() failed to allocate memory", dusty-nv/jetson-inference)
    # (its images and frames, no batch's)
    _rule(
        r"\bcudaAllocMapped\(\) failed to allocate memory\b", "gpu", "jetson", batch_helps=False
    ),
    # OpenCV's CUDA modules: CUDA's error string under its Gpu API call code ("cuda_info.cpp:74:
    # error: (-217:Gpu API call) out of memory in function 'setDevice'", under WSL2)
    # (setDevice creates the CUDA context: no batch's)
    _rule(
        r"\(-217:Gpu API call\) out of memory in function 'setDevice'",
        "gpu",
        "opencv",
        batch_helps=False,
    ),
    _rule(r"\(-217:Gpu API call\) out of memory in function '\w+'", "gpu", "opencv"),
    # Marian's abort on its GPU allocator, naming the source file ("[2018-03-29 18:25:38]
    # Error: out of memory - /storage/.../src/tensors/gpu/device.cu:30", then "Aborted")
    _rule(r"\bError: out of memory - \S*[/\\]tensors[/\\]gpu[/\\]\w+\.cu:\d+", "gpu", "marian"),
    # Theano's device allocator, its message whole with the driver's figures ("Error allocating
    # 26214400 bytes of device memory (out of memory). Driver report 19365888 bytes free and
    # 1073414144 bytes total"); another reason in the brackets is another failure
    _rule(
        r"\bError allocating \d+ bytes of device memory \(out of memory\)\. Driver report \d+"
        r" bytes free and \d+ bytes total",
        "gpu",
        "theano",
    ),
    # the error-check macro CUDA programs copy from a well-known answer (``fprintf(stderr,
    # "GPUassert: %s %s %d\n", cudaGetErrorString(code), file, line)``, then exit): "GPUassert:
    # out of memory common/join.cu 79", a Datalog join's run on ALCF Polaris
    _rule(r"^GPUassert: out of memory \S+ \d+$", "gpu", "cuda"),
    # (NCCL 2.0/2.1 printed the source file instead of its name: "c460c041:101211:106353 [0]
    # init.cu:218 WARN Cuda failure 'out of memory'", pytorch/pytorch#4921)
    _rule(
        r"(?:\bNCCL|\] [\w/]+\.cu:\d+) WARN Cuda failure(?: \d+)? 'out of memory'", "gpu", "nccl"
    ),
    # ...its code alone says it: CUDA's error 2 is cudaErrorMemoryAllocation, whatever of the
    # text a paste kept ("NCCL WARN Cuda failure 2 'out of me", ggml-org/llama.cpp#22476)
    _rule(r"\bNCCL WARN Cuda failure 2 '", "gpu", "nccl"),
    _rule(r"\bNCCL WARN Failed to CUDA calloc\b", "gpu", "nccl"),
    # ...which torch's DistBackendError repeats as NCCL's last error, under "Last error:"
    # ("ncclUnhandledCudaError: Call to CUDA function failed." at a barrier, pytorch/
    # torchtitan#660)
    _rule(r"^Failed to CUDA calloc(?: async)? \d+ bytes$", "gpu", "nccl"),
    # Caffe2's enforce on a CUDA call ("[enforce fail at event_gpu.cc:17] error == cudaSuccess.
    # 2 vs 0. Error at: /home/sd/pytorch/caffe2/core/event_gpu.cc:17: out of memory")
    _rule(
        r"\[enforce fail at [\w.]+:\d+\] error == cudaSuccess\. 2 vs 0\. Error at: \S+: "
        r"out of memory",
        "gpu",
        "caffe2",
    ),
    # onnxruntime's CudaCall: ``CUDA failure 2: out of memory ; GPU=0 ; hostname=... ; expr=``
    _rule(r"\bCUDA failure \d+: out of memory ; GPU=\d+", "gpu", "cuda"),
    _rule(
        r"\bunhandled cuda error\b.{0,200}\bCuda failure(?: \d+)? 'out of memory'", "gpu", "nccl"
    ),
    _rule(r"\bRESOURCE_EXHAUSTED: Out of memory while trying to allocate\b", "gpu", "xla"),
    # XLA's stream executor when cuBLAS cannot create its handle, in its own diagnosis ("failed
    # to create cublas handle: cublas error", then "Failure to initialize cublas may be due to
    # OOM (cublas needs some free memory when you initialize it, and your deep-learning
    # framework may have preallocated more than its fair share)", jax-ml/jax#13504): the
    # framework's preallocated pool left no room, which no batch changes
    _rule(r"\bFailure to initialize cublas may be due to OOM\b", "gpu", "xla", batch_helps=False),
    # TensorFlow's op failing on its allocator, logged as the op's status before it is raised
    # ("W .../op_kernel.cc:1733] RESOURCE_EXHAUSTED: failed to allocate memory" after the BFC
    # allocator's dump, tensorflow/tensorflow#61168), as eager raises ResourceExhaustedError
    # (TF 2.6 names the code in words: "op_kernel.cc:1680] Resource exhausted: failed to allocate
    # memory", keras-team/keras-io#709)
    _rule(
        r"\b(?:RESOURCE_EXHAUSTED|Resource exhausted): failed to allocate memory$",
        "gpu",
        "tensorflow",
    ),
    # a TPU kernel's scratch in on-chip vector memory (VMEM), sized by its block sizes and the
    # compiler's vmem limit, not by the batch (vllm-project/tpu-inference#508 raised the limit;
    # vLLM's TPU worker raises it as a ValueError while it precompiles, vllm-project/vllm#19490)
    _rule(
        r"(?:\b(?:RESOURCE_EXHAUSTED|Resource exhausted):.{0,80}|\bValueError: )"
        r"\b[Rr]an out of memory in memory space vmem\b",
        "gpu",
        "xla",
        batch_helps=False,
    ),
    _rule(
        r"\b(?:RESOURCE_EXHAUSTED|Resource exhausted):.{0,80}"
        r"\b[Rr]an out of memory in memory space\b",
        "gpu",
        "xla",
    ),
    # (TF 1.x on TPU: "Compilation failure: Ran out of memory in memory space hbm. Used 12.34G
    # of 8.00G hbm.", under "From /job:worker/replica:0/task:0:", google-research/albert#168)
    _rule(r"^Compilation failure: Ran out of memory in memory space \w+\.", "gpu", "xla"),
    _rule(
        r"\b(?:RESOURCE_EXHAUSTED|Resource exhausted):\s*(?:Failed to allocate request for"
        r"|Out\s*of\s*memory while trying to allocate)"
        # (TF 1.x on a Cloud TPU prints the status without its code: "Tensorflow error:
        # Status: Failed to allocate request for 385.74MiB (404480000B) on device ordinal 0",
        # then the HBM usage, tensorflow/tensorflow#21904)
        r"|\bStatus: Failed to allocate request for [\d.]+\s*[KMGT]?i?B\b",
        "gpu",
        "xla",
    ),
    # ... as Elixir's EXLA raises it, without the status code: "** (RuntimeError) Out of
    # memory while trying to allocate 117964800 bytes." (openxla/xla#10660)
    _rule(r"^\*\* \(\w+\) Out of memory while trying to allocate \d+ bytes\b", "gpu", "xla"),
    # DeepSpeed-Inference's kernels ("Requested:", "Free:" and "Total:" lines come first)
    _rule(r"\bWorkspace can't be allocated, no enough memory\b", "gpu", "deepspeed"),
    # Ray's memory monitor killed workers (vLLM's Ray workers, RLHF actors): "(raylet)
    # node_manager.cc:3069: 1 Workers (tasks / actors) killed due to memory pressure (OOM), 0
    # Workers crashed due to other reasons at node (...)"
    _rule(
        r"\b[1-9]\d* Workers \(tasks /\s*actors\) killed due to memory pressure \(OOM\)",
        "host",
        "ray",
    ),
    # ...and the last line of the error it raises for a killed task or actor, which is all a
    # job's truncated log may keep (OpenRLHF/OpenRLHF#911)
    _rule(
        r"\bRefer to the documentation on how to address the out of memory issue: "
        r"https://docs\.ray\.io/\S*ray-oom-prevention",
        "host",
        "ray",
    ),
    # Rust's allocation failure handler (tokenizers, candle, TGI's router) aborts the process
    _rule(r"^memory allocation of \d+ bytes failed$", "host", "rust"),
    # XLA's other HBM/VMEM failures (its error codes E1000-E1002): "RESOURCE_EXHAUSTED: Allocation
    # (size=34359738368) would exceed memory (size=33822867456) :: #allocation6476 [...]" (also
    # raised as a bare ValueError), the compiler giving up early ("Compilation failure: Aborting
    # compilation early because it's unlikely to have enough memory. Requires 3.84T, has
    # 90.96G available."), TensorCore plus SparseCore HBM, and XLA:GPU's constants
    _rule(r"\bAllocation \(size=\d+\) would exceed memory \(size=\d+\)", "gpu", "xla"),
    _rule(
        r"\bAborting compilation early because it's unlikely to have enough (?:device )?memory\b",
        "gpu",
        "xla",
    ),
    _rule(
        r"\bRESOURCE_EXHAUSTED: TPU TensorCore Hbm usage: .{0,120}\bexceeding available bytes\b",
        "gpu",
        "xla",
    ),
    _rule(r"\bINTERNAL: Failed to allocate \d+ bytes for new constant\b", "gpu", "xla"),
    # the cuda_async allocator's own line, the RESOURCE_EXHAUSTED it becomes cut from a copy
    # ("cuMemAllocAsync failed to allocate 126,257,359,472 bytes (117.59 GiB)", then its pool's
    # "Free memory/Total" and "Limit: ... MaxInUse", marin-community/marin#8508)
    _rule(r"\bcuMemAllocAsync failed to allocate (?:\d{1,3}(?:,\d{3})+|\d+) bytes\b", "gpu", "xla"),
    # a JAX FFI kernel checking the runtime's last error on ROCm ("INTERNAL: solver_kernels_ffi
    # .cc:452: operation hipGetLastError() failed: out of memory", ROCm/jax#718)
    _rule(r"\boperation hip\w*\(\) failed: out of memory\b", "gpu", "hip"),
    # the TPU runtime (JAX, torch_xla, TF): "RESOURCE_EXHAUSTED: Error allocating device buffer:
    # Attempting to allocate 196.00M. That was not possible. There are 134.44M free.", older
    # "Resource exhausted: From /job:tpu_worker/replica:0/task:0:" then, on the next line,
    # "Attempting to reserve 3.95G at the bottom of memory. That was not possible. ..."
    # (newest runtimes put an error code and its name on the line above: "jax.errors.
    # JaxRuntimeError: RESOURCE_EXHAUSTED: E0100: RuntimeBufferAllocationFailure:", then "Error
    # allocating device buffer: Attempting to allocate 5.24G. That was not possible. ...", vLLM's
    # TPU back-end, vllm-project/tpu-inference)
    _rule(
        r"\bRESOURCE_EXHAUSTED: E010[01]: Runtime(?:Buffer|Program)AllocationFailure\b",
        "gpu",
        "xla",
    ),
    _rule(
        r"(?:\b(?:RESOURCE_EXHAUSTED|Resource exhausted):(?:\s*From /job:[\w/:]+:)?\s*|^)"
        # (newer runtimes name the program: "Error loading program 'jit__multi_slice': ")
        r"(?:Error allocating device buffer:\s*|Error loading program(?: '[^']{1,200}')?:\s*)?"
        r"Attempting to (?:allocate|reserve) [\d.]+\s*"
        r"[KMGTP]?i?B?(?: at the bottom of memory)?\.\s*That was not possible\b",
        "gpu",
        "xla",
    ),
    # Apple MLX's Metal allocator (not PyTorch's MPS backend)
    _rule(
        r"(?:\[metal::malloc\] |uncaught exception of type std::runtime_error: )"
        r"Attempting to allocate \d+ bytes which is greater than the maximum allowed buffer size\b",
        "gpu",
        "mlx",
    ),
    _rule(r"\[METAL\] Command buffer execution failed: Insufficient Memory\b", "gpu", "mlx"),
    # MLX's Metal allocator giving up ("libc++abi: terminating due to uncaught exception of type
    # std::runtime_error: [malloc_or_wait] Unable to allocate 9663676416 bytes.", ml-explore/mlx#63)
    _rule(r"\[malloc_or_wait\] Unable to allocate \d+ bytes\b", "gpu", "mlx"),
    # torch-directml's heap allocator, then the HRESULT E_OUTOFMEMORY raised as "RuntimeError:
    # Unknown error -2147024882" (microsoft/DirectML#361)
    _rule(r"\bDML allocator out of memory!", "gpu", "directml"),
    # ggml's Metal backend (llama.cpp, llamafile): "error: Insufficient Memory
    # (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)" under its ggml_abort
    _rule(
        r"\bInsufficient Memory \(\w+:kIOGPUCommandBufferCallbackErrorOutOfMemory\)",
        "gpu",
        "ggml",
    ),
    # tf.train.Coordinator taking a thread's OOM: it stops every thread and join() raises it
    # in the main thread; logged at INFO ("I0402 ... coordinator.py:224] Error reported to
    # Coordinator: <class '...ResourceExhaustedError'>, OOM when allocating tensor with shape
    # [512,64,56,56] ...", tf_cnn_benchmarks on Summit)
    _rule(
        r"\bError reported to Coordinator: <class '[\w.]*ResourceExhaustedError'>, OOM when"
        r" allocating tensor\b(?!.*\bdevice:CPU:)",
        "gpu",
        "tensorflow",
        level_blind=True,
    ),
    # on the CPU device, by the CPU allocator: host memory (Kyubyong/transformer#116). Only the
    # message's own device counts, not a node's inputs listed after it ("\\n\t [[{{node ...
    # _device=...CPU"), which a thread's error string joins onto the line (deepfakes/faceswap#670)
    _rule(
        r"\bOOM when allocating tensor\b(?=(?:(?!\[\[|\\n).)*(?:device:CPU|by allocator cpu\b))",
        "host",
        "tensorflow",
    ),
    _rule(r"\bOOM when allocating tensor\b", "gpu", "tensorflow"),
    # ggml_init's malloc of its context returned NULL (2023's ggml.c; ggml-org/llama.cpp#1813)
    _rule(r"\bGGML_ASSERT: \S+:\d+: ctx->mem_buffer != NULL$", "host", "ggml", batch_helps=False),
    # ...and in its later form ("ggml/src/ggml.c:1532: GGML_ASSERT(ctx->mem_buffer != NULL)
    # failed", LostRuins/koboldcpp#1730)
    _rule(
        r"(?:^|\S+:\d+: )GGML_ASSERT\(ctx->mem_buffer != NULL\) failed$",
        "host",
        "ggml",
        batch_helps=False,
    ),
    # the BFC allocator's failure (TF logs it at W, then dumps the allocator and raises); its
    # "The caller indicates that this is not a failure" warnings are no reports at all
    # (oneDNN's CPU allocator is "mklcpu": a Keras histogram's OneHot asking it for 22.97GiB,
    # tensorflow/tensorflow#60917)
    _rule(
        r"\bAllocator \(\w*(?:host|cpu)\w*\) ran out of memory trying to allocate [\d.]+\s*\w+"
        r"(?:(?: \(rounded to \d+\))?(?:requested by op \S+)?\.?"
        r"\s+(?:Current allocation summary follows|See logs for memory state)"
        r"| \(rounded to \d+\))",
        "host",
        "tensorflow",
        level_blind=True,
    ),
    _rule(
        r"\b[Rr]an out of memory trying to allocate [\d.]+\s*\w+(?: \(rounded to \d+\))?"
        r"(?:requested by op \S+)?\.?"
        r"\s+(?:Current allocation summary follows|See logs for memory state)"
        # the op that asked, and the size rounded to the allocator's bins, are named only in
        # the failure (its "not a failure" warnings name neither), so a line cut right after
        # either is the failure too ("... trying to allocate 5.49MiB (rounded to 5760000).",
        # then the reporter's "...", microsoft/tensorflow-directml#294)
        r"|\b[Rr]an out of memory trying to allocate [\d.]+\s*\w+ \(rounded to \d+\)",
        "gpu",
        "tensorflow",
        level_blind=True,
    ),
    # IPython's header of an uncaught exception in a notebook cell (the message comes after
    # the frames): "OutOfMemoryError                          Traceback (most recent call last)"
    # (IPython 5 and older glued them: "ResourceExhaustedErrorTraceback (most recent call
    # last)", tensorflow/tensorflow#8536)
    _rule(r"^(?:\w+\.)*OutOfMemoryError *Traceback \(most recent call last\)", "gpu", "pytorch"),
    _rule(
        r"^(?:\w+\.)*ResourceExhaustedError *Traceback \(most recent call last\)",
        "gpu",
        "tensorflow",
    ),
    # ...and a bare MemoryError ending one traceback, the next one glued to it (a notebook, or
    # a paste that lost its newlines: open-mmlab/mmdetection#1767, a spawned worker)
    _rule(r"^MemoryError *Traceback \(most recent call last\)", "host", "python"),
    # XLA's status message on its own line, under TensorFlow's ``ResourceExhaustedError: Graph
    # execution error:`` (a Keras ``jit_compile`` cluster)
    _rule(r"^Out of memory while trying to allocate \d+ bytes\.?$", "gpu", "xla"),
    # vLLM V1's warm-up: the message advises lowering max_num_seqs, a smaller batch
    _rule(
        r"\b(?:CUDA|HIP) out of memory occurred when warming up\b", "gpu", "vllm", batch_helps=True
    ),
    # TensorFlow/XLA creating its CUDA context, before any batch: the GPU is held by others
    # ("unable to create StreamExecutor for CUDA:0: ... failed call to cuDevicePrimaryCtxRetain:
    # CUDA_ERROR_OUT_OF_MEMORY", keras-team/keras#12695)
    _rule(
        r"\bfailed call to cu(?:DevicePrimaryCtxRetain|CtxCreate\w*): CUDA_ERROR_OUT_OF_MEMORY\b",
        "gpu",
        "cuda",
        batch_helps=False,
    ),
    # llama.cpp/ggml allocates its buffers while loading the model or creating the context
    # (or cut short in a paste: "allocating 14656.12 MiB on device 0: cudaMalloc failed: ou",
    # ggml-org/llama.cpp#27872; of CUDA's error strings only "out of memory" starts "ou")
    _rule(
        r"\bcudaMalloc failed: out of memory\b"
        r"|\ballocating [\d.]+ MiB on device \d+: cudaMalloc failed: ou(?:t(?: (?:o(?:f(?: (?:m"
        r"(?:e(?:m(?:o(?:r)?)?)?)?)?)?)?)?)?)?$",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ggml's Vulkan backend (its "Failed to allocate pinned memory." falls back to plain host
    # memory: not a report)
    _rule(
        r"(?:^|: )ggml_vulkan: (?:Device m|M)emory allocation of size \d+ failed\b",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ...as ollama's runner reports it: "error loading model: unable to allocate CUDA0 buffer"
    _rule(
        r"\berror loading model: unable to allocate " + _GGML_DEVICE + r" buffer\b",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ...and the tensor allocator's own line above it, while the weights are placed
    # ("alloc_tensor_range: failed to allocate RPC0[10.0.69.2:50052] buffer of size
    # 193608946688", ggml-org/llama.cpp#23858)
    _rule(
        r"\balloc_tensor_range: failed to allocate " + _GGML_DEVICE + r" buffer of size \d+",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ggml's graph allocator, alone when the backend's own line is not printed (Metal), and as
    # ollama's runner returns it: "llama runner process has terminated: error:failed to
    # allocate buffer, size = 33074.89 MiB"
    _rule(
        r"^ggml_gallocr_reserve_n(?:_impl)?: failed to allocate"
        r" " + _GGML_DEVICE + r" buffer of size \d+",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ...and for the CPU backend's compute buffer (ggml-org/llama.cpp#10251: 139 GB asked)
    _rule(
        r"^ggml_gallocr_reserve_n(?:_impl)?: failed to allocate CPU buffer of size \d+",
        "host",
        "ggml",
        batch_helps=False,
    ),
    _rule(
        r"\bllama runner process has terminated: error: ?failed to allocate buffer, size = ",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # SYCL's result codes under Level Zero (llama.cpp's SYCL backend, IPEX): "level_zero backend
    # failed with error: 39 [UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY]", older "Native API returns:
    # -6 (PI_ERROR_OUT_OF_HOST_MEMORY)"
    _rule(r"\b(?:UR_RESULT_ERROR|PI_ERROR)_OUT_OF_DEVICE_MEMORY\b", "gpu", "sycl", code=True),
    _rule(r"\b(?:UR_RESULT_ERROR|PI_ERROR)_OUT_OF_HOST_MEMORY\b", "host", "sycl", code=True),
    # Vulkan's result code (Mesa's drivers, TVM/MLC's Vulkan runtime, ggml's Vulkan backend;
    # Rust's vulkano wraps it: "OomError(OutOfDeviceMemory)", vulkano-rs/vulkano#172)
    _rule(
        r"\bVK_ERROR_OUT_OF_DEVICE_MEMORY\b|\bErrorOutOfDeviceMemory\b"
        r"|\bOomError\(OutOfDeviceMemory\)",
        "gpu",
        "vulkan",
        code=True,
    ),
    # Mesa's RADV driver when the kernel gives it no buffer object, before it returns that code
    # to the program ("radv/amdgpu: Failed to allocate a buffer:", then the size on the next
    # lines; llama-bench on a Strix Halo, kyuz0's benchmark logs)
    _rule(r"^radv/amdgpu: Failed to allocate a buffer:$", "gpu", "vulkan"),
    _rule(
        r"\berror loading model: unable to allocate CPU buffer\b", "host", "ggml", batch_helps=False
    ),
    # LM Studio's guardrail refusing a model the free RAM cannot hold ("Error: Model loading
    # aborted due to insufficient system resources. Overloading the system will likely cause
    # it to freeze.", lmstudio-ai/lmstudio-bug-tracker#927)
    _rule(
        r"\bModel loading aborted due to insufficient system resources\b",
        "host",
        "lmstudio",
        batch_helps=False,
    ),
    # ...and the buffer of no backend named (weights split over devices and the host): the
    # memory is the log's, RAM or VRAM (ollama/ollama#6606, #7267; in its server's logfmt
    # record: 'error="llama runner process has terminated: error loading model: ...')
    _rule(
        r"\berror loading model: unable to allocate backend buffer\b",
        "host",
        "ggml",
        batch_helps=False,
        unnamed=True,
    ),
    # older llama.cpp on Apple silicon: every Metal buffer (the weights' 'data', 'kv', 'eval',
    # 'scr0') is added while the context is created (ggml-org/llama.cpp#1870)
    _rule(
        r"^ggml_metal_add_buffer: error: failed to allocate '[^']{1,40}' buffer",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # llama.cpp's context failing its compute buffers (their backend is the offload's GPU: an
    # excerpt that lost the allocator's own line still names what failed; ggml-org/
    # llama.cpp#14752, LM Studio's "Failed to initialize the context: failed to allocate compute
    # pp buffers", lmstudio-ai/lmstudio-bug-tracker#688)
    _rule(
        r"\b[Ff]ailed to initialize the context: failed to allocate compute (?:pp )?buffers\b",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # ...and its host buffers: "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate
    # buffer of size 437944320", then "alloc_tensor_range: failed to allocate CPU buffer of size"
    # (a paste that lost the line's first letter: "gml_backend_cpu...", mozilla-ai/llamafile#541)
    _rule(
        r"(?:\bg|^)gml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size \d+"
        r"|\balloc_tensor_range: failed to allocate CPU buffer of size \d+",
        "host",
        "ggml",
        batch_helps=False,
    ),
    # ...and its assert when a backend buffer cannot be allocated, which names no backend
    # (whisper.cpp#1915: "GGML_ASSERT: ...ggml-backend.c:460: data != NULL && "failed to
    # allocate buffer"")
    _rule(
        r"^GGML_ASSERT: \S+:\d+: data != NULL && \"failed to allocate buffer\"",
        "host",
        "ggml",
        batch_helps=False,
        unnamed=True,
    ),
    # onnxruntime's memory arena, which serves the CPU and the GPU alike: "onnxruntime::BFCArena::
    # AllocateRawInternal(size_t, bool, ...) Failed to allocate memory for requested buffer of
    # size 180355072" (often hard-wrapped after one of its parameters)
    _rule(
        r"(?:\bBFCArena::AllocateRawInternal\b[^)]{0,200}\)?|\bWaitNotificationFn\)) "
        r"Failed to allocate memory for requested buffer of size \d+",
        "gpu",
        "onnxruntime",
        unnamed=True,
    ),
    # ...and its session failing to load a model because the host's allocator refused
    # (std::bad_alloc, "bad allocation" under MSVC): a 32-bit process reading a 548 MB model
    # ("[E:onnxruntime:, inference_session.cc:925 ...] Exception during initialization: bad
    # allocation", microsoft/onnxruntime#4136)
    _rule(
        r"\bException during initialization: (?:std::bad_alloc|bad allocation)$",
        "host",
        "onnxruntime",
        batch_helps=False,
    ),
    # faiss's GPU resources failing a cudaMalloc, raised as RuntimeError or asserted (then the
    # process aborts): "... failed: StandardGpuResources: alloc fail type FlatData dev 2 space
    # Device stream 0 size 2764800000 bytes (cudaMalloc error out of memory [2])"
    # (facebookresearch/faiss#2179), "failed to cudaMalloc 47064032 bytes (error 2 out of
    # memory)" (#1031), "Faiss assertion 'err__ == cudaSuccess' failed in ...; details: CUDA
    # error 2 out of memory" (amazon-science/patchcore-inspection#57)
    _rule(
        r"\(cudaMalloc error out of memory \[2\]\)|\bcudaMalloc \d+ bytes (?:on device \d+ )?"
        r"\(error 2 out of memory\b|\bdetails: CUDA error 2 out of memory\b",
        "gpu",
        "faiss",
    ),
    # ...its assertion on cudaMalloc itself, the size in its details (faiss#648: "Faiss
    # assertion 'cudaMalloc(p, size) == cudaSuccess' failed in ... details: Failed to cudaMalloc
    # 16000000000 bytes", then "Aborted")
    _rule(
        r"^Faiss assertion 'cudaMalloc\(p, size\) == cudaSuccess' failed in .{1,300}; details: "
        r"Failed to cudaMalloc \d+ bytes",
        "gpu",
        "faiss",
    ),
    # TorchServe's worker when its handler ran out of memory (host or GPU: the kind is the log's),
    # then dies: "RuntimeError: 507 - System out of memory" under "Backend worker process died."
    # (pytorch/serve's PiPPy example's model_log)
    _rule(
        r"(?:^|\bRuntimeError: )507 - System out of memory$", "host", "torchserve", unnamed=True,
    ),
    # Mesa's RADV Vulkan driver when the kernel cannot take a command submission for memory
    # (".radv/amdgpu: Not enough memory for command submission.", glued to llama.cpp's loading
    # dots, then "vk::Queue::submit: ErrorDeviceLost" and "failed to load model")
    _rule(r"\bradv/amdgpu: Not enough memory for command submission\b", "gpu", "vulkan"),
    # NVIDIA Warp's own print of a failed CUDA call ("Warp CUDA error 2: out of memory (in
    # function wp_alloc_device_async, .../warp/native/warp.cu:769)", google-deepmind/
    # mujoco_warp#926), and the RuntimeError it raises with it ("Graph creation error: Warp
    # CUDA error 2: out of memory")
    _rule(r"\bWarp CUDA error 2: out of memory\b", "gpu", "warp"),
    # tinygrad's CUDA back-end's check of a failed driver call ("Error processing prompt: CUDA
    # Error 2, out of memory" from exo on tinygrad, tinygrad/tinygrad#8948)
    _rule(r"\bCUDA Error 2, out of memory\b", "gpu", "tinygrad"),
    # Torch7's threads library when LuaJIT's allocator refuses a worker ("FATAL THREAD PANIC:
    # (write) not enough memory", facebookresearch/deepmask's COCO conversion): host memory
    _rule(r"^FATAL THREAD PANIC: \(\w+\) not enough memory\b", "host", "lua"),
    # older llama.cpp (and ggml copies in other projects): "CUDA error 2 at ggml-cuda.cu:6016:
    # out of memory"
    _rule(r"\b(?:CUDA|HIP) error \d+ at .{1,200}?:\d+: out of memory\b", "gpu", "ggml"),
    # TGI's router panics when the shards' warm-up fails: the token budget, not the batch
    _rule(
        r"\bUnable to warmup model:.{0,200}?(?:out of memory|OutOfMemory)",
        "gpu",
        "tgi",
        batch_helps=False,
    ),
    # PyTorch with a per-process memory fraction (TGI's shards)
    _rule(
        r"\bAllocation on device \d+ would exceed allowed memory\. \(out of memory\)",
        "gpu",
        "pytorch",
    ),
    _rule(
        r"\bmax seq len \(\d+\) is larger than the maximum number of\s*tokens that can be"
        r"\s*stored in KV\s*cache\b",
        "gpu",
        "vllm-kv",
        batch_helps=False,
    ),
    _VLLM_NO_CACHE_BLOCKS,
    # vLLM's KV check (v1/core/kv_cache_utils.py); its opening alone when a paste cut the rest
    _rule(
        r"\bKV cache is needed, which is larger than the available\s*KV\s*cache memory\b"
        r"|\bValueError: To serve at least one request with the models?'s? max seq len \(\d+\)",
        "gpu",
        "vllm-kv",
        batch_helps=False,
    ),
    # its start-up check of free memory against --gpu-memory-utilization; with weights a weight
    # cache daemon holds outside the process, also its two checks of that share (v1/worker/
    # utils.py, request_memory; its docs quote the first: "startup fails with `Externally held
    # weights ... exceed the desired GPU memory utilization`")
    _rule(
        r"\bFree memory on device .{0,40}on startup is less than (?:desired\s*GPU memory "
        r"utilization|the engine's budget after excluding external process's weights)"
        r"|\bExternally held weights on device .{0,40}\bexceed the desired GPU memory utilization",
        "gpu",
        "vllm",
        batch_helps=False,
    ),
    # its CPU backend, where --gpu-memory-utilization reserves host RAM: at start-up, and when
    # the KV cache is allocated after the weights took their share (v1/worker/cpu_worker.py; a
    # Chinese quick-start's log: "Available memory on node 0 (4.66/18.0 GiB) on kv cache
    # allocation is less than requested memory for kv (-0.39/3.6 GiB)")
    _rule(
        r"\bAvailable memory on node \d+ \([\d.]+/[\d.]+ GiB\) on (?:startup is less than "
        r"desired CPU memory utilization|kv cache allocation is less than requested memory for kv)",
        "host",
        "vllm",
        batch_helps=False,
    ),
    # its hybrid models' recurrent-state pool, one block per running sequence, too small for
    # max_num_seqs at CUDA-graph capture; lowering it is the cure ("ValueError: max_num_seqs
    # (1024) exceeds available Mamba cache blocks (635)", config/compilation.py)
    _rule(
        r"\bmax_num_seqs \(\d+\) exceeds available Mamba cache blocks \(\d+\)",
        "gpu",
        "vllm-kv",
        batch_helps=True,
    ),
    # SGLang's the same for its hybrid models, where not one request's slots fit ("... state
    # cache is too small to serve any requests." then "max_mamba_cache_size=3, mamba_ratio=5,
    # resulting max_num_reqs=0."; mem_cache/kv_cache_configurator.py): fewer requests cannot help
    _rule(
        r"\bHybrid \(mamba/linear-attention\) state cache is too small to serve any requests\b",
        "gpu",
        "sglang",
        batch_helps=False,
    ),
    # ...and its sliding-window pool's cap, sized per running request, leaving the full-attention
    # pool no memory ("RuntimeError: The DSV4 SWA pool cap (10752 tokens, 0.23 GB) leaves no
    # room for the full KV pool within the available 0.14 GB. Reduce --max-running-requests,
    # ..."; model_executor/pool_configurator.py)
    _rule(
        r"\bSWA pool cap \(\d+ tokens, [\d.]+ Gi?B\) leaves no room for the full KV pool\b",
        "gpu",
        "sglang",
        batch_helps=True,
    ),
    # SGLang's token allocator (mem_cache/common.py); older releases name the phase
    _rule(
        r"(?:\b(?:Prefill|Decode) out|\bOut) of memory\. Try to lower your batch size\b",
        "gpu",
        "sglang",
    ),
    _rule(r"\balloc_req_slots runs out of memory\b", "gpu", "sglang"),
    # its profile leaving a negative number of KV tokens: the weights took the memory, and the
    # next line raises "Not enough memory" (model_runner; sgl-project/sglang#7691, cut before)
    _rule(
        r"\bmax_total_tokens=\d+ is larger than the profiled value -\d+\b",
        "gpu",
        "sglang",
        batch_helps=False,
        level_blind=True,
    ),
    # vLLM V0's scheduler when a preempted sequence must be swapped out and the host's swap
    # space for the KV cache is full: the engine loop dies (ai-dynamo/dynamo#1471); fewer
    # sequences at once need less of it
    _rule(r"\bAborted due to the lack of CPU swap space\b", "host", "vllm-kv", batch_helps=True),
    # its diffusion runtime's worker when an OOM escapes its scheduler: logged at WARNING, then
    # re-raised, and the worker shuts down (multimodal_gen's gpu_worker, sgl-project/sglang
    # #29833)
    _rule(r"^OOM detected\. Possible solutions:$", "gpu", "sglang", level_blind=True),
    # ...and its diffusion runtime's worker when an OOM hits a forward shared by several ranks:
    # a request error would desynchronise the replica, so it logs this and exits
    # (multimodal_gen's gpu_worker: "Worker 0 cannot safely continue after a multi-rank OOM",
    # then the chain ending "_FatalDistributedForward: Multi-rank forward ran out of memory;
    # restart the server.")
    _rule(
        r"\bcannot safely continue after a multi-rank OOM\b"
        r"|\bMulti-rank forward ran out of memory; restart the server\b",
        "gpu",
        "sglang",
        always_fatal=True,
    ),
    # its CUDA-graph capture failing for memory, whose message PyTorch may print over several
    # lines ("Capture cuda graph failed: CUDA out of memory." then "Tried to allocate ..."); it
    # advises a smaller --cuda-graph-max-bs (sgl-project/sglang#23769)
    _rule(
        r"\bCapture cuda graph failed: (?:[\w.]+Error: )?(?:CUDA|HIP|NPU|XPU) out of memory\b",
        "gpu",
        "sglang",
        batch_helps=True,
    ),
    # ggml's abort when HIP's virtual memory pool cannot grow (ggml-cuda.cu, ggml-org/llama.cpp
    # #11405: "ggml-cuda.cu:359: HipVMM Failure: out of memory")
    _rule(r"\bHipVMM Failure: out of memory\b", "gpu", "hip"),
    # its first releases (2024) print this, dump the radix tree and exit() (sgl-project/sglang#393)
    _rule(
        r"\b(?:Prefill|Decode) out of memory\. This should ne(?:r)?ver happen\b",
        "gpu",
        "sglang",
        always_fatal=True,
    ),
    # SGLang's decode when the KV pool cannot hold even one request and nothing can be
    # retracted (sgl-project/sglang#14948): a smaller batch cannot help
    _rule(r"\bNo space left for only one request\b", "gpu", "sglang", batch_helps=False),
    # its newer check at start-up (sgl-project/sglang#2128 in a fork's tracker)
    _rule(
        r"\bLoaded weights leave no GPU memory for the KV cache\b",
        "gpu",
        "sglang",
        batch_helps=False,
    ),
    _rule(
        r"\bNot enough memory\. Please try to increase --mem-fraction-static\b",
        "gpu",
        "sglang",
        batch_helps=False,
    ),
    # TGI's launcher when the kernel SIGKILLs its child: the weights' download and conversion to
    # safetensors, or a shard loading them (huggingface/text-generation-inference#451: "signal 9"
    # is the host's RAM); its other signals are other crashes (4: an illegal instruction)
    _rule(
        r"\btext_generation_launcher: (?:Download|Shard) process was signaled to shutdown with "
        r"signal 9\b",
        "host",
        "tgi",
        always_fatal=True,
    ),
    # TGI's warm-up, and its router's error when the KV blocks the warm-up left cannot hold
    # --max-total-tokens (router's lib.rs: "Not enough memory to handle `max_total_tokens={0}`")
    _rule(
        r"\bNot enough memory to handle (?:\d+ (?:prefill|total) tokens\b|`max_total_tokens=\d+`)",
        "gpu",
        "tgi",
        batch_helps=False,
    ),
    _rule(
        r"\bNo executable batch size found, reached zero\b",
        "gpu",
        "accelerate",
        batch_helps=False,
        always_fatal=True,
    ),
    _rule(
        r"\bDefaultCPUAllocator: (?:can't allocate memory|not enough memory)\b", "host", "pytorch"
    ),
    # (the step's own stderr can carry it without slurmstepd's name: "error: Detected 1 oom-kill
    # event(s) in StepId=889106.0. Some of your processes may have been killed by the cgroup
    # out-of-memory handler.", HuguesTHOMAS/KPConv-PyTorch#181)
    _rule(
        r"^(?:slurmstepd(?:-[\w.\-]+)?: )?error: Detected \d+ oom[-_]kill event", "host", "slurm"
    ),
    # ...relayed by a wrapper that labels it, after a colon ("qdo-srun.py: srun#64: slurmstepd:
    # error: ...", dstndstn/tractor#126): its whole first sentence
    _rule(
        r"(?<=: )slurmstepd(?:-[\w.\-]+)?: error: Detected \d+ oom_kill events? in "
        r"StepId=\d+\.\w+\. Some of the step tasks have been OOM Killed\.",
        "host",
        "slurm",
    ),
    # a job's or step's row of `sacct` in state OUT_OF_MEMORY (truncated to the column's ten
    # characters by default: "OUT_OF_ME+"; BSC-ES/autosubmit#382)
    _rule(r"^\d+(?:\.[\w+]+)? .*\sOUT_OF_ME(?:MORY|\+) +\d+:\d+$", "host", "slurm"),
    # ...and in `sacct --parsable`'s rows, fields between pipes ("2350825.4|bash|OUT_OF_MEMORY|
    # 0:125|00:12:17|453952640K||lyris0117", a NeMo-RL job's committed evidence)
    _rule(
        r"^\d+(?:_\d+)?(?:\.[\w+]+)?\|(?:[^|]*\|){0,20}OUT_OF_MEMORY\|\d+:\d+(?:\||$)",
        "host",
        "slurm",
    ),
    _rule(
        # (older releases leave out "error: ": "slurmstepd: Job 13041453 exceeded memory limit
        # (8431484 > 8388608), being killed", marbl/canu#211)
        r"^slurmstepd(?:-[\w.\-]+)?: (?:error: )?.{0,60}exceeded memory limit .{0,60}being killed",
        "host",
        "slurm",
    ),
    # the node and task are left out when people retell it (submitit#1769)
    _rule(r"^srun: error: (?:[\w.\-]+: tasks? [\d,\-]+: )?Out Of Memory\b", "host", "slurm"),
    # ...glued to the end of the job's last progress line, which had no newline ("... 661.1)srun:
    # error: node11: task 0: Out Of Memory", HuguesTHOMAS/KPConv-PyTorch#181)
    _rule(r"(?<=[)\]%])srun: error: [\w.\-]+: tasks? [\d,\-]+: Out Of Memory$", "host", "slurm"),
    _rule(
        # (or with the pid left out by a paste: "Out of memory: Killed process
        # (VLLM::Worker_TP)", wtdcode/vllm-backport#68)
        r"\b(?:Memory cgroup out of memory|Out of memory): Kill(?:ed)? process "
        r"(?:\d+|\([^)]{1,16}\))",
        "host",
        "kernel",
    ),
    # other batch schedulers' memory-limit kills: PBS/Torque ("=>> PBS: job killed: mem
    # 38427376kb exceeded limit 33554432kb", "Job exceeded a memory resource limit (vmem,
    # pvmem, etc.). Job was aborted"), LSF ("TERM_MEMLIMIT: job killed after reaching LSF
    # memory usage limit."), HTCondor ("Job has gone over memory limit of 4096 megabytes.",
    # a periodic hold for memory) and systemd-oomd ("Killed /user.slice/... due to memory
    # pressure for ...")
    _rule(
        r"\bPBS: job killed: p?v?mem (?:job total )?\d+ ?[kKmMgG]?[bB]? exceeded limit\b"
        r"|\bJob exceeded a memory resource limit \(vmem, pvmem, etc\.\)\. Job was aborted\b"
        # Moab's mail when it deletes the job (cBio/cbio-cluster#251)
        r"|^job \d+ exceeded MEM usage hard limit \(\d+ > \d+\)$",
        "host",
        "pbs",
    ),
    # (also as a batch system's wrapper relays it: "exit reason: TERM_MEMLIMIT: ...", Toil)
    _rule(
        r"(?:^|\bexit reason: )TERM_MEMLIMIT: job killed after reaching LSF memory usage limit\b",
        "host",
        "lsf",
    ),
    _rule(
        r"\b(?:Docker job|Job) has gone over memory limit of \d+ (?:megabytes|Mb|MB)\b"
        # (a stored copy can end at "due to memory", gwastro/1-ogc#4)
        r"|\bput on hold by SYSTEM_PERIODIC_HOLD due to memory(?: usage\b|$)"
        # CMS's CRAB relaying HTCondor's kill (dmwm/CRABServer#9367)
        r"|\bJob killed by HTCondor due to excessive memory use \(RSS=\d+ MB\)",
        "host",
        "htcondor",
    ),
    # CMS's WMAgent killing a step over its PSS limit (cms-sw/cmssw#46040): "Error in CMSSW
    # step cmsRun1", "Job has exceeded maxPSS: 16000 MB", then SIGUSR2 to the step
    _rule(r"^Job has exceeded maxPSS: \d+ MB$", "host", "wmagent"),
    # earlyoom, the user-space OOM killer many desktops and DGX boxes run: "sending SIGTERM to
    # process 2677144 uid 996 "llama-server": badness 1022, VmRSS 11791 MiB", and when nothing
    # is left to kill but itself, "Could not find a process to kill (selected itself)". Newer
    # releases name the score "oom_score" (Comfy-Org/ComfyUI#15276)
    _rule(
        r"\bsending SIG(?:TERM|KILL) to process \d+ uid \d+ \"[^\"]{1,200}\": "
        r"(?:badness|oom_score) -?\d+"
        r"|\bearlyoom: Could not find a process to kill\b",
        "host",
        "earlyoom",
    ),
    _rule(
        r"\bsystemd-oomd\[\d+\]: Killed \S+ due to memory (?:pressure|used)\b"
        # (journald's "Dec 17 10:04:41 host systemd-oomd[588]: " is read as the line's prefix,
        # which leaves the kill itself)
        r"|^Killed /\S+\.(?:scope|service|slice) due to memory (?:pressure|used) for /"
        r"|: systemd-oomd killed \d+ process\(es\) in this unit\b",
        "host",
        "systemd",
    ),
    # Android's low-memory killer (logcat, lmkd): "I lowmemorykiller: Kill 'app' (25702), uid
    # 10123, oom_score_adj 200 to free 4223760kB rss, ...; reason: min watermark is breached"
    _rule(r"\blowmemorykiller: Kill(?:ing)? '[^']+' \(\d+\)", "host", "kernel"),
    _rule(r"\bTask was killed due to the node running low on memory\b", "host", "ray"),
    # ...and the workers it killed, as Ray Serve's failed health check tells them ("14 worker(s)
    # were killed due to the node running low on memory. ... 28.64GB used / 30.00GB limit",
    # ray-project/ray#65847: the deployment went UNHEALTHY)
    _rule(r"^\d+ worker\(s\) were killed due to the node running low on memory\b", "host", "ray"),
    # `kubectl get pods`' row of a pod whose container the kernel killed ("training-operator-
    # 8569f97489-zkxbt  0/1  OOMKilled", with or without its namespace column), and runc
    # failing to start a container whose init was killed (kubeflow/training-operator#1661)
    _rule(
        r"^(?:[a-z0-9][\w.\-]*\s+)?[a-z0-9][\w.\-]*\s+\d+/\d+\s+OOMKilled(?:\s+\d+\b|\s*$)",
        "host",
        "kubernetes",
    ),
    _rule(r"\bcontainer init was OOM-killed\b", "host", "kubernetes"),
    # Google's AI Platform (Vertex) training service on a replica the node killed
    # (tensorflow/models#9352)
    _rule(
        r"\bThe replica \w+ \d+ ran out-of-memory and exited with a non-zero status of 9\b",
        "host",
        "gcp",
    ),
    # numpy's own words for an array it cannot allocate, alone or under an app's "ERROR: "
    # label (noScribe); as an exception's message the exception rules read it
    _rule(
        r"^(?:\[?(?:ERROR|Error|error)\]?:? )?Unable to allocate [\d.]+ [KMGTPE]i?B for an array"
        r" with shape\b",
        "host",
        "python",
    ),
    # Metaflow's report of a step whose Kubernetes pod was OOM-killed (Netflix/metaflow#1696)
    _rule(
        r"^Task ran out of memory\. Increase the available memory for the step\.",
        "host",
        "metaflow",
    ),
    # Go's runtime when the OS refuses it more heap, a crash no program can catch (ollama's
    # server is a Go program): "fatal error: runtime: out of memory" (mozilla/tls-observatory
    # #377), and after Windows' VirtualAlloc fails, "fatal error: out of memory"
    # (mandiant/GoReSym#51); the whole line, as the runtime prints it
    _rule(r"^fatal error: (?:runtime: )?out of memory$", "host", "go"),
    # Xcode's report of an app iOS's jetsam killed ("The app “WhisperAX” has been killed by the
    # operating system because it is using too much memory.", argmaxinc/WhisperKit#70)
    _rule(
        r"^The app \u201c[^\u201d]{1,80}\u201d has been killed by the operating system because "
        r"it is using too much memory\.",
        "host",
        "ios",
    ),
    # Google Colab's notice when the runtime's kernel is killed for RAM
    _rule(r"^Your session crashed after using all available RAM\b", "host", "colab"),
    # ... the monitor's own line for one kill ("Memory on the node (IP: ...) where the task
    # (...) was running was 219.41GB / 230.40GB (0.952289), which exceeds the memory usage
    # threshold of 0.95. Ray killed this worker (ID: ba84...) because it was the most recently
    # scheduled task"), and its Ray 2.0 form ("System memory low at node with IP ... exceeds
    # threshold 0.95, killing latest task with name ...")
    # (its released wording only: a review's draft of another, ray-project/ray#28945, is none)
    _rule(
        r"\bRay killed this worker \(ID: [0-9a-f]+\) because it was the most recently "
        r"scheduled task;",
        "host",
        "ray",
    ),
    _rule(
        r"\bSystem memory low at node with IP [\d.]+\. Used memory \([\d.]+\s*[KMGT]?i?B\)"
        r" / total capacity \([\d.]+\s*[KMGT]?i?B\) \([\d.]+\) exceeds threshold [\d.]+, killing\b",
        "host",
        "ray",
    ),
    # Dask's nanny killing its worker over the memory budget ("distributed.nanny.memory -
    # WARNING - Worker tcp://127.0.0.1:49477 (pid=59029) exceeded 95% memory budget.
    # Restarting...", logged at WARNING; older: "distributed.nanny - WARNING - Worker exceeded
    # 95% memory budget. Restarting"), like Ray's monitor above. Not a budget of 0-9%: a worker
    # configured to die at once (coffea-casa's "terminate: 0" printing "exceeded 0% memory
    # budget"), no exhaustion.
    _rule(
        r"\bWorker (?:\S+ (?:\(pid=\d+\) )?)?exceeded (?:[1-9]\d|100)% memory budget\. Restarting",
        "host",
        "dask",
        batch_helps=False,
        level_blind=True,
    ),
    # PaddlePaddle's allocator: "Out of memory error on GPU 0. Cannot allocate 3.125000GB
    # memory on GPU 0, available memory is only 117.750000MB."
    _rule(
        r"\bOut of memory error on (?:GPU|XPU|NPU|MLU|DCU) \d+\. Cannot allocate"
        r" \d+(?:\.\d+)? ?[KkMGT]?B (?:GPU )?memory\b",  # ("39.250000kB": d2l's notebook)
        "gpu",
        "paddle",
    ),
    # ...and its host allocator (system_allocator.cc): "ResourceExhaustedError: Fail to alloc
    # memory of 564023296 size, error code is 12." (errno 12, PaddlePaddle/PaddleOCR#2199)
    # (or retold with the size alone, the code cut: "...ResourceExhaustedError: Fail to alloc
    # memory of 5060694016 size。" in a Chinese sentence, PaddlePaddle/PaddleOCR#2656; another
    # code is another error than memory)
    _rule(
        r"\bFail to alloc memory of \d+ size(?:, error code is 12\b|(?!,? error code))",
        "host",
        "paddle",
    ),
    # ...and its first GPU allocator's check (Paddle Fluid 0.x, platform/gpu_info.cc):
    # "EnforceNotMet: enforce allocating <= available failed, 10513462067 > 1369702144"
    # (PaddlePaddle/Paddle#8992)
    _rule(r"\benforce allocating <= available failed, \d+ > \d+", "gpu", "paddle"),
    # ...and its CPU allocator's check of posix_memalign, whose 12 is ENOMEM ("[Hint: Expected
    # posix_memalign(&p, alignment, size) == 0, but received posix_memalign(&p, alignment,
    # size):12 != 0:0.]", PaddlePaddle/PaddleOCR#493)
    _rule(
        r"\[Hint: Expected posix_memalign\(&p, alignment, size\) == 0, but received "
        r"posix_memalign\(&p, alignment, size\):12 != 0:0\.\]",
        "host",
        "paddle",
    ),
    # CatBoost's GPU memory pool, its uncaught exception's type first ("(NCudaLib::
    # TOutOfMemoryError) .../stack_like_memory_pool.h:303: Error: Out of memory. Requested 8880
    # MB; Free 5902.061425 MB", catboost/catboost#2750)
    _rule(r"^\(NCudaLib::TOutOfMemoryError\) ", "gpu", "catboost"),
    # nnabla's caching allocator after it freed its cache and retried ("Failed to allocate.
    # Freeing memory cache and retrying." twice, then this; sony/ai-research-code#54)
    _rule(r"^Failed to allocate again\.$", "gpu", "nnabla", unnamed=True),
    _rule(r"\binvoked oom-killer: gfp_mask=", "host", "kernel"),
    # ...and the victim's summary, which the same report prints only once it chose one (mm/
    # oom_kill.c, dump_oom_summary), where a paste was cut before the kill line ("oom-kill:
    # constraint=CONSTRAINT_MEMCG,...,oom_memcg=/docker/...", google-research/jax3d#121)
    _rule(r"\boom-kill:constraint=CONSTRAINT_[A-Z]+,", "host", "kernel"),
    # ...and its kill line with what it took (mm/oom_kill.c, __oom_kill_process), also where a
    # paste lost the "Out of memory: " before it ("Aug 19 07:28:44 ... Killed process 3652454
    # (VLLM::EngineCor) total-vm:160958068kB, anon-rss:6548368kB", a vLLM port's stage report)
    _rule(r"\bKilled process \d+ \([^)]{1,16}\) total-vm:\d+kB, anon-rss:\d+kB", "host", "kernel"),
    # ...and its reaper freeing the victim's memory, which it does only for a process the OOM
    # killer chose (mm/oom_kill.c, oom_reap_task_mm): a paste that kept this line alone
    # ("oom_reaper: reaped process 163083 (vespa-proton-bi), now anon-rss:0kB, ...",
    # onyx-dot-app/onyx#3427)
    _rule(r"\boom_reaper: reaped process \d+ \([^)]{1,16}\), now anon-rss:\d+kB", "host", "kernel"),
    # ...and the header of its task list, which only the OOM killer's report prints (mm/
    # oom_kill.c, dump_tasks): a paste that starts inside the report (b4rtaz/distributed-llama#59)
    _rule(
        r"^(?:Tasks state \(memory values in pages\):"
        r"|\[ *pid *\] +uid +tgid +total_vm +rss .*\boom_score_adj +name)$",
        "host",
        "kernel",
    ),
    # ("OOMKilled=true ExitCode=137": docker inspect with a format of one's own)
    _rule(r"\bReason:\s*OOMKilled\b|\bOOMKilled(?::\s*|=)true\b", "host", "kernel"),
    # `kubectl get pods`: the pod's STATUS column, between READY and RESTARTS
    # ("tax-tribunals-application-base-74464f6b98-2kj6g   0/1   OOMKilled   4 (57s ago)   2m40s")
    _rule(
        r"^[a-z0-9][a-z0-9.\-]{0,252} +\d+/\d+ +OOMKilled +\d+(?: \([\w ]{1,20} ago\))? +\d+[smhd]",
        "host",
        "kubernetes",
    ),
    # the kubelet evicting a pod under memory pressure ("The node was low on resource: memory.
    # Container egg was using 5053216Ki, which exceeds its request of 0.")
    _rule(r"\bThe node was low on resource: memory\.", "host", "kubernetes"),
    # container platforms' own words for a kill over the memory limit: Amazon ECS's (and AWS
    # Batch's) stopped reason ("Essential container in task exited - OutOfMemoryError: Container
    # killed due to memory usage", under a Nextflow run's "Caused by:"), Airflow's Kubernetes
    # executor reading the pod ("container_state: terminated, container_reason: OOMKilled, ...
    # exit_code: 137"), Cloud Run's ("Memory limit of 2048M exceeded with 2126M used.") and AWS
    # Lambda's when a function reaches its memory size ("Error: Runtime exited with error:
    # signal: killed" then "Runtime.ExitError"; a timeout says "Task timed out" instead)
    _rule(r"\bOutOfMemoryError: Container killed due to memory usage\b", "host", "ecs"),
    _rule(r"\bcontainer_reason: OOMKilled\b", "host", "kubernetes"),
    _rule(
        r"\bMemory limit of \d+ ?[MG]i?B? exceeded with \d+ ?[MG]i?B? used\b", "host", "cloud-run"
    ),
    _rule(r"\bRuntime exited with error: signal: killed\b", "host", "lambda"),
    # AI Platform's model deployment, whose model does not fit the machine ("ERROR: (gcloud.beta.
    # ai-platform.versions.create) Create Version failed. Bad model detected with error: Model
    # requires more memory than allowed."): no smaller batch helps a model's size
    _rule(r"\bModel requires more memory than allowed\b", "host", "gcloud", batch_helps=False),
    # Replicate's Cog when the predictor's process was SIGKILLed ("Prediction failed for an
    # unknown reason. It might have run out of memory? (exitcode -9)"); with another exit code
    # the same guess names no kill (its exit code 2 is a normal exit), so only -9 counts
    _rule(r"\bIt might have run out of memory\? \(exitcode -9\)", "host", "cog"),
    # systemd about a service (ollama, vllm, a job's unit): "ollama.service: A process of this
    # unit has been killed by the OOM killer.", then "Failed with result 'oom-kill'."
    _rule(
        # (the unit's name left out when a person copies the lines, ggml-org/llama.cpp#20509)
        r"(?:\.(?:service|scope): |^)(?:A process of this unit has been killed by the OOM killer\."
        r"|Failed with result 'oom-kill'\.)",
        "host",
        "systemd",
    ),
    # TensorRT-LLM's runtime: "[TensorRT-LLM][ERROR] CUDA runtime error in
    # ::cudaMallocAsync(ptr, n, mCudaStream->get()): out of memory (.../tllmBuffers.h:112)"
    _rule(r"\bCUDA runtime error in \S.{0,200}?: out of memory \(", "gpu", "tensorrt-llm"),
    # TensorRT-LLM's PyTorch executor: "[TRT-LLM] [RANK 1] [E] Failed to initialize executor on
    # rank 1: Executor creation failed due to insufficient GPU memory." (NVIDIA/TensorRT-LLM#5872)
    _rule(
        r"\bExecutor creation failed due to insufficient GPU memory\b",
        "gpu",
        "tensorrt-llm",
        batch_helps=False,  # creating the executor: its KV cache and buffers, at start-up
    ),
    # ...and its C++ runtime's KV cache too small for one sequence (Triton's backend failing to
    # create the model instance, triton-inference-server/tensorrtllm_backend#366)
    _rule(
        # (older releases without the count: NVIDIA/TensorRT-LLM#542)
        r"\bmaxTokensInPagedKvCache (?:\(\d+\) )?must be large enough to process at least 1"
        r" sequence",
        "gpu",
        "tensorrt-llm",
        batch_helps=False,
    ),
    # Triton's Python backend, whose shared-memory region (host RAM under /dev/shm, capped by
    # docker's --shm-size) could not be created or grown: its model does not load, or the
    # request fails ("Failed to increase the shared memory pool size for key 'triton_python_
    # backend_shm_region_2' to 671088640 bytes. ... Error: No space left on device",
    # triton-inference-server/server#6156, #6195, #5681)
    _rule(
        r"\b(?:Unable to initialize shared memory key|Failed to increase the shared memory pool"
        r" size for key) '[^']{1,200}' to (?:requested size \()?\d+ bytes\b"
        r".{0,300}\bError: No space left on device\b",
        "host",
        "triton",
    ),
    # Sophgo's TPU runtime allocating device (global) memory: "[bmlib_memory][error]
    # bm_alloc_gmem failed, dev_id = 0, size = 0xc0fb4000" (sophgo/LLM-TPU#8)
    _rule(r"\bbm_alloc_gmem failed\b", "gpu", "sophgo"),
    # Apple Metal's command-buffer error 8 (MTLCommandBufferError.outOfMemory) in a Swift
    # program's fatalError: "Fatal error: MetalExecutionError: Error Domain=
    # MTLCommandBufferErrorDomain Code=8 "Insufficient Memory (IOAF code 8)"" (waifu2x-metal#3).
    # The error alone is a status a program may go on after (gfx-rs/wgpu#9545).
    _rule(r"^Fatal error: .{0,200}\bMTLCommandBufferErrorDomain Code=8\b", "gpu", "metal"),
    # early llama.cpp's Metal back-end mapping the model's weights into one buffer larger than
    # the device's largest ("ggml_metal_add_buffer: buffer 'data' size 18300780544 is larger
    # than buffer maximum of 17179869184", ggml-org/llama.cpp#1815): the load fails
    _rule(
        r"\bggml_metal_add_buffer: (?:error: )?buffer '\w+' size \d+ is larger than buffer "
        r"maximum of \d+",
        "gpu",
        "ggml",
        batch_helps=False,
    ),
    # PyTorch's caching allocator asks NVML which processes hold the GPU only when an
    # allocation has failed (reportProcessMemoryInfo, called on the OOM path of malloc); when
    # NVML fails there (MIG slices, a broken NVML), the OOM surfaces as its internal assert:
    # "RuntimeError: NVML_SUCCESS == r INTERNAL ASSERT FAILED at \"../c10/cuda/
    # CUDACachingAllocator.cpp\":830" (pytorch/pytorch#121899, #112377), its path wrapped onto
    # the next line in a forum post (forums.developer.nvidia.com/t/.../370049): PyTorch asserts
    # on NVML nowhere else
    _rule(
        r"\bNVML_SUCCESS == (?:r|DriverAPI::get\(\)->nvml\w+\([^()]*\)) INTERNAL ASSERT FAILED "
        r"at(?: \"[^\"]*CUDACachingAllocator\.cpp\"|$)",
        "gpu",
        "pytorch",
    ),
    # joblib's error with the workers' exit codes on the same line (see _JOBLIB_TERMINATED)
    _rule(r"\b" + _JOBLIB_TERMINATED + r".{0,200}" + _JOBLIB_SIGKILL, "host", "joblib"),
    # an OOM exception's name cut mid-word where a stored thread or a paste ends
    # ("torch.cuda.OutOfMemoryErro", ultralytics/ultralytics#1451; "ray.exceptions.OutOfMe",
    # vllm-project/vllm#1765): no program prints a part of the name alone on a line
    _rule(r"^torch\.(?:cuda\.)?OutOfMe" + _CUT_NAME_TAIL, "gpu", "pytorch"),
    _rule(r"^ray\.exceptions\.OutOfMe" + _CUT_NAME_TAIL, "host", "ray"),
    # R's top-level errors for memory, then Rscript's "Execution halted" (dynverse/
    # dynbenchmark_results): its allocator refusing a vector ("Error: cannot allocate vector of
    # size 11.8 Gb") or past its limit ("Error: memory exhausted (limit reached?)"), and a C++
    # library's std::bad_alloc as the message, which R puts on the line after a long call
    # ("Error in DDRTree_reduce_dim(X, Z, ...  : " / "  std::bad_alloc"). An interactive
    # session goes on at its prompt; try() prints a caught error as "Error : ...", with a space.
    # A harness that logs the condition's message alone writes the allocator's words as the
    # whole line ("cannot allocate vector of size 3.0 Gb", dynbenchmark's last lines of a job).
    _rule(
        r"^(?:Error(?: in [^:]{1,200})?: )?cannot allocate vector of size [\d.]+ [KMGT]?b\b"
        r"|^Error: memory exhausted \(limit reached\?\)$"
        r"|^Error in .{1,300} :\s+std::bad_alloc$",
        "host",
        "r",
    ),
    # bitsandbytes' CUDA_CHECK_RETURN: "Error out of memory at line 380 in file .../bitsandbytes/
    # csrc/pythonInterface.c", then exit(1) (InternLM/xtuner#319)
    _rule(r"^Error out of memory at line \d+ in file \S+", "gpu", "bitsandbytes"),
    # dagster's multiprocess executor on a step's child killed by the kernel ("child process
    # for step X was terminated by signal 9 (SIGKILL). This usually indicates that the process
    # was killed by the operating system due to running out of memory.", dagster-io's users)
    _rule(
        r"\bwas terminated by signal 9 \(SIGKILL\)\. This usually indicates that the process "
        r"was killed by the operating system due to running out of memory\b",
        "host",
        "dagster",
    ),
    # TensorFlow's CHECK on a GPU kernel launch, which aborts ("Non-OK-status: GpuLaunchKernel(
    # ...) status: Internal: out of memory", kubeflow/training-operator#1158)
    _rule(
        r"\bNon-OK-status: .{0,400}\bstatus: (?:Internal|INTERNAL): out of memory\b",
        "gpu",
        "tensorflow",
    ),
    # AWS Neuron's compiler killed by the kernel, in its own diagnosis ("[F137] neuronx-cc was
    # forcibly killed - This most commonly occurs due to insufficient system memory.", after
    # "Backend exited with code -9", aws-neuron/aws-neuron-sdk#64)
    _rule(r"\[F137\] neuronx-cc was forcibly killed\b", "host", "neuron"),
    # IREE's Vulkan HAL failing to create a buffer ("vma_allocator.cc:693: RESOURCE_EXHAUSTED;
    # VK_ERROR_OUT_OF_DEVICE_MEMORY; vmaCreateBuffer", nod-ai/SHARK#1198)
    _rule(r"\bRESOURCE_EXHAUSTED; VK_ERROR_OUT_OF_DEVICE_MEMORY; \w+", "gpu", "iree"),
    # GNU MP's default allocator aborts the program when malloc fails ("GNU MP: Cannot allocate
    # memory (size=800296713216048)", MARIO-Math-Reasoning/Super_MARIO#19)
    _rule(r"\bGNU MP: Cannot allocate memory \(size=\d+\)", "host", "gmp", always_fatal=True),
    # transformers refusing to load a quantized model that device_map="auto" could not fit on
    # the GPUs ("ValueError: Some modules are dispatched on the CPU or the disk. Make sure you
    # have enough GPU RAM to fit the quantized model.", hustvl/Senna#17); older releases break
    # the message over indented lines after a bare "ValueError: "
    _rule(
        r"^(?:ValueError: )?\s*Some modules are dispatched on the CPU or the disk\. Make sure you"
        r" have enough GPU RAM to fit\b",
        "gpu",
        "transformers",
        batch_helps=False,
    ),
    # transformers' Trainer under auto_find_batch_size when the OOM came from evaluation, which
    # the finder cannot shrink: raised from the OOM, which may not be in the pasted lines (from
    # transformers' source, 5.x: trainer.py _evaluate; no public log of it yet)
    _rule(
        r"^(?:RuntimeError: )?Evaluation hit an out-of-memory error\. `?auto_find_batch_size`? "
        r"only adjusts the training batch size\b",
        "gpu",
        "transformers",
        batch_helps=True,
    ),
    # ExLlamaV3's checks before it takes host RAM or /dev/shm for offloaded experts or a shared
    # buffer (from its source, 0.0.x-1.6: util/memory.py, util/shm.py; no public log of either
    # yet): the model's placement, not a batch, asks for it
    _rule(
        r"\bneeds \d+ MiB of host memory, but only \d+ MiB is available and "
        r"EXL3_HOST_MEM_RESERVE_MB\b|\bneeds [\d.]+ MiB of POSIX shared memory \([^()]{1,40}\), "
        r"but only [\d.]+ MiB of [\d.]+ MiB is free\b",
        "host",
        "exllamav3",
        batch_helps=False,
    ),
    # Unsloth's own words for the same refusal, and for llama.cpp's GGUF converter killed by the
    # OOM killer (both from unsloth's source, raised since 2026; no public log of either yet)
    _rule(
        r"^(?:ValueError: )?Unsloth: \S+ does not fit in GPU memory(?: \([^()]{1,60}\))?, so "
        r"transformers placed part of it on the CPU\b",
        "gpu",
        "unsloth",
        batch_helps=False,
    ),
    _rule(
        r"^(?:RuntimeError: )?Unsloth: GGUF conversion was killed by the operating system "
        r"\(SIGKILL\), which almost always means the machine ran out of host RAM\b",
        "host",
        "unsloth",
    ),
    # Flux's job shell reporting its cgroup's OOM kill ("flux-shell[0]: ERROR: oom: Memory cgroup
    # out of memory: killed 1 task on picl7.", flux-framework/flux-core#6289) and Alibaba PAI's
    # job report ("The job has been killed by \"OOM Killer\", please check your job's memory
    # usage.", alibaba/EasyRec#60)
    _rule(
        r"\bflux-shell\[\d+\]: (?:ERROR: )?oom: Memory cgroup out of memory: killed \d+ tasks?\b",
        "host",
        "flux",
    ),
    _rule(r"^The job has been killed by \"OOM Killer\"", "host", "pai"),
    # RELION's error when not one FFT plan fits the GPU's free memory, hard-wrapped by RELION
    # itself ("When trying to plan one or more Fourier transforms, it was found that the
    # available" / "GPU memory was insufficient. Relion attempts to reduce the memory by
    # segmenting", 3dem/relion#1074); its RelionError ends the run
    _rule(
        r"^GPU memory was insufficient\. Relion attempts to reduce the memory\b",
        "gpu",
        "relion",
        batch_helps=False,
        always_fatal=True,
    ),
    # ...and its custom GPU allocator's, printed where its progress bar left off ("000/??? sec
    # ~~(,_,">   [oo]ERROR: CudaCustomAllocator out of memory", 3dem/relion#769): the bar's
    # fish is no quote, so the rule reads the line from its start
    _rule(r"^.{0,300}?\bERROR: CudaCustomAllocator out of memory\b", "gpu", "relion"),
    # SPECFEM3D's CUDA check, before every rank calls MPI_Abort ("CUDA error !!!!! <out of
    # memory> !!!!!", SPECFEM/specfem3d#1344)
    _rule(r"^CUDA error !+ <out of memory> !+", "gpu", "specfem"),
    # MATLAB's gpuArray under "Error using ..." (Kilosort 3's pursuit, MouseLand/Kilosort#319)
    _rule(
        r"^Out of memory on device\. To view more detail about available memory on the GPU, "
        r"use 'gpuDevice\(\)'",
        "gpu",
        "matlab",
    ),
    # the C++ runtime's abort on std::bad_alloc, its what() cut off or joined onto the same line
    # by a paste ("terminate called after throwing an instance of 'std::bad_alloc'  what():
    # std::bad_alloc", tensorflow/tensorflow#9487; old libstdc++'s mangled 'St9bad_alloc');
    # on two lines, see _CXX_HEAD
    _rule(
        r"^terminate called after throwing an instance of '(?:std::|St9)bad_alloc'"
        r"(?: +what\(\): +(?:std::|St9)bad_alloc)?$",
        "host",
        "cxx",
        always_fatal=True,
    ),
    # ...and LLVM's libc++ (macOS, Android): "libc++abi: terminating with uncaught exception of
    # type std::bad_alloc: std::bad_alloc" (newer: "terminating due to"), glued to the loading
    # dots the program left without a newline ("llama_model_load: .....libc++abi: ...", then
    # "Abort", ggml-org/llama.cpp#379)
    _rule(
        r"(?:^|(?<=\.\.\.))libc\+\+abi(?:\.dylib)?: terminating (?:with|due to) uncaught "
        r"exception of type std::bad_alloc(?:: std::bad_alloc)?$",
        "host",
        "cxx",
        always_fatal=True,
    ),
    # ...and Paddle's allocator exception, its what() empty or cut ("terminate called after
    # throwing an instance of 'paddle::memory::allocation::BadAlloc'", PaddlePaddle/Paddle#42341)
    _rule(
        r"^terminate called after throwing an instance of 'paddle::memory::allocation::BadAlloc'$",
        "gpu",
        "paddle",
        always_fatal=True,
    ),
    # LLVM's JIT (XLA's CPU back-end) failing to map memory for compiled code, after which the
    # process crashes ("JIT session error: Cannot allocate memory" then "Fatal Python error:
    # Segmentation fault", jax-ml/jax#11923)
    _rule(r"^JIT session error: Cannot allocate memory$", "host", "llvm"),
    # TensorRT's runtime failing a device allocation with CUDA's error 2 (out of memory), then
    # terminate on its nvinfer1::CudaError ("runtime.cpp (24) - Cuda Error in allocate: 2",
    # triton-inference-server/server#145); TensorRT 8 adds the error's name ("safeRuntime.cpp (25)
    # - Cuda Error in allocate: 2 (out of memory)" building an engine, linghu8812/
    # tensorrt_inference#155)
    _rule(r"\bCuda Error in allocate: 2(?: \(out of memory\))?$", "gpu", "tensorrt"),
    # ggml's SYCL back-end refusing a buffer on the device ("ggml_backend_sycl_buffer_type_alloc_
    # buffer: can't malloc 3278637056 Bytes memory on device", an Arc A770's compute buffer,
    # ggml-org/llama.cpp#10421)
    # (its later wording: "can't allocate 12745011200 Bytes of memory on device", an 18 GB
    # model on a 12 GB Arc B580)
    _rule(
        r"\bggml_backend_sycl_\w+: can't (?:malloc \d+ Bytes|allocate \d+ Bytes of) memory"
        r" on device",
        "gpu",
        "ggml",
    ),
    # LuaJIT's (and Lua's) allocator failing: the interpreter prints it and exits (Torch7's
    # fairseq-lua generating on a 16 GB laptop's CPU: "/Users/x/torch/install/bin/luajit: not
    # enough memory", facebookresearch/fairseq-lua#37)
    _rule(r"(?:^|/|\b)(?:lua|luajit)(?:\.exe)?: not enough memory$", "host", "lua"),
    # faceswap's training thread, whose error its monitor logs at DEBUG before ending the
    # training ("Error in thread (_training_0): You do not have enough GPU memory available to
    # train the selected model at the selected settings. You can try a number of things:",
    # which start with a lower batch size; deepfakes/faceswap#973)
    _rule(
        r"\bError in thread \(\w+\): You do not have enough GPU memory available to train\b",
        "gpu",
        "faceswap",
        level_blind=True,
    ),
    # nvdiffrast's check of a CUDA call prints the error's number and the call: 2 is
    # cudaErrorMemoryAllocation ("RuntimeError: Cuda error: 2[cudaMalloc(&m_gpuPtr, bytes);]",
    # NVlabs/nvdiffrast#182)
    _rule(r"\bCuda error: 2\[cudaMalloc\w*\(", "gpu", "nvdiffrast"),
    # GCC's compiler proper exits when the host cannot give it memory: its page allocator's
    # perror ("virtual memory exhausted: Cannot allocate memory", a CI build of NCCL's device
    # code, pytorch/pytorch#76206) and libiberty's xmalloc ("cc1: out of memory allocating 65536
    # bytes after a total of 1487814656 bytes")
    _rule(
        r"^virtual memory exhausted: Cannot allocate memory$"
        r"|^(?:cc1\w*(?:\.exe)?: )?out of memory allocating \d+ bytes after a total of \d+ bytes$",
        "host",
        "gcc",
        always_fatal=True,
    ),
    # git's allocator, which dies ("fatal: Out of memory, malloc failed (tried to allocate
    # 947912704 bytes)", cloning zlib in TensorFlow's CMake build on Windows,
    # tensorflow/tensorflow#21542)
    _rule(
        r"^fatal: Out of memory, malloc failed \(tried to allocate \d+ bytes\)",
        "host",
        "git",
        batch_helps=False,
        always_fatal=True,
    ),
    # a PBS site's job epilogue after the job hit its memory limit ("Out of Memory condition
    # reached, job memory usage should be reevaluated.", under "Memory summary:", a Keras job
    # on a DoD HPC node, tensorflow/tensorflow#42661)
    _rule(
        r"^Out of Memory condition reached, job memory usage should be reevaluated\.",
        "host",
        "pbs",
        batch_helps=False,
        always_fatal=True,
    ),
    # LLVM's handler of a failed allocation, which aborts ("rustc-LLVM ERROR: out of memory"
    # then "Allocation failed", rustc on a Windows host at its commit limit, a Rust OS project's
    # known-issues notes)
    _rule(
        r"^(?:[\w.+\-]{1,40}-)?LLVM ERROR: out of memory$",
        "host",
        "llvm",
        batch_helps=False,
        always_fatal=True,
    ),
    # the JVM's fatal error when the OS refuses it memory, in its hs_err banner or alone
    # ("# There is insufficient memory for the Java Runtime Environment to continue." then "#
    # Native memory allocation (mmap) failed to map 58576896 bytes for committing reserved
    # memory.", javac under Maven building Apache Oozie; Elasticsearch under journald)
    _rule(
        r"^There is insufficient memory for the Java Runtime Environment to continue\.",
        "host",
        "jvm",
        batch_helps=False,
        always_fatal=True,
    ),
    # bash's own allocator failing, which ends the shell ("/bin/bash: xmalloc: cannot allocate
    # 8192 bytes", a hook's shell on a Windows host at its commit limit)
    _rule(
        r"\bxmalloc: cannot allocate \d+ bytes\b",
        "host",
        "bash",
        batch_helps=False,
        always_fatal=True,
    ),
    # MSVC's compiler out of its heap (building qiskit-aer's wheel, "pybind_result.hpp(50): fatal
    # error C1060: compiler is out of heap space", Qiskit/qiskit-aer#2017)
    _rule(
        r"\bfatal error C1060: compiler is out of heap space$",
        "host",
        "msvc",
        batch_helps=False,
        always_fatal=True,
    ),
    # ...and GCC's when it cannot read an include into memory ("memory:81:12: fatal error:
    # .../bits/shared_ptr_atomic.h: Cannot allocate memory", then "compilation terminated.", a
    # TFLite build eating 16 GB and its swap, tensorflow/tensorflow#61921)
    _rule(
        r"^\S+:\d+:\d+: fatal error: \S.{0,4000}: Cannot allocate memory$",
        "host",
        "gcc",
        batch_helps=False,
        always_fatal=True,
    ),
    # ...and the EDG front end of nvcc (cudafe++) and Intel's compilers, with the source line it
    # was compiling ("StringUtil.h(68): catastrophic error: out of memory" building vLLM's
    # kernels, vllm-project/vllm#2175)
    _rule(
        r"\bcatastrophic error: out of memory$",
        "host",
        "nvcc",
        batch_helps=False,
        always_fatal=True,
    ),
    # Docker's BuildKit failing a build step whose process it could not give memory ("ERROR:
    # failed to solve: ResourceExhausted: process \"/bin/sh -c ...\" did not complete
    # successfully: cannot allocate memory", building vLLM's image, vllm-project/vllm#18040)
    _rule(
        r"\bfailed to solve: ResourceExhausted: .{0,8000}\bdid not complete successfully: "
        r"cannot allocate memory$",
        "host",
        "docker",
        batch_helps=False,
        always_fatal=True,
    ),
    # Metal's validation layer refusing a buffer over the device's largest (an iPhone's 2 GB:
    # llama.cpp's context for a 32k n_ctx, ggml-org/llama.cpp#6861); a smaller ubatch helps
    _rule(
        r"\bnewBufferWith\S*:length 0x[0-9a-fA-F]+ must not exceed \d+ MB\b",
        "gpu",
        "metal",
        batch_helps=True,
    ),
    # ExLlamaV2 splitting a model over the GPUs it has (turboderp/exllamav2#383)
    _rule(r"\bInsufficient VRAM for model and cache\b", "gpu", "exllamav2", batch_helps=False),
    # ...and its older loader's assertion when a layer no longer fits the split it was given
    # (turboderp/exllamav2#168: a 16k-squared attention scratch on 80 GB cards)
    _rule(
        r"^AssertionError: Insufficient space in device allocation$",
        "gpu",
        "exllamav2",
        batch_helps=False,
    ),
    # TensorRT-LLM's CUASSERT on a cuda-python call: error 2 is cudaErrorMemoryAllocation
    # ("RuntimeError: CUDA ERROR: 2, error code reference: https://nvidia.github.io/cuda-python/
    # ...", under cudaMalloc(self.engine.device_memory_size), NVIDIA/TensorRT-LLM#788)
    _rule(r"\bCUDA ERROR: 2, error code reference\b", "gpu", "tensorrt-llm"),
    # MLC LLM's load-time check: "TVMError: Check failed: (output_res.IsOk()) is false:
    # Insufficient GPU memory error: The available single GPU memory is 19314.976 MB, which is
    # less than the sum of model weight size ..." (mlc-ai/mlc-llm#2791)
    _rule(
        r"\bInsufficient GPU memory error: The available single GPU memory is [\d.]+ ?MB",
        "gpu",
        "mlc",
        batch_helps=False,
    ),
    # TensorRT's builder: "[TRT] [E] 2: [virtualMemoryBuffer.cpp::resizePhysical::140] Error
    # Code 2: OutOfMemory (no further information)" while it tries tactics; it skips the ones
    # that do not fit and builds on (VoltaML#15, DeepStream-Yolo#366): fatal only when the
    # build then fails (NVIDIA/TensorRT-LLM#346: "Engine building failed")
    # ...but not when it creates an execution context for a built engine: no tactic to skip,
    # the context cannot run (pytorch/TensorRT#4227: 149 GB asked for by an eval's module)
    _rule(
        r"\[executionContext\.cpp::initializeExecutionContext::\d+\] Error Code 2: OutOfMemory\b",
        "gpu",
        "tensorrt",
        batch_helps=False,  # set-up, before any batch runs
    ),
    _rule(r"\bError Code 2: OutOfMemory\b", "gpu", "tensorrt", survivable=True),
    # ...and its default allocator failing outright (pytorch/TensorRT#2836). TensorRT allocates
    # while building an engine and creating an execution context, before any batch runs.
    # (TensorRT 7's words: "Cuda Error in nvinfer1::internal::DefaultAllocator::allocate: 2 (out
    # of memory)", NVIDIA/TensorRT#477)
    _rule(
        r"\[defaultAllocator\.cpp::allocate::\d+\] Error Code 1: Cuda Runtime \(out of memory\)"
        r"|\bCuda Error in nvinfer1::internal::DefaultAllocator::allocate: 2 \(out of memory\)",
        "gpu",
        "tensorrt",
        batch_helps=False,
    ),
    # MindSpore's device allocator after freeing what it could: "[ERROR] PRE_ACT(...)
    # [.../mem_dynamic_allocator.cc:392] AddMemBlockAndMemBufByEagerFree] TotalUsedMemStatistics
    # : 29356337664 plus ... alloc size : 301990400 is more than total mem size : 29464985600."
    # (mindspore-lab/mindnlp#1761, mindspore-lab/mindone#820)
    _rule(
        r"\bAddMemBlockAndMemBufByEagerFree\] .{0,300}\balloc size : \d+ is more than total mem "
        r"size : \d+",
        "gpu",
        "mindspore",
    ),
    # ...and its kernel launcher's, raised as an exception (MS_LOG(EXCEPTION)): "RuntimeError:
    # Malloc for kernel output failed, Memory isn't enough, node:Default/Cast-op446"
    # (mindspore-lab/mindone#465)
    _rule(
        r"\bMalloc for kernel (?:input|output|workspace) failed, Memory isn't enough\b",
        "gpu",
        "mindspore",
    ),
    # TVM (MLC-LLM): "InternalError: Check failed: (e == cudaSuccess || e ==
    # cudaErrorCudartUnloading) is false: CUDA: out of memory"
    _rule(r"\bis false: CUDA: out of memory\b", "gpu", "tvm"),
    # LMDeploy's TurboMind: "[TM][ERROR] CUDA runtime error: out of memory /lmdeploy/src/..."
    # (its "[TM][ERROR] " can be read as a header after a collector's time stamp). Its
    # deviceMalloc in utils/memory_utils.cu is the weights' allocation (the _create_weight_func
    # thread, InternLM/lmdeploy#1593, #2381); run-time buffers come from its allocator.h
    _rule(
        r"(?:\[TM\]\[ERROR\] |^)CUDA runtime error: out of memory "
        r"/\S*/turbomind/utils/memory_utils\.cu:\d+",
        "gpu",
        "turbomind",
        batch_helps=False,
    ),
    _rule(
        r"\[TM\]\[ERROR\] CUDA runtime error: out of memory(?= /|$)"
        r"|^CUDA runtime error: out of memory /\S*/turbomind/",
        "gpu",
        "turbomind",
    ),
    # Intel Gaudi (HPU): "RuntimeError: [Rank:0] FATAL ERROR :: MODULE:PT_DEVMEM Allocation
    # failed for size::939524096 (896)MB" (accelerate's batch-size search counts it as an OOM)
    # (the older bridge's module is DEVMEM; its graph compiler's workspace is SYNHELPER's: "FATAL
    # ERROR :: MODULE:SYNHELPER workspace Allocation of size ::14493510400 failed!" in a
    # backward pass, HabanaAI/Model-References#10: a smaller batch ran)
    _rule(
        r"\bMODULE:(?:PT_)?DEVMEM Allocation failed for size::\d+"
        r"|\bMODULE:SYNHELPER workspace Allocation of size ::?\d+ failed\b",
        "gpu",
        "hpu",
    ),
    # Huawei Ascend (torch_npu, vllm-ascend): the CANN runtime's error code, and the workspace
    # allocator's "NPU out of memory. NPUWorkspaceAllocator tried to allocate 180.00 MiB(NPU 1;"
    # (also as "EL0004: [PID: 553] 2025-09-17-04:55:13.065.712 Failed to allocate memory.",
    # vllm-project/vllm-ascend#1993), torch_npu's own error record "[E1204 11:18:17.728425480
    # compiler_depend.ts:444] NPU out of memory." above its "ERR00006 PTA memory error"
    # (vllm-project/vllm-ascend#4678)
    _rule(
        r"\b(?:Memory_Allocation_Failure\(EL0004\):|EL0004: \[PID: \d+\] [\d\-:.]+) "
        r"Failed to allocate",
        "gpu",
        "ascend",
    ),
    _rule(r"\bNPU out of memory\. NPUWorkspaceAllocator tried to allocate", "gpu", "ascend"),
    # ...and CANN's code with no pid ("EL0004: 2025-01-31-08:23:58.845.175 Failed to allocate
    # memory.", hiyouga/LLaMA-Factory#6816)
    # (or with neither: "EL0004: Failed to allocate memory." under torch_npu's "The Inner error
    # as above.")
    _rule(r"\bEL0004: (?:\d{4}-\d\d-\d\d-[\d:.]+ )?Failed to allocate memory\b", "gpu", "ascend"),
    # MindIE (Ascend's inference server) failing its warm-up (gpustack/gpustack#3541)
    _rule(r"\bWarmup failed, because of [\w ]{0,60}out of memory\b", "gpu", "ascend"),
    # Intel's XPU before "XPU out of memory": "RuntimeError: Allocation is out of device memory
    # on current platform." (intel/ipex-llm#11167)
    _rule(r"\bAllocation is out of device memory on current platform\b", "gpu", "xpu"),
    # AWS Neuron's runtime: "ERROR  TDRV:dmem_alloc_internal   Failed to alloc DEVICE memory:
    # 180355072" then "TDRV:tensor_allocate   Failed to allocate 180355072 bytes on DEVICE"
    # (aws-neuron/aws-neuron-sdk#1014), as raised: "RuntimeError: nrt_tensor_allocate status=4
    # message="Allocation Failure"" (vllm-project/vllm#12443)
    _rule(
        r"\bTDRV:(?:dmem_alloc_internal +Failed to alloc DEVICE memory: \d+"
        r"|tensor_allocate +Failed to allocate \d+ bytes on DEVICE\b)",
        "gpu",
        "neuron",
    ),
    _rule(r'\bnrt_tensor_allocate status=4 message="Allocation Failure"', "gpu", "neuron"),
    # Tenstorrent's tt-metal allocator (its own line at "critical", the "info:" of a TT_FATAL
    # or TT_THROW): "Out of Memory: Not enough space to allocate 117440512 B DRAM buffer across
    # 12 banks, ..." (tenstorrent/tt-metal#31076, tenstorrent/tt-xla#4685)
    _rule(
        r"\bOut of Memory: Not enough space to allocate \d+ B (?:DRAM|L1(?:_SMALL)?)\b",
        "gpu",
        "tenstorrent",
    ),
    # AWS Neuron's compiler refusing a graph whose estimated peak HBM exceeds the device's
    # ("[XCG815]  Estimated peak HBM usage (22.839451) exceeds 16GB. Neff won't be able to load
    # on chip", in torch-neuronx's "Failed compilation with [...]", aws-neuron/aws-neuron-sdk#884):
    # the whole graph's estimate at compile time, weights with it (smaller batches still failed)
    _rule(
        r"\[XCG815\] +Estimated peak HBM usage \([\d.]+\) exceeds \d+GB\b",
        "gpu",
        "neuron",
        batch_helps=False,
    ),
    # ...and its program's circular buffers past a core's L1 ("Statically allocated circular
    # buffers on core range [...] grow to 2292704 B which is beyond max L1 size of 1499136 B",
    # tenstorrent/tt-inference-server#225, an "L1 OOM" of vLLM's engine)
    _rule(
        r"\bStatically allocated circular buffers on core range .{1,200} grow to \d+ B which is "
        r"beyond max L1 size of \d+ B",
        "gpu",
        "tenstorrent",
    ),
    # AMD's MIGraphX: "MIGraphX Error: .../hip.cpp:109: allocate_gpu: Memory not available to
    # allocate buffer: 251658240" (ROCm/AMDMIGraphX#1688)
    _rule(r"\ballocate_gpu: Memory not available to allocate buffer: \d+", "gpu", "migraphx"),
    # ComfyUI's explanation under a node's OOM ("Allocation on device", then "This error means
    # you ran out of memory on your GPU."), which it prints for the prompt that failed
    _rule(r"^This error means you ran out of memory on your GPU\.", "gpu", "comfyui"),
    # ...and its record of the failed prompt: the OOM's message is "Allocation on device "
    # (Comfy-Org/ComfyUI#6073, kijai/ComfyUI-HunyuanVideoWrapper#503)
    _rule(r"!!! Exception during processing !!! Allocation on device\s*$", "gpu", "comfyui"),
    # GHC's runtime (IHaskell's kernel): "ihaskell: out of memory (requested 2097152 bytes)"
    _rule(r"^[\w.\-]{1,60}: out of memory \(requested \d+ bytes\)$", "host", "ghc"),
    # Xinference's handler for a model's CUDA OOM, which then ends the model's actor
    # (xorbitsai/inference#912)
    _rule(r"^Model actor is out of memory\.$", "gpu", "xinference"),
    _rule(r"^NPU out of memory\.$", "gpu", "ascend"),
)

# Short messages: an OOM only when they ARE the message (start of the text after an
# exception type or a short label), followed by punctuation or the end of the line.
_WEAK: tuple[_Rule, ...] = (
    _rule(r"(?:CUDA|XPU|NPU) out of memory" + _END, "gpu", "pytorch"),
    _rule(r"HIP out of memory" + _END, "gpu", "hip"),
    _rule(
        r"(?:CUDA error|CUDA driver error|Triton Error \[CUDA\]|MUSA error): out of memory" + _END,
        "gpu",
        "pytorch",
    ),
    _rule(r"(?:HIP|ROCm) error: out of memory" + _END, "gpu", "hip"),
    _rule(r"cuda runtime error \(2\) : out of memory\b", "gpu", "pytorch"),
    # CTranslate2 (faster-whisper, whisperX): its own allocator, not PyTorch's
    _rule(r"CUDA failed with error out of memory" + _END, "gpu", "ctranslate2"),
    _rule(r"Cuda failure(?: \d+)? 'out of memory'", "gpu", "nccl"),
    _rule(r"RESOURCE_EXHAUSTED: .{0,60}\b(?:[Oo]ut of memory|memory space hbm)", "gpu", "xla"),
    # TensorFlow's copy to a GPU that has no memory left (its own tracker:
    # tensorflow/tensorflow#7025 "Getting 'Dst tensor is not initialized.' when really the
    # problem is out of GPU memory"); only as an exception's message, which eager execution ends
    # with the op's name ("... GatherV2: Dst tensor is not initialized. [Op:GatherV2]", #39656)
    _rule(
        r"(?:Failed copying input tensor from \S+ to \S+ in order to run \w+: )?"
        r"Dst tensor is not initialized\.?(?: \[Op:\w+\])?$",
        "gpu",
        "tensorflow",
    ),
    # torch-directml (AMD/Intel GPUs on Windows), also printed alone by ComfyUI
    _rule(
        r"Could not allocate tensor with \d+ bytes\. There is not enough GPU video memory"
        r" available\b",
        "gpu",
        "directml",
    ),
)
# Host memory exhausted, told by an exception's message only (never alone on a line: a
# shell's ``-bash: fork: Cannot allocate memory`` or a prose retelling is no job's failure).
_HOST_MESSAGE: tuple[_Rule, ...] = (
    # PyTorch's DataLoader when the kernel's OOM killer took a worker (SIGKILL). Not its
    # ``exited unexpectedly`` (any cause).
    _rule(r"DataLoader worker \(pid \d+\) is killed by signal: Killed\.", "host", "kernel"),
    # ...and its worker's SIGBUS, which PyTorch reads as /dev/shm full (the batches the workers
    # hand over live there): the shared-memory limit is the cure, not a smaller batch
    # (PaddlePaddle/Paddle#24708, mittagessen/kraken#699, ultralytics/yolov3#1151)
    _rule(
        r"DataLoader worker \(pid \d+\) is killed by signal: Bus error\. It is possible that"
        r" dataloader's workers are out of shared memory\b",
        "host",
        "shm",
        batch_helps=False,
    ),
    # ENOMEM: Python's OSError (fork, mmap...), PyTorch's shared-memory mmap
    # (in the locale's words too: zh_CN's after "OSError: [Errno 12] ", os.fork() in
    # andresriancho/w3af#7047)
    _rule(r"\[Errno 12\] (?:Cannot allocate memory\b|[^\x00-\x7f])", "host", "enomem"),
    _rule(
        r"unable to mmap \d+ bytes from file <[^>]{0,200}>: Cannot allocate memory \(12\)",
        "host",
        "enomem",
    ),
    # ...and its tensor shared with another process, written into /dev/shm: the write of its
    # last byte fails when /dev/shm is full ("RuntimeError: unable to write to file
    # </torch_8289_606636967_0>: No space left on device (28)", MIC-DKFZ/nnUNet; before the
    # errno was printed: "... </torch_76_3625483894> at /pytorch/aten/src/TH/THAllocator.c:383").
    # The shared-memory limit is the cure, not a smaller batch.
    _rule(
        r"unable to write to file </torch_[\d_]+>(?:: No space left on device \(28\)"
        r"| at \S*THAllocator\.c:\d+)?\s*$",
        "host",
        "shm",
        batch_helps=False,
    ),
    # ollama refuses to load a model larger than the free RAM (CLI and API client errors)
    _rule(
        r"model requires more system memory \(\d+(?:\.\d+)? [KMGT]i?B\) than is available\b",
        "host",
        "ollama",
    ),
    # ...and a model whose layers it cannot lay out in the free VRAM and RAM, at load, answering
    # the request with a 500 ("Error: 500 Internal Server Error: memory layout cannot be
    # allocated with num_gpu = 49", ollama/ollama#12846): the memory is the log's
    _rule(
        r"\bmemory layout cannot be allocated\b",
        "host",
        "ollama",
        batch_helps=False,
        unnamed=True,
    ),
    # ...and SGLang its hierarchical cache larger than the free RAM (sgl-project/sglang#8102)
    _rule(
        r"Not enough host memory available\. Requesting [\d.]+ ?[KMGT]i?B but only have ",
        "host",
        "sglang",
    ),
    # Windows: the commit limit (RAM + paging file) is reached, in any locale
    _rule(r"\[WinError 1455\]", "host", "windows"),
    # ...as Rust reports it (safetensors' loader: "OSError: The paging file is too small for
    # this operation to complete. (os error 1455)", in the locale's words too)
    _rule(r"[^\n]{0,200}\(os error 1455\)", "host", "windows"),
)
# An exception whose message is an error code's name (JCuda: ``jcuda.CudaException:
# CUDA_ERROR_OUT_OF_MEMORY``): the exception is the error around the name. Only as the
# message of an exception line; the name alone on a line is prose or a header file.
_CODE_MESSAGE: tuple[_Rule, ...] = (
    _rule(
        r"(?:(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Exception|Error): )?"
        r"(?:CUDA_ERROR_OUT_OF_MEMORY|cudaErrorMemoryAllocation)" + _END,
        "gpu",
        "cuda",
    ),
    _rule(
        r"(?:(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Exception|Error): )?"
        r"(?:hipErrorOutOfMemory|HIP_ERROR_OutOfMemory)" + _END,
        "gpu",
        "hip",
    ),
)
_KILLED: tuple[re.Pattern[str], ...] = (
    ascii_re(r"Killed$"),
    ascii_re(r"\*\*Killed\*\*$"),  # bolded by the reporter (CharlesShang/FastMaskRCNN#172)
    # macOS's sh and bash, which add the signal's number (a TF training job that leaked host
    # memory on a Mac, tensorflow/models#9231)
    ascii_re(r"Killed: 9$"),
    ascii_re("\u5df2\u6740\u6b7b$"),  # bash's "Killed" under a zh_CN locale: 已杀死
    # bash: "script: line 3: 123 Killed  cmd", "line" in the locale's words ("riga", "Zeile")
    # (run.pl's subshell pads its columns: "bash: line 1:  227304  Killed  (gmm-latgen-faster
    # ...)", kaldi-asr/kaldi#3751)
    # (indented by what relays it: pip's build output, "      /bin/bash: line 1:   367 Killed
    # cicc --c++17 ...", under BuildKit's step label, vllm-project/vllm#552)
    ascii_re(r" {0,8}[\w./\-]+: [^\s:]{2,12} \d+: +\d+ +Killed(?: |$)"),
    ascii_re(r"\[\d+\][+-]? +Killed +\S"),  # bash job control
    # bash's report without the script's name ("71885 Killed                  python -m ..."):
    # the status padded to its column
    ascii_re(r"\d{1,9} Killed {2,}\S"),
    ascii_re(r"\[\d+\][+-]? +\d+ killed +\S"),  # zsh's (CompVis/stable-diffusion#352)
    # ...glued to a step the program left without its newline ("MVM coalescing... [1]    51630
    # killed     ./vgg16.test", illinois-impact/puma-compiler#6)
    ascii_re(r".{1,200}\.\.\. \[\d+\][+-]? +\d+ killed +\S"),
    # bash's "script: line N: PID Killed" glued to the last line a program printed without its
    # newline ("Loading weights [...] from ....safetensors /home/u/webui.sh: line 255: 34389
    # Killed", AUTOMATIC1111/stable-diffusion-webui#11951)
    ascii_re(r".* /[\w./\-]+\.sh: [^\s:]{2,12} \d+: +\d+ Killed(?: |$)"),
    # bash's "Killed" glued to the progress bar tqdm left without a newline, in any unit:
    # "Loading checkpoint shards:  38%|██▊   | 3/8 [00:02<00:03,  1.28it/s]Killed",
    # "... 1859/5939 [01:01<02:39, 25.61 examples/s]Killed" (unslothai/unsloth#3442)
    ascii_re(r".*\d+%\|.*\[[^\]]*(?:/s|s/\w+)\](?:Killed|\u5df2\u6740\u6b7b)$"),
    # zsh (macOS's shell, where jetsam kills a process out of memory), also after a bar
    # (or after a CLI's braille spinner: "importing safetensors model ⠧ zsh: killed     ollama
    # create ...", on an 8 GB Mac, ollama/ollama#15800)
    ascii_re(
        r"(?:.*\d+%\|.*\[[^\]]*(?:it/s|s/it|\?it/s)\]|.{0,200}[\u2801-\u28ff] )?zsh: killed +\S"
    ),
    # bash's "Killed" glued to the last line a program printed without its newline
    # ("[+] Merging DictionariesKilled"): not after a colon (a status value, "TaskKilled")
    ascii_re(r"[^:]*[a-z.)\]]Killed$"),
    # ...or to Keras's bar ("165376/296960 [=====>.....] - ETA: 365s - loss: 2.1371Killed",
    # keras-team/keras#3476)
    ascii_re(r"\d+/\d+ \[[=>.]+\] - .*\dKilled$"),
)
# A launcher saying its worker died of SIGKILL, which nothing but the kernel's OOM killer sends
# unasked (DeepSpeed's maintainers: "-9 is system out of memory", deepspeedai/DeepSpeed#4239):
# DeepSpeed's launcher, torchrun's elastic agent and its ChildFailedError summary. Like a bare
# ``Killed``: not after a cancellation, a time limit or an explicit kill.
_SIGKILLED = ascii_re(
    r"(?:\[[\d\-: ,.]+\] )?(?:"
    r"\[ERROR\] \[launch\.py:\d+:sigkill_handler\] .*exits with return code = -9"
    r"|(?:ERROR:torch\.distributed\.elastic\.multiprocessing\.api:"
    r"|torch\.distributed\.elastic\.multiprocessing\.api: \[ERROR\] "
    r"|E\d{4} [\d:.]+ \d+ \S+\] "
    # (or the glog header cut inside its path: hiyouga/LlamaFactory#6608)
    r"|\S*multiprocessing/api\.py:\d+\] "
    r"|ERROR {2,8})?"  # (Rich's level column)
    r"failed \(exitcode: -9\) local_rank(?:: \d+ \(pid: \d+\)(?: of b.*"  # (cut: "of bi")
    # (or Rich's console layout: the record's source at the right edge, "binary:" on the next
    # line, huggingface/accelerate#1214)
    r"| of {1,40}[\w.]+\.py:\d+)?"
    # (or abridged by a note after the rank: "failed (exitcode: -9) local_rank: 0", then
    # "traceback : Signal 9 (SIGKILL) received by PID ...", a committed post-mortem)
    r"|: \d+\s*$"
    # (a paste that lost the fields after it: "local_rankroot/anaconda3/envs/faster/bin/python",
    # deepspeedai/DeepSpeed#3153)
    r"|\w*/\S*)"
    r"|traceback : [Ss]ignal 9 \(SIGKILL\) received by PID (?:\d+|\.\.\.$|…$)"
    # torch-neuronx's compiler run, killed while compiling a graph (its maintainers: "-9 means
    # the Linux OOM killer ended neuronx-cc", aws-neuron/aws-neuron-sdk#431; an inf2.xlarge's
    # 16 GB compiling SD 2.1, aws-neuron/aws-neuron-samples#10)
    r"|RuntimeError: neuronx-cc failed with -9"
    # a Python wrapper reporting its step's subprocess by its return code, -9 for SIGKILL ("❌
    # Training failed with exit code -9": macOS's memory-pressure kill on a Mac's unified memory,
    # mattmireles/gemma-tuner-multimodal#19)
    r"|(?:\W{1,4} )?[A-Z][a-z]{2,30} failed with exit code -9"
    # ollama's runner (its maintainers: "the operating system thought that the runner was too
    # big and would cause an OOM condition", ollama/ollama#10532)
    r"|Error: llama runner process has terminated: signal: killed"
    # ...as the server logs it, answering the request with a 500 (ollama/ollama#8571)
    r'|time=\S+ level=ERROR source=\S+ msg="error loading llama server" '
    r'error="llama runner process has terminated: signal: killed"'
    # gunicorn's arbiter reporting a worker killed from outside: it sends SIGKILL itself only
    # after a "WORKER TIMEOUT" (see _DELIBERATE), so the kernel's OOM killer is left
    # (ahmetoner/whisper-asr-webservice#195: each 1-2 GB upload on an 8 GB NAS)
    r"|Worker \(pid:\d+\) was sent SIGKILL! Perhaps out of memory\?"
    # torch.multiprocessing.spawn
    # (its first releases raised a bare Exception: "Exception: process 1 terminated with signal
    # SIGKILL", HRNet/HigherHRNet-Human-Pose-Estimation, Jeff-sjtu/HybrIK)
    r"|(?:(?:[\w.]+\.)?ProcessExitedException|Exception): process \d+ terminated with signal"
    r" SIGKILL"
    # an IDE's run console (PyCharm: noelshin/selfmask#11, teacherpeterpan/Logic-LLM#10, both
    # out of host memory). Its Stop button sends SIGINT first: a Python program then prints
    # KeyboardInterrupt, which marks the SIGKILL that may follow as deliberate.
    # (a Chinese locale's IDE prints full-width brackets and colon: "（interrupted by signal 9：
    # SIGKILL）", a YOLO training run's evaluation)
    r"|Process finished with exit code 137 [(\uff08]interrupted by signal 9[:\uff1a] ?SIGKILL"
    r"[)\uff09]"
    # Python's subprocess, as `accelerate launch` and torch.distributed.launch report their
    # worker (kohya-ss/sd-scripts#1065, microsoft/Swin-Transformer#267, in italics there)
    r"|_?(?:[\w.]+\.)?CalledProcessError: Command .{1,8000} died with <Signals\.SIGKILL: 9>\._?"
    # a compiler killed while building a CUDA extension (flash-attn, vLLM, PyTorch from
    # source, pytorch/pytorch#28886): gcc's "c++: internal compiler error: Killed (program
    # cc1plus)" or "fatal error: Killed signal terminated program cc1plus", nvcc's "nvcc error
    # : 'cicc' died due to signal 9 (Kill signal)"
    r"|[\w.+\-]{0,40}: (?:internal compiler error: Killed \(program cc1\w*\)"
    r"|fatal error: Killed signal terminated program cc1\w*)"
    r"|nvcc error +: '\w+' died due to signal 9 \(Kill signal\)"
    # ...and clang's driver reporting its compiler killed ("clang: error: unable to execute
    # command: Killed", building TFLite for Android, tensorflow/tensorflow#55680), and old
    # Bazel's ("C++ compilation of rule '//tensorflow/core/util:einsum_op_util' failed
    # (Killed)", tensorflow/tensorflow#41369)
    r"|clang(?:\+\+|-\d+)?: error: unable to execute command: Killed"
    r"|C\+\+ compilation of rule '\S+' failed \(Killed\)"
    # ...and Bazel's action whose compiler was killed ("ERROR: .../BUILD:475:11: Compiling
    # .../tf_ops.cc failed: (Killed): clang failed: error executing command (from target ...)",
    # a TensorFlow build under --local_ram_resources=3000, tensorflow/tensorflow#61648)
    r"|ERROR: \S+:\d+:\d+: .{1,400} failed: \(Killed\): [\w+.\-]+ failed: error executing "
    r"command\b.*"
    # GNU time's report of the command it ran (AlexeyAB/darknet#8308: mAP over 9 M detections
    # on a 32 GB host, the kernel's report in dmesg)
    r"|Command terminated by signal 9"
    # MPICH's hydra: "=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES" ... "=   EXIT
    # CODE: 9", the signal that killed the rank (mplbm#92)
    r"|=\s+EXIT CODE: 9\s*"
    r")$"
)


def _under_labels(line: _Line) -> list[str]:
    """The line from its start and from after each of the labels, time stamps and tags put
    before it (a launcher's rank label, a container's name, CI's time stamp): where a
    whole-line form may begin whose own first field looks like a prefix (bash's ``[1]+``,
    DeepSpeed's ``[time] [ERROR] [launch.py:..]``)."""
    prefix = len(line.raw) - len(line.body)
    starts = [0, prefix, *(k + 1 for k in range(prefix) if line.raw[k] == " ")]
    return [line.raw[k:].strip() for k in starts]


# torchrun's agent stops the other workers once one has died: its own SIGTERMs come before
# the report of the one that died, and are no sign that someone stopped the job.
_AGENT_CLEANUP = ascii_re(r"Sending process \d+ closing signal SIGTERM")
_EXCEPTION_LINE = ascii_re(
    r"(?P<etype>(?:[A-Za-z_]\w*\.){0,8}[A-Za-z_]\w*(?:\([\w.]{1,80}\))?)"
    r"(?: \(see above for traceback\))?"  # (TensorFlow 1.x's session: "InternalError (see ...")
    r"(?::\s*(?P<msg>.*))?$"
)
_EXCEPTION_NAME = ascii_re(r"(?:Error|Exception|Exhausted|Failure|Exit)(?:\([\w.]+\))?$")
_LABEL = ascii_re(r"(?P<label>[A-Za-z][\w\-]*(?: [\w\-]+){0,4}): (?P<msg>.*)$")
# (not advice: Ray's "Set max_restarts and max_task_retries to enable retry when the task
# crashes due to OOM")
# (not "Will not retry it.": CRAB giving up on a job HTCondor killed, dmwm/CRABServer#9367)
# (not a retry that failed: MXNet's "cudaMalloc retry failed: out of memory", after it freed
# its pool and tried once more)
_RETRYING = ascii_re(
    r"(?<!enable )(?<!to )(?<!not )\b[Rr]etry(?:ing)?\b(?! failed)|\bwill retry\b|\bRETRYING\b"
)
# ...not a retry that already failed ("llama-server startup failed after projector CPU offload
# retry: ... unable to allocate CUDA_Host buffer", ollama/ollama#16455)
_FAILED_AFTER_RETRY = ascii_re(r"\bfailed after (?:[\w\-]+ ){0,5}retr(?:y|ies)\b")
# The line says the process goes on: it halves/reduces the batch, skips, falls back. Only
# progressive and past forms: "Reduce the batch size" in an error message is advice.
_RECOVERED_HERE = ascii_re(
    r"\b[Hh]alv(?:ing|ed)\b|\b(?:[Rr]educ|[Dd]ecreas|[Ll]ower)(?:ing|ed) (?:the )?batch"
    r"|\b[Ss]kipping\b|\b[Ff]alling back\b|\b[Tt]rying again\b|\b[Rr]ecovered\b"
    # fairseq's OOM handler logs the exception it caught, then recovers (or re-raises: the
    # traceback that follows says so)
    r"|\bOOM: Ran out of memory with exception:"
    # transformers' benchmark utilities print the OOM they caught and record "N/A" for that
    # configuration ("Doesn't fit on GPU. CUDA out of memory. Tried to allocate ...")
    r"|^Doesn't fit on GPU\. "
    # a batch's OOM whose items are then run one at a time ("Error processing batch of 3
    # sequences: CUDA out of memory. ... Will try to embed each sequence in the set
    # individually on the GPU.", sacdallago/bio_embeddings#217)
    r"|\b[Ww]ill try to \w+ (?:each|every) \w+\b.{0,60}\bindividually\b"
)
# A log record at a level below ERROR: a program that logs an OOM as a warning has caught it
# (pytorch/pytorch#31252: ``WARNING:root:CUDA out of memory. Tried to allocate ...`` once per
# skipped batch while the progress bar goes on). glog: ``I1124``/``W1124``.
# (glog's letter opens the record, or follows a collector's header: a CI runner's, `docker
# logs -t`'s or `kubectl logs --timestamps`' time stamp, journald's date)
_HANDLED_LEVEL = ascii_re(
    r"\b(?:WARNING|WARN|INFO|DEBUG|TRACE|NOTICE)\b|(?:^|\s)\[?[IW]\d{3,4} "
    r"|(?:^|\s)I [\w./\-]+:\d+\]"
)


def _handled_level(head: str) -> bool:
    """Is the record logged below ERROR? A record relayed inside another (AlphaFold's
    ``run_docker.py`` logging its container's lines at INFO: ``I0922 ... run_docker.py:193]
    2021-09-22 16:49:00.853879: E external/...]``) has the level of the innermost header."""
    handled = [m.start() for m in _HANDLED_LEVEL.finditer(head)]
    if not handled:
        return False
    errors = [m.start() for m in _ERROR_LEVEL.finditer(head)]
    return not errors or errors[-1] < handled[-1]


# A command, a comment, code or prose quoting an OOM message: never a report.
_QUOTING = ascii_re(
    # (not C's own assert message: "[TensorRT] INTERNAL ERROR: Assertion failed: out of memory",
    # then "Aborting...", an MLPerf DLRM engine build)
    r"(?i)(?:^|[\s\"'`(=;|])(?:grep|egrep|fgrep|zgrep|rg|ag|awk|sed|echo|printf"
    # (nor a C library's assertion on its own expression: "Faiss assertion 'err__ ==
    # cudaSuccess' failed in ...; details: CUDA error 2 out of memory")
    r"|assert(?!ionError|ion failed:|ion '[^']{1,200}' failed\b)\w*"
    # (Python's keywords in their own case: "Import default pipeline error: CUDA out of ..." is
    # an application's failed step, RunPod-Fooocus-API#32)
    r"|expect\w*|(?-i:except|raise|elif|def|class|import)|catch|if|re\.\w+|pattern|regex"
    # a test's name as code names it, not a job named so ("Could not predict test_cdf7a. Not
    # Enough GPU memory? RESOURCE_EXHAUSTED: ...", ColabFold's log, sokrypton/ColabFold#186)
    r"|test_\w*(?!\w|\. [A-Z])"
    r"|e\.g|example|such as|like|contains?|startswith|endswith|search(?:es|ing)?"
    # a person telling what happened: "I'm getting include/alloc.h:103 NCCL WARN ..."
    r"|I'm|I am|I get|I got|I see|I saw|I receive|I keep|we get|we got|we see)\b"
    # (a shell prompt, but not TH's own error: "$ Torch: not enough memory: ...")
    r"|(?:^|\s)#+(?:\s|$)|^\s*//|^\$ (?!Torch: )|^>>> |^\+ |^In \[\d+\]"
    r"|::test_\w*"  # a pytest report: ``FAILED tests/x.py::test_y - torch.OutOfMemoryError``
)
# A scan's checklist of failure markers, each with what it found ("CUDA out of memory: absent",
# a committed run report of a verl smoke test that succeeded)
_CHECKED_ABSENT = ascii_re(r": (?:absent|not found|not present|missing)\.?$")
# Lines that are not the job's own output but a copy of someone's (never a report):
# * grep/rg output: ``old-logs/eval-1.err:torch.OutOfMemoryError: ...`` (``grep -r``),
#   ``old-logs/x.log:123:...`` (``grep -rn``; ``-`` for context lines), ``4924:torch...``
#   (``grep -n``/``rg -n`` on one file). The prefix is glued to the text (no space), unlike
#   bash (``slurm_script: line 22: ...``), srun labels (``0: ``) or NCCL (``node01:123:456
#   [3] ...``, no ``/`` and no extension). Python warnings (``memory.py:365: UserWarning:``)
#   are never reports either.
# * a ``> `` quote (markdown, e-mail); ``>>> `` is a Python prompt (see _QUOTING).
_GREP_OUTPUT = ascii_re(
    r"(?:(?:[\w.+~\-]*/)+[\w.+~\-]+"  # a path with a "/"
    r"|[\w.+~\-]+\.(?:log|out|err|txt|md|rst|py|json|jsonl|csv|tsv|ya?ml|sh|ipynb|html)"
    r"|[\w.+~\-]+\.[oe]\d{1,12})"  # PBS's and SGE's job output files ("dask-worker.o1838772")
    r"(?::(?:\d+[:-])?|-\d+-)(?=[^\s\d])"  # path:, path:lineno: (match), path-lineno- (context)
    r"|\d{1,9}:(?=[^\s\d])"  # lineno: (grep -n / rg -n on one file)
    # an editor's or an agent's search results ("Line 118: (Worker pid=147074) ERROR ...")
    r"|Line \d{1,9}: (?=\S)"
    # source locations: Python warnings (``memory.py:365: UserWarning: ...``), compilers
    r"|[\w./\-]+\.(?:log|out|err|txt|md|py|json|jsonl)[:-]\d+[:-]"
)
_QUOTE_MARK = ascii_re(r">+(?: |$)|> ?>")

# Text that only MENTIONS an OOM the process survived: recognised (the dashboard shows it)
# but never fatal. An exception repr inside a message (``caught OutOfMemoryError('CUDA out
# of memory ...'), halving the batch``); a JSON string value (a client logging a server's
# ``{"error": "CUDA out of memory ..."}``, a JSON log record's ``"message": "..."``).
_REPR_OPEN = ascii_re(
    r"\b(?:[A-Za-z_]\w{0,80}\.){0,8}[A-Za-z_]\w{0,80}(?:Error|Exception|Exhausted)\(\s*[rbuf]?['\"]"
)
_JSON_STRING_OPEN = (
    # {"error": "...   ["...   (escaped quotes inside: {"detail": "... details = \"Unexpected
    # <class 'RuntimeError'>: CUDA Error 2, out of memory\"", exo-explore/exo#322)
    ascii_re(r"(?:[{\[,]|\"\s*:)\s*\"(?:[^\"\\]|\\.)*$"),
    ascii_re(r"(?:[{\[,]|'\s*:)\s*'[^']*$"),  # a printed Python dict: {'error': '...
)
# A quoted YAML (or key=value) string: ``error: "CUDA out of memory ..."``, ``reason='...``
_KEY_STRING_OPEN = ascii_re(r"^\s*(?:- )?[A-Za-z_][\w\-]*\s*[:=]\s*([\"'])(?:(?!\1).)*$")


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: OomKind
    origin: str
    text: str  # the message text (body, possibly joined with the previous wrapped line)
    source: str
    rank: int | None
    batch_helps: bool | None
    always_fatal: bool
    retrying: bool
    mention: bool = False  # the line itself shows the OOM was survived: never fatal
    killed: bool = False
    # the mention is only the record's level or the line's own words ("skipping", a WARNING):
    # the program meant to go on, which a crash right after can still belie
    handled: bool = False
    raised_below: bool = False  # see _Rule


# A sentence that opened a double quote before the message and has not closed it: ``... lead
# the error "torch.cuda.OutOfMemoryError: ..."?`` (a lowercase word, maybe a comma, a space,
# the quote; a log's own ``key="``, ``Generation("`` or NCCL's ``Cuda failure 'out of memory'``
# do not)
_PROSE_QUOTE_OPEN = ascii_re(r"\b[a-z]{2,},? +[\"\u201c][^\"\u201d]*$")


# A markdown list item that opens with a bold name: ``- **Exception Message:** MPS backend out
# of memory ...`` (ComfyUI's error report pasted as a document), ``- **Qwen/Qwen3-235B** (SFT
# Full) on 8xH100: [rank1]: torch.OutOfMemoryError: ...`` (a report listing failed runs): a
# document's words; no program logs this shape
# ...or with a name in inline code (a generated report's "- `Qwen2.5-7B-Instruct__P` (oom):
# OutOfMemoryError: ...", "- `error`: CUDA out of memory ..." under "## Eval Metrics")
_MARKDOWN_FIELD = ascii_re(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*[^*]+\*\*|`[^`]+`)")


# A markdown list item telling what happened in words before the message ("1. failed to fit
# params to free device memory ... abort → 11 × Insufficient Memory (...)", ggml-org/
# llama.cpp#27309): a summary of the log, not a line of it
_LIST_ITEM = ascii_re(r"\s*(?:[-*+]|\d+[.)])\s+")


# ...or recording a run by its fields ("- N=1048576 backend=megablocks_dmoe: returncode=1
# reason=error: CUDA out of memory ...", a sweep's report of the runs it made): a record of
# another process's outcome, not that process's log
_KEY_VALUE = ascii_re(r"\b\w+=[^\s=]+")


_IDENTIFIER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."


# A report's field whose value cites another log's line by its file and line number
# ("first_oom=server.log:707 1790287751398 [prefix-cache] snapshot failed (DriverError(...))",
# a burst test's summary of a server's log): the line is that report's, not the server's
_CITED_LINE = ascii_re(r"\b\w+=(?:[\w.+~\-]*/)*[\w.+~\-]+\.(?:log|out|err|txt):\d+\s")


def _quoted(prefix: str) -> bool:
    """Is a message after ``prefix`` quoted (command, code, prose, inside markdown `code`)?"""
    return (
        prefix.count("`") % 2 == 1
        or _CITED_LINE.search(prefix) is not None
        or _QUOTING.search(prefix) is not None
        or _PROSE_QUOTE_OPEN.search(prefix) is not None
        or _MARKDOWN_FIELD.match(prefix) is not None
        or (
            _LIST_ITEM.match(prefix) is not None
            and (len(_PROSE_WORD.findall(prefix)) >= 4 or len(_KEY_VALUE.findall(prefix)) >= 2)
        )
    )


def _copied(body: str) -> bool:
    """Is the line a copy of another log's line (grep output, a ``> `` quote)?"""
    return _GREP_OUTPUT.match(body) is not None or _QUOTE_MARK.match(body) is not None


def _inside_repr(prefix: str) -> bool:
    """Does ``prefix`` end inside an exception repr, ``OutOfMemoryError('...``?"""
    opened = None
    for opened in _REPR_OPEN.finditer(prefix):  # noqa: B007 - the last one counts
        pass
    if opened is None:
        return False
    quote = prefix[opened.end() - 1]  # the repr's string ends at this quote and a paren
    return quote + ")" not in prefix[opened.end() :]


def _inside_json_string(prefix: str) -> bool:
    """Does ``prefix`` end inside a JSON (or printed dict) string value or array element?"""
    for pattern in _JSON_STRING_OPEN:
        opened = pattern.search(prefix)
        if opened is not None and ("{" in prefix[: opened.end()] or "[" in prefix[: opened.end()]):
            return True
    return False


_ASYNCIO_FAILED = ascii_re(
    r"\bfuture: <(?:Future|Task) finished .{0,300}exception=[\w.]+\(\s*['\"]$"
)


# An exception whose whole message is the repr of the OOM it wraps, raised from a handler
# ("gradio.exceptions.Error: OutOfMemoryError('CUDA out of memory. ...')" after `raise
# gr.Error(e)`, deepbeepmeep/Wan2GP#2228): the exception line is the report
_WRAPPING_EXCEPTION = ascii_re(r"(?:[A-Za-z_]\w{0,80}\.){0,8}\w{0,80}(?:Error|Exception): ")


def _raised_wrapping(prefix: str) -> bool:
    wrapping = _WRAPPING_EXCEPTION.match(prefix)
    if wrapping is None:
        return False
    opened = _REPR_OPEN.match(prefix, wrapping.end())
    return opened is not None and _REPR_OPEN.search(prefix, opened.end()) is None


# A program's own print of an exception it caught, after an arrow ("FAIL at total=4608MiB ->
# OutOfMemoryError: CUDA out of memory. ...", a GPU-sharing test pod that goes on holding what
# it got, then prints "final held MiB: 4096"); not .NET's inner exception ("---> System.
# OutOfMemoryException"), which is the report
_CAUGHT_ARROW = ascii_re(
    r"\S.*[^-]-> (?:(?:[A-Za-z_]\w{0,80}\.){0,8}\w{0,80}(?:Error|Exception): )?$"
)


def _mentioned(prefix: str) -> bool:
    """Is a message after ``prefix`` only mentioned: a repr inside a message, a JSON value?"""
    if _inside_json_string(prefix) or _KEY_STRING_OPEN.match(prefix):
        return True
    if _CAUGHT_ARROW.match(prefix):
        return True
    if _raised_wrapping(prefix):
        return False
    # a repr that IS the message (older vLLM: ``ERROR ... engine.py:157] OutOfMemoryError(
    # 'CUDA out of memory ...')`` and then its traceback) is a report; one inside is not
    # asyncio's report of a task that died of it (``future: <Future finished exception=
    # OutOfMemoryError('CUDA out of memory ...')>``, vllm-project/vllm#3407) is a report too
    return (
        _inside_repr(prefix)
        and _REPR_OPEN.match(prefix) is None
        and _ASYNCIO_FAILED.search(prefix) is None
    )


# An error code's name reports an error only with an error around it: ``HIP error ...
# hipErrorOutOfMemory !!!``, ``HIPError(code hipErrorOutOfMemory, ...)``, ``failed with``.
_CODE_CONTEXT = ascii_re(r"(?i)error|fail|abort|could not|cannot|unable|!!!|\bpanicked\b")
# A person's sentence before an error code's name ("First try with -ngl 99 (needed -fit off to
# get past an unrelated crash): error 39 UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY"): many plain
# lowercase words; a log line names its code after a short header and a few words
_PROSE_WORD = ascii_re(r"(?:^|\s)[a-z]{2,}(?=[\s,.;:)]|$)")
_PROSE_WORDS = 10
# ...but an error chain's words end in a colon right before the code ("Execution of replica 0
# failed: INTERNAL: ... custom call 'xla.gpu.conv.forward' failed: CUDNN_STATUS_ALLOC_FAILED",
# google/flax#3376): each cause is the message of the one before
_ERROR_CHAIN_END = ascii_re(r"(?i)\b(?:failed|error): $")


@dataclass(frozen=True, slots=True)
class _Found:
    rule: _Rule
    mention: bool = False


def _any_of(rules: Sequence[_Rule]) -> re.Pattern[str]:
    return ascii_re("|".join(f"(?:{rule.pattern.pattern})" for rule in rules))


# One pass over a line tells whether any specific message can be in it (most candidate lines
# of a busy log hold none): the rules are then tried one by one only on the few that can.
_STRONG_ANY = _any_of(_STRONG)


def _match_rules(text: str, rules: Sequence[_Rule], anchored: bool) -> _Found | None:
    if rules is _STRONG and _STRONG_ANY.search(text) is None:
        return None
    for rule in rules:
        match = rule.pattern.match(text) if anchored else rule.pattern.search(text)
        if match is None:
            continue
        if anchored:
            return _Found(rule, rule.survivable)
        prefix = text[: match.start()]
        if rule.code and not _CODE_CONTEXT.search(prefix + " " + text[match.end() :]):
            continue  # the name of an error code alone (prose, a header file) reports nothing
        if (
            rule.code
            and len(_PROSE_WORD.findall(prefix)) >= _PROSE_WORDS
            and _ERROR_CHAIN_END.search(prefix) is None
        ):
            continue  # a sentence telling what happened, with the code's name in it
        if not _quoted(prefix):
            return _Found(rule, rule.survivable or _mentioned(prefix))
    return None


# The one indented report: a TPU job's summary of its workers' errors ("Status code: Resource
# exhausted [9x]" then "  Compilation failure: Ran out of memory in memory space hbm. Used
# 8.38G of 8.00G hbm."); the sizes make it no source line or help text.
_INDENTED_TPU_SUMMARY = _rule(
    r"\s{1,8}Compilation failure: Ran out of memory in memory space \w+\. Used [\d.]+\s*"
    r"[KMGTP]?i?B? of [\d.]+\s*[KMGTP]?i?B?",
    "gpu",
    "xla",
)

# ...and HTCondor's job event log, which indents each event's details under its header line
# ("012 (1234.000.000) 2023-05-02 10:10:10 Job was held." then "\tError from slot1_9@host:
# Job has gone over memory limit of 4096 megabytes. Peak usage: 4088 megabytes.")
_INDENTED_REPORTS = (
    _INDENTED_TPU_SUMMARY,
    # an entry of XLA's "Largest program allocations in hbm" list, which only its out-of-memory
    # error carries: the list's tail when a paste cut the error's first line (EasyLM#98)
    _rule(
        r"\s{1,8}Allocation type: (?:HLO temp|scoped|program|parameter|output|thread-local)\s*$",
        "gpu",
        "xla",
    ),
    _rule(
        r"\s{1,8}Error from [\w.@\-]+: Job has gone over memory limit of \d+ megabytes\b",
        "host",
        "htcondor",
    ),
    # Rust's abort glued to whatever the program last printed without a newline, here an
    # indented progress line (rustup's " 42.0 MiB /  60.2 MiB ( 70 %) ... ETA:  2smemory
    # allocation of 166442784 bytes failed", rust-lang/rust#73202): glued, it is no quote
    _rule(r"\s.*\S(?=memory allocation of \d+ bytes failed)", "host", "rust"),
    _WGPU_NO_MEMORY_LEFT,
    # NCCL's last error under torch's DistBackendError, in a block a fence keeps indented
    # ("  Last error:" then "  Failed to CUDA calloc 8388608 bytes", pytorch/torchtitan#660)
    _rule(r"\s{1,8}Failed to CUDA calloc(?: async)? \d+ bytes$", "gpu", "nccl"),
)


# A benchmark harness's summary of the exceptions that ended a run (milabench: "* Error codes =
# 1, 1", "* 1 exceptions found", then "\t* 1 x RuntimeError: ..."): the run's own failure,
# indented as a list item (mila-iqia/milabench#301)
_HARNESS_SUMMARY = ascii_re(
    r"\s{1,8}\* \d+ x (?P<exception>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception): \S.*)$"
)


# Triton's Python back-end failing a request with the exception its model raised ("pb_stub.cc:
# 402] Failed to process the request(s) for model 'uie_0', message: MemoryError: std::bad_alloc",
# PaddlePaddle/FastDeploy#1616): the request is answered with that error
_TRITON_REQUEST_FAILED = ascii_re(
    r"\bFailed to process the request\(s\) for model (?:instance )?'[^']{1,200}', message: (?=\S)"
)


# A person telling of their own failure with the message straight after ("... i got this
# error: RuntimeError: CUDA out of memory ...", pytorch/pytorch#65027; "I get this error ==>
# MemoryError: ..."): their run's failure, as a sentence in any language running into it is,
# also with the message in quotes or as inline code ("i would get this error------ "MemoryError:
# bad allocation"", tensorflow/tensorflow#39434). Without naming an error it stays a quote.
_OWN_FAILURE_TOLD = ascii_re(
    r"(?i)\b(?:I|we)(?:'m| am| are)? +(?:(?:keep|would|will|always|still|now|also|then|just)"
    r" +)*(?:got|get|getting|receive[ds]?|receiving|see|saw"
    r"|encounter(?:ed)?|hit|ran into|run into)\b"
    r"(?: +(?:this|the|an?|another|following|same|below|similar))*"
    r" +(?:errors?|issues?|problems?|exceptions?)(?: +message)?"
    r" *(?:(?::|==>|=>|->|-{2,}|={2,}) *(?=\S)|(?=[\"\u201c`'])"
    # ("i am getting error RuntimeError: unable to mmap ...": the exception's name follows)
    r"|(?<=\w) +(?=(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exhausted)\w*: ))"
)
# ...but not a condition, which a guide writes ("When I get this error: ..., lower the batch")
_CONDITION_BEFORE = ascii_re(r"(?i)\b(?:when|whenever|if|once|unless|until|in case)\s*$")


# The hs_err banner the JVM prints on a fatal error, every line after "# "
_JVM_BANNER = ascii_re(r"# (?=There is insufficient memory for the Java Runtime Environment\b)")


def _match_text(text: str) -> _Found | None:
    """The rule a message body satisfies, or None. ``text`` is a prefix-stripped body."""
    cause = _CAUSE.match(text) or _INTERNAL_STATUS_ENTRY.match(text)
    if cause is not None:
        return _match_text(text[cause.end() :])
    if text and text[0].isspace():
        for indented in _INDENTED_REPORTS:
            if indented.pattern.match(text):
                return _Found(indented)
        summary = _HARNESS_SUMMARY.match(text)
        if summary is not None:
            return _match_text(summary.group("exception"))
    if not text or text[0].isspace() or _copied(text):
        return None
    if _JVM_BANNER.match(text):  # the JVM's "#" is its banner's, no comment
        return _match_text(text[2:])
    told = _OWN_FAILURE_TOLD.search(text)
    if (
        told is not None
        and not _quoted(text[: told.start()])
        and _CONDITION_BEFORE.search(text[: told.start()]) is None
    ):
        return _match_text(text[told.end() :].lstrip("\"'`\u201c"))
    if _QUOTING.match(text) or _CHECKED_ABSENT.search(text):
        return None
    failed_request = _TRITON_REQUEST_FAILED.search(text)
    if failed_request is not None and not _mentioned(text[: failed_request.start()]):
        return _match_text(text[failed_request.end() :])
    found = _match_rules(text, _STRONG, anchored=False)
    if found is not None:
        return found
    exception = _EXCEPTION_LINE.match(text)
    if exception is not None:
        etype = exception.group("etype")
        message = exception.group("msg") or ""
        if _EXCEPTION_NAME.search(etype) or "." in etype:
            if "OutOfMemoryError" in etype and message.startswith("out of resource:"):
                # Triton's kernel asking more shared memory per block than the SM has
                # ("OutOfMemoryError: out of resource: triton_per_fused_..." then "Required:
                # 327768 Hardware limit:232448", pytorch/pytorch#175250): a launch limit, not
                # memory running out; smaller blocks fit, a smaller batch does not help
                return None
            if "OutOfMemoryError" in etype:
                # Ray's memory monitor raises its own OutOfMemoryError; a task's own exception
                # comes wrapped ("RayTaskError(OutOfMemoryError): ray::Worker.f() ...", a
                # torch OOM on the worker's GPU: NVIDIA-NeMo/RL#3793)
                # (Ray 1.x's monitor named its own RayOutOfMemoryError, wrapped or not:
                # "RayTaskError(RayOutOfMemoryError): ray::...handle_request()", ray#21425)
                wrapped = "TaskError(" in etype or "ActorError(" in etype
                if (
                    (etype.startswith("ray.") and not wrapped)
                    or "RayOutOfMemoryError" in etype
                    or "running low on memory" in message
                ):
                    return _Found(_Rule(_EXCEPTION_LINE, "host", "ray"))
                if etype.startswith("java."):
                    # the JVM's heap, metaspace or threads, or native memory a library asked
                    # for: a GPU's when the message names it (RAPIDS for Spark: "Could not
                    # allocate native memory: std::bad_alloc: out_of_memory: CUDA error at:
                    # ...", NVIDIA/spark-rapids#7341)
                    gpu = _ACCELERATOR_WORDS.search(message) is not None
                    return _Found(_Rule(_EXCEPTION_LINE, "gpu" if gpu else "host", "jvm"))
                if message.startswith("HIP"):
                    return _Found(_Rule(_EXCEPTION_LINE, "gpu", "hip"))
                if etype.startswith(("cupy.", "cupy_backends.")):  # CuPy's memory pool
                    return _Found(_Rule(_EXCEPTION_LINE, "gpu", "cupy"))
                return _Found(_Rule(_EXCEPTION_LINE, "gpu", "pytorch"))
            if etype.endswith("OutOfMemoryException"):
                # .NET's ("System.OutOfMemoryException: Exception of type 'System.
                # OutOfMemoryException' was thrown.", dotnet/machinelearning#6288)
                gpu = _ACCELERATOR_WORDS.search(message) is not None
                return _Found(_Rule(_EXCEPTION_LINE, "gpu" if gpu else "host", "dotnet"))
            if etype.endswith("MemoryError"):
                if _THEANO_OTHER_CAUSE.search(message):
                    return None
                if "cuMemAlloc" in message or "CUDA" in message or "device memory" in message:
                    return _Found(_Rule(_EXCEPTION_LINE, "gpu", "cuda"))
                return _Found(_Rule(_EXCEPTION_LINE, "host", "python"))
            memory = _TF_MEMORY.search(message)
            if (
                etype.endswith("ResourceExhaustedError")
                and memory is not None
                and not _quoted(message[: memory.start()])
                and not _mentioned(message[: memory.start()])
            ):
                # TensorFlow: "OOM when allocating tensor ...", eager "failed to allocate memory"
                kind: OomKind = "host" if _TF_CPU.search(message) else "gpu"
                return _Found(_Rule(_EXCEPTION_LINE, kind, "tensorflow"))
            return _match_exception_message(message)
    carried = _EXCEPTION_CARRIER.match(text)
    if carried is not None:
        return _match_exception_message(text[carried.end() :])
    found = _match_rules(text, _WEAK, anchored=True)
    if found is not None:
        return found
    label = _LABEL.match(text)
    if label is not None and not _quoted(label.group("label")):
        return _match_rules(label.group("msg"), _WEAK, anchored=True)
    return None


# TensorFlow's numbered entry of an error's root causes, its status code a label ("(0)
# Internal: Dst tensor is not initialized." under "InternalError: 2 root error(s) found.")
_INTERNAL_STATUS_ENTRY = ascii_re(r"\(\d+\) (?=Internal: )")


# Theano raises MemoryError for any failed device allocation and names CUDA's reason after it:
# "(out of memory)" is the memory, "(initialization error)" a context CUDA could not create
# (60 MB on a free 12 GB card, NVIDIA's developer forums, thread 148586)
_THEANO_OTHER_CAUSE = ascii_re(
    r"\bError allocating \d+ bytes of device memory \((?!out of memory\))[\w ]{1,40}\)"
)


def _match_exception_message(message: str) -> _Found | None:
    """The rule an exception's message satisfies (the exception is the error around it)."""
    found = (
        _match_rules(message, _WEAK, anchored=True)
        or _match_rules(message, _CODE_MESSAGE, anchored=True)
        or _match_rules(message, _HOST_MESSAGE, anchored=True)
    )
    if found is None and _OOM_MESSAGE_START.match(message):
        # an exception whose message starts with the allocator's words, whatever follows:
        # "RuntimeError: CUDA out of memory when ..." (the type is the report)
        found = _Found(_Rule(_OOM_MESSAGE_START, "gpu", _origin_of(message)))
    return found


# ComfyUI's record of the exception that failed a prompt, its message without its type ("!!!
# Exception during processing !!! El archivo de paginación es demasiado pequeño para completar
# la operación. (os error 1455)", Comfy-Org/ComfyUI#11009): read as that exception's message
# ...and Chainer's trainer, which prints the exception's message so before its traceback and
# raises it again ("Exception in main training loop: out of memory to allocate 163840000 bytes
# (total 1673061376 bytes)", CuPy's pool; motokimura/spacenet_building_detection#3)
_EXCEPTION_CARRIER = ascii_re(
    r"!!! Exception during processing ?!!! (?=\S)|Exception in main training loop: (?=\S)"
)
# A JVM stack trace's cause, the exception the one above wraps ("Caused by: java.lang.
# OutOfMemoryError: Could not allocate native memory: ...", NVIDIA/spark-rapids#7341), and
# .NET's inner exception (" ---> System.OutOfMemoryException: Exception of type ...",
# dotnet/machinelearning#6288): the whole exception line follows. R's reticulate reports a
# Python exception under its own "Error: " ("Error: numpy.core._exceptions._ArrayMemoryError:
# Unable to allocate 30.5 GiB ...", a committed note of zellkonverter's readH5AD): a module path
_CAUSE = ascii_re(
    r"(?:Caused by: | ?---> )(?=[A-Za-z_][\w.$]*(?:Error|Exception)\b)"
    r"|Error: (?=(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:Error|Exception): )"
)


# C++ runtimes: ``terminate called after throwing an instance of 'c10::Error'`` then
# ``  what():  CUDA error: out of memory`` (libtorch, MXNet's dmlc, dlib, mallocMC...). The
# process aborts: any out-of-memory message there is a fatal report.
_CXX_HEAD = ascii_re(r" {0,4}what\(\): +$")
# (old libstdc++ prints the type's mangled name as what(): "  what():  St9bad_alloc", in a 2006
# Hydrogen forum post)
# (Vulkan-Hpp throws its result code as a type: "vk::OutOfDeviceMemoryError", what(): "vk::
# Device::createDescriptorPool: ErrorOutOfDeviceMemory", a llama-server build under WSL)
_CXX_OOM = ascii_re(r"(?i)out of memory|\b(?:St9)?bad_alloc\b|OutOf(?:Device)?Memory|\bOOM\b")
_GPU_WORDS = ascii_re(r"(?i)cuda|\bhip|gpu|device|c10::|cudnn|cublas|nccl|vram|\bmps\b")


# vLLM V0's count of KV blocks at start-up, under its log header: with none on the device the
# engine raises "No available memory for the cache blocks" next (raise_if_cache_size_invalid),
# a line pastes often cut. Its own "#" is no comment here.
_VLLM_NO_GPU_BLOCKS = _rule(
    r"# (?:cuda|CUDA|GPU|gpu|npu|NPU|xpu|XPU|hpu|HPU) blocks: 0, # CPU blocks: \d+",
    "gpu",
    "vllm-kv",
    batch_helps=False,
    always_fatal=True,
    level_blind=True,  # logged at INFO
)

# ...and vLLM V1's budget for it, under its log header: at or below zero the engine raises the
# same error next (check_enough_kv_cache_memory), which pastes often cut inside the traceback
# of "EngineCore failed to start." (vllm-project/vllm-omni#469)
_VLLM_NEGATIVE_KV = _rule(
    r"Available KV cache memory: -[\d.]+ ?GiB$",
    "gpu",
    "vllm-kv",
    batch_helps=False,
    always_fatal=True,
    level_blind=True,  # logged at INFO
)
_VLLM_NO_KV_ANNOUNCED = (_VLLM_NO_GPU_BLOCKS, _VLLM_NEGATIVE_KV)
# ...unless the engine reports the KV cache it made right after: a build that places the cache
# off the device ("Allocated 19.06 GiB host-UVA KV cache") goes on to serve (a GLM-5.2 run's
# committed server log: "GPU KV cache size: 400,000 tokens" under the negative budget)
_VLLM_KV_MADE = ascii_re(r"\bGPU KV cache size: [1-9][\d,]* tokens\b")


def _vllm_kv_made_after(window: Sequence[_Line], i: int) -> bool:
    return _VLLM_NEGATIVE_KV.pattern.match(window[i].body) is not None and any(
        _VLLM_KV_MADE.search(line.raw) for line in window[i + 1 :]
    )

# ...whose memory profile, right above the count, says what was left for the KV cache ("the
# rest of the memory reserved for KV Cache is -0.94GiB."): the count is vLLM's even where the
# log lost its headers (a project's committed log of vLLM 0.7.3 on a 6 GB RTX 3050)
_VLLM_KV_BUDGET = ascii_re(r"\bthe rest of the memory reserved for KV Cache is -?[\d.]+ ?GiB\.")


def _vllm_blocks_under_profile(window: Sequence[_Line], i: int) -> bool:
    return _VLLM_NO_GPU_BLOCKS.pattern.match(window[i].body) is not None and any(
        _VLLM_KV_BUDGET.search(window[k].raw) for k in range(max(0, i - 2), i)
    )


# vLLM's CPU back-end at start-up ("[cpu_worker.py:235] Explicitly set (0.0/11.65) GiB for KV
# cache on node 0.", "Using HND KV cache layout for CPU_ATTN backend."): its KV cache is host
# memory, though its errors speak of gpu_memory_utilization (er0080/vllm-benchmarking's log)
_VLLM_CPU_BACKEND = ascii_re(r"\[cpu_(?:worker|model_runner)\.py:\d+\]|\bfor CPU_ATTN backend\b")


def _vllm_on_cpu(window: Sequence[_Line], i: int) -> bool:
    # (or its error names the CPU back-end's KV space: "Try increasing `VLLM_CPU_KVCACHE_SPACE`
    # or decreasing `max_model_len`", opea-project/GenAIExamples#1762)
    return "VLLM_CPU_KVCACHE_SPACE" in window[i].raw or any(
        _VLLM_CPU_BACKEND.search(line.raw) for line in window[:i]
    )


def _after_no_blocks(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i`` vLLM's error raised for a count of no KV blocks reported above it?"""
    return _VLLM_NO_CACHE_BLOCKS.pattern.search(window[i].body) is not None and any(
        window[k].head and rule.pattern.match(window[k].body)
        for k in range(i - 1, -1, -1)
        for rule in _VLLM_NO_KV_ANNOUNCED
    )


def _match_record(text: str, head: str) -> _Found | None:
    """The rule ``text`` satisfies, given the log header of the line it starts on."""
    for rule in _VLLM_NO_KV_ANNOUNCED if head else ():
        if rule.pattern.match(text):
            return _Found(rule)
    found = _match_text(text)
    if found is None and _CXX_HEAD.match(_own_head(head)):
        words = _CXX_OOM.search(text)
        if words is not None and not _quoted(prefix := text[: words.start()]):
            kind: OomKind = "gpu" if _GPU_WORDS.search(text) else "host"
            found = _Found(_Rule(_CXX_OOM, kind, "cxx"), _mentioned(prefix))
    return found


# Any runtime's own wording, when an error record says in plain words that memory ran out.
# Runtimes keep inventing wordings (Neuron's "Failed to alloc DEVICE memory", MIGraphX's
# "Memory not available to allocate buffer", ExLlamaV2's "Insufficient VRAM for model and
# cache"); the rules above name the known ones with their details, this reads the rest. The
# words must fail (not "to avoid running out of memory") and the line must be an error:
# an exception, an error label or level, or a C program's "function: failed ..." line.
_EXHAUSTION_WORDS = ascii_re(
    r"(?i)\b(?:ran |run |running |is |was )?out of (?:[\w\-]+ ){0,2}memory\b"
    r"|\b(?:insufficient|not enough|no enough) (?:[\w\-]+ ){0,3}(?:memory|VRAM|RAM|HBM)\b"
    r"|\b(?:failed|unable|cannot|can ?not|can't|could ?not|couldn't) (?:to )?"
    r"(?:alloc(?:ate)?|reserve|malloc)\b[^.;,]{0,60}?\b(?:memory|VRAM|buffers?)\b"
    # ...or a size ("Failed to allocate 4.000GB (alignment: none, usage: tensors) on ND 0:NC 4",
    # the Neuron runtime's)
    r"|\b(?:failed|unable|cannot|can ?not|could ?not) (?:to )?alloc(?:ate)? [\d.,]+ ?"
    r"(?:bytes|[KMGT]i?B)\b"
    r"|\bmemory allocation (?:has )?(?:failed|failure|error)\b|\bmemory not available\b"
    r"|\bmemory (?:is |was )?exhausted\b"
    # the words the other way round ("Memory isn't enough", MindSpore; "device memory is
    # insufficient")
    r"|\b(?:memory|VRAM|RAM|HBM) (?:is not|isn't|was not|wasn't) enough\b"
    r"|\b(?:memory|VRAM|RAM|HBM) (?:is |was )?insufficient\b"
)
# What makes the line an error: an exception, a C program's "function: failed ..." line, an
# error label (after bracketed tags) or a line that opens with a failure. The last two are
# also how people write about errors: they count only among other log lines (see _in_log).
_ERROR_WORDS = ascii_re(
    r"(?:\[[^\]]{1,80}\] ?)*(?:"
    r"(?P<exception>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Failure|Exhausted)"
    r"(?:\([\w.]+\))?:\s)"
    r"|(?P<function>(?:[A-Za-z][\w\-]*(?:::|:|\.))*[a-z][a-z0-9]*(?:_[a-z0-9]+)+:? "
    r"(?:error: )?(?=\S*[Ff]ail))"
    r"|(?:[\w.\-]+ )?\[?(?:ERROR|FATAL|CRITICAL|PANIC|Error|Fatal|error|fatal|panic)\]?[:!\]]\s"
    r"|(?:[Ff]ailed|FAILED|[Uu]nable|[Cc]ould not|[Cc]annot) "
    r")"
)
# Words that make the memory words a condition, a guess or advice: "to avoid running out of
# memory", "if you run out of memory", "it is possible that the workers are out of memory"
_ADVICE = ascii_re(
    r"(?i)\b(?:avoid|prevent|if|when|may|might|could|would|should|possibl[ey]|probably|likely"
    r"|maybe|perhaps)\W+(?:[\w']+\W+){0,3}$"
)
# Not memory running out: Metal's command buffer status ("Insufficient Memory", capitalised; read
# with its code by the ggml rule above, alone the runner can go on: ollama#6257), pinned host
# memory (every runtime falls back to pageable memory: ggml, TensorFlow, Triton), shared memory
# (/dev/shm in words, Triton kernels' on-chip memory; Triton's Python backend naming its region
# and "No space left on device" has a rule above), Triton's "out of resource" and V8's heap limit
# (a configured cap: "JavaScript heap out of memory")
_NOT_EXHAUSTION = ascii_re(
    r"Insufficient Memory\b"
    r"|(?i:\b(?:pinned|shared) (?:\w+ )?memory\b|\bout of resource|\bJavaScript heap\b)"
    # the dynamic loader's fixed TLS area ("libgomp.so.1: cannot allocate memory in static TLS
    # block", fixed by LD_PRELOAD): no memory ran out
    r"|\bin static TLS block\b"
    # Qiskit's "memory slots" are a circuit's classical bits ("Failed to load qobj: Invalid Qobj
    # experiment: not enough memory slots.", Qiskit/qiskit-aer#1783)
    r"|\bmemory slots\b"
    # TFLite's AllocateTensors failing on an op's preparation, not on memory ("Internal error:
    # Cannot allocate memory for the interpreter: .../conv.cc:201 filter->type != data_type (3 !=
    # 1)Node 4 failed to prepare.", tensorflow/tensorflow#22535; the same wrapper with no detail
    # after a model's version change, tensorflow/tensorflow#19051; its Swift API's "Failed to
    # allocate memory for input tensors." after "Node number 1 (CONCATENATION) failed to
    # prepare.", tensorflow/tensorflow#37733)
    r"|\bCannot allocate memory for the interpreter\b"
    r"|\bFailed to allocate memory for input tensors\b"
    # OpenCL refusing a size no buffer can have (CL_INVALID_BUFFER_SIZE: "Failed to allocate
    # device memory (clCreateBuffer): Invalid buffer size", an overflowed size, TF Lite's GPU
    # delegate, tensorflow/tensorflow#86048): no memory ran out
    r"|\(clCreateBuffer\): Invalid buffer size\b"
    # FlashInfer's fixed-size workspace buffer ("Out of workspace memory in AlignedAlloactor"
    # [sic], vllm-project/vllm#362 in a fork's tracker): a configured buffer, the GPU had room
    r"|\bOut of workspace memory in Aligned"
    # TensorRT's builder skipping a tactic that wants more than is free, at ERROR, and
    # building on ("Device memory is insufficient to use tactic.", NVIDIA-AI-IOT/torch2trt#706)
    r"|\binsufficient to use tactic\b"
    # TVM's graph memory planner refusing a symbolic shape at compile time ("Check failed:
    # (pval != nullptr) is false: Cannot allocate memory symbolic tensor shape [T.Any(),
    # T.Any()]", apache/tvm#16509): nothing was allocated
    r"|\bCannot allocate memory symbolic tensor shape\b"
    # Darknet's check_error ends with perror(): the CUDA error, then whatever errno held
    # ("CUDA Error: mapping of buffer object failed: Cannot allocate memory", AlexeyAB/darknet
    # #6381: a launch timeout); only its own "CUDA Error: out of memory" is the memory
    r"|\bCUDA Error(?: Prev)?: (?!out of memory\b)[^:]{1,80}: Cannot allocate memory$"
    # RDMA memory registration (UCX's "ibv_reg_mr(address=..., length=26400, access=0xf) failed:
    # Cannot allocate memory", ARCHER2's known issues): the NIC's registration limits, fixed by
    # UCX_IB_REG_METHODS, with the node's RAM free; like mlock's RLIMIT_MEMLOCK. Other verbs
    # calls fail the same way ("mlx5dv_create_qp(mlx5_3:1, DCI): failed: Cannot allocate memory")
    r"|\b(?:ibv|mlx5dv)_\w+\("
    # ...as Mooncake's transfer engine words it (rdma_context.cpp: "Failed to register memory
    # 0x7f7186000000: Cannot allocate memory [12]" for an 80 GiB segment, 60 GiB fine,
    # kvcache-ai/Mooncake#1382)
    r"|\bFailed to register memory 0x[0-9a-f]+: Cannot allocate memory\b"
    # an allocation that failed for a named cause that is not the memory (UCX's "Failed to
    # allocate memory pool (name=rc_recv_desc) chunk: Input/output error" after ibv_reg_mr hit
    # the locked-memory limit, microsoft/DeepSpeedExamples' ViT log, which trains on)
    r"|\b[Ff]ailed to allocate\b.{0,120}: (?:Input/output error|Invalid argument"
    r"|Operation not permitted|Permission denied|Bad address|No such device)$"
    # the NVIDIA kernel driver's own check of an internal allocation ("NVRM: nvCheckOkFailedNoLog:
    # Check failed: Out of memory [NV_ERR_NO_MEMORY] (0x00000051) returned from
    # _memdescAllocInternal(pMemDesc)"): logged in healthy start-ups and at rest
    # (vllm-project/vllm#56824); a process it fails reports its own CUDA error
    r"|\bnvCheckOkFailed\w*: |\[NV_ERR_NO_MEMORY\]"
)
_GENERIC_PROSE_WORDS = 12
_FAILED_BECAUSE = ascii_re(r"\b(?:[Ff]ailed|FAILED)(?: \([^()]{1,40}\))?: $")
_RAN_OUT = ascii_re(r"(?i)out of |insufficient |not enough |no enough ")
_LEVEL_TOKEN = ascii_re(r"(?<![\w\-.])\[?(?:ERROR|FATAL|CRITICAL|E)\]?(?![\w\-.])(?=\s)")
_HOST_WORDS = ascii_re(
    r"(?i)\bhost\b|\bRAM\b|system memory|\bCPU\b|_cpu_|\b(?:mkl_)?malloc\b|\bmmap\b|runtime: out"
)
# an accelerator runtime's call for host memory (MindSpore's data arena: "cudaHostAlloc failed,
# ret[2], out of memory", mindspore-ai/mindspore#172)
_HOST_ALLOC = ascii_re(r"\b(?:cudaHostAlloc|cudaMallocHost|hipHostMalloc|hipHostAlloc)\b")
_ACCELERATOR_WORDS = ascii_re(
    r"(?i)cuda|\bhip\b|rocm|gpu|device|vram|\bhbm\b|xpu|npu|\bmps\b|metal|\btpu\b|neuron"
    r"|accelerat|kv.cache|dmem|cudnn|cublas|nccl|vulkan|sycl"
    r"|tensorrt|\[TRT\]"  # TensorRT's builder and runtime allocate on the GPU
    r"|poplar|popart|\bipu\b"  # Graphcore's IPU
)


def _match_error_words(text: str, head: str) -> _Found | None:
    words = _EXHAUSTION_WORDS.search(text)
    if words is None or text[:1].isspace() or _NOT_EXHAUSTION.search(text):
        return None
    prefix = text[: words.start()]
    error = _ERROR_WORDS.match(text)
    # the record's level, in a header evalmon knows or in one it does not ("2024-Oct-15
    # 18:01:17.728750  3882:3882  ERROR  TDRV:dmem_alloc_internal  Failed to alloc ...")
    levelled = (
        _ERROR_LEVEL.search(_own_head(head)) is not None or _LEVEL_TOKEN.search(prefix) is not None
    )
    # a named operation's failure whose cause is the memory ("ds4: CUDA q8 fp16 cache alloc
    # failed (64.00 MiB): out of memory", antirez/ds4#78): a program's error chain
    # (not errno 12's "Cannot allocate memory": fork() fails with it when the address space,
    # not the memory, runs out)
    chained = _FAILED_BECAUSE.search(prefix) is not None and bool(_RAN_OUT.search(words[0]))
    if error is None and not levelled and not chained:
        return None
    said = prefix[error.end() :] if error is not None and error.end() <= len(prefix) else prefix
    if (
        _quoted(prefix)
        or prefix.count('"') % 2 == 1
        or prefix.rstrip()[-1:] in ("'", "\u201c")
        or len(_PROSE_WORD.findall(said)) >= _GENERIC_PROSE_WORDS
        or _ADVICE.search(prefix)
        or text.rstrip().endswith("?")
    ):
        return None
    host = _HOST_ALLOC.search(text) is not None or (
        _HOST_WORDS.search(text) is not None and _ACCELERATOR_WORDS.search(text) is None
    )
    kind: OomKind = "host" if host else "gpu"
    shaped = (
        levelled or chained or (error is not None and (error["exception"] or error["function"]))
    )
    rule = _ERROR_WORDS_RULES[kind] if shaped else _LABEL_WORDS_RULES[kind]
    return _Found(rule, _mentioned(prefix))


def _names_no_memory(text: str) -> bool:
    """Does the failure name no memory (no host and no accelerator words)?"""
    return _HOST_WORDS.search(text) is None and _ACCELERATOR_WORDS.search(text) is None


def _kind_from_log(window: Sequence[_Line], i: int, default: OomKind = "host") -> OomKind:
    """The memory of a failure that names none (line ``i``): ``default``, unless the log names
    the other memory up to this line. Host by default, the GPU's in a log that names an
    accelerator (ollama#6606: "error loading model: unable to allocate backend buffer" on a
    machine short of RAM). onnxruntime's arena is the GPU's by default, the host's when its CPU
    provider is named: its CPU arena rarely fails (the host's malloc gives), its CUDA arena on a
    full card often (6 of the corpus's 7 such failures without a name were on a GPU)."""
    other = _ACCELERATOR_WORDS if default == "host" else _CPU_NAMED
    if any(other.search(line.raw) for line in window[: i + 1]):
        return "gpu" if default == "host" else "host"
    return default


# a CPU named: onnxruntime's CPU execution provider, or the NCHWc layout only it runs ("Conv
# node. Name:'347_nchwc'", DayBreak-u/chineseocr_lite#355)
_CPU_NAMED = ascii_re(r"\bCPUExecutionProvider\b|_nchwc\b|\bCPU\b")


_GENERIC_ORIGIN = "other"  # a runtime with no rule of its own
_ERROR_WORDS_RULES = {k: _Rule(_EXHAUSTION_WORDS, k, _GENERIC_ORIGIN) for k in ("gpu", "host")}
_LABEL_WORDS_RULES = {k: _Rule(_ERROR_WORDS, k, _GENERIC_ORIGIN) for k in ("gpu", "host")}


def _named_after(window: Sequence[_Line], i: int, hit: _Hit) -> tuple[int, _Hit]:
    """A failure read from its words, when the next lines of its source name it with a rule
    (llama.cpp's "graph_reserve: failed to allocate compute buffers" then "failed to allocate
    compute pp buffers", at load): that line is the event, with its origin and phase. It is
    the same failure, so it stays one event (the later line is a repeat of this one). A
    mention or a handled record stays what it is."""
    if hit.mention or hit.handled:
        return i, hit
    for k in range(i + 1, min(len(window), i + 1 + CONTEXT_AFTER)):
        if window[k].source != hit.source:
            continue
        if _is_boundary(window[k]) or window[k].body.startswith((">>>", "Traceback")):
            break
        named = _recognise(window, k)
        if (
            named is not None
            and named.origin != _GENERIC_ORIGIN
            # the same memory, unless this line named none (its kind was read from the log)
            and (named.kind == hit.kind or _names_no_memory(window[i].body))
        ):
            return k, named
    return i, hit


# A JavaScript error's stack ("    at [eval]:1:1" under "RangeError: WebAssembly.Memory(): could
# not allocate memory", Node's docs): no process evalmon runs reports its memory this way
_V8_FRAME = ascii_re(r"\s+at (?:\S+ \(.*:\d+:\d+\)|\S+:\d+:\d+)\s*$")


# A command typed at a shell prompt (PowerShell's "PS C:\Users\me> ", bash's "user@host:~$ ",
# "$ "): the lines after it are that command's output.
_BASH_PROMPT = r"(?:\([\w.\-]+\) )?[\w.\-]+@[\w.\-]+:\S*[$#]"  # "(env) user@host:~/dir$"
_SHELL_PROMPT = ascii_re(r"(?:PS [A-Za-z]:\\[^>]{0,200}> |" + _BASH_PROMPT + r" |\$ )\S")


# IPython's traceback marks the line each frame was at: "--> 255     self._executable = ..."
_IPYTHON_ARROW = ascii_re(r"-*> {1,3}\d+ ")


def _in_log(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i`` among log lines: a log header, a traceback, an error line, within the 4
    lines before it, or a command's output after a shell prompt or IPython's traceback? (Never
    the lines after it: a line read live has none yet, and its verdict must not change.)"""
    for k in range(max(0, i - 4), i):
        line = window[k]
        if line.head or _FRAME.match(line.body) or _ERROR_WORDS.match(line.body):
            return True
        if _SHELL_PROMPT.match(line.body) or _IPYTHON_ARROW.match(line.body):
            return True
        if line.body.startswith("Traceback (most recent call last)"):
            return True
    return False


# A markdown table row (``| 64 | CUDA out of memory |``, ``| CUDA out of memory | lower the
# batch |``): data about some run, or advice, never this process's report.
_TABLE_ROW = ascii_re(r"\s*\|(?:[^|]*\|)+\s*$")
# a cell of an HTML table (pandas' to_html of a benchmark's results: "<td>CUDA out of memory.
# Tried to allocate 1.12 GiB. ...", a run's outcome as a value, minerva4ai-eu/minerva-benchmarks#41)
_HTML_CELL = ascii_re(r"\s*<t[dh]\b[^>]{0,200}>")
# ...but Triton's own table of its models' states, which it logs at start-up: a model that
# failed to load is "| tensorrt_llm | 1 | UNAVAILABLE: Internal: ... out of memory ... |"
_TRITON_MODEL_STATE = ascii_re(r"\s*\|\s*[\w.\-]+\s*\|\s*\d+\s*\|\s*(?=UNAVAILABLE: )")
# ...whose status column it wraps at a fixed width, mid-word, onto rows with the first two
# cells empty ("|   |   |  in ::cudaMallocAsync(...): out of memory (.../tllmB |", then "| ... |
# uffers.h:112)", triton-inference-server/tensorrtllm_backend#80)
_TRITON_STATE_CELL = ascii_re(
    r"\s*\|\s*[\w.\-]+\s*\|\s*\d+\s*\| (?P<cell>UNAVAILABLE: .*?)(?: \|)?\s*$"
)
_TRITON_MORE_CELL = ascii_re(r"\s*\|\s*\|\s*\| (?P<cell>.*?)(?: \|)?\s*$")
_TRITON_ROWS = 12


def _triton_status(window: Sequence[_Line], i: int) -> str | None:
    """The whole status of the Triton model whose wrapped status row line ``i`` is."""
    if _TRITON_MORE_CELL.match(window[i].raw) is None:
        return None
    for k in range(i - 1, max(-1, i - _TRITON_ROWS), -1):
        start = _TRITON_STATE_CELL.match(window[k].raw)
        if start is not None:
            # up to this row only: whether it reports an OOM never waits for the rows after
            rows = [_TRITON_MORE_CELL.match(line.raw) for line in window[k + 1 : i + 1]]
            return start["cell"] + "".join(row["cell"] for row in rows if row is not None)
        if _TRITON_MORE_CELL.match(window[k].raw) is None:
            return None
    return None


# A YAML document (a config or results dump printed by the job): ``error: CUDA out of memory
# ...`` under a ``---`` line with only mapping entries between. Without the ``---`` such a
# line cannot be told from a C program's ``function_name: message`` log line (llama.cpp's).
# A quoted value (``error: "CUDA out of memory ..."``) is a mention, see _mentioned.
_YAML_ENTRY = ascii_re(r"\s*(?:- )?[A-Za-z_][\w\-]*:(?: |$)|\s*- |\s*#")
_YAML_DOC = ascii_re(r"---\s*$")
_YAML_LINES = 30


def _yaml_value(window: Sequence[_Line], i: int) -> bool:
    line = window[i]
    if line.head or _YAML_ENTRY.match(line.raw) is None:
        return False
    for k in range(i - 1, max(-1, i - _YAML_LINES), -1):
        previous = window[k].raw
        if _YAML_DOC.match(previous):
            return True
        if previous.strip() and _YAML_ENTRY.match(previous) is None:
            return False
    return False


# A Python source file quoting an error in a triple-quoted string ('"""\nIt raises an error as
# follows:\nRuntimeError: CUDA out of memory. ...\n"""' at the end of a demo script): the
# string opens after the script's statements. Not a traceback whose left-out frames the
# reporter marked with three quotes (tatsu-lab/stanford_alpaca#308), nor a log.
_TRIPLE_QUOTE = ascii_re("\"\"\"|'''")
_PYTHON_STATEMENT = ascii_re(
    r"\s*(?:import [\w.]+|from [\w.]+ import \w|def \w+\(|class \w+[(:]|\w[\w.]* = \S"
    r"|[A-Za-z_][\w.]*\(.*\)\s*$)"
)
_FRAME_OR_HEAD = ascii_re(r'\s*(?:Traceback \(most recent call last\)|File "[^"]*", line \d+)')
_PYTHON_STRING_LINES = 40


def _in_python_string(window: Sequence[_Line], i: int) -> bool:
    opener = next(
        (
            k
            for k in range(i - 1, max(-1, i - _PYTHON_STRING_LINES), -1)
            if _TRIPLE_QUOTE.search(window[k].raw)
        ),
        None,
    )
    if opener is None or len(_TRIPLE_QUOTE.findall(window[opener].raw)) % 2 == 0:
        return False  # no string open, or the nearest triple quote closes its own
    if _PYTHON_STATEMENT.match(window[opener].raw):
        return True  # ('message = """')
    above = window[max(0, opener - _PYTHON_STRING_LINES) : opener]
    if any(line.head or _FRAME_OR_HEAD.match(line.raw) for line in above):
        return False
    for line in reversed(above):
        if _TRIPLE_QUOTE.search(line.raw):
            return False  # another string's end: the nearest one may close, not open
        if _PYTHON_STATEMENT.match(line.raw):
            return True
    return False


# A traceback pasted or captured as an indented block (a CI step, a workflow manager's
# "Command error:" section): its lines keep the indent of its "Traceback" line.
# (torchelastic's failure summary names the child's traceback as a field, its lines under the
# field's indent: "  traceback : Traceback (most recent call last):", a torchtitan run's log)
_TRACEBACK_HEAD = ascii_re(r"(?P<indent>\s+)(?:traceback : )?Traceback \(most recent call last\):")
# ...and a log pasted in a markdown code block inside a list item: the fence and every line
# of the block carry the item's indent ("   ```" then "   torch.OutOfMemoryError: ...")
_FENCE = r"(?:```|~~~)[\w+\-]*\s*$"
_INDENTED_FENCE = ascii_re(r"(?P<indent> +)" + _FENCE)
_FENCE_OPEN = ascii_re(_FENCE)


_MESSAGE_LINES = 12  # an exception's message indented under its first line (see _dedented)
# An entry of a TensorFlow/XLA status list, "  (1) RESOURCE_EXHAUSTED: ...", "  (0) Resource
# exhausted: ...": logged under an error-level header it is the error's own text.
_STATUS_ENTRY = ascii_re(r"\s+\(\d+\) (?:[A-Z][A-Z_]{2,}|[A-Z][a-z]+(?: [a-z]+){0,3}): ")
# An entry that is TensorFlow's own OOM ("  (0) Resource exhausted:  OOM when allocating tensor
# with shape[...]"): no one else writes this shape, even when the list's first line is cut
_OOM_STATUS_ENTRY = ascii_re(
    r"\s+\(\d+\) (?:Resource exhausted|RESOURCE_EXHAUSTED): +OOM when allocating tensor\b"
)
# ...whose first line may be printed alone (torch_xla's "2 root error(s) found." then the
# entries, pytorch/xla#2574)
_ROOT_ERRORS = ascii_re(r"(?:\S.*: )?\d+ root error\(s\) found\.?\s*$")


def _pasted_block(
    before: list[str], line: str, after: list[str]
) -> tuple[list[str], str, list[str]]:
    """The lines without the indent of a log pasted as a markdown indented code block.

    Before fences, logs were pasted into issues indented by 4 spaces or a tab, every line
    alike, under a blank line. Such a block keeps its own layout under that indent (its
    traceback's source lines stay indented): the block starts after a blank line (or the
    window's start), and no line since undercuts the indent of the candidate line."""
    if not line[:1].isspace() or not line.strip():
        return before, line, after
    block = [line]
    fenced = False  # a fence opens the block: its lines were indented by 4 inside it
    for text in reversed(before):
        if not text.strip():
            break
        if _FENCE_OPEN.match(text):
            fenced = True
            break
        block.append(text)
    # the block's own indent: that of its least indented line
    indent = min((t[: len(t) - len(t.lstrip(" \t"))] for t in block), key=len)
    if len(indent) < (4 if fenced else 2) and "\t" not in indent:
        return before, line, after
    if not all(t.startswith(indent) for t in block):
        return before, line, after
    pasted_first = len(block) == len(before) + 1  # nothing above the block in sight
    if len(indent) < 4 and "\t" not in indent and not _list_item_block(block, pasted_first):
        return before, line, after
    cut = len(indent)

    def strip(texts: list[str]) -> list[str]:
        return [t[cut:] if t.startswith(indent) else t for t in texts]

    return strip(before), line[cut:], strip(after)


def _list_item_block(block: list[str], pasted_first: bool) -> bool:
    """A markdown list item's block is indented by its marker's width, 2 or 3 ("1. " then
    "   ggml_backend_cuda_buffer_type_alloc_buffer: ... cudaMalloc failed", xorbitsai/inference
    #2926): lines of a log, at least two up to this one or the first in sight (never the lines
    after: whether a line reports an OOM does not wait for them), with no sentence introducing
    them in the block (a pull request's "2. The OOM traceback was surfaced ...:" then its
    quote, pytorch/torchtitan#2374; a lone line under a sentence and a blank line,
    pytorch/pytorch#13751)."""
    return (len(block) >= 2 or pasted_first) and not any(
        text.rstrip().endswith(":") and len(_PROSE_WORD.findall(text)) >= 3 for text in block
    )


# A container's OOM in `kubectl describe pod` ("      Reason:       OOMKilled", under "Last
# State: Terminated") or `kubectl get pod -o yaml` ("  reason: OOMKilled")
_K8S_OOMKILLED = ascii_re(r"\s*[Rr]eason:\s+['\"]?OOMKilled['\"]?\s*$")
_K8S_POD_OOMKILLED = _Rule(_K8S_OOMKILLED, "host", "kubernetes")
# ...is a pod's own status when the lines above show a live pod: its current state, the YAML's
# exit code, or the kubectl command that printed it. ("Last State: Terminated" alone is also
# how a feature request draws the alert it wants, gimlet-io/gimlet#649.)
_K8S_STATUS = ascii_re(
    r"\s*(?:State:\s+(?:Waiting|Running|Terminated)\b|exitCode: \d+\s*$"
    r"|(?:[$#] )?kubectl\b.*\b(?:describe|get)\b)"
)


# `docker inspect`'s JSON: ``"OOMKilled": true,`` in a container's ``"State": {`` (a code
# sample's dict, or a doc's, shows no state above it)
_DOCKER_OOMKILLED = ascii_re(r'\s*"OOMKilled":\s*true,?\s*$')
_DOCKER_STATUS = ascii_re(r'\s*"State":\s*\{\s*$')
_DOCKER_OOMKILLED_RULE = _Rule(_DOCKER_OOMKILLED, "host", "docker")
_JOBLIB_KILLED_RULE = _rule(r"\s*" + _JOBLIB_SIGKILL, "host", "joblib")
_JOBLIB_STATUS = ascii_re(r".{0,200}\b" + _JOBLIB_TERMINATED)
# a container's OOM kill, each read only under its container's status; joblib's exit codes
# only under its error
_KILLED_UNDER_STATUS = (
    (_K8S_POD_OOMKILLED, _K8S_STATUS),
    (_DOCKER_OOMKILLED_RULE, _DOCKER_STATUS),
    (_JOBLIB_KILLED_RULE, _JOBLIB_STATUS),
)


def _status_above(window: Sequence[_Line], i: int, status: re.Pattern[str]) -> bool:
    return any(
        status.match(window[k].body)
        for k in range(i - 1, max(-1, i - 8), -1)
        if window[k].source == window[i].source
    )


def _dedented(window: Sequence[_Line], i: int) -> str:
    """The line's body without its indent when the indent is part of a message, else as is.

    Two indented blocks belong to a failure: a traceback captured with an indent (its lines
    keep the indent of its own ``Traceback`` line), and the rest of an exception's message
    under its first line (TensorFlow's ``ResourceExhaustedError: 2 root error(s) found.``
    then ``  (0) Resource exhausted: OOM when allocating tensor ...``). A status list's entry
    logged at error level (glog ``E ... xla_util.cc:88]   (1) RESOURCE_EXHAUSTED: ...``) is
    one too, even when its first line is out of sight.
    """
    body = window[i].body
    if not body[:1].isspace():
        return body
    # one space before an exception line is a paste's, not a block's indent (no traceback or
    # message block indents by one): "during generation of any prompt:" then " RuntimeError:
    # ... not enough memory" (AUTOMATIC1111/stable-diffusion-webui#13891)
    # Darknet prints its CUDA errors with one space of its own (printf("\n CUDA Error: %s\n"),
    # after " CUDA status Error: file: ./src/dark_cuda.c ...", WorkPlaceForMe/G-SATE's log.o)
    if (
        body[1:2] not in (" ", "\t")
        and (_EXCEPTION_START.match(body[1:]) or body.startswith(" CUDA Error: "))
        and not _cut_header(window, i)
    ):
        return body[1:]
    # a record whose header stands alone on the line above, its message indented by one
    # (LM Studio's log: "2026-04-18 21:08:53 [DEBUG]" then " libc++abi: terminating due to
    # uncaught exception ...", lmstudio-ai/mlx-engine#314)
    if (
        body[1:2] not in (" ", "\t")
        and i > 0
        and window[i - 1].head
        and not window[i - 1].body.strip()
        and window[i - 1].source == window[i].source
    ):
        return body[1:]
    # a traceback logged line by line as error records, its lines indented after the header
    # ("2025-03-14 11:05:29.634 ERROR:    torch.OutOfMemoryError: CUDA out of memory.",
    # tabbyAPI): the exception line is the record's message
    if _ERROR_LEVEL.search(window[i].head) and _EXCEPTION_START.match(body.lstrip()):
        return body.lstrip()
    if _STATUS_ENTRY.match(body) and (
        _ERROR_LEVEL.search(window[i].head) or _OOM_STATUS_ENTRY.match(body)
    ):
        return body.lstrip()
    indent = body[: len(body) - len(body.lstrip())]
    # a log viewer's copy puts every record's message in one column after its time stamp
    # (CloudWatch's console: "2024-01-12T19:26:34.787+08:00" and 16 spaces, then "raise
    # exception", then "torch.cuda.OutOfMemoryError: ...", huggingface/trl#1169): the same
    # indent on each record above is the column, not a block's
    if window[i].head and _EXCEPTION_START.match(body.lstrip()):
        above = [
            other.body
            for other in window[max(0, i - 6) : i]
            if other.head and other.body.strip() and other.source == window[i].source
        ]
        if len(above) >= 2 and all(
            other.startswith(indent) and not other[len(indent) : len(indent) + 1].isspace()
            for other in above
        ):
            return body.lstrip()
    # a code block's first line indented by fewer spaces than markdown's code indent: the
    # paste's, not the program's ("```python" then "   !!! Exception during processing!!!
    # CUDA error: out of memory", Comfy-Org/ComfyUI#2829). Judged without the lines after it.
    if len(indent) < 4 and i > 0 and _FENCE_OPEN.match(window[i - 1].raw):
        return body.lstrip()
    # ...and one space before a paste's first line, copied from a terminal with the column
    # before it (" Worker failed with error 'CUDA out of memory. ...'", MoonshotAI/Kimi-VL#51):
    # the text's start, or a paragraph's after a blank line
    if indent == " " and (i == 0 or not window[i - 1].raw.strip()):
        return body[1:]
    for k in range(i - 1, max(-1, i - CONTEXT_BEFORE), -1):
        other = window[k]
        if other.source != window[i].source:
            continue
        head = _TRACEBACK_HEAD.match(other.body) or _INDENTED_FENCE.match(other.body)
        if head is not None:
            return body[len(indent) :] if head.group("indent") == indent else body
        if other.body.strip() and not other.body[:1].isspace():
            # left the block: its first line may be the exception the block belongs to
            if i - k <= _MESSAGE_LINES and (
                _EXCEPTION_START.match(other.body)
                or (_STATUS_ENTRY.match(body) and _ROOT_ERRORS.match(other.body))
                or other.body.rstrip() == "Caused by:"  # Rust's anyhow/eyre error chain
                # Android Studio's logcat: an app's uncaught exception under its tag, the
                # rest indented ("E/AndroidRuntime: FATAL EXCEPTION: main", then "    Process:
                # ...", "    com.chaquo.python.PyException: RuntimeError: ...", chaquo/chaquopy)
                or _LOGCAT_FATAL.match(other.body)
            ):
                return body.lstrip()
            return body
        if other.body.strip() and not other.body.startswith(indent):
            return body
    return body


_LOGCAT_FATAL = ascii_re(r"FATAL EXCEPTION: \S+\s*$")


def _cut_header(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i-1`` a log header alone, the rest of its record cut onto line ``i`` by a
    terminal's width (see _continues)?"""
    if i == 0:
        return False
    previous = window[i - 1]
    return bool(previous.head) and not previous.body.strip()


_TF_MEMORY = ascii_re(r"(?i)\bOOM\b|alloc|memory")
_TF_CPU = ascii_re(r"device:CPU|\bcpu_allocator\b|by allocator cpu")
_OOM_MESSAGE_START = ascii_re(r"(?:CUDA|HIP|XPU|NPU|MUSA|MPS(?: backend)?) out of memory\b")


def _origin_of(message: str) -> str:
    return "hip" if message.startswith("HIP") else "mps" if message.startswith("MPS") else "pytorch"


_RECORD_START = ascii_re(
    r"(?:Traceback \(most recent call last\)|During handling of|The above exception"
    r"|File \"|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Warning)\b"
    # lines that open a record of their own: access logs, timestamped or tagged log lines
    r"|\d{1,3}(?:\.\d{1,3}){3} - |\[?\d{4}-\d\d-\d\d|\[[A-Z ]{3,}\]|(?:INFO|WARNING|ERROR|DEBUG)\b"
    r"|slurmstepd\b|srun: |salloc: |terminate called\b|libc\+\+abi: "
    r"|\{\""  # a JSON record is one line
    r"|```|~~~"  # the end of a markdown code block
    r")"
)
# a C program's "function_name: message" line (llama.cpp, ggml); a word cut in two by a
# terminal can look like one ("...(exitcode: -9) lo" then "cal_rank: 1 (pid: 14447) ...")
_C_FUNCTION_LINE = ascii_re(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+: ")


# A time stamp put before every line by what collected the log, not by the program: CI runners,
# `docker logs -t`, `kubectl logs --timestamps` (RFC 3339 with a zone), journald (date, host,
# program[pid]). It differs from line to line of one wrapped message.
_COLLECTOR_STAMP = ascii_re(r"\[?" + _RFC3339 + r"\]? +|" + _SYSLOG_DATE + _SYSLOG_PROGRAM + r": ")


def _own_head(head: str) -> str:
    """The header the program wrote, without a collector's time stamp before it."""
    stamp = _COLLECTOR_STAMP.match(head)
    return head[stamp.end() :] if stamp else head


_ONE_SPACE = ascii_re(r" [a-z(]")


_SHAPE = str.maketrans("0123456789", "9999999999")
_BRACKET_LABEL = ascii_re(r"\[[A-Za-z][\w .\-]{0,40}\] ")


def _next_record(previous: str, line: str) -> bool:
    """Is ``line`` the same record again, or one that opens the way ``previous`` does, with a
    time stamp or an id ("2023-Oct-02 08:17:45.0946  4703:4865  ERROR ...", "TENCENT64:47604:
    53083 [0] ...", "1051049.0   dbrown ...") or the same label ("[Task Queue] ")? Then it is
    the next record, not the rest."""
    opening = previous[:12]
    label = _BRACKET_LABEL.match(previous)
    return (
        line == previous
        or (
            len(opening) == 12
            and any(c.isdigit() for c in opening)
            and line[:12].translate(_SHAPE) == opening.translate(_SHAPE)
        )
        # or the same component's label ("[Task Queue] Finish task with error, ...")
        or (label is not None and line.startswith(label.group(0)))
    )


def _continues(previous: _Line, line: _Line) -> bool:
    """Is ``line`` the hard-wrapped continuation of ``previous`` (same process)?"""
    own = _own_head(line.head)
    full = previous.cols in _WRAP_WIDTHS
    # a terminal cuts a full line at its width (or right before a space, the one space then
    # opening the rest): the rest carries none of the line's labels
    bare = not line.head and not line.source
    cut = bare and (full or _ONE_SPACE.match(line.body) is not None)
    mid_word = full and previous.raw[-1:].isalnum()
    return (
        (line.source == previous.source or cut)
        and own in ("", _own_head(previous.head))  # vLLM repeats the header on every line
        and bool(line.body.strip())
        and (60 <= previous.cols <= _MAX_WRAP_WIDTH or _tpu_sentence_per_line(previous, line))
        and _RECORD_START.match(line.body.lstrip()) is None
        and (mid_word or _C_FUNCTION_LINE.match(line.body.lstrip()) is None)
        # the next record of the same kind (a retried allocation, another rank's line)
        and not _next_record(previous.body, line.body)
    )


# The TPU runtime's allocation error with each sentence on a line of its own ("RESOURCE_
# EXHAUSTED: Error allocating device buffer: ", "Attempting to allocate 1.96G. ", "That was not
# possible. ", "There are 3.46G free. ", marin-community/marin#2387): short lines, one message
_TPU_ATTEMPT_ALONE = ascii_re(r"Attempting to (?:allocate|reserve) [\d.]+\s*[KMGTP]?i?B?\.\s*$")


def _tpu_sentence_per_line(previous: _Line, line: _Line) -> bool:
    return bool(
        _TPU_ATTEMPT_ALONE.match(previous.body) and line.body.startswith("That was not possible")
    )


_WRAP_LINES = 3
_MID_SENTENCE = ascii_re(r"[a-z0-9(`'\"]")


def _width_above(window: Sequence[_Line], k: int) -> int | None:
    """Line ``k``'s length when a terminal of that width cut a line above it too: another line
    of exactly that length, followed by a line without a header (every record of an XLA log
    cut at 153 columns, "... Execution of replica 0 failed: RE" then "SOURCE_EXHAUSTED: Failed
    to allocate request for 625.00MiB", young-geng/EasyLM#14)."""
    cols = window[k].cols
    if cols < 60:
        return None
    cut = sum(
        1
        for j in range(max(0, k - CONTEXT_BEFORE), k)
        if window[j].cols == cols and not window[j + 1].head and window[j + 1].body.strip()
    )
    return cols if cut >= 1 else None


_WRAP_WIDTHS = frozenset((80, 100, 120, 132, 160, 200, 240, 256))
_MAX_WRAP_WIDTH = max(_WRAP_WIDTHS)  # a longer line was not wrapped: nothing continues it


def _join(left: str, right: str, left_raw_len: int, width: int | None = None) -> str:
    """Join a wrapped line: ``fold -w 80`` cuts words (a full-width line), word wrap does not.

    ``width``: a terminal width seen in the lines themselves (consecutive lines of one length).
    """
    full = left_raw_len in _WRAP_WIDTHS or left_raw_len == width
    if left.endswith(" ") or (full and not right.startswith(" ")):
        return left + right.lstrip()
    return left.rstrip() + " " + right.lstrip()


def _uncut(window: Sequence[_Line], i: int) -> _Line | None:
    """Line ``i`` whole again, when a terminal cut its record at its width inside the log
    header or right after it ("...[multiproc_executor.py:4" / "70] RuntimeError: CUDA out of
    memory..."): the lines before it that fill the width exactly, joined as printed."""
    line = window[i]
    if line.head or line.source or line.body.startswith('{"'):
        return None  # (a JSON record is one line, no cut one's rest)
    raw, k = line.raw, i
    while k > 0 and i - k < _WRAP_LINES:
        previous = window[k - 1]
        if previous.cols not in _WRAP_WIDTHS or (k < i and previous.cols != window[k].cols):
            return None
        raw, k = previous.raw + raw, k - 1
        if previous.head or previous.source:
            return _split(raw)  # the record's first line
    return None


# VS Code's notebook copies a cell's uncaught exception as JSON: ``"name": "RuntimeError",``
# then ``"message": "CUDA error: out of memory`` (its newlines raw) and ``"stack": ...``
# (unslothai/unsloth#1797), and a saved .ipynb holds it as ``"ename"`` and ``"evalue"`` (its
# newlines escaped: ``"evalue": "ResourceExhaustedError: \n\nOut of memory error on GPU 7..."``,
# d2l's PaddlePaddle notebook): the exception itself, not a value someone logged
_NOTEBOOK_ERROR_NAME = ascii_re(r'\s*"e?name": "[\w.]*(?:Error|Exception)",\s*$')
_NOTEBOOK_ERROR_MESSAGE = ascii_re(r'\s*"(?:message|evalue)": "')
_JSON_ESCAPE = ascii_re(r"\\[nrt]")


def _notebook_error(window: Sequence[_Line], i: int) -> bool:
    return (
        i > 0
        and _NOTEBOOK_ERROR_MESSAGE.match(window[i].raw) is not None
        and _NOTEBOOK_ERROR_NAME.match(window[i - 1].raw) is not None
    )


# Rust's panic header; its message is on the next line ("thread '<unnamed>' panicked at
# mistralrs-core/src/pipeline/mistral.rs:409:17:", mistral.rs#44)
_RUST_PANIC_AT = ascii_re(r"thread '[^']*' panicked at \S+:\d+:\d+:$")

# SGLang's launcher finding its scheduler (or detokenizer) process dead, then its exit code on
# a record of its own: -9 is SIGKILL ("Rank 0 scheduler is dead. Please check if there are
# relevant logs." then "Exit code: -9", Flux.1 loading, sgl-project/sglang#15235)
_SGLANG_STAMP = r"(?:\[[\d\-: ]{8,30}\] )?"  # (its own "[12-16 14:27:10] ", no header here)
_SGLANG_PROCESS_DEAD = ascii_re(_SGLANG_STAMP + r"(?:Rank \d+ scheduler|Detokenizer) is dead\.")
_SGLANG_EXIT_KILLED = ascii_re(_SGLANG_STAMP + r"Exit code: -9\s*$")

# JAX's exception line that ends at its status code, the message on the next line
# ("jax.errors.JaxRuntimeError: RESOURCE_EXHAUSTED:", then "Out of memory while trying to
# allocate 4.58GiB", a committed run log)
_STATUS_ONLY_EXCEPTION = ascii_re(
    r"(?:[\w.]+\.)?(?:JaxRuntimeError|XlaRuntimeError): RESOURCE_EXHAUSTED:\s*$"
)


def _recognise(window: Sequence[_Line], i: int) -> _Hit | None:
    """Does line ``i`` report an OOM, judged from itself and the lines BEFORE it only?"""
    line = window[i]
    if not _CANDIDATE_STR.search(line.raw):
        return None
    body = _unnumbered(window, i, _dedented(window, i))
    if i > 0 and _RUST_PANIC_AT.match(window[i - 1].body):
        body = body.replace("`", "")  # the panic's own message: Rust's backticks quote nothing
    if i > 0 and _STATUS_ONLY_EXCEPTION.match(window[i - 1].body):
        body = window[i - 1].body.rstrip() + " " + body.lstrip()
    model_state = _TRITON_MODEL_STATE.match(line.raw)
    wrapped_state = None if model_state is not None else _triton_status(window, i)
    if model_state is not None:
        body = line.raw[model_state.end() :].rstrip(" |")
    elif wrapped_state is not None:
        body = wrapped_state
    table_row = (
        model_state is None
        and wrapped_state is None
        and (_TABLE_ROW.match(line.raw) or _TABLE_ROW.match(body) or _HTML_CELL.match(body))
    )
    if _copied(body) or table_row or _yaml_value(window, i):
        return None
    found = _match_record(body, line.head)
    if found is None and _vllm_blocks_under_profile(window, i):
        found = _Found(_VLLM_NO_GPU_BLOCKS)
    text, start_head = body, line.head
    killed = False
    # A hard-wrapped message whose start is on the previous line(s): join back up to
    # _WRAP_LINES lines (never past a line that reports an OOM on its own) until the rule
    # matches, then on while the text still starts mid-sentence (for the message).
    joined, k = body, i
    while k > 0 and i - k < _WRAP_LINES and _continues(window[k - 1], window[k]):
        previous = window[k - 1]
        if _match_record(previous.body, previous.head) is not None:
            break
        if found is not None and not _MID_SENTENCE.match(joined):
            break
        joined, k = _join(previous.body, joined, previous.cols, _width_above(window, k - 1)), k - 1
        if found is None:
            found = _match_record(joined, previous.head)
        if found is not None:
            text, start_head = joined, previous.head
    whole = _uncut(window, i) if found is None else None
    if whole is not None and (found := _match_record(whole.body, whole.head)) is not None:
        text, start_head, line = whole.body, whole.head, whole
    if found is None and _notebook_error(window, i):
        opening = _NOTEBOOK_ERROR_MESSAGE.match(line.raw)
        value = _JSON_ESCAPE.sub(" ", line.raw[opening.end() :]) if opening else ""
        in_value = _match_record(value, "")
        if in_value is not None:
            found, text = _Found(in_value.rule), value
    for killed_rule, status in _KILLED_UNDER_STATUS if found is None else ():
        if killed_rule.pattern.match(body) and _status_above(window, i, status):
            found, text = _Found(killed_rule), body.strip()
            break
    if found is None:
        found = _raised_here(window, i)
    if found is None and i > 0 and _openvino_bad_alloc(window, i, body):
        found = _Found(_BAD_ALLOC_LINE)
    if found is None and _TRT_BUILD_FAILED.search(body) and _said_just_before(window, i, _TRT_OOM):
        found = _Found(_TRT_BUILD_OOM)
    if (
        found is None
        and _UNHANDLED_CXX.pattern.match(body)
        and _said_just_before(window, i, _TCMALLOC_REFUSED)
    ):
        found = _Found(_UNHANDLED_CXX)
    if found is None and _bfc_map(line):
        found = _Found(_BFC_MAP)
    if (
        found is None
        and i > 0
        and _SPACE_MEMORY_LIMIT.pattern.match(body)
        and _SPACE_RUNTIME_ERROR.match(window[i - 1].body)
    ):
        found = _Found(_SPACE_MEMORY_LIMIT)
    if found is None:
        # the line's own words first: the 20 lines above are read only for a handle's failure
        no_handle = next(
            (r for r in _NO_HANDLE if r.pattern.search(body)), None
        )
        if no_handle is not None and _said_just_before(window, i, _TF_POOL_FAILED):
            found = _Found(no_handle)
    if (
        found is None
        and _METAL_STATUS_ERROR.search(body)
        and (_said_just_before(window, i, _OVER_WORKING_SET) or _metal_set_full(window, i))
    ):
        found = _Found(_METAL_OOM)
    ahead = _joined_ahead(window, i, body) if found is None else body
    if found is None and ahead != body:
        # ...or whose end is on the next line(s): the rest a terminal cut off
        found = _match_record(ahead, line.head)
    labelled = _under_labels(line) if found is None else []
    if found is None and any(p.match(text) for p in _KILLED for text in (body, *labelled)):
        if (
            _deliberate_kill(window, i)
            or _program_error_just_before(window, i)
            or _self_kill_announced_after(window, i)
        ):
            return None
        found = _Found(_Rule(_KILLED[0], "host", "kernel"))
        killed = True
    if found is None and (
        any(_SIGKILLED.match(text) for text in labelled)
        or _SIGKILLED.match((line.head + ahead).strip())
        or (_SGLANG_EXIT_KILLED.match(body) and _status_above(window, i, _SGLANG_PROCESS_DEAD))
        or (k < i and _SIGKILLED.match((window[k].head + joined).strip()))
    ):
        if _deliberate_kill(window, i, besides=_AGENT_CLEANUP) or _program_error_first(window, i):
            return None
        found = _Found(_Rule(_SIGKILLED, "host", "kernel"))
        killed = True
    if found is None:
        found = _match_error_words(body, line.head)
        if found is not None and (
            (found.rule in _LABEL_WORDS_RULES.values() and not _in_log(window, i))
            or (i + 1 < len(window) and _V8_FRAME.match(window[i + 1].body))
            # a warning in words no rule knows (LMCache's "WARNING: Failed to allocate memory
            # for the KV cache.": its own capped buffer is full) is too weak to show
            or _handled_level(line.head)
        ):
            found = None
    if found is None or found.mention:
        found = _server_error(window, i, body) or found
    generic = found is not None and found.rule.origin == _GENERIC_ORIGIN
    if found is not None and (found.rule.unnamed or (generic and _names_no_memory(body))):
        default = found.rule.kind if found.rule.unnamed else "host"
        rule = dataclasses.replace(found.rule, kind=_kind_from_log(window, i, default))
        found = _Found(rule, found.mention)
    if (
        found is None
        or _in_head_tail_output(window, i)
        or _in_examples_section(window, i)
        or _in_python_string(window, i)
    ):
        return None
    if _store_bad_alloc(window, i, body):
        return None
    rule = found.rule
    # TensorFlow logs an op's failed status at W ("op_kernel.cc:1639] Resource exhausted: ...")
    # and then raises it, unless the program catches it (see _went_on_logging)
    level_blind = rule.level_blind or _OP_STATUS_RECORD.search(line.head) is not None
    # a wrapper's level on every line of a child's output is no level of the child's
    level_blind = level_blind or _relays_a_stream(window, i)
    handled = (
        # the record's level: on the line where a wrapped message starts
        (not level_blind and _handled_level(start_head))
        or (not level_blind and _handled_level(line.head))
        or _AUTOTUNER_RECORD.search(line.head) is not None
        or _RECOVERED_HERE.search(body) is not None
        or _PRINTED_CAUGHT.match(body) is not None
        or _caught_just_before(window, i)
        or _device_skipped(window, i, line.head, body)
    )
    return _Hit(
        kind=rule.kind,
        origin=rule.origin,
        text=text,
        source=line.source,
        rank=line.rank,
        batch_helps=rule.batch_helps,
        always_fatal=rule.always_fatal,
        retrying=_RETRYING.search(body) is not None and _FAILED_AFTER_RETRY.search(body) is None,
        mention=found.mention or handled,
        killed=killed,
        handled=handled and not found.mention,
        raised_below=rule.raised_below,
    )


# XLA's autotuner trying each convolution algorithm: one whose scratch space does not fit is
# logged at E ("cudnn_conv_algorithm_picker.cc:536] Resource exhausted: Out of memory while
# trying to allocate 83160064 bytes.") and skipped for the next (a tf_cnn_benchmarks log of
# lambdal/lambda-tensorflow-benchmark: the op that fails later names its own request)
_AUTOTUNER_RECORD = ascii_re(r"\b(?:cudnn_conv|gemm)_algorithm_picker\.cc:\d+\] $")


# what closes a level's token in a header ("[INFO] ", "INFO: ", "<WARNING> | ")
_LEVEL_CLOSE = ascii_re(r"[\])>:|\-]*\s*")


def _relays_a_stream(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i``'s header a wrapper's that puts its own level before every line of another
    program's output? Then that level is not the record's (FluxGym at INFO before its child's
    ``torch.OutOfMemoryError``). The same header shows it: before a traceback's frame, or
    before another program's own header ("[INFO] E0407 03:45:08.236000 27404 .../api.py:869]
    failed (exitcode: 1)", cocktailpeanut/fluxgym#383). A program logging a caught exception
    writes it as one record, its header on the first line only, never before a frame."""
    head = window[i].head
    if not _handled_level(head):
        return False
    level_end = list(_HANDLED_LEVEL.finditer(head))[-1].end()
    close = _LEVEL_CLOSE.match(head, level_end)
    wrapper = head[: close.end() if close else level_end].translate(_SHAPE)
    for line in window[max(0, i - CONTEXT_BEFORE) : i + CONTEXT_AFTER + 1]:
        other = line.head.translate(_SHAPE)
        if not other.startswith(wrapper):
            continue
        inner = line.head[len(wrapper) :].lstrip()
        if not inner and _FRAME.match(line.body):
            return True
        if _HANDLED_LEVEL.match(inner) or _ERROR_LEVEL.match(inner):
            return True
    return False


# A client's record that the server answered 5xx ("openai.InternalServerError: Error code: 500 -
# {'object': 'error', 'message': 'CUDA out of memory ...'}", "ValueError: Ollama call failed
# with status code 500. Details: {"error":"model requires more system memory ..."}"), or an
# app's error report with the status in a field of its own above the body ("Status Code: 500",
# then the body, continuedev/continue#11767): the request failed for the OOM the body quotes.
# Issue 12: a quoted OOM is a report with evidence the server answered 5xx.
_SERVER_5XX = ascii_re(
    r"(?i)\b(?:status(?:[ _]code)?|error code|HTTP(?:/\d(?:\.\d)?)?)\W{0,3}5\d\d\b"
    r"|\b5\d\d (?:Internal )?Server Error\b"
)
_STATUS_FIELD = ascii_re(r"\s*(?:\*\*)?Status Code:(?:\*\*)? 5\d\d\s*$")
_STATUS_FIELD_LINES = 8
_QUOTED_VALUE = ascii_re(r"\"((?:[^\"\\]|\\.){8,})\"|'((?:[^'\\]|\\.){8,})'")


def _server_error(window: Sequence[_Line], i: int, body: str) -> _Found | None:
    """The OOM a server's 5xx answer carries in its body, as the client logged it."""
    status = _SERVER_5XX.search(body)
    if status is not None:
        if _quoted(body[: status.start()]) or _LIST_ITEM.match(body):
            return None  # a document's words about a failed call, a report's list
        rest = body[status.end() :]
    elif any(_STATUS_FIELD.match(w.raw) for w in window[max(0, i - _STATUS_FIELD_LINES) : i]):
        rest = body
    else:
        return None
    # the body quoted ({"error": "..."}), or right after the status as a CLI prints it
    # ("Error: 500 Internal Server Error: memory layout cannot be allocated ...", ollama's)
    values = [v.group(1) or v.group(2) for v in _QUOTED_VALUE.finditer(rest)]
    if status is not None and rest.startswith(": "):
        values.append(rest[2:])
    for text in values:
        found = _match_text(text) or _match_rules(text, _HOST_MESSAGE, anchored=True)
        if found is not None and not found.rule.survivable:
            return _Found(found.rule)
    return None


# PyTorch's message printed without its exception's name, after a word of the program's own:
# the program caught it and printed it (Real-ESRGAN's ``print('Error', error)``, then the next
# image); an uncaught exception shows its name ("torch.OutOfMemoryError: CUDA out of memory")
_PRINTED_CAUGHT = ascii_re(r"(?:Error|ERROR) (?:CUDA|HIP|XPU|NPU|MPS) out of memory\. Tried to")
_OP_STATUS_RECORD = ascii_re(r"\bop_kernel\.cc:\d+\] $")
# A program's own print that it caught an exception, right before it prints the exception
# ("Caught generic RuntimeError" then print(e), pytorch/pytorch#133280). PyTorch's re-raised
# worker and replica errors read "...Error: Caught X in replica 0", with the type first.
_CAUGHT_PRINT = ascii_re(r"^Caught (?:\w+ ){0,2}\w*(?:Error|Exception)\s*$")


def _caught_just_before(window: Sequence[_Line], i: int) -> bool:
    """Is the line before line ``i`` (same source) the program saying it caught an error?"""
    for k in range(i - 1, max(-1, i - 3), -1):
        line = window[k]
        if line.source != window[i].source or not line.body.strip():
            continue
        # ...or a record below ERROR saying it goes on, the caught exception printed under it
        # ("WARN  BatchNormalization:370 - CuDNN BatchNormalization forward pass execution
        # failed - falling back on built-in implementation", then "java.lang.RuntimeException:
        # Failed to allocate 411041792 bytes from DEVICE [0] memory", deeplearning4j#6691)
        if _handled_level(line.head) and _RECOVERED_HERE.search(line.body):
            return True
        return _CAUGHT_PRINT.match(line.body) is not None
    return False


def _joined_ahead(window: Sequence[_Line], i: int, body: str) -> str:
    """Line ``i``'s body with the hard-wrapped continuation lines after it (up to
    _WRAP_LINES), when none of them could be judged itself: a continuation that is a
    candidate joins back to this line when its own turn comes (one event, live or not).

    Only a line a terminal cut at its full width joins ahead: the program wrote it as one
    line, so its end arrives with it. This is the one verdict that reads the lines after;
    any other line is judged as it is (a 30,000-example fuzz hunt found an error code's name
    made a report by an unrelated next line that gave it an error word)."""
    cols = window[i].cols
    if cols not in _WRAP_WIDTHS and cols + 1 not in _WRAP_WIDTHS:  # (a cut space is trimmed)
        return body
    joined, last = body, window[i]
    for line in window[i + 1 : i + 1 + _WRAP_LINES]:
        if not _continues(last, line):
            break
        if _CANDIDATE_STR.search(line.raw):
            return body
        joined, last = _join(joined, line.body, last.cols), line
    return joined


# The innermost frame of a traceback is the statement that raised: ``raise ValueError("No
# available memory for the cache blocks. "`` right under its ``File "...", line N, in f`` line
# is the exception itself, even when the window ends before the exception's own line.
_RAISE_SOURCE = ascii_re(
    r"\s+raise (?P<etype>[A-Za-z_][\w.]*(?:Error|Exception))\(\s*f?[\"'](?P<msg>[^\"']+)"
)


def _raised_here(window: Sequence[_Line], i: int) -> _Found | None:
    line = window[i]
    raised = _RAISE_SOURCE.match(line.body)
    if raised is None:
        return None
    before = [w for w in window[max(0, i - 3) : i] if w.source == line.source]
    if not before or _FRAME.match(before[-1].body) is None:
        return None
    return _match_record(f"{raised.group('etype')}: {raised.group('msg')}", line.head)


# A paste with line numbers (an editor's, ``cat -n``): ``  14 jpype._jexception...``. Only
# when the two lines before carry the two numbers before (``uniq -c`` counts do not count up).
_LINE_NUMBER = ascii_re(r" {0,6}(\d{1,6})(?: |$)")


def _unnumbered(window: Sequence[_Line], i: int, body: str) -> str:
    number = _LINE_NUMBER.match(body)
    if number is None or i < 2:
        return body
    n = int(number.group(1))
    for k, expected in ((i - 1, n - 1), (i - 2, n - 2)):
        other = _LINE_NUMBER.match(window[k].body)
        if other is None or int(other.group(1)) != expected:
            return body
    return body[number.end() :]


_EXAMPLES_HEADING = ascii_re(r"^\s{0,3}#{1,6}\s.*\b[Ee]xamples?\b")
_BOLD_LABEL = ascii_re(r"\s{0,3}\*\*[^*]{1,40}\*\*:?\s*$")
# ...or a bold field with its text on the same line, as a troubleshooting entry writes them
# ("**Symptom**: Process killed, MPS out of memory error", then "**Error Snippet**:")
_BOLD_FIELD = ascii_re(r"\s{0,3}\*\*[^*]{1,40}\*\*:? \S")
_DOC_HEADING = ascii_re(
    r"(?i)\btroubleshoot|\bsymptoms?\b|\bFAQ\b"
    r"|^#+ *expected behaviou?r\b"  # an issue form's section: what the reporter wants to see
    # a pull request comparing a message's wording ("### Before", then "### This PR": CuPy's
    # OutOfMemoryError before and after its change)
    r"|^#+ *(?:before|after|this PR)(?: (?:this|the) (?:PR|change))?\s*:?\s*$"
    r"|\bcommon (?:errors|issues|problems)\b|\u75c7\u72b6|\uc99d\uc0c1"  # 症状, 증상
)
_DOC_LINES = 30
# a sentence that opens a fenced block as an example ("an error such as this:", "for
# example:"); "like this:" also opens a reporter's own log ("I got an error like this:")
_EXAMPLE_LEAD_IN = ascii_re(
    r"(?i)\b(?:such as(?: this)?|for example|for instance|e\.g\.?)[:,]?\s*$"
    # a manual's sentence about where an error shows ("This error is reported in the Slurm
    # output:", UNINETTSigma2's common job failures); a reporter writes "in my log"
    r"|\b(?:this|the following) (?:error|message)s? (?:is|are) (?:reported|shown|printed|logged)"
    r" in (?:the|your) [\w' \-]{1,30}:\s*$"
    # a guide's condition ("If you encounter the following error, the model does not fit ...
    # Set a larger tensor parallel size, for example `--tp 8`:", a Gaudi calibration guide)
    r"|^\s*(?:[-*]\s+)?[Ii]f you (?:encounter|see|get|hit|run into|receive|observe)\b.*:\s*$"
    # ...or what may happen ("A multimodal model can fail in the middle of a phase with the
    # following error:")
    r"|\b(?:can|may|might|could) (?:fail|crash|abort|stop|die)\b.*\bwith (?:the following|this|an?)"
    r" (?:error|message|output)s?:\s*$"
)
# A setext heading's underline ("Troubleshooting" then "-----"): the line above is a heading
_SETEXT_UNDERLINE = ascii_re(r"\s{0,3}(?:-{3,}|={3,})\s*$")


def _introduced_as_example(window: Sequence[_Line], fence: int) -> bool:
    """Does the sentence over a fenced block open it as an example? (A list item opening with
    a bold name cannot tell: RELION's docs list errors so, and reporters their failures,
    abetlen/llama-cpp-python#1944.)"""
    for k in range(fence - 1, max(-1, fence - 4), -1):
        raw = window[k].raw
        if raw.strip():
            return _EXAMPLE_LEAD_IN.search(raw) is not None
    return False


def _in_examples_section(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i`` in a fenced block under a markdown heading that names examples (``##
    Error log examples``, then a fenced message): a document's example, not a report. No log
    has a markdown heading; an issue's own headings (``### Error logs``) name no examples.

    A troubleshooting page's is one too: a heading or a bold label above the block names
    symptoms, troubleshooting or an FAQ (``**증상**``, "symptoms"). A heading that names the
    OOM does not: a run's write-up has one over the log of the run that failed."""
    fenced = False
    for k in range(i - 1, max(-1, i - _DOC_LINES), -1):
        raw = window[k].raw
        if raw.lstrip().startswith("```"):
            if not fenced and _introduced_as_example(window, k):
                return True
            fenced = True
        elif (
            raw.lstrip().startswith("#")
            or _BOLD_LABEL.match(raw)
            or _BOLD_FIELD.match(raw)
            or (k > 0 and _SETEXT_UNDERLINE.match(raw) and window[k - 1].raw.strip())
        ):
            if not fenced:
                return False
            heading = window[k - 1].raw if _SETEXT_UNDERLINE.match(raw) else raw
            if _EXAMPLES_HEADING.match(heading) or _DOC_HEADING.search(heading):
                return True
            if i - k > 12:
                return False
    return False


# A troubleshooting entry's label for its fix ("**Solution**:", "**Solutions:**", "Fix:")
_SOLUTION_LABEL = ascii_re(
    r"\s{0,3}(?:\*\*)?(?:Solutions?|Fix(?:es)?|Workarounds?)(?::\*\*|\*\*:|:)\s*$"
)


# ...and a guide's FAQ entry without a fence: the bare message under a bold label, its fix
# quoted right below ("**常见问题：**", "torch.cuda.OutOfMemoryError: CUDA out of memory.",
# "> 在Windows的系统环境变量中增加 ...", THUDM/ChatGLM-6B's Windows deployment guide)
_BOLD_LABEL = ascii_re(r"\s{0,3}\*\*[^*]{1,40}\*\*\s*$")


def _faq_entry(window: Sequence[_Line], i: int) -> bool:
    above = [line.raw.strip() for line in window[max(0, i - 3) : i] if line.raw.strip()]
    below = [line.raw for line in window[i + 1 : i + 1 + CONTEXT_AFTER] if line.raw.strip()]
    return (
        bool(above and below)
        and _BOLD_LABEL.match(above[-1]) is not None
        and below[0].lstrip().startswith("> ")
    )


def _troubleshooting_entry(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i`` the one line of a fenced block under a markdown heading, with a label for
    the fix right below the block (``### CUDA Out of Memory``, the bare message in a fence,
    then ``**Solution**:``), or the bare message under a bold label with its fix quoted below
    (_faq_entry)? A guide's entry for the error, not a run's: a run's write-up pastes
    more than the message, and what comes after it is not a fix. Judged with the lines after,
    so it only makes the OOM non-fatal (a mention), never hides it."""
    if _faq_entry(window, i):
        return True
    if i < 2 or not window[i - 1].raw.strip().startswith("```"):
        return False
    above = [line.raw.strip() for line in window[max(0, i - 4) : i - 1] if line.raw.strip()]
    if not above or not above[-1].startswith("#"):
        return False
    below = [line.raw for line in window[i + 1 : i + 1 + CONTEXT_AFTER]]
    if not below or below[0].strip() != "```":
        return False
    rest = [text for text in below[1:] if text.strip()]
    return bool(rest) and _SOLUTION_LABEL.match(rest[0]) is not None


def _in_head_tail_output(window: Sequence[_Line], i: int) -> bool:
    """Is line ``i`` part of ``tail``/``head`` output over several files (each file's lines
    under a ``==> name <==`` header): a copy of other logs, like grep output. The output ends
    at the next shell prompt (``$ ...``)."""
    for k in range(i - 1, -1, -1):
        body = window[k].body  # as printed, or under a launcher's label ("0: ==> a.log <==")
        if body.startswith("==> ") and body.endswith(" <=="):
            return True
        if body.startswith("$ "):
            return False
    return False


# A server announcing that it kills its own process tree, itself included. SGLang's launcher
# when a child fails (older releases misspelt "proces."; newer ones: "SIGQUIT received.
# signum=None, frame=None. It usually means one child failed.", sgl-project/sglang#17941);
# vLLM V1's client when its engine core died ("CRITICAL ... [core_client.py:359] Got fatal
# signal from worker processes, shutting down.", then bash's "Killed": vllm-ascend#514).
_SELF_KILL_ANNOUNCED = ascii_re(
    r"Received sigquit from a child proces|\bSIGQUIT received\. signum="
    r"|\bGot fatal signal from worker processes, shutting down\b"
)
_DELIBERATE = ascii_re(
    r"CANCELLED AT|DUE TO TIME LIMIT|DUE TO PREEMPTION|\bscancel\b|Terminated\b|\bkill -9\b"
    r"|sending signal (?:KILL|SIGKILL)|timeout: the monitored command|received signal|SIGTERM"
    r"|\bKeyboardInterrupt\b|\bSIGINT\b"
    # Lightning's launcher killing its other processes after one failed ("Child process with
    # PID 3141341 terminated with code 1. Forcefully terminating all other processes to avoid
    # zombies", a lab's committed run log, where bash then reports the main process Killed)
    r"|\bForcefully terminating all other process"
    # gunicorn's arbiter killing a worker that stopped answering
    r"|\bWORKER TIMEOUT \(pid:\d+\)|" + _SELF_KILL_ANNOUNCED.pattern
)


def _deliberate_kill(
    window: Sequence[_Line], i: int, besides: re.Pattern[str] | None = None
) -> bool:
    """A ``Killed`` right after a cancellation, a time limit or an explicit kill (lines that
    match ``besides`` do not count)."""
    return any(
        _DELIBERATE.search(raw) and not (besides and besides.search(raw))
        for raw in (window[k].raw for k in range(i - 1, max(-1, i - 11), -1))
    )


# A bug or a bad setting ending a rank with one of Python's own errors, which no peer's death
# causes (unlike NCCL's or a socket's RuntimeError). After one, the launcher's agent stops the
# other ranks; one that outlives SIGTERM's grace is SIGKILLed, and the launcher reports exit
# code -9 for it: that is teardown, not the OOM killer (a NameError, then torchrun's
# "failed (exitcode: -9)" and "Signal 9 (SIGKILL) received by PID": a committed train_log).
_PROGRAM_ERROR = ascii_re(
    r"(?:NameError|AttributeError|TypeError|ValueError|KeyError|IndexError|ImportError"
    r"|ModuleNotFoundError|FileNotFoundError|AssertionError|SyntaxError|UnboundLocalError"
    r"|ZeroDivisionError|NotImplementedError|(?:json\.decoder\.)?JSONDecodeError)(?:: |$)"
)
# the advice PyTorch prints under a device error's own line ("HIP kernel errors might be
# asynchronously reported at some other API call, ...", "For debugging consider passing
# AMD_SERIALIZE_KERNEL=3", "Compile with `TORCH_USE_HIP_DSA` to enable device-side assertions.")
_DEVICE_ERROR_ADVICE = ascii_re(
    r"(?:CUDA|HIP|XPU|MUSA) kernel errors might be asynchronously reported"
    r"|For debugging consider passing (?:CUDA_LAUNCH_BLOCKING|AMD_SERIALIZE_KERNEL)="
    r"|Compile with `TORCH_USE_\w+_DSA` to enable device-side assertions"
)


def _program_error_first(window: Sequence[_Line], i: int) -> bool:
    """Did a rank end with a program error (see _PROGRAM_ERROR) in the lines before a
    launcher's SIGKILL report? (Not one a program logged below ERROR and went on.)"""
    return any(
        _PROGRAM_ERROR.match(line.body)
        and not _handled_level(line.head)
        and _match_record(line.body, "") is None
        for line in window[max(0, i - CONTEXT_BEFORE + 1) : i]
    )


def _exception_with_message(line: _Line) -> bool:
    """Is ``line`` an exception's own line, with its message?"""
    exception = _EXCEPTION_LINE.match(line.body)
    return (
        exception is not None
        and bool(exception.group("msg"))
        and _EXCEPTION_NAME.search(exception.group("etype")) is not None
    )


def _self_kill_announced_after(window: Sequence[_Line], i: int) -> bool:
    """A server's announcement that it kills its own process tree (_SELF_KILL_ANNOUNCED) is
    printed before the kill: seen after it only where a log viewer lists the newest line first
    (a cloud log: "./entrypoint.sh: line 47: 28 Killed python3 -m sglang.launch_server ...",
    then "Received sigquit from a child process. It usually means the child failed.",
    sgl-project/sglang#5095)."""
    after = window[i + 1 : i + 1 + CONTEXT_AFTER]
    return any(_SELF_KILL_ANNOUNCED.search(line.raw) for line in after)


# TensorFlow's tail under its error, the op that failed ("     [[Node: save_1/RestoreV2_14 =
# RestoreV2[...]]", "[[{{node conv2d/Conv2D}}]]"), and TF 1.x's error line of a session's run
# ("NotFoundError (see above for traceback): Unsuccessful TensorSliceReader constructor ...",
# then a background job's "[1]+  Killed  python2 infer.py", tensorflow/tensorflow#7547)
_TF_NODE_TAIL = ascii_re(r"\s*\[\[(?:Node: |\{\{node )")
_TF1_ERROR = ascii_re(r"\w+Error \(see above for traceback\): \S")


def _program_error_just_before(window: Sequence[_Line], i: int) -> bool:
    """Is a bare ``Killed`` right under a traceback that ended with a program error? The
    process had already failed of it; what killed the rest is its launcher's teardown (SGLang
    kills its own process tree: a TypeError in prepare_for_extend, then bash's "Killed",
    sgl-project/sglang#1130), not the OOM killer. Any exception's own line right above the kill
    (PyTorch's advice under a device error aside) counts here: a failed check ("RuntimeError:
    CHECK_GE(paged_kv_indptr.size(0), batch_size + 1) failed. 137 vs 145", then a blank line and
    "Killed", sgl-project/sglang#2777), or an OOM, which is the report itself (a worker's
    "torch.OutOfMemoryError: CUDA out of memory ...", then "Killed": no second, host OOM)."""
    seen = 0
    for line in reversed(window[max(0, i - CONTEXT_BEFORE) : i]):
        if (
            not line.body.strip()
            or _DEVICE_ERROR_ADVICE.match(line.body)
            or _TF_NODE_TAIL.match(line.body)
        ):
            continue
        if not _handled_level(line.head) and (
            _PROGRAM_ERROR.match(line.body)
            or (seen == 0 and (_exception_with_message(line) or _TF1_ERROR.match(line.body)))
        ):
            return True
        seen += 1
        if seen == 2:
            return False
    return False


# --------------------------------------------------------------------------- context

_BOUNDARY = ascii_re(
    r"\"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \S+ HTTP/[\d.]+\" \d{3}\b"  # access logs
    r"|\bException on /\S* \[[A-Z]+\]"  # Flask: a new request's traceback follows
    r"|\d+%\|"  # progress bars
    r"|\d+(?:\.\d+)?(?:it|s)/(?:s|it)\]"
    r"|Detecting largest batch size|Determined [Ll]argest batch size"
    r"|[Rr]educing batch size|[Rr]etrying with (?:a )?(?:smaller )?batch|[Dd]ecreasing batch size"
    r"|\[BATCHING DEBUG\]|\brequest IP:|Running (?:loglikelihood|generate_until) requests"
)
_INFO_HEADER = ascii_re(r"\b(?:INFO|DEBUG)\b")
_RECOVERY = ascii_re(
    r"[Rr]educing batch size|[Rr]etrying with (?:a )?(?:smaller )?batch(?: size)?"
    # the program caught the OOM and loads something smaller ("Error while loading customized
    # transformer, falling back to native version", sgl-project/sglang#17070)
    r"|,? falling back to (?:the )?(?:native|default|cpu|CPU)\b"
    r"|\bretrying without\b|[Ss]etting batch[ _]size to \d"
    r"|[Dd]ecreasing batch size|batch size (?:reduced|decreased|halved)|[Hh]alving batch size"
    r"|Determined [Ll]argest batch size|[Tt]rying (?:again )?with batch size"
    r"|\b(?:[Nn]ew|[Ss]maller|[Rr]educed) batch[ _]size\b"
    r"|batch[ _]size (?:reduced|decreased|halved|lowered) to\b"
    # ollama's layout search after a failed ggml allocation: a new load request (fewer GPU
    # layers, in the end the CPU) or its backoff
    r"|\bmsg=\"?load request\"?=\"?\{Operation:(?:fit|alloc)\b|\bmodel layout did not fit\b"
    # ollama's runner finishing its start after a Metal command buffer failed for memory
    # (newer ggml logs it and goes on, ollama/ollama#6257)
    r"|^INFO \[main\] model loaded\b|\bmsg=\"llama runner started in\b"
    # text-generation-webui's summary of a generation, printed after the exception it caught:
    # the request came back empty, the server goes on (oobabooga/text-generation-webui#1595)
    r"|^Output generated in [\d.]+ seconds \([\d.]+ tokens/s, \d+ tokens\b"
    # llama.cpp's vision encoder (clip.cpp) ignores a failed reserve of its warm-up graph and
    # goes on: its next lines, then the server loading the projector (ggml-org/llama.cpp
    # #18181); the image that needs the memory fails later, on its own
    r"|\b(?:alloc|reserve)_compute_meta: graph splits = \d+"
    r"|\bload_model: loaded multimodal model\b"
    # ...and llama-server going on to its vision projector after a failed context: only an
    # optional one (the MTP draft's) can fail and leave the load going (ggml-org/llama.cpp
    # #24758); a failed main model ends the load first
    r"|\bclip_ctx: CLIP using \w+ backend\b"
    # ...and llama-server setting up its slots and listening after a compute buffer it could
    # not reserve on one device (an RPC device: a Japanese test log of GLM over 13 P100s)
    r"|\bload_model: initializing, n_slots = \d+|\bllama_server: listening on https?://"
    # a program that caught the OOM going on with something else ("Error getting embeddings:
    # CUDA out of memory ..." then "Falling back to random embeddings for demonstration...")
    r"|^[Ff]alling back to\b"
    # Ultralytics' AutoBatch, whose profile of larger batches ran out (it prints the caught
    # message bare) and which then picks the largest that fit
    r"|\bAutoBatch: Using batch-size \d+"
    # scikit-learn's search catching a failed fit, which it scores nan, and going on to the
    # next ("FitFailedWarning: Estimator fit failed. The score on this train-test partition for
    # these parameters will be set to nan.", cuML's SVC in GridSearchCV, rapidsai/cuml#4898)
    r"|\bFitFailedWarning: Estimator fit failed\b"
    # a benchmark that caught the OOM and says it skips that setting ("[Length 32768] Baseline
    # End2End failed: CUDA out of memory ...", then "[Length 32768] OOM on GPU, skipping this
    # length.", a committed latency-benchmark log)
    r"|\bOOM\b[^.]{0,40}, skipping\b"
)
# A bar moving on after a bare message (no exception type, no error level, no traceback):
# the program printed a caught OOM and went on.
_PROGRESS = ascii_re(r"\d+%\||\b\d+/\d+ \[\d")
_EXCEPTION_START = ascii_re(
    r"(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exhausted|Failure)(?:\([\w.]+\))?:"
)
_ERROR_LEVEL = ascii_re(
    r"\b(?:ERROR|CRITICAL|FATAL|Error|error)\b|(?:^|\s)\[?E\d{3,4} "
    r"|(?:^|\s)[EF] [\w./\-]+:\d+\]"
)
_FAILED_BEFORE = ascii_re(r"Traceback \(most recent call last\)|\bException on /|panicked at\b")


def _failure_shown(window: Sequence[_Line], i: int, hit: _Hit) -> bool:
    """Does the text show that something failed: an exception, an error record, a kill?"""
    if hit.killed or hit.origin in ("slurm", "kernel", "ray", "cxx"):
        return True
    line = window[i]
    if _EXCEPTION_START.match(hit.text) or _ERROR_LEVEL.search(line.head):
        return True
    return any(
        other.source == hit.source and _FAILED_BEFORE.search(other.raw)
        for other in window[max(0, i - 20) : i]
    )


# A batch-size search: accelerate's find_executable_batch_size, and Ultralytics' AutoBatch,
# whose profile() prints each probe's exception under its table and goes on ("Params  GFLOPs
# GPU_mem (GB)  forward (ms) backward (ms)" then "CUDA out of memory. Tried to allocate ...",
# PetervanLunteren/AddaxAI#27) until "AutoBatch: Using batch-size 5 for CUDA:0"
_SEARCH_START = ascii_re(
    r"Detecting largest batch size"
    r"|\bParams +GFLOPs +GPU_mem \(GB\) +forward \(ms\) +backward \(ms\)"
)
_SEARCH_END = ascii_re(r"Determined [Ll]argest batch size|AutoBatch: Using batch-size")
# (interleaved ranks glue Python 3.11's "^^^^" markers of one rank's traceback before another
# rank's frame: "^  File \".../deepspeed/runtime/engine.py\", line 1103, in ...", QwenLM/Qwen#852)
_FRAME = ascii_re(r"[\s^~]*File \"[^\"]*\", line \d+, in (?P<func><?[\w.]+>?)")
_LOAD_FRAME = ascii_re(
    r"from_pretrained|load_state_dict|load_checkpoint|_load_|^load_model$|load_weights"
    r"|^_apply$"
    r"|_initialize_kv_caches|initialize_cache|_init_cache|init_device"
    # a program building its model ("in initialize_model_and_tokenizer", GLM-130B's evaluate.py
    # on cards other processes already filled)
    r"|initialize_model|^init_model$"
    # a lazily initialised model's weights made real on the device (ColossalAI's LazyTensor.
    # _materialize_data, hpcaitech/ColossalAI#5068; FSDP's materialize_meta_module)
    r"|materializ"
    # TGI's and LoRAX's warm-up sizing the KV cache's blocks before any forward (its
    # CacheManager's torch.empty, predibase/lorax#339)
    r"|^set_cache_manager$"
    # SGLang allocating its KV pool at start-up, sized by --mem-fraction-static
    # ("in _init_pools: self.token_to_kv_pool = pool_cls(...)", sgl-project/sglang#29408)
    r"|^_?init_(?:memory_)?pools?$"
    # CUDA creating its context on the device (torch.cuda.set_device, in a process that starts
    # on a GPU other processes fill: sgl-project/sglang#30677)
    r"|^set_device$"
    # JAX copying one tree to every device: flax's replicate() of the model's parameters and
    # train state (data is sharded, not replicated; dalle-mini's parameters under WSL,
    # gaycodegal/craiyon-low-vram-easy#1)
    r"|^_?device_put_replicated$"
    r"|allocate_kv_cache|initialize_from_config|load_megatron|set_module_tensor_to_device"
    r"|dispatch_model|^from_dir$"  # TensorRT-LLM's ModelRunner loading an engine directory
    # a model class building itself from a checkpoint (gpt-oss's Transformer.from_checkpoint,
    # Lightning's load_from_checkpoint)
    r"|from_checkpoint$"
    # ...or a Keras model from a preset, its layers built with their weights (keras-nlp's
    # MistralCausalLM.from_preset in a Colab cell)
    r"|^from_preset$"
    # setting up for training before any batch: DDP's buckets, ZeRO's partitions
    r"|^prepare_model$|^_ddp_init_helper$|^_configure_(?:zero_)?optimizer$"
    # ...DeepSpeed's engine moving the model to its device, Megatron building a model's
    # layers from their specs (modelscope/ms-swift#9191)
    r"|^_configure_distributed_model$|^build_module$"
    # ...or a program's own model builder (mixtral-offloading's build_model placing the experts
    # it offloads, in a Colab notebook's traceback)
    r"|^build_(?:model|networks?|detector)$"
    # FSDP wrapping a model: flattening its parameters (Lightning's strategy, accelerate)
    r"|^_init_param_handle_from_module$|^_init_flat_param_and_metadata$"
    # after training, with no batch: merging a LoRA adapter into the weights, saving or
    # exporting them (unslothai/unsloth#2193: _merge_lora under push_to_hub_gguf)
    r"|merge_and_unload|^_?merge_lora$|save_pretrained|push_to_hub|^_save_checkpoint$"
    # an optimizer creating its state at the first step (AdamW's exp_avg_sq: the states do not
    # fit beside the weights and gradients, hiyouga/LlamaFactory#5590)
    r"|^_init_group$"
    # ...or its update: at optimizer.step() the backward pass has freed the batch's activations,
    # so what is held (weights, gradients, states, the update's temporaries) is no batch's
    # ("in _multi_tensor_adamw: denom = torch._foreach_add(exp_avg_sq_sqrt, eps)" on a 7B full
    # fine-tune at one GPU, modelscope/ms-swift#411)
    r"|^_(?:multi|single)_tensor_\w+$|^_fused_\w+$"
    # (ZeRO-3 flattening a sub-group's fp32 gradients for its step, at micro-batch 1 on
    # 8x80 GB, The-School-of-AI/LLM's run log)
    r"|^_prepare_fp32_grad_for_sub_group$"
    # ...or a JAX trainer its whole train state, parameters and optimizer state, before any
    # batch (flax's create_train_state idiom; openpi's init_train_state)
    r"|^(?:init|create)_train_state$"
    # ...or a whole array put on the device as a tf.data source, at once, before any batch
    # ("in from_tensor_slices" above "Dst tensor is not initialized", hil-se/Comparable's job)
    r"|^from_tensor_slices$"
)
# IPython's frames in a notebook's traceback: "/path/module.py in func(args)", IPython 8's
# "File /path/module.py:177, in func(args)", Colab's "[/path/module.py](https://...) in func("
_NOTEBOOK_FRAME = ascii_re(
    r"(?:File )?\[?[^\s\[\]()]+\.py(?:\]\([^)\s]*\))?(?::\d+)?,? in (?P<func>[\w.]+)\("
)
# torch's default-device context (``with torch.device("cuda"): model = Model()``): tensors
# built under it are a model's parameters being created on the GPU (vLLM's _initialize_model,
# torchtune's model set-up: meta-pytorch/torchtune#229), not a batch's
# ...and a torch module's constructor creating its parameters on the GPU (ssd.pytorch's
# build_ssd: "in __init__" of torch/nn/modules/conv.py, amdegroot/ssd.pytorch#447)
_LOAD_FILE = ascii_re(
    r'\s*File "[^"]*torch[/\\](?:utils[/\\]_device\.py", line \d+, in '
    r'|nn[/\\]modules[/\\]\w+\.py", line \d+, in __init__$)'
)
_LOAD_SOURCE = ascii_re(
    r"\.from_pretrained\(|load_state_dict\(|load_checkpoint\(|\bmodel\.(?:to|cuda|half|bfloat16)\("
    r"|^\s*return t\.to\("  # torch's own Module.to, moving a module's weights
    r"|^\s*return self\._apply\(convert\)"  # ...and its last line
    r"|\b_cuda_setDevice\("  # creating the CUDA context
    # TensorFlow 1's session creating the variables, the weights, before any batch
    # ("session.run(tf.variables_initializer(uninitialized_vars))" in Keras's get_session)
    r"|\b(?:global_|local_)?variables_initializer\("
    # a server pre-allocating its KV cache's buffers at start-up (LightLLM's memory manager:
    # "self.value_buffer = [torch.empty((size, head_num, head_dim), ...", ModelTC/lightllm#13)
    r"|^\s*self\.(?:key|value|kv)_buffer = .*\btorch\.(?:empty|zeros)\("
    # Darknet (AlexeyAB's) reading a network to run, a line it prints with a space before
    r"|^ Try to load cfg: \S+, weights: "
)
# ...and the source lines of running work: generating, a backward pass ("fn = lambda:
# model.generate(", a ROCm blog's benchmark, whose frames are <module> and <lambda> alone)
_RUN_SOURCE = ascii_re(r"\.generate\(|\.backward\(")
# Warming up the largest batch at start-up: capturing CUDA graphs up to the largest batch size,
# running the sampler on max_num_seqs dummy requests, or vLLM's profile run (a dummy forward of
# max_num_batched_tokens tokens over max_num_seqs sequences, to measure activations). A smaller
# batch helps (vLLM and SGLang advise lowering max_num_seqs / --cuda-graph-max-bs), though the
# frames below are loading ones.
_WARMUP_FRAME = ascii_re(
    r"^(?:capture_model|capture|capture_end|_capture_\w+|capture_one_batch_size"
    r"|_dummy_sampler_run|profile_run)$"
)
_RUN_FRAME = ascii_re(
    r"^(?:generate|generate_until|forward|_model_call|_model_generate|loglikelihood\w*"
    r"|_loglikelihood_tokens|run_mcore_engine|completions|dispatch_request|full_dispatch_request"
    r"|execute_model|step|_run_engine|generate_and_post_process|handle_request|process_request"
    r"|run_batch|run_one_batch|forward_batch_generation|_forward|decode|prefill)$"
)
_LOAD_LOG = ascii_re(
    r"Loading checkpoint|[Ll]oading (?:model )?weights|loading checkpoint|Loading model\b"
    r"|Starting to load model|Load weight begin|loading state dict"
    r"|^llama\.cpp: loading model from "  # llama.cpp before GGUF (ggerganov/llama.cpp#1230)
    r"|\baclrtSetDevice\b"  # Ascend: opening the device
    r"|^=+> Building model\b"  # a training script constructing its model (DBPN's "===> ")
    r"|\bStarting server\b|\bggml_init_cublas:"  # a server starts by loading its model
    # llama.cpp placing the model's tensors (before its context and any prompt: "llm_load_tensors:
    # VRAM used = 131065.03 MiB", then its loading dots and "CUDA error 2 ... out of memory")
    r"|^llm_load_tensors: "
    r"|\bLoading bmodel from\b"  # Sophgo's runtime
    # the Neuron runtime answering a model's load ("NRTD_CTX_LOAD NRTD response code
    # 'NERR_RESOURCE'", then "Failed to alloc DEVICE memory", aws-neuron/aws-neuron-sdk#302)
    r"|\bContext=NRTD_CTX_LOAD\b"
    r"|\bDeserialize required \d+ microseconds\b"  # TensorRT reading an engine (a plan)
    # a program telling what it loads where ("Loading only U-Net into both Neuron Cores...",
    # aws-neuron/optimum-neuron#668)
    r"|^Loading [\w \-]{1,60} (?:into|onto) "
    # Ray Serve's controller when a replica fails to start (its constructor raised: vLLM
    # loading under a RayService, ray-project/kuberay#8402)
    r"|\bException in Replica\(.{0,200}\), the replica will be stopped\."
    # a loading bar: "Loading checkpoint shards:  0%|", SGLang diffusion's "Loading required
    # modules:  60%|" (sgl-project/sglang#29833)
    r"|^Loading [\w ]{1,40}: +\d+%\|"
    # ComfyUI's model management moving a model to the GPU before a node runs ("Requested to
    # load FluxClipModel_", "Loading 1 new model", Comfy-Org/ComfyUI#5166)
    r"|\bRequested to load \w|\bLoading \d+ new models?\b"
)
# llama.cpp creating its context once the model's tensors are placed (see _LOAD_LOG)
_CONTEXT_MADE = ascii_re(
    r"^llama_(?:new_context_with_model|context|kv_cache_init|init_from_model): "
)
_LOAD_DONE = ascii_re(r"\.\.\.\s*[Dd]one!?\s*$")
# The OOM line itself says the model was being loaded (Triton: "Model 'tensorrt_llm' loading
# failed with error: ... when creating modelInstanceState: ... out of memory"), or the next
# lines do (llama.cpp and its bindings: "error loading model: Error allocating vulkan memory.",
# nomic-ai/gpt4all#1541)
_LOAD_HERE = ascii_re(
    r"\bloading failed with error\b|\bwhen creating modelInstanceState\b|\berror loading model\b"
    # TensorFlow creating its CUDA context (another process holds the device): "failed
    # initializing StreamExecutor for CUDA device ordinal 0: Internal: failed call to
    # cuDevicePrimaryCtxRetain: CUDA_ERROR_OUT_OF_MEMORY", tensorflow/tensorflow#7272
    r"|\bfailed initializing StreamExecutor\b|\bcuDevicePrimaryCtxRetain\b"
    # vLLM's worker names the method that failed ("Exception in worker VllmWorkerProcess while
    # processing method load_model.", vllm-project/vllm#14092)
    r"|\bwhile processing method (?:load_model|init_device"
    r"|initialize_cache|initialize_from_config)\b"
    # "model stable-diffusion-1.5 could not be loaded: CUDA out of memory." (InvokeAI), vLLM's
    # engine after its worker's OOM ("EngineCore failed to start."), a loading bar's last draw
    r"|\bcould not be loaded: |^Loading \w+ checkpoint shards:"
    # TGI's launcher when a shard dies before it is ready ("ERROR text_generation_launcher: Shard
    # 0 failed to start", then "Error: ShardCannotStart", huggingface/text-generation-inference#844)
    r"|\btext_generation_launcher: Shard \d+ failed to start\b|^Error: ShardCannotStart\b"
    # torch.load's safe unpickler failing on a tensor it was restoring (pytorch/torchchat#974:
    # "WeightsUnpickler error: MPS backend out of memory ...")
    r"|\bWeightsUnpickler error: "
    # a Chinese app's words that the model did not load ("模型未成功加载", chatchat-space/
    # Langchain-Chatchat#310), failed to load ("模型加载失败", "加载模型失败")
    r"|模型未成功加载|模型加载失败|加载模型失败"
    # TensorFlow's executor creating a graph's kernels, before any step ran (a scalar's OOM:
    # the GPU is already full; minimaxir/gpt-2-simple#189)
    r"|\bExecutor failed to create kernel\b"
    # a component's start-up failing for the OOM it carries ("RuntimeError: Orchestrator
    # initialization failed: CUDA out of memory.", vllm-project/vllm-omni#7555)
    r"|\b[Ii]nitiali[sz]ation failed: "
    # a Rust backtrace (anyhow, printed after the error) in candle's safetensors loading:
    # "   3: candle_core::safetensors::convert_slice" (huggingface/candle#2631)
    r"|^ {0,4}\d{1,3}: [\w:<>]*\bsafetensors::"
    # MLC LLM reading its parameter shards ("ValueError: Error when loading parameters from
    # params_shard_299.bin: ... CUDA: out of memory", mlc-ai/mlc-llm#2492)
    r"|\bError when loading parameters from\b"
    # vLLM's older worker naming the method that raised ("Error executing method 'load_model'.
    # This might cause deadlock in distributed execution.", vllm-project/vllm-ascend#2378)
    r"|\bError executing method '(?:load_model|init_device|initialize_cache"
    r"|determine_num_available_blocks)'"
    # a framework creating cuBLAS's handle for its first matrix product, in the memory its own
    # pool left ("failed to create cublas handle: CUBLAS_STATUS_ALLOC_FAILED", TensorFlow with
    # its whole-GPU reservation, tensorflow/tensorflow#7072; allow_growth fixes it)
    r"|\bfailed to create cublas handle\b"
    # a server's model loader or executor set-up reporting the error it caught (LightLLM's
    # "load model error: CUDA out of memory ...", ModelTC/lightllm#187; TensorRT-LLM's "[E]
    # Failed to initialize executor on rank 3: CUDA out of memory", NVIDIA/TensorRT-LLM#12228)
    r"|\bload model error: |\bFailed to initialize executor on rank \d+: "
)
_RUN_LOG = ascii_re(
    r"Running (?:loglikelihood|generate_until) requests|\[BATCHING DEBUG\]|Requesting API"
    r"|\"(?:GET|POST|PUT) \S+ HTTP/[\d.]+\" \d{3}|Application startup complete"
    r"|Running on http|Uvicorn running on|request IP:|Avg prompt throughput"
)


def _is_boundary(line: _Line) -> bool:
    if _BOUNDARY.search(line.raw):
        return True
    return _INFO_HEADER.search(line.head) is not None


_INFO_LEVEL = ascii_re(r"\bINFO\b")


def _ends_phase(line: _Line) -> bool:
    """A boundary, for the phase only: a DEBUG record is none, programs log it inside a phase
    (vLLM's "Inferred dynamic dimensions for forward method" while its model loads,
    ai-dynamo/dynamo#1422), nor is the Hub client's record of a request for the model's files
    ("[INFO] HTTP Request: HEAD https://huggingface.co/.../config.json", after "Loading
    model...": the loading itself)."""
    if _HUB_REQUEST.search(line.body) is not None:
        return False
    return _BOUNDARY.search(line.raw) is not None or _INFO_LEVEL.search(line.head) is not None


_HUB_REQUEST = ascii_re(r"^HTTP Request: (?:HEAD|GET) https://huggingface\.co/")


def _same_family(earlier: _Hit, hit: _Hit) -> bool:
    ranks_agree = earlier.rank is None or hit.rank is None or earlier.rank == hit.rank
    # a failure read from its words only, next to a named one, is that failure told again
    # (llama.cpp: the CPU buffer's failure, then "llama_kv_cache_init: failed to allocate
    # buffer for kv cache"; "graph_reserve: failed to allocate compute buffers" first)
    kinds_agree = earlier.kind == hit.kind or _GENERIC_ORIGIN in (earlier.origin, hit.origin)
    return kinds_agree and earlier.source == hit.source and ranks_agree


# vLLM's engine core re-raising a worker's error: "Worker failed with error 'CUDA out of
# memory. ...', please check the stack trace above for the root cause".
_REFERS_ABOVE = ascii_re(r"stack trace above|root cause above|stack trace \(above\)")


# SLURM names the job: "StepId=3567080.batch", "in step 3756240.batch", "JOB 2 ON".
_JOB_ID = ascii_re(r"\bStepId=(\d+)|\bin step (\d+)|\bJOB (\d+) ON\b|/job0*(\d+)/")


def _job_of(text: str) -> str | None:
    found = _JOB_ID.search(text)
    return next(g for g in found.groups() if g) if found else None


def _other_job(earlier: _Hit, hit: _Hit) -> bool:
    """Do two host OOM reports name two different SLURM jobs?"""
    a, b = _job_of(earlier.text), _job_of(hit.text)
    return a is not None and b is not None and a != b


def _survived(hit: _Hit) -> bool:
    """Does the line itself say the process went on (a mention, a retry, a warning)?"""
    return hit.mention or hit.retrying


def _is_repeat(window: Sequence[_Line], i: int, hit: _Hit) -> bool:
    if _after_no_blocks(window, i):  # across the traceback's boundary
        return True
    if _REFERS_ABOVE.search(window[i].raw):
        for k in range(i - 1, -1, -1):  # the original may come from another process
            earlier = _recognise(window, k)
            if earlier is not None and earlier.kind == hit.kind:
                return True
    for k in range(i - 1, -1, -1):
        line = window[k]
        if line.source != hit.source:
            continue
        earlier = _recognise(window, k)
        if (
            earlier is not None
            and _same_family(earlier, hit)
            and not _announces_original(window, k)
        ):
            if _other_job(earlier, hit):
                return False  # a log holding several SLURM jobs: each job's OOM kill counts
            # a survived OOM is not the report of a failure that follows it; accelerate
            # giving up after a search is the fatal verdict, not a repeat
            if _survived(earlier) and not _survived(hit):
                return False
            return not (hit.always_fatal and not earlier.always_fatal)
        if _is_boundary(line):
            return False
    return False


def _in_batch_search(window: Sequence[_Line], i: int) -> bool:
    for k in range(i - 1, -1, -1):
        raw = window[k].raw
        if _SEARCH_END.search(raw):
            return False
        if _SEARCH_START.search(raw):
            return True
    return False


_TRACEBACK_LINE = ascii_re(
    r"Traceback \(most recent call last\)|During handling of|The above exception"
    r"|-- Process \d+ terminated|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception)\b"
)


def _says(pattern: re.Pattern[str], line: _Line) -> bool:
    """Does the line say it, read whole or without its source's prefix (a container's
    ``vllm-1  | ``, srun's ``0: ``)? Phase markers that open a line ("llama.cpp: loading model
    from") open the program's text, not the prefix."""
    return pattern.search(line.raw) is not None or (
        line.body is not line.raw and pattern.search(line.body) is not None
    )


# vLLM's engine after its worker's OOM at start-up ("EngineCore failed to start."): loading,
# unless the worker's frames above show a forward pass, which at start-up is the profile run
# or a warm-up, both sized by the batch limits (a GLM-5.2 run's committed log, whose paste
# begins inside the worker's traceback at "in forward")
_ENGINE_START_FAILED = ascii_re(r"\bEngineCore failed to start\b")


def _phase(window: Sequence[_Line], i: int, source: str) -> str | None:
    """Phase "load", "run" or None, from the traceback frames and log lines before line ``i``.

    A warm-up frame wins (see _WARMUP_FRAME), then any loading frame (vLLM's profile run
    calls ``forward`` at start-up); without frames, the nearest phase marker among the log
    lines decides.
    """
    if any(_says(_LOAD_HERE, line) for line in window[i : i + 1 + CONTEXT_AFTER]):
        return "load"
    phase = _phase_before(window, i, source)
    if any(_says(_ENGINE_START_FAILED, line) for line in window[i : i + 1 + CONTEXT_AFTER]):
        return "run" if phase == "run" and _frame_above(window, i, source) else "load"
    return phase


def _frame_above(window: Sequence[_Line], i: int, source: str) -> bool:
    """Is line ``i`` under a traceback's frames (its message, not a log line's)?"""
    for k in range(i - 1, max(-1, i - 6), -1):
        line = window[k]
        body = line.body
        if line.source == source and (
            _FRAME.match(body) or _NOTEBOOK_FRAME.match(body) or _saved_frame(body)
        ):
            return True
    return False


def _phase_before(window: Sequence[_Line], i: int, source: str) -> str | None:
    if _NOTEBOOK_HEADER.match(window[i].body) and _cell_loads_or_saves(window, i):
        return "load"
    load = run = False
    for k in range(i - 1, -1, -1):
        line = window[k]
        if line.source != source:
            continue
        body = line.body
        frame = _FRAME.match(body) or _NOTEBOOK_FRAME.match(body) or _saved_frame(body)
        if frame is not None:
            # (IPython 8 names a method with its class: "in Module._apply(self, fn)")
            func = frame.group("func").rsplit(".", 1)[-1]
            if _WARMUP_FRAME.match(func):
                return "run"
            load = load or _LOAD_FRAME.search(func) is not None
            load = load or _LOAD_FILE.match(body) is not None
            run = run or _RUN_FRAME.match(func) is not None
            continue
        # rich's traceback (accelerate, kohya's scripts): a frame's header or a source line in
        # its box, "│ /x/module.py:1145 in _apply │", "│   1145 │   return self._apply("
        rich = _RICH_FRAME.match(body)
        if rich is not None:
            load = load or _LOAD_FRAME.search(rich["func"]) is not None
            run = run or _RUN_FRAME.match(rich["func"]) is not None
            continue
        source_line = _RICH_SOURCE.match(body)
        if source_line is not None:
            code = source_line["code"].replace("│", " ")
            load = load or _LOAD_SOURCE.search(code) is not None
            run = run or _RUN_SOURCE.search(code) is not None
            continue
        if body.startswith(_RICH_BORDERS):
            continue
        # IPython's source excerpt: only the arrow's line ran ("-> 1143 return t.to(...")
        numbered = _IPYTHON_SOURCE.match(body)
        if numbered is not None and (numbered["arrow"] or body[0].isspace()):
            code = numbered["code"] if numbered["arrow"] else ""
            load = load or _LOAD_SOURCE.search(code) is not None
            run = run or _RUN_SOURCE.search(code) is not None
            continue
        if not body or body[0].isspace():
            load = load or _LOAD_SOURCE.search(body) is not None
            run = run or _RUN_SOURCE.search(body) is not None
            continue
        if body.startswith("self.") and _LOAD_SOURCE.search(body):
            load = True  # a traceback's source line whose indent the paste dropped
            continue
        if _TRACEBACK_LINE.match(body):
            continue
        if load or run:
            break
        if _says(_CONTEXT_MADE, line):
            return None  # the weights are placed; what follows is the context or a prompt
        if _says(_LOAD_LOG, line):
            # "Loading weights from ....weights...Done!" (Darknet): the loading is over
            return None if _LOAD_DONE.search(line.raw) else "load"
        if _says(_RUN_LOG, line):
            return "run"
        if _ends_phase(line):
            return None
    if load:
        return "load"
    return "run" if run else None


def _saved_frame(body: str) -> re.Match[str] | None:
    """A frame of a traceback a saved notebook holds as one JSON string of its output
    ('"File \\u001b[0;32m/x/module.py:1152\\u001b[0m, in \\u001b[0;36mModule.to\\u001b[0;34m(
    self, ...'), which _notebook_output leaves as a value: only the last entry is printed."""
    decoded = _output_entry(body)
    return _NOTEBOOK_FRAME.match(decoded[0]) if decoded is not None else None


_IPYTHON_SOURCE = ascii_re(r"\s*(?P<arrow>-+> {1,3})?\d+ (?P<code>.*)")
_RICH_BORDERS = ("╭─", "╰─")
_RICH_FRAME = ascii_re(r"│ \S+:\d+ in (?P<func><?[\w.]+>?)\s*│?\s*$")
_RICH_SOURCE = ascii_re(r"│ (?:❱ )? *\d+ │(?P<code>.*?)│?\s*$")


# IPython's header of a cell's uncaught exception, whose frames and message come after it
_NOTEBOOK_HEADER = ascii_re(r"(?:\w+\.)*\w+ *Traceback \(most recent call last\)")
_CALLED = ascii_re(r"(\w+)\(")


def _cell_loads_or_saves(window: Sequence[_Line], i: int) -> bool:
    """Under IPython's header, the first frames: does the cell's marked line (``----> 3
    model.push_to_hub_gguf(``) or a frame load, merge or save weights?"""
    for line in window[i + 1 : i + 1 + CONTEXT_AFTER]:
        frame = _NOTEBOOK_FRAME.match(line.body)
        if frame is not None and _LOAD_FRAME.search(frame["func"]):
            return True
        arrow = _IPYTHON_ARROW.match(line.body)
        if arrow is not None and any(
            _LOAD_FRAME.search(name) for name in _CALLED.findall(line.body[arrow.end() :])
        ):
            return True
    return False


# OpenVINO's chained exception ends with the innermost one's message on its own line:
# "RuntimeError: Exception from src\inference\src\cpp\core.cpp:113:" ... "Exception from
# src\core\src\runtime\allocator.cpp:79:" then std::bad_alloc's what(), "bad allocation"
# under MSVC (openvinotoolkit/openvino#34345): its host allocator failed. Elsewhere, as a
# RuntimeError's message, std::bad_alloc can be a library's bug (a one-element tensor,
# pytorch/pytorch#73356): no report; pybind11's MemoryError is one.
_BAD_ALLOC_LINE = _rule(r"(?:std::bad_alloc|bad allocation)$", "host", "cxx")
_EXCEPTION_FROM = ascii_re(r"\bException from \S*\ballocator\.cpp:\d+:$")
# ...or raised as a RuntimeError by a call into OpenVINO's Python API (its frames above:
# compile_model in openvino/runtime/ie_api.py, bes-dev/stable_diffusion.openvino#132)
_BAD_ALLOC_RAISED = ascii_re(r"RuntimeError: (?:std::bad_alloc|bad allocation)$")
_OPENVINO_FRAME = ascii_re(r'\s*File "[^"]*[/\\]openvino[/\\][^"]*", line \d+, in ')


# torch.distributed's TCPStore sizes a reply by the length its peer sent: std::bad_alloc raised
# from a store call is a garbled exchange (a rendezvous reaching the wrong endpoint,
# pytorch/pytorch#64990), not memory
_STORE_BAD_ALLOC = ascii_re(r"(?:MemoryError|RuntimeError): std::bad_alloc$")
_STORE_CALL = ascii_re(
    r'\s*File "[^"]*[/\\]torch[/\\]distributed[/\\][^"]*", line \d+, in \w*store\w*$'
    r"|\bself\._store\b"
)


def _store_bad_alloc(window: Sequence[_Line], i: int, body: str) -> bool:
    return _STORE_BAD_ALLOC.match(body) is not None and any(
        _STORE_CALL.search(window[k].body) for k in range(max(0, i - 2), i)
    )


def _openvino_bad_alloc(window: Sequence[_Line], i: int, body: str) -> bool:
    if _BAD_ALLOC_LINE.pattern.match(body):
        return _EXCEPTION_FROM.search(window[i - 1].body) is not None
    if _BAD_ALLOC_RAISED.match(body):
        return any(_OPENVINO_FRAME.match(window[k].body) for k in range(max(0, i - 6), i))
    return False


# TensorRT's build failing after its builder ran out of GPU memory (see the rule for "Error
# Code 2: OutOfMemory"), or Torch-TensorRT's compiled module then failing to run ("Error The
# following operation failed in the TorchScript interpreter.", pytorch/TensorRT#603)
_TRT_BUILD_FAILED = ascii_re(
    r"\bEngine building failed\b|\bFailed to build (?:the )?engine\b"
    r"|\bThe following operation failed in the TorchScript interpreter\b"
    # no tactic left for a node once those that needed more memory were skipped
    # (triton-inference-server/server#6064)
    r"|\bError Code 10: Internal Error \(Could not find any implementation for node\b"
)
_TRT_BUILD_OOM = _rule(_TRT_BUILD_FAILED.pattern, "gpu", "tensorrt", batch_helps=False)
# An unhandled C++ exception right after tcmalloc refused a large allocation ("tcmalloc: large
# alloc 377396076847104 bytes == (nil) @ ...", then "Unhandled exception:" and its frames,
# jax-ml/jax#12550 on a TPU VM): the allocation's failure is the exception (the size comes
# from tcmalloc's line, as for std::bad_alloc)
_UNHANDLED_CXX = _rule(r"^Unhandled exception:\s*$", "host", "cxx")
# cuBLAS unable to create its handle names no memory, but right after TensorFlow's allocator ran
# out it is that memory: the pool left cuBLAS none, and the op then runs without BLAS and fails
# (a 2 GB GTX 950's "Ran out of memory trying to allocate 1.08GiB" warnings, then "failed to
# create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED", tensorflow/tensorflow#9077)
_CUBLAS_NO_HANDLE = _rule(
    r"\bfailed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED\b",
    "gpu",
    "tensorflow",
    batch_helps=False,
)
# ...and cuDNN's, the same way: TensorFlow's start-up could not get the device's memory (another
# process holds it), then "could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR" and the
# convolution's "Check failed: stream->parent()->GetConvolveAlgorithms(&algorithms)", Aborted
# (a second instance on a GTX 1070, tensorflow/tensorflow#8085)
_CUDNN_NO_HANDLE = _rule(
    r"\b[Cc]ould not create cudnn handle: CUDNN_STATUS_(?:NOT_INITIALIZED|INTERNAL_ERROR)\b",
    "gpu",
    "tensorflow",
    batch_helps=False,
)
_NO_HANDLE = (_CUBLAS_NO_HANDLE, _CUDNN_NO_HANDLE)
# the map of its memory TensorFlow's BFC allocator draws last in the dump it logs when an
# allocation failed ("W .../bfc_allocator.cc:439] *_____..." under "Stats:"): a paste that
# begins inside the dump, after its first line, still holds the failure (tensorflow/models#9809);
# with the first line in sight it is the same failure, one event
_BFC_MAP = _rule(r"[*_]{50,}\s*$", "gpu", "tensorflow", level_blind=True)
_BFC_HEAD = ascii_re(r"\bbfc_allocator\.cc:\d+\] $")


def _bfc_map(line: _Line) -> bool:
    return _BFC_HEAD.search(line.head) is not None and _BFC_MAP.pattern.match(line.body) is not None


# A Hugging Face Space's status page when its container was stopped for its memory limit:
# "Runtime error" over "CPU Memory limit exceeded (16GB)" (sedthh/pyxelate#27) or "Memory limit
# exceeded (16Gi)" (mhrice/RemFx#47). Alone, the line is only a heading's words.
_SPACE_MEMORY_LIMIT = _rule(
    r"(?:CPU )?Memory limit exceeded \([\d.]+ ?[GM]i?B?\)$", "host", "hf-spaces",
    batch_helps=False,
)
_SPACE_RUNTIME_ERROR = ascii_re(r"(?i)runtime error$")
_BFC_RAN_OUT = ascii_re(
    r"\bbfc_allocator\.cc:\d+\] (?:Allocator \(\w+\) ran|Ran) out of memory trying to allocate\b"
)
# The stream executor refusing the pool at start-up ("failed to allocate 126.19M (132317184
# bytes) from device: CUDA_ERROR_OUT_OF_MEMORY", which it retries smaller and survives on its
# own); group 1 the request. A cuDNN or cuBLAS handle that then cannot be made names no size:
# its request is the pool's first refusal (tensorflow/tensorflow#9256: 3.95G, then retries)
_TF_POOL_REQUEST = ascii_re(
    r"\bfailed to allocate [\d.]+\w? \((\d+) bytes\) from device: CUDA_ERROR_OUT_OF_MEMORY\b"
)
# TensorFlow's pool out of the device's memory: the BFC allocator's failure, or that refusal
_TF_POOL_FAILED = ascii_re(_BFC_RAN_OUT.pattern + "|" + _TF_POOL_REQUEST.pattern)
_TRT_OOM = ascii_re(
    r"\bError Code 2: OutOfMemory\b"
    r"|\bSkipping tactic \S+ due to (?:insufficient memory\b|Myelin error: .*\bout of memory\b)"
)


# ggml's Metal backend: a command buffer's bare status 5 (MTLCommandBufferStatusError, any error)
# is its OOM when the buffers allocated just before passed the device's working set
# ("ggml_metal_add_buffer: ... (23984.91 / 21845.34), warning: current allocated size is greater
# than the recommended max working set size", then "command buffer 8 failed with status 5" and
# GGML_ASSERT, ollama/ollama#434); without that warning it says nothing of memory
_METAL_STATUS_ERROR = ascii_re(
    r"\bggml_metal_graph_compute: command buffer \d+ failed with status 5\b"
)
_METAL_OOM = _rule(_METAL_STATUS_ERROR.pattern, "gpu", "ggml", batch_helps=False)
_OVER_WORKING_SET = ascii_re(r"\bgreater than the recommended max working set size\b")
# ...or when the last buffer allocated filled it all but a sliver, below the warning's line
# ("ggml_metal_add_buffer: allocated 'alloc ' buffer, size = 119.02 MiB, (36700.88 /
# 36864.00)", then status 5: a 65B model on a 48 GB M3 Max, XiongjieDai/GPU-Benchmarks-on-LLM-
# Inference)
_METAL_BUFFER_USE = ascii_re(
    r"\bggml_metal_add_buffer: allocated .*\((?P<used>\d+(?:\.\d+)?) / (?P<max>\d+(?:\.\d+)?)\)\s*$"
)
_METAL_SET_FULL = 0.98


def _metal_set_full(window: Sequence[_Line], i: int) -> bool:
    for k in range(i - 1, max(-1, i - 20), -1):
        use = _METAL_BUFFER_USE.search(window[k].raw)
        if use is not None:
            return float(use["used"]) >= _METAL_SET_FULL * float(use["max"]) > 0
    return False


def _said_just_before(window: Sequence[_Line], i: int, pattern: re.Pattern[str]) -> bool:
    """Did one of the 20 lines before line ``i`` say it? (A failure whose own words name no
    memory, told by its runtime's line just before: TensorRT's builder skipping tactics for
    memory, Metal's buffers past the working set, TensorFlow's refused zero-byte request.)"""
    return any(pattern.search(window[k].raw) for k in range(max(0, i - 20), i))


# ollama's runner taking a request's prompt into a cache slot, after the model has loaded:
# a ggml buffer that fails next is the request's compute buffer (ollama/ollama#10753: an image
# too large for what the model left free), which a smaller request would fit
_CACHE_SLOT = ascii_re(
    r'\bmsg="loading cache slot"'
    # llama-server's slot trimming its KV cache for the prompt it is about to process ("kv cache
    # rm [p0, end) p0=4096", then the compute buffer it re-reserves fails)
    r"|\bkv cache rm \[p0, end\)"
)


def _serving_request_before(window: Sequence[_Line], i: int, hit: _Hit) -> bool:
    """Did ollama's runner take a request just before this ggml failure? Only the few lines
    right before count: an older request's line may precede a new model's load."""
    return hit.origin == "ggml" and any(
        line.source == hit.source and _CACHE_SLOT.search(line.raw)
        for line in window[max(0, i - 5) : i]
    )


def _following(window: Sequence[_Line], i: int, source: str) -> list[_Line]:
    return [line for line in window[i + 1 :] if line.source == source]


_TOP_FRAME = ascii_re(r"\s*File \"[^\"]*\", line \d+, in <module>$")


# pytest's header of one failed test's report ("_____ TestXpu.test_memory_fraction _____"): the
# test failed, the test run went on to its summary
_PYTEST_TEST_HEADER = ascii_re(r"_{3,} \S.{0,300} _{3,}$")


# pytest's report of a failed test's exception: "E       ray.exceptions.OutOfMemoryError: ..."
_PYTEST_ERROR_LINE = ascii_re(r"E {3,}\S")


# unittest's header of one test's report, under its "=====" rule: "ERROR: test_conv_large_cuda
# (__main__.TestNNDeviceTypeCUDA)"; the runner records the error and runs the next test
_UNITTEST_TEST_HEADER = ascii_re(r"\s*(?:ERROR|FAIL): test\w* \([\w.]+\)\s*$")


def _in_test_report(window: Sequence[_Line], i: int) -> bool:
    return _PYTEST_ERROR_LINE.match(window[i].body) is not None or any(
        _PYTEST_TEST_HEADER.match(window[k].body)
        or _UNITTEST_TEST_HEADER.match(_own_head(window[k].head) + window[k].body)
        for k in range(i - 1, max(-1, i - 40), -1)
    )


_WARNED_TEXT = 40  # of the message: enough to name the same allocation, size included


# XLA's warning that it could not open one GPU (its CUDA context did not fit, or a scheduler
# capped the device at 0G, jax-ml/jax#10830): it goes on with the other devices, unless the
# next lines say none was left ("F ... no supported devices found for platform CUDA", then
# Aborted, keras-team/keras#12695)
_WARNING_HEAD = ascii_re(r"(?:^|\s)W [\w./\-]+:\d+\]|^\[?W\d{3,4} ")
_DEVICE_SKIPPED = ascii_re(r"\bunable to create StreamExecutor for \w+:\d+: ")
_NO_DEVICE_LEFT = ascii_re(
    r"\bno supported devices found\b|\bUnable to initialize backend\b|\bAborted\b"
    # TF 1.13's XLA service asked for the device it could not open: a fatal check follows
    # ("F ... statusor.cc:34] Attempting to fetch value instead of handling error Invalid
    # argument: device CUDA:0 not supported by XLA service", tensorflow/tensorflow#27122)
    r"|\bnot supported by XLA service\b"
)


def _device_skipped(window: Sequence[_Line], i: int, head: str, body: str) -> bool:
    return (
        _DEVICE_SKIPPED.search(body) is not None
        and _WARNING_HEAD.search(head) is not None
        and not any(
            _NO_DEVICE_LEFT.search(line.raw) for line in window[i + 1 : i + 1 + CONTEXT_AFTER]
        )
    )


def _warned_after(window: Sequence[_Line], i: int, text: str) -> bool:
    """Does a WARNING (or INFO) record right after the exception quote its message? The
    program caught it and logged it (mlcommons/algorithmic-efficiency#182: "RuntimeError:
    CUDA out of memory. Tried to allocate 6.05 GiB ...", then "W1019 ... error: GPU out of
    memory during eval ..., error : CUDA out of memory. Tried to allocate 6.05 GiB ...")."""
    exception = _EXCEPTION_START.match(text) or _OOM_MESSAGE_START.search(text)
    if exception is None:
        return False
    # (a record of the caught error in the program's words, "Failed to load model: MPS
    # backend out of memory ...", is quoted from the runtime's own words on: the warning after
    # it puts its own words first, "LLM Service not available: MPS backend out of memory ...")
    start = exception.end() if exception.re is _EXCEPTION_START else exception.start()
    quote = text[start:].strip()[:_WARNED_TEXT]
    return len(quote) == _WARNED_TEXT and any(
        line.head and _handled_level(line.head) and quote in line.body
        for line in window[i + 1 : i + 1 + CONTEXT_AFTER]
    )


def _went_on_logging(following: Sequence[_Line]) -> bool:
    """After TensorFlow's warning of a failed op (``OP_REQUIRES failed at ...: Resource
    exhausted: OOM ...``), is the next record INFO, before any traceback or error? The
    exception was caught and the program went on (tensorflow/tensorflow#44047: it prints
    "Resource Error" and creates its device again); an uncaught one shows its traceback."""
    for line in following:
        body = line.body.lstrip()
        if body.startswith("Traceback") or _EXCEPTION_START.match(body):
            return False
        if _ERROR_LEVEL.search(line.head):
            return False
        if "bfc_allocator" in line.head or "pool_allocator" in line.head:
            # the allocator's dump of its bins and chunks: part of the OOM's report; the pinned
            # host pool's eviction stats ("PoolAllocator: After 0 get requests, put_count=...")
            # come from other threads while the exception is still on its way up
            continue
        if body.startswith("Error reported to Coordinator: "):
            return False  # tf.train.Coordinator stopping the threads for it, at INFO
        if _INFO_HEADER.search(line.head) or _GLOG_INFO.match(_own_head(line.head).lstrip()):
            return True
    return False


_GLOG_INFO = ascii_re(r"(?:[\d\-: .]+ )?I(?:\d{4} | [\w./\-]+:\d+\])")


_PYTHON_PROMPT = ascii_re(r">>>(?: |$)")  # not a row of ">" a reporter draws around a log


def _prompt_follows(following: Sequence[_Line]) -> bool:
    """Does a Python prompt come back after the OOM (``>>> ``)? The interpreter lived on: the
    exception ended the statement typed, not the session (intel/intel-extension-for-pytorch
    #629: a smaller allocation at the next prompt works)."""
    for line in following:
        if _PYTHON_PROMPT.match(line.body):
            return True
        if line.body.startswith("Traceback (most recent call last)"):
            return False
    return False


def _printed_at_prompt(window: Sequence[_Line], i: int) -> bool:
    """Did a call typed at a Python prompt print the message itself? An exception that
    escaped it would show its ``Traceback`` first (pytorch/pytorch#27600: ``>>> oom()`` then
    ``CUDA out of memory. Tried to allocate ...``, caught and printed by the function)."""
    for k in range(i - 1, max(-1, i - 20), -1):
        body = window[k].body
        if body.startswith(">>> "):
            return True
        if body.startswith("Traceback (most recent call last)") or not body.strip():
            return False
    return False


def _crash_follows(
    window: Sequence[_Line], i: int, source: str, next_line_counts: bool = False
) -> bool:
    """Does a traceback that reached the top level follow (its first frame is ``<module>``)?

    A traceback from ``<module>`` is an uncaught exception: the handling failed and the
    process ends (fairseq's ``attempting to recover from OOM`` then its ``Traceback``). A
    program that logs an OOM it handles with the exception (``exc_info``) prints the traceback
    right under the record, from where it caught it (``<module>`` too in a flat script): a
    traceback on the very next line does not count, unless the line is a C++ library's own
    print of the error it returns to Python (``next_line_counts``: no logger prints that).
    Nor does one after progress or an INFO record: the handling worked, and what crashed later
    is another failure. A logger's tag is not on the traceback's lines: those count too.
    """
    # the record's own source, or the process it came from (a logger's tag is one level below
    # a container's or launcher's prefix: "svc-1/fairseq.trainer", then "svc-1" on the frames)
    outer = {source.rsplit("/", k)[0] for k in range(source.count("/") + 1)} | {""}
    following = [line for line in window[i + 1 :] if line.source in outer]
    for n, (line, after) in enumerate(pairwise(following)):
        if line.body.startswith("Traceback (most recent call last):"):
            return (n > 0 or next_line_counts) and _TOP_FRAME.match(after.body) is not None
        if _is_boundary(line) or _PROGRESS.search(line.raw):
            return False  # the job went on after the OOM: a later crash is another failure
    return False


# bash's prompt back, with or without a command typed at it ("(env) user@node4:~/code$")
_PROMPT_BACK = ascii_re(_BASH_PROMPT + r"(?: |$)")


def _ended_at_shell(window: Sequence[_Line], i: int) -> bool:
    """Is the OOM the program's last output, the shell's prompt on the next line? A program
    that printed the OOM it caught and exited failed of it (a fine-tuning script's ``ERROR
    CUDA out of memory. ...`` then the prompt)."""
    for line in window[i + 1 :]:
        if line.body.strip():
            return _PROMPT_BACK.match(line.body) is not None
    return False


def _ends_record(previous: _Line, line: _Line) -> bool:
    """A log record whose text ended (a closing quote, bracket or period) with no cut at a
    terminal's width, then a line with no header: the next record of a program that writes
    none (vLLM's ``...message="Allocation Failure"`` then ``Process SpawnProcess-1:``)."""
    return (
        bool(previous.head)
        and not line.head
        and previous.cols not in _WRAP_WIDTHS
        and previous.body.rstrip()[-1:] in ('"', "'", ")", "]", ".")
        and line.body[:1].isupper()
    )


def _full_text(window: Sequence[_Line], i: int, hit: _Hit) -> str:
    """The hit's text with the hard-wrapped continuation lines that follow it."""
    text = hit.text
    lines = [window[i]]
    for line in _following(window, i, hit.source):
        if not _continues(lines[-1], line) or _ends_record(lines[-1], line):
            break
        lines.append(line)
    # a terminal cut every line at its width (mteb#2426: 177 columns): the full lines, all
    # but the last, have one length
    lengths = {line.cols for line in lines[:-1]}
    width = lengths.pop() if len(lines) >= 3 and len(lengths) == 1 else None
    for previous, line in pairwise(lines):
        text = _join(text, line.body, previous.cols, width)
    return text


_SLURM_OOM = ascii_re(r"^slurmstepd(?:-[\w.\-]+)?: error: Detected \d+ oom[-_]kill event")


# Ray's exception wrapping a task's, the task's own message a few lines down, under the
# actor's name ("ray.exceptions.RayTaskError(OutOfMemoryError):", "  ray::Worker.train()", ...,
# "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 320.00 MiB.", NeMo-RL's report)
_WRAPPED_TYPE = ascii_re(r"\bRayTaskError\((?P<etype>[\w.]+)\):\s*$")


def _better_message(window: Sequence[_Line], i: int, hit: _Hit) -> tuple[str, str] | None:
    """For a bare ``Killed``: slurmstepd's oom_kill line right after it names the cause. For
    a traceback's ``raise X("...")`` or Ray's wrapper of X: the exception's own line, when it
    is already in sight."""
    raised = _RAISE_SOURCE.match(window[i].body) or _WRAPPED_TYPE.search(window[i].body)
    if raised is not None:
        etype = raised.group("etype").rsplit(".", 1)[-1]
        for line in _following(window, i, hit.source)[: _MESSAGE_LINES + 8]:
            exception = _EXCEPTION_LINE.match(line.body)
            if exception is not None and exception.group("etype").endswith(etype):
                return line.body, hit.origin
        return None
    if not hit.killed:
        return None
    for line in window[i + 1 :]:
        if _SLURM_OOM.match(line.body):
            return line.body, "slurm"
    return None


# --------------------------------------------------------------------------- extraction

_UNITS = {
    "": 1, "B": 1, "BYTES": 1,
    "K": 1 << 10, "KIB": 1 << 10, "KB": 10**3,
    "M": 1 << 20, "MIB": 1 << 20, "MB": 10**6,
    "G": 1 << 30, "GIB": 1 << 30, "GB": 10**9,
    "T": 1 << 40, "TIB": 1 << 40, "TB": 10**12,
    "P": 1 << 50, "PIB": 1 << 50, "PB": 10**15,
}  # fmt: skip


def _bytes(number: str, unit: str, binary: bool = False) -> int | None:
    """``binary``: the reporter prints powers of 1024 as KB/MB/GB (PyTorch's MPS allocator)."""
    number = number.replace(",", "")  # (only a pattern that allows thousands separators)
    if len(number) > 24:
        return None
    try:
        value = float(number)
    except ValueError:
        return None
    unit = unit.upper()
    factor = _UNITS.get(unit.replace("B", "IB") if binary and unit in _DECIMAL else unit)
    if factor is None or value != value or value == float("inf"):
        return None
    if number.isdigit() and isinstance(factor, int):
        return int(number) * factor  # exact: a float loses a 19-digit byte count's last digits
    return round(value * factor)


_TRIED = (
    # XLA's cuda_async allocator; the exact count beside the rounded one the error names
    # (a thread's copy may add thousands separators: "126,257,359,472 bytes")
    ascii_re(r"\bcuMemAllocAsync failed to allocate (\d{1,3}(?:,\d{3})+|\d+)() bytes"),
    # TensorFlow's BFC allocator: the request rounded to its bins, exact ("ran out of memory
    # trying to allocate 4.00MiB (rounded to 4194304)requested by op Tanh")
    ascii_re(r"ran out of memory trying to allocate [\d.]+\s*[KMGT]?i?B \(rounded to (\d+)()\)"),
    # ...and TF 1.x's, which names only the rounded size ("Ran out of memory trying to allocate
    # 32.00MiB.  See logs for memory state", tensorflow/tensorflow#1568)
    ascii_re(r"[Rr]an out of memory trying to allocate\s*" + _SIZE),
    ascii_re(r"[Tt]ried\s*to\s*allocate\s*" + _SIZE),
    ascii_re(r"while\s*trying\s*to\s*allocate\s*" + _SIZE),
    ascii_re(r"Failed to CUDA calloc\s*" + _SIZE),
    # Android's runtime (ART): "java.lang.OutOfMemoryError: Failed to allocate a 200146960 byte
    # allocation with 100663296 free bytes and 157MB until OOM"
    ascii_re(r"\bFailed to allocate a (\d+)() byte allocation with\b"),
    # TensorFlow 1.x's op error: bytes ("Ran out of GPU memory when allocating 1294336000 bytes
    # for [[{{node softmax_cross_entropy_with_logits}} ...")
    ascii_re(r"\bRan out of GPU memory when allocating (\d+)() bytes\b"),
    ascii_re(r"Unable to allocate\s*" + _SIZE),
    # NumPy prints a whole number of units with its point ("Unable to allocate 654. MiB for an
    # array with shape (26187, 26187) and data type uint8", pandas-dev/pandas#50494)
    ascii_re(r"Unable to allocate\s*(\d+)\.\s*([KMGTP]i?B)\b"),
    ascii_re(r"Fail to alloc memory of (\d+)() size"),  # Paddle's host allocator: bytes
    ascii_re(r"\bxmalloc: cannot allocate (\d+)() bytes"),  # bash
    ascii_re(r"\bmalloc failed \(tried to allocate (\d+)() bytes\)"),  # git
    # TensorFlow 0.x's Eigen allocator: bytes ("EigenAllocator for GPU ran out of memory when
    # allocating 0. See error logs", tensorflow/tensorflow#6766)
    ascii_re(r"EigenAllocator for \w+ ran out of memory when allocating (\d+)()\."),
    ascii_re(r"MemoryError: Cannot allocate (\d+)() bytes: no memory"),  # tinygrad
    ascii_re(r"\bcannot allocate vector of size ([\d.]+) ([KMGT]?b)\b"),  # R
    ascii_re(r"Could not allocate tensor with\s*" + _SIZE),  # DirectML
    ascii_re(r"unable to mmap\s*" + _SIZE),
    ascii_re(r"Attempting\s*to\s*(?:allocate|reserve)\s*" + _SIZE),
    ascii_re(r"\(\s*" + _SIZE + r"\s*KV\s*cache\s*is\s*needed"),
    ascii_re(r"desired\s*GPU\s*memory\s*utilization\s*\(\s*[\d.]+\s*,\s*" + _SIZE),
    ascii_re(r"on (?:GPU|XPU|NPU|MLU|DCU) \d+\. Cannot allocate\s*" + _SIZE),  # Paddle
    ascii_re(r"DEVMEM Allocation failed for size::(\d+)()"),  # Gaudi: bytes
    ascii_re(r"workspace Allocation of size ::?(\d+)() failed"),  # Gaudi's graph workspace
    ascii_re(r"Device memory allocation of size (\d+)() failed"),  # ggml's Vulkan: bytes
    ascii_re(r"\ballocating\s*" + _SIZE + r"\s*on device \d+: cudaMalloc failed"),  # ggml
    ascii_re(r"can't (?:malloc|allocate) (\d+)() Bytes (?:of )?memory on device"),  # ggml's SYCL
    # ggml's graph allocator and its CPU back-end: bytes
    ascii_re(r"failed to allocate (?:\w+ )?buffer of size (\d+)()"),
    ascii_re(r"failed to allocate buffer, size = " + _SIZE),  # ollama
    ascii_re(r"\bAllocation \(size=(\d+)()\) would exceed memory"),  # XLA: bytes
    # XLA prints the exact count beside the rounded one: "108.03GiB (116000729080B)"
    ascii_re(r"Failed to allocate request for\s*[\d.]+\s*[KMGT]i?B\s*\((\d+)()B\)"),
    ascii_re(r"Failed to allocate request for\s*" + _SIZE),  # XLA
    ascii_re(r"Failed to allocate (\d+)() bytes for new constant"),  # XLA:GPU
    ascii_re(r"^memory allocation of (\d+)() bytes failed"),  # Rust
    ascii_re(r"enforce allocating <= available failed, (\d+)() >"),  # Paddle Fluid: bytes
    ascii_re(r"memory object allocation: requested (\d+)() bytes"),  # OpenVINO's GPU plugin
    ascii_re(r"Error Code 2: OutOfMemory \(Requested size was (\d+)() bytes"),  # TensorRT
    # ONNX Runtime's BFC arena: bytes
    ascii_re(r"Failed to allocate memory for requested buffer of size (\d+)()"),
    ascii_re(r"out of memory allocating (\d+)() bytes after a total of"),  # GCC's libiberty
    # CuPy's pool, its two wordings ("Out of memory allocating 25,600,000 bytes (allocated so
    # far: ...)", "out of memory to allocate 250092544 bytes (total 10824923136 bytes)")
    ascii_re(r"\b[Oo]ut of memory (?:allocating|to allocate) (\d{1,3}(?:,\d{3})+|\d+)() bytes\b"),
    ascii_re(r"\bError allocating (\d+)() bytes of device memory \(out of memory\)"),  # Theano
    # Tenstorrent's allocator: "Not enough space to allocate 204800000 B DRAM buffer"
    ascii_re(r"\bNot enough space to allocate (\d+)() B (?:DRAM|L1)"),
    # faiss: "size 2764800000 bytes (cudaMalloc error ...", "Failed to cudaMalloc N bytes"
    ascii_re(r"\bsize (\d+)() bytes \(cudaMalloc error"),
    ascii_re(r"\b[Ff]ailed to cudaMalloc (\d+)() bytes"),
    # FlashInfer's workspace ("Failed to allocate memory for batch_prefill_tmp_v with size
    # 450494464 and alignment 16 in AlignedAllocator")
    ascii_re(r"Failed to allocate memory for \w+ with size (\d+)() and alignment"),
    # TensorRT's default allocator ("Requested amount of GPU memory (1180463648 bytes) could
    # not be allocated")
    ascii_re(r"Requested amount of GPU memory \((\d+)() bytes\) could not be allocated"),
)
_GPU = (
    ascii_re(r"\bGPU\s*(\d{1,4})\s*has\s*a\s*total\s*capac"),
    ascii_re(r"\(GPU\s*(\d{1,4})\s*;"),
    ascii_re(r"^[\w.\-]+:\d+:\d+ \[(\d{1,4})\] "),  # NCCL: host:pid:tid [cudaDev]
    ascii_re(r"\bOut of memory error on GPU (\d{1,4})\."),  # Paddle
)
_CAPACITY = (
    ascii_re(r"total\s*capac(?:i)?ty\s*of\s*" + _SIZE),
    ascii_re(_SIZE + r"\s*total\s*capacity"),
    ascii_re(r"Free memory on device\s*\(\s*[\d.]+\s*/\s*" + _SIZE),
    ascii_re(r"\bUsed\s*[\d.]+\s*[KMGT]?i?B?\s*of\s*" + _SIZE + r"\s*hbm"),
)
_FREE = (
    ascii_re(r"of\s*which\s*" + _SIZE + r"\s*is\s*free"),
    ascii_re(_SIZE + r"\s*free\s*[;,)]"),
    ascii_re(r"available\s*KV\s*cache\s*memory\s*\(\s*" + _SIZE),
    ascii_re(r"Free memory on device\s*\(\s*(\d+(?:\.\d+)?)\s*/\s*[\d.]+\s*([KMGT]i?B)"),
    ascii_re(r"available\s*memory\s*is\s*(?:only\s*)?" + _SIZE),  # Paddle
)


_DECIMAL = frozenset(("KB", "MB", "GB", "TB", "PB"))


def _first_size(patterns: Sequence[re.Pattern[str]], text: str, binary: bool = False) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None:
            return _bytes(match.group(1), match.group(2), binary)
    return None


# TensorFlow names the tensor, not its size: "OOM when allocating tensor with shape[32,64,250,
# 250] and type float on /job:localhost/..." is 32*64*250*250 elements of 4 bytes
_TF_TENSOR = ascii_re(r"OOM when allocating tensor with shape\s*\[([\d,\s]*)\] and type (\w+)")
_TF_DTYPE_BYTES = {
    "float": 4, "half": 2, "bfloat16": 2, "double": 8, "int8": 1, "uint8": 1, "int16": 2,
    "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "bool": 1, "complex64": 8,
    "complex128": 16,
}  # fmt: skip


def _tf_tensor_bytes(text: str) -> int | None:
    match = _TF_TENSOR.search(text)
    if match is None or match.group(2) not in _TF_DTYPE_BYTES:
        return None
    elements = 1
    for dim in match.group(1).split(","):
        if not dim.strip():
            return None
        elements *= int(dim)
    return elements * _TF_DTYPE_BYTES[match.group(2)] or None


def _first_int(patterns: Sequence[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None:
            return int(match.group(1))
    return None


def _message(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MESSAGE_CHARS:
        return text[: _MESSAGE_CHARS - 1] + "…"
    return text


# --------------------------------------------------------------------------- entry point


# TensorFlow's BFC allocator refusing a request of zero bytes ("E .../bfc_allocator.cc:246] tried
# to allocate 0 bytes", then the ResourceExhaustedError it becomes, tensorflow/tensorflow#21638):
# a bug in the op asking, not memory running out
_ZERO_BYTES_REFUSED = ascii_re(r"\bbfc_allocator\.cc:\d+\] tried to allocate 0 bytes$")
# A CUDA kernel's failed assertion (an index out of range: "THCTensorIndex.cu:361: void
# indexSelectLargeIndex(...) ... Assertion `srcIndex < srcSelectDimSize` failed.") leaves the
# context broken, and the next library call fails with a code that names memory: cuBLAS's
# "CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`" on the model's next matmul.
# The index is the failure; the allocator, which measures what it asks, is not fooled.
_KERNEL_ASSERTION = ascii_re(r"\.cuh?:\d+: .{0,600}\bAssertion `[^`]{1,300}` failed\.")
_CONTEXT_ERROR = ascii_re(r"\b(?:CUBLAS|CUDNN|CUSOLVER|CUSPARSE|CUFFT)_STATUS_ALLOC_FAILED\b")
_ASSERTION_LINES = 60  # the traceback of the call that found the broken context, above


def _after_kernel_assertion(window: Sequence[_Line], i: int) -> bool:
    return _CONTEXT_ERROR.search(window[i].body) is not None and any(
        _KERNEL_ASSERTION.search(window[k].raw) for k in range(max(0, i - _ASSERTION_LINES), i)
    )


# ggml finding every tensor of a context already placed returns no buffer, which its caller
# reports as a failed allocation ("ggml_backend_alloc_ctx_tensors_from_buft: all tensors in
# the context are already allocated", then "llama_kv_cache_init: failed to allocate buffer for
# kv cache": a draft model's context reused, ikawrakow/ik_llama.cpp): no memory ran out
_ALL_ALREADY_ALLOCATED = ascii_re(r"\ball tensors in the context are already allocated\s*$")


def _nothing_left_to_allocate(window: Sequence[_Line], i: int) -> bool:
    return any(
        _ALL_ALREADY_ALLOCATED.search(window[k].body) for k in range(max(0, i - 2), i)
    )


# ...and ggml's Metal back-end failing to wrap a buffer of no size ("ggml_backend_metal_buffer_
# from_ptr: error: failed to allocate buffer, size =     0.00 MiB" for every model, 7B to 34B:
# a build's fault, ggml-org/llama.cpp#5236)
_ZERO_SIZE_BUFFER = ascii_re(r"\bfailed to allocate buffer, size = +0(?:\.0+)? ?[KMG]i?B$")


# NCCL's bootstrap thread failing to allocate for a remote peer ("bootstrap.cc:279 NCCL WARN
# [Rem Allocator] Allocation failed (segment 0, fd 130)", then alloc.h's "Cuda failure 'out of
# memory'"), right after that peer closed its connection: the service thread answers the peer
# and the rank trains on (Azure/azureml-examples#844: epochs 1 to 3 after it)
_REMOTE_ALLOCATOR_FAILED = ascii_re(r"\bNCCL WARN \[Rem Allocator\] Allocation failed\b")


# ColabFold predicts one sequence at a time and logs its failure before the next ("Could not
# predict N_Repeat_C. Not Enough GPU memory? RESOURCE_EXHAUSTED: ...", sokrypton/ColabFold
# #186): the structure needs the memory, no batch is there to shrink
_COLABFOLD_JOB_FAILED = ascii_re(r"\bCould not predict \S+\. Not Enough GPU memory\? ")
# TensorFlow copying a host value to the device whole (tf.constant, Dataset.from_tensor_slices
# of a numpy array: "... trying to allocate 13.00GiB (rounded to 13958643712)requested by op
# _EagerConst", tensorflow/tensorflow#71744): the data, not a batch of it
_WHOLE_CONSTANT = ascii_re(r"requested by op _?EagerConst\b")


def has_text(line: str) -> bool:
    """Is a line more than blank, as printed?"""
    return bool(_printed(line[:_MAX_CHARS]).strip())


def double_spaced(before: Sequence[str]) -> bool:
    """Does a blank line stand between every two lines of the paste so far (a forum's or a
    console's copy)? Then the lines after a candidate are counted by their text."""
    last = list(before)[-_SPACING_LINES:]
    return len(last) == _SPACING_LINES and all(
        has_text(line) == (k % 2 == 0) for k, line in enumerate(last)
    )


_SPACING_LINES = 8  # four lines of text, each with a blank line under it, right before


def wants_after(
    lines: int,
    with_text: int,
    spaced: bool,
    context: int = CONTEXT_AFTER,
    most: int = CONTEXT_AFTER_MAX,
) -> bool:
    """Does the classifier read one more line after a candidate, having ``lines`` of them,
    ``with_text`` of those with text? ``context`` lines, or in a double-spaced paste up to the
    ``context``-th line with text (``most`` lines at most). The stream waits by it."""
    if not spaced:
        return lines < context
    return with_text < context and lines < most


def _after_context(lines: Sequence[str], spaced: bool) -> list[str]:
    kept: list[str] = []
    with_text = 0
    for line in lines:
        if not wants_after(len(kept), with_text, spaced):
            break
        kept.append(line)
        with_text += has_text(line)
    return kept


# PyTorch re-raises a DataParallel replica's or a DataLoader worker's exception as "X: Caught X
# in replica 0 on device 0." with the worker's own traceback below it, which ends in the worker's
# own message, its size included: that line reports the failure, this one only announces it
_REPLICA_CAUGHT = ascii_re(
    r"(?:\w+\.)*\w+: Caught \w+ in"
    r" (?:replica \d+ on device \d+|DataLoader worker process \d+)\.\s*$"
)
_ORIGINAL_TRACEBACK = ascii_re(r"\s*Original Traceback \(most recent call last\):\s*$")


def _announces_original(window: Sequence[_Line], i: int) -> bool:
    if _REPLICA_CAUGHT.match(window[i].body) is None:
        return False
    source = window[i].source
    below = next((line for line in window[i + 1 :] if line.source == source), None)
    return below is not None and _ORIGINAL_TRACEBACK.match(below.body) is not None


# A markdown table right under the line: its header row, then its delimiter row ("-- | --",
# "|---|---|"). The line is the heading of a report that lists runs by their outcome
# ("RuntimeError: XPU out of memory", then the models that hit it, torch-xpu-ops' weekly test
# report), not a failure of this run.
_TABLE_DELIMITER = ascii_re(r" {0,3}\|? *:?-{2,}:? *(?:\| *:?-{2,}:? *)+\|? *$")


def _heads_a_table(window: Sequence[_Line], i: int) -> bool:
    rows = [line.raw for line in window[i + 1 : i + 3]]
    if len(rows) < 2 or _TABLE_DELIMITER.match(rows[1]) is None:
        return False
    cells = rows[0].strip().strip("|").split("|")
    return len(cells) >= 3 and all(cell.strip() for cell in cells)


def _classify(line: str, before: Sequence[str], after: Sequence[str]) -> OutOfMemory | None:
    if not _CANDIDATE_STR.search(line[:_MAX_CHARS]):
        return None
    # a pasted block's indent is judged on the lines as printed: a colour code or a web
    # page's no-break spaces before the indent are not text
    before = [_printed(text) for text in list(before)[-CONTEXT_BEFORE:]]
    spaced = double_spaced(before)
    after = _after_context([_printed(text) for text in list(after)[:CONTEXT_AFTER_MAX]], spaced)
    if spaced:  # read as the program printed it, one line after another
        before = [text for text in before if has_text(text)]
        after = [text for text in after if has_text(text)]
    before, line, after = _pasted_block(before, _printed(line), after)
    window = _Window((*before, line, *after))
    i = len(before)
    hit = _recognise(window, i)
    if hit is None or _is_repeat(window, i, hit):
        return None
    if hit.origin == "tensorflow" and _said_just_before(window, i, _ZERO_BYTES_REFUSED):
        return None
    if (
        _after_kernel_assertion(window, i)
        or _announces_original(window, i)
        or _heads_a_table(window, i)
    ):
        return None
    if _ZERO_SIZE_BUFFER.search(window[i].body) or _nothing_left_to_allocate(window, i):
        return None
    if hit.origin == "vllm-kv" and _vllm_kv_made_after(window, i):
        return None
    if hit.origin == _GENERIC_ORIGIN or _bfc_map(window[i]):
        i, hit = _named_after(window, i, hit)  # (the allocator's map: the op's OOM names it)
    if hit.origin == "vllm-kv" and hit.kind == "gpu" and _vllm_on_cpu(window, i):
        hit = dataclasses.replace(hit, kind="host")
    text = _full_text(window, i, hit)
    origin = hit.origin
    better = _better_message(window, i, hit)
    if better is not None:
        text, origin = better
    following = _following(window, i, hit.source)
    crashed = (hit.handled or hit.raised_below) and (
        _crash_follows(window, i, hit.source, next_line_counts=hit.raised_below)
        # (not a line that itself says the program went on: "... skipping this batch")
        or (_ended_at_shell(window, i) and _RECOVERED_HERE.search(hit.text) is None)
    )
    recovered = (
        hit.retrying
        or (hit.mention and not crashed)
        # the batch-size search catches torch's OOM exceptions (accelerate's
        # should_reduce_batch_size), never a kill from outside the process
        or ((hit.kind == "gpu" or hit.origin == "pytorch") and _in_batch_search(window, i))
        or _in_test_report(window, i)
        or _troubleshooting_entry(window, i)
        or _prompt_follows(following)
        or (
            (hit.origin == "tensorflow" or _OP_STATUS_RECORD.search(window[i].head) is not None)
            and _went_on_logging(following)
        )
        or any(_RECOVERY.search(other.raw) or _RECOVERY.search(other.body) for other in following)
        or _warned_after(window, i, text)
        or (hit.origin == "nccl" and _said_just_before(window, i, _REMOTE_ALLOCATOR_FAILED))
        or (
            not _failure_shown(window, i, hit)
            and (
                any(_PROGRESS.search(other.raw) for other in following)
                or _printed_at_prompt(window, i)
            )
        )
    )
    fatal = (hit.always_fatal and not hit.mention) or not recovered
    if hit.kind == "host":
        # host memory is no batch's, but vLLM's CPU swap space holds preempted sequences' KV
        batch_helps = hit.batch_helps is True
    elif hit.batch_helps is not None:
        batch_helps = hit.batch_helps or _serving_request_before(window, i, hit)
    elif _COLABFOLD_JOB_FAILED.search(text) or _WHOLE_CONSTANT.search(text):
        batch_helps = False
    else:
        batch_helps = _phase(window, i, hit.source) != "load"
    first = window[i]
    gpu_text = first.body if hit.origin == "nccl" else text
    # binary units printed as "GB"/"MB": MPS ("MPS allocated: 18.13 GB" on a 16 GiB Mac),
    # Paddle (its sizes are divided by 1024) and R ("cannot allocate vector of size 11.8 Gb")
    binary = hit.origin in ("mps", "paddle", "r") or _TH_WHOLE_GB.search(text) is not None
    tried = _first_size(_TRIED, text, binary)
    if tried is None:  # (a request of 0 bytes is a size too)
        tried = _tf_tensor_bytes(text)
    if tried is not None and hit.origin == "ggml":
        tried = _ggml_exact_size(window, i, tried)
    if tried is None and hit.origin == "cxx":
        tried = _size_near(window, i - 3, i, _TCMALLOC_REFUSED)
    if tried is None and _SIZE_BELOW.search(text):
        tried = next(
            (
                size
                for line in window[i + 1 : i + 1 + _BELOW_LINES]
                if (size := _first_size(_REQUEST_BELOW, line.body)) is not None
            ),
            None,
        )
    if tried is None and hit.origin == "jvm":
        tried = _size_near(window, i - 3, i + 3, _JVM_REQUEST)
    if tried is None and any(r.pattern.search(text) for r in _NO_HANDLE):
        tried = _size_near(window, i - 20, i, _TF_POOL_REQUEST)
    capacity = _first_size(_CAPACITY, text, binary)
    if batch_helps and _beyond_any_batch(tried, capacity):
        batch_helps = False
    return OutOfMemory(
        kind=hit.kind,
        origin=origin,
        message=_message(text),
        fatal=fatal,
        batch_helps=batch_helps,
        bytes_tried=tried,
        gpu_index=_first_int(_GPU, gpu_text) if hit.kind == "gpu" else None,
        capacity_bytes=capacity,
        free_bytes=_first_size(_FREE, text, binary),
        rank=hit.rank,
        signal_only=hit.killed and origin == "kernel",
    )


# Torch 7's and old PyTorch's TH allocator print the request in whole GiB ("$ Torch: not enough
# memory: you tried to allocate 2GB. Buy new RAM!": size / 2**30, rounded down)
_TH_WHOLE_GB = ascii_re(r"\bnot enough memory: you tried to allocate \d+GB\b")


# ggml's graph allocator names in bytes the buffer its back-end just failed in MiB
# ("allocating 360757.13 MiB on device 0: cudaMalloc failed: out of memory", then
# "ggml_gallocr_reserve_n: failed to allocate CUDA0 buffer of size 378281271296")
_GGML_EXACT_SIZE = ascii_re(r"\bfailed to allocate \S+ buffer of size (\d+)$")
_GGML_BYTES_HERE = ascii_re(r"\bbuffer of size \d+\s*$")


def _ggml_exact_size(window: Sequence[_Line], i: int, rounded: int) -> int:
    if _GGML_BYTES_HERE.search(window[i].body):  # (the back-end named its bytes itself)
        return rounded
    for line in window[i + 1 : i + 3]:
        found = _GGML_EXACT_SIZE.search(line.body)
        if found is not None and abs(int(found[1]) - rounded) <= 2**20 // 100:
            return int(found[1])
    return rounded


# tcmalloc's report of the large allocation it could not make, right before the std::bad_alloc
# it throws ("tcmalloc: large alloc 113702387720192 bytes == (nil) @ 0x7f6a2b8f1680 ...")
_TCMALLOC_REFUSED = ascii_re(r"\btcmalloc: large alloc (\d+) bytes == \(nil\)")


def _size_near(
    window: Sequence[_Line], start: int, stop: int, pattern: re.Pattern[str]
) -> int | None:
    """The byte count the first of lines ``start:stop`` matching ``pattern`` names (its first
    non-empty group): a runtime's own line beside a failure that names no size."""
    for line in window[max(0, start) : stop]:
        found = pattern.search(line.body)
        if found is not None:
            return int(next(group for group in found.groups() if group))
    return None


# A message whose request is on a line of its own below it:
# - NumPy's _ArrayMemoryError ("numpy.core._exceptions._ArrayMemoryError:", then "  Unable to
#   allocate 22.2 MiB for an array with shape ..."; a Django error page's bare "MemoryError"
#   over the same value, matchering's);
# - PyTorch's, re-wrapped after its first sentence ("torch.OutOfMemoryError: HIP out of memory.
#   ", then "Tried to allocate 26.00 MiB. GPU 0 has ...", a ComfyUI report);
# - the cudaMallocAsync back-end's table ("Allocation on device 0 would exceed allowed memory.
#   (out of memory)", "Currently allocated : 6.50 GiB", "Requested : 40.00 MiB").
_SIZE_BELOW = ascii_re(
    r"MemoryError[:\s]*$|\bout of memory\.\s*$|\bwould exceed allowed memory\. \(out of memory\)"
    r"|\bOut of memory allocating\s*$"  # CuPy's message wrapped before its size
)
_REQUEST_BELOW = (
    *(ascii_re(r"^\s*" + pattern.pattern) for pattern in _TRIED if "Unable to" in pattern.pattern),
    ascii_re(r"^\s*Tried to allocate\s*" + _SIZE),
    ascii_re(r"^\s*Requested\s*:\s*" + _SIZE),
    ascii_re(r"^\s*(\d{1,3}(?:,\d{3})+|\d+)() bytes \(allocated so far: "),  # CuPy
)
_BELOW_LINES = 3


# The JVM's request, in its warning above the banner ("os::commit_memory(0x00000000fa4f3000,
# 58576896, 0) failed; error='Cannot allocate memory'") or in the banner's next line ("#
# Native memory allocation (mmap) failed to map 58576896 bytes for committing reserved memory")
_JVM_REQUEST = ascii_re(
    r"\bos::commit_memory\(0x[0-9a-fA-F]+, (\d+), \d+\) failed"
    r"|\bNative memory allocation \(\w+\) failed to (?:map|allocate) (\d+) bytes"
)


# An allocation no batch size explains: a size that wrapped around (torch's "Tried to allocate
# 17179869183.95 GiB", 2**64 bytes, pytorch/pytorch#33143), or one at least 1024 times the
# device. Halving a batch of up to 1024 down to 1 divides a request by at most 1024, so the
# request of one sample would still not fit. A request of no bytes that fails is the runtime's
# own fault (MPS refusing "Tried to allocate 0 bytes" in a CI test, TensorFlow's allocator an
# empty batch's 0 bytes): no batch asks for less.
_NO_DEVICE_HOLDS = 2**50  # a pebibyte
_LARGEST_BATCH = 1024  # the largest batch a halving relaunch starts from, in practice


def _beyond_any_batch(tried: int | None, capacity: int | None) -> bool:
    if tried is None:
        return False
    return tried == 0 or tried >= _NO_DEVICE_HOLDS or (
        capacity is not None and tried >= _LARGEST_BATCH * capacity
    )


def classify(line: str, before: Sequence[str], after: Sequence[str]) -> OutOfMemory | None:
    """The OOM that ``line`` reports, or None (not an OOM, or a repeat of one in ``before``).

    ``line`` matched :data:`CANDIDATE`; ``before`` holds up to :data:`CONTEXT_BEFORE`
    preceding lines (oldest first), ``after`` up to :data:`CONTEXT_AFTER` following ones.
    Never raises: log text is data, and a parser bug must not take the dashboard down.
    """
    try:
        return _classify(line, before, after)
    except Exception:  # pragma: no cover - defensive; the fuzz tests call _classify directly
        return None
