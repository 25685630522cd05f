"""Deployment settings an outside review found wanting (issue 10, findings 10, 11, 17).

- Sign-in limits behind a TLS proxy: the client's address comes from `X-Forwarded-For` only
  as far as `TRUSTED_PROXY_COUNT` proxies are trusted, and failed sign-ins are counted per
  (address, account), so nobody can lock a chosen account (the organizer's) from elsewhere.
- A cache that is down (or hangs) costs neither the sign-in nor the paper pages.
- Images only from the site itself: a review or digest cannot load a tracking pixel.
- `check --deploy` refuses a weak `SECRET_KEY`.

The "production settings" here are `seminar/config/settings.py` run afresh with a given environment,
so each test checks what a deployment with that environment really gets.
"""

from __future__ import annotations

import logging
import runpy
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache, caches
from django.core.checks import Error
from django.urls import reverse

from seminar.adapters import client_network
from seminar.lib import checks
from seminar.lib.markdown import render_markdown, render_markdown_cached
from seminar.services import make_organizer
from tests.factories import PaperSummaryFactory, UserFactory

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "seminar" / "config" / "settings.py"
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."
PASSWORD = "pw-for-tests"  # what tests.factories.UserFactory sets
PROXY = "10.0.0.2"  # the TLS proxy in front of the app: every request comes from here
PRODUCTION_ENV = ("CACHE_URL", "TRUSTED_PROXY_COUNT", "TRUSTED_CLIENT_IP_HEADER", "DEBUG")


@pytest.fixture
def production_settings(monkeypatch) -> Callable[..., dict[str, Any]]:
    """`production_settings(CACHE_URL=…)`: the settings module's values under that environment."""

    def build(**environment: str) -> dict[str, Any]:
        for name in PRODUCTION_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        namespace = runpy.run_path(str(SETTINGS_FILE))
        for name in PRODUCTION_ENV:
            monkeypatch.delenv(name, raising=False)
        return namespace

    return build


@pytest.fixture
def rate_limits(settings, production_settings) -> Iterator[dict[str, str]]:
    """The production sign-in limits (the test settings turn them off), on a clean cache."""
    production = production_settings()
    settings.ACCOUNT_RATE_LIMITS = production["ACCOUNT_RATE_LIMITS"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production["ALLAUTH_TRUSTED_PROXY_COUNT"]
    cache.clear()
    yield production["ACCOUNT_RATE_LIMITS"]
    cache.clear()


@pytest.fixture
def organizer(db):
    user = UserFactory(email="organizer@example.com", name="운영자")
    make_organizer(user)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _sign_in(client, email: str, password: str, *, ip: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.cookies.clear()
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- finding 10: sign-in limits and the trusted proxy ----------------------------------------


@pytest.mark.django_db
def test_a_strangers_failures_do_not_lock_the_organizer_out(client, organizer, rate_limits):
    # The attacker fails five times on the organizer's address from their own network…
    for _attempt in range(5):
        response = _sign_in(client, organizer.email, "a-guess", ip="203.0.113.66")
        assert WRONG in response.content.decode()
    # …and is stopped there: the sixth guess is refused before the password is checked.
    response = _sign_in(client, organizer.email, PASSWORD, ip="203.0.113.66")
    assert TOO_MANY in response.content.decode()
    assert not _signed_in_as(client, organizer)
    # The organizer, from the office, signs in at once.
    response = _sign_in(client, organizer.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert _signed_in_as(client, organizer)


@pytest.mark.django_db
def test_failures_spread_over_many_addresses_do_not_lock_the_organizer_out(
    client, organizer, rate_limits
):
    for host in range(1, 21):  # a hundred failures from twenty addresses
        for _attempt in range(5):
            _sign_in(client, organizer.email, "a-guess", ip=f"198.51.100.{host}")
    response = _sign_in(client, organizer.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert _signed_in_as(client, organizer)


@pytest.mark.django_db
def test_one_address_still_cannot_guess_more_than_ten_times_a_minute(
    client, organizer, rate_limits
):
    # A guard that keying failures by (address, account) did not open a hole: spreading the
    # guesses over accounts from one address meets the per-address limit.
    for number in range(10):
        _sign_in(client, f"guess{number}@example.com", "123456", ip="203.0.113.66")
    response = _sign_in(client, organizer.email, PASSWORD, ip="203.0.113.66")
    assert TOO_MANY in response.content.decode()
    assert not _signed_in_as(client, organizer)


@pytest.mark.django_db
def test_an_ipv6_client_cannot_rotate_addresses_past_the_account_limit(
    client, organizer, rate_limits
):
    for host in range(1, 6):  # five addresses of one /64
        _sign_in(client, organizer.email, "a-guess", ip=f"2001:db8:1:2::{host}")
    response = _sign_in(client, organizer.email, PASSWORD, ip="2001:db8:1:2::99")
    assert TOO_MANY in response.content.decode()
    response = _sign_in(client, organizer.email, PASSWORD, ip="2001:db8:9:9::1")
    assert response.status_code == 302


def test_client_network_counts_ipv6_by_prefix_and_ipv4_by_address():
    assert client_network("2001:db8:1:2:aa::1", ipv6_prefix=64) == "2001:db8:1:2::"
    assert client_network("203.0.113.7", ipv6_prefix=64) == "203.0.113.7"
    assert client_network("not-an-address", ipv6_prefix=64) == "not-an-address"


def test_production_settings_read_the_trusted_proxy_count_from_the_environment(
    production_settings,
):
    assert production_settings()["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    assert production_settings(TRUSTED_PROXY_COUNT="1")["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    header = production_settings(TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert header["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "X-Real-IP"
    assert production_settings()["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] is None


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_the_others(
    client, settings, production_settings, organizer, rate_limits
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production_settings(TRUSTED_PROXY_COUNT="1")[
        "ALLAUTH_TRUSTED_PROXY_COUNT"
    ]
    # Every request arrives from the proxy; the proxy appends the client's address.
    for number in range(10):
        _sign_in(client, f"guess{number}@example.com", "x", ip=PROXY, forwarded_for="203.0.113.66")
    refused = _sign_in(client, organizer.email, PASSWORD, ip=PROXY, forwarded_for="203.0.113.66")
    assert TOO_MANY in refused.content.decode()
    # Another client of the same proxy is a different address, so it is not refused.
    response = _sign_in(client, organizer.email, PASSWORD, ip=PROXY, forwarded_for="192.0.2.10")
    assert response.status_code == 302
    assert _signed_in_as(client, organizer)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(
    client, settings, organizer, rate_limits
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The attacker sends their own X-Forwarded-For; the proxy appends the real address, and
    # only that last entry is believed.
    for number in range(10):
        forged = f"10.9.8.{number}, 203.0.113.66"
        _sign_in(client, f"guess{number}@example.com", "x", ip=PROXY, forwarded_for=forged)
    response = _sign_in(
        client, organizer.email, PASSWORD, ip=PROXY, forwarded_for="10.9.8.99, 203.0.113.66"
    )
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(client, organizer, rate_limits):
    for number in range(10):
        _sign_in(
            client,
            f"guess{number}@example.com",
            "x",
            ip="203.0.113.66",
            forwarded_for=f"10.{number}.0.1",
        )
    response = _sign_in(
        client, organizer.email, PASSWORD, ip="203.0.113.66", forwarded_for="192.0.2.10"
    )
    assert TOO_MANY in response.content.decode()


def test_check_deploy_warns_behind_a_proxy_without_a_trusted_proxy_setting(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    assert [m.id for m in checks.check_trusted_proxy(None)] == ["seminar.W001"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert checks.check_trusted_proxy(None) == []


# --- finding 11: the cache fails open ---------------------------------------------------------


@pytest.fixture
def cache_at(settings, production_settings) -> Callable[[str], None]:
    """`cache_at(url)`: the default cache becomes what production builds from `CACHE_URL=url`."""

    def point(url: str) -> None:
        settings.CACHES = production_settings(CACHE_URL=url)["CACHES"]

    return point


def test_production_settings_wrap_a_redis_cache_in_the_fail_open_backend(production_settings):
    default = production_settings(CACHE_URL="redis://127.0.0.1:6379/8")["CACHES"]["default"]
    assert default["BACKEND"] == "seminar.lib.cache.FailOpenRedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6379/8"
    # A hung Redis must cost a second, not the worker.
    assert 0 < default["OPTIONS"]["socket_connect_timeout"] <= 2
    assert 0 < default["OPTIONS"]["socket_timeout"] <= 2
    without = production_settings()["CACHES"]["default"]
    assert without["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.django_db
def test_sign_in_works_while_the_cache_is_down(
    client, organizer, rate_limits, cache_at, closed_port, caplog
):
    cache_at(f"redis://127.0.0.1:{closed_port}/0")
    with caplog.at_level(logging.WARNING, logger="seminar.lib.cache"):
        response = _sign_in(client, organizer.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert _signed_in_as(client, organizer)
    assert "cache unavailable" in caplog.text


@pytest.mark.django_db
def test_the_paper_page_answers_while_the_cache_is_down(member_client, cache_at, closed_port):
    summary = PaperSummaryFactory(sections=[{"heading": "요약", "body": "**핵심** 내용 " * 20}])
    cache_at(f"redis://127.0.0.1:{closed_port}/0")
    response = member_client.get(reverse("paper_detail", args=[summary.paper.arxiv_id]))
    assert response.status_code == 200
    assert "<strong>핵심</strong>" in response.content.decode()


def test_cached_markdown_renders_while_the_cache_is_down(cache_at, closed_port):
    cache_at(f"redis://127.0.0.1:{closed_port}/0")
    text = "A review long enough to be worth caching, with **bold** text in it. " * 3
    assert render_markdown_cached(text) == render_markdown(text)


@pytest.mark.django_db
def test_a_hung_cache_delays_a_sign_in_by_seconds_not_minutes(
    client, organizer, rate_limits, cache_at, silent_port
):
    cache_at(f"redis://127.0.0.1:{silent_port}/0")
    started = time.monotonic()
    response = _sign_in(client, organizer.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    # One timed-out call; then the cache is skipped for a while instead of waited on again.
    assert time.monotonic() - started < 5


def test_the_fail_open_cache_stores_and_reads_when_redis_is_up(settings, production_settings):
    settings.CACHES = production_settings(CACHE_URL="redis://127.0.0.1:6379/8")["CACHES"]
    backend = caches["default"]
    backend.delete_many(["hardening:probe", "hardening:counter"])
    backend.set("hardening:probe", {"x": 1}, 30)
    assert backend.get("hardening:probe") == {"x": 1}
    assert backend.get_many(["hardening:probe", "hardening:none"]) == {"hardening:probe": {"x": 1}}
    assert backend.add("hardening:probe", "other", 30) is False
    assert backend.add("hardening:counter", 1, 30) is True
    assert backend.incr("hardening:counter", 2) == 3
    with pytest.raises(ValueError):
        backend.incr("hardening:none")  # a missing key is the caller's mistake, not an outage
    backend.delete_many(["hardening:probe", "hardening:counter"])
    assert backend.get("hardening:probe", "gone") == "gone"


@dataclass
class SpareRedis:
    """A free port, and `start()` to run a Redis there later: a cache that comes back."""

    port: int
    directory: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.processes.append(
            subprocess.Popen(command, cwd=self.directory, stdout=subprocess.DEVNULL)
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")


@pytest.fixture
def spare_redis(tmp_path: Path, closed_port: int) -> Iterator[SpareRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    spare = SpareRedis(port=closed_port, directory=tmp_path)
    yield spare
    for process in spare.processes:
        process.terminate()
        process.wait(timeout=10)


def test_the_fail_open_cache_is_used_again_once_redis_is_back(
    settings, production_settings, spare_redis
):
    caches_setting = production_settings(CACHE_URL=f"redis://127.0.0.1:{spare_redis.port}/0")[
        "CACHES"
    ]
    caches_setting["default"]["RETRY_AFTER"] = 0  # retry at once rather than after a pause
    settings.CACHES = caches_setting
    backend = caches["default"]
    assert backend.add("hardening:lock", True, 30) is True  # down: fails open
    assert backend.get("hardening:lock") is None
    spare_redis.start()
    backend.set("hardening:value", "stored", 30)
    assert backend.get("hardening:value") == "stored"
    assert backend.add("hardening:value", "other", 30) is False


# --- finding 17: images from the site only; SECRET_KEY strength -------------------------------


def _directive(policy: str, name: str) -> list[str]:
    for directive in policy.split(";"):
        parts = directive.split()
        if parts and parts[0] == name:
            return parts[1:]
    return []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/"])
def test_pages_load_images_from_the_site_only(client, member, url):
    client.force_login(member)
    response = client.get(url)
    assert _directive(response["Content-Security-Policy"], "img-src") == ["'self'", "data:"]


def test_production_csp_allows_no_remote_images(production_settings):
    directives = production_settings()["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert "default-src" in directives and "https:" not in directives["default-src"]


STRONG_KEY = "p9Wc1sKq7Zr0Xy3Vb6Nt2Lm8Hd5Gf4Jk-Qa_Ue7Io9Pz3Sx1Cv6Bn0Mw2Er5Ty8Ui4Op7As"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short-key-0123456789", id="short"),
        pytest.param("ab" * 40, id="few-unique-characters"),
        pytest.param("django-insecure-" + STRONG_KEY, id="django-insecure-prefix"),
    ],
)
def test_a_weak_secret_key_is_a_deploy_error(settings, key):
    settings.SECRET_KEY = key
    settings.SECRET_KEY_FALLBACKS = []
    settings.DEBUG = False
    problems = checks.check_secret_key(None)
    assert [p.id for p in problems] == ["seminar.E001"]
    assert all(isinstance(p, Error) for p in problems)


def test_a_weak_secret_key_fallback_is_a_deploy_error(settings):
    settings.SECRET_KEY = STRONG_KEY
    settings.SECRET_KEY_FALLBACKS = ["too-short"]
    assert [p.id for p in checks.check_secret_key(None)] == ["seminar.E001"]


def test_a_strong_secret_key_passes(settings):
    settings.SECRET_KEY = STRONG_KEY
    settings.SECRET_KEY_FALLBACKS = []
    settings.DEBUG = False
    assert checks.check_secret_key(None) == []


def test_the_development_key_is_tolerated_only_with_debug_on(settings):
    settings.SECRET_KEY = "django-insecure-" + STRONG_KEY
    settings.SECRET_KEY_FALLBACKS = []
    settings.DEBUG = True
    assert checks.check_secret_key(None) == []
