"""Who may do what, as plain predicates used by views and templates alike."""

from __future__ import annotations

from typing import Any

ORGANIZERS_GROUP = "organizers"


def is_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_organizer(user: Any) -> bool:
    if not is_member(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organizer", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANIZERS_GROUP).exists()
        user._is_organizer = cached
    return cached
