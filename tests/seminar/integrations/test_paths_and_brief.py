"""The pure parts: path templates, the brief's formats and the index between its markers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from seminar.integrations import paths
from seminar.scheduling import brief as briefs

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("weeks/{term}/{number:02d}.md", "weeks/2025-가을/03.md"),
        ("{year}/{date}.md", "2025/2025-09-18.md"),
        ("archive/week-{number}.md", "archive/week-3.md"),
    ],
)
def test_a_template_makes_the_path_of_a_week(template, expected):
    assert (
        paths.render(
            paths.check_template(template), term="2025 가을", number=3, day=date(2025, 9, 18)
        )
        == expected
    )


@pytest.mark.parametrize(
    "template",
    [
        "../outside/{number}.md",
        "/etc/{number}.md",
        "weeks/{number}/../../x.md",
        "weeks/{number}.txt",
        ".git/hooks/{number}.md",
        "weeks/{term}.md",  # every week of a term in one file
        "weeks/{number!r}.md",
        "weeks/{number.__class__}.md",
        "weeks/{secret}.md",
        "weeks/{number:>100}.md",
        "weeks\\{number}.md",
        "-{number}.md",
        "weeks/{number",
    ],
)
def test_a_template_that_could_leave_the_repository_or_misbehave_is_refused(template):
    with pytest.raises(paths.PathError):
        paths.check_template(template)


def test_a_terms_name_cannot_move_a_page_outside_its_folder():
    assert paths.term_slug("../../etc") == "etc"
    assert paths.term_slug("2025 가을/봄") == "2025-가을-봄"
    assert paths.render("weeks/{term}/{number}.md", term="..", number=1, day=date(2025, 1, 1)) == (
        "weeks/term/1.md"
    )


def test_paths_are_read_back_by_the_template():
    found = paths.match("weeks/{term}/{number:02d}.md", "weeks/2025-가을/03.md")
    assert (found.term, found.number, found.day) == ("2025-가을", 3, None)
    assert paths.match("weeks/{term}/{number:02d}.md", "README.md") is None
    assert paths.match("{date}.md", "2025-02-30.md") is None  # not a date
    assert paths.relative_link("README.md", "weeks/a/01.md") == "weeks/a/01.md"
    assert paths.relative_link("docs/index.md", "weeks/a/01.md") == "../weeks/a/01.md"


def _brief(**changes) -> briefs.Brief:
    values = dict(
        term="2025 가을",
        number=3,
        starts_at=datetime(2025, 9, 18, 19, 0, tzinfo=SEOUL),
        review_deadline=datetime(2025, 9, 17, 23, 59, tzinfo=SEOUL),
        place="",
        online_url="",
        recording="",
        url="https://seminar.example/weeks/7/",
        topics=(
            briefs.BriefTopic(
                order=1,
                title="<!channel> @everyone *bold* [x](https://evil.example)",
                presenter="조재현",
                paper_url="https://arxiv.org/abs/2505.1",
                slides="",
                code="javascript:alert(1)",
                slots=(briefs.BriefSlot(1, "박민경", briefs.SlotState.SUBMITTED),),
            ),
        ),
    )
    values.update(changes)
    return briefs.Brief(**values)


def test_the_plain_brief_for_kakaotalk():
    assert briefs.brief_text(_brief()) == (
        "📚 2025 가을 · week 3\n"
        "When: 2025-09-18 19:00\n"
        "Reviews due: 2025-09-17 23:59\n"
        "1. <!channel> @everyone *bold* [x](https://evil.example) — presenter: 조재현\n"
        "   reviewers: 박민경 ✓\n"
        "   paper https://arxiv.org/abs/2505.1 · code\n"
        "Open slots: 0\n"
        "https://seminar.example/weeks/7/\n"
    )


def test_what_members_typed_cannot_ping_or_link_in_slack_or_discord():
    slack = briefs.render_slack(briefs.brief_doc(_brief()))
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    assert "<https://arxiv.org/abs/2505.1|paper>" in slack
    assert "javascript:" not in slack  # not an http(s) link: written as text only
    discord = briefs.render_discord(briefs.brief_doc(_brief()))
    assert "\\[x\\]\\(https://evil\\.example\\)" in discord
    assert "\\*bold\\*" in discord
    assert "[paper](<https://arxiv.org/abs/2505.1>)" in discord


def test_a_long_discord_message_is_cut_to_its_limit():
    topics = tuple(briefs.BriefTopic(n, "x" * 200, None, "", "", "", ()) for n in range(1, 30))
    assert len(briefs.render_discord(briefs.brief_doc(_brief(topics=topics)))) == 2000


def test_email_has_a_subject_and_the_plain_body():
    subject, body = briefs.render_email(briefs.brief_doc(_brief()))
    assert subject == "📚 2025 가을 · week 3"
    assert body == briefs.brief_text(_brief())


def test_the_index_is_written_between_its_markers_and_the_rest_is_kept():
    table = briefs.index_table([(_brief(), "weeks/2025-가을/03.md")])
    assert table.splitlines()[0] == "| Week | Date | Topics | Presenters | Reviews |"
    row = table.splitlines()[2]
    assert row.startswith("| [2025 가을 · week 3](weeks/2025-가을/03.md) | 2025-09-18 | ")
    # Not a link, no emphasis, no HTML in the rendered README.
    assert "\\[x\\](https://evil.example)" in row and "\\*bold\\*" in row
    assert "&lt;!channel> @everyone" in row
    assert row.endswith("| 조재현 | 1/1 |")
    start, end = "<!-- s -->", "<!-- e -->"
    page = f"# Ours\n\nintro\n\n{start}\nold table\n{end}\n\nfooter\n"
    replaced = briefs.replace_between_markers(page, "NEW", start=start, end=end, title="T")
    assert replaced == f"# Ours\n\nintro\n\n{start}\nNEW\n{end}\n\nfooter\n"
    assert briefs.replace_between_markers("", "NEW", start=start, end=end, title="T") == (
        f"# T\n\n{start}\nNEW\n{end}\n"
    )
    assert briefs.replace_between_markers("hi\n", "NEW", start=start, end=end, title="T") == (
        f"hi\n\n{start}\nNEW\n{end}\n"
    )


def test_a_pipe_in_a_title_does_not_break_the_table():
    topic = briefs.BriefTopic(1, "A | B", "C|D", "", "", "", ())
    row = briefs.index_table([(_brief(topics=(topic,)), "w.md")]).splitlines()[2]
    assert "A \\| B" in row and "C\\|D" in row
    assert row.count(" | ") == 4  # five cells: the escaped pipes separate nothing
