"""Polling digest sources: URL templates, plain URLs and folders, and what a poll records."""

from __future__ import annotations

import time
from datetime import date

import pytest
from werkzeug import Response

from papers.models import Digest, DigestSource
from papers.polling import poll_digest_source, source_urls
from tests.papers.conftest import SEED_DIGESTS

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 27)
DIGEST_0526 = SEED_DIGESTS[0].read_bytes()  # the digest of 2025-05-26


@pytest.fixture(autouse=True)
def local_servers_and_folders(settings, tmp_path):
    """These tests use servers on 127.0.0.1 and folders under tmp_path, which are refused
    unless allowed (tests/hardening/test_outbound_fetch.py proves the refusals)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.DIGEST_FOLDER_ROOTS = [str(tmp_path)]


def _url_source(httpserver, path: str, days_back: int = 2) -> DigestSource:
    return DigestSource.objects.create(
        name="daily", kind="url", location=httpserver.url_for(path), days_back=days_back
    )


def test_url_template_imports_the_published_date_and_shrugs_at_the_missing_one(httpserver):
    httpserver.expect_request("/d/2025-05-26.md").respond_with_data(
        DIGEST_0526, content_type="text/markdown; charset=utf-8"
    )
    httpserver.expect_request("/d/2025-05-27.md").respond_with_data("Not Found", status=404)
    source = _url_source(httpserver, "/d/{date}.md")
    result = poll_digest_source(source=source, today=TODAY)
    assert [(d.status, d.papers_new, d.origin) for d in result.imported] == [
        ("done", 15, httpserver.url_for("/d/2025-05-26.md"))
    ]
    assert result.not_published == [httpserver.url_for("/d/2025-05-27.md")]
    source.refresh_from_db()
    assert source.last_error == ""
    assert source.last_result == "1 new digest(s), 1 not published yet"
    assert Digest.objects.get().source == source


def test_a_second_poll_does_not_download_an_imported_date_again(httpserver):
    httpserver.expect_request("/d/2025-05-26.md").respond_with_data(DIGEST_0526)
    httpserver.expect_request("/d/2025-05-27.md").respond_with_data("", status=404)
    source = _url_source(httpserver, "/d/{date}.md")
    poll_digest_source(source=source, today=TODAY)
    requests_before = len(httpserver.log)
    result = poll_digest_source(source=source, today=TODAY)
    assert (len(result.imported), result.already_imported) == (0, 1)
    assert [r.path for r, _response in httpserver.log[requests_before:]] == ["/d/2025-05-27.md"]
    assert Digest.objects.count() == 1


def test_a_server_error_is_recorded_on_the_source(httpserver):
    httpserver.expect_request("/d/2025-05-27.md").respond_with_data("boom", status=500)
    source = _url_source(httpserver, "/d/{date}.md", days_back=1)
    result = poll_digest_source(source=source, today=TODAY)
    source.refresh_from_db()
    assert result.imported == []
    assert "HTTP 500" in source.last_error
    assert httpserver.url_for("/d/2025-05-27.md") in source.last_error


def test_a_404_on_a_plain_url_is_an_error(httpserver):
    httpserver.expect_request("/latest.md").respond_with_data("", status=404)
    source = _url_source(httpserver, "/latest.md")
    poll_digest_source(source=source, today=TODAY)
    source.refresh_from_db()
    assert "not published (HTTP 404)" in source.last_error


def test_a_slow_server_times_out_with_a_clear_error(httpserver, settings):
    settings.DIGEST_HTTP_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response(DIGEST_0526)

    httpserver.expect_request("/slow.md").respond_with_handler(slow)
    source = _url_source(httpserver, "/slow.md")
    started = time.monotonic()
    poll_digest_source(source=source, today=TODAY)
    assert time.monotonic() - started < 1
    source.refresh_from_db()
    assert "timed out after 0.2 s" in source.last_error
    assert Digest.objects.count() == 0


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_an_oversized_body_is_refused(httpserver, settings, announced):
    settings.DIGEST_MAX_BYTES = 10_000
    body = DIGEST_0526[:30_000]
    if announced:
        httpserver.expect_request("/big.md").respond_with_data(body)
    else:  # chunked: no Content-Length, the limit is enforced while reading
        chunks = [body[i : i + 4096] for i in range(0, len(body), 4096)]
        httpserver.expect_request("/big.md").respond_with_response(Response(iter(chunks)))
    source = _url_source(httpserver, "/big.md")
    poll_digest_source(source=source, today=TODAY)
    source.refresh_from_db()
    assert "larger than the limit of 10000 bytes" in source.last_error
    assert Digest.objects.count() == 0


def test_a_redirect_to_a_local_file_is_not_followed(httpserver):
    httpserver.expect_request("/moved.md").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    source = _url_source(httpserver, "/moved.md")
    poll_digest_source(source=source, today=TODAY)
    source.refresh_from_db()
    assert source.last_error
    assert Digest.objects.count() == 0


def test_a_refused_connection_is_recorded(httpserver):
    source = DigestSource.objects.create(
        name="down", kind="url", location="http://127.0.0.1:9/digest.md"
    )
    poll_digest_source(source=source, today=TODAY)
    source.refresh_from_db()
    assert "could not connect" in source.last_error


def test_folder_source_imports_each_new_file_once(tmp_path):
    (tmp_path / "2025-05-26.md").write_bytes(DIGEST_0526)
    (tmp_path / "2024-12-24.txt").write_bytes(SEED_DIGESTS[3].read_bytes())
    (tmp_path / "notes.json").write_text("{}")  # not a digest file: ignored
    source = DigestSource.objects.create(name="inbox", kind="folder", location=str(tmp_path))
    first = poll_digest_source(source=source)
    assert sorted(d.papers_new for d in first.imported) == [15, 18]
    second = poll_digest_source(source=source)
    assert (second.imported, second.already_imported) == ([], 2)
    source.refresh_from_db()
    assert (source.last_error, source.last_result) == ("", "0 new digest(s), 2 already imported")


def test_folder_source_reports_a_missing_folder_and_a_file_without_papers(tmp_path, settings):
    source = DigestSource.objects.create(
        name="gone", kind="folder", location=str(tmp_path / "nope")
    )
    poll_digest_source(source=source)
    source.refresh_from_db()
    assert "is not a folder" in source.last_error
    (tmp_path / "readme.md").write_text("# Read me\n\nNothing to see.\n")
    source.location = str(tmp_path)
    poll_digest_source(source=source)
    source.refresh_from_db()
    assert "readme.md: the import failed (No papers were found" in source.last_error


def test_a_poll_tries_the_last_days_back_dates_of_a_template_oldest_first_and_a_plain_url_once():
    source = DigestSource(kind="url", location="https://x.org/{date}/{date:%Y%m%d}.md", days_back=3)
    assert source_urls(source, TODAY) == [
        "https://x.org/2025-05-25/20250525.md",
        "https://x.org/2025-05-26/20250526.md",
        "https://x.org/2025-05-27/20250527.md",
    ]
    plain = DigestSource(kind="url", location="https://x.org/latest.md", days_back=3)
    assert source_urls(plain, TODAY) == ["https://x.org/latest.md"]
