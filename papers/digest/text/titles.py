"""Titles: cleaning what a digest gives as a paper's title, finding one in prose, and telling a
failed summary from a real one.
"""

from __future__ import annotations

import re

from papers.digest.text.ids import ids_in
from papers.digest.text.markup import _WS_RE, URL_RE, links_to_text, strip_emphasis, unescape_md

# Titles

_TITLE_PREFIX_RE = re.compile(
    r"^(?:논문\s*+요약|논문\s*+제목|논문\s*+리뷰|요약|제목"
    r"|(?i:paper\s++summary|summary|title|paper|review))\s*+[:：\-–—]\s*+"
)
_QUOTES = {
    '"': '"',
    "“": "”",
    "„": "“",
    "'": "'",
    "‘": "’",
    "«": "»",
    "「": "」",
    "『": "』",
    "《": "》",
    "〈": "〉",
}
_GENERIC_TITLES = frozenset(
    {
        "요약",
        "논문 요약",
        "논문 요약본",
        "논문 리뷰",
        "개요",
        "소개",
        "summary",
        "paper summary",
        "abstract",
        "tl;dr",
        "tldr",
        "overview",
        "introduction",
        "review",
        "paper",
        "title",
        "untitled",
        "no title",
        "제목 없음",
    }
)
_NUMBERING_RE = re.compile(r"^(?:[0-9]{1,2}|[IVX]{1,4})[.)](?:\s+|$)")
# _is_only_ref, in three linear steps. As one pattern
# (^[\W_]*(?:arxiv\s*:?\s*)?[\w./:-]*[0-9]{4}[\w./:-]*[\W_]*$) its three overlapping runs
# backtrack in cubic time on a title of underscores.
_ONLY_REF_LEAD_RE = re.compile(r"[\W_]*+")
_ONLY_REF_ARXIV_RE = re.compile(r"(?i:arxiv)\s*+:?\s*+")
_ONLY_REF_BODY_RE = re.compile(r"[\w./:-]*+")
_ONLY_REF_TRAIL_RE = re.compile(r"[\W_]*+")
_FOUR_DIGITS_RE = re.compile(r"[0-9]{4}")


def _is_only_ref(title: str) -> bool:
    """True when ``title`` is only a reference and punctuation ("arXiv: 2505.12345").

    That is: non-word characters, optionally "arXiv:", one run of word characters and
    ``./:-`` holding four digits in a row, then non-word characters to the end.
    """
    start = _ONLY_REF_LEAD_RE.match(title).end()
    starts = [start]
    clause = _ONLY_REF_ARXIV_RE.match(title, start)
    if clause:
        starts.insert(0, clause.end())
    for pos in starts:
        end = _ONLY_REF_BODY_RE.match(title, pos).end()
        # The run's own trailing punctuation may as well belong to the tail: both allow it.
        if _ONLY_REF_TRAIL_RE.match(title, end).end() == len(title) and _FOUR_DIGITS_RE.search(
            title, pos, end
        ):
            return True
    return False


def strip_quotes(text: str) -> str:
    """Remove one balanced pair of quotes around the whole text."""
    if len(text) >= 2:
        close = _QUOTES.get(text[0])
        if close and text.endswith(close) and close not in text[1:-1]:
            return text[1:-1].strip()
    return text


def clean_title(text: str) -> str:
    """Turn heading/link/prose title text into a plain title (may return "")."""
    text = links_to_text(text.replace("\n", " "))
    text = unescape_md(text)
    text = strip_emphasis(text)
    for _ in range(2):
        text = _TITLE_PREFIX_RE.sub("", text, count=1)
        text = strip_emphasis(strip_quotes(text.strip()))
    text = _WS_RE.sub(" ", text).strip()
    if text.endswith((":", "：")):
        text = text[:-1].rstrip()
    return text


def usable_title(text: str | None) -> str | None:
    """Return the cleaned title if it is a plausible paper title, else None.

    Rejects generic words ("요약", "Summary"), bare ids/URLs, text without letters, overly
    long strings and generator failure messages: a title is never invented from those.
    """
    if not text:
        return None
    title = clean_title(text)
    if not 2 <= len(title) <= 400:
        return None
    if not any(ch.isalpha() for ch in title):
        return None
    if title.casefold() in _GENERIC_TITLES:
        return None
    if _is_only_ref(title) and ids_in(title):
        return None
    if URL_RE.fullmatch(title):
        return None
    if is_failure_message(title):
        return None
    return title


# A summary's own title line names the summary as well as the paper: "<title> 요약",
# "<title> 논문 요약", "<title> 기술 보고서 요약" (a leading "논문 요약:" is a prefix above).
# Bounded runs, searched in the title's tail only: linear however long the title is.
_SUMMARY_SUFFIX_RE = re.compile(
    r"[ \t]{0,8}[-–—:|·]?[ \t]{0,8}[(\[]?"
    r"(?:논문[ \t]{0,8}|기술[ \t]{0,8}보고서[ \t]{0,8})?요약[)\]]?$"
)
_SUMMARY_SUFFIX_TAIL = 80
# What may stand before "요약" without being a title ("핵심 요약", "이 논문 요약").
_GENERIC_SUMMARY_WORDS = frozenset(
    {
        "이",
        "본",
        "해당",
        "위",
        "다음",
        "논문",
        "논문의",
        "연구",
        "연구의",
        "기술",
        "보고서",
        "핵심",
        "주요",
        "내용",
        "전체",
        "간단",
        "간단한",
        "간략",
        "간략한",
        "한줄",
        "세줄",
        "3줄",
        "최종",
        "상세",
        "종합",
        "paper",
    }
)


def summary_title(text: str | None) -> str | None:
    """The title a summary's own title line states, without its "요약" suffix, or None.

    "<title> 요약" / "\"<title>\" 논문 요약" / "<title> 기술 보고서 요약" give the title. The
    suffix is only removed when what stands before it is plausibly a title: quoted, holding
    a Latin letter or digit, or of two words or more ("추상적 요약" may be the paper's own
    words and stays whole). A line that only names a summary ("핵심 요약") gives None.
    """
    if not text:
        return None
    title = clean_title(text)
    m = _SUMMARY_SUFFIX_RE.search(title, max(0, len(title) - _SUMMARY_SUFFIX_TAIL))
    if m is None:
        return usable_title(title)
    rest = title[: m.start()].rstrip(" \t-–—:|·")
    bare = strip_emphasis(strip_quotes(rest))
    words = bare.split()
    if not words or all(w.casefold() in _GENERIC_SUMMARY_WORDS for w in words):
        return None
    if bare != rest or len(words) >= 2 or any(ch.isascii() and ch.isalnum() for ch in bare):
        return usable_title(bare)
    return usable_title(title)


# A quoted title: 2 to 400 characters up to the first closing quote, and no opening quote
# inside (else every opening quote of "““““…" would scan the same 400 characters again).
# The run is possessive: it cannot hold the closing quote, so it has nothing to give back.
_Q_DOUBLE = (
    r"(?:\"(?P<q1>[^\"\n]{2,400}+)\"|“(?P<q2>[^“”\n]{2,400}+)”"
    r"|『(?P<q3>[^『』\n]{2,400}+)』|「(?P<q4>[^「」\n]{2,400}+)」)"
)
_Q_ANY = _Q_DOUBLE[:-1] + r"|'(?P<q5>[^'\n]{2,400}+)'|‘(?P<q6>[^‘’\n]{2,400}+)’)"
# Each pattern comes with words that must occur for it to match: a cheap pre-check, since
# patterns that start with a quote alternation cannot use a fast literal scan.
_PROSE_TITLE_RES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    # ... "<title>"라는 제목의 논문 / '<title>'이라는 제목
    (
        re.compile(
            _Q_ANY + r"\s*+(?:이?라는|이라고\s*+하는|라고\s*+하는|이란|란)\s*+(?:제목|타이틀)"
        ),
        ("제목", "타이틀"),
    ),
    (
        re.compile(
            _Q_DOUBLE + r"\s*+(?:이?라는|이라고\s*+하는|라고\s*+하는)\s*+(?:논문|연구|페이퍼)"
        ),
        ("라는", "라고"),
    ),
    # 해당 논문은 "<title>"으로 ... / 논문 제목: "<title>" / 제목은 '<title>'
    (
        re.compile(
            r"(?:논문|연구|페이퍼)\s*+(?:의\s*+)?(?:제목\s*+)?(?:은|는|:|：)?\s*+" + _Q_DOUBLE
        ),
        ("논문", "연구", "페이퍼"),
    ),
    (re.compile(r"제목\s*+(?:은|는|:|：|이)\s*+" + _Q_ANY), ("제목",)),
    # English: titled "<title>", the paper "<title>", title: "<title>"
    (
        re.compile(
            r"(?i:\b(?:titled|entitled|called|named|paper|article|preprint|title\s*+(?:is|was|:)))"
            r"\s*+,?\s*+:?\s*+" + _Q_DOUBLE
        ),
        ("titled", "entitled", "called", "named", "paper", "article", "preprint", "title"),
    ),
)


def _quoted(m: re.Match[str]) -> str | None:
    for name in ("q1", "q2", "q3", "q4", "q5", "q6"):
        try:
            value = m.group(name)
        except IndexError:
            continue
        if value is not None:
            return value
    return None


def title_from_prose(text: str) -> str | None:
    """A quoted title introduced by words such as 논문은 / 라는 제목 / titled, or None."""
    if not text or not any(q in text for q in "\"“『「'‘"):
        return None
    lowered = text.lower()
    for rx, words in _PROSE_TITLE_RES:
        if not any(w in lowered for w in words):
            continue
        for m in rx.finditer(text):
            title = usable_title(_quoted(m))
            if title:
                return title
    return None


# Failure messages ("죄송합니다만, … 확인할 수 없었습니다 …")

_FAIL_START_RE = re.compile(
    r"^[\W_]{0,5}(?:죄송|미안|유감|안타깝|사과드|"
    r"(?i:sorry|i['’]?m\s+sorry|i\s+am\s+sorry|unfortunately|i\s+apologi[sz]e|apologies|"
    r"i\s+(?:was|am)\s+(?:unable|not\s+able)|i\s+(?:could|can)(?:\s*not|n['’]t)|unable\s+to))"
)
_FAIL_WORDS_RE = re.compile(
    r"(?:확인|찾|접근|열|읽|제공|가져오|가져올|불러오|불러올|열람|검색|요약|분석)[을할]?\s*수\s*(?:가\s*)?없"
    r"|정보가\s*(?:없|부족)|불가능"
    r"|(?i:(?:unable|not\s+able)\s+to|could\s*n['’]?o?t|can\s*n['’]?o?t|can['’]t|"
    r"was\s+not\s+able|no\s+(?:information|access|details))"
)
_FAIL_NO_APOLOGY_RE = re.compile(
    r"(?:논문|링크|정보|내용|원문|페이지).{0,40}?"
    r"(?:확인|찾|접근|열|읽|가져오|가져올|불러오|불러올|열람)[을할]?\s*수\s*(?:가\s*)?없"
    r"|(?i:(?:unable|not\s+able|could\s*n['’]?o?t|can\s*n['’]?o?t|can['’]t)\s+(?:to\s+)?"
    r"(?:access|find|retrieve|read|open|locate|fetch|verify|view|load)\b)"
)


def is_failure_message(text: str) -> bool:
    """True when ``text`` opens like a generator's apology for not reading the paper."""
    head = text.lstrip()[:600]
    if not head:
        return False
    if _FAIL_START_RE.match(head) and _FAIL_WORDS_RE.search(head):
        return True
    # Short notes without an apology ("해당 논문의 정보를 찾을 수 없습니다.").
    return len(text) < 400 and _FAIL_NO_APOLOGY_RE.search(head) is not None


_SENTENCE_END_RE = re.compile(r"(?<=[.!?。])\s|\n")


def first_sentence(text: str, limit: int = 160) -> str:
    text = text.strip()
    m = _SENTENCE_END_RE.search(text)
    sentence = text[: m.start()] if m else text
    sentence = _WS_RE.sub(" ", sentence).strip()
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence
