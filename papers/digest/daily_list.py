"""Format ``daily-list`` (C): a list of daily papers with votes and authors.

``## Daily Papers (DATE)``, then per paper ``### [<title>](https://arxiv.org/abs/<id>)``, a
thumbnail image, ``Vote: N``, ``Authors: a, b, …`` and bullets such as
``- ***What's New***: …``, ``- ***Technical Details***: …``,
``- ***Performance Highlights***: …`` (each bullet becomes a section).
"""

from __future__ import annotations

import datetime

from .detect import Scan
from .entries import Entry, anchors_of, heading_entries, preamble_date


def entries(s: Scan) -> tuple[list[Entry], list[str]]:
    return heading_entries(s, anchors_of(s, ("link",)), stop_at_same_level=True)


def digest_date(s: Scan, end: int) -> tuple[datetime.date | None, str | None]:
    return preamble_date(s, end)
