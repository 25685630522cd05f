"""The candidate pool (members) and the organizers' import pages."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from papers import arxiv, backfill, merging, selectors, services, voting
from papers.forms import (
    BackfillForm,
    DigestUploadForm,
    InterestForm,
    PaperEditForm,
    PaperMergeForm,
    PaperReferenceForm,
    PaperStatusForm,
    PoolFilterForm,
    VoteForm,
    max_upload_files,
)
from papers.models import CandidatePaper, Digest, DigestSource
from papers.source_forms import DigestSourceForm
from seminar import versions
from seminar.lib.redirects import safe_next
from seminar.permissions import is_member, is_organizer, organizer_required

RUNS_PER_PAGE = 50
PAPERS_SHOWN = 300


@organizer_required
def digest_imports(request: HttpRequest) -> HttpResponse:
    """Import runs, newest first, and the upload form (POST: store and queue the files)."""
    posted = request.method == "POST"
    form = DigestUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        files = form.cleaned_data["files"]
        results = services.submit_digest_uploads(files=files, uploaded_by=request.user)
        _report_upload(request, files, results)
        return redirect("digest_imports")
    runs = Paginator(selectors.import_runs(), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "papers/imports.html",
        {"form": form, "runs": runs, "max_files": max_upload_files()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _report_upload(
    request: HttpRequest, files: list[tuple[str, str]], results: list[tuple[Digest, bool]]
) -> None:
    queued = sum(1 for _digest, created in results if created)
    if queued:
        messages.success(request, _("%(count)d digest(s) queued for import.") % {"count": queued})
    for (name, _text), (digest, created) in zip(files, results, strict=True):
        if not created:
            messages.info(
                request,
                _("%(name)s has the same content as import #%(id)s (%(status)s): skipped.")
                % {"name": name, "id": digest.pk, "status": digest.get_status_display()},
            )


@organizer_required
def digest_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_object_or_404(selectors.import_run(pk))
    summaries = list(selectors.digest_summaries(digest)[:PAPERS_SHOWN])
    return render(
        request,
        "papers/import_detail.html",
        {"digest": digest, "summaries": summaries, "papers_shown": PAPERS_SHOWN},
    )


@organizer_required
@require_POST
def digest_import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_object_or_404(selectors.import_run(pk))
    if services.retry_digest_import(digest=digest):
        messages.success(request, _("The import was queued again."))
    else:
        messages.error(request, _("Only a failed, partial or stalled import can be retried."))
    return redirect(digest.get_absolute_url())


@organizer_required
@require_GET
def digest_import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the import pages poll while a run is pending or running."""
    digest = get_object_or_404(selectors.import_runs(), pk=pk)
    return JsonResponse(
        {
            "id": digest.pk,
            "status": digest.status,
            "status_label": str(digest.get_status_display()),
            "finished": digest.is_finished,
            "papers_total": digest.papers_total,
            "papers_done": digest.papers_done,
            "papers_new": digest.papers_new,
            "papers_updated": digest.papers_updated,
            "papers_unchanged": digest.papers_unchanged,
            "papers_failed": digest.papers_failed,
        }
    )


@organizer_required
def digest_sources(request: HttpRequest) -> HttpResponse:
    return _render_sources(request)


def _render_sources(
    request: HttpRequest, *, bound: BackfillForm | None = None, status: int = 200
) -> HttpResponse:
    rows = []
    for source in selectors.digest_sources():
        form = None
        if source.is_dated:
            form = bound if bound and bound.prefix == f"backfill-{source.pk}" else None
            form = form or BackfillForm(source_id=source.pk)
        rows.append({"source": source, "backfill_form": form})
    return render(
        request,
        "papers/sources.html",
        {"rows": rows, "backfills": backfill.recent_runs(), "max_days": backfill.max_days()},
        status=status,
    )


@organizer_required
def digest_source_add(request: HttpRequest) -> HttpResponse:
    """Add a digest source in the app (its location is checked like the admin's)."""
    return _source_form(request, DigestSource())


@organizer_required
def digest_source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _source_form(request, get_object_or_404(DigestSource, pk=pk))


def _source_form(request: HttpRequest, source: DigestSource) -> HttpResponse:
    form = DigestSourceForm(request.POST or None, instance=source)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            return redirect("digest_sources")
        status = 400
    else:
        status = 200
    return render(
        request,
        "papers/source_form.html",
        {"form": form, "source": source if source.pk else None},
        status=status,
    )


@organizer_required
@require_POST
def digest_source_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a backfill of a date range for a dated source (or continue the same range)."""
    source = get_object_or_404(DigestSource, pk=pk)
    if not source.is_dated:  # the page offers no form for it: nothing typed to keep
        messages.error(request, backfill.not_dated_message())
        return redirect("digest_sources")
    form = BackfillForm(request.POST, source_id=source.pk)
    if form.is_valid():
        try:
            run, created = backfill.start_backfill(
                source=source,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                requested_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            message = (
                _("A backfill of %(name)s from %(start)s to %(end)s was queued.")
                if created
                else _("The backfill of %(name)s from %(start)s to %(end)s continues.")
            )
            messages.success(
                request,
                message % {"name": source.name, "start": run.start_date, "end": run.end_date},
            )
            return redirect("digest_sources")
    return _render_sources(request, bound=form, status=400)


@organizer_required
@require_POST
def digest_source_poll(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(DigestSource, pk=pk)
    services.enqueue_source_poll(source_id=source.pk)
    messages.success(request, _("%(name)s is being polled.") % {"name": source.name})
    return redirect("digest_sources")


# --- the candidate pool ---------------------------------------------------------------------


@login_required
@require_GET
def paper_list(request: HttpRequest) -> HttpResponse:
    """Every candidate, newest digest first, with search, filters and sorting."""
    return _render_pool(request)


def _render_pool(
    request: HttpRequest, *, add_form: PaperReferenceForm | None = None, status: int = 200
) -> HttpResponse:
    organizer = is_organizer(request.user)
    if add_form is None and organizer:
        add_form = PaperReferenceForm()
    version = versions.current()

    def context() -> dict:
        form = PoolFilterForm(request.GET)
        filters = form.filters()
        page = selectors.pool_page(
            filters, page=request.GET.get("page"), member=request.user, version=version
        )
        return {"form": form, "filters": filters, "page": page, "papers": page.object_list}

    # The search form, the count and the rows, per data version and viewer (their interest
    # marks; the organizers' buttons), and per address: the query and page, and the forms'
    # `next`, are all in it.
    results = versions.cached_html(
        request,
        "pool-results",
        request.get_full_path(),
        request.user.pk,
        organizer,
        template="papers/_pool_results.html",
        context=context,
        version=version,
    )
    return render(
        request,
        "papers/paper_list.html",
        {"results": results, "add_form": add_form},
        status=status,
    )


# Adding a paper is for organizers: each addition may cost a request to arXiv on the server's
# behalf, from a budget of one per 3 s shared by the whole deployment (a member pasting in a
# loop would hold up every other addition and fill), and the pool is the organizers' curated
# list (they dismiss and restore too). Members suggest papers by marking interest.
@organizer_required
@require_POST
def paper_add(request: HttpRequest) -> HttpResponse:
    """Add a paper by its link or id; back on the pool page, with what was typed, on errors."""
    form = PaperReferenceForm(request.POST)
    if form.is_valid():
        try:
            paper, outcome = services.add_paper_by_reference(
                reference=form.cleaned_data["reference"], actor=request.user
            )
        except ValidationError as exc:
            form.add_error("reference", exc)
        else:
            _report_added(request, paper, outcome)
            return redirect(paper.get_absolute_url())
    return _render_pool(request, add_form=form, status=400)


def _report_added(request: HttpRequest, paper: CandidatePaper, outcome: str) -> None:
    if outcome == services.ADDED_EXISTING:
        messages.info(request, _("%(id)s is already in the pool.") % {"id": paper.arxiv_id})
    elif outcome == services.ADDED_NEW:
        messages.success(request, _("%(id)s was added to the pool.") % {"id": paper.arxiv_id})
    else:
        messages.warning(
            request,
            _(
                "%(id)s was added by its id: arXiv could not be asked now, so its title and "
                "abstract will be filled in later."
            )
            % {"id": paper.arxiv_id},
        )


@require_GET
def paper_search_json(request: HttpRequest) -> JsonResponse:
    """Search-as-you-type for the scheduling page: `{"results": [{"id", "arxiv_id", "title",
    "status", "votes"}, ...]}`, ten at most; takes the list's parameters (q, status, sort…)."""
    if not is_member(request.user):
        return JsonResponse({"error": "sign in first"}, status=403)
    filters = PoolFilterForm(request.GET).filters()
    return JsonResponse({"results": selectors.search_suggestions(filters)})


@login_required
@require_GET
def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """A paper's facts, summaries, programme, interest and thread. The content is cached per
    viewer (their vote, marks and budget, organizers' forms, their comments' buttons), per
    voting week (the budget resets) and per side of each of its weeks' start ("presented")."""
    now = timezone.now()
    version = versions.current()
    # Under the version read just now, so a paper merged away since is not found.
    paper, starts = versions.cached(
        "paper-head", arxiv_id, build=lambda: _paper_head(arxiv_id), version=version
    )
    if paper is None:
        raise Http404
    body = versions.cached_html(
        request,
        "paper-body",
        arxiv_id,
        request.user.pk,
        request.get_full_path(),
        voting.vote_week(now)[0].isoformat(),
        voting.weekly_budget(),
        sum(start <= now for start in starts),
        template="papers/_paper_body.html",
        context=lambda: _paper_context(request, arxiv_id, now=now),
        version=version,
    )
    return render(request, "papers/paper_detail.html", {"paper": paper, "paper_body": body})


def _paper_head(arxiv_id: str) -> tuple[CandidatePaper | None, list]:
    """The paper's title for the page's head, and when its weeks on the programme begin."""
    paper = CandidatePaper.objects.only("pk", "arxiv_id", "title").filter(arxiv_id=arxiv_id).first()
    if paper is None:
        return None, []
    return paper, [topic.week.starts_at for topic in selectors.paper_topics(paper)]


def _render_paper(
    request: HttpRequest,
    arxiv_id: str,
    *,
    edit_form: PaperEditForm | None = None,
    merge_form: PaperMergeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The paper page with an organizer's refused form bound (not cached: what they typed)."""
    context = _paper_context(
        request, arxiv_id, now=timezone.now(), edit_form=edit_form, merge_form=merge_form
    )
    return render(request, "papers/paper_detail.html", context, status=status)


def _paper_context(
    request: HttpRequest,
    arxiv_id: str,
    *,
    now: datetime,
    edit_form: PaperEditForm | None = None,
    merge_form: PaperMergeForm | None = None,
) -> dict:
    paper = get_object_or_404(selectors.paper_detail(arxiv_id, member=request.user))
    topics = selectors.paper_topics(paper)
    for topic in topics:  # at the `now` the cache key was made with
        topic.presented = topic.week.starts_at <= now
    organizer = is_organizer(request.user)
    if edit_form is None and organizer:
        edit_form = PaperEditForm.for_paper(paper)
    if merge_form is None and organizer:
        merge_form = PaperMergeForm.for_paper()
    return {
        "paper": paper,
        "summaries": selectors.paper_summaries(paper),
        "topics": topics,
        "interests": selectors.paper_interests(paper),
        # Members' votes (#13): the count, whether this member voted, their budget.
        "vote_count": paper.member_votes.count(),
        "my_vote": voting.member_vote(member=request.user, paper=paper),
        "vote_status": voting.vote_status(member=request.user, now=now),
        "edit_form": edit_form,
        "merge_form": merge_form,
        "can_fetch": organizer and bool(services.missing_metadata_fields(paper)),
        "edited_labels": _field_labels(paper.edited_fields or ()) if organizer else [],
    }


@organizer_required
@require_POST
def paper_edit(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Organizers correct a paper's title, authors and links; later imports keep them."""
    paper = get_object_or_404(CandidatePaper, arxiv_id=arxiv_id)
    form = PaperEditForm.for_paper(paper, request.POST)
    if not form.is_valid():
        return _render_paper(request, arxiv_id, edit_form=form, status=400)
    changed = services.edit_paper(paper=paper, changes=form.cleaned_data, actor=request.user)
    if changed:
        messages.success(request, _("Saved. Later imports will keep your changes."))
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect(paper.get_absolute_url())


@organizer_required
@require_POST
def paper_merge(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Organizers merge this paper (a duplicate) into another one; back here, with what was
    typed, when it cannot be done."""
    duplicate = get_object_or_404(CandidatePaper, arxiv_id=arxiv_id)
    form = PaperMergeForm.for_paper(request.POST)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            merging.merge_papers(duplicate=duplicate, into=into, actor=request.user)
        except ValidationError as exc:
            form.add_error("into", exc)
        else:
            messages.success(
                request,
                _("%(duplicate)s was merged into this paper.") % {"duplicate": arxiv_id},
            )
            return redirect(into.get_absolute_url())
    return _render_paper(request, arxiv_id, merge_form=form, status=400)


@organizer_required
@require_POST
def paper_fetch_metadata(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Organizers fill a paper's missing title, authors and abstract from arXiv, now."""
    paper = get_object_or_404(CandidatePaper, arxiv_id=arxiv_id)
    if not services.missing_metadata_fields(paper):
        messages.info(request, _("Nothing is missing: arXiv was not asked."))
        return redirect(paper.get_absolute_url())
    try:
        changed = services.fetch_paper_metadata(paper=paper)
    except arxiv.ArxivError as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            names = ", ".join(_field_labels(changed))
            messages.success(request, _("Filled in from arXiv: %(fields)s.") % {"fields": names})
        else:
            messages.info(request, _("arXiv had nothing to add."))
    return redirect(paper.get_absolute_url())


@login_required
@require_POST
def paper_interest(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Mark or unmark "I'd like to hear this" / "I could present this" (JSON for scripts)."""
    paper = get_object_or_404(CandidatePaper.objects.only("pk", "arxiv_id"), arxiv_id=arxiv_id)
    form = InterestForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose what to mark."))
    wanted = form.cleaned_data["marked"]
    kind = form.cleaned_data["kind"]
    marked = services.set_interest(
        paper=paper,
        member=request.user,
        kind=kind,
        marked=None if wanted == "" else wanted == "1",
    )
    if _wants_json(request):
        counts = selectors.paper_detail(arxiv_id).values("interest_hear", "interest_present")[0]
        return JsonResponse({"kind": kind, "marked": marked, **counts})
    return _back(request, paper)


@login_required
@require_POST
def paper_vote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Vote for a paper to be discussed, or withdraw the vote (#13): always the signed-in
    member's own vote; the weekly budget is `papers.voting`'s."""
    paper = get_object_or_404(
        CandidatePaper.objects.only("pk", "arxiv_id", "title", "status"), arxiv_id=arxiv_id
    )
    form = VoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose vote or withdraw."))
    if form.cleaned_data["action"] == "withdraw":
        if voting.withdraw_vote(member=request.user, paper=paper):
            messages.success(request, _("Your vote was withdrawn."))
        else:
            messages.info(request, _("You had not voted for this paper."))
        return _back(request, paper)
    try:
        _vote, created = voting.cast_vote(member=request.user, paper=paper)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            left = voting.vote_status(member=request.user).left
            messages.success(
                request,
                ngettext(
                    "Your vote was counted. %(left)d vote left this week.",
                    "Your vote was counted. %(left)d votes left this week.",
                    left,
                )
                % {"left": left},
            )
        else:
            messages.info(request, _("You have already voted for this paper."))
    return _back(request, paper)


@organizer_required
@require_POST
def paper_status(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Organizers dismiss a candidate from the pool, or restore it."""
    paper = get_object_or_404(CandidatePaper, arxiv_id=arxiv_id)
    form = PaperStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose dismiss or restore."))
    dismiss = form.cleaned_data["action"] == "dismiss"
    try:
        services.set_paper_dismissed(paper=paper, dismissed=dismiss)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if dismiss:
            messages.success(request, _("The paper was dismissed from the pool."))
        else:
            messages.success(request, _("The paper is back in the pool."))
    return _back(request, paper)


def _field_labels(names) -> list[str]:
    """The translated names of a candidate's fields (as in the admin), for messages."""
    labels = []
    for name in names:
        try:
            labels.append(str(CandidatePaper._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a stored name of a field that no longer exists
            continue
    return labels


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, paper: CandidatePaper) -> HttpResponse:
    """Back where the form was (a safe `next`), else to the paper."""
    return redirect(safe_next(request, fallback=paper.get_absolute_url()))
