"""`safe_next`: back to where a form was, never off this site. No database needed."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from seminar.lib.redirects import safe_next

factory = RequestFactory()


def _post(next_url: str, *, secure: bool = False, query: str = ""):
    return factory.post(f"/form/{query}", {"next": next_url}, secure=secure)


@pytest.mark.parametrize(
    "target",
    ["/papers/?q=rl&page=2", "/", "http://testserver/papers/", "papers/relative"],
)
def test_a_next_on_this_site_is_followed(target):
    assert safe_next(_post(target)) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "ftp://testserver/",
        "\x01/evil.example",
    ],
)
def test_a_next_off_this_site_falls_back(target):
    assert safe_next(_post(target)) == "/"
    assert safe_next(_post(target), fallback="/papers/x/") == "/papers/x/"


def test_an_https_page_never_sends_the_browser_to_plain_http():
    assert safe_next(_post("http://testserver/papers/", secure=True)) == "/"
    assert safe_next(_post("https://testserver/papers/", secure=True)) == (
        "https://testserver/papers/"
    )
    assert safe_next(_post("/papers/", secure=True)) == "/papers/"


def test_the_posted_next_wins_over_the_query_string_which_serves_when_nothing_is_posted():
    assert safe_next(_post("/from-form/", query="?next=/from-query/")) == "/from-form/"
    assert safe_next(factory.post("/form/?next=/from-query/")) == "/from-query/"
    assert safe_next(factory.get("/form/", {"next": "/from-query/"})) == "/from-query/"


def test_a_missing_or_blank_next_falls_back():
    assert safe_next(factory.get("/form/")) == "/"
    assert safe_next(_post("   "), fallback="/home/") == "/home/"
