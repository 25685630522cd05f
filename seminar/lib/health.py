"""`/healthz`: the process answers. No database, no session, no sign-in.

For load balancers and deployment checks, and the benchmark's ceiling: the cheapest request
Django can serve through the whole middleware stack.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
