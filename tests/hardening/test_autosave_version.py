"""An autosave must say which version it edits (issue 10, finding 17).

The editor sends back the version it loaded, so a background save from a stale tab is refused
(409) instead of overwriting what another tab saved since. A request that simply left the
version out skipped that check and overwrote the review; it is now refused with a JSON error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Review
from reviews.weekpage import ReviewSection
from tests.factories import ReviewerSlotFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def slot(member):
    return ReviewerSlotFactory(reviewer=member, topic__order=1, number=1)


def _sections(*bodies: str, version: str | None = None) -> dict[str, str]:
    data = {"sections-TOTAL_FORMS": str(len(bodies)), "sections-INITIAL_FORMS": str(len(bodies))}
    for number, body in enumerate(bodies):
        data[f"sections-{number}-heading"] = f"제목 {number + 1}"
        data[f"sections-{number}-body"] = body
    if version is not None:
        data["version"] = version
    return data


def _autosave(client, slot, data):
    return client.post(reverse("review_autosave", args=[slot.pk]), data)


def test_an_autosave_without_a_version_does_not_overwrite_another_tabs_save(member_client, slot):
    # Another tab saved this text since the stale one loaded.
    services.save_draft(
        slot=slot, sections=[ReviewSection("리뷰", "최신 본문")], actor=slot.reviewer
    )
    response = _autosave(member_client, slot, _sections("오래된 본문"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "version_missing"
    assert "reload" in body["error"].lower()
    assert [s.body for s in Review.objects.get(slot=slot).sections.all()] == ["최신 본문"]


def test_an_autosave_without_a_version_creates_nothing(member_client, slot):
    response = _autosave(member_client, slot, _sections("본문"))
    assert response.status_code == 400
    assert response.json()["code"] == "version_missing"
    assert not Review.objects.filter(slot=slot).exists()


def test_an_autosave_with_the_loaded_version_saves(member_client, slot):
    # A first save carries the empty version of "no review yet"; the next carries the answer.
    first = _autosave(member_client, slot, _sections("첫 본문", version=""))
    assert first.status_code == 200
    second = _autosave(member_client, slot, _sections("둘째 본문", version=first.json()["version"]))
    assert second.status_code == 200
    assert [s.body for s in Review.objects.get(slot=slot).sections.all()] == ["둘째 본문"]
    stale = _autosave(member_client, slot, _sections("낡은 본문", version=first.json()["version"]))
    assert stale.status_code == 409


def test_the_editor_always_sends_the_version_it_loaded(member_client, slot):
    # The form carries the version as a hidden field, and the script posts the whole form.
    html = member_client.get(reverse("review_edit", args=[slot.pk])).content.decode()
    form = re.search(r"<form[^>]*data-review-editor.*?</form>", html, re.S)
    assert form is not None
    assert re.search(r'<input type="hidden" name="version" value="[^"]*" data-version>', form[0])
    script = (ROOT / "static" / "js" / "review-editor.js").read_text(encoding="utf-8")
    assert "var data = new FormData(form);" in script
    assert 'data.delete("version")' not in script
