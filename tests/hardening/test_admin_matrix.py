"""The permission matrix of the admin: every admin URL × member, organizer, superuser (and a
signed-out visitor) × GET and POST, against an explicit table.

URLs come from the admin site itself: for every registered ModelAdmin its changelist, add,
change, delete and history pages, the redirect from `<pk>/`, and any custom URL of its
`get_urls()`; then the site's own pages (index, each app's index, password change, …). A
ModelAdmin or URL without an expectation here fails `test_every_…` below, so a new admin
cannot arrive unreviewed.

POST bodies are attacks where there is one to make: the user form with `is_superuser` and the
organizers group, a periodic task naming any task with any arguments, a verified address on
someone else's account, a group holding every permission, `delete_selected` on the list, a
confirmed delete. A refused request (or one whose answer is that nothing happens) must not
write anything: no INSERT, UPDATE or DELETE runs, and every table reads the same afterwards.
Each request runs in a savepoint that is rolled back, so all of them see the same world.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from seminar.models import ReminderPolicy, SentReminder, User
from seminar.permissions import ORGANIZERS_GROUP
from tests.conftest import FIXED_INSTANT
from tests.hardening.matrix_world import MatrixWorld, build_world
from tests.hardening.probe import _watch_writes
from tests.hardening.urls import all_routes

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "organizer", "superuser")
PASSWORD = "pw-for-tests"

A = "admin sign-in"  # 302 to /admin/login/?next=…
L = "sign-in"  # 302 to allauth's /accounts/login/ (which is rate limited)
OK = "served"  # < 400 and not sent to a sign-in page: the request was done
NOOP = "no-op"  # served (200, or 302 back to the page), and nothing changed
REFUSED = {A, L, NOOP, 403, 404, 405}  # nothing may change

# --- the table ---------------------------------------------------------------------------
# What the admin lets (organizer, superuser) do with each registered model: v view, a add,
# c change, d delete. Visitors and members are sent to sign in for every page of it.
MODELS: dict[str, tuple[str, str]] = {
    # Accounts, permissions and the scheduler: superusers only (issue 10, finding 2).
    "seminar.user": ("v", "vacd"),  # organizers look members up; never change them
    "auth.group": ("", "vacd"),
    "account.emailaddress": ("", "vacd"),
    "sites.site": ("", "vacd"),
    "django_celery_beat.periodictask": ("v", "vacd"),
    "django_celery_beat.crontabschedule": ("v", "vacd"),
    "django_celery_beat.intervalschedule": ("v", "vacd"),
    "django_celery_beat.solarschedule": ("v", "vacd"),
    "django_celery_beat.clockedschedule": ("v", "vacd"),
    # The seminar's own data: the organizers'.
    "seminar.term": ("vacd", "vacd"),
    "seminar.week": ("vacd", "vacd"),
    "seminar.topic": ("vacd", "vacd"),
    "seminar.reviewerslot": ("vacd", "vacd"),
    "seminar.unavailability": ("vacd", "vacd"),
    "seminar.invitation": ("vad", "vacd"),
    "seminar.assignmentchange": ("v", "vcd"),  # a log: nobody adds rows by hand
    "seminar.reminderpolicy": ("vc", "vc"),  # one row, never deleted
    "seminar.sentreminder": ("v", "vcd"),  # the reminder log
    "papers.candidatepaper": ("vacd", "vacd"),
    "papers.digest": ("vcd", "vacd"),
    "papers.digestsource": ("vacd", "vacd"),
    "papers.paperinterest": ("vd", "vacd"),
    "reviews.review": ("vc", "vacd"),
    "reviews.memberupload": ("v", "v"),  # rows follow the files
}

# Custom URLs of a ModelAdmin's `get_urls()`, per URL name: (anonymous, member, organizer,
# superuser) for GET and POST.
CUSTOM: dict[str, dict[str, tuple]] = {
    # Setting anyone's password is taking over their account.
    "auth_user_password_change": {"GET": (A, A, 403, OK), "POST": (A, A, 403, OK)},
}

# The site's own pages.
SITE: dict[str, dict[str, tuple]] = {
    "index": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},
    # allauth's sign-in (rate limited) instead of the admin's form; 403 for members.
    "login": {"GET": (L, 403, 302, 302), "POST": (L, 403, OK, OK)},
    "logout": {"GET": (302, 302, 405, 405), "POST": (302, 302, 200, 200)},
    "password_change": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},  # one's own
    "password_change_done": {"GET": (A, A, 200, 200), "POST": (A, A, 405, 405)},
    "jsi18n": {"GET": (A, A, 200, 200), "POST": (A, A, 405, 405)},
    "autocomplete": {"GET": (A, A, 200, 200), "POST": (A, A, 405, 405)},
    "view_on_site": {"GET": (A, A, 302, 302), "POST": (A, A, 302, 302)},
    "catch_all": {"GET": (A, A, 404, 404), "POST": (A, A, 404, 404)},
    # Each app's index: an app where organizers can see nothing does not exist for them.
    "app_list:seminar": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},
    "app_list:papers": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},
    "app_list:reviews": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},
    "app_list:django_celery_beat": {"GET": (A, A, 200, 200), "POST": (A, A, 200, 200)},
    "app_list:auth": {"GET": (A, A, 404, 200), "POST": (A, A, 404, 200)},
    "app_list:account": {"GET": (A, A, 404, 200), "POST": (A, A, 404, 200)},
    "app_list:sites": {"GET": (A, A, 404, 200), "POST": (A, A, 404, 200)},
}

STANDARD = ("changelist", "add", "change", "delete", "history", "redirect")


def _model_expectation(view: str, method: str, may: str) -> Any:
    """A staff role's outcome on a standard ModelAdmin page, from what it may do there."""
    sees = "v" in may or "c" in may
    if view == "redirect":  # `<pk>/` sends staff to the change page, whatever they may do
        return OK
    if view in ("changelist", "history"):
        if not sees:
            return 403
        if view == "changelist" and method == "POST":  # delete_selected
            return OK if "d" in may else NOOP
        return OK if method == "GET" or view == "changelist" else NOOP
    if view == "add":
        return OK if "a" in may else 403
    if view == "change":
        if method == "POST":
            return OK if "c" in may else 403
        return OK if sees else 403
    assert view == "delete"
    return OK if "d" in may else 403


def expectation(url: AdminURL, method: str) -> tuple:
    if url.model is None:
        return SITE[url.key][method]
    if url.view not in STANDARD:
        return CUSTOM[url.view][method]
    organizer, superuser = MODELS[url.model]
    return (
        A,
        A,
        _model_expectation(url.view, method, organizer),
        _model_expectation(url.view, method, superuser),
    )


# --- the URLs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminURL:
    key: str  # "seminar.user:change", "seminar.user:auth_user_password_change", "index"
    model: str | None  # the model label, None for the site's own pages
    view: str  # a STANDARD view, or a custom URL's name
    route: str  # the pattern, from the admin's root


def _converters(route: str) -> int:
    return route.count("<") + route.count("(?P")


def model_urls() -> list[AdminURL]:
    urls = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        label = model._meta.label_lower
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in admin.site.get_model_admin(model).get_urls():
            name = pattern.name or ""
            view = "redirect" if not name else name.removeprefix(prefix)
            if (name and not name.startswith(prefix)) or view not in STANDARD:
                view = name  # a custom URL, named as its ModelAdmin named it
            urls.append(AdminURL(f"{label}:{view}", label, view, str(pattern.pattern)))
    return urls


def site_urls() -> list[AdminURL]:
    urls = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue  # a ModelAdmin's URLs (model_urls)
        assert isinstance(pattern, URLPattern)
        name = pattern.name or "catch_all"
        if name == "app_list":
            labels = re.search(r"\(\?P<app_label>([^)]*)\)", str(pattern.pattern))[1]
            urls += [
                AdminURL(f"app_list:{label}", None, "app_list", label)
                for label in labels.split("|")
            ]
        else:
            urls.append(AdminURL(name, None, name, str(pattern.pattern)))
    return urls


MODEL_URLS = model_urls()
SITE_URLS = site_urls()
ALL_URLS = MODEL_URLS + SITE_URLS


def test_every_registered_model_admin_has_an_expectation():
    registered = {m._meta.label_lower for m in apps.get_models() if admin.site.is_registered(m)}
    missing = sorted(registered - set(MODELS))
    assert missing == [], f"ModelAdmins without a row in MODELS: {missing}"
    stale = sorted(set(MODELS) - registered)
    assert stale == [], f"rows in MODELS for models no longer in the admin: {stale}"


def test_every_admin_url_has_an_expectation():
    missing = [
        u.key
        for u in ALL_URLS
        if (u.model is None and u.key not in SITE)
        or (u.model is not None and u.view not in STANDARD and u.view not in CUSTOM)
    ]
    assert missing == [], f"admin URLs without an expectation: {missing}"
    for u in MODEL_URLS:
        if u.view in STANDARD:
            continue
        assert _converters(u.route) <= 1, f"{u.key}: give it a path in _path()"
    # Nothing reachable under /admin/ escapes the enumeration above.
    from_resolver = {r.route.removeprefix("admin/") for r in all_routes() if r.namespace == "admin"}
    enumerated = {u.route for u in ALL_URLS if u.view != "app_list"}
    enumerated |= {
        str(p.pattern) for p in admin.site.get_urls() if getattr(p, "name", None) == "app_list"
    }
    prefixes = {
        f"{m._meta.app_label}/{m._meta.model_name}/"
        for m in apps.get_models()
        if admin.site.is_registered(m)
    }
    unlisted = sorted(
        route
        for route in from_resolver
        if route not in enumerated
        and not any(
            route.startswith(p) and route.removeprefix(p) in {u.route for u in MODEL_URLS}
            for p in prefixes
        )
    )
    assert unlisted == [], f"admin routes the matrix does not request: {unlisted}"
    assert len(MODEL_URLS) >= 6 * len(MODELS)


# --- the world ---------------------------------------------------------------------------


def _one_of_each() -> None:
    """A row for every model the admin lists, so change/<pk> pages show a real object."""
    IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    SolarSchedule.objects.create(event="sunrise", latitude="37.56", longitude="126.97")
    ClockedSchedule.objects.create(clocked_time=FIXED_INSTANT)
    ReminderPolicy.objects.get_or_create(pk=1)
    SentReminder.objects.create(
        recipient=User.objects.get(email="owner@example.com"),
        kind=SentReminder.Kind.REVIEWER_DEADLINE,
        key="matrix",
        send_after=FIXED_INSTANT,
    )
    from reviews.models import MemberUpload

    MemberUpload.objects.create(
        owner=User.objects.get(email="owner@example.com"), name="markdownx/a.png", size=10
    )
    from seminar.models import AssignmentChange, Topic

    AssignmentChange.objects.create(
        topic=Topic.objects.order_by("pk").first(),
        member=User.objects.get(email="other@example.com"),
        role="reviewer",
        assigned=True,
    )


@pytest.fixture
def world(settings, tmp_path) -> MatrixWorld:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    _one_of_each()
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=superuser, email=superuser.email, verified=True, primary=True)
    world.users = {
        "anonymous": None,
        "member": world.owner,
        "organizer": world.organizer,
        "superuser": superuser,
    }
    world.objects["superuser"] = superuser
    return world


@pytest.fixture
def clients(world) -> dict[str, Client]:
    clients = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


# The object a model's pages are requested for, where the first row will not do: someone
# else's account; a week, topic and slot nobody reviews (deleting those that hold members'
# reviews is refused to organizers: test_admin_privileges.py).
TARGETS = {
    settings.AUTH_USER_MODEL.lower(): "other",
    "seminar.week": "later",
    "seminar.topic": "empty_topic",
    "seminar.reviewerslot": "open_slot",
}


def _target(model_label: str, world: MatrixWorld):
    if model_label in TARGETS:
        return world.objects[TARGETS[model_label]]
    model = apps.get_model(model_label)
    target = model._default_manager.order_by("pk").first()
    assert target is not None, f"the matrix world has no {model_label}: add one in _one_of_each"
    return target


def _path(url: AdminURL, world: MatrixWorld) -> str:
    if url.model is not None:
        pk = _target(url.model, world).pk
        app_label, model_name = url.model.split(".")
        if url.view == "redirect":
            return reverse(f"admin:{app_label}_{model_name}_changelist") + f"{pk}/"
        name = url.view if url.view not in STANDARD else f"{app_label}_{model_name}_{url.view}"
        args = [pk] if _converters(url.route) else []
        return reverse(f"admin:{name}", args=args)
    if url.view == "app_list":
        return reverse("admin:app_list", kwargs={"app_label": url.route})
    if url.key == "catch_all":
        return "/admin/no-such-page/"
    if url.key == "view_on_site":
        week = world.week
        return reverse(
            "admin:view_on_site", args=[ContentType.objects.get_for_model(week).pk, week.pk]
        )
    if url.key == "autocomplete":
        query = "app_label=seminar&model_name=topic&field_name=presenter&term=a"
        return reverse("admin:autocomplete") + "?" + query
    return reverse(f"admin:{url.key}")


def _post_body(url: AdminURL, world: MatrixWorld) -> dict[str, Any]:
    """What an attacker would send (and what a superuser's request succeeds with)."""
    if url.model is None:
        if url.key == "login":
            return {"username": world.organizer.email, "password": PASSWORD}
        return {}
    target = _target(url.model, world)
    if url.view == "changelist":
        return {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"}
    if url.view == "delete":
        return {"post": "yes"}
    if url.view == "auth_user_password_change":
        return {
            "password1": "taken-over-9-pass",
            "password2": "taken-over-9-pass",
            "usable_password": "true",
        }
    if url.view not in ("add", "change"):
        return {}
    if url.model == settings.AUTH_USER_MODEL.lower():
        joined = timezone.localtime(target.date_joined)
        return {
            "email": "attacker@example.com" if url.view == "change" else "puppet@example.com",
            "name": target.name,
            "language": "en",
            "timezone": "Asia/Seoul",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=ORGANIZERS_GROUP).pk],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
            "usable_password": "true",
        }
    if url.model == "django_celery_beat.periodictask":
        return {
            "name": target.name if url.view == "change" else "anything",
            "task": "celery.backend_cleanup",
            "enabled": "on",
            "crontab": CrontabSchedule.objects.order_by("pk").first().pk,
            "args": json.dumps(["rm", "-rf", "/"]),
            "kwargs": "{}",
            "headers": "{}",
        }
    if url.model == "account.emailaddress":
        return {
            "user": world.other.pk,
            "email": "attacker@example.com",
            "verified": "on",
            "primary": "on",
        }
    if url.model == "auth.group":
        return {
            "name": ORGANIZERS_GROUP,
            "permissions": list(Permission.objects.values_list("pk", flat=True)),
        }
    if url.model == "sites.site":
        return {"domain": "attacker.example", "name": "attacker"}
    return {}


# --- requests ----------------------------------------------------------------------------


def _snapshot() -> dict[str, list]:
    """Every row of the app's data (sessions and sign-in times aside)."""
    rows = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in ("sessions", "contenttypes") or meta.proxy or not meta.managed:
            continue
        if meta.label == "seminar.DataVersion":  # bookkeeping: a read fires pending bumps
            continue
        fields = [f.attname for f in meta.concrete_fields if f.attname != "last_login"]
        rows[meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return rows


@dataclass
class Outcome:
    status: int
    location: str
    writes: list[str]
    after: dict | None


def _send(client: Client, method: str, path: str, body: dict, inspect: bool) -> Outcome:
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    writes: list[str] = []
    savepoint = transaction.savepoint()
    try:
        with _watch_writes(writes):
            response = client.post(path, body) if method == "POST" else client.get(path)
        return Outcome(
            status=response.status_code,
            location=response.get("Location", ""),
            writes=writes,
            after=_snapshot() if inspect else None,
        )
    finally:
        transaction.savepoint_rollback(savepoint)
        # Signing in or out is undone with the rest: each role keeps its session.
        if session is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value
        else:
            client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


def _matches(expected, outcome: Outcome, path: str) -> bool:
    location = outcome.location
    signing_in = location.startswith(("/accounts/login/", "/admin/login/"))
    if expected == A:
        return outcome.status == 302 and location.startswith("/admin/login/?next=")
    if expected == L:
        return outcome.status == 302 and location.startswith("/accounts/login/?next=")
    if expected == OK:
        return outcome.status < 400 and not signing_in
    if expected == NOOP:
        return outcome.status == 200 or (outcome.status == 302 and location == path)
    return outcome.status == expected


def _check(clients, world, urls: list[AdminURL]) -> list[str]:
    problems = []
    before = _snapshot()
    for url in urls:
        path = _path(url, world)
        for method in ("GET", "POST"):
            body = _post_body(url, world) if method == "POST" else {}
            for role, expected in zip(ROLES, expectation(url, method), strict=True):
                refused = expected in REFUSED
                outcome = _send(clients[role], method, path, body, inspect=refused)
                where = f"{method} {path} ({url.key}) as {role}"
                if not _matches(expected, outcome, path):
                    got = f"{outcome.status}" + (
                        f" -> {outcome.location}" if outcome.location else ""
                    )
                    problems.append(f"{where}: expected {expected}, got {got}")
                if refused and outcome.writes:
                    problems.append(f"{where} wrote to the database: {outcome.writes[:2]}")
                if refused and outcome.after != before:
                    problems.append(f"{where} changed the data")
    return problems


@pytest.mark.parametrize("model", sorted(MODELS))
def test_admin_matrix_of_each_model(clients, world, model):
    urls = [u for u in MODEL_URLS if u.model == model]
    assert urls, f"{model} is not in the admin"
    assert _check(clients, world, urls) == []


def test_admin_matrix_of_the_sites_own_pages(clients, world):
    assert _check(clients, world, SITE_URLS) == []


def test_superuser_attacks_in_the_matrix_are_real(clients, world):
    """The bodies above do what they say when the admin allows them: a superuser's request
    makes the other member a superuser with the attacker's address, and adds the task."""
    change = AdminURL("seminar.user:change", "seminar.user", "change", "<path:object_id>/change/")
    outcome = _send(
        clients["superuser"], "POST", _path(change, world), _post_body(change, world), True
    )
    users = {row[0]: row for row in outcome.after["seminar.User"]}
    other = users[world.other.pk]
    fields = [f.attname for f in User._meta.concrete_fields if f.attname != "last_login"]
    assert other[fields.index("is_superuser")] is True
    assert other[fields.index("email")] == "attacker@example.com"
    add = AdminURL(
        "django_celery_beat.periodictask:add", "django_celery_beat.periodictask", "add", "add/"
    )
    outcome = _send(clients["superuser"], "POST", _path(add, world), _post_body(add, world), True)
    names = [row[1] for row in outcome.after["django_celery_beat.PeriodicTask"]]
    assert "anything" in names


def test_the_matrix_world_has_the_schedules_and_site_the_admin_shows(world):
    assert PeriodicTask.objects.exists() and CrontabSchedule.objects.exists()
    assert Site.objects.exists()
