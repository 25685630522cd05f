"""Inputs beyond the seeds: other encodings/line ends, other generators, broken parts."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from papers.digest import ParsedDigest, normalize_arxiv_id, parse_digest

from .test_seeds import EXPECTED_003, EXPECTED_004, load


def ids_titles(d: ParsedDigest) -> list[tuple[str, str | None]]:
    return [(p.arxiv_id, p.title) for p in d.papers]


def paper_dicts(d: ParsedDigest) -> list[dict]:
    return [p.to_dict() for p in d.papers]


# --- normalize_arxiv_id --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2505.12345", "2505.12345"),
        ("2505.12345v2", "2505.12345"),
        ("arXiv:2505.12345v3", "2505.12345"),
        ("ARXIV: 2505.12345", "2505.12345"),
        ("https://arxiv.org/abs/2505.12345v2", "2505.12345"),
        ("https://arxiv.org/pdf/2505.12345v2", "2505.12345"),
        ("https://arxiv.org/pdf/2505.12345v2.pdf", "2505.12345"),
        ("arxiv.org/pdf/2505.12345.pdf", "2505.12345"),
        ("http://export.arxiv.org/abs/2505.12345", "2505.12345"),
        ("https://www.arxiv.org/html/2505.12345v1", "2505.12345"),
        ("https://huggingface.co/papers/2505.12345", "2505.12345"),
        ("https://doi.org/10.48550/arXiv.2505.12345", "2505.12345"),
        ("0704.0001", "0704.0001"),
        ("1412.6980v9", "1412.6980"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
        ("arXiv:cond-mat/0102536v1", "cond-mat/0102536"),
        ("  2505.12345\x00  ", "2505.12345"),
        # not ids: bad month, wrong digit count for the period, too old, junk
        ("2513.12345", None),
        ("2505.1234", None),
        ("1412.12345", None),
        ("0612.1234", None),
        ("foo/9901001", None),
        ("hep-th/9913001", None),
        ("12505.12345", None),
        ("", None),
        ("no id here", None),
    ],
)
def test_normalize_arxiv_id(value: str, expected: str | None) -> None:
    assert normalize_arxiv_id(value) == expected


def test_normalize_arxiv_id_rejects_non_strings() -> None:
    assert normalize_arxiv_id(None) is None  # type: ignore[arg-type]
    assert normalize_arxiv_id(2505.12345) is None  # type: ignore[arg-type]


# --- line ends, BOM, NUL, bytes ------------------------------------------------------------


def test_crlf_and_bom_give_the_same_result() -> None:
    text = load("004")
    plain = parse_digest(text)
    assert parse_digest("\ufeff" + text.replace("\n", "\r\n")).to_dict() == plain.to_dict()
    assert parse_digest(text.replace("\n", "\r")).to_dict() == plain.to_dict()


def test_bytes_input() -> None:
    text = load("001")
    assert parse_digest(text.encode("utf-8")).to_dict() == parse_digest(text).to_dict()
    assert parse_digest(b"\xef\xbb\xbf" + text.encode()).to_dict() == parse_digest(text).to_dict()
    utf16 = parse_digest(text.encode("utf-16"))
    assert ids_titles(utf16) == ids_titles(parse_digest(text))


def test_invalid_utf8_is_replaced_and_reported() -> None:
    raw = load("003").encode("utf-8") + b"\xff\xfe\xfa broken tail"
    d = parse_digest(raw)
    assert ids_titles(d) == EXPECTED_003
    assert any("not valid UTF-8" in e for e in d.errors)


def test_nul_bytes_are_stripped_everywhere() -> None:
    text = load("004")
    dirty = "\x00" + text.replace("\n", "\x00\n").replace("Vote", "Vo\x00te")
    d = parse_digest(dirty)
    assert [(p.arxiv_id, p.title, p.votes) for p in d.papers] == EXPECTED_004
    assert "\x00" not in repr(d.to_dict()).replace("\\x00", "\x00")
    assert any("NUL" in e for e in d.errors)


# --- empty and garbage ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   \n\n\t  ", "\ufeff", "\x00\x00", b"", b"\x00"])
def test_empty_input(value: str | bytes) -> None:
    d = parse_digest(value)
    assert d.papers == () and d.date is None and d.format == "unknown"
    assert any("empty" in e for e in d.errors)


def test_binary_garbage() -> None:
    d = parse_digest(bytes(range(256)) * 20)
    assert d.papers == () and d.format == "unknown"
    assert d.errors


def test_non_text_argument_does_not_raise() -> None:
    d = parse_digest(12345)  # type: ignore[arg-type]
    assert d.papers == () and d.errors


def test_random_prose_gives_an_error_not_papers() -> None:
    d = parse_digest("Hello world.\nThis is not a digest; 2505.12345 is only a number here.\n")
    assert d.papers == ()
    assert any(e.startswith("no papers found") for e in d.errors)


def test_last_resort_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    from papers.digest import parser

    def boom(raw: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(parser, "_parse", boom)
    d = parse_digest("## 2505.12345")
    assert d.papers == () and d.format == "unknown"
    assert d.errors[0].startswith("internal parser error (RuntimeError: kaboom)")


# --- format A variants ---------------------------------------------------------------------

A_ENGLISH = """\
# Hugging Face Daily Papers – June 1, 2025

## 2506.01234v2
🔗 https://huggingface.co/papers/2506.01234v2

**Summary**:
```markdown
# Attention Sinks Revisited

## 1. Motivation
Why it matters.

## 2. Method
How it works:
```python
print("## not a heading")
```
More method.

## 3. Results
It works.
```

---

## arXiv:2506.05678
🔗 https://huggingface.co/papers/2506.05678

**Summary**:
```markdown
# Only A Title Here

## 2506.09999
🔗 https://huggingface.co/papers/2506.09999

**Summary**:
I'm sorry, but I couldn't access the paper at the provided link. Please check the URL.

---

## 2506.04444
🔗 https://huggingface.co/papers/2506.04444

**Summary**:
```md
# Cut Short: A Paper

## Background
Some text that stops
"""


def test_english_summaries_with_nested_code_and_truncation() -> None:
    d = parse_digest(A_ENGLISH)
    assert d.format == "hf-summary"
    assert d.date == datetime.date(2025, 6, 1)
    assert ids_titles(d) == [
        ("2506.01234", "Attention Sinks Revisited"),
        ("2506.05678", "Only A Title Here"),
        ("2506.09999", None),
        ("2506.04444", "Cut Short: A Paper"),
    ]
    good, title_only, failed, cut = d.papers
    assert [s.heading for s in good.sections] == ["Motivation", "Method", "Results"]
    assert 'print("## not a heading")' in good.sections[1].body
    assert good.summary_ok and not good.truncated
    assert title_only.truncated and not title_only.summary_ok and title_only.sections == ()
    assert title_only.problems == (
        "summary is truncated: only the title is present (its ```markdown block is never closed)",
    )
    assert not failed.summary_ok and not failed.truncated and failed.title is None
    assert failed.problems[0].startswith(
        "summary failed (the generator could not read the paper: \"I'm sorry"
    )
    assert cut.truncated and cut.summary_ok
    assert [s.heading for s in cut.sections] == ["Background"]
    assert "paper 2506.09999: summary failed" in " ".join(d.errors)


def test_failure_message_never_becomes_a_title() -> None:
    text = (
        "## 2505.00001\n🔗 https://huggingface.co/papers/2505.00001\n\n**Summary**:\n"
        '죄송합니다만, "Some Real Title"라는 제목의 논문을 확인할 수 없었습니다.\n\n'
        "## 2505.00002\n\n**Summary**:\n"
        "# 죄송합니다만, 해당 논문의 내용을 확인할 수 없었습니다\n"
    )
    d = parse_digest(text)
    assert ids_titles(d) == [("2505.00001", None), ("2505.00002", None)]
    assert all(not p.summary_ok for p in d.papers)
    assert all("no title in the digest" in p.problems for p in d.papers)


@pytest.mark.parametrize(
    ("prose", "title"),
    [
        ('해당 논문은 "A Study of Things"으로, 무엇을 합니다.', "A Study of Things"),
        (
            '제공된 링크는 "Think Fast: Adaptive Agents"라는 제목의 논문입니다.',
            "Think Fast: Adaptive Agents",
        ),
        ("논문 제목: “Curly Quotes Work”\n본문.", "Curly Quotes Work"),
        ('The paper titled "English Prose Title" proposes X.', "English Prose Title"),
        ("본 논문은 '사고 패턴'을 제안합니다.", None),  # a quoted term, not a title
        ("이 연구는 새로운 방법을 제안합니다.", None),
    ],
)
def test_titles_from_prose(prose: str, title: str | None) -> None:
    d = parse_digest(f"## 2505.11111\n🔗 https://huggingface.co/papers/2505.11111\n\n{prose}\n")
    assert ids_titles(d) == [("2505.11111", title)]
    assert d.papers[0].summary_ok


def test_heading_title_after_id_and_summary_without_marker() -> None:
    text = (
        "# Hugging Face Daily Papers – 2025-06-02\n\n"
        "## 2506.00001 — Heading Given Title\n"
        "Plain summary text.\n\n"
        "## [2506.00002](https://huggingface.co/papers/2506.00002)\n\n"
        "**Summary**: # Inline Title\n"
    )
    d = parse_digest(text)
    assert d.format == "hf-summary"
    assert ids_titles(d)[0] == ("2506.00001", "Heading Given Title")
    assert d.papers[0].sections[0].body == "Plain summary text."
    assert d.papers[1].arxiv_id == "2506.00002"
    assert d.papers[1].hf_url == "https://huggingface.co/papers/2506.00002"


def test_invalid_id_heading_is_reported_not_invented() -> None:
    text = (
        "# 📰 Hugging Face Daily Papers – 2025-05-26\n\n"
        "## 2505.1761\n🔗 https://huggingface.co/papers/2505.1761\n\n**Summary**:\ntext\n\n"
        "## 2505.17612\n🔗 https://huggingface.co/papers/2505.17612\n\n**Summary**:\ntext\n"
    )
    d = parse_digest(text)
    assert [p.arxiv_id for p in d.papers] == ["2505.17612"]
    assert any('heading "2505.1761" looks like a paper entry' in e for e in d.errors)


def test_mismatched_link_is_noted() -> None:
    d = parse_digest("## 2505.17612\n🔗 https://huggingface.co/papers/2505.99999\n\nSummary: x\n")
    (p,) = d.papers
    assert p.hf_url is None and p.url == "https://arxiv.org/abs/2505.17612"
    assert any("points to another paper (2505.99999)" in msg for msg in p.problems)


# Summary title lines that end in "요약" / "기술 보고서 요약", and summaries that start at
# "## 1." with the title stated only in section 1's prose (issue 12).


def a_digest(*summaries: tuple[str, str]) -> str:
    """A format A digest: one entry per (arXiv id, fenced summary body)."""
    parts = ["# 📰 Hugging Face Daily Papers – 2025-05-26\n"]
    for arxiv_id, body in summaries:
        parts.append(
            f"## {arxiv_id}\n🔗 https://huggingface.co/papers/{arxiv_id}\n\n"
            f"**Summary**:\n```markdown\n{body.strip()}\n```\n\n---\n"
        )
    return "\n".join(parts)


SECTIONS = (
    "\n\n## 1. 핵심 동기와 문제 정의\n\n대형 언어 모델은 높은 계산 비용이 문제입니다.\n\n"
    "## 2. 주요 기여 및 참신성\n\n- **새 프레임워크**: 소형 모델로 전이합니다.\n"
)


@pytest.mark.parametrize(
    ("title_line", "title"),
    [
        (
            "# Distilling LLM Agents: A Retrieval Toolkit for Small Models 요약",
            "Distilling LLM Agents: A Retrieval Toolkit for Small Models",
        ),
        ('# "Reasoning Model is Stubborn" 논문 요약', "Reasoning Model is Stubborn"),
        ("# “Curly Quoted Title for Agents” 논문 요약", "Curly Quoted Title for Agents"),
        (
            '# 논문 요약: "On the Design of KL-Regularized Policy Gradient Algorithms"',
            "On the Design of KL-Regularized Policy Gradient Algorithms",
        ),
        ("# Qwen3 기술 보고서 요약", "Qwen3"),
        ("# MiMo-VL 기술보고서 요약", "MiMo-VL"),
        ('# "Seed1.5-VL" 기술 보고서 요약', "Seed1.5-VL"),
        (
            "# 대형 언어 모델의 맥락적 충실도 향상을 위한 합성 작업 요약",
            "대형 언어 모델의 맥락적 충실도 향상을 위한 합성 작업",
        ),
        # The rest is not a title: nothing is invented from it.
        ("# 논문 요약", None),
        ("# 핵심 요약", None),
        ("# 이 논문 요약", None),
        ("# 기술 보고서 요약", None),
        # A one-word rest could be the title's own noun ("텍스트 요약" is a task): kept whole.
        ("# 추상적 요약", "추상적 요약"),
    ],
)
def test_summary_title_line_loses_its_summary_suffix(title_line: str, title: str | None) -> None:
    d = parse_digest(a_digest(("2505.17612", title_line + SECTIONS)))
    assert d.format == "hf-summary"
    assert ids_titles(d) == [("2505.17612", title)]
    (p,) = d.papers
    assert p.summary_ok
    assert [s.heading for s in p.sections] == ["핵심 동기와 문제 정의", "주요 기여 및 참신성"]


def test_summary_starting_at_section_one_takes_the_title_from_its_prose() -> None:
    text = a_digest(
        (
            "2505.17941",
            "## 1. 핵심 동기와 문제 정의\n\n"
            '해당 논문은 "VeriThinker: Learning to Verify Makes Reasoning Model Efficient"으로, '
            "긴 추론 체인의 비용을 줄이는 방법을 다룹니다.\n\n"
            "## 2. 주요 기여\n\n- 검증 과제로 미세 조정합니다.\n",
        ),
        (
            "2505.18125",
            "## 1. 연구 배경\n\n"
            '이 요약은 "Trinity-RFT: A General-Purpose Unified Framework"라는 제목의 논문을 '
            "다룹니다. 강화 학습 미세 조정의 통합 프레임워크입니다.\n\n"
            "## 2. 방법\n\n본문.\n",
        ),
        (
            "2505.16938",
            "## 1. 핵심 동기와 문제 정의\n\n"
            "대형 언어 모델의 추론은 비용이 큽니다. 본 연구는 새로운 방법을 제안합니다.\n\n"
            '## 2. 주요 기여\n\n해당 논문은 "Other Quoted Words"으로 시작하지 않습니다.\n',
        ),
    )
    d = parse_digest(text)
    assert d.format == "hf-summary"
    assert ids_titles(d) == [
        ("2505.17941", "VeriThinker: Learning to Verify Makes Reasoning Model Efficient"),
        ("2505.18125", "Trinity-RFT: A General-Purpose Unified Framework"),
        # No title in section 1's prose: none is taken from a later section.
        ("2505.16938", None),
    ]
    for p in d.papers:
        assert p.summary_ok
        assert p.sections[0].heading in ("핵심 동기와 문제 정의", "연구 배경")
    assert "no title in the digest" in d.papers[2].problems


def test_summary_title_heading_wins_over_a_title_in_its_prose() -> None:
    d = parse_digest(
        a_digest(
            (
                "2505.20000",
                "# Heading Title For Agents 요약\n\n## 1. 개요\n\n"
                '해당 논문은 "Prose Title Of Something"으로 시작합니다.\n',
            )
        )
    )
    assert ids_titles(d) == [("2505.20000", "Heading Title For Agents")]


# --- duplicates ----------------------------------------------------------------------------


def test_paper_listed_twice_is_merged() -> None:
    text = (
        "## Daily Papers (2024-12-24)\n\n"
        "### [First Title](https://arxiv.org/abs/2412.00001)\n\nVote: 3\n\n"
        "- ***What's New***: a\n\n"
        "### [Other](https://arxiv.org/abs/2412.00002v1)\n\nVote: 1\n\n- ***What's New***: b\n\n"
        "### [First Title](https://arxiv.org/pdf/2412.00001v2)\n\nVote: 3\n\n"
        "Authors: A, B\n\n- ***What's New***: a\n"
    )
    d = parse_digest(text)
    assert d.format == "daily-list"
    assert ids_titles(d) == [("2412.00001", "First Title"), ("2412.00002", "Other")]
    first = d.papers[0]
    assert first.authors == ("A", "B") and first.votes == 3
    assert first.problems == ("listed 2 times in the digest; the entries were merged into one",)
    assert "paper 2412.00001: listed 2 times" in " ".join(d.errors)


def test_duplicate_keeps_the_good_summary() -> None:
    text = (
        "## 2505.02471\n\n**Summary**:\n죄송합니다만, 논문을 확인할 수 없었습니다.\n\n---\n\n"
        "## 2505.02471\n\n**Summary**:\n```markdown\n# Found It Later\n\n## 1. A\nbody\n```\n"
    )
    (p,) = parse_digest(text).papers
    assert p.title == "Found It Later" and p.summary_ok
    assert [s.heading for s in p.sections] == ["A"]
    assert p.problems == ("listed 2 times in the digest; the entries were merged into one",)


# --- format B/C variants -------------------------------------------------------------------


def test_jekyll_without_front_matter() -> None:
    text = load("003")
    body = text.split("---\n", 2)[2]
    d = parse_digest(body)
    assert d.format == "jekyll"
    assert ids_titles(d) == EXPECTED_003
    assert d.date is None
    assert d.errors == ("no digest date found (looked at the lines before the papers)",)


def test_jekyll_front_matter_date_only_and_skipped_heading() -> None:
    text = (
        "---\nlayout: post\ntitle: Daily Papers\ndate: 2025-09-11 08:15:00\n---\n\n"
        "# 1. [First](https://arxiv.org/abs/2509.00001v1)\n\n## Introduction\n- Goal: x\n\n"
        "# 2. Second Without Link\n\n## Method\ny\n\n"
        "# 3. [Third](https://huggingface.co/papers/2509.00003)\n\n## Method\nz\n"
    )
    d = parse_digest(text)
    assert d.format == "jekyll" and d.date == datetime.date(2025, 9, 11)
    assert ids_titles(d) == [("2509.00001", "First"), ("2509.00003", "Third")]
    assert d.papers[1].hf_url == "https://huggingface.co/papers/2509.00003"
    assert [s.heading for s in d.papers[0].sections] == ["Introduction"]
    assert any('"2. Second Without Link" looks like a paper entry' in e for e in d.errors)


def test_daily_list_variant_with_hf_links_and_english_labels() -> None:
    text = (
        "## Daily Papers (Dec 24, 2024)\n\n"
        "## [Some Paper](https://huggingface.co/papers/2412.00011)\n\n"
        "Upvotes: 1,234\n\n**Authors**: Alice, Bob and Carol\n\n"
        "- **Summary**: one\n- **Why it matters**: two\n  continued\n"
    )
    d = parse_digest(text)
    assert d.format == "daily-list" and d.date == datetime.date(2024, 12, 24)
    (p,) = d.papers
    assert (p.arxiv_id, p.title, p.votes) == ("2412.00011", "Some Paper", 1234)
    assert p.authors == ("Alice", "Bob", "Carol")
    assert [(s.heading, s.body) for s in p.sections] == [
        ("Summary", "one"),
        ("Why it matters", "two\ncontinued"),
    ]
    assert p.url == "https://huggingface.co/papers/2412.00011"


# --- unknown layouts: generic scan ---------------------------------------------------------


def test_generic_list_of_links_with_versions_and_old_ids() -> None:
    text = (
        "# My reading list (3 June 2025)\n\n"
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762v7) — a classic\n"
        "- [An Old One](https://arxiv.org/abs/hep-th/9901001v2)\n"
        "- Some Title: https://arxiv.org/pdf/2506.01234v2.pdf\n"
        "  A note citing https://arxiv.org/abs/2401.00001, which is not a listed paper.\n"
        "- https://arxiv.org/pdf/2506.04321\n"
        "- arXiv:math.GT/0309136\n"
        "- [HF Page](https://huggingface.co/papers/2506.07777)\n"
    )
    d = parse_digest(text)
    assert d.format == "unknown" and d.date == datetime.date(2025, 6, 3)
    assert ids_titles(d) == [
        ("1706.03762", "Attention Is All You Need"),
        ("hep-th/9901001", "An Old One"),
        ("2506.01234", "Some Title"),
        ("2506.04321", None),
        ("math.GT/0309136", None),
        ("2506.07777", "HF Page"),
    ]
    assert d.papers[0].sections[0].body == "a classic"
    assert d.papers[-1].hf_url == "https://huggingface.co/papers/2506.07777"
    assert any("layout was not recognized" in e for e in d.errors)


def test_generic_headings_with_link_lines_below() -> None:
    text = (
        "Daily digest 2025년 6월 4일\n\n"
        "## Scaling Laws for Things\n🔗 https://huggingface.co/papers/2506.11111\n\n"
        "Summary: the paper shows scaling.\n\n"
        "## Another Paper About Stuff\n🔗 https://huggingface.co/papers/2506.22222\n"
    )
    d = parse_digest(text)
    assert d.date == datetime.date(2025, 6, 4)
    assert ids_titles(d) == [
        ("2506.11111", "Scaling Laws for Things"),
        ("2506.22222", "Another Paper About Stuff"),
    ]
    assert d.papers[0].sections[0].body == "the paper shows scaling."
    assert d.papers[1].problems == ("no summary text in the digest",)


def test_generic_headings_with_ids_in_parentheses() -> None:
    text = (
        "# Weekly picks\n\n"
        "### Title One (arXiv:2506.00101)\nSome words.\n\n"
        "### Title Two — https://arxiv.org/abs/2506.00102v3\n"
        "#### Key idea\nMore words.\n"
    )
    d = parse_digest(text)
    assert ids_titles(d) == [("2506.00101", "Title One"), ("2506.00102", "Title Two")]
    assert [s.heading for s in d.papers[1].sections] == ["Key idea"]
    assert "no digest date found" in d.errors[0]


def test_invalid_calendar_date_is_reported() -> None:
    d = parse_digest("# Daily Papers (2025-02-30)\n\n### [A T](https://arxiv.org/abs/2502.00001)\n")
    assert d.date is None
    assert "'2025-02-30' is not a valid calendar date" in d.errors[0]
    assert ids_titles(d) == [("2502.00001", "A T")]


def test_to_dict_shape() -> None:
    d = parse_digest(load("004")).to_dict()
    assert list(d) == ["date", "format", "papers", "errors", "failures"]
    assert d["date"] == "2024-12-24"
    paper = d["papers"][0]
    for key in ("arxiv_id", "title", "url", "authors", "votes", "summary_ok", "sections"):
        assert key in paper
    assert paper["sections"][0] == {
        "heading": "What's New",
        "body": paper["sections"][0]["body"],
    }


def test_old_style_ids_and_link_forms_in_format_a() -> None:
    text = (
        "# 📰 Hugging Face Daily Papers – 2025-05-26\n\n"
        "## hep-th/9901001v2\n🔗 https://arxiv.org/abs/hep-th/9901001v2\n\n"
        "**Summary**:\n```markdown\n# An Old Paper\n\n## 1. Idea\nstrings\n```\n\n---\n\n"
        "## [2505.17612v3](https://arxiv.org/pdf/2505.17612v3.pdf)\n"
        "🔗 [HF](https://huggingface.co/papers/2505.17612) | [PDF](https://arxiv.org/pdf/2505.17612)\n\n"
        "**Summary**:\n죄송합니다만, 전문에 접근할 수 없어 초록을 바탕으로 요약합니다.\n\n"
        "## 1. 동기\n내용\n\n## 2. 방법\n내용\n"
    )
    d = parse_digest(text)
    assert d.format == "hf-summary"
    assert ids_titles(d) == [("hep-th/9901001", "An Old Paper"), ("2505.17612", None)]
    old, new = d.papers
    assert old.arxiv_url == "https://arxiv.org/abs/hep-th/9901001" and old.hf_url is None
    assert new.hf_url == "https://huggingface.co/papers/2505.17612"
    # An apology followed by a real summary is kept, with a note.
    assert new.summary_ok and [s.heading for s in new.sections] == ["", "동기", "방법"]
    assert "summary opens with an apology from the generator; it may be incomplete" in (
        new.problems
    )


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    misleading = tmp_path / "003_jekyll_hf-summary.md"
    misleading.write_text(load("004"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "papers.digest", str(misleading)],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        timeout=60,
        check=True,
    )
    (obj,) = json.loads(proc.stdout.decode("utf-8"))
    assert obj["format"] == "daily-list" and len(obj["papers"]) == 18
