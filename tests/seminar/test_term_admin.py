"""The terms' admin (rare maintenance; terms are made and edited on the board): the defaults of
new weeks in a fieldset of their own, the open or closed state in the list and its filter."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """A superuser reading the admin in English (the factory's language)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_change_page_groups_the_defaults_of_new_weeks_apart(admin_client):
    term = TermFactory(name="2027 봄", place="공학관 301")
    html = admin_client.get(reverse("admin:seminar_term_change", args=[term.pk])).content.decode()
    defaults = html.split("Defaults of its new weeks")[1].split("</fieldset>")[0]
    for field in ("weekday", "meeting_time", "place", "online_url", "deadline_days_before"):
        assert f'name="{field}"' in defaults, field
    assert 'name="name"' not in defaults
    assert "existing weeks keep theirs" in defaults


def test_the_list_shows_when_each_term_meets_and_filters_open_from_closed(admin_client):
    TermFactory(name="열린 학기", starts_on=date(2027, 3, 2), weekday=3, meeting_time=time(19))
    TermFactory(name="닫힌 학기", closed_at=datetime(2027, 3, 1, tzinfo=ZoneInfo("Asia/Seoul")))
    url = reverse("admin:seminar_term_changelist")
    html = admin_client.get(url).content.decode()
    assert "Thursday 19:00" in html
    response = admin_client.get(url + "?state=closed")
    assert [t.name for t in response.context["cl"].result_list] == ["닫힌 학기"]
    response = admin_client.get(url + "?state=open")
    assert [t.name for t in response.context["cl"].result_list] == ["열린 학기"]
