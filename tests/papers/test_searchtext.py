"""The search's pure text rules: normalizing, the glossary, snippets (no database)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from papers.search import search_query
from papers.searchtext import (
    SnippetPart,
    TermGroup,
    _normalize_chars,
    concept_tokens,
    expand,
    find_snippet,
    glossary,
    normalize,
    normalize_with_map,
    parse_glossary,
    plain_text,
)

# --- normalizing ----------------------------------------------------------------------------


def test_spaces_between_hangul_syllables_go_and_other_spaces_stay():
    assert (
        normalize("심층  **강화 학습**을\n적용한 RL 에이전트") == "심층강화학습을적용한 rl 에이전트"
    )
    assert normalize("강화 학습") == normalize("강화학습") == "강화학습"
    assert normalize("3D 재구성, LLM 기반") == "3d 재구성, llm 기반"


def test_decomposed_hangul_is_composed_before_the_spaces_go():
    decomposed = unicodedata.normalize("NFD", "강화 학습")
    assert normalize(decomposed) == "강화학습"


@given(st.text(alphabet=st.sampled_from("강화 학습*`\tAbİ\u00a0 .x\x00ß"), max_size=40))
def test_the_mapped_normalization_is_the_normalization(text):
    text = unicodedata.normalize("NFKC", text)
    normalized, origin = normalize_with_map(text)
    assert normalized == normalize(text)
    assert (normalized, origin) == _normalize_chars(text)  # the fast path maps the same
    assert len(origin) == len(normalized)
    assert origin == sorted(origin)
    for char, index in zip(normalized, origin, strict=True):
        assert char == " " or char in text[index].lower()


# --- the glossary ---------------------------------------------------------------------------


def test_the_glossary_file_is_well_formed_and_big_enough():
    terms = glossary()
    assert 40 <= len(terms.concepts) <= 120
    for forms in terms.concepts:
        assert len(set(forms)) == len(forms)
        assert any(any("\uac00" <= c <= "\ud7a3" for c in form) for form in forms), forms
        assert any(form.isascii() for form in forms), forms
        assert all(len(form) >= 2 for form in forms), forms
    assert len(set(terms.concepts)) == len(terms.concepts)  # no line twice


def test_the_required_pairs_are_in_the_glossary():
    for korean, english in [
        ("환각", "hallucination"),
        ("강화 학습", "reinforcement learning"),
        ("확산 모델", "diffusion model"),
        ("추론", "reasoning"),
        ("추론", "inference"),
        ("에이전트", "agent"),
        ("멀티모달", "multimodal"),
        ("대규모 언어 모델", "large language model"),
        ("검색 증강 생성", "retrieval-augmented generation"),
        ("지식 증류", "knowledge distillation"),
        ("미세 조정", "fine-tuning"),
        ("양자화", "quantization"),
        ("정렬", "alignment"),
    ]:
        assert normalize(english) in glossary().forms(normalize(korean))
        assert normalize(korean) in glossary().forms(normalize(english))


def test_a_word_with_two_meanings_widens_to_both_but_they_stay_apart():
    terms = parse_glossary("추론 | reasoning\n추론 | inference  # two lines\n")
    assert terms.forms("추론") == ("추론", "reasoning", "inference")
    assert terms.forms("reasoning") == ("reasoning", "추론")
    assert terms.forms("없음") == ("없음",)


def test_an_abbreviation_widens_but_is_never_widened_to():
    terms = parse_glossary("# comment\n\n검색 증강 생성 | retrieval-augmented generation | [RAG]\n")
    assert terms.forms("rag") == ("rag", "검색증강생성", "retrieval-augmented generation")
    assert "rag" not in terms.forms("검색증강생성")
    assert parse_glossary("외톨이\n| |\n").concepts == ()  # a line needs two forms


def test_expansion_takes_the_longest_entry_and_splits_compounds_of_entries():
    terms = parse_glossary(
        "강화 학습 | reinforcement learning | [RL]\n에이전트 | agent\n학습 | learning\n"
    )

    def forms(words):
        return [group.forms for group in expand(words, terms)]

    assert forms(["reinforcement", "learning", "agent"]) == [
        ("reinforcement learning", "강화학습"),
        ("agent", "에이전트"),
    ]
    assert forms(["강화학습에이전트"]) == [
        ("강화학습", "reinforcement learning"),
        ("에이전트", "agent"),
    ]
    # Other syllables of two or more stay a word of their own; a single one keeps it whole.
    assert forms(["강화학습기반"]) == [("강화학습", "reinforcement learning"), ("기반",)]
    assert forms(["강화학습의"]) == [("강화학습의",)]
    assert forms(["transformer"]) == [("transformer",)]


def test_a_glossary_group_is_found_by_its_token_and_an_abbreviation_as_typed():
    terms = parse_glossary("강화 학습 | reinforcement learning | [RL]\n")
    (token,) = terms.tokens
    assert expand(["강화학습"], terms) == [
        TermGroup(forms=("강화학습", "reinforcement learning"), tokens=(token,))
    ]
    assert expand(["rl"], terms) == [
        TermGroup(
            forms=("rl", "강화학습", "reinforcement learning"), tokens=(token,), loose=("rl",)
        )
    ]
    assert expand(["kim"], terms) == [TermGroup(forms=("kim",), loose=("kim",))]


def test_concept_tokens_name_the_lines_a_text_has_and_never_look_like_search_text():
    terms = parse_glossary("강화 학습 | reinforcement learning | [RL]\n환각 | hallucination\n")
    rl, hallucination = terms.tokens
    assert concept_tokens("심층강화학습을 씁니다", terms) == [rl]
    assert concept_tokens("less hallucinations with reinforcement learning", terms) == [
        rl,
        hallucination,
    ]
    assert concept_tokens("rl only", terms) == []  # an abbreviation is no form of the line
    for token in glossary().tokens:
        assert len(token) == 12 and token.isascii() and token.isalnum()
        assert all(a != b for a, b in itertools.pairwise(token))  # never doubled
    assert len(set(glossary().tokens)) == len(glossary().tokens)
    # A line's token depends on that line only: adding or editing another keeps it.
    assert parse_glossary("환각 | hallucination\n").tokens == (hallucination,)


def test_spaced_and_unspaced_queries_read_the_same():
    for spaced, unspaced in [
        ("강화 학습", "강화학습"),
        ("멀티모달 에이전트", "멀티모달에이전트"),
        ("대규모 언어 모델", "대규모언어모델"),
        ("코드 생성 벤치마크", "코드생성벤치마크"),
    ]:
        assert search_query(spaced).groups == search_query(unspaced).groups
    assert search_query("환각").forms == search_query("Hallucination").forms
    assert search_query("환각").groups[0].tokens == search_query("hallucination").groups[0].tokens
    quoted = search_query('"멀티모달 에이전트"').groups  # quoted: whole, as typed
    assert [group.forms for group in quoted] == [("멀티모달에이전트",)]


# --- snippets -------------------------------------------------------------------------------


def _marked(parts):
    return [part.text for part in parts if part.mark]


def test_the_snippet_is_the_first_matching_sentence_with_every_match_marked():
    sections = [
        {"heading": "동기", "body": "첫 문장입니다. 아무 관련 없음."},
        {
            "heading": "방법",
            "body": "- 심층 **강화 학습**으로 환각을 줄입니다. 강화학습은 됩니다.\n- 다음",
        },
    ]
    parts = find_snippet(sections, search_query("강화학습").forms)
    assert "".join(part.text for part in parts) == "심층 강화 학습으로 환각을 줄입니다."
    assert _marked(parts) == ["강화 학습"]
    assert find_snippet(sections, search_query("없는 말").forms) is None
    assert find_snippet("not a list", {"x"}) is None


def test_the_snippet_marks_the_other_language_of_a_glossary_term():
    sections = [{"heading": "Goal", "body": "We study [hallucinations](https://x.org) in LLMs."}]
    parts = find_snippet(sections, search_query("환각").forms)
    assert parts == [
        SnippetPart("We study "),
        SnippetPart("hallucination", mark=True),
        SnippetPart("s in LLMs."),
    ]


def test_the_snippet_keeps_markup_as_plain_text_for_the_template_to_escape():
    sections = [{"heading": "x", "body": 'A <script>alert("환각")</script> & <b>환각</b>'}]
    parts = find_snippet(sections, {"환각"})
    assert "".join(p.text for p in parts) == 'A <script>alert("환각")</script> & <b>환각</b>'
    assert _marked(parts) == ["환각", "환각"]


def test_a_long_sentence_is_cut_around_the_first_match():
    body = "앞 " * 300 + "환각 문제가 있습니다 " + "뒤 " * 300
    parts = find_snippet([{"heading": "", "body": body}], {"환각"}, width=120)
    text = "".join(part.text for part in parts)
    assert parts[0].text == "…" and parts[-1].text == "…"
    assert len(text) <= 124
    assert _marked(parts) == ["환각"]


def test_plain_text_drops_markdown_marks():
    text = plain_text("## 제목\n- **굵게** `코드` | 표 |\n1. [링크](http://x) ![그림](y.png)")
    assert [" ".join(line.split()) for line in text.split("\n")] == [
        "제목",
        "굵게 코드 표",
        "링크 그림",
    ]


def test_snippets_take_linear_time_on_hostile_text():
    for body in ("[" * 20_000, "[a](" * 5_000, "*" * 20_000 + "환각", "강 " * 10_000):
        began = time.perf_counter()
        find_snippet([{"heading": "", "body": body}], {"환각", "없는말"})
        assert time.perf_counter() - began < 1.0


def test_the_text_rules_are_pure():
    code = "import sys, papers.searchtext, papers.search; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
