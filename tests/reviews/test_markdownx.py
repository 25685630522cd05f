"""markdownx's endpoints: members only, one sanitizing renderer, small raster uploads only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.reviews._html import active_content

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
ATTACKS = (
    "<script>alert(1)</script>\n\n"
    "<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3))\n\n"
    '<a href="javascript:alert(4)" onclick="alert(5)">x</a>\n\n'
    "![p](javascript:alert(6))"
)


def _png(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_preview_refuses_signed_out_visitors_with_401_json(client):
    # markdownx pastes whatever the endpoint answers into the preview: a redirect to the
    # sign-in page would show that page's source there. The editor script knows this code.
    response = client.post(reverse("markdownx_markdownify"), {"content": "**x**"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "signed_out"
    assert "<strong>" not in response.content.decode()


def test_preview_answers_401_to_a_signed_out_get_too(client):
    assert client.get(reverse("markdownx_markdownify")).status_code == 401


def test_preview_renders_markdown_and_math_for_members(member_client):
    response = member_client.post(
        reverse("markdownx_markdownify"), {"content": "**굵게** $E=mc^2$"}
    )
    assert response.status_code == 200
    assert response.content.decode() == (
        '<p><strong>굵게</strong> <span class="math">$E=mc^2$</span></p>'
    )


def test_preview_never_returns_script_handlers_or_javascript_links(member_client):
    html = member_client.post(reverse("markdownx_markdownify"), {"content": ATTACKS}).content
    html = html.decode()
    assert active_content(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped


def test_upload_refuses_signed_out_visitors(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    image = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    response = client.post(reverse("markdownx_upload"), {"image": image}, **XHR)
    assert response.status_code == 302
    assert not any(tmp_path.rglob("*.png"))


def test_upload_accepts_a_small_png_from_a_member(member_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    image = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    response = member_client.post(reverse("markdownx_upload"), {"image": image}, **XHR)
    assert response.status_code == 200
    assert response.json()["image_code"].startswith("![](/media/markdownx/")
    assert len(list(tmp_path.rglob("*.png"))) == 1


def test_upload_refuses_svg(member_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    image = SimpleUploadedFile("a.svg", svg, content_type="image/svg+xml")
    response = member_client.post(reverse("markdownx_upload"), {"image": image}, **XHR)
    assert response.status_code == 400
    assert not any(tmp_path.rglob("*"))


def test_upload_refuses_files_over_two_megabytes(member_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile(
        "big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), content_type="image/png"
    )
    response = member_client.post(reverse("markdownx_upload"), {"image": big}, **XHR)
    assert response.status_code == 400
    assert not any(tmp_path.rglob("*"))


def test_upload_without_the_ajax_header_answers_json_not_an_error_page(
    member_client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    svg = SimpleUploadedFile("a.svg", b"<svg/>", content_type="image/svg+xml")
    response = member_client.post(reverse("markdownx_upload"), {"image": svg})
    assert response.status_code == 400
    assert response.json() == {"__all__": ["Only JPEG, PNG, GIF and WebP images can be uploaded."]}


def test_uploaded_images_are_served_to_members_only(member_client, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    image = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    code = member_client.post(reverse("markdownx_upload"), {"image": image}, **XHR).json()
    url = code["image_code"][len("![](") : -1]
    assert member_client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_preview_refuses_get(member_client):
    assert member_client.get(reverse("markdownx_markdownify")).status_code == 405
