"""Writes of the discussion: comments and questions, reactions, notifications and their
settings. Each is one transaction and raises `ValidationError(message, code=...)`.

Who is told what (`_notify_about_comment`, `notify_new_review`), once per event and member
(the unique (recipient, key) of `Notification`):

- a reply: the author of the comment replied to (`reply`);
- a comment on a review: the review's author (`reply`);
- a mention: the member mentioned (`mention`; it wins over `reply`);
- a question: the topic's presenter (`question`; it wins over both);
- a review submitted: the topic's presenter (`new_review`).

Nobody is told about their own writing, and nobody about a thread they may not read (a review
the visibility rule hides from them). Each notification then goes out as the member chose
(`seminar.discussion.delivery`): an email right away, the daily digest, or the app only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.models import Review
from reviews.permissions import can_read_review
from seminar.discussion import permissions
from seminar.discussion.mentions import Directory, render_comment
from seminar.discussion.tasks import deliver_notification_email
from seminar.lib.queue import enqueue_on_commit
from seminar.models import (
    Channel,
    Comment,
    Notification,
    NotificationEmail,
    NotificationSettings,
    Reaction,
    ReminderPolicy,
    User,
)
from seminar.models.discussion import MAX_COMMENT_CHARS
from seminar.reminders.timing import release_time, zone_of

Kind = Notification.Kind

# A review submitted this long after its meeting (an imported archive page) tells nobody.
NEW_REVIEW_NEWS_FOR = timedelta(days=7)
MAX_HIDE_REASON_CHARS = 200


# --- the member directory (mentions) --------------------------------------------------------


def member_directory() -> Directory:
    """Every active member by display name: one query (a reading group is tens of people)."""
    return Directory.of(
        User.objects.filter(is_active=True).exclude(name="").values_list("pk", "name")
    )


# --- comments ---------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationError(
            _("A comment can be at most %(max)d characters.") % {"max": MAX_COMMENT_CHARS},
            code="too_long",
        )
    return body


@transaction.atomic
def post_comment(
    *,
    author: User,
    body: str,
    topic=None,
    review: Review | None = None,
    paper=None,
    parent: Comment | None = None,
    kind: str = Comment.Kind.COMMENT,
    now: datetime | None = None,
) -> Comment:
    """A comment on one target, a reply (one level deep: a reply to a reply joins its
    parent's thread), or a question for the presenter of a topic."""
    now = now or timezone.now()
    body = _clean_body(body)
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.is_deleted or parent.is_hidden:
            raise ValidationError(_("This comment takes no more replies."), code="closed")
        topic, review, paper = parent.topic, parent.review, parent.paper
        kind = Comment.Kind.COMMENT
    if [topic, review, paper].count(None) != 2:
        raise ValidationError(_("A comment is about one thing."), code="target")
    if not permissions.can_read_target(author, topic=topic, review=review, paper=paper):
        raise ValidationError(_("You cannot comment here."), code="forbidden")
    if kind == Comment.Kind.QUESTION:
        if topic is None or not permissions.can_ask_question(author, topic, now):
            raise ValidationError(
                _("Questions for the presenter are asked before the meeting."),
                code="question_closed",
            )
    elif kind != Comment.Kind.COMMENT:
        raise ValidationError(_("Unknown kind of comment."), code="kind")
    html, mentioned = render_comment(body, member_directory())
    comment = Comment.objects.create(
        topic=topic,
        review=review,
        paper=paper,
        parent=parent,
        author=author,
        kind=kind,
        body=body,
        body_html=html,
        created_at=now,
    )
    comment.mentions.set(mentioned)
    _notify_about_comment(comment, mentioned=set(mentioned), now=now)
    return comment


@transaction.atomic
def edit_comment(*, comment: Comment, actor: User, body: str, now: datetime | None = None):
    """The author rewrites their comment; it shows "edited". Members newly mentioned are
    told (those told already are not told again)."""
    now = now or timezone.now()
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not permissions.can_edit_comment(actor, comment):
        raise ValidationError(_("You cannot edit this comment."), code="forbidden")
    body = _clean_body(body)
    if body == comment.body:
        return comment
    html, mentioned = render_comment(body, member_directory())
    comment.body, comment.body_html, comment.edited_at = body, html, now
    comment.save(update_fields=["body", "body_html", "edited_at"])
    comment.mentions.set(mentioned)
    _notify_about_comment(comment, mentioned=set(mentioned), now=now, mentions_only=True)
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, actor: User, now: datetime | None = None) -> bool:
    """The author deletes their comment: gone, or a "deleted" placeholder while replies hang
    from it. Returns True if the row is gone."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not permissions.can_delete_comment(actor, comment):
        raise ValidationError(_("You cannot delete this comment."), code="forbidden")
    parent_id = comment.parent_id
    if comment.replies.exists():
        comment.deleted_at = now or timezone.now()
        comment.body = comment.body_html = ""
        comment.save(update_fields=["deleted_at", "body", "body_html"])
        comment.mentions.clear()
        return False
    comment.delete()
    # A placeholder whose last reply went has nothing left to hold.
    Comment.objects.filter(pk=parent_id, deleted_at__isnull=False, replies__isnull=True).delete()
    return True


@transaction.atomic
def hide_comment(*, comment: Comment, actor: User, reason: str, hide: bool = True) -> Comment:
    """An organizer hides a comment (members see a placeholder and the reason) or shows it
    again."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not permissions.can_hide_comment(actor, comment):
        raise ValidationError(_("Only organizers hide comments."), code="forbidden")
    if hide:
        reason = " ".join((reason or "").split())
        if not reason:
            raise ValidationError(_("Say why the comment is hidden."), code="reason")
        if len(reason) > MAX_HIDE_REASON_CHARS:
            raise ValidationError(
                _("A reason can be at most %(max)d characters.") % {"max": MAX_HIDE_REASON_CHARS},
                code="reason",
            )
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = timezone.now(), actor, reason
    else:
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return comment


@transaction.atomic
def set_answered(*, comment: Comment, actor: User, answered: bool = True) -> Comment:
    """The presenter (or an organizer) marks a question answered, or not yet."""
    comment = (
        Comment.objects.select_for_update(of=("self",)).select_related("topic").get(pk=comment.pk)
    )
    if not permissions.can_answer(actor, comment):
        raise ValidationError(_("Only the presenter marks questions answered."), code="forbidden")
    if answered and comment.answered_at is None:
        comment.answered_at, comment.answered_by = timezone.now(), actor
    elif not answered:
        comment.answered_at, comment.answered_by = None, None
    comment.save(update_fields=["answered_at", "answered_by"])
    return comment


# --- reactions --------------------------------------------------------------------------------


def toggle_reaction(
    *, member: User, kind: str, review: Review | None = None, comment: Comment | None = None
) -> bool:
    """Add the member's reaction of this kind, or take it back; True if it is now on."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."), code="kind")
    if (review is None) == (comment is None):
        raise ValidationError(_("A reaction is to one thing."), code="target")
    if comment is not None:
        readable = permissions.can_read_comment(member, comment) and not (
            comment.is_deleted or comment.is_hidden
        )
    else:
        readable = permissions.can_read_target(member, review=review)
    if not readable:
        raise ValidationError(_("You cannot react to this."), code="forbidden")
    target = {"review": review} if review is not None else {"comment": comment}
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(member=member, kind=kind, **target).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(member=member, kind=kind, **target)
        except IntegrityError:
            pass  # a double click: the other request added it
    return True


# --- notifications ----------------------------------------------------------------------------


def settings_for(member: User) -> NotificationSettings:
    """The member's settings; the defaults (not saved) if they never changed them."""
    found = NotificationSettings.objects.filter(member=member).first()
    return found or NotificationSettings(member=member)


def unread_cache_key(member_id: int) -> str:
    return f"discussion:unread:{member_id}"


def _forget_unread(member_ids) -> None:
    keys = [unread_cache_key(pk) for pk in member_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))


def _comment_place(comment: Comment) -> tuple[str, str]:
    """(subject, link) of a comment: what it is about and where it is shown."""
    anchor = f"#comment-{comment.pk}"
    if comment.paper_id is not None:
        paper = comment.paper
        link = reverse("paper_detail", args=[paper.arxiv_id])
        return (paper.title or paper.arxiv_id), link + anchor
    if comment.review_id is not None:
        slot = comment.review.slot
        subject = _("Review %(number)d of “%(title)s”") % {
            "number": slot.number,
            "title": slot.topic.title,
        }
        return subject, reverse("review_detail", args=[comment.review_id]) + anchor
    topic = comment.topic
    return topic.title, reverse("week_detail", args=[topic.week_id]) + anchor


def _notify_about_comment(
    comment: Comment, *, mentioned: set[int], now: datetime, mentions_only: bool = False
) -> list[Notification]:
    recipients: dict[int, str] = {}
    if not mentions_only:
        if comment.parent_id is not None and comment.parent.author_id:
            recipients[comment.parent.author_id] = Kind.REPLY
        elif comment.review_id is not None and comment.review.author_id:
            recipients[comment.review.author_id] = Kind.REPLY
    for pk in mentioned:
        recipients[pk] = Kind.MENTION
    if not mentions_only and comment.is_question and comment.topic.presenter_id:
        recipients[comment.topic.presenter_id] = Kind.QUESTION
    recipients.pop(comment.author_id, None)
    if not recipients:
        return []
    members = User.objects.filter(pk__in=recipients, is_active=True)
    subject, link = _comment_place(comment)
    made = []
    for member in members:
        # A thread on a review the member may not read (yet) tells them nothing.
        if comment.review_id is not None and not can_read_review(member, comment.review):
            continue
        notification = notify(
            recipient=member,
            kind=recipients[member.pk],
            key=f"comment:{comment.pk}",
            actor=comment.author,
            comment=comment,
            subject=subject,
            link=link,
            now=now,
        )
        if notification is not None:
            made.append(notification)
    return made


def notify(
    *,
    recipient: User,
    kind: str,
    key: str,
    actor: User | None,
    subject: str,
    link: str,
    now: datetime,
    comment: Comment | None = None,
    review: Review | None = None,
) -> Notification | None:
    """Record one notification (None if this member was told about this event already) and,
    if the member wants this kind by email right away, queue that email."""
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={
                "kind": kind,
                "actor": actor,
                "comment": comment,
                "review": review,
                "subject": subject[:500],
                "link": link[:300],
                "created_at": now,
            },
        )
        if not created:
            return None
        _forget_unread([recipient.pk])
        if settings_for(recipient).channel_for(kind) == Channel.EMAIL:
            send_after = release_time(now, zone_of(recipient), ReminderPolicy.current())
            email = NotificationEmail.objects.create(
                recipient=recipient,
                kind=NotificationEmail.Kind.IMMEDIATE,
                key=f"n:{notification.pk}",
                send_after=send_after,
                created_at=now,
            )
            notification.email = email
            notification.save(update_fields=["email"])
            if send_after <= now:
                enqueue_on_commit(deliver_notification_email, email.pk)
    return notification


def notify_new_review(*, review_id: int, now: datetime | None = None) -> Notification | None:
    """Tell the topic's presenter a review of it was submitted (once per review)."""
    now = now or timezone.now()
    review = (
        Review.objects.select_related("slot__topic__week", "slot__topic__presenter", "author")
        .filter(pk=review_id, status=Review.Status.SUBMITTED)
        .first()
    )
    if review is None:
        return None
    topic = review.slot.topic
    presenter = topic.presenter
    if presenter is None or not presenter.is_active or presenter.pk == review.author_id:
        return None
    if topic.week.starts_at < now - NEW_REVIEW_NEWS_FOR:
        return None
    subject = _("Review %(number)d of “%(title)s”") % {
        "number": review.slot.number,
        "title": topic.title,
    }
    return notify(
        recipient=presenter,
        kind=Kind.NEW_REVIEW,
        key=f"review:{review.pk}",
        actor=review.author,
        review=review,
        subject=subject,
        link=reverse("review_detail", args=[review.pk]),
        now=now,
    )


def mark_read(*, member: User, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark the member's notifications read (these, or all); how many changed."""
    rows = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        changed = rows.update(read_at=now or timezone.now())
        _forget_unread([member.pk])
    return changed


@transaction.atomic
def save_settings(*, member: User, values: dict[str, Any]) -> NotificationSettings:
    found, _created = NotificationSettings.objects.get_or_create(member=member)
    for field in ("reply", "mention", "question", "new_review", "digest_hour"):
        if field in values:
            setattr(found, field, values[field])
    found.full_clean()
    found.save()
    return found
