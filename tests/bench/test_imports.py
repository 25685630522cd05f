"""The import benchmark (`manage.py bench_import`), run small."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from papers.models import CandidatePaper, Digest

pytestmark = pytest.mark.django_db


def test_bench_import_prints_figures_and_leaves_nothing_behind():
    out = StringIO()
    call_command("bench_import", "--papers", "40", "--per-digest", "20", stdout=out)
    figures = json.loads(out.getvalue().splitlines()[-1])
    assert figures["papers"] == 40
    assert figures["digests"] == 2
    assert figures["import_papers_per_s"] > 0
    assert figures["reimport_papers_per_s"] > 0
    assert (Digest.objects.count(), CandidatePaper.objects.count()) == (0, 0)
