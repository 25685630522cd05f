"""Daily-digest parser: pure Python, no Django.

Feed the text of a daily digest of Hugging Face Daily Papers summaries to
:func:`parse_digest` and get a :class:`ParsedDigest` back (the digest's date, its format and
one :class:`ParsedPaper` per paper, with ordered :class:`Section` s). It never raises:
problems are reported in ``ParsedDigest.errors`` and ``ParsedPaper.problems``.

Format names (``ParsedDigest.format``), detected from the content, never the file name:

``"hf-summary"``
    ``# 📰 Hugging Face Daily Papers – DATE``; per paper ``## <arXiv id>``,
    ``🔗 https://huggingface.co/papers/<id>``, ``**Summary**:`` and a summary, usually a
    ```` ```markdown ```` block with ``# <title>`` and numbered sections.
``"jekyll"``
    Jekyll front matter (``title: Daily Papers — DATE``); per paper
    ``# N. [<title>](https://arxiv.org/abs/<id>)`` with ``##`` sections.
``"daily-list"``
    ``## Daily Papers (DATE)``; per paper ``### [<title>](https://arxiv.org/abs/<id>)``, a
    thumbnail, ``Vote: N``, ``Authors: …`` and ``- ***What's New***: …`` bullets.
``"unknown"``
    Anything else: a generic scan takes papers from headings that start with or link to an
    arXiv id, or else from lines that start with a link to a paper.

Guarantees: every ``arxiv_id`` is normalized (no version, no URL) and occurs in the input
(after NUL removal); titles come only from the text and never from a generator's failure
message; output strings hold no NUL characters.

Cost: digests are untrusted, so parsing is linear in the size of the text whatever it holds
(every pattern is written to be, see ``text/normalize.py``;
``tests/hardening/test_parser_redos.py`` checks it on an adversarial corpus). Per-line patterns
read at most ``text.MAX_LINE_CHARS`` characters of a line; longer lines, and any arXiv id past
that point, are reported. A parse reads at most ``budget.MAX_HEADINGS`` headings and
``budget.MAX_ENTRIES`` paper entries and stops after ``budget_seconds`` of CPU time
(:data:`DEFAULT_BUDGET_SECONDS`); a parse that stops keeps the papers read so far and reports
where, first in ``errors`` (:data:`STOP_NOTE_PREFIX`).

Command line: ``python -m papers.digest FILE...`` prints JSON.
"""

from __future__ import annotations

from .budget import DEFAULT_BUDGET_SECONDS, STOP_NOTE_PREFIX
from .parser import parse_digest
from .text import normalize_arxiv_id
from .types import (
    FORMAT_DAILY_LIST,
    FORMAT_HF_SUMMARY,
    FORMAT_JEKYLL,
    FORMAT_UNKNOWN,
    FORMATS,
    ParsedDigest,
    ParsedPaper,
    Section,
)

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "FORMATS",
    "FORMAT_DAILY_LIST",
    "FORMAT_HF_SUMMARY",
    "FORMAT_JEKYLL",
    "FORMAT_UNKNOWN",
    "STOP_NOTE_PREFIX",
    "ParsedDigest",
    "ParsedPaper",
    "Section",
    "normalize_arxiv_id",
    "parse_digest",
]
