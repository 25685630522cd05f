"""The agenda page (#13): members see what the group voted for; organizers make a paper a
topic with one click (`seminar.scheduling.agenda`). At /papers/agenda/ beside the pool, but
here, as scheduling may import papers and not the other way round."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from papers import voting
from papers.models import CandidatePaper
from seminar.lib.redirects import safe_next
from seminar.models import Week
from seminar.permissions import is_organizer, organizer_required
from seminar.scheduling import agenda


class AgendaTopicForm(forms.Form):
    """Which paper becomes a topic of which week."""

    paper = forms.CharField(max_length=40)
    week = forms.ModelChoiceField(label=gettext_lazy("Week"), queryset=Week.objects.all())

    def clean_paper(self) -> CandidatePaper:
        paper = CandidatePaper.objects.filter(arxiv_id=self.cleaned_data["paper"]).first()
        if paper is None:
            raise forms.ValidationError(_("No such paper in the pool."))
        return paper


@login_required
@require_GET
def agenda_page(request: HttpRequest) -> HttpResponse:
    """The candidates ranked by members' votes, with volunteers and interest; organizers get
    a week chooser and a button on each."""
    return render(
        request,
        "papers/agenda.html",
        {
            "agenda": agenda.next_agenda(member=request.user),
            "vote_status": voting.vote_status(member=request.user),
            "can_schedule": is_organizer(request.user),
            "half_life_days": int(voting.HALF_LIFE_DAYS),
        },
    )


@organizer_required
@require_POST
def agenda_schedule(request: HttpRequest) -> HttpResponse:
    """One click: the paper becomes a topic of the week; its only free volunteer presents
    it. Then the board, at the new topic (its suggestions when nobody was assigned)."""
    back = safe_next(request, fallback=reverse("paper_agenda"))
    form = AgendaTopicForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    paper, week = form.cleaned_data["paper"], form.cleaned_data["week"]
    try:
        done = agenda.schedule_from_agenda(paper=paper, week=week, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    title, number = done.topic.title, week.number
    if done.presenter is not None:
        messages.success(
            request,
            _(
                "“%(title)s” is a topic of week %(number)d, presented by %(name)s, who "
                "volunteered. You can change the presenter here."
            )
            % {"title": title, "number": number, "name": done.presenter.display_name},
        )
    elif done.free_volunteers:
        messages.success(
            request,
            _(
                "“%(title)s” is a topic of week %(number)d. Several members volunteered: "
                "choose the presenter among the suggestions."
            )
            % {"title": title, "number": number},
        )
    else:
        messages.success(
            request,
            _("“%(title)s” is a topic of week %(number)d. Choose a presenter.")
            % {"title": title, "number": number},
        )
    return redirect(reverse("schedule") + f"#topic-{done.topic.pk}")
