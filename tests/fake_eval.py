# ruff: noqa: E501 - real tracebacks have long lines
"""A small eval-like program for the supervisor tests (stdlib only, starts fast).

Behaves like an lm-eval client on a GPU: lm-eval-style log lines and tqdm ``\\r`` bars on
stderr, a results line on stdout, and a realistic PyTorch CUDA OOM traceback (exit 1) when
its batch size is above ``--oom-above``. The batch size comes from ``--batch_size N`` /
``--batch-size N`` or, failing that, from the environment variable ``--size-env`` names.

Other failure modes: ``--crash`` (a non-OOM traceback), ``--oom-at-load`` (OOM while
loading the weights), ``--ignore-sigterm``, ``--echo TEXT`` (print a line as is: injection
tests), ``--server-log PATH`` (write the OOM there, as a server would, and fail on stderr
only with an HTTP 500 like lm-eval does; ``--server-oom-rank K`` prefixes it ``[rankK]: ``),
``--quiet`` (nothing on stderr but the bare traceback), ``--late-rank-oom S`` (a detached
"rank 1" appends its report of the OOM to this attempt's stderr S seconds after the next
attempt started, as a shared filesystem shows another node's writes late),
``--survive-oom`` (print the whole traceback, carry on, exit 0), ``--server-500-after`` (the
server log holds the OOM, then a 500; the client hangs silently),
``--setsid-child PIDFILE`` (a child that leaves the job's process group and session, as a
daemonising server does, and sleeps), ``--hang-after N`` (after N steps write nothing and
sleep, unless this run resumed from the cache), ``--access-log PATH`` (a server's access line per step), ``--refused-after N`` (the server
is gone after N steps: a retry loop on refused connections), ``--cache`` (lm-eval's request cache emulated
in ``$EVALMON_CACHE``: finished steps are remembered and a rerun says ``Cached requests: N``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import sys
import time

QUIET = False


def log(msg: str, level: str = "INFO") -> None:
    if QUIET:
        return
    stamp = datetime.datetime.now().strftime("%Y-%m-%d:%H:%M:%S")
    sys.stderr.write(f"{stamp} {level:<8} [evaluator:589] {msg}\n")
    sys.stderr.flush()


def bar(desc: str, n: int, total: int, elapsed: float) -> str:
    rate = n / elapsed if elapsed > 0 and n else 0.0
    pct = int(100 * n / total) if total else 0
    filled = int(10 * n / total) if total else 0
    remaining = (total - n) / rate if rate else 0.0
    fmt = lambda s: f"{int(s) // 60:02d}:{int(s) % 60:02d}"  # noqa: E731
    rate_text = f"{rate:.2f}it/s" if rate else "?it/s"
    return (
        f"{desc}: {pct:3d}%|{'█' * filled}{' ' * (10 - filled)}| {n}/{total} "
        f"[{fmt(elapsed)}<{fmt(remaining)}, {rate_text}]"
    )


OOM_TRACEBACK = """Traceback (most recent call last):
  File "/opt/eval/fake_eval.py", line 211, in <module>
    main()
  File "/opt/eval/fake_eval.py", line 187, in main
    logits = model(input_ids)
  File "/usr/local/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1736, in _wrapped_call_impl
    return self._call_impl(*args, **kwargs)
  File "/usr/local/lib/python3.11/site-packages/transformers/models/llama/modeling_llama.py", line 1190, in forward
    logits = self.lm_head(hidden_states)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {tried:.2f} GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.08 GiB memory in use. Of the allocated memory 76.30 GiB is allocated by PyTorch, and 1.27 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)
"""

LOAD_OOM_TRACEBACK = """Loading checkpoint shards:  50%|█████     | 1/2 [00:03<00:03,  3.10s/it]
Traceback (most recent call last):
  File "/opt/eval/fake_eval.py", line 150, in <module>
    model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16).to("cuda")
  File "/usr/local/lib/python3.11/site-packages/transformers/modeling_utils.py", line 4225, in from_pretrained
    ) = cls._load_pretrained_model(
  File "/usr/local/lib/python3.11/site-packages/transformers/modeling_utils.py", line 4728, in _load_pretrained_model
    new_error_msgs, offload_index, state_dict_index = _load_state_dict_into_meta_model(
  File "/usr/local/lib/python3.11/site-packages/accelerate/utils/modeling.py", line 329, in set_module_tensor_to_device
    new_value = value.to(device)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 448.00 MiB. GPU 0 has a total capacity of 79.15 GiB of which 212.56 MiB is free. Process 2283 has 78.93 GiB memory in use. Of the allocated memory 78.41 GiB is allocated by PyTorch, and 12.31 MiB is reserved by PyTorch but unallocated.
"""

CRASH_TRACEBACK = """Traceback (most recent call last):
  File "/opt/eval/fake_eval.py", line 187, in main
    results = evaluate(model, tasks)
KeyError: 'acc_norm'
"""


def batch_size_from(args: argparse.Namespace) -> int:
    if args.batch_size is not None:
        return int(args.batch_size)
    value = os.environ.get(args.size_env, "")
    if value.isdigit():
        return int(value)
    sys.stderr.write(f"fake_eval: no batch size (--batch_size or ${args.size_env})\n")
    sys.exit(2)


def stamp(path: str | None, what: str) -> None:
    """Benchmarks: when did this process start, when did it write its OOM (unix time)."""
    if path:
        with open(path, "a") as fh:
            fh.write(f"{what} {os.getpid()} {time.time():.6f}\n")


def main() -> int:
    started = time.time()
    p = argparse.ArgumentParser()
    p.add_argument("--batch_size", "--batch-size", dest="batch_size")
    p.add_argument("--size-env", default="BATCH_SIZE")
    p.add_argument("--oom-above", type=int, default=None)
    p.add_argument("--oom-after", type=int, default=2, help="steps before the OOM")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--step-s", type=float, default=0.05)
    p.add_argument("--crash", action="store_true")
    p.add_argument("--oom-at-load", action="store_true")
    p.add_argument("--ignore-sigterm", action="store_true")
    p.add_argument("--echo", action="append", default=[])
    p.add_argument("--server-log", default=None)
    p.add_argument("--pid-file", default=None)
    p.add_argument("--hang-after-oom", action="store_true", help="hang instead of exiting")
    p.add_argument("--survive-oom", action="store_true",
                   help="print the OOM traceback, then carry on to the end and exit 0")
    p.add_argument("--server-500-after", action="store_true",
                   help="with --server-log: the server logs the OOM, then answers 500; "
                   "the client then waits silently (no exit)")
    p.add_argument("--stamp-file", default=None)
    p.add_argument("--rank-logs", type=int, default=0,
                   help="also report the OOM in DIR-of-server-log/rank-K.log for K < N")
    p.add_argument("--late-oom-log", default=None,
                   help="a detached 'server' appends one more OOM here 0.3 s after we die")
    p.add_argument("--server-oom-rank", type=int, default=None)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--late-rank-oom", type=float, default=None, metavar="S")
    p.add_argument("--setsid-child", default=None, metavar="PIDFILE")
    p.add_argument("--hang-after", type=int, default=None, metavar="N")
    p.add_argument("--cache", action="store_true")
    p.add_argument("--access-log", default=None, help="a server's access line per step")
    p.add_argument("--refused-after", type=int, default=None, metavar="N",
                   help="after N steps the server is gone: retry connections forever")
    p.add_argument("--refused-tries", type=int, default=None, metavar="K",
                   help="with --refused-after: give up after K tries (exit 1, a traceback)")
    args = p.parse_args()
    global QUIET
    QUIET = args.quiet
    if args.stamp_file:
        with open(args.stamp_file, "a") as fh:
            fh.write(f"start {os.getpid()} {started:.6f}\n")

    if args.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.pid_file:
        with open(args.pid_file, "a") as fh:
            fh.write(f"{os.getpid()}\n")
    size = batch_size_from(args)
    if args.setsid_child:
        setsid_child(args.setsid_child)
    for text in args.echo:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    log(f"Initializing fake model, with arguments: {{'batch_size': {size}}}")
    if args.oom_at_load:
        sys.stderr.write(LOAD_OOM_TRACEBACK)
        sys.stderr.flush()
        return 1
    cache = (os.environ.get("EVALMON_CACHE", "") + "_fake.txt") if args.cache else ""
    cached = 0
    if cache and os.path.exists(cache):
        with open(cache) as fh:
            cached = min(len(fh.read().split()), args.steps)
    if cache:
        os.makedirs(os.path.dirname(cache) or ".", exist_ok=True)
        log(f"Cached requests: {cached}, Requests remaining: {args.steps - cached}")
    log("Running loglikelihood requests")
    start = time.monotonic()
    will_oom = args.oom_above is not None and size > args.oom_above
    todo = args.steps - cached  # like lm-eval: the bar counts the requests not cached
    for n in range(todo + 1):
        if n and cache:
            with open(cache, "a") as fh:
                fh.write(f"{cached + n}\n")
        if args.hang_after is not None and n >= args.hang_after and cached == 0:
            time.sleep(3600)  # hung: no output, no exit
        if args.refused_after is not None and n >= args.refused_after and cached == 0:
            tries = 0
            while True:  # lm-eval's retry loop against a server that is gone
                log("API request failed with error message: Cannot connect to host "
                    "127.0.0.1:8000 ssl:default [Connection refused]. Retrying...", "WARNING")
                tries += 1
                if args.refused_tries is not None and tries >= args.refused_tries:
                    sys.stderr.write(
                        "aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host "
                        "127.0.0.1:8000 ssl:default [Connection refused]\n")
                    return 1
                time.sleep(0.2)
        if args.access_log and n:
            with open(args.access_log, "a") as fh:
                fh.write('127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /v1/completions HTTP/1.1" '
                         '200 -\n')
        if not QUIET:
            sys.stderr.write("\r" + bar("Requesting API", n, todo, time.monotonic() - start))
            sys.stderr.flush()
        if will_oom and n >= args.oom_after:
            if not QUIET:
                sys.stderr.write("\n")
            if args.survive_oom:  # caught somewhere up the stack, after printing it whole
                sys.stderr.write(OOM_TRACEBACK.replace("{tried:.2f}", f"{size / 64:.2f}"))
                will_oom = False
            else:
                return oom(args, size)
        if args.crash and n >= args.oom_after:
            sys.stderr.write("\n" + CRASH_TRACEBACK)
            sys.stderr.flush()
            return 1
        if n < todo:
            time.sleep(args.step_s)
    if not QUIET:
        sys.stderr.write("\n")
    log("Finished")
    print(f"fake-model (batch_size={size}), limit: None, num_fewshot: None, batch_size: {size}")
    print("|Tasks|Version|Filter|n-shot|Metric|   |Value|   |Stderr|")
    print("|-----|------:|------|-----:|------|---|----:|---|-----:|")
    print("|fake |      1|none  |     0|acc   |↑  |0.500|±  |0.0100|")
    sys.stdout.flush()
    return 0


def oom(args: argparse.Namespace, size: int) -> int:
    text = OOM_TRACEBACK.replace("{tried:.2f}", f"{size / 64:.2f}")
    stamp(args.stamp_file, "oom")
    for rank in range(args.rank_logs):
        folder = os.path.dirname(os.path.abspath(args.server_log or args.late_oom_log or "."))
        with open(os.path.join(folder, f"rank-{rank}.log"), "a") as fh:
            fh.write(f"[rank{rank}]: " + text.replace("\n", f"\n[rank{rank}]: ").rstrip(" :"))
    if args.late_oom_log:
        late_writer(args.late_oom_log, text)
    if args.late_rank_oom is not None:
        late_rank(args.late_rank_oom, text)
    if args.server_log and args.server_500_after:
        with open(args.server_log, "a") as fh:
            fh.write(text)
        time.sleep(0.3)  # the failed request is answered after the traceback
        with open(args.server_log, "a") as fh:
            fh.write('127.0.0.1 - - [24/Nov/2026 03:00:03] "POST /completions HTTP/1.1" 500 -\n')
        time.sleep(3600)  # the client waits on; the server stays up
    if args.server_log:
        with open(args.server_log, "a") as fh:
            fh.write('127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /completions HTTP/1.1" 500 -\n')
            if args.server_oom_rank is not None:
                fh.write(ranked(text, args.server_oom_rank))
            else:
                fh.write(text)
            fh.flush()
        log(
            "API request failed! Status code: 500, Response text: Internal Server Error. "
            "Retrying...",
            "WARNING",
        )
        sys.stderr.write(
            "requests.exceptions.HTTPError: 500 Server Error: INTERNAL SERVER ERROR for url: "
            "http://127.0.0.1:5000/completions\n"
        )
    else:
        sys.stderr.write(text)
    sys.stderr.flush()
    if args.ignore_sigterm or args.hang_after_oom:
        time.sleep(3600)  # a hung process after an OOM: evalmon must stop it
    return 1


def setsid_child(pidfile: str) -> None:
    """A child that leaves our process group and session (a daemonising server)."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:  # re-parented to init: no longer our descendant once we die
            with open(pidfile, "a") as fh:
                fh.write(f"{os.getpid()}\n")
            time.sleep(3600)
        os._exit(0)
    os.wait()


def ranked(text: str, rank: int) -> str:
    return "".join(f"[rank{rank}]: {line}\n" for line in text.splitlines())


def late_rank(delay: float, text: str) -> None:
    """Rank 1 on another node: its report reaches this attempt's stderr (our fd 2) ``delay``
    seconds after the next attempt started (its attempt-N.out appears next to our stderr)."""
    err = os.path.realpath("/proc/self/fd/2")
    folder = os.path.dirname(err)
    number = int(os.environ.get("EVALMON_ATTEMPT", "1"))
    nxt = os.path.join(folder, f"attempt-{number + 1}.out")
    done = os.path.join(folder, "late-rank.done")
    as_another_node(_LATE_RANK, nxt, str(delay), ranked(text, 1), done)


_LATE_RANK = """
import os, sys, time
nxt, delay, text, done = sys.argv[1:5]
deadline = time.monotonic() + 60
while not os.path.exists(nxt) and time.monotonic() < deadline:
    time.sleep(0.02)
time.sleep(float(delay))
os.write(2, text.encode())
with open(done, "w") as fh:
    fh.write("%.6f\\n" % time.time())
"""

_LATE_WRITER = """
import sys, time
time.sleep(0.3)
with open(sys.argv[1], "a") as fh:
    fh.write(sys.argv[2])
"""


def as_another_node(code: str, *argv: str) -> None:
    """Start a process of another node: not the job's, writing on its own schedule. The
    supervisor counts as the job's any descendant it sees and any process carrying its markers,
    so the process is forked twice (its parent exits at once: it is no descendant of ours for
    longer than that) and this returns only once it has exec'd without the markers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALMON_")}
    ready, exec_done = os.pipe()
    os.set_inheritable(exec_done, False)  # closed by the grandchild's exec (O_CLOEXEC)
    middle = os.fork()
    if middle == 0:
        try:
            os.close(ready)
            os.setsid()
            if os.fork() == 0:
                os.execve(sys.executable, [sys.executable, "-c", code, *argv], env)
        finally:
            os._exit(0)
    os.close(exec_done)
    os.waitpid(middle, 0)
    os.read(ready, 1)  # end of file: the grandchild's exec closed the pipe
    os.close(ready)


def late_writer(path: str, text: str) -> None:
    """Like a server still finishing a request of a client that is gone: not in our group."""
    as_another_node(_LATE_WRITER, path, text)


if __name__ == "__main__":
    sys.exit(main())
