"""Reports: participation stats, exports of reviews and the archive, calendar feeds and a
member's calendar link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seminar import versions
from seminar.models import Term, User
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


# `_stats_epoch`'s mark for "no week begins and no deadline passes any more".
_NO_CHANGE_AHEAD = "never"


def _stats_epoch(version: versions.Version, now: datetime) -> str:
    """The span of time the counts of `version` hold in: they also change, with no write,
    when a week begins or a review deadline passes (`stats.next_change`). Names that
    moment, found once per version and again once it is reached."""
    key = versions.fragment_key("stats-epoch", version)
    moment = cache.get(key)
    if moment is None or (moment != _NO_CHANGE_AHEAD and moment <= now):
        moment = stats.next_change(now) or _NO_CHANGE_AHEAD
        cache.set(key, moment, versions.FRAGMENT_TIMEOUT)
    return moment if moment == _NO_CHANGE_AHEAD else moment.isoformat()


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """Organizers see every member; a member the group's totals and their own line.

    The counts are cached per data version, term and epoch (`_stats_epoch`); the page's
    content per viewer too (their own line, their bars in the charts)."""
    version = versions.current()
    now = timezone.now()
    raw_term = request.GET.get("term", "")
    term = versions.cached(
        "stats-term",
        raw_term,
        timezone.localdate(now),
        build=lambda: _chosen_term(request),
        version=version,
    )
    everyone = is_organizer(request.user)
    epoch = _stats_epoch(version, now)
    body = versions.cached_html(
        request,
        "stats-page",
        term.pk if term else None,
        request.user.pk,
        everyone,
        epoch,
        template="seminar/_stats_body.html",
        context=lambda: _stats_context(request, term, everyone, version, epoch, now),
        version=version,
    )
    return render(request, "seminar/stats.html", {"body": body, "term": term})


def _stats_context(
    request: HttpRequest,
    term: Term | None,
    everyone: bool,
    version: versions.Version,
    epoch: str,
    now: datetime,
) -> dict:
    term_pk = term.pk if term else None
    table = versions.cached(
        "stats-table",
        term_pk,
        epoch,
        build=lambda: stats.participation_table(term=term, now=now),
        version=version,
    )
    lines = stats.visible_lines(table, request.user, everyone=everyone)
    mine = _("you")
    scopes = [(term, _("When reviews arrived, %(term)s") % {"term": term.name})] if term else []
    scopes.append((None, _("When reviews arrived, all terms")))
    charts = []
    for scope, title in scopes:
        counts = _arrivals(scope, version)
        svg = stats.arrival_chart_svg(counts.buckets(request.user), title=title, mine_label=mine)
        charts.append({"title": title, "svg": svg})
    return {
        "term": term,
        "terms": list(Term.objects.order_by("-starts_on")),
        "everyone": everyone,
        "term_rows": [(line.member, line.term) for line in lines],
        "overall_rows": [(line.member, line.overall) for line in lines],
        "table": table,
        "charts": charts,
    }


def _arrivals(scope: Term | None, version: versions.Version) -> stats.Arrivals:
    return versions.cached(
        "stats-arrivals",
        scope.pk if scope else None,
        build=lambda: stats.arrivals(term=scope),
        version=version,
    )


def _export_term(request: HttpRequest) -> Term:
    term = _chosen_term(request)
    if term is None:
        raise Http404("There is no term yet.")
    return term


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A change older than this is safe to describe by its second (Last-Modified): a transaction
# that bumped the version in the same second has committed by then. Newer changes are told
# apart by the ETag alone.
LAST_MODIFIED_SETTLED = timedelta(seconds=2)


def _versioned(
    request: HttpRequest,
    *parts: object,
    build: Callable[[], bytes | str],
    respond: Callable[[bytes | str], HttpResponse],
    cache_control: str,
    version: versions.Version | None = None,
) -> HttpResponse:
    """A response built at most once per data version (and `parts`), answered with
    `304 Not Modified` when the client already has it (If-None-Match, or If-Modified-Since
    for clients that only send that)."""
    version = version or versions.current()
    tag = versions.etag(version, *parts)
    last_modified = None
    if version.changed_at and timezone.now() - version.changed_at >= LAST_MODIFIED_SETTLED:
        last_modified = int(version.changed_at.timestamp())  # HTTP dates are in seconds
    not_modified = get_conditional_response(request, etag=tag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        response = respond(versions.cached(*map(str, parts), build=build, version=version))
    response["ETag"] = tag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    return response


# Exports may be kept by the organizer's browser (revalidated on every use: `no-cache`), not
# by any shared cache.
EXPORT_CACHE_CONTROL = "private, no-cache"


def _export(
    request: HttpRequest, *parts: object, filename: str, content_type: str, build
) -> HttpResponse:
    """A download built once per data version and `parts`, 304 when the browser has it."""
    return _versioned(
        request,
        *parts,
        build=build,
        respond=lambda body: _attachment(HttpResponse(body, content_type=content_type), filename),
        cache_control=EXPORT_CACHE_CONTROL,
    )


@organizer_required
@require_GET
def export_reviews_csv(request: HttpRequest) -> HttpResponse:
    term = _export_term(request)
    return _export(
        request,
        "export-csv",
        term.pk,
        filename=f"reviews-term-{term.pk}.csv",
        content_type="text/csv; charset=utf-8",
        build=lambda: exports.reviews_csv(term),
    )


@organizer_required
@require_GET
def export_reviews_json(request: HttpRequest) -> HttpResponse:
    term = _export_term(request)
    return _export(
        request,
        "export-json",
        term.pk,
        filename=f"reviews-term-{term.pk}.json",
        content_type="application/json; charset=utf-8",
        build=lambda: exports.reviews_json(term),
    )


@organizer_required
@require_GET
def export_archive(request: HttpRequest) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    return _export(
        request,
        "export-archive",
        stamp,
        filename=f"seminar-archive-{stamp}.zip",
        content_type="application/zip",
        build=exports.archive_zip,
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Calendar apps poll every few minutes; the feed changes a few times a week. They may keep it
# 15 minutes, then ask again with its ETag and get `304` until something changes.
FEED_CACHE_CONTROL = "private, max-age=900"


def _feed(
    request: HttpRequest, token: str, kind: str, build: Callable[[User], bytes]
) -> HttpResponse:
    """The feed of the member whose secret `token` is; 404 for no active member's.

    Calendar apps ask every few minutes: the token's member is looked up once per data
    version (a revoked token or a deactivated member is a write, so a new version), so a
    repeated fetch costs one query and answers 304."""
    version = versions.current()
    member_id = versions.cached(
        "calendar-member", token, build=lambda: _member_id_for_token(token), version=version
    )
    if member_id is None:
        raise Http404
    # The feeds hold weeks from half a year back (a window that moves daily) in the member's
    # language; the member's row is data, so a new name or language is a new version.
    today = timezone.localdate().isoformat()
    response = _versioned(
        request,
        f"ical-{kind}",
        member_id,
        today,
        build=lambda: build(User.objects.get(pk=member_id)),
        respond=lambda body: _ics(body, f"{kind}.ics"),
        cache_control=FEED_CACHE_CONTROL,
        version=version,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _member_id_for_token(token: str) -> int | None:
    member = ical.member_for_token(token)
    return None if member is None else member.pk


@require_GET
def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The member's feed at their secret URL (no sign-in: calendar apps cannot)."""
    return _feed(
        request,
        token,
        "seminar",
        lambda member: ical.member_feed(weeks=ical.feed_weeks(), member=member),
    )


@require_GET
def group_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The group's feed; it names members, so it needs a member's secret too."""
    return _feed(
        request,
        token,
        "seminar-group",
        lambda member: ical.group_feed(weeks=ical.feed_weeks(), viewer=member),
    )


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
