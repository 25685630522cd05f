"""The "signed in as …" message is in the member's language, not the browser's."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-9"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Successfully signed in as"), ("ko", "로그인")],
)
def test_the_sign_in_message_follows_the_members_language(client, language, expected):
    member = UserFactory(email="m@example.com", name="Mina", password=PASSWORD, language=language)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    # The browser asks for the other language.
    browser = "ko" if language == "en" else "en"
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=browser,
    )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(expected in m for m in shown), shown
    if language == "en":
        assert not any("로그인" in m for m in shown)
