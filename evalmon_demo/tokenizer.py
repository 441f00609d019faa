"""A tiny byte-level BPE tokenizer, trained at first use, so lm-eval runs with no network.

lm-eval's ``local-completions`` needs a tokenizer to split loglikelihood requests into
context and continuation; ``tokenizer=DIR,tokenizer_backend=huggingface`` loads it from here.
The simulated server reads the same ``tokenizer.json`` (with the light ``tokenizers``
package) to turn token ids back into text.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from evalmon_demo.tasks import data_files

VERSION = "v1"  # bump when the training recipe changes (data changes are hashed)
VOCAB_SIZE = 600
EOS = "<|endoftext|>"
_EXTRA_TEXT = "Question: What is the answer?\nAnswer: I do not know.\n"


def _fingerprint() -> str:
    """Recipe version + training data: a changed dataset never reuses a stale tokenizer."""
    digest = hashlib.sha256(f"{VERSION}:{VOCAB_SIZE}:{_EXTRA_TEXT}".encode())
    for path in data_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evalmon" / f"tokenizer-{_fingerprint()}"


def _training_text() -> list[str]:
    lines: list[str] = []
    for path in data_files():
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    lines.append(_EXTRA_TEXT)
    return lines


def _train(out_dir: Path) -> None:
    # Imported here: transformers is heavy and only needed on first use. It has no torch here
    # on purpose; its advice to install torch is noise in the demo's output.
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_training_text(), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, bos_token=EOS)
    fast.save_pretrained(str(out_dir))


def ensure_tokenizer(
    cache_dir: Path | None = None, on_build: Callable[[], None] | None = None
) -> Path:
    """Return a directory holding the demo tokenizer, training it once if needed.

    Built in a temporary sibling and renamed into place, so concurrent first uses and an
    interrupted build never leave a half-written tokenizer behind. ``on_build`` is called
    only when it is really built (the demo says so then, not on every run).
    """
    target = (cache_dir or default_cache_dir()).resolve()
    if (target / "tokenizer.json").is_file():
        return target
    if on_build is not None:
        on_build()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tokenizer-", dir=target.parent))
    try:
        _train(tmp)
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "tokenizer.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
