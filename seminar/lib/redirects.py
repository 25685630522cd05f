"""Where a form sends the browser back to: a `next` parameter, but never off this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    """The request's `next` (from the POST body, else the query string) if it stays on this
    host, else `fallback`.

    A `next` to another host, a scheme-relative `//host` or `/\\host`, a `javascript:` URL,
    or plain http from an https page is refused: a shared link must not turn this site's
    redirect into a way to send members elsewhere.
    """
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
