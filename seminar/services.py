"""Writes to the seminar domain: members, invitations, terms and weeks."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from seminar.lib.emails import render_email
from seminar.models import (
    INVITATION_LIFETIME,
    AssignmentChange,
    FormSubmission,
    Invitation,
    Term,
    Topic,
    User,
)
from seminar.permissions import (
    ORGANIZER_PERMISSIONS,
    ORGANIZERS_GROUP,
    organizer_permission_denied,
)
from seminar.signals import assignment_changed

# --- one-time form tokens ----------------------------------------------------------------------


@dataclass(frozen=True)
class FormClaim:
    submission: FormSubmission
    first: bool  # False: this form was sent before (`submission` is that earlier sending)


def claim_form_token(
    *, token: uuid.UUID, kind: FormSubmission.Kind, user: User | None
) -> FormClaim:
    """Record that the form with this one-time token is being sent.

    Call inside the transaction that does the form's work: if the work fails the claim goes
    with it, so the corrected form can be sent again. A second sending of the same form, even
    at the same instant from another connection, waits for the first to commit and then
    finds it (the token is unique): `first` is False and the caller does nothing again.
    """
    try:
        with transaction.atomic():
            submission = FormSubmission.objects.create(token=token, kind=kind, user=user)
    except IntegrityError:
        return FormClaim(FormSubmission.objects.get(token=token), first=False)
    return FormClaim(submission, first=True)


# --- invitations and sign-up ----------------------------------------------------------------


def _normalized(email: str) -> str:
    return email.strip().lower()


def pending_invitations():
    """Invitations whose link still works: not accepted, not expired."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, created_at__gt=timezone.now() - INVITATION_LIFETIME
    )


def has_pending_invitation(email: str) -> bool:
    return pending_invitations().filter(email=_normalized(email)).exists()


def signup_domain_allowed(email: str) -> bool:
    domain = _normalized(email).rpartition("@")[2]
    return bool(domain) and domain in settings.SEMINAR_SIGNUP_DOMAINS


def signup_allowed_for(email: str) -> bool:
    """May `email` sign up without an invitation link? Only in an allowed domain, and only if
    no invitation is waiting for it: that address is its invitee's to claim, through the link
    sent to it (anyone can type an address)."""
    return signup_domain_allowed(email) and not has_pending_invitation(email)


def pending_invitation_for_token(token: str | None) -> Invitation | None:
    """The invitation with this link token, if its link still works."""
    if not token:
        return None
    return pending_invitations().filter(token=token).first()


def use_invitation(*, token: str, email: str) -> Invitation | None:
    """Mark the invitation accepted if its link still works and it is for `email`; None if
    not (used meanwhile, expired, another address).

    Call inside the transaction that creates the account: the row lock makes two sign-ups
    through one link take turns, so exactly one uses it, and the account and the accepted
    invitation are saved together or not at all.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_pending or invitation.email != _normalized(email):
        return None
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation


@dataclass(frozen=True)
class InvitationBatch:
    created: list[Invitation] = field(default_factory=list)  # new or renewed: mail these
    skipped: list[str] = field(default_factory=list)  # already members or already invited
    repeated: bool = False  # the same form was sent before: nothing was done this time


@transaction.atomic
def invite_members(
    *,
    emails: Iterable[str],
    invited_by: User | None,
    form_token: uuid.UUID | None = None,
) -> InvitationBatch:
    """Invite every address that has no account and no invitation waiting; renew expired
    invitations with a new link. Returns what to mail (the caller mails after this commits).

    At most one invitation per address is open (a database constraint), so two organizers,
    or one form sent twice without its token, still make one invitation and one email.
    """
    if form_token is not None:
        claim = claim_form_token(
            token=form_token, kind=FormSubmission.Kind.INVITATIONS, user=invited_by
        )
        if not claim.first:
            return InvitationBatch(repeated=True)
    wanted = list(dict.fromkeys(_normalized(e) for e in emails))
    members = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    created: list[Invitation] = []
    skipped: list[str] = []
    # One order for every transaction, so two batches never wait on each other's rows.
    for email in sorted(wanted):
        if email in members:
            skipped.append(email)
            continue
        invitation = _open_invitation(email=email, invited_by=invited_by)
        if invitation is None:
            skipped.append(email)
        else:
            created.append(invitation)
    return InvitationBatch(created=created, skipped=skipped)


def _open_invitation(*, email: str, invited_by: User | None) -> Invitation | None:
    """A new invitation for `email`, or its expired one renewed; None if one is pending."""
    try:
        with transaction.atomic():
            return Invitation.objects.create(email=email, invited_by=invited_by)
    except IntegrityError:
        pass  # an open invitation exists (or another transaction just made one)
    existing = (
        Invitation.objects.select_for_update().filter(email=email, accepted_at__isnull=True).first()
    )
    if existing is None or existing.is_pending:
        return None
    # Expired: the old link stays dead, a new one goes out.
    existing.token = secrets.token_urlsafe(32)
    existing.created_at = timezone.now()
    existing.invited_by = invited_by
    existing.save(update_fields=["token", "created_at", "invited_by"])
    return existing


@transaction.atomic
def ensure_organizers_group() -> Group:
    """The organizers group, holding the allow-list and none of the denied permissions.

    Runs after every `migrate` too (seminar/apps.py), so a group made before the allow-list
    existed, or given more by hand, is brought back to it. Permissions someone added that are
    neither allowed nor denied are left alone: they are a superuser's choice.
    """
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    held = group.permissions.select_related("content_type")
    denied = [p for p in held if _denied_to_organizers(p)]
    if denied:
        group.permissions.remove(*denied)
    wanted = {
        (label, f"{action}_{label.split('.')[1]}")
        for label, actions in ORGANIZER_PERMISSIONS.items()
        for action in actions
    }
    candidates = Permission.objects.filter(
        content_type__app_label__in={label.split(".")[0] for label in ORGANIZER_PERMISSIONS}
    ).select_related("content_type")
    allowed = [
        p
        for p in candidates
        if (f"{p.content_type.app_label}.{p.content_type.model}", p.codename) in wanted
        and not _denied_to_organizers(p)
    ]
    group.permissions.add(*allowed)
    return group


def _denied_to_organizers(permission: Permission) -> bool:
    content_type = permission.content_type
    return organizer_permission_denied(
        content_type.app_label, content_type.model, permission.codename
    )


def make_organizer(user: User) -> None:
    user.groups.add(ensure_organizers_group())
    if not user.is_staff:
        user.is_staff = True  # organizers use the admin too
        user.save(update_fields=["is_staff"])
    for cache in ("_is_organizer", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


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


def send_invitation(*, invitation: Invitation, base_url: str, language: str | None = None) -> None:
    """Mail the invitation link, in `language` (the inviting organizer's). Sent right away:
    the organizer is waiting on the page."""
    inviter = invitation.invited_by.display_name if invitation.invited_by else "Seminar"
    context = {
        "invitation": invitation,
        "inviter": inviter,
        "link": base_url.rstrip("/") + invitation.get_absolute_url(),
        "expires_at": invitation.created_at + INVITATION_LIFETIME,
    }
    subject, text, html = render_email(
        "invitation", context, language=language or translation.get_language()
    )
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()


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
    transaction.on_commit(
        lambda: assignment_changed.send(sender=AssignmentChange, change_id=change.pk)
    )
    return change
