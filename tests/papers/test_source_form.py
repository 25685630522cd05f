"""Digest sources are added and edited in the app (#13), under the rules the admin used:
`DigestSource.clean()` (`papers.sources.location_problem`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from papers.models import DigestSource

pytestmark = pytest.mark.django_db


def add(client, **fields):
    data = {"name": "daily", "kind": "url", "location": "", "days_back": "3", "enabled": "on"}
    return client.post(reverse("digest_source_add"), data | fields)


def test_the_sources_page_links_to_the_in_app_form(organizer_client):
    DigestSource.objects.create(name="hf", kind="hf_api", location="https://huggingface.co/api")
    body = organizer_client.get(reverse("digest_sources")).content.decode()
    assert f'href="{reverse("digest_source_add")}"' in body
    source = DigestSource.objects.get()
    assert f'href="{reverse("digest_source_edit", args=[source.pk])}"' in body
    assert "/admin/papers/digestsource/add/" not in body


def test_an_organizer_adds_a_url_source(organizer_client):
    response = add(organizer_client, location="https://digests.example.org/{date}.md")
    assert response.status_code == 302
    source = DigestSource.objects.get()
    assert (source.name, source.kind, source.location, source.enabled, source.days_back) == (
        "daily",
        "url",
        "https://digests.example.org/{date}.md",
        True,
        3,
    )


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("file:///etc/passwd", "Enter an http:// or https:// URL."),
        ("javascript:alert(1)", "Enter an http:// or https:// URL."),
        ("http://127.0.0.1:6379/", "The address 127.0.0.1 is not allowed"),
        ("http://169.254.169.254/latest/meta-data/", "The address 169.254.169.254 is not allowed"),
        ("http://localhost/digest.md", "The address localhost is not allowed"),
        ("https://user:secret@example.org/x.md", "A URL with a user name or password"),
    ],
)
def test_a_location_the_rules_refuse_is_not_saved_and_the_form_keeps_it(
    organizer_client, location, message
):
    response = add(organizer_client, location=location)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="daily"' in body
    assert DigestSource.objects.count() == 0


def test_a_folder_outside_the_allowed_roots_is_refused(organizer_client, settings, tmp_path):
    settings.DIGEST_FOLDER_ROOTS = [str(tmp_path / "digests")]
    response = add(organizer_client, kind="folder", location="/etc")
    assert response.status_code == 400
    assert "This folder is not allowed" in response.content.decode()
    assert DigestSource.objects.count() == 0


def test_an_organizer_edits_a_source_under_the_same_rules(organizer_client):
    source = DigestSource.objects.create(
        name="daily", kind="url", location="https://a.example/{date}.md"
    )
    url = reverse("digest_source_edit", args=[source.pk])
    assert 'value="https://a.example/{date}.md"' in organizer_client.get(url).content.decode()
    refused = organizer_client.post(
        url, {"name": "daily", "kind": "url", "location": "http://10.0.0.5/x.md", "days_back": 3}
    )
    assert refused.status_code == 400
    source.refresh_from_db()
    assert source.location == "https://a.example/{date}.md"
    saved = organizer_client.post(
        url, {"name": "daily", "kind": "url", "location": "https://b.example/x.md", "days_back": 1}
    )
    assert saved.status_code == 302
    source.refresh_from_db()
    assert (source.location, source.enabled, source.days_back) == (
        "https://b.example/x.md",
        False,
        1,
    )


def test_members_cannot_add_or_edit_sources(member_client):
    assert add(member_client, location="https://digests.example.org/x.md").status_code == 403
    source = DigestSource.objects.create(name="x", kind="url", location="https://a.example/x")
    response = member_client.post(
        reverse("digest_source_edit", args=[source.pk]),
        {"name": "x", "kind": "url", "location": "https://evil.example/", "days_back": 3},
    )
    assert response.status_code == 403
    assert DigestSource.objects.get().location == "https://a.example/x"
    assert DigestSource.objects.count() == 1
