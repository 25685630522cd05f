from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reviews import selectors as review_selectors
from reviews.selectors import dashboard_for
from seminar import selectors, services, versions
from seminar.adapters import forget_invitation, remember_invitation
from seminar.forms import InvitationForm, ProfileForm
from seminar.lib.redirects import safe_next
from seminar.models import Invitation, User, Week
from seminar.permissions import is_organizer, organizer_required
from seminar.scheduling.attention import needs_attention

# Weeks per page of the archive: the coming weeks and the last few months, then older pages.
WEEKS_PER_PAGE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard: next week, their slots and presentations, slots to take; for
    organizers, above it, what needs their attention this week.

    Both parts are cached for the data's version and the minute: their "3 hours left" texts
    and what has passed (a deadline, a meeting) change with the minute, nothing finer. The
    member's part is theirs alone (their slots, offers, questions and buttons); the attention
    card is the same for every organizer and only ever looked up for one."""
    now = timezone.now()
    version = versions.current()
    minute = now.replace(second=0, microsecond=0).isoformat()
    attention = None
    if is_organizer(request.user):
        attention = versions.cached_html(
            request,
            "home-attention",
            minute,
            template="seminar/_home_attention.html",
            context=lambda: {"attention": needs_attention(now=now)},
            version=version,
        )
    mine = versions.cached_html(
        request,
        "home-member",
        request.user.pk,
        minute,
        request.get_full_path(),
        template="seminar/_home_member.html",
        context=lambda: _home_member_context(request.user, now),
        version=version,
    )
    return render(request, "seminar/home.html", {"attention": attention, "mine": mine})


def _home_member_context(user: User, now) -> dict:
    dashboard = dashboard_for(user, now)
    return {"week": dashboard.week, "dashboard": dashboard, "now": now}


@login_required
def week_list(request: HttpRequest) -> HttpResponse:
    """Every week as a calendar reads them: the coming ones first, soonest first, then the
    past ones newest first, in runs of one term; a page at a time (five years are 250 weeks).

    The same for every member: cached per page and the group's day (a week moves from
    "coming" to "past", and "next meeting" to the week after, when the day changes)."""
    now = timezone.now()
    raw_page = request.GET.get("page")
    try:
        # The paginator reads the page as int() does (junk is page 1): one key per page.
        page_key: int | None = int(raw_page) if raw_page is not None else None
    except ValueError:
        page_key = None
    archive = versions.cached_html(
        request,
        "archive",
        page_key,
        selectors.archive_day(now).isoformat(),
        template="seminar/_archive_body.html",
        context=lambda: _archive_context(raw_page, now),
    )
    return render(request, "seminar/week_list.html", {"archive": archive})


def _archive_context(raw_page: str | None, now: datetime) -> dict:
    page = Paginator(selectors.weeks_for_archive(now), WEEKS_PER_PAGE).get_page(raw_page)
    weeks = review_selectors.add_review_counts(page.object_list)
    groups = selectors.group_archive_weeks(weeks, now=now, first_page=page.number == 1)
    return {
        "groups": groups,
        "coming": [g for g in groups if g.coming],
        "past": [g for g in groups if not g.coming],
        "page": page,
        "now": now,
    }


@login_required
def week_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A week's topics, reviews and threads. Its content is cached per viewer (their buttons,
    the reviews the visibility rule lets them read, their reactions) and per phase of the
    clock (see `_week_clock`); not for a viewer with a draft here: autosave changes its text,
    shown to them, without a new data version."""
    now = timezone.now()
    user = request.user
    version = versions.current()
    # Under the version read just now, so a week removed since is not found; with whether
    # the viewer has a draft here (a draft made or deleted is a new version), in one lookup.
    week, has_draft = versions.cached(
        "week-viewer", pk, user.pk, build=lambda: _week_for_viewer(pk, user), version=version
    )
    if week is None:
        raise Http404

    def read() -> Week:
        return review_selectors.weeks_with_content().get(pk=pk)

    def shared() -> dict:
        # The same rows for every viewer (a new one builds their page from them, no query);
        # drafts' texts are in them as of the version, read by nobody on this path.
        return {"week": versions.cached("week-content", pk, build=read, version=version)}

    if has_draft:
        body = render_to_string("seminar/_week_body.html", {"week": read(), "now": now}, request)
    else:
        body = versions.cached_html(
            request,
            "week-body",
            pk,
            user.pk,
            request.get_full_path(),
            *_week_clock(week, now),
            template="seminar/_week_body.html",
            context=lambda: {**shared(), "now": now},
            version=version,
        )
    return render(
        request, "seminar/week_detail.html", {"week": week, "now": now, "week_body": body}
    )


def _week_for_viewer(pk: int, user: User) -> tuple[Week | None, bool]:
    week = Week.objects.select_related("term").filter(pk=pk).first()
    if week is None:
        return None, False
    return week, review_selectors.has_own_draft(week_id=pk, user=user)


def _week_clock(week: Week, now: datetime) -> tuple[object, ...]:
    """What the week page shows that changes with time alone: which side of the review
    deadline and of the meeting's start `now` is on (claiming, releasing, offering, asking,
    the visibility rule, "passed"; the rules compare with <, <= and >=, hence three sides),
    and the "3 hours left" text before the deadline."""

    def side(moment: datetime) -> int:
        return (now > moment) - (now < moment)

    left = timeuntil(week.review_deadline, now) if week.review_deadline > now else ""
    return side(week.review_deadline), side(week.starts_at), left


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in member's choice is saved to their profile."""
    language = request.POST.get("language", "")
    if language not in dict(User.Language.choices):
        language = "ko"
    next_url = safe_next(request)
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.language)
        messages.success(request, _("Your settings were saved."))
        return redirect("profile")
    return render(request, "seminar/profile.html", {"form": form})


def _report_batch(request: HttpRequest, batch: services.InvitationBatch) -> None:
    """Say what became of every address: sent, or left out and why, each by name."""
    if batch.repeated:
        messages.info(request, _("This form was already sent; nothing more was done."))
        return
    if batch.created:
        messages.success(
            request,
            ngettext(
                "%(count)d invitation sent: %(emails)s",
                "%(count)d invitations sent: %(emails)s",
                len(batch.created),
            )
            % {"count": len(batch.created), "emails": ", ".join(i.email for i in batch.created)},
        )
    else:
        messages.info(request, _("No invitation was sent."))
    Rejection = services.Rejection
    reasons = {
        Rejection.SYNTAX: _("Not sent, not an email address: %(emails)s"),
        Rejection.DUPLICATE: _("Listed more than once (invited once): %(emails)s"),
        Rejection.INVITED: _(
            "Not invited again, an invitation is already waiting (resend it below): %(emails)s"
        ),
        Rejection.TOO_MANY: _("Not sent, over the limit of one batch (send them next): %(emails)s"),
    }
    for reason, text in reasons.items():
        addresses = batch.rejected_for(reason)
        if addresses:
            level = messages.error if reason == Rejection.SYNTAX else messages.warning
            level(request, text % {"emails": ", ".join(addresses)})
    if batch.members:
        messages.info(
            request,
            _("Already members, not invited: %(members)s")
            % {"members": ", ".join(f"{m.display_name} <{m.email}>" for m in batch.members)},
        )


@organizer_required
def invitations(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = services.invite_members(
            emails=form.cleaned_data["emails"],
            invited_by=request.user,
            form_token=form.cleaned_data["form_token"],
        )
        # After the commit (invite_members is atomic): a repeated form mails nothing.
        for invitation in batch.created:
            services.send_invitation(
                invitation=invitation, base_url=request.build_absolute_uri("/")
            )
        _report_batch(request, batch)
        return redirect("invitations")
    now = timezone.now()
    waiting = (
        Invitation.objects.filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    return render(
        request,
        "seminar/invitations.html",
        {
            "form": form,
            "pending": [i for i in waiting if i.is_pending],
            "lapsed": [i for i in waiting if not i.is_pending],
            "now": now,
            "max_sends": settings.SEMINAR_INVITATION_MAX_SENDS,
        },
    )


@organizer_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new link by email (the old one stops working), rate limited by the service."""
    invitation = get_object_or_404(Invitation, pk=pk, accepted_at__isnull=True)
    try:
        invitation = services.resend_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitations")
    services.send_invitation(invitation=invitation, base_url=request.build_absolute_uri("/"))
    messages.success(
        request, _("A new invitation link was sent to %(email)s.") % {"email": invitation.email}
    )
    return redirect("invitations")


@organizer_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, accepted_at__isnull=True)
    try:
        services.revoke_invitation(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("invitations")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_pending:
        forget_invitation(request)
        if invitation.revoked_at is not None:
            messages.error(request, _("This invitation was withdrawn by the organizers."))
        else:
            messages.error(request, _("This invitation was already used or has expired."))
        return redirect("account_login")
    remember_invitation(request, invitation)
    return redirect("account_signup")
