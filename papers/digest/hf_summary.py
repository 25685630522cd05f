"""Format ``hf-summary`` (A): Hugging Face Daily Papers summaries.

``# 📰 Hugging Face Daily Papers – DATE``, then per paper ``## <arXiv id>``, a
``🔗 https://huggingface.co/papers/<id>`` line, ``**Summary**:`` and the summary (usually a
```` ```markdown ```` block with ``# <title>`` and numbered sections; variants without a
fence, with bold headings, with the title only in prose, truncated, or a failure message).
"""

from __future__ import annotations

import datetime

from .detect import Scan
from .entries import Entry, anchors_of, heading_entries, preamble_date


def entries(s: Scan) -> tuple[list[Entry], list[str]]:
    # Summaries without a fence may use "##" headings, the same level as the paper
    # headings, so only a paper heading (or a higher-level heading) ends an entry.
    return heading_entries(s, anchors_of(s, ("id",)), stop_at_same_level=False)


def digest_date(s: Scan, end: int) -> tuple[datetime.date | None, str | None]:
    return preamble_date(s, end)
