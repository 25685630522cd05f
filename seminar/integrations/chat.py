"""Chat channels: Slack and Discord incoming webhooks, and a generic signed JSON webhook.

Every message is a `ChatDelivery` row, unique per (channel, event key), so an event announced
twice (two workers, a retried task, a beat run overlapping a signal) is still one message. A
row is claimed with one conditional UPDATE before it is sent, so two workers holding the same
row cannot both send it. A 429 is retried after the service's `retry_after` (Slack: the
``Retry-After`` header; Discord: ``retry_after`` in the JSON body, seconds), other failures
with backoff; after `max_attempts()` the row is given up and shown to organizers.

Requests go through `seminar.lib.outbound.fetch` (public addresses only, one deadline, a size
cap). The webhook URL is the credential of Slack and Discord webhooks: it is never logged
(errors name the channel, not the URL) and never rendered after saving.

The generic webhook signs ``<timestamp>.<body>`` with HMAC-SHA256 under the channel's secret:
``X-Seminar-Timestamp: <unix seconds>`` and ``X-Seminar-Signature: sha256=<hex>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from seminar.lib import outbound
from seminar.lib.queue import worker_gone_after
from seminar.models import ChatChannel, ChatDelivery
from seminar.scheduling import brief as briefs

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Seminar-Signature"
TIMESTAMP_HEADER = "X-Seminar-Timestamp"
MAX_RETRY_AFTER = 3600


def max_attempts() -> int:
    return int(getattr(settings, "INTEGRATIONS_CHAT_MAX_ATTEMPTS", 5))


def _timeout() -> float:
    return float(getattr(settings, "INTEGRATIONS_CHAT_TIMEOUT", 10))


# --- payloads -------------------------------------------------------------------------------


def payload_for(channel: ChatChannel, *, event: str, key: str, doc: briefs.Doc, data: dict) -> dict:
    """The JSON body this channel's service expects, for one message."""
    if channel.kind == ChatChannel.Kind.SLACK:
        text = briefs.render_slack(doc)
        return {"text": text, "mrkdwn": True, "unfurl_links": False, "unfurl_media": False}
    if channel.kind == ChatChannel.Kind.DISCORD:
        # No mention of anyone, whatever a title says (@everyone, <@id>, roles).
        return {"content": briefs.render_discord(doc), "allowed_mentions": {"parse": []}}
    return {
        "event": event,
        "key": key,
        "title": doc.title,
        "text": briefs.render_plain(doc),
        "url": doc.url,
        "data": data,
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (documented in docs/INTEGRATIONS.md; used by the tests)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


# --- announcing -----------------------------------------------------------------------------


def announce(*, event: str, key: str, doc: briefs.Doc, data: dict | None = None) -> list[int]:
    """Queue the message for every enabled channel that chose `event`; the ids of the rows
    created now (an event announced before makes none)."""
    channels = [c for c in ChatChannel.objects.filter(enabled=True) if event in (c.events or [])]
    created = []
    for channel in channels:
        payload = payload_for(channel, event=event, key=key, doc=doc, data=data or {})
        delivery, was_created = ChatDelivery.objects.get_or_create(
            channel=channel,
            event_key=key[:200],
            defaults={"event": event, "payload": payload},
        )
        if was_created:
            created.append(delivery.pk)
    return created


# --- delivering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # sent | retry | gave_up | skipped
    retry_in: int | None = None


def _claim(delivery_id: int, now: datetime) -> ChatDelivery | None:
    """Take the row for this worker: one UPDATE that only one worker can win."""
    stale = now - worker_gone_after()
    claimed = ChatDelivery.objects.filter(
        Q(status=ChatDelivery.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=ChatDelivery.Status.SENDING, claimed_at__lt=stale),
        pk=delivery_id,
    ).update(status=ChatDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return ChatDelivery.objects.select_related("channel").get(pk=delivery_id)


def _retry_after(response: outbound.Response, kind: str) -> float | None:
    """The service's own wait before the next try, in seconds."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return float(header)
        except ValueError:
            pass
    if kind == ChatChannel.Kind.DISCORD:
        try:
            return float(json.loads(response.body or b"{}").get("retry_after"))
        except (ValueError, TypeError, AttributeError):
            return None
    return None


def _send(channel: ChatChannel, payload: dict) -> outbound.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.kind == ChatChannel.Kind.WEBHOOK:
        timestamp = str(int(timezone.now().timestamp()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signature(channel.signing_secret, timestamp, body)
    return outbound.fetch(
        channel.url,
        method="POST",
        body=body,
        headers=headers,
        timeout=_timeout(),
        max_bytes=64 * 1024,
        follow_redirects=False,
    )


def deliver(delivery_id: int, *, now: datetime | None = None) -> DeliveryResult:
    """Send one claimed message; record what happened. Safe to call from any number of
    workers at once: only the one that claims the row sends it."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return DeliveryResult("skipped")
    channel = delivery.channel
    wait: float | None = None
    error = ""
    try:
        if not channel.enabled:
            raise outbound.OutboundError("the channel is disabled")
        response = _send(channel, delivery.payload)
    except outbound.OutboundError as exc:
        # Never the URL: for Slack and Discord it is the secret.
        error = f"{type(exc).__name__}"
        logger.warning("Chat delivery %s to channel %s failed: %s", delivery.pk, channel.pk, error)
    else:
        if 200 <= response.status < 300:
            ChatDelivery.objects.filter(pk=delivery.pk).update(
                status=ChatDelivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            return DeliveryResult("sent")
        error = f"HTTP {response.status}"
        if response.status == 429:
            wait = _retry_after(response, channel.kind)
            error += " (rate limited)"
        elif 400 <= response.status < 500 and response.status not in (408, 409):
            error += " (refused: check the webhook)"
    if delivery.attempts >= max_attempts():
        ChatDelivery.objects.filter(pk=delivery.pk).update(
            status=ChatDelivery.Status.GAVE_UP, last_error=error
        )
        return DeliveryResult("gave_up")
    if wait is None:
        wait = min(30 * 2 ** (delivery.attempts - 1), MAX_RETRY_AFTER)
    retry_in = max(0, min(math.ceil(wait), MAX_RETRY_AFTER))
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        status=ChatDelivery.Status.PENDING,
        next_attempt_at=now + timedelta(seconds=retry_in),
        last_error=error,
    )
    return DeliveryResult("retry", retry_in=retry_in)


def due_deliveries(now: datetime | None = None) -> list[int]:
    """Rows to (re)send now: waiting ones whose time has come, and ones whose worker died."""
    now = now or timezone.now()
    stale = now - worker_gone_after()
    return list(
        ChatDelivery.objects.filter(
            Q(status=ChatDelivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=ChatDelivery.Status.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def retry_delivery(*, delivery: ChatDelivery) -> None:
    """An organizer sends a given-up message again (after fixing the channel)."""
    ChatDelivery.objects.filter(pk=delivery.pk, status=ChatDelivery.Status.GAVE_UP).update(
        status=ChatDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )


def in_group_language():
    return translation.override(settings.LANGUAGE_CODE)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
