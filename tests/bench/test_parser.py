"""The parser benchmark's entry points answer with their figures (speed itself: `make bench`)."""

from __future__ import annotations

from bench.parser import run_adversarial_benchmark, run_parse_benchmark


def test_the_parse_benchmark_reports_papers_per_second_over_the_seeds():
    result = run_parse_benchmark(min_papers=300)
    assert set(result) >= {"parse_papers_per_s", "papers", "seconds"}
    assert result["papers"] >= 300
    assert result["parse_papers_per_s"] > 0


def test_the_adversarial_benchmark_names_its_worst_case():
    result = run_adversarial_benchmark(size=20_000, repeat=1)
    assert result["adversarial_worst_mb_per_s"] > 0
    assert result["adversarial_worst_case"] in result["adversarial_cases"]
