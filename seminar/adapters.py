"""How allauth behaves here: sign-up by invitation or allowed domain, and sign-in limits.

Failed sign-ins are counted per (client address, account), not per account alone.

allauth keys its "five failures in five minutes" limit by the account's email. Anyone who
knows an address (the organizer's is on every page) could then fail five times and lock its
owner out, again and again. Adding the client's address to the key keeps the limit where it
stops guessing (one address cannot try more than five passwords on one account, and the
per-address limit caps it at ten a minute over all accounts) without making it a switch that
strangers can flip for someone else's account.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from seminar.models import Invitation

INVITATION_SESSION_KEY = "seminar_invitation"

# allauth's own Korean for these reads wrong (a detached particle: "운영자 으로 로그인 되었습니다";
# "Remember Me" as "아이디 저장"). Naming them here puts them in the project's catalogue, which
# Django consults before allauth's (LOCALE_PATHS come first), so ours are the ones shown.
ALLAUTH_WORDING = (
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("Remember Me"),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("To confirm this is correct, go to %(activate_url)s"),
)


def remember_invitation(request: HttpRequest, invitation: Invitation) -> None:
    """The invitee followed their link: sign-up opens for this browser, for this address."""
    request.session[INVITATION_SESSION_KEY] = invitation.token
    # The link arrived at this address, so it needs no second confirmation email.
    DefaultAccountAdapter(request).stash_verified_email(request, invitation.email)


def forget_invitation(request: HttpRequest) -> None:
    """Drop the invitation and the address it vouched for from the session (after signing
    up, or when the invitation was used elsewhere or expired), so neither opens sign-up or
    verifies an address later."""
    if request.session.pop(INVITATION_SESSION_KEY, None) is not None:
        DefaultAccountAdapter(request).unstash_verified_email(request)


def invitation_in_session(request: HttpRequest) -> Invitation | None:
    """The invitation this browser arrived with, checked again now: None (and forgotten)
    once it was used or has expired."""
    from seminar.services import pending_invitation_for_token

    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return None
    invitation = pending_invitation_for_token(token)
    if invitation is None:
        forget_invitation(request)
    return invitation


def client_network(ip: str, *, ipv6_prefix: int) -> str:
    """The address a limit should count: an IPv6 client owns a whole /64 (or the configured
    prefix), so counting single addresses there would let it rotate past the limit."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/{ipv6_prefix}", strict=False).network_address)
    return str(address)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Sign-up is open to invitees (a link that still works) and, when configured, to
        allowed email domains."""
        return invitation_in_session(request) is not None or bool(settings.SEMINAR_SIGNUP_DOMAINS)

    def clean_email(self, email: str) -> str:
        """A signed-in member cannot add an address an invitation is waiting for (even
        unverified, it would count as taken and lock the invitee out of signing up).
        Anonymous forms are left to themselves: the sign-up form has its own rule, and a
        password reset must not tell who was invited."""
        from seminar.services import has_pending_invitation

        email = super().clean_email(email)
        user = getattr(context.request, "user", None)
        if user is not None and user.is_authenticated and has_pending_invitation(email):
            raise forms.ValidationError(
                _("An invitation is waiting for this address; only its link can claim it.")
            )
        return email

    def login(self, request: HttpRequest, user: Any) -> None:
        """Sign the member in and speak their language from here on: the "signed in as …"
        message is written during this request, which began in the browser's language."""
        language = getattr(user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().login(request, user)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth uses this key for the failure limit and clears it after a password reset;
        # behind a proxy, `get_client_ip` honours ALLAUTH_TRUSTED_PROXY_COUNT.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        network = client_network(
            self.get_client_ip(request), ipv6_prefix=allauth_settings.RATE_LIMIT_IPV6_PREFIX
        )
        return f"{network}|{account}"
