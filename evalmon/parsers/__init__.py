"""Pure parsers: text in, events out. No I/O, no clocks, no Textual.

Contract for a line-format module (``tqdm``, ``megatron``, ``access_log``, ``lm_eval``,
``vllm``, ``sglang``, ``slurm``, ``gpu_jsonl``):

* ``CANDIDATE: re.Pattern[bytes]`` — a cheap pattern (ideally with a literal) that matches
  somewhere in every segment the module can produce an event from. The stream never hands a
  segment to ``parse`` unless ``CANDIDATE`` found a match in it.
* ``parse(segment: str) -> list[Event]`` — one segment of text (no ``\\n`` or ``\\r`` in it;
  text may be glued before or after the interesting part). Pure, never raises.

``oom`` differs because an out-of-memory verdict needs context (hard-wrapped messages, a
recovering auto batch-size search, loading vs. running): ``classify(line, before, after)``.

``stream.LogParser`` ties them together incrementally over the bytes of one file.
"""
