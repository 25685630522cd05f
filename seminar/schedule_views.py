"""Scheduling pages: the organizers' board and its forms, participation stats, exports,
calendar feeds, and a member's calendar link and unavailable dates.

Every board action is a plain form POST answered with a redirect back to the board (the
search-as-you-type in static/js/schedule.js only fills in the add-topic form), so the board
works without JavaScript. Views are thin: a form, one call into `seminar.scheduling` (or
stats, exports, ical), a message, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seminar import exports, ical, scheduling, stats
from seminar.forms import (
    AddTopicForm,
    CalendarTokenForm,
    MemberChoiceForm,
    MoveTopicForm,
    SlotCountForm,
    UnavailabilityForm,
    WeekBulkForm,
)
from seminar.models import ReviewerSlot, Term, Topic, Week
from seminar.permissions import is_organizer
from seminar.services import current_term
from seminar.views import organizer_required


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


# --- the board --------------------------------------------------------------------------------


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
        try:
            topic = scheduling.add_topic(
                week=week,
                title=form.cleaned_data["title"],
                paper=form.cleaned_data["paper"],
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


# --- participation ----------------------------------------------------------------------------


def _chosen_term(request: HttpRequest) -> Term | None:
    raw = request.GET.get("term", "")
    if raw.isdigit():
        term = Term.objects.filter(pk=int(raw)).first()
        if term is not None:
            return term
    return current_term()


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """Organizers see every member; a member the group's totals and their own line."""
    term = _chosen_term(request)
    everyone = is_organizer(request.user)
    table = stats.participation_table(term=term)
    lines = stats.visible_lines(table, request.user, everyone=everyone)
    mine = _("you")
    scopes = [(term, _("When reviews arrived, %(term)s") % {"term": term.name})] if term else []
    scopes.append((None, _("When reviews arrived, all terms")))
    charts = [
        {
            "title": title,
            "svg": stats.arrival_chart_svg(
                stats.arrival_buckets(term=scope, viewer=request.user),
                title=title,
                mine_label=mine,
            ),
        }
        for scope, title in scopes
    ]
    return render(
        request,
        "seminar/stats.html",
        {
            "term": term,
            "terms": Term.objects.order_by("-starts_on"),
            "everyone": everyone,
            "term_rows": [(line.member, line.term) for line in lines],
            "overall_rows": [(line.member, line.overall) for line in lines],
            "table": table,
            "charts": charts,
        },
    )


# --- exports ----------------------------------------------------------------------------------


def _export_term(request: HttpRequest) -> Term:
    term = _chosen_term(request)
    if term is None:
        raise Http404("There is no term yet.")
    return term


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@organizer_required
@require_GET
def export_reviews_csv(request: HttpRequest) -> HttpResponse:
    term = _export_term(request)
    response = HttpResponse(exports.reviews_csv(term), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"reviews-term-{term.pk}.csv")


@organizer_required
@require_GET
def export_reviews_json(request: HttpRequest) -> HttpResponse:
    term = _export_term(request)
    response = HttpResponse(
        exports.reviews_json(term), content_type="application/json; charset=utf-8"
    )
    return _attachment(response, f"reviews-term-{term.pk}.json")


@organizer_required
@require_GET
def export_archive(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exports.archive_zip(), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    return _attachment(response, f"seminar-archive-{stamp}.zip")


# --- calendar ---------------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The member's feed at their secret URL (no sign-in: calendar apps cannot)."""
    member = ical.member_for_token(token)
    if member is None:
        raise Http404
    return _ics(ical.member_feed(weeks=ical.feed_weeks(), member=member), "seminar.ics")


@require_GET
def group_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The group's feed; it names members, so it needs a member's secret too."""
    member = ical.member_for_token(token)
    if member is None:
        raise Http404
    return _ics(ical.group_feed(weeks=ical.feed_weeks(), viewer=member), "seminar-group.ics")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CalendarTokenForm(request.POST)
        if form.is_valid() and form.cleaned_data["action"] == "revoke":
            ical.revoke_calendar_token(member=request.user)
            messages.success(request, _("Your calendar links no longer work."))
        elif form.is_valid():
            ical.regenerate_calendar_token(member=request.user)
            messages.success(request, _("New calendar links made; the old ones no longer work."))
        return redirect("calendar_settings")
    token = request.user.calendar_token
    links = {}
    if token:
        links = {
            "member": request.build_absolute_uri(reverse("member_calendar", args=[token])),
            "group": request.build_absolute_uri(reverse("group_calendar", args=[token])),
        }
        links["member_webcal"] = "webcal://" + links["member"].split("://", 1)[1]
    return render(request, "seminar/calendar_settings.html", {"links": links})


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
