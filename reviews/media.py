"""Serving the images members paste into reviews: to signed-in members, as images only.

Uploads are served from the app's own origin, where `script-src 'self'` would let a stored
`.js` or `.html` file run (`django.views.static.serve` guesses a type from the name). So only
names `reviews.uploads` could have produced are served, with a type from its allow-list, never
guessed; `nosniff` stops the browser from reading the bytes as anything else, and the sandboxing
policy keeps even a mislabelled file opened on its own from running script or reaching the
session.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from reviews.uploads import servable_content_type

SANDBOX_POLICY = "default-src 'none'; img-src 'self'; sandbox"


@login_required
def member_media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded image, for signed-in members only; anything else under the path is a 404."""
    content_type = servable_content_type(path)
    if content_type is None:
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, filename=path.rsplit("/", 1)[-1], as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, django-csp's middleware leaves it as it is (it adds the site's policy only to
    # responses without one).
    response["Content-Security-Policy"] = SANDBOX_POLICY
    # The names are uuids and never reused: a member's browser may keep the image a day.
    response["Cache-Control"] = "private, max-age=86400"
    return response
