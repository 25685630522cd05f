from __future__ import annotations

from django.http import HttpRequest

from seminar.permissions import is_organizer


def roles(request: HttpRequest) -> dict[str, object]:
    return {"user_is_organizer": lambda: is_organizer(getattr(request, "user", None))}
