"""What notification emails say: one notification right away, or the day's digest, in the
member's language and zone, each with its one-click unsubscribe (RFC 8058 headers and a link)."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.html import strip_tags

from seminar.discussion.unsubscribe import DIGEST, unsubscribe_url
from seminar.lib.emails import render_email
from seminar.lib.urls import absolute_url
from seminar.models import Channel, Notification, NotificationEmail, NotificationSettings
from seminar.reminders.timing import language_of, zone_of

EXCERPT_CHARS = 300


def _still_news(notification: Notification) -> bool:
    comment = notification.comment
    return comment is None or not (comment.is_deleted or comment.is_hidden)


def excerpt(notification: Notification) -> str:
    """The comment's text, plain and short (emails carry no member HTML)."""
    comment = notification.comment
    if comment is None:
        return ""
    text = " ".join(strip_tags(comment.body_html).split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _items(notifications) -> list[dict]:
    return [
        {
            "notification": n,
            "actor": n.actor.display_name if n.actor else "",
            "excerpt": excerpt(n),
            "link": absolute_url(n.link or reverse("notifications")),
        }
        for n in notifications
    ]


def build_message(
    email: NotificationEmail, now: datetime, *, connection=None
) -> EmailMultiAlternatives | None:
    """The email for a logged row, from the data as it is now; None if nothing is left to say."""
    user = email.recipient
    if not user.is_active or not user.email:
        return None
    choices = NotificationSettings.objects.filter(member=user).first() or NotificationSettings(
        member=user
    )
    rows = list(email.notifications.select_related("actor", "comment").order_by("created_at", "pk"))
    if email.kind == NotificationEmail.Kind.IMMEDIATE:
        rows = [
            n for n in rows if n.read_at is None and choices.channel_for(n.kind) == Channel.EMAIL
        ]
        template = "notification_single"
        preference = rows[0].kind if rows else ""
    else:
        template = "digest_daily"
        preference = DIGEST
    rows = [n for n in rows if _still_news(n)]
    if not rows:
        return None
    link = unsubscribe_url(user, preference)
    context = {
        "recipient": user,
        "items": _items(rows),
        "item": _items(rows)[0],
        "count": len(rows),
        "notification_unsubscribe_url": link,
        "settings_url": absolute_url(reverse("notification_settings")),
        "all_url": absolute_url(reverse("notifications")),
    }
    subject, text, html = render_email(
        template, context, language=language_of(user), zone=str(zone_of(user))
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Seminar-Notification": email.key,
        },
    )
    message.attach_alternative(html, "text/html")
    return message
