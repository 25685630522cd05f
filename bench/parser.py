"""Parsing speed benchmark: ``python -m bench.parser``.

Parses the seed digests (``tests/fixtures/seeds/*.txt`` that hold papers), replicated to a
few thousand papers, and reports papers per second on one core. Without the seeds (an
installed copy) it uses synthetic digests of the three known formats instead.
:func:`run_parse_benchmark` returns the figures as a dict for the project's benchmark.

Then it parses the adversarial corpus (:func:`adversarial_corpus`: inputs built to hit the
worst case of every pattern and loop of the parser, about 1 MB each, one of 5 MB on a
single line) and reports the slowest of them in MB/s (:func:`run_adversarial_benchmark`);
the target is at least 1 MB/s on every input. ``--adversarial-only`` skips the first part,
``--size BYTES`` changes the size of the cases.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from papers.digest.budget import MAX_ENTRIES, MAX_HEADINGS, STOP_NOTE_PREFIX
from papers.digest.parser import parse_digest

_SEED_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"


def _synthetic_digests() -> list[str]:
    a = ["# 📰 Hugging Face Daily Papers – 2025-05-26", ""]
    b = ["---", "layout: post", 'title: Daily Papers — 2025-09-10"', "---", ""]
    c = ["## Daily Papers (2024-12-24)", ""]
    body = "본문 문장입니다. " * 20
    for i in range(20):
        pid = f"2505.{17000 + i:05d}"
        a += [f"## {pid}", f"🔗 https://huggingface.co/papers/{pid}", "", "**Summary**:"]
        a += ["```markdown", f"# Paper {i}: A Study", ""]
        for n in range(1, 8):
            a += [f"## {n}. 섹션 {n}", "", f"- **항목**: {body}", ""]
        a += ["```", "", "---", ""]
        b += [f"# {i + 1}. [Paper {i}: A Study](https://arxiv.org/abs/{pid})", ""]
        for head in ("Introduction", "Method", "Results", "Limitations", "Conclusion"):
            b += [f"## {head}", "", body, ""]
        c += [f"### [Paper {i}: A Study](https://arxiv.org/abs/{pid})", ""]
        c += [f"![](https://example.org/{pid}.png)", "", "Vote: 7", "", "Authors: A, B, C", ""]
        c += [f"- ***What's New***: {body}", f"- ***Technical Details***: {body}", ""]
    return ["\n".join(a), "\n".join(b), "\n".join(c)]


def load_corpus(seed_dir: Path | None = None) -> list[str]:
    """The digests to parse: seed files that yield papers, else synthetic ones."""
    directory = seed_dir or _SEED_DIR
    texts: list[str] = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.txt")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if parse_digest(text).papers:  # skip non-digest seeds (the week page)
                texts.append(text)
    return texts or _synthetic_digests()


def run_parse_benchmark(min_papers: int = 3000, seed_dir: Path | None = None) -> dict[str, float]:
    """Parse the corpus repeatedly until at least ``min_papers`` papers; report the speed."""
    corpus = load_corpus(seed_dir)
    for text in corpus:  # warm-up (regex caches, imports)
        parse_digest(text)
    papers = digests = 0
    total_bytes = 0
    start = time.perf_counter()
    while papers < min_papers:
        for text in corpus:
            papers += len(parse_digest(text).papers)
            digests += 1
            total_bytes += len(text.encode("utf-8"))
    elapsed = time.perf_counter() - start
    return {
        "parse_papers_per_s": round(papers / elapsed, 1),
        "parse_digests_per_s": round(digests / elapsed, 1),
        "parse_mb_per_s": round(total_bytes / elapsed / 1e6, 2),
        "papers": float(papers),
        "seconds": round(elapsed, 3),
    }


# --- the adversarial corpus -------------------------------------------------------------------

ADVERSARIAL_TARGET_MB_PER_S = 1.0
_BIG_LINE_BYTES = 5_000_000


def _fill(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` characters."""
    return unit * max(1, size // max(1, len(unit)))


def _entries(make: Callable[[int], str], size: int) -> str:
    """Paper entries ``make(i)`` (i = 0, 1, …) joined up to about ``size`` characters."""
    out: list[str] = []
    total = 0
    i = 0
    while total < size:
        chunk = make(i)
        out.append(chunk)
        total += len(chunk)
        i += 1
    return "".join(out)


def _pid(i: int) -> str:
    """A valid, distinct new-style id for every ``i`` below 12 x 99,999."""
    return f"25{i // 99_999 % 12 + 1:02d}.{i % 99_999 + 1:05d}"


_MIX_TOKENS = (
    "~~~", "```", "`", "#", "## ", "|", "[", "](", "![", "\\[", "**", "__", "_", "*", " ", "\t",
    "“", "”", '"', "'", "arxiv", "arXiv:", "https://", "arxiv.org/abs/", "a.", "2505.",
    "12345", "Vote", "Authors:", "Summary", "요약", "논문", "제목은 ", "titled ", "- ", "1. ",
    "> ", ":", "<", ">", "\x00", "—",
)  # fmt: skip


def _mix(size: int, seed: int, newline_every: int | None) -> str:
    """Random pattern-relevant tokens (seeded, so the corpus is the same on every run)."""
    rng = random.Random(seed)
    tokens = rng.choices(_MIX_TOKENS, k=size // 3)
    if newline_every:
        for k in range(newline_every, len(tokens), newline_every):
            tokens[k] = "\n"
    return "".join(tokens)[:size]


def adversarial_corpus(size: int = 1_000_000) -> dict[str, str]:
    """Inputs of about ``size`` characters built to hit each worst case of the parser.

    One case per pattern's worst input (the strings that made the old patterns quadratic or
    cubic: ``"~" * N + "`"``, long runs of spaces inside headings, ``"\\[" * N``, …), long
    single lines, many short lines, deep nesting, many tiny paper entries, NUL and control
    bytes, 5 MB single lines, and digests right at the work limits of ``budget.py`` (the
    worst rate: nothing stops early there). The case names say what each aims at.
    """
    n = size
    head = "## 2505.12345\n"  # an hf-summary-like paper heading, so entry parsing runs too
    cases: dict[str, str] = {
        # fences (FENCE_RE was cubic on "~~~…~`")
        "fence: '~' * N + '`'": "~" * n + "`",
        "fence: '`' * N": "`" * n,
        "fence: '```' + info * N + '`'": "```" + "a" * n + "`",
        "fence: '~~~ ' + ' ' * N + '`'": "~~~ " + " " * n + "`",
        "fence: many '~~~~`' lines": _fill("~~~~`\n", n),
        "fence: many open/close lines": _fill("```markdown\n~~~\n````\n", n),
        # ATX headings (ATX_RE was quadratic on space runs inside the text)
        "heading: '#' * N": "#" * n,
        "heading: '# a' + ' ' * N + 'b#'": "# a" + " " * n + "b#",  # and the closing '#'
        "heading: '# a' + ' #' * N": "# a" + _fill(" #", n) + "x",
        "heading: '## ' + '\\t#' * N": "## " + _fill("\t#", n) + "x",
        "heading: many '#' lines": _fill("#\n", n),
        # Right at the work limits, where parsing does not stop early: the worst rate.
        "heading: '#' lines up to the heading limit": "#\n" * MAX_HEADINGS,
        "heading: '## arxiv' + ' ' * N": "## arxiv" + " " * n + "x",
        "heading: '## arxiv.' + ' ' * N + ':'": "## arxiv." + " " * n + ":",
        "heading: link text * N": "## [" + "a" * n + "](https://arxiv.org/abs/2505.12345)",
        "heading: many link headings": _entries(
            lambda i: f"### [T {i}](https://arxiv.org/abs/{_pid(i)})\n", n
        ),
        # links and images
        "link: '[' * N": "[" * n,
        # ("## 1 arxiv": a heading that may link a paper, so its links are looked for)
        "link: '[' + '\\[' * N": "## 1 arxiv [" + _fill("\\[", n),
        "link: '[a](' * N": "## " + _fill("[a](", n),
        "link: '[' + '[a]' * N": "## [" + _fill("[a]", n),
        "link: '](' * N": "## " + _fill("](", n),
        "image: '![' * N": "- " + _fill("![", n),
        "image: '![a](' * N": head + _fill("![a](", n),
        "image: author lines of '![' * N": head
        + _fill("Authors: a " + "![" * 4_500 + "]x ](\n", n),
        "link: '|' * N": "|" * n,
        "url: 'https://' * N": "## 1 " + _fill("https://", n) + " arxiv",
        # arXiv references (host labels of REF_RE; the "arxiv" makes the generic scan look)
        "ref: 'a' * N + ' arxiv'": "a" * n + " arxiv",
        "ref: 'a.' * N + 'arxiv'": _fill("a.", n) + "arxiv.org/abs/2505.12345",
        "ref: 'arxiv' + ' ' * N + ':'": "- arxiv" + " " * n + ":",
        "ref: '0' * N + ' arxiv'": "0" * n + " arxiv",
        "ref: '2505.' * N": "## " + _fill("2505.", n) + " arxiv",
        # metadata lines (VOTE_RE, SUMMARY_MARKER_RE, AUTHORS_RE, the author split)
        "vote: 'Vote' + ' ' * N + 'x'": head + "Vote" + " " * n + "x",
        "vote: many 'Vote' + spaces lines": head + _fill("Vote" + " " * 9_000 + "x\n", n),
        "summary: '**Summary**' + ' ' * N": head + "**Summary**" + " " * n + "x",
        "authors: many long space runs": head + _fill("Authors: a" + " " * 9_000 + "b\n", n),
        "authors: ' ,' * N": head + "Authors: a" + _fill(" ,", min(n, 9_000)) + "\n",
        # bold headings and label bullets
        "bold: '**a**' + ' ' * N + 'x'": head + "**a**" + " " * n + "x",
        "bold: many '**a** … x' lines": head + _fill("**a**" + " " * 9_000 + "x\n", n),
        "bullet: '- **a**' + ':' * N": head + "- **a**" + ":" * n,
        "emphasis: '*' * N": "*" * n,
        "emphasis: '_' * N": "_" * n,
        # titles (quoted titles in prose; a title of underscores for the reference check)
        "title: entries with '“' * 590": _entries(lambda i: f"## {_pid(i)}\n{'“' * 590}\n", n),
        "title: entries with '\"' and words": _entries(
            lambda i: f"## {_pid(i)}\n" + '논문 "a' * 95 + "\n", n
        ),
        "title: entries with '_' * 390 titles": _entries(
            lambda i: f"## {_pid(i)} {'_' * 195}0000{'_' * 195}!a\n", n
        ),
        # dates in the preamble
        "date: '1 ' * N": _fill("1 ", n) + "\n" + head,
        "date: 'May ' * N": _fill("May ", n) + "\n" + head,
        "date: '2020년 ' * N": _fill("2020년 ", n) + "\n" + head,
        # many lines, nesting, many entries
        "lines: many empty lines": "\n" * n,
        "lines: many '\\r'": "\r" * n,
        "lines: many 'a' lines": _fill("a\n", n),
        "nesting: '> ' * N": _fill("> ", n) + "x",
        "nesting: '  ' * N + '- x'": "  " * (n // 2) + "- x",
        "nesting: '1. ' * N": _fill("1. ", n) + "x",
        "nesting: '- ' * N": _fill("- ", n) + "x",
        "nesting: many indented list lines": _fill("    - - 1. > **x**\n", n),
        "entries: many tiny distinct papers": _entries(lambda i: f"## {_pid(i)}\n", n),
        "entries: tiny papers up to the entry limit": "".join(
            f"## {_pid(i)}\n" for i in range(MAX_ENTRIES)
        ),
        "entries: the same paper many times": _fill(head, n),
        "entries: many generic link lines": _entries(
            lambda i: f"- [T](https://arxiv.org/abs/{_pid(i)})\n", n
        ),
        "entry: one paper, many 'a' lines": head + _fill("a\n", n),
        "entry: one paper, many '**a**' lines": head + _fill("**a**\n", n),
        "entry: one paper, many '### a' lines": head + _fill("### a\n", n),
        "entry: one paper, many label bullets": head + _fill("- ***a***: b\n", n),
        "entry: one fenced summary, many '## 1. a' lines": (
            head + "```markdown\n# T\n" + _fill("## 1. a\n", n) + "```\n"
        ),
        # bytes that normalization removes or that make the input binary
        "bytes: NUL * N": "\x00" * n + head,
        "bytes: control characters": "\x01" * n,
        "bytes: lone surrogates": "\ud800" * n,
        # everything at once
        "mix: random tokens, short lines": _mix(n, seed=1, newline_every=20),
        "mix: random tokens, one line": _mix(n, seed=2, newline_every=None),
        "line: 5 MB single line of tokens": _mix(_BIG_LINE_BYTES, seed=3, newline_every=None),
        "line: 5 MB single line of '~'": "~" * _BIG_LINE_BYTES + "`",
    }
    return cases


def run_adversarial_benchmark(
    size: int = 1_000_000, repeat: int = 1, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Parse every adversarial case; report each case's speed and the slowest one (MB/s).

    Speed is UTF-8 bytes of input per second of the parsing thread's CPU time, best of
    ``repeat`` (CPU time, so that other load on a shared machine does not count; wall-clock
    seconds are recorded too). A case whose parse stopped early (the time budget or a work
    limit of ``budget.py``) is listed: for the time budget that means a linearity failure
    whatever the figure says.
    """
    cases: dict[str, dict[str, Any]] = {}
    for name, text in adversarial_corpus(size).items():
        size_bytes = len(text.encode("utf-8", "surrogatepass"))
        cpu = wall = float("inf")
        stopped = ""
        for _ in range(max(1, repeat)):
            start_wall, start_cpu = time.perf_counter(), time.thread_time()
            parsed = parse_digest(text)
            cpu = min(cpu, time.thread_time() - start_cpu)
            wall = min(wall, time.perf_counter() - start_wall)
            stopped = next((e for e in parsed.errors if e.startswith(STOP_NOTE_PREFIX)), "")
        mb_per_s = size_bytes / max(cpu, 1e-6) / 1e6
        cases[name] = {
            "bytes": size_bytes,
            "cpu_seconds": round(cpu, 3),
            "wall_seconds": round(wall, 3),
            "mb_per_s": round(mb_per_s, 2),
            "stopped_early": stopped[:160],
        }
        if progress:
            progress(f"  {mb_per_s:8.2f} MB/s  {cpu:6.3f} s  {name}")
    worst = min(cases, key=lambda k: cases[k]["mb_per_s"])
    return {
        "adversarial_worst_mb_per_s": cases[worst]["mb_per_s"],
        "adversarial_worst_case": worst,
        "adversarial_worst_wall_mb_per_s": round(
            cases[worst]["bytes"] / max(cases[worst]["wall_seconds"], 1e-6) / 1e6, 2
        ),
        "adversarial_cases_count": len(cases),
        "adversarial_budget_ran_out": [
            k for k, v in cases.items() if "parse budget" in v["stopped_early"]
        ],
        "adversarial_target_mb_per_s": ADVERSARIAL_TARGET_MB_PER_S,
        "adversarial_cases": cases,
    }


def adversarial_line(result: dict[str, Any]) -> str:
    """The summary line of :func:`run_adversarial_benchmark` (``make bench`` prints it too)."""
    worst = result["adversarial_worst_mb_per_s"]
    verdict = "ok" if worst >= ADVERSARIAL_TARGET_MB_PER_S else "BELOW TARGET"
    if result["adversarial_budget_ran_out"]:
        verdict = "THE TIME BUDGET RAN OUT"
    return (
        f"adversarial worst case: {worst} MB/s (CPU time; "
        f"{result['adversarial_worst_wall_mb_per_s']} MB/s wall) on "
        f"{result['adversarial_worst_case']!r}, {result['adversarial_cases_count']} inputs; "
        f"target >= {ADVERSARIAL_TARGET_MB_PER_S:g} MB/s: {verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.parser")
    ap.add_argument("--adversarial-only", action="store_true", help="skip the seed throughput")
    ap.add_argument("--size", type=int, default=1_000_000, help="characters per adversarial case")
    ap.add_argument("--repeat", type=int, default=1, help="parses per case (best is kept)")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {}
    if not args.adversarial_only:
        result = run_parse_benchmark()
        print(
            f"parsed {int(result['papers'])} papers in {result['seconds']} s: "
            f"{result['parse_papers_per_s']} papers/s, {result['parse_mb_per_s']} MB/s",
            flush=True,
        )
        figures.update(result)
    adversarial = run_adversarial_benchmark(
        size=args.size, repeat=args.repeat, progress=lambda line: print(line, flush=True)
    )
    print(adversarial_line(adversarial))
    figures.update({k: v for k, v in adversarial.items() if k != "adversarial_cases"})
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
