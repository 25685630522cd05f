"""The layout every page shares (templates/base.html), rendered once per process and kind.

Every page pays for its layout: a dozen static-file URLs, a dozen reversed URLs, the
navigation's conditions. None of that depends on the data, only on the language, whether the
viewer is signed in and organizes, which section is current and the bell's state, so the
header is rendered once per such combination and kept in this process (a few hundred small
strings at most); what is the request's own (the CSRF token, the path to come back to, the
member's name, the unread count) is put into the kept HTML at each request, escaped.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from seminar import versions
from seminar.permissions import is_organizer

register = template.Library()

# Stand-ins for the request's own values in the kept HTML: letters and digits only, so
# escaping leaves them whole, and nothing a page shows can contain them. The CSRF token's is
# the one every cached fragment uses (seminar.versions).
NEXT_MARKER = "layout0next0marker0"
NAME_MARKER = "layout0name0marker0"
UNREAD_MARKER = "layout0unread0marker0"

# The URL names the navigation marks as the current page; any other page is marked nowhere,
# so every other name shares one kept header.
NAV_NAMES = frozenset(
    {
        "home",
        "week_list",
        "paper_list",
        "paper_detail",
        "paper_agenda",
        "stats",
        "swaps",
        "schedule",
        "integrations",
        "notifications",
    }
)

_kept: dict[tuple, str] = {}


def _forget(**kwargs: Any) -> None:
    # Tests that change URLs, static storage or languages must not see an older layout.
    _kept.clear()


setting_changed.connect(_forget)


def _keep(key: tuple, render) -> str:
    html = _kept.get(key)
    if html is None:
        html = render()
        _kept[key] = html
    return html


@register.simple_tag
def layout_assets() -> SafeString:
    """The stylesheets and icon every page links (their URLs are fixed for a deployment)."""
    html = _keep(
        ("assets", get_script_prefix()),
        lambda: render_to_string("includes/layout_assets.html"),
    )
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def layout_scripts(context) -> SafeString:
    """The scripts at the end of every page; the discussion's only for signed-in members."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    html = _keep(
        ("scripts", get_script_prefix(), signed_in),
        lambda: render_to_string("includes/layout_scripts.html", {"signed_in": signed_in}),
    )
    return mark_safe(html)


def _bell_state(unread: int | None) -> str:
    if unread is None:
        return "unknown"
    return "some" if unread else "none"


@register.simple_tag(takes_context=True)
def layout_header(context, unread: int | None = None) -> SafeString:
    """The skip link and the navigation bar, with the viewer's own values put in."""
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    organizer = signed_in and is_organizer(user)
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "url_name", None) or ""
    current = current if current in NAV_NAMES else ""
    language = translation.get_language() or ""
    bell = _bell_state(unread) if signed_in else ""
    key = ("header", get_script_prefix(), language, signed_in, organizer, current, bell)

    def render() -> str:
        return render_to_string(
            "includes/layout_header.html",
            {
                "signed_in": signed_in,
                "organizer": organizer,
                "name": current,
                "LANGUAGE_CODE": language,
                "bell": bell,
                "csrf_token": versions.CSRF_MARKER,
                "next_marker": NEXT_MARKER,
                "name_marker": NAME_MARKER,
                "unread_marker": UNREAD_MARKER,
            },
        )

    html = _keep(key, render)
    if request is not None:
        html = versions.visitors_own(html, request).replace(
            NEXT_MARKER, conditional_escape(request.get_full_path())
        )
    else:  # rendered without a request (nothing to post from)
        html = html.replace(versions.CSRF_MARKER, "").replace(NEXT_MARKER, "")
    if signed_in:
        html = html.replace(NAME_MARKER, conditional_escape(user.display_name))
        if bell == "some":
            html = html.replace(UNREAD_MARKER, str(int(unread)))
    return mark_safe(html)  # rendered by our own template; the request's values escaped above
