from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from seminar.models import User
from seminar.services import mark_invitation_accepted, signup_allowed_for


class SignupForm(AllauthSignupForm):
    name = forms.CharField(
        label=_("Display name"), max_length=100, help_text=_("As the group knows you, e.g. 박민경.")
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=User.Language.choices, initial=User.Language.KOREAN
    )

    def clean_email(self) -> str:
        email = super().clean_email()
        if not signup_allowed_for(email):
            raise forms.ValidationError(
                _("Sign-up needs an invitation for this address; ask an organizer to invite you.")
            )
        return email

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data["name"]
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["name", "language"])
        mark_invitation_accepted(email=user.email)
        return user


class ProfileForm(forms.ModelForm):
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


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One or more addresses, separated by commas, spaces or new lines."),
    )

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", " ").split()
        validator = forms.EmailField()
        emails = []
        for item in raw:
            emails.append(validator.clean(item).lower())
        if not emails:
            raise forms.ValidationError(_("Give at least one address."))
        return emails
