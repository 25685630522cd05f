"""Merging a duplicate candidate paper into the one that stays (organizers).

A digest can name the same paper twice in ways the importer cannot tell apart (an old-style id
and its new form, an id typed wrong): the pool then holds two candidates for one paper. The
organizer picks the one to keep; everything that points at the other moves to it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from papers import voting
from papers.models import CandidatePaper, PaperInterest, PaperSummary
from seminar.models import Topic

if TYPE_CHECKING:
    from seminar.models import User

logger = logging.getLogger(__name__)

# Text fields the duplicate may fill on the paper that stays, when that one has none.
_FILLED_WHEN_EMPTY = ("title", "authors", "abstract", "hf_url", "arxiv_url", "thumbnail_url")
# How far along the programme a status is: the merged paper keeps the furthest one, so a
# duplicate that was scheduled does not send the paper back to the pool.
_STATUS_RANK = {
    CandidatePaper.Status.DISMISSED: 0,
    CandidatePaper.Status.CANDIDATE: 1,
    CandidatePaper.Status.SCHEDULED: 2,
    CandidatePaper.Status.PRESENTED: 3,
}


def merge_papers(
    *, duplicate: CandidatePaper, into: CandidatePaper, actor: User | None
) -> list[str]:
    """Move everything of `duplicate` to `into` and delete `duplicate`; return the fields of
    `into` that were filled from it.

    Summaries, interest marks, members' votes and topics move (where `into` already has a
    summary of the same digest, or the same member's mark of the same kind or vote, that one
    is kept and the duplicate's dropped). Empty fields of `into` are filled from the
    duplicate, never a field an organizer edited on `into`; an organizer's edit on the
    duplicate stays protected on `into`. One transaction: either all of it happens or
    nothing. Raises `ValidationError` when both are the same paper, or one of them is gone.
    """
    if duplicate.pk == into.pk:
        raise ValidationError(_("A paper cannot be merged into itself."), code="self")
    with transaction.atomic():
        # Locked in a fixed order, so two merges of the same pair cannot deadlock.
        locked = {
            paper.pk: paper
            for paper in CandidatePaper.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(
                _("The paper was changed meanwhile (merged or deleted); reload the page."),
                code="gone",
            )
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        _move_summaries(duplicate, into)
        _move_interests(duplicate, into)
        voting.move_votes(duplicate=duplicate, into=into)  # members' votes (#13)
        Topic.objects.filter(paper=duplicate).update(paper=into)
        filled = _fill_fields(duplicate, into)
        duplicate_id = duplicate.arxiv_id
        duplicate.delete()  # what did not move (conflicting summaries and marks) goes with it
        into.updated_at = timezone.now()
        into.save()  # also recomputes its search text, summaries included
    logger.info("%s merged %s into %s", actor, duplicate_id, into.arxiv_id)
    return filled


def _move_summaries(duplicate: CandidatePaper, into: CandidatePaper) -> None:
    # One summary per paper and digest: where both have one, the kept paper's stays.
    taken = PaperSummary.objects.filter(paper=into).values("digest_id")
    PaperSummary.objects.filter(paper=duplicate).exclude(digest_id__in=taken).update(paper=into)


def _move_interests(duplicate: CandidatePaper, into: CandidatePaper) -> None:
    # One mark per member and kind: a member who marked both papers keeps one mark.
    kept = set(PaperInterest.objects.filter(paper=into).values_list("member_id", "kind"))
    movable = [
        mark.pk
        for mark in PaperInterest.objects.filter(paper=duplicate).only("pk", "member_id", "kind")
        if (mark.member_id, mark.kind) not in kept
    ]
    PaperInterest.objects.filter(pk__in=movable).update(paper=into)


def _fill_fields(duplicate: CandidatePaper, into: CandidatePaper) -> list[str]:
    """Fill `into` from `duplicate` in memory (the caller saves); return the fields set."""
    protected = set(into.edited_fields or ())
    duplicate_edits = set(duplicate.edited_fields or ())
    filled = []
    for name in _FILLED_WHEN_EMPTY:
        value = getattr(duplicate, name)
        if name not in protected and value and not getattr(into, name):
            setattr(into, name, value)
            filled.append(name)
    # The most votes either had; the paper was seen in the digests that named either id.
    for name, better in (("votes", max), ("first_digest_date", min), ("last_digest_date", max)):
        mine, theirs = getattr(into, name), getattr(duplicate, name)
        if name in protected or theirs is None:
            continue
        value = theirs if mine is None else better(mine, theirs)
        if value != mine:
            setattr(into, name, value)
            filled.append(name)
    # What an organizer corrected on the duplicate is still a correction on the merged paper.
    inherited = [name for name in filled if name in duplicate_edits]
    if inherited:
        into.edited_fields = list(into.edited_fields or []) + [
            name for name in inherited if name not in protected
        ]
    if _STATUS_RANK.get(duplicate.status, 0) > _STATUS_RANK.get(into.status, 0):
        into.status = duplicate.status
    return filled
