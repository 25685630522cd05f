"""Organizers' integrations pages: repositories (status, incoming edits, the archive import)
and chat channels (events, deliveries given up). Thin: fetch, check, one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from seminar.integrations import chat, publishing, selectors
from seminar.integrations.forms import ChannelForm, RepositoryForm
from seminar.integrations.tasks import check_repository, deliver_chat, publish_week
from seminar.lib.queue import enqueue
from seminar.models import ChatChannel, ChatDelivery, IncomingChange, RepositoryConnection
from seminar.permissions import organizer_required


@organizer_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "integrations/overview.html", selectors.overview())


@organizer_required
@require_http_methods(["GET", "POST"])
def repository_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    connection = get_object_or_404(RepositoryConnection, pk=pk) if pk else None
    form = RepositoryForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The repository was saved."))
        return redirect("integrations")
    return render(
        request,
        "integrations/repository_form.html",
        {"form": form, "connection": connection},
    )


@organizer_required
@require_POST
def repository_delete(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(RepositoryConnection, pk=pk)
    connection.delete()
    messages.success(request, _("The repository was disconnected."))
    return redirect("integrations")


@organizer_required
@require_POST
def repository_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Try every owed publication now, and look for edits made in the repository."""
    connection = get_object_or_404(RepositoryConnection, pk=pk)
    connection.pending_publications.update(next_attempt_at=timezone.now())
    for week_id in connection.pending_publications.filter(state="pending").values_list(
        "week_id", flat=True
    ):
        enqueue(publish_week, connection.pk, week_id)
    enqueue(check_repository, connection.pk)
    messages.success(request, _("Publishing and checking the repository now."))
    return redirect("integrations")


@organizer_required
@require_http_methods(["GET", "POST"])
def archive_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the dry run (what would be created). POST: create it."""
    connection = get_object_or_404(RepositoryConnection, pk=pk)
    if request.method == "POST":
        try:
            plan = publishing.import_archive(connection=connection)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("integrations")
        messages.success(
            request,
            _("%(count)d weeks were imported from the repository.")
            % {"count": len(plan.importable)},
        )
        return redirect("integrations")
    plan = publishing.archive_plan(connection=connection)
    return render(request, "integrations/archive.html", {"connection": connection, "plan": plan})


@organizer_required
@require_http_methods(["GET", "POST"])
def incoming_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(
        IncomingChange.objects.select_related("week__term", "connection"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "import":
                connection_ids = publishing.import_incoming_change(
                    change=change, actor=request.user
                )
                messages.success(request, _("The changes were imported."))
            elif action == "keep":
                connection_ids = publishing.keep_app_version(change=change, actor=request.user)
                messages.success(request, _("The app's version will be published again."))
            else:
                return redirect("integration_change", pk=change.pk)
        except ValidationError as error:
            messages.error(
                request,
                _("Nothing was changed: %(reasons)s") % {"reasons": " ".join(error.messages)},
            )
            return redirect("integration_change", pk=change.pk)
        for connection_id in connection_ids:
            enqueue(publish_week, connection_id, change.week_id)
        return redirect("integrations")
    return render(
        request,
        "integrations/change.html",
        {"change": change, "lines": publishing.diff_lines(change)},
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(ChatChannel, pk=pk) if pk else None
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The channel was saved."))
        return redirect("integrations")
    return render(request, "integrations/channel_form.html", {"form": form, "channel": channel})


@organizer_required
@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ChatChannel, pk=pk).delete()
    messages.success(request, _("The channel was removed."))
    return redirect("integrations")


@organizer_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(ChatDelivery, pk=pk)
    chat.retry_delivery(delivery=delivery)
    enqueue(deliver_chat, delivery.pk)
    messages.success(request, _("The message will be sent again."))
    return redirect("integrations")
