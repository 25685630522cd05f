"""Materials (#13): no uploaded "slides" can run as HTML or script in the app's origin, fill
the disk or memory, and nobody but a topic's presenter or an organizer changes its materials.

Slides are served from the app's origin like members' images, so the same rules hold: the
bytes must really be a PDF (header at the very start, no markup a browser would sniff, no
script actions), the client's name and type are never used, the file is stored under a random
name, and it is served to signed-in members only, as an attachment with `nosniff` and a
sandboxing policy.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import Client
from django.urls import reverse

from seminar.materials import services
from seminar.materials.uploads import SizeLimitHandler
from seminar.models import SlidesUpload, Topic
from tests.factories import TopicFactory, UserFactory
from tests.seminar.materials.world import PDF, build_world, stored_files, use_media

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


@pytest.fixture
def world(db, fixed_clock, member, other_member, organizer, media):
    """A topic presented by `member`, reviewed by `other_member`; `organizer` organizes."""
    return build_world(member=member, other_member=other_member, organizer=organizer)


HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"></svg>'
POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
PDF_WITH_SCRIPT = PDF.replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
)


def upload(client, topic, body: bytes, name: str = "slides.pdf", **fields):
    pdf = SimpleUploadedFile(name, body, content_type="application/pdf")
    return client.post(reverse("topic_materials", args=[topic.pk]), {**fields, "slides_pdf": pdf})


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        (HTML, "slides.pdf", "Only PDF files can be uploaded as slides."),
        (HTML, "slides.html", "Only PDF files can be uploaded as slides."),
        (SVG, "slides.pdf", "Only PDF files can be uploaded as slides."),
        (POLYGLOT, "slides.pdf", "This file holds web page markup"),
        (PDF_WITH_SCRIPT, "slides.pdf", "This PDF contains scripts"),
        (PDF[:-7], "slides.pdf", "This PDF looks cut off"),
    ],
)
def test_a_file_that_is_not_a_plain_pdf_is_refused_and_nothing_is_stored(
    client, world, media, body, name, reason
):
    client.force_login(world.presenter)
    response = upload(client, world.topic, body, name, slides_url="https://kept.example/s")
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert 'value="https://kept.example/s"' in response.content.decode()
    assert stored_files(media) == []
    assert SlidesUpload.objects.count() == 0
    assert Topic.objects.get(pk=world.topic.pk).slides_file == ""


def test_an_oversized_pdf_is_refused(client, world, media, settings):
    settings.SEMINAR_SLIDES_MAX_BYTES = 1000
    client.force_login(world.presenter)
    response = upload(client, world.topic, PDF[:-6] + b"%" * 2000 + b"\n%%EOF\n")
    assert response.status_code == 400
    assert "Slides may be at most 1000\xa0bytes." in response.content.decode()
    assert stored_files(media) == []
    assert SlidesUpload.objects.count() == 0


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(client, world, media, settings):
    settings.SEMINAR_SLIDES_MAX_BYTES = 1000
    client.force_login(world.presenter)
    response = upload(client, world.topic, PDF + b"%" * 200_000)
    assert response.status_code == 413
    assert "Slides may be at most" in response.content.decode()
    assert stored_files(media) == []


def test_the_size_guard_stops_reading_at_the_limit():
    guard = SizeLimitHandler(limit=10)
    assert guard.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload):
        guard.receive_data_chunk(b"678901", 5)
    assert guard.exceeded


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>", "//x"],
)
def test_script_and_other_links_are_refused_everywhere(client, world, link):
    client.force_login(world.organizer)
    for field in ("slides_url", "code_url"):
        response = client.post(reverse("topic_materials", args=[world.topic.pk]), {field: link})
        assert response.status_code == 400, field
    for field in ("online_url", "recording_url"):
        response = client.post(reverse("week_materials", args=[world.week.pk]), {field: link})
        assert response.status_code == 400, field
    world.topic.refresh_from_db()
    world.week.refresh_from_db()
    assert [world.topic.slides_url, world.topic.code_url] == ["", ""]
    assert [world.week.online_url, world.week.recording_url] == ["", ""]


def test_a_member_cannot_edit_another_presenters_materials(client, world, media):
    world.topic.slides_url = "https://original.example/s"
    world.topic.save()
    for intruder in (world.reviewer, UserFactory()):
        client.force_login(intruder)
        url = reverse("topic_materials", args=[world.topic.pk])
        assert client.get(url).status_code == 403
        response = upload(client, world.topic, PDF, slides_url="https://evil.example/")
        assert response.status_code == 403
    assert Topic.objects.get(pk=world.topic.pk).slides_url == "https://original.example/s"
    assert stored_files(media) == []


def test_a_presenter_cannot_reach_another_topic_by_its_id(client, world, media):
    """IDOR: the presenter of topic A posts to topic B's URL (B has another presenter)."""
    other = TopicFactory(week=world.week, order=3, title="Not yours", presenter=UserFactory())
    client.force_login(world.presenter)
    assert upload(client, other, PDF, slides_url="https://evil.example/").status_code == 403
    assert (
        client.post(reverse("topic_materials", args=[world.unassigned.pk]), {}).status_code == 403
    )
    assert client.post(reverse("week_materials", args=[world.week.pk]), {}).status_code == 403
    other.refresh_from_db()
    assert (other.slides_url, other.slides_file) == ("", "")
    assert stored_files(media) == []


def test_the_service_refuses_a_presenter_replaced_in_the_meantime(world, media):
    """The view's check proves nothing a moment later: the service checks again under the
    topic's row lock, and a refused upload leaves no file behind."""
    stale = Topic.objects.get(pk=world.topic.pk)
    Topic.objects.filter(pk=world.topic.pk).update(presenter=world.reviewer)
    with pytest.raises(PermissionDenied):
        services.set_topic_materials(
            actor=world.presenter,
            topic=stale,
            materials=services.TopicMaterials(slides_url="https://late.example/"),
        )
    assert Topic.objects.get(pk=world.topic.pk).slides_url == ""
    assert stored_files(media) == []


def test_slides_are_served_to_members_only_as_an_attachment_that_cannot_run(client, world, media):
    client.force_login(world.presenter)
    upload(client, world.topic, PDF, name="<script>.html")
    stored = Topic.objects.get(pk=world.topic.pk).slides_file
    assert stored.startswith("slides/") and stored.endswith(".pdf") and "script" not in stored
    url = reverse("topic_slides", args=[world.topic.pk])
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(world.reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # Never under /media/: the members' image route serves markdownx/ names only.
    assert client.get(f"/media/{stored}").status_code == 404


@pytest.mark.parametrize(
    "name", ["markdownx/0123456789abcdef0123456789abcdef.png", "slides/x.html", "../settings.py"]
)
def test_a_stored_name_the_uploader_did_not_make_is_never_served(client, world, media, name):
    """A name set another way (the admin, an old row) is only served if it is a name
    `seminar.materials.uploads` could have produced."""
    (media / "slides").mkdir(parents=True, exist_ok=True)
    (media / "slides" / "x.html").write_bytes(HTML)
    Topic.objects.filter(pk=world.topic.pk).update(slides_file=name)
    client.force_login(world.reviewer)
    assert client.get(reverse("topic_slides", args=[world.topic.pk])).status_code == 404


def test_the_upload_view_still_checks_the_csrf_token(world, media):
    """The view is `csrf_exempt` only so its size guard is in place before the body is read;
    it checks the token itself right after (a forged cross-site form changes nothing)."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.presenter)
    url = reverse("topic_materials", args=[world.topic.pk])
    forged = strict.post(url, {"slides_url": "https://evil.example/"})
    assert forged.status_code == 403
    assert Topic.objects.get(pk=world.topic.pk).slides_url == ""
    page = strict.get(url)
    token = page.cookies["csrftoken"].value
    pdf = SimpleUploadedFile("s.pdf", PDF, content_type="application/pdf")
    honest = strict.post(
        url,
        {"csrfmiddlewaretoken": token, "slides_url": "https://ok.example/", "slides_pdf": pdf},
    )
    assert honest.status_code == 302
    assert Topic.objects.get(pk=world.topic.pk).slides_url == "https://ok.example/"
    assert len(stored_files(media)) == 1
