"""What needs an organizer's attention this week: the "this week" card of their home page.

One read, `needs_attention`, in a constant number of queries (seven) whatever the weeks hold:
open roles and conflicts of the next meetings, reviews still missing near or after their
deadline, reminder emails that failed or are held, digest imports that ended with errors.
Every item carries the link of the page where it is fixed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from papers.models import Digest
from seminar.meetings import group_zone
from seminar.models import ReviewerSlot, SentReminder, Topic, Week
from seminar.scheduling.fairness import Conflict, ConflictKind
from seminar.scheduling.suggestions import find_conflicts

# The next meetings the card looks at, and how far back a missing review still counts.
MEETINGS_AHEAD = 2
OVERDUE_DAYS = 7
# Reviews still missing this close to their deadline (or after it) are worth a word.
DEADLINE_NEAR = timedelta(hours=48)
# Failed emails and imports stay on the card this long.
RECENT = timedelta(days=14)
DIGESTS_SHOWN = 5


class AttentionKind:
    REVIEWS_MISSING = "reviews_missing"
    CONFLICT = "conflict"
    NO_PRESENTER = "no_presenter"
    OPEN_SLOTS = "open_slots"
    EMAILS_FAILED = "emails_failed"
    EMAILS_HELD = "emails_held"
    IMPORT_ERRORS = "import_errors"


@dataclass(frozen=True)
class AttentionItem:
    kind: str
    message: str
    url: str
    week: Week | None = None
    urgent: bool = False


def _board(anchor: str) -> str:
    return f"{reverse('schedule')}#{anchor}"


def _start_of_day(now: datetime) -> datetime:
    """Today's start in the group's zone, as the board reads it (not the organizer's zone:
    from Los Angeles, last night's meeting in Seoul is not still to come)."""
    return timezone.localtime(now, group_zone()).replace(hour=0, minute=0, second=0, microsecond=0)


def _weeks_in_view(now: datetime, meetings: int) -> list[Week]:
    """The next `meetings` weeks of open terms and the ones of the last OVERDUE_DAYS, with
    topics, presenters, slots, reviewers and reviews (four queries)."""
    today = _start_of_day(now)
    open_weeks = Week.objects.filter(term__closed_at__isnull=True)
    coming = list(
        open_weeks.filter(starts_at__gte=today)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:meetings]
    )
    slots = ReviewerSlot.objects.select_related("reviewer", "review").order_by("number")
    topics = (
        Topic.objects.select_related("presenter")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .order_by("order")
    )
    return list(
        open_weeks.filter(
            Q(pk__in=coming)
            | Q(starts_at__gte=now - timedelta(days=OVERDUE_DAYS), starts_at__lt=today)
        )
        .select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("starts_at", "pk")
    )


def _missing_reviews(week: Week, now: datetime) -> AttentionItem | None:
    if week.review_deadline - now > DEADLINE_NEAR:
        return None
    missing = [
        slot.reviewer
        for topic in week.topics.all()
        for slot in topic.slots.all()
        if slot.reviewer_id is not None
        and (slot.current_review is None or not slot.current_review.is_submitted)
    ]
    if not missing:
        return None
    names = ", ".join(member.display_name for member in missing)
    if now > week.review_deadline:
        message = ngettext(
            "%(count)d review is past its deadline: %(names)s.",
            "%(count)d reviews are past their deadline: %(names)s.",
            len(missing),
        )
    else:
        message = ngettext(
            "%(count)d review is not in yet, due within two days: %(names)s.",
            "%(count)d reviews are not in yet, due within two days: %(names)s.",
            len(missing),
        )
    today = _start_of_day(now)
    url = _board(f"week-{week.pk}") if week.starts_at >= today else week.get_absolute_url()
    return AttentionItem(
        kind=AttentionKind.REVIEWS_MISSING,
        message=message % {"count": len(missing), "names": names},
        url=url,
        week=week,
        urgent=True,
    )


def _coming_week_items(week: Week, conflicts: list[Conflict]) -> list[AttentionItem]:
    items = []
    for conflict in conflicts:
        anchor = f"topic-{conflict.topic_id}" if conflict.topic_id else f"week-{week.pk}"
        items.append(
            AttentionItem(
                kind=AttentionKind.CONFLICT,
                message=conflict.message,
                url=_board(anchor),
                week=week,
                urgent=conflict.kind == ConflictKind.OWN_TOPIC,
            )
        )
    for topic in week.topics.all():
        if topic.presenter_id is None:
            items.append(
                AttentionItem(
                    kind=AttentionKind.NO_PRESENTER,
                    message=_("“%(title)s” has no presenter.") % {"title": topic.title},
                    url=_board(f"topic-{topic.pk}"),
                    week=week,
                )
            )
    for topic in week.topics.all():
        open_slots = [slot for slot in topic.slots.all() if slot.reviewer_id is None]
        if open_slots:
            items.append(
                AttentionItem(
                    kind=AttentionKind.OPEN_SLOTS,
                    message=ngettext(
                        "“%(title)s” has %(count)d open reviewer slot.",
                        "“%(title)s” has %(count)d open reviewer slots.",
                        len(open_slots),
                    )
                    % {"title": topic.title, "count": len(open_slots)},
                    url=_board(f"slot-{open_slots[0].pk}"),
                    week=week,
                )
            )
    return items


def _email_items(now: datetime) -> list[AttentionItem]:
    Status = SentReminder.Status
    counts = SentReminder.objects.aggregate(
        failed=Count(
            "pk",
            filter=Q(status__in=[Status.FAILED, Status.GAVE_UP], created_at__gte=now - RECENT),
        ),
        held=Count("pk", filter=Q(status=Status.QUEUED, send_after__gt=now)),
        held_until=Min("send_after", filter=Q(status=Status.QUEUED, send_after__gt=now)),
    )
    items = []
    url = reverse("reminder_status")
    if counts["failed"]:
        items.append(
            AttentionItem(
                kind=AttentionKind.EMAILS_FAILED,
                message=ngettext(
                    "%(count)d reminder email failed in the last two weeks.",
                    "%(count)d reminder emails failed in the last two weeks.",
                    counts["failed"],
                )
                % {"count": counts["failed"]},
                url=url,
                urgent=True,
            )
        )
    if counts["held"]:
        items.append(
            AttentionItem(
                kind=AttentionKind.EMAILS_HELD,
                message=ngettext(
                    "%(count)d reminder email is held until %(time)s (quiet hours).",
                    "%(count)d reminder emails are held, the first until %(time)s (quiet hours).",
                    counts["held"],
                )
                % {
                    "count": counts["held"],
                    "time": timezone.localtime(counts["held_until"]).strftime("%m-%d %H:%M"),
                },
                url=url,
            )
        )
    return items


def _digest_items(now: datetime) -> list[AttentionItem]:
    digests = (
        Digest.objects.filter(
            status__in=[Digest.Status.FAILED, Digest.Status.PARTIAL], created_at__gte=now - RECENT
        )
        .only("pk", "date", "origin", "content_hash", "status", "papers_failed", "created_at")
        .order_by("-created_at", "-pk")[:DIGESTS_SHOWN]
    )
    items = []
    for digest in digests:
        name = digest.origin or (digest.date.isoformat() if digest.date else digest.short_hash)
        if digest.status == Digest.Status.FAILED:
            message = _("The import of %(name)s failed.") % {"name": name}
        else:
            message = ngettext(
                "The import of %(name)s finished with %(count)d failed paper.",
                "The import of %(name)s finished with %(count)d failed papers.",
                digest.papers_failed,
            ) % {"name": name, "count": digest.papers_failed}
        items.append(
            AttentionItem(
                kind=AttentionKind.IMPORT_ERRORS,
                message=message,
                url=digest.get_absolute_url(),
                urgent=digest.status == Digest.Status.FAILED,
            )
        )
    return items


def needs_attention(
    *, now: datetime | None = None, meetings: int = MEETINGS_AHEAD
) -> list[AttentionItem]:
    """What an organizer should look at: per week (overdue ones first, then the next
    `meetings`), missing reviews, conflicts, topics without a presenter and open reviewer
    slots; then reminder emails and digest imports with problems. Seven queries."""
    now = now or timezone.now()
    today = _start_of_day(now)
    weeks = _weeks_in_view(now, meetings)
    coming = [week for week in weeks if week.starts_at >= today]
    conflicts: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in find_conflicts(weeks=coming):  # the board's rules; one query
        conflicts[conflict.week_id].append(conflict)
    items: list[AttentionItem] = []
    for week in weeks:
        missing = _missing_reviews(week, now)
        if missing is not None:
            items.append(missing)
        if week.starts_at >= today:
            items.extend(_coming_week_items(week, conflicts[week.pk]))
    items.extend(_email_items(now))
    items.extend(_digest_items(now))
    return items
