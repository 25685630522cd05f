"""Fixtures of the materials tests (the world itself is in `world.py`)."""

from __future__ import annotations

import pytest

from tests.seminar.materials.world import build_world, use_media


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


@pytest.fixture
def world(db, fixed_clock, member, other_member, organizer, media):
    return build_world(member=member, other_member=other_member, organizer=organizer)
