"""Who may do what: every role against every review URL and method.

Roles: a signed-out visitor; a member with no part in the topic; the slot's reviewer; another
member who reviews a different slot of the same topic; an organizer.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from reviews import permissions, services
from reviews.models import Review
from reviews.weekpage import ReviewSection
from seminar.models import ReviewerSlot
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "reviewer", "other_reviewer", "organizer")
DRAFT_TEXT = "아직 아무도 보면 안 되는 초안"
SUBMITTED_TEXT = "모두가 읽는 리뷰"


@pytest.fixture
def world(member, organizer):
    topic = TopicFactory(order=1)
    reviewer = UserFactory(name="리뷰어")
    other_reviewer = UserFactory(name="다른리뷰어")
    mine = ReviewerSlotFactory(topic=topic, number=1, reviewer=reviewer)
    theirs = ReviewerSlotFactory(topic=topic, number=2, reviewer=other_reviewer)
    open_slot = ReviewerSlotFactory(topic=topic, number=3)
    services.save_draft(slot=mine, sections=[ReviewSection("초안", DRAFT_TEXT)], actor=reviewer)
    services.submit_review(
        slot=theirs, sections=[ReviewSection("리뷰", SUBMITTED_TEXT)], actor=other_reviewer
    )
    return {
        "users": {
            "anonymous": None,
            "member": member,
            "reviewer": reviewer,
            "other_reviewer": other_reviewer,
            "organizer": organizer,
        },
        "week": topic.week,
        "mine": mine,
        "open": open_slot,
    }


def _url(world, name: str) -> str:
    week, mine, open_slot = world["week"], world["mine"], world["open"]
    return {
        "home": reverse("home"),
        "week_list": reverse("week_list"),
        "week_detail": reverse("week_detail", args=[week.pk]),
        "week_export": reverse("week_export", args=[week.pk]),
        "review_edit": reverse("review_edit", args=[mine.pk]),
        "review_autosave": reverse("review_autosave", args=[mine.pk]),
        "claim_open": reverse("slot_claim", args=[open_slot.pk]),
        "release_mine": reverse("slot_release", args=[mine.pk]),
        "markdownify": reverse("markdownx_markdownify"),
    }[name]


_SAVE = {
    "sections-TOTAL_FORMS": "1",
    "sections-INITIAL_FORMS": "1",
    "sections-0-heading": "바뀐 제목",
    "sections-0-body": "바뀐 본문",
    "action": "save",
}

#            anonymous member reviewer other organizer
MATRIX = {
    ("GET", "home"): (302, 200, 200, 200, 200),
    ("GET", "week_list"): (302, 200, 200, 200, 200),
    ("GET", "week_detail"): (302, 200, 200, 200, 200),
    ("GET", "week_export"): (302, 200, 200, 200, 200),
    ("GET", "review_edit"): (302, 403, 200, 403, 200),
    ("POST", "review_edit"): (302, 403, 302, 403, 302),
    ("GET", "review_autosave"): (405, 405, 405, 405, 405),
    ("POST", "review_autosave"): (401, 403, 200, 403, 200),
    ("GET", "claim_open"): (302, 405, 405, 405, 405),
    ("POST", "claim_open"): (302, 302, 302, 302, 302),
    ("GET", "release_mine"): (302, 405, 405, 405, 405),
    ("POST", "release_mine"): (302, 403, 302, 403, 403),
    ("POST", "markdownify"): (401, 200, 200, 200, 200),
}
CASES = [
    pytest.param(method, name, role, status, id=f"{method}-{name}-{role}")
    for (method, name), statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "name", "role", "status"), CASES)
def test_access_matrix(client, world, method, name, role, status):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = _url(world, name)
    data = {"content": "**x**"} if name == "markdownify" else dict(_SAVE)
    if name in ("review_edit", "review_autosave"):
        data["version"] = services.version_of(world["mine"].review)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == status
    if role == "anonymous" and status == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["anonymous", "member", "other_reviewer"])
def test_refused_writes_change_nothing(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    mine = world["mine"]
    client.post(_url(world, "review_edit"), _SAVE)
    client.post(_url(world, "review_autosave"), _SAVE)
    client.post(_url(world, "release_mine"))
    mine.refresh_from_db()
    assert mine.reviewer == world["users"]["reviewer"]
    assert [s.body for s in Review.objects.get(slot=mine).sections.all()] == [DRAFT_TEXT]


def test_claims_by_members_take_the_slot_but_anonymous_ones_do_not(client, world):
    open_slot = world["open"]
    client.post(_url(world, "claim_open"))
    open_slot.refresh_from_db()
    assert open_slot.reviewer is None
    client.force_login(world["users"]["member"])
    response = client.post(_url(world, "claim_open"))
    assert response["Location"] == reverse("review_edit", args=[open_slot.pk])
    open_slot.refresh_from_db()
    assert open_slot.reviewer == world["users"]["member"]


def test_a_reviewer_of_the_topic_cannot_take_a_second_slot(client, world):
    client.force_login(world["users"]["reviewer"])
    response = client.post(_url(world, "claim_open"), follow=True)
    assert "You already review this topic in another slot." in response.content.decode()
    assert ReviewerSlot.objects.get(pk=world["open"].pk).reviewer is None


@pytest.mark.parametrize("name", ["week_detail", "week_export", "home"])
@pytest.mark.parametrize("role", ROLES[1:])
def test_drafts_are_private_to_their_author_on_every_page(client, world, name, role):
    client.force_login(world["users"][role])
    content = client.get(_url(world, name)).content.decode()
    expect_draft = role == "reviewer" and name == "week_detail"
    assert (DRAFT_TEXT in content) == expect_draft
    if name != "home":
        # The reviewer has only a draft: the week's visibility rule (#15) keeps the other
        # reviewer's submitted review from them until they submit theirs.
        assert (SUBMITTED_TEXT in content) == (role != "reviewer")


def test_organizers_open_the_editor_with_the_draft_and_save_as_the_reviewer(client, world):
    client.force_login(world["users"]["organizer"])
    assert DRAFT_TEXT in client.get(_url(world, "review_edit")).content.decode()
    version = services.version_of(world["mine"].review)
    client.post(_url(world, "review_edit"), {**_SAVE, "version": version})
    review = Review.objects.get(slot=world["mine"])
    assert review.author == world["users"]["reviewer"]
    assert [s.body for s in review.sections.all()] == ["바뀐 본문"]


def test_predicates_refuse_inactive_and_anonymous_users(world):
    mine = world["mine"]
    review = Review.objects.get(slot=mine)
    inactive = world["users"]["reviewer"]
    inactive.is_active = False
    for user in (inactive, AnonymousUser()):
        assert not permissions.can_edit_review(user, review)
        assert not permissions.can_read_review(user, review)
        assert not permissions.can_claim_slot(user, world["open"])
        assert not permissions.can_release_slot(user, mine)
        assert not permissions.can_export_week(user, world["week"])
