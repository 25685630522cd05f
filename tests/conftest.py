"""Personas shared by the whole suite: an organizer, a member, another member, an outsider."""

from __future__ import annotations

import pytest
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

    from seminar.celery import app

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
