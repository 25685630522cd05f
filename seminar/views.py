from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviews import selectors as review_selectors
from reviews.selectors import dashboard_for
from seminar import selectors, services
from seminar.adapters import forget_invitation, remember_invitation
from seminar.forms import InvitationForm, ProfileForm
from seminar.lib.redirects import safe_next
from seminar.models import Invitation, User
from seminar.permissions import organizer_required

# Weeks per page of the archive: the coming weeks and the last few months, then older pages.
WEEKS_PER_PAGE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard: next week, their slots and presentations, slots to take."""
    now = timezone.now()
    dashboard = dashboard_for(request.user, now)
    return render(
        request,
        "seminar/home.html",
        {"week": dashboard.week, "dashboard": dashboard, "now": now},
    )


@login_required
def week_list(request: HttpRequest) -> HttpResponse:
    """Every week, newest first, a page at a time (five years are 250 weeks)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    page = Paginator(selectors.weeks_for_archive(), WEEKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    weeks = review_selectors.add_review_counts(page.object_list)
    return render(request, "seminar/week_list.html", {"weeks": weeks, "page": page, "today": today})


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
        if batch.repeated:
            messages.info(request, _("This form was already sent; nothing more was done."))
        else:
            messages.success(
                request, _("%(count)d invitation(s) sent.") % {"count": len(batch.created)}
            )
        if batch.skipped:
            messages.info(
                request,
                _("Not invited again (already a member, or invited and not expired): %(emails)s")
                % {"emails": ", ".join(batch.skipped)},
            )
        return redirect("invitations")
    pending = Invitation.objects.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(request, "seminar/invitations.html", {"form": form, "pending": pending})


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_pending:
        forget_invitation(request)
        messages.error(request, _("This invitation was already used or has expired."))
        return redirect("account_login")
    remember_invitation(request, invitation)
    return redirect("account_signup")
