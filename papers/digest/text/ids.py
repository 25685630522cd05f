"""arXiv ids: finding them in text and links, validating and normalizing them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# arXiv ids

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
