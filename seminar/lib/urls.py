"""Links that leave the site (emails, calendar feeds, chat): absolute, on `SITE_URL`."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from `reverse()` or `get_absolute_url()`) on the site's public address."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path
