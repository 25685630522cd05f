"""Finding 2 and 9 of issue 10: an organizer must not become superuser, take over an account or
run arbitrary tasks through the admin, and the admin's sign-in must be rate limited.

Every attack here is sent with a form a superuser's identical request succeeds with (the
`test_a_superuser_…` tests prove the bodies are real), so a refusal is the guard's doing.
"""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reviews.models import Review
from seminar.config import settings as production
from seminar.models import User
from seminar.permissions import (
    ORGANIZER_PERMISSIONS,
    ORGANIZERS_GROUP,
    organizer_permission_denied,
)
from seminar.services import ensure_organizers_group, make_organizer
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
TOO_MANY = "Too many failed login attempts. Try again later."


def _user_form(user: User, **changes) -> dict:
    """The user admin's change form as the page sends it, with `changes` applied."""
    data = {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "timezone": user.timezone,
        "email_weekly": "on",
        "email_deadlines": "on",
        "email_assignments": "on",
        "is_active": "on",
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "_save": "Save",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _escalation(user: User) -> dict:
    group = ensure_organizers_group()
    return _user_form(user, is_staff="on", is_superuser="on", groups=[group.pk])


def _privileges(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.email,
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        user.password,
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password=PASSWORD)


# --- the user admin ------------------------------------------------------------------------


def test_an_organizer_cannot_make_themselves_superuser(organizer_client, organizer):
    before = _privileges(organizer)
    url = reverse("admin:seminar_user_change", args=[organizer.pk])
    response = organizer_client.post(url, _escalation(organizer))
    assert response.status_code == 403
    assert _privileges(organizer) == before
    assert not organizer.is_superuser


def test_an_organizer_cannot_make_another_member_staff_or_superuser(organizer_client, member):
    before = _privileges(member)
    url = reverse("admin:seminar_user_change", args=[member.pk])
    response = organizer_client.post(url, _escalation(member))
    assert response.status_code == 403
    assert _privileges(member) == before


def test_an_organizer_cannot_change_a_members_email_to_take_over_the_account(
    organizer_client, member
):
    """A new address is a password reset away from owning the account."""
    url = reverse("admin:seminar_user_change", args=[member.pk])
    response = organizer_client.post(url, _user_form(member, email="attacker@example.com"))
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.email == "member@example.com"


def test_an_organizer_cannot_change_or_delete_a_superuser(organizer_client, superuser):
    before = _privileges(superuser)
    change = reverse("admin:seminar_user_change", args=[superuser.pk])
    assert organizer_client.post(change, _user_form(superuser, is_active=None)).status_code == 403
    delete = reverse("admin:seminar_user_delete", args=[superuser.pk])
    assert organizer_client.post(delete, {"post": "yes"}).status_code == 403
    assert _privileges(superuser) == before
    superuser.refresh_from_db()
    assert superuser.is_active


@pytest.mark.parametrize("target", ["member", "superuser", "organizer"])
def test_an_organizer_cannot_open_or_use_the_set_password_form(organizer_client, request, target):
    user = request.getfixturevalue(target)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    assert organizer_client.get(url).status_code == 403
    body = {
        "password1": "taken-over-9-pass",
        "password2": "taken-over-9-pass",
        "usable_password": "true",
    }
    assert organizer_client.post(url, body).status_code == 403
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_organizer_cannot_add_a_user(organizer_client):
    url = reverse("admin:seminar_user_add")
    body = {
        "email": "puppet@example.com",
        "name": "puppet",
        "password1": "a-long-pass-phrase-9",
        "password2": "a-long-pass-phrase-9",
        "usable_password": "true",
    }
    assert organizer_client.get(url).status_code == 403
    assert organizer_client.post(url, body).status_code == 403
    assert not User.objects.filter(email="puppet@example.com").exists()


def test_the_user_page_shows_an_organizer_no_privilege_fields(organizer_client, member):
    """Organizers may look members up (the admin's presenter and reviewer pickers need it),
    read-only and without the fields that grant power."""
    response = organizer_client.get(reverse("admin:seminar_user_change", args=[member.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", "password"):
        assert f'name="{field}"' not in page
        assert f"field-{field}" not in page
    assert "member@example.com" in page


def test_a_superuser_can_still_grant_and_set_passwords(client, superuser, member):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:seminar_user_change", args=[member.pk]), _escalation(member)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.is_superuser
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    body = {
        "password1": "a-new-pass-phrase-9",
        "password2": "a-new-pass-phrase-9",
        "usable_password": "true",
    }
    assert client.post(url, body).status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-new-pass-phrase-9")


def test_an_organizer_cannot_delete_members_reviews_by_deleting_their_week(
    organizer_client, member
):
    """As in the app ("This topic has reviews; it cannot be removed"): members' reviews go
    only with a superuser's delete."""
    review = ReviewFactory(slot__reviewer=member, author=member)
    week = review.slot.topic.week
    url = reverse("admin:seminar_week_delete", args=[week.pk])
    assert organizer_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:seminar_week_changelist")
    body = {"action": "delete_selected", "_selected_action": [week.pk], "post": "yes"}
    assert organizer_client.post(changelist, body).status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()


# --- periodic tasks ------------------------------------------------------------------------


def _task_form(existing: PeriodicTask | None = None, **changes) -> dict:
    crontab = CrontabSchedule.objects.order_by("pk").first()
    data = {
        "name": existing.name if existing else "Run anything",
        "regtask": "",
        "task": existing.task if existing else "celery.backend_cleanup",
        "enabled": "on",
        "description": "",
        "crontab": crontab.pk,
        "start_time_0": "",
        "start_time_1": "",
        "args": "[]",
        "kwargs": "{}",
        "expire_seconds": "",
        "queue": "",
        "exchange": "",
        "routing_key": "",
        "headers": "{}",
        "priority": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def _tasks() -> list:
    return list(
        PeriodicTask.objects.order_by("pk").values_list(
            "name", "task", "args", "kwargs", "enabled", "crontab_id"
        )
    )


def test_an_organizer_cannot_add_a_periodic_task(organizer_client):
    before = _tasks()
    url = reverse("admin:django_celery_beat_periodictask_add")
    body = _task_form(task="seminar.send_weekly_reminders", args=json.dumps([1, 2, 3]))
    assert organizer_client.get(url).status_code == 403
    assert organizer_client.post(url, body).status_code == 403
    assert _tasks() == before


def test_an_organizer_cannot_change_a_periodic_tasks_task_or_arguments(organizer_client):
    task = PeriodicTask.objects.get(name="Weekly reminders")
    before = _tasks()
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    body = _task_form(task, task="celery.backend_cleanup", kwargs=json.dumps({"x": "y"}))
    assert organizer_client.post(url, body).status_code == 403
    assert _tasks() == before


def test_an_organizer_cannot_toggle_or_run_periodic_tasks_with_the_list_actions(
    organizer_client,
):
    before = _tasks()
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    page = organizer_client.get(url)
    assert page.status_code == 200  # organizers may see when reminders go out
    for action in ("run_tasks", "toggle_tasks", "enable_tasks", "disable_tasks"):
        assert f'value="{action}"' not in page.content.decode()
    pks = list(PeriodicTask.objects.values_list("pk", flat=True))
    for action in ("toggle_tasks", "disable_tasks"):
        organizer_client.post(url, {"action": action, "_selected_action": pks})
    assert _tasks() == before


def test_a_superuser_can_still_add_a_periodic_task(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:django_celery_beat_periodictask_add")
    response = client.post(url, _task_form(args=json.dumps([1])))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PeriodicTask.objects.filter(name="Run anything").exists()


# --- allauth's email addresses: a verified address of one's own on another's account -------


def test_an_organizer_cannot_add_or_verify_email_addresses(organizer_client, member):
    add = reverse("admin:account_emailaddress_add")
    body = {"user": member.pk, "email": "attacker@example.com", "verified": "on", "primary": "on"}
    assert organizer_client.post(add, body).status_code == 403
    assert not EmailAddress.objects.filter(email="attacker@example.com").exists()


# --- the organizers group's permissions ----------------------------------------------------


def _denied_held(group: Group) -> list[str]:
    return sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
        if organizer_permission_denied(p.content_type.app_label, p.content_type.model, p.codename)
    )


def test_the_allow_list_names_nothing_the_deny_list_forbids():
    overlap = [
        f"{label}:{action}"
        for label, actions in ORGANIZER_PERMISSIONS.items()
        for action in actions
        if organizer_permission_denied(*label.split("."), f"{action}_{label.split('.')[1]}")
    ]
    assert overlap == []


def test_the_organizers_group_holds_no_denied_permission(organizer):
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    assert _denied_held(group) == []
    for perm in (
        "seminar.add_user",
        "seminar.change_user",
        "seminar.delete_user",
        "django_celery_beat.add_periodictask",
        "django_celery_beat.change_periodictask",
        "auth.change_group",
        "account.change_emailaddress",
    ):
        assert not organizer.has_perm(perm), perm
    # What they manage is still theirs.
    for perm in (
        "seminar.change_week",
        "seminar.add_topic",
        "papers.change_digestsource",
        "seminar.view_user",
        "django_celery_beat.view_periodictask",
    ):
        assert organizer.has_perm(perm), perm


def test_denied_permissions_granted_by_hand_are_removed_when_migrate_runs(organizer):
    """An existing deployment: a group given everything (as before this fix, or by someone in
    the admin) loses the denied permissions on the next `migrate`, no new migration needed."""
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    group.permissions.add(*Permission.objects.all())
    assert _denied_held(group) != []
    call_command("migrate", verbosity=0, interactive=False)
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    assert _denied_held(group) == []
    organizer = User.objects.get(pk=organizer.pk)  # a fresh permission cache
    assert not organizer.has_perm("seminar.change_user")
    assert organizer.has_perm("seminar.change_week")


def test_ensure_organizers_group_makes_the_group_safe_whatever_it_held():
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    group.permissions.set(Permission.objects.all())
    ensure_organizers_group()
    assert _denied_held(group) == []


# --- the admin's sign-in (finding 9) -------------------------------------------------------


@pytest.fixture
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_with_address(organizer):
    EmailAddress.objects.create(user=organizer, email=organizer.email, primary=True, verified=True)
    return organizer


def test_the_admin_sign_in_does_not_let_a_guesser_in_after_fifteen_wrong_passwords(
    client, staff_with_address, rate_limits
):
    login = reverse("admin:login")
    for _attempt in range(15):
        client.post(login, {"username": staff_with_address.email, "password": "wrong-guess"})
    client.post(login, {"username": staff_with_address.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_sign_in_sends_to_the_rate_limited_sign_in_page(
    client, staff_with_address, rate_limits
):
    response = client.get(reverse("admin:login") + "?next=/admin/seminar/week/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert "%2Fadmin%2Fseminar%2Fweek%2F" in response["Location"]
    # There, guessing stops after five wrong passwords, the right one included.
    for _attempt in range(15):
        client.post(
            reverse("account_login"),
            {"login": staff_with_address.email, "password": "wrong-guess"},
        )
    response = client.post(
        reverse("account_login"), {"login": staff_with_address.email, "password": PASSWORD}
    )
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_through_allauth_and_land_in_the_admin(client, staff_with_address):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    response = client.post(
        response["Location"], {"login": staff_with_address.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_member_is_refused_by_the_admin_sign_in(member_client):
    assert member_client.get(reverse("admin:login")).status_code == 403
    assert (
        member_client.post(reverse("admin:login"), {"username": "x", "password": "y"}).status_code
        == 403
    )


def test_a_new_organizer_gets_staff_and_only_the_allowed_permissions():
    user = UserFactory()
    make_organizer(user)
    user = User.objects.get(pk=user.pk)
    assert user.is_staff and not user.is_superuser
    assert not user.has_perm("seminar.change_user")
