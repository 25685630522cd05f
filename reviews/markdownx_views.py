"""markdownx's editor endpoints, for signed-in members only and always answering JSON."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import View
from markdownx.views import MarkdownifyView

from reviews import uploads


def signed_out_response() -> JsonResponse:
    """What a signed-out editor is told: 401 and JSON the editor script recognises (`code`),
    never the sign-in page (markdownx would paste any answer into the preview)."""
    return JsonResponse(
        {
            "code": "signed_out",
            "error": _("You are signed out. Sign in again in another tab; your text is kept here."),
        },
        status=401,
    )


class MemberMarkdownifyView(MarkdownifyView):
    """The live preview; it renders through MARKDOWNX_MARKDOWNIFY_FUNCTION (our sanitizer).

    A signed-out request (any method) is answered 401 before anything else, so a lost session
    shows the editor's note instead of a redirect's page."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return signed_out_response()
        return super().dispatch(request, *args, **kwargs)


class MemberImageUploadView(LoginRequiredMixin, View):
    """Image uploads from the editor, answered the way markdownx's script expects
    (`image_code` to insert, or form-style errors with 400).

    markdownx's own form keeps the client's file extension and stores GIFs byte for byte; this
    goes through `reviews.uploads` instead, which re-encodes every image and names it itself.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        try:
            stored = uploads.store_member_image(
                owner=request.user, upload=request.FILES.get("image")
            )
        except uploads.UploadRefused as refused:
            return JsonResponse({"__all__": [refused.message]}, status=400)
        return JsonResponse({"image_code": f"![]({stored.url})"})
