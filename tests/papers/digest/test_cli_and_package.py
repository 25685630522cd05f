"""The command line and the Django-free import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from papers.digest import parse_digest

from .test_seeds import EXPECTED_001, SEEDS, load

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "papers" / "digest"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papers.digest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_cli_json_keys() -> None:
    (seed_a,) = SEEDS.glob("001_*.txt")
    (seed_c,) = SEEDS.glob("004_*.txt")
    proc = run_cli(str(seed_a), str(seed_c))
    assert proc.returncode == 0, proc.stderr
    assert "핵심 동기와 문제 정의" in proc.stdout  # ensure_ascii=False
    assert proc.stdout.startswith('[\n  {\n    "file"')  # indent=2
    result = json.loads(proc.stdout)
    assert [obj["file"] for obj in result] == [str(seed_a), str(seed_c)]
    for obj in result:
        assert list(obj) == ["file", "date", "format", "papers", "errors", "failures"]
        for paper in obj["papers"]:
            for key in ("arxiv_id", "title", "url", "authors", "votes", "summary_ok", "sections"):
                assert key in paper
            assert all(set(s) == {"heading", "body"} for s in paper["sections"])
    a, c = result
    assert (a["date"], a["format"]) == ("2025-05-26", "hf-summary")
    assert [(p["arxiv_id"], p["title"]) for p in a["papers"]] == EXPECTED_001
    assert a["papers"][0]["url"] == "https://huggingface.co/papers/2505.17612"
    assert (c["date"], c["format"]) == ("2024-12-24", "daily-list")
    assert c["papers"][0]["votes"] == 11 and c["papers"][0]["authors"][0] == "Wei Ye"


def test_cli_unreadable_file(tmp_path: Path) -> None:
    (seed,) = SEEDS.glob("003_*.txt")
    missing = tmp_path / "nope.md"
    proc = run_cli(str(seed), str(missing), str(tmp_path))
    assert proc.returncode == 1
    ok, gone, directory = json.loads(proc.stdout)
    assert ok["format"] == "jekyll" and len(ok["papers"]) == 18
    for obj in (gone, directory):
        assert list(obj) == ["file", "date", "format", "papers", "errors", "failures"]
        assert obj["papers"] == [] and obj["date"] is None
        assert obj["errors"][0].startswith("could not read the file")


def test_cli_parse_problems_do_not_fail(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    proc = run_cli(str(junk), str(empty))
    assert proc.returncode == 0
    for obj in json.loads(proc.stdout):
        assert obj["papers"] == [] and obj["errors"]


def test_import_does_not_load_django() -> None:
    code = (
        "import sys\n"
        "import papers.digest, papers.digest.__main__\n"
        "from papers.digest import parse_digest\n"
        "parse_digest('## 2505.12345\\n')\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_package_source_has_no_django_import() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_a_digest_repeated_sixty_times_merges_into_its_fifteen_papers() -> None:
    # 900 entries, all duplicates of 15 ids (speed is measured by `make bench`, not here).
    d = parse_digest("\n".join([load("001")] * 60))
    assert len(d.papers) == 15
    assert d.papers[0].problems == (
        "listed 60 times in the digest; the entries were merged into one",
    )
