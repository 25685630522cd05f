"""Issue #13's features attacked from outside (a red-team pass over terms, votes and the
agenda, materials and the reminders tool): each test is a finding that failed before its fix.

- Dates at the edge of the calendar (9999-12-31) broke the term and week forms with a 500,
  and a week created there broke the schedule board for every organizer afterwards.
- "Remind now" keyed its once-a-day email by the day in the *pressing organizer's* zone, so
  two organizers in different zones (or one who travels) sent each reviewer two emails.
- The organizer's "this week" card read "today" in the organizer's own zone: for an organizer
  in Los Angeles, last night's meeting in Seoul was still "coming" (with open slots to fill).
- The reminder cadence crashed on digits `int()` cannot read ("²").
- The preview's `?key=` reached PostgreSQL with a NUL byte (500).
- A PDF's script action spelled with name escapes (`/Java#53cript`) slipped past the check.
- The agenda told every member which volunteers were "busy that week" (away that day).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seminar.materials.rules import pdf_problem
from seminar.models import ReminderPolicy, SentReminder, Term, Week
from seminar.scheduling import terms
from seminar.scheduling.attention import AttentionKind, needs_attention
from seminar.services import make_organizer
from tests.factories import (
    ReviewerSlotFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.seminar.materials.world import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")
LA = ZoneInfo("America/Los_Angeles")


def term_post(**overrides) -> dict:
    return {
        "name": "2027 봄",
        "starts_on": "2027-03-02",
        "ends_on": "2027-03-25",
        "weekday": "3",
        "meeting_time": "19:00",
        "place": "",
        "online_url": "",
        "deadline_days_before": "1",
        "deadline_time": "23:59",
        "action": "create",
        **overrides,
    }


# --- dates at the edge of the calendar ---------------------------------------------------------


@pytest.mark.usefixtures("fixed_clock")
@pytest.mark.parametrize("action", ["create", "preview"])
@pytest.mark.parametrize(
    ("starts_on", "ends_on"), [("9999-12-20", "9999-12-31"), ("0001-01-01", "0001-01-20")]
)
def test_a_term_at_the_edge_of_the_calendar_is_refused_with_a_message(
    organizer_client, action, starts_on, ends_on
):
    organizer_client.raise_request_exception = False
    response = organizer_client.post(
        reverse("schedule_create_term"),
        term_post(starts_on=starts_on, ends_on=ends_on, action=action),
    )
    assert response.status_code == 200
    assert "Enter a date between 1970 and 2999." in response.content.decode()
    assert not Term.objects.exists() and not Week.objects.exists()


@pytest.mark.usefixtures("fixed_clock")
def test_a_term_cannot_be_edited_to_the_edge_of_the_calendar(organizer_client):
    """Else the board's create-weeks form, which starts from the term's first meeting day,
    would count past 9999-12-31 on every later visit."""
    organizer_client.raise_request_exception = False
    term = TermFactory(name="봄", starts_on=date(2027, 3, 1), ends_on=None)
    data = term_post(name="봄", starts_on="9999-12-31", ends_on="")
    response = organizer_client.post(reverse("schedule_rename_term", args=[term.pk]), data)
    assert response.status_code == 200
    assert "Enter a date between 1970 and 2999." in response.content.decode()
    term.refresh_from_db()
    assert term.starts_on == date(2027, 3, 1)
    assert organizer_client.get(reverse("schedule")).status_code == 200


@pytest.mark.usefixtures("fixed_clock")
def test_create_term_refuses_days_outside_the_calendar_it_can_count():
    with pytest.raises(ValidationError) as refused:
        terms.create_term(
            name="끝",
            starts_on=date(9999, 12, 20),
            ends_on=date(9999, 12, 31),
            weekday=3,
        )
    assert refused.value.code == "date_range"
    assert terms.meeting_dates(
        starts_on=date(9999, 12, 20), ends_on=date(9999, 12, 31), weekday=3
    ) == [date(9999, 12, 23), date(9999, 12, 30)]
    assert not Term.objects.exists()


@pytest.mark.usefixtures("fixed_clock")
def test_weeks_at_the_end_of_the_calendar_are_refused_and_the_board_still_opens(
    organizer_client,
):
    organizer_client.raise_request_exception = False
    term = TermFactory(name="열린 학기", starts_on=date(2027, 1, 1), ends_on=None)
    response = organizer_client.post(
        reverse("schedule_create_weeks"),
        {
            "term": term.pk,
            "first_date": "9999-12-23",
            "time": "19:00",
            "count": "1",
            "skip_dates": "",
            "deadline_days_before": "1",
            "deadline_time": "23:59",
            "place": "",
            "online_url": "",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between 1970 and 2999." in response.content.decode()
    assert not Week.objects.exists()
    assert organizer_client.get(reverse("schedule")).status_code == 200


# --- "remind now", once a day in the group's zone -------------------------------------------


def test_remind_now_is_once_a_day_in_the_groups_zone_whoever_presses(
    django_capture_on_commit_callbacks,
):
    # Thursday 10:00 in Seoul is Wednesday 17:00 in Los Angeles: one day for the group.
    now = datetime(2026, 12, 3, 10, tzinfo=SEOUL)
    ReminderPolicy(quiet_hours_start=time(0), quiet_hours_end=time(0)).save()
    week = WeekFactory(starts_at=now + timedelta(days=6), review_deadline=now + timedelta(days=5))
    reviewer = UserFactory(name="리뷰어")
    ReviewerSlotFactory(topic=TopicFactory(week=week, order=1), number=1, reviewer=reviewer)
    in_seoul = UserFactory(name="서울 운영자")
    abroad = UserFactory(name="LA Organizer", timezone="America/Los_Angeles")
    for organizer in (in_seoul, abroad):
        make_organizer(organizer)
    mail.outbox.clear()
    with time_machine.travel(now, tick=False):
        for organizer in (abroad, in_seoul):
            client = Client()
            client.force_login(organizer)
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("reminder_remind_now", args=[week.pk]))
            assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert list(SentReminder.objects.values_list("key", flat=True)) == [
        f"week:{week.pk}:now:2026-12-03"
    ]


# --- the organizer's card, in the group's day -------------------------------------------------


def test_the_card_does_not_call_last_nights_meeting_coming_for_an_organizer_abroad():
    now = datetime(2027, 3, 4, 10, tzinfo=SEOUL)  # Thursday morning; Wednesday 17:00 in LA
    last_night = WeekFactory(
        number=1,
        starts_at=datetime(2027, 3, 3, 19, tzinfo=SEOUL),
        review_deadline=datetime(2027, 3, 2, 23, tzinfo=SEOUL),
    )
    ReviewerSlotFactory(topic=TopicFactory(week=last_night, presenter=None), reviewer=None)
    in_seoul = needs_attention(now=now)
    with timezone.override(LA):
        abroad = needs_attention(now=now)
    assert abroad == in_seoul
    assert not [
        i for i in abroad if i.kind in (AttentionKind.OPEN_SLOTS, AttentionKind.NO_PRESENTER)
    ]


# --- the reminders tool's inputs ----------------------------------------------------------------


@pytest.mark.usefixtures("fixed_clock")
@pytest.mark.parametrize("value", ["²", "7, ³"])
def test_a_cadence_in_digits_int_cannot_read_is_refused_not_a_server_error(organizer_client, value):
    organizer_client.raise_request_exception = False
    response = organizer_client.post(
        reverse("reminder_status"),
        {
            "policy-presenter_days_before": value,
            "policy-reviewer_days_before": "1",
            "policy-reviewer_days_after": "1",
            "policy-quiet_hours_start": "22:00",
            "policy-quiet_hours_end": "07:30",
            "policy-max_attempts": "5",
        },
    )
    assert response.status_code == 400
    assert "Use whole days between 0 and 60" in response.content.decode()
    assert ReminderPolicy.current().presenter_days_before == "7, 1"


@pytest.mark.usefixtures("fixed_clock")
@pytest.mark.parametrize("key", ["week:1\x00", "<script>", "week 1", "x" * 101])
@pytest.mark.parametrize("kind", ["reviewer_deadline", "weekly_presenter"])
def test_a_preview_key_that_no_reminder_has_is_not_found(organizer_client, organizer, kind, key):
    organizer_client.raise_request_exception = False
    week = WeekFactory()
    response = organizer_client.get(
        reverse("reminder_preview", args=[week.pk, organizer.pk, kind]), {"key": key}
    )
    assert response.status_code == 404


# --- slides ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [b"/Java#53cript", b"/#4A#61#76#61#53#63#72#69#70#74", b"/L#61unch", b"/EmbeddedFile#73"],
)
def test_a_script_action_spelled_with_name_escapes_is_still_refused(name):
    data = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S " + name + b" >>")
    assert pdf_problem([data]) == "active"
    cut = data.index(name) + len(name) // 2
    assert pdf_problem([data[:cut], data[cut:]]) == "active"


def test_escapes_that_spell_nothing_active_keep_an_honest_pdf():
    data = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /Title (A#20B) /Font#20Name /F1")
    assert pdf_problem([data]) is None


# --- the agenda -------------------------------------------------------------------------------


def test_members_do_not_learn_from_the_agenda_that_a_volunteer_is_away(
    fixed_clock, client, member, other_member, organizer
):
    """Unavailable dates are the member's and the organizers' business; the agenda's "busy
    that week" (away that day, or a role already) is for the organizer choosing a week."""
    from papers.models import PaperInterest
    from seminar.meetings import local_date
    from seminar.models import Unavailability
    from tests.factories import CandidatePaperFactory

    starts = fixed_clock + timedelta(days=8)
    week = WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20))
    paper = CandidatePaperFactory(title="Volunteered paper")
    PaperInterest.objects.create(member=member, paper=paper, kind=PaperInterest.Kind.PRESENT)
    Unavailability.objects.create(member=member, date=local_date(week.starts_at))
    client.force_login(other_member)
    page = client.get(reverse("paper_agenda")).content.decode()
    assert member.display_name in page and "busy that week" not in page
    client.force_login(organizer)
    assert "busy that week" in client.get(reverse("paper_agenda")).content.decode()
