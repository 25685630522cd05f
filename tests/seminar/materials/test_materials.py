"""Materials: set by the presenter or an organizer from the week page, and shown on the week
page, in the exported page, in calendar feeds and in reminder emails."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from reviews import pages
from seminar import reminders
from seminar.models import SentReminder, SlidesUpload, Term, Topic
from seminar.reports import calendar as ical
from tests.seminar.materials.world import PDF, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

STORED = re.compile(r"slides/[0-9a-f]{32}\.pdf")


def post_materials(client, topic, **data):
    return client.post(reverse("topic_materials", args=[topic.pk]), data)


def pdf_upload(body: bytes = PDF, name: str = "deck.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_the_presenter_adds_a_slides_link_and_code_from_the_week_page(client, world):
    client.force_login(world.presenter)
    page = client.get(world.week.get_absolute_url()).content.decode()
    # The presenter is offered the form on their topic, and only there.
    assert f'data-materials-edit="{world.topic.pk}"' in page
    assert f'data-materials-edit="{world.unassigned.pk}"' not in page
    response = post_materials(
        client,
        world.topic,
        slides_url=" https://example.org/attention.pdf ",
        code_url="https://github.com/example/attention",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.week.get_absolute_url()}#topic-1"
    world.topic.refresh_from_db()
    assert world.topic.slides_url == "https://example.org/attention.pdf"
    assert world.topic.code_url == "https://github.com/example/attention"
    client.force_login(world.reviewer)
    page = client.get(world.week.get_absolute_url()).content.decode()
    assert 'href="https://example.org/attention.pdf" rel="noopener noreferrer"' in page
    assert 'href="https://github.com/example/attention" rel="noopener noreferrer"' in page
    assert "data-materials-edit" not in page  # a reviewer edits nobody's materials


def test_a_refused_link_re_renders_the_form_with_what_was_typed(client, world):
    client.force_login(world.presenter)
    response = post_materials(
        client, world.topic, slides_url="javascript:alert(1)", code_url="https://x.example/c"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Only http:// and https:// links can be saved." in body
    assert 'value="https://x.example/c"' in body
    world.topic.refresh_from_db()
    assert (world.topic.slides_url, world.topic.code_url) == ("", "")


def test_an_uploaded_pdf_is_stored_under_a_random_name_logged_and_downloaded(client, world, media):
    client.force_login(world.presenter)
    response = post_materials(client, world.topic, slides_pdf=pdf_upload(name="../../x.html"))
    assert response.status_code == 302
    world.topic.refresh_from_db()
    assert STORED.fullmatch(world.topic.slides_file)
    assert stored_files(media) == [world.topic.slides_file]
    log = SlidesUpload.objects.get()
    assert (log.owner, log.topic, log.name, log.size) == (
        world.presenter,
        world.topic,
        world.topic.slides_file,
        len(PDF),
    )
    client.force_login(world.reviewer)
    page = client.get(world.week.get_absolute_url()).content.decode()
    assert f'href="/topics/{world.topic.pk}/slides.pdf" data-slides-pdf' in page
    download = client.get(reverse("topic_slides", args=[world.topic.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="Attention Is All You Need.pdf"'
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_new_pdf_replaces_the_old_one_and_removing_it_deletes_the_file(
    client, world, media, django_capture_on_commit_callbacks
):
    client.force_login(world.organizer)
    post_materials(client, world.topic, slides_pdf=pdf_upload())
    first = Topic.objects.get(pk=world.topic.pk).slides_file
    with django_capture_on_commit_callbacks(execute=True):
        post_materials(client, world.topic, slides_pdf=pdf_upload(PDF + b"% v2\n%%EOF\n"))
    second = Topic.objects.get(pk=world.topic.pk).slides_file
    assert second != first
    assert stored_files(media) == [second]
    assert SlidesUpload.objects.get(name=first).removed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        post_materials(client, world.topic, remove_slides_pdf="on")
    assert Topic.objects.get(pk=world.topic.pk).slides_file == ""
    assert stored_files(media) == []
    assert SlidesUpload.objects.filter(removed_at__isnull=True).count() == 0
    assert client.get(reverse("topic_slides", args=[world.topic.pk])).status_code == 404


def test_organizers_set_the_weeks_meeting_and_recording_links(client, world):
    client.force_login(world.organizer)
    response = client.post(
        reverse("week_materials", args=[world.week.pk]),
        {"online_url": "https://meet.example.org/abc", "recording_url": "https://v.example/4"},
    )
    assert response.status_code == 302
    world.week.refresh_from_db()
    assert world.week.online_url == "https://meet.example.org/abc"
    assert world.week.recording_url == "https://v.example/4"
    client.force_login(world.reviewer)
    page = client.get(world.week.get_absolute_url()).content.decode()
    assert 'href="https://v.example/4" rel="noopener noreferrer" data-recording-link' in page


def _with_materials(world):
    world.topic.slides_url = "https://example.org/attention.pdf"
    world.topic.code_url = "https://github.com/example/attention"
    world.topic.save()
    world.week.recording_url = "https://video.example.org/4"
    world.week.online_url = "https://meet.example.org/abc"
    world.week.save()


def test_the_export_carries_materials_as_lines_of_the_groups_format(world):
    before = pages.export_week(world.week)
    assert "발표 자료" not in before and "코드" not in before and "녹화" not in before
    _with_materials(world)
    text = pages.export_week(world.week)
    assert text == before.replace(
        "# 📚 - 4주차\n\n", "# 📚 - 4주차\n\n- **녹화**: https://video.example.org/4\n\n"
    ).replace(
        "- **발표자**: 박민경\n",
        "- **발표자**: 박민경\n- **발표 자료**: https://example.org/attention.pdf\n"
        "- **코드**: https://github.com/example/attention\n",
    )
    # The meeting link is not exported: the page is an archive, the link may carry a passcode.
    assert "meet.example.org" not in text


def test_an_uploaded_pdf_is_exported_as_its_members_only_link(client, world):
    client.force_login(world.presenter)
    post_materials(client, world.topic, slides_pdf=pdf_upload())
    text = pages.export_week(world.week)
    assert (
        f"- **발표 자료**: https://seminar.example.org/topics/{world.topic.pk}/slides.pdf\n" in text
    )


def test_an_exported_page_imports_back_with_its_links(world):
    _with_materials(world)
    page = pages.weekpage.parse_week_page(pages.export_week(world.week))
    term = Term.objects.create(name="archive", starts_on=world.week.starts_at.date())
    week = pages.import_week_page(
        page=page,
        term=term,
        number=4,
        starts_at=world.week.starts_at,
        review_deadline=world.week.review_deadline,
    )
    topic = week.topics.get(order=1)
    assert topic.slides_url == "https://example.org/attention.pdf"
    assert topic.code_url == "https://github.com/example/attention"
    assert week.recording_url == "https://video.example.org/4"


def test_an_imported_page_keeps_only_http_links(world):
    text = (
        "# 📚 - 9주차\n\n- **녹화**: javascript:alert(1)\n\n"
        "### 주제 1: T\n- **발표자**: P\n- **발표 자료**: data:text/html,x\n"
        "- **코드**: https://ok.example/code\n"
    )
    term = Term.objects.create(name="archive", starts_on=world.week.starts_at.date())
    week = pages.import_week_page(
        page=pages.weekpage.parse_week_page(text),
        term=term,
        number=9,
        starts_at=world.week.starts_at,
        review_deadline=world.week.review_deadline,
    )
    topic = week.topics.get()
    assert (week.recording_url, topic.slides_url, topic.code_url) == (
        "",
        "",
        "https://ok.example/code",
    )


def test_calendar_events_carry_the_materials(world):
    _with_materials(world)
    feed = ical.group_feed(weeks=ical.feed_weeks(), viewer=world.reviewer)
    event = next(iter(Calendar.from_ical(feed).walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    assert "   Slides: https://example.org/attention.pdf" in description
    assert "   Code: https://github.com/example/attention" in description
    assert "Online link: https://meet.example.org/abc" in description
    assert "Recording: https://video.example.org/4" in description
    assert str(event["URL"]) == f"https://seminar.example.org/weeks/{world.week.pk}/"


def _email(world, user, kind):
    reminder = SentReminder(recipient=user, kind=kind, key=f"week:{world.week.pk}", week=world.week)
    return reminders.build_message(reminder, timezone.now())


def test_reminder_emails_carry_the_materials_in_the_readers_language(world):
    _with_materials(world)
    world.reviewer.language = "en"
    world.reviewer.save()
    message = _email(world, world.reviewer, SentReminder.Kind.REVIEWER_DEADLINE)
    assert message is not None
    assert "  Slides: https://example.org/attention.pdf\n" in message.body
    assert "  Code: https://github.com/example/attention\n" in message.body
    assert "Recording: https://video.example.org/4" in message.body
    html = message.alternatives[0][0]
    assert '<a href="https://example.org/attention.pdf">Slides</a>' in html
    world.presenter.language = "ko"
    world.presenter.save()
    message = _email(world, world.presenter, SentReminder.Kind.PRESENTER_DEADLINE)
    assert "  발표 자료: https://example.org/attention.pdf\n" in message.body
    assert "  코드: https://github.com/example/attention\n" in message.body


def test_a_presenters_reminder_asks_for_slides_not_yet_added(world):
    world.presenter.language = "en"
    world.presenter.save()
    message = _email(world, world.presenter, SentReminder.Kind.PRESENTER_DEADLINE)
    assert "  Slides: not added yet (add them on the week page)\n" in message.body
