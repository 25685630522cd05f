"""Small digests written in the seeds' layouts, for tests that need specific papers."""

from __future__ import annotations

from datetime import date


def hf_digest(day: date, papers: list[tuple[str, str | None]]) -> str:
    """Format A (Hugging Face summaries): `## id`, a link, a fenced summary with `# title`."""
    lines = [f"# 📰 Hugging Face Daily Papers – {day.isoformat()}", ""]
    for arxiv_id, title in papers:
        lines += [f"## {arxiv_id}", f"🔗 https://huggingface.co/papers/{arxiv_id}", ""]
        lines += ["**Summary**:", "```markdown"]
        if title:
            lines += [f"# {title}", ""]
        lines += ["## 1. 핵심 동기와 문제 정의", "", "문제를 정의하는 문단입니다.", ""]
        lines += ["## 2. 주요 기여 및 참신성", "", "- 기여 하나", "- 기여 둘", ""]
        lines += ["```", "", "---", ""]
    return "\n".join(lines)


def list_digest(day: date, papers: list[tuple[str, str, int, list[str]]]) -> str:
    """Format C (daily list): linked title, thumbnail, votes, authors and bullets."""
    lines = [f"## Daily Papers ({day.isoformat()})", ""]
    for arxiv_id, title, votes, authors in papers:
        lines += [f"### [{title}](https://arxiv.org/abs/{arxiv_id})", ""]
        lines += [f"![](https://cdn-thumbnails.huggingface.co/{arxiv_id}.png)", ""]
        lines += [f"Vote: {votes}", "", f"Authors: {', '.join(authors)}", ""]
        lines += ["- ***What's New***: 새로운 점입니다.", "- ***Technical Details***: 세부.", ""]
    return "\n".join(lines)


def numbered_ids(count: int) -> list[str]:
    """`count` distinct arXiv ids of 2008 (four-digit numbers, 9,999 per month): long before
    Hugging Face Daily Papers existed, so they never meet a real candidate."""
    return [f"08{1 + n // 9999:02d}.{1 + n % 9999:04d}" for n in range(count)]


# Three list entries, the second of which links a paper without an id (a lost entry, line 5).
LOST_ENTRY_DIGEST = """# Reading list

1. **[Good Paper on Things](https://arxiv.org/abs/2505.12345)**
   - Summary: it does things.
2. **[Lost Paper on Stuff](https://huggingface.co/papers/)**
   - Summary: it does stuff.
3. **[Another Good One](https://arxiv.org/abs/2505.54321)**
   - Summary: more.
"""
