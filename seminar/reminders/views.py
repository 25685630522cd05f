"""Pages around reminder emails: the unsubscribe link, and the organizers' reminders tool:
what goes out when for each coming week, a preview of each email, "remind now", the cadence,
and delivery problems."""

from __future__ import annotations

import re
from datetime import timedelta

import nh3
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seminar import reminders
from seminar.models import ReminderPolicy, SentReminder, User, Week
from seminar.permissions import organizer_required
from seminar.reminders.emails import render_reminder
from seminar.reminders.forms import ReminderPolicyForm
from seminar.reminders.manual import remind_reviewers_now
from seminar.reminders.outlook import coming_weeks_outlook


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 1)}@{domain}"


# No sign-in and no CSRF token: the signed token is the credential, and mail clients send the
# RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) without any cookie.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = reminders.read_unsubscribe_token(token)
    if found is None:
        return render(request, "seminar/unsubscribe.html", {"invalid": True}, status=400)
    user, preference = found
    field = User._meta.get_field(reminders.PREFERENCES[preference])
    context = {
        "what": field.verbose_name,
        "email": _masked(user.email),
        "token": token,
    }
    # The page speaks the language the emails came in, signed in or not.
    with translation.override(reminders.language_of(user)):
        if request.method == "POST":
            reminders.unsubscribe(user=user, preference=preference)
            return render(request, "seminar/unsubscribe_done.html", context)
        return render(request, "seminar/unsubscribe.html", context)


@organizer_required
@require_http_methods(["GET", "POST"])
def reminder_status(request: HttpRequest) -> HttpResponse:
    """The reminders tool. POST saves the cadence (the form re-renders bound if refused)."""
    policy = ReminderPolicy.current()
    form = ReminderPolicyForm(request.POST or None, instance=policy, prefix="policy")
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The reminder cadence was saved."))
            return redirect("reminder_status")
        return _status_page(request, form, status=400)
    return _status_page(request, form)


def _status_page(request: HttpRequest, form: ReminderPolicyForm, status: int = 200):
    now = timezone.now()
    problems = reminders.delivery_problems(now)
    sections = [
        {
            "title": _("Addresses that failed permanently"),
            "hint": _(
                "The mail server refused the address, or sending failed too many times. "
                "Nothing more is tried for these emails; check the member's address."
            ),
            "rows": problems["gave_up"],
            "badge": "badge-bad",
        },
        {
            "title": _("Failing, will retry"),
            "hint": "",
            "rows": problems["retrying"],
            "badge": "badge-warn",
        },
        {
            "title": _("Interrupted while sending"),
            "hint": _(
                "The worker stopped during the send. The next reminder run sends these "
                "again; one that had already reached the mail server may arrive twice."
            ),
            "rows": problems["interrupted"],
            "badge": "badge-warn",
        },
        {
            "title": _("Held for quiet hours"),
            "hint": _("Queued emails that wait for the end of quiet hours in the member's zone."),
            "rows": problems["held"],
            "badge": "badge-open",
        },
    ]
    counts = reminders.counts_by_status(now - timedelta(days=7))
    labels = dict(SentReminder.Status.choices)
    policy = form.instance
    return render(
        request,
        "seminar/reminders.html",
        {
            "weeks": coming_weeks_outlook(now, ReminderPolicy.current()),
            "sections": [section for section in sections if section["rows"]],
            "counts": [(labels.get(status, status), n) for status, n in counts.items()],
            "policy": policy,
            "form": form,
            "now": now,
        },
        status=status,
    )


# --- preview -------------------------------------------------------------------------------

PREVIEW_KINDS = set(SentReminder.Kind.values)
# Where the unsubscribe link would be: the member's real link is theirs, not the organizer's.
PREVIEW_UNSUBSCRIBE = "#unsubscribe-link"
_PREVIEW_TAGS = {
    "a", "b", "br", "div", "em", "h1", "h2", "h3", "hr", "i", "li", "ol", "p", "span",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_CHANGE_KEY = re.compile(r"change:[0-9]{1,12}")
# What reminder keys are made of (`week:3`, `week:3:-1d`, `week:3:now:2026-12-03`,
# `summary:2026-W49`, `change:12`): anything else names no email (and a NUL byte, say,
# must not reach the database).
_KEY = re.compile(r"[A-Za-z0-9:+-]{1,100}")


def _preview_reminder(request: HttpRequest, week: int, member: int, kind: str) -> SentReminder:
    """The email the URL names (week, member, kind, and `?key=` for the stage or the
    assignment change), as an unsaved log row. 404 for anything that names none."""
    if kind not in PREVIEW_KINDS:
        raise Http404
    recipient = get_object_or_404(User, pk=member)
    the_week = get_object_or_404(Week.objects.select_related("term"), pk=week)
    key = request.GET.get("key", "") or f"week:{the_week.pk}"
    if not _KEY.fullmatch(key):
        raise Http404
    if kind == SentReminder.Kind.ASSIGNMENT and not _CHANGE_KEY.fullmatch(key):
        raise Http404
    logged = (
        SentReminder.objects.filter(recipient=recipient, kind=kind, key=key)
        .values_list("created_at", flat=True)
        .first()
    )
    return SentReminder(
        recipient=recipient,
        kind=kind,
        key=key,
        week=the_week,
        created_at=logged or timezone.now(),
    )


def _rendered(reminder: SentReminder):
    return render_reminder(reminder, timezone.now(), unsubscribe_link=PREVIEW_UNSUBSCRIBE)


def _plain(value: str) -> str:
    """`value` as a plain `str`, no longer marked safe (so templates escape it)."""
    return value[:]  # a slice of a SafeString is a plain str


def sanitized_email_html(html: str) -> str:
    """The email's HTML as the preview shows it: its tags and inline styles, nothing active
    (the frame is sandboxed too: no script, no forms, an origin of its own)."""
    return nh3.clean(
        html,
        tags=_PREVIEW_TAGS,
        attributes={"*": {"style"}, "a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        clean_content_tags={"head", "title", "script", "style"},
    )


@organizer_required
@require_GET
def reminder_preview(request: HttpRequest, week: int, member: int, kind: str) -> HttpResponse:
    """One email as its recipient would get it, in their language: subject, text, and the
    HTML, sanitized, in a sandboxed frame (`srcdoc`: no URL of its own, the page's policy)."""
    reminder = _preview_reminder(request, week, member, kind)
    rendered = _rendered(reminder)
    return render(
        request,
        "seminar/reminder_preview.html",
        {
            "reminder": reminder,
            "language": reminders.language_of(reminder.recipient),
            "zone": reminders.zone_of(reminder.recipient).key,
            # Plain strings: `render_to_string` marks its output safe, and the email's text
            # (rendered with autoescape off) must be escaped on this page like any text.
            "subject": _plain(rendered[0]) if rendered else "",
            "text": _plain(rendered[1]) if rendered else "",
            # Autoescaped into the attribute by the template: markup only inside the frame.
            "html": sanitized_email_html(rendered[2]) if rendered else "",
            "nothing": rendered is None,
        },
    )


# --- remind now ----------------------------------------------------------------------------


@organizer_required
@require_POST
def remind_now(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(Week, pk=pk)
    try:
        result = remind_reviewers_now(week=week, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('reminder_status')}#week-{week.pk}")
    if result.queued:
        messages.success(
            request,
            _("Reminders are being sent to %(count)d reviewer(s).") % {"count": result.queued},
        )
    if result.held:
        messages.info(
            request,
            _(
                "%(count)d reminder(s) wait for the end of quiet hours in the reviewer's zone; "
                "the list below says when they go."
            )
            % {"count": result.held},
        )
    if result.already:
        messages.info(
            request,
            _("%(count)d reviewer(s) were already reminded today; they get no second email.")
            % {"count": result.already},
        )
    if result.opted_out:
        messages.info(
            request,
            _("%(count)d reviewer(s) switched deadline reminders off and were not emailed.")
            % {"count": result.opted_out},
        )
    if not (result.queued or result.held or result.already or result.opted_out):
        messages.info(request, _("Every reviewer of this week has submitted; nobody to remind."))
    return redirect(f"{reverse('reminder_status')}#week-{week.pk}")
