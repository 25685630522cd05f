"""The organizers' schedule board and its forms, and a member's unavailable dates.

Every board action is a plain form POST answered with a redirect back to the board (the
search-as-you-type in static/js/schedule.js only fills in the add-topic form), so the board
works without JavaScript. Views are thin: a form, one call into `seminar.scheduling`, a
message, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from papers import services as papers_services
from papers.models import CandidatePaper
from seminar import scheduling
from seminar.models import ReviewerSlot, Term, Topic, Week
from seminar.permissions import organizer_required
from seminar.scheduling.forms import (
    AddTopicForm,
    MemberChoiceForm,
    MoveTopicForm,
    SlotCountForm,
    UnavailabilityForm,
    WeekBulkForm,
)
from seminar.services import current_term


def _board(anchor: str = "") -> HttpResponse:
    return redirect(reverse("schedule") + (f"#{anchor}" if anchor else ""))


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _render_board(
    request: HttpRequest,
    *,
    week_form: WeekBulkForm | None = None,
    topic_forms: dict[int, AddTopicForm] | None = None,
) -> HttpResponse:
    board = scheduling.schedule_board()
    term = current_term()
    if week_form is None:
        week_form = WeekBulkForm(
            initial={
                "term": term.pk if term else None,
                "count": 1,
                "deadline_days_before": 1,
                "deadline_time": "23:59",
                **scheduling.next_week_defaults(),
            }
        )
    topic_forms = topic_forms or {}
    for row in board.weeks:
        row.add_topic_form = topic_forms.get(row.week.pk) or AddTopicForm(
            initial={"slot_count": scheduling.DEFAULT_SLOT_COUNT},
            auto_id=f"id_week{row.week.pk}_%s",
        )
    return render(
        request,
        "seminar/schedule.html",
        {
            "board": board,
            "week_form": week_form,
            "terms": list(Term.objects.order_by("-starts_on")),
            "current_term": term,
            "max_slots": scheduling.MAX_SLOT_COUNT,
        },
    )


@organizer_required
@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    return _render_board(request)


@organizer_required
@require_POST
def create_weeks(request: HttpRequest) -> HttpResponse:
    form = WeekBulkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            weeks = scheduling.create_weeks_in_bulk(
                term=data["term"],
                first_date=data["first_date"],
                at=data["time"],
                count=data["count"],
                skip_dates=data["skip_dates"],
                rule=scheduling.DeadlineRule(
                    days_before=data["deadline_days_before"], at=data["deadline_time"]
                ),
                place=data["place"],
                online_url=data["online_url"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            numbers = ", ".join(str(week.number) for week in weeks)
            messages.success(
                request,
                ngettext("Week %(numbers)s created.", "Weeks %(numbers)s created.", len(weeks))
                % {"numbers": numbers},
            )
            return _board(f"week-{weeks[0].pk}")
    return _render_board(request, week_form=form)


@organizer_required
@require_POST
def add_topic(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(Week, pk=pk)
    form = AddTopicForm(request.POST, auto_id=f"id_week{week.pk}_%s")
    if form.is_valid():
        paper = form.cleaned_data["paper"]
        if paper is None and form.cleaned_data["paper_reference"]:
            paper = _add_pasted_paper(request, form)  # None, with the reason, when refused
        if not form.errors:
            try:
                topic = scheduling.add_topic(
                    week=week,
                    title=form.cleaned_data["title"],
                    paper=paper,
                    slot_count=form.cleaned_data["slot_count"],
                    actor=request.user,
                    form_token=form.cleaned_data["form_token"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Added “%(title)s”.") % {"title": topic.title})
                return _board(f"topic-{topic.pk}")
    return _render_board(request, topic_forms={week.pk: form})


def _add_pasted_paper(request: HttpRequest, form: AddTopicForm) -> CandidatePaper | None:
    """Add the pasted arXiv link or id the pool did not have (arXiv is asked outside any
    transaction); None, with the reason on the form's paper field, when it cannot be added."""
    try:
        paper, outcome = papers_services.add_paper_by_reference(
            reference=form.cleaned_data["paper_reference"], actor=request.user
        )
    except ValidationError as error:
        form.add_error("paper", error)
        return None
    if outcome == papers_services.ADDED_PENDING:
        messages.warning(
            request,
            _(
                "%(id)s was added to the pool by its id: arXiv could not be asked now, so its "
                "title and abstract will be filled in later."
            )
            % {"id": paper.arxiv_id},
        )
    elif outcome == papers_services.ADDED_NEW:
        messages.info(request, _("%(id)s was added to the pool.") % {"id": paper.arxiv_id})
    return paper


@organizer_required
@require_POST
def assign_presenter(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = MemberChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    member = form.cleaned_data["member"]
    try:
        scheduling.assign_presenter(
            topic=topic, member=member, actor=request.user, expected=form.expected()
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if member is None:
            messages.success(
                request, _("“%(title)s” has no presenter now.") % {"title": topic.title}
            )
        else:
            messages.success(
                request,
                _("%(name)s presents “%(title)s”.")
                % {"name": member.display_name, "title": topic.title},
            )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def assign_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(ReviewerSlot.objects.select_related("topic"), pk=pk)
    form = MemberChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{slot.topic_id}")
    member = form.cleaned_data["member"]
    try:
        scheduling.assign_reviewer(
            slot=slot, member=member, actor=request.user, expected=form.expected()
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if member is None:
            messages.success(request, _("Review %(number)d is open now.") % {"number": slot.number})
        else:
            messages.success(
                request,
                _("%(name)s reviews “%(title)s”.")
                % {"name": member.display_name, "title": slot.topic.title},
            )
    return _board(f"topic-{slot.topic_id}")


@organizer_required
@require_POST
def move_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = MoveTopicForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    week = form.cleaned_data["week"]
    try:
        scheduling.move_topic(topic=topic, week=week, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return _board(f"topic-{topic.pk}")
    messages.success(
        request,
        _("“%(title)s” moved to week %(number)d.") % {"title": topic.title, "number": week.number},
    )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def set_slot_count(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = SlotCountForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    try:
        slots = scheduling.set_slot_count(topic=topic, count=form.cleaned_data["count"])
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "“%(title)s” has %(count)d reviewer slot.",
                "“%(title)s” has %(count)d reviewer slots.",
                len(slots),
            )
            % {"title": topic.title, "count": len(slots)},
        )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def unlink_paper(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    scheduling.link_paper(topic=topic, paper=None)
    messages.success(request, _("The paper was unlinked; it is back in the pool."))
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def remove_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    week_id = topic.week_id
    try:
        scheduling.remove_topic(topic=topic)
    except ValidationError as error:
        _errors(request, error)
        return _board(f"topic-{topic.pk}")
    messages.success(request, _("Removed “%(title)s”.") % {"title": topic.title})
    return _board(f"week-{week_id}")


@login_required
@require_http_methods(["GET", "POST"])
def unavailable_dates(request: HttpRequest) -> HttpResponse:
    form = UnavailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scheduling.mark_unavailable(
            member=request.user, day=form.cleaned_data["date"], note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("%(date)s is marked unavailable.") % {"date": form.cleaned_data["date"].isoformat()},
        )
        return redirect("unavailable_dates")
    return render(
        request,
        "seminar/unavailable.html",
        {"form": form, "dates": scheduling.upcoming_unavailability(request.user)},
    )


@login_required
@require_POST
def unavailable_date_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not scheduling.unmark_unavailable(member=request.user, entry_id=pk):
        raise Http404
    messages.success(request, _("The date was removed."))
    return redirect("unavailable_dates")
