from __future__ import annotations

import uuid
import zoneinfo
from functools import lru_cache

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from seminar import services
from seminar.adapters import forget_invitation, invitation_in_session
from seminar.models import User, normalize_display_name


class OneTimeTokenMixin(forms.Form):
    """A hidden one-time token: the form's identity, so the service can tell the same form
    sent twice (a double click, two requests in flight) from a new one. A fresh token is
    drawn every time the form is drawn; a re-drawn bound form keeps the one it was sent
    with. Optional: a request without it is served, just not deduplicated."""

    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_token"].initial = uuid.uuid4()


def _clean_name(value: str, *, required: bool) -> str:
    name = normalize_display_name(value or "")
    if required and not name:
        raise forms.ValidationError(_("Give the name the group knows you by."), code="required")
    return name


class SignupForm(AllauthSignupForm):
    name = forms.CharField(
        label=_("Display name"), max_length=100, help_text=_("As the group knows you, e.g. 박민경.")
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=User.Language.choices, initial=User.Language.KOREAN
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request
        self.invitation = invitation_in_session(request) if request is not None else None
        # The sign-up page says who invited the person to which group (#13).
        self.group_name = services.group_name(request)
        if self.invitation is not None:
            # The invitation is for one address: the field shows it, and a disabled field
            # takes its value from here whatever a request sends.
            email = self.fields["email"]
            email.disabled = True
            email.help_text = _("The address your invitation was sent to.")
            self.initial["email"] = self.invitation.email

    def clean_email(self) -> str:
        email = super().clean_email()
        if self.invitation is not None:
            if email != self.invitation.email:
                raise forms.ValidationError(
                    _("This invitation is for %(email)s; sign up with that address.")
                    % {"email": self.invitation.email}
                )
            return email
        if services.has_pending_invitation(email):
            raise forms.ValidationError(
                _("This address was invited: sign up through the link in the invitation email.")
            )
        if not services.signup_allowed_for(email):
            raise forms.ValidationError(
                _("Sign-up needs an invitation for this address; ask an organizer to invite you.")
            )
        return email

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data.get("name", ""), required=True)

    def try_save(self, request):
        """Through an invitation, the account is made only together with using the
        invitation (checked again here, under a row lock: used meanwhile or expired means
        no account); the session forgets the invitation either way."""
        if self.invitation is None:
            return super().try_save(request)
        if self.account_already_exists:
            forget_invitation(request)
            return super().try_save(request)
        with transaction.atomic():
            used = services.use_invitation(
                token=self.invitation.token, email=self.cleaned_data["email"]
            )
            if used is None:
                user, response = None, None
            else:
                user, response = super().try_save(request)
        forget_invitation(request)
        if used is None:
            messages.error(request, _("This invitation was already used or has expired."))
            return None, redirect("account_login")
        return user, response

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data["name"]
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["name", "language"])
        return user


# Offered first in the time zone list: the group's own, then where members usually are.
COMMON_TIME_ZONES = (
    "Asia/Seoul",
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    """IANA zone names (Area/City, and UTC); not the legacy aliases like "EST5EDT"."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    names = _zone_names()
    common = [z for z in COMMON_TIME_ZONES if z in names]
    rest = [z for z in names if z not in common]
    return [
        (str(_("Common")), [(z, z) for z in common]),
        (str(_("All time zones")), [(z, z) for z in rest]),
    ]


class ProfileForm(forms.ModelForm):
    # A list of real zones: a typed "Seoul" used to be saved and then ignored.
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Times on these pages and in your emails are shown in this zone."),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a time zone this site knows. Choose one from the list, "
                "e.g. Asia/Seoul."
            )
        },
    )

    class Meta:
        model = User
        fields = [
            "name",
            "language",
            "timezone",
            "email_weekly",
            "email_deadlines",
            "email_assignments",
        ]

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data.get("name", ""), required=False)


class InvitationForm(OneTimeTokenMixin, forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One or more addresses, separated by commas, spaces or new lines."),
        max_length=20_000,
    )

    def clean_emails(self) -> list[str]:
        """The pasted items, as typed: the service sorts out bad and repeated addresses and
        names each (one bad address does not hold back the others)."""
        items = services.split_addresses(self.cleaned_data["emails"])
        if not items:
            raise forms.ValidationError(_("Give at least one address."))
        return items
