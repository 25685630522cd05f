"""Reports: participation stats, exports of reviews and the archive, calendar feeds and a
member's calendar link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seminar.models import Term
from seminar.permissions import is_organizer, organizer_required
from seminar.reports import calendar as ical
from seminar.reports import exports, stats
from seminar.scheduling.forms import (
    CalendarTokenForm,
)
from seminar.services import current_term


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
