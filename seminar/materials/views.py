"""Materials pages: the per-topic and per-week forms (also on the week page) and the slides
download. Thin: fetch, check the permission, validate, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from seminar.materials import rules, services
from seminar.materials.forms import TopicMaterialsForm, WeekMaterialsForm
from seminar.materials.permissions import (
    can_download_slides,
    can_edit_topic_materials,
    can_edit_week_materials,
)
from seminar.materials.uploads import SizeLimitHandler, is_servable, max_slides_bytes, too_large
from seminar.models import Topic, Week

# Slides are never shown in the app's origin: downloaded, not sniffed, and sandboxed should
# a browser open one anyway.
SANDBOX_POLICY = "default-src 'none'; sandbox"
# What a materials form adds to the file itself (fields, boundaries): a body larger than the
# limit plus this is refused before a byte of it is read.
FORM_OVERHEAD = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _week_anchor(topic: Topic) -> str:
    return f"{topic.week.get_absolute_url()}#topic-{topic.order}"


# CSRF is checked by `_save_topic_materials`, after the size guard is installed: the check
# reads the body, and the guard must be in place before anything does.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def topic_materials(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("week__term", "presenter"), pk=pk)
    if not can_edit_topic_materials(request.user, topic):
        raise PermissionDenied
    guard = None
    if request.method == "POST":
        limit = max_slides_bytes()
        if _content_length(request) > limit + FORM_OVERHEAD:
            # Nothing of the body is read, so nothing typed can be kept.
            form = TopicMaterialsForm(topic=topic)
            return _topic_page(request, topic, form, status=413, error=too_large().message)
        guard = SizeLimitHandler(request, limit=limit)
        request.upload_handlers.insert(0, guard)
    return _save_topic_materials(request, topic, guard)


@csrf_protect
def _save_topic_materials(
    request: HttpRequest, topic: Topic, guard: SizeLimitHandler | None
) -> HttpResponse:
    if request.method != "POST":
        return _topic_page(request, topic, TopicMaterialsForm(topic=topic))
    form = TopicMaterialsForm(request.POST, request.FILES, topic=topic)
    if guard is not None and guard.exceeded:
        form.is_valid()
        form.add_error("slides_pdf", too_large().message)
        return _topic_page(request, topic, form, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_topic_materials(
                actor=request.user,
                topic=topic,
                materials=services.TopicMaterials(
                    slides_url=data["slides_url"],
                    code_url=data["code_url"],
                    slides_pdf=data["slides_pdf"],
                    remove_slides_pdf=data.get("remove_slides_pdf", False),
                ),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The materials were saved."))
            return redirect(_week_anchor(topic))
    return _topic_page(request, topic, form, status=400)


def _topic_page(
    request: HttpRequest,
    topic: Topic,
    form: TopicMaterialsForm,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "seminar/materials/topic_materials.html",
        {"topic": topic, "week": topic.week, "form": form, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def week_materials(request: HttpRequest, pk: int) -> HttpResponse:
    week = get_object_or_404(Week.objects.select_related("term"), pk=pk)
    if not can_edit_week_materials(request.user, week):
        raise PermissionDenied
    form = WeekMaterialsForm(request.POST or None, week=week)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_week_materials(
                    actor=request.user,
                    week=week,
                    online_url=form.cleaned_data["online_url"],
                    recording_url=form.cleaned_data["recording_url"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The week's links were saved."))
                return redirect(week.get_absolute_url())
        status = 400
    return render(
        request,
        "seminar/materials/week_materials.html",
        {"week": week, "form": form},
        status=status,
    )


@login_required
@require_GET
def topic_slides(request: HttpRequest, pk: int) -> HttpResponse:
    """A topic's uploaded slides, to signed-in members, as a download that cannot run."""
    topic = get_object_or_404(Topic, pk=pk)
    if not can_download_slides(request.user, topic):
        raise PermissionDenied
    if not is_servable(topic.slides_file):
        raise Http404
    try:
        handle = default_storage.open(topic.slides_file, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=rules.download_name(topic.title),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = "private, no-cache"
    return response
