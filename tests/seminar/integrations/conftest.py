"""A real git remote on disk (a bare repository, with a member's clone beside it) and a small
seminar week to publish to it. No git command here goes through the code under test: the
helper is what a member working in the repository would do."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reviews import services as review_services
from reviews.weekpage import ReviewSection
from seminar.models import RepositoryConnection
from tests.factories import ReviewerSlotFactory, TermFactory, TopicFactory, UserFactory, WeekFactory

SEOUL = ZoneInfo("Asia/Seoul")
STARTS = datetime(2025, 9, 18, 19, 0, tzinfo=SEOUL)
BEFORE_DEADLINE = STARTS - timedelta(days=2)
PAGE_PATH = "weeks/2025-가을/03.md"
README = "# 우리 세미나\n\n소개 글은 그대로 남아야 합니다.\n"


class RemoteRepo:
    """A bare repository (the "GitHub" of the tests) and a member's clone of it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bare = root / "remote.git"
        self.clone = root / "member"
        self.home = root / "home"
        self.home.mkdir()
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "A Member",
            "GIT_AUTHOR_EMAIL": "member@example.com",
            "GIT_COMMITTER_NAME": "A Member",
            "GIT_COMMITTER_EMAIL": "member@example.com",
            "LANG": "C",
        }
        self.git("init", "-q", "--bare", "-b", "main", str(self.bare))
        self.git("clone", "-q", str(self.bare), str(self.clone))
        self.commit({"README.md": README}, "Start the archive")

    @property
    def url(self) -> str:
        return str(self.bare)

    def git(self, *args: str, cwd: Path | None = None) -> str:
        result = subprocess.run(
            ["git", *args], cwd=cwd or self.root, env=self.env, capture_output=True, check=True
        )
        return result.stdout.decode()

    def commit(self, files: dict[str, str], message: str, when: str | None = None) -> str:
        """A member's commit, pushed: pulls first, like a member would. `when`: its date
        ("2025-03-06T19:00:00+09:00")."""
        if self.git("ls-remote", "--heads", str(self.bare)).strip():
            self.git("pull", "-q", "--rebase", "origin", "main", cwd=self.clone)
        for path, text in files.items():
            target = self.clone / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", "--", path, cwd=self.clone)
        if when:
            self.env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        try:
            self.git("commit", "-q", "-m", message, cwd=self.clone)
        finally:
            self.env.pop("GIT_AUTHOR_DATE", None)
            self.env.pop("GIT_COMMITTER_DATE", None)
        self.git("push", "-q", "origin", "HEAD:main", cwd=self.clone)
        return self.head()

    def head(self) -> str:
        return self.git("--git-dir", str(self.bare), "rev-parse", "main").strip()

    def read(self, path: str) -> str | None:
        try:
            return self.git("--git-dir", str(self.bare), "show", f"main:{path}")
        except subprocess.CalledProcessError:
            return None

    def log(self) -> list[dict[str, str]]:
        out = self.git("--git-dir", str(self.bare), "log", "--format=%an%x1f%ae%x1f%B%x1e", "main")
        entries = []
        for record in out.split("\x1e"):
            if record.strip():
                name, email, body = record.strip("\n").split("\x1f")
                entries.append({"author": name, "email": email, "message": body.strip()})
        return entries


@pytest.fixture
def remote(tmp_path, settings) -> RemoteRepo:
    settings.INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES = True
    return RemoteRepo(tmp_path)


@pytest.fixture
def connection(remote, db) -> RepositoryConnection:
    return RepositoryConnection.objects.create(
        name="archive", url=remote.url, branch="main", auth="none", index_path="README.md"
    )


@pytest.fixture
def reviewer(db):
    return UserFactory(name="박민경", email="minkyung@example.com")


def make_week(reviewer):
    """Week 3 of "2025 가을": one topic, the reviewer in slot 1, slot 2 open."""
    term = TermFactory(name="2025 가을", starts_on=STARTS.date() - timedelta(days=30))
    week = WeekFactory(
        term=term,
        number=3,
        starts_at=STARTS,
        review_deadline=STARTS - timedelta(days=1),
    )
    first = TopicFactory(
        week=week,
        order=1,
        title="Spurious Rewards: Rethinking Training Signals in RLVR",
        presenter=UserFactory(name="조재현"),
    )
    ReviewerSlotFactory(topic=first, number=1, reviewer=reviewer)
    ReviewerSlotFactory(topic=first, number=2, reviewer=None)
    return week


@pytest.fixture
def week(db, reviewer):
    return make_week(reviewer)


def commit_fixtures() -> None:
    """Run what the fixtures' writes left for "after commit" (the test's transaction never
    commits), as if they had been made in a transaction of their own before the test."""
    from django.db import connection as db

    waiting, db.run_on_commit = list(db.run_on_commit), []
    for _savepoints, callback, _robust in waiting:
        callback()


def submit(slot, member, text: str = "본문입니다."):
    return review_services.submit_review(
        slot=slot,
        sections=[ReviewSection("문제의식", text), ReviewSection("리뷰", "좋은 논문.")],
        actor=member,
        now=BEFORE_DEADLINE,
    )
