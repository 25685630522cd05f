"""Comments, questions, reactions, and who is told what (once)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from reviews import services as review_services
from reviews.weekpage import ReviewSection
from seminar.discussion import services
from seminar.models import Comment, Notification, Reaction

pytestmark = pytest.mark.django_db


def _told(member) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", "key"))


def test_a_comment_on_a_review_tells_its_author_and_the_members_it_mentions(scene):
    comment = services.post_comment(
        author=scene.reader, review=scene.review, body="좋은 지적이에요, @[조재현] 님도 보세요"
    )
    assert _told(scene.first) == [("reply", f"comment:{comment.pk}")]
    assert _told(scene.third) == [("mention", f"comment:{comment.pk}")]
    assert _told(scene.reader) == []  # never about one's own writing
    assert list(comment.mentions.all()) == [scene.third]
    assert 'class="mention"' in comment.body_html


def test_a_reply_tells_the_author_of_the_comment_replied_to(scene):
    top = services.post_comment(author=scene.reader, topic=scene.topic, body="질문 있어요")
    reply = services.post_comment(author=scene.third, parent=top, body="저도요")
    nested = services.post_comment(author=scene.first, parent=reply, body="답")
    assert nested.parent == top  # one level deep
    assert (reply.topic, nested.topic) == (scene.topic, scene.topic)
    assert _told(scene.reader) == sorted(
        [("reply", f"comment:{nested.pk}"), ("reply", f"comment:{reply.pk}")]
    )


def test_a_question_tells_the_presenter_and_only_before_the_meeting(scene, settings):
    question = services.post_comment(
        author=scene.reader, topic=scene.topic, body="왜 무작위 보상이죠?", kind="question"
    )
    assert ("question", f"comment:{question.pk}") in _told(scene.presenter)
    with pytest.raises(ValidationError) as refused:
        services.post_comment(
            author=scene.presenter, topic=scene.topic, body="스스로에게", kind="question"
        )
    assert refused.value.code == "question_closed"
    later = scene.week.starts_at
    with pytest.raises(ValidationError):
        services.post_comment(
            author=scene.reader, topic=scene.topic, body="늦은 질문", kind="question", now=later
        )


def test_the_presenter_marks_a_question_answered_and_nobody_else_may(scene, organizer):
    question = services.post_comment(
        author=scene.reader, topic=scene.topic, body="질문", kind="question"
    )
    with pytest.raises(ValidationError):
        services.set_answered(comment=question, actor=scene.reader)
    services.set_answered(comment=question, actor=scene.presenter)
    question.refresh_from_db()
    assert question.answered_by == scene.presenter
    services.set_answered(comment=question, actor=organizer, answered=False)
    question.refresh_from_db()
    assert question.answered_at is None


def test_a_thread_on_a_hidden_review_is_closed_to_a_reviewer_who_has_not_submitted(scene):
    with pytest.raises(ValidationError) as refused:
        services.post_comment(author=scene.second, review=scene.review, body="미리 보기")
    assert refused.value.code == "forbidden"
    # ...and mentioning them there tells them nothing (they may not read it yet).
    services.post_comment(author=scene.reader, review=scene.review, body="@이서연 보세요")
    assert _told(scene.second) == []


def test_editing_tells_newly_mentioned_members_once(scene):
    comment = services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현")
    services.edit_comment(comment=comment, actor=scene.reader, body="@조재현 @김민수 추가")
    services.edit_comment(comment=comment, actor=scene.reader, body="@조재현 @김민수 다시")
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert _told(scene.third) == [("mention", f"comment:{comment.pk}")]
    assert _told(scene.first) == [("mention", f"comment:{comment.pk}")]
    with pytest.raises(ValidationError):
        services.edit_comment(comment=comment, actor=scene.third, body="남의 글")


def test_deleting_leaves_a_placeholder_only_while_replies_hang_from_it(scene):
    top = services.post_comment(author=scene.reader, topic=scene.topic, body="원글")
    reply = services.post_comment(author=scene.third, parent=top, body="답글")
    assert services.delete_comment(comment=top, actor=scene.reader) is False
    top.refresh_from_db()
    assert (top.is_deleted, top.body, top.body_html) == (True, "", "")
    with pytest.raises(ValidationError):
        services.delete_comment(comment=reply, actor=scene.reader)
    assert services.delete_comment(comment=reply, actor=scene.third) is True
    assert not Comment.objects.filter(pk__in=[top.pk, reply.pk]).exists()


def test_organizers_hide_a_comment_with_a_reason_and_show_it_again(scene, organizer):
    comment = services.post_comment(author=scene.reader, topic=scene.topic, body="광고")
    with pytest.raises(ValidationError):
        services.hide_comment(comment=comment, actor=scene.reader, reason="x")
    with pytest.raises(ValidationError) as no_reason:
        services.hide_comment(comment=comment, actor=organizer, reason="  ")
    assert no_reason.value.code == "reason"
    services.hide_comment(comment=comment, actor=organizer, reason="주제와 무관")
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (True, "주제와 무관")
    with pytest.raises(ValidationError):
        services.post_comment(author=scene.third, parent=comment, body="답")
    services.hide_comment(comment=comment, actor=organizer, reason="", hide=False)
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_reactions_toggle_once_per_member_and_kind(scene):
    assert services.toggle_reaction(member=scene.reader, kind="helpful", review=scene.review)
    assert services.toggle_reaction(member=scene.third, kind="helpful", review=scene.review)
    assert services.toggle_reaction(member=scene.reader, kind="agree", review=scene.review)
    assert Reaction.objects.filter(review=scene.review).count() == 3
    assert not services.toggle_reaction(member=scene.reader, kind="helpful", review=scene.review)
    assert Reaction.objects.filter(review=scene.review, kind="helpful").count() == 1
    with pytest.raises(ValidationError):
        services.toggle_reaction(member=scene.reader, kind="love", review=scene.review)
    with pytest.raises(ValidationError):  # hidden from the second reviewer for now
        services.toggle_reaction(member=scene.second, kind="helpful", review=scene.review)


def test_the_database_refuses_a_second_reaction_of_a_kind(scene):
    Reaction.objects.create(member=scene.reader, kind="agree", review=scene.review)
    with pytest.raises(IntegrityError):
        Reaction.objects.create(member=scene.reader, kind="agree", review=scene.review)


def test_a_submitted_review_tells_the_presenter_once(scene, django_capture_on_commit_callbacks):
    # The fixture's first review was submitted through the service (tasks run eagerly).
    assert _told(scene.presenter) == [("new_review", f"review:{scene.review.pk}")]
    with django_capture_on_commit_callbacks(execute=True):
        review_services.submit_review(
            slot=scene.first_slot, sections=[ReviewSection("리뷰", "고친 글")], actor=scene.first
        )
    assert _told(scene.presenter) == [("new_review", f"review:{scene.review.pk}")]


def test_empty_and_overlong_comments_are_refused(scene):
    for body, code in (("  \x00 ", "empty"), ("가" * 10_001, "too_long")):
        with pytest.raises(ValidationError) as refused:
            services.post_comment(author=scene.reader, topic=scene.topic, body=body)
        assert refused.value.code == code


def test_mark_read_counts_and_is_per_member(scene):
    services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현 @김민수")
    assert services.mark_read(member=scene.third) == 1
    assert services.mark_read(member=scene.third) == 0
    assert Notification.objects.filter(recipient=scene.first, read_at__isnull=True).count() == 1
