"""Deployment checks (`manage.py check --deploy`) for what Django only warns about.

A guessable `SECRET_KEY` lets anyone forge sessions, password-reset links and unsubscribe
tokens, so production refuses one (an error fails `check --deploy` and any `--fail-level`);
Django's own `security.W009` says the same as a warning. A proxy in front of the app without a
trusted-proxy setting makes every client share the proxy's address for the sign-in limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured


def secret_key_weakness(key: str, *, debug: bool) -> str | None:
    """Why `key` must not sign anything in production, or None if it is strong enough."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has fewer than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
    # The development key (DEBUG only) is known to everyone who has read the source.
    if key.startswith(SECRET_KEY_INSECURE_PREFIX) and not debug:
        return (
            f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, as generated keys for development do"
        )
    return None


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    try:
        keys = [("SECRET_KEY", settings.SECRET_KEY)]
    except ImproperlyConfigured:
        keys = [("SECRET_KEY", "")]
    keys += [
        (f"SECRET_KEY_FALLBACKS[{index}]", key)
        for index, key in enumerate(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    ]
    problems: list[CheckMessage] = []
    for name, key in keys:
        reason = secret_key_weakness(str(key), debug=settings.DEBUG)
        if reason is not None:
            problems.append(
                Error(
                    f"{name} is too weak for production: {reason}.",
                    hint="Set SECRET_KEY in the environment to a long random value, e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
                    id="seminar.E001",
                )
            )
    return problems


@register(Tags.security, deploy=True)
def check_trusted_proxy(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or getattr(
        settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None
    )
    if behind_proxy and not trusted:
        return [
            Warning(
                "The app trusts a proxy's X-Forwarded-Proto but not its X-Forwarded-For: "
                "sign-in limits will count every client as the proxy's one address.",
                hint="Set TRUSTED_PROXY_COUNT (the number of proxies in front of the app) or "
                "TRUSTED_CLIENT_IP_HEADER.",
                id="seminar.W001",
            )
        ]
    return []
