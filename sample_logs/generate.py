"""Write the synthetic logs of sample_logs/: the seed's tuning story, run by run.

The logs are SYNTHETIC but built from the real formats: tqdm's own ``format_meter``
renders every bar update, lm-eval's own ``make_table`` renders the results, and the
server lines follow Megatron-LM's text generation server (werkzeug access lines,
``[BATCHING DEBUG]`` prints, Megatron's argument dump). Deterministic: run it again and
the files come out byte for byte the same.

    python sample_logs/generate.py            # rewrites sample_logs/*.out, *.log
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tqdm import tqdm

HERE = Path(__file__).resolve().parent
DOCS = 1000  # hellaswag, --limit 1000: the contexts bar counts them
REQUESTS = 4 * DOCS  # 4 choices each: one loglikelihood request per choice
START = datetime(2026, 11, 20, 9, 0, 0)
RETRIES = 3  # max_retries=3: three attempts in all
#: evalmon run's one cache for every attempt of a job ($EVALMON_CACHE, expanded by `set -x`):
#: the relaunch (104) reads what the OOM'd attempt (103) cached
CACHE = "/scratch/evalmon/logs/.evalmon/cache/run-5f3a9c1e2b7d"
RETRY_WAIT_S = 1.0  # tenacity's wait_exponential(multiplier=0.5, min=1) for attempts 1 and 2


@dataclass(frozen=True)
class RunSpec:
    job: int
    batch: int
    engine_max: int
    concurrency: int
    tokenized: bool
    samples_per_s: float
    oom_at_batch: int | None = None  # the server runs out of memory on the first such call
    cached: bool = False  # run under `evalmon run`, which adds lm-eval's --use_cache
    start: datetime = START


RUNS = (
    RunSpec(101, batch=8, engine_max=32, concurrency=1, tokenized=False, samples_per_s=0.75),
    RunSpec(102, batch=64, engine_max=32, concurrency=1, tokenized=False, samples_per_s=5.25,
            start=START + timedelta(hours=1)),
    RunSpec(103, batch=256, engine_max=256, concurrency=4, tokenized=True, samples_per_s=13.0,
            oom_at_batch=0, cached=True, start=START + timedelta(hours=2)),
    RunSpec(104, batch=128, engine_max=128, concurrency=4, tokenized=True, samples_per_s=11.8,
            cached=True, start=START + timedelta(hours=3)),
)


def lm_eval_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d:%H:%M:%S")


def werkzeug_time(t: datetime) -> str:
    return t.strftime("%d/%b/%Y %H:%M:%S")


def model_args(spec: RunSpec) -> dict[str, object]:
    return {
        "model": "megatron-8b",
        "base_url": "http://localhost:5000/completions",
        "num_concurrent": spec.concurrency,
        "max_retries": 3,
        "tokenized_requests": spec.tokenized,
        "tokenizer": "/models/megatron-8b/tokenizer",
        "tokenizer_backend": "huggingface",
    }


# hellaswag's splits as datasets generates them on first load (evaluation uses validation)
SPLITS = (("train", 39905), ("test", 10003), ("validation", 10042))
CORRECT = {"acc": 412, "acc_norm": 531}  # documents right of DOCS, in every finished run
SETUP_S = 5.0  # from the client's first log line to its first request
OOM_RESPONSE_S = 0.4  # the server answers 500 this long after a request that runs out of memory


def requests_start(spec: RunSpec) -> datetime:
    """When the client sends its first request: the server log's clock agrees with it."""
    return spec.start + timedelta(seconds=95 + SETUP_S)  # the server loads first


def accuracy(n_correct: int) -> tuple[float, float]:
    """An accuracy over DOCS documents and lm-eval's stderr for it (the sample stderr of the
    mean): a --limit 1000 run's accuracy is a multiple of 0.001 and its stderr about 0.016."""
    p = n_correct / DOCS
    return p, math.sqrt(p * (1 - p) / (DOCS - 1))


def client_log(spec: RunSpec) -> str:
    t = spec.start + timedelta(seconds=95)  # the server loads first
    out: list[str] = []

    # the logger names and line numbers are those lm-eval 0.4.13 prints
    def log(level: str, where: str, message: str) -> None:
        out.append(f"{lm_eval_time(t)} {level:<8} [{where}] {message}\n")

    # the job script runs under `set -x`, so the shell echoes the command it runs
    margs = ",".join(f"{k}={v}" for k, v in model_args(spec).items())
    cache = f" --use_cache {CACHE}" if spec.cached else ""
    out.append(f"+ lm_eval --model local-completions --model_args {margs} --tasks hellaswag "
               f"--limit 1000 --batch_size {spec.batch}{cache}\n")
    log("INFO", "_cli.run:392", "Selected Tasks: ['hellaswag']")
    log("INFO", "evaluator:214", "Setting random seed to 0 | Setting numpy seed to 1234 | "
        "Setting torch manual seed to 1234 | Setting fewshot manual seed to 1234")
    log("INFO", "evaluator:240", f"Initializing local-completions model, with arguments: "
        f"{model_args(spec)}")
    log("INFO", "models.api_models:176", "Using max length 2048 - 1")
    log("INFO", "models.api_models:197", "Using tokenizer huggingface")
    if spec.job == RUNS[0].job:
        # the first job loads hellaswag into the shared datasets cache; the later ones reuse it
        for split, rows in SPLITS:
            seconds = rows / 52000
            out.append(bar_burst(f"Generating {split} split", rows, rows, seconds, steps=3,
                                 unit=" examples") + "\n")
            t += timedelta(seconds=seconds)
    t += timedelta(seconds=1)
    log("INFO", "api.task:312", "Building contexts for hellaswag on rank 0...")
    out.append(bar_burst("", DOCS, DOCS, 0.5, steps=4) + "\n")  # one update per document
    t += timedelta(seconds=0.5)
    if spec.cached:
        db = f"{CACHE}_rank0.db"
        log("INFO", "evaluator:279", f"Using cache at {db}")
        log("INFO", "evaluator:589", "Running loglikelihood requests")
        log("INFO", "api.model:306", "Loading 'loglikelihood' responses from cache "
            f"'{db}' where possible...")
        out.append(bar_burst("Checking cached requests", REQUESTS, REQUESTS, 0.4, steps=4) + "\n")
        log("INFO", "api.model:330", f"Cached requests: 0, Requests remaining: {REQUESTS}")
    else:
        log("INFO", "evaluator:589", "Running loglikelihood requests")
    t = requests_start(spec)

    per_unit = spec.batch if spec.concurrency > 1 else 1
    total_units = math.ceil(REQUESTS / spec.batch) if spec.concurrency > 1 else REQUESTS
    if spec.oom_at_batch is not None:
        # lm-eval sends its longest batch first, so it fails at once: HTTP 500 on each of its
        # max_retries=3 attempts (tenacity logs "Retry attempt N" before each wait, so 1 and 2)
        done_units = spec.oom_at_batch if spec.concurrency > 1 else spec.oom_at_batch * spec.batch
        elapsed = done_units * per_unit / spec.samples_per_s
        out.append(bar_burst("Requesting API", done_units, total_units, elapsed, steps=done_units,
                             unit_step=1 if spec.concurrency > 1 else spec.batch))
        begin = t + timedelta(seconds=elapsed)
        answers = oom_answers(spec.concurrency)
        ended = answers_seen(answers)[-1].done
        for answer in answers_seen(answers):
            t = begin + timedelta(seconds=answer.done)
            log("WARNING", "models.api_models:521", "API request failed! Status code: 500, "
                "Response text: <!doctype html>\\n<html lang=en>\\n<title>500 Internal Server "
                "Error</title>. Retrying...")
            if answer.done < ended:  # the last attempt raises: lm-eval ends with no retry
                log("INFO", "models.api_models:607", f"Retry attempt {answer.attempt}")
        out.append(client_crash())
        return "".join(out)

    elapsed = REQUESTS / spec.samples_per_s
    out.append(bar_burst("Requesting API", total_units, total_units, elapsed, steps=total_units,
                         unit_step=1 if spec.concurrency > 1 else spec.batch) + "\n")
    t += timedelta(seconds=elapsed + 3)
    out.append(results_block(spec))
    return "".join(out)


@dataclass(frozen=True)
class Answer:
    """One HTTP 500 the server sent for an out-of-memory batch (seconds after the first send)."""

    task: int  # which of lm-eval's num_concurrent requests in flight
    attempt: int  # tenacity's attempt, 1 to RETRIES
    sent: float
    done: float


def oom_answers(concurrency: int) -> list[Answer]:
    """Every 500 the server sends when each batch runs out of memory, in the order it sends
    them. lm-eval has ``concurrency`` batches in flight; Megatron's server runs one at a time
    (its global lock), so they queue. Each task waits RETRY_WAIT_S after a 500 and sends again;
    the first task to fail RETRIES times ends lm-eval, and a retry not sent by then never is.
    A request the server had already received is still run, and fails, after the client died."""
    pending = [(0.0, task, 1) for task in range(concurrency)]
    answers: list[Answer] = []
    free = 0.0  # when the server's lock is free
    ended: float | None = None
    while pending:
        pending.sort()
        sent, task, attempt = pending.pop(0)
        if ended is not None and sent > ended:
            continue  # the client was gone before sending it
        done = round(max(sent, free) + OOM_RESPONSE_S, 3)
        free = done
        answers.append(Answer(task, attempt, sent, done))
        if attempt == RETRIES:
            ended = done if ended is None else min(ended, done)
        else:
            pending.append((round(done + RETRY_WAIT_S, 3), task, attempt + 1))
    return answers


def answers_seen(answers: list[Answer]) -> list[Answer]:
    """The 500s the client read: up to the one that ended it."""
    ended = next(a.done for a in answers if a.attempt == RETRIES)
    return [a for a in answers if a.done <= ended]


def bar_burst(desc: str, n_final: int, total: int, elapsed: float, steps: int,
              unit_step: int = 1, unit: str = "it") -> str:
    """A tqdm bar as it lands in a file: ``\\r``-separated updates on one physical line."""
    updates = [tqdm.format_meter(0, total, 0, prefix=desc, unit=unit)]
    n = 0
    step = unit_step if unit_step > 1 else max(1, n_final // max(1, steps))
    while n < n_final:
        n = min(n_final, n + step)
        updates.append(tqdm.format_meter(n, total, elapsed * n / n_final, prefix=desc, unit=unit))
    return "\r" + "\r".join(updates)


def client_crash() -> str:
    """lm-eval 0.4.13's traceback when the last attempt at a batch gets HTTP 500."""
    lm_eval = "/opt/venv/lib/python3.11/site-packages/lm_eval"
    frames = (
        ("/opt/venv/bin/lm_eval", 8, "<module>", "sys.exit(cli_evaluate())"),
        (f"{lm_eval}/__main__.py", 10, "cli_evaluate", "parser.execute(args)"),
        (f"{lm_eval}/_cli/harness.py", 60, "execute", "args.func(args)"),
        (f"{lm_eval}/_cli/run.py", 395, "_execute", "results = simple_evaluate("),
        (f"{lm_eval}/utils.py", 580, "_wrapper", "return fn(*args, **kwargs)"),
        (f"{lm_eval}/evaluator.py", 363, "simple_evaluate", "results = evaluate("),
        (f"{lm_eval}/utils.py", 580, "_wrapper", "return fn(*args, **kwargs)"),
        (f"{lm_eval}/evaluator.py", 600, "evaluate", "resps = getattr(lm, reqtype)(cloned_reqs)"),
        (f"{lm_eval}/api/model.py", 471, "loglikelihood",
         "return self._loglikelihood_tokens(new_reqs, disable_tqdm=disable_tqdm)"),
        (f"{lm_eval}/models/api_models.py", 689, "_loglikelihood_tokens", "asyncio.run("),
        ("/usr/lib/python3.11/asyncio/runners.py", 190, "run", "return runner.run(main)"),
        ("/usr/lib/python3.11/asyncio/runners.py", 118, "run",
         "return self._loop.run_until_complete(task)"),
        ("/usr/lib/python3.11/asyncio/base_events.py", 653, "run_until_complete",
         "return future.result()"),
        (f"{lm_eval}/models/api_models.py", 632, "get_batched_requests",
         'return await tqdm_asyncio.gather(*tasks, desc="Requesting API")'),
        (f"{lm_eval}/models/api_models.py", 526, "amodel_call", "response.raise_for_status()"),
        ("/opt/venv/lib/python3.11/site-packages/aiohttp/client_reqrep.py", 1161,
         "raise_for_status", "raise ClientResponseError("),
    )
    lines = ["\nTraceback (most recent call last):\n"]
    for path, line, function, code in frames:
        lines.append(f'  File "{path}", line {line}, in {function}\n    {code}\n')
    lines.append("aiohttp.client_exceptions.ClientResponseError: 500, message='INTERNAL SERVER "
                 "ERROR', url='http://localhost:5000/completions'\n")
    return "".join(lines)


def results_block(spec: RunSpec) -> str:
    from lm_eval.utils import make_table

    # the same model on the same 1000 documents scores the same whatever the batch size
    acc, acc_stderr = accuracy(CORRECT["acc"])
    acc_norm, acc_norm_stderr = accuracy(CORRECT["acc_norm"])
    result = {
        "results": {
            "hellaswag": {
                "alias": "hellaswag",
                "acc,none": acc,
                "acc_stderr,none": acc_stderr,
                "acc_norm,none": acc_norm,
                "acc_norm_stderr,none": acc_norm_stderr,
            }
        },
        "versions": {"hellaswag": 1.0},
        "n-shot": {"hellaswag": 0},
        "higher_is_better": {"hellaswag": {"acc": True, "acc_norm": True}},
    }
    summary = (
        f"local-completions ({model_args(spec)}), gen_kwargs: ({{}}), limit: 1000.0, "
        f"num_fewshot: None, batch_size: {spec.batch}\n"
    )
    return summary + make_table(result) + "\n"


def server_log(spec: RunSpec, rng: random.Random) -> str:
    t = spec.start
    out: list[str] = [
        f"+ python tools/run_text_generation_server.py --port 5000 "
        f"--inference-max-batch-size {spec.engine_max} "
        f"--inference-max-requests {spec.engine_max}\n",
        "------------------------ arguments ------------------------\n",
        "  hidden_size ..................................... 4096\n",
        f"  inference_max_batch_size ........................ {spec.engine_max}\n",
        f"  inference_max_requests .......................... {spec.engine_max}\n",
        "  micro_batch_size ................................ 1\n",
        "  num_layers ...................................... 32\n",
        "-------------------- end of arguments ---------------------\n",
        " loading checkpoint from /models/megatron-8b at iteration 1000\n",
        " successfully loaded checkpoint from /models/megatron-8b [ t 1/1, p 1/1 ] "
        "at iteration 1000\n",
        " * Serving Flask app 'megatron.inference.text_generation_server'\n",
        " * Debug mode: off\n",
        "WARNING: This is a development server. Do not use it in a production deployment. "
        "Use a production WSGI server instead.\n",
        " * Running on http://127.0.0.1:5000\n",
        "Press CTRL+C to quit\n",
    ]
    t = requests_start(spec)
    requests = math.ceil(REQUESTS / spec.batch)
    seconds_per_request = spec.batch / spec.samples_per_s
    for i in range(requests):
        prompts = min(spec.batch, REQUESTS - i * spec.batch)
        if spec.oom_at_batch is not None and i >= spec.oom_at_batch:
            # the first num_concurrent batches, each tried up to max_retries times, one at a
            # time under the server's lock: every one runs out of memory
            begin = t
            for answer in oom_answers(spec.concurrency):
                out.append(f"[BATCHING DEBUG] run_mcore_engine called with {prompts} prompts\n")
                t = begin + timedelta(seconds=answer.done)
                out.append(server_oom(t))
                stamp = werkzeug_time(t)
                out.append(f'127.0.0.1 - - [{stamp}] "POST /completions HTTP/1.1" 500 -\n')
            return "".join(out)
        while prompts > 0:
            engine = min(prompts, spec.engine_max)
            out.append(f"[BATCHING DEBUG] run_mcore_engine called with {engine} prompts\n")
            prompts -= engine
        t += timedelta(seconds=seconds_per_request * rng.uniform(0.97, 1.03))
        out.append(f'127.0.0.1 - - [{werkzeug_time(t)}] "POST /completions HTTP/1.1" 200 -\n')
    return "".join(out)


def server_oom(t: datetime) -> str:
    stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
    return (
        f"[{stamp}] ERROR in app: Exception on /completions [POST]\n"
        "Traceback (most recent call last):\n"
        '  File "/opt/venv/lib/python3.11/site-packages/flask/app.py", line 1511, in wsgi_app\n'
        "    response = self.full_dispatch_request()\n"
        '  File "/workspace/megatron/inference/endpoints/completions.py", line 143, in post\n'
        "    result = run_mcore_engine(self.engine, prompts, temperature, top_k, top_p)\n"
        '  File "/workspace/megatron/inference/text_generation/mcore_engine_server.py", line 101, '
        "in run_mcore_engine\n"
        "    result = engine.generate(prompts=prompts, sampling_params=sampling_params)\n"
        '  File "/workspace/megatron/core/transformer/attention.py", line 512, in forward\n'
        "    core_attn_out = self.core_attention(query, key, value, attention_mask)\n"
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.50 GiB. GPU 0 has a "
        "total capacity of 79.15 GiB of which 6.31 GiB is free. Including non-PyTorch memory, "
        "this process has 72.83 GiB memory in use. Of the allocated memory 70.12 GiB is "
        "allocated by PyTorch, and 1.97 GiB is reserved by PyTorch but unallocated. If reserved "
        "but unallocated memory is large try setting "
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True "
        "to avoid fragmentation.  See documentation for Memory Management  "
        "(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)\n"
    )


def main() -> None:
    for spec in RUNS:
        rng = random.Random(spec.job)
        (HERE / f"server-{spec.job}.log").write_text(server_log(spec, rng), encoding="utf-8")
        (HERE / f"eval-{spec.job}.out").write_text(client_log(spec), encoding="utf-8")


if __name__ == "__main__":
    main()
