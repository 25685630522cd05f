"""What each reminder says: the emails in the recipient's language and zone, with their
unsubscribe links.
"""

from __future__ import annotations

from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from reviews.selectors import weeks_with_content
from seminar.lib.emails import render_email as lib_render_email
from seminar.lib.urls import absolute_url
from seminar.models import (
    AssignmentChange,
    ReviewerSlot,
    SentReminder,
    Topic,
    User,
    Week,
)
from seminar.reminders.planning import (
    PREFERENCE_OF_KIND,
    PRESENTER_KINDS,
    REVIEWER_KINDS,
    Kind,
    coming_weeks,
    organizers,
    past_weeks,
    pending_slots,
    wants,
)
from seminar.reminders.timing import language_of, zone_of
from seminar.reminders.unsubscribe import unsubscribe_url
from seminar.scheduling.brief import brief_for, brief_text


def review_editor_url(slot: ReviewerSlot) -> str:
    """The reviewer's editor for this slot; the week page until the editor exists."""
    try:
        path = reverse("review_edit", args=[slot.pk])
    except NoReverseMatch:
        path = reverse("week_detail", args=[slot.topic.week_id])
    return absolute_url(path)


def build_message(
    reminder: SentReminder, now: datetime, *, connection=None
) -> EmailMultiAlternatives | None:
    """The email for a logged reminder, from the data as it is now; None if it is no longer
    wanted (opted out, submitted, unassigned, the week has begun ...)."""
    user = reminder.recipient
    if not wants(user, reminder.kind) or not user.email:
        return None
    link = unsubscribe_url(user, PREFERENCE_OF_KIND[reminder.kind])
    rendered = render_reminder(reminder, now, unsubscribe_link=link)
    if rendered is None:
        return None
    subject, text, html = rendered
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Seminar-Reminder": f"{reminder.kind} {reminder.key}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def render_reminder(
    reminder: SentReminder, now: datetime, *, unsubscribe_link: str
) -> tuple[str, str, str] | None:
    """Subject, text and HTML of a reminder (logged or not) as it would be sent at `now`, in
    the recipient's language and zone; None if there is nothing to say any more. The
    organizers' preview passes a dummy `unsubscribe_link` (the real one is the member's)."""
    user = reminder.recipient
    if reminder.kind in REVIEWER_KINDS:
        template, context = _reviewer_email(reminder, now)
    elif reminder.kind in PRESENTER_KINDS:
        template, context = _presenter_email(reminder, now)
    elif reminder.kind == Kind.WEEKLY_SUMMARY:
        template, context = _summary_email(reminder, now)
    else:
        template, context = _assignment_email(reminder)
    if template is None:
        return None
    context |= {
        "recipient": user,
        "kind": reminder.kind,
        "preference": PREFERENCE_OF_KIND[reminder.kind],
        "unsubscribe_url": unsubscribe_link,
        "settings_url": absolute_url(reverse("profile")),
        "site_url": absolute_url("/"),
    }
    return render_email(template, context, user)


def render_email(template: str, context: dict, user: User) -> tuple[str, str, str]:
    """Subject, text and HTML in the recipient's language and time zone."""
    return lib_render_email(template, context, language=language_of(user), zone=zone_of(user).key)


def _reviewer_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    week = reminder.week
    if week is None:
        return None, {}
    if reminder.kind == Kind.WEEKLY_REVIEWER and week.starts_at <= now:
        return None, {}
    if reminder.kind == Kind.REVIEWER_DEADLINE and week.review_deadline <= now:
        return None, {}  # the after-deadline reminder takes over
    if reminder.kind == Kind.REVIEWER_OVERDUE and week.late_policy == Week.LatePolicy.REFUSE:
        return None, {}  # nothing can be submitted any more
    slots = list(
        pending_slots()
        .filter(reviewer=reminder.recipient, topic__week=week)
        .select_related("topic__presenter", "topic__week")
        .order_by("topic__order")
    )
    if not slots:
        return None, {}
    stage = {
        Kind.WEEKLY_REVIEWER: "weekly",
        Kind.REVIEWER_DEADLINE: "before",
        Kind.REVIEWER_OVERDUE: "overdue",
    }[reminder.kind]
    items = [{"slot": s, "topic": s.topic, "editor_url": review_editor_url(s)} for s in slots]
    return "reminder_review", {
        "stage": stage,
        "week": week,
        "items": items,
        "deadline": week.review_deadline,
        "deadline_passed": week.review_deadline <= now,
        "week_url": absolute_url(week.get_absolute_url()),
    }


def _presenter_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    week = reminder.week
    if week is None or week.starts_at <= now:
        return None, {}
    topics = list(
        Topic.objects.filter(week=week, presenter=reminder.recipient)
        .prefetch_related(
            Prefetch("slots", queryset=ReviewerSlot.objects.select_related("reviewer"))
        )
        .order_by("order")
    )
    if not topics:
        return None, {}
    return "reminder_presenter", {
        "stage": "weekly" if reminder.kind == Kind.WEEKLY_PRESENTER else "before",
        "week": week,
        "topics": topics,
        "week_url": absolute_url(week.get_absolute_url()),
    }


def weekly_summary(now: datetime) -> dict:
    """What organizers need to act on: gaps in the coming weeks, late reviews of the past one."""
    topics = Topic.objects.select_related("presenter").prefetch_related(
        Prefetch("slots", queryset=ReviewerSlot.objects.select_related("reviewer", "review"))
    )
    coming = []
    for week in coming_weeks(now).prefetch_related(Prefetch("topics", queryset=topics)):
        rows = [
            {
                "topic": t,
                "open_slots": sum(1 for s in t.slots.all() if s.reviewer_id is None),
                "no_presenter": t.presenter_id is None,
            }
            for t in week.topics.all()
        ]
        coming.append(
            {
                "week": week,
                "url": absolute_url(week.get_absolute_url()),
                "gaps": [r for r in rows if r["open_slots"] or r["no_presenter"]],
            }
        )
    late = []
    for slot in (
        ReviewerSlot.objects.filter(topic__week__in=past_weeks(now), reviewer__isnull=False)
        .select_related("reviewer", "review", "topic__week")
        .order_by("topic__week__starts_at", "topic__order", "number")
    ):
        review = slot.current_review
        if review is None or not review.is_submitted:
            late.append({"slot": slot, "topic": slot.topic, "missing": True})
        elif review.is_late:
            late.append({"slot": slot, "topic": slot.topic, "missing": False})
    return {"coming": coming, "late": late}


def _summary_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    if not organizers().filter(pk=reminder.recipient.pk).exists():
        return None, {}
    # As of the weekly run, not of a delivery held for the night.
    summary = weekly_summary(reminder.created_at)
    return "reminder_summary", summary | {
        "status_url": absolute_url(reverse("reminder_status")),
        "brief": _coming_brief(summary, reminder.recipient),
    }


def _coming_brief(summary: dict, user: User) -> str:
    """The coming week's brief as plain text, the one chat channels and the week page's "copy
    for KakaoTalk" box carry (`seminar.scheduling.brief`), in the recipient's language."""
    if not summary["coming"]:
        return ""
    week = weeks_with_content().get(pk=summary["coming"][0]["week"].pk)
    with translation.override(language_of(user)):
        return brief_text(brief_for(week, url=absolute_url(week.get_absolute_url())))


def _change_id(reminder: SentReminder) -> int:
    return int(reminder.key.removeprefix("change:"))


def _assignment_email(reminder: SentReminder) -> tuple[str | None, dict]:
    change = (
        AssignmentChange.objects.select_related("topic__week", "actor")
        .filter(pk=_change_id(reminder))
        .first()
    )
    if change is None:
        return None, {}
    # A later change to the same role says where things stand; this one is old news.
    if AssignmentChange.objects.filter(
        topic_id=change.topic_id, member_id=change.member_id, role=change.role, pk__gt=change.pk
    ).exists():
        return None, {}
    week = change.topic.week
    link = absolute_url(week.get_absolute_url())
    if change.assigned and change.role == AssignmentChange.Role.REVIEWER:
        slot = change.topic.slots.filter(reviewer_id=change.member_id).first()
        if slot is not None:
            link = review_editor_url(slot)
    return "assignment", {
        "change": change,
        "topic": change.topic,
        "week": week,
        "is_reviewer": change.role == AssignmentChange.Role.REVIEWER,
        "link": link,
    }
