"""The bundled offline lm-eval tasks of the demo.

lm-eval needs an absolute ``data_files`` path in a task's YAML, so the shipped YAML files are
templates: :func:`materialize` writes real task YAMLs (and copies of the data) into a run's
folder, ready for ``lm_eval --include_path``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "DATA_FILE_PLACEHOLDER"

CHOICE_TASK = "demo_arith_choice"
GEN_TASK = "demo_arith_gen"
TASKS: tuple[str, ...] = (CHOICE_TASK, GEN_TASK)
_DATA = {CHOICE_TASK: "arith_choice.jsonl", GEN_TASK: "arith_gen.jsonl"}


@dataclass(frozen=True)
class MaterializedTasks:
    include_path: Path
    task_names: tuple[str, ...]

    @property
    def tasks_arg(self) -> str:
        return ",".join(self.task_names)


def data_files() -> list[Path]:
    """The bundled JSONL files (also the tokenizer's training text)."""
    return [HERE / name for name in _DATA.values()]


def materialize(dest: Path) -> MaterializedTasks:
    """Write runnable task YAMLs with absolute data paths into ``dest``."""
    dest = dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    for task, data_name in _DATA.items():
        data_copy = dest / data_name
        shutil.copyfile(HERE / data_name, data_copy)
        template = (HERE / f"{task}.template.yaml").read_text(encoding="utf-8")
        # json.dumps gives a valid YAML double-quoted scalar for any path.
        text = template.replace(PLACEHOLDER, json.dumps(str(data_copy)))
        (dest / f"{task}.yaml").write_text(text, encoding="utf-8")
    return MaterializedTasks(include_path=dest, task_names=TASKS)
