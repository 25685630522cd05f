"""Forms of the schedule board and of a member's unavailable dates and calendar link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from papers.arxiv import MAX_REFERENCE_CHARS
from seminar.forms import OneTimeTokenMixin
from seminar.models import User
from seminar.scheduling.terms import MAX_TERM_DAYS, day_problem


def _within_calendar(day) -> None:
    """A term's or a week's day between 1970 and 2999 (`terms.day_problem`)."""
    if (problem := day_problem(day)) is not None:
        raise problem


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WeekBulkForm(forms.Form):
    """One week, or a run of them: "every Thursday 19:00 from DATE for N weeks"."""

    term = forms.ModelChoiceField(label=_("Term"), queryset=None, empty_label=None)
    first_date = forms.DateField(
        label=_("First date"), widget=_date_input(), validators=[_within_calendar]
    )
    time = forms.TimeField(
        label=_("Time"), widget=_time_input(), required=False, help_text=_("Empty: the term's.")
    )
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
    # Empty: the chosen term's default (see `clean`); the board fills them in from the term
    # selected first, static/js/term-defaults.js from the one chosen.
    deadline_days_before = forms.IntegerField(
        label=_("Reviews due (days before)"),
        min_value=0,
        max_value=14,
        required=False,
        help_text=_("Empty: the term's."),
    )
    deadline_time = forms.TimeField(
        label=_("Reviews due at"),
        widget=_time_input(),
        required=False,
        help_text=_("Empty: the term's."),
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("Empty: the term's.")
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the term's."),
    )

    # What an empty field takes from the chosen term.
    TERM_DEFAULTS = {
        "time": "meeting_time",
        "deadline_days_before": "deadline_days_before",
        "deadline_time": "deadline_time",
        "place": "place",
        "online_url": "online_url",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from seminar.models import Term

        # Closed terms take no new weeks (seminar/scheduling/terms.py).
        self.fields["term"].queryset = Term.objects.filter(closed_at__isnull=True).order_by(
            "-starts_on"
        )

    def clean(self):
        cleaned = super().clean()
        term = cleaned.get("term")
        if term is not None:
            for field, attribute in self.TERM_DEFAULTS.items():
                if field not in self.errors and cleaned.get(field) in (None, ""):
                    cleaned[field] = getattr(term, attribute)
        return cleaned

    def clean_skip_dates(self) -> list:
        raw = self.cleaned_data.get("skip_dates", "").replace(",", " ").split()
        field = forms.DateField()
        try:
            return [field.clean(item) for item in raw]
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("Write dates as YYYY-MM-DD, separated by commas or spaces.")
            ) from error


class TermForm(forms.Form):
    """A new term and its weeks: one on the meeting day of every week from the first day to
    the last. "Show the weeks" lists their dates, each ticked; unticked ones are skipped."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 2026 봄"))
    starts_on = forms.DateField(label=_("First day"), widget=_date_input())
    ends_on = forms.DateField(label=_("Last day"), widget=_date_input())
    weekday = forms.TypedChoiceField(label=_("Meeting day"), choices=(), coerce=int)
    meeting_time = forms.TimeField(label=_("Time"), widget=_time_input())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    deadline_days_before = forms.IntegerField(
        label=_("Reviews due (days before)"), min_value=0, max_value=14
    )
    deadline_time = forms.TimeField(label=_("Reviews due at"), widget=_time_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from seminar.models import Term

        self.fields["weekday"].choices = Term.Weekday.choices

    def clean(self):
        cleaned = super().clean()
        for field in ("starts_on", "ends_on"):
            if (problem := day_problem(cleaned.get(field))) is not None:
                self.add_error(field, problem)  # and out of `cleaned`
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:  # before the preview lists no weeks
            self.add_error("ends_on", _("The last day must not come before the first day."))
        elif starts_on and ends_on and (ends_on - starts_on).days > MAX_TERM_DAYS:
            self.add_error("ends_on", _("A term lasts at most two years; check the last day."))
        return cleaned

    def skip_dates(self, dates: list) -> list:
        """The dates among `dates` the organizer unticked: offered on the page they sent
        (`offered_dates`) but not ticked (`week_dates`). Dates never offered are kept."""
        offered = set(self.data.get("offered_dates", "").split())
        ticked = set(self.data.getlist("week_dates")) if hasattr(self.data, "getlist") else set()
        return [day for day in dates if day.isoformat() in offered - ticked]


class TermEditForm(TermForm):
    """A term's name, first and last day and the defaults of its new weeks; ticking
    `apply_to_coming_weeks` hands the defaults to its coming weeks too
    (`seminar.scheduling.terms.update_term` says which)."""

    ends_on = forms.DateField(
        label=_("Last day"), widget=_date_input(), required=False, help_text=_("Empty: open-ended.")
    )
    apply_to_coming_weeks = forms.BooleanField(
        label=_("Apply to coming weeks without submitted reviews"),
        required=False,
        initial=False,
        help_text=_(
            "Off: only weeks created from now on use these defaults. On: coming weeks also "
            "take this time, place, online link and review deadline; past weeks and weeks with "
            "a submitted review keep theirs. No week changes its date."
        ),
    )

    field_order = [
        "name",
        "starts_on",
        "ends_on",
        "weekday",
        "meeting_time",
        "place",
        "online_url",
        "deadline_days_before",
        "deadline_time",
        "apply_to_coming_weeks",
    ]

    @classmethod
    def for_term(cls, term, **kwargs) -> TermEditForm:
        """The form as the board shows it for `term`: its values, ids unique on the page."""
        return cls(
            initial={
                "name": term.name,
                "starts_on": term.starts_on,
                "ends_on": term.ends_on,
                "weekday": term.meeting_weekday,
                "meeting_time": term.meeting_time,
                "place": term.place,
                "online_url": term.online_url,
                "deadline_days_before": term.deadline_days_before,
                "deadline_time": term.deadline_time,
            },
            auto_id=f"id_term{term.pk}_%s",
            **kwargs,
        )


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


class SlotOfferForm(forms.Form):
    """Offering one's role to the group (#13, `seminar.scheduling.swaps`)."""

    note = forms.CharField(
        label=_("Note for the group"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. why, or what you would take in return."),
    )


class WeekSwapPolicyForm(forms.ModelForm):
    """A week's swap and same-week rules, set by an organizer on the week page (#13)."""

    class Meta:
        from seminar.models import Week

        model = Week
        fields = ["swap_policy", "same_week_policy"]


class WeekEditForm(forms.Form):
    """One week on its page (#13, `seminar.scheduling.weeks.update_week`): date and time in
    the group's zone, place, online link, review deadline (or the term's rule), late policy,
    notes. A refused form comes back bound, with what was typed."""

    date = forms.DateField(label=_("Date"), widget=_date_input(), validators=[_within_calendar])
    time = forms.TimeField(label=_("Time"), widget=_time_input())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.CharField(
        label=_("Online link"),
        max_length=200,
        required=False,
        # The service's link rule decides (only http:// and https://), with its own message.
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    deadline_from_rule = forms.BooleanField(
        label=_("Recompute the review deadline from the term's rule"), required=False
    )
    deadline_date = forms.DateField(
        label=_("Reviews due on"),
        widget=_date_input(),
        required=False,
        validators=[_within_calendar],
    )
    deadline_time = forms.TimeField(label=_("Reviews due at"), widget=_time_input(), required=False)
    late_policy = forms.ChoiceField(label=_("Late reviews"), choices=())
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the week page for everyone."),
    )

    def __init__(self, *args, week=None, **kwargs):
        from django.utils import timezone

        from seminar.meetings import group_zone
        from seminar.models import Week

        if week is not None:
            kwargs.setdefault("auto_id", f"id_week{week.pk}_%s")
            if "initial" not in kwargs:
                starts = timezone.localtime(week.starts_at, group_zone())
                deadline = timezone.localtime(week.review_deadline, group_zone())
                kwargs["initial"] = {
                    "date": starts.date(),
                    "time": starts.time().replace(second=0, microsecond=0),
                    "place": week.place,
                    "online_url": week.online_url,
                    "deadline_date": deadline.date(),
                    "deadline_time": deadline.time().replace(second=0, microsecond=0),
                    "late_policy": week.late_policy,
                    "notes": week.notes,
                }
        super().__init__(*args, **kwargs)
        self.fields["late_policy"].choices = Week.LatePolicy.choices
        if week is not None:
            from django.utils.translation import ngettext

            rule = week.term.deadline_rule
            self.fields["deadline_from_rule"].help_text = ngettext(
                "%(days)d day before the meeting at %(time)s; the two fields below are then "
                "ignored.",
                "%(days)d days before the meeting at %(time)s; the two fields below are then "
                "ignored.",
                rule.days_before,
            ) % {"days": rule.days_before, "time": rule.at.strftime("%H:%M")}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("deadline_from_rule"):
            for field in ("deadline_date", "deadline_time"):
                if field not in self.errors and cleaned.get(field) is None:
                    self.add_error(
                        field,
                        _("Enter the review deadline, or tick the box to use the term's rule."),
                    )
        return cleaned

    def starts_at(self):
        from datetime import datetime

        from seminar.meetings import group_zone

        data = self.cleaned_data
        return datetime.combine(data["date"], data["time"], tzinfo=group_zone())

    def review_deadline(self):
        """The deadline typed, in the group's zone; None for the term's rule."""
        from datetime import datetime

        from seminar.meetings import group_zone

        data = self.cleaned_data
        if data["deadline_from_rule"]:
            return None
        return datetime.combine(data["deadline_date"], data["deadline_time"], tzinfo=group_zone())
