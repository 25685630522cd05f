from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from papers.models import CandidatePaper, Digest, DigestSource
from tests.factories import DigestFactory
from tests.papers.conftest import SEED_DIGESTS

pytestmark = pytest.mark.django_db

IMPORTS = "/papers/imports/"


def _upload(*paths):
    return [SimpleUploadedFile(p.name, p.read_bytes(), "text/markdown") for p in paths]


def _post_upload(client, files, capture):
    # The imports are enqueued on commit; run those callbacks as a real commit would.
    with capture(execute=True):
        return client.post(IMPORTS, {"files": files})


def test_organizer_uploads_several_digests_and_sees_their_counts(
    organizer_client, django_capture_on_commit_callbacks
):
    response = _post_upload(
        organizer_client,
        _upload(SEED_DIGESTS[0], SEED_DIGESTS[3]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response["Location"] == IMPORTS
    assert list(Digest.objects.order_by("pk").values_list("origin", "status", "papers_new")) == [
        ("001_067844c8fac165ac.txt", "done", 15),
        ("004_1268ea53dd907af9.txt", "done", 18),
    ]
    page = organizer_client.get(IMPORTS)
    html = page.content.decode()
    assert "2 digest(s) queued for import." in html
    assert [run.papers_new for run in page.context["runs"]] == [18, 15]
    assert '<td class="num" data-label="New" data-field="papers_new">18</td>' in html
    assert "js/imports.js" in html


def test_uploading_a_digest_again_imports_nothing_and_says_so(
    organizer_client, django_capture_on_commit_callbacks
):
    _post_upload(organizer_client, _upload(SEED_DIGESTS[1]), django_capture_on_commit_callbacks)
    response = _post_upload(
        organizer_client, _upload(SEED_DIGESTS[1]), django_capture_on_commit_callbacks
    )
    assert Digest.objects.count() == 1
    page = organizer_client.get(response["Location"]).content.decode()
    assert "has the same content as import" in page


def test_a_rejected_upload_names_the_file_and_imports_nothing(organizer_client, settings):
    settings.DIGEST_MAX_BYTES = 30_000
    files = _upload(SEED_DIGESTS[1], SEED_DIGESTS[0])  # 22 kB passes, 52 kB is too large
    response = organizer_client.post(IMPORTS, {"files": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert "001_067844c8fac165ac.txt is 50.8\xa0KB; the limit is 29.3\xa0KB." in html
    assert "Nothing was imported" in html
    assert response.context["form"].is_bound
    assert Digest.objects.count() == 0


def test_a_file_that_is_not_text_is_rejected(organizer_client):
    binary = SimpleUploadedFile("scan.md", b"\x89PNG\r\n\x1a\n\xff\xfe\xfa", "text/markdown")
    response = organizer_client.post(IMPORTS, {"files": [binary]})
    assert response.status_code == 400
    assert "scan.md: The file is not UTF-8 text" in response.content.decode()
    assert organizer_client.post(IMPORTS, {}).status_code == 400  # no file chosen
    assert Digest.objects.count() == 0


def test_the_upload_form_is_protected_by_csrf(organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    response = client.post(IMPORTS, {"files": _upload(SEED_DIGESTS[1])})
    assert response.status_code == 403
    assert Digest.objects.count() == 0


def test_detail_page_lists_per_paper_errors_and_the_papers(organizer_client):
    digest = DigestFactory(
        status="partial",
        papers_total=2,
        papers_new=1,
        papers_failed=1,
        errors=[{"arxiv_id": "2505.99999", "reason": "IntegrityError: refused by a rule"}],
        warnings=["paper 2505.99998: no title in the digest"],
    )
    response = organizer_client.get(digest.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>2505.99999</code>" in html
    assert "IntegrityError: refused by a rule" in html
    assert "paper 2505.99998: no title in the digest" in html
    assert reverse("digest_import_retry", args=[digest.pk]) in html


def test_retry_runs_a_failed_import_again(organizer_client, django_capture_on_commit_callbacks):
    digest = DigestFactory(
        content=SEED_DIGESTS[1].read_text(encoding="utf-8"),
        status="failed",
        errors=[{"arxiv_id": "", "reason": "worker lost"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("digest_import_retry", args=[digest.pk]))
    assert response.status_code == 302
    digest.refresh_from_db()
    assert (digest.status, digest.papers_new, digest.errors) == ("done", 8, [])
    assert CandidatePaper.objects.count() == 8


def test_retry_of_a_finished_import_is_refused(organizer_client):
    digest = DigestFactory(status="done")
    response = organizer_client.post(reverse("digest_import_retry", args=[digest.pk]), follow=True)
    assert "Only a failed, partial or stalled import can be retried." in response.content.decode()
    digest.refresh_from_db()
    assert digest.status == "done"
    assert organizer_client.get(reverse("digest_import_retry", args=[digest.pk])).status_code == 405


def test_progress_endpoint_reports_a_running_import(organizer_client):
    digest = DigestFactory(status="running", papers_total=1200, papers_done=500)
    response = organizer_client.get(reverse("digest_import_progress", args=[digest.pk]))
    assert response.json() == {
        "id": digest.pk,
        "status": "running",
        "status_label": "Running",
        "finished": False,
        "papers_total": 1200,
        "papers_done": 500,
        "papers_new": 0,
        "papers_updated": 0,
        "papers_unchanged": 0,
        "papers_failed": 0,
    }
    page = organizer_client.get(IMPORTS).content.decode()
    assert f'data-progress-url="{reverse("digest_import_progress", args=[digest.pk])}"' in page
    assert '<progress max="1200" value="500">' in page


def test_import_list_query_count_does_not_grow_with_runs(
    organizer_client, django_assert_max_num_queries
):
    DigestFactory(uploaded_by=None)
    organizer_client.get(IMPORTS)
    with django_assert_max_num_queries(20) as one:
        organizer_client.get(IMPORTS)
    source = DigestSource.objects.create(name="s", kind="folder", location="/tmp")
    DigestFactory(source=source)
    DigestFactory(uploaded_by=None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = organizer_client.get(IMPORTS)
    assert len(response.context["runs"]) == 3


def test_sources_page_lists_sources_and_polls_one_now(
    organizer_client, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.DIGEST_FOLDER_ROOTS = [str(tmp_path)]
    (tmp_path / "d.md").write_bytes(SEED_DIGESTS[2].read_bytes())
    source = DigestSource.objects.create(name="Inbox", kind="folder", location=str(tmp_path))
    page = organizer_client.get(reverse("digest_sources")).content.decode()
    assert "Inbox" in page
    assert str(tmp_path) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("digest_source_poll", args=[source.pk]))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.last_result == "1 new digest(s)"
    assert Digest.objects.get().papers_new == 18
    assert "1 new digest(s)" in organizer_client.get(reverse("digest_sources")).content.decode()


def test_organizers_see_the_imports_link_and_members_do_not(organizer_client, client, member):
    assert f'href="{IMPORTS}"' in organizer_client.get("/").content.decode()
    client.force_login(member)
    assert f'href="{IMPORTS}"' not in client.get("/").content.decode()


def _urls(digest_pk: int, source_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", IMPORTS),
        ("post", IMPORTS),
        ("get", reverse("digest_import_detail", args=[digest_pk])),
        ("get", reverse("digest_import_progress", args=[digest_pk])),
        ("post", reverse("digest_import_retry", args=[digest_pk])),
        ("get", reverse("digest_sources")),
        ("post", reverse("digest_source_poll", args=[source_pk])),
    ]


def test_members_get_403_on_every_import_page(member_client):
    digest = DigestFactory(status="failed")
    source = DigestSource.objects.create(name="s", kind="folder", location="/tmp")
    for method, url in _urls(digest.pk, source.pk):
        assert getattr(member_client, method)(url).status_code == 403, url
    digest.refresh_from_db()
    assert digest.status == "failed"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    digest = DigestFactory(status="failed")
    source = DigestSource.objects.create(name="s", kind="folder", location="/tmp")
    for method, url in _urls(digest.pk, source.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
