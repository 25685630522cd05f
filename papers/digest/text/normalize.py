"""Low-level text helpers: input normalization here; arXiv ids, links, titles, headings and
dates in the sibling modules (the package re-exports them all).

Everything here is pure and total: functions return ``None``/empty values instead of
raising on odd input. Regexes are compiled once at import time; digit classes are spelled
``[0-9]`` because ``\\d`` also matches non-ASCII digits, which never form an arXiv id.

Every pattern here runs in time linear in its input, whatever the input (digests are
untrusted: an uploaded file or a third-party feed). The rules that keep it so:

* no two adjacent or nested quantifiers over characters they share may trade characters on
  failure: such runs are possessive (``*+``, ``++``) wherever giving characters back could
  never lead to a match (the next token cannot match the characters given back), or the
  check is plain string code (ATX headings, ``_is_only_ref``);
* a pattern used with ``search``/``finditer``/``sub`` must not rescan the same stretch from
  every start position: its variable parts stop at the character that starts it (quoted
  titles exclude the opening quote, image alt text stops at ``![``, link destinations stop
  at ``[``, links never start at an escaped ``\\[``, host labels start at a word boundary),
  and whitespace runs are collapsed before a split on ``\\s*,\\s*``;
* per-line patterns see at most :data:`MAX_LINE_CHARS` characters of a line
  (:func:`line_head`); the parser reports longer lines and any id past the cap.

``tests/hardening/test_parser_redos.py`` checks it on an adversarial corpus.
"""

from __future__ import annotations

import re

# Input normalization

# Per-line patterns (headings, fences, metadata lines, paper links) look at no more than
# this many characters of a line. Real structural lines are far shorter (the longest line
# of the seed digests has under 4,000 characters); the cap bounds what one line can cost,
# and the parser reports every longer line (see ``parser._long_line_note``). Lines are
# never cut in the bodies: summaries keep their text whole.
MAX_LINE_CHARS = 10_000


def line_head(line: str) -> str:
    """The part of ``line`` that per-line patterns examine (the line itself when short)."""
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS]


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to text; never raises. Returns the text and notes for organizers."""
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A UTF-16 BOM: some Windows editors save markdown like this.
        return data.decode("utf-16", errors="replace"), notes
    try:
        return data.decode("utf-8-sig"), notes
    except UnicodeDecodeError:
        notes.append("the file is not valid UTF-8; undecodable bytes were replaced with \ufffd")
        return data.decode("utf-8-sig", errors="replace"), notes


def normalize_text(raw: str | bytes) -> tuple[str, list[str]]:
    """Return LF-only text without NUL bytes, leading BOMs or lone surrogates, plus notes.

    NUL is removed everywhere because PostgreSQL rejects it in text columns; lone
    surrogates (possible in a ``str`` built with ``surrogateescape``) cannot be encoded as
    UTF-8, so they become U+FFFD.
    """
    notes: list[str] = []
    if isinstance(raw, bytes | bytearray | memoryview):
        text, notes = decode_bytes(bytes(raw))
    elif isinstance(raw, str):
        text = raw
    else:
        return "", [f"input is not text (got {type(raw).__name__})"]
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"the text contained {count} NUL byte(s); they were removed")
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    return text, notes


_BINARY_RE = re.compile(r"[\x01-\x08\x0e-\x1f\x7f\ufffd]")


def looks_binary(text: str) -> bool:
    """True when the text is mostly control characters or replacement marks (not a digest)."""
    sample = text[:4096]
    if not sample:
        return False
    return len(_BINARY_RE.findall(sample)) / len(sample) > 0.1
