"""Personas shared by the whole suite: an organizer, a member, another member, an outsider."""

from __future__ import annotations

import pytest

from seminar.services import make_organizer
from tests.factories import UserFactory


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
