# ruff: noqa: E501  (recorded API answers keep their long lines)
"""Answers of the arXiv API (`export.arxiv.org/api/query?id_list=…`), in its Atom layout, for
tests served by pytest-httpserver. Written after the API's real answers: a found paper, the
empty feed for an id with no paper, the error entry for a malformed one."""

from __future__ import annotations

from html import escape

from papers.arxiv import parse_reference

ATTENTION_ID = "1706.03762"
ATTENTION_TITLE = "Attention Is All You Need"
ATTENTION_AUTHORS = (
    "Ashish Vaswani",
    "Noam Shazeer",
    "Niki Parmar",
    "Jakob Uszkoreit",
    "Llion Jones",
    "Aidan N. Gomez",
    "Lukasz Kaiser",
    "Illia Polosukhin",
)
# As the API wraps it: indented lines, a leading space.
ATTENTION_ABSTRACT = """  The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks in an encoder-decoder configuration. The best
performing models also connect the encoder and decoder through an attention
mechanism. We propose a new simple network architecture, the Transformer, based
solely on attention mechanisms, dispensing with recurrence and convolutions
entirely. Experiments on two machine translation tasks show these models to be
superior in quality while being more parallelizable and requiring significantly
less time to train. Our model achieves 28.4 BLEU on the WMT 2014
English-to-German translation task, improving over the existing best results,
including ensembles by over 2 BLEU. On the WMT 2014 English-to-French
translation task, our model establishes a new single-model state-of-the-art BLEU
score of 41.8 after training for 3.5 days on eight GPUs, a small fraction of the
training costs of the best models from the literature. We show that the
Transformer generalizes well to other tasks by applying it successfully to
English constituency parsing both with large and limited training data.
"""

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D{id}%26start%3D0%26max_results%3D1" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list={id}&amp;start=0&amp;max_results=1</title>
  <id>http://arxiv.org/api/Q5cBgxMPl3rTc2DoCKB6cbm1ktM</id>
  <updated>2025-05-27T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:itemsPerPage>
"""


def entry_feed(
    arxiv_id: str = ATTENTION_ID,
    *,
    version: int = 7,
    title: str = ATTENTION_TITLE,
    authors: tuple[str, ...] = ATTENTION_AUTHORS,
    abstract: str = ATTENTION_ABSTRACT,
    published: str = "2017-06-12T17:57:34Z",
    updated: str = "2023-08-02T00:41:18Z",
) -> bytes:
    """The feed of one found paper (text escaped as the API escapes it)."""
    author_xml = "".join(
        f"\n    <author>\n      <name>{escape(name, quote=False)}</name>\n    </author>"
        for name in authors
    )
    entry = f"""  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}v{version}</id>
    <updated>{updated}</updated>
    <published>{published}</published>
    <title>{escape(title, quote=False)}</title>
    <summary>{escape(abstract, quote=False)}</summary>{author_xml}
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">15 pages, 5 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/{arxiv_id}v{version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{arxiv_id}v{version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""
    return (_HEAD.format(id=arxiv_id, total=1) + entry + "</feed>\n").encode("utf-8")


def empty_feed(arxiv_id: str) -> bytes:
    """The answer for a well-formed id that names no paper: no entry at all."""
    return (_HEAD.format(id=arxiv_id, total=0) + "</feed>\n").encode("utf-8")


def error_feed(arxiv_id: str) -> bytes:
    """The API's error entry (what it answers for an id it cannot read)."""
    anchor = f"incorrect_id_format_for_{arxiv_id}"
    entry = f"""  <entry>
    <id>http://arxiv.org/api/errors#{anchor}</id>
    <title>Error</title>
    <summary>incorrect id format for {arxiv_id}</summary>
    <updated>2025-05-27T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#{anchor}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""
    return (_HEAD.format(id=arxiv_id, total=1) + entry + "</feed>\n").encode("utf-8")


def api_query(arxiv_id: str) -> dict[str, str]:
    """The query string the app sends for an id (for `expect_request(query_string=…)`)."""
    return {"id_list": parse_reference(arxiv_id), "max_results": "1"}


def use_local_api(settings, httpserver, *, min_interval: float = 0.0) -> str:
    """Point the app's arXiv API at `httpserver` (on 127.0.0.1, allowed for the outbound
    guard here only) with a short timeout; return the API's URL. The shared cache is cleared,
    so no turn or paper from another test carries over."""
    from django.core.cache import cache

    cache.clear()
    url = httpserver.url_for("/api/query")
    settings.ARXIV_API_URL = url
    settings.ARXIV_MIN_INTERVAL = min_interval
    settings.ARXIV_HTTP_TIMEOUT = 2.0
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return url
