"""The search benchmark (`manage.py bench_search`), run small."""

from __future__ import annotations

import pytest

from bench.search import ID_PREFIX, remove_bench_papers, run_search_benchmark
from papers.models import CandidatePaper, Digest, PaperSummary
from tests.factories import CandidatePaperFactory


@pytest.mark.django_db
def test_the_search_benchmark_runs_and_cleans_up():
    real = CandidatePaperFactory(arxiv_id="2505.00001")
    result = run_search_benchmark(papers=60, rounds=1)
    assert result["created"] == 60
    assert result["search_p50_ms"] > 0
    assert set(result["per_query"]) >= {"강화 학습", "환각", "diffusion", "reasoning model"}
    generated = CandidatePaper.objects.filter(arxiv_id__startswith=ID_PREFIX)
    assert generated.count() == 60
    assert PaperSummary.objects.filter(paper__in=generated).count() >= 60
    assert run_search_benchmark(papers=60, rounds=1)["created"] == 0
    assert remove_bench_papers() > 0
    assert list(CandidatePaper.objects.all()) == [real]
    assert not Digest.objects.filter(origin__startswith="bench_search").exists()
