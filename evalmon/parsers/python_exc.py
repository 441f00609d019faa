"""The final line of a Python traceback -> :class:`PythonException`.

Strict on purpose: the segment must START with a (dotted) identifier ending in ``Error``,
``Exception``, ``Interrupt``, ``Exit`` (or ``ExceptionGroup``), followed by ``": "`` or the
end of the segment. Allowed before it: the rank/process tags that launchers add
(``[rank0]: ``, ``[default0]:``, ``0: `` from ``srun --label``, ``[1,0]<stderr>:`` from
Open MPI, ``(VllmWorker pid=12) ``) and a timestamp added by a log collector.
A bare ``Error: ...``/``Exception: ...`` (no class name before the suffix), a log line that
merely mentions an error, and indented source lines are not exceptions.
"""

from __future__ import annotations

import re

from evalmon.events import Event, PythonException
from evalmon.parsers.lines import ascii_re, strip_ansi

CANDIDATE: re.Pattern[bytes] = re.compile(rb"(?:Error|Exception|Interrupt|Exit|ExceptionGroup)\b")

_PREFIXES = (
    r"(?:\[(?:rank|default)\d+\]:\s?"  # torchrun / torch.distributed
    r"|\d{1,5}: "  # srun --label
    r"|\[\d+,\d+\]<std(?:err|out)>: ?"  # Open MPI --tag-output
    r"|\([\w.\- ]*pid=\d+(?:, ip=[\d.]+)?\) "  # Ray / vLLM workers
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? "  # collector timestamp
    r")"
)
_EXCEPTION = ascii_re(
    r"(?:" + _PREFIXES + r"){0,3}"
    r"(?P<type>(?:[A-Za-z_]\w*\.){0,12}"
    r"(?:[A-Za-z_]\w*(?:Error|Exception|Interrupt|Exit)|(?:Base)?ExceptionGroup))"
    r"(?::(?: (?P<message>.*))?)?$"
)


def parse(segment: str) -> list[Event]:
    """A PythonException if the segment is the last line of a traceback; never raises."""
    try:
        if len(segment) > 100_000:
            segment = segment[:100_000]
        text = strip_ansi(segment).rstrip()
        if not text or text[0] in " \t":
            return []
        match = _EXCEPTION.match(text)
        if match is None:
            return []
        return [PythonException(type=match["type"], message=(match["message"] or "").strip())]
    except Exception:
        return []
