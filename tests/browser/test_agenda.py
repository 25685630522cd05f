"""From votes and volunteers to an agenda (#13), in a real browser: three members vote for a
paper on its page and one of them volunteers; the organizer opens the agenda, finds that paper
first with the volunteer shown, and one click makes it a topic of the coming week with the
volunteer presenting, as the board and the week page then show.

Real server (pytest-django's live_server), real database, Debian's Chromium. Dates are counted
from today, so the test reads the same on any day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from papers.models import PaperInterest, PaperVote
from seminar.models import Topic
from seminar.services import make_organizer
from tests.browser.conftest import csp_problems, make_member, sign_in
from tests.browser.test_accessibility import FAILING_IMPACTS, axe_violations
from tests.conftest import FIXED_INSTANT
from tests.factories import CandidatePaperFactory, TermFactory, UserFactory, WeekFactory

# The server's clock stands at FIXED_INSTANT (ticking), so the test reads the same on any day.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]


def test_three_votes_and_a_volunteer_become_a_topic_with_one_click(
    page: Page, live_server, browser, browser_context_args
):
    problems = csp_problems(page)
    term = TermFactory(name="2027 봄")
    starts = FIXED_INSTANT + timedelta(days=5)
    week = WeekFactory(
        term=term, number=3, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )
    paper = CandidatePaperFactory(arxiv_id="2507.00042", title="Agents that plan with votes")
    runner_up = CandidatePaperFactory(arxiv_id="2507.00043", title="A paper with one vote")
    PaperVote.objects.create(member=UserFactory(), paper=runner_up)
    voters = [make_member(name=name) for name in ("김하늘", "이서준", "박지민")]
    volunteer = voters[1]

    for voter in voters:
        context = browser.new_context(**browser_context_args)
        member_page = context.new_page()
        sign_in(member_page, live_server, voter)
        member_page.goto(f"{live_server.url}/papers/{paper.arxiv_id}/")
        expect(member_page.locator("#votes-left")).to_contain_text("Votes left this week: 3 of 3")
        member_page.locator(f"[data-vote='{paper.arxiv_id}']").click()
        expect(member_page.locator(f"[data-unvote='{paper.arxiv_id}']")).to_be_visible()
        expect(member_page.locator("#votes-left")).to_contain_text("Votes left this week: 2 of 3")
        if voter == volunteer:
            button = member_page.locator("[data-interest-kind='present']")
            button.click()
            expect(button).to_have_attribute("aria-pressed", "true")
        context.close()

    assert paper.member_votes.count() == 3
    assert PaperInterest.objects.filter(
        paper=paper, member=volunteer, kind=PaperInterest.Kind.PRESENT
    ).exists()

    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/papers/")
    page.get_by_role("link", name="Next week's agenda").click()
    page.wait_for_url(f"{live_server.url}/papers/agenda/")

    rows = page.locator("[data-agenda-paper]")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first).to_have_attribute("data-agenda-paper", paper.arxiv_id)
    expect(first.locator("[data-vote-count]")).to_have_text("3 votes")
    expect(first.locator(f"[data-volunteer='{volunteer.pk}']")).to_have_text(volunteer.name)
    expect(first.get_by_label("Week")).to_have_value(str(week.pk))

    # The page is accessible and fits a phone (axe: no serious violation; no sideways scroll).
    assert [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS] == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS] == []
    page.set_viewport_size(browser_context_args["viewport"])

    # The board's topic picker shows the same paper with its votes and volunteer.
    page.goto(f"{live_server.url}/schedule/")
    picker = page.locator(f"[data-agenda-picker='{week.pk}']")
    picker.locator("summary").click()
    expect(picker.locator(f"[data-agenda-paper='{paper.arxiv_id}']")).to_contain_text("3 votes")
    expect(picker.locator(f"[data-agenda-paper='{paper.arxiv_id}']")).to_contain_text(
        volunteer.name
    )
    assert [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS] == []
    page.go_back()

    first.locator(f"[data-make-topic='{paper.arxiv_id}']").click()
    page.wait_for_url(f"{live_server.url}/schedule/#topic-*")
    topic = Topic.objects.get(paper=paper)
    assert (topic.week_id, topic.presenter_id) == (week.pk, volunteer.pk)
    card = page.locator(f"[data-topic='{topic.pk}']")
    expect(card).to_contain_text("Agents that plan with votes")
    expect(card.locator(f"[data-presenter='{volunteer.pk}']")).to_have_text(volunteer.name)
    expect(page.locator(f"#week-{week.pk}")).to_contain_text("Agents that plan with votes")

    page.goto(f"{live_server.url}/weeks/{week.pk}/")
    expect(page.locator("main")).to_contain_text("Agents that plan with votes")
    expect(page.locator("main")).to_contain_text(volunteer.name)

    # The paper left the agenda: it is on the programme now.
    page.goto(f"{live_server.url}/papers/agenda/")
    expect(page.locator(f"[data-agenda-paper='{paper.arxiv_id}']")).to_have_count(0)
    expect(page.locator(f"[data-agenda-paper='{runner_up.arxiv_id}']")).to_have_count(1)
    assert problems == []
