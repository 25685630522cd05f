"""Writes to the seminar domain: members, invitations, terms and weeks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from seminar.models import AssignmentChange, Invitation, Term, Topic, User
from seminar.permissions import ORGANIZERS_GROUP

# What organizers may do in the admin: everything about the seminar's content, nothing about
# Django's own machinery.
ORGANIZER_APPS = ("seminar", "papers", "reviews", "django_celery_beat")


def signup_allowed_for(email: str) -> bool:
    """An address may sign up if it was invited or belongs to an allowed domain."""
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    if domain and domain in settings.SEMINAR_SIGNUP_DOMAINS:
        return True
    return Invitation.objects.filter(email=email, accepted_at__isnull=True).exists()


@transaction.atomic
def invite_members(*, emails: Iterable[str], invited_by: User | None) -> list[Invitation]:
    """Create one invitation per address that has no account yet; return the new ones."""
    existing = set(User.objects.filter(email__in=list(emails)).values_list("email", flat=True))
    invitations = []
    for email in dict.fromkeys(e.lower() for e in emails):
        if email in existing:
            continue
        invitations.append(Invitation.objects.create(email=email, invited_by=invited_by))
    return invitations


def mark_invitation_accepted(*, email: str) -> None:
    Invitation.objects.filter(email=email.lower(), accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


def ensure_organizers_group() -> Group:
    """The organizers group, with every permission on the seminar's own apps."""
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS)
    group.permissions.set(permissions)
    return group


def make_organizer(user: User) -> None:
    user.groups.add(ensure_organizers_group())
    if not user.is_staff:
        user.is_staff = True  # organizers use the admin too
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_is_organizer", None)


def current_term(today: date | None = None) -> Term | None:
    """The term running today, else the latest one that has started, else the first one."""
    today = today or timezone.localdate()
    started = Term.objects.filter(starts_on__lte=today).order_by("-starts_on")
    running = started.filter(ends_on__isnull=True) | started.filter(ends_on__gte=today)
    return (
        running.order_by("-starts_on").first()
        or started.first()
        or Term.objects.order_by("starts_on").first()
    )


def get_term(name: str | None) -> Term:
    """The term a command means: the named one, or the current one."""
    if name:
        return Term.objects.get(name=name)
    term = current_term()
    if term is None:
        raise Term.DoesNotExist("There is no term yet.")
    return term


def send_invitation(*, invitation: Invitation, base_url: str) -> None:
    """Mail the invitation link. Sent right away: the organizer is waiting on the page."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    link = base_url.rstrip("/") + invitation.get_absolute_url()
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def record_assignment_change(
    *,
    topic: Topic,
    member: User,
    role: str,
    assigned: bool,
    actor: User | None,
) -> AssignmentChange:
    """Record that `member` gained or lost a role on `topic`.

    Every code path that changes a presenter or a reviewer calls this inside its transaction;
    the assignment email (if any) is sent by the worker after the change commits.
    """
    change = AssignmentChange.objects.create(
        topic=topic, member=member, role=role, assigned=assigned, actor=actor
    )
    transaction.on_commit(lambda: _notify_assignment_change(change.pk))
    return change


def _notify_assignment_change(change_id: int) -> None:
    """Have the worker send the assignment email (after the change committed).

    With the broker down nothing is lost: the change keeps `notified_at` empty and
    `seminar.send_pending_assignment_emails` (beat) mails it once the broker is back.
    """
    from seminar.queue import enqueue
    from seminar.tasks import send_assignment_email

    enqueue(send_assignment_email, change_id)
