from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_anonymous_pages_send_a_csp_without_inline_script(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert not INLINE_SCRIPT.search(response.content.decode())


@pytest.mark.parametrize("url", ["/", "/weeks/", "/settings/"])
def test_member_pages_have_no_inline_script(member_client, url):
    response = member_client.get(url)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert not INLINE_SCRIPT.search(response.content.decode())


def _directive(policy: str, name: str) -> list[str]:
    for directive in policy.split(";"):
        parts = directive.split()
        if parts and parts[0] == name:
            return parts[1:]
    return []


@pytest.mark.parametrize("url", ["/", "/weeks/"])
def test_pages_load_images_only_from_the_site(member_client, url):
    # A remote image in a review or digest would tell its server who reads the page, and when.
    policy = member_client.get(url)["Content-Security-Policy"]
    assert _directive(policy, "img-src") == ["'self'", "data:"]
