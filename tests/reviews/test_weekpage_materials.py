"""Materials in the group's markdown page (#13): written only when there are some, so pages
without them stay byte for byte as before, and read back from the same places."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.weekpage import (
    ReviewSlotPage,
    TopicPage,
    WeekPage,
    parse_week_page,
    render_week_page,
)

PLAIN = WeekPage(
    3,
    (
        TopicPage(1, "Attention", "박민경", (ReviewSlotPage(1, "조재현"),)),
        TopicPage(2, "BERT", None, ()),
    ),
)


def test_a_page_without_materials_is_written_exactly_as_before():
    assert render_week_page(PLAIN) == (
        "# 📚 - 3주차\n\n"
        "### 주제 1: Attention\n- **발표자**: 박민경\n\n"
        "### 리뷰 1\n- **리뷰어**: 조재현\n(내용)\n\n---\n\n<br>\n\n"
        "### 주제 2: BERT\n- **발표자**: \n"
    )


def test_materials_are_lines_under_the_header_and_the_presenter():
    page = WeekPage(
        3,
        (
            TopicPage(
                1,
                "Attention",
                "박민경",
                (ReviewSlotPage(1, "조재현"),),
                slides="https://example.org/slides.pdf",
                code="https://github.com/example/attention",
            ),
            TopicPage(2, "BERT", None, (), code="https://example.org/bert"),
        ),
        recording="https://video.example.org/3",
    )
    text = render_week_page(page)
    assert text == (
        "# 📚 - 3주차\n\n"
        "- **녹화**: https://video.example.org/3\n\n"
        "### 주제 1: Attention\n- **발표자**: 박민경\n"
        "- **발표 자료**: https://example.org/slides.pdf\n"
        "- **코드**: https://github.com/example/attention\n\n"
        "### 리뷰 1\n- **리뷰어**: 조재현\n(내용)\n\n---\n\n<br>\n\n"
        "### 주제 2: BERT\n- **발표자**: \n- **코드**: https://example.org/bert\n"
    )
    assert parse_week_page(text) == page
    assert parse_week_page(text).problems == ()


def test_the_reader_takes_loose_materials_markup():
    text = (
        "# 📚 - 4주차\n"
        "녹화: https://video.example.org/4\n"
        "### 주제 1: T\n"
        "- **발표자**: P\n"
        "* 발표자료: https://example.org/s.pdf\n"
        "- **코드:** https://example.org/code\n"
        "### 리뷰 1\n- **리뷰어**: R\n(내용)\n"
    )
    page = parse_week_page(text)
    assert page.recording == "https://video.example.org/4"
    assert page.topics[0].slides == "https://example.org/s.pdf"
    assert page.topics[0].code == "https://example.org/code"
    assert page.problems == ()


def test_a_second_slides_line_is_reported_not_lost_silently():
    text = (
        "### 주제 1: T\n- **발표자**: P\n"
        "- **발표 자료**: https://a.example/1\n- **발표 자료**: https://a.example/2\n"
    )
    page = parse_week_page(text)
    assert page.topics[0].slides == "https://a.example/1"
    assert page.problems == (
        "line 4: text in topic 1 outside any review slot: '- **발표 자료**: https://a.example/2'",
    )


def test_a_link_with_a_line_break_cannot_add_lines_to_the_page():
    page = WeekPage(
        1, (TopicPage(1, "T", "P", (), slides="https://a.example/\n### 주제 2: forged"),)
    )
    text = render_week_page(page)
    assert "\n### 주제 2" not in text
    assert len(parse_week_page(text).topics) == 1


links = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/.:-_?=&", min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(
    slides=st.one_of(st.none(), links.map(lambda s: "https://" + s)),
    code=st.one_of(st.none(), links.map(lambda s: "https://" + s)),
    recording=st.one_of(st.none(), links.map(lambda s: "http://" + s)),
)
def test_materials_round_trip(slides, code, recording):
    page = WeekPage(
        2,
        (TopicPage(1, "T", "P", (ReviewSlotPage(1, None),), slides=slides, code=code),),
        recording=recording,
    )
    text = render_week_page(page)
    assert parse_week_page(text) == page
    assert render_week_page(parse_week_page(text)) == text
