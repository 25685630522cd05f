from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reviews import selectors as review_selectors
from reviews.selectors import dashboard_for
from seminar import selectors, services
from seminar.adapters import forget_invitation, remember_invitation
from seminar.forms import InvitationForm, ProfileForm
from seminar.lib.redirects import safe_next
from seminar.models import Invitation, User
from seminar.permissions import is_organizer, organizer_required
from seminar.scheduling.attention import needs_attention

# Weeks per page of the archive: the coming weeks and the last few months, then older pages.
WEEKS_PER_PAGE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard: next week, their slots and presentations, slots to take; for
    organizers, above it, what needs their attention this week."""
    now = timezone.now()
    dashboard = dashboard_for(request.user, now)
    attention = needs_attention(now=now) if is_organizer(request.user) else None
    return render(
        request,
        "seminar/home.html",
        {"week": dashboard.week, "dashboard": dashboard, "now": now, "attention": attention},
    )


@login_required
def week_list(request: HttpRequest) -> HttpResponse:
    """Every week as a calendar reads them: the coming ones first, soonest first, then the
    past ones newest first, in runs of one term; a page at a time (five years are 250 weeks)."""
    now = timezone.now()
    page = Paginator(selectors.weeks_for_archive(now), WEEKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    weeks = review_selectors.add_review_counts(page.object_list)
    groups = selectors.group_archive_weeks(weeks, now=now, first_page=page.number == 1)
    return render(
        request,
        "seminar/week_list.html",
        {
            "groups": groups,
            "coming": [g for g in groups if g.coming],
            "past": [g for g in groups if not g.coming],
            "page": page,
            "now": now,
        },
    )


@login_required
def week_detail(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(review_selectors.weeks_with_content(), pk=pk)
    return render(request, "seminar/week_detail.html", {"week": week, "now": timezone.now()})


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
