"""`/healthz` and the benchmark's query-count header."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ReviewerSlotFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_sign_in_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_query_count_header_is_off_by_default(member_client):
    assert "X-DB-Queries" not in member_client.get("/weeks/")


def test_query_count_middleware_counts_every_query_of_the_request(settings, client, member):
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    ReviewerSlotFactory(reviewer=member)
    client.force_login(member)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/weeks/")
    assert response.status_code == 200
    assert int(response["X-DB-Queries"]) == len(captured) > 0
    client.logout()
    assert client.get("/healthz")["X-DB-Queries"] == "0"
