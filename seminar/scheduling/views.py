"""The organizers' schedule board and its forms, and a member's unavailable dates.

Every board action is a plain form POST answered with a redirect back to the board (the
search-as-you-type in static/js/schedule.js only fills in the add-topic form), so the board
works without JavaScript. Views are thin: a form, one call into `seminar.scheduling`, a
message, a redirect.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from papers import services as papers_services
from papers.models import CandidatePaper
from seminar import scheduling, versions
from seminar.lib.redirects import safe_next
from seminar.meetings import MEETING_TIME, group_zone, local_date
from seminar.models import ReviewerSlot, SlotOffer, Term, Topic, Week
from seminar.permissions import is_organizer, organizer_required
from seminar.scheduling import swaps as swap_rules
from seminar.scheduling import terms
from seminar.scheduling import weeks as week_rules
from seminar.scheduling.forms import (
    AddTopicForm,
    MemberChoiceForm,
    MoveTopicForm,
    SlotCountForm,
    SlotOfferForm,
    TermEditForm,
    TermForm,
    UnavailabilityForm,
    WeekBulkForm,
    WeekEditForm,
    WeekSwapPolicyForm,
)
from seminar.services import current_term


def _board(anchor: str = "") -> HttpResponse:
    return redirect(reverse("schedule") + (f"#{anchor}" if anchor else ""))


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _render_board(
    request: HttpRequest,
    *,
    week_form: WeekBulkForm | None = None,
    topic_forms: dict[int, AddTopicForm] | None = None,
    term_form: TermForm | None = None,
    term_preview: list[tuple[date, bool]] | None = None,
    term_edit_form: tuple[int, TermEditForm] | None = None,
) -> HttpResponse:
    forms = {
        "week_form": week_form,
        "topic_forms": topic_forms,
        "term_form": term_form,
        "term_preview": term_preview,
        "term_edit_form": term_edit_form,
    }
    include_closed = request.GET.get("closed") == "1"
    all_terms = request.GET.get("terms") == "all"
    if any(value is not None for value in forms.values()):
        # A refused form is drawn again with what was typed: never from the cache.
        context = _board_context(include_closed=include_closed, all_terms=True, **forms)
        return render(request, "seminar/schedule.html", context)
    # The same for every organizer until the data changes (seminar.versions); the weeks
    # shown, the forms' defaults and the agenda's vote weights move with the clock.
    hour = timezone.localtime(timezone.now(), group_zone()).strftime("%Y-%m-%d %H")
    board_html = versions.cached_html(
        request,
        "board",
        include_closed,
        all_terms,
        hour,
        template="seminar/_schedule_body.html",
        context=lambda: _board_context(include_closed=include_closed, all_terms=all_terms),
    )
    return render(request, "seminar/schedule.html", {"board_html": board_html})


# Ended or closed terms listed on the board's terms card (with their edit forms), the latest
# first, unless all are asked for: years of terms would make the board grow with the archive.
EARLIER_TERMS_SHOWN = 3


def _board_context(
    *,
    include_closed: bool,
    all_terms: bool = False,
    week_form: WeekBulkForm | None = None,
    topic_forms: dict[int, AddTopicForm] | None = None,
    term_form: TermForm | None = None,
    term_preview: list[tuple[date, bool]] | None = None,
    term_edit_form: tuple[int, TermEditForm] | None = None,
) -> dict:
    board = scheduling.schedule_board(include_closed=include_closed)
    term = current_term()
    terms_listed = list(Term.objects.annotate(week_count=Count("weeks")).order_by("-starts_on"))
    open_terms = [t for t in terms_listed if not t.is_closed]
    if term is not None and term.closed_at is not None:
        term = open_terms[0] if open_terms else None
    # What the forms start with: the defaults of the term selected first (an emptied field
    # of the week form takes the chosen term's on the server: WeekBulkForm.clean), else a
    # week after the last one.
    week_defaults = (
        terms.week_form_defaults(term=term, today=local_date(timezone.now()))
        if term is not None
        else scheduling.next_week_defaults()
    )
    if week_form is None:
        week_form = WeekBulkForm(
            initial={"term": term.pk if term else None, "count": 1, **week_defaults}
        )
    today = local_date(timezone.now())
    current = [t for t in terms_listed if not t.is_closed and (t.ends_on or today) >= today]
    earlier = [t for t in terms_listed if t not in current][:EARLIER_TERMS_SHOWN]
    shown_terms = terms_listed if all_terms else [t for t in terms_listed if t in current + earlier]
    # Each term's edit form on the terms card: the refused one bound, the others fresh.
    for each in shown_terms:
        if term_edit_form is not None and term_edit_form[0] == each.pk:
            each.edit_form = term_edit_form[1]
        else:
            each.edit_form = TermEditForm.for_term(each)
    if term_form is None:
        term_form = TermForm(
            initial={
                "weekday": week_defaults["first_date"].weekday(),
                "meeting_time": week_defaults.get("time", MEETING_TIME),
                "deadline_days_before": week_defaults.get("deadline_days_before", 1),
                "deadline_time": week_defaults.get("deadline_time", "23:59"),
                "place": week_defaults.get("place", ""),
            }
        )
    topic_forms = topic_forms or {}
    for row in board.weeks:
        row.add_topic_form = topic_forms.get(row.week.pk) or AddTopicForm(
            initial={"slot_count": scheduling.DEFAULT_SLOT_COUNT},
            auto_id=f"id_week{row.week.pk}_%s",
        )
    return {
        "board": board,
        "week_form": week_form,
        "terms": terms_listed,
        "board_terms": shown_terms,
        "terms_not_shown": len(terms_listed) - len(shown_terms),
        "open_terms": open_terms,
        "has_closed_terms": len(open_terms) < len(terms_listed),
        "include_closed": include_closed,
        "term_form": term_form,
        "term_preview": term_preview,
        "current_term": term,
        "max_slots": scheduling.MAX_SLOT_COUNT,
    }


@organizer_required
@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    return _render_board(request)


@organizer_required
@require_POST
def create_weeks(request: HttpRequest) -> HttpResponse:
    form = WeekBulkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            weeks = scheduling.create_weeks_in_bulk(
                term=data["term"],
                first_date=data["first_date"],
                at=data["time"],
                count=data["count"],
                skip_dates=data["skip_dates"],
                rule=scheduling.DeadlineRule(
                    days_before=data["deadline_days_before"], at=data["deadline_time"]
                ),
                place=data["place"],
                online_url=data["online_url"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            numbers = ", ".join(str(week.number) for week in weeks)
            messages.success(
                request,
                ngettext("Week %(numbers)s created.", "Weeks %(numbers)s created.", len(weeks))
                % {"numbers": numbers},
            )
            return _board(f"week-{weeks[0].pk}")
    return _render_board(request, week_form=form)


@organizer_required
@require_POST
def create_term(request: HttpRequest) -> HttpResponse:
    """A new term and its weeks; with action=preview, the board again with the weeks' dates
    listed, each ticked, so the organizer can untick the ones to skip."""
    form = TermForm(request.POST)
    if not form.is_valid():
        return _render_board(request, term_form=form)
    data = form.cleaned_data
    dates = terms.meeting_dates(
        starts_on=data["starts_on"], ends_on=data["ends_on"], weekday=data["weekday"]
    )
    skip = form.skip_dates(dates)
    preview = [(day, day not in skip) for day in dates]
    if request.POST.get("action") == "preview":
        return _render_board(request, term_form=form, term_preview=preview)
    try:
        new = terms.create_term(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            weekday=data["weekday"],
            meeting_time=data["meeting_time"],
            place=data["place"],
            online_url=data["online_url"],
            rule=scheduling.DeadlineRule(
                days_before=data["deadline_days_before"], at=data["deadline_time"]
            ),
            skip_dates=skip,
        )
    except ValidationError as error:
        form.add_error(None, error)
        has_preview = "offered_dates" in request.POST
        return _render_board(request, term_form=form, term_preview=preview if has_preview else None)
    if new.weeks:
        messages.success(
            request,
            ngettext(
                "%(name)s was created with %(count)d week.",
                "%(name)s was created with %(count)d weeks.",
                len(new.weeks),
            )
            % {"name": new.term.name, "count": len(new.weeks)},
        )
        return _board(f"week-{new.weeks[0].pk}")
    messages.success(request, _("%(name)s was created, with no weeks.") % {"name": new.term.name})
    return _board(f"term-{new.term.pk}")


@organizer_required
@require_POST
def update_term(request: HttpRequest, pk: int) -> HttpResponse:
    """A term's name, dates and defaults; a refused form comes back filled in, open."""
    term = get_object_or_404(Term, pk=pk)
    form = TermEditForm(request.POST, auto_id=f"id_term{term.pk}_%s")
    if not form.is_valid():
        return _render_board(request, term_edit_form=(term.pk, form))
    data = form.cleaned_data
    try:
        done = terms.update_term(
            term=term,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            weekday=data["weekday"],
            meeting_time=data["meeting_time"],
            place=data["place"],
            online_url=data["online_url"],
            rule=scheduling.DeadlineRule(
                days_before=data["deadline_days_before"], at=data["deadline_time"]
            ),
            apply_to_coming_weeks=data["apply_to_coming_weeks"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_board(request, term_edit_form=(term.pk, form))
    messages.success(request, _("%(name)s was saved.") % {"name": done.term.name})
    if done.moved:
        messages.success(
            request,
            _("Weeks %(numbers)s took the new defaults.")
            % {"numbers": ", ".join(str(week.number) for week in done.moved)},
        )
    if done.kept_submitted:
        messages.info(
            request,
            _("Weeks %(numbers)s kept theirs: a review of theirs is already submitted.")
            % {"numbers": ", ".join(str(week.number) for week in done.kept_submitted)},
        )
    if done.kept_started:
        messages.info(
            request,
            _("Weeks %(numbers)s kept theirs: the new time has already passed today.")
            % {"numbers": ", ".join(str(week.number) for week in done.kept_started)},
        )
    return _board(f"term-{term.pk}")


@organizer_required
@require_POST
def close_term(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk)
    try:
        terms.close_term(term=term)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is closed: its weeks left the board; the archive keeps them.")
            % {"name": term.name},
        )
    return _board(f"term-{term.pk}")


@organizer_required
@require_POST
def reopen_term(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk)
    try:
        terms.reopen_term(term=term)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(name)s is open again.") % {"name": term.name})
    return _board(f"term-{term.pk}")


@organizer_required
@require_POST
def add_topic(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(Week, pk=pk)
    form = AddTopicForm(request.POST, auto_id=f"id_week{week.pk}_%s")
    if form.is_valid():
        paper = form.cleaned_data["paper"]
        if paper is None and form.cleaned_data["paper_reference"]:
            paper = _add_pasted_paper(request, form)  # None, with the reason, when refused
        if not form.errors:
            try:
                topic = scheduling.add_topic(
                    week=week,
                    title=form.cleaned_data["title"],
                    paper=paper,
                    slot_count=form.cleaned_data["slot_count"],
                    actor=request.user,
                    form_token=form.cleaned_data["form_token"],
                    confirmed=request.POST.get("confirm") == "1",
                )
            except ValidationError as error:
                form.add_error(None, error)
                # A paper already on the programme: the form asks to confirm (#13).
                form.needs_confirm = error.code == "already_scheduled"
            else:
                messages.success(request, _("Added “%(title)s”.") % {"title": topic.title})
                return _board(f"topic-{topic.pk}")
    return _render_board(request, topic_forms={week.pk: form})


def _add_pasted_paper(request: HttpRequest, form: AddTopicForm) -> CandidatePaper | None:
    """Add the pasted arXiv link or id the pool did not have (arXiv is asked outside any
    transaction); None, with the reason on the form's paper field, when it cannot be added."""
    try:
        paper, outcome = papers_services.add_paper_by_reference(
            reference=form.cleaned_data["paper_reference"], actor=request.user
        )
    except ValidationError as error:
        form.add_error("paper", error)
        return None
    if outcome == papers_services.ADDED_PENDING:
        messages.warning(
            request,
            _(
                "%(id)s was added to the pool by its id: arXiv could not be asked now, so its "
                "title and abstract will be filled in later."
            )
            % {"id": paper.arxiv_id},
        )
    elif outcome == papers_services.ADDED_NEW:
        messages.info(request, _("%(id)s was added to the pool.") % {"id": paper.arxiv_id})
    return paper


@organizer_required
@require_POST
def assign_presenter(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = MemberChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    member = form.cleaned_data["member"]
    try:
        scheduling.assign_presenter(
            topic=topic, member=member, actor=request.user, expected=form.expected()
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if member is None:
            messages.success(
                request, _("“%(title)s” has no presenter now.") % {"title": topic.title}
            )
        else:
            messages.success(
                request,
                _("%(name)s presents “%(title)s”.")
                % {"name": member.display_name, "title": topic.title},
            )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def assign_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(ReviewerSlot.objects.select_related("topic"), pk=pk)
    form = MemberChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{slot.topic_id}")
    member = form.cleaned_data["member"]
    try:
        scheduling.assign_reviewer(
            slot=slot, member=member, actor=request.user, expected=form.expected()
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if member is None:
            messages.success(request, _("Review %(number)d is open now.") % {"number": slot.number})
        else:
            messages.success(
                request,
                _("%(name)s reviews “%(title)s”.")
                % {"name": member.display_name, "title": slot.topic.title},
            )
    return _board(f"topic-{slot.topic_id}")


@organizer_required
@require_POST
def move_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = MoveTopicForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    week = form.cleaned_data["week"]
    try:
        scheduling.move_topic(topic=topic, week=week, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return _board(f"topic-{topic.pk}")
    messages.success(
        request,
        _("“%(title)s” moved to week %(number)d.") % {"title": topic.title, "number": week.number},
    )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def set_slot_count(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = SlotCountForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _board(f"topic-{topic.pk}")
    try:
        slots = scheduling.set_slot_count(topic=topic, count=form.cleaned_data["count"])
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "“%(title)s” has %(count)d reviewer slot.",
                "“%(title)s” has %(count)d reviewer slots.",
                len(slots),
            )
            % {"title": topic.title, "count": len(slots)},
        )
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def unlink_paper(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    scheduling.link_paper(topic=topic, paper=None)
    messages.success(request, _("The paper was unlinked; it is back in the pool."))
    return _board(f"topic-{topic.pk}")


@organizer_required
@require_POST
def remove_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    week_id = topic.week_id
    try:
        scheduling.remove_topic(topic=topic)
    except ValidationError as error:
        _errors(request, error)
        return _board(f"topic-{topic.pk}")
    messages.success(request, _("Removed “%(title)s”.") % {"title": topic.title})
    return _board(f"week-{week_id}")


@login_required
@require_http_methods(["GET", "POST"])
def unavailable_dates(request: HttpRequest) -> HttpResponse:
    form = UnavailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scheduling.mark_unavailable(
            member=request.user, day=form.cleaned_data["date"], note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("%(date)s is marked unavailable.") % {"date": form.cleaned_data["date"].isoformat()},
        )
        return redirect("unavailable_dates")
    return render(
        request,
        "seminar/unavailable.html",
        {"form": form, "dates": scheduling.upcoming_unavailability(request.user)},
    )


@login_required
@require_POST
def unavailable_date_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not scheduling.unmark_unavailable(member=request.user, entry_id=pk):
        raise Http404
    messages.success(request, _("The date was removed."))
    return redirect("unavailable_dates")


# --- swaps and substitutes (#13, seminar.scheduling.swaps) -----------------------------------


def _swap_back(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, reverse("swaps")))


@login_required
@require_GET
def swaps(request: HttpRequest) -> HttpResponse:
    """Roles offered in the coming weeks: members take them, holders withdraw them,
    organizers approve or decline the takings that wait for them."""
    offers = swap_rules.live_offers()
    user = request.user
    for offer in offers:
        offer.take_refused = swap_rules.take_refusal(user, offer)
        offer.can_withdraw = swap_rules.can_withdraw(user, offer)
        offer.can_decide = swap_rules.can_decide(user, offer)
    return render(
        request,
        "seminar/swaps.html",
        {
            "open_offers": [o for o in offers if o.status == SlotOffer.Status.OPEN],
            "pending_offers": [o for o in offers if o.status == SlotOffer.Status.PENDING],
        },
    )


def _offer(request: HttpRequest, *, topic: Topic, slot: ReviewerSlot | None) -> HttpResponse:
    form = SlotOfferForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        offer = swap_rules.offer_role(member=request.user, topic=topic, slot=slot, note=note)
    except ValidationError as error:
        _errors(request, error)
        return _swap_back(request)
    if offer.topic.week.swap_policy == Week.SwapPolicy.APPROVE:
        messages.success(
            request,
            _(
                "Your role is offered. Whoever takes it needs an organizer's approval; until "
                "then it stays yours."
            ),
        )
    else:
        messages.success(
            request, _("Your role is offered; it stays yours until another member takes it.")
        )
    return _swap_back(request)


@login_required
@require_POST
def offer_slot(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the slot's reviewer offers it."""
    slot = get_object_or_404(ReviewerSlot.objects.select_related("topic__week"), pk=pk)
    if slot.reviewer_id != request.user.pk:
        raise PermissionDenied
    return _offer(request, topic=slot.topic, slot=slot)


@login_required
@require_POST
def offer_presenter(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the topic's presenter offers the presenter role."""
    topic = get_object_or_404(Topic.objects.select_related("week"), pk=pk)
    if topic.presenter_id != request.user.pk:
        raise PermissionDenied
    return _offer(request, topic=topic, slot=None)


def _live_offer(pk: int) -> SlotOffer:
    return get_object_or_404(
        SlotOffer.objects.select_related("topic__week", "slot", "offered_by", "taker"), pk=pk
    )


@login_required
@require_POST
def take_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Any member but its holder takes an offer (or asks to, when an organizer approves)."""
    offer = _live_offer(pk)
    if offer.offered_by_id == request.user.pk:
        raise PermissionDenied
    try:
        offer = swap_rules.take_offer(offer=offer, member=request.user)
    except ValidationError as error:
        _errors(request, error)
        return _swap_back(request)
    if offer.status == SlotOffer.Status.PENDING:
        messages.success(request, _("You asked to take it; an organizer will approve or decline."))
    else:
        messages.success(
            request,
            _("It is yours now: %(role)s of “%(title)s”. %(name)s was told.")
            % {
                "role": offer.get_role_display(),
                "title": offer.topic.title,
                "name": offer.offered_by.display_name,
            },
        )
    return _swap_back(request)


@login_required
@require_POST
def withdraw_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Its holder withdraws the offer; an organizer cancels it."""
    offer = _live_offer(pk)
    if offer.offered_by_id != request.user.pk and not is_organizer(request.user):
        raise PermissionDenied
    try:
        swap_rules.withdraw_offer(offer=offer, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The offer was withdrawn; the role stays where it was."))
    return _swap_back(request)


@organizer_required
@require_POST
def approve_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _live_offer(pk)
    try:
        offer = swap_rules.approve_take(offer=offer, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Approved: %(name)s takes over from %(holder)s.")
            % {"name": offer.taker.display_name, "holder": offer.offered_by.display_name},
        )
    return _swap_back(request)


@organizer_required
@require_POST
def decline_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _live_offer(pk)
    try:
        swap_rules.decline_take(offer=offer, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Declined; the role stays with its holder."))
    return _swap_back(request)


@organizer_required
@require_POST
def week_swap_policy(request: HttpRequest, pk: int) -> HttpResponse:
    """Whether taking an offered role needs an organizer, and whether a presenter may also
    review in the week: set per week on its page."""
    week = get_object_or_404(Week, pk=pk)
    form = WeekSwapPolicyForm(request.POST, instance=week)
    if form.is_valid():
        form.save()
        messages.success(request, _("The week's swap rules were saved."))
    else:
        _form_errors(request, form)
    return redirect(week.get_absolute_url() + "#swap-rules")


# --- editing one week and removing an empty one (#13, seminar.scheduling.weeks) ---------------


def _week_page(request: HttpRequest, week: Week, form: WeekEditForm) -> HttpResponse:
    """The week page again with the refused edit form bound and open (nothing typed lost)."""
    from reviews import selectors as review_selectors

    shown = get_object_or_404(review_selectors.weeks_with_content(), pk=week.pk)
    return render(
        request,
        "seminar/week_detail.html",
        {"week": shown, "now": timezone.now(), "week_edit_form": form},
    )


@organizer_required
@require_POST
def week_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A week's date and time, place, online link, review deadline, late policy and notes,
    from its page; the rules are `scheduling.weeks.update_week`'s."""
    week = get_object_or_404(Week.objects.select_related("term"), pk=pk)
    form = WeekEditForm(request.POST, week=week, initial={})
    if not form.is_valid():
        return _week_page(request, week, form)
    data = form.cleaned_data
    try:
        done = week_rules.update_week(
            week=week,
            actor=request.user,
            starts_at=form.starts_at(),
            place=data["place"],
            online_url=data["online_url"],
            review_deadline=form.review_deadline(),
            late_policy=data["late_policy"],
            notes=data["notes"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _week_page(request, week, form)
    if not done.changed:
        messages.info(request, _("Nothing changed."))
    elif done.moved:
        messages.success(
            request,
            _(
                "Week %(number)d was saved. It now meets on %(when)s, reviews due %(deadline)s; "
                "calendars and reminders follow the new time."
            )
            % {
                "number": done.week.number,
                "when": timezone.localtime(done.week.starts_at).strftime("%Y-%m-%d %H:%M"),
                "deadline": timezone.localtime(done.week.review_deadline).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
        )
    else:
        messages.success(request, _("Week %(number)d was saved.") % {"number": done.week.number})
    return redirect(done.week.get_absolute_url())


@organizer_required
@require_POST
def week_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an empty week: the first POST asks "are you sure?" (or says why it cannot be
    removed, with a link to the board); a POST with confirm=1 removes it and goes to the
    board."""
    week = get_object_or_404(Week.objects.select_related("term"), pk=pk)
    refusal: ValidationError | None = None
    if request.POST.get("confirm") == "1":
        number, term_name = week.number, week.term.name
        try:
            week_rules.remove_week(week=week, actor=request.user)
        except ValidationError as error:
            refusal = error
        else:
            messages.success(
                request,
                _("Week %(number)d of %(term)s was removed.")
                % {"number": number, "term": term_name},
            )
            return _board()
    topic_count = week.topics.count()
    return render(
        request,
        "seminar/week_remove.html",
        {
            "week": week,
            "topic_count": topic_count,
            "refusal": refusal.messages if refusal is not None else [],
        },
    )
