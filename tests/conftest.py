"""Personas shared by the whole suite: an organizer, a member, another member, an outsider."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from seminar.services import make_organizer
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english_interface(settings):
    """Tests read the interface in English, whatever the default (Korean) is.

    Assertions then name the English msgids, which change less often than their translations;
    tests of the Korean default and of switching languages set the language themselves.
    """
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def organizer(db):
    user = UserFactory(email="organizer@example.com", name="운영자")
    make_organizer(user)
    return user


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.com", name="박민경")


@pytest.fixture
def other_member(db):
    return UserFactory(email="other@example.com", name="조재현")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker, in a thread, consuming from the real Redis broker.

    Tasks sent while it runs go through Redis and run against the test database; use with
    `@pytest.mark.django_db(transaction=True)` so the worker's connection sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from seminar.config.celery import app

    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=settings.SEMINAR_TEST_BROKER_URL, task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        app.conf.update(previous)


# --- the date matrix ------------------------------------------------------------------------
# Tests marked `clock_sensitive` read "now" (directly or through the code they call). Run
# with `--date-matrix`, each of them runs once per instant below, with the clock moved there by
# time-machine (and ticking from it), so a test that only passes on some days or hours fails in
# CI on every day. `make test` runs the marked subset this way after the whole suite.
_SEOUL = ZoneInfo("Asia/Seoul")
DATE_MATRIX: dict[str, datetime] = {
    **{
        f"{day:%a}-{hour:02d}{minute:02d}": day.replace(hour=hour, minute=minute)
        for day in (datetime(2027, 3, 1, tzinfo=_SEOUL) + timedelta(days=n) for n in range(7))
        for hour, minute in ((0, 30), (21, 30))
    },
    "new-years-eve-2359": datetime(2027, 12, 31, 23, 59, tzinfo=_SEOUL),
    # Korean universities start their spring term on 2 March and their autumn term on 1 September.
    "first-day-of-term": datetime(2027, 9, 1, 0, 0, tzinfo=_SEOUL),
    "leap-day-0930": datetime(2028, 2, 29, 9, 30, tzinfo=_SEOUL),
    "leap-day-2330": datetime(2028, 2, 29, 23, 30, tzinfo=_SEOUL),
}


def pytest_addoption(parser):
    parser.addoption(
        "--date-matrix",
        action="store_true",
        help="run the tests marked clock_sensitive once at every instant of tests.conftest."
        "DATE_MATRIX (and no others)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--date-matrix"):
        items[:] = [
            item
            for item in items
            if "matrix_instant" in getattr(getattr(item, "callspec", None), "params", {})
        ]


def pytest_generate_tests(metafunc):
    if metafunc.config.getoption("--date-matrix") and metafunc.definition.get_closest_marker(
        "clock_sensitive"
    ):
        metafunc.fixturenames.append("matrix_instant")
        metafunc.parametrize("matrix_instant", list(DATE_MATRIX.values()), ids=list(DATE_MATRIX))


@pytest.fixture(autouse=True)
def _date_matrix_clock(request):
    """Under `--date-matrix`, the clock moved to this run's instant, ticking from there."""
    callspec = getattr(request.node, "callspec", None)
    instant = callspec.params.get("matrix_instant") if callspec else None
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


# A Wednesday morning in Seoul, well inside a spring term: tests that only need "some now"
# take this one, so they read the same on any day (`pytestmark = usefixtures("fixed_clock")`).
FIXED_INSTANT = datetime(2027, 3, 3, 10, 0, tzinfo=_SEOUL)


@pytest.fixture
def empty_cache():
    """The pages' cache emptied before and after the test (seminar.versions keys never come
    back, but a test counting queries or builds must start from nothing)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fixed_clock():
    """The clock moved to FIXED_INSTANT, ticking from there."""
    with time_machine.travel(FIXED_INSTANT, tick=True):
        yield FIXED_INSTANT
