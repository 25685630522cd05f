"""Property-based tests: whatever the input, the parser does not fail and invents no id."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers.digest import parse_digest
from papers.digest.types import ParsedDigest

from .test_seeds import load

SEED_TEXTS = [load(prefix) for prefix in ("001", "002", "003", "004")]

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Fragments that steer random text towards digest-like structure.
TOKENS = [
    "\n",
    "\r\n",
    "\x00",
    "\ufeff",
    "# ",
    "## ",
    "### ",
    "#### ",
    "---\n",
    "```markdown\n",
    "```\n",
    "~~~\n",
    "**",
    "***",
    "- ",
    "1. ",
    '"',
    "“",
    "”",
    "'",
    "[",
    "](",
    ")",
    "![](",
    "2505.17612",
    "2505.1761",
    "v2",
    "hep-th/9901001",
    "math.GT/0309136",
    "arXiv:",
    "https://arxiv.org/abs/",
    "https://arxiv.org/pdf/",
    ".pdf",
    "https://huggingface.co/papers/",
    "🔗 ",
    "**Summary**:",
    "Vote: ",
    "Authors: ",
    'title: Daily Papers — 2025-09-10"',
    "## Daily Papers (2024-12-24)",
    "# 📰 Hugging Face Daily Papers – 2025-05-26",
    "해당 논문은 ",
    "라는 제목의 논문",
    "죄송합니다만, 논문을 확인할 수 없었습니다.",
    "I'm sorry, I could not access the paper.",
    "논문 요약: ",
    "2025-02-30",
]

random_text = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)),
    max_size=60,
).map("".join)


def check(source: str | bytes, d: ParsedDigest) -> None:
    """The invariants that hold for every input."""
    assert not any(e.startswith("internal parser error") for e in d.errors), d.errors
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    text = text.replace("\x00", "")
    for p in d.papers:
        # Never invent an id: it occurs literally in the input (NUL bytes aside).
        assert p.arxiv_id in text, p.arxiv_id
        assert "v" not in p.arxiv_id.split("/")[-1].split(".")[-1]
        if p.title is not None:
            assert p.title.strip() and "죄송" not in p.title and "sorry" not in p.title.lower()
        assert isinstance(p.summary_ok, bool) and isinstance(p.truncated, bool)
    assert len({p.arxiv_id for p in d.papers}) == len(d.papers)
    dumped = json.dumps(d.to_dict(), ensure_ascii=False)
    assert "\x00" not in dumped and "\\u0000" not in dumped


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEED_TEXTS)).split("\n")
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "inject", "shuffle"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "inject":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.one_of(st.text(max_size=8), st.sampled_from(TOKENS)))
            lines[i] += line[k:]
        else:
            j = draw(st.integers(i, min(len(lines), i + 30)))
            lines[i:j] = draw(st.permutations(lines[i:j]))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@SETTINGS
@given(mutated_seed())
def test_mutated_seeds(text: str) -> None:
    check(text, parse_digest(text))


@SETTINGS
@given(random_text)
def test_random_digest_like_text(text: str) -> None:
    check(text, parse_digest(text))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_arbitrary_unicode(text: str) -> None:
    check(text, parse_digest(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data, parse_digest(data))


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(SEED_TEXTS), st.integers(0, 10_000), st.text(min_size=1, max_size=5))
def test_seed_with_unicode_injected(text: str, where: int, junk: str) -> None:
    where = where % (len(text) + 1)
    mixed = text[:where] + junk + text[where:]
    check(mixed, parse_digest(mixed))
