"""Threads, questions, reactions, the review page and notifications.

Each view fetches through a permission check, validates with a form, calls one service and
redirects back (to `next`, on this site only, at the comment's anchor). The small script
(`static/js/discussion.js`) sends some of the same POSTs with `Accept: application/json` and
gets JSON instead of a redirect; without JavaScript every one of them works as a plain form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from papers.models import CandidatePaper
from reviews.permissions import can_read_review
from reviews.selectors import weeks_with_content
from seminar.discussion import export, permissions, selectors, services, unsubscribe
from seminar.discussion.forms import CommentForm, HideForm, NotificationSettingsForm
from seminar.lib.redirects import safe_next
from seminar.models import Comment, Notification, Topic
from seminar.permissions import is_member
from seminar.reminders.timing import language_of

NOTIFICATIONS_PER_PAGE = 30


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, default: str, anchor: str = "") -> HttpResponse:
    url = safe_next(request, default)
    if anchor and "#" not in url:
        url += anchor
    return redirect(url)


def _member_required(view):
    """Signed-in members; a signed-out visitor goes to sign in."""

    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not is_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _comment(pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related(
            "topic__week",
            "topic__presenter",
            "review__slot__topic__week",
            "paper",
            "author",
            "parent",
        ),
        pk=pk,
    )


def _readable_comment(request: HttpRequest, pk: int) -> Comment:
    """The comment, if the member may read its thread; else 404 (not a hint it exists)."""
    comment = _comment(pk)
    if not permissions.can_read_comment(request.user, comment):
        raise Http404
    return comment


def _place_of(comment: Comment) -> str:
    if comment.paper_id is not None:
        return reverse("paper_detail", args=[comment.paper.arxiv_id])
    if comment.review_id is not None:
        return reverse("review_detail", args=[comment.review_id])
    return reverse("week_detail", args=[comment.topic.week_id])


def _rejected(
    request: HttpRequest, form: CommentForm, action: str, back: str, errors
) -> HttpResponse:
    """A refused comment comes back in a page of its own, bound: nothing typed is lost."""
    for error in errors:
        form.add_error(None, error)
    return render(
        request,
        "discussion/comment_form.html",
        {"form": form, "action": action, "back": back, "next": safe_next(request, back)},
        status=400,
    )


def _post(request: HttpRequest, *, back: str, questions: bool = False, **target) -> HttpResponse:
    form = CommentForm(request.POST, questions=questions)
    if not form.is_valid():
        return _rejected(request, form, request.path, back, [])
    try:
        comment = services.post_comment(
            author=request.user,
            body=form.cleaned_data["body"],
            kind=form.cleaned_data.get("kind") or Comment.Kind.COMMENT,
            **target,
        )
    except ValidationError as error:
        return _rejected(request, form, request.path, back, error.messages)
    if comment.is_question:
        messages.success(request, _("Your question was sent to the presenter."))
    return _back(request, back, f"#comment-{comment.pk}")


# --- writing ---------------------------------------------------------------------------------


@_member_required
@require_POST
def topic_comment(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("week", "presenter"), pk=pk)
    return _post(
        request, back=reverse("week_detail", args=[topic.week_id]), questions=True, topic=topic
    )


@_member_required
@require_POST
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_page(pk)
    if review is None or not permissions.can_read_target(request.user, review=review):
        raise Http404
    return _post(request, back=reverse("review_detail", args=[pk]), review=review)


@_member_required
@require_POST
def paper_comment(request: HttpRequest, pk: int) -> HttpResponse:
    paper = get_object_or_404(CandidatePaper.objects.only("pk", "arxiv_id", "title"), pk=pk)
    return _post(request, back=reverse("paper_detail", args=[paper.arxiv_id]), paper=paper)


@_member_required
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _readable_comment(request, pk)
    return _post(request, back=_place_of(parent), parent=parent)


@_member_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    if not permissions.can_edit_comment(request.user, comment):
        raise PermissionDenied
    back = _place_of(comment)
    if request.method == "GET":
        form = CommentForm(initial={"body": comment.body}, prefix_id=f"edit{comment.pk}")
        return render(
            request,
            "discussion/comment_form.html",
            {
                "form": form,
                "action": request.path,
                "back": back,
                "next": safe_next(request, back),
                "editing": comment,
            },
        )
    form = CommentForm(request.POST, prefix_id=f"edit{comment.pk}")
    if not form.is_valid():
        return _rejected(request, form, request.path, back, [])
    try:
        services.edit_comment(comment=comment, actor=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        return _rejected(request, form, request.path, back, error.messages)
    messages.success(request, _("Your comment was updated."))
    return _back(request, back, f"#comment-{comment.pk}")


@_member_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    if not permissions.can_delete_comment(request.user, comment):
        raise PermissionDenied
    back = _place_of(comment)
    services.delete_comment(comment=comment, actor=request.user)
    messages.success(request, _("Your comment was deleted."))
    return _back(request, back)


@_member_required
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    if not permissions.can_hide_comment(request.user, comment):
        raise PermissionDenied
    form = HideForm(request.POST)
    hide = request.POST.get("action", "hide") != "show"
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.hide_comment(comment=comment, actor=request.user, reason=reason, hide=hide)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The comment is hidden.") if hide else _("The comment is shown again.")
        )
    return _back(request, _place_of(comment), f"#comment-{comment.pk}")


@_member_required
@require_POST
def comment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    if not permissions.can_answer(request.user, comment):
        raise PermissionDenied
    answered = request.POST.get("answered", "1") != "0"
    comment = services.set_answered(comment=comment, actor=request.user, answered=answered)
    if _wants_json(request):
        return JsonResponse({"answered": comment.answered_at is not None})
    return _back(
        request, reverse("week_detail", args=[comment.topic.week_id]), f"#comment-{comment.pk}"
    )


def _reaction_reply(request, *, ok: bool, summary, back: str, anchor: str, error: str = ""):
    if _wants_json(request):
        if not ok:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(
            {"reactions": [{"kind": r.kind, "count": r.count, "mine": r.mine} for r in summary]}
        )
    if not ok:
        messages.error(request, error)
    return _back(request, back, anchor)


@_member_required
@require_POST
def comment_react(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    kind = request.POST.get("kind", "")
    try:
        services.toggle_reaction(member=request.user, kind=kind, comment=comment)
    except ValidationError as error:
        return _reaction_reply(
            request,
            ok=False,
            summary=[],
            back=_place_of(comment),
            anchor="",
            error=" ".join(error.messages),
        )
    by_comment, _by_review = selectors.reactions_for(request.user, [comment.pk], [])
    summary = by_comment.get(comment.pk) or selectors.empty_reactions()
    return _reaction_reply(
        request, ok=True, summary=summary, back=_place_of(comment), anchor=f"#comment-{comment.pk}"
    )


@_member_required
@require_POST
def review_react(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_page(pk)
    if review is None or not permissions.can_read_target(request.user, review=review):
        raise Http404
    kind = request.POST.get("kind", "")
    back = reverse("review_detail", args=[pk])
    try:
        services.toggle_reaction(member=request.user, kind=kind, review=review)
    except ValidationError as error:
        return _reaction_reply(
            request, ok=False, summary=[], back=back, anchor="", error=" ".join(error.messages)
        )
    _by_comment, by_review = selectors.reactions_for(request.user, [], [review.pk])
    summary = by_review.get(review.pk) or selectors.empty_reactions()
    return _reaction_reply(request, ok=True, summary=summary, back=back, anchor=f"#review-{pk}")


# --- reading ---------------------------------------------------------------------------------


@_member_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One review with its reactions and thread; a review the member may not read (a draft
    of someone else's, or hidden until they submitted their own) is refused, saying why."""
    review = selectors.review_for_page(pk)
    if review is None:
        raise Http404
    slot = review.slot
    if not review.is_submitted and review.author_id != request.user.pk:
        raise Http404
    if not can_read_review(request.user, review):
        return render(
            request,
            "discussion/review_hidden.html",
            {"review": review, "slot": slot, "topic": slot.topic, "week": slot.topic.week},
            status=403,
        )
    discussion = selectors.review_discussion(review, request.user)
    return render(
        request,
        "discussion/review_detail.html",
        {
            "review": review,
            "slot": slot,
            "topic": slot.topic,
            "week": slot.topic.week,
            "discussion": discussion,
            "comments": discussion.by_review.get(review.pk, []),
            "reactions": discussion.reactions_for_review(review),
        },
    )


@_member_required
@require_GET
def member_search(request: HttpRequest) -> JsonResponse:
    """The mention autocomplete: display names only, for signed-in members."""
    return JsonResponse({"members": selectors.member_suggestions(request.GET.get("q", ""))})


@_member_required
@require_GET
def week_export_with_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's page with the questions for the presenters after it (an option; the
    plain export stays exactly the group's format)."""
    week = get_object_or_404(weeks_with_content(), pk=pk)
    text = export.export_week_with_questions(week, reader=request.user)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="week-{week.number}-questions.md"'
    return response


# --- notifications ---------------------------------------------------------------------------


@_member_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "discussion/notifications.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@_member_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all of them."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.mark_read(member=request.user, ids=ids)
    if _wants_json(request):
        return JsonResponse({"unread": selectors.unread_count(request.user)})
    return _back(request, reverse("notifications"))


@_member_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: it is read, and the page it is about opens."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(member=request.user, ids=[notification.pk])
    link = (
        notification.link
        if notification.link.startswith("/") and not notification.link.startswith("//")
        else ""
    )
    return redirect(link or reverse("notifications"))


@_member_required
@require_GET
def notifications_unread(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"unread": selectors.unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response


@_member_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = services.settings_for(request.user)
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.save_settings(member=request.user, values=form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_settings")
    return render(
        request,
        "discussion/settings.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# No sign-in and no CSRF token: the signed token is the credential, and mail clients send the
# RFC 8058 one-click POST without any cookie (as `seminar.reminders.views.unsubscribe`).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe.read_unsubscribe_token(token)
    if found is None:
        return render(request, "seminar/unsubscribe.html", {"invalid": True}, status=400)
    user, preference = found
    with translation.override(language_of(user)):
        context = {
            "what": unsubscribe.what(preference),
            "email": _masked(user.email),
            "token": token,
        }
        if request.method == "POST":
            unsubscribe.unsubscribe(user=user, preference=preference)
            return render(request, "seminar/unsubscribe_done.html", context)
        return render(request, "seminar/unsubscribe.html", context)


def _masked(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
