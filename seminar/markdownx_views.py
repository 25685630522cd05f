"""markdownx's editor endpoints, for signed-in members only and always answering JSON."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from markdownx.views import ImageUploadView, MarkdownifyView


class MemberMarkdownifyView(LoginRequiredMixin, MarkdownifyView):
    """The live preview; it renders through MARKDOWNX_MARKDOWNIFY_FUNCTION (our sanitizer)."""

    http_method_names = ["post"]


class MemberImageUploadView(LoginRequiredMixin, ImageUploadView):
    """Image uploads. markdownx answers a non-AJAX request by rendering a template it does not
    ship (a 500); this answers JSON whatever the request looks like."""

    http_method_names = ["post"]

    def form_invalid(self, form):
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form):
        return JsonResponse({"image_code": f"![]({form.save(commit=True)})"})
