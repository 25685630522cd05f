"""Forms of the schedule board and of a member's unavailable dates and calendar link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from papers.arxiv import MAX_REFERENCE_CHARS
from seminar.forms import OneTimeTokenMixin
from seminar.models import User


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WeekBulkForm(forms.Form):
    """One week, or a run of them: "every Thursday 19:00 from DATE for N weeks"."""

    term = forms.ModelChoiceField(label=_("Term"), queryset=None, empty_label=None)
    first_date = forms.DateField(label=_("First date"), widget=_date_input())
    time = forms.TimeField(label=_("Time"), widget=_time_input())
    count = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("One a week, on the first date's weekday."),
    )
    skip_dates = forms.CharField(
        label=_("Skip these dates"),
        required=False,
        help_text=_("e.g. 2025-10-02, 2025-10-09 (holidays); skipped dates do not count."),
    )
    deadline_days_before = forms.IntegerField(
        label=_("Reviews due (days before)"), min_value=0, max_value=14, initial=1
    )
    deadline_time = forms.TimeField(label=_("Reviews due at"), widget=_time_input())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from seminar.models import Term

        self.fields["term"].queryset = Term.objects.order_by("-starts_on")

    def clean_skip_dates(self) -> list:
        raw = self.cleaned_data.get("skip_dates", "").replace(",", " ").split()
        field = forms.DateField()
        try:
            return [field.clean(item) for item in raw]
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("Write dates as YYYY-MM-DD, separated by commas or spaces.")
            ) from error


class AddTopicForm(OneTimeTokenMixin, forms.Form):
    """A topic from the candidate pool (its arXiv id, which the search fills in, or a pasted
    arXiv link or id) or a free title.

    A pasted reference to a paper not yet in the pool is valid here: `cleaned_data["paper"]`
    is then None and `cleaned_data["paper_reference"]` the text, which the view adds to the
    pool (asking arXiv, outside any transaction) before adding the topic.
    """

    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    paper = forms.CharField(
        label=_("arXiv id or link"),
        max_length=MAX_REFERENCE_CHARS,
        required=False,
        help_text=_(
            "Optional: links a candidate paper. A pasted arXiv link or id that is not in the "
            "pool yet is added to it."
        ),
    )
    slot_count = forms.IntegerField(label=_("Reviewer slots"), min_value=0, max_value=8, initial=2)

    def clean_paper(self):
        import re

        from papers import arxiv
        from papers.models import CandidatePaper

        self.cleaned_data["paper_reference"] = ""
        text = self.cleaned_data.get("paper", "").strip()
        # The id as stored first (what the search fills in), then as a link or id names it.
        arxiv_id = re.sub(r"v[0-9]+$", "", text)
        if not arxiv_id:
            return None
        paper = CandidatePaper.objects.filter(arxiv_id=arxiv_id).first()
        if paper is not None:
            return paper
        try:
            arxiv_id = arxiv.parse_reference(text)
        except arxiv.InvalidReference as error:
            raise forms.ValidationError(
                _("No candidate paper has the arXiv id %(id)s, and it is not an arXiv link or id.")
                % {"id": text[:60]}
            ) from error
        paper = CandidatePaper.objects.filter(arxiv_id=arxiv_id).first()
        if paper is None:
            self.cleaned_data["paper_reference"] = text
        return paper

    def clean(self):
        cleaned = super().clean()
        has_paper = cleaned.get("paper") or cleaned.get("paper_reference")
        if not cleaned.get("title", "").strip() and not has_paper and not self.errors:
            raise forms.ValidationError(_("Give a title or choose a paper."))
        return cleaned


class MemberChoiceForm(forms.Form):
    """Who takes a role; empty to leave it open."""

    member = forms.ModelChoiceField(
        label=_("Member"), queryset=User.objects.filter(is_active=True), required=False
    )
    # Who held the role when the page was drawn (empty: nobody); absent: no check.
    current = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def expected(self):
        from seminar.scheduling import ANYONE

        return self.cleaned_data["current"] if "current" in self.data else ANYONE


class MoveTopicForm(forms.Form):
    week = forms.ModelChoiceField(label=_("Move to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from seminar.models import Week

        self.fields["week"].queryset = Week.objects.all()


class SlotCountForm(forms.Form):
    count = forms.IntegerField(label=_("Reviewer slots"), min_value=0, max_value=8)


class UnavailabilityForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=_date_input())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_date(self):
        from django.utils import timezone

        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return day


class CalendarTokenForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("regenerate", "regenerate"), ("revoke", "revoke")], widget=forms.HiddenInput
    )
