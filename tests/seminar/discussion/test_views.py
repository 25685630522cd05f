"""The pages: threads on the week page and the review page (queries do not grow with them),
the visibility rule wherever a review's text is shown, the export option, notifications."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import pages
from seminar.discussion import services
from seminar.models import Comment, Notification, NotificationSettings
from tests.factories import CandidatePaperFactory

pytestmark = pytest.mark.django_db

FIRST_TEXT = "첫 리뷰어의 글"


def _fill(scene, count: int) -> None:
    """`count` comments across the topic, the review (with replies) and reactions."""
    for n in range(count):
        top = services.post_comment(
            author=scene.reader, topic=scene.topic, body=f"토픽 {n} @김민수"
        )
        services.post_comment(author=scene.third, parent=top, body=f"답 {n}")
        on_review = services.post_comment(author=scene.third, review=scene.review, body=f"리뷰 {n}")
        services.toggle_reaction(member=scene.reader, kind="agree", comment=on_review)
        services.post_comment(
            author=scene.reader, topic=scene.topic, body=f"질문 {n}", kind="question"
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("page", ["week", "review"])
def test_page_queries_do_not_grow_with_threads(client, scene, page):
    client.force_login(scene.reader)
    url = (
        scene.week.get_absolute_url()
        if page == "week"
        else reverse("review_detail", args=[scene.review.pk])
    )
    _fill(scene, 2)
    few = _count(client, url)
    _fill(scene, 18)
    assert Comment.objects.count() == 80
    cache.clear()
    assert _count(client, url) == few


def test_the_week_page_shows_threads_questions_and_mentions(client, scene):
    services.post_comment(author=scene.reader, topic=scene.topic, body="좋은 주제 @김민수")
    services.post_comment(author=scene.reader, topic=scene.topic, body="왜요?", kind="question")
    services.post_comment(author=scene.third, review=scene.review, body="동의합니다")
    client.force_login(scene.presenter)
    html = client.get(scene.week.get_absolute_url()).content.decode()
    assert '<span class="mention" data-member="' in html
    assert "왜요?" in html and "동의합니다" in html
    assert html.count("data-answer=") == 1  # the presenter marks the question answered
    assert 'data-reaction="helpful"' in html


def test_a_reviewer_who_has_not_submitted_sees_neither_review_nor_thread(client, scene):
    services.post_comment(author=scene.third, review=scene.review, body="스레드 비밀")
    client.force_login(scene.second)
    week_html = client.get(scene.week.get_absolute_url()).content.decode()
    assert FIRST_TEXT not in week_html and "스레드 비밀" not in week_html
    assert f'data-review-hidden="{scene.first_slot.pk}"' in week_html
    review_page = client.get(reverse("review_detail", args=[scene.review.pk]))
    assert review_page.status_code == 403
    assert FIRST_TEXT not in review_page.content.decode()
    export = client.get(reverse("week_export", args=[scene.week.pk])).content.decode()
    assert FIRST_TEXT not in export
    refused = client.post(reverse("review_comment", args=[scene.review.pk]), {"body": "미리"})
    assert refused.status_code == 404


@pytest.mark.parametrize("who", ["reader", "presenter", "organizer"])
def test_members_who_do_not_review_the_topic_and_organizers_read_it(client, scene, who, organizer):
    user = organizer if who == "organizer" else getattr(scene, who)
    client.force_login(user)
    assert FIRST_TEXT in client.get(scene.week.get_absolute_url()).content.decode()
    assert (
        FIRST_TEXT in client.get(reverse("review_detail", args=[scene.review.pk])).content.decode()
    )


def test_the_second_reviewer_reads_it_once_they_submitted(client, scene):
    from reviews import services as review_services
    from reviews.weekpage import ReviewSection

    review_services.submit_review(
        slot=scene.second_slot, sections=[ReviewSection("리뷰", "두 번째 글")], actor=scene.second
    )
    client.force_login(scene.second)
    assert FIRST_TEXT in client.get(scene.week.get_absolute_url()).content.decode()


def test_a_week_without_the_rule_shows_reviews_to_every_member(client, scene):
    scene.week.hide_reviews_until_submitted = False
    scene.week.save()
    client.force_login(scene.second)
    assert FIRST_TEXT in client.get(scene.week.get_absolute_url()).content.decode()


def test_the_export_stays_the_groups_format_and_questions_are_an_option(client, scene):
    from reviews.selectors import weeks_with_content

    week = weeks_with_content().get(pk=scene.week.pk)
    before = pages.export_week(week)
    services.post_comment(
        author=scene.reader, topic=scene.topic, body="왜요?\n둘째 줄", kind="question"
    )
    services.post_comment(author=scene.reader, topic=scene.topic, body="그냥 댓글")
    week = weeks_with_content().get(pk=scene.week.pk)
    assert pages.export_week(week) == before
    client.force_login(scene.reader)
    plain = client.get(reverse("week_export", args=[scene.week.pk])).content.decode()
    assert plain == before
    with_questions = client.get(
        reverse("week_export_questions", args=[scene.week.pk])
    ).content.decode()
    assert with_questions.startswith(before)
    assert "## ❓ 발표자에게 질문" in with_questions
    assert "- **박민경**: 왜요?\n  둘째 줄" in with_questions
    assert "그냥 댓글" not in with_questions


def test_a_rejected_comment_comes_back_with_its_text(client, scene):
    client.force_login(scene.presenter)
    response = client.post(
        reverse("topic_comment", args=[scene.topic.pk]),
        {"body": "스스로에게 질문", "kind": "question", "next": "/"},
    )
    assert response.status_code == 400
    assert "스스로에게 질문" in response.content.decode()
    assert not Comment.objects.exists()


def test_posting_redirects_to_the_comment_and_next_stays_on_the_site(client, scene):
    client.force_login(scene.reader)
    response = client.post(
        reverse("topic_comment", args=[scene.topic.pk]),
        {"body": "좋아요", "next": "https://evil.example/"},
    )
    comment = Comment.objects.get()
    assert response["Location"] == f"{scene.week.get_absolute_url()}#comment-{comment.pk}"


def test_paper_pages_have_a_thread(client, scene):
    paper = CandidatePaperFactory(arxiv_id="2507.00001", title="Pool paper")
    client.force_login(scene.reader)
    client.post(reverse("paper_comment", args=[paper.pk]), {"body": "읽어 봐요 @조재현"})
    html = client.get(reverse("paper_detail", args=[paper.arxiv_id])).content.decode()
    assert "읽어 봐요" in html
    assert Notification.objects.get(recipient=scene.third).link.startswith(
        reverse("paper_detail", args=[paper.arxiv_id])
    )


def test_hidden_comments_show_a_placeholder_to_members_and_the_text_to_organizers(
    client, scene, organizer
):
    comment = services.post_comment(author=scene.reader, topic=scene.topic, body="광고 글")
    services.hide_comment(comment=comment, actor=organizer, reason="광고")
    client.force_login(scene.third)
    html = client.get(scene.week.get_absolute_url()).content.decode()
    assert "광고 글" not in html and "Hidden by an organizer: 광고" in html
    client.force_login(organizer)
    assert "광고 글" in client.get(scene.week.get_absolute_url()).content.decode()


def test_reactions_answer_json_to_the_script_and_redirect_without_it(client, scene):
    client.force_login(scene.reader)
    url = reverse("review_react", args=[scene.review.pk])
    answer = client.post(url, {"kind": "helpful"}, headers={"Accept": "application/json"})
    assert answer.json()["reactions"][0] == {"kind": "helpful", "count": 1, "mine": True}
    plain = client.post(url, {"kind": "helpful"})
    assert plain.status_code == 302
    assert not scene.review.reactions.exists()


def test_the_bell_counts_unread_and_the_pages_mark_them_read(client, scene):
    services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현 하나")
    services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현 둘")
    client.force_login(scene.third)
    assert client.get(reverse("notifications_unread")).json() == {"unread": 2}
    home = client.get("/").content.decode()  # the count is cached now: no query for it
    assert "<span data-count-value>2</span>" in home
    listing = client.get(reverse("notifications")).content.decode()
    assert "박민경 mentioned you" in listing
    first = Notification.objects.filter(recipient=scene.third).last()
    opened = client.get(reverse("notification_open", args=[first.pk]))
    assert opened["Location"] == first.link
    assert client.get(reverse("notifications_unread")).json() == {"unread": 1}
    client.post(reverse("notifications_read"))
    assert client.get(reverse("notifications_unread")).json() == {"unread": 0}


def test_the_mention_autocomplete_gives_names_only_to_members(client, scene):
    assert client.get(reverse("discussion_members"), {"q": "민"}).status_code == 302
    client.force_login(scene.reader)
    found = client.get(reverse("discussion_members"), {"q": "민"}).json()["members"]
    assert sorted(m["name"] for m in found) == ["김민수", "박민경"]
    assert all(set(m) == {"id", "name"} for m in found)


def test_the_settings_page_saves_each_kind_and_the_hour(client, scene):
    client.force_login(scene.reader)
    assert "Email right away" in client.get(reverse("notification_settings")).content.decode()
    client.post(
        reverse("notification_settings"),
        {
            "mention": "digest",
            "question": "app",
            "reply": "email",
            "new_review": "app",
            "digest_hour": "7",
        },
    )
    saved = NotificationSettings.objects.get(member=scene.reader)
    assert (saved.mention, saved.question, saved.reply, saved.digest_hour) == (
        "digest",
        "app",
        "email",
        7,
    )


def test_the_presenter_sees_questions_on_the_dashboard_and_marks_them_answered(client, scene):
    question = services.post_comment(
        author=scene.reader, topic=scene.topic, body="데이터는요?", kind="question"
    )
    client.force_login(scene.presenter)
    assert "데이터는요?" in client.get("/").content.decode()
    answer = client.post(
        reverse("comment_answer", args=[question.pk]),
        {"answered": "1"},
        headers={"Accept": "application/json"},
    )
    assert answer.json() == {"answered": True}
    question.refresh_from_db()
    assert question.answered_by == scene.presenter
