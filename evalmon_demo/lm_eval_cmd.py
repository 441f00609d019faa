"""The real lm-eval client command line and environment for the demo (offline)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evalmon_demo.tasks import MaterializedTasks


@dataclass(frozen=True)
class LmEvalSettings:
    base_url: str  # e.g. http://127.0.0.1:PORT (the /v1/completions path is added)
    tokenizer_dir: Path
    tasks: MaterializedTasks
    output_path: Path
    batch_size: int = 64
    num_concurrent: int = 1
    max_retries: int = 3
    model: str = "demo"
    use_cache: Path | None = None
    limit: int | None = None


def completions_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/v1/completions"


def lm_eval_program() -> list[str]:
    """``python -m lm_eval`` with this interpreter: the venv's lm-eval, whatever PATH says."""
    return [sys.executable, "-m", "lm_eval"]


def build_argv(s: LmEvalSettings) -> list[str]:
    model_args = ",".join(
        [
            f"model={s.model}",
            f"base_url={completions_url(s.base_url)}",
            f"num_concurrent={s.num_concurrent}",
            f"max_retries={s.max_retries}",
            "tokenized_requests=True",
            f"tokenizer={s.tokenizer_dir}",
            "tokenizer_backend=huggingface",
        ]
    )
    argv = [
        *lm_eval_program(),
        "run",
        "--model",
        "local-completions",
        "--model_args",
        model_args,
        "--tasks",
        s.tasks.tasks_arg,
        "--include_path",
        str(s.tasks.include_path),
        "--batch_size",
        str(s.batch_size),
        "--output_path",
        str(s.output_path),
    ]
    if s.use_cache is not None:
        argv += ["--use_cache", str(s.use_cache)]
    if s.limit is not None:
        argv += ["--limit", str(s.limit)]
    return argv


def build_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment lm-eval needs to run with no network at all."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",  # "PyTorch was not found": not needed
            "PYTHONUNBUFFERED": "1",
            "OPENAI_API_KEY": env.get("OPENAI_API_KEY", "") or "demo-no-key",
        }
    )
    return env
