"""Adding a paper by its link: what a pasted reference or a hostile API answer must not do.

The reference is text an organizer pastes (possibly from a phishing mail or a poisoned digest);
the API's answer is text from the network. Neither may make the server request anything but
the configured API, expand entities, run script in a page, or hold a worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from pytest_httpserver import HTTPServer
from werkzeug import Response

from papers import arxiv, services
from papers.models import CandidatePaper
from tests.papers.arxiv_feeds import ATTENTION_ID, entry_feed, use_local_api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_api(settings, httpserver):
    return use_local_api(settings, httpserver)


@pytest.fixture
def victim() -> Iterator[HTTPServer]:
    """An internal service on 127.0.0.1 that a pasted URL points at; allowed for the outbound
    guard (as the API's address is here), so only the app's own logic keeps requests off it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/abs/2505.17612").respond_with_data("internal secret")
    server.expect_request("/").respond_with_data("internal secret")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_a_pasted_internal_url_is_never_requested_only_the_api_is(httpserver, victim, organizer):
    httpserver.expect_request("/api/query").respond_with_handler(
        lambda request: Response(entry_feed(request.args["id_list"]))
    )
    paper, outcome = services.add_paper_by_reference(
        reference=victim.url_for("/abs/2505.17612"), actor=organizer
    )
    assert (paper.arxiv_id, outcome) == ("2505.17612", services.ADDED_NEW)
    assert victim.log == []
    assert [request.args["id_list"] for request, _ in httpserver.log] == ["2505.17612"]
    assert paper.arxiv_url == "https://arxiv.org/abs/2505.17612"  # never the pasted host


@pytest.mark.parametrize(
    "reference",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "http://127.0.0.1/abs/../../admin/",
        "https://arxiv.org/abs/1706.03762@127.0.0.1/",
        "1706.03762\r\nHost: evil",
        "1706.03762&id_list=2505.17612",
    ],
)
def test_references_that_are_not_papers_are_refused_without_any_request(
    httpserver, victim, organizer, reference
):
    with pytest.raises(ValidationError):
        services.add_paper_by_reference(reference=reference, actor=organizer)
    assert (httpserver.log, victim.log) == ([], [])
    assert not CandidatePaper.objects.exists()


def test_a_redirecting_api_is_not_followed(httpserver, victim, organizer):
    httpserver.expect_request("/api/query").respond_with_data(
        "", status=302, headers={"Location": victim.url_for("/")}
    )
    paper, outcome = services.add_paper_by_reference(reference=ATTENTION_ID, actor=organizer)
    assert outcome == services.ADDED_PENDING  # arXiv "unavailable": added by id, filled later
    assert paper.title == ""
    assert victim.log == []
    assert len(httpserver.log) == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/1706.03762v1</id><title>&lol9;</title><summary>&lol9;</summary>
</entry></feed>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/1706.03762v1</id><title>Leak &secret;</title>
</entry></feed>
"""

EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "URL_OF_VICTIM">\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>http://arxiv.org/abs/1706.03762v1</id><title>T</title></entry></feed>"
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_a_feed_with_entities_is_refused_before_anything_is_expanded(httpserver, organizer, body):
    httpserver.expect_request("/api/query").respond_with_data(body)
    started = time.monotonic()
    paper, outcome = services.add_paper_by_reference(reference=ATTENTION_ID, actor=organizer)
    assert time.monotonic() - started < 2
    assert outcome == services.ADDED_PENDING
    paper.refresh_from_db()
    assert (paper.title, paper.abstract) == ("", "")
    with pytest.raises(ValueError, match="not a plain XML feed"):
        arxiv.parse_xml(body)


def test_a_feed_naming_an_external_dtd_is_refused_and_the_dtd_never_fetched(victim):
    body = EXTERNAL_DTD.replace(b"URL_OF_VICTIM", victim.url_for("/").encode())
    with pytest.raises(arxiv.Unavailable):
        arxiv.parse_feed(body, arxiv_id=ATTENTION_ID)
    assert victim.log == []


def test_a_huge_answer_is_refused_without_reading_it_all(httpserver, organizer):
    huge = entry_feed().replace(b"<summary>", b"<summary>" + b"A" * (arxiv.MAX_FEED_BYTES + 10))
    httpserver.expect_request("/api/query").respond_with_data(huge)
    with pytest.raises(arxiv.Unavailable):
        arxiv.fetch_paper(ATTENTION_ID)


def test_a_huge_entry_within_the_limit_is_stored_cut_to_size(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        entry_feed(title="T" * 5000, abstract="word " * 50_000, authors=("X",) * 5000)
    )
    paper = arxiv.fetch_paper(ATTENTION_ID)
    assert len(paper.title) == arxiv.TITLE_LIMIT
    assert len(paper.abstract) <= arxiv.ABSTRACT_LIMIT
    assert len(paper.authors_text) <= arxiv.AUTHORS_LIMIT


def test_script_in_a_feeds_title_and_abstract_is_shown_as_text(
    httpserver, organizer, organizer_client
):
    httpserver.expect_request("/api/query").respond_with_data(
        entry_feed(
            title="<script>alert('title')</script>\n   Attention",
            abstract="<img src=x onerror=alert(1)> An abstract.\n\n<script>alert(2)</script>",
            authors=("<b onmouseover=alert(3)>Mallory</b>",),
        )
    )
    paper, _outcome = services.add_paper_by_reference(reference=ATTENTION_ID, actor=organizer)
    assert paper.title == "<script>alert('title')</script> Attention"  # one line
    for url in ("/papers/1706.03762/", "/papers/"):
        page = organizer_client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "<img src=x" not in page
        assert "<b onmouseover" not in page
        assert "&lt;script&gt;alert(" in page


def test_a_slow_api_holds_an_add_for_no_longer_than_its_timeout(httpserver, settings, organizer):
    settings.ARXIV_HTTP_TIMEOUT = 0.5

    def drip(_request):
        def body():
            for _ in range(20):
                time.sleep(0.1)
                yield b" "

        return Response(body(), content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(drip)
    started = time.monotonic()
    paper, outcome = services.add_paper_by_reference(reference=ATTENTION_ID, actor=organizer)
    assert time.monotonic() - started < 1.5
    assert (outcome, paper.title) == (services.ADDED_PENDING, "")
