"""Member uploads: no file a member uploads can run as script, bomb the server's memory, or
fill its disk.

The attack (issue 10, finding 1): markdownx kept the client's extension and stored GIFs byte
for byte, and the media view served files inline with a type guessed from the name. `x.js`
uploaded as `image/gif` with the body `GIF89a=1;alert(1)` was valid JavaScript, `x.html` loaded
it, and `script-src 'self'` let it run for any organizer who opened the link. Now every upload
is decoded and re-encoded by Pillow under a uuid name from the detected format, and only such
names are served, as images, with `nosniff` and a sandboxing policy (finding 7: the pixel cap is
checked before decoding; finding 17: per-member quota, orphan images removed).
"""

from __future__ import annotations

import io
import os
import re
import struct
import uuid
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import ReviewSectionFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
STORED_NAME = re.compile(r"markdownx/[0-9a-f]{32}\.(jpg|png|gif|webp)")
NOT_AN_IMAGE = "Only JPEG, PNG, GIF and WebP images can be uploaded."
TOO_MANY_PIXELS = "Images may have at most 24 million pixels."
SANDBOX = "default-src 'none'; img-src 'self'; sandbox"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media) -> list[str]:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def upload(client, name: str, body: bytes, content_type: str):
    image = SimpleUploadedFile(name, body, content_type=content_type)
    return client.post(reverse("markdownx_upload"), {"image": image}, **XHR)


def url_of(response) -> str:
    code = response.json()["image_code"]
    assert code.startswith("![](") and code.endswith(")"), code
    return code[len("![](") : -1]


def image_bytes(fmt: str = "PNG", size=(8, 8), mode: str = "RGB", **params) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode != "P" else 1).save(buffer, fmt, **params)
    return buffer.getvalue()


def noise_png(size: int = 64) -> bytes:
    """An RGB PNG of random pixels: it does not compress, so it is about 3×size² bytes."""
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 100).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width×height pixels, all black. Its rows compress about a thousand
    to one, so the file is tens of kB; Pillow would need width×height bytes to decode it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    rows_per_block = 500
    parts = [compressor.compress(row * rows_per_block) for _ in range(height // rows_per_block)]
    parts.append(compressor.compress(row * (height % rows_per_block)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


# --- the attack: script and HTML posing as GIFs ---


def test_a_javascript_file_posing_as_a_gif_is_refused_and_nothing_is_stored(member_client, media):
    response = upload(member_client, "x.js", b"GIF89a=1;alert(1)", "image/gif")
    assert response.status_code == 400
    assert response.json() == {"__all__": [NOT_AN_IMAGE]}
    assert stored_files(media) == []


def test_an_html_file_posing_as_a_gif_is_refused_and_nothing_is_stored(member_client, media):
    body = b'GIF89a<script src="/media/markdownx/x.js"></script><script>alert(1)</script>'
    response = upload(member_client, "x.html", body, "image/gif")
    assert response.status_code == 400
    assert response.json() == {"__all__": [NOT_AN_IMAGE]}
    assert stored_files(media) == []


def test_a_real_gif_named_html_with_script_appended_is_stored_re_encoded_as_a_uuid_gif(
    member_client, media
):
    """A polyglot: a GIF that decodes, with HTML after its trailer. What is stored is Pillow's
    own GIF under a name we chose; nothing of the HTML is left."""
    polyglot = image_bytes("GIF", mode="P") + b"<script>alert(1)</script><h1>hi</h1>"
    response = upload(member_client, "x.html", polyglot, "image/gif")
    assert response.status_code == 200
    [name] = stored_files(media)
    assert STORED_NAME.fullmatch(name) and name.endswith(".gif")
    assert url_of(response) == f"/media/{name}"
    stored = (media / name).read_bytes()
    assert stored != polyglot
    assert b"<script" not in stored and b"alert" not in stored
    assert Image.open(io.BytesIO(stored)).format == "GIF"


def test_the_stored_type_comes_from_the_bytes_never_from_the_client_name_or_type(
    member_client, media
):
    response = upload(member_client, "photo.gif", image_bytes("PNG"), "image/jpeg")
    assert response.status_code == 200
    [name] = stored_files(media)
    assert STORED_NAME.fullmatch(name) and name.endswith(".png")
    assert Image.open(media / name).format == "PNG"


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ("a.bmp", image_bytes("BMP"), "image/bmp"),
        ("a.tiff", image_bytes("TIFF"), "image/png"),
        ("a.png", noise_png()[:2000], "image/png"),  # cut off in its pixel data
        ("a.png", b"", "image/png"),
    ],
)
def test_anything_but_a_whole_jpeg_png_gif_or_webp_is_refused(
    member_client, media, name, body, content_type
):
    response = upload(member_client, name, body, content_type)
    assert response.status_code == 400
    assert stored_files(media) == []


def test_stored_images_keep_no_metadata_of_the_upload(member_client, media):
    """GIF comments, EXIF (with GPS) and PNG text are all dropped: the file is written anew."""
    gif = image_bytes("GIF", mode="P", comment=b"<script>alert(1)</script> secret")
    exif = Image.Exif()
    exif[0x8825] = {2: (37.0, 33.0, 1.0)}  # GPS latitude
    jpeg = image_bytes("JPEG", exif=exif.tobytes())
    for name, body, content_type in (("a.gif", gif, "image/gif"), ("b.jpg", jpeg, "image/jpeg")):
        assert upload(member_client, name, body, content_type).status_code == 200
    for name in stored_files(media):
        stored = (media / name).read_bytes()
        assert b"secret" not in stored and b"<script" not in stored
        with Image.open(media / name) as image:
            assert "comment" not in image.info and "exif" not in image.info
            assert not image.getexif()


def test_large_images_are_stored_shrunk_to_the_maximum_edge(member_client, media, settings):
    settings.SEMINAR_UPLOAD_MAX_EDGE = 100
    response = upload(member_client, "wide.jpg", image_bytes("JPEG", size=(1200, 300)), "x/y")
    assert response.status_code == 200
    [name] = stored_files(media)
    assert Image.open(media / name).size == (100, 25)


# --- serving: images only, never runnable ---


def test_uploaded_images_are_served_as_sandboxed_images_that_cannot_be_sniffed(
    member_client, media
):
    url = url_of(upload(member_client, "a.png", image_bytes("PNG"), "image/png"))
    response = member_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX
    assert response["Content-Disposition"] == f'inline; filename="{url.rsplit("/", 1)[-1]}"'
    assert b"".join(response.streaming_content) == (media / url[len("/media/") :]).read_bytes()


@pytest.mark.parametrize(
    "name",
    [
        "markdownx/x.js",
        f"markdownx/{uuid.uuid4()}.js",
        f"markdownx/{uuid.uuid4()}.html",
        f"markdownx/{uuid.uuid4().hex}.svg",
        f"markdownx/{uuid.uuid4().hex}.png.js",
        f"markdownx/{uuid.uuid4().hex.upper()}.PNG",
        f"markdownx/sub/{uuid.uuid4().hex}.png",
        "markdownx/x.png",
    ],
)
def test_files_left_by_the_old_upload_code_under_other_names_are_not_found(
    member_client, media, name
):
    """markdownx stored `<uuid>.<client's extension>`: such files may still be on disk."""
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GIF89a=1;alert(1)")
    response = member_client.get(f"/media/{name}")
    assert response.status_code == 404
    assert b"alert(1)" not in response.content


def test_an_old_image_with_html_inside_is_served_only_as_a_sandboxed_image(member_client, media):
    """Older dashed-uuid image names stay visible (reviews link them), but whatever their
    bytes are, they go out as the image type of their name, not sniffable, sandboxed."""
    name = f"markdownx/{uuid.uuid4()}.png"
    (media / "markdownx").mkdir(parents=True)
    (media / name).write_bytes(b"<html><script>alert(1)</script></html>")
    response = member_client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def test_media_is_not_served_to_signed_out_visitors(client, member_client, media):
    url = url_of(upload(member_client, "a.png", image_bytes("PNG"), "image/png"))
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- decompression bombs (finding 7) ---


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(13000, 13000), (6000, 5000)])
def test_an_image_with_too_many_pixels_is_refused(member_client, media, size):
    """13000×13000 is beyond twice Pillow's limit (set to ours), 6000×5000 only beyond ours:
    both are refused with the same message, and nothing is stored."""
    bomb = bomb_png(*size)
    assert len(bomb) < 100_000
    response = upload(member_client, "bomb.png", bomb, "image/png")
    assert response.status_code == 400
    [message] = response.json()["__all__"]
    assert message.startswith(TOO_MANY_PIXELS)
    assert stored_files(media) == []


class _ReadTracker(io.BytesIO):
    """A file that remembers how far into it anyone has read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(13000, 13000), (6000, 5000)])
def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(size):
    """The pixel data is never read: the refusal comes from the header's dimensions."""
    from reviews.uploads import UploadRefused, reencode_image

    source = _ReadTracker(bomb_png(*size))
    with pytest.raises(UploadRefused) as refused:
        reencode_image(source)
    assert refused.value.code == "too_many_pixels"
    # Signature (8 bytes), IHDR (12 + 13), IDAT's length and type (8): not one byte of pixels.
    pixel_data_starts_at = 8 + 25 + 8
    assert source.furthest <= pixel_data_starts_at < len(source.getvalue())


# --- quota (finding 17) ---


def test_an_upload_beyond_the_members_byte_quota_is_refused_and_stores_nothing(
    member_client, other_member, client, media, settings
):
    from reviews.models import MemberUpload

    settings.SEMINAR_UPLOAD_QUOTA_BYTES = 600
    first = upload(member_client, "a.png", image_bytes("PNG", size=(16, 16)), "image/png")
    assert first.status_code == 200
    used = MemberUpload.objects.get().size
    assert 0 < used < 600
    second = upload(member_client, "b.png", noise_png(), "image/png")  # well over what is left
    assert second.status_code == 400
    [message] = second.json()["__all__"]
    assert message.startswith("Your images already take")
    assert len(stored_files(media)) == 1
    assert MemberUpload.objects.count() == 1
    # The quota is each member's own: another member still has all of theirs.
    client.force_login(other_member)
    assert upload(client, "c.png", image_bytes("PNG"), "image/png").status_code == 200


def test_an_upload_beyond_the_members_file_count_quota_is_refused(member_client, media, settings):
    from reviews.models import MemberUpload

    settings.SEMINAR_UPLOAD_QUOTA_FILES = 2
    statuses = [
        upload(member_client, f"{n}.png", image_bytes("PNG"), "image/png").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 400]
    assert len(stored_files(media)) == 2
    assert MemberUpload.objects.count() == 2


# --- orphans (finding 17) ---


def _old_file(media, name: str, when: datetime) -> None:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image_bytes("PNG"))
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_the_orphan_sweep_deletes_only_old_images_no_review_uses(member_client, media):
    from reviews.models import MemberUpload
    from reviews.tasks import remove_orphan_uploads

    start = datetime(2026, 3, 2, 10, tzinfo=SEOUL)
    with time_machine.travel(start, tick=False):
        used = url_of(upload(member_client, "used.png", image_bytes("PNG"), "image/png"))
        unused = url_of(upload(member_client, "unused.png", image_bytes("PNG"), "image/png"))
        ReviewSectionFactory(body=f"See the figure:\n\n![]({used})\n")
    # Files the old upload code left, with no record: one a review links, one nobody does,
    # and a script file a review links (it can never be served, so nothing needs it).
    legacy_used, legacy_unused = (f"markdownx/{uuid.uuid4()}.png" for _ in range(2))
    legacy_script = f"markdownx/{uuid.uuid4()}.js"
    for name in (legacy_used, legacy_unused, legacy_script):
        _old_file(media, name, start)
    ReviewSectionFactory(body=f"![](/media/{legacy_used}) [x](/media/{legacy_script})")

    with time_machine.travel(start + timedelta(days=3), tick=False):
        remove_orphan_uploads.delay()  # nothing is old enough yet
        assert len(stored_files(media)) == 5
        recent = url_of(upload(member_client, "recent.png", image_bytes("PNG"), "image/png"))

    with time_machine.travel(start + timedelta(days=8), tick=False):
        remove_orphan_uploads.delay()

    def name_of(url: str) -> str:
        return url[len("/media/") :]

    assert stored_files(media) == sorted([name_of(used), name_of(recent), legacy_used])
    assert sorted(MemberUpload.objects.values_list("name", flat=True)) == sorted(
        [name_of(used), name_of(recent)]
    )
    assert name_of(unused) not in stored_files(media)
