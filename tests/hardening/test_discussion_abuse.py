"""Comments and mentions are member text: whatever they hold, pages and emails carry no
active content (#15). The hostile text is the review pages' (tests/reviews/test_pages.py) and
the markdown corpus's tokens (tests/hardening/test_markdown_abuse.py), with mentions added."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from seminar.discussion import services
from seminar.discussion.mentions import Directory, render_comment
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.hardening.test_markdown_abuse import _TOKENS
from tests.reviews._html import active_content
from tests.reviews.test_pages import HOSTILE

# Display names may hold `<`, `"` and `&` (only control characters are refused).
HOSTILE_NAME = '<img src=x onerror=alert(9)>"&'
MENTION_PAYLOADS = [
    f"@[{HOSTILE_NAME}] 보세요",
    "@[<script>alert(1)</script>]",
    '[@[x]](javascript:alert(1)) <a href="javascript:alert(2)">@x</a>',
    '<span class="mention" onclick="alert(3)">@가짜</span>',
    "`@[x]` $@[x]$ @@seminar-math-0@@ @[x",
    HOSTILE,
]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", MENTION_PAYLOADS)
def test_hostile_comments_and_mentions_stay_inert_on_every_page(
    client, payload, django_capture_on_commit_callbacks, fixed_clock
):
    # At a fixed daytime instant: in the recipients' quiet hours the emails would be held
    # for later and the check of their HTML below would have nothing to read.
    author = UserFactory(name="작성자")
    victim = UserFactory(name=HOSTILE_NAME, email="victim@example.com")
    UserFactory(name="x")
    week = WeekFactory()
    topic = TopicFactory(week=week, presenter=victim)
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=victim)
    from reviews import services as review_services
    from reviews.weekpage import ReviewSection

    review = review_services.submit_review(
        slot=slot, sections=[ReviewSection("h", "본문")], actor=victim
    )
    paper = CandidatePaperFactory(arxiv_id="2507.09999")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for target in ({"topic": topic}, {"review": review}, {"paper": paper}):
            top = services.post_comment(author=author, body=payload, **target)
            services.post_comment(author=author, parent=top, body=payload)
        services.post_comment(author=author, topic=topic, body=payload, kind="question")
    for user in (author, victim):
        client.force_login(user)
        for url in (
            week.get_absolute_url(),
            reverse("review_detail", args=[review.pk]),
            reverse("paper_detail", args=[paper.arxiv_id]),
            reverse("notifications"),
            "/",
        ):
            html = client.get(url).content.decode()
            assert active_content(html) == [], (url, payload)
            assert "<script>alert" not in html
    assert mail.outbox, "the mentions were emailed right away"
    for message in mail.outbox:
        html = message.alternatives[0][0]
        # Email layouts style their elements inline (mail clients drop <style>); what the
        # comment brings is sanitized like on the pages, so anything else would be its.
        assert [f for f in active_content(html) if " style=" not in f] == [], payload
        assert "<script" not in html.lower(), payload
        assert "<img src=x" not in html and "<img src=x" not in message.subject


def test_a_hostile_name_is_escaped_inside_its_mention():
    directory = Directory.of([(1, HOSTILE_NAME)])
    html, mentioned = render_comment(f"@[{HOSTILE_NAME}]", directory)
    assert mentioned == {1: HOSTILE_NAME}
    assert active_content(html) == []
    assert "@&lt;img src=x onerror=alert(9)&gt;&quot;&amp;</span>" in html


_MENTION_TOKENS = st.sampled_from(
    ["@", "@[", "]", "@[x]", "@x", "@김민수님", "<span class=mention>"]
)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TOKENS, _MENTION_TOKENS), max_size=120).map("".join))
def test_render_comment_never_lets_markup_through(text):
    directory = Directory.of([(1, "x"), (2, "김민수"), (3, HOSTILE_NAME)])
    html, _mentioned = render_comment(text, directory)
    html.encode("utf-8")
    assert active_content(html) == []
    assert "<script" not in html.lower()
