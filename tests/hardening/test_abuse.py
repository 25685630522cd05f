"""Abuse: sign-in rate limits, a strict Content-Security-Policy on every page, production
cookies and HSTS, and the limits on digest uploads."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from papers.models import Digest
from seminar.config import settings as production
from tests.hardening.matrix_world import build_world
from tests.hardening.probe import clients_for, request
from tests.hardening.urls import all_routes
from tests.papers.builders import hf_digest

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


# --- sign-in rate limiting (allauth's ACCOUNT_RATE_LIMITS; the test settings turn it off) ---


@pytest.fixture
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield production.ACCOUNT_RATE_LIMITS
    cache.clear()


def _sign_in(client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_the_sixth_failed_sign_in_to_one_account_is_refused_even_with_the_password(
    client, member, rate_limits
):
    assert "5/5m/key" in rate_limits["login_failed"]
    for _attempt in range(5):
        response = _sign_in(client, member.email, "not-the-password")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    # The sixth try is refused before the password is even checked: guessing stops here.
    response = _sign_in(client, member.email, "pw-for-tests")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    other = _sign_in(client, "nobody@example.com", "x", ip="198.51.100.9")
    assert WRONG in other.content.decode()


@pytest.mark.django_db
def test_the_eleventh_failed_sign_in_from_one_address_is_refused(client, member, rate_limits):
    assert "10/m/ip" in rate_limits["login_failed"]
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    for number in range(10):  # ten different accounts: no per-account limit is reached
        response = _sign_in(client, f"guess{number}@example.com", "123456")
        assert WRONG in response.content.decode()
    # The eleventh, even to a real account with its password: allauth answers with the form
    # and its error (not a 429), and nobody is signed in.
    response = _sign_in(client, member.email, "pw-for-tests")
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same member from their own network signs in.
    response = _sign_in(client, member.email, "pw-for-tests", ip="192.0.2.44")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_rate_limits_are_on_in_production_settings():
    assert production.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert "reset_password" in production.ACCOUNT_RATE_LIMITS
    assert "signup" in production.ACCOUNT_RATE_LIMITS


# --- Content-Security-Policy: no inline script on any page -----------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


# django-celery-beat's periodic task form (admin) carries an inline script that shows a
# crontab in words. Our policy blocks it, so it cannot be abused; the form only loses that
# hint. Overriding the template with a static script would restore it (reported).
BLOCKED_THIRD_PARTY_INLINE = {
    "admin:django_celery_beat_periodictask_add",
    "admin:django_celery_beat_periodictask_change",
}


def _script_src(policy: str) -> str:
    for directive in policy.split(";"):
        parts = directive.split()
        if parts and parts[0] == "script-src":
            return directive
    return ""


@pytest.mark.django_db
def test_every_html_page_sends_a_csp_without_inline_script(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    clients = clients_for(world)
    checked, problems = set(), []
    for route in all_routes():
        for role in ("anonymous", "owner", "organizer"):
            outcome = request(clients, world, route, role, "GET")
            if outcome.status != 200 or not outcome.content_type.startswith("text/html"):
                continue
            checked.add(route.key)
            where = f"{route.key} as {role}"
            policy = outcome.headers.get("Content-Security-Policy", "")
            script_src = _script_src(policy)
            if "'self'" not in script_src or "unsafe-inline" in script_src:
                problems.append(f"{where}: script-src is {script_src!r}")
            if "unsafe-eval" in policy or "default-src 'self'" not in policy:
                problems.append(f"{where}: policy is {policy!r}")
            html = outcome.body.decode()
            if route.key in BLOCKED_THIRD_PARTY_INLINE:
                continue  # its policy was checked above: the inline script does not run
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JAVASCRIPT_URL):
                found = pattern.search(html)
                if found:
                    problems.append(f"{where}: {found.group(0)[:120]!r}")
    assert problems == []
    # Every kind of page was looked at: members', organizers', public, allauth's, the admin's.
    for key in (
        "home",
        "week_detail",
        "review_edit",
        "schedule",
        "digest_imports",
        "reminder_status",
        "account_login",
        "unsubscribe",
        "admin:index",
        "admin:seminar_week_change",
    ):
        assert key in checked, key
    assert len(checked) > 60


# --- production settings: secure cookies, HSTS -----------------------------------------------


def _production(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="seminar.config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="seminar.example.org",
        DEBUG="false",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_CHECK = """
from django.test import Client
client = Client(HTTP_HOST="seminar.example.org")
plain = client.get("/healthz")
secure = client.get("/healthz", secure=True)
print("PLAIN", plain.status_code, plain.get("Location", ""))
print("HSTS", secure.get("Strict-Transport-Security", ""))
from django.conf import settings
for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
             "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "DEBUG", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF"):
    print("SETTING", name, repr(getattr(settings, name)))
"""


def test_production_settings_send_secure_cookies_hsts_and_redirect_to_https():
    result = _production("shell", "-c", PRODUCTION_CHECK)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    values = dict(line.split(" ", 2)[1:] for line in lines if line.startswith("SETTING"))
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SESSION_COOKIE_HTTPONLY"] == "True"
    assert values["SECURE_SSL_REDIRECT"] == "True"
    assert int(values["SECURE_HSTS_SECONDS"]) >= 180 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] == "True"
    assert values["DEBUG"] == "False"
    assert values["X_FRAME_OPTIONS"] == "'DENY'"
    # Over plain HTTP the app only redirects to HTTPS; over HTTPS it sends HSTS.
    assert "PLAIN 301 https://seminar.example.org/healthz" in lines
    hsts = next(line for line in lines if line.startswith("HSTS"))
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    # `check --deploy` is clean: tests/seminar/lib/test_checks.py.


# --- digest uploads --------------------------------------------------------------------------


def _digest_file(name: str, size: int | None = None) -> SimpleUploadedFile:
    text = hf_digest(date(2025, 6, 2), [("2506.00001", "One paper")])
    data = text.encode()
    if size is not None:
        data = data + b"x" * (size - len(data))
    return SimpleUploadedFile(name, data, content_type="text/markdown")


@pytest.mark.django_db
def test_an_oversized_digest_is_refused_with_a_clear_error_and_nothing_stored(
    organizer_client,
):
    limit = production.DIGEST_MAX_BYTES  # 5 MB, the production default
    response = organizer_client.post(
        reverse("digest_imports"),
        {"files": [_digest_file("good.md"), _digest_file("huge.md", size=limit + 1)]},
    )
    assert response.status_code == 400
    assert "huge.md is 5.0\xa0MB; the limit is 5.0\xa0MB." in response.content.decode()
    # One bad file refuses the whole upload: the good one is not stored either.
    assert Digest.objects.count() == 0


@pytest.mark.django_db
def test_more_digests_than_allowed_at_once_are_refused_and_nothing_stored(organizer_client):
    files = [_digest_file(f"day{n}.md") for n in range(51)]
    response = organizer_client.post(reverse("digest_imports"), {"files": files})
    assert response.status_code == 400
    assert "Upload at most 50 files at a time." in response.content.decode()
    assert Digest.objects.count() == 0


@pytest.mark.django_db
def test_a_request_with_more_files_than_django_parses_is_a_bad_request(organizer_client):
    files = [_digest_file(f"day{n}.md") for n in range(101)]  # DATA_UPLOAD_MAX_NUMBER_FILES
    response = organizer_client.post(reverse("digest_imports"), {"files": files})
    assert response.status_code == 400
    assert Digest.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_image_upload_is_refused(member_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile(
        "big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (3 * 1024 * 1024), content_type="image/png"
    )
    response = member_client.post(reverse("markdownx_upload"), {"image": big})
    assert response.status_code == 400
    assert not list(tmp_path.rglob("*.png"))
