from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from seminar.models import Invitation

INVITATION_SESSION_KEY = "seminar_invitation"


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
