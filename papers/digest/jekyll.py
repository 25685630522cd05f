"""Format ``jekyll`` (B): a Jekyll post of daily papers.

YAML front matter (``title: Daily Papers — DATE"``, possibly with a stray quote, and
``date:``), then per paper ``# N. [<title>](https://arxiv.org/abs/<id>)`` with ``##``
sections (Introduction, Method, Results, Limitations, Conclusion). Also accepted without
front matter.
"""

from __future__ import annotations

import datetime

from .detect import Scan
from .entries import Entry, anchors_of, heading_entries, preamble_date


def entries(s: Scan) -> tuple[list[Entry], list[str]]:
    return heading_entries(s, anchors_of(s, ("link",)), stop_at_same_level=True)


def digest_date(s: Scan, end: int) -> tuple[datetime.date | None, str | None]:
    fm = s.front_matter
    # The title names the digest's day; "date:" is when the post was published.
    first = tuple(fm[key] for key in ("title", "date") if fm.get(key))
    return preamble_date(s, end, first)
