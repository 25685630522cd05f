"""Score the parser on a corpus of real digests: ``python -m bench.corpus [DIR]``.

A corpus is a folder of digests (``<stem>.md``, ``.txt`` …) each with ``<stem>.expected.json``
(``{"generator": …, "papers": [{"id", "title" or null, "has_summary"}]}``, see
``tests/fixtures/digests/real/SOURCES.md``). The score counts, over the whole corpus:

* **ids**: expected ids the parser found (recall), and ids it found that are not expected
  (spurious entries);
* **titles**: expected non-null titles it gave exactly (after collapsing whitespace and
  decoding HTML entities on both sides), and **invented** titles: a title for an entry whose
  expected title is null, or a title other than the expected one;
* **summaries**: entries whose ``summary_ok`` agrees with ``has_summary`` (reported only).

Pure Python, no Django: the corpus tests and this command line share it.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from papers.digest.parser import parse_digest

_WS_RE = re.compile(r"\s+")
_EXPECTED_SUFFIX = ".expected.json"


def norm_title(title: str | None) -> str | None:
    """A title as the corpus compares it: entities decoded, whitespace runs collapsed."""
    if title is None:
        return None
    return _WS_RE.sub(" ", html.unescape(title)).strip()


@dataclass(slots=True)
class Score:
    """Counts for one digest, one generator or the whole corpus."""

    files: int = 0
    expected_ids: int = 0
    found_ids: int = 0
    spurious: int = 0
    expected_titles: int = 0
    exact_titles: int = 0
    invented: int = 0
    summary_agree: int = 0
    details: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.files += other.files
        self.expected_ids += other.expected_ids
        self.found_ids += other.found_ids
        self.spurious += other.spurious
        self.expected_titles += other.expected_titles
        self.exact_titles += other.exact_titles
        self.invented += other.invented
        self.summary_agree += other.summary_agree
        self.details.extend(other.details)

    @property
    def id_recall(self) -> float:
        return self.found_ids / self.expected_ids if self.expected_ids else 1.0

    @property
    def title_recall(self) -> float:
        return self.exact_titles / self.expected_titles if self.expected_titles else 1.0


def digest_files(folder: Path) -> list[Path]:
    """The digests of ``folder`` that have an expected file, sorted by name."""
    out: list[Path] = []
    for expected in sorted(folder.glob(f"*{_EXPECTED_SUFFIX}")):
        stem = expected.name[: -len(_EXPECTED_SUFFIX)]
        matches = [
            p
            for p in folder.glob(f"{glob_escape(stem)}.*")
            if not p.name.endswith(_EXPECTED_SUFFIX)
        ]
        if len(matches) == 1:
            out.append(matches[0])
    return out


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def expected_of(path: Path) -> dict:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return json.loads((path.parent / f"{stem}{_EXPECTED_SUFFIX}").read_text(encoding="utf-8"))


def score_file(path: Path) -> tuple[str, Score]:
    """(generator, score) of one digest of a corpus."""
    expected = expected_of(path)
    parsed = parse_digest(path.read_bytes())
    got = {p.arxiv_id: p for p in parsed.papers}
    s = Score(files=1)
    want_ids = [e["id"] for e in expected["papers"]]
    s.expected_ids = len(want_ids)
    name = path.name
    for e in expected["papers"]:
        pid, want = e["id"], norm_title(e["title"])
        paper = got.get(pid)
        if want is not None:
            s.expected_titles += 1
        if paper is None:
            s.details.append(f"{name}: missing {pid}")
            continue
        s.found_ids += 1
        title = norm_title(paper.title)
        if want is not None and title == want:
            s.exact_titles += 1
        elif title is not None:
            s.invented += 1
            s.details.append(f"{name}: {pid} invented title {title!r} (expected {want!r})")
        else:
            s.details.append(f"{name}: {pid} no title (expected {want!r})")
        if paper.summary_ok == bool(e.get("has_summary")):
            s.summary_agree += 1
    for pid in got:
        if pid not in set(want_ids):
            s.spurious += 1
            s.details.append(f"{name}: spurious {pid} ({got[pid].title!r})")
    return expected.get("generator", "?"), s


def score_corpus(folder: Path) -> tuple[Score, dict[str, Score]]:
    """The total score of a corpus folder and the score per generator."""
    total = Score()
    per: dict[str, Score] = {}
    for path in digest_files(folder):
        generator, s = score_file(path)
        per.setdefault(generator, Score()).add(s)
        total.add(s)
    return total, dict(sorted(per.items()))


def table(total: Score, per: dict[str, Score]) -> str:
    """A plain-text table of the scores, one row per generator and one for the corpus."""
    rows = [("generator", "files", "ids", "id %", "spurious", "titles", "title %", "invented")]
    for name, s in [*per.items(), ("TOTAL", total)]:
        rows.append(
            (
                name,
                str(s.files),
                f"{s.found_ids}/{s.expected_ids}",
                f"{100 * s.id_recall:.1f}",
                str(s.spurious),
                f"{s.exact_titles}/{s.expected_titles}",
                f"{100 * s.title_recall:.1f}",
                str(s.invented),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    default = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "digests" / "real"
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("folder", nargs="?", type=Path, default=default)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args(argv)
    total, per = score_corpus(args.folder)
    print(table(total, per))
    if args.verbose:
        print("\n".join(total.details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
