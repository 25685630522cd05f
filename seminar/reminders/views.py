"""Pages around reminder emails: the unsubscribe link, and organizers' delivery status."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from seminar import reminders
from seminar.models import ReminderPolicy, SentReminder, User
from seminar.permissions import organizer_required


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
def reminder_status(request: HttpRequest) -> HttpResponse:
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
            "hint": "",
            "rows": problems["held"],
            "badge": "badge-open",
        },
    ]
    counts = reminders.counts_by_status(now - timedelta(days=7))
    labels = dict(SentReminder.Status.choices)
    return render(
        request,
        "seminar/reminders.html",
        {
            "sections": sections,
            "counts": [(labels.get(status, status), n) for status, n in counts.items()],
            "policy": ReminderPolicy.current(),
        },
    )
