"""End-to-end import benchmark: digest text → parser → database, on the configured database.

`python manage.py bench_import` prints the figures. It imports a synthetic digest of several
thousand papers (all new), then a second digest of the same papers (all known: the fill-in
and second-summary path), and deletes everything it created. The arXiv ids are from 2008,
long before Hugging Face Daily Papers existed, so they never meet a real candidate.
"""

from __future__ import annotations

import time
import uuid
from datetime import date

from django.db import connection, transaction

from papers.digest import parse_digest
from papers.models import CandidatePaper, Digest
from papers.services import import_digest_text

# The seven section headings of a format-A (Hugging Face summary) digest.
FORMAT_A_HEADINGS = (
    "핵심 동기와 문제 정의",
    "주요 기여 및 참신성",
    "모델 아키텍처 및 학습 설정",
    "실험 설정",
    "정량적 결과",
    "한계점 및 잠재적 실패 요인",
    "후속 연구 아이디어 또는 확장 방향",
)
_BODY = (
    "대형 언어 모델은 복잡한 추론 작업에서 우수한 성능을 보이지만 계산 비용이 높습니다. "
    "본 연구는 **소형 모델**로 능력을 전이하는 방법을 제안하고, 여러 벤치마크에서 검증합니다."
)


_ORIGIN = "bench_import: "


def bench_ids(count: int) -> list[str]:
    """`count` distinct arXiv ids of 2008 (four-digit numbers, 9,999 per month)."""
    return [f"08{1 + n // 9999:02d}.{1 + n % 9999:04d}" for n in range(count)]


def synthetic_digest(ids: list[str], *, day: date, with_titles: bool = True) -> str:
    """A digest in the Hugging Face summary layout, with a nonce so its hash is new."""
    lines = [f"# 📰 Hugging Face Daily Papers – {day.isoformat()}", "", f"<!-- {uuid.uuid4()} -->"]
    for index, arxiv_id in enumerate(ids):
        lines += ["", f"## {arxiv_id}", f"🔗 https://huggingface.co/papers/{arxiv_id}", ""]
        lines += ["**Summary**:", "```markdown"]
        if with_titles:
            lines += [f"# Synthetic Paper {index}: Scaling Benchmarks for Importers", ""]
        for number, heading in enumerate(FORMAT_A_HEADINGS, start=1):
            lines += [f"## {number}. {heading}", "", f"- {_BODY}", ""]
        lines += ["```", "", "---"]
    return "\n".join(lines) + "\n"


def run_import_benchmark(papers: int = 6000, per_digest: int = 1500) -> dict[str, float | str]:
    """Import `papers` synthetic papers twice (new, then known); report papers per second.

    The papers are spread over digests of `per_digest` papers (about 2.5 MB each, under the
    default `DIGEST_MAX_BYTES`), as a backlog of real digests would be.
    """
    ids = bench_ids(papers)
    if CandidatePaper.objects.filter(arxiv_id__in=ids).exists():
        raise RuntimeError(
            "Benchmark arXiv ids (08xx.xxxx) exist in this database; not touching them."
        )
    batches = [ids[start : start + per_digest] for start in range(0, papers, per_digest)]
    # The first digests give no titles, so the second ones fill them in: both paths measured.
    first_texts = [synthetic_digest(b, day=date(2008, 1, 15), with_titles=False) for b in batches]
    second_texts = [synthetic_digest(b, day=date(2008, 1, 16)) for b in batches]
    digests: list[Digest] = []
    try:
        start = time.perf_counter()
        parsed = sum(len(parse_digest(text).papers) for text in second_texts)
        parse_seconds = time.perf_counter() - start

        start = time.perf_counter()
        for text in first_texts:
            digests.append(import_digest_text(text=text, origin=f"{_ORIGIN}new papers"))
        first_seconds = time.perf_counter() - start

        start = time.perf_counter()
        for text in second_texts:
            digests.append(import_digest_text(text=text, origin=f"{_ORIGIN}known papers"))
        second_seconds = time.perf_counter() - start

        statuses = {d.status for d in digests}
        new = sum(d.papers_new for d in digests)
        updated = sum(d.papers_updated for d in digests)
        if statuses != {Digest.Status.DONE} or (new, updated) != (papers, papers):
            raise RuntimeError(f"The benchmark import went wrong: {statuses}, {new}, {updated}")
        return {
            "database": connection.vendor,
            "papers": float(papers),
            "digests": float(len(batches)),
            "megabytes": round(sum(len(t.encode()) for t in first_texts) / 1e6, 1),
            "parse_papers_per_s": round(parsed / parse_seconds, 1),
            "import_papers_per_s": round(papers / first_seconds, 1),
            "reimport_papers_per_s": round(papers / second_seconds, 1),
            "import_seconds": round(first_seconds, 3),
            "reimport_seconds": round(second_seconds, 3),
        }
    finally:
        with transaction.atomic():
            Digest.objects.filter(pk__in=[d.pk for d in digests]).delete()
            Digest.objects.filter(origin__startswith=_ORIGIN, date__year=2008).delete()
            CandidatePaper.objects.filter(arxiv_id__in=ids).delete()
