"""The reminder cadence, editable by organizers on the reminders page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seminar.models import ReminderPolicy


class ReminderPolicyForm(forms.ModelForm):
    class Meta:
        model = ReminderPolicy
        fields = [
            "presenter_days_before",
            "reviewer_days_before",
            "reviewer_days_after",
            "quiet_hours_start",
            "quiet_hours_end",
            "max_attempts",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "max_attempts": forms.NumberInput(attrs={"min": 1, "max": 20}),
        }

    # The model's check (`validate_day_offsets`) takes `str.isdigit`, which says yes to "²"
    # that `int()` then refuses (a 500): only ASCII digits, commas and spaces get that far.
    def _clean_offsets(self, field: str) -> str:
        value = self.cleaned_data[field]
        if not value.isascii():
            raise forms.ValidationError(
                _("Use whole days between 0 and 60, separated by commas, e.g. 7, 1."),
                code="digits",
            )
        return value

    def clean_presenter_days_before(self) -> str:
        return self._clean_offsets("presenter_days_before")

    def clean_reviewer_days_before(self) -> str:
        return self._clean_offsets("reviewer_days_before")

    def clean_reviewer_days_after(self) -> str:
        return self._clean_offsets("reviewer_days_after")

    def clean_max_attempts(self) -> int:
        value = self.cleaned_data["max_attempts"]
        if not 1 <= value <= 20:
            raise forms.ValidationError(_("Enter a number from 1 to 20."), code="range")
        return value
