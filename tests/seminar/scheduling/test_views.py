"""The schedule board and its forms: organizers only, plain POST-redirect-GET, constant
queries. Assertions look at data-* markers and the database, never at UI wording."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from papers.models import CandidatePaper
from seminar.models import AssignmentChange, ReviewerSlot, Topic, Unavailability, Week
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")


def future(days: int, hour: int = 19) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), tzinfo=SEOUL)


def week_at(starts_at: datetime, **fields) -> Week:
    return WeekFactory(
        starts_at=starts_at, review_deadline=starts_at - timedelta(hours=20), **fields
    )


@pytest.fixture
def topic(db):
    topic = TopicFactory(
        week=week_at(future(7)), order=1, presenter=None, paper=CandidatePaperFactory()
    )
    ReviewerSlotFactory(topic=topic, number=1)
    return topic


def organizer_urls(topic: Topic) -> list[str]:
    slot = topic.slots.first()
    return [
        reverse("schedule"),
        reverse("schedule_create_weeks"),
        reverse("schedule_add_topic", args=[topic.week_id]),
        reverse("schedule_assign_presenter", args=[topic.pk]),
        reverse("schedule_move_topic", args=[topic.pk]),
        reverse("schedule_set_slot_count", args=[topic.pk]),
        reverse("schedule_unlink_paper", args=[topic.pk]),
        reverse("schedule_remove_topic", args=[topic.pk]),
        reverse("schedule_assign_reviewer", args=[slot.pk]),
        reverse("export_reviews_csv"),
        reverse("export_reviews_json"),
        reverse("export_archive"),
    ]


def _state(topic: Topic) -> tuple:
    topic.refresh_from_db()
    return (
        Week.objects.count(),
        Topic.objects.count(),
        ReviewerSlot.objects.count(),
        topic.presenter_id,
        topic.paper_id,
        AssignmentChange.objects.count(),
    )


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_every_scheduling_url_sends_anonymous_visitors_to_sign_in(client, topic, method):
    before = _state(topic)
    for url in organizer_urls(topic):
        response = getattr(client, method)(url, {"member": "1", "count": "0", "week": "1"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert _state(topic) == before


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_every_scheduling_url_refuses_members(member_client, member, topic, method):
    before = _state(topic)
    for url in organizer_urls(topic):
        data = {"member": str(member.pk), "count": "0", "week": str(topic.week_id)}
        response = getattr(member_client, method)(url, data)
        assert response.status_code == 403, url
    assert _state(topic) == before


def test_post_only_urls_refuse_get_for_organizers(organizer_client, topic):
    for url in organizer_urls(topic)[1:9]:
        assert organizer_client.get(url).status_code == 405, url


@pytest.mark.parametrize(
    "name", ["stats", "calendar_settings", "unavailable_dates", "unavailable_date_delete"]
)
def test_member_pages_need_sign_in(client, name):
    url = reverse(name, args=[1]) if name == "unavailable_date_delete" else reverse(name)
    response = client.post(url) if name == "unavailable_date_delete" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_navigation_shows_schedule_to_organizers_only(organizer_client, client, member):
    assert f'href="{reverse("schedule")}"' in organizer_client.get("/").content.decode()
    client.force_login(member)
    html = client.get("/").content.decode()
    assert f'href="{reverse("schedule")}"' not in html
    assert f'href="{reverse("stats")}"' in html


# --- the board --------------------------------------------------------------------------------


def _week_with_content(term, days: int, people: list) -> Week:
    week = week_at(future(days), term=term)
    for order in (1, 2):
        topic = TopicFactory(
            week=week, order=order, presenter=people[order], paper=CandidatePaperFactory()
        )
        ReviewerSlotFactory(topic=topic, number=1, reviewer=people[0])
        slot = ReviewerSlotFactory(topic=topic, number=2)
        ReviewFactory(slot=ReviewerSlotFactory(topic=topic, number=3, reviewer=people[3]))
        AssignmentChange.objects.create(
            topic=topic, member=people[order], role="presenter", assigned=True
        )
        del slot
    Unavailability.objects.create(member=people[0], date=timezone.localdate(week.starts_at))
    return week


def test_board_queries_do_not_grow_with_weeks(organizer_client, django_assert_num_queries):
    term = TermFactory()
    people = [UserFactory() for _ in range(4)]
    _week_with_content(term, 7, people)
    organizer_client.get(reverse("schedule"))  # warm the session
    cache.clear()  # count the board built, not the board from the cache
    # 20: with the agenda's picker and the topics' volunteers (#13, three queries), each
    # member's latest role before the board's weeks (two) and the data version (one); the
    # session comes from the cache and the organizer check with the member (one query).
    with django_assert_num_queries(20) as one:
        response = organizer_client.get(reverse("schedule"))
    assert len(re.findall(r'data-week="\d+"', response.content.decode())) == 1
    _week_with_content(term, 14, people)
    _week_with_content(term, 21, people)
    with django_assert_num_queries(len(one.captured_queries)):
        response = organizer_client.get(reverse("schedule"))
    html = response.content.decode()
    assert len(re.findall(r'data-week="\d+"', html)) == 3
    assert len(re.findall(r'data-topic="\d+"', html)) == 6
    # Until the data changes, the board comes from the cache: the organizer (with whether
    # they organize) and the data version; the session is in the cache too.
    with django_assert_num_queries(2):
        assert organizer_client.get(reverse("schedule")).content.decode().count("data-topic") == 6


def test_board_shows_upcoming_weeks_topics_people_and_conflicts(organizer_client, member):
    past = week_at(future(-7))
    week = week_at(future(7))
    topic = TopicFactory(week=week, order=1, presenter=member, title="Own topic")
    ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    Unavailability.objects.create(member=member, date=timezone.localdate(week.starts_at))
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert f'data-week="{week.pk}"' in html
    assert f'data-week="{past.pk}"' not in html
    assert "Own topic" in html
    assert f'data-presenter="{member.pk}"' in html
    assert f'data-reviewer="{member.pk}"' in html
    for kind in ("own_topic", "two_roles", "unavailable"):
        assert f'data-conflict="{kind}"' in html
    assert re.search(rf"<span data-away>[^<]*{member.display_name}", html)


def test_board_offers_one_click_suggestions_for_open_roles(organizer_client, topic, member):
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert f'data-accept-presenter="{member.pk}"' in html
    assert f'data-accept-reviewer="{member.pk}"' in html


def test_creating_weeks_in_bulk_redirects_to_the_first(organizer_client):
    term = TermFactory(starts_on=date(2026, 1, 1))
    response = organizer_client.post(
        reverse("schedule_create_weeks"),
        {
            "term": term.pk,
            "first_date": "2026-03-05",
            "time": "19:00",
            "count": "3",
            "skip_dates": "2026-03-12",
            "deadline_days_before": "1",
            "deadline_time": "23:59",
            "place": "세미나실",
        },
    )
    weeks = list(term.weeks.order_by("number"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('schedule')}#week-{weeks[0].pk}"
    assert [timezone.localtime(w.starts_at).date().isoformat() for w in weeks] == [
        "2026-03-05",
        "2026-03-19",
        "2026-03-26",
    ]


def test_a_refused_bulk_run_re_renders_the_form_with_what_was_typed(organizer_client):
    term = TermFactory(starts_on=date(2026, 1, 1))
    WeekFactory(
        term=term,
        starts_at=datetime(2026, 3, 12, 19, tzinfo=SEOUL),
        review_deadline=datetime(2026, 3, 11, 23, 59, tzinfo=SEOUL),
    )
    response = organizer_client.post(
        reverse("schedule_create_weeks"),
        {
            "term": term.pk,
            "first_date": "2026-03-05",
            "time": "19:00",
            "count": "2",
            "skip_dates": "",
            "deadline_days_before": "1",
            "deadline_time": "23:59",
            "place": "새 장소 123",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-03-12" in html  # the clash, named in the error
    assert 'value="새 장소 123"' in html
    assert term.weeks.count() == 1


def test_adding_a_topic_by_arxiv_id_links_and_schedules_the_paper(organizer_client):
    week = week_at(future(7))
    paper = CandidatePaperFactory(arxiv_id="2505.17612", title="환각 줄이기")
    response = organizer_client.post(
        reverse("schedule_add_topic", args=[week.pk]),
        {"title": "", "paper": "2505.17612v2", "slot_count": "3"},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#topic-{topic.pk}")
    assert (topic.title, topic.paper, topic.slots.count()) == ("환각 줄이기", paper, 3)
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.SCHEDULED


def test_an_unknown_arxiv_id_keeps_the_typed_title(organizer_client):
    week = week_at(future(7))
    response = organizer_client.post(
        reverse("schedule_add_topic", args=[week.pk]),
        {"title": "내가 쓴 제목", "paper": "9999.99999", "slot_count": "2"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="내가 쓴 제목"' in html
    assert "9999.99999" in html
    assert not Topic.objects.exists()


def test_a_free_title_topic_needs_no_paper(organizer_client):
    week = week_at(future(7))
    organizer_client.post(
        reverse("schedule_add_topic", args=[week.pk]), {"title": "  자유  주제 ", "slot_count": "0"}
    )
    topic = Topic.objects.get()
    assert (topic.title, topic.paper, topic.slots.count()) == ("자유 주제", None, 0)


def test_accepting_a_suggestion_assigns_records_and_mails_the_member(
    organizer_client, organizer, django_capture_on_commit_callbacks
):
    # Midday in Seoul, so the assignment email is not held for quiet hours.
    with time_machine.travel(datetime(2026, 5, 4, 12, tzinfo=SEOUL), tick=False):
        week = week_at(future(7))
        topic = TopicFactory(week=week, presenter=None)
        newcomer = UserFactory(name="새회원", email="new@example.com")
        html = organizer_client.get(reverse("schedule")).content.decode()
        assert f'data-accept-presenter="{newcomer.pk}"' in html
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(
                reverse("schedule_assign_presenter", args=[topic.pk]), {"member": newcomer.pk}
            )
        assert response.status_code == 302
        topic.refresh_from_db()
        assert topic.presenter == newcomer
        change = AssignmentChange.objects.get()
        assert (change.member, change.role, change.assigned, change.actor) == (
            newcomer,
            "presenter",
            True,
            organizer,
        )
        assert [m.to for m in mail.outbox] == [["new@example.com"]]
        board = organizer_client.get(reverse("schedule")).content.decode()
        assert f'data-change="{change.pk}"' in board


def test_assigning_a_reviewer_and_opening_the_slot_again(organizer_client, topic, member):
    slot = topic.slots.get()
    url = reverse("schedule_assign_reviewer", args=[slot.pk])
    organizer_client.post(url, {"member": member.pk})
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == member
    organizer_client.post(url, {"member": ""})
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer is None
    assert list(AssignmentChange.objects.order_by("pk").values_list("assigned", flat=True)) == [
        True,
        False,
    ]


def test_a_refused_change_is_reported_and_changes_nothing(organizer_client, member, other_member):
    slot = ReviewerSlotFactory(topic__week=week_at(future(7)), reviewer=member)
    ReviewFactory(slot=slot, author=member, status="submitted", submitted_at=timezone.now())
    response = organizer_client.post(
        reverse("schedule_assign_reviewer", args=[slot.pk]),
        {"member": other_member.pk},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == member


def test_moving_setting_slots_unlinking_and_removing_through_the_board(organizer_client, topic):
    target = week_at(future(14))
    organizer_client.post(reverse("schedule_move_topic", args=[topic.pk]), {"week": target.pk})
    organizer_client.post(reverse("schedule_set_slot_count", args=[topic.pk]), {"count": "3"})
    topic.refresh_from_db()
    assert (topic.week, topic.slots.count()) == (target, 3)
    paper = topic.paper
    organizer_client.post(reverse("schedule_unlink_paper", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.paper is None
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.CANDIDATE
    response = organizer_client.post(reverse("schedule_remove_topic", args=[topic.pk]))
    assert response["Location"].endswith(f"#week-{target.pk}")
    assert not Topic.objects.exists()


# --- a member's own settings ------------------------------------------------------------------


def test_members_keep_their_own_unavailable_dates(member_client, member, other_member):
    day = timezone.localdate() + timedelta(days=10)
    response = member_client.post(
        reverse("unavailable_dates"), {"date": day.isoformat(), "note": "학회"}
    )
    assert response.status_code == 302
    entry = Unavailability.objects.get()
    assert (entry.member, entry.date, entry.note) == (member, day, "학회")
    html = member_client.get(reverse("unavailable_dates")).content.decode()
    assert f'data-unavailable="{day.isoformat()}"' in html
    theirs = Unavailability.objects.create(member=other_member, date=day)
    assert (
        member_client.post(reverse("unavailable_date_delete", args=[theirs.pk])).status_code == 404
    )
    member_client.post(reverse("unavailable_date_delete", args=[entry.pk]))
    assert list(Unavailability.objects.all()) == [theirs]


def test_a_past_date_cannot_be_marked(member_client):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = member_client.post(reverse("unavailable_dates"), {"date": yesterday.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not Unavailability.objects.exists()


def test_calendar_links_are_made_regenerated_and_turned_off(member_client, member):
    member_client.post(reverse("calendar_settings"), {"action": "regenerate"})
    member.refresh_from_db()
    first = member.calendar_token
    assert first
    html = member_client.get(reverse("calendar_settings")).content.decode()
    assert reverse("member_calendar", args=[first]) in html
    assert reverse("group_calendar", args=[first]) in html
    member_client.post(reverse("calendar_settings"), {"action": "regenerate"})
    member.refresh_from_db()
    assert member.calendar_token not in (None, first)
    member_client.post(reverse("calendar_settings"), {"action": "revoke"})
    member.refresh_from_db()
    assert member.calendar_token is None


def test_settings_page_links_to_calendar_and_unavailable_dates(member_client):
    html = member_client.get(reverse("profile")).content.decode()
    assert reverse("calendar_settings") in html
    assert reverse("unavailable_dates") in html


def test_accepting_a_suggestion_never_replaces_someone_who_took_the_slot_meanwhile(
    organizer_client, topic, member, other_member
):
    slot = topic.slots.get()
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert f'data-accept-reviewer="{other_member.pk}"' in html
    ReviewerSlot.objects.filter(pk=slot.pk).update(reviewer=member)  # claimed meanwhile
    response = organizer_client.post(
        reverse("schedule_assign_reviewer", args=[slot.pk]),
        {"member": other_member.pk, "current": ""},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == member
