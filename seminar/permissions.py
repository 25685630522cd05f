"""Who may do what, as plain predicates used by views and templates alike."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

ORGANIZERS_GROUP = "organizers"


def is_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_organizer(user: Any) -> bool:
    if not is_member(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organizer", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANIZERS_GROUP).exists()
        user._is_organizer = cached
    return cached


class MemberBackend(ModelBackend):
    """Django's model backend, but the signed-in member is read with whether they organize.

    Every page asks (the navigation's Organize menu), so the answer comes in the one query
    that loads the member for the session instead of a second one; `is_organizer` reads it
    from the instance, which lives for one request only, so a change of group is seen on the
    next request. The query is written once in SQL: building it with the ORM on every request
    cost several times more CPU than running it."""

    def get_user(self, user_id: Any) -> Any:
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = list(model._default_manager.raw(_member_sql(), [ORGANIZERS_GROUP, pk]))
        if not found:
            return None
        user = found[0]
        user._is_organizer = bool(user._is_organizer)
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _member_sql() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    quote = connection.ops.quote_name
    model = get_user_model()
    through = model.groups.through._meta
    member = quote(model._meta.db_table)
    return (
        f"SELECT {member}.*, EXISTS (SELECT 1 FROM {quote(through.db_table)} m "
        f"JOIN {quote(Group._meta.db_table)} g "
        f"ON g.{quote(Group._meta.pk.column)} = m.{quote(through.get_field('group').column)} "
        f"WHERE m.{quote(through.get_field(model._meta.model_name).column)} "
        f"= {member}.{quote(model._meta.pk.column)} "
        f"AND g.{quote(Group._meta.get_field('name').column)} = %s) AS _is_organizer "
        f"FROM {member} WHERE {member}.{quote(model._meta.pk.column)} = %s"
    )


def organizer_required(view):
    """Signed-in organizers only; everyone else gets 403 (anonymous: the sign-in page)."""

    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not is_organizer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- the organizers group's permissions in the admin ----------------------------------------
# Organizers run the seminar: its terms, weeks, topics, slots, papers, digests and reminders.
# They never manage accounts, permissions or the task scheduler: each of those is a way to
# become superuser, to take over an account or to run code on the server (issue 10, finding 2).

VIEW = ("view",)
ALL_ACTIONS = ("view", "add", "change", "delete")

# What the group is given, per model label (lower case): an allow-list, so a new model gives
# organizers nothing in the admin until it is added here.
ORGANIZER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "seminar.term": ALL_ACTIONS,
    "seminar.week": ALL_ACTIONS,
    "seminar.topic": ALL_ACTIONS,
    "seminar.reviewerslot": ALL_ACTIONS,
    "seminar.unavailability": ALL_ACTIONS,
    # A typo in an address is fixed by deleting the invitation and inviting again.
    "seminar.invitation": ("view", "add", "delete"),
    "seminar.assignmentchange": VIEW,  # a log written by the scheduling services
    "seminar.reminderpolicy": ("view", "change"),  # one row, made by a migration
    "seminar.sentreminder": VIEW,  # the reminder log (its "try again" action needs no more)
    # Members are looked up (the admin's presenter and reviewer pickers need it), never changed:
    # a changed address is a password reset away from owning the account.
    "seminar.user": VIEW,
    "papers.digestsource": ALL_ACTIONS,
    "papers.digest": ("view", "change", "delete"),  # imports are uploaded in the app
    "papers.candidatepaper": ALL_ACTIONS,
    "papers.papersummary": ALL_ACTIONS,
    "papers.paperinterest": ("view", "delete"),  # members' own marks
    "reviews.review": ("view", "change"),  # organizers edit reviews in the app too
    "reviews.reviewsection": ALL_ACTIONS,
    "reviews.memberupload": VIEW,  # who uploaded which image (its admin is read-only)
    # When the reminders go out, read-only: a periodic task names any task with any arguments.
    "django_celery_beat.periodictask": VIEW,
    "django_celery_beat.crontabschedule": VIEW,
    "django_celery_beat.intervalschedule": VIEW,
    "django_celery_beat.solarschedule": VIEW,
    "django_celery_beat.clockedschedule": VIEW,
}

ANY = None  # every permission of the model, custom ones included


def _user_model_label() -> str:
    from django.conf import settings

    return settings.AUTH_USER_MODEL.lower()


def organizer_denied_rules() -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(app label, model or "*", actions or ANY) the group must never hold, whatever the
    allow-list says or anyone grants by hand; `ensure_organizers_group` strips them."""
    user_app, user_model = _user_model_label().split(".")
    return [
        # Accounts: add one, change privileges or the address, set the password, delete.
        (user_app, user_model, ("add", "change", "delete")),
        ("auth", "*", ANY),  # groups and permissions: granting oneself anything
        ("account", "*", ANY),  # allauth's addresses: a verified address on another's account
        ("sessions", "*", ANY),  # a session row is a signed-in browser
        ("sites", "*", ANY),  # the domain in password-reset and invitation links
        ("admin", "*", ANY),  # the admin's own log, the audit trail
        ("contenttypes", "*", ANY),
        ("django_celery_beat", "*", ("add", "change", "delete")),  # arbitrary tasks and args
    ]


def organizer_permission_denied(app_label: str, model: str, codename: str) -> bool:
    for rule_app, rule_model, actions in organizer_denied_rules():
        if rule_app != app_label or rule_model not in ("*", model):
            continue
        if actions is ANY or codename.split("_", 1)[0] in actions:
            return True
    return False


def organizer_model_writes_denied(app_label: str, model: str) -> bool:
    """Whether adding, changing or deleting rows of this model is denied to organizers: the
    admin then lets only superusers write it, whatever permissions someone holds."""
    return any(
        organizer_permission_denied(app_label, model, f"{action}_{model}")
        for action in ("add", "change", "delete")
    )
