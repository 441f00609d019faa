"""evalmon, not SLURM, requeues: every sbatch says ``--no-requeue`` unless the user asked for
SLURM's own requeue (``--sbatch-arg=--requeue`` or ``#SBATCH --requeue`` in the script)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalmon.supervisor.slurm import SlurmLauncher, script_declares_requeue

pytestmark = pytest.mark.skipif(shutil.which("sbatch") is None, reason="no SLURM clients")


def script(tmp_path: Path, *directives: str) -> str:
    path = tmp_path / "eval.sbatch"
    path.write_text("#!/bin/bash\n" + "".join(f"#SBATCH {d}\n" for d in directives) + "true\n")
    return str(path)


def test_evalmon_submits_no_requeue(tmp_path: Path) -> None:
    argv = SlurmLauncher(str(tmp_path)).sbatch_argv([script(tmp_path)], {}, "tok")
    assert "--no-requeue" in argv and "--requeue" not in argv


@pytest.mark.parametrize("how", ["arg", "script", "script-no"])
def test_the_users_own_requeue_choice_is_kept(tmp_path: Path, how: str) -> None:
    directive = "--no-requeue" if how == "script-no" else "--requeue"
    path = script(tmp_path, directive) if how != "arg" else script(tmp_path)
    launcher = SlurmLauncher(str(tmp_path), sbatch_args=("--requeue",) if how == "arg" else ())
    argv = launcher.sbatch_argv([path], {}, "tok")
    assert argv.count("--no-requeue") == 0 and argv.count("--requeue") == (how == "arg")
    assert script_declares_requeue(path) == (how != "arg")


def test_requeue_words_that_are_not_the_option(tmp_path: Path) -> None:
    assert not script_declares_requeue(script(tmp_path, "--requeue-later", "--comment=requeue"))
