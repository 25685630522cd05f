"""Low-level text helpers: input normalization, arXiv ids, links, titles, headings, dates.

Everything here is pure and total: functions return ``None``/empty values instead of
raising on odd input. Regexes are compiled once at import time; digit classes are spelled
``[0-9]`` because ``\\d`` also matches non-ASCII digits, which never form an arXiv id.

Every pattern here runs in time linear in its input, whatever the input (digests are
untrusted: an uploaded file or a third-party feed). The rules that keep it so:

* no two adjacent or nested quantifiers over characters they share may trade characters on
  failure: such runs are possessive (``*+``, ``++``) wherever giving characters back could
  never lead to a match (the next token cannot match the characters given back), or the
  check is plain string code (ATX headings, ``_is_only_ref``);
* a pattern used with ``search``/``finditer``/``sub`` must not rescan the same stretch from
  every start position: its variable parts stop at the character that starts it (quoted
  titles exclude the opening quote, image alt text stops at ``![``, link destinations stop
  at ``[``, links never start at an escaped ``\\[``, host labels start at a word boundary),
  and whitespace runs are collapsed before a split on ``\\s*,\\s*``;
* per-line patterns see at most :data:`MAX_LINE_CHARS` characters of a line
  (:func:`line_head`); the parser reports longer lines and any id past the cap.

``tests/hardening/test_parser_redos.py`` and the adversarial corpus of ``bench.py`` check it.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# --------------------------------------------------------------------------------------
# Input normalization
# --------------------------------------------------------------------------------------

# Per-line patterns (headings, fences, metadata lines, paper links) look at no more than
# this many characters of a line. Real structural lines are far shorter (the longest line
# of the seed digests has under 4,000 characters); the cap bounds what one line can cost,
# and the parser reports every longer line (see ``parser._long_line_note``). Lines are
# never cut in the bodies: summaries keep their text whole.
MAX_LINE_CHARS = 10_000


def line_head(line: str) -> str:
    """The part of ``line`` that per-line patterns examine (the line itself when short)."""
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS]


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to text; never raises. Returns the text and notes for organizers."""
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A UTF-16 BOM: some Windows editors save markdown like this.
        return data.decode("utf-16", errors="replace"), notes
    try:
        return data.decode("utf-8-sig"), notes
    except UnicodeDecodeError:
        notes.append("the file is not valid UTF-8; undecodable bytes were replaced with \ufffd")
        return data.decode("utf-8-sig", errors="replace"), notes


def normalize_text(raw: str | bytes) -> tuple[str, list[str]]:
    """Return LF-only text without NUL bytes, leading BOMs or lone surrogates, plus notes.

    NUL is removed everywhere because PostgreSQL rejects it in text columns; lone
    surrogates (possible in a ``str`` built with ``surrogateescape``) cannot be encoded as
    UTF-8, so they become U+FFFD.
    """
    notes: list[str] = []
    if isinstance(raw, bytes | bytearray | memoryview):
        text, notes = decode_bytes(bytes(raw))
    elif isinstance(raw, str):
        text = raw
    else:
        return "", [f"input is not text (got {type(raw).__name__})"]
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"the text contained {count} NUL byte(s); they were removed")
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    return text, notes


_BINARY_RE = re.compile(r"[\x01-\x08\x0e-\x1f\x7f\ufffd]")


def looks_binary(text: str) -> bool:
    """True when the text is mostly control characters or replacement marks (not a digest)."""
    sample = text[:4096]
    if not sample:
        return False
    return len(_BINARY_RE.findall(sample)) / len(sample) > 0.1


# --------------------------------------------------------------------------------------
# arXiv ids
# --------------------------------------------------------------------------------------

# Archives that issued old-style ids (archive/YYMMNNN) before April 2007. Listing them keeps
# "and/0101010"-like strings in prose from being read as ids.
_OLD_ARCHIVES = (
    "acc-phys|adap-org|alg-geom|ao-sci|astro-ph|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg|"
    "comp-gas|cond-mat|cs|dg-ga|funct-an|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|math|"
    "mtrl-th|nlin|nucl-ex|nucl-th|patt-sol|physics|plasm-ph|q-alg|q-bio|quant-ph|solv-int|"
    "supr-con"
)
_NEW_CORE = r"(?P<new>[0-9]{4}\.[0-9]{4,5})"
_OLD_CORE = rf"(?P<old>(?:{_OLD_ARCHIVES})(?:\.[A-Z]{{2}})?/[0-9]{{7}})"
_VERSION = r"(?:v(?P<ver>[0-9]{1,3}))?"

# A bare id anywhere (used to build the set of ids that literally occur in the input).
ID_RE = re.compile(
    rf"(?:(?<![0-9A-Za-z_])(?<![0-9]\.){_NEW_CORE}|(?<![0-9A-Za-z_.\-]){_OLD_CORE})"
    rf"{_VERSION}(?![0-9A-Za-z_])(?!\.[0-9])"
)

# An id introduced by a link or an explicit marker: arxiv.org/abs|pdf|html/..., Hugging Face
# paper pages, alphaxiv, the arXiv DOI prefix, or "arXiv:". Prefixes are case-insensitive;
# the id itself is not (old-style archives are lower case by definition).
# Host labels only start where a label cannot continue to the left: otherwise every letter
# of a long word would start a scan of up to 4 x 63 characters (a long word is scanned
# once, from its first letter). A label run is possessive: the dot after it cannot be
# given back.
_HOST_LABELS = r"(?:(?<![a-z0-9-])(?:[a-z0-9-]{1,63}+\.){1,4})?"
_REF_PREFIX = (
    rf"(?P<prefix>(?i:(?:https?://)?{_HOST_LABELS}(?:arxiv\.org|alphaxiv\.org)/"
    r"(?:abs|pdf|html|format|ps|src|overview)/"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|(?:https?://)?(?:dx\.)?doi\.org/10\.48550/arxiv\."
    r"|\barxiv\s*+:\s*+))"
)
REF_RE = re.compile(
    rf"{_REF_PREFIX}(?:{_NEW_CORE}|{_OLD_CORE}){_VERSION}(?:\.pdf)?(?![0-9A-Za-z_])(?!\.[0-9])"
)


def _valid_new(core: str) -> bool:
    yymm = int(core[:4])
    month = yymm % 100
    if not 1 <= month <= 12 or yymm < 704:  # new-style ids start in April 2007
        return False
    digits = len(core) - 5
    return digits == (4 if yymm < 1501 else 5)  # 5-digit numbers since January 2015


def _valid_old(core: str) -> bool:
    num = core.rsplit("/", 1)[1]
    year, month = int(num[:2]), int(num[2:4])
    return 1 <= month <= 12 and (year >= 91 or year <= 7)


def id_from_match(m: re.Match[str]) -> str | None:
    """The normalized id of an ``ID_RE``/``REF_RE`` match, or None if it is not a valid id."""
    new = m.group("new")
    if new is not None:
        return new if _valid_new(new) else None
    old = m.group("old")
    if old is not None and _valid_old(old):
        return old
    return None


def ids_in(text: str) -> set[str]:
    """Every valid id that occurs in ``text`` (bare or in links), without versions."""
    return set(ids_in_order(text))


def ids_in_order(text: str, pos: int = 0) -> Iterator[str]:
    """The valid ids of ``text[pos:]`` in order (repeats included); the lookbehinds still see
    the text before ``pos``, so no id is made up by cutting another one."""
    for m in ID_RE.finditer(text, pos):
        pid = id_from_match(m)
        if pid:
            yield pid


def normalize_arxiv_id(value: str) -> str | None:
    """Normalize an arXiv reference to a bare id without version, or None.

    Accepts ``2505.12345``, ``2505.12345v2``, ``arXiv:2505.12345``, ``hep-th/9901001v3``,
    arxiv.org abs/pdf/html links (with or without ``.pdf``), Hugging Face paper pages and
    the arXiv DOI. Never raises.
    """
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    m = REF_RE.search(value)
    if m:
        pid = id_from_match(m)
        if pid:
            return pid
    for m in ID_RE.finditer(value):
        pid = id_from_match(m)
        if pid:
            return pid
    return None


@dataclass(frozen=True, slots=True)
class Ref:
    """An arXiv id found in a link or marker, and what kind of link it was."""

    arxiv_id: str
    kind: str  # "hf", "arxiv" or "other"
    start: int
    end: int


def refs_in(text: str) -> Iterator[Ref]:
    """Ids introduced by links or ``arXiv:`` markers, in order."""
    for m in REF_RE.finditer(text):
        pid = id_from_match(m)
        if not pid:
            continue
        prefix = m.group("prefix").lower()
        kind = "hf" if "huggingface" in prefix else "arxiv" if "arxiv.org" in prefix else "other"
        yield Ref(pid, kind, m.start(), m.end())


def first_ref(text: str) -> Ref | None:
    return next(refs_in(text), None)


def hf_url(pid: str) -> str:
    return f"https://huggingface.co/papers/{pid}"


def arxiv_url(pid: str) -> str:
    return f"https://arxiv.org/abs/{pid}"


# Heading text that starts with an id: "2505.17612", "[2505.17612](url)", "arXiv:2505.17612v2",
# "https://arxiv.org/abs/2505.17612", optionally followed by a separator and a title.
_LEAD_ID_RE = re.compile(
    r"^[\s\[(`*_]*+(?:(?i:arxiv)\s*+[:.]?\s*+)?"
    r"(?:<?(?i:https?://)?(?i:(?:[a-z0-9-]{1,63}+\.){0,4}"
    r"(?:arxiv\.org|huggingface\.co|alphaxiv\.org))"
    r"/(?:[a-z]++/)?)?"
    rf"(?:{_NEW_CORE}|{_OLD_CORE}){_VERSION}(?![0-9A-Za-z_])(?!\.[0-9])"
)
# The rest of a link wrapper after a leading id: "](https://...)", closing brackets, emphasis.
_LINK_TAIL_RE = re.compile(r"^(?:\.pdf)?[`*_]*+\]?(?:\([^)]*+\))?[)\]`*_]*+")


def leading_id(text: str) -> tuple[str, str] | None:
    """If ``text`` (a heading) starts with an arXiv id, return (id, remainder after it)."""
    m = _LEAD_ID_RE.match(text)
    if not m:
        return None
    pid = id_from_match(m)
    if not pid:
        return None
    rest = text[m.end() :]
    if not rest:  # a bare id, the usual paper heading
        return pid, ""
    rest = rest[_LINK_TAIL_RE.match(rest).end() :]  # the pattern can match ""
    rest = rest.strip().lstrip(":：-–—|·").strip()
    return pid, rest


# --------------------------------------------------------------------------------------
# Links, URLs, emphasis
# --------------------------------------------------------------------------------------

# "](url)" or "](<url> "title")". The destination stops at "[" so that in "[a]([a]([a](…"
# each start scans only up to the next one.
_LINK_DEST = r"\(\s*+<?(?P<url>[^\s)>\[]++)>?(?:\s++\"[^\"\n]*+\")?\s*+\)"
# A link never starts at an escaped "\[" (not a link in markdown either); otherwise each of
# the "\[" in "[\[\[\[…" would rescan the rest of the line. The text's alternatives start with
# different characters, so the possessive repeat gives up nothing a match could use.
LINK_RE = re.compile(r"(?<!\\)\[(?P<text>(?:[^\[\]\\\n]++|\\.|\[[^\[\]\n]*+\])*+)\]" + _LINK_DEST)
# Alt text holds no "![": each "![" of "![![![…" is then a start that scans only to the next.
IMAGE_RE = re.compile(r"!\[[^\]\n!]*+(?:!(?!\[)[^\]\n!]*+)*+\]" + _LINK_DEST)
URL_RE = re.compile(r"(?i:https?://)[^\s<>()\[\]\"'`]++")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'])")
_WS_RE = re.compile(r"\s+")


def unescape_md(text: str) -> str:
    if "\\" in text:
        text = _MD_ESCAPE_RE.sub(r"\1", text)
    if "&" in text and ";" in text:
        text = html.unescape(text)
    return text


def strip_emphasis(text: str) -> str:
    """Remove emphasis/code markers wrapping the whole text (``**x**``, ``*x*``, ``_x_``)."""
    text = text.strip()
    if text[:1] not in ("*", "_", "`"):  # fast path: most text has no wrapping markers
        return text
    for _ in range(4):
        for mark in ("***", "**", "__", "*", "_", "`"):
            n = len(mark)
            if len(text) > 2 * n and text.startswith(mark) and text.endswith(mark):
                text = text[n:-n].strip()
                break
        else:
            break
    return text


def links_to_text(text: str) -> str:
    """Replace markdown links by their text (images are dropped)."""
    if "](" not in text:
        return text
    text = IMAGE_RE.sub("", text)
    return LINK_RE.sub(lambda m: m.group("text"), text)


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Failure messages ("죄송합니다만, … 확인할 수 없었습니다 …")
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Headings and lines
# --------------------------------------------------------------------------------------

BOLD_HEAD_RE = re.compile(
    r"^ ?(?:[0-9]{1,2}[.)][ \t]*+)?(\*{2,3}|_{2,3})(?=[^*_\s])(?P<label>[^\n]{1,150}?)\1"
    r"[ \t]*+[:：]?[ \t]*+$"
)
BULLET_LABEL_RE = re.compile(
    r"^[-*+][ \t]++(\*{2,3}|_{2,3})(?=[^*_\s])(?P<label>[^*_\n]{1,80}?)[:：]?\1"
    r"[ \t]*+[:：]?[ \t]*+(?P<rest>.*)$"
)
# The fence run is the whole run of ` or ~ (as CommonMark reads it); possessive, since a
# shorter run leaves a ` or ~ that the info string and the rest cannot take either (the
# backtracking version is cubic on "~~~…~`").
FENCE_RE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)[ \t]*+([^`\s]*+)[^`]*+$")
HR_RE = re.compile(r"^ {0,3}+(?:(?:-[ \t]*+){3,}+|(?:\*[ \t]*+){3,}+|(?:_[ \t]*+){3,}+)$")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, else None.

    Plain string code (as CommonMark describes it): up to three spaces, one to six ``#``,
    then a space, a tab or the end of the line; the text is stripped and loses a closing
    run of ``#`` that stands alone. The regex this replaces was quadratic on long runs of
    spaces inside the text.
    """
    body = line.lstrip(" ")
    if body[:1] != "#" or len(line) - len(body) > 3:
        return None
    rest = body.lstrip("#")
    level = len(body) - len(rest)
    if level > 6 or (rest and rest[0] not in " \t"):
        return None
    text = rest.strip(" \t")
    if text.endswith("#"):
        unclosed = text.rstrip("#")
        if not unclosed:
            text = ""
        elif unclosed[-1] in " \t":
            text = unclosed.rstrip(" \t")
    return level, text.strip()


def bold_heading(line: str) -> str | None:
    """The label of a line that is only bold text (``**1. Foo**``, ``1. **Foo**:``)."""
    if "**" not in line and "__" not in line:
        return None
    m = BOLD_HEAD_RE.match(line)
    if not m:
        return None
    label = m.group("label").strip()
    if not label or (label.endswith((".", "。")) and not _NUMBERING_RE.match(label)):
        return None
    return label


_NUMBER_FIRST = frozenset("0123456789IVX")


def clean_heading(text: str) -> str:
    """Heading text for display: no emphasis, numbering, links or trailing colon."""
    text = unescape_md(links_to_text(text))
    text = strip_emphasis(text)
    if text[:1] in _NUMBER_FIRST:
        text = strip_emphasis(_NUMBERING_RE.sub("", text, count=1))
    text = _WS_RE.sub(" ", text).strip()
    if text.endswith((":", "：")):
        text = text[:-1].rstrip()
    return text


def is_numbered_heading(text: str) -> bool:
    return _NUMBERING_RE.match(strip_emphasis(text)) is not None


def trim_blank(lines: list[str]) -> list[str]:
    """Drop blank lines and horizontal rules (paper separators) at both ends."""
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or HR_RE.match(line_head(lines[start]))):
        start += 1
    while end > start and (not lines[end - 1].strip() or HR_RE.match(line_head(lines[end - 1]))):
        end -= 1
    return lines[start:end]


# A line with text that does not start with a space: then join_body has no indentation to
# remove (lines of whitespace only do not count, as there).
_UNINDENTED_LINE_RE = re.compile(r"^(?! )[^\S\n]*+\S", re.MULTILINE)


def join_body(lines: list[str]) -> str:
    """Join body lines: trimmed, common indentation removed, trailing spaces kept (md breaks)."""
    lines = trim_blank(lines)
    if not lines:
        return ""
    text = "\n".join(lines)
    if _UNINDENTED_LINE_RE.search(text):  # the usual case, found at C speed: no indent
        return text.strip("\n")
    indent = min(
        (len(line) - len(line.lstrip(" ")) for line in lines if line.strip()),
        default=0,
    )
    if indent:
        lines = [line[indent:] if line[:indent].isspace() else line.lstrip(" ") for line in lines]
    return "\n".join(lines).strip("\n")


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RES = (
    (
        "ymd",
        re.compile(
            r"(?<![0-9.])(?P<y>(?:19|20)[0-9]{2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)"
            r"(?P<d>[0-9]{1,2})(?![0-9])"
        ),
    ),
    (
        "ymd",
        re.compile(
            r"(?P<y>(?:19|20)[0-9]{2})\s*년\s*(?P<m>[0-9]{1,2})\s*월\s*(?P<d>[0-9]{1,2})\s*일"
        ),
    ),
    (
        "mdy",
        re.compile(
            rf"(?i:\b(?P<mn>{_MONTH_NAMES})\.?)\s+(?P<d>[0-9]{{1,2}})(?i:st|nd|rd|th)?,?\s+"
            r"(?P<y>(?:19|20)[0-9]{2})(?![0-9])"
        ),
    ),
    (
        "dmy",
        re.compile(
            rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?i:st|nd|rd|th)?\s+(?i:(?P<mn>{_MONTH_NAMES})\b\.?),?"
            r"\s+(?P<y>(?:19|20)[0-9]{2})(?![0-9])"
        ),
    ),
)


def find_date(text: str) -> tuple[datetime.date | None, str | None]:
    """The first date in ``text``: (date, None), (None, error for an impossible date) or
    (None, None) when there is no date-like string at all."""
    best: tuple[int, re.Match[str]] | None = None
    for _kind, rx in _DATE_RES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m)
    if best is None:
        return None, None
    m = best[1]
    year, day = int(m.group("y")), int(m.group("d"))
    groups = m.groupdict()
    month = _MONTHS[groups["mn"].lower()] if groups.get("mn") else int(m.group("m"))
    try:
        return datetime.date(year, month, day), None
    except ValueError:
        return None, f"the digest date {m.group(0)!r} is not a valid calendar date"


def first_date(chunks: Iterable[str]) -> tuple[datetime.date | None, str | None]:
    """The first valid date found in ``chunks`` (in order), remembering the first error."""
    error: str | None = None
    for chunk in chunks:
        date, err = find_date(chunk)
        if date:
            return date, None
        error = error or err
    return None, error


# --------------------------------------------------------------------------------------
# Metadata lines of a paper entry
# --------------------------------------------------------------------------------------

SUMMARY_MARKER_RE = re.compile(
    r"^[ \t]*+[*_]{0,3}+(?:(?i:summary|ai\s++summary|tl;?dr|abstract)|논문\s*+요약|요약)"
    r"[*_]{0,3}+[ \t]*+(?:[:：][*_]{0,3}+[ \t]*+(?P<rest>.*))?$"
)
VOTE_RE = re.compile(
    r"^[ \t]*+[*_]{0,2}+(?:(?i:votes?|upvotes?|likes?)|추천|👍)[*_]{0,2}+[ \t]*+[:：]?[ \t]*+"
    r"[*_]{0,2}+(?P<n>[0-9][0-9,]{0,9})(?![0-9])"
)
AUTHORS_RE = re.compile(
    r"^[ \t]*+[*_]{0,2}+(?:(?i:authors?)|저자)[*_]{0,2}+[ \t]*+[:：][*_]{0,2}[ \t]*(?P<names>.+)$"
)
# "\s*[,;]\s*|\s+(?:and|&)\s+", except that a match never starts inside a run of
# whitespace (each position of a long run would scan to its end): it starts where the run
# does, or at the separator itself when the run ended a previous match.
_AUTHOR_SPLIT_RE = re.compile(r"(?<!\s)\s*+[,;]\s*+|(?<=\s)[,;]\s*+|(?<!\s)\s++(?:and|&)\s++")


def split_authors(names: str) -> tuple[str, ...]:
    names = unescape_md(links_to_text(names)).strip().rstrip(".")
    result: list[str] = []
    seen: set[str] = set()
    for part in _AUTHOR_SPLIT_RE.split(names):
        name = strip_emphasis(part.strip())
        if not name or name.casefold() in ("et al", "et al.", "others") or name in seen:
            continue
        seen.add(name)
        result.append(name)
    return tuple(result)


def parse_votes(value: str) -> int | None:
    digits = value.replace(",", "")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None
