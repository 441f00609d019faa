"""Argument rewriting on real lm-eval invocations; lm-eval 0.4.13's own parser must accept them."""

from __future__ import annotations

import argparse
import json

import pytest

from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor.argv import (
    ArgvError,
    find_lm_eval,
    initial_batch_size,
    rewrite,
    rewrite_model_args,
    run_key,
)

MODEL_ARGS = (
    "model=tiny,base_url=http://127.0.0.1:5000/v1/completions,num_concurrent=4,"
    "max_retries=3,tokenized_requests=True,tokenizer=/tmp/tok,tokenizer_backend=huggingface"
)


def lm_eval_parse(argv: list[str]) -> argparse.Namespace:
    """Parse an lm-eval argv exactly as the lm-eval 0.4.13 CLI does (legacy form too)."""
    from lm_eval._cli.harness import HarnessCLI

    cli = HarnessCLI()
    args = argv[1:] if argv[0] in ("lm_eval", "lm-eval") else argv[3:]  # python -m lm_eval
    if args and args[0] not in cli._subparsers.choices:
        args = ["run", *args]  # what HarnessCLI.parse_args does for the legacy form
    return cli._parser.parse_args(args)


@pytest.mark.parametrize(
    "argv",
    [
        ["lm_eval", "run", "--model", "local-completions", "--model_args", MODEL_ARGS,
         "--tasks", "arith", "--batch_size", "256", "--output_path", "out"],
        ["lm_eval", "--model", "local-completions", "--model_args", MODEL_ARGS,
         "--tasks", "arith", "--batch_size=256"],
        ["lm-eval", "run", "--model", "local-completions", "--model_args", MODEL_ARGS,
         "--tasks", "arith", "-b", "256"],
        ["python", "-m", "lm_eval", "--model", "local-completions", "--model_args", MODEL_ARGS,
         "--tasks", "arith", "--batch_size", "256"],
    ],
)
def test_batch_size_flag_rewritten_and_cache_added(argv: list[str]) -> None:
    assert initial_batch_size(argv, (), {}) == 256
    out = rewrite(argv, 128, cache_path="/logs/.evalmon/cache/run-x")
    ns = lm_eval_parse(out.argv)
    assert ns.batch_size == "128"
    assert ns.use_cache == "/logs/.evalmon/cache/run-x"
    assert ns.model_args["num_concurrent"] == 4  # everything else untouched
    assert ns.model_args["base_url"] == "http://127.0.0.1:5000/v1/completions"
    assert out.argv.count("--use_cache") == 1
    assert "256" not in out.argv


def test_missing_batch_size_is_added() -> None:
    argv = ["lm_eval", "run", "--model", "local-completions", "--model_args", MODEL_ARGS,
            "--tasks", "arith"]
    ns = lm_eval_parse(rewrite(argv, 64).argv)
    assert ns.batch_size == "64" and ns.use_cache is None


def test_batch_size_inside_model_args_key_value_and_multi_value() -> None:
    argv = ["lm_eval", "run", "--model", "hf", "--model_args",
            "pretrained=gpt2,batch_size=32", "dtype=float32", "--tasks", "arith"]
    assert initial_batch_size(argv, (), {}) == 32
    out = rewrite(argv, 16).argv
    ns = lm_eval_parse(out)
    assert ns.model_args == {"pretrained": "gpt2", "batch_size": 16, "dtype": "float32"}
    assert "--batch_size" not in out  # the size lives in model_args; do not add a second one


def test_batch_size_inside_json_model_args() -> None:
    args_json = json.dumps({"pretrained": "gpt2", "batch_size": 32, "gen": {"a": [1, 2]}})
    argv = ["lm_eval", "run", "--model", "hf", "--model_args", args_json, "--tasks", "t",
            "--batch_size", "32"]
    ns = lm_eval_parse(rewrite(argv, 8).argv)
    assert ns.model_args == {"pretrained": "gpt2", "batch_size": 8, "gen": {"a": [1, 2]}}
    assert ns.batch_size == "8"


def test_model_args_values_with_brackets_keep_their_commas() -> None:
    value = "pretrained=gpt2,stop=['a,b'],batch_size=4,x=1"
    new, found = rewrite_model_args(value, 2)
    assert found and new == "pretrained=gpt2,stop=['a,b'],batch_size=2,x=1"
    with pytest.raises(ArgvError, match="JSON"):
        rewrite_model_args("{not json", 2)


def test_user_cache_is_kept() -> None:
    argv = ["lm_eval", "--model", "hf", "--tasks", "t", "--use_cache", "/mine", "-b", "4"]
    ns = lm_eval_parse(rewrite(argv, 2, cache_path="/ours").argv)
    assert ns.use_cache == "/mine"


def test_placeholders_and_env_for_any_command() -> None:
    argv = ["python", "train.py", "--bs={batch_size}", "--name", "x{batch_size}y", "{keep}"]
    out = rewrite(argv, 96, env_names=("BATCH_SIZE", "INFERENCE_MAX_BATCH"), cache_path="/c")
    assert out.argv == ["python", "train.py", "--bs=96", "--name", "x96y", "{keep}"]
    assert out.env == {"BATCH_SIZE": "96", "INFERENCE_MAX_BATCH": "96"}
    # not lm-eval: nothing added
    assert "--use_cache" not in out.argv and "--batch_size" not in out.argv
    assert initial_batch_size(argv, ("BATCH_SIZE",), {"BATCH_SIZE": "256"}) == 256


def test_not_lm_eval() -> None:
    assert find_lm_eval(["python", "script.py", "-m", "lm_eval"]) is None
    assert find_lm_eval(["bash", "eval.sbatch"]) is None
    assert find_lm_eval(["/opt/venv/bin/lm_eval", "run"]).subcommand == "run"  # type: ignore[union-attr]
    assert initial_batch_size(["lm_eval", "--batch_size", "auto:4"], (), {}) is None


def test_run_key_ignores_batch_size_only() -> None:
    a = ["lm_eval", "--model", "hf", "--batch_size", "256"]
    b = ["lm_eval", "--model", "hf", "--batch_size", "128"]
    c = ["lm_eval", "--model", "vllm", "--batch_size", "256"]
    assert run_key(a, "local") == run_key(b, "local") != run_key(c, "local")
    assert run_key(a, "local") != run_key(a, "slurm")


# ---------------------------------------------------------------- evalmon run's own command line


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--batch-size", "8"], "no command: put it after --"),
        (["--backoff", "1.5", "--", "x"], "--backoff must be between 0 and 1"),
        (["--schedule", "64,128", "--", "x"], "strictly decreasing"),
        (["--batch-env", "BAD-NAME", "--batch-size", "8", "--", "x"], "not a valid environment"),
        (["--batch-env", "BATCH_SIZE", "--", "x"], "--batch-env needs a batch size"),
        (["--", "python", "x.py", "--bs", "{batch_size}"], "uses {batch_size}: give --batch-size"),
        (["--schedule", "8,4", "--backoff", "0.5", "--", "x"], "not allowed with argument"),
    ],
)
def test_bad_options_are_one_line_errors(argv, message, capsys) -> None:
    from evalmon.cli.run import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_everything_after_the_double_dash_belongs_to_the_job() -> None:
    from evalmon.cli.run import split_command

    own, command = split_command(["--headless", "--", "lm_eval", "--", "--headless"])
    assert own == ["--headless"] and command == ["lm_eval", "--", "--headless"]


def test_summary_table() -> None:
    from evalmon.cli.run import summary_table
    from evalmon.supervisor.model import Attempt, SupervisorStatus

    status = SupervisorStatus(
        command=("x",), log_dir="d", state="succeeded",
        attempts=(
            Attempt(1, 256, 0.0, 12.5, pid=7, outcome="oom", reason="GPU OOM",
                    peak_gpu_bytes=79 * 2**30, samples_per_s=10.0),
            Attempt(2, 128, 13.0, 20.0, slurm_job_id="42", outcome="succeeded"),
        ),
    )
    lines = summary_table(status).splitlines()
    assert lines[0].split() == ["#", "batch", "job", "duration", "req/s", "peak", "GPU",
                                "outcome", "reason"]
    # the dashboard's and the report's figures (evalmon.fmt): 12s, 10.0 req/s, 79.0 GiB
    assert lines[1].split() == ["1", "256", "pid", "7", "12s", "10.0", "79.0", "GiB",
                                "oom", "GPU", "OOM"]
    assert lines[2].split()[:6] == ["2", "128", "job", "42", "7s", "-"]


# --------------------------------------------------------------------------- can the size reach it


@pytest.mark.parametrize(
    ("argv", "env_names", "reaches"),
    [
        (["lm_eval", "--model", "hf", "--tasks", "x"], (), True),
        (["python", "my_eval.py", "--bs", "{batch_size}"], (), True),
        (["python", "my_eval.py"], ("BATCH_SIZE",), True),
        (["python", "my_eval.py", "--batch_size", "64"], (), False),
        (["./run.sh"], (), False),
    ],
)
def test_batch_size_reaches(argv: list[str], env_names: tuple[str, ...], reaches: bool) -> None:
    assert argv_mod.batch_size_reaches(argv, env_names) is reaches


@pytest.mark.parametrize(
    ("argv", "fixed"),
    [
        (["python", "my_eval.py", "--batch_size", "64"], ("--batch_size", "--batch_size 64")),
        (["python", "my_eval.py", "--bs=8"], ("--bs", "--bs=8")),
        (
            ["torchrun", "train.py", "--per_device_eval_batch_size", "16"],
            ("--per_device_eval_batch_size", "--per_device_eval_batch_size 16"),
        ),
        (["python", "my_eval.py", "--batch-size", "auto"], None),
        (["python", "my_eval.py", "--tasks", "64"], None),
    ],
)
def test_fixed_batch_flag_names_what_to_replace(
    argv: list[str], fixed: tuple[str, str] | None
) -> None:
    assert argv_mod.fixed_batch_flag(argv) == fixed


def test_evalmon_run_says_when_the_batch_size_cannot_reach_the_command(tmp_path) -> None:
    import subprocess
    import sys

    def run(*command: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "evalmon", "run", "--headless", "--batch-size", "8",
             "--log-dir", str(tmp_path / "logs"), "--", *command],
            capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stderr

    fixed = run(sys.executable, "-c", "pass", "--batch_size", "64")
    assert "reaches it only as $EVALMON_BATCH_SIZE" in fixed
    assert "write --batch_size {batch_size} instead of '--batch_size 64'" in fixed
    placeholder = run(sys.executable, "-c", "pass", "--batch_size", "{batch_size}")
    assert "EVALMON_BATCH_SIZE" not in placeholder
