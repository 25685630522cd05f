"""The one-click unsubscribe: a signed token per member and setting, and what it switches off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from seminar.lib.urls import absolute_url
from seminar.models import (
    User,
)
from seminar.reminders.planning import (
    PREFERENCES,
)

UNSUBSCRIBE_SALT = "seminar.reminders.unsubscribe"


def sign_choice(user: User, preference: str, *, salt: str) -> str:
    """A signed token naming a member and one of their email settings: what every one-click
    unsubscribe link carries (reminders here, notification emails in `seminar.discussion`,
    each with its own salt)."""
    return signing.TimestampSigner(salt=salt).sign_object({"u": user.pk, "p": preference})


def read_choice(token: str, *, salt: str, allowed: Iterable[str]) -> tuple[User, str] | None:
    """The member and setting a token names, or None if it was altered, is too old, names a
    setting not in `allowed`, or its member is gone."""
    max_age = getattr(settings, "SEMINAR_UNSUBSCRIBE_MAX_AGE", timedelta(days=365))
    try:
        data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") not in tuple(allowed):
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    return (user, data["p"]) if user is not None else None


def unsubscribe_token(user: User, preference: str) -> str:
    return sign_choice(user, preference, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The member and reminder setting a link names, or None."""
    return read_choice(token, salt=UNSUBSCRIBE_SALT, allowed=PREFERENCES)


def unsubscribe(*, user: User, preference: str) -> None:
    field = PREFERENCES[preference]
    if getattr(user, field):
        setattr(user, field, False)
        user.save(update_fields=[field])


def unsubscribe_url(user: User, preference: str) -> str:
    return absolute_url(reverse("unsubscribe", args=[unsubscribe_token(user, preference)]))
