"""Parsing speed benchmark: ``python -m papers.digest.bench``.

Parses the seed digests (``tests/fixtures/seeds/*.txt`` that hold papers), replicated to a
few thousand papers, and reports papers per second on one core. Without the seeds (an
installed copy) it uses synthetic digests of the three known formats instead.
:func:`run_parse_benchmark` returns the figures as a dict for the project's benchmark.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .parser import parse_digest

_SEED_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "seeds"


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


def main() -> int:
    result = run_parse_benchmark()
    print(
        f"parsed {int(result['papers'])} papers in {result['seconds']} s: "
        f"{result['parse_papers_per_s']} papers/s, {result['parse_mb_per_s']} MB/s"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
