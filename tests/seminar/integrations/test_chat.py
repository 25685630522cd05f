"""Chat channels against a local HTTP server standing in for Slack, Discord and a generic
webhook receiver (pytest-httpserver on 127.0.0.1, allowed through the outbound guard)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from werkzeug import Response

from reviews import services as review_services
from seminar.integrations import chat, events
from seminar.models import AssignmentChange, ChatChannel, ChatDelivery
from seminar.services import record_assignment_change
from tests.seminar.integrations.conftest import submit
from tests.support import postgres_only

HOOK = "/hook"


@pytest.fixture(autouse=True)
def local_servers(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.SITE_URL = "https://seminar.example"


def _channel(httpserver, kind, events=("brief", "assignment", "review", "nudge"), **extra):
    return ChatChannel.objects.create(
        name=kind, kind=kind, url=httpserver.url_for(HOOK), events=list(events), **extra
    )


def _bodies(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _response in httpserver.log]


def _brief_week(week, reviewer):
    """The fixture week with one review submitted, one slot open, one missing."""
    second = week.topics.create(order=2, title="Absolute Zero", presenter=None)
    second.slots.create(number=1, reviewer=reviewer)
    submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    return week


@pytest.mark.django_db
def test_the_weekly_brief_in_slack_and_discord(httpserver, week, reviewer):
    _brief_week(week, reviewer)
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    slack, discord = _channel(httpserver, "slack"), _channel(httpserver, "discord")

    ids = events.announce_brief(week_id=week.pk)
    assert len(ids) == 2
    assert [chat.deliver(pk).outcome for pk in ids] == ["sent", "sent"]

    by_channel = {d.channel_id: d.payload for d in ChatDelivery.objects.all()}
    url = f"https://seminar.example/weeks/{week.pk}/"
    assert by_channel[slack.pk]["text"] == "\n".join(
        [
            "*📚 2025 가을 · week 3*",
            "When: 2025-09-18 19:00 · 온라인",
            "Reviews due: 2025-09-17 19:00",
            "*1. Spurious Rewards: Rethinking Training Signals in RLVR* — presenter: 조재현",
            "   reviewers: 박민경 ✓, open slot",
            "*2. Absolute Zero* — presenter: no presenter yet",
            "   reviewers: 박민경",
            "Open slots: 1",
            "Reviews still missing: 박민경",
            f"<{url}>",
        ]
    )
    discord_text = by_channel[discord.pk]["content"]
    assert discord_text.splitlines()[0] == "**📚 2025 가을 · week 3**"
    assert "**1\\. Spurious Rewards: Rethinking Training Signals in RLVR** — presenter: 조재현" in (
        discord_text
    )
    assert by_channel[discord.pk]["allowed_mentions"] == {"parse": []}
    assert _bodies(httpserver) == [
        by_channel[d.channel_id] for d in ChatDelivery.objects.order_by("pk")
    ]
    assert set(ChatDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_channel_only_gets_the_events_it_chose(httpserver, week, reviewer):
    _channel(httpserver, "slack", events=("brief",))
    slot = week.topics.get(order=1).slots.get(number=1)
    review = submit(slot, reviewer)
    assert events.announce_review(review_id=review.pk) == []
    assert len(events.announce_brief(week_id=week.pk)) == 1


@pytest.mark.django_db
def test_an_event_announced_twice_is_one_message(httpserver, week, reviewer, organizer):
    _channel(httpserver, "discord")
    topic = week.topics.get(order=1)
    change = record_assignment_change(
        topic=topic, member=reviewer, role="reviewer", assigned=True, actor=organizer
    )
    first = events.announce_assignment(change_id=change.pk)
    assert len(first) == 1 and events.announce_assignment(change_id=change.pk) == []
    assert (
        ChatDelivery.objects.get()
        .payload["content"]
        .endswith(f"<https://seminar.example/weeks/{week.pk}/>")
    )
    assert "박민경 reviews “Spurious Rewards" in ChatDelivery.objects.get().payload["content"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_message(httpserver, week, reviewer):
    def slow(request):
        time.sleep(0.3)
        return Response("ok")

    httpserver.expect_request(HOOK, method="POST").respond_with_handler(slow)
    review = submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    _channel(httpserver, "slack")  # after the submission, whose own announcement is committed
    start = threading.Barrier(2)
    results: list = []

    def worker():
        try:
            start.wait()
            ids = events.announce_review(review_id=review.pk)
            ids = ids or list(ChatDelivery.objects.values_list("pk", flat=True))
            start_delivery.wait()
            results.extend(chat.deliver(pk).outcome for pk in ids)
        finally:
            connections.close_all()

    start_delivery = threading.Barrier(2)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["sent", "skipped"]
    assert len(httpserver.log) == 1
    assert ChatDelivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_slack_429_waits_its_retry_after_then_succeeds(httpserver, week, reviewer):
    httpserver.expect_ordered_request(HOOK, method="POST").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(HOOK, method="POST").respond_with_data("ok")
    _channel(httpserver, "slack")
    review = submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    [pk] = events.announce_review(review_id=review.pk)
    t0 = ChatDelivery.objects.get().next_attempt_at

    first = chat.deliver(pk, now=t0)
    assert (first.outcome, first.retry_in) == ("retry", 7)
    row = ChatDelivery.objects.get()
    assert row.status == "pending" and row.next_attempt_at == t0 + timedelta(seconds=7)
    assert "429" in row.last_error
    # Too early: nothing is sent.
    assert chat.deliver(pk, now=t0 + timedelta(seconds=6)).outcome == "skipped"
    assert chat.deliver(pk, now=t0 + timedelta(seconds=7)).outcome == "sent"
    assert len(httpserver.log) == 2
    httpserver.check_assertions()


@pytest.mark.django_db
def test_discord_429_reads_retry_after_from_the_json_body(httpserver, week, reviewer):
    httpserver.expect_ordered_request(HOOK, method="POST").respond_with_json(
        {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
        status=429,
    )
    httpserver.expect_ordered_request(HOOK, method="POST").respond_with_data("", status=204)
    _channel(httpserver, "discord")
    review = submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    [pk] = events.announce_review(review_id=review.pk)
    t0 = ChatDelivery.objects.get().next_attempt_at
    assert chat.deliver(pk, now=t0).retry_in == 2  # 1.5 s, rounded up
    assert chat.deliver(pk, now=t0 + timedelta(seconds=2)).outcome == "sent"


@pytest.mark.django_db
def test_a_message_refused_too_often_is_given_up_and_shown(
    httpserver, week, reviewer, settings, organizer_client
):
    settings.INTEGRATIONS_CHAT_MAX_ATTEMPTS = 3
    httpserver.expect_request(HOOK, method="POST").respond_with_data("nope", status=500)
    _channel(httpserver, "slack")
    review = submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    [pk] = events.announce_review(review_id=review.pk)
    when = ChatDelivery.objects.get().next_attempt_at
    outcomes = []
    for _attempt in range(4):
        outcomes.append(chat.deliver(pk, now=when).outcome)
        when += timedelta(hours=2)
    assert outcomes == ["retry", "retry", "gave_up", "skipped"]
    assert len(httpserver.log) == 3
    page = organizer_client.get("/integrations/").content.decode()
    assert "Messages given up" in page and "HTTP 500" in page
    assert httpserver.url_for(HOOK) not in page  # the webhook URL is the secret

    organizer_client.post(f"/integrations/deliveries/{pk}/retry/")
    assert ChatDelivery.objects.get().status in ("pending", "sent")


@pytest.mark.django_db
def test_a_signed_webhook_carries_an_hmac_the_receiver_verifies(httpserver, week, reviewer):
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    channel = _channel(httpserver, "webhook", signing_secret="s3cret-key")
    review = submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    [pk] = events.announce_review(review_id=review.pk)
    assert chat.deliver(pk).outcome == "sent"

    [(request, _response)] = httpserver.log
    body = request.get_data()
    timestamp = request.headers["X-Seminar-Timestamp"]
    signature = request.headers["X-Seminar-Signature"]
    assert signature.startswith("sha256=")
    assert chat.verify_signature("s3cret-key", timestamp, body, signature)
    assert not chat.verify_signature("another-key", timestamp, body, signature)
    assert not chat.verify_signature("s3cret-key", timestamp, body + b" ", signature)
    data = json.loads(body)
    assert (data["event"], data["key"]) == ("review", f"review:{review.pk}")
    assert data["data"]["topic"].startswith("Spurious Rewards")
    assert channel.signing_secret not in body.decode()


@pytest.mark.django_db
def test_deadline_nudges_name_the_missing_reviewers_once(httpserver, week, reviewer):
    _channel(httpserver, "slack")
    now = week.review_deadline - timedelta(hours=5)
    first = events.announce_nudges(now=now)
    assert len(first) == 1
    assert "Still missing: 박민경" in ChatDelivery.objects.get().payload["text"]
    assert events.announce_nudges(now=now + timedelta(hours=1)) == []
    submit(week.topics.get(order=1).slots.get(number=1), reviewer)
    assert events.announce_nudges(now=now - timedelta(days=3)) == []  # not due yet


@pytest.mark.django_db
def test_a_digest_import_with_errors_is_announced(httpserver, db):
    from tests.factories import DigestFactory

    _channel(httpserver, "discord", events=("import_errors",))
    digest = DigestFactory(status="partial", errors=[{"arxiv_id": "2505.1", "reason": "no title"}])
    [pk] = events.announce_import_errors(digest_id=digest.pk)
    assert "1 problems: no title" in ChatDelivery.objects.get(pk=pk).payload["content"]


@pytest.mark.django_db
def test_a_swap_is_announced_as_one(httpserver, week, reviewer, organizer):
    if "reason" not in {f.name for f in AssignmentChange._meta.fields}:
        pytest.skip("swaps (#11) are not in this tree")
    _channel(httpserver, "slack")
    change = AssignmentChange.objects.create(
        topic=week.topics.get(order=1),
        member=reviewer,
        role="reviewer",
        assigned=True,
        actor=organizer,
        reason="swap",
    )
    events.announce_assignment(change_id=change.pk)
    assert "· Swap*" in ChatDelivery.objects.get().payload["text"]
    assert review_services  # the review services are what members use to swap and submit
