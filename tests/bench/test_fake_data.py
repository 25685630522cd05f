"""The benchmark's data generator and its harness's requests, at a tiny scale (not timed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from bench.fake_data import EMAIL_DOMAIN, TERM_MARKER, is_present, member_email
from bench.search import ID_PREFIX
from papers.models import CandidatePaper
from reviews.models import Review, ReviewSection
from seminar.models import ReviewerSlot, Term, Topic, User, Week

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

TINY = ["--weeks", "3", "--upcoming", "2", "--members", "8", "--papers", "20"]


def _generate(*extra: str) -> None:
    call_command("generate_fake_data", *TINY, *extra)


def _fake_members():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def test_generate_fake_data_makes_the_counts_asked_for():
    _generate()
    assert is_present()
    assert _fake_members().count() == 8
    assert Week.objects.count() == 3 + 2
    assert Topic.objects.count() == 5 * 3
    assert ReviewerSlot.objects.count() == 5 * 3 * 2
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED)
    assert submitted.count() == 3 * 3 * 2  # every past slot has its review
    assert not submitted.filter(slot__topic__week__starts_at__gt=_now()).exists()
    assert Review.objects.filter(status=Review.Status.DRAFT).count() == 6
    assert CandidatePaper.objects.filter(arxiv_id__startswith=ID_PREFIX).count() == 20
    assert Topic.objects.filter(paper__isnull=False).count() == 15
    assert all(t.name.endswith(TERM_MARKER) for t in Term.objects.all())


def test_generated_reviews_have_three_to_five_rendered_sections():
    _generate()
    for review in Review.objects.filter(status=Review.Status.SUBMITTED).prefetch_related(
        "sections"
    ):
        sections = list(review.sections.all())
        assert 3 <= len(sections) <= 5
        assert [s.order for s in sections] == list(range(1, len(sections) + 1))
        assert all(s.body and s.body_html.startswith("<") for s in sections)
        assert review.is_late == (review.submitted_at > review.slot.topic.week.review_deadline)
    assert ReviewSection.objects.filter(body__contains="$").exists()  # some math


def test_generated_members_can_sign_in():
    _generate()
    assert (
        EmailAddress.objects.filter(user__in=_fake_members(), verified=True, primary=True).count()
        == 8
    )
    client = Client()
    assert client.login(username=member_email(3), password="seminar-bench")
    assert client.get("/").status_code == 200
    assert User.objects.get(email=member_email(1)).is_organizer


def test_generate_fake_data_if_absent_reset_and_wipe():
    _generate()
    weeks = Week.objects.count()
    _generate("--if-absent")
    assert Week.objects.count() == weeks
    _generate("--reset")
    assert Week.objects.count() == weeks
    assert _fake_members().count() == 8
    call_command("generate_fake_data", "--wipe")
    assert not is_present()
    assert Week.objects.count() == 0
    assert not _fake_members().exists()
    assert not CandidatePaper.objects.filter(arxiv_id__startswith=ID_PREFIX).exists()


def _now():
    from django.utils import timezone

    return timezone.now()


def _bench_module():
    path = Path(settings.BASE_DIR) / "bench" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_bench_clients_save_drafts_as_the_editor_does():
    """The harness's sessions and its draft-save POST pass the real checks (CSRF included)."""
    _generate()
    bench = _bench_module()
    bench.CLIENTS = 2
    context = bench.prepare_clients()
    member = context.clients[0]
    assert User.objects.get(email=member.email).calendar_token == member.calendar_token

    browser = Client(enforce_csrf_checks=True)
    browser.cookies["sessionid"] = member.session_key
    editor = browser.get(f"/slots/{member.slot_id}/review/")
    assert editor.status_code == 200
    html = editor.content.decode()
    member.csrf_cookie = editor.cookies["csrftoken"].value
    member.csrf_token = bench._CSRF_INPUT.search(html).group(1)
    member.version = bench._VERSION_INPUT.search(html).group(1)

    method, path, body, headers = bench._draft_save(member)
    response = browser.post(
        path,
        data=body,
        content_type=headers["Content-Type"],
        headers={"X-CSRFToken": headers["X-CSRFToken"], "Accept": headers["Accept"]},
    )
    assert (method, response.status_code) == ("POST", 200)
    bench._after_draft_save(member, response.status_code, response.content)
    review = Review.objects.get(slot_id=member.slot_id)
    assert member.version == review.updated_at.isoformat()
    assert "벤치마크 초안 1" in review.sections.first().body
    # The next save carries the new version, so it is not a conflict.
    method, path, body, headers = bench._draft_save(member)
    again = browser.post(
        path,
        data=body,
        content_type=headers["Content-Type"],
        headers={"X-CSRFToken": headers["X-CSRFToken"]},
    )
    assert again.status_code == 200
