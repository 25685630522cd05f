"""How much one parse may cost: a time budget and work limits, after which it stops and says so.

Every pattern of the parser runs in linear time and per-line patterns see a bounded head of
each line (see ``text.py``), so the cost of a parse grows with the size of the text alone.
What remains is the constant: a digest of a million two-byte lines, or of seventy thousand
one-line paper entries, is linear but slow in Python. Hence:

* **work limits**, deterministic: at most :data:`MAX_HEADINGS` headings are read (then the
  parse stops), :data:`MAX_ENTRIES` paper entries are parsed (later entries are listed, not
  parsed) and :data:`MAX_SECTIONS` sections are cut from one summary (the rest stays in the
  last section). Each is far above any real digest: the densest seed digests, scaled up to
  5 MB (the upload limit), have about 15,000 headings and 2,600 papers of under 10 sections;
* a **time budget** (:class:`Budget`, :data:`DEFAULT_BUDGET_SECONDS` of CPU time of the
  parsing thread by default, so a busy machine does not cut a parse short), checked every
  256 lines read: the backstop for whatever that reasoning missed.

When either stops a parse, the papers read so far are kept and ``ParsedDigest.errors``
starts with a message that begins with :data:`STOP_NOTE_PREFIX` and names the line where
reading stopped. Nothing here raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Seconds of CPU time. An import run in a web request (no broker: Celery runs eagerly) must
# end well inside gunicorn's 30-second timeout; the worker's task limit is far above this.
DEFAULT_BUDGET_SECONDS = 10.0
DEFAULT_CLOCK: Callable[[], float] = time.thread_time

MAX_HEADINGS = 50_000
MAX_ENTRIES = 5_000
MAX_SECTIONS = 200

STOP_NOTE_PREFIX = "parsing stopped early"


class Budget:
    """A deadline on ``clock`` (seconds; ``None`` means no deadline)."""

    __slots__ = ("_clock", "_deadline", "_out", "seconds")

    def __init__(self, seconds: float | None, clock: Callable[[], float] = DEFAULT_CLOCK) -> None:
        self.seconds = seconds
        self._clock = clock
        self._deadline = None if seconds is None else clock() + max(0.0, seconds)
        self._out = False

    def exhausted(self) -> bool:
        """True once the deadline has passed (and from then on, without reading the clock)."""
        if self._out:
            return True
        if self._deadline is not None and self._clock() >= self._deadline:
            self._out = True
        return self._out

    def reason(self) -> str:
        return f"the parse budget of {self.seconds:g} s ran out"


def stop_note(line: int, total: int, reason: str) -> str:
    """The digest-level message for a parse that stopped before ``line`` (0-based)."""
    return (
        f"{STOP_NOTE_PREFIX} at line {line + 1:,} of {total:,} ({reason}); "
        "papers after that line were not read"
    )
