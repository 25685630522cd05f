"""A real Celery worker on the real Redis broker publishes a submitted review to the (local)
repository: the path a review takes in production, end to end."""

from __future__ import annotations

import pytest

from reviews.pages import export_week
from reviews.selectors import weeks_with_content
from seminar.models import PendingPublication, PublishedPage
from tests.seminar.integrations.conftest import PAGE_PATH, submit
from tests.support import postgres_only, wait_for


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_publishes_a_submitted_review(
    celery_worker, remote, connection, week, reviewer
):
    slot = week.topics.get(order=1).slots.get(number=1)

    submit(slot, reviewer, text="워커가 올린 리뷰입니다.")  # commits: the signal enqueues

    def published():
        page = remote.read(PAGE_PATH)
        return page if page and "워커가 올린 리뷰입니다." in page else None

    page = wait_for(published, timeout=60)
    assert page == export_week(weeks_with_content().get(pk=week.pk))
    message = remote.log()[0]["message"]
    assert message.startswith("2025 가을 · week 3: ")
    assert "review by 박민경 submitted" in message
    assert f"Co-authored-by: 박민경 <member-{reviewer.pk}@" in message
    wait_for(lambda: not PendingPublication.objects.exists(), timeout=30)
    assert PublishedPage.objects.get(week=week).text == page
