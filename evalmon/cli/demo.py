"""``evalmon demo``: the whole story on any machine, no GPU.

A simulated Megatron-like server, the real lm-eval client under ``evalmon run`` at a batch
size the simulated GPU cannot hold: an OOM in the server log, a relaunch at a smaller size
that reuses every cached request, a finished run with results, and the run comparison.

``evalmon demo --server vllm``: the same client against a simulated vLLM server instead:
continuous batching (no global lock, ``max_num_seqs``, a KV cache that fills), vLLM V1
statistics lines in its log and a real Prometheus ``/metrics``, which ``evalmon run`` finds
in the log's ``Starting vLLM server on ...`` line and scrapes.

Folder layout (``evalmon report FOLDER`` groups files by the number in their names):
    attempt-N.out / attempt-N.err   lm-eval's stdout / stderr for attempt N (written by evalmon run)
    server-N.log                    the server's log while attempt N ran
    gpu-<host>.jsonl                the simulated GPU's samples
    .evalmon/                       evalmon run's attempt record and lm-eval's request cache
    .lm-eval/                       the materialized tasks and lm-eval's results files
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

from evalmon.cli.argtypes import positive_int
from evalmon_demo.lm_eval_cmd import LmEvalSettings, build_argv, build_env
from evalmon_demo.tasks import GEN_TASK, materialize
from evalmon_demo.tokenizer import ensure_tokenizer

SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_GRACE_S = 5.0


class DemoError(RuntimeError):
    """A setup failure, shown to the user as one line."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evalmon demo",
        description="The whole story with no GPU: a simulated Megatron-like server, the real "
        "lm-eval client under `evalmon run`, an out-of-memory, a relaunch at a smaller batch "
        "size that resumes from lm-eval's cache, the results and the run comparison.",
    )
    p.add_argument(
        "--headless",
        action="store_true",
        help="plain lines instead of the dashboard (CI, no terminal)",
    )
    p.add_argument(
        "--server",
        choices=("megatron", "vllm"),
        default="megatron",
        help="the simulated server: megatron (default: a global lock, an OOM and a relaunch) or "
        "vllm (continuous batching, vLLM's stats lines and /metrics)",
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="lm-eval's first batch size (default 256: too large for the simulated Megatron "
        "GPU; 64 with --server vllm)",
    )
    p.add_argument(
        "--dir",
        type=Path,
        help="folder for the logs (default ./evalmon-demo-<timestamp>; must be new or empty)",
    )
    p.add_argument(
        "--num-concurrent",
        type=positive_int,
        default=None,
        help="lm-eval's num_concurrent (default 1: its progress bar then counts requests, so "
        "even the attempt that crashes has an exact samples/s; 4 with --server vllm, which "
        "serves them all at once)",
    )
    p.add_argument(
        "--max-num-seqs",
        type=positive_int,
        default=128,
        help="--server vllm: sequences the engine runs at once (default 128)",
    )
    p.add_argument(
        "--inference-max-batch-size",
        type=positive_int,
        default=256,
        help="the simulated engine's max batch (default 256)",
    )
    p.add_argument(
        "--max-attempts",
        type=positive_int,
        default=4,
        help="launches in all before giving up (default 4)",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply the simulated GPU's service times (default 1.0)",
    )
    p.add_argument(
        "--tune",
        action="store_true",
        help="`evalmon tune` instead: short trials at batch 8..512 and concurrency 1,4 on the "
        "simulated Megatron server (batch 8 slow, larger faster, 256 OOMs, 512 skipped, "
        "concurrency saturates behind the server's lock); the table and tune.json",
    )
    p.add_argument("--tokenizer-dir", type=Path, help=argparse.SUPPRESS)
    return p


def _say(text: str) -> None:
    print(f"evalmon demo: {text}", flush=True)


def _say_building_tokenizer() -> None:
    _say("building the offline tokenizer (first use only)...")


def demo_folder(requested: Path | None) -> Path:
    """A new folder for this demo's logs (an existing one must be empty: runs would mix)."""
    folder = requested or Path.cwd() / time.strftime("evalmon-demo-%Y%m%d-%H%M%S")
    folder = folder.resolve()
    if folder.exists():
        if not folder.is_dir():
            raise DemoError(f"{folder} exists and is not a folder")
        if any(folder.iterdir()):
            raise DemoError(f"{folder} is not empty; give a new folder with --dir")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot create {folder}: {exc.strerror}") from None
    return folder


# --------------------------------------------------------------------------- the server


def server_argv(
    folder: Path, tokenizer: Path, port_file: Path, ns: argparse.Namespace
) -> list[str]:
    argv = [
        sys.executable, "-m", "evalmon_demo.server",
        "--port", "0",
        "--port-file", str(port_file),
        # one log per attempt of `evalmon run`: server-N.log next to attempt-N.out
        "--log", str(folder / "server-{attempt}.log"),
        "--attempt-dir", str(folder),
        "--gpu-log-dir", str(folder),
        "--tokenizer", str(tokenizer),
        "--inference-max-batch-size", str(ns.inference_max_batch_size),
        "--time-scale", str(ns.time_scale),
        "--parent-pid", str(os.getpid()),
    ]  # fmt: skip
    if getattr(ns, "server", "megatron") == "vllm":
        argv += ["--flavor", "vllm", "--max-num-seqs", str(ns.max_num_seqs)]
    return argv


@contextlib.contextmanager
def running_server(argv: list[str], port_file: Path, stderr_path: Path) -> Iterator[int]:
    """Start the server in its own session, yield its port, always stop it (SIGTERM, SIGKILL)."""
    with open(stderr_path, "ab") as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not port_file.exists():
            if proc.poll() is not None:
                detail = stderr_path.read_text(encoding="utf-8", errors="replace").strip()
                last = detail.splitlines()[-1] if detail else f"exit code {proc.returncode}"
                raise DemoError(f"the simulated server did not start: {last}")
            if time.monotonic() > deadline:
                raise DemoError("the simulated server did not start within 30 s")
            time.sleep(0.05)
        yield int(port_file.read_text(encoding="utf-8").strip())
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # only our own child, by its pid
    try:
        proc.wait(timeout=SERVER_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --------------------------------------------------------------------------- main


def supervisor_argv(folder: Path, ns: argparse.Namespace, lm_eval_argv: list[str]) -> list[str]:
    argv = [
        "--batch-size", str(ns.batch_size),
        "--backoff", "0.5",
        "--max-attempts", str(ns.max_attempts),
        "--log-dir", str(folder),
        "--grace", "5",
    ]  # fmt: skip
    if ns.headless:
        argv.append("--headless")
    return [*argv, "--", *lm_eval_argv]


def check_dependencies() -> None:
    """The demo's extra packages, checked before anything is started."""
    missing = [m for m in ("lm_eval", "transformers", "tokenizers") if find_spec(m) is None]
    if missing:
        raise DemoError(
            f"missing {', '.join(missing)}: install the demo's extras with "
            "pip install 'evalmon[demo]'"
        )


def _run(ns: argparse.Namespace) -> int:
    from evalmon.cli.run import main as run_main

    check_dependencies()
    vllm = ns.server == "vllm"
    if ns.batch_size is None:
        ns.batch_size = 64 if vllm else 256
    if ns.num_concurrent is None:
        ns.num_concurrent = 4 if vllm else 1
    folder = demo_folder(ns.dir)
    work = folder / ".lm-eval"  # hidden: evalmon's folder scan skips it (data, results JSON)
    work.mkdir()
    _say(f"logs go to {folder}")
    tokenizer = ensure_tokenizer(ns.tokenizer_dir, on_build=_say_building_tokenizer)
    tasks = materialize(work / "tasks")
    port_file = work / "server.port"
    argv = server_argv(folder, tokenizer, port_file, ns)
    with running_server(argv, port_file, work / "server.stderr") as port:
        base_url = f"http://127.0.0.1:{port}"
        if vllm:
            _say(
                f"simulated vLLM server on {base_url} (continuous batching, max_num_seqs "
                f"{ns.max_num_seqs}; log: server-N.log; Prometheus: {base_url}/metrics)"
            )
        else:
            _say(
                f"simulated Megatron-LM server on {base_url} (engine max batch "
                f"{ns.inference_max_batch_size}, a simulated 80 GB GPU; log: server-N.log)"
            )
        settings = LmEvalSettings(
            base_url=base_url,
            tokenizer_dir=tokenizer,
            tasks=tasks,
            output_path=work / "output",
            batch_size=ns.batch_size,
            num_concurrent=ns.num_concurrent,
        )
        if vllm:
            _say(
                f"running the real lm-eval client under `evalmon run` at batch size "
                f"{ns.batch_size} x {ns.num_concurrent} concurrent requests; vLLM batches "
                "continuously, so they are served together (no OOM expected): watch running, "
                "waiting and the KV cache"
            )
        else:
            _say(
                f"running the real lm-eval client under `evalmon run` at batch size "
                f"{ns.batch_size}; the simulated GPU cannot hold the generation batch, so expect "
                "an OOM and a relaunch"
            )
        # lm-eval must never reach for the network; the supervisor passes our environment on
        with _environment(build_env({})):
            code = run_main(supervisor_argv(folder, ns, build_argv(settings)))
        if vllm:  # while the server still answers: the report reads its /metrics too
            _print_comparison(folder)
    if not vllm:
        _print_comparison(folder)
    return code


@contextlib.contextmanager
def _environment(extra: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _print_comparison(folder: Path) -> None:
    from evalmon import cli

    print(flush=True)
    _say("the run comparison (`evalmon report` on the demo folder):")
    sys.stdout.flush()
    cli.main(["report", str(folder)])
    shown = _shown_path(folder)
    print(flush=True)
    print("Try it yourself on the logs this demo left behind:", flush=True)
    print(f"  evalmon report {shown}                 # the table above", flush=True)
    print(f"  evalmon report {shown} --format json   # for scripts and CI", flush=True)
    print(f"  evalmon {shown}                        # the live dashboard", flush=True)


def _shown_path(folder: Path) -> str:
    """Relative to here when inside it, with ``./`` so ``evalmon ./run`` is not a command."""
    try:
        rel = folder.relative_to(Path.cwd())
    except ValueError:
        return str(folder)
    return "." if str(rel) == "." else f"./{rel}"


#: ``evalmon demo --tune``: the sweep, the trial size and the simulated GPU's speed
TUNE_BATCH_SIZES = "8,64,128,256,512"
TUNE_CONCURRENCY = "1,4"
#: the generation task alone, 400 requests: a 256-prompt call must OOM, and at the simulated
#: GPU's own speed the fast trials' request bars last 8 s or more (tqdm states whole seconds:
#: a shorter bar would make a rate coarse)
TUNE_LIMIT = 400
#: batch 8 needs a minute for 400 requests: its first 20 s of serving (130 requests) say it is
#: slow as clearly as 40 s did, and the demo keeps to about two minutes (each trial also pays
#: lm-eval's ~10 s start, most of it indexing its 14,000 built-in tasks)
TUNE_TIME_BOX_S = 20
#: a bar of 8 s read to the second is good to about 12%: a smaller "gain" (concurrency behind
#: Megatron's global lock) is noise, and the story is that it saturates
TUNE_MIN_GAIN = 15


def _tune(ns: argparse.Namespace) -> int:
    """The seed's tuning session on the simulated server, by `evalmon tune`."""
    from evalmon.cli.tune import main as tune_main

    check_dependencies()
    if ns.server != "megatron":
        raise DemoError("--tune runs on the simulated Megatron server (--server megatron)")
    folder = demo_folder(ns.dir)
    work = folder / ".lm-eval"
    work.mkdir()
    _say(f"logs go to {folder}")
    tokenizer = ensure_tokenizer(ns.tokenizer_dir, on_build=_say_building_tokenizer)
    tasks = materialize(work / "tasks")
    port_file = work / "server.port"
    server_log = folder / "server.log"
    argv = server_argv(folder, tokenizer, port_file, ns)
    argv[argv.index("--log") + 1] = str(server_log)  # one server for every trial
    with running_server(argv, port_file, work / "server.stderr") as port:
        base_url = f"http://127.0.0.1:{port}"
        _say(
            f"simulated Megatron-LM server on {base_url} (engine max batch "
            f"{ns.inference_max_batch_size}, a simulated 80 GB GPU, {ns.time_scale:g}x its "
            "service times; log: server.log)"
        )
        _say(
            f"`evalmon tune`: batch sizes {TUNE_BATCH_SIZES}, then concurrency "
            f"{TUNE_CONCURRENCY} at the fastest. Each trial is the real lm-eval client on "
            f"{GEN_TASK} with --limit {TUNE_LIMIT}, one supervised attempt with its own fresh "
            f"cache, at most {TUNE_TIME_BOX_S} s after its first request; a step must gain "
            f"{TUNE_MIN_GAIN}% to count (a rate from an 8 s bar is good to about 12%)"
        )
        settings = LmEvalSettings(
            base_url=base_url,
            tokenizer_dir=tokenizer,
            tasks=tasks,
            output_path=work / "output",
            batch_size=8,
            num_concurrent=1,
        )
        client = build_argv(settings)
        client[client.index("--tasks") + 1] = GEN_TASK
        tune_argv = [
            "--batch-size", TUNE_BATCH_SIZES,
            "--concurrency", TUNE_CONCURRENCY,
            "--limit", str(TUNE_LIMIT),
            "--time-box", str(TUNE_TIME_BOX_S),
            "--min-gain", str(TUNE_MIN_GAIN),
            "--log-dir", str(folder),
            "--watch", str(server_log),
            "--watch", str(folder / f"gpu-{socket.gethostname() or 'localhost'}.jsonl"),
            "--grace", "5",
            "--", *client,
        ]  # fmt: skip
        with _environment(build_env({})):
            code = tune_main(tune_argv)
    shown = _shown_path(folder)
    print(flush=True)
    print("Try it yourself on what this demo left behind:", flush=True)
    print(f"  cat {shown}/tune.json                  # the record", flush=True)
    print(f"  evalmon report {shown}/trials           # every trial's figures", flush=True)
    print("  evalmon tune --history                 # what sweeps learnt, kept for the next "
          "(evalmon run --batch-size auto starts there)", flush=True)
    return code


def main(argv: list[str]) -> int:
    ns = build_parser().parse_args(argv)
    try:
        if ns.tune:
            return _tune(ns)
        return _run(ns)
    except DemoError as exc:
        print(f"evalmon demo: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # the server was stopped on the way out; evalmon run stops its own job
        print("evalmon demo: interrupted; everything it started has been stopped", file=sys.stderr)
        return 130
