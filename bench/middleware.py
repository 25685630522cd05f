from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class QueryCountMiddleware:
    """Count the SQL queries of each request into an `X-DB-Queries` response header.

    For the benchmark only: settings add it (first in the stack, so the session and user
    lookups count too) when `BENCH_COUNT_QUERIES=1`. Counting wraps the default connection's
    execution; nothing is logged or kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.db import connection

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-DB-Queries"] = str(count)
        return response
