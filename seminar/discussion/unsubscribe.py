"""The one-click unsubscribe of notification emails: a signed token per member and kind (or
the digest), and what it switches off (that kind, or every kind in the digest, becomes
"in the app only")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from seminar.lib.urls import absolute_url
from seminar.models import Channel, Notification, NotificationSettings, User
from seminar.reminders.unsubscribe import read_choice, sign_choice

UNSUBSCRIBE_SALT = "seminar.discussion.unsubscribe"
DIGEST = "digest"
KINDS = tuple(Notification.Kind.values)


def what(preference: str):
    """What a link stops, for its page."""
    if preference == DIGEST:
        return _("the daily digest email")
    labels = {
        Notification.Kind.REPLY: _("emails about replies and comments on your reviews"),
        Notification.Kind.MENTION: _("emails about mentions of you"),
        Notification.Kind.QUESTION: _("emails about questions for your presentations"),
        Notification.Kind.NEW_REVIEW: _("emails about new reviews of topics you present"),
    }
    return labels[preference]


def unsubscribe_token(user: User, preference: str) -> str:
    return sign_choice(user, preference, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    return read_choice(token, salt=UNSUBSCRIBE_SALT, allowed=(*KINDS, DIGEST))


def unsubscribe(*, user: User, preference: str) -> None:
    choices, _created = NotificationSettings.objects.get_or_create(member=user)
    if preference == DIGEST:
        fields = [k for k in KINDS if getattr(choices, k) == Channel.DIGEST]
    else:
        fields = [preference] if getattr(choices, preference) == Channel.EMAIL else []
    for field in fields:
        setattr(choices, field, Channel.APP)
    if fields:
        choices.save(update_fields=fields)


def unsubscribe_url(user: User, preference: str) -> str:
    return absolute_url(
        reverse("notification_unsubscribe", args=[unsubscribe_token(user, preference)])
    )
