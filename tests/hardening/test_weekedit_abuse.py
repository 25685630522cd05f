"""Editing and removing a week (#13) under attack: members and strangers, a forged form
without its CSRF token, odd and hostile dates, script in the place and notes, a `javascript:`
link, removing a week that still has topics, and ids that point elsewhere."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from seminar.models import Topic, Week
from seminar.scheduling import DeadlineRule, create_term
from tests.factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

SEOUL = ZoneInfo("Asia/Seoul")
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def weeks() -> list[Week]:
    """Thursdays 4, 11 and 18 March 2027 at 19:00 (weeks 1–3); the second has a topic."""
    new = create_term(
        name="2027 봄",
        starts_on=date(2027, 3, 2),
        ends_on=date(2027, 3, 31),
        weekday=3,
        meeting_time=time(19, 0),
        rule=DeadlineRule(days_before=1, at=time(23, 59)),
        skip_dates=[date(2027, 3, 25)],
    )
    TopicFactory(week=new.weeks[1], order=1, title="Spurious Rewards")
    return new.weeks


def snapshot() -> list[tuple]:
    return list(
        Week.objects.order_by("pk").values_list(
            "pk", "number", "starts_at", "place", "online_url", "review_deadline", "notes"
        )
    )


def edit_post(**overrides) -> dict[str, str]:
    return {
        "date": "2027-03-05",
        "time": "19:00",
        "place": "공학관",
        "online_url": "",
        "deadline_from_rule": "on",
        "late_policy": "mark",
        "notes": "",
        **overrides,
    }


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_organizers_edit_or_remove_a_week(weeks, client, member, who):
    if who == "member":
        client.force_login(member)
    before = snapshot()
    edit = client.post(reverse("week_edit", args=[weeks[0].pk]), edit_post(place="회원의 장소"))
    remove = client.post(reverse("week_remove", args=[weeks[0].pk]), {"confirm": "1"})
    if who == "member":
        assert (edit.status_code, remove.status_code) == (403, 403)
    else:
        assert edit["Location"].startswith("/accounts/login/")
        assert remove["Location"].startswith("/accounts/login/")
    assert snapshot() == before


def test_a_forged_form_without_the_csrf_token_is_refused(weeks, organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    before = snapshot()
    edit = client.post(reverse("week_edit", args=[weeks[0].pk]), edit_post(place="위조"))
    remove = client.post(reverse("week_remove", args=[weeks[0].pk]), {"confirm": "1"})
    assert (edit.status_code, remove.status_code) == (403, 403)
    assert snapshot() == before


def test_get_never_edits_or_removes(weeks, organizer_client):
    before = snapshot()
    for name in ("week_edit", "week_remove"):
        url = reverse(name, args=[weeks[0].pk]) + "?confirm=1&place=x&date=2027-03-05"
        assert organizer_client.get(url).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize(
    "day",
    [
        "0001-01-01",
        "1969-12-31",
        "3000-01-01",
        "9999-12-31",
        "2027-02-30",
        "2027-03-05T00:00:00",
        "-2027-03-05",
        "2" * 5000,
        "2027-03-05\x00",
        "",
    ],
)
def test_odd_dates_are_refused_on_the_form_without_an_error_page(weeks, organizer_client, day):
    before = snapshot()
    response = organizer_client.post(reverse("week_edit", args=[weeks[0].pk]), edit_post(date=day))
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time", "25:00"),
        ("time", "19:00:00.0000001x"),
        ("deadline_date", "9999-12-31"),
        ("late_policy", "ignore"),
        ("online_url", "javascript:alert(1)"),
        ("online_url", "//evil.example/x"),
        ("place", "x" * 201),
        ("notes", "x" * 5001),
    ],
)
def test_hostile_values_are_refused_and_nothing_is_written(weeks, organizer_client, field, value):
    data = edit_post(**{field: value})
    if field == "deadline_date":
        data.update(deadline_from_rule="", deadline_time="12:00")
    before = snapshot()
    response = organizer_client.post(reverse("week_edit", args=[weeks[0].pk]), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert snapshot() == before


def test_moving_a_week_onto_another_weeks_day_or_past_it_is_refused(weeks, organizer_client):
    before = snapshot()
    for day in ("2027-03-11", "2027-03-12", "2027-04-15"):
        response = organizer_client.post(
            reverse("week_edit", args=[weeks[0].pk]), edit_post(date=day)
        )
        assert response.status_code == 200, day
    assert snapshot() == before


def test_script_in_the_place_and_notes_stays_text_on_the_week_page(weeks, organizer_client):
    url = reverse("week_edit", args=[weeks[0].pk])
    response = organizer_client.post(url, edit_post(place=SCRIPT, notes=SCRIPT))
    assert response.status_code == 302
    html = organizer_client.get(weeks[0].get_absolute_url()).content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_a_week_with_topics_is_never_removed_even_confirmed(weeks, organizer_client):
    url = reverse("week_remove", args=[weeks[1].pk])
    for data in ({}, {"confirm": "1"}, {"confirm": "1", "force": "1"}):
        response = organizer_client.post(url, data)
        assert response.status_code == 200
        assert "Move or remove its topics first" in response.content.decode()
    assert Week.objects.filter(pk=weeks[1].pk).exists()
    assert Topic.objects.filter(week=weeks[1]).count() == 1


def test_only_the_week_in_the_url_is_edited_or_removed(weeks, organizer_client):
    """No id in the body counts: extra fields naming another week or term are ignored."""
    hostile = edit_post(place="여기만", week=str(weeks[2].pk), term="999", number="7", pk="1")
    assert (
        organizer_client.post(reverse("week_edit", args=[weeks[0].pk]), hostile).status_code == 302
    )
    weeks[0].refresh_from_db()
    weeks[2].refresh_from_db()
    assert (weeks[0].place, weeks[0].number, weeks[0].term_id) == ("여기만", 1, weeks[2].term_id)
    assert weeks[2].place == ""
    remove = organizer_client.post(
        reverse("week_remove", args=[weeks[2].pk]), {"confirm": "1", "pk": str(weeks[1].pk)}
    )
    assert remove.status_code == 302
    assert list(Week.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize("name", ["week_edit", "week_remove"])
def test_a_week_that_does_not_exist_is_404(weeks, organizer_client, name):
    response = organizer_client.post(f"/weeks/{weeks[-1].pk + 1000}/{name.split('_')[1]}/")
    assert response.status_code == 404
    assert reverse(name, args=[1]).startswith("/weeks/1/")


def test_an_enormous_week_id_is_404_not_an_error(organizer_client):
    assert organizer_client.post("/weeks/99999999999999999999/edit/").status_code == 404


def test_the_edit_keeps_an_aware_time_in_the_groups_zone(weeks, organizer_client):
    organizer_client.post(reverse("week_edit", args=[weeks[0].pk]), edit_post(time="23:30"))
    weeks[0].refresh_from_db()
    assert weeks[0].starts_at == datetime(2027, 3, 5, 23, 30, tzinfo=SEOUL)
