from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

INVITATION_SESSION_KEY = "seminar_invitation"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Sign-up is open to invitees and, when configured, to allowed email domains."""
        return bool(settings.SEMINAR_SIGNUP_DOMAINS) or bool(
            request.session.get(INVITATION_SESSION_KEY)
        )
