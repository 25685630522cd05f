"""Claiming slots, the review editor (with its autosave endpoint) and the week export.

Each view fetches through a permission helper, validates with a form, calls one service and
redirects; a rejected form is rendered again, bound, so nothing typed is lost.
"""

from __future__ import annotations

import functools
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from papers.models import CandidatePaper
from reviews import pages, services, weekpage
from reviews.forms import render_field, section_formset
from reviews.permissions import can_export_week, can_write_review_for, is_member
from reviews.selectors import latest_summary, slot_state, weeks_with_content
from seminar import versions
from seminar.conflicts import REVIEWER, same_week_conflict
from seminar.lib.redirects import safe_next
from seminar.models import ReviewerSlot, Week

_REARRANGE = re.compile(r"(add|remove|up|down)(?::sections-(\d+))?")


def _slot(pk: int) -> ReviewerSlot:
    return get_object_or_404(
        ReviewerSlot.objects.select_related(
            "topic__week__term", "topic__paper", "topic__presenter", "reviewer", "review"
        ).defer("topic__paper__search_text"),
        pk=pk,
    )


# What the editor shows of a slot and its topic, week, term and people: the columns of the
# five-table join are most of the cost of reading it. The paper is read by the summary panel
# (cached), and the review in full (it is the draft being edited).
_EDITOR_FIELDS = (
    "topic__week__term__name",
    "topic__week__number",
    "topic__week__starts_at",
    "topic__week__review_deadline",
    "topic__week__late_policy",
    "topic__order",
    "topic__title",
    "topic__paper_id",
    "topic__presenter__name",
    "topic__presenter__email",
    "number",
    "reviewer__name",
    "reviewer__email",
    *(f"review__{field}" for field in ("author", "status", "is_late", "created_at", "updated_at")),
    "review__submitted_at",
)


def _slot_for_writing(request: HttpRequest, pk: int) -> ReviewerSlot:
    """The slot whose review this member may write (with what the editor shows), or 403."""
    slot = get_object_or_404(
        ReviewerSlot.objects.select_related(
            "topic__week__term", "topic__presenter", "reviewer", "review"
        ).only(*_EDITOR_FIELDS),
        pk=pk,
    )
    if not can_write_review_for(request.user, slot):
        raise PermissionDenied
    return slot


def _week_anchor(slot: ReviewerSlot) -> str:
    return f"{slot.topic.week.get_absolute_url()}#topic-{slot.topic.order}-review-{slot.number}"


# --- slots --------------------------------------------------------------------------------


@login_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _slot(pk)
    if not is_member(request.user):
        raise PermissionDenied
    try:
        services.claim_slot(slot=slot, member=request.user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(safe_next(request, _week_anchor(slot)))
    messages.success(
        request,
        _("Review %(number)d of “%(title)s” is yours. Write it here whenever you like.")
        % {"number": slot.number, "title": slot.topic.title},
    )
    # A week that allows presenting and reviewing together still says so (#13).
    conflict = same_week_conflict(member=request.user, week=slot.topic.week, role=REVIEWER)
    if conflict is not None:
        messages.warning(request, conflict.message)
    return redirect("review_edit", pk=slot.pk)


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _slot(pk)
    if slot.reviewer_id != request.user.pk:
        raise PermissionDenied
    try:
        services.release_slot(slot=slot, member=request.user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You gave back review %(number)d of “%(title)s”.")
            % {"number": slot.number, "title": slot.topic.title},
        )
    return redirect(safe_next(request, reverse("home")))


# --- the editor ---------------------------------------------------------------------------


def _rearranged(
    sections: list[weekpage.ReviewSection], action: str
) -> list[weekpage.ReviewSection] | None:
    """Add, remove or move a section: the editor's buttons when JavaScript is off."""
    match = _REARRANGE.fullmatch(action)
    if match is None:
        return None
    verb, index = match[1], int(match[2]) if match[2] else None
    if verb == "add":
        return [*sections, weekpage.ReviewSection("", "")]
    if index is None or not 0 <= index < len(sections):
        return sections
    if verb == "remove":
        return sections[:index] + sections[index + 1 :]
    other = index - 1 if verb == "up" else index + 1
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
    return sections


def _editor_messages() -> dict[str, str]:
    """The editor script's sentences, translated here (the script has no gettext)."""
    return {
        "saving": _("Saving…"),
        "draftState": _("Draft"),
        "saved": _("Saved at {time}"),
        "unsaved": _("Unsaved changes"),
        "failed": _("Not saved: {reason} Your text is kept in this browser."),
        "offline": _("the server could not be reached."),
        "restoreOffer": _("This browser kept text for this review that was never saved ({time})."),
        "restored": _("Restored. Save to keep it."),
        "confirmRemove": _("Remove this section and its text?"),
        "previewSignedOut": _("Signed out — sign in again in another tab; your text is kept here."),
        # The restore banner shows when a copy was kept in the member's zone, not the browser's.
        "timeZone": timezone.get_current_timezone_name(),
    }


def _summary_context(topic) -> dict[str, object]:
    paper = None
    if topic.paper_id is not None:
        paper = CandidatePaper.objects.only(
            "arxiv_id", "title", "authors", "hf_url", "arxiv_url"
        ).get(pk=topic.paper_id)
        topic.paper = paper
    return {"paper": paper, "summary": latest_summary(topic) if paper else None}


def _section_row(form) -> dict[str, object]:
    """What `reviews/_section_form.html` shows of one section form, its inputs rendered
    without the widget templates (`render_field`)."""
    heading, body = form["heading"], form["body"]
    errors = form.errors if form.is_bound else {}
    return {
        "prefix": form.prefix,
        "heading": render_field(heading),
        "heading_id": heading.id_for_label,
        "heading_errors": errors.get("heading", ()),
        "body": render_field(body),
        "body_id": body.id_for_label,
        "body_errors": errors.get("body", ()),
        "text": body.value() or "",
    }


def _section_labels() -> dict[str, str]:
    return {
        "heading": _("Heading"),
        "text": _("Text"),
        "preview": _("Preview"),
        "up": _("Move up"),
        "up_long": _("Move section up"),
        "down": _("Move down"),
        "down_long": _("Move section down"),
        "remove": _("Remove"),
        "remove_long": _("Remove section"),
    }


@functools.cache
def _editor_media() -> str:
    """The section widgets' scripts: the same tags for every editor (static file names are
    fixed while the process runs)."""
    return mark_safe(str(section_formset().media))


def _render_editor(
    request: HttpRequest,
    slot: ReviewerSlot,
    formset,
    *,
    version: str | None,
    errors: list[str] | None = None,
    note: str = "",
) -> HttpResponse:
    review = slot.current_review
    week = slot.topic.week
    now = timezone.now()
    deadline_passed = now > week.review_deadline
    # After the deadline a submitted review is final, and a refusing week takes nothing more.
    closed = deadline_passed and (
        (review is not None and review.is_submitted) or week.late_policy == Week.LatePolicy.REFUSE
    )
    topic = slot.topic
    context = {
        "slot": slot,
        "topic": topic,
        "week": week,
        "review": review,
        "formset": formset,
        "management_form": mark_safe("".join(map(render_field, formset.management_form))),
        "section_rows": [_section_row(form) for form in formset],
        "empty_row": _section_row(formset.empty_form),
        "labels": _section_labels(),
        "media": _editor_media(),
        "version": services.version_of(review) if version is None else version,
        "errors": errors or [],
        "note": note,
        "state": slot_state(slot, now),
        "deadline_passed": deadline_passed,
        "closed": closed,
        # The paper's panel is the same for every reviewer of the topic: rendered once per
        # data version. The draft itself is never cached (its autosave bumps no version).
        "summary_panel": versions.cached_html(
            request,
            "review-editor-summary",
            topic.pk,
            template="reviews/_editor_summary.html",
            context=lambda: _summary_context(topic),
        ),
        "autosave": not closed and (review is None or not review.is_submitted),
        "is_own": slot.reviewer_id == request.user.pk,
        "editor_messages": _editor_messages(),
    }
    return render(request, "reviews/edit.html", context)


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _slot_for_writing(request, pk)
    review = slot.current_review
    if request.method != "POST":
        if review is not None:
            rows = review.sections.order_by("order").values_list("heading", "body")
            sections = [weekpage.ReviewSection(heading, body) for heading, body in rows]
        else:
            headings = services.headings_for_new_review(member=slot.reviewer)
            sections = [weekpage.ReviewSection(h, "") for h in headings]
        formset = section_formset(sections=sections)
        return _render_editor(request, slot, formset, version=services.version_of(review))

    action = request.POST.get("action", "save")
    version = request.POST.get("version")  # None (no check) only from clients without it
    formset = section_formset(request.POST)
    if not formset.is_valid():
        return _render_editor(request, slot, formset, version=version)
    sections = formset.sections()
    rearranged = _rearranged(list(sections), action)
    if rearranged is not None:
        return _render_editor(
            request,
            slot,
            section_formset(sections=rearranged),
            version=version,
            note=_("Sections rearranged; nothing is saved until you save."),
        )
    try:
        if action == "submit":
            review = services.submit_review(
                slot=slot, sections=sections, actor=request.user, version=version
            )
        else:
            review = services.save_draft(
                slot=slot, sections=sections, actor=request.user, version=version
            )
    except ValidationError as error:
        if error.code == "conflict":
            # Saving again is then a deliberate choice to replace the other version.
            version = services.version_of(slot.current_review)
        return _render_editor(request, slot, formset, version=version, errors=error.messages)

    if action == "submit":
        if review.is_late:
            messages.warning(request, _("Your review was submitted after the deadline (late)."))
        else:
            messages.success(request, _("Your review was submitted. Thank you!"))
        return redirect(_week_anchor(slot))
    saved_at = timezone.localtime(review.updated_at).strftime("%H:%M")
    messages.success(request, _("Draft saved at %(time)s.") % {"time": saved_at})
    return redirect("review_edit", pk=slot.pk)


@require_POST
def review_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The editor's background save: JSON in both directions, never a redirect."""
    if not is_member(request.user):
        return JsonResponse(
            {"code": "signed_out", "error": _("You are signed out. Sign in again to save.")},
            status=401,
        )
    # The permission needs the reviewer alone, and the service re-reads the slot with its
    # week under a lock: no need for the editor's eight-table join on every keystroke pause.
    slot = get_object_or_404(ReviewerSlot.objects.only("pk", "reviewer_id"), pk=pk)
    if not can_write_review_for(request.user, slot):
        return JsonResponse(
            {"code": "forbidden", "error": _("You may not edit this review.")}, status=403
        )
    # Without the version it loaded, a stale tab's save could not be told from a fresh one and
    # would overwrite what another tab saved since. The editor always sends it ("" before the
    # first save); a request without it was not made by the editor as it is now.
    version = request.POST.get("version")
    if version is None:
        return JsonResponse(
            {
                "code": "version_missing",
                "error": _("This editor is out of date. Reload the page to go on saving."),
            },
            status=400,
        )
    formset = section_formset(request.POST)
    if not formset.is_valid():
        problems = [str(e) for e in formset.non_form_errors()]
        for number, form_errors in enumerate(formset.errors, start=1):
            for field_errors in form_errors.values():
                problems += [
                    _("Section %(number)d: %(error)s") % {"number": number, "error": e}
                    for e in field_errors
                ]
        return JsonResponse({"code": "invalid", "error": " ".join(problems)}, status=400)
    try:
        review = services.save_draft(
            slot=slot,
            sections=formset.sections(),
            actor=request.user,
            version=version,
        )
    except ValidationError as error:
        return JsonResponse(
            {"code": error.code or "invalid", "error": " ".join(error.messages)},
            status=409 if error.code == "conflict" else 400,
        )
    return JsonResponse(
        {
            "saved_at": timezone.localtime(review.updated_at).strftime("%H:%M"),
            "version": services.version_of(review),
            "status": review.status,
        }
    )


# --- the group's page ---------------------------------------------------------------------


@login_required
def week_export(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(weeks_with_content(), pk=pk)
    if not can_export_week(request.user, week):
        raise PermissionDenied
    # A reviewer who has not submitted yet does not get the others' reviews here either (#15).
    text = pages.export_week(week, reader=request.user)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="week-{week.number}.md"'
    return response
