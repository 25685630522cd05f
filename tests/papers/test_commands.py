from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from papers.models import CandidatePaper, Digest, PaperSummary
from tests.papers.conftest import SEED_DIGESTS, SEEDS

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("import_digests", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_import_digests_imports_a_folder(tmp_path):
    for path in SEED_DIGESTS[:2]:
        shutil.copy(path, tmp_path)
    (tmp_path / "ignored.json").write_text("{}")
    output = _run(str(tmp_path))
    lines = output.splitlines()
    assert lines[0].startswith(f"{tmp_path / SEED_DIGESTS[0].name}: done new=15 updated=0")
    assert lines[1].startswith(f"{tmp_path / SEED_DIGESTS[1].name}: done new=8 updated=0")
    assert lines[-1] == "2 file(s), 0 failed; papers new=23 updated=0 unchanged=0 failed=0"
    assert Digest.objects.count() == 2


def test_import_digests_takes_a_glob_and_is_idempotent():
    pattern = str(SEEDS / "00[1-4]_*.txt")
    first = _run(pattern)
    assert first.splitlines()[-1] == (
        "4 file(s), 0 failed; papers new=59 updated=0 unchanged=0 failed=0"
    )
    second = _run(pattern)
    assert second.count("already imported as digest #") == 4
    assert second.splitlines()[-1].endswith("papers new=0 updated=0 unchanged=0 failed=0")
    assert (CandidatePaper.objects.count(), PaperSummary.objects.count()) == (59, 59)


def test_import_digests_fails_when_a_file_has_no_papers_or_is_missing(tmp_path):
    shutil.copy(SEED_DIGESTS[1], tmp_path)
    (tmp_path / "notes.md").write_text("# Notes\n\nno papers in here\n")
    out = StringIO()
    with pytest.raises(CommandError, match="2 file"):
        call_command(
            "import_digests", str(tmp_path), str(tmp_path / "missing.md"), stdout=out, stderr=out
        )
    output = out.getvalue()
    assert "notes.md: failed" in output
    assert "No papers were found in this digest." in output
    assert "missing.md: no such file" in output
    assert Digest.objects.get(status="done").papers_new == 8  # the good file still imported
