"""The organizers' integrations pages, and the week page's "copy for KakaoTalk" box."""

from __future__ import annotations

import pytest
from django.test import Client

from seminar.models import ChatChannel, RepositoryConnection

pytestmark = pytest.mark.django_db

TOKEN = "ghp_TopSecretToken1234567890"


def _repository_data(**changes):
    data = {
        "name": "archive",
        "url": "https://github.com/group/archive.git",
        "branch": "main",
        "auth": "token",
        "secret_source": "field",
        "secret_env": "",
        "secret": TOKEN,
        "ssh_known_hosts": "",
        "path_template": "weeks/{term}/{number:02d}.md",
        "index_path": "README.md",
        "co_authors": "anonymous",
        "enabled": "on",
    }
    data.update(changes)
    return data


def test_the_overview_lists_repositories_and_channels(organizer_client):
    RepositoryConnection.objects.create(name="archive", url="https://x.example/a.git", auth="none")
    ChatChannel.objects.create(
        name="lab", kind="slack", url="https://hooks.slack.com/s/T/B/X", events=["brief"]
    )
    page = organizer_client.get("/integrations/").content.decode()
    assert "archive" in page and "lab" in page and "Weekly brief" in page
    assert "hooks.slack.com/s/T/B/X" not in page


def test_a_saved_token_is_never_shown_again_and_an_empty_field_keeps_it(organizer_client):
    response = organizer_client.post("/integrations/repositories/new/", _repository_data())
    assert response.status_code == 302
    connection = RepositoryConnection.objects.get()
    assert connection.secret == TOKEN

    page = organizer_client.get(f"/integrations/repositories/{connection.pk}/").content.decode()
    assert TOKEN not in page
    assert "Set · type a new secret to replace it, or leave empty to keep it." in page

    organizer_client.post(
        f"/integrations/repositories/{connection.pk}/", _repository_data(secret="", name="renamed")
    )
    connection.refresh_from_db()
    assert (connection.name, connection.secret) == ("renamed", TOKEN)
    organizer_client.post(
        f"/integrations/repositories/{connection.pk}/", _repository_data(secret="ghp_new")
    )
    connection.refresh_from_db()
    assert connection.secret == "ghp_new"


def test_a_refused_form_does_not_echo_the_secret_it_was_given(organizer_client):
    response = organizer_client.post(
        "/integrations/repositories/new/", _repository_data(url="ext::sh -c id")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert TOKEN not in page
    assert "not allowed" in page or "may not" in page
    assert not RepositoryConnection.objects.exists()


def test_a_channels_webhook_url_and_signing_secret_stay_hidden(organizer_client):
    url = "https://hooks.slack.com/services/T000/B000/SECRETPART"
    response = organizer_client.post(
        "/integrations/channels/new/",
        {
            "name": "lab",
            "kind": "slack",
            "url": url,
            "events": ["brief", "review"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = ChatChannel.objects.get()
    assert (channel.url, channel.events) == (url, ["brief", "review"])
    page = organizer_client.get(f"/integrations/channels/{channel.pk}/").content.decode()
    assert "SECRETPART" not in page and "Set · type a new URL" in page
    organizer_client.post(
        f"/integrations/channels/{channel.pk}/",
        {"name": "lab2", "kind": "slack", "url": "", "events": ["nudge"], "enabled": "on"},
    )
    channel.refresh_from_db()
    assert (channel.name, channel.url, channel.events) == ("lab2", url, ["nudge"])


def test_a_signed_webhook_needs_its_secret(organizer_client):
    response = organizer_client.post(
        "/integrations/channels/new/",
        {"name": "mm", "kind": "webhook", "url": "https://chat.example/hooks/1", "events": []},
    )
    assert response.status_code == 200
    assert "A signed webhook needs a secret." in response.content.decode()


def test_members_cannot_open_the_integrations_pages(member_client):
    assert member_client.get("/integrations/").status_code == 403
    assert member_client.post("/integrations/channels/new/", {}).status_code == 403
    assert Client().get("/integrations/").status_code == 302  # signed out: sign in first


def test_the_week_page_offers_the_brief_to_copy_for_kakaotalk(member_client, week, settings):
    settings.SITE_URL = "https://seminar.example"
    page = member_client.get(f"/weeks/{week.pk}/").content.decode()
    assert "Copy for KakaoTalk" in page
    assert 'data-brief-copy="brief-text-' in page and " hidden>" in page  # shown by JS only
    assert "<textarea" in page and "readonly" in page  # without JS: select and copy
    assert "📚 2025 가을 · week 3\nWhen: 2025-09-18 19:00" in page
    assert f"https://seminar.example/weeks/{week.pk}/" in page
    assert "js/brief-copy.js" in page


def test_the_brief_costs_the_week_page_no_query(week, django_assert_num_queries):
    from reviews.selectors import weeks_with_content
    from seminar.integrations.templatetags import week_brief_text

    loaded = weeks_with_content().get(pk=week.pk)
    with django_assert_num_queries(0):
        assert "Spurious Rewards" in week_brief_text(loaded)
