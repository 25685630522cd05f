"""What the app tells chat channels, one function per event: each builds its message (a
`brief.Doc`) from ids, in the group's language, and announces it under a key that names the
event once and for all (so announcing it again sends nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.selectors import weeks_with_content
from seminar.integrations import chat
from seminar.lib.urls import absolute_url
from seminar.models import AssignmentChange, ChatChannel, Week
from seminar.scheduling import brief as briefs

Event = ChatChannel.Event


def _week_title(week: Week) -> str:
    return _("%(term)s · week %(number)d") % {"term": week.term.name, "number": week.number}


def week_brief(week: Week) -> briefs.Brief:
    return briefs.brief_for(week, url=absolute_url(week.get_absolute_url()))


def announce_brief(*, week_id: int) -> list[int]:
    week = weeks_with_content().filter(pk=week_id).first()
    if week is None:
        return []
    with chat.in_group_language():
        brief = week_brief(week)
        doc = briefs.brief_doc(brief)
        data = {
            "term": brief.term,
            "week": brief.number,
            "starts_at": brief.starts_at.isoformat(),
            "review_deadline": brief.review_deadline.isoformat(),
            "open_slots": brief.open_slots,
            "missing_reviews": list(brief.missing_reviews),
            "topics": [
                {"order": t.order, "title": t.title, "presenter": t.presenter} for t in brief.topics
            ],
        }
    return chat.announce(
        event=Event.BRIEF, key=f"brief:{week.pk}:{week.starts_at:%Y%m%d}", doc=doc, data=data
    )


def announce_assignment(*, change_id: int) -> list[int]:
    change = (
        AssignmentChange.objects.select_related("topic__week__term", "member", "actor")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return []
    topic, week = change.topic, change.topic.week
    swap = getattr(change, "reason", "") == "swap"
    with chat.in_group_language():
        values = {"name": change.member.display_name, "title": topic.title}
        if change.role == AssignmentChange.Role.PRESENTER:
            text = (
                _("%(name)s presents “%(title)s”.")
                if change.assigned
                else _("%(name)s no longer presents “%(title)s”.")
            ) % values
        else:
            text = (
                _("%(name)s reviews “%(title)s”.")
                if change.assigned
                else _("%(name)s no longer reviews “%(title)s”.")
            ) % values
        title = _week_title(week) + " · " + (_("Swap") if swap else _("Assignment"))
        doc = briefs.Doc(
            title=title,
            lines=((briefs.Text(text),),),
            url=absolute_url(week.get_absolute_url()),
        )
    data = {
        "week": week.number,
        "term": week.term.name,
        "topic": topic.title,
        "member": change.member.display_name,
        "role": change.role,
        "assigned": change.assigned,
        "swap": swap,
    }
    return chat.announce(event=Event.ASSIGNMENT, key=f"assignment:{change.pk}", doc=doc, data=data)


def announce_review(*, review_id: int) -> list[int]:
    from reviews.models import Review

    review = (
        Review.objects.select_related("slot__topic__week__term", "author", "slot__reviewer")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not review.is_submitted:
        return []
    topic, week = review.slot.topic, review.slot.topic.week
    author = review.author or review.slot.reviewer
    with chat.in_group_language():
        text = _("%(name)s submitted a review of “%(title)s”.") % {
            "name": author.display_name if author else _("Someone"),
            "title": topic.title,
        }
        doc = briefs.Doc(
            title=_week_title(week) + " · " + _("New review"),
            lines=((briefs.Text(text),),),
            url=absolute_url(week.get_absolute_url()),
        )
    data = {"week": week.number, "term": week.term.name, "topic": topic.title}
    return chat.announce(event=Event.REVIEW, key=f"review:{review.pk}", doc=doc, data=data)


def announce_nudges(*, now: datetime | None = None, within: timedelta = timedelta(hours=24)):
    """A nudge for each week whose reviews are due within `within` and still missing some."""
    now = now or timezone.now()
    created: list[int] = []
    weeks = weeks_with_content().filter(review_deadline__gt=now, review_deadline__lte=now + within)
    for week in weeks:
        with chat.in_group_language():
            brief = week_brief(week)
            if not brief.missing_reviews:
                continue
            due = timezone.localtime(week.review_deadline).strftime("%m-%d %H:%M")
            doc = briefs.Doc(
                title=_week_title(week) + " · " + _("Reviews due %(when)s") % {"when": due},
                lines=(
                    (
                        briefs.Text(
                            _("Still missing: %(names)s")
                            % {"names": ", ".join(brief.missing_reviews)}
                        ),
                    ),
                ),
                url=brief.url,
            )
        key = f"nudge:{week.pk}:{week.review_deadline:%Y%m%d%H%M}"
        data = {"week": week.number, "missing_reviews": list(brief.missing_reviews)}
        created += chat.announce(event=Event.NUDGE, key=key, doc=doc, data=data)
    return created


def announce_import_errors(*, digest_id: int) -> list[int]:
    from papers.models import Digest

    digest = Digest.objects.filter(pk=digest_id).first()
    if digest is None or digest.status not in (Digest.Status.FAILED, Digest.Status.PARTIAL):
        return []
    with chat.in_group_language():
        reasons = [str(e.get("reason", "")) for e in (digest.errors or []) if isinstance(e, dict)]
        doc = briefs.Doc(
            title=_("Digest import: %(status)s") % {"status": digest.get_status_display()},
            lines=(
                (briefs.Text(str(digest)),),
                (
                    briefs.Text(
                        _("%(count)d problems: %(first)s")
                        % {"count": len(reasons), "first": briefs.summarize(reasons, 2)}
                    ),
                ),
            ),
            url=absolute_url(digest.get_absolute_url()),
        )
    data = {"digest": digest.pk, "status": digest.status, "errors": len(reasons)}
    return chat.announce(
        event=Event.IMPORT_ERRORS, key=f"import:{digest.pk}:{digest.status}", doc=doc, data=data
    )


def announce_weekly_brief(*, now: datetime | None = None) -> list[int]:
    """The brief of the coming week (beat: weekly)."""
    from seminar.selectors import next_week

    week = next_week(now or timezone.now())
    return announce_brief(week_id=week.pk) if week is not None else []
