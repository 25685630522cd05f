"""The digest sources page: backfill forms for dated sources, and the runs' progress."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from papers.models import BackfillRun, DigestSource
from tests.papers.builders import list_digest

pytestmark = pytest.mark.django_db

SOURCES = "/papers/imports/sources/"


@pytest.fixture(autouse=True)
def setup(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.BACKFILL_PAUSE_SECONDS = 0
    with time_machine.travel("2025-06-10 09:00 +09:00", tick=True):
        yield


@pytest.fixture
def dated(httpserver):
    return DigestSource.objects.create(
        name="daily", kind="url", location=httpserver.url_for("/d/{date}.md")
    )


def _backfill_url(source) -> str:
    return reverse("digest_source_backfill", args=[source.pk])


def test_a_dated_source_has_a_labelled_backfill_form_and_a_plain_url_none(client, organizer, dated):
    plain = DigestSource.objects.create(name="latest", kind="url", location="https://e.org/a.md")
    client.force_login(organizer)
    page = client.get(SOURCES).content.decode()
    assert page.count('class="backfill-form"') == 1
    assert _backfill_url(dated) in page and _backfill_url(plain) not in page
    assert f'<label for="id_backfill-{dated.pk}-start">From</label>' in page
    assert "No backfills yet" in page


def test_an_organizer_backfills_a_range_and_sees_each_dates_outcome(
    client, organizer, dated, httpserver, django_capture_on_commit_callbacks
):
    text = list_digest(date(2025, 5, 26), [("2505.10003", "A paper", 3, ["A. Author"])])
    httpserver.expect_request("/d/2025-05-26.md").respond_with_data(text.encode())
    httpserver.expect_request("/d/2025-05-27.md").respond_with_data("", status=404)
    client.force_login(organizer)
    prefix = f"backfill-{dated.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _backfill_url(dated), {f"{prefix}-start": "2025-05-26", f"{prefix}-end": "2025-05-27"}
        )
    assert response.status_code == 302
    run = BackfillRun.objects.get()
    assert (run.status, run.days_done, run.requested_by) == ("done", 2, organizer)
    page = client.get(SOURCES).content.decode()
    assert "A backfill of daily from 2025-05-26 to 2025-05-27 was queued." in page
    assert "2 of 2 days" in page
    assert 'class="outcome-imported"><strong>2025-05-26</strong> · Imported' in page
    assert 'class="outcome-not_published"><strong>2025-05-27</strong> · Not published' in page


def test_a_range_in_the_future_is_shown_beside_the_form_with_what_was_typed(
    client, organizer, dated
):
    client.force_login(organizer)
    prefix = f"backfill-{dated.pk}"
    response = client.post(
        _backfill_url(dated), {f"{prefix}-start": "2025-06-09", f"{prefix}-end": "2025-06-20"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The last date must not be in the future." in page
    assert 'value="2025-06-20"' in page
    assert BackfillRun.objects.count() == 0


def test_a_source_without_dates_is_answered_with_a_message(client, organizer):
    source = DigestSource.objects.create(name="latest", kind="url", location="https://e.org/a.md")
    client.force_login(organizer)
    response = client.post(_backfill_url(source), {}, follow=True)
    assert "Only a source with dates" in response.content.decode()
    assert BackfillRun.objects.count() == 0


def test_members_and_visitors_cannot_backfill(client, member, dated):
    data = {f"backfill-{dated.pk}-start": "2025-05-26", f"backfill-{dated.pk}-end": "2025-05-26"}
    response = client.post(_backfill_url(dated), data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(member)
    assert client.post(_backfill_url(dated), data).status_code == 403
    assert client.get(SOURCES).status_code == 403
    assert BackfillRun.objects.count() == 0
