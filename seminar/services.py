"""Writes to the seminar domain: members, invitations, terms and weeks."""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
    """Invitations whose link still works: not accepted, not revoked, not expired."""
    return Invitation.objects.filter(
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        created_at__gt=timezone.now() - INVITATION_LIFETIME,
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


# The most addresses one form may carry (a paste of a whole class list fits).
MAX_INVITATIONS_AT_ONCE = 200


class Rejection:
    """Why an address of a batch was not invited (`RejectedAddress.reason`)."""

    SYNTAX = "syntax"  # not an email address
    DUPLICATE = "duplicate"  # listed more than once in the batch (invited once)
    INVITED = "invited"  # an invitation for it is pending (resend it instead)
    TOO_MANY = "too_many"  # past MAX_INVITATIONS_AT_ONCE


@dataclass(frozen=True)
class RejectedAddress:
    address: str
    reason: str  # a `Rejection` value


@dataclass(frozen=True)
class InvitationBatch:
    created: list[Invitation] = field(default_factory=list)  # new or renewed: mail these
    rejected: list[RejectedAddress] = field(default_factory=list)  # named, with the reason
    members: list[User] = field(default_factory=list)  # addresses that are members already
    repeated: bool = False  # the same form was sent before: nothing was done this time

    def rejected_for(self, reason: str) -> list[str]:
        return [r.address for r in self.rejected if r.reason == reason]


def split_addresses(text: str) -> list[str]:
    """The items of a pasted list: separated by commas, semicolons, spaces or new lines;
    "Name <address>" keeps the address."""
    items = []
    for item in text.replace(",", " ").replace(";", " ").split():
        item = item.strip().strip("<>").strip()
        if item:
            items.append(item)
    return items


def sort_addresses(items: Iterable[str]) -> tuple[list[str], list[RejectedAddress]]:
    """Valid addresses (normalized, each once, in the order given) and the rejected items
    with the reason: not an address, listed twice, or past the batch limit."""
    valid: list[str] = []
    rejected: list[RejectedAddress] = []
    seen: set[str] = set()
    for item in items:
        address = _normalized(item)
        try:
            validate_email(address)
        except ValidationError:
            rejected.append(RejectedAddress(item[:254], Rejection.SYNTAX))
            continue
        if address in seen:
            rejected.append(RejectedAddress(address, Rejection.DUPLICATE))
            continue
        seen.add(address)
        if len(valid) >= MAX_INVITATIONS_AT_ONCE:
            rejected.append(RejectedAddress(address, Rejection.TOO_MANY))
            continue
        valid.append(address)
    return valid, rejected


@transaction.atomic
def invite_members(
    *,
    emails: Iterable[str],
    invited_by: User | None,
    form_token: uuid.UUID | None = None,
) -> InvitationBatch:
    """Invite every valid address that has no account and no invitation waiting; renew
    expired or revoked invitations with a new link. Returns what to mail (the caller mails
    after this commits), and every address left out with the reason: one bad address never
    stops the others.

    At most one invitation per address is open (a database constraint), so two organizers,
    or one form sent twice without its token, still make one invitation and one email.
    """
    if form_token is not None:
        claim = claim_form_token(
            token=form_token, kind=FormSubmission.Kind.INVITATIONS, user=invited_by
        )
        if not claim.first:
            return InvitationBatch(repeated=True)
    wanted, rejected = sort_addresses(emails)
    members = {
        user.email.lower(): user for user in User.objects.filter(email__in=wanted).order_by("pk")
    }
    created: list[Invitation] = []
    # One order for every transaction, so two batches never wait on each other's rows.
    for email in sorted(wanted):
        if email in members:
            continue
        invitation = _open_invitation(email=email, invited_by=invited_by)
        if invitation is None:
            rejected.append(RejectedAddress(email, Rejection.INVITED))
        else:
            created.append(invitation)
    return InvitationBatch(
        created=created,
        rejected=rejected,
        members=[members[e] for e in wanted if e in members],
    )


def _open_invitation(*, email: str, invited_by: User | None) -> Invitation | None:
    """A new invitation for `email`, or its expired or revoked one renewed; None if one is
    pending."""
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
    # Expired or revoked: the old link stays dead, a new one goes out.
    existing.token = secrets.token_urlsafe(32)
    existing.created_at = timezone.now()
    existing.invited_by = invited_by
    existing.revoked_at = None
    existing.sent_count = 1
    existing.save(update_fields=["token", "created_at", "invited_by", "revoked_at", "sent_count"])
    return existing


def _locked_open_invitation(invitation: Invitation) -> Invitation:
    found = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation.pk, accepted_at__isnull=True)
        .first()
    )
    if found is None:
        raise ValidationError(_("This invitation was already used."), code="accepted")
    return found


def resend_wait(invitation: Invitation, now=None) -> timedelta:
    """How long until the invitation may be sent again (zero: now)."""
    now = now or timezone.now()
    interval = timedelta(minutes=settings.SEMINAR_INVITATION_RESEND_MINUTES)
    return max(timedelta(0), invitation.created_at + interval - now)


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor: User | None, now=None) -> Invitation:
    """A new link (the old one stops working) and a fresh lifetime, for an invitation not
    accepted; the caller mails it after this commits.

    Rate limited: not within `SEMINAR_INVITATION_RESEND_MINUTES` of the last email, and not
    more than `SEMINAR_INVITATION_MAX_SENDS` emails in all (an inbox is not a target).
    """
    now = now or timezone.now()
    invitation = _locked_open_invitation(invitation)
    if invitation.sent_count >= settings.SEMINAR_INVITATION_MAX_SENDS:
        raise ValidationError(
            _("%(email)s was sent %(count)d emails already; revoke it and invite again later.")
            % {"email": invitation.email, "count": invitation.sent_count},
            code="too_many",
        )
    wait = resend_wait(invitation, now)
    if wait > timedelta(0) and invitation.revoked_at is None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise ValidationError(
            _("The invitation to %(email)s was sent just now; resend it in %(minutes)d min.")
            % {"email": invitation.email, "minutes": minutes},
            code="too_soon",
        )
    invitation.token = secrets.token_urlsafe(32)
    invitation.created_at = now
    invitation.revoked_at = None
    invitation.sent_count += 1
    if actor is not None:
        invitation.invited_by = actor
    invitation.save(update_fields=["token", "created_at", "revoked_at", "sent_count", "invited_by"])
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, now=None) -> Invitation:
    """Take back an invitation not accepted: its link stops working at once (a browser that
    opened it is refused at sign-up too), and its address may be invited again later."""
    invitation = _locked_open_invitation(invitation)
    if invitation.revoked_at is None:
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


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


def group_name(request=None) -> str:
    """The group's name as the site calls it (the Sites framework's name), "Seminar" while it
    is still Django's placeholder."""
    from django.contrib.sites.shortcuts import get_current_site

    name = get_current_site(request).name if request is not None else ""
    if not name or name == "example.com":
        return "Seminar"
    return name


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
    reason: str = "",
) -> AssignmentChange:
    """Record that `member` gained or lost a role on `topic`.

    Every code path that changes a presenter or a reviewer calls this inside its transaction;
    the assignment email (if any) is sent by the worker after the change commits. `reason`
    ("swap") says how it changed hands (`AssignmentChange.Reason`).
    """
    change = AssignmentChange.objects.create(
        topic=topic, member=member, role=role, assigned=assigned, actor=actor, reason=reason
    )
    transaction.on_commit(
        lambda: assignment_changed.send(sender=AssignmentChange, change_id=change.pk)
    )
    return change
