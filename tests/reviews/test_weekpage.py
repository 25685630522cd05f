"""reviews.weekpage: read and write the weekly markdown page (no Django, no DB)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.weekpage import (
    DEFAULT_HEADINGS,
    ReviewSection,
    ReviewSlotPage,
    TopicPage,
    WeekPage,
    headings_for_new_review,
    parse_review_body,
    parse_week_page,
    render_review_body,
    render_week_page,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "tests/fixtures/seeds/000_fc51c2f87046c2e4.txt").read_text(encoding="utf-8")


def _lines_rstripped(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().split("\n")]


def _without_problems(page: WeekPage) -> WeekPage:
    return dataclasses.replace(page, problems=())


# --- the seed ------------------------------------------------------------------------


def test_seed_topics_and_presenters():
    page = parse_week_page(SEED)
    assert page.number is None
    assert page.problems == ()
    assert [(t.number, t.title, t.presenter) for t in page.topics] == [
        (1, "Spurious Rewards: Rethinking Training Signals in RLVR", "박민경"),
        (2, "Absolute Zero: Reinforced Self-play Reasoning with Zero Data", "조재현"),
        (
            3,
            "Calm-Whisper: Reduce Whisper Hallucination On Non-Speech By Calming Crazy Heads Down",
            "장재후",
        ),
    ]


def test_seed_slots():
    page = parse_week_page(SEED)
    got = [
        [
            (s.number, s.reviewer, [x.heading for x in s.sections], s.raw_body is None)
            for s in t.slots
        ]
        for t in page.topics
    ]
    assert got == [
        [(1, None, [], True), (2, None, [], True)],
        [
            (1, "박민경", ["문제의식", "Absolute Zero", "문제 생성", "리뷰"], False),
            (2, None, [], True),
        ],
        [(1, "박민경", ["문제 정의", "해결 방법", "리뷰"], False), (2, None, [], True)],
    ]
    empty = page.topics[0].slots[0]
    assert empty == ReviewSlotPage(1, None, (), None)


def test_seed_section_bodies():
    page = parse_week_page(SEED)
    calm = page.topics[2].slots[0]
    assert calm.sections[2] == ReviewSection(
        "리뷰",
        "풀 파인튜닝 혹은 몇 개의 헤드만 파인튜닝 하는 경우에도 hallucination현상이 줄어들면 "
        "WER이 증가하는 trade-off 결과를 관찰할 수 있었다. 그래도 여기서 주장한 Calm-down "
        "기법은 hallucination를 크게 감소시키면서 WER이 조금 상승하는 결과를 보여주어 성능 "
        "저하 없이 hallucination문제를 효과적으로 완화하였다고 한다. 위스퍼의 Seq2Seq "
        "구조에서 오는 이러한 문제점들을 분석하여 해결하는 연구들이 앞으로 더 기대가 된다.",
    )
    # Every section is one paragraph; the raw body starts at the first heading.
    assert all("\n" not in s.body and s.body for s in calm.sections)
    assert calm.raw_body is not None and calm.raw_body.startswith("1. 문제 정의\n\n위스퍼는 ")
    assert calm.raw_body.endswith("더 기대가 된다.")
    zero = page.topics[1].slots[0]
    # The seed keeps a trailing space at the end of this section: kept verbatim.
    assert zero.sections[1].body.endswith("RLVR을 통해 줄 수 있다. ")
    assert zero.sections[0].body.startswith("추론/코딩 모델은 사람이 생성한 데이터셋에")


def test_seed_round_trip():
    page = parse_week_page(SEED)
    text = render_week_page(page)
    assert _lines_rstripped(text) == _lines_rstripped(SEED)
    assert text.rstrip() == SEED.rstrip()  # here even the trailing spaces survive
    assert parse_week_page(text) == page


@pytest.mark.parametrize(
    ("header", "number"),
    [
        ("# 📚 - 7주차", 7),
        ("# 📚 - 12 주차", 12),
        ("# 📚 12주차", 12),
        ("# 📚 3 - 주차", 3),
        ("#📚-5주차", 5),
        ("# 📚 - 07주차", 7),
        ("# 📚 - 주차", None),
    ],
)
def test_seed_with_week_number_round_trips(header, number):
    seed = SEED.replace("# 📚 - 주차", header, 1)
    page = parse_week_page(seed)
    assert page.number == number
    assert page.problems == ()
    text = render_week_page(page)
    written = "# 📚 - 주차" if number is None else f"# 📚 - {number}주차"
    assert text.split("\n", 1)[0] == written
    assert _lines_rstripped(text)[1:] == _lines_rstripped(seed)[1:]
    assert parse_week_page(text) == page


def test_render_format_exactly():
    page = WeekPage(
        4,
        (
            TopicPage(
                1,
                "A",
                "박민경",
                (
                    ReviewSlotPage.from_body(
                        1, "조재현", "1. 문제의식\n\n본문.\n\n2. 리뷰\n\n좋다."
                    ),
                    ReviewSlotPage(2, None),
                ),
            ),
            TopicPage(2, "B", None, ()),
        ),
    )
    assert render_week_page(page) == (
        "# 📚 - 4주차\n"
        "\n"
        "### 주제 1: A\n"
        "- **발표자**: 박민경\n"
        "\n"
        "### 리뷰 1\n"
        "- **리뷰어**: 조재현\n"
        "\n"
        "1. 문제의식\n"
        "\n"
        "본문.\n"
        "\n"
        "2. 리뷰\n"
        "\n"
        "좋다.\n"
        "\n"
        "---\n"
        "\n"
        "### 리뷰 2\n"
        "- **리뷰어**: \n"
        "(내용)\n"
        "\n"
        "---\n"
        "\n"
        "<br>\n"
        "\n"
        "### 주제 2: B\n"
        "- **발표자**: \n"
    )


def test_sections_without_raw_body_are_written_and_renumbered():
    sections = (ReviewSection("문제", "가"), ReviewSection("리뷰", ""))
    page = WeekPage(None, (TopicPage(1, "T", "P", (ReviewSlotPage(1, "R", sections, None),)),))
    text = render_week_page(page)
    assert "1. 문제\n\n가\n\n2. 리뷰\n\n---" in text
    slot = parse_week_page(text).topics[0].slots[0]
    assert slot.sections == sections
    assert slot.raw_body == "1. 문제\n\n가\n\n2. 리뷰"


def test_raw_body_is_written_verbatim():
    body = "3. 문제의식\n\n가\n\n5. 리뷰\n\n나"  # numbers not renumbered: nothing is lost
    slot = ReviewSlotPage.from_body(1, "R", body)
    assert [s.heading for s in slot.sections] == ["문제의식", "리뷰"]
    page = WeekPage(1, (TopicPage(1, "T", "P", (slot,)),))
    assert body in render_week_page(page)
    assert parse_week_page(render_week_page(page)) == page


def test_from_body_empty():
    for body in (None, "", "  \n\n", "(내용)", "\n(내용)  \n"):
        assert ReviewSlotPage.from_body(2, None, body) == ReviewSlotPage(2, None)


# --- the section-heading rule --------------------------------------------------------


def _headings(body: str) -> list[str]:
    return [s.heading for s in parse_review_body(body)]


def test_heading_rule_numbered_list_is_body_text():
    body = "1. 문제의식\n\n세 가지가 있다.\n\n1. 첫째\n2. 둘째\n3. 셋째\n\n2. 리뷰\n\n좋다."
    sections = parse_review_body(body)
    assert [s.heading for s in sections] == ["문제의식", "리뷰"]
    assert sections[0].body == "세 가지가 있다.\n\n1. 첫째\n2. 둘째\n3. 셋째"


def test_heading_rule_list_at_body_start_is_not_a_heading():
    assert parse_review_body("1. 짧은 항목\n2. 다른 항목") == (
        ReviewSection("", "1. 짧은 항목\n2. 다른 항목"),
    )
    assert _headings("1. 항목\n   이어지는 줄") == [""]
    assert _headings("1. 항목\n- 하위 항목") == [""]


def test_heading_rule_numbers_go_up():
    # A loose list inside section 2 does not start new sections.
    body = "1. 문제\n\n가\n\n2. 방법\n\n1. 하나\n\n2. 둘\n\n3. 리뷰\n\n끝"
    sections = parse_review_body(body)
    assert [s.heading for s in sections] == ["문제", "방법", "리뷰"]
    assert sections[1].body == "1. 하나\n\n2. 둘"
    # Skipped numbers are fine: they only have to go up.
    assert _headings("1. 가\n\n3. 나") == ["가", "나"]


def test_heading_rule_sentences_and_long_lines_are_body_text():
    sentence = "1. 이것은 문장이다."
    long_line = "2. " + "가" * 41
    assert _headings(f"{sentence}\n\n{long_line}") == [""]
    assert _headings("2. " + "가" * 40) == ["가" * 40]
    assert _headings("2024. 12월 회고") == [""]  # three digits: a year, not a section
    assert _headings("1.문제") == [""]  # a space after the dot is required
    assert _headings("  1. 들여쓴 줄") == [""]


def test_heading_rule_needs_a_paragraph_start():
    assert _headings("서론\n1. 문제\n\n본문") == [""]
    assert _headings("서론\n\n1. 문제\n\n본문") == ["", "문제"]


def test_heading_followed_directly_by_text():
    assert parse_review_body("1. 문제의식\n본문이 바로 온다.\n\n2. 리뷰\n좋다.") == (
        ReviewSection("문제의식", "본문이 바로 온다."),
        ReviewSection("리뷰", "좋다."),
    )


def test_heading_rule_ignores_fenced_code():
    body = "1. 코드\n\n```\n\n2. 코드 속\n\n```\n\n2. 리뷰\n\n끝"
    sections = parse_review_body(body)
    assert [s.heading for s in sections] == ["코드", "리뷰"]
    assert sections[0].body == "```\n\n2. 코드 속\n\n```"


def test_free_text_body_is_one_section_with_empty_heading():
    page = parse_week_page(
        "### 주제 1: T\n### 리뷰 1\n- **리뷰어**: A\n\n그냥 글.\n\n두 번째 문단.\n"
    )
    slot = page.topics[0].slots[0]
    assert slot.raw_body == "그냥 글.\n\n두 번째 문단."
    assert slot.sections == (ReviewSection("", "그냥 글.\n\n두 번째 문단."),)
    assert parse_week_page(render_week_page(page)) == page


def test_render_review_body_numbers_sections():
    sections = (
        ReviewSection("", "머리말"),
        ReviewSection("가", "ㄱ"),
        ReviewSection("나", ""),
        ReviewSection("다", "ㄷ\n\nㄹ"),
    )
    text = render_review_body(sections)
    assert text == "머리말\n\n1. 가\n\nㄱ\n\n2. 나\n\n3. 다\n\nㄷ\n\nㄹ"
    assert parse_review_body(text) == sections


# --- tolerance -----------------------------------------------------------------------


def test_crlf_bom_and_trailing_spaces():
    messy = "\ufeff" + "\r\n".join(line + "  " for line in SEED.split("\n")) + "\r\n\r\n"
    page = parse_week_page(messy)
    expected = parse_week_page(SEED)
    assert [t.title for t in page.topics] == [t.title for t in expected.topics]
    assert [[s.reviewer for s in t.slots] for t in page.topics] == [
        [s.reviewer for s in t.slots] for t in expected.topics
    ]
    assert [[s.sections for s in t.slots] for t in page.topics] != []
    heads = [[[x.heading for x in s.sections] for s in t.slots] for t in page.topics]
    assert heads == [[[x.heading for x in s.sections] for s in t.slots] for t in expected.topics]
    assert page.problems == ()
    assert parse_week_page(SEED.replace("\n", "\r")) == expected  # old Mac line ends


def test_missing_separators_and_extra_blank_lines():
    kept = [line for line in SEED.split("\n") if line not in ("---", "<br>")]
    text = "\n\n\n" + "\n".join(kept).replace("\n###", "\n\n\n###").replace("**: ", "**:   ")
    assert "---" not in text and "<br>" not in text
    assert parse_week_page(text) == parse_week_page(SEED)
    # Blank lines inside a body are the body's own: kept verbatim.
    slot = parse_week_page(SEED.replace("\n\n2. Absolute", "\n\n\n2. Absolute")).topics[1].slots[0]
    assert [s.heading for s in slot.sections] == ["문제의식", "Absolute Zero", "문제 생성", "리뷰"]
    assert "다.\n\n\n2. Absolute Zero" in (slot.raw_body or "")


def test_variant_markup():
    text = (
        "# 📚 - 2주차\n"
        "## 주제 1 - Some Paper\n"
        "* **발표자:** 김하나\n"
        "#### 리뷰\n"
        "리뷰어: 이둘\n"
        "1. 문제의식\n\n가\n"
        "<br/>\n"
        "### 주제: Other\n"
        "### 리뷰\n"
        "(내용)\n"
        "### 리뷰\n"
    )
    page = parse_week_page(text)
    assert page == WeekPage(
        2,
        (
            TopicPage(
                1,
                "Some Paper",
                "김하나",
                (
                    ReviewSlotPage(
                        1, "이둘", (ReviewSection("문제의식", "가"),), "1. 문제의식\n\n가"
                    ),
                ),
            ),
            TopicPage(2, "Other", None, (ReviewSlotPage(1, None), ReviewSlotPage(2, None))),
        ),
    )


def test_review_headings_in_a_body_are_not_slots():
    text = "### 주제 1: T\n### 리뷰 1\n- **리뷰어**: A\n\n### 리뷰 요약\n\n좋다.\n\n---\n"
    slot = parse_week_page(text).topics[0].slots
    assert len(slot) == 1 and slot[0].raw_body == "### 리뷰 요약\n\n좋다."


def test_unplaced_text_is_reported():
    text = (
        "머리말\n"
        "# 📚 - 3주차 (6월 1일)\n"
        "### 리뷰 1\n"
        "### 주제 1: T\n"
        "- **발표자**: P\n"
        "메모\n"
        "\n"
        "---\n"
        "### 리뷰 1\n"
        "- **리뷰어**: \n"
        "(내용)\n"
    )
    page = parse_week_page(text)
    assert page.number == 3
    assert page.topics == (TopicPage(1, "T", "P", (ReviewSlotPage(1, None),)),)
    assert page.problems == (
        "line 1: text before the first topic: '머리말'",
        "line 2: text after the week header: '(6월 1일)'",
        "line 3: text before the first topic: '### 리뷰 1'",
        "line 6: text in topic 1 outside any review slot: '메모'",
    )
    assert render_week_page(page) == render_week_page(_without_problems(page))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff",
        "\n\n\n",
        "---\n<br>\n---",
        "### 주제",
        "### 주제 1:",
        "### 리뷰 1",
        "- **리뷰어**:",
        "# 📚 - 99999999999999999999주차",
        "### 주제 " + "9" * 5000 + ": x\n### 리뷰 " + "9" * 5000,
        "1. " * 1000,
        "\x00\x1c\x85\u2028\ud800",
        "```\n### 주제 1: x\n```",
    ],
)
def test_garbage_never_raises(text):
    page = parse_week_page(text)
    assert isinstance(page, WeekPage)
    again = parse_week_page(render_week_page(page))
    assert again == _without_problems(page)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_never_raises(text):
    page = parse_week_page(text)
    render_week_page(page)


# --- generated pages -----------------------------------------------------------------

KOREAN = "가나다라마바사아자차카타파하한국어리뷰문제의식모델학습데이터추론결과방법정의"
LETTERS = KOREAN + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
INNER = LETTERS + "0123456789,.'()-:/?!%*_#`[]"

words = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS),
    st.text(alphabet=INNER, max_size=10),
)


def _phrase(min_words: int = 1, max_words: int = 8) -> st.SearchStrategy[str]:
    return st.lists(words, min_size=min_words, max_size=max_words).map(" ".join)


names = _phrase(1, 3)
text_lines = st.builds(lambda s, hard: s + ("  " if hard else ""), _phrase(), st.booleans())
prose = st.lists(text_lines, min_size=1, max_size=3).map("\n".join)
numbered_list = st.lists(_phrase(1, 3), min_size=2, max_size=4).map(
    lambda items: "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
)
bullets = st.lists(_phrase(1, 3), min_size=1, max_size=3).map(
    lambda items: "\n".join(f"- {item}" for item in items)
)
fenced = st.lists(
    st.one_of(_phrase(), st.builds(lambda p: f"1. {p}", _phrase(1, 2))), max_size=3
).map(lambda lines: "\n".join(["```", *lines, "```"]))
paragraphs = st.one_of(prose, prose, numbered_list, bullets, fenced)
bodies = st.lists(paragraphs, min_size=1, max_size=3).map("\n\n".join)
headings = _phrase(1, 5).map(lambda h: h[:40].strip()).filter(lambda h: h[-1] not in ".。")


@st.composite
def section_lists(draw) -> tuple[ReviewSection, ...]:
    sections = []
    if draw(st.booleans()):
        sections.append(ReviewSection("", draw(bodies)))
    for _ in range(draw(st.integers(0 if sections else 1, 5))):
        sections.append(ReviewSection(draw(headings), draw(st.one_of(st.just(""), bodies))))
    return tuple(sections)


@st.composite
def slots(draw, number: int) -> ReviewSlotPage:
    reviewer = draw(st.one_of(st.none(), names))
    if draw(st.integers(0, 3)) == 0:
        return ReviewSlotPage(number, reviewer)
    sections = draw(section_lists())
    return ReviewSlotPage(number, reviewer, sections, render_review_body(sections))


@st.composite
def topics(draw, number: int) -> TopicPage:
    title = draw(st.one_of(st.just(""), _phrase(1, 10)))
    presenter = draw(st.one_of(st.none(), names))
    numbers = draw(st.lists(st.integers(1, 20), max_size=4))
    return TopicPage(number, title, presenter, tuple(draw(slots(n)) for n in numbers))


@st.composite
def week_pages(draw) -> WeekPage:
    number = draw(st.one_of(st.none(), st.integers(0, 999)))
    numbers = draw(st.lists(st.integers(1, 30), max_size=4))
    return WeekPage(number, tuple(draw(topics(n)) for n in numbers))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(week_pages())
def test_generated_pages_round_trip(page):
    text = render_week_page(page)
    assert parse_week_page(text) == page
    assert render_week_page(parse_week_page(text)) == text


@settings(max_examples=200, deadline=None)
@given(section_lists())
def test_generated_sections_round_trip(sections):
    assert parse_review_body(render_review_body(sections)) == sections


SOUP_LINES = [
    "",
    "",
    "---",
    "<br>",
    "# 📚 - 주차",
    "# 📚 - 3주차",
    "### 주제 1: 제목",
    "### 주제: 제목",
    "## 주제 2 - 다른 제목",
    "### 리뷰 1",
    "### 리뷰",
    "### 리뷰 요약",
    "- **발표자**: 박민경",
    "- **리뷰어**: ",
    "- **리뷰어**: 조재현",
    "**리뷰어:** **굵게",
    "(내용)",
    "1. 문제의식",
    "2. 리뷰",
    "1. 문장이다.",
    "```",
    "   들여쓴 줄",
    "본문 ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SOUP_LINES), _phrase()), max_size=40))
def test_reading_is_idempotent_on_messy_pages(lines):
    page = parse_week_page("\n".join(lines))
    again = parse_week_page(render_week_page(page))
    assert again == _without_problems(page)


# --- headings for a new review -------------------------------------------------------


def test_headings_for_new_review_default():
    assert headings_for_new_review() == DEFAULT_HEADINGS == ("문제 정의", "해결 방법", "리뷰")
    seed = parse_week_page(SEED)
    history = [
        [s.heading for s in seed.topics[2].slots[0].sections],
        [s.heading for s in seed.topics[1].slots[0].sections],
    ]
    # Only "리뷰" recurs: not enough of a habit, so the default.
    assert headings_for_new_review(history) == DEFAULT_HEADINGS


def test_headings_for_new_review_follows_the_reviewers_habit():
    history = [
        ["문제의식", "Calm-down", "리뷰"],
        ["문제의식", "Absolute  Zero", "실험", "리뷰"],
        ["리뷰"],
        ["", "문제의식", "실험", "리뷰", "리뷰"],
    ]
    assert headings_for_new_review(history) == ("문제의식", "실험", "리뷰")
    # Only the five newest reviews count.
    old = [["배경", "느낀 점"]] * 10
    assert headings_for_new_review([["가"]] * 5 + old) == DEFAULT_HEADINGS
    assert headings_for_new_review(iter(old)) == ("배경", "느낀 점")


# --- no Django -----------------------------------------------------------------------


def test_module_does_not_import_django():
    code = (
        "import sys\n"
        "import reviews.weekpage\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "assert reviews.weekpage.__file__.endswith('weekpage.py')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
