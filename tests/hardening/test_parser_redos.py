"""Finding 5: no digest makes the parser run super-linearly (ReDoS), and a parse that costs too
much stops and says so instead of holding a worker or a web request.

How linearity is asserted without timing anything in this process: each input is parsed in a
child process (``papers.digest`` only, no Django) under a generous deadline. The inputs are
long enough that a super-linear parser cannot meet it: at 250 KB a quadratic pattern costs
about 6 x 10^10 steps (minutes; 40 KB took 3-11 s before the fix) and a cubic one never ends
(3 KB took 15.8 s), while the linear parser needs about a tenth of a second. The deadline, 20
seconds, is two orders of magnitude from both, so neither a loaded machine nor a fast one
changes the verdict. The child parses with no time budget (``budget_seconds=None``): the
patterns must be linear by themselves, not saved by the backstop.

The corpus is the one of the parser benchmark (``bench.parser.adversarial_corpus``:
each pattern's worst input, 5 MB single lines, many short lines, deep nesting, many tiny
entries, NUL and control bytes), plus the inputs reported in the finding.

The budget and the work limits (``papers/digest/budget.py``) are tested in this process with
a clock that advances one second per reading, so they are exact.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.parser import adversarial_corpus
from papers.digest import parse_digest
from papers.digest import text as t
from papers.digest.budget import MAX_ENTRIES, MAX_HEADINGS, MAX_SECTIONS, STOP_NOTE_PREFIX
from papers.digest.text import metadata, titles

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
CASE_SIZE = 250_000  # characters per corpus case (the 5 MB single lines keep their size)
DEADLINE = 20.0  # seconds per parse in the child

# The child: builds the corpus once, then parses one case per request line (a case name, or
# a text of the finding) and answers with one JSON line. Parsing runs without a budget.
CHILD = r"""
import json, sys, time
from papers.digest import parse_digest
from bench.parser import adversarial_corpus

corpus = adversarial_corpus(int(sys.argv[1]))
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    text = corpus[request["name"]] if "name" in request else request["text"]
    start = time.thread_time()
    parsed = parse_digest(text, budget_seconds=None)
    print(json.dumps({
        "cpu_seconds": time.thread_time() - start,
        "papers": [p.arxiv_id for p in parsed.papers[:3]],
        "errors": list(parsed.errors[:3]),
    }), flush=True)
"""


class ParserChild:
    """A child process that parses on request; a parse that misses its deadline kills it (the
    next request starts a new one)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = b""

    def _start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(self.size)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.buffer = b""
        assert self._read_line(120.0) == {"ready": True}  # building the corpus: ~1 s
        return self.proc

    def _read_line(self, timeout: float) -> dict | None:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return None  # the child died
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def parse(self, request: dict[str, str], timeout: float = DEADLINE) -> dict | None:
        """The child's answer, or None when the parse did not finish within ``timeout``."""
        proc = self.proc if self.proc and self.proc.poll() is None else self._start()
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.flush()
        answer = self._read_line(timeout)
        if answer is None:
            self.close()
        return answer

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture(scope="module")
def child() -> Iterator[ParserChild]:
    parser_child = ParserChild(CASE_SIZE)
    yield parser_child
    parser_child.close()


def _assert_linear(answer: dict | None, what: str) -> None:
    assert answer is not None, f"parsing {what} did not finish within {DEADLINE:g} s"
    assert not any(e.startswith("internal parser error") for e in answer["errors"]), answer
    assert not any(e.startswith(STOP_NOTE_PREFIX) and "budget" in e for e in answer["errors"])


@pytest.mark.parametrize("name", list(adversarial_corpus(1)))
def test_adversarial_input_parses_in_linear_time(child: ParserChild, name: str) -> None:
    _assert_linear(child.parse({"name": name}), repr(name))


# The inputs of the finding. Those reported as quadratic took 3-11 s at 40 KB before the fix,
# under the deadline: they are five times longer here (25 times the steps, minutes).
FINDING_INPUTS = {
    "3 KB of '~' then a backtick (15.8 s before)": "~" * 3_000 + "`",
    "200 KB ATX heading with a run of spaces (ATX_RE)": "# a" + " " * 200_000 + "b",
    "200 KB fence line (FENCE_RE)": "```" + " " * 200_000 + "x`",
    "200 KB vote line (VOTE_RE)": "## 2505.12345\nVote" + " " * 200_000 + "x",
    "200 KB heading 'arxiv' + spaces (leading id)": "## arxiv" + " " * 200_000 + "x",
    "4.5 KB upload of tilde fences (2.5 KB held a web request 9 s)": "## 2505.12345\n"
    + ("~" * 1_500 + "`\n") * 3,
    "5 MB single line (did not finish in 60 s)": "# a" + " " * 5_000_000 + "b",
}


@pytest.mark.parametrize("name", list(FINDING_INPUTS))
def test_finding_input_parses_in_linear_time(child: ParserChild, name: str) -> None:
    _assert_linear(child.parse({"text": FINDING_INPUTS[name]}), repr(name))


# --- every pattern of the package, on its own --------------------------------------------------

PATTERN_CHILD = r"""
import importlib, pkgutil, re, sys
import papers.digest
strings = []
for unit in sys.argv[2:]:
    body = unit * (int(sys.argv[1]) // len(unit))
    strings += [body, "## " + body, "~~~" + body + "`", "- **" + body, "arxiv" + body + "!"]
count = 0
names = [m.name for m in pkgutil.walk_packages(papers.digest.__path__, "papers.digest.")]
for name in names:
    if name.endswith("__main__"):
        continue
    module = importlib.import_module(name)
    found = [v for v in vars(module).values() if isinstance(v, re.Pattern)]
    for value in vars(module).values():
        if isinstance(value, tuple):
            for item in value:
                items = item if isinstance(item, tuple) else (item,)
                found += [x for x in items if isinstance(x, re.Pattern)]
    for pattern in found:
        for s in strings:
            for _ in pattern.finditer(s):
                pass
            pattern.match(s)
        count += 1
print(count)
"""
# Characters the patterns are made of, alone and in the pairs that made the old ones blow up.
PATTERN_UNITS = [
    *" \t#`~*_-|[]()!:：.,0aV\"'<>/\\“『「‘",
    *["**", "__", "[a", "`~", " #", "a.", "0.", "](", "![", "\\[", "- ", "1.", "a ", "*_"],
    *["[a](", "arxiv", "2505.", '논문 "a', "“a", "Vote ", "www.", "a-", "\t#"],
]


def test_every_pattern_of_the_parser_is_linear_in_search_mode() -> None:
    """Each compiled pattern of papers/digest, used with finditer (every start position, the
    harshest use), on 16 KB strings of the characters patterns are made of; a pattern added
    later is covered too. About 6 s in all (20 s on a busy machine); a cubic pattern never
    ends, a grossly quadratic one takes minutes (the corpus tests above, at 250 KB, are the
    finer check of the quadratic cases)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PATTERN_CHILD, "16000", *PATTERN_UNITS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a pattern of papers/digest is super-linear: the scan did not end in 120 s")
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 40  # the scan saw the package's patterns


# --- the rewritten checks read as the patterns they replace ----------------------------------

OLD_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
OLD_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
OLD_ONLY_REF = re.compile(r"^[\W_]*(?:(?i:arxiv)\s*:?\s*)?[\w./:-]*[0-9]{4}[\w./:-]*[\W_]*$")
OLD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$")
OLD_AUTHOR_SPLIT = re.compile(r"\s*[,;]\s*|\s+(?:and|&)\s+")


def _old_atx(line: str) -> tuple[int, str] | None:
    m = OLD_ATX.match(line)
    if not line.lstrip(" ").startswith("#") or not m:
        return None
    text = m.group(2) or ""
    if text.endswith("#"):
        text = OLD_ATX_CLOSE.sub("", text)
    return len(m.group(1)), text.strip()


def _short_strings(alphabet: list[str], count: int, seed: int) -> Iterator[str]:
    """Short strings (fast for the old patterns too) over ``alphabet``, reproducibly."""
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def test_atx_heading_reads_headings_as_the_old_pattern_did() -> None:
    alphabet = [" ", "\t", "#", "a", "b", "\u00a0", "\x0c", "*"]
    for line in _short_strings(alphabet, 30_000, seed=1):
        assert t.atx_heading(line) == _old_atx(line), repr(line)


def test_reference_only_titles_are_told_as_the_old_pattern_did() -> None:
    alphabet = ["_", ".", "/", ":", "-", " ", "a", "0", "2505", "arXiv", "[", "]", "é", "!"]
    for title in _short_strings(alphabet, 30_000, seed=2):
        assert titles._is_only_ref(title) == bool(OLD_ONLY_REF.match(title)), repr(title)


def test_fences_and_author_lists_read_as_the_old_patterns_did() -> None:
    fence_alphabet = ["`", "~", " ", "\t", "a", "markdown", "`x"]
    for line in _short_strings(fence_alphabet, 30_000, seed=3):
        old, new = OLD_FENCE.match(line), t.FENCE_RE.match(line)
        assert (old and old.groups()) == (new and new.groups()), repr(line)
    author_alphabet = [" ", "\t", ",", ";", "and", "&", "a", "andy", "\u3000"]
    for names in _short_strings(author_alphabet, 30_000, seed=4):
        assert OLD_AUTHOR_SPLIT.split(names) == metadata._AUTHOR_SPLIT_RE.split(names), repr(names)


# --- the parse budget and the work limits ----------------------------------------------------


def _ticking_clock() -> itertools.count[int]:
    """A clock that reads 0, 1, 2, …: one second per reading."""
    return itertools.count()


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_the_parse_budget_stops_parsing_and_reports_where() -> None:
    text = _seed("001")  # 15 papers on 793 lines
    full = parse_digest(text)
    ticks = _ticking_clock()
    # Readings: 0 when the budget starts, 1-4 at lines 0, 256, 512 and 768 of the scan, then
    # one before the first paper entry and one per 256 lines of entries: the 6th reading, a
    # few papers in, is the deadline.
    parsed = parse_digest(text, budget_seconds=6, clock=lambda: next(ticks))
    kept = len(parsed.papers)
    assert 0 < kept < len(full.papers)
    assert parsed.papers == full.papers[:kept]
    paper_lines = [i for i, line in enumerate(text.split("\n")) if re.match(r"## [0-9]{4}\.", line)]
    assert parsed.errors[0] == (
        f"{STOP_NOTE_PREFIX} at line {paper_lines[kept] + 1} of 794 (the parse budget of 6 s "
        "ran out); papers after that line were not read"
    )


def test_a_budget_spent_while_scanning_stops_the_scan() -> None:
    ticks = _ticking_clock()
    parsed = parse_digest(_seed("001"), budget_seconds=2, clock=lambda: next(ticks))
    assert parsed.papers == ()
    # The scan stopped at line 257; no paper entry was parsed, the first one is on line 3.
    assert parsed.errors[0].startswith(f"{STOP_NOTE_PREFIX} at line 3 of 794 (the parse budget")


def test_a_spent_budget_returns_problems_and_never_raises() -> None:
    for raw in (_seed("003"), _seed("004").encode("utf-8"), "~" * 50_000 + "`"):
        parsed = parse_digest(raw, budget_seconds=0)
        assert parsed.papers == ()
        assert parsed.errors[0].startswith(f"{STOP_NOTE_PREFIX} at line ")
        assert "the parse budget of 0 s ran out" in parsed.errors[0]


def test_a_digest_of_too_many_entries_is_cut_and_the_rest_named() -> None:
    ids = [f"25{m:02d}.{n:05d}" for m in range(1, 3) for n in range(1, MAX_ENTRIES // 2 + 4)]
    text = "".join(f"## {pid}\n🔗 https://huggingface.co/papers/{pid}\n" for pid in ids)
    parsed = parse_digest(text)
    assert [p.arxiv_id for p in parsed.papers] == ids[:MAX_ENTRIES]
    stopped = parsed.errors[0]
    assert stopped.startswith(f"{STOP_NOTE_PREFIX} at line {2 * MAX_ENTRIES + 1:,} of ")
    assert f"{len(ids):,} paper entries, more than the {MAX_ENTRIES:,}" in stopped
    assert "not read: " + ", ".join(ids[MAX_ENTRIES : MAX_ENTRIES + 5]) + " and 1 more" in stopped


def test_a_digest_of_too_many_headings_stops_at_the_limit() -> None:
    text = "# x\n" * MAX_HEADINGS + "## 2505.12345\n🔗 https://huggingface.co/papers/2505.12345\n"
    parsed = parse_digest(text)
    assert parsed.papers == ()
    assert parsed.errors[0].startswith(
        f"{STOP_NOTE_PREFIX} at line {MAX_HEADINGS + 1:,} of {MAX_HEADINGS + 3:,} "
        f"({MAX_HEADINGS:,} headings read"
    )


def test_a_summary_of_too_many_headings_keeps_the_rest_in_its_last_section() -> None:
    body = "".join(f"### Part {n}\n\nText {n}.\n\n" for n in range(1, MAX_SECTIONS + 51))
    text = "## 2505.12345\n🔗 https://huggingface.co/papers/2505.12345\n**Summary**:\n" + body
    (paper,) = parse_digest(text).papers
    assert len(paper.sections) == MAX_SECTIONS
    last = paper.sections[-1]
    assert last.heading == f"Part {MAX_SECTIONS}"
    assert f"### Part {MAX_SECTIONS + 50}\n\nText {MAX_SECTIONS + 50}." in last.body
    assert f"the summary has more than {MAX_SECTIONS} headings; the last 50" in paper.problems[0]


# --- the line cap: long lines are read up to the cap, and what lies beyond is reported ---------


def test_a_long_paper_heading_is_read_and_reported() -> None:
    cap = t.MAX_LINE_CHARS
    text = "## 2505.12345 " + "word " * cap + "\n🔗 https://huggingface.co/papers/2505.12345\n"
    parsed = parse_digest(text)
    assert [p.arxiv_id for p in parsed.papers] == ["2505.12345"]
    assert any(
        e.startswith(f"line 1 is longer than {cap:,} characters; only the first {cap:,}")
        for e in parsed.errors
    )


def test_ids_past_the_line_cap_are_named_not_lost() -> None:
    cap = t.MAX_LINE_CHARS
    far = "x" * cap + " see https://arxiv.org/abs/2505.54321 and 2506.00001"
    text = (
        "# 📰 Hugging Face Daily Papers – 2025-05-26\n## 2505.12345\n"
        f"🔗 https://huggingface.co/papers/2505.12345\n**Summary**:\n{far}\n"
    )
    parsed = parse_digest(text)
    assert [p.arxiv_id for p in parsed.papers] == ["2505.12345"]
    (note,) = [e for e in parsed.errors if e.startswith("line 5 is longer")]
    assert note.endswith(
        "arXiv ids further on in them were not read as papers: 2505.54321, 2506.00001"
    )
    # The long line itself is kept whole in the summary.
    assert parsed.papers[0].sections[0].body == far


def test_a_long_generic_link_line_keeps_its_whole_text() -> None:
    tail = "word " * (t.MAX_LINE_CHARS // 2)
    text = f"- [A Title](https://arxiv.org/abs/2505.12345) {tail}\n"
    (paper,) = parse_digest(text).papers
    assert paper.title == "A Title"
    assert paper.sections[0].body == tail.strip()
