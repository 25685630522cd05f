"""markdownx's editor endpoints, for signed-in members only and always answering JSON."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, JsonResponse
from django.views import View
from markdownx.views import MarkdownifyView

from reviews import uploads


class MemberMarkdownifyView(LoginRequiredMixin, MarkdownifyView):
    """The live preview; it renders through MARKDOWNX_MARKDOWNIFY_FUNCTION (our sanitizer)."""

    http_method_names = ["post"]


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
