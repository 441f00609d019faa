"""A real OOM report keeps its verdict under the labels that collected it.

Every line of a log can carry what a launcher, a container runtime or a CI runner put before
it: pdsh's host (DeepSpeed's multi-node launcher: ``gpu-q-13: ``, deepspeedai/DeepSpeed#2899),
``srun --label``'s task number, docker compose's service column, and the collector's own time
stamp (GitHub Actions' ``2024-05-01T10:00:00.1234567Z ``, ``docker logs -t`` and ``kubectl logs
--timestamps`` RFC 3339 with nanoseconds). The excerpts are real (tests/data/oom_corpus); the
labels are each tool's documented format, put on every line as the tool does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evalmon.parsers.oom import _split
from tests.oom_real_lines import CORPUS_DIR, _read_excerpt
from tests.test_parsers_oom import events

LABELS: dict[str, Callable[[int], str]] = {
    "pdsh host": lambda n: "gpu-q-13: ",
    "pdsh localhost": lambda n: "localhost: ",
    "srun --label": lambda n: "0: ",
    "docker compose": lambda n: "vllm-server-1  | ",
    "GitHub Actions": lambda n: f"2024-05-01T10:00:{n % 60:02d}.{1234567 + 7919 * n}Z ",
    "kubectl --timestamps": lambda n: f"2024-05-01T10:00:{n % 60:02d}.{123456789 + 7919 * n}Z ",
}

# Forms whose recognition depends on the whole line or on lines joined together: a launcher's
# SIGKILL report, bash's job-control "Killed", a C++ exception's message under "terminate
# called", an OOM a program logged as handled before it crashed anyway.
FATAL = [
    "deepspeed/launcher-sigkill-return-code-minus-9-dolly-166.log",
    "pytorch/torchrun-exitcode-minus-9-single-gpu-self-rag-83.log",
    "pytorch/torchrun-sigkill-exitcode-minus-9-colossalai-3677.log",
    "kernel/shell-killed-benchmark-present-helm-655.log",
    "cxx/terminate-cuda-error-wrapped-picongpu-3064.log",
    "cxx/terminate-dmlc-cudamalloc-wrapped-mx-maskrcnn-98.log",
    "tensorflow/bad-alloc-creating-model-ssd-tensorflow-8.log",
    "rocm/terminate-runtime-error-hip-stream-camp-157.log",
    "pytorch/fairseq-oom-warning-recover-then-traceback-2867.log",
    "vllm/mq-engine-dead-repr-lora-15039.log",
    "slurm/step-exceeded-memory-limit-star-openbabel-2658.log",
]
# Near-misses: a copy of other logs' lines, a handled OOM, scheduler pressure.
NOT_FATAL = [
    "slurm/tail-of-several-job-logs-geofetch-13.log",
]


def labelled(text: str, label: Callable[[int], str]) -> str:
    return "\n".join(label(n) + line for n, line in enumerate(text.split("\n")))


@pytest.mark.parametrize("name", LABELS)
@pytest.mark.parametrize("path", FATAL)
def test_a_fatal_report_stays_fatal_under_a_collectors_labels(path: str, name: str) -> None:
    excerpt = _read_excerpt(CORPUS_DIR / path)
    assert excerpt.verdict == "fatal"
    fatal = [e for e in events(labelled(excerpt.text, LABELS[name])) if e.fatal]
    assert fatal, f"{path} under {name}: no fatal OOM"
    assert {e.kind for e in fatal} == {excerpt.kind}


@pytest.mark.parametrize("name", LABELS)
@pytest.mark.parametrize("path", NOT_FATAL)
def test_a_copy_stays_a_copy_under_a_collectors_labels(path: str, name: str) -> None:
    excerpt = _read_excerpt(CORPUS_DIR / path)
    assert excerpt.verdict != "fatal"
    assert not [e for e in events(labelled(excerpt.text, LABELS[name])) if e.fatal]


def test_a_host_label_is_never_a_program_name_or_a_message_word() -> None:
    """pdsh's label has a digit (or is localhost); slurmstepd-<node> and a C function's name
    before its message stay what they are."""
    slurm = (
        "slurmstepd-falkor7: error: Step 1141810.0 exceeded memory limit (52917772 > 20971520),"
        " being killed"
    )
    assert [e.origin for e in events(slurm)] == ["slurm"]
    ggml = (
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 8192.00 MiB on device 0:"
        " cudaMalloc failed: out of memory"
    )
    assert [e.fatal for e in events(ggml)] == [True]
    # a module or an exception class before its message is no host either
    assert _split("cv2.error: OpenCV(4.5.5) error: (-4:Insufficient memory)").source == ""
    assert _split("Http2Error: stream reset").source == ""
    assert _split("worker-12: Killed").source == "worker-12"


def test_each_host_is_its_own_source() -> None:
    """Two nodes' identical OOM lines are two reports, not one repeated."""
    line = (
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 896.00 MiB (GPU 2;"
        " 79.17 GiB total capacity; 76.68 GiB already allocated; 381.31 MiB free; 77.24 GiB"
        " reserved in total by PyTorch)"
    )
    found = events(f"gpu-q-13: {line}\ngpu-q-14: {line}")
    assert len([e for e in found if e.fatal]) == 2


def test_a_labelled_line_cut_by_the_terminal_joins_its_unlabelled_rest() -> None:
    """A terminal 120 columns wide cuts vLLM's engine line; the rest of it, on the next line,
    carries no label (the line is vllm-project/vllm#25837's, cut as `fold -w 120` does)."""
    path = CORPUS_DIR / "vllm/enginecore-dp0-free-memory-below-utilization-25837.log"
    lines = _read_excerpt(path).text.split("\n")
    cut = "\n".join(line[k : k + 120] for line in lines for k in range(0, max(len(line), 1), 120))
    assert "on startu\np is less" in cut
    fatal = [e for e in events(cut) if e.fatal]
    assert [e.kind for e in fatal] == ["gpu"]
    assert "on startup is less than desired GPU memory utilization" in fatal[0].message


def test_a_line_whose_end_a_terminal_cut_off_is_judged_with_its_end() -> None:
    """torchrun's report of a SIGKILLed worker (AkariAsai/self-rag#83) cut at 80 columns: the
    first part names no worker, the rest ("al_rank: 1 (pid: 14447) of binary:") looks like a
    C function's log line and holds no candidate of its own."""
    line = (
        "torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: -9)"
        " local_rank: 1 (pid: 14447) of binary:"
    )
    cut = line[:80] + "\n" + line[80:]
    assert cut.split("\n")[1].startswith("al_rank: 1")
    found = events(cut)
    assert [(e.fatal, e.kind) for e in found] == [(True, "host")]
    assert "local_rank: 1 (pid: 14447)" in found[0].message


@pytest.mark.parametrize(
    "path",
    [
        # the OOM's words cut in two ("(out " / "of memory)"): the panic's start is the candidate
        "tgi/router-panic-warmup-out-of-memory-563.log",
        # "CalledProcessError: Command '[...]" three lines above "died with <Signals.SIGKILL: 9>"
        "kernel/calledprocesserror-died-with-sigkill-italic-swin-transformer-267.log",
    ],
)
def test_a_report_cut_by_a_120_column_terminal_is_still_fatal(path: str) -> None:
    excerpt = _read_excerpt(CORPUS_DIR / path)
    lines = excerpt.text.split("\n")
    cut = "\n".join(line[k : k + 120] for line in lines for k in range(0, max(len(line), 1), 120))
    fatal = [e for e in events(cut) if e.fatal]
    assert [e.kind for e in fatal] == [excerpt.kind]


def _coloured(text: str) -> str:
    """Each line in red, as a program that colours its stderr writes it to a file."""
    lines = text.split("\n")
    return "\n".join(f"\x1b[31m{line}\x1b[0m" if line.strip() else line for line in lines)


def _from_a_web_page(text: str) -> str:
    """Runs of spaces as a web page's copy gives them: a no-break space, then a space."""
    return text.replace("  ", "\xa0 ")


@pytest.mark.parametrize("dress", [_coloured, _from_a_web_page])
@pytest.mark.parametrize(
    "path",
    [
        # a log pasted as a markdown indented code block: each line indented by 4
        "directml/a1111-dml-vae-decode-alloc-495.log",
        "numpy/demux-qscores-273gib-arraymemoryerror.log",
    ],
)
def test_an_indented_paste_is_read_as_printed(path: str, dress: Callable[[str], str]) -> None:
    """The indent of a pasted block is measured on the line as a terminal shows it: a colour
    code or a no-break space before it is not text."""
    excerpt = _read_excerpt(CORPUS_DIR / path)
    fatal = [e for e in events(dress(excerpt.text)) if e.fatal]
    assert [e.kind for e in fatal] == [excerpt.kind]
