"""The board's term forms: a term and its weeks in one step (with a preview to untick
holidays), renaming, closing; the board grouped by term; the week form without a term."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from seminar.models import Term, Week
from tests.factories import ReviewFactory, TermFactory, TopicFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

SEOUL = ZoneInfo("Asia/Seoul")  # fixed_clock: Wednesday 2027-03-03 10:00 in Seoul


def term_post(**overrides) -> dict:
    return {
        "name": "2027 봄",
        "starts_on": "2027-03-02",
        "ends_on": "2027-03-25",
        "weekday": "3",  # Thursday
        "meeting_time": "19:00",
        "place": "공학관 301",
        "online_url": "",
        "deadline_days_before": "1",
        "deadline_time": "23:59",
        **overrides,
    }


def week_at(term: Term, day: date, number: int) -> Week:
    starts = datetime(day.year, day.month, day.day, 19, tzinfo=SEOUL)
    return WeekFactory(
        term=term, number=number, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )


def test_the_preview_lists_every_meeting_day_ticked_and_writes_nothing(organizer_client):
    response = organizer_client.post(reverse("schedule_create_term"), term_post(action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    ticked = re.findall(r'name="week_dates" value="([\d-]+)" checked', html)
    assert ticked == ["2027-03-04", "2027-03-11", "2027-03-18", "2027-03-25"]
    assert not Term.objects.exists()


def test_unticked_dates_of_the_preview_are_skipped(organizer_client):
    offered = "2027-03-04 2027-03-11 2027-03-18 2027-03-25"
    data = term_post(action="create", offered_dates=offered)
    data["week_dates"] = ["2027-03-04", "2027-03-18", "2027-03-25"]
    response = organizer_client.post(reverse("schedule_create_term"), data)
    first = Week.objects.order_by("number").first()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('schedule')}#week-{first.pk}"
    days = [
        (w.number, w.starts_at.astimezone(SEOUL).date()) for w in Week.objects.order_by("number")
    ]
    assert days == [(1, date(2027, 3, 4)), (2, date(2027, 3, 18)), (3, date(2027, 3, 25))]


def test_creating_without_a_preview_makes_every_week(organizer_client):
    response = organizer_client.post(reverse("schedule_create_term"), term_post())
    assert response.status_code == 302
    term = Term.objects.get()
    assert list(term.weeks.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]
    assert set(term.weeks.values_list("place", flat=True)) == {"공학관 301"}


def test_a_refused_term_redraws_the_board_with_the_form_filled_in(organizer_client):
    TermFactory(name="2027 봄")
    response = organizer_client.post(reverse("schedule_create_term"), term_post())
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is already a term named 2027 봄." in html
    assert 'value="공학관 301"' in html
    assert Term.objects.count() == 1
    assert not Week.objects.exists()


def test_a_term_whose_last_day_comes_first_is_refused_in_the_form(organizer_client):
    response = organizer_client.post(
        reverse("schedule_create_term"), term_post(ends_on="2027-03-01", action="preview")
    )
    assert response.status_code == 200
    assert response.context["term_form"].errors
    assert not Term.objects.exists()


def test_members_cannot_create_rename_close_or_reopen_terms(member_client):
    term = TermFactory(name="그대로")
    urls = [
        reverse("schedule_create_term"),
        reverse("schedule_rename_term", args=[term.pk]),
        reverse("schedule_close_term", args=[term.pk]),
        reverse("schedule_reopen_term", args=[term.pk]),
    ]
    for url in urls:
        assert member_client.post(url, {**term_post(), "name": "바뀜"}).status_code == 403, url
    term.refresh_from_db()
    assert (Term.objects.count(), term.name, term.closed_at) == (1, "그대로", None)


def edit_post(term: Term, **overrides) -> dict:
    """The edit form as the board fills it in for `term`, with `overrides`."""
    return {
        "name": term.name,
        "starts_on": term.starts_on.isoformat(),
        "ends_on": term.ends_on.isoformat() if term.ends_on else "",
        "weekday": str(term.meeting_weekday),
        "meeting_time": term.meeting_time.strftime("%H:%M"),
        "place": term.place,
        "online_url": term.online_url,
        "deadline_days_before": str(term.deadline_days_before),
        "deadline_time": term.deadline_time.strftime("%H:%M"),
        **overrides,
    }


def test_renaming_and_closing_from_the_board(organizer_client):
    term = TermFactory(name="봄")
    other = TermFactory(name="가을")
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]), edit_post(term, name="2027 봄")
    )
    assert response["Location"] == f"{reverse('schedule')}#term-{term.pk}"
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[other.pk]), edit_post(other, name="2027 봄")
    )
    assert response.status_code == 200  # refused: the board again, the form filled in
    assert "There is already a term named 2027 봄." in response.content.decode()
    organizer_client.post(reverse("schedule_close_term", args=[other.pk]))
    term.refresh_from_db()
    other.refresh_from_db()
    assert (term.name, other.name, other.is_closed) == ("2027 봄", "가을", True)
    organizer_client.post(reverse("schedule_reopen_term", args=[other.pk]))
    other.refresh_from_db()
    assert not other.is_closed


def test_the_board_groups_weeks_under_their_terms_header(organizer_client):
    winter = TermFactory(name="2027 겨울", starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 10))
    spring = TermFactory(name="2027 봄", starts_on=date(2027, 3, 11))
    w1 = week_at(winter, date(2027, 3, 4), 9)
    s1 = week_at(spring, date(2027, 3, 11), 1)
    s2 = week_at(spring, date(2027, 3, 18), 2)
    html = organizer_client.get(reverse("schedule")).content.decode()
    found = re.findall(r'data-board-term="(\d+)"|data-week="(\d+)"', html)
    order = [("term", int(t)) if t else ("week", int(w)) for t, w in found]
    assert order == [
        ("term", winter.pk),
        ("week", w1.pk),
        ("term", spring.pk),
        ("week", s1.pk),
        ("week", s2.pk),
    ]


def test_closed_terms_leave_the_board_and_the_week_form_until_asked(organizer_client):
    old = TermFactory(name="지난 학기", starts_on=date(2026, 9, 1))
    hidden = week_at(old, date(2027, 3, 11), 20)
    old.closed_at = datetime(2027, 3, 1, tzinfo=SEOUL)
    old.save()
    current = TermFactory(name="이번 학기", starts_on=date(2027, 3, 1))
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert f'data-week="{hidden.pk}"' not in html
    options = re.findall(
        r'<option value="(\d+)"[^>]*>', html.split('name="term"')[1].split("</select>")[0]
    )
    assert options == [str(current.pk)]
    html = organizer_client.get(reverse("schedule") + "?closed=1").content.decode()
    assert f'data-week="{hidden.pk}"' in html


def test_the_week_form_points_to_the_term_form_when_there_is_no_open_term(organizer_client):
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert "data-no-open-term" in html
    assert 'href="#new-term"' in html
    assert "/admin/" not in html.split('id="create-weeks"')[1].split("</details>")[0]
    assert re.search(r'<details class="sched-new-term" id="new-term"\s+open', html)


def test_a_term_with_coming_topics_is_not_closed_and_the_board_says_why(organizer_client):
    term = TermFactory(starts_on=date(2027, 3, 1))
    TopicFactory(week=week_at(term, date(2027, 3, 11), 2))
    response = organizer_client.post(reverse("schedule_close_term", args=[term.pk]), follow=True)
    term.refresh_from_db()
    assert not term.is_closed
    assert "move or remove those topics" in response.content.decode()


# --- editing a term's defaults -----------------------------------------------------------------


def test_each_term_has_an_edit_form_filled_in_with_the_box_to_apply_unticked(organizer_client):
    term = TermFactory(
        name="2027 봄", starts_on=date(2027, 3, 1), weekday=3, place="공학관 301", ends_on=None
    )
    html = organizer_client.get(reverse("schedule")).content.decode()
    form = html.split(f'data-term-edit="{term.pk}"')[1].split("</details>")[0]
    assert f'action="{reverse("schedule_rename_term", args=[term.pk])}"' in form
    assert f'id="id_term{term.pk}_place"' in form and 'value="공학관 301"' in form
    assert re.search(r'<option value="3" selected>', form)
    box = re.search(r'<input type="checkbox" name="apply_to_coming_weeks"[^>]*>', form).group(0)
    assert "checked" not in box
    assert f'<label for="id_term{term.pk}_apply_to_coming_weeks">' in form
    assert "Apply to coming weeks without submitted reviews" in form
    assert "past weeks and weeks with a submitted review keep theirs" in form


def test_edited_defaults_reach_coming_weeks_only_when_asked(organizer_client):
    organizer_client.post(reverse("schedule_create_term"), term_post())  # Thursdays 3-4 … 3-25
    term = Term.objects.get()
    url = reverse("schedule_rename_term", args=[term.pk])

    organizer_client.post(url, edit_post(term, place="도서관"))
    assert set(term.weeks.values_list("place", flat=True)) == {"공학관 301"}

    term.refresh_from_db()
    response = organizer_client.post(
        url, edit_post(term, meeting_time="18:00", apply_to_coming_weeks="on"), follow=True
    )
    html = response.content.decode()
    assert "Weeks 1, 2, 3, 4 took the new defaults." in html
    weeks = term.weeks.order_by("number")
    assert {(w.place, w.starts_at.astimezone(SEOUL).time()) for w in weeks} == {
        ("도서관", datetime(2027, 1, 1, 18).time())
    }


def test_a_week_with_a_submitted_review_keeps_its_time_and_the_board_says_so(organizer_client):
    term = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    done = week_at(term, date(2027, 3, 11), 1)
    ReviewFactory(
        slot__topic=TopicFactory(week=done),
        status="submitted",
        submitted_at=datetime(2027, 3, 2, tzinfo=SEOUL),
    )
    moved = week_at(term, date(2027, 3, 18), 2)
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]),
        edit_post(term, meeting_time="18:00", apply_to_coming_weeks="on"),
        follow=True,
    )
    html = response.content.decode()
    assert "Weeks 2 took the new defaults." in html
    assert "Weeks 1 kept theirs: a review of theirs is already submitted." in html
    done.refresh_from_db()
    moved.refresh_from_db()
    assert done.starts_at == datetime(2027, 3, 11, 19, tzinfo=SEOUL)
    assert moved.starts_at == datetime(2027, 3, 18, 18, tzinfo=SEOUL)


def test_a_refused_edit_comes_back_open_with_what_was_typed_and_writes_nothing(organizer_client):
    term = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    week_at(term, date(2027, 3, 11), 1)
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]),
        edit_post(term, ends_on="2027-03-05", place="새 장소", apply_to_coming_weeks="on"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'data-term-edit="{term.pk}"\s+open', html)
    assert "would fall outside the new first and last day" in html
    assert 'value="새 장소"' in html
    assert re.search(r'name="apply_to_coming_weeks"[^>]*checked', html)
    term.refresh_from_db()
    assert (term.place, term.ends_on) == ("", None)


def test_a_malformed_edit_is_shown_on_the_form_of_that_term(organizer_client):
    term = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    other = TermFactory(name="2026 가을", starts_on=date(2026, 9, 1))
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]), edit_post(term, meeting_time="25:00")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'data-term-edit="{term.pk}"\s+open', html)
    assert not re.search(rf'data-term-edit="{other.pk}"\s+open', html)
    assert response.context["terms"][0].edit_form.errors.keys() == {"meeting_time"}


# --- the create-weeks form and the term's defaults ---------------------------------------------


def test_the_week_form_starts_with_the_selected_terms_defaults_not_the_last_weeks(
    organizer_client,
):
    term = TermFactory(
        name="2027 봄",
        starts_on=date(2027, 3, 1),
        weekday=3,
        meeting_time=datetime(2027, 1, 1, 18, 30).time(),
        place="공학관 301",
        online_url="https://meet.example.com/term",
        deadline_days_before=2,
        deadline_time=datetime(2027, 1, 1, 21).time(),
    )
    odd = week_at(term, date(2027, 3, 4), 1)
    odd.place = "한 번만 다른 곳"
    odd.save()
    week_form = organizer_client.get(reverse("schedule")).context["week_form"]
    assert {k: week_form[k].value() for k in ("term", "time", "place", "online_url")} == {
        "term": term.pk,
        "time": datetime(2027, 1, 1, 18, 30).time(),
        "place": "공학관 301",
        "online_url": "https://meet.example.com/term",
    }
    assert week_form["deadline_days_before"].value() == 2
    assert week_form["first_date"].value() == date(2027, 3, 11)


def test_weeks_created_with_empty_fields_take_the_terms_defaults(organizer_client):
    term = TermFactory(
        name="2027 봄",
        starts_on=date(2027, 3, 1),
        meeting_time=datetime(2027, 1, 1, 18, 30).time(),
        place="공학관 301",
        online_url="https://meet.example.com/term",
        deadline_days_before=2,
        deadline_time=datetime(2027, 1, 1, 21).time(),
    )
    response = organizer_client.post(
        reverse("schedule_create_weeks"),
        {"term": term.pk, "first_date": "2027-03-11", "count": "2", "skip_dates": ""},
    )
    assert response.status_code == 302
    weeks = list(term.weeks.order_by("number"))
    assert [(w.starts_at, w.review_deadline) for w in weeks] == [
        (datetime(2027, 3, 11, 18, 30, tzinfo=SEOUL), datetime(2027, 3, 9, 21, tzinfo=SEOUL)),
        (datetime(2027, 3, 18, 18, 30, tzinfo=SEOUL), datetime(2027, 3, 16, 21, tzinfo=SEOUL)),
    ]
    assert {(w.place, w.online_url) for w in weeks} == {
        ("공학관 301", "https://meet.example.com/term")
    }
